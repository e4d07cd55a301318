// describe: what happened. Values per period (and per slice), period-over-period
// change, shares of slices and data gaps, over a range of periods at the
// model's grain or a coarser one (docs/json.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "mtc/engines/context.h"

namespace mtc::eng {

struct DescribeResult {
  Period from, to;  // the range, at `grain`
  Grain grain = Grain::Month;
  std::vector<Period> periods;
  struct Slice {
    size_t index = 0;                    // slice of the metric's dimensions (row-major)
    std::vector<double> values;
    std::vector<double> share;           // part of the total; empty when the total is not a sum
  };
  struct Gap {
    std::optional<size_t> slice;         // none: the total
    std::vector<Period> periods;
  };
  struct Metric {
    ir::Id id = ir::kNone;
    std::vector<double> values;          // the total over slices, per period
    std::vector<double> change;          // against the period before (which may lie before `from`)
    std::vector<double> pctChange;
    bool recomputed = false;             // the total is the formula on the inputs' totals
    std::vector<Slice> slices;           // for a metric with dimensions
    std::vector<Gap> gaps;
  };
  std::vector<Metric> metrics;
};

DescribeResult describe(const Context& ctx, const ir::DescribeStmt& s);

// The periods a describe shows, at its grain (StatementError when empty).
std::pair<Period, Period> describeRange(const ir::Model& m, const rt::Timeline& data, const ir::DescribeStmt& s);

}  // namespace mtc::eng
