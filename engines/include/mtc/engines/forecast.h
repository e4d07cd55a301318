// forecast: what will happen (LANGUAGE.md section 6, docs/predictive.md). The
// data-bound leaf inputs of each metric are forecast slice by slice, and the
// formulas carry them to the metric: a formula metric is never extrapolated on
// its own, so slices and totals add up by construction. Intervals come from the
// method for a leaf, and from simulated paths of every input through the
// formulas for the rest.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "mtc/engines/context.h"

namespace mtc::eng {

// A goal toward which a metric is forecast (or seek solves).
struct GoalOutlook {
  ir::Id goal = ir::kNone;
  Period at;
  double target = 0;                   // the goal's right-hand side at `at`
  double value = 0;                    // the metric's forecast (or actual) at `at`
  double gap = 0;                      // how far short of the goal (negative: beyond it)
  std::optional<double> probability;   // of meeting it (simulated paths)
  bool passed = false;                 // `at` is in the data: value is the actual
  bool met = false;
};

struct ForecastResult {
  struct Accuracy {
    int64_t holdout = 0;
    Period from;                        // the first period held out
    std::vector<double> actual, mean, lower, upper;
    double mae = 0, mase = 0, coverage = 0;
  };
  struct Metric {
    ir::Id metric = ir::kNone;
    std::string method;                 // a leaf's method, "by slice", or "propagated"
    std::vector<std::pair<std::string, std::string>> inputs;  // input (slice) -> its method
    std::vector<double> mean, lower, upper;  // from `from`, `horizon` periods
    Period historyFrom;
    std::vector<double> history;        // the metric's last periods of data (for the fan chart)
    std::optional<GoalOutlook> goal;
    std::optional<Accuracy> accuracy;
    std::vector<std::string> notes;
  };
  Period from;                          // the first period forecast
  int64_t horizon = 0;
  double level = 0.9;
  size_t runs = 0;                      // simulated paths behind the propagated intervals
  std::vector<Metric> metrics;
};

ForecastResult forecast(const Context& ctx, const ir::ForecastStmt& s);

}  // namespace mtc::eng
