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
#include "goalfn.h"
#include "mtc/ir_print.h"
#include "project.h"

namespace mtc::eng {

using namespace ir;

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
  GoalFunction pb(ctx, s.varying, G, histEnd, idx, pr, targets);
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
  if (r.solved) {
    r.violated = pb.violations();
    r.feasible = r.violated.empty();
  }
  if (!r.solved) r.feasible = false;
  return r;
}

}  // namespace mtc::eng
