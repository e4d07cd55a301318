// The descriptive engine: values per period (and per slice), period-over-period
// change, shares of slices, and data gaps, for a range of periods.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "mtc/builtins.h"
#include "mtc/engines.h"
#include "mtc/ops.h"

namespace mtc::rt {

using namespace ir;
using json = nlohmann::ordered_json;

namespace {

json num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json sliceJson(const Model& m, const std::vector<Id>& dims, size_t slice) {
  json o = json::object();
  auto c = m.sliceCoords(dims, slice);
  for (size_t k = 0; k < dims.size(); ++k) o[m.dims[dims[k]].name] = m.dims[dims[k]].values[c[k]];
  return o;
}

// Does the metric (through its formula, transitively) read a time operator?
bool timeDependent(const Model& m, Id metric, std::vector<int>& memo) {
  if (memo[metric] >= 0) return memo[metric];
  memo[metric] = 0;
  const Metric& M = m.metrics[metric];
  bool r = false;
  if (M.formula) {
    std::vector<ExprId> stack{*M.formula};
    while (!stack.empty() && !r) {
      const Expr& e = m.exprs[stack.back()];
      stack.pop_back();
      r = isTimeOp(e.op);
      for (ExprId a : e.args) stack.push_back(a);
    }
    for (Id w : M.metricDeps) r = r || timeDependent(m, w, memo);
  }
  memo[metric] = r;
  return r;
}

}  // namespace

json describe(const Model& m, const Data& d, const Values& vals, const DescribeStmt& s, bool jit) {
  const Timeline& tl = d.time;
  Grain g = s.grain.value_or(m.grain);
  // the range, at the describe's grain
  Period from = s.from ? (coarserOrEqual(g, s.from->grain) ? containing(*s.from, g) : toGrain(*s.from, g))
                       : containing(tl.at(0), g);
  Period to = s.to ? (coarserOrEqual(g, s.to->grain) ? containing(*s.to, g) : containing(lastWithin(*s.to, m.grain), g))
                   : containing(tl.at(tl.count - 1), g);
  if (to.ord < from.ord) throw RunError("describe: the range ends before it starts");
  int64_t n = to.ord - from.ord + 1;
  if (n > 100000) throw RunError(fmt::format("describe: the range has {} periods; check the years", n));

  // The values at the describe's grain. At the model's grain these are the
  // evaluated series; at a coarser grain data metrics (and metrics built on time
  // operators) roll up with their agg, and other formulas are recomputed from
  // their rolled-up inputs.
  const Values* use = &vals;
  Values coarse;
  Data cdata;
  if (g != m.grain) {
    cdata.time.grain = g;
    cdata.time.first = containing(tl.at(0), g);
    cdata.time.count = containing(tl.at(tl.count - 1), g).ord - cdata.time.first.ord + 1;
    cdata.inputs.assign(m.metrics.size(), Series{});
    cdata.hasData.assign(m.metrics.size(), false);
    // the model's periods grouped by the coarse period that contains them (a week
    // by its Thursday); only the first and last group can be partial
    struct Group { size_t first = SIZE_MAX, count = 0; bool whole = true; };
    std::vector<Group> groups(static_cast<size_t>(cdata.time.count));
    for (int64_t t = 0; t < tl.count; ++t) {
      Group& gr = groups[static_cast<size_t>(containing(tl.at(t), g).ord - cdata.time.first.ord)];
      if (gr.first == SIZE_MAX) gr.first = static_cast<size_t>(t);
      ++gr.count;
    }
    groups.front().whole = containing(tl.at(-1), g) != cdata.time.first;
    groups.back().whole = containing(tl.at(tl.count), g) != cdata.time.at(cdata.time.count - 1);
    Scenario sc;
    std::vector<int> memo(m.metrics.size(), -1);
    for (Id id = 0; id < m.metrics.size(); ++id) {
      const Series& fine = vals.metrics[id];
      if (fine.v.empty()) continue;
      const Metric& M = m.metrics[id];
      if (M.formula && !timeDependent(m, id, memo)) continue;
      Series cs;
      cs.slices = fine.slices;
      cs.periods = static_cast<size_t>(cdata.time.count);
      cs.v.assign(cs.slices * cs.periods, kMissing);
      for (size_t sl = 0; sl < cs.slices; ++sl)
        for (size_t k = 0; k < groups.size(); ++k) {
          if (!groups[k].whole) continue;  // a period the data covers only in part
          cs.at(sl, k) = ops::rollUp(M.agg, &fine.v[sl * fine.periods + groups[k].first], groups[k].count);
        }
      sc.inputs.push_back({id, std::move(cs)});
    }
    std::vector<Id> wanted = s.metrics;
    EvalOptions eo;
    eo.jit = jit;
    eo.only = wanted;
    coarse = makeEvaluator(m, cdata, eo)->evaluate(sc);
    use = &coarse;
  }
  const Timeline& ut = g == m.grain ? tl : cdata.time;

  json out = {{"kind", "describe"}, {"from", formatPeriod(from)}, {"to", formatPeriod(to)}, {"grain", grainName(g)}};
  json periods = json::array();
  for (int64_t i = 0; i < n; ++i) periods.push_back(formatPeriod(Period{g, from.ord + i}));
  json metrics = json::object();
  for (Id id : s.metrics) {
    const Metric& M = m.metrics[id];
    const Series& ser = use->metrics[id];
    const Series& tot = use->totals[id];
    auto idx = [&](int64_t i) -> int64_t { return ut.index(Period{g, from.ord + i}); };
    auto value = [&](const Series& sr, size_t sl, int64_t i) -> double {
      int64_t k = idx(i);
      return k < 0 || sr.v.empty() ? kMissing : sr.at(sl, static_cast<size_t>(k));
    };
    auto prev = [&](const Series& sr, size_t sl, int64_t i) -> double {
      int64_t k = idx(i);
      return k <= 0 || sr.v.empty() ? kMissing : sr.at(sl, static_cast<size_t>(k - 1));
    };
    json mj = {{"unit", m.units.format(M.unit)}, {"periods", periods}};
    if (!M.title.empty()) mj["title"] = M.title;
    json values = json::array(), change = json::array(), pct = json::array();
    for (int64_t i = 0; i < n; ++i) {
      double v = value(tot, 0, i), p = prev(tot, 0, i);
      values.push_back(num(v));
      change.push_back(num(v - p));
      pct.push_back(num(ops::div(v, p) - 1.0));
    }
    mj["values"] = values;
    mj["change"] = change;
    mj["pct_change"] = pct;
    mj["total"] = totalRecomputed(m, id) ? "recomputed" : std::string(aggName(ops::acrossSlices(M.agg)));
    json gaps = json::array();
    auto gapsOf = [&](const Series& sr, size_t sl, json slice) {
      json ps = json::array();
      for (int64_t i = 0; i < n; ++i)
        if (!std::isfinite(value(sr, sl, i))) ps.push_back(formatPeriod(Period{g, from.ord + i}));
      if (ps.empty()) return;
      json gj = {{"periods", ps}};
      if (!slice.is_null()) gj["slice"] = slice;
      gaps.push_back(gj);
    };
    if (!M.dims.empty()) {
      json dims = json::array();
      for (Id dd : M.dims) dims.push_back(m.dims[dd].name);
      mj["dims"] = dims;
      json slices = json::array();
      bool additive = ops::acrossSlices(M.agg) == Agg::Sum;
      for (size_t sl = 0; sl < ser.slices; ++sl) {
        json sj = {{"slice", sliceJson(m, M.dims, sl)}};
        json sv = json::array(), sh = json::array();
        for (int64_t i = 0; i < n; ++i) {
          double v = value(ser, sl, i);
          sv.push_back(num(v));
          if (additive && !totalRecomputed(m, id)) sh.push_back(num(ops::div(v, value(tot, 0, i))));
        }
        sj["values"] = sv;
        if (!sh.empty()) sj["share"] = sh;
        slices.push_back(sj);
        gapsOf(ser, sl, sliceJson(m, M.dims, sl));
      }
      mj["slices"] = slices;
    }
    gapsOf(tot, 0, nullptr);  // the total (for a metric with dimensions: over all slices)
    mj["gaps"] = gaps;
    metrics[M.name] = mj;
  }
  out["metrics"] = metrics;
  return out;
}

}  // namespace mtc::rt
