// The terminal report: a table per metric, the slices at the last period, gaps.
#include <algorithm>

#include "common.h"

namespace mtc::report {

using namespace ir;

namespace {

struct Style {
  bool color;
  std::string wrap(const char* code, const std::string& s) const { return color ? std::string("\x1b[") + code + "m" + s + "\x1b[0m" : s; }
  std::string bold(const std::string& s) const { return wrap("1", s); }
  std::string dim(const std::string& s) const { return wrap("2", s); }
  std::string red(const std::string& s) const { return wrap("31", s); }
  std::string green(const std::string& s) const { return wrap("32", s); }
};

// A right-aligned column of width w whose text may carry colour codes.
std::string padLeft(const std::string& shown, size_t visible, size_t w) {
  return std::string(visible < w ? w - visible : 0, ' ') + shown;
}

std::string describeText(const Model& m, const eng::DescribeResult& r, const Style& st) {
  std::string out = st.bold(fmt::format("describe  {} .. {}  ({})", formatPeriod(r.from), formatPeriod(r.to), grainName(r.grain))) + "\n";
  for (const auto& mr : r.metrics) {
    const Metric& M = m.metrics[mr.id];
    std::string title = M.title.empty() ? "" : "  " + M.title;
    out += "\n" + st.bold(M.name) + st.dim(fmt::format("  [{}]{}", m.units.format(M.unit), title)) + "\n";
    out += st.dim(fmt::format("  {:<10} {:>16} {:>14} {:>9}", "period", "value", "change", "%")) + "\n";
    double scale = typicalSize(mr.values);
    for (size_t i = 0; i < r.periods.size(); ++i) {
      std::string pc = percentChange(mr.pctChange[i], mr.values[i] - mr.change[i], scale);
      bool sign = pc.size() > 1 && (pc[0] == '+' || pc[0] == '-');
      std::string shown = sign ? (pc[0] == '-' ? st.red(pc) : st.green(pc)) : pc;
      out += fmt::format("  {:<10} {:>16} {:>14} {}\n", formatPeriod(r.periods[i]), formatNumber(mr.values[i]),
                         formatNumber(mr.change[i]), padLeft(shown, pc.size(), 9));
    }
    if (!mr.slices.empty() && !r.periods.empty()) {
      size_t last = r.periods.size() - 1;
      out += st.dim(fmt::format("  slices at {}:", formatPeriod(r.periods[last]))) + "\n";
      std::vector<std::pair<double, std::string>> rows;
      for (const auto& s : mr.slices) {
        double v = s.values[last];
        std::string share = !s.share.empty() && std::isfinite(s.share[last]) ? fmt::format("{:5.1f}%", s.share[last] * 100) : "";
        rows.push_back({std::isfinite(v) ? v : -INFINITY,
                        fmt::format("    {:<34} {:>16} {:>8}", sliceLabel(m, M.dims, s.index), formatNumber(v), share)});
      }
      std::stable_sort(rows.begin(), rows.end(), [](auto& a, auto& b) { return a.first > b.first; });
      for (auto& [v, line] : rows) {
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
      }
    }
    for (const auto& g : mr.gaps) {
      std::string where = g.slice ? " for " + sliceLabel(m, M.dims, *g.slice) : "";
      out += st.red(fmt::format("  gap{}: no value at {}", where, periodList(g.periods, 6))) + "\n";
    }
  }
  return out;
}

void contributionLines(std::string& out, const std::vector<eng::DiagnoseResult::Contribution>& cs, int indent, const Style& st) {
  for (auto& c : cs) {
    std::string label = std::string(static_cast<size_t>(indent), ' ') + c.driver;
    std::string v = formatNumber(c.value);
    if (c.value > 0) v = "+" + v;
    out += fmt::format("  {:<40} {:>14}\n", label, c.value < 0 ? st.red(v) : c.value > 0 ? st.green(v) : v);
    contributionLines(out, c.children, indent + 2, st);
  }
}

std::string sliceText(const Model& m, const std::vector<std::pair<Id, uint32_t>>& sl) {
  std::string s;
  for (auto& [d, v] : sl) s += (s.empty() ? "" : " x ") + m.dims[d].name + "=" + m.dims[d].values[v];
  return s;
}

std::string diagnoseText(const Model& m, const eng::DiagnoseResult& r, const Style& st) {
  const Metric& M = m.metrics[r.metric];
  std::string unit = m.units.format(M.unit);
  std::string out = st.bold(fmt::format("diagnose {}  {} vs {}  ({})", M.name, formatPeriod(r.at), formatPeriod(r.base), grainName(r.grain))) + "\n";
  std::string pct = std::isfinite(r.pctChange) ? fmt::format(" ({:+.1f}%)", r.pctChange * 100) : "";
  std::string change = (r.change > 0 ? "+" : "") + formatNumber(r.change);
  out += fmt::format("  {} {} -> {} {}: {}{}\n", M.name, formatNumber(r.valueBase), formatNumber(r.valueAt), unit, change, pct);
  if (r.noise.z)
    out += fmt::format("  {} (z = {:.1f} against {} earlier changes)\n",
                       std::fabs(*r.noise.z) < 2 ? "within its usual variation" : st.bold("unusual"), *r.noise.z, r.noise.history);
  else
    out += st.dim("  normal variation: " + r.noise.reason) + "\n";
  out += "\n" + st.bold("component") + (r.component.method.empty() ? "" : st.dim(" (" + r.component.method + ")")) + "\n";
  if (r.component.reason) out += st.dim("  not estimable: " + *r.component.reason) + "\n";
  contributionLines(out, r.component.contributions, 0, st);
  if (!r.component.note.empty()) out += st.dim("  note: " + r.component.note) + "\n";
  out += "\n" + st.bold("temporal") + "\n";
  if (r.temporal.value)
    out += fmt::format("  the seasonal pattern: {} (seasonal {} at {}, {} at {}); the rest {}\n", formatNumber(*r.temporal.value),
                       formatNumber(r.temporal.seasonalAt), formatPeriod(r.at), formatNumber(r.temporal.seasonalBase),
                       formatPeriod(r.base), formatNumber(r.temporal.remainder));
  else
    out += st.dim("  not estimable: " + r.temporal.reason) + "\n";
  out += "\n" + st.bold("influence") + "\n";
  if (r.influences.empty()) out += st.dim("  " + r.influenceReason) + "\n";
  for (auto& inf : r.influences) {
    std::string name = (inf.from == kNone ? "?" : m.metrics[inf.from].name) + " -> " + m.metrics[inf.to].name;
    if (!inf.reason.empty()) {
      out += st.dim(fmt::format("  {}: {}", name, inf.reason)) + "\n";
      continue;
    }
    out += fmt::format("  {} (lag {}): slope {}, r2 {:.2f}", name, inf.lag, formatNumber(inf.slope), inf.r2);
    if (inf.explained) out += fmt::format("; explains {} {}", formatNumber(*inf.explained), m.units.format(m.metrics[inf.to].unit));
    if (inf.value && inf.to != r.metric) out += fmt::format(" ({} {})", formatNumber(*inf.value), unit);
    out += "\n";
    if (inf.signAgrees && !*inf.signAgrees)
      out += st.red(fmt::format("    the data disagree with the declared sign ({})", signName(*inf.declared))) + "\n";
    if (inf.breakP)
      out += fmt::format("    relationship break at {}: p = {:.3g}{}\n", formatPeriod(*inf.breakAt), *inf.breakP,
                         *inf.breakP < 0.01 ? st.red(" (it changed)") : "");
  }
  out += "\n" + st.bold("dimension") + "\n";
  if (r.dimension.reason) out += st.dim("  not estimable: " + *r.dimension.reason) + "\n";
  if (r.dimension.mix)
    out += fmt::format("  {}mix {}, rate {}\n", r.dimension.volume ? "volume " + formatNumber(*r.dimension.volume) + ", " : "",
                       formatNumber(*r.dimension.mix), formatNumber(*r.dimension.rate));
  else if (!r.dimension.reason && !r.dimension.mixReason.empty()) out += st.dim("  " + r.dimension.mixReason) + "\n";
  for (auto& x : r.dimension.slices)
    out += fmt::format("  {:<40} {:>14}  {:>6.1f}%{}\n", sliceText(m, x.slice), formatNumber(x.value), x.share * 100,
                       x.ratio > 0 ? fmt::format("  moved {:+.0f}%", (x.ratio - 1) * 100) : "");
  if (!r.dimension.note.empty()) out += st.dim("  note: " + r.dimension.note) + "\n";
  out += "\n" + st.bold("events") + "\n";
  if (r.event.events.empty()) out += "  no declared event\n";
  for (Id e : r.event.events)
    out += fmt::format("  {} ({}{})\n", m.events[e].name, formatPeriod(m.events[e].from),
                       m.events[e].to == m.events[e].from ? "" : " .. " + formatPeriod(m.events[e].to));
  std::string cps;
  for (auto& p : r.event.changePoints) cps += (cps.empty() ? "" : ", ") + formatPeriod(p);
  out += fmt::format("  change points: {}\n", cps.empty() ? "none" : cps);
  if (r.event.endpointP)
    out += fmt::format("  one step ahead ({}): {} expected, 95% {} .. {}; p = {:.3g}{}\n", r.event.method, formatNumber(r.event.predicted),
                       formatNumber(r.event.lower), formatNumber(r.event.upper), *r.event.endpointP,
                       *r.event.endpointP < 0.05 ? st.red(" (outside)") : "");
  else
    out += st.dim("  one step ahead: " + r.event.endpointReason) + "\n";
  out += "\n" + st.bold("summary") + "\n";
  for (auto& l : r.narrative) out += "  " + l + "\n";
  return out;
}

std::string seekText(const Model& m, const eng::SeekResult& r, const Style& st) {
  std::string out = st.bold(fmt::format("seek {}  at {}", m.goals[r.goal].name, formatPeriod(r.at))) + "\n";
  for (const auto& l : seekSentences(m, r))
    out += "  " + (l.rfind("infeasible", 0) == 0 ? st.red(l) : l.rfind("note", 0) == 0 ? st.dim(l) : l) + "\n";
  return out;
}

std::string simulateText(const Model& m, const eng::SimulateResult& r, const Style& st) {
  std::string out;
  for (const auto& sm : r.metrics) {
    const Metric& M = m.metrics[sm.metric];
    out += st.bold(fmt::format("simulate {}  {} periods from {}  ({} runs, {}, seed {})", M.name, sm.mean.size(), formatPeriod(r.from),
                               formatNumber(static_cast<double>(r.runs), 0), samplingName(r.sampling), r.seed)) +
           "\n";
    out += st.dim(fmt::format("  {:<10} {:>14} {:>14} {:>14} {:>14} {:>14}", "period", "mean", "sd", "p05", "p50", "p95")) + "\n";
    for (size_t i = 0; i < sm.mean.size(); ++i)
      out += fmt::format("  {:<10} {:>14} {:>14} {:>14} {:>14} {:>14}\n", formatPeriod(Period{r.from.grain, r.from.ord + static_cast<int64_t>(i)}),
                         formatNumber(sm.mean[i]), formatNumber(sm.sd[i]), formatNumber(sm.p05[i]), formatNumber(sm.p50[i]),
                         formatNumber(sm.p95[i]));
    if (&sm == &r.metrics.front() && !r.sensitivity.empty()) {
      out += fmt::format("  what moves it at {}\n", formatPeriod(Period{r.from.grain, r.from.ord + r.horizon - 1}));
      out += st.dim(fmt::format("  {:<50} {:>8} {:>14} {:>14}", "input", "rank r", "at p10", "at p90")) + "\n";
      for (const auto& in : r.sensitivity)
        out += fmt::format("  {:<50} {:>+8.2f} {:>14} {:>14}\n", in.name + " ~ " + in.distribution, in.rankCorrelation, formatNumber(in.low),
                           formatNumber(in.high));
    }
    for (const auto& n : r.notes) out += st.dim("  note: " + n) + "\n";
    out += "\n";
  }
  if (!out.empty()) out.pop_back();
  return out;
}

std::string forecastText(const Model& m, const eng::ForecastResult& r, const Style& st) {
  std::string out;
  for (const auto& fm : r.metrics) {
    const Metric& M = m.metrics[fm.metric];
    std::string unit = m.units.format(M.unit);
    out += st.bold(fmt::format("forecast {}  {} periods from {}  ({}, {:.0f}% interval)", M.name, fm.mean.size(), formatPeriod(r.from),
                               fm.method, r.level * 100)) +
           "\n";
    if (!fm.inputs.empty()) {
      std::string list;
      size_t shown = std::min<size_t>(fm.inputs.size(), 6);
      for (size_t i = 0; i < shown; ++i) list += (i ? ", " : "") + fm.inputs[i].first + " " + fm.inputs[i].second;
      if (fm.inputs.size() > shown) list += fmt::format(" and {} more", fm.inputs.size() - shown);
      out += st.dim("  inputs: " + list) + "\n";
    }
    out += st.dim(fmt::format("  {:<10} {:>16} {:>16} {:>16}", "period", "mean", "lower", "upper")) + "\n";
    for (size_t i = 0; i < fm.mean.size(); ++i)
      out += fmt::format("  {:<10} {:>16} {:>16} {:>16}\n", formatPeriod(Period{r.from.grain, r.from.ord + static_cast<int64_t>(i)}),
                         formatNumber(fm.mean[i]), formatNumber(fm.lower[i]), formatNumber(fm.upper[i]));
    if (fm.goal) out += "  " + goalSentence(m, *fm.goal, unit) + "\n";
    if (fm.accuracy) {
      const auto& a = *fm.accuracy;
      out += fmt::format("  accuracy on the last {} periods held out: MAE {}, MASE {:.3f}, {:.0f}% within the interval\n", a.holdout,
                         formatNumber(a.mae), a.mase, a.coverage * 100);
    }
    for (const auto& n : fm.notes) out += st.dim("  note: " + n) + "\n";
    out += "\n";
  }
  if (!out.empty()) out.pop_back();
  return out;
}

std::string optimizeText(const Model& m, const eng::OptimizeResult& r, const Style& st) {
  std::string out = st.bold(fmt::format("optimize {}  at {}  ({} {}, {})", r.name, formatPeriod(r.at), r.maximize ? "maximize" : "minimize",
                                        r.objectiveText, r.method)) +
                    "\n";
  for (const auto& l : optimizeSentences(m, r))
    out += "  " + (l.rfind("infeasible", 0) == 0 || l.rfind("unbounded", 0) == 0 || l.rfind("broken", 0) == 0 ? st.red(l)
                   : l.rfind("note", 0) == 0                                                                      ? st.dim(l)
                                                                                                                  : l) +
           "\n";
  bool solved = r.status == "optimal";
  out += "\n" + st.dim(fmt::format("  {:<24} {:>14} {:>14} {:>14}  {}", "lever", "current", solved ? "optimal" : "", solved ? "change" : "",
                                   solved && !r.mip ? "cost range" : "")) +
         "\n";
  for (const auto& v : r.variables) {
    std::string ch = solved ? formatNumber(v.value - v.current) : "";
    if (solved && v.value - v.current > 0) ch = "+" + ch;
    std::string line = fmt::format("  {:<24} {:>14} {:>14} {:>14}  {}", v.name + (v.integer ? " (int)" : ""), formatNumber(v.current),
                                   solved ? formatNumber(v.value) : "", ch, rangeText(v.costRange));
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  if (!r.rows.empty()) {
    out += "\n" + st.dim(fmt::format("  {:<24} {:>14} {:>3} {:>14} {:>8} {:>14}  {}", "constraint", solved ? "value" : "", "", "limit", "",
                                     solved && !r.mip ? "shadow price" : "", solved && !r.mip ? "limit range" : "")) +
           "\n";
    for (const auto& row : r.rows) {
      std::string line = fmt::format("  {:<24} {:>14} {:>3} {:>14} {:>8} {:>14}  {}", row.name, solved ? formatNumber(row.activity) : "", row.op,
                                     formatNumber(row.limit), solved ? (row.binding ? "binds" : "slack") : "",
                                     solved && !r.mip ? formatNumber(row.shadowPrice) : "", rangeText(row.limitRange));
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
  }
  return out;
}

std::string recommendText(const Model& m, const eng::RecommendResult& r, const Style& st) {
  std::string out = st.bold(fmt::format("recommend for {}  at {}", m.goals[r.goal].name, formatPeriod(r.at))) + "\n";
  for (const auto& l : recommendSentences(m, r))
    out += "  " + (l.rfind("out of reach", 0) == 0 ? st.red(l) : l.rfind("note", 0) == 0 ? st.dim(l) : l) + "\n";
  out += "\n";
  for (const auto& x : r.recommendations) {
    out += fmt::format("  {}. {}  [{}]\n", x.rank, st.bold(recommendLabel(x)), recommendEffect(r, x));
    out += "     " + x.text + "\n";
    out += st.dim("     evidence: " + x.analysis) + "\n";
  }
  if (r.recommendations.empty()) out += "  nothing to recommend: no lever and no benchmark bears on the goal\n";
  return out;
}

}  // namespace

std::string renderText(const Model& m, const std::vector<eng::StatementResult>& results, const Options& o) {
  Style st{o.color};
  std::string out = st.bold(m.title.empty() ? m.name : m.title) + "\n";
  for (const auto& r : results) {
    out += "\n";
    std::visit(overloaded{
                   [&](const eng::Failure& f) {
                     out += st.bold(fmt::format("{}  (statement {})", stmtKindName(r.kind), r.statement)) + "\n";
                     out += st.red(fmt::format("  error [{}]: {}", diagInfo(f.code).code, f.message)) + "\n";
                   },
                   [&](const eng::DescribeResult& d) { out += describeText(m, d, st); },
                   [&](const eng::DiagnoseResult& d) { out += diagnoseText(m, d, st); },
                   [&](const eng::ForecastResult& d) { out += forecastText(m, d, st); },
                   [&](const eng::SeekResult& d) { out += seekText(m, d, st); },
                   [&](const eng::SimulateResult& d) { out += simulateText(m, d, st); },
                   [&](const eng::OptimizeResult& d) { out += optimizeText(m, d, st); },
                   [&](const eng::RecommendResult& d) { out += recommendText(m, d, st); },
               },
               r.result);
  }
  return out;
}

}  // namespace mtc::report
