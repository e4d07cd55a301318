// The HTML report: one self-contained page (no scripts, no external files),
// a section per statement: for describe a chart and a table per metric, the
// slices at the last period with their shares, and the gaps.
#include <algorithm>

#include "common.h"
#include "svg.h"

namespace mtc::report {

using namespace ir;

namespace {

std::string describeHtml(const Model& m, const eng::DescribeResult& r) {
  std::string out = fmt::format("<section><h2>describe {} .. {} <small>({})</small></h2>\n", htmlEscape(formatPeriod(r.from)),
                                htmlEscape(formatPeriod(r.to)), htmlEscape(grainName(r.grain)));
  std::vector<std::string> labels;
  for (auto& p : r.periods) labels.push_back(formatPeriod(p));
  for (const auto& mr : r.metrics) {
    const Metric& M = m.metrics[mr.id];
    std::string unit = m.units.format(M.unit);
    std::string title = M.title.empty() ? "" : " &mdash; " + htmlEscape(M.title);
    out += fmt::format("<h3>{} <small>[{}]{}</small></h3>\n", htmlEscape(M.name), htmlEscape(unit), title);
    if (labels.size() > 1) {
      svg::Frame f;
      f.title = fmt::format("{} ({}), {} to {}", M.name, unit, labels.front(), labels.back());
      out += svg::lineChart(labels, {svg::Line{M.name, mr.values}}, {}, f);
    }
    out += "<table><tr><th>period</th><th>value</th><th>change</th><th>%</th></tr>\n";
    double scale = typicalSize(mr.values);
    for (size_t i = 0; i < r.periods.size(); ++i) {
      std::string pc = percentChange(mr.pctChange[i], mr.values[i] - mr.change[i], scale);
      std::string cls = pc.size() > 1 && (pc[0] == '+' || pc[0] == '-') ? (pc[0] == '-' ? " class=\"down\"" : " class=\"up\"") : "";
      out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td{}>{}</td></tr>\n", htmlEscape(labels[i]), formatNumber(mr.values[i]),
                         formatNumber(mr.change[i]), cls, pc);
    }
    out += "</table>\n";
    if (!mr.slices.empty() && !r.periods.empty()) {
      size_t last = r.periods.size() - 1;
      bool shares = std::any_of(mr.slices.begin(), mr.slices.end(), [](auto& s) { return !s.share.empty(); });
      out += fmt::format("<table class=\"slices\"><tr><th>slice at {}</th><th>value</th>{}</tr>\n", htmlEscape(labels[last]),
                         shares ? "<th>share</th>" : "");
      std::vector<std::pair<double, std::string>> rows;
      for (const auto& sl : mr.slices) {
        double v = sl.values[last];
        std::string share;
        if (shares) {
          double sh = sl.share.empty() ? NAN : sl.share[last];
          share = std::isfinite(sh) ? fmt::format("<td><span class=\"bar\" style=\"width:{:.0f}px\"></span> {:.1f}%</td>",
                                                  std::clamp(sh, 0.0, 1.0) * 120, sh * 100)
                                    : "<td>-</td>";
        }
        rows.push_back({std::isfinite(v) ? v : -INFINITY, fmt::format("<tr><td>{}</td><td>{}</td>{}</tr>\n",
                                                                      htmlEscape(sliceLabel(m, M.dims, sl.index)), formatNumber(v), share)});
      }
      std::stable_sort(rows.begin(), rows.end(), [](auto& a, auto& b) { return a.first > b.first; });
      for (auto& [v, row] : rows) out += row;
      out += "</table>\n";
    }
    for (const auto& g : mr.gaps) {
      std::string where = g.slice ? " for " + htmlEscape(sliceLabel(m, M.dims, *g.slice)) : "";
      out += fmt::format("<p class=\"gap\">gap{}: no value at {}</p>\n", where, htmlEscape(periodList(g.periods)));
    }
  }
  return out + "</section>\n";
}

}  // namespace

std::string renderHtml(const Model& m, const std::vector<eng::StatementResult>& results) {
  std::string title = htmlEscape(m.title.empty() ? m.name : m.title);
  std::string out = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\n<style>\n"
      "body{{font-family:system-ui,sans-serif;margin:2em auto;max-width:60em;color:#222}}\n"
      "h2{{border-bottom:1px solid #ccc}} small{{color:#777;font-weight:normal}}\n"
      "table{{border-collapse:collapse;margin:.5em 0 1.5em}} td,th{{padding:.15em .8em;text-align:right}}\n"
      "td:first-child,th:first-child{{text-align:left}} tr:nth-child(even){{background:#f6f6f6}}\n"
      ".up{{color:#17803d}} .down{{color:#b42318}} .gap,.error{{color:#b42318}}\n"
      ".bar{{display:inline-block;height:.7em;background:#4c78a8}}\n"
      ".chart{{display:block;max-width:100%;height:auto;margin:.3em 0}}\n"
      ".chart .line{{fill:none;stroke-width:2}} .chart .grid{{stroke:#e4e4e4}} .chart .axis{{stroke:#999}}\n"
      ".chart text{{font-size:10px;fill:#666}} .chart .label{{font-size:11px;fill:#333}}\n"
      "</style></head><body>\n<h1>{}</h1>\n",
      title, title);
  for (const auto& r : results)
    std::visit(overloaded{
                   [&](const eng::Failure& f) {
                     out += fmt::format("<section><h2>{} <small>(statement {})</small></h2>\n<p class=\"error\">error <code>{}</code>: {}</p></section>\n",
                                        stmtKindName(r.kind), r.statement, diagInfo(f.code).code, htmlEscape(f.message));
                   },
                   [&](const eng::DescribeResult& d) { out += describeHtml(m, d); },
               },
               r.result);
  return out + "</body></html>\n";
}

}  // namespace mtc::report
