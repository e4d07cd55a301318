// diagnose (diagnose.h): the change of a metric between two periods, by the
// five factors of metric drift. The methods sit beside this file, each testable
// alone: diagnose/component (Shapley, LMDI), diagnose/stl (seasonality),
// diagnose/influence (least squares, Chow), diagnose/dimension (mix and rate,
// root causes), diagnose/changepoint (PELT).
#include "mtc/engines/diagnose.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <thread>

#include "diagnose/changepoint.h"
#include "diagnose/component.h"
#include "diagnose/dimension.h"
#include "diagnose/influence.h"
#include "diagnose/shapley.h"
#include "diagnose/stl.h"
#include "grain.h"
#include "mtc/ir_print.h"
#include "mtc/ops.h"

namespace mtc::eng {

using namespace ir;
namespace dg = drift;

namespace {

// The seasonal cycle of a grain, in its periods (a year; a week at day grain).
int seasonOf(Grain g) {
  switch (g) {
    case Grain::Day: return 7;
    case Grain::Week: return 52;
    case Grain::Month: return 12;
    case Grain::Quarter: return 4;
    case Grain::Year: return 0;
  }
  return 0;
}


// The finite run of a series ending at `end` (inclusive): its first index.
int64_t runStart(const rt::Series& s, int64_t end) {
  int64_t k = end;
  while (k >= 0 && std::isfinite(s.at(0, static_cast<size_t>(k)))) --k;
  return k + 1;
}

std::vector<double> slice(const rt::Series& s, int64_t from, int64_t to) {
  std::vector<double> v;
  for (int64_t t = from; t <= to; ++t) v.push_back(s.at(0, static_cast<size_t>(t)));
  return v;
}

// Robust STL (statsmodels' robust defaults: 2 inner and 15 outer iterations):
// a shock at the period diagnosed is down-weighted, so the seasonal component
// there is the usual pattern's.
dg::StlResult seasonal(const std::vector<double>& y, int period) {
  dg::StlOptions o;
  o.period = period;
  o.seasonal = 7;
  o.inner = 2;
  o.outer = 15;
  return dg::stl(y, o);
}

// The first missing input behind a missing value: a data metric (and slice)
// with no value at t, in the metric's closure.
std::string missingInput(const Model& m, const rt::Values& v, Id metric, int64_t t) {
  std::vector<bool> need = rt::needed(m, {metric});
  for (Id id : m.topoOrder) {
    if (!need[id] || m.metrics[id].formula || !v.has(id)) continue;
    const rt::Series& s = v.metric(id);
    for (size_t sl = 0; sl < s.slices; ++sl)
      if (!std::isfinite(s.at(sl, static_cast<size_t>(t))))
        return m.metrics[id].dims.empty() ? fmt::format("its input '{}' has no value there", m.metrics[id].name)
                                          : fmt::format("its input '{}' has no value there for {}", m.metrics[id].name,
                                                        sliceLabel(m, m.metrics[id].dims, sl));
  }
  return "an input has no value there";
}

std::vector<DiagnoseResult::Contribution> convert(const std::vector<dg::Contribution>& cs) {
  std::vector<DiagnoseResult::Contribution> out;
  for (auto& c : cs) out.push_back({c.driver, c.value, convert(c.children)});
  return out;
}

// Dimension drift (diagnose.h): the slices behind the change. The slices are
// M's own when it has dimensions, or the terms of its formula when that is a sum
// over dimensions (`sum(revenue over channel, region)`). Mix and rate follow the
// formula: a ratio a / b of metrics by the same dimensions splits into b's shares
// (mix) and a / b within slices (rate), as Das Gupta's standardisation; a sum of
// products `a * x` with a a metric by those dimensions into a's total (volume), its
// shares (mix) and x within slices (rate), as Das Gupta's three-factor product in
// each slice, added up. Either way the parts add up to the change exactly.
// The part of M's change at p that an influence's explained part of its target
// carries: M at p minus M at p had the target been `explained` lower there (the
// whole tree re-evaluated, so every path from the target to M counts). The
// target's slices take the shift in proportion to their values when the target
// adds up over them, alike otherwise.
std::optional<double> withoutInfluence(const Context& ctx, const AtGrain& at, Id metric, Id target, int64_t p, double explained) {
  const Model& m = ctx.model;
  const bool model = at.scenario.timeline == nullptr;
  const rt::Values& V = model ? ctx.values : at.values;
  const rt::Series& ts = V.metric(target);
  const double total = V.at(target, p);
  if (ts.v.empty() || !std::isfinite(total)) return std::nullopt;
  rt::Scenario sc = at.scenario;
  const bool sum = rt::ops::acrossSlices(m.metrics[target].agg) == Agg::Sum;
  for (size_t sl = 0; sl < ts.slices; ++sl) {
    double v = ts.at(sl, static_cast<size_t>(p));
    double share = !sum ? 1.0 : total != 0 ? v / total : 1.0 / static_cast<double>(ts.slices);
    sc.overrides.push_back({{Ref::Kind::Metric, target}, p, p, m.metrics[target].dims.empty() ? std::nullopt : std::optional<size_t>(sl),
                            {v - explained * share}});
  }
  rt::Subset sub = ctx.evaluator.subset({metric});
  rt::Values out;
  ctx.evaluator.evaluateInto(sc, out, &sub);
  double without = out.at(metric, p);
  if (!std::isfinite(without)) return std::nullopt;
  return V.at(metric, p) - without;
}

// Do the slices of a metric add up to its total at both periods? (A sum by its
// `agg`, or a recomputed total of a formula linear in its slices: units * price.)
bool addsUp(const rt::Values& V, Id metric, size_t n, int64_t p, int64_t q) {
  for (int64_t t : {p, q}) {
    double sum = 0, scale = 0;
    for (size_t sl = 0; sl < n; ++sl) sum += V.at(metric, t, sl), scale += std::fabs(V.at(metric, t, sl));
    double total = V.at(metric, t);
    if (!std::isfinite(sum) || !std::isfinite(total) || std::fabs(sum - total) > 1e-9 * std::max(scale, 1.0)) return false;
  }
  return true;
}

// The sum over dimensions a formula is, give or take terms that read no metric
// (`sum(contribution over channel) - fixed_costs`), or none.
const Expr* sumOver(const Model& m, std::optional<ExprId> e) {
  auto constant = [&](ExprId x) {
    std::vector<Id> reads;
    collectRefs(m, x, &reads, nullptr);
    return reads.empty();
  };
  while (e) {
    const Expr& x = m.exprs[*e];
    if (x.op == Op::SumOver) return &x;
    if ((x.op == Op::Add || x.op == Op::Sub) && constant(x.args[1])) e = x.args[0];
    else if (x.op == Op::Add && constant(x.args[0])) e = x.args[1];
    else return nullptr;
  }
  return nullptr;
}

void dimensionDrift(const Model& m, const rt::Values& V, Id metric, int64_t p, int64_t q, int threads, DiagnoseResult::Dimension& out) {
  const Metric& M = m.metrics[metric];
  const Expr* f = M.formula ? &m.exprs[*M.formula] : nullptr;
  std::vector<Id> dims;
  std::optional<ExprId> term;  // the expression whose slices add up to M (none: M's own slices, data)
  if (!M.dims.empty()) {
    dims = M.dims;
    if (f) term = *M.formula;
  } else if (const Expr* sum = sumOver(m, M.formula)) {
    dims = sum->over;
    term = sum->args[0];
  } else {
    out.reason = fmt::format("'{}' has no dimensions, and its formula is not a sum over them", M.name);
    return;
  }
  const size_t n = std::max<size_t>(1, m.sliceCount(dims));
  auto valuesAt = [&](int64_t t) {
    if (!M.dims.empty()) {
      std::vector<double> v(n);
      for (size_t sl = 0; sl < n; ++sl) v[sl] = V.at(metric, t, sl);
      return v;
    }
    return dg::sliceValues(m, V, *term, dims, t);
  };
  auto allFinite = [](const std::vector<double>& v) { return std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); }); };
  auto metricArg = [&](ExprId e) -> std::optional<Id> {
    const Expr& x = m.exprs[e];
    if (x.op == Op::Metric && m.metrics[x.ref].dims == dims) return x.ref;
    return std::nullopt;
  };
  std::vector<double> before, after;  // the leaves for root causes
  std::vector<uint32_t> card;
  for (Id d : dims) card.push_back(static_cast<uint32_t>(m.dims[d].values.size()));
  const bool ratio = !M.dims.empty() && f && f->op == Op::Div && rt::totalRecomputed(m, metric) && metricArg(f->args[0]) &&
                     metricArg(f->args[1]);
  if (ratio) {
    Id a = *metricArg(f->args[0]), b = *metricArg(f->args[1]);
    double b0 = V.at(b, q), b1 = V.at(b, p);
    std::vector<double> w0(n), w1(n), r0(n), r1(n);
    for (size_t sl = 0; sl < n; ++sl) {
      w0[sl] = rt::ops::div(V.at(b, q, sl), b0);
      w1[sl] = rt::ops::div(V.at(b, p, sl), b1);
      r0[sl] = rt::ops::div(V.at(a, q, sl), V.at(b, q, sl));
      r1[sl] = rt::ops::div(V.at(a, p, sl), V.at(b, p, sl));
    }
    dg::MixRate mr = dg::mixRate(w0, w1, r0, r1);
    if (std::isfinite(mr.mix) && std::isfinite(mr.rate)) {
      out.mix = mr.mix;
      out.rate = mr.rate;
      // the root causes of the rate part: each slice's numerator against the old rate on the new volume
      for (size_t sl = 0; sl < n; ++sl) before.push_back(r0[sl] * V.at(b, p, sl)), after.push_back(V.at(a, p, sl));
      out.note = fmt::format("'{}' is {} / {}: mix is the change of {}'s shares, rate the change of the ratio within slices", M.name,
                             m.metrics[a].name, m.metrics[b].name, m.metrics[b].name);
    } else {
      out.mixReason = "a slice has no value or a zero denominator";
    }
  } else if (!M.dims.empty() && !addsUp(V, metric, n, p, q)) {
    out.mixReason = fmt::format("the total of '{}' is neither the sum of its slices nor a ratio of two metrics by them", M.name);
  } else {
    before = valuesAt(q);
    after = valuesAt(p);
    // a sum of products a * x: volume, mix, rate (looking through a metric by the
    // same dimensions to its formula: sum(revenue over channel) with revenue = units * price)
    std::optional<ExprId> product = term;
    while (product && m.exprs[*product].op == Op::Metric) {
      const Metric& x = m.metrics[m.exprs[*product].ref];
      product = x.formula && x.dims == dims ? x.formula : std::nullopt;
    }
    const Expr* t = product ? &m.exprs[*product] : nullptr;
    std::optional<Id> volume;
    std::optional<ExprId> rateExpr;
    if (t && t->op == Op::Mul) {
      if (auto a = metricArg(t->args[0])) volume = a, rateExpr = t->args[1];
      else if (auto a2 = metricArg(t->args[1])) volume = a2, rateExpr = t->args[0];
    }
    if (volume) {
      std::vector<double> a0(n), a1(n);
      for (size_t sl = 0; sl < n; ++sl) a0[sl] = V.at(*volume, q, sl), a1[sl] = V.at(*volume, p, sl);
      std::vector<double> x0 = dg::sliceValues(m, V, *rateExpr, dims, q), x1 = dg::sliceValues(m, V, *rateExpr, dims, p);
      double A0 = std::accumulate(a0.begin(), a0.end(), 0.0), A1 = std::accumulate(a1.begin(), a1.end(), 0.0);
      if (allFinite(a0) && allFinite(a1) && allFinite(x0) && allFinite(x1) && A0 != 0 && A1 != 0) {
        double vol = 0, mix = 0, rate = 0;
        for (size_t sl = 0; sl < n; ++sl) {
          auto e = dg::productEffects({A0, a0[sl] / A0, x0[sl]}, {A1, a1[sl] / A1, x1[sl]});
          vol += e[0], mix += e[1], rate += e[2];
        }
        out.volume = vol;
        out.mix = mix;
        out.rate = rate;
        out.note = fmt::format("the slices of '{}' are {} x ({}): volume is {}'s total, mix its shares, rate the rest within slices",
                               M.name, m.metrics[*volume].name, ir::exprText(m, *rateExpr), m.metrics[*volume].name);
      } else {
        out.mixReason = "a slice has no value, or the volume's total is zero";
      }
    } else {
      out.mixReason = fmt::format("the slices of '{}' are not a product of a metric by them and a rate: there is no rate to separate "
                                  "from the mix; the slices that moved are below",
                                  M.name);
    }
  }
  if (!allFinite(before) || !allFinite(after)) {
    out.reason = "a slice has no value at one of the two periods";
    return;
  }
  if (before.empty()) {
    if (!out.mix) out.reason = out.mixReason;
    return;
  }
  out.dims = dims;
  double net = 0;
  for (size_t sl = 0; sl < n; ++sl) net += after[sl] - before[sl];
  bool negative = std::any_of(before.begin(), before.end(), [](double v) { return v < 0; }) ||
                  std::any_of(after.begin(), after.end(), [](double v) { return v < 0; });
  // the leaf slices ranked by their change, when the search does not apply or finds nothing
  auto bySize = [&](const std::string& why) {
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t x, size_t y) { return std::fabs(after[x] - before[x]) > std::fabs(after[y] - before[y]); });
    for (size_t i = 0; i < order.size() && i < 5; ++i) {
      DiagnoseResult::SliceFinding sf;
      auto c = m.sliceCoords(dims, order[i]);
      for (size_t j = 0; j < dims.size(); ++j) sf.slice.push_back({dims[j], c[j]});
      sf.value = after[order[i]] - before[order[i]];
      sf.share = net != 0 ? sf.value / net : 0;
      if (before[order[i]] > 0 && after[order[i]] >= 0) sf.ratio = after[order[i]] / before[order[i]];
      out.slices.push_back(sf);
    }
    out.note += (out.note.empty() ? "" : "; ") + why;
  };
  if (negative) {
    bySize("negative values: the slices ranked by their change (the root-cause search needs values >= 0)");
    return;
  }
  // the slices in row-major order: the value indices count up like digits
  dg::Cube cube;
  cube.card = card;
  cube.keys.resize(n * dims.size());
  std::vector<uint32_t> digit(dims.size(), 0);
  for (size_t sl = 0; sl < n; ++sl) {
    std::copy(digit.begin(), digit.end(), cube.keys.begin() + static_cast<std::ptrdiff_t>(sl * dims.size()));
    for (size_t j = dims.size(); j-- > 0;) {
      if (++digit[j] < card[j]) break;
      digit[j] = 0;
    }
  }
  cube.before = before;
  cube.after = after;
  dg::LocalizeOptions lo;
  lo.threads = threads;
  for (auto& e : dg::localize(cube, lo)) {
    DiagnoseResult::SliceFinding sf;
    for (auto& [dim, val] : e.fixed) sf.slice.push_back({dims[dim], val});
    sf.value = e.change;
    sf.share = e.explained;
    sf.ratio = e.ratio;
    out.slices.push_back(sf);
  }
  if (out.slices.empty() && net != 0)
    bySize("no slice combination stands out as the cause (the change is spread unevenly): the slices ranked by their change");
}

// The slices that moved, period by period: each of the first six root causes'
// value (the sum of its leaves, or its ratio) from up to 12 periods before `at`,
// for the report's small multiples.
void sliceHistories(const Model& m, const rt::Values& V, const rt::Timeline& tl, Id metric, int64_t p, DiagnoseResult::Dimension& out) {
  if (out.slices.empty() || out.dims.empty()) return;
  const Metric& M = m.metrics[metric];
  const std::vector<Id>& dims = out.dims;
  const size_t n = std::max<size_t>(1, m.sliceCount(dims));
  const Expr* f = M.formula ? &m.exprs[*M.formula] : nullptr;
  std::optional<Id> num, den;  // a ratio of two metrics by the dimensions
  if (!M.dims.empty() && f && f->op == Op::Div && m.exprs[f->args[0]].op == Op::Metric && m.exprs[f->args[1]].op == Op::Metric &&
      m.metrics[m.exprs[f->args[0]].ref].dims == dims && m.metrics[m.exprs[f->args[1]].ref].dims == dims && rt::totalRecomputed(m, metric))
    num = m.exprs[f->args[0]].ref, den = m.exprs[f->args[1]].ref;
  const Expr* sum = M.dims.empty() ? sumOver(m, M.formula) : nullptr;
  const int64_t from = std::max<int64_t>(0, p - 12);
  out.historyFrom = tl.at(from);
  // which leaves each slice holds
  const size_t shown = std::min<size_t>(6, out.slices.size());
  std::vector<std::vector<uint8_t>> in(shown, std::vector<uint8_t>(n, 0));
  for (size_t sl = 0; sl < n; ++sl) {
    auto c = m.sliceCoords(dims, sl);
    for (size_t k = 0; k < shown; ++k) {
      bool all = true;
      for (auto& [d, v] : out.slices[k].slice)
        for (size_t j = 0; j < dims.size(); ++j)
          if (dims[j] == d && c[j] != v) all = false;
      in[k][sl] = all;
    }
  }
  for (int64_t t = from; t <= p; ++t) {
    std::vector<double> a(n), b(n, 1.0);
    if (num) {
      for (size_t sl = 0; sl < n; ++sl) a[sl] = V.at(*num, t, sl), b[sl] = V.at(*den, t, sl);
    } else if (sum) {
      a = dg::sliceValues(m, V, sum->args[0], dims, t);
    } else {
      for (size_t sl = 0; sl < n; ++sl) a[sl] = V.at(metric, t, sl);
    }
    for (size_t k = 0; k < shown; ++k) {
      double sa = 0, sb = 0;
      for (size_t sl = 0; sl < n; ++sl)
        if (in[k][sl]) sa += a[sl], sb += b[sl];
      out.slices[k].history.push_back(num ? rt::ops::div(sa, sb) : sa);
    }
  }
}

std::string signedAmount(double v) { return (v > 0 ? "+" : "") + readableNumber(v); }

std::string sliceWords(const Model& m, const std::vector<std::pair<Id, uint32_t>>& slice) {
  std::string where;
  for (auto& [dim, val] : slice) where += (where.empty() ? "" : " x ") + m.dims[dim].name + "=" + m.dims[dim].values[val];
  return where;
}

// The ranked narrative (DiagnoseResult::narrative).
void narrate(const Model& m, DiagnoseResult& r) {
  const Metric& M = m.metrics[r.metric];
  const std::string unit = m.units.format(M.unit);
  std::string head;
  if (r.change == 0) {
    head = fmt::format("{} did not change from {} to {} ({} {})", M.name, formatPeriod(r.base), formatPeriod(r.at), readableNumber(r.valueAt), unit);
  } else {
    std::string pct = std::isfinite(r.pctChange) ? fmt::format(" ({:+.1f}%)", r.pctChange * 100) : "";
    head = fmt::format("{} {} {} {}{} from {} to {}", M.name, r.change < 0 ? "fell" : "rose", readableNumber(std::fabs(r.change)), unit, pct,
                       formatPeriod(r.base), formatPeriod(r.at));
  }
  if (r.noise.z) head += std::fabs(*r.noise.z) < 2 ? fmt::format(": within its usual variation (z = {:.1f})", *r.noise.z)
                                                   : fmt::format(": unusual (z = {:.1f})", *r.noise.z);
  std::vector<std::pair<double, std::string>> lines;  // (size, text)
  // components: the largest path down the tree, and what did not move
  if (!r.component.contributions.empty()) {
    std::string path;
    const std::vector<DiagnoseResult::Contribution>* level = &r.component.contributions;
    double size = std::fabs(level->front().value);
    while (!level->empty() && level->front().value != 0) {
      const auto& c = level->front();
      path += fmt::format("{}{} from {}", path.empty() ? "" : ", of which ", signedAmount(c.value), c.driver);
      level = &c.children;
    }
    std::vector<std::string> still;
    for (auto& c : r.component.contributions)
      if (c.value == 0) still.push_back(c.driver);
    if (!path.empty()) lines.push_back({size, path});
    if (!still.empty()) {
      std::string list;
      for (auto& x : still) list += (list.empty() ? "" : ", ") + x;
      lines.push_back({0, list + " unchanged"});
    }
  }
  if (!r.dimension.slices.empty()) {
    const auto& sf = r.dimension.slices.front();
    lines.push_back({std::fabs(sf.value), fmt::format("{} from {}{}", signedAmount(sf.value), sliceWords(m, sf.slice),
                                                      sf.ratio > 0 ? fmt::format(", where it moved {:+.0f}%", (sf.ratio - 1) * 100) : "")});
  }
  if (r.temporal.value) {
    double v = *r.temporal.value, share = r.change != 0 ? v / r.change : 0;
    lines.push_back({std::fabs(v), share >= 0.5   ? fmt::format("mostly seasonal: {} is the usual pattern", signedAmount(v))
                                   : share >= 0.2 ? fmt::format("partly seasonal: {} is the usual pattern", signedAmount(v))
                                                  : fmt::format("not seasonal (the usual pattern: {})", signedAmount(v))});
  } else {
    lines.push_back({0, "seasonality not estimable"});
  }
  for (auto& inf : r.influences) {
    if (inf.from == kNone || !inf.reason.empty()) continue;
    std::string rel = m.metrics[inf.from].name + " -> " + m.metrics[inf.to].name;
    if (inf.value && *inf.value != 0) lines.push_back({std::fabs(*inf.value), fmt::format("{} explained by {}", signedAmount(*inf.value), rel)});
    if (inf.breakP && *inf.breakP < 0.01) lines.push_back({0, fmt::format("the relation {} changed at {} (p = {:.2g})", rel, formatPeriod(*inf.breakAt), *inf.breakP)});
    if (inf.signAgrees && !*inf.signAgrees) lines.push_back({0, fmt::format("{} goes against its declared sign", rel)});
  }
  std::string events;
  for (Id e : r.event.events) events += (events.empty() ? "" : ", ") + m.events[e].name + " (" + formatPeriod(m.events[e].from) + ")";
  lines.push_back({0, events.empty() ? "no declared event" : "event: " + events});
  if (!r.event.nearAt.empty()) lines.push_back({0, fmt::format("a change point at {}", formatPeriod(r.event.nearAt.back()))});
  if (r.event.endpointP && *r.event.endpointP < 0.05) lines.push_back({0, fmt::format("{} is outside its one-step-ahead 95% interval", formatPeriod(r.at))});
  std::stable_sort(lines.begin(), lines.end(), [](auto& a, auto& b) { return a.first > b.first; });
  r.narrative.push_back(head);
  for (auto& l : lines) r.narrative.push_back(l.second);
}

}  // namespace

DiagnoseResult diagnose(const Context& ctx, const DiagnoseStmt& s) {
  const Model& m = ctx.model;
  const Metric& M = m.metrics[s.metric];
  DiagnoseResult r;
  r.metric = s.metric;
  // the periods, at the grain of `at`
  Period P = s.at;
  Grain g = P.grain;
  if (!coarserOrEqual(g, m.grain))
    throw StatementError(DiagCode::NoData, fmt::format("{} is a {}, finer than the model's grain ({}): diagnose at a {} or coarser",
                                                       formatPeriod(P), grainName(g), grainName(m.grain), grainName(m.grain)));
  Period Q = s.vs == VsKind::Previous ? Period{g, P.ord - 1} : s.vs == VsKind::SameLastYear ? sameLastYear(P) : s.vsPeriod;
  if (Q.grain != g)
    throw StatementError(DiagCode::NoData, fmt::format("compare periods of one grain: {} is a {}, {} a {}", formatPeriod(P),
                                                       grainName(g), formatPeriod(Q), grainName(Q.grain)));
  r.at = P;
  r.base = Q;
  r.grain = g;
  // what the factors read: the metric, the influences into its tree
  std::vector<Id> reads{s.metric};
  std::vector<bool> tree = rt::needed(m, {s.metric});
  for (auto& R : m.relations)
    if (R.from.kind == Ref::Kind::Metric && R.to.kind == Ref::Kind::Metric && tree[R.to.id]) reads.push_back(R.from.id);
  auto at = valuesAtGrain(ctx, g, reads);
  const rt::Values& V = g == m.grain ? ctx.values : at->values;
  const rt::Timeline& tl = at->timeline;
  int64_t p = tl.index(P), q = tl.index(Q);
  auto outside = [&](const Period& x) {
    return StatementError(DiagCode::NoData, fmt::format("{} is outside the data ({} .. {})", formatPeriod(x), formatPeriod(tl.at(0)),
                                                        formatPeriod(tl.last())));
  };
  if (p < 0) throw outside(P);
  if (q < 0) throw outside(Q);
  r.valueAt = V.at(s.metric, p);
  r.valueBase = V.at(s.metric, q);
  for (auto [t, x] : {std::pair{p, P}, std::pair{q, Q}})
    if (!std::isfinite(V.at(s.metric, t)))
      throw StatementError(DiagCode::MissingValue, fmt::format("'{}' has no value at {}: {}", M.name, formatPeriod(x),
                                                               missingInput(m, V, s.metric, t)));
  r.change = r.valueAt - r.valueBase;
  r.pctChange = r.valueBase > 0 ? r.change / r.valueBase : rt::kMissing;
  const rt::Series& tot = V.total(s.metric);
  const int64_t d = p - q;

  // ---- noise: the change against the history of changes over the same distance
  {
    std::vector<double> hist;
    for (int64_t t = std::max<int64_t>(d, 0); t < p; ++t) {
      if (d <= 0) break;
      double c = tot.at(0, static_cast<size_t>(t)) - tot.at(0, static_cast<size_t>(t - d));
      if (std::isfinite(c)) hist.push_back(c);
    }
    r.noise.history = hist.size();
    if (d <= 0) {
      r.noise.reason = "the base period is not before the period diagnosed";
    } else if (hist.size() < 3) {
      r.noise.reason = fmt::format("only {} earlier change{} over {} period{} to compare with", hist.size(), hist.size() == 1 ? "" : "s",
                                   d, d == 1 ? "" : "s");
    } else {
      double mean = std::accumulate(hist.begin(), hist.end(), 0.0) / static_cast<double>(hist.size()), ss = 0;
      for (double c : hist) ss += (c - mean) * (c - mean);
      double sd = std::sqrt(ss / static_cast<double>(hist.size() - 1));
      r.noise.mean = mean;
      r.noise.sd = sd;
      if (sd > 0) r.noise.z = (r.change - mean) / sd;
      else r.noise.reason = "every earlier change was the same";
    }
  }

  // ---- component drift
  {
    dg::ComponentOptions co;
    co.lmdi = s.method == DiagnoseMethod::Lmdi;
    co.depth = s.depth;
    co.top = s.top;
    dg::ComponentResult cr = dg::components(m, V, s.metric, p, q, co);
    if (!cr.estimable) {
      r.component.reason = cr.reason;
    } else {
      r.component.method = cr.method;
      r.component.note = cr.note;
      r.component.contributions = convert(cr.contributions);
    }
  }

  // ---- temporal variance: the seasonal component's change (robust STL on the history through `at`)
  int period = seasonOf(g);
  int64_t start = runStart(tot, p);
  r.temporal.period = period;
  r.temporal.history = static_cast<size_t>(p - start + 1);
  std::optional<dg::StlResult> stlAt;
  if (period == 0) {
    r.temporal.reason = "a model by year has no seasonal cycle";
  } else if (p - start + 1 < 2 * period || q < start) {
    r.temporal.reason = fmt::format("{} periods of history through {}; a seasonal pattern needs two cycles ({} periods)",
                                    p - start + 1, formatPeriod(P), 2 * period);
  } else {
    stlAt = seasonal(slice(tot, start, p), period);
    r.temporal.seasonalAt = stlAt->season[static_cast<size_t>(p - start)];
    r.temporal.seasonalBase = stlAt->season[static_cast<size_t>(q - start)];
    r.temporal.value = r.temporal.seasonalAt - r.temporal.seasonalBase;
    r.temporal.remainder = r.change - *r.temporal.value;
  }

  // ---- influence drift
  for (size_t k = 0; k < m.relations.size(); ++k) {
    const Relation& R = m.relations[k];
    if (R.kind != RelKind::Causal && R.kind != RelKind::Probabilistic) continue;
    if (R.to.kind != Ref::Kind::Metric || !tree[R.to.id]) continue;
    DiagnoseResult::Influence inf;
    inf.to = R.to.id;
    inf.kind = R.kind;
    inf.declared = R.sign;
    if (R.from.kind != Ref::Kind::Metric) {
      inf.reason = fmt::format("'{}' is a param: constant in time, it explains no change", m.params[R.from.id].name);
      r.influences.push_back(inf);
      continue;
    }
    inf.from = R.from.id;
    // the lag in periods of the diagnosis' grain
    int64_t factor = 1;
    if (g != m.grain) factor = durationInGrain(1, g, m.grain).value_or(1);
    inf.lag = factor > 0 ? R.lag / factor : R.lag;
    const rt::Series& ys = V.total(R.to.id);
    const rt::Series& xs = V.total(R.from.id);
    std::vector<double> x, y;
    for (int64_t t = 0; t <= p; ++t) {
      y.push_back(ys.at(0, static_cast<size_t>(t)));
      x.push_back(t - inf.lag >= 0 ? xs.at(0, static_cast<size_t>(t - inf.lag)) : rt::kMissing);
    }
    dg::LinearFit fit = dg::fitLine(x, y);
    if (!fit.n) {
      inf.reason = "too little history to fit (fewer than 3 periods with both values), or the influence never changed";
      r.influences.push_back(inf);
      continue;
    }
    inf.n = fit.n;
    inf.intercept = fit.intercept;
    inf.slope = fit.slope;
    inf.r2 = fit.r2;
    double dx = x[static_cast<size_t>(p)] - (q >= 0 ? x[static_cast<size_t>(q)] : rt::kMissing);
    if (std::isfinite(dx)) {
      inf.explained = fit.slope * dx;
      inf.value = R.to.id == s.metric ? *inf.explained : withoutInfluence(ctx, *at, s.metric, R.to.id, p, *inf.explained);
    }
    if (inf.declared) inf.signAgrees = (fit.slope >= 0) == (*inf.declared == Sign::Positive);
    // Chow's test at the middle of the pairs with both values
    std::vector<size_t> idx;
    for (size_t t = 0; t < x.size(); ++t)
      if (std::isfinite(x[t]) && std::isfinite(y[t])) idx.push_back(t);
    if (idx.size() >= 8) {
      size_t mid = idx[idx.size() / 2];
      if (auto bt = dg::chowTest(x, y, mid)) {
        inf.breakAt = tl.at(static_cast<int64_t>(mid));
        inf.breakF = bt->f;
        inf.breakP = bt->pValue;
      }
    }
    r.influences.push_back(inf);
  }
  if (r.influences.empty())
    r.influenceReason = fmt::format("no causal or probabilistic relation is declared into '{}' or the metrics it is built from", M.name);

  // ---- dimension drift
  const int threads = ctx.options.threads ? static_cast<int>(ctx.options.threads) : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  dimensionDrift(m, V, s.metric, p, q, threads, r.dimension);
  sliceHistories(m, V, tl, s.metric, p, r.dimension);

  // ---- event shocks
  {
    Period pFirst = firstWithin(P, Grain::Day), pLast = lastWithin(P, Grain::Day);
    for (Id e = 0; e < m.events.size(); ++e) {
      const ir::Event& E = m.events[e];
      Period from = firstWithin(E.from, Grain::Day), to = lastWithin(E.to, Grain::Day);
      if (to.ord < pFirst.ord || from.ord > pLast.ord) continue;
      bool affects = std::any_of(E.affects.begin(), E.affects.end(), [&](Id a) { return tree[a]; });
      if (affects) r.event.events.push_back(e);
    }
    // change points in the whole history (deseasonalised when the history allows)
    int64_t end = tl.count - 1;
    while (end >= 0 && !std::isfinite(tot.at(0, static_cast<size_t>(end)))) --end;
    int64_t from = end >= 0 ? runStart(tot, end) : 0;
    if (end - from + 1 >= 8) {
      std::vector<double> y = slice(tot, from, end);
      if (period > 0 && static_cast<int64_t>(y.size()) >= 2 * period) {
        dg::StlResult st = seasonal(y, period);
        for (size_t i = 0; i < y.size(); ++i) y[i] -= st.season[i];
      }
      for (size_t cp : dg::pelt(y)) {
        Period at2 = tl.at(from + static_cast<int64_t>(cp));
        r.event.changePoints.push_back(at2);
        if (std::llabs(at2.ord - P.ord) <= 2) r.event.nearAt.push_back(at2);
      }
    }
    // end-point test: is `at` outside the one-step-ahead 95% interval of the history before it?
    int64_t hs = p > 0 ? runStart(tot, p - 1) : 0;
    int64_t hn = p - hs;
    if (hn < 6) {
      r.event.endpointReason = fmt::format("{} periods of history before {}; the test needs 6", hn, formatPeriod(P));
    } else {
      // a (seasonal) naive forecast with drift: `at` predicted from the period a
      // cycle earlier (or the one before, without two cycles of history) plus the
      // mean change over that distance; the interval from the spread of those
      // changes, widened for the drift's estimate (sqrt(1 + 1/n), as R's rwf)
      std::vector<double> h = slice(tot, hs, p - 1);
      const size_t lag = period > 0 && hn >= 2 * period ? static_cast<size_t>(period) : 1;
      std::vector<double> dd;
      for (size_t i = lag; i < h.size(); ++i) dd.push_back(h[i] - h[i - lag]);
      double mean = std::accumulate(dd.begin(), dd.end(), 0.0) / static_cast<double>(dd.size()), ss = 0;
      for (double v : dd) ss += (v - mean) * (v - mean);
      const double nd = static_cast<double>(dd.size());
      double sd = dd.size() > 1 ? std::sqrt(ss / (nd - 1)) * std::sqrt(1 + 1 / nd) : 0;
      double pred = h[h.size() - lag] + mean;
      r.event.method = lag == 1 ? "random walk with drift" : "seasonal naive with drift";
      r.event.predicted = pred;
      r.event.lower = pred - 1.959963984540054 * sd;
      r.event.upper = pred + 1.959963984540054 * sd;
      if (sd > 0) r.event.endpointP = std::erfc(std::fabs(r.valueAt - pred) / sd / std::sqrt(2.0));
      else r.event.endpointP = r.valueAt == pred ? 1.0 : 0.0;
    }
  }

  // ---- the narrative: what moved it first, then one line per finding, the largest first
  narrate(m, r);
  return r;
}

}  // namespace mtc::eng
