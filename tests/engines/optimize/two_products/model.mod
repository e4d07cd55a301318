var x_trains >= 0;
var x_soldiers >= 0;
maximize profit: 3 * x_trains + 2 * x_soldiers;
s.t. finish: x_trains + 2 * x_soldiers <= 100;
s.t. carp: x_trains + x_soldiers <= 80;
s.t. demand: x_trains <= 40;
end;
