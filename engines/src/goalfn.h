// A goal's two sides at its date as a function of some variables (params, or
// metrics), each moved in the periods from `from` to the date, evaluated on the
// compiled formulas over the data and its forecast (project.h). seek solves it
// for a root; recommend measures its levers with it.
#pragma once

#include <memory>
#include <vector>

#include "mtc/engines/context.h"
#include "mtc/engines/seek.h"
#include "project.h"

namespace mtc::eng {

class GoalFunction {
 public:
  GoalFunction(const Context& ctx, const std::vector<ir::Ref>& vars, const ir::Goal& G, int64_t from, int64_t at, const Projection& pr,
               const std::vector<ir::Id>& targets, double evaluations = 200);

  // The values with every variable as it is, and those of the last call to gap().
  const rt::Values& base() const { return base_; }
  const rt::Values& last() const { return cur_; }
  const std::vector<const std::vector<double>*>& params() const { return params_; }

  // The current value of variable k (a param's mean over slices; a metric's total at the date).
  double current(size_t k) const;

  // lhs - rhs at the date with variable k at x[k] in the periods from `from` to
  // the date (a param's slices scaled together, a metric's slices in their
  // baseline proportions).
  double gap(const std::vector<double>& x);
  double lhs() const { return lhs_; }
  double rhs() const { return rhs_; }

  // The model's constraints that break at the date, as the last call to gap() left the values.
  std::vector<SeekResult::Violation> violations() const;

 private:
  const Context& ctx_;
  const ir::Model& m_;
  const ir::Goal& G_;
  int64_t from_, at_;
  const Projection& pr_;
  std::unique_ptr<rt::Evaluator> ev_;
  rt::Subset sub_;
  std::vector<ir::Ref> vars_;
  rt::Values base_, cur_;
  std::vector<const std::vector<double>*> params_;
  std::vector<std::vector<double>> paramValues_;
  double lhs_ = 0, rhs_ = 0;
};

}  // namespace mtc::eng
