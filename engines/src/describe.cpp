// describe: values per period (and per slice), period-over-period change,
// shares of slices and data gaps, for a range of periods, at the model's grain
// or a coarser one.
#include "mtc/engines/describe.h"

#include <fmt/format.h>

#include <cmath>

#include "grain.h"
#include "mtc/builtins.h"
#include "mtc/ops.h"

namespace mtc::eng {

using namespace ir;

std::pair<Period, Period> describeRange(const Model& m, const rt::Timeline& tl, const DescribeStmt& s) {
  Grain g = s.grain.value_or(m.grain);
  Period from = s.from ? (coarserOrEqual(g, s.from->grain) ? containing(*s.from, g) : toGrain(*s.from, g)) : containing(tl.at(0), g);
  Period to = s.to ? (coarserOrEqual(g, s.to->grain) ? containing(*s.to, g) : containing(lastWithin(*s.to, m.grain), g))
                   : containing(tl.last(), g);
  if (to.ord < from.ord)
    throw StatementError(DiagCode::NoData, fmt::format("the range {} .. {} is empty: the data runs from {} to {}", formatPeriod(from),
                                                       formatPeriod(to), formatPeriod(tl.at(0)), formatPeriod(tl.last())));
  return {from, to};
}

DescribeResult describe(const Context& ctx, const DescribeStmt& s) {
  const Model& m = ctx.model;
  Grain g = s.grain.value_or(m.grain);
  // the range, at the describe's grain
  auto [from, to] = describeRange(m, ctx.data.time, s);
  int64_t n = to.ord - from.ord + 1;
  if (n > 100000) throw StatementError(DiagCode::NoData, fmt::format("the range has {} periods; check the years", n));

  // The values at the describe's grain (grain.h): at a coarser one, data metrics
  // and metrics built on time operators roll up with their agg, other formulas
  // are recomputed from them.
  auto at = valuesAtGrain(ctx, g, s.metrics);
  const rt::Values* use = g == m.grain ? &ctx.values : &at->values;
  const std::vector<bool>& input = at->input;
  // the run may have evaluated a window of the data's periods (pipeline.cpp)
  const rt::Timeline& ut = g == m.grain ? ctx.values.timeline() : at->timeline;

  DescribeResult out;
  out.from = from;
  out.to = to;
  out.grain = g;
  for (int64_t i = 0; i < n; ++i) out.periods.push_back(Period{g, from.ord + i});
  for (Id id : s.metrics) {
    const Metric& M = m.metrics[id];
    const rt::Series& ser = use->metric(id);
    const rt::Series& tot = use->total(id);
    auto value = [&](const rt::Series& sr, size_t sl, int64_t i) -> double {
      int64_t k = ut.index(out.periods[static_cast<size_t>(i)]);
      return k < 0 || sr.v.empty() ? rt::kMissing : sr.at(sl, static_cast<size_t>(k));
    };
    auto prev = [&](const rt::Series& sr, size_t sl, int64_t i) -> double {
      int64_t k = ut.index(out.periods[static_cast<size_t>(i)]);
      return k <= 0 || sr.v.empty() ? rt::kMissing : sr.at(sl, static_cast<size_t>(k - 1));
    };
    DescribeResult::Metric mr;
    mr.id = id;
    mr.recomputed = rt::totalRecomputed(m, id) && !input[id];
    for (int64_t i = 0; i < n; ++i) {
      double v = value(tot, 0, i), p = prev(tot, 0, i);
      mr.values.push_back(v);
      mr.change.push_back(v - p);
      mr.pctChange.push_back(rt::ops::div(v, p) - 1.0);
    }
    auto gapsOf = [&](const rt::Series& sr, size_t sl, std::optional<size_t> slice) {
      DescribeResult::Gap gap;
      gap.slice = slice;
      for (int64_t i = 0; i < n; ++i)
        if (!std::isfinite(value(sr, sl, i))) gap.periods.push_back(out.periods[static_cast<size_t>(i)]);
      if (!gap.periods.empty()) mr.gaps.push_back(std::move(gap));
    };
    if (!M.dims.empty()) {
      bool additive = rt::ops::acrossSlices(M.agg) == Agg::Sum && !mr.recomputed;
      for (size_t sl = 0; sl < ser.slices; ++sl) {
        DescribeResult::Slice sr;
        sr.index = sl;
        for (int64_t i = 0; i < n; ++i) {
          double v = value(ser, sl, i);
          sr.values.push_back(v);
          if (additive) sr.share.push_back(rt::ops::div(v, value(tot, 0, i)));
        }
        mr.slices.push_back(std::move(sr));
        gapsOf(ser, sl, sl);
      }
    }
    gapsOf(tot, 0, std::nullopt);  // the total (for a metric with dimensions: over all slices)
    out.metrics.push_back(std::move(mr));
  }
  return out;
}

}  // namespace mtc::eng
