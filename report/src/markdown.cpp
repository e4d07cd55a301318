// The Markdown report, for pull requests and wikis: the metrics tree as a
// Mermaid graph and a table by stage, then per statement its charts as Mermaid
// (xychart-beta lines and bars, pie; GitHub draws them) and compact tables, the
// latest periods first and long histories folded in <details>.
#include <algorithm>
#include <cmath>

#include "common.h"
#include "svg.h"
#include "tree.h"

namespace mtc::report {

using namespace ir;

namespace {

// A number in a Mermaid data array: plain digits (no separators, no exponent), about 6 significant.
std::string chartNumber(double v) {
  if (v == 0) return "0";
  int decimals = std::clamp(5 - static_cast<int>(std::floor(std::log10(std::fabs(v)))), 0, 8);
  std::string s = fmt::format("{:.{}f}", v, decimals);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s == "-0" ? "0" : s;
}

struct Series {
  std::string label;
  std::vector<double> values;
  std::string color;
  bool bar = false;
};

// An xychart-beta block; "" when a value is missing (Mermaid's charts have no gaps: a chart
// with a hole would draw a wrong line, so the table alone shows it). `from0`: the value axis starts at 0.
std::string xychart(const std::string& title, const std::vector<std::string>& xs, const std::vector<Series>& series, const std::string& yLabel,
                    bool from0 = false) {
  if (xs.empty() || series.empty()) return "";
  double lo = INFINITY, hi = -INFINITY;
  for (auto& sr : series) {
    if (sr.values.size() != xs.size()) return "";
    for (double v : sr.values) {
      if (!std::isfinite(v)) return "";
      lo = std::min(lo, v), hi = std::max(hi, v);
    }
  }
  std::string palette;
  for (auto& sr : series) palette += (palette.empty() ? "" : ", ") + sr.color;
  // wide enough for the x labels side by side (Mermaid neither thins nor turns them)
  double widest = 0;
  for (auto& x : xs) widest = std::max(widest, static_cast<double>(x.size()));
  int width = static_cast<int>(std::clamp(200 + (widest * 6.5 + 8) * static_cast<double>(xs.size()), 600.0, 1200.0));
  std::string out = fmt::format("```mermaid\n%%{{init: {{\"xyChart\": {{\"width\": {}, \"height\": 360, \"xAxis\": {{\"labelFontSize\": 11}}}}, "
                                "\"themeVariables\": {{\"xyChart\": {{\"plotColorPalette\": \"{}\"}}}}}}}}%%\nxychart-beta\n",
                                width, palette);
  out += "  title \"" + mermaidText(title) + "\"\n  x-axis [";
  for (size_t i = 0; i < xs.size(); ++i) out += (i ? ", " : "") + std::string("\"") + mermaidText(xs[i]) + "\"";
  out += "]\n  y-axis \"" + mermaidText(yLabel) + "\"";
  if (from0 && lo >= 0) {
    double top = hi > 0 ? hi * 1.05 : 1, step = std::pow(10.0, std::floor(std::log10(top)) - 1);
    out += " 0 --> " + chartNumber(std::ceil(top / step) * step);
  }
  out += "\n";
  for (auto& sr : series) {
    out += fmt::format("  {} \"{}\" [", sr.bar ? "bar" : "line", mermaidText(sr.label));
    for (size_t i = 0; i < sr.values.size(); ++i) out += (i ? ", " : "") + chartNumber(sr.values[i]);
    out += "]\n";
  }
  out += "```\n";
  if (series.size() > 1) {  // older Mermaid draws no legend: say which colour is which
    std::string key;
    const char* names[] = {"blue", "grey", "red", "green", "dark", "light blue"};
    for (size_t i = 0; i < series.size(); ++i) {
      const std::string& c = series[i].color;
      const char* name = c == "#4c78a8" ? names[0] : c == "#9a9a9a" ? names[1] : c == "#b42318" ? names[2] : c == "#17803d" ? names[3]
                       : c == "#333333" ? names[4] : names[5];
      key += fmt::format("{}{} {}", i ? ", " : "", name, markdownEscape(series[i].label));
    }
    out += "\n<sub>" + key + "</sub>\n";
  }
  return out;
}

// Table rows, the latest first: the first `shown` in the table, the rest folded in <details>.
std::string foldedTable(const std::string& head, const std::vector<std::string>& rows, size_t shown, const std::string& what) {
  std::string out = head;
  for (size_t i = 0; i < rows.size() && i < shown; ++i) out += rows[i];
  if (rows.size() > shown) {
    out += fmt::format("\n<details><summary>{} more {}</summary>\n\n{}", rows.size() - shown, what, head);
    for (size_t i = shown; i < rows.size(); ++i) out += rows[i];
    out += "\n</details>\n";
  }
  return out;
}

std::vector<std::string> periodsFrom(Period from, size_t n) {
  std::vector<std::string> xs;
  for (size_t i = 0; i < n; ++i) xs.push_back(formatPeriod(Period{from.grain, from.ord + static_cast<int64_t>(i)}));
  return xs;
}

template <class T>
std::vector<T> lastOf(const std::vector<T>& v, size_t n) {
  return std::vector<T>(v.end() - static_cast<std::ptrdiff_t>(std::min(n, v.size())), v.end());
}

std::string describeMd(const Model& m, const eng::DescribeResult& r) {
  std::string out = fmt::format("## describe {} .. {} ({})\n", formatPeriod(r.from), formatPeriod(r.to), grainName(r.grain));
  std::vector<std::string> labels;
  for (auto& p : r.periods) labels.push_back(formatPeriod(p));
  for (const auto& mr : r.metrics) {
    const Metric& M = m.metrics[mr.id];
    std::string unit = m.units.format(M.unit);
    out += fmt::format("\n### {} ({})\n\n", markdownEscape(M.name), markdownEscape(unit));
    if (labels.size() > 1) {
      const size_t keep = 12;  // Mermaid writes every period's label: a year of them stays readable
      std::string title = M.name + (labels.size() > keep ? fmt::format(", the last {} periods", keep) : "");
      std::string chart = xychart(title, lastOf(labels, keep), {{M.name, lastOf(mr.values, keep), "#4c78a8"}}, unit);
      out += chart.empty() ? "_No chart: some periods have no value (the table shows which)._\n\n" : chart + "\n";
    }
    double scale = typicalSize(mr.values);
    std::vector<std::string> rows;
    for (size_t i = r.periods.size(); i-- > 0;)
      rows.push_back(fmt::format("| {} | {} | {} | {} |\n", labels[i], formatNumber(mr.values[i]), formatNumber(mr.change[i]),
                                 percentChange(mr.pctChange[i], mr.values[i] - mr.change[i], scale)));
    out += foldedTable("| period | value | change | % |\n|---|---:|---:|---:|\n", rows, 6, "periods");
    // the slices' shares at the last period, as a pie (a sum of positive parts only)
    if (!mr.slices.empty() && !r.periods.empty()) {
      size_t last = r.periods.size() - 1;
      bool pie = std::all_of(mr.slices.begin(), mr.slices.end(), [&](auto& sl) { return !sl.share.empty() && std::isfinite(sl.values[last]) && sl.values[last] >= 0; });
      std::vector<std::pair<double, std::string>> parts;
      for (const auto& sl : mr.slices) parts.push_back({sl.values[last], sliceLabel(m, M.dims, sl.index)});
      std::stable_sort(parts.begin(), parts.end(), [](auto& a, auto& b) { return a.first > b.first; });
      if (pie && parts.size() > 1) {
        out += fmt::format("\n```mermaid\npie title {} by slice at {}\n", mermaidText(M.name), labels[last]);
        double other = 0;
        for (size_t i = 0; i < parts.size(); ++i) {
          if (i >= 9 && parts.size() > 10) {
            other += parts[i].first;
            continue;
          }
          out += fmt::format("  \"{}\" : {}\n", mermaidText(parts[i].second), chartNumber(parts[i].first));
        }
        if (other > 0) out += fmt::format("  \"{} other slices\" : {}\n", parts.size() - 9, chartNumber(other));
        out += "```\n";
      }
      std::vector<std::string> srows;
      for (auto& [v, label] : parts) srows.push_back(fmt::format("| {} | {} |\n", markdownEscape(label), formatNumber(v)));
      out += "\n" + foldedTable(fmt::format("| slice at {} | value |\n|---|---:|\n", labels[last]), srows, 8, "slices");
    }
    for (const auto& g : mr.gaps)
      out += fmt::format("\n- gap{}: no value at {}\n", g.slice ? " for " + markdownEscape(sliceLabel(m, M.dims, *g.slice)) : "",
                         periodList(g.periods, 12));
  }
  return out;
}

void contributionRows(std::string& out, const std::vector<eng::DiagnoseResult::Contribution>& cs, int depth) {
  for (auto& c : cs) {
    std::string indent;
    for (int i = 0; i < depth; ++i) indent += "&nbsp;&nbsp;&nbsp;";
    out += fmt::format("| {}{}{} | {} |\n", indent, depth ? "↳ " : "", markdownEscape(c.driver), formatNumber(c.value));
    contributionRows(out, c.children, depth + 1);
  }
}

std::string diagnoseMd(const Model& m, const eng::DiagnoseResult& r) {
  const Metric& M = m.metrics[r.metric];
  std::string out = fmt::format("## diagnose {} at {} vs {}\n\n", markdownEscape(M.name), formatPeriod(r.at), formatPeriod(r.base));
  for (auto& l : r.narrative) out += "- " + markdownEscape(l) + "\n";
  out += "\n### component\n\n";
  if (r.component.reason) out += "Not estimable: " + markdownEscape(*r.component.reason) + "\n";
  else {
    // the walk from the base to the value at `at`, driver by driver (the HTML report's waterfall as a line)
    std::vector<std::string> xs{formatPeriod(r.base)};
    std::vector<double> levels{r.valueBase};
    for (auto& [label, value] : waterfallSteps(r)) xs.push_back(label), levels.push_back(levels.back() + value);
    xs.push_back(formatPeriod(r.at)), levels.push_back(r.valueAt);
    std::string chart = xychart(fmt::format("{}: from {} to {}, driver by driver", M.name, formatPeriod(r.base), formatPeriod(r.at)), xs,
                                {{M.name, levels, "#4c78a8"}}, m.units.format(M.unit));
    if (!chart.empty()) out += chart + "\n";
    out += "| driver | contribution |\n|---|---:|\n";
    contributionRows(out, r.component.contributions, 0);
  }
  out += "\n### temporal\n\n";
  out += r.temporal.value ? fmt::format("Seasonal pattern: {} of the change.\n", formatNumber(*r.temporal.value))
                          : "Not estimable: " + markdownEscape(r.temporal.reason) + "\n";
  if (r.component.contributions.empty() && r.temporal.value) {  // no component walk: the change as season and rest
    std::string chart = xychart(fmt::format("{}: from {} to {}, the seasonal pattern and the rest", M.name, formatPeriod(r.base), formatPeriod(r.at)),
                                {formatPeriod(r.base), "seasonal pattern", "the rest", formatPeriod(r.at)},
                                {{M.name, {r.valueBase, r.valueBase + *r.temporal.value, r.valueBase + *r.temporal.value + r.temporal.remainder, r.valueAt}, "#4c78a8"}},
                                m.units.format(M.unit));
    if (!chart.empty()) out += "\n" + chart;
  }
  out += "\n### influence\n\n";
  if (r.influences.empty()) out += markdownEscape(r.influenceReason) + "\n";
  for (auto& inf : r.influences)
    out += fmt::format("- {} -> {}: {}\n", inf.from == kNone ? "?" : markdownEscape(m.metrics[inf.from].name),
                       markdownEscape(m.metrics[inf.to].name),
                       !inf.reason.empty()
                           ? markdownEscape(inf.reason)
                           : fmt::format("{}slope {}, r2 {:.2f}{}{}",
                                         inf.value ? fmt::format("explains {} {}; ", formatNumber(*inf.value), markdownEscape(m.units.format(m.metrics[r.metric].unit))) : "",
                                         formatNumber(inf.slope), inf.r2,
                                         inf.breakP ? fmt::format(", break at {} p = {:.3g}", formatPeriod(*inf.breakAt), *inf.breakP) : "",
                                         inf.signAgrees && !*inf.signAgrees ? ", against its declared sign" : ""));
  out += "\n### dimension\n\n";
  if (r.dimension.reason) out += "Not estimable: " + markdownEscape(*r.dimension.reason) + "\n";
  if (r.dimension.mix)
    out += fmt::format("{}Mix {}, rate {}.\n", r.dimension.volume ? "Volume " + formatNumber(*r.dimension.volume) + ". " : "",
                       formatNumber(*r.dimension.mix), formatNumber(*r.dimension.rate));
  if (!r.dimension.slices.empty()) {
    out += "\n| slices | change | share |\n|---|---:|---:|\n";
    for (auto& x : r.dimension.slices) {
      std::string sl;
      for (auto& [d, v] : x.slice) sl += (sl.empty() ? "" : " x ") + m.dims[d].name + "=" + m.dims[d].values[v];
      out += fmt::format("| {} | {} | {:.1f}% |\n", markdownEscape(sl), formatNumber(x.value), x.share * 100);
    }
  }
  out += "\n### events\n\n";
  std::string cps;
  for (auto& p : r.event.changePoints) cps += (cps.empty() ? "" : ", ") + formatPeriod(p);
  out += fmt::format("Declared: {}. Change points: {}.{}\n", r.event.events.empty() ? std::string("none") : [&] {
    std::string e;
    for (Id x : r.event.events) e += (e.empty() ? "" : ", ") + markdownEscape(m.events[x].name);
    return e;
  }(), cps.empty() ? "none" : cps, r.event.endpointP ? fmt::format(" One step ahead: p = {:.3g}.", *r.event.endpointP) : "");
  return out;
}

}  // namespace

std::string forecastMd(const Model& m, const eng::ForecastResult& r) {
  std::string out;
  for (const auto& fm : r.metrics) {
    const Metric& M = m.metrics[fm.metric];
    std::string unit = m.units.format(M.unit);
    out += fmt::format("## forecast {} ({}, {:.0f}% interval)\n\n", markdownEscape(M.name), markdownEscape(fm.method), r.level * 100);
    // the last half year of history, then the forecast; the interval opens at the last actual value
    const size_t nh = std::min<size_t>(fm.history.size(), 6), nf = fm.mean.size();
    std::vector<double> path, lo, hi;
    for (size_t i = fm.history.size() - nh; i < fm.history.size(); ++i) path.push_back(fm.history[i]), lo.push_back(fm.history[i]), hi.push_back(fm.history[i]);
    for (size_t i = 0; i < nf; ++i) path.push_back(fm.mean[i]), lo.push_back(fm.lower[i]), hi.push_back(fm.upper[i]);
    Period first{fm.historyFrom.grain, fm.historyFrom.ord + static_cast<int64_t>(fm.history.size() - nh)};
    std::vector<Series> series{{"actual, then the forecast's mean", path, "#4c78a8"},
                               {fmt::format("lower bound ({:.0f}%)", r.level * 100), lo, "#9a9a9a"},
                               {fmt::format("upper bound ({:.0f}%)", r.level * 100), hi, "#9a9a9a"}};
    if (fm.goal && !fm.goal->passed) series.push_back({"goal " + m.goals[fm.goal->goal].name, std::vector<double>(nh + nf, fm.goal->target), "#b42318"});
    std::string chart = xychart(fmt::format("{}: history and forecast from {}", M.name, formatPeriod(r.from)), periodsFrom(first, nh + nf), series, unit);
    if (!chart.empty()) out += chart + "\n";
    std::vector<std::string> rows;
    for (size_t i = 0; i < fm.mean.size(); ++i)
      rows.push_back(fmt::format("| {} | {} | {} | {} |\n", formatPeriod(Period{r.from.grain, r.from.ord + static_cast<int64_t>(i)}),
                                 formatNumber(fm.mean[i]), formatNumber(fm.lower[i]), formatNumber(fm.upper[i])));
    out += foldedTable("| period | mean | lower | upper |\n|---|---:|---:|---:|\n", rows, 6, "periods");
    if (fm.goal) out += "\n" + markdownEscape(goalSentence(m, *fm.goal, unit)) + ".\n";
    if (fm.accuracy)
      out += fmt::format("\nHeld out the last {} periods: MAE {}, MASE {:.3f}, {:.0f}% within the interval.\n", fm.accuracy->holdout,
                         formatNumber(fm.accuracy->mae), fm.accuracy->mase, fm.accuracy->coverage * 100);
    if (!fm.inputs.empty()) {
      out += "\nInputs: ";
      for (size_t i = 0; i < fm.inputs.size(); ++i)
        out += (i ? ", " : "") + markdownEscape(fm.inputs[i].first) + " " + markdownEscape(fm.inputs[i].second);
      out += ".\n";
    }
    for (const auto& n : fm.notes) out += "\n_" + markdownEscape(n) + "_\n";
    out += "\n";
  }
  return out;
}

std::string seekMd(const Model& m, const eng::SeekResult& r) {
  std::string out = fmt::format("## seek {} at {}\n\n", markdownEscape(m.goals[r.goal].name), formatPeriod(r.at));
  for (const auto& l : seekSentences(m, r)) out += "- " + markdownEscape(l) + "\n";
  return out;
}

std::string simulateMd(const Model& m, const eng::SimulateResult& r) {
  std::string out;
  for (const auto& sm : r.metrics) {
    const Metric& M = m.metrics[sm.metric];
    std::string unit = m.units.format(M.unit);
    out += fmt::format("## simulate {} ({} runs, {})\n\n", markdownEscape(M.name), formatNumber(static_cast<double>(r.runs), 0), samplingName(r.sampling));
    std::vector<std::string> xs = periodsFrom(r.from, sm.mean.size());
    if (xs.size() > 1) {
      std::string chart = xychart(fmt::format("{}: median and 5-95% of runs", M.name), xs,
                                  {{"median", sm.p50, "#4c78a8"}, {"p05", sm.p05, "#9a9a9a"}, {"p95", sm.p95, "#9a9a9a"}}, unit);
      if (!chart.empty()) out += chart + "\n";
    }
    if (sm.histCounts.size() > 1) {  // the runs at the last period
      std::vector<std::string> bins;
      std::vector<double> counts;
      for (size_t k = 0; k < sm.histCounts.size(); ++k) {
        bins.push_back(svg::tickLabel(sm.histFrom + sm.histWidth * static_cast<double>(k)));
        counts.push_back(static_cast<double>(sm.histCounts[k]));
      }
      std::string chart = xychart(fmt::format("{} at {}: runs by value (bins of {} from their lower end)", M.name, xs.back(), formatNumber(sm.histWidth)),
                                  bins, {{"runs", counts, "#4c78a8", true}}, "runs", true);
      if (!chart.empty()) out += chart + "\n";
    }
    std::vector<std::string> rows;
    for (size_t i = sm.mean.size(); i-- > 0;)
      rows.push_back(fmt::format("| {} | {} | {} | {} | {} | {} |\n", xs[i], formatNumber(sm.mean[i]), formatNumber(sm.sd[i]), formatNumber(sm.p05[i]),
                                 formatNumber(sm.p50[i]), formatNumber(sm.p95[i])));
    out += foldedTable("| period | mean | sd | p05 | p50 | p95 |\n|---|---:|---:|---:|---:|---:|\n", rows, 12, "periods");
    if (&sm == &r.metrics.front() && !r.sensitivity.empty()) {
      out += fmt::format("\nWhat moves it at {} (every input at its median: {}):\n\n", xs.empty() ? "" : xs.back(), formatNumber(r.sensitivityBase));
      out += "| input | rank correlation | at p10 | at p90 |\n|---|---:|---:|---:|\n";
      for (const auto& in : r.sensitivity)
        out += fmt::format("| {} ~ {} | {:+.2f} | {} | {} |\n", markdownEscape(in.name), markdownEscape(in.distribution), in.rankCorrelation,
                           formatNumber(in.low), formatNumber(in.high));
    }
    for (const auto& n : r.notes) out += "\n_" + markdownEscape(n) + "_\n";
    out += "\n";
  }
  return out;
}

std::string optimizeMd(const Model& m, const eng::OptimizeResult& r) {
  std::string out = fmt::format("## optimize {} at {} ({} {}, {})\n\n", markdownEscape(r.name), formatPeriod(r.at),
                                r.maximize ? "maximize" : "minimize", markdownEscape(r.objectiveText), r.method);
  for (const auto& l : optimizeSentences(m, r)) out += "- " + markdownEscape(l) + "\n";
  bool solved = r.status == "optimal";
  if (solved && !r.variables.empty()) {  // the optimal levers as bars, their current values as a line
    std::vector<std::string> xs;
    std::vector<double> now, best;
    for (const auto& v : r.variables) xs.push_back(v.name), now.push_back(v.current), best.push_back(v.value);
    bool positive = std::all_of(now.begin(), now.end(), [](double v) { return v >= 0; }) && std::all_of(best.begin(), best.end(), [](double v) { return v >= 0; });
    if (positive) {
      std::string chart = xychart(fmt::format("{}: the levers, optimal and current", r.name), xs, {{"optimal", best, "#4c78a8", true}, {"current", now, "#333333"}},
                                  "value", true);
      if (!chart.empty()) out += "\n" + chart;
    }
  }
  out += "\n| lever | current | optimal | change | cost range |\n|---|---:|---:|---:|---|\n";
  for (const auto& v : r.variables)
    out += fmt::format("| {} | {} | {} | {} | {} |\n", markdownEscape(v.name), formatNumber(v.current), solved ? formatNumber(v.value) : "-",
                       solved ? formatNumber(v.value - v.current) : "-", rangeText(v.costRange));
  if (!r.rows.empty()) {
    out += "\n| constraint | value | | limit | binds | shadow price | limit range |\n|---|---:|---|---:|---|---:|---|\n";
    for (const auto& row : r.rows)
      out += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", markdownEscape(row.name), solved ? formatNumber(row.activity) : "-",
                         markdownEscape(row.op), formatNumber(row.limit), solved ? (row.binding ? "yes" : "no") : "-",
                         solved && !r.mip ? formatNumber(row.shadowPrice) : "-", rangeText(row.limitRange));
  }
  return out;
}

std::string recommendMd(const Model& m, const eng::RecommendResult& r) {
  std::string out = fmt::format("## recommend for {} at {}\n\n", markdownEscape(m.goals[r.goal].name), formatPeriod(r.at));
  for (const auto& l : recommendSentences(m, r)) out += "- " + markdownEscape(l) + "\n";
  const ir::Goal& G = m.goals[r.goal];
  const size_t nh = r.history.size(), np = r.path.size();
  if (nh + np > 1) {  // the gap: the goal's left side, its path to the date, the target
    Period from = nh ? r.historyFrom : Period{r.at.grain, r.at.ord - static_cast<int64_t>(np) + 1};
    std::vector<double> line(r.history.begin(), r.history.end());
    line.insert(line.end(), r.path.begin(), r.path.end());
    size_t keep = std::min<size_t>(line.size(), std::max<size_t>(np + 6, 12));
    std::string chart = xychart(fmt::format("{}: the gap to goal {}", exprText(m, G.cmp.lhs), G.name), lastOf(periodsFrom(from, line.size()), keep),
                                {{nh && np ? "actual, then " + r.valueFrom : nh ? "actual" : r.valueFrom, lastOf(line, keep), "#4c78a8"},
                                 {"target", std::vector<double>(keep, r.target), "#b42318"}},
                                r.unit);
    if (!chart.empty()) out += "\n" + chart;
  }
  std::vector<std::string> names;
  std::vector<double> effects;
  for (const auto& x : r.recommendations)
    if (x.effect) names.push_back(fmt::format("{}. {}", x.rank, recommendLabel(x))), effects.push_back(*x.effect);
  if (!effects.empty() && std::all_of(effects.begin(), effects.end(), [](double v) { return v >= 0; })) {
    std::string chart = xychart(fmt::format("the recommendations' effects on {}", exprText(m, G.cmp.lhs)), names, {{"effect", effects, "#17803d", true}},
                                r.unit, true);
    if (!chart.empty()) out += "\n" + chart;
  }
  out += "\n| # | recommendation | lever | effect | what to do | evidence |\n|---:|---|---|---:|---|---|\n";
  for (const auto& x : r.recommendations)
    out += fmt::format("| {} | {} | {} | {} | {} | {} |\n", x.rank, markdownEscape(recommendLabel(x)), markdownEscape(x.lever),
                       markdownEscape(recommendEffect(r, x)), markdownEscape(x.text), markdownEscape(x.analysis));
  return out;
}

std::string renderMarkdown(const Model& m, const std::vector<eng::StatementResult>& results, const Options& o) {
  std::string out = fmt::format("# {}\n", markdownEscape(m.title.empty() ? m.name : m.title));
  std::string tree = treeMarkdown(m, treeData(m, results, o.overview));
  if (!tree.empty()) out += "\n" + tree;
  for (const auto& r : results) {
    out += "\n";
    std::visit(overloaded{
                   [&](const eng::Failure& f) {
                     out += fmt::format("## {} (statement {})\n\n**error** `{}`: {}\n", stmtKindName(r.kind), r.statement,
                                        diagInfo(f.code).code, markdownEscape(f.message));
                   },
                   [&](const eng::DescribeResult& d) { out += describeMd(m, d); },
                   [&](const eng::DiagnoseResult& d) { out += diagnoseMd(m, d); },
                   [&](const eng::ForecastResult& d) { out += forecastMd(m, d); },
                   [&](const eng::SeekResult& d) { out += seekMd(m, d); },
                   [&](const eng::SimulateResult& d) { out += simulateMd(m, d); },
                   [&](const eng::OptimizeResult& d) { out += optimizeMd(m, d); },
                   [&](const eng::RecommendResult& d) { out += recommendMd(m, d); },
               },
               r.result);
  }
  return out;
}

}  // namespace mtc::report
