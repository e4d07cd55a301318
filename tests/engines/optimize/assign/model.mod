/* ASSIGN, Assignment Problem: glpk-utils' examples/assign.mod, with the agents
   and tasks named a1..a8 and t1..t8 (mtree's dimension values), and no printf. */
set I;
/* set of agents */
set J;
/* set of tasks */
param c{i in I, j in J}, >= 0;
/* cost of allocating task j to agent i */
var x{i in I, j in J}, >= 0;
s.t. phi{i in I}: sum{j in J} x[i,j] <= 1;
/* each agent can perform at most one task */
s.t. psi{j in J}: sum{i in I} x[i,j] = 1;
/* each task must be assigned exactly to one agent */
minimize obj: sum{i in I, j in J} c[i,j] * x[i,j];
data;
/* These data correspond to an example from [Christofides]. */
/* Optimal solution is 76 */
set I := a1 a2 a3 a4 a5 a6 a7 a8;
set J := t1 t2 t3 t4 t5 t6 t7 t8;
param c : t1 t2 t3 t4 t5 t6 t7 t8 :=
      a1 13 21 20 12  8 26 22 11
      a2 12 36 25 41 40 11  4  8
      a3 35 32 13 36 26 21 13 37
      a4 34 54  7  8 12 22 11 40
      a5 21  6 45 18 24 34 12 48
      a6 42 19 39 15 14 16 28 46
      a7 16 34 38  3 34 40 22 24
      a8 26 20  5 17 45 31 37 43 ;
end;
