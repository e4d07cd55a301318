// The engines behind the statements. Each takes the checked model, the loaded
// data and the evaluated values, and returns its result as the JSON object of
// LANGUAGE.md section 10 (docs/json.md); text renders that object for terminals.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "mtc/runtime.h"

namespace mtc::rt {

// `jit` picks the evaluator for a coarser grain's recomputation (the same
// engine as the run's, so --no-jit means no JIT anywhere).
nlohmann::ordered_json describe(const ir::Model& m, const Data& d, const Values& v, const ir::DescribeStmt& s,
                                bool jit = true);

struct TextOptions {
  bool color = false;
  int width = 100;
};
// A readable report of one statement's result.
std::string renderText(const ir::Model& m, const nlohmann::ordered_json& result, const TextOptions& o);
std::string renderMarkdown(const ir::Model& m, const nlohmann::ordered_json& result);
// A whole self-contained HTML page (no scripts, no external files) for the
// results of a run: one section per statement, a table and a chart per metric.
std::string renderHtml(const ir::Model& m, const nlohmann::ordered_json& results);

// Formats a number for reports: thousands separators, sensible decimals.
std::string formatNumber(double v, int decimals = -1);

}  // namespace mtc::rt
