// Mix versus rate, and root-cause localisation (dimension.h).
#include "dimension.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <unordered_map>

namespace mtc::eng::drift {

MixRate mixRate(const std::vector<double>& w0, const std::vector<double>& w1, const std::vector<double>& r0,
                const std::vector<double>& r1) {
  MixRate m;
  for (size_t s = 0; s < w0.size(); ++s) {
    double mix = (w1[s] - w0[s]) * (r0[s] + r1[s]) / 2, rate = (r1[s] - r0[s]) * (w0[s] + w1[s]) / 2;
    m.mixBySlice.push_back(mix);
    m.rateBySlice.push_back(rate);
    m.mix += mix;
    m.rate += rate;
  }
  return m;
}

namespace {

// The sums under one element of a cuboid, over the leaves still unexplained.
struct Agg {
  double ep = 0, epPos = 0, wa = 0, wn = 0;
  uint32_t p = 0, count = 0;
};

// A cuboid (a set of dimensions) and its elements' sums: dense by key when the
// key space is small next to the cube, hashed otherwise.
struct Cuboid {
  std::vector<uint32_t> dims;
  bool dense = true;
  std::vector<Agg> vec;
  std::unordered_map<uint64_t, Agg> map;

  Agg& at(uint64_t k) { return dense ? vec[k] : map[k]; }
  template <typename F>
  void each(F&& f) {
    if (dense) {
      for (uint64_t k = 0; k < vec.size(); ++k)
        if (vec[k].count) f(k, vec[k]);
    } else {
      for (auto& [k, a] : map)
        if (a.count) f(k, a);
    }
  }
};

}  // namespace

std::vector<Element> localize(const std::vector<uint32_t>& card, const std::vector<Leaf>& leaves, const LocalizeOptions& o) {
  const size_t D = card.size(), N = leaves.size();
  std::vector<Element> out;
  double F = 0, V = 0;
  for (auto& l : leaves) F += l.before, V += l.after;
  if (D == 0 || N == 0 || V == F || !std::isfinite(V - F)) return out;
  // RiskLoc's leaf scores, with the direction of the net change (RiskLoc-D):
  // g the signed relative deviation, ep the share of the net change, p whether
  // the leaf moved the way the total did by more than the noise (t), w its weight
  const double s = V > F ? 1.0 : -1.0;
  std::vector<double> g(N), ep(N), w(N);
  std::vector<uint8_t> p(N);
  std::vector<double> opp;
  for (size_t i = 0; i < N; ++i) {
    double f = leaves[i].before, v = leaves[i].after;
    g[i] = f + v > 0 ? s * 2 * (v - f) / (v + f) : 0;
    ep[i] = (v - f) / (V - F);
    if (g[i] < 0) opp.push_back(-g[i]);
  }
  std::sort(opp.begin(), opp.end(), std::greater<double>());
  double t = opp.size() > o.nRemove ? opp[o.nRemove] : opp.empty() ? 0 : opp.back();
  double lam = t == 0 ? o.lambdaNoNoise : o.lambda;
  double remaining = 0;
  for (size_t i = 0; i < N; ++i) {
    p[i] = g[i] > t;
    w[i] = p[i] ? std::fabs(g[i]) : std::fabs(t - g[i]);
    if (!p[i] && leaves[i].before == 0 && leaves[i].after == 0) w[i] = 0;
    w[i] = std::min(w[i], 1.0);
    if (p[i]) remaining += ep[i];
  }
  const double theta = o.pepThreshold * remaining;
  std::vector<uint8_t> alive(N, 1);
  // the cuboids: every non-empty subset of dimensions, by size, then lexicographically
  std::vector<Cuboid> cuboids;
  for (uint32_t l = 1; l <= D; ++l) {
    std::vector<bool> sel(D, false);
    std::fill(sel.begin(), sel.begin() + l, true);
    do {
      Cuboid c;
      double space = 1;
      for (uint32_t d = 0; d < D; ++d)
        if (sel[d]) c.dims.push_back(d), space *= card[d];
      c.dense = space <= 4.0 * static_cast<double>(N) + 65536;
      if (c.dense) c.vec.assign(static_cast<size_t>(space), Agg{});
      cuboids.push_back(std::move(c));
    } while (std::prev_permutation(sel.begin(), sel.end()));
  }
  auto keyOf = [&](const Leaf& leaf, const std::vector<uint32_t>& dims) {
    uint64_t k = 0;
    for (uint32_t d : dims) k = k * card[d] + leaf.key[d];
    return k;
  };
  auto add = [&](size_t i, double sign) {
    for (auto& c : cuboids) {
      Agg& a = c.at(keyOf(leaves[i], c.dims));
      a.ep += sign * ep[i];
      a.epPos += sign * std::max(ep[i], 0.0);
      (p[i] ? a.wa : a.wn) += sign * w[i];
      a.p = sign > 0 ? a.p + p[i] : a.p - p[i];
      a.count = sign > 0 ? a.count + 1 : a.count - 1;
    }
  };
  for (size_t i = 0; i < N; ++i) add(i, 1);
  // layer-1 pruning: a value of a dimension whose leaves explain too little
  std::vector<std::vector<uint8_t>> pruned(D);
  for (size_t d = 0; d < D; ++d) pruned[d].assign(card[d], 0);

  while (out.size() < o.maxResults && remaining >= theta && remaining > 0) {
    bool found = false;
    size_t bestCuboid = 0;
    uint64_t bestKey = 0;
    double bestEp = theta;
    for (size_t ci = 0; ci < cuboids.size(); ++ci) {
      Cuboid& c = cuboids[ci];
      if (found && c.dims.size() > cuboids[bestCuboid].dims.size()) break;  // the most parsimonious layer wins
      if (c.dims.size() == 1)
        c.each([&](uint64_t k, Agg& a) {
          if (a.epPos < theta || a.p == 0) pruned[c.dims[0]][k] = 1;
        });
      auto isPruned = [&](uint64_t k) {
        for (size_t j = c.dims.size(); j-- > 0;) {
          uint32_t d = c.dims[j];
          if (pruned[d][k % card[d]]) return true;
          k /= card[d];
        }
        return false;
      };
      std::vector<std::pair<uint64_t, const Agg*>> cands;
      c.each([&](uint64_t k, Agg& a) {
        if (a.p > 0 && a.ep > bestEp && !isPruned(k)) cands.push_back({k, &a});
      });
      if (cands.empty()) continue;
      std::sort(cands.begin(), cands.end(),
                [](auto& x, auto& y) { return x.second->ep != y.second->ep ? x.second->ep > y.second->ep : x.first < y.first; });
      // the ripple effect: how unlike one common ratio the leaves under each
      // candidate moved (RiskLoc's low-risk score), in two passes over the leaves
      std::unordered_map<uint64_t, std::array<double, 4>> ripple;  // sum after, sum before, sum |dev|, sum |g|
      for (auto& [k, a] : cands) ripple[k] = {0, 0, 0, 0};
      std::vector<uint64_t> keys(N);
      for (size_t i = 0; i < N; ++i) {
        if (!alive[i] || leaves[i].after == 0 || leaves[i].before == 0) continue;
        keys[i] = keyOf(leaves[i], c.dims);
        auto it = ripple.find(keys[i]);
        if (it != ripple.end()) it->second[0] += leaves[i].after, it->second[1] += leaves[i].before;
      }
      for (size_t i = 0; i < N; ++i) {
        if (!alive[i] || leaves[i].after == 0 || leaves[i].before == 0) continue;
        auto it = ripple.find(keys[i]);
        if (it == ripple.end() || it->second[1] == 0) continue;
        double a2 = leaves[i].before * it->second[0] / it->second[1], v = leaves[i].after;
        it->second[2] += a2 + v != 0 ? std::fabs(2 * (a2 - v) / (a2 + v)) : 0;
        it->second[3] += std::fabs(g[i]);
      }
      for (auto& [k, a] : cands) {
        double high = a->wa / (a->wa + a->wn + lam);
        const auto& r = ripple[k];
        double low = r[3] > 0 ? r[2] / r[3] : 0;
        if (high - low >= o.riskThreshold) {
          found = true;
          bestEp = a->ep;
          bestCuboid = ci;
          bestKey = k;
          break;
        }
      }
    }
    if (!found) break;
    Element e;
    const Cuboid& bc = cuboids[bestCuboid];
    uint64_t k = bestKey;
    for (size_t j = bc.dims.size(); j-- > 0;) {
      uint32_t d = bc.dims[j];
      e.fixed.insert(e.fixed.begin(), {d, static_cast<uint32_t>(k % card[d])});
      k /= card[d];
    }
    std::vector<uint32_t> dims = bc.dims;
    double before = 0, after = 0;
    // the leaves it explains; where they all share a value of another dimension
    // (earlier causes took the rest), the element names it too
    std::vector<int64_t> common(D, -1);
    bool first = true;
    for (size_t i = 0; i < N; ++i) {
      if (!alive[i] || keyOf(leaves[i], dims) != bestKey) continue;
      before += leaves[i].before;
      after += leaves[i].after;
      alive[i] = 0;
      if (p[i]) remaining -= ep[i];
      add(i, -1);
      for (size_t d = 0; d < D; ++d) {
        if (first) common[d] = leaves[i].key[d];
        else if (common[d] != static_cast<int64_t>(leaves[i].key[d])) common[d] = -2;
      }
      first = false;
    }
    for (uint32_t d = 0; d < D; ++d)
      if (common[d] >= 0 && std::find(dims.begin(), dims.end(), d) == dims.end() && card[d] > 1)
        e.fixed.push_back({d, static_cast<uint32_t>(common[d])});
    std::sort(e.fixed.begin(), e.fixed.end());
    e.change = after - before;
    e.explained = e.change / (V - F);
    e.ratio = before != 0 ? after / before : 0;
    out.push_back(std::move(e));
  }
  // ranked by the change they explain (the search found the most parsimonious first)
  std::stable_sort(out.begin(), out.end(), [](const Element& a, const Element& b) { return std::fabs(a.change) > std::fabs(b.change); });
  return out;
}

}  // namespace mtc::eng::drift
