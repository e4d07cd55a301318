# mip: whole events only
var events_fair integer >= 0 <= 10;
var events_workshop integer >= 0 <= 10;
maximize patients: 8 * events_fair + 6.2 * events_workshop;
s.t. budget: 600 * events_fair + 500 * events_workshop <= 2000;
end;
