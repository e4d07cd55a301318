// Shapley attribution: how much each of k players moved a value from v(none)
// to v(all), given the value of every coalition. The contributions add up to
// v(all) - v(none) exactly (up to rounding, which the caller puts on the
// largest). Exact (2^k coalitions) up to kExactPlayers players; above, the mean
// over sampled orderings, each of which adds up exactly as well.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace mtc::eng::drift {

inline constexpr size_t kExactPlayers = 12;
inline constexpr size_t kSampledOrderings = 2000;

// v(mask): the value of the coalition whose members are the set bits of `mask`.
using Game = std::function<double(uint64_t mask)>;

struct ShapleyResult {
  std::vector<double> phi;  // per player
  bool sampled = false;     // orderings were sampled (more than kExactPlayers players)
  size_t evaluations = 0;
};

ShapleyResult shapley(size_t players, const Game& v, uint64_t seed = 20250730);

// Das Gupta's two-population decomposition of a product of factors is the
// Shapley value of the product: the effect of each factor.
std::vector<double> productEffects(const std::vector<double>& before, const std::vector<double>& after);

// Puts the rounding residual of a sum on its largest term, so the terms add up
// to `total` exactly in double arithmetic (as far as one addition can).
void closeSum(std::vector<double>& terms, double total);

}  // namespace mtc::eng::drift
