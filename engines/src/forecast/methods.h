// Forecasting one series: the methods of `forecast { method: ... }`, each with
// its point forecasts, prediction interval at the level asked for, and a way to
// draw future paths (for intervals through formulas, and for simulate). The
// formulas are R forecast 8.20's (/work/research/forecast_methods.md, ets.md).
#pragma once

#include <functional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "mtc/ir.h"

namespace mtc::eng::fc {

struct SeriesForecast {
  std::string method;                   // "ETS(A,N,A)", "snaive", "mean of ETS(A,N,A), theta"
  std::vector<double> mean, lower, upper;
  // one future path of the h values (correlated over the horizon as the model is)
  std::function<void(std::mt19937_64&, double*)> draw;
  std::string note;                     // a fallback or an approximation, said in the report
};

// The history is too short for the method: the minimum, in periods.
struct TooShort : std::runtime_error {
  TooShort(const std::string& what, size_t minimum) : std::runtime_error(what), minimum(minimum) {}
  size_t minimum;
};

// Forecasts y (finite values; season length m, 1 without) h steps ahead with a
// prediction interval at `level` (0.9 for 90%).
SeriesForecast forecastSeries(ir::ForecastMethod method, const std::vector<double>& y, int m, int h, double level);

// The minimum history a method needs, for messages.
size_t minimumHistory(ir::ForecastMethod method, int m);

// MASE of a forecast against actual values, scaled by the in-sample MAE of the
// seasonal naive forecast (lag m; lag 1 when m = 1), as forecast::accuracy.
double mase(const std::vector<double>& train, int m, const std::vector<double>& forecast, const std::vector<double>& actual);

}  // namespace mtc::eng::fc
