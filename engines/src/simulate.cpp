// simulate (simulate.h): the draws (Latin hypercube or plain Monte Carlo, by
// inverse CDFs from Boost.Math), the runs (per run on the horizon's timeline,
// or, when the statement reads no time operator over one period, all runs at
// once as the periods of one timeline), the statistics and the sensitivity.
#include "mtc/engines/simulate.h"

#include <fmt/format.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/triangular.hpp>
#include <boost/math/distributions/uniform.hpp>
#include <cmath>
#include <numeric>
#include <random>

#include "grain.h"
#include "mtc/ir_print.h"
#include "mtc/progress.h"
#include "project.h"

namespace mtc::eng {

using namespace ir;

namespace {

// One uncertain input: a param (or one slice of it) and its distribution.
struct Uncertain {
  Id param = kNone;
  std::optional<size_t> slice;  // one slice; none: every slice of the param takes the draw
  Distribution dist;
  std::string name;
};

// The value at cumulative probability u (0 < u < 1).
double inverseCdf(const Distribution& d, double u) {
  const auto& a = d.args;
  switch (d.kind) {
    case DistKind::Normal: return boost::math::quantile(boost::math::normal(a[0], a[1]), u);
    case DistKind::LogNormal: {  // mean and sd of the variable itself
      double s2 = std::log(1 + a[1] * a[1] / (a[0] * a[0]));
      double mu = std::log(a[0]) - s2 / 2;
      return boost::math::quantile(boost::math::lognormal(mu, std::sqrt(s2)), u);
    }
    case DistKind::Uniform: return boost::math::quantile(boost::math::uniform(a[0], a[1]), u);
    case DistKind::Triangular: return boost::math::quantile(boost::math::triangular(a[0], a[1], a[2]), u);
    case DistKind::Beta: {
      double x = boost::math::quantile(boost::math::beta_distribution<double>(a[0], a[1]), u);
      return a.size() >= 4 ? a[2] + (a[3] - a[2]) * x : x;
    }
    case DistKind::Fixed: return a.empty() ? NAN : a[0];
  }
  return NAN;
}

// The histogram of the runs at the last period (SimulateResult::Metric): about
// 30 bins of a round width (1, 2, 2.5 or 5 times a power of ten) from a multiple of it.
void histogramOf(const std::vector<double>& sorted, SimulateResult::Metric& sm) {
  double lo = sorted.front(), hi = sorted.back();
  sm.histCounts.clear();
  if (!(hi > lo)) {
    sm.histFrom = lo, sm.histWidth = 0;
    sm.histCounts.push_back(sorted.size());
    return;
  }
  double raw = (hi - lo) / 30, mag = std::pow(10.0, std::floor(std::log10(raw))), w = 10 * mag;
  for (double k : {1.0, 2.0, 2.5, 5.0})
    if (k * mag >= raw) {
      w = k * mag;
      break;
    }
  double from = std::floor(lo / w) * w;
  size_t bins = static_cast<size_t>(std::floor((hi - from) / w)) + 1;
  if (from + w * static_cast<double>(bins - 1) >= hi && bins > 1) --bins;  // hi on the last edge: the last bin holds it
  sm.histFrom = from, sm.histWidth = w;
  sm.histCounts.assign(bins, 0);
  for (double x : sorted) {
    auto k = static_cast<size_t>(std::max(0.0, std::floor((x - from) / w)));
    ++sm.histCounts[std::min(k, bins - 1)];
  }
}

// Ranks (1-based, ties averaged), for rank correlations.
std::vector<double> ranks(const std::vector<double>& v) {
  std::vector<size_t> idx(v.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> r(v.size());
  for (size_t i = 0; i < idx.size();) {
    size_t j = i;
    while (j + 1 < idx.size() && v[idx[j + 1]] == v[idx[i]]) ++j;
    double avg = (static_cast<double>(i) + static_cast<double>(j)) / 2 + 1;
    for (size_t k = i; k <= j; ++k) r[idx[k]] = avg;
    i = j + 1;
  }
  return r;
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  double mx = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
  double my = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(y.size());
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) sxy += (x[i] - mx) * (y[i] - my), sxx += (x[i] - mx) * (x[i] - mx), syy += (y[i] - my) * (y[i] - my);
  return sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : 0;
}

}  // namespace

SimulateResult simulate(const Context& ctx, const SimulateStmt& s) {
  const Model& m = ctx.model;
  const rt::Timeline& data = ctx.data.time;
  SimulateResult r;
  r.runs = static_cast<size_t>(s.runs);
  r.level = s.level;
  r.sampling = s.sampling;
  r.seed = s.seed;
  const int64_t H = s.horizon.periods;
  if (H <= 0)
    throw StatementError(DiagCode::NoData, fmt::format("a horizon of {} {} is not a whole number of {}s", s.horizon.count,
                                                       grainName(s.horizon.unit), grainName(m.grain)));
  r.horizon = H;
  const bool anyData = std::any_of(ctx.data.hasData.begin(), ctx.data.hasData.end(), [](bool b) { return b; });
  const int64_t from = anyData ? data.count : 0;
  r.from = data.at(from);
  // the uncertain inputs the metrics read
  std::vector<bool> need = rt::needed(m, s.metrics);
  std::vector<bool> reads(m.params.size(), false);
  for (Id id = 0; id < m.metrics.size(); ++id)
    if (need[id]) {
      for (Id p : m.metrics[id].paramDeps) reads[p] = true;
    }
  std::vector<Uncertain> unc;
  for (Id p = 0; p < m.params.size(); ++p) {
    if (!reads[p]) continue;
    const Param& P = m.params[p];
    bool perSlice = false;
    for (size_t sl = 0; sl < P.sliceDists.size(); ++sl)
      if (P.sliceDists[sl] && P.sliceDists[sl]->kind != DistKind::Fixed) {
        perSlice = true;
        unc.push_back({p, sl, *P.sliceDists[sl], P.dims.empty() ? P.name : P.name + "[" + sliceKey(m, P.dims, sl) + "]"});
      }
    if (!perSlice && P.dist && P.dist->kind != DistKind::Fixed) unc.push_back({p, std::nullopt, *P.dist, P.name});
  }
  // the draws: per input, one value per run
  const size_t K = r.runs, V = unc.size();
  std::vector<std::vector<double>> draws(V, std::vector<double>(K));
  tbb::parallel_for(size_t{0}, V, [&](size_t v) {
    std::mt19937_64 rng(s.seed * 0x9E3779B97F4A7C15ULL + 0x51ED27 + v);
    std::uniform_real_distribution<double> U(0.0, 1.0);
    std::vector<double> u(K);
    if (s.sampling == Sampling::Lhs) {  // one draw in each of K equal-probability strata, in random order
      std::vector<uint32_t> perm(K);
      std::iota(perm.begin(), perm.end(), 0u);
      std::shuffle(perm.begin(), perm.end(), rng);
      for (size_t k = 0; k < K; ++k) u[k] = (perm[k] + U(rng)) / static_cast<double>(K);
    } else {
      for (size_t k = 0; k < K; ++k) u[k] = U(rng);
    }
    for (size_t k = 0; k < K; ++k) {
      double uu = std::clamp(u[k], 1e-300, 1 - 1e-16);
      draws[v][k] = inverseCdf(unc[v].dist, uu);
    }
  });
  // the periods simulated, and the data-bound inputs' forecasts
  const int64_t count = from + H;
  Projection pr = project(ctx, s.metrics, count - data.count, ForecastMethod::Auto, s.level);
  r.notes = pr.notes;
  rt::EvalOptions eo;
  eo.only = s.metrics;
  for (const Uncertain& u : unc)
    if (std::find(eo.periodParams.begin(), eo.periodParams.end(), u.param) == eo.periodParams.end()) eo.periodParams.push_back(u.param);
  // K runs of the H periods simulated (the work estimate counts the data's periods)
  eo.evaluations = static_cast<double>(K) * static_cast<double>(H) / static_cast<double>(std::max<int64_t>(1, data.count));
  auto ev = ctx.evaluators.make(eo);
  rt::Subset sub = ev->subset(s.metrics);
  const size_t P = static_cast<size_t>(H), M = s.metrics.size();
  std::vector<std::vector<std::vector<double>>> out(M, std::vector<std::vector<double>>(P, std::vector<double>(K, rt::kMissing)));
  // the overrides of one scenario: each uncertain input over the periods simulated
  auto overridesFor = [&](int64_t lo, int64_t hi) {
    std::vector<rt::Override> ov;
    for (const Uncertain& u : unc) {
      size_t n = static_cast<size_t>(hi - lo + 1);
      size_t slices = u.slice ? 1 : std::max<size_t>(1, m.params[u.param].values.size());
      ov.push_back(rt::Override{{Ref::Kind::Param, u.param}, lo, hi, u.slice, std::vector<double>(n * slices)});
    }
    return ov;
  };
  bool timeOps = false;
  for (Id id : s.metrics) timeOps |= timeDependent(m, id);
  for (Id id = 0; id < m.metrics.size(); ++id) timeOps |= need[id] && m.metrics[id].group != kNone;
  r.batched = H == 1 && !timeOps && pr.inputs.empty();
  rt::Progress progress(fmt::format("simulate {}", m.metrics[s.metrics.front()].name), K, "runs");
  if (r.batched) {
    // every run is one period of a timeline of `chunk` periods: one evaluation per chunk
    const size_t chunk = 4096;
    const size_t chunks = (K + chunk - 1) / chunk;
    tbb::parallel_for(size_t{0}, chunks, [&](size_t c) {
      size_t lo = c * chunk, n = std::min(chunk, K - lo);
      rt::Timeline tl{data.grain, data.first, static_cast<int64_t>(n)};
      rt::Scenario sc;
      sc.timeline = &tl;
      sc.overrides = overridesFor(0, static_cast<int64_t>(n) - 1);
      for (size_t v = 0; v < V; ++v) {
        rt::Override& o = sc.overrides[v];
        size_t slices = o.values.size() / n;
        for (size_t sl = 0; sl < slices; ++sl)
          for (size_t k = 0; k < n; ++k) o.values[sl * n + k] = draws[v][lo + k];
      }
      rt::Values vals;
      ev->evaluateInto(sc, vals, &sub);
      for (size_t mi = 0; mi < M; ++mi)
        for (size_t k = 0; k < n; ++k) out[mi][0][lo + k] = vals.at(s.metrics[mi], static_cast<int64_t>(k));
      progress.add(n);
    });
  } else {
    tbb::parallel_for(tbb::blocked_range<size_t>(0, K, 64), [&](const tbb::blocked_range<size_t>& br) {
      rt::Scenario sc = pr.point;
      sc.timeline = &pr.timeline;
      sc.overrides = overridesFor(from, count - 1);
      rt::Values vals;
      for (size_t k = br.begin(); k < br.end(); ++k) {
        for (size_t v = 0; v < V; ++v) std::fill(sc.overrides[v].values.begin(), sc.overrides[v].values.end(), draws[v][k]);
        if (!pr.inputs.empty()) {
          std::mt19937_64 rng(s.seed * 0x9E3779B97F4A7C15ULL + k);
          pr.draw(rng, sc);
        }
        ev->evaluateInto(sc, vals, &sub);
        for (size_t mi = 0; mi < M; ++mi)
          for (size_t p = 0; p < P; ++p) out[mi][p][k] = vals.at(s.metrics[mi], from + static_cast<int64_t>(p));
      }
      progress.add(br.size());
    });
  }
  // statistics per metric and period
  for (size_t mi = 0; mi < M; ++mi) {
    SimulateResult::Metric sm;
    sm.metric = s.metrics[mi];
    for (size_t p = 0; p < P; ++p) {
      std::vector<double> v = out[mi][p];
      v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !std::isfinite(x); }), v.end());
      double mean = v.empty() ? rt::kMissing : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size()), ss = 0;
      for (double x : v) ss += (x - mean) * (x - mean);
      sm.mean.push_back(mean);
      sm.sd.push_back(v.size() > 1 ? std::sqrt(ss / static_cast<double>(v.size() - 1)) : rt::kMissing);
      std::sort(v.begin(), v.end());
      sm.p05.push_back(quantileSorted(v, 0.05));
      sm.p50.push_back(quantileSorted(v, 0.50));
      sm.p95.push_back(quantileSorted(v, 0.95));
      sm.lower.push_back(quantileSorted(v, 0.5 - s.level / 2));
      sm.upper.push_back(quantileSorted(v, 0.5 + s.level / 2));
      if (p + 1 == P && !v.empty()) histogramOf(v, sm);
      if (v.size() < K && p + 1 == P)
        r.notes.push_back(fmt::format("{}: {} of {} runs gave no value at the last period", m.metrics[s.metrics[mi]].name, K - v.size(), K));
    }
    r.metrics.push_back(std::move(sm));
  }
  // sensitivity of the first metric at the last period (rank correlations on up to 100,000 runs)
  if (!unc.empty() && !s.metrics.empty()) {
    const size_t S = std::min<size_t>(K, 100000);
    std::vector<double> y(out[0][P - 1].begin(), out[0][P - 1].begin() + static_cast<std::ptrdiff_t>(S));
    std::vector<double> ry = ranks(y);
    // the tornado: every input at its median, one at a time at its 10th and 90th percentile
    rt::Scenario sc = pr.point;
    sc.timeline = &pr.timeline;
    sc.overrides = overridesFor(from, count - 1);
    auto at = [&](const std::vector<double>& x) {
      for (size_t v = 0; v < V; ++v) std::fill(sc.overrides[v].values.begin(), sc.overrides[v].values.end(), x[v]);
      rt::Values vals;
      ev->evaluateInto(sc, vals, &sub);
      return vals.at(s.metrics[0], count - 1);
    };
    std::vector<double> median(V);
    for (size_t v = 0; v < V; ++v) median[v] = inverseCdf(unc[v].dist, 0.5);
    r.sensitivityBase = at(median);
    for (size_t v = 0; v < V; ++v) {
      SimulateResult::Input in;
      in.name = unc[v].name;
      in.distribution = distText(unc[v].dist);
      std::vector<double> xv(draws[v].begin(), draws[v].begin() + static_cast<std::ptrdiff_t>(S));
      in.rankCorrelation = pearson(ranks(xv), ry);
      std::vector<double> x = median;
      x[v] = in.atLow = inverseCdf(unc[v].dist, 0.1);
      in.low = at(x);
      x[v] = in.atHigh = inverseCdf(unc[v].dist, 0.9);
      in.high = at(x);
      r.sensitivity.push_back(in);
    }
    std::stable_sort(r.sensitivity.begin(), r.sensitivity.end(),
                     [](const auto& a, const auto& b) { return std::fabs(a.high - a.low) > std::fabs(b.high - b.low); });
  }
  if (unc.empty() && pr.inputs.empty())
    r.notes.push_back("no input is uncertain: declare a param with `~ distribution`, or give the model data to forecast");
  return r;
}

}  // namespace mtc::eng
