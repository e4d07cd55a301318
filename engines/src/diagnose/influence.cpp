// Least squares and Chow's test (influence.h).
#include "influence.h"

#include <boost/math/distributions/fisher_f.hpp>
#include <cmath>

namespace mtc::eng::drift {

LinearFit fitLine(const std::vector<double>& x, const std::vector<double>& y) {
  LinearFit f;
  double sx = 0, sy = 0;
  size_t n = 0;
  for (size_t i = 0; i < x.size() && i < y.size(); ++i)
    if (std::isfinite(x[i]) && std::isfinite(y[i])) sx += x[i], sy += y[i], ++n;
  if (n < 3) return f;
  double mx = sx / static_cast<double>(n), my = sy / static_cast<double>(n), sxx = 0, sxy = 0, syy = 0;
  for (size_t i = 0; i < x.size() && i < y.size(); ++i)
    if (std::isfinite(x[i]) && std::isfinite(y[i])) {
      sxx += (x[i] - mx) * (x[i] - mx);
      sxy += (x[i] - mx) * (y[i] - my);
      syy += (y[i] - my) * (y[i] - my);
    }
  if (!(sxx > 0)) return f;
  f.n = n;
  f.slope = sxy / sxx;
  f.intercept = my - f.slope * mx;
  f.rss = std::max(0.0, syy - f.slope * sxy);
  f.r2 = syy > 0 ? 1.0 - f.rss / syy : 0;
  f.slopeSe = n > 2 ? std::sqrt(f.rss / static_cast<double>(n - 2) / sxx) : 0;
  return f;
}

double fUpperTail(double f, double df1, double df2) {
  if (!(f > 0) || !(df1 > 0) || !(df2 > 0)) return 1.0;
  boost::math::fisher_f_distribution<double> d(df1, df2);
  return boost::math::cdf(boost::math::complement(d, f));
}

std::optional<BreakTest> chowTest(const std::vector<double>& x, const std::vector<double>& y, size_t at) {
  std::vector<double> x1, y1, x2, y2;
  for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
    if (!std::isfinite(x[i]) || !std::isfinite(y[i])) continue;
    (i < at ? x1 : x2).push_back(x[i]);
    (i < at ? y1 : y2).push_back(y[i]);
  }
  LinearFit pooled = fitLine(x, y), a = fitLine(x1, y1), b = fitLine(x2, y2);
  if (!pooled.n || !a.n || !b.n) return std::nullopt;
  const double k = 2, n = static_cast<double>(a.n + b.n);
  double split = a.rss + b.rss;
  if (n - 2 * k <= 0) return std::nullopt;
  BreakTest t;
  t.at = at;
  if (!(split > 0)) {  // both halves fit exactly
    t.f = pooled.rss > 0 ? INFINITY : 0;
    t.pValue = pooled.rss > 0 ? 0 : 1;
    return t;
  }
  t.f = ((pooled.rss - split) / k) / (split / (n - 2 * k));
  t.pValue = fUpperTail(t.f, k, n - 2 * k);
  return t;
}

}  // namespace mtc::eng::drift
