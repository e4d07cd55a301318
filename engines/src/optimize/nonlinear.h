// The non-linear half of optimize (optimize.h): a model whose objective or
// constraints are not affine in the varied params (a response curve, a product
// of two levers), or `method: nlp`. The formulas are evaluated by the run's
// back-end with exact gradients (forward-mode derivatives, Evaluator::
// tangentInto), solved by NLopt's SLSQP behind the NLP seam (solvers/nlp.h)
// from several deterministic starts, the best feasible kept; the shadow prices
// are the Lagrange multipliers of the KKT conditions at the solution (least
// squares over the active constraints and bounds). docs/prescriptive.md, "The
// non-linear path".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "mtc/engines/optimize.h"
#include "optimize/linear.h"

namespace mtc::eng::opt {

struct NlpInput {
  const Context& ctx;
  const ir::OptimizeStmt& s;
  Linearizer& lin;                  // for depends(): which sides reach a variable
  int64_t idx = 0;                  // the period, on the evaluation's timeline
  const rt::Scenario* base = nullptr;  // the projection's scenario past the data; null: the data as it is
  std::vector<ir::Id> targets;      // the metrics the problem reads
  std::vector<Variable> vars;       // r.variables' params and slices
  std::optional<std::string> why;   // what is not linear (null: method: nlp)
};

// Fills r (whose variables are set) with the non-linear solution.
void solveNonlinear(const NlpInput& in, OptimizeResult& r);

}  // namespace mtc::eng::opt
