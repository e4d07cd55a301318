// forecast (forecast.h): leaf inputs forecast by the method asked for
// (forecast/methods.h), carried through the formulas; intervals from the
// method for a leaf metric, from simulated paths through the formulas for the
// rest; a goal's gap and the probability of meeting it; a holdout's accuracy.
#include "mtc/engines/forecast.h"

#include <fmt/format.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "evalexpr.h"
#include "project.h"

namespace mtc::eng {

using namespace ir;

namespace {

constexpr size_t kRuns = 1000;  // simulated paths behind a propagated interval

using drift::gapOf;
using drift::holds;

// The goal that names metric M, if any (its left side is M, or it reads M).
std::optional<Id> goalOf(const Model& m, Id metric) {
  for (Id g = 0; g < m.goals.size(); ++g)
    if (m.goals[g].metric == metric) return g;
  for (Id g = 0; g < m.goals.size(); ++g)
    if (std::find(m.goals[g].metrics.begin(), m.goals[g].metrics.end(), metric) != m.goals[g].metrics.end()) return g;
  return std::nullopt;
}

// The simulated paths of the targets' totals over [from, to) of the projection's timeline:
// runs x targets x periods; and, per goal, whether it held at its date.
struct Paths {
  std::vector<std::vector<std::vector<double>>> values;  // [target][period][run]
  std::vector<std::vector<uint8_t>> goalHeld;           // [goal index][run]
};

Paths simulatePaths(const Context& ctx, const Projection& pr, const std::vector<Id>& targets, int64_t from, int64_t to,
                    const std::vector<std::pair<Id, int64_t>>& goals, uint64_t seed, size_t runs) {
  const Model& m = ctx.model;
  Paths out;
  const size_t P = static_cast<size_t>(to - from);
  out.values.assign(targets.size(), std::vector<std::vector<double>>(P, std::vector<double>(runs, rt::kMissing)));
  out.goalHeld.assign(goals.size(), std::vector<uint8_t>(runs, 0));
  rt::Subset sub = ctx.evaluator.subset(targets);
  // each run's draws depend on (seed, run) only: the same results with any number of threads
  tbb::parallel_for(tbb::blocked_range<size_t>(0, runs, 16), [&](const tbb::blocked_range<size_t>& r) {
    rt::Scenario sc = pr.point;
    sc.timeline = &pr.timeline;
    rt::Values v;
    for (size_t run = r.begin(); run < r.end(); ++run) {
      std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ULL + run);
      pr.draw(rng, sc);
      ctx.evaluator.evaluateInto(sc, v, &sub);
      for (size_t k = 0; k < targets.size(); ++k)
        for (size_t p = 0; p < P; ++p) out.values[k][p][run] = v.at(targets[k], from + static_cast<int64_t>(p));
      for (size_t g = 0; g < goals.size(); ++g) {
        const Goal& G = m.goals[goals[g].first];
        double lhs = drift::exprTotal(m, v, G.cmp.lhs, goals[g].second), rhs = drift::exprTotal(m, v, G.cmp.rhs, goals[g].second);
        out.goalHeld[g][run] = holds(G.cmp.op, lhs, rhs);
      }
    }
  });
  return out;
}

void bounds(const std::vector<std::vector<double>>& byPeriod, double level, std::vector<double>& lower, std::vector<double>& upper) {
  for (auto draws : byPeriod) {
    draws.erase(std::remove_if(draws.begin(), draws.end(), [](double x) { return !std::isfinite(x); }), draws.end());
    std::sort(draws.begin(), draws.end());
    lower.push_back(quantileSorted(draws, 0.5 - level / 2));
    upper.push_back(quantileSorted(draws, 0.5 + level / 2));
  }
}

// The input that is `id` itself, a leaf without slices whose method's own
// interval answers; null for a formula metric or a leaf with slices.
const Projection::Input* ownInterval(const Projection& pr, Id id) {
  for (auto& in : pr.inputs)
    if (in.metric == id) return in.slices.size() == 1 ? &in : nullptr;
  return nullptr;
}

}  // namespace

ForecastResult forecast(const Context& ctx, const ForecastStmt& s) {
  const Model& m = ctx.model;
  const rt::Timeline& data = ctx.data.time;
  ForecastResult r;
  r.level = s.level;
  int64_t H = s.horizon.periods;
  if (H <= 0)
    throw StatementError(DiagCode::NoData, fmt::format("a horizon of {} {} is not a whole number of {}s", s.horizon.count,
                                                       grainName(s.horizon.unit), grainName(m.grain)));
  // a goal's date past the horizon extends it
  std::vector<std::pair<Id, int64_t>> goalAt;  // per metric with a goal: (goal, period index), or none
  for (Id id : s.metrics) {
    auto g = goalOf(m, id);
    if (g && m.goals[*g].by) {
      Period at = toGrain(*m.goals[*g].by, m.grain);
      int64_t idx = at.ord - data.first.ord;
      if (idx >= data.count + H) H = idx - data.count + 1;
    }
  }
  r.horizon = H;
  r.from = data.at(data.count);
  Projection pr = project(ctx, s.metrics, H, s.method, s.level);
  rt::Subset sub = ctx.evaluator.subset(s.metrics);
  rt::Values point;
  ctx.evaluator.evaluateInto(pr.point, point, &sub);
  // goals at their dates (those in the horizon are simulated)
  std::vector<std::pair<Id, int64_t>> simGoals;
  std::vector<std::optional<size_t>> goalIndex(s.metrics.size());
  for (size_t k = 0; k < s.metrics.size(); ++k) {
    auto g = goalOf(m, s.metrics[k]);
    if (!g || !m.goals[*g].by) continue;
    int64_t idx = toGrain(*m.goals[*g].by, m.grain).ord - data.first.ord;
    if (idx >= data.count) {
      goalIndex[k] = simGoals.size();
      simGoals.push_back({*g, idx});
    }
  }
  // simulated paths only where the methods' own intervals do not answer: a
  // metric built from several inputs (or slices), or a goal's probability
  auto singleLeaf = [&](Id id) { return ownInterval(pr, id) != nullptr; };
  bool simulateNeeded = !simGoals.empty();
  for (Id id : s.metrics) simulateNeeded |= !singleLeaf(id);
  Paths paths = simulateNeeded ? simulatePaths(ctx, pr, s.metrics, data.count, data.count + H, simGoals, s.seed, kRuns) : Paths{};
  r.runs = simulateNeeded ? kRuns : 0;
  for (size_t k = 0; k < s.metrics.size(); ++k) {
    Id id = s.metrics[k];
    ForecastResult::Metric fm;
    fm.metric = id;
    for (int64_t t = data.count; t < data.count + H; ++t) fm.mean.push_back(point.at(id, t));
    // the method: a leaf's own, or propagated from its inputs
    const Projection::Input* own = nullptr;
    for (auto& in : pr.inputs)
      if (in.metric == id) own = &in;
    if (own && own->slices.size() == 1) {
      fm.method = own->slices[0].method;
      // the method's interval (from the first period forecast)
      int64_t off = data.count - own->first[0];
      for (int64_t i = 0; i < H; ++i) {
        fm.lower.push_back(own->slices[0].lower[static_cast<size_t>(off + i)]);
        fm.upper.push_back(own->slices[0].upper[static_cast<size_t>(off + i)]);
      }
    } else {
      fm.method = own ? "by slice" : "propagated";
      bounds(paths.values[k], s.level, fm.lower, fm.upper);
    }
    for (auto& in : pr.inputs) {
      std::vector<bool> need = rt::needed(m, {id});
      if (!need[in.metric]) continue;
      for (size_t sl = 0; sl < in.slices.size(); ++sl) fm.inputs.push_back({inputName(m, in.metric, sl), in.slices[sl].method});
    }
    if (own && own->slices.size() == 1) fm.inputs.clear();
    // history for the chart: up to three seasons
    int64_t back = std::min<int64_t>(data.count, std::max<int64_t>(3 * seasonLength(m.grain), 12));
    fm.historyFrom = data.at(data.count - back);
    for (int64_t t = data.count - back; t < data.count; ++t) fm.history.push_back(ctx.values.at(id, t));
    // the goal
    if (auto g = goalOf(m, id); g && m.goals[*g].by) {
      const Goal& G = m.goals[*g];
      GoalOutlook go;
      go.goal = *g;
      go.at = toGrain(*G.by, m.grain);
      int64_t idx = go.at.ord - data.first.ord;
      if (idx < 0) {
        fm.notes.push_back(fmt::format("goal '{}' is for {}, before the data", G.name, formatPeriod(go.at)));
      } else if (idx < data.count) {
        go.passed = true;
        double lhs = drift::exprTotal(m, ctx.values, G.cmp.lhs, idx), rhs = drift::exprTotal(m, ctx.values, G.cmp.rhs, idx);
        go.value = lhs;
        go.target = rhs;
        go.gap = gapOf(G.cmp.op, lhs, rhs);
        go.met = holds(G.cmp.op, lhs, rhs);
        fm.goal = go;
      } else {
        double lhs = drift::exprTotal(m, point, G.cmp.lhs, idx), rhs = drift::exprTotal(m, point, G.cmp.rhs, idx);
        go.value = lhs;
        go.target = rhs;
        go.gap = gapOf(G.cmp.op, lhs, rhs);
        go.met = holds(G.cmp.op, lhs, rhs);
        const auto& held = paths.goalHeld[*goalIndex[k]];
        size_t yes = 0;
        for (uint8_t h : held) yes += h;
        go.probability = static_cast<double>(yes) / static_cast<double>(held.size());
        fm.goal = go;
      }
    }
    fm.notes.insert(fm.notes.end(), pr.notes.begin(), pr.notes.end());
    r.metrics.push_back(std::move(fm));
  }
  // holdout: the same forecast from the history less its last K periods, against them
  if (s.holdout) {
    int64_t K = *s.holdout;
    if (K >= data.count)
      throw StatementError(DiagCode::TooShort, fmt::format("holdout: {} periods held out of {} in the data", K, data.count));
    Projection ho = project(ctx, s.metrics, K, s.method, s.level, K);
    rt::Values hv;
    ctx.evaluator.evaluateInto(ho.point, hv, &sub);
    bool holdoutPaths = false;
    for (Id id : s.metrics) holdoutPaths |= ownInterval(ho, id) == nullptr;
    Paths hp = holdoutPaths ? simulatePaths(ctx, ho, s.metrics, ho.end, ho.end + K, {}, s.seed + 1, kRuns) : Paths{};
    const int season = seasonLength(m.grain);
    for (size_t k = 0; k < s.metrics.size(); ++k) {
      Id id = s.metrics[k];
      ForecastResult::Accuracy acc;
      acc.holdout = K;
      acc.from = data.at(ho.end);
      if (const Projection::Input* own = ownInterval(ho, id)) {  // the method's own interval, as in the forecast
        int64_t off = ho.end - own->first[0];
        for (int64_t i = 0; i < K; ++i) {
          acc.lower.push_back(own->slices[0].lower[static_cast<size_t>(off + i)]);
          acc.upper.push_back(own->slices[0].upper[static_cast<size_t>(off + i)]);
        }
      } else {
        bounds(hp.values[k], s.level, acc.lower, acc.upper);
      }
      std::vector<double> train;
      for (int64_t t = 0; t < ho.end; ++t) train.push_back(ctx.values.at(id, t));
      while (!train.empty() && !std::isfinite(train.front())) train.erase(train.begin());
      double ae = 0, covered = 0;
      size_t n = 0;
      for (int64_t i = 0; i < K; ++i) {
        double a = ctx.values.at(id, ho.end + i), f = hv.at(id, ho.end + i);
        acc.actual.push_back(a);
        acc.mean.push_back(f);
        if (std::isfinite(a) && std::isfinite(f)) {
          ae += std::fabs(a - f);
          covered += a >= acc.lower[static_cast<size_t>(i)] && a <= acc.upper[static_cast<size_t>(i)];
          ++n;
        }
      }
      acc.mae = n ? ae / static_cast<double>(n) : rt::kMissing;
      acc.coverage = n ? covered / static_cast<double>(n) : rt::kMissing;
      acc.mase = fc::mase(train, season, acc.mean, acc.actual);
      r.metrics[k].accuracy = acc;
    }
  }
  return r;
}

}  // namespace mtc::eng
