// Mix versus rate, and root-cause localisation (dimension.h).
#include "dimension.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <unordered_map>

#include <tbb/parallel_for.h>

#include "mtc/progress.h"

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
  bool built = false;  // its sums are made when the search first reaches it
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
  Cube c;
  c.card = card;
  for (auto& l : leaves) {
    c.keys.insert(c.keys.end(), l.key.begin(), l.key.end());
    c.before.push_back(l.before);
    c.after.push_back(l.after);
  }
  return localize(c, o);
}

std::vector<Element> localize(const Cube& cube, const LocalizeOptions& o) {
  const std::vector<uint32_t>& card = cube.card;
  const std::vector<double>& bf = cube.before;
  const std::vector<double>& af = cube.after;
  const uint32_t* K = cube.keys.data();
  const size_t D = card.size(), N = bf.size();
  std::vector<Element> out;
  double F = 0, V = 0;
  for (size_t i = 0; i < N; ++i) F += bf[i], V += af[i];
  if (D == 0 || N == 0 || V == F || !std::isfinite(V - F)) return out;
  // RiskLoc's leaf scores, with the direction of the net change (RiskLoc-D):
  // g the signed relative deviation, ep the share of the net change, p whether
  // the leaf moved the way the total did by more than the noise (t), w its weight
  const double s = V > F ? 1.0 : -1.0;
  std::vector<double> g(N), ep(N), w(N);
  std::vector<uint8_t> p(N);
  std::vector<double> opp;
  for (size_t i = 0; i < N; ++i) {
    double f = bf[i], v = af[i];
    g[i] = f + v > 0 ? s * 2 * (v - f) / (v + f) : 0;
    ep[i] = (v - f) / (V - F);
    if (g[i] < 0) opp.push_back(-g[i]);
  }
  // t: the (nRemove + 1)-th largest deviation against the direction (or the smallest one)
  double t = 0;
  if (opp.size() > o.nRemove) {
    std::nth_element(opp.begin(), opp.begin() + static_cast<std::ptrdiff_t>(o.nRemove), opp.end(), std::greater<double>());
    t = opp[o.nRemove];
  } else if (!opp.empty()) {
    t = *std::min_element(opp.begin(), opp.end());
  }
  double lam = t == 0 ? o.lambdaNoNoise : o.lambda;
  double remaining = 0;
  for (size_t i = 0; i < N; ++i) {
    p[i] = g[i] > t;
    // a leaf that did not move weighs against an element: by how far it is from
    // the noise level, or fully when there is no noise (t = 0)
    w[i] = p[i] ? std::fabs(g[i]) : t == 0 ? 1.0 : std::fabs(t - g[i]);
    if (!p[i] && bf[i] == 0 && af[i] == 0) w[i] = 0;
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
      cuboids.push_back(std::move(c));
    } while (std::prev_permutation(sel.begin(), sel.end()));
  }
  // the cuboids built so far (pruning may leave some unbuilt: the bar then ends early)
  rt::Progress progress("diagnose: the slices' cuboids", cuboids.size(), "cuboids");
  auto keyOf = [&](size_t i, const std::vector<uint32_t>& dims) {
    const uint32_t* key = K + i * D;
    uint64_t k = 0;
    for (uint32_t d : dims) k = k * card[d] + key[d];
    return k;
  };
  auto addTo = [&](Cuboid& c, size_t i, double sign) {
    Agg& a = c.at(keyOf(i, c.dims));
    a.ep += sign * ep[i];
    a.epPos += sign * std::max(ep[i], 0.0);
    (p[i] ? a.wa : a.wn) += sign * w[i];
    a.p = sign > 0 ? a.p + p[i] : a.p - p[i];
    a.count = sign > 0 ? a.count + 1 : a.count - 1;
  };
  // Makes the sums of several cuboids in one pass over the leaves (the cuboids of
  // a layer share it: the leaves are read once).
  auto build = [&](const std::vector<Cuboid*>& cs) {
    struct Plan {
      Cuboid* c;
      std::vector<uint32_t> dims;
      std::vector<uint64_t> stride;
    };
    std::vector<Plan> plans;
    for (Cuboid* c : cs) {
      if (c->built) continue;
      Plan pl{c, c->dims, std::vector<uint64_t>(c->dims.size(), 1)};
      for (size_t j = pl.dims.size(); j-- > 1;) pl.stride[j - 1] = pl.stride[j] * card[pl.dims[j]];
      if (c->dense) c->vec.assign(static_cast<size_t>(pl.stride[0] * card[pl.dims[0]]), Agg{});
      c->built = true;
      plans.push_back(std::move(pl));
    }
    if (plans.empty()) return;
    // the cuboids split between the cores, each built by one thread alone (the
    // sums are added in leaf order whatever the split: the same bits)
    const size_t groups = std::min(plans.size(), static_cast<size_t>(std::max(1, o.threads)));
    tbb::parallel_for(size_t{0}, groups, [&](size_t gi) {
      for (size_t i = 0; i < N; ++i) {
        if (!alive[i]) continue;
        const uint32_t* key = K + i * D;
        const double e = ep[i], pos = e > 0 ? e : 0.0, wi = w[i];
        const bool pi = p[i] != 0;
        for (size_t pj = gi; pj < plans.size(); pj += groups) {
          Plan& pl = plans[pj];
          uint64_t k = 0;
          for (size_t j = 0; j < pl.dims.size(); ++j) k += key[pl.dims[j]] * pl.stride[j];
          Agg& a = pl.c->dense ? pl.c->vec[k] : pl.c->map[k];
          a.ep += e;
          a.epPos += pos;
          if (pi) a.wa += wi, ++a.p;
          else a.wn += wi;
          ++a.count;
        }
      }
    });
    progress.add(plans.size());
  };
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
      // a dimension whose every value is pruned leaves no candidate in any cuboid
      // with it (an element's positive share is at most its one-dimension parent's)
      bool empty = false;
      if (c.dims.size() > 1)
        for (uint32_t d : c.dims) empty |= std::all_of(pruned[d].begin(), pruned[d].end(), [](uint8_t x) { return x != 0; });
      if (empty) continue;
      if (!c.built) {  // this cuboid and the rest of its layer that can hold a candidate
        std::vector<Cuboid*> layer;
        for (size_t cj = ci; cj < cuboids.size() && cuboids[cj].dims.size() == c.dims.size(); ++cj) {
          bool none = false;
          if (c.dims.size() > 1)
            for (uint32_t d : cuboids[cj].dims) none |= std::all_of(pruned[d].begin(), pruned[d].end(), [](uint8_t x) { return x != 0; });
          if (!none) layer.push_back(&cuboids[cj]);
        }
        build(layer);
      }
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
      // candidate moved (RiskLoc's low-risk score), in two passes over the leaves:
      // per candidate the sums after and before, then |deviation| and |g|
      std::vector<std::array<double, 4>> ripple(cands.size(), {0, 0, 0, 0});
      std::vector<int32_t> denseIndex;
      std::unordered_map<uint64_t, int32_t> hashIndex;
      if (c.dense) denseIndex.assign(c.vec.size(), -1);
      for (size_t j = 0; j < cands.size(); ++j) {
        if (c.dense) denseIndex[cands[j].first] = static_cast<int32_t>(j);
        else hashIndex[cands[j].first] = static_cast<int32_t>(j);
      }
      auto candOf = [&](uint64_t k) -> int32_t {
        if (c.dense) return denseIndex[k];
        auto it = hashIndex.find(k);
        return it == hashIndex.end() ? -1 : it->second;
      };
      for (size_t i = 0; i < N; ++i) {
        if (!alive[i] || af[i] == 0 || bf[i] == 0) continue;
        int32_t j = candOf(keyOf(i, c.dims));
        if (j >= 0) ripple[static_cast<size_t>(j)][0] += af[i], ripple[static_cast<size_t>(j)][1] += bf[i];
      }
      for (size_t i = 0; i < N; ++i) {
        if (!alive[i] || af[i] == 0 || bf[i] == 0) continue;
        int32_t j = candOf(keyOf(i, c.dims));
        if (j < 0) continue;
        auto& rp = ripple[static_cast<size_t>(j)];
        if (rp[1] == 0) continue;
        double a2 = bf[i] * rp[0] / rp[1], v = af[i];
        rp[2] += a2 + v != 0 ? std::fabs(2 * (a2 - v) / (a2 + v)) : 0;
        rp[3] += std::fabs(g[i]);
      }
      for (size_t j = 0; j < cands.size(); ++j) {
        auto [k, a] = cands[j];
        double high = a->wa / (a->wa + a->wn + lam);
        const auto& r = ripple[j];
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
      if (!alive[i] || keyOf(i, dims) != bestKey) continue;
      before += bf[i];
      after += af[i];
      alive[i] = 0;
      if (p[i]) remaining -= ep[i];
      for (auto& c : cuboids)
        if (c.built) addTo(c, i, -1);
      for (size_t d = 0; d < D; ++d) {
        if (first) common[d] = K[i * D + d];
        else if (common[d] != static_cast<int64_t>(K[i * D + d])) common[d] = -2;
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
