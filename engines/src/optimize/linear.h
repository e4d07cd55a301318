// The linear half of optimize (optimize.h): the objective and constraints of
// a model as affine forms in the decision variables, extracted exactly from the
// IR (symbolic propagation through the formulas), and what GLPK's answer needs
// around it: an irreducible infeasible subset by a deletion filter, how far each
// of its rows must move, and the variables that make an LP unbounded.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "mtc/ir.h"
#include "mtc/runtime.h"
#include "solvers/lp.h"

namespace mtc::eng::opt {

// c + sum of coef * x[var]; terms sorted by variable, without zeros.
struct Affine {
  double c = 0;
  std::vector<std::pair<size_t, double>> terms;
  bool constant() const { return terms.empty(); }
  // its value at x
  double at(const std::vector<double>& x) const;
};
// a + k * b
Affine combine(const Affine& a, double k, const Affine& b);
Affine scaled(const Affine& a, double k);

// A decision variable: one slice of a varied param.
struct Variable {
  ir::Id param = ir::kNone;
  size_t slice = 0;
};

// The model is not affine in the variables at `expr` (a product of two
// expressions that depend on them, a response curve, a comparison, ...).
struct NotLinear : std::runtime_error {
  NotLinear(const std::string& what, ir::ExprId e, ir::Id inMetric) : std::runtime_error(what), expr(e), metric(inMetric) {}
  ir::ExprId expr;
  ir::Id metric;  // the metric whose formula holds it, or kNone
};

// Expressions as affine forms in the variables at period t. What does not
// depend on a variable is read from `base` (the model evaluated with every
// param as declared: the values of its data, or its forecast); the variables
// act in period t only, so what a formula reads from earlier periods (lag,
// the past of a cumsum or a rolling window) is a constant.
class Linearizer {
 public:
  // fixed: per metric, whether its value at t comes from data (not its formula).
  Linearizer(const ir::Model& m, const rt::Values& base, int64_t t, const std::vector<Variable>& vars,
             std::vector<bool> fixed = {});
  // e over the totals, as a goal's or constraint's side is read (drift::exprTotal).
  Affine total(ir::ExprId e);
  // e in one slice of dims (which hold e's own dimensions).
  Affine at(ir::ExprId e, const std::vector<ir::Id>& dims, size_t slice);
  // Whether e depends on a variable at t.
  bool depends(ir::ExprId e);

 private:
  const ir::Model& m_;
  const rt::Values& base_;
  int64_t t_;
  std::vector<std::vector<int>> var_;  // per param: per slice, the variable or -1
  std::vector<bool> fixed_;
  std::vector<int8_t> depExpr_, depMetric_;
  std::vector<uint32_t> coord_;
  std::map<std::pair<ir::Id, size_t>, Affine> slices_;  // (metric, slice)
  std::map<ir::Id, Affine> totals_;
  std::map<std::pair<ir::ExprId, int64_t>, std::vector<double>> numSlices_;
  std::map<std::pair<ir::ExprId, int64_t>, double> numTotals_;
  ir::Id inMetric_ = ir::kNone;

  bool metricDepends(ir::Id id);
  Affine eval(ir::ExprId e, bool total);
  double numeric(ir::ExprId e, bool total, int64_t t);
  Affine metricSlice(ir::Id id, size_t slice);
  Affine metricTotal(ir::Id id);
  [[noreturn]] void notLinear(ir::ExprId e, const std::string& why);
};

// The rows of an infeasible problem that conflict: an irreducible infeasible
// subset, by a deletion filter (drop one row, re-solve: still infeasible, it
// stays out). Row indices into p.rows.
std::vector<size_t> deletionFilter(const solvers::LpProblem& p, solvers::LpSolver& solver);

// How far row i's bound must move (up for <=, down for >=; signed for ==) for
// the whole problem to become feasible, the other rows as they are; nullopt
// when moving it alone does not do it.
std::optional<double> requiredMove(const solvers::LpProblem& p, size_t i, solvers::LpSolver& solver);

// The variables that carry an unbounded LP: those that run to an artificial
// box of +-big when one is put on every unbounded side, with the direction
// (+1 up, -1 down).
std::vector<std::pair<size_t, int>> unboundedVariables(const solvers::LpProblem& p, solvers::LpSolver& solver, double big = 1e9);

// A row's comparison as reported: "<=", ">=" or "==" (a strict comparison is solved as
// the non-strict one).
inline const char* rowOpText(ir::CmpOp op) {
  switch (op) {
    case ir::CmpOp::Lt: case ir::CmpOp::Le: return "<=";
    case ir::CmpOp::Gt: case ir::CmpOp::Ge: return ">=";
    case ir::CmpOp::Eq: return "==";
  }
  return "<=";
}

}  // namespace mtc::eng::opt
