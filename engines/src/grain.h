// A model's values at a grain coarser than its own (describe { grain: quarter },
// diagnose at 2025-Q2): the run's compiled evaluator on the coarser timeline,
// data metrics (and metrics built on time operators, whose windows are the
// model's periods) rolled up with their agg as its inputs, other formulas
// recomputed from them.
#pragma once

#include <memory>
#include <vector>

#include "mtc/engines/context.h"

namespace mtc::eng {

struct AtGrain {
  rt::Timeline timeline;
  rt::Scenario scenario;       // the rolled-up inputs (the values refer to them)
  rt::Values values;
  std::vector<bool> input;     // per metric: rolled up, not recomputed
};

// The values of `metrics` and what they read at grain g (the run's values when
// g is the model's grain: then `input` is all false and nothing is evaluated).
std::unique_ptr<AtGrain> valuesAtGrain(const Context& ctx, Grain g, const std::vector<ir::Id>& metrics);

}  // namespace mtc::eng
