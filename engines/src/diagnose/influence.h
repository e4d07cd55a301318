// Influence drift: a declared influence (`relation x -> y: causal { lag: k }`)
// fitted on history by least squares, y[t] = a + b x[t - k]; the part of a
// change it explains; and whether the relationship itself broke (a Chow test
// of a and b at the middle of the history).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace mtc::eng::drift {

struct LinearFit {
  size_t n = 0;
  double intercept = 0, slope = 0, r2 = 0, rss = 0;
  double slopeSe = 0;  // standard error of the slope
};

// Least squares of y on x over the pairs where both are finite; n < 3 or a
// constant x gives n = 0 in the result (no fit).
LinearFit fitLine(const std::vector<double>& x, const std::vector<double>& y);

struct BreakTest {
  size_t at = 0;      // index of the first observation of the second half
  double f = 0;       // the Chow statistic, F(2, n - 4) without a break
  double pValue = 1;
};

// Chow's test for a change of intercept and slope at `at` (pairs before and from it).
std::optional<BreakTest> chowTest(const std::vector<double>& x, const std::vector<double>& y, size_t at);

// The upper tail of the F distribution (Boost.Math).
double fUpperTail(double f, double df1, double df2);

}  // namespace mtc::eng::drift
