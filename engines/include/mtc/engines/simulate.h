// simulate: Monte Carlo over the model's uncertain assumptions (LANGUAGE.md
// section 6, docs/predictive.md). Each param declared with `~` is drawn once
// per run (Latin hypercube by default) and holds over the horizon; data-bound
// inputs take their forecast with its own uncertainty drawn too. The compiled
// tree is evaluated `runs` times on every core, with results that depend on the
// seed only, never on the number of threads.
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "mtc/engines/context.h"

namespace mtc::eng {

struct SimulateResult {
  Period from;                          // the first period simulated
  int64_t horizon = 0;
  size_t runs = 0;
  double level = 0.9;
  ir::Sampling sampling = ir::Sampling::Lhs;
  uint64_t seed = 0;
  bool batched = false;                 // runs evaluated as the periods of one timeline (no time operators, one period)
  struct Metric {
    ir::Id metric = ir::kNone;
    std::vector<double> mean, sd, p05, p50, p95, lower, upper;  // per period
    // The runs' values at the last period in about 30 equal bins of a round
    // width: bin k counts [histFrom + k*histWidth, histFrom + (k+1)*histWidth)
    // (the last bin holds its upper end); one bin of width 0 when every run agrees.
    double histFrom = 0, histWidth = 0;
    std::vector<size_t> histCounts;
  };
  std::vector<Metric> metrics;
  // What moves the first metric (at the last period): per uncertain input, the
  // rank correlation of its draws with the metric, and the metric with that
  // input at its 10th and 90th percentile and every other at its median.
  struct Input {
    std::string name;                   // "churn", or "conversion[ppc]" for one slice of a param
    std::string distribution;           // "normal(0.03, 0.005)"
    double rankCorrelation = 0;
    double low = 0, high = 0;           // the metric at the input's p10 and p90
    double atLow = 0, atHigh = 0;       // the input's p10 and p90
  };
  std::vector<Input> sensitivity;
  double sensitivityBase = NAN;         // the first metric at the last period with every input at its median (the tornado's centre)
  std::vector<std::string> notes;
};

SimulateResult simulate(const Context& ctx, const ir::SimulateStmt& s);

}  // namespace mtc::eng
