// The evaluators' side of a Values: the series one call computed or viewed,
// and the workspace reused from call to call (so that evaluating again
// allocates nothing).
#pragma once

#include "mtc/runtime.h"

namespace mtc::rt {

struct Values::Storage {
  Timeline time;
  // The last call's views, per metric id: computed series (own), data, or a
  // scenario's input. Null when the call did not evaluate the metric.
  std::vector<const Series*> metrics, totals;
  std::vector<Series> own, ownTotals;  // per metric id
  // Data mapped onto another timeline of the model's grain (a horizon past the
  // data), kept while the timeline stays the same.
  std::vector<Series> padded;
  std::vector<uint8_t> paddedValid;
  Timeline paddedFor;
  // The JIT's hidden series (reduction arguments, reductions) and scratch rows.
  std::vector<Series> hidden;
  std::vector<double> scratch;
  // Calendar tables of the timeline (ytd, yoy), rebuilt when the timeline changes.
  std::vector<int64_t> yearStart, lastYear;
  Timeline tablesFor;
  bool tablesValid = false;
  // Per param: its values per slice for this call; for a period param, its row
  // over the timeline (slices x periods).
  std::vector<const std::vector<double>*> params;
  std::vector<Series> paramRows;
  std::vector<const Series*> paramRowOf;
  // Per metric: the scenario's whole series, and whether overrides touch it.
  std::vector<const Series*> inputOf;
  std::vector<uint8_t> overridden;
  // Per metric of a delayed cycle: settled without its formula in this call.
  std::vector<uint8_t> settled;
  // Per call of a kernel (JIT) and the interpreter's coordinates.
  std::vector<const double*> bases, pbases;
  std::vector<uint32_t> coord;
};

}  // namespace mtc::rt
