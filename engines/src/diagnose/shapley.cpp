// Shapley attribution (shapley.h).
#include "shapley.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace mtc::eng::drift {

ShapleyResult shapley(size_t k, const Game& v, uint64_t seed) {
  ShapleyResult r;
  r.phi.assign(k, 0.0);
  if (k == 0) return r;
  if (k <= kExactPlayers) {
    // every coalition once; phi_i = sum over S without i of |S|!(k-|S|-1)!/k! (v(S+i) - v(S))
    const uint64_t n = uint64_t{1} << k;
    std::vector<double> value(n);
    for (uint64_t s = 0; s < n; ++s) value[s] = v(s);
    r.evaluations = n;
    std::vector<double> weight(k);  // by |S|
    for (size_t s = 0; s < k; ++s) {
      // s!(k-s-1)!/k! = 1 / (k * C(k-1, s))
      double c = 1;
      for (size_t j = 0; j < s; ++j) c = c * static_cast<double>(k - 1 - j) / static_cast<double>(j + 1);
      weight[s] = 1.0 / (static_cast<double>(k) * c);
    }
    for (size_t i = 0; i < k; ++i) {
      const uint64_t bit = uint64_t{1} << i;
      double acc = 0;
      for (uint64_t s = 0; s < n; ++s) {
        if (s & bit) continue;
        acc += weight[static_cast<size_t>(__builtin_popcountll(s))] * (value[s | bit] - value[s]);
      }
      r.phi[i] = acc;
    }
    return r;
  }
  // sampled orderings (antithetic pairs: an ordering and its reverse)
  r.sampled = true;
  std::mt19937_64 rng(seed);
  std::vector<size_t> order(k);
  std::iota(order.begin(), order.end(), 0);
  const double full = v(~uint64_t{0} >> (64 - k)), none = v(0);
  size_t orderings = 0;
  auto walk = [&](const std::vector<size_t>& o) {
    uint64_t mask = 0;
    double prev = none;
    for (size_t j = 0; j < k; ++j) {
      mask |= uint64_t{1} << o[j];
      double cur = j + 1 == k ? full : v(mask);
      r.phi[o[j]] += cur - prev;
      prev = cur;
    }
    ++orderings;
  };
  for (size_t n = 0; n < kSampledOrderings / 2; ++n) {
    std::shuffle(order.begin(), order.end(), rng);
    walk(order);
    std::reverse(order.begin(), order.end());
    walk(order);
  }
  for (double& p : r.phi) p /= static_cast<double>(orderings);
  r.evaluations = orderings * (k - 1) + 2;
  return r;
}

std::vector<double> productEffects(const std::vector<double>& before, const std::vector<double>& after) {
  size_t k = before.size();
  Game g = [&](uint64_t mask) {
    double p = 1;
    for (size_t i = 0; i < k; ++i) p *= (mask >> i & 1) ? after[i] : before[i];
    return p;
  };
  return shapley(k, g).phi;
}

void closeSum(std::vector<double>& terms, double total) {
  if (terms.empty() || !std::isfinite(total)) return;
  size_t big = 0;
  for (size_t i = 1; i < terms.size(); ++i)
    if (std::fabs(terms[i]) > std::fabs(terms[big])) big = i;
  double rest = 0;
  for (size_t i = 0; i < terms.size(); ++i)
    if (i != big) rest += terms[i];
  terms[big] = total - rest;
}

}  // namespace mtc::eng::drift
