// STL: seasonal-trend decomposition by LOESS (Cleveland, Cleveland, McRae and
// Terpenning, 1990), as statsmodels' STL computes it (its "fixed" Fortran):
// y = trend + season + remainder. Tested against statsmodels' own fixtures.
#pragma once

#include <vector>

namespace mtc::eng::drift {

struct StlOptions {
  int period = 12;
  int seasonal = 7;          // odd, >= 3
  int trend = 0;             // odd > period; 0: statsmodels' default, ceil(1.5 p / (1 - 1.5 / seasonal)), made odd
  int lowPass = 0;           // odd > period; 0: the smallest odd above the period
  int seasonalDeg = 1, trendDeg = 1, lowPassDeg = 1;
  int seasonalJump = 1, trendJump = 1, lowPassJump = 1;
  int inner = 5;             // statsmodels: 5 without robustness, 2 with
  int outer = 0;             // robustness iterations (15 when robust)
};

struct StlResult {
  std::vector<double> trend, season, weights;
};

// `y` has no missing values and at least 2 periods.
StlResult stl(const std::vector<double>& y, StlOptions o);

}  // namespace mtc::eng::drift
