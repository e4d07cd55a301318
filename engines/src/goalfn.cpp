// GoalFunction (goalfn.h): overrides for the variables on top of the
// projection's scenario, evaluated on the run's back-end.
#include "goalfn.h"

#include <cmath>
#include <numeric>

#include "evalexpr.h"

namespace mtc::eng {

using namespace ir;

GoalFunction::GoalFunction(const Context& ctx, const std::vector<Ref>& vars, const Goal& G, int64_t from, int64_t at, const Projection& pr,
                           const std::vector<Id>& targets, double evaluations)
    : ctx_(ctx), m_(ctx.model), G_(G), from_(from), at_(at), pr_(pr) {
  rt::EvalOptions o;
  o.only = targets;
  for (const Ref& r : vars)
    if (r.kind == Ref::Kind::Param) o.periodParams.push_back(r.id);
  o.evaluations = evaluations;
  ev_ = ctx.evaluators.make(o);
  sub_ = ev_->subset(targets);
  vars_ = vars;
  params_.assign(m_.params.size(), nullptr);
  paramValues_.resize(vars_.size());
  // the baseline: every variable as it is
  ev_->evaluateInto(pr_.point, base_, &sub_);
}

double GoalFunction::current(size_t k) const {
  const Ref& r = vars_[k];
  if (r.kind == Ref::Kind::Param) {
    const auto& v = m_.params[r.id].values;
    return v.empty() ? rt::kMissing : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  }
  return base_.at(r.id, at_);
}

double GoalFunction::gap(const std::vector<double>& x) {
  rt::Scenario sc = pr_.point;
  const int64_t n = at_ - from_ + 1;
  for (size_t k = 0; k < vars_.size(); ++k) {
    const Ref& r = vars_[k];
    if (r.kind == Ref::Kind::Param) {
      const Param& P = m_.params[r.id];
      double cur = current(k);
      std::vector<double>& vals = paramValues_[k];
      vals = P.values;
      for (double& v : vals) v = cur != 0 ? v * x[k] / cur : x[k];
      rt::Override o{{Ref::Kind::Param, r.id}, from_, at_, std::nullopt, {}};
      for (size_t sl = 0; sl < vals.size(); ++sl)
        for (int64_t t = 0; t < n; ++t) o.values.push_back(vals[sl]);
      if (vals.size() == 1) o.values.resize(static_cast<size_t>(n));
      sc.overrides.push_back(std::move(o));
      params_[r.id] = &paramValues_[k];
    } else {
      // a metric: its total at x in every period from `from`, the slices in their baseline proportions
      const rt::Series& b = base_.metric(r.id);
      const size_t S = b.slices;
      rt::Override o{{Ref::Kind::Metric, r.id}, from_, at_, std::nullopt, {}};
      o.values.resize(S * static_cast<size_t>(n));
      for (int64_t t = 0; t < n; ++t) {
        double tot = base_.at(r.id, from_ + t);
        for (size_t sl = 0; sl < S; ++sl) {
          double share = S == 1 ? 1.0 : (tot != 0 && std::isfinite(tot) ? b.at(sl, static_cast<size_t>(from_ + t)) / tot : 1.0 / static_cast<double>(S));
          o.values[sl * static_cast<size_t>(n) + static_cast<size_t>(t)] = x[k] * share;
        }
      }
      sc.overrides.push_back(std::move(o));
    }
  }
  ev_->evaluateInto(sc, cur_, &sub_);
  lhs_ = drift::exprTotal(m_, cur_, G_.cmp.lhs, at_, &params_);
  rhs_ = drift::exprTotal(m_, cur_, G_.cmp.rhs, at_, &params_);
  return lhs_ - rhs_;
}

std::vector<SeekResult::Violation> GoalFunction::violations() const {
  std::vector<SeekResult::Violation> out;
  for (Id c = 0; c < m_.constraints.size(); ++c) {
    const Constraint& C = m_.constraints[c];
    double lhs = drift::exprTotal(m_, cur_, C.cmp.lhs, at_, &params_);
    double rhs = drift::exprTotal(m_, cur_, C.cmp.rhs, at_, &params_);
    if (!std::isfinite(lhs) || !std::isfinite(rhs)) continue;
    if (!drift::holds(C.cmp.op, lhs, rhs)) out.push_back({c, lhs, rhs, std::fabs(lhs - rhs)});
  }
  return out;
}

}  // namespace mtc::eng
