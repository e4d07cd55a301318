// seek (seek.h): the goal's two sides at its date as a function of the
// variables, evaluated on the compiled formulas over the data and its
// forecast; one variable by TOMS 748 (Brent's method improved; Boost.Math),
// several by Gauss-Newton steps to the smallest relative change.
#include "mtc/engines/seek.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/math/tools/roots.hpp>
#include <cmath>

#include "evalexpr.h"
#include "mtc/ir_print.h"
#include "project.h"

namespace mtc::eng {

using namespace ir;

namespace {

using drift::holds;

// The problem: the variables' values (a scale for the slices of one with
// dimensions) -> the goal's sides at its date.
class Problem {
 public:
  Problem(const Context& ctx, const SeekStmt& s, const Goal& G, int64_t from, int64_t at, const Projection& pr,
          const std::vector<Id>& targets)
      : ctx_(ctx), m_(ctx.model), G_(G), from_(from), at_(at), pr_(pr) {
    rt::EvalOptions o;
    o.only = targets;
    for (const Ref& r : s.varying)
      if (r.kind == Ref::Kind::Param) o.periodParams.push_back(r.id);
    o.evaluations = 200;  // the root search's evaluations, roughly
    ev_ = ctx.evaluators.make(o);
    sub_ = ev_->subset(targets);
    vars_ = s.varying;
    params_.assign(m_.params.size(), nullptr);
    paramValues_.resize(vars_.size());
    // the baseline: every variable as it is
    ev_->evaluateInto(pr_.point, base_, &sub_);
  }

  const rt::Values& base() const { return base_; }
  const rt::Values& last() const { return cur_; }
  const std::vector<const std::vector<double>*>& params() const { return params_; }

  // The current value of variable k (a param's mean over slices; a metric's total at the date).
  double current(size_t k) const {
    const Ref& r = vars_[k];
    if (r.kind == Ref::Kind::Param) {
      const auto& v = m_.params[r.id].values;
      return v.empty() ? rt::kMissing : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
    }
    return base_.at(r.id, at_);
  }

  // lhs - rhs at the date with variable k at value x[k] in the periods from `from` to the date.
  double gap(const std::vector<double>& x) {
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
  double lhs() const { return lhs_; }
  double rhs() const { return rhs_; }

 private:
  const Context& ctx_;
  const Model& m_;
  const Goal& G_;
  int64_t from_, at_;
  const Projection& pr_;
  std::unique_ptr<rt::Evaluator> ev_;
  rt::Subset sub_;
  std::vector<Ref> vars_;
  rt::Values base_, cur_;
  std::vector<const std::vector<double>*> params_;
  std::vector<std::vector<double>> paramValues_;
  double lhs_ = 0, rhs_ = 0;
};

}  // namespace

SeekResult seek(const Context& ctx, const SeekStmt& s) {
  const Model& m = ctx.model;
  const Goal& G = m.goals[s.goal];
  SeekResult r;
  r.goal = s.goal;
  std::optional<Period> when = s.at ? s.at : G.by;
  if (!when)
    throw StatementError(DiagCode::NoData, fmt::format("goal '{}' has no date: write `by PERIOD` on it, or `at:` on the seek", G.name));
  const rt::Timeline& data = ctx.data.time;
  Period D = toGrain(*when, m.grain);
  r.at = D;
  bool anyData = std::any_of(ctx.data.hasData.begin(), ctx.data.hasData.end(), [](bool b) { return b; });
  const int64_t histEnd = anyData ? data.count : 0;
  const int64_t idx = D.ord - data.first.ord;
  if (idx < histEnd)
    throw StatementError(DiagCode::NoData, fmt::format("the goal's date {} is in the data (to {}): seek changes the periods after it",
                                                       formatPeriod(D), formatPeriod(data.last())));
  const int64_t horizon = std::max<int64_t>(0, idx - data.count + 1);
  // what the problem reads: the goal's sides, the constraints, the variables
  std::vector<Id> targets;
  collectRefs(m, G.cmp.lhs, &targets, nullptr);
  collectRefs(m, G.cmp.rhs, &targets, nullptr);
  for (const Constraint& C : m.constraints) {
    collectRefs(m, C.cmp.lhs, &targets, nullptr);
    collectRefs(m, C.cmp.rhs, &targets, nullptr);
  }
  for (const Ref& v : s.varying)
    if (v.kind == Ref::Kind::Metric) targets.push_back(v.id);
  std::sort(targets.begin(), targets.end());
  targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
  if (targets.empty())
    throw StatementError(DiagCode::NoData, fmt::format("goal '{}' reads no metric: nothing to solve", G.name));
  Projection pr = project(ctx, targets, horizon, ForecastMethod::Auto, 0.9);
  r.notes = pr.notes;
  Problem pb(ctx, s, G, histEnd, idx, pr, targets);
  const size_t K = s.varying.size();
  std::vector<double> cur(K), x(K);
  for (size_t k = 0; k < K; ++k) {
    cur[k] = pb.current(k);
    if (!std::isfinite(cur[k]))
      throw StatementError(DiagCode::MissingValue, fmt::format("'{}' has no value at {} to start from", refName(m, s.varying[k]), formatPeriod(D)));
  }
  r.before = pb.gap(cur) + pb.rhs();
  const double scale = std::max({std::fabs(pb.lhs()), std::fabs(pb.rhs()), 1.0});
  if (K == 1) {
    auto f = [&](double v) { return pb.gap({v}); };
    double a = cur[0], fa = f(a);
    if (fa == 0) {
      x[0] = a;
      r.solved = true;
    } else {
      // bracket a sign change, stepping out from the current value in both directions
      double step = std::max(std::fabs(a), 1.0) * 0.25;
      std::optional<std::pair<double, double>> br;
      double fbr = 0, far = 0;
      for (int i = 0; i < 80 && !br; ++i, step *= 2) {
        for (double b : {a + step, a - step}) {
          double fb = f(b);
          if (std::isfinite(fb) && (fb == 0 || (fb < 0) != (fa < 0))) {
            br = std::pair{std::min(a, b), std::max(a, b)};
            far = b < a ? fb : fa;
            fbr = b < a ? fa : fb;
            break;
          }
        }
      }
      if (!br) {
        r.reason = fmt::format("no value of '{}' makes goal '{}' hold at {}: its two sides do not meet", refName(m, s.varying[0]), G.name,
                               formatPeriod(D));
      } else {
        boost::uintmax_t iters = 200;
        auto root = boost::math::tools::toms748_solve(f, br->first, br->second, far, fbr, boost::math::tools::eps_tolerance<double>(50), iters);
        x[0] = (root.first + root.second) / 2;
        r.solved = true;
      }
    }
  } else {
    // the smallest relative change: min |rel|^2 subject to gap = 0, by Gauss-Newton steps
    std::vector<double> rel(K, 0.0);
    auto at = [&](const std::vector<double>& rr) {
      std::vector<double> v(K);
      for (size_t k = 0; k < K; ++k) v[k] = cur[k] != 0 ? cur[k] * (1 + rr[k]) : rr[k];
      return v;
    };
    for (int it = 0; it < 60; ++it) {
      double g0 = pb.gap(at(rel));
      if (!std::isfinite(g0)) break;
      if (std::fabs(g0) <= 1e-10 * scale) {
        r.solved = true;
        break;
      }
      std::vector<double> J(K);
      double jj = 0, jr = 0;
      for (size_t k = 0; k < K; ++k) {
        std::vector<double> rr = rel;
        double d = 1e-6 * std::max(1.0, std::fabs(rel[k]));
        rr[k] += d;
        J[k] = (pb.gap(at(rr)) - g0) / d;
        jj += J[k] * J[k];
        jr += J[k] * rel[k];
      }
      if (!(jj > 0)) break;
      double lambda = (jr - g0) / jj;
      for (size_t k = 0; k < K; ++k) rel[k] = J[k] * lambda;
    }
    x = at(rel);
    if (!r.solved) {
      double g = pb.gap(x);
      r.solved = std::isfinite(g) && std::fabs(g) <= 1e-8 * scale;
    }
    if (!r.solved) r.reason = fmt::format("no change of {} variables makes goal '{}' hold at {}", K, G.name, formatPeriod(D));
  }
  // the solution's values, the constraints there, the history
  pb.gap(r.solved ? x : cur);
  r.after = pb.lhs();
  r.target = pb.rhs();
  for (size_t k = 0; k < K; ++k) {
    SeekResult::Variable v;
    v.ref = s.varying[k];
    v.current = cur[k];
    v.required = r.solved ? x[k] : rt::kMissing;
    v.change = v.required - v.current;
    v.relative = v.current != 0 ? v.change / std::fabs(v.current) : rt::kMissing;
    if (v.ref.kind == Ref::Kind::Metric) {
      const rt::Series& s2 = pb.last().metric(v.ref.id);
      if (s2.slices > 1)
        for (size_t sl = 0; sl < s2.slices; ++sl) v.slices.push_back(s2.at(sl, static_cast<size_t>(idx)));
      // its history in the data
      for (int64_t t = 0; t < histEnd; ++t) {
        double h = ctx.values.at(v.ref.id, t);
        if (!std::isfinite(h)) continue;
        if (!v.highest || h > *v.highest) v.highest = h, v.highestAt = data.at(t);
        if (!v.lowest || h < *v.lowest) v.lowest = h, v.lowestAt = data.at(t);
      }
    } else if (m.params[v.ref.id].values.size() > 1) {
      for (double pv : m.params[v.ref.id].values) v.slices.push_back(v.current != 0 ? pv * v.required / v.current : v.required);
    }
    r.variables.push_back(std::move(v));
  }
  if (r.solved)
    for (Id c = 0; c < m.constraints.size(); ++c) {
      const Constraint& C = m.constraints[c];
      double lhs = drift::exprTotal(m, pb.last(), C.cmp.lhs, idx, &pb.params());
      double rhs = drift::exprTotal(m, pb.last(), C.cmp.rhs, idx, &pb.params());
      if (!std::isfinite(lhs) || !std::isfinite(rhs)) continue;
      if (!holds(C.cmp.op, lhs, rhs)) {
        r.violated.push_back({c, lhs, rhs, std::fabs(lhs - rhs)});
        r.feasible = false;
      }
    }
  if (!r.solved) r.feasible = false;
  return r;
}

}  // namespace mtc::eng
