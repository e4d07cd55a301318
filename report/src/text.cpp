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
               },
               r.result);
  }
  return out;
}

}  // namespace mtc::report
