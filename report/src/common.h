// What the renderers share: numbers, percentages, periods, slices, escaping.
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <string>
#include <vector>

#include "mtc/ir_print.h"
#include "mtc/report.h"

namespace mtc::report {

template <class... F>
struct overloaded : F... {
  using F::operator()...;
};
template <class... F>
overloaded(F...) -> overloaded<F...>;

// A percent change for reports: "+4.2%", or "n/m" (not meaningful) when the
// base is zero or negative (a change from a loss is not a growth rate), or tiny
// against the values around it (5% of their median size), as variance reports
// in spreadsheets do; "-" when missing. `scale` is that median size.
std::string percentChange(double pct, double base, double scale);
// The median of the absolute values (missing ones left out): the scale above.
double typicalSize(const std::vector<double>& values);

std::string periodList(const std::vector<Period>& ps, size_t max = SIZE_MAX);
// The findings of a seek, one sentence each (text, Markdown and HTML print them).
std::vector<std::string> seekSentences(const ir::Model& m, const eng::SeekResult& r);
// "goal profit_target at 2025-12: target 25,000 USD, forecast 21,400 (short by 3,600); probability of meeting it 18%"
// The findings of an optimize, one sentence each; a sensitivity range as "0.01 .. inf".
std::vector<std::string> optimizeSentences(const ir::Model& m, const eng::OptimizeResult& r);
// The findings of a recommend before its list: the gap, whether the levers reach it, the bottleneck.
std::vector<std::string> recommendSentences(const ir::Model& m, const eng::RecommendResult& r);
// A recommendation's classification: "decision, programmed: focus", "action: quality (above_par)".
std::string recommendLabel(const eng::RecommendResult::Recommendation& x);
// Its expected effect on the goal: "+25 patient", or "effect not modelled".
std::string recommendEffect(const eng::RecommendResult& r, const eng::RecommendResult::Recommendation& x);
std::string rangeText(const std::optional<eng::OptimizeResult::Range>& r);
// A diagnose's waterfall steps, from the base to the value at `at`: its drivers, the one that
// carries most of the change opened into its children while there are at most 8 steps; a driver
// reached by two paths says which ("revenue (gross_margin)").
std::vector<std::pair<std::string, double>> waterfallSteps(const eng::DiagnoseResult& r);
std::string goalSentence(const ir::Model& m, const eng::GoalOutlook& g, const std::string& unit);
std::string htmlEscape(const std::string& s);
std::string markdownEscape(const std::string& s);
// Text inside a quoted Mermaid label or title: quotes and markup characters as Mermaid's entity codes.
std::string mermaidText(const std::string& s);

}  // namespace mtc::report
