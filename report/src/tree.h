// The metrics tree of the HTML and Markdown reports (tree.cpp).
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "mtc/engines/results.h"
#include "mtc/ir.h"

namespace mtc::report {

// What the tree shows of each metric: its recent values (the run's overview of
// every metric, else the describes that show it), the latest one, its change
// against the period before, and whether that change is good for the metric.
struct TreeData {
  struct Node {
    std::vector<std::string> periods;
    std::vector<double> values;  // empty: no value known (no overview, no describe)
    double latest = NAN, change = NAN, pct = NAN, scale = 0;  // scale: typicalSize of values (percentChange)
    int verdict = 0;             // +1 better, -1 worse (by `direction:`), 0 unchanged, neutral or unknown
    std::vector<ir::Id> inputs;  // the metrics its formula reads, then those driving it by a declared relation
  };
  std::vector<Node> nodes;   // by metric id
  std::vector<ir::Id> roots;  // the north stars
  std::string latestPeriod, previousPeriod;  // of the overview, when there is one
};

TreeData treeData(const ir::Model& m, const std::vector<eng::StatementResult>& results, const eng::DescribeResult* overview);

// The HTML section: the value chains' stages, the north star on top with its
// inputs as folding nodes, every metric by stage; "" when the model has no metric.
std::string treeHtml(const ir::Model& m, const TreeData& t);
// The Markdown section: a Mermaid graph of the north star's tree and a table by stage.
std::string treeMarkdown(const ir::Model& m, const TreeData& t);

}  // namespace mtc::report
