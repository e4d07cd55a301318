// Reports: one renderer per format over the engines' typed results, each an
// exhaustive std::visit over eng::Result (a new engine that is not rendered
// does not compile). json.cpp owns the JSON schema of docs/json.md and
// docs/json.schema.json.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "mtc/engines/results.h"

namespace mtc::report {

enum class Format { Text, Json, Markdown, Html };

struct Options {
  bool color = false;  // text: ANSI colours
  int width = 100;
  // md and html: every metric over the data's last periods (eng::RunOutcome::overview),
  // the values of the metrics tree; null: the tree takes them from the run's describes.
  const eng::DescribeResult* overview = nullptr;
};

// The whole report of a run in one format.
std::string render(Format f, const ir::Model& m, const std::vector<eng::StatementResult>& results, const Options& o = {});

// The JSON document (LANGUAGE.md section 10): {"model": ..., "results": [...]}.
nlohmann::ordered_json toJson(const ir::Model& m, const std::vector<eng::StatementResult>& results);
nlohmann::ordered_json toJson(const ir::Model& m, const eng::StatementResult& r);
// The objects a statement adds to "results": one, but one per metric for a forecast.
std::vector<nlohmann::ordered_json> toJsonObjects(const ir::Model& m, const eng::StatementResult& r);

std::string renderText(const ir::Model& m, const std::vector<eng::StatementResult>& results, const Options& o);
std::string renderMarkdown(const ir::Model& m, const std::vector<eng::StatementResult>& results, const Options& o = {});
// A self-contained page (no scripts, no external files): the metrics tree, a section per statement.
std::string renderHtml(const ir::Model& m, const std::vector<eng::StatementResult>& results, const Options& o = {});

// A number for reports: thousands separators, sensible decimals; "-" when missing.
std::string formatNumber(double v, int decimals = -1);

}  // namespace mtc::report
