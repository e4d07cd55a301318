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

}  // namespace

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
               },
               r.result);
  }
  return out;
}

}  // namespace mtc::report
