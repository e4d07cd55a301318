// Dimension drift: how much of a change comes from the mix of slices shifting
// and how much from values within slices (Das Gupta's standardisation), and
// which slice combinations, across several dimensions at once, explain it
// (root-cause localisation, RiskLoc's search with the direction taken from the
// net change: the most parsimonious explanation first).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mtc::eng::drift {

// A rate that is a weighted mean of slice rates, sum_s w_s r_s (shares w of a
// denominator, rates r = numerator / denominator per slice): the change split
// into mix (shares) and rate (values within slices), exactly, with each
// slice's part of each.
struct MixRate {
  double mix = 0, rate = 0;
  std::vector<double> mixBySlice, rateBySlice;
};
MixRate mixRate(const std::vector<double>& w0, const std::vector<double>& w1, const std::vector<double>& r0,
                const std::vector<double>& r1);

// One leaf cell: its value index in every dimension, its value before and after.
struct Leaf {
  std::vector<uint32_t> key;
  double before = 0, after = 0;
};

// The leaves of a cube in flat arrays: leaf i's value indices are keys[i * D ..
// i * D + D) for D = card.size().
struct Cube {
  std::vector<uint32_t> card;
  std::vector<uint32_t> keys;
  std::vector<double> before, after;
};

// A slice combination: the dimensions it fixes (index into the cube's
// dimensions) and their values; the change of the leaves under it.
struct Element {
  std::vector<std::pair<uint32_t, uint32_t>> fixed;
  double change = 0;       // sum of after - before under it
  double explained = 0;    // its share of the net change
  double ratio = 0;        // after / before under it
};

struct LocalizeOptions {
  double riskThreshold = 0.5;
  double pepThreshold = 0.005;
  size_t nRemove = 5;
  double lambda = 1.0, lambdaNoNoise = 0.1;
  size_t maxResults = 10;
  int threads = 1;             // cuboids built at once (the results do not depend on it)
};

// The root causes of the net change of a cube of non-negative leaves, most
// parsimonious (fewest dimensions) first; empty when nothing explains it.
std::vector<Element> localize(const Cube& cube, const LocalizeOptions& o = {});
std::vector<Element> localize(const std::vector<uint32_t>& cardinalities, const std::vector<Leaf>& leaves,
                              const LocalizeOptions& o = {});

}  // namespace mtc::eng::drift
