// PELT with MBIC, and TCPD's metrics (changepoint.h).
#include "changepoint.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace mtc::eng::drift {

std::vector<size_t> pelt(const std::vector<double>& raw, size_t m) {
  const size_t n = raw.size();
  if (n < 2 * m + 1) return {};
  // standardise: mean 0, sd 1 (n - 1), as TCPDBench's scale()
  double mean = std::accumulate(raw.begin(), raw.end(), 0.0) / static_cast<double>(n), ss = 0;
  for (double v : raw) ss += (v - mean) * (v - mean);
  double sd = std::sqrt(ss / static_cast<double>(n - 1));
  if (!(sd > 0)) return {};
  std::vector<double> s1(n + 1, 0), s2(n + 1, 0);
  for (size_t i = 0; i < n; ++i) {
    double y = (raw[i] - mean) / sd;
    s1[i + 1] = s1[i] + y;
    s2[i + 1] = s2[i] + y * y;
  }
  // the cost of y[s..t) (0-based): RSS + log(length) (changepoint's mbic_mean)
  auto cost = [&](size_t s, size_t t) {
    double len = static_cast<double>(t - s), x = s1[t] - s1[s], x2 = s2[t] - s2[s];
    return x2 - x * x / len + std::log(len);
  };
  const double pen = 3.0 * std::log(static_cast<double>(n));
  std::vector<double> F(n + 1, std::numeric_limits<double>::infinity());
  std::vector<size_t> last(n + 1, 0);
  F[0] = -pen;
  std::vector<size_t> check{0};
  std::vector<double> tmp;
  for (size_t t = m; t <= n; ++t) {
    tmp.assign(check.size(), 0);
    double best = std::numeric_limits<double>::infinity();
    size_t arg = 0;
    for (size_t k = 0; k < check.size(); ++k) {
      size_t s = check[k];
      if (t - s < m) {
        tmp[k] = std::numeric_limits<double>::infinity();
        continue;
      }
      tmp[k] = F[s] + cost(s, t) + pen;
      if (tmp[k] < best) best = tmp[k], arg = s;
    }
    F[t] = best;
    last[t] = arg;
    std::vector<size_t> keep;
    for (size_t k = 0; k < check.size(); ++k)
      if (!(tmp[k] > F[t] + pen) || t - check[k] < m) keep.push_back(check[k]);  // pruning (K = 0)
    if (t + 1 >= m) keep.push_back(t + 1 - m);
    std::sort(keep.begin(), keep.end());
    keep.erase(std::unique(keep.begin(), keep.end()), keep.end());
    check = std::move(keep);
  }
  std::vector<size_t> cps;
  for (size_t t = n; t > 0 && last[t] > 0; t = last[t]) cps.push_back(last[t]);
  std::sort(cps.begin(), cps.end());
  return cps;
}

std::set<size_t> tcpdTruePositives(const std::set<size_t>& truth, const std::set<size_t>& predicted, size_t margin) {
  std::set<size_t> x = predicted, tp;
  for (size_t tau : truth) {  // ascending (the reference iterates a Python set)
    size_t best = 0;
    long bestD = -1;
    for (size_t c : x) {
      long d = std::labs(static_cast<long>(tau) - static_cast<long>(c));
      if (d <= static_cast<long>(margin) && (bestD < 0 || d < bestD)) bestD = d, best = c;
    }
    if (bestD < 0) continue;
    tp.insert(tau);
    x.erase(best);
  }
  return tp;
}

double tcpdF1(const std::map<int, std::vector<size_t>>& annotations, const std::vector<size_t>& predictions, size_t margin) {
  std::set<size_t> x(predictions.begin(), predictions.end());
  x.insert(0);
  std::set<size_t> all{0};
  double recall = 0;
  for (auto& [k, cps] : annotations) {
    std::set<size_t> t(cps.begin(), cps.end());
    t.insert(0);
    all.insert(t.begin(), t.end());
    recall += static_cast<double>(tcpdTruePositives(t, x, margin).size()) / static_cast<double>(t.size());
  }
  recall /= static_cast<double>(annotations.size());
  double precision = static_cast<double>(tcpdTruePositives(all, x, margin).size()) / static_cast<double>(x.size());
  return precision * recall / (0.5 * recall + 0.5 * precision);
}

std::vector<std::set<size_t>> tcpdPartition(const std::vector<size_t>& cps, size_t n) {
  std::vector<size_t> sorted(cps);
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::set<size_t>> parts;
  size_t start = 0;
  for (size_t c : sorted) {
    if (c == 0 || c >= n || c <= start) continue;
    std::set<size_t> seg;
    for (size_t i = start; i < c; ++i) seg.insert(i);
    parts.push_back(std::move(seg));
    start = c;
  }
  std::set<size_t> seg;
  for (size_t i = start; i < n; ++i) seg.insert(i);
  parts.push_back(std::move(seg));
  return parts;
}

double tcpdCoverSingle(const std::vector<std::set<size_t>>& truth, const std::vector<std::set<size_t>>& predicted) {
  double total = 0, c = 0;
  for (auto& r : truth) total += static_cast<double>(r.size());
  for (auto& r : truth) {
    double best = 0;
    for (auto& rp : predicted) {
      size_t inter = 0;
      for (size_t v : r) inter += rp.count(v);
      size_t uni = r.size() + rp.size() - inter;
      if (uni) best = std::max(best, static_cast<double>(inter) / static_cast<double>(uni));
    }
    c += static_cast<double>(r.size()) * best;
  }
  return c / total;
}

double tcpdCover(const std::map<int, std::vector<size_t>>& annotations, const std::vector<size_t>& predictions, size_t n) {
  auto px = tcpdPartition(predictions, n);
  double sum = 0;
  for (auto& [k, cps] : annotations) sum += tcpdCoverSingle(tcpdPartition(cps, n), px);
  return sum / static_cast<double>(annotations.size());
}

}  // namespace mtc::eng::drift
