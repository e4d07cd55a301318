// The metrics tree of the HTML report (tree.cpp).
#pragma once

#include <string>
#include <vector>

#include "mtc/engines/results.h"
#include "mtc/ir.h"

namespace mtc::report {

// The north star and its formula inputs as folding nodes with their latest
// values (from the run's describes) and changes; "" when the model has no metric.
std::string treeHtml(const ir::Model& m, const std::vector<eng::StatementResult>& results);

}  // namespace mtc::report
