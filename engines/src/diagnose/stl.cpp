// STL (stl.h), following statsmodels' _stl.pyx and the fixed Fortran it
// matches: 1-based positions in the LOESS arithmetic, the inner loop run
// outer + 1 times, robustness weights from the fit before the last pass.
#include "stl.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace mtc::eng::drift {

namespace {

// One LOESS value at abscissa xs (1-based) from y[nleft..nright] (1-based);
// false when every weight is zero.
bool est(const double* y, int n, int len, int ideg, double xs, double& ys, int nleft, int nright, double* w, bool userw,
         const double* rw) {
  double range = static_cast<double>(n) - 1.0;
  double h = std::max(xs - nleft, nright - xs);
  if (len > n) h += static_cast<double>((len - n) / 2);
  double h9 = 0.999 * h, h1 = 0.001 * h;
  double a = 0;
  for (int j = nleft; j <= nright; ++j) {
    w[j - 1] = 0;
    double r = std::fabs(j - xs);
    if (r <= h9) {
      if (r <= h1) w[j - 1] = 1;
      else w[j - 1] = std::pow(1.0 - std::pow(r / h, 3), 3);
      if (userw) w[j - 1] *= rw[j - 1];
      a += w[j - 1];
    }
  }
  if (a <= 0) return false;
  for (int j = nleft; j <= nright; ++j) w[j - 1] /= a;
  if (h > 0 && ideg > 0) {
    a = 0;
    for (int j = nleft; j <= nright; ++j) a += w[j - 1] * j;
    double b = xs - a, c = 0;
    for (int j = nleft; j <= nright; ++j) c += w[j - 1] * (j - a) * (j - a);
    if (std::sqrt(c) > 0.001 * range) {
      b /= c;
      for (int j = nleft; j <= nright; ++j) w[j - 1] *= b * (j - a) + 1.0;
    }
  }
  ys = 0;
  for (int j = nleft; j <= nright; ++j) ys += w[j - 1] * y[j - 1];
  return true;
}

// LOESS of a whole series at every point (or every njump-th, interpolated).
void ess(const double* y, int n, int len, int ideg, int njump, bool userw, const double* rw, double* ys, double* res) {
  if (n < 2) {
    ys[0] = y[0];
    return;
  }
  int newnj = std::min(njump, n - 1);
  int nleft = 0, nright = 0;
  if (len >= n) {
    nleft = 1;
    nright = n;
    for (int i = 1; i <= n; i += newnj)
      if (!est(y, n, len, ideg, i, ys[i - 1], nleft, nright, res, userw, rw)) ys[i - 1] = y[i - 1];
  } else if (newnj == 1) {
    int nsh = (len + 1) / 2;
    nleft = 1;
    nright = len;
    for (int i = 1; i <= n; ++i) {
      if (i > nsh && nright != n) {
        ++nleft;
        ++nright;
      }
      if (!est(y, n, len, ideg, i, ys[i - 1], nleft, nright, res, userw, rw)) ys[i - 1] = y[i - 1];
    }
  } else {
    int nsh = (len + 1) / 2;
    for (int i = 1; i <= n; i += newnj) {
      if (i < nsh) {
        nleft = 1;
        nright = len;
      } else if (i >= n - nsh + 1) {
        nleft = n - len + 1;
        nright = n;
      } else {
        nleft = i - nsh + 1;
        nright = len + i - nsh;
      }
      if (!est(y, n, len, ideg, i, ys[i - 1], nleft, nright, res, userw, rw)) ys[i - 1] = y[i - 1];
    }
  }
  if (newnj == 1) return;
  for (int i = 1; i <= n - newnj; i += newnj) {
    double delta = (ys[i + newnj - 1] - ys[i - 1]) / newnj;
    for (int j = i + 1; j <= i + newnj - 1; ++j) ys[j - 1] = ys[i - 1] + delta * (j - i);
  }
  int k = ((n - 1) / newnj) * newnj + 1;
  if (k != n) {
    if (!est(y, n, len, ideg, n, ys[n - 1], nleft, nright, res, userw, rw)) ys[n - 1] = y[n - 1];
    if (k != n - 1) {
      double delta = (ys[n - 1] - ys[k - 1]) / (n - k);
      for (int j = k + 1; j <= n - 1; ++j) ys[j - 1] = ys[k - 1] + delta * (j - k);
    }
  }
}

// Moving average of length len: n - len + 1 values.
void ma(const double* x, int n, int len, double* ave) {
  int newn = n - len + 1;
  double flen = len, v = 0;
  for (int i = 0; i < len; ++i) v += x[i];
  ave[0] = v / flen;
  for (int j = 1; j < newn; ++j) {
    v = v - x[j - 1] + x[len + j - 1];
    ave[j] = v / flen;
  }
}

// The low-pass filter: moving averages of lengths np, np, 3.
void fts(const double* x, int n, int np, double* trend, double* work) {
  ma(x, n, np, trend);
  ma(trend, n - np + 1, np, work);
  ma(work, n - 2 * np + 2, 3, trend);
}

// Cycle-subseries smoothing, with one point extrapolated at each end: n + 2 np values.
void ss(const double* y, int n, int np, int ns, int isdeg, int nsjump, bool userw, const double* rw, double* season,
        std::vector<double>& w1, std::vector<double>& w2, std::vector<double>& w3, std::vector<double>& w4,
        std::vector<double>& w5) {
  for (int j = 1; j <= np; ++j) {
    int k = (n - j) / np + 1;
    for (int i = 1; i <= k; ++i) w1[i - 1] = y[(i - 1) * np + j - 1];
    if (userw)
      for (int i = 1; i <= k; ++i) w5[i - 1] = rw[(i - 1) * np + j - 1];
    ess(w1.data(), k, ns, isdeg, nsjump, userw, w5.data(), w2.data() + 1, w4.data());
    double xs = 0;
    int nright = std::min(ns, k);
    if (!est(w1.data(), k, ns, isdeg, xs, w2[0], 1, nright, w4.data(), userw, w5.data())) w2[0] = w2[1];
    xs = k + 1;
    int nleft = std::max(1, k - ns + 1);
    if (!est(w1.data(), k, ns, isdeg, xs, w2[k + 1], nleft, k, w4.data(), userw, w5.data())) w2[k + 1] = w2[k];
    for (int m = 1; m <= k + 2; ++m) season[(m - 1) * np + j - 1] = w2[m - 1];
  }
  (void)w3;
}

void rwts(const double* y, int n, const double* fit, double* rw) {
  std::vector<double> r(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) r[static_cast<size_t>(i)] = std::fabs(y[i] - fit[i]);
  std::vector<double> s = r;
  size_t m1 = static_cast<size_t>(n / 2), m2 = static_cast<size_t>(n - n / 2 - 1);
  std::nth_element(s.begin(), s.begin() + static_cast<ptrdiff_t>(m1), s.end());
  double a = s[m1];
  std::nth_element(s.begin(), s.begin() + static_cast<ptrdiff_t>(m2), s.end());
  double b = s[m2];
  double cmad = 3.0 * (a + b);  // 6 x the median
  if (cmad == 0) {
    std::fill(rw, rw + n, 1.0);
    return;
  }
  double c9 = 0.999 * cmad, c1 = 0.001 * cmad;
  for (int i = 0; i < n; ++i) {
    double ri = r[static_cast<size_t>(i)];
    if (ri <= c1) rw[i] = 1;
    else if (ri <= c9) rw[i] = std::pow(1.0 - std::pow(ri / cmad, 2), 2);
    else rw[i] = 0;
  }
}

}  // namespace

StlResult stl(const std::vector<double>& yv, StlOptions o) {
  const int n = static_cast<int>(yv.size()), np = o.period;
  if (np < 2 || n < 2 * np) throw std::invalid_argument("stl: the series needs at least two periods");
  auto odd = [](int v) { return v % 2 == 0 ? v + 1 : v; };
  if (o.trend <= 0) o.trend = odd(static_cast<int>(std::ceil(1.5 * np / (1.0 - 1.5 / o.seasonal))));
  if (o.lowPass <= 0) o.lowPass = odd(np + 1);
  const double* y = yv.data();
  StlResult r;
  r.trend.assign(static_cast<size_t>(n), 0.0);
  r.season.assign(static_cast<size_t>(n), 0.0);
  r.weights.assign(static_cast<size_t>(n), 1.0);
  std::vector<double> work1(static_cast<size_t>(n + 2 * np)), work2(work1.size()), work3(work1.size()), work4(work1.size()),
      work5(work1.size());
  std::vector<double> s1(static_cast<size_t>(n + 2 * np)), s2(s1.size()), s3(s1.size()), s4(s1.size()), s5(s1.size());
  bool userw = false;
  for (int pass = 0;; ++pass) {
    for (int it = 0; it < o.inner; ++it) {  // onestp
      for (int i = 0; i < n; ++i) work1[static_cast<size_t>(i)] = y[i] - r.trend[static_cast<size_t>(i)];
      ss(work1.data(), n, np, o.seasonal, o.seasonalDeg, o.seasonalJump, userw, r.weights.data(), work2.data(), s1, s2, s3, s4, s5);
      fts(work2.data(), n + 2 * np, np, work3.data(), work1.data());
      ess(work3.data(), n, o.lowPass, o.lowPassDeg, o.lowPassJump, false, work4.data(), work1.data(), work5.data());
      for (int i = 0; i < n; ++i) r.season[static_cast<size_t>(i)] = work2[static_cast<size_t>(np + i)] - work1[static_cast<size_t>(i)];
      for (int i = 0; i < n; ++i) work1[static_cast<size_t>(i)] = y[i] - r.season[static_cast<size_t>(i)];
      ess(work1.data(), n, o.trend, o.trendDeg, o.trendJump, userw, r.weights.data(), r.trend.data(), work3.data());
    }
    if (pass >= o.outer) break;
    for (int i = 0; i < n; ++i) work1[static_cast<size_t>(i)] = r.trend[static_cast<size_t>(i)] + r.season[static_cast<size_t>(i)];
    rwts(y, n, work1.data(), r.weights.data());
    userw = true;
  }
  return r;
}

}  // namespace mtc::eng::drift
