// optimize: what should we do? (LANGUAGE.md section 7, docs/prescriptive.md)
// The best values of the varied params at one period, for an objective, subject
// to the statement's constraints and the model's. A model whose objective and
// constraints are affine in the params (through any chain of formulas) is an LP
// (a MIP with `vary integer`), solved exactly by GLPK with its duals and
// sensitivity ranges; an infeasible one names an irreducible conflicting set, an
// unbounded one the variables that run away. A non-linear model is solved by
// NLopt's SLSQP with exact gradients from several starts (optimize/nonlinear.h).
#pragma once

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "mtc/engines/context.h"

namespace mtc::eng {

struct OptimizeResult {
  std::string name;
  Period at;
  bool maximize = true;
  std::string method;                 // "simplex", "branch-and-cut" for a MIP, "SLSQP (NLopt), 8 starts" for a non-linear model
  std::string status;                 // optimal, infeasible, unbounded
  bool timeLimit = false;             // stopped by time_limit: the best solution found, not proven optimal
  std::string objectiveText;          // the objective as written
  std::string unit;                   // the objective's unit
  double objective = rt::kMissing;    // at the solution
  double objectiveBefore = rt::kMissing;  // with every variable at its current value
  struct Range {
    double lo = -INFINITY, hi = INFINITY;
  };
  struct Variable {
    std::string name;                 // the param, or "b[ppc]" for one slice
    ir::Id param = ir::kNone;
    std::optional<size_t> slice;
    double current = 0, value = rt::kMissing;
    double lower = -INFINITY, upper = INFINITY;
    bool integer = false;
    double cost = 0;                  // its coefficient in the objective
    double reducedCost = rt::kMissing;
    std::optional<Range> costRange;   // LP: the cost coefficients over which the solution stays optimal
  };
  std::vector<Variable> variables;
  struct Row {
    std::string name;                 // "budget", "capacity[north]"
    bool model = false;               // a top-level constraint (else `subject to`)
    std::string op;                   // "<=", ">=", "=="
    double activity = rt::kMissing;   // the variables' side at the solution
    double limit = 0;                 // the constant side: variables left, constants right
    double lhs = rt::kMissing, rhs = rt::kMissing;  // the sides as written, at the solution
    bool binding = false;
    double shadowPrice = rt::kMissing;  // objective per unit increase of the limit (null for a MIP)
    std::optional<Range> limitRange;  // LP, a binding row: the limits over which the shadow price holds
    std::vector<std::pair<size_t, double>> coefs;  // the variables' coefficients (indices into variables), variables left
  };
  std::vector<Row> rows;
  // Top-level constraints no variable reaches: checked at the solution.
  struct Check {
    std::string name;
    double lhs = rt::kMissing, rhs = rt::kMissing;
    bool holds = true;
  };
  std::vector<Check> checks;
  // MIP
  bool mip = false;
  double bound = rt::kMissing, gap = rt::kMissing;  // the LP relaxation's objective, the relative gap
  // infeasible: an irreducible conflicting set of rows, and how far each would have to move alone
  struct Conflict {
    std::string row;
    std::optional<double> move;        // by how much its limit must move (up for <=, down for >=)
    std::optional<double> to;          // the limit it would need
  };
  std::vector<Conflict> conflict;
  // the non-linear path: each start of the multi-start, where it ended, and the
  // KKT stationarity residual at the solution (relative to the objective's gradient)
  struct Start {
    std::string from;                  // "the current values", "Halton point 3", ...
    std::string status;                // optimal (a local optimum), infeasible, stopped, error
    double objective = rt::kMissing;
    bool feasible = false;
    bool best = false;
  };
  std::vector<Start> starts;
  double kktResidual = rt::kMissing;
  // unbounded: the variables that run away, +1 up / -1 down
  std::vector<std::pair<std::string, int>> unbounded;
  std::vector<std::string> notes;
};

OptimizeResult optimize(const Context& ctx, const ir::OptimizeStmt& s);

}  // namespace mtc::eng
