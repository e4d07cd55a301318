var b_ppc >= 0;
var b_sales >= 0;
var b_consultants >= 0;
maximize total_new_patients: b_ppc/100 + b_sales/150 + b_consultants/80;
s.t. offline_budget: b_sales + b_consultants <= 2000;
end;
