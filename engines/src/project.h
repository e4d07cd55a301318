// The future of a model's data-bound inputs: each leaf input (a metric read
// from data, not a formula) forecast slice by slice past its last value, and
// the scenario that carries history plus forecast into the evaluators on the
// timeline extended by the horizon. forecast, seek and simulate stand on it.
#pragma once

#include <random>
#include <string>
#include <vector>

#include "forecast/methods.h"
#include "mtc/engines/context.h"

namespace mtc::eng {

struct Projection {
  rt::Timeline timeline;                // the data's periods (less a holdout), then the horizon
  int64_t end = 0;                      // the first period past the history used
  int64_t horizon = 0;
  struct Input {
    ir::Id metric = ir::kNone;
    std::vector<fc::SeriesForecast> slices;
    std::vector<int64_t> first;         // per slice: the first period forecast (after its last value)
  };
  std::vector<Input> inputs;
  rt::Scenario point;                   // history, then the forecasts' means
  std::vector<std::string> notes;       // history used, fallbacks
  // A scenario like `point` whose forecasts are one drawn path each.
  void draw(std::mt19937_64& rng, rt::Scenario& out) const;
};

// Forecasts the leaf inputs of `targets` `horizon` periods past the data (past
// the data less the last `holdout` periods, when given). Throws StatementError
// when an input has no history or too little for an explicit method.
Projection project(const Context& ctx, const std::vector<ir::Id>& targets, int64_t horizon, ir::ForecastMethod method,
                   double level, int64_t holdout = 0);

// The season of a grain, in its periods: 12 by month, 4 by quarter, 52 by
// week, 7 by day, 1 by year.
int seasonLength(Grain g);

// A leaf input with slices, named for reports: "leads[ppc,north]".
std::string inputName(const ir::Model& m, ir::Id metric, size_t slice);

// The p-quantile of sorted values (R's type 7).
double quantileSorted(const std::vector<double>& sorted, double p);

}  // namespace mtc::eng
