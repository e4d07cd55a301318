// ETS (ets.h), after /work/research/ets.md: forecast 8.20's etscalc,
// initstate, initparam, check_params/admissible, etsmodel, the model loop of
// ets() and forecast.ets's class 1/2/3 variances.
#include "ets.h"

#include <Eigen/Dense>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <mutex>
#include <numeric>
#include <string_view>
#include <unordered_map>

#include <tbb/parallel_for.h>

namespace mtc::eng::fc {

namespace {

constexpr double kLower[4] = {1e-4, 1e-4, 1e-4, 0.8};
constexpr double kUpper[4] = {0.9999, 0.9999, 0.9999, 0.98};
constexpr double kTol = 1e-10, kHuge = 1e10;

const char* letter(Comp c) { return c == Comp::N ? "N" : c == Comp::A ? "A" : "M"; }

// R's mean(): a long double sum, then one refinement pass.
double rmean(const double* x, size_t n) {
  long double s = 0;
  for (size_t i = 0; i < n; ++i) s += x[i];
  s /= static_cast<long double>(n);
  long double t = 0;
  for (size_t i = 0; i < n; ++i) t += x[i] - s;
  s += t / static_cast<long double>(n);
  return static_cast<double>(s);
}

// Least squares y = a + b x.
std::pair<double, double> lsfit(const std::vector<double>& x, const std::vector<double>& y) {
  Eigen::MatrixXd X(static_cast<Eigen::Index>(x.size()), 2);
  Eigen::VectorXd Y(static_cast<Eigen::Index>(x.size()));
  for (size_t i = 0; i < x.size(); ++i) X(static_cast<Eigen::Index>(i), 0) = 1, X(static_cast<Eigen::Index>(i), 1) = x[i], Y(static_cast<Eigen::Index>(i)) = y[i];
  Eigen::VectorXd c = X.householderQr().solve(Y);
  return {c(0), c(1)};
}

// The initial states (initstate): [l, (b), s1..s(m-1)], the last seasonal left to the sum constraint.
std::vector<double> initState(const std::vector<double>& y, int m, Comp trend, Comp season) {
  const size_t n = y.size();
  std::vector<double> seas, initSeas, ysa = y;
  int mm = 1;
  if (season != Comp::N) {
    mm = m;
    bool mult = season == Comp::M;
    if (n < 3 * static_cast<size_t>(m)) {
      // a Fourier regression: y ~ 1 + t + sin(2 pi t / m) + cos(2 pi t / m)
      bool withSin = m > 2;
      Eigen::Index k = withSin ? 4 : 3;
      Eigen::MatrixXd X(static_cast<Eigen::Index>(n), k);
      Eigen::VectorXd Y(static_cast<Eigen::Index>(n));
      for (size_t i = 0; i < n; ++i) {
        double t = static_cast<double>(i + 1);
        Eigen::Index r = static_cast<Eigen::Index>(i);
        X(r, 0) = 1, X(r, 1) = t;
        if (withSin) X(r, 2) = std::sin(2 * M_PI * t / m), X(r, 3) = std::cos(2 * M_PI * t / m);
        else X(r, 2) = std::cos(2 * M_PI * t / m);
        Y(r) = y[i];
      }
      Eigen::VectorXd c = X.householderQr().solve(Y);
      seas.resize(n);
      for (size_t i = 0; i < n; ++i) {
        double fit = c(0) + c(1) * static_cast<double>(i + 1);
        seas[i] = mult ? y[i] / fit : y[i] - fit;
      }
    } else {
      seas = decompose(y, m, mult);
    }
    for (int i = m - 1; i >= 1; --i) initSeas.push_back(seas[static_cast<size_t>(i)]);
    if (!mult) {
      for (size_t i = 0; i < n; ++i) ysa[i] = y[i] - seas[i];
    } else {
      for (double& v : initSeas) v = std::max(v, 1e-2);
      double sum = std::accumulate(initSeas.begin(), initSeas.end(), 0.0);
      if (sum > m) {
        double denom = 0;
        for (double v : initSeas) denom += v + 1e-2;
        for (double& v : initSeas) v /= denom;
      }
      for (size_t i = 0; i < n; ++i) ysa[i] = y[i] / std::max(seas[i], 1e-2);
    }
  }
  size_t maxn = std::min<size_t>(std::max<size_t>(10, 2 * static_cast<size_t>(mm)), n);
  std::vector<double> out;
  if (trend == Comp::N) {
    out.push_back(rmean(ysa.data(), maxn));
  } else {
    std::vector<double> x(maxn), yy(ysa.begin(), ysa.begin() + static_cast<std::ptrdiff_t>(maxn));
    for (size_t i = 0; i < maxn; ++i) x[i] = static_cast<double>(i + 1);
    auto [a, b] = lsfit(x, yy);
    double l0, b0;
    if (trend == Comp::A) {
      l0 = a, b0 = b;
      if (std::fabs(l0 + b0) < 1e-8) l0 *= 1 + 1e-3, b0 *= 1 - 1e-3;
    } else {
      l0 = a + b;
      if (std::fabs(l0) < 1e-8) l0 = 1e-7;
      b0 = (a + 2 * b) / l0;
      l0 = l0 / b0;
      if (std::fabs(b0) > 1e10) b0 = std::copysign(1e10, b0);
      if (l0 < 1e-8 || b0 < 1e-8) {
        l0 = std::max(ysa[0], 1e-3);
        b0 = std::max(ysa[1] / ysa[0], 1e-3);
      }
    }
    out.push_back(l0);
    out.push_back(b0);
  }
  out.insert(out.end(), initSeas.begin(), initSeas.end());
  return out;
}

// The one-step (and multi-step) forecast from a state (etscalc's forecast(),
// with forecast 8.20's damped sum for h >= 2: phi + sum_{k=1}^{h-1} phi^k).
void stepForecast(double l, double b, const double* s, int m, Comp trend, Comp season, double phi, double* f, int h) {
  double phistar = phi;
  for (int i = 0; i < h; ++i) {
    if (trend == Comp::N) f[i] = l;
    else if (trend == Comp::A) f[i] = l + phistar * b;
    else f[i] = b < 0 ? NAN : l * std::pow(b, phistar);
    int j = m - 1 - i;
    while (j < 0) j += m;
    if (season == Comp::A) f[i] += s[j];
    else if (season == Comp::M) f[i] *= s[j];
    if (i < h - 1) phistar += std::fabs(phi - 1) < kTol ? 1.0 : std::pow(phi, i + 1);
  }
}

// The state update after observing y with one-step forecast... (etscalc's update()).
void update(double& l, double& b, double* s, int m, Comp trend, Comp season, double alpha, double beta, double gamma, double phi,
            double y) {
  double q, phib;
  if (trend == Comp::N) q = l, phib = 0;
  else if (trend == Comp::A) phib = phi * b, q = l + phib;
  else phib = std::fabs(phi - 1) < kTol ? b : std::pow(b, phi), q = l * phib;
  double p;
  if (season == Comp::N) p = y;
  else if (season == Comp::A) p = y - s[m - 1];
  else p = std::fabs(s[m - 1]) < kTol ? kHuge : y / s[m - 1];
  double lOld = l;
  l = q + alpha * (p - q);
  if (trend != Comp::N) {
    double r = trend == Comp::A ? l - lOld : (std::fabs(lOld) < kTol ? kHuge : l / lOld);
    b = phib + (beta / alpha) * (r - phib);
  }
  if (season != Comp::N) {
    double t = season == Comp::A ? y - q : (std::fabs(q) < kTol ? kHuge : y / q);
    double sNew = s[m - 1] + gamma * (t - s[m - 1]);
    for (int j = m - 1; j >= 1; --j) s[j] = s[j - 1];
    s[0] = sNew;
  }
}

// Is (alpha, beta, gamma, phi) admissible (forecast's admissible())?
bool admissible(double alpha, double beta, double gamma, double phi, int m, bool hasBeta, bool hasGamma) {
  if (phi < 0 || phi > 1 + 1e-8) return false;
  if (!hasGamma) {
    if (alpha < 1 - 1 / phi || alpha > 1 + 1 / phi) return false;
    if (hasBeta && (beta < alpha * (phi - 1) || beta > (1 + phi) * (2 - alpha))) return false;
    return true;
  }
  if (m <= 1) return true;
  if (!hasBeta) beta = 0;
  double d = 1 - 1 / phi - alpha;
  if (gamma < std::max(d, 0.0) || gamma > 1 + 1 / phi - alpha) return false;
  if (alpha < 1 - 1 / phi - gamma * (1 - m + phi + phi * m) / (2 * phi * m)) return false;
  if (beta < -(1 - phi) * (gamma / m + alpha)) return false;
  // the characteristic polynomial's roots within the unit circle:
  // [1, a+b-phi, (a+b-a phi) x (m-2), a+b-a phi+g-1, phi(1-a-g)] (highest power first)
  double c[27];
  size_t nc = 0;
  c[nc++] = 1.0;
  c[nc++] = alpha + beta - phi;
  for (int i = 0; i < m - 2; ++i) c[nc++] = alpha + beta - alpha * phi;
  c[nc++] = alpha + beta - alpha * phi + gamma - 1;
  c[nc++] = phi * (1 - alpha - gamma);
  while (nc > 1 && c[nc - 1] == 0) --nc;  // roots at 0
  if (nc < 2) return true;
  // no root outside the unit circle when the other coefficients add up to at most 1 in size
  double sum = 0;
  for (size_t i = 1; i < nc; ++i) sum += std::fabs(c[i]);
  if (sum <= 1) return true;
  // Are all roots within |z| <= 1 + 1e-10 (R: max(Mod(polyroot)) <= 1 + 1e-10)?
  // On z = r w, r = 1 + 1e-10, the Schur-Cohn test that every root has |w| < 1:
  // while the degree is positive, the last coefficient must be smaller than the
  // first, and the polynomial is reduced to a_i - (a_n / a_0) a_(n-i).
  const double r = 1 + 1e-10;
  const size_t n = nc - 1;
  double bufA[27], bufB[27];
  double *a = bufA, *b = bufB;  // each reduction writes the other buffer (no copy back)
  double rp = 1;
  for (size_t i = n + 1; i-- > 0;) {
    a[i] = c[i] * rp;
    rp *= r;
  }
  for (size_t k = n; k >= 1; --k) {
    double rho = a[k] / a[0];
    if (!(std::fabs(rho) < 1)) return false;
    for (size_t i = 0; i < k; ++i) b[i] = a[i] - rho * a[k - i];
    std::swap(a, b);
  }
  return true;
}

}  // namespace

std::string EtsSpec::name() const {
  return std::string("ETS(") + letter(error) + "," + letter(trend) + (damped ? "d" : "") + "," + letter(season) + ")";
}

std::vector<double> decompose(const std::vector<double>& y, int m, bool mult) {
  const size_t n = y.size();
  std::vector<double> filt;
  if (m % 2 == 0) {
    filt.push_back(0.5);
    for (int i = 0; i < m - 1; ++i) filt.push_back(1.0);
    filt.push_back(0.5);
  } else {
    filt.assign(static_cast<size_t>(m), 1.0);
  }
  for (double& v : filt) v /= m;
  const size_t nf = filt.size(), shift = nf / 2;
  std::vector<double> trend(n, NAN);
  for (size_t i = 0; i < n; ++i) {
    if (i + shift < nf - 1 || i + shift >= n) continue;
    double z = 0;
    for (size_t j = 0; j < nf; ++j) z += filt[j] * y[i + shift - j];
    trend[i] = z;
  }
  std::vector<double> figure(static_cast<size_t>(m));
  for (int i = 0; i < m; ++i) {
    std::vector<double> vals;
    for (size_t k = static_cast<size_t>(i); k < n; k += static_cast<size_t>(m))
      if (std::isfinite(trend[k])) vals.push_back(mult ? y[k] / trend[k] : y[k] - trend[k]);
    figure[static_cast<size_t>(i)] = vals.empty() ? (mult ? 1.0 : 0.0) : rmean(vals.data(), vals.size());
  }
  double mf = rmean(figure.data(), figure.size());
  for (double& v : figure) v = mult ? v / mf : v - mf;
  std::vector<double> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = figure[i % static_cast<size_t>(m)];
  return out;
}

EtsRun runEts(const std::vector<double>& y, int m, const EtsSpec& sp, double alpha, double beta, double gamma, double phi,
              const std::vector<double>& initial) {
  EtsRun r;
  const size_t n = y.size();
  if (sp.season == Comp::N) m = 1;
  double l = initial[0], b = sp.trend != Comp::N ? initial[1] : 0;
  size_t s0 = sp.trend != Comp::N ? 2 : 1;
  std::vector<double> s(static_cast<size_t>(m), 0.0);
  if (sp.season != Comp::N)
    for (int j = 0; j < m; ++j) s[static_cast<size_t>(j)] = initial[s0 + static_cast<size_t>(j)];
  auto state = [&] {
    std::vector<double> x{l};
    if (sp.trend != Comp::N) x.push_back(b);
    if (sp.season != Comp::N) x.insert(x.end(), s.begin(), s.end());
    return x;
  };
  r.states.push_back(state());
  double sse = 0, sl = 0;
  for (size_t i = 0; i < n; ++i) {
    double f;
    stepForecast(l, b, s.data(), m, sp.trend, sp.season, phi, &f, 1);
    if (std::isnan(f)) {
      r.ok = false;
      return r;
    }
    double e = sp.error == Comp::A ? y[i] - f : (y[i] - f) / f;
    r.fitted.push_back(f);
    r.errors.push_back(e);
    sse += e * e;
    sl += std::log(std::fabs(f));
    update(l, b, s.data(), m, sp.trend, sp.season, alpha, beta, gamma, phi, y[i]);
    r.states.push_back(state());
  }
  r.lik = static_cast<double>(n) * std::log(sse) + (sp.error == Comp::M ? 2 * sl : 0);
  double se = 0;
  for (size_t i = 0; i < n; ++i) se += (y[i] - r.fitted[i]) * (y[i] - r.fitted[i]);
  r.mse = se / static_cast<double>(n);
  return r;
}

// The objective's recursion: -2 log likelihood (and the mean squared error), no
// states kept (the optimiser calls it thousands of times), the components fixed
// at compile time so the step is branch-free; false when a forecast is undefined.
// The arithmetic is stepForecast's and update()'s, operation for operation.
template <Comp E, Comp T, Comp S>
bool likelihoodOf(const std::vector<double>& y, int m, double alpha, double beta, double gamma, double phi,
                  const std::vector<double>& initial, double& lik, double& mse) {
  const size_t n = y.size();
  double l = initial[0], b = T != Comp::N ? initial[1] : 0;
  const size_t s0 = T != Comp::N ? 2 : 1;
  // the seasonal states in a ring: s[j] is ring[(base + j) % m], so s[m-1] (the
  // oldest) is replaced by the new one, which becomes s[0], without shifting
  double ring[25] = {0};
  if constexpr (S != Comp::N)
    for (int j = 0; j < m; ++j) ring[j] = initial[s0 + static_cast<size_t>(j)];
  else
    m = 1;
  int base = 0;
  const double betaOverAlpha = beta / alpha;
  const bool phiOne = std::fabs(phi - 1) < kTol;
  double sse = 0, se = 0, mant = 1;
  long exps = 0;
  for (size_t i = 0; i < n; ++i) {
    // the one-step forecast
    double f;
    if constexpr (T == Comp::N) f = l;
    else if constexpr (T == Comp::A) f = l + phi * b;
    else f = b < 0 ? NAN : l * std::pow(b, phi);
    const int oldest = base + m - 1 < m ? base + m - 1 : base - 1;
    const double sm = ring[oldest];
    if constexpr (S == Comp::A) f += sm;
    else if constexpr (S == Comp::M) f *= sm;
    if (std::isnan(f)) return false;
    const double yi = y[i];
    double e = E == Comp::M ? (yi - f) / f : yi - f;
    sse += e * e;
    se += (yi - f) * (yi - f);
    if constexpr (E == Comp::M) {
      int ex;
      mant = std::frexp(mant * std::fabs(f), &ex);
      exps += ex;
    }
    // the update
    double q, phib;
    if constexpr (T == Comp::N) q = l, phib = 0;
    else if constexpr (T == Comp::A) phib = phi * b, q = l + phib;
    else phib = phiOne ? b : std::pow(b, phi), q = l * phib;
    double p;
    if constexpr (S == Comp::N) p = yi;
    else if constexpr (S == Comp::A) p = yi - sm;
    else p = std::fabs(sm) < kTol ? kHuge : yi / sm;
    const double lOld = l;
    l = q + alpha * (p - q);
    if constexpr (T != Comp::N) {
      double r = T == Comp::A ? l - lOld : (std::fabs(lOld) < kTol ? kHuge : l / lOld);
      b = phib + betaOverAlpha * (r - phib);
    }
    if constexpr (S != Comp::N) {
      double t = S == Comp::A ? yi - q : (std::fabs(q) < kTol ? kHuge : yi / q);
      ring[oldest] = sm + gamma * (t - sm);
      base = oldest;
    }
  }
  double sl = E == Comp::M ? std::log(mant) + static_cast<double>(exps) * 0.69314718055994530942 : 0;
  lik = static_cast<double>(n) * std::log(sse) + (E == Comp::M ? 2 * sl : 0);
  mse = se / static_cast<double>(n);
  return true;
}

using LikFn = bool (*)(const std::vector<double>&, int, double, double, double, double, const std::vector<double>&, double&, double&);

template <Comp E, Comp T>
LikFn bySeason(Comp s) {
  switch (s) {
    case Comp::N: return likelihoodOf<E, T, Comp::N>;
    case Comp::A: return likelihoodOf<E, T, Comp::A>;
    case Comp::M: return likelihoodOf<E, T, Comp::M>;
  }
  return nullptr;
}
template <Comp E>
LikFn byTrend(Comp t, Comp s) {
  switch (t) {
    case Comp::N: return bySeason<E, Comp::N>(s);
    case Comp::A: return bySeason<E, Comp::A>(s);
    case Comp::M: return bySeason<E, Comp::M>(s);
  }
  return nullptr;
}
LikFn likelihoodFor(const EtsSpec& sp) {
  switch (sp.error) {
    case Comp::N: return nullptr;
    case Comp::A: return byTrend<Comp::A>(sp.trend, sp.season);
    case Comp::M: return byTrend<Comp::M>(sp.trend, sp.season);
  }
  return nullptr;
}

std::optional<EtsFit> fitEts(const std::vector<double>& y, int mIn, const EtsSpec& sp, Criterion crit) {
  const size_t n = y.size();
  if (n < 4) return std::nullopt;
  // forbidden and impossible combinations (restrict = TRUE)
  if (sp.error == Comp::A && (sp.trend == Comp::M || sp.season == Comp::M)) return std::nullopt;
  if (sp.error == Comp::M && sp.trend == Comp::M && sp.season == Comp::A) return std::nullopt;
  if (sp.trend == Comp::N && sp.damped) return std::nullopt;
  bool positive = std::all_of(y.begin(), y.end(), [](double v) { return v > 0; });
  if ((sp.error == Comp::M || sp.trend == Comp::M || sp.season == Comp::M) && !positive) return std::nullopt;
  if (sp.season != Comp::N && (mIn <= 1 || mIn > 24 || n <= static_cast<size_t>(mIn))) return std::nullopt;
  const int m = sp.season != Comp::N ? mIn : 1;
  const bool hasBeta = sp.trend != Comp::N, hasGamma = sp.season != Comp::N, hasPhi = sp.damped;
  // start values (initparam)
  double upper[4] = {kUpper[0], kUpper[1], kUpper[2], kUpper[3]};
  std::vector<double> par;
  double alpha = kLower[0] + 0.2 * (upper[0] - kLower[0]) / m;
  if (alpha > 1 || alpha < 0) alpha = kLower[0] + 2e-3;
  par.push_back(alpha);
  if (hasBeta) {
    upper[1] = std::min(upper[1], alpha);
    double beta = kLower[1] + 0.1 * (upper[1] - kLower[1]);
    if (beta < 0 || beta > alpha) beta = alpha - 1e-3;
    par.push_back(beta);
  }
  if (hasGamma) {
    upper[2] = std::min(upper[2], 1 - alpha);
    double gamma = kLower[2] + 0.05 * (upper[2] - kLower[2]);
    if (gamma < 0 || gamma > 1 - alpha) gamma = 1 - alpha - 1e-3;
    par.push_back(gamma);
  }
  if (hasPhi) {
    double phi = kLower[3] + 0.99 * (upper[3] - kLower[3]);
    if (phi < 0 || phi > 1) phi = upper[3] - 1e-3;
    par.push_back(phi);
  }
  const size_t nsmooth = par.size();
  std::vector<double> x0 = initState(y, mIn, sp.trend, sp.season);
  par.insert(par.end(), x0.begin(), x0.end());
  if (par.size() >= n - 1) return std::nullopt;
  const size_t trendStates = hasBeta ? 1 : 0;
  auto unpack = [&](const std::vector<double>& p, double& a, double& bb, double& g, double& ph, std::vector<double>& st) {
    size_t k = 0;
    a = p[k++];
    bb = hasBeta ? p[k++] : 0;
    g = hasGamma ? p[k++] : 0;
    ph = hasPhi ? p[k++] : 1;
    st.assign(p.begin() + static_cast<std::ptrdiff_t>(nsmooth), p.end());
    if (hasGamma) {
      double sum = 0;
      for (size_t i = 1 + trendStates; i < st.size(); ++i) sum += st[i];
      st.push_back(m * (sp.season == Comp::M ? 1.0 : 0.0) - sum);
    }
  };
  std::vector<double> st;
  const LikFn likFn = likelihoodFor(sp);
  auto target = [&](const std::vector<double>& p) -> double {
    double a, bb, g, ph;
    unpack(p, a, bb, g, ph, st);
    // the usual bounds, for the parameters being estimated
    if (a < kLower[0] || a > kUpper[0]) return INFINITY;
    if (hasBeta && (bb < kLower[1] || bb > a || bb > kUpper[1])) return INFINITY;
    if (hasPhi && (ph < kLower[3] || ph > kUpper[3])) return INFINITY;
    if (hasGamma && (g < kLower[2] || g > 1 - a || g > kUpper[2])) return INFINITY;
    if (!admissible(a, bb, g, ph, m, hasBeta, hasGamma)) return INFINITY;
    if (sp.season == Comp::M)
      for (size_t i = 1 + trendStates; i < st.size(); ++i)
        if (st[i] < 0) return INFINITY;
    double lik, mse;
    if (!likFn(y, m, a, bb, g, ph, st, lik, mse)) return INFINITY;
    double v = crit == Criterion::Lik ? lik : mse;
    if (crit == Criterion::Lik && v < -1e10) v = -1e10;
    if (std::isnan(v)) return INFINITY;
    return v;
  };
  NelderMead nm = nmmin(par, target);
  if (nm.fail == -1) return std::nullopt;
  EtsFit f;
  f.spec = sp;
  f.m = m;
  f.n = n;
  f.optimizerFail = nm.fail;
  unpack(nm.x, f.alpha, f.beta, f.gamma, f.phi, f.initial);
  EtsRun run = runEts(y, m, sp, f.alpha, f.beta, f.gamma, f.phi, f.initial);
  if (!run.ok) return std::nullopt;
  f.lik = run.lik;
  f.fitted = run.fitted;
  f.residuals = run.errors;
  f.last = run.states.back();
  f.parameters = nm.x.size();
  double sse = 0;
  for (double e : run.errors) sse += e * e;
  f.sigma2 = sse / static_cast<double>(n - f.parameters);
  double np = static_cast<double>(f.parameters + 1), nn = static_cast<double>(n);
  f.aic = f.lik + 2 * np;
  f.bic = f.lik + std::log(nn) * np;
  f.aicc = f.aic + 2 * np * (np + 1) / (nn - np - 1);
  return f;
}

namespace {

std::optional<EtsFit> selectEts(const std::vector<double>& y, int m);

// The fits a process has made, by season and history (bit for bit). One run
// forecasts the same inputs in several statements (forecast, simulate, seek,
// recommend, optimize), and auto forecasting fits ETS to the same held-out
// history for every horizon: the selection is a pure function of (y, m), so a
// fit made once is reused with the same bits. Bounded, for long-lived processes
// (the language server): emptied when it holds more than kCacheValues numbers.
struct EtsCache {
  struct Key {
    int m;
    std::vector<double> y;
    bool operator==(const Key& o) const {
      return m == o.m && y.size() == o.y.size() && std::memcmp(y.data(), o.y.data(), y.size() * sizeof(double)) == 0;
    }
  };
  struct Hash {
    size_t operator()(const Key& k) const {
      return std::hash<std::string_view>()(std::string_view(reinterpret_cast<const char*>(k.y.data()), k.y.size() * sizeof(double))) ^
             static_cast<size_t>(k.m) * 0x9e3779b97f4a7c15ull;
    }
  };
  static constexpr size_t kCacheValues = size_t{1} << 22;
  std::mutex mu;
  std::unordered_map<Key, std::optional<EtsFit>, Hash> fits;
  size_t values = 0;
  std::atomic<size_t> made{0};
};

EtsCache& etsCache() {
  static EtsCache c;
  return c;
}

}  // namespace

std::optional<EtsFit> autoEts(const std::vector<double>& y, int m) {
  EtsCache& c = etsCache();
  EtsCache::Key key{m, y};
  {
    std::lock_guard lock(c.mu);
    auto it = c.fits.find(key);
    if (it != c.fits.end()) return it->second;
  }
  std::optional<EtsFit> fit = selectEts(y, m);  // outside the lock: fits run in parallel
  c.made.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(c.mu);
  const size_t size = y.size() + (fit ? fit->fitted.size() * 2 + fit->initial.size() + fit->last.size() : 0);
  if (c.values + size > EtsCache::kCacheValues) c.fits.clear(), c.values = 0;
  if (c.fits.emplace(std::move(key), fit).second) c.values += size;
  return fit;
}

size_t etsSelectionsMade() { return etsCache().made.load(std::memory_order_relaxed); }

namespace {

std::optional<EtsFit> selectEts(const std::vector<double>& y, int m) {
  const bool positive = std::all_of(y.begin(), y.end(), [](double v) { return v > 0; });
  std::vector<Comp> seasons{Comp::N};
  if (m > 1 && m <= 24 && y.size() > static_cast<size_t>(m)) seasons = {Comp::N, Comp::A, Comp::M};
  std::vector<EtsSpec> specs;  // in ets()'s loop order: the first wins a tie
  for (Comp e : {Comp::A, Comp::M})
    for (Comp t : {Comp::N, Comp::A})
      for (Comp s : seasons)
        for (bool d : {true, false}) {
          if (t == Comp::N && d) continue;
          if (e == Comp::A && s == Comp::M) continue;
          if (e == Comp::M && !positive) continue;
          specs.push_back(EtsSpec{e, t, s, d});
        }
  // the fits are independent: both cores, the choice in loop order as above
  std::vector<std::optional<EtsFit>> fits(specs.size());
  tbb::parallel_for(size_t{0}, specs.size(), [&](size_t i) { fits[i] = fitEts(y, m, specs[i]); });
  std::optional<EtsFit> best;
  for (auto& f : fits) {
    if (!f || !std::isfinite(f->aicc)) continue;
    if (!best || f->aicc < best->aicc) best = std::move(f);
  }
  return best;
}

}  // namespace

std::vector<double> pointForecast(const EtsFit& f, int h) {
  const EtsSpec& sp = f.spec;
  double l = f.last[0], b = sp.trend != Comp::N ? f.last[1] : 0;
  const double* s = sp.season != Comp::N ? f.last.data() + (sp.trend != Comp::N ? 2 : 1) : nullptr;
  std::vector<double> zeros(static_cast<size_t>(f.m), 0.0);
  std::vector<double> out(static_cast<size_t>(h));
  // the textbook damped sum phi + ... + phi^h (the recursion, h times)
  double phistar = 0, pw = 1;
  for (int i = 0; i < h; ++i) {
    pw *= sp.damped ? f.phi : 1.0;
    phistar += sp.damped ? pw : 1.0;
    double v = sp.trend == Comp::N ? l : sp.trend == Comp::A ? l + phistar * b : l * std::pow(b, phistar);
    if (sp.season != Comp::N) {
      int j = f.m - 1 - i;
      while (j < 0) j += f.m;
      v = sp.season == Comp::A ? v + s[j] : v * s[j];
    }
    out[static_cast<size_t>(i)] = v;
  }
  (void)zeros;
  return out;
}

std::optional<EtsForecast> forecastEts(const EtsFit& f, int h) {
  const EtsSpec& sp = f.spec;
  if (sp.trend == Comp::M) return std::nullopt;
  const int m = f.m;
  const double sigma2 = f.sigma2;
  const bool trend = sp.trend != Comp::N;
  const double phi = sp.damped ? f.phi : 1.0;
  EtsForecast out;
  out.mean.resize(static_cast<size_t>(h));
  out.variance.resize(static_cast<size_t>(h));
  const Eigen::Index p = static_cast<Eigen::Index>(f.last.size());
  Eigen::VectorXd x(p);
  for (Eigen::Index i = 0; i < p; ++i) x(i) = f.last[static_cast<size_t>(i)];
  if (sp.season != Comp::M) {
    // class 1 (additive error) and class 2 (multiplicative error): linear state
    Eigen::RowVectorXd H = Eigen::RowVectorXd::Zero(p);
    Eigen::MatrixXd F = Eigen::MatrixXd::Zero(p, p);
    Eigen::VectorXd G = Eigen::VectorXd::Zero(p);
    H(0) = 1;
    F(0, 0) = 1;
    G(0) = f.alpha;
    if (trend) {
      H(1) = phi;
      F(0, 1) = phi;
      F(1, 1) = phi;
      G(1) = f.beta;
    }
    if (sp.season == Comp::A) {
      H(p - 1) = 1;
      F(p - m, p - 1) = 1;
      for (Eigen::Index k = 0; k < m - 1; ++k) F(p - m + 1 + k, p - m + k) = 1;
      // forecast <= 9.0.2 writes gamma into row 3 whatever the trend: for a model
      // without trend (ANA, MNA) that is the second seasonal state, so gamma
      // enters one step early; reproduced to match R's intervals
      G(2) = f.gamma;
    }
    std::vector<double> c(static_cast<size_t>(h), 0.0), mu(static_cast<size_t>(h));
    Eigen::MatrixXd Fj = Eigen::MatrixXd::Identity(p, p);
    for (int j = 0; j < h; ++j) {
      mu[static_cast<size_t>(j)] = (H * Fj * x)(0);
      c[static_cast<size_t>(j)] = (H * Fj * G)(0);  // c_{j+1} = H F^j G
      Fj = Fj * F;
    }
    for (int i = 0; i < h; ++i) {
      out.mean[static_cast<size_t>(i)] = mu[static_cast<size_t>(i)];
      if (sp.error == Comp::A) {
        double v = 1;
        for (int j = 1; j < i + 1; ++j) v += c[static_cast<size_t>(j - 1)] * c[static_cast<size_t>(j - 1)];
        out.variance[static_cast<size_t>(i)] = sigma2 * v;
      }
    }
    if (sp.error == Comp::M) {
      std::vector<double> theta(static_cast<size_t>(h));
      for (int i = 0; i < h; ++i) {
        double t = mu[static_cast<size_t>(i)] * mu[static_cast<size_t>(i)];
        for (int j = 1; j < i + 1; ++j) t += sigma2 * c[static_cast<size_t>(j - 1)] * c[static_cast<size_t>(j - 1)] * theta[static_cast<size_t>(i - j)];
        theta[static_cast<size_t>(i)] = t;
        out.variance[static_cast<size_t>(i)] = (1 + sigma2) * t - mu[static_cast<size_t>(i)] * mu[static_cast<size_t>(i)];
      }
    }
    return out;
  }
  if (sp.error == Comp::A) return std::nullopt;  // additive error with multiplicative season: simulated in R
  // class 3: multiplicative error and season, trend N or A(d)
  const Eigen::Index k = trend ? 2 : 1;
  Eigen::RowVectorXd H1 = Eigen::RowVectorXd::Ones(k);  // [1] or [1, 1] (R's, not [1, phi])
  Eigen::RowVectorXd H2 = Eigen::RowVectorXd::Zero(m);
  H2(m - 1) = 1;
  Eigen::MatrixXd F1(k, k), G1(k, k);
  if (trend) {
    F1 << 1, 1, 0, phi;
    G1 << f.alpha, f.alpha, f.beta, f.beta;
  } else {
    F1 << 1;
    G1 << f.alpha;
  }
  Eigen::MatrixXd F2 = Eigen::MatrixXd::Zero(m, m), G2 = Eigen::MatrixXd::Zero(m, m);
  F2(0, m - 1) = 1;
  for (Eigen::Index i = 1; i < m; ++i) F2(i, i - 1) = 1;
  G2(0, m - 1) = f.gamma;
  auto kron = [](const Eigen::MatrixXd& A, const Eigen::MatrixXd& B) {
    Eigen::MatrixXd K(A.rows() * B.rows(), A.cols() * B.cols());
    for (Eigen::Index i = 0; i < A.rows(); ++i)
      for (Eigen::Index j = 0; j < A.cols(); ++j) K.block(i * B.rows(), j * B.cols(), B.rows(), B.cols()) = A(i, j) * B;
    return K;
  };
  Eigen::MatrixXd H21 = kron(H2, H1), F21 = kron(F2, F1), G21 = kron(G2, G1), K = kron(G2, F1) + kron(F2, G1);
  Eigen::MatrixXd Mh(k, m);
  for (Eigen::Index i = 0; i < k; ++i)
    for (Eigen::Index j = 0; j < m; ++j) Mh(i, j) = x(i) * x(k + j);
  const Eigen::Index km = k * m;
  Eigen::MatrixXd Vh = Eigen::MatrixXd::Zero(km, km);
  for (int i = 0; i < h; ++i) {
    double mu = (H1 * Mh * H2.transpose())(0, 0);
    double var = (1 + sigma2) * (H21 * Vh * H21.transpose())(0, 0) + sigma2 * mu * mu;
    out.mean[static_cast<size_t>(i)] = mu;
    out.variance[static_cast<size_t>(i)] = var;
    Eigen::VectorXd v = Eigen::Map<Eigen::VectorXd>(Mh.data(), km);  // column-major, as R's vec
    Eigen::MatrixXd vv = v * v.transpose();
    Eigen::MatrixXd VhNew = F21 * Vh * F21.transpose() +
                            sigma2 * (F21 * Vh * G21.transpose() + G21 * Vh * F21.transpose() + K * (Vh + vv) * K.transpose() +
                                      sigma2 * G21 * (3 * Vh + 2 * vv) * G21.transpose());
    Mh = F1 * Mh * F2.transpose() + sigma2 * G1 * Mh * G2.transpose();
    Vh = VhNew;
  }
  return out;
}

void simulateEts(const EtsFit& f, const std::vector<double>& errors, double* path) {
  const EtsSpec& sp = f.spec;
  double l = f.last[0], b = sp.trend != Comp::N ? f.last[1] : 0;
  std::vector<double> s;
  if (sp.season != Comp::N) s.assign(f.last.begin() + (sp.trend != Comp::N ? 2 : 1), f.last.end());
  else s.assign(1, 0.0);
  const int m = sp.season != Comp::N ? f.m : 1;
  for (size_t i = 0; i < errors.size(); ++i) {
    double fc;
    stepForecast(l, b, s.data(), m, sp.trend, sp.season, f.phi, &fc, 1);
    double e = errors[i];
    double y = sp.error == Comp::A ? fc + e : fc * (1 + std::max(-1.0, e));
    path[i] = y;
    update(l, b, s.data(), m, sp.trend, sp.season, f.alpha, f.beta, f.gamma, f.phi, y);
  }
}

void simulateEts(const EtsFit& f, int h, std::mt19937_64& rng, double* path) {
  std::normal_distribution<double> noise(0.0, std::sqrt(std::max(f.sigma2, 0.0)));
  std::vector<double> e(static_cast<size_t>(h));
  for (double& x : e) x = noise(rng);
  simulateEts(f, e, path);
}

}  // namespace mtc::eng::fc
