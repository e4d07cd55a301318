// The Markdown report, for pull requests and wikis: a table per metric.
#include "common.h"

namespace mtc::report {

using namespace ir;

namespace {

std::string describeMd(const Model& m, const eng::DescribeResult& r) {
  std::string out = fmt::format("## describe {} .. {} ({})\n", formatPeriod(r.from), formatPeriod(r.to), grainName(r.grain));
  for (const auto& mr : r.metrics) {
    const Metric& M = m.metrics[mr.id];
    out += fmt::format("\n### {} ({})\n\n| period | value | change | % |\n|---|---:|---:|---:|\n", markdownEscape(M.name),
                       markdownEscape(m.units.format(M.unit)));
    double scale = typicalSize(mr.values);
    for (size_t i = 0; i < r.periods.size(); ++i)
      out += fmt::format("| {} | {} | {} | {} |\n", formatPeriod(r.periods[i]), formatNumber(mr.values[i]), formatNumber(mr.change[i]),
                         percentChange(mr.pctChange[i], mr.values[i] - mr.change[i], scale));
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
    out += "| driver | contribution |\n|---|---:|\n";
    contributionRows(out, r.component.contributions, 0);
  }
  out += "\n### temporal\n\n";
  out += r.temporal.value ? fmt::format("Seasonal pattern: {} of the change.\n", formatNumber(*r.temporal.value))
                          : "Not estimable: " + markdownEscape(r.temporal.reason) + "\n";
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
    out += fmt::format("## forecast {} ({}, {:.0f}% interval)\n\n", markdownEscape(M.name), markdownEscape(fm.method), r.level * 100);
    out += "| period | mean | lower | upper |\n|---|---:|---:|---:|\n";
    for (size_t i = 0; i < fm.mean.size(); ++i)
      out += fmt::format("| {} | {} | {} | {} |\n", formatPeriod(Period{r.from.grain, r.from.ord + static_cast<int64_t>(i)}),
                         formatNumber(fm.mean[i]), formatNumber(fm.lower[i]), formatNumber(fm.upper[i]));
    if (fm.goal) out += "\n" + markdownEscape(goalSentence(m, *fm.goal, m.units.format(M.unit))) + ".\n";
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
    out += fmt::format("## simulate {} ({} runs, {})\n\n", markdownEscape(m.metrics[sm.metric].name), formatNumber(static_cast<double>(r.runs), 0),
                       samplingName(r.sampling));
    out += "| period | mean | sd | p05 | p50 | p95 |\n|---|---:|---:|---:|---:|---:|\n";
    for (size_t i = 0; i < sm.mean.size(); ++i)
      out += fmt::format("| {} | {} | {} | {} | {} | {} |\n", formatPeriod(Period{r.from.grain, r.from.ord + static_cast<int64_t>(i)}),
                         formatNumber(sm.mean[i]), formatNumber(sm.sd[i]), formatNumber(sm.p05[i]), formatNumber(sm.p50[i]), formatNumber(sm.p95[i]));
    if (&sm == &r.metrics.front() && !r.sensitivity.empty()) {
      out += "\n| input | rank correlation | at p10 | at p90 |\n|---|---:|---:|---:|\n";
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
  out += "\n| # | recommendation | lever | effect | what to do | evidence |\n|---:|---|---|---:|---|---|\n";
  for (const auto& x : r.recommendations)
    out += fmt::format("| {} | {} | {} | {} | {} | {} |\n", x.rank, markdownEscape(recommendLabel(x)), markdownEscape(x.lever),
                       markdownEscape(recommendEffect(r, x)), markdownEscape(x.text), markdownEscape(x.analysis));
  return out;
}

std::string renderMarkdown(const Model& m, const std::vector<eng::StatementResult>& results) {
  std::string out = fmt::format("# {}\n", markdownEscape(m.title.empty() ? m.name : m.title));
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
