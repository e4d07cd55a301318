// Seasonal ARIMA (arima.h): stats::arima's CSS-ML fit, forecast::Arima's
// conventions and auto.arima's stepwise search, written from R's documented
// behaviour (/work/research/forecast_methods.md section 3) and checked against
// R's numbers in tests/unit/forecast_test.cpp.
#include "arima.h"

#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "diagnose/stl.h"

namespace mtc::eng::fc {

namespace {

constexpr double kKappa = 1e6;  // the differencing states' prior variance, relative to sigma^2
constexpr double kInf = std::numeric_limits<double>::infinity();

struct FitFailed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// ---------------------------------------------------------------- polynomials

// The moduli of the roots of c0 + c1 z + ... + ck z^k (ck != 0), as polyroot.
std::vector<std::complex<double>> roots(const std::vector<double>& c) {
  const Eigen::Index k = static_cast<Eigen::Index>(c.size()) - 1;
  if (k < 1) return {};
  Eigen::MatrixXd comp = Eigen::MatrixXd::Zero(k, k);
  for (Eigen::Index i = 0; i < k; ++i) comp(0, i) = -c[static_cast<size_t>(k - 1 - i)] / c[static_cast<size_t>(k)];
  for (Eigen::Index i = 1; i < k; ++i) comp(i, i - 1) = 1;
  Eigen::EigenSolver<Eigen::MatrixXd> es(comp, false);
  std::vector<std::complex<double>> r;
  for (Eigen::Index i = 0; i < k; ++i) r.push_back(es.eigenvalues()(i));
  return r;
}

double minRootModulus(const std::vector<double>& c) {
  double m = kInf;
  for (auto& z : roots(c)) m = std::min(m, std::abs(z));
  return m;
}

// stats::arima's arCheck: every root of 1 - ar1 z - ... outside the unit circle.
bool arStationary(const double* ar, int p) {
  int last = 0;
  for (int i = 0; i < p; ++i)
    if (ar[i] != 0) last = i + 1;
  if (!last) return true;
  std::vector<double> c{1.0};
  for (int i = 0; i < last; ++i) c.push_back(-ar[i]);
  for (auto& z : roots(c))
    if (!(std::abs(z) > 1)) return false;
  return true;
}

// stats::arima's maInvert: roots inside the unit circle reflected outside.
void maInvert(double* ma, int q) {
  int q0 = 0;
  for (int i = 0; i < q; ++i)
    if (ma[i] != 0) q0 = i + 1;
  if (!q0) return;
  std::vector<double> c{1.0};
  for (int i = 0; i < q0; ++i) c.push_back(ma[i]);
  auto rs = roots(c);
  bool any = false;
  for (auto& z : rs)
    if (std::abs(z) < 1) any = true;
  if (!any) return;
  if (q0 == 1) {
    ma[0] = 1 / ma[0];
    for (int i = 1; i < q; ++i) ma[i] = 0;
    return;
  }
  for (auto& z : rs)
    if (std::abs(z) < 1) z = 1.0 / z;
  // prod (1 - z / r) over the roots
  std::vector<std::complex<double>> x{1.0};
  for (auto& r : rs) {
    std::vector<std::complex<double>> nx(x.size() + 1, 0.0);
    for (size_t i = 0; i < x.size(); ++i) nx[i] += x[i], nx[i + 1] -= x[i] / r;
    x = std::move(nx);
  }
  for (int i = 0; i < q0; ++i) ma[i] = x[static_cast<size_t>(i) + 1].real();
  for (int i = q0; i < q; ++i) ma[i] = 0;
}

// ------------------------------------------------ the PACF transform of AR parts

// (-inf, inf)^p to the stationary region: tanh to partial autocorrelations,
// then the Durbin-Levinson recursion to AR coefficients.
void toStationary(int p, const double* raw, double* out) {
  std::vector<double> work(static_cast<size_t>(p));
  for (int j = 0; j < p; ++j) out[j] = work[static_cast<size_t>(j)] = std::tanh(raw[j]);
  for (int j = 1; j < p; ++j) {
    double a = out[j];
    for (int k = 0; k < j; ++k) work[static_cast<size_t>(k)] -= a * out[j - k - 1];
    for (int k = 0; k < j; ++k) out[k] = work[static_cast<size_t>(k)];
  }
}

void fromStationary(int p, const double* phi, double* out) {
  std::vector<double> work(static_cast<size_t>(p));
  for (int j = 0; j < p; ++j) out[j] = work[static_cast<size_t>(j)] = phi[j];
  for (int j = p - 1; j > 0; --j) {
    double a = out[j];
    for (int k = 0; k < j; ++k) work[static_cast<size_t>(k)] = (out[k] + a * out[j - k - 1]) / (1 - a * a);
    for (int k = 0; k < j; ++k) out[k] = work[static_cast<size_t>(k)];
  }
  for (int j = 0; j < p; ++j) out[j] = std::atanh(out[j]);
}

struct Layout {
  int p, q, P, Q, m;
  int narma() const { return p + q + P + Q; }
};

// The AR blocks of a parameter vector mapped through the transform.
std::vector<double> undo(const std::vector<double>& par, const Layout& L) {
  std::vector<double> out = par;
  if (L.p > 0) toStationary(L.p, par.data(), out.data());
  if (L.P > 0) toStationary(L.P, par.data() + L.p + L.q, out.data() + L.p + L.q);
  return out;
}

// The expanded polynomials phi (p + mP) and theta (q + mQ) of a parameter vector.
void expand(const std::vector<double>& in, const Layout& L, bool trans, std::vector<double>& phi, std::vector<double>& theta) {
  std::vector<double> par = trans ? undo(in, L) : in;
  const int m = L.m, np = L.p + m * L.P, nq = L.q + m * L.Q;
  phi.assign(static_cast<size_t>(np), 0.0);
  theta.assign(static_cast<size_t>(nq), 0.0);
  for (int i = 0; i < L.p; ++i) phi[static_cast<size_t>(i)] = par[static_cast<size_t>(i)];
  for (int i = 0; i < L.q; ++i) theta[static_cast<size_t>(i)] = par[static_cast<size_t>(L.p + i)];
  for (int j = 0; j < L.P; ++j) {
    double s = par[static_cast<size_t>(L.p + L.q + j)];
    phi[static_cast<size_t>((j + 1) * m - 1)] += s;
    for (int i = 0; i < L.p; ++i) phi[static_cast<size_t>((j + 1) * m + i)] -= par[static_cast<size_t>(i)] * s;
  }
  for (int j = 0; j < L.Q; ++j) {
    double s = par[static_cast<size_t>(L.p + L.q + L.P + j)];
    theta[static_cast<size_t>((j + 1) * m - 1)] += s;
    for (int i = 0; i < L.q; ++i) theta[static_cast<size_t>((j + 1) * m + i)] += par[static_cast<size_t>(L.p + i)] * s;
  }
}

// ------------------------------------------------------------- the state space

// Harvey's form: r = max(p, q + 1) ARMA states, then dd = d + mD past levels.
struct StateSpace {
  int p = 0, r = 1, dd = 0, rd = 1;
  std::vector<double> phi, R;                // R = (1, theta, 0...) over the r ARMA states
  std::vector<std::pair<int, double>> delta;  // nonzero differencing coefficients (index < dd)
  std::vector<double> a, P, Pn;              // rd, rd x rd (row-major; symmetric)
};

// The stationary covariance of the ARMA states: Q0 = T Q0 T' + R R', by doubling.
void stationaryCovariance(const StateSpace& s, double* out) {
  const int r = s.r, p = s.p;
  if (r == 1) {
    out[0] = p > 0 ? 1 / (1 - s.phi[0] * s.phi[0]) : 1;
    return;
  }
  Eigen::MatrixXd T = Eigen::MatrixXd::Zero(r, r);
  for (int i = 0; i < p; ++i) T(i, 0) = s.phi[static_cast<size_t>(i)];
  for (int i = 0; i + 1 < r; ++i) T(i, i + 1) = 1;
  Eigen::VectorXd R(r);
  for (int i = 0; i < r; ++i) R(i) = s.R[static_cast<size_t>(i)];
  Eigen::MatrixXd Q = R * R.transpose(), A = T;
  for (int it = 0; it < 100; ++it) {
    Eigen::MatrixXd next = Q + A * Q * A.transpose();
    A = A * A;
    double change = (next - Q).cwiseAbs().maxCoeff(), scale = next.cwiseAbs().maxCoeff();
    Q = std::move(next);
    if (!(change > 1e-16 * scale) || A.cwiseAbs().maxCoeff() == 0) break;
  }
  for (int i = 0; i < r; ++i)
    for (int j = 0; j < r; ++j) out[i * r + j] = 0.5 * (Q(i, j) + Q(j, i));
}

StateSpace makeStateSpace(const std::vector<double>& phi, const std::vector<double>& theta, const std::vector<double>& delta) {
  StateSpace s;
  s.p = static_cast<int>(phi.size());
  const int q = static_cast<int>(theta.size());
  s.r = std::max(s.p, q + 1);
  s.dd = static_cast<int>(delta.size());
  s.rd = s.r + s.dd;
  s.phi = phi;
  s.R.assign(static_cast<size_t>(s.r), 0.0);
  s.R[0] = 1;
  for (int i = 0; i < q; ++i) s.R[static_cast<size_t>(i) + 1] = theta[static_cast<size_t>(i)];
  for (int k = 0; k < s.dd; ++k)
    if (delta[static_cast<size_t>(k)] != 0) s.delta.push_back({k, delta[static_cast<size_t>(k)]});
  const size_t rd = static_cast<size_t>(s.rd);
  s.a.assign(rd, 0.0);
  s.P.assign(rd * rd, 0.0);
  s.Pn.assign(rd * rd, 0.0);
  std::vector<double> q0(static_cast<size_t>(s.r * s.r));
  stationaryCovariance(s, q0.data());
  for (int i = 0; i < s.r; ++i)
    for (int j = 0; j < s.r; ++j) s.Pn[static_cast<size_t>(i) * rd + static_cast<size_t>(j)] = q0[static_cast<size_t>(i * s.r + j)];
  for (int k = 0; k < s.dd; ++k) s.Pn[static_cast<size_t>(s.r + k) * (rd + 1)] = kKappa;
  return s;
}

// a <- T a
void predictState(const StateSpace& s, const double* a, double* out) {
  const int r = s.r, p = s.p;
  for (int i = 0; i < r; ++i) out[i] = (i < r - 1 ? a[i + 1] : 0.0) + (i < p ? s.phi[static_cast<size_t>(i)] * a[0] : 0.0);
  if (s.dd > 0) {
    double t = a[0];
    for (auto& [k, dk] : s.delta) t += dk * a[r + k];
    for (int k = s.dd - 1; k >= 1; --k) out[r + k] = a[r + k - 1];
    out[r] = t;
  }
}

// Pnew <- T P T' + R R' (mm a scratch rd x rd)
void predictCovariance(const StateSpace& s, const double* P, double* Pnew, double* mm) {
  const int r = s.r, p = s.p, rd = s.rd;
  // mm = T P, row by row
  for (int i = 0; i < r; ++i) {
    double* row = mm + i * rd;
    const double ph = i < p ? s.phi[static_cast<size_t>(i)] : 0.0;
    const double* next = i < r - 1 ? P + (i + 1) * rd : nullptr;
    for (int j = 0; j < rd; ++j) row[j] = ph * P[j] + (next ? next[j] : 0.0);
  }
  if (s.dd > 0) {
    double* row = mm + r * rd;
    for (int j = 0; j < rd; ++j) row[j] = P[j];
    for (auto& [k, dk] : s.delta)
      for (int j = 0; j < rd; ++j) row[j] += dk * P[(r + k) * rd + j];
    for (int k = 1; k < s.dd; ++k) std::copy(P + (r + k - 1) * rd, P + (r + k) * rd, mm + (r + k) * rd);
  }
  // Pnew = mm T', column by column: Pnew[i][j] = sum_k mm[i][k] T[j][k]
  for (int i = 0; i < rd; ++i) {
    const double* mi = mm + i * rd;
    double* out = Pnew + i * rd;
    for (int j = 0; j < r; ++j) out[j] = (j < p ? s.phi[static_cast<size_t>(j)] * mi[0] : 0.0) + (j < r - 1 ? mi[j + 1] : 0.0);
    if (s.dd > 0) {
      double t = mi[0];
      for (auto& [k, dk] : s.delta) t += dk * mi[r + k];
      for (int k = s.dd - 1; k >= 1; --k) out[r + k] = mi[r + k - 1];
      out[r] = t;
    }
  }
  for (int i = 0; i < r; ++i)
    for (int j = 0; j < r; ++j) Pnew[i * rd + j] += s.R[static_cast<size_t>(i)] * s.R[static_cast<size_t>(j)];
}

struct Likelihood {
  double ssq = 0, sumlog = 0;
  int nu = 0;
};

// The Kalman filter over y from the model's a and Pn (ARIMA_Like): innovations
// with a variance (gain) below 1e4 enter the likelihood; the differencing
// states' diffuse start keeps the first d + mD out. Leaves a and P filtered at
// the end; standardised residuals to `resid` when given.
Likelihood kalman(const std::vector<double>& y, StateSpace& s, double* resid) {
  const int rd = s.rd, r = s.r;
  const size_t rd2 = static_cast<size_t>(rd) * static_cast<size_t>(rd);
  std::vector<double> anew(static_cast<size_t>(rd)), M(static_cast<size_t>(rd)), mm(rd2);
  Likelihood L;
  for (size_t t = 0; t < y.size(); ++t) {
    predictState(s, s.a.data(), anew.data());
    if (t > 0) predictCovariance(s, s.P.data(), s.Pn.data(), mm.data());
    const double* Pn = s.Pn.data();
    double e = y[t] - anew[0];
    for (auto& [k, dk] : s.delta) e -= dk * anew[static_cast<size_t>(r + k)];
    for (int i = 0; i < rd; ++i) {
      double v = Pn[i * rd];
      for (auto& [k, dk] : s.delta) v += Pn[i * rd + r + k] * dk;
      M[static_cast<size_t>(i)] = v;
    }
    double gain = M[0];
    for (auto& [k, dk] : s.delta) gain += dk * M[static_cast<size_t>(r + k)];
    if (gain < 1e4) {
      ++L.nu;
      L.ssq += e * e / gain;
      L.sumlog += std::log(gain);
    }
    if (resid) resid[t] = e / std::sqrt(gain);
    for (int i = 0; i < rd; ++i) s.a[static_cast<size_t>(i)] = anew[static_cast<size_t>(i)] + M[static_cast<size_t>(i)] * e / gain;
    for (int i = 0; i < rd; ++i)
      for (int j = 0; j < rd; ++j) s.P[static_cast<size_t>(i * rd + j)] = Pn[i * rd + j] - M[static_cast<size_t>(i)] * M[static_cast<size_t>(j)] / gain;
  }
  return L;
}

// The conditional sum of squares (ARIMA_CSS): the series differenced, the ARMA
// residuals from the ncond-th value on, earlier residuals taken as zero.
double css(const std::vector<double>& y, int d, int D, int m, const std::vector<double>& phi, const std::vector<double>& theta, int ncond,
           std::vector<double>* residOut) {
  const int n = static_cast<int>(y.size());
  std::vector<double> w = y, res(static_cast<size_t>(n), 0.0);
  for (int i = 0; i < d; ++i)
    for (int l = n - 1; l > 0; --l) w[static_cast<size_t>(l)] -= w[static_cast<size_t>(l - 1)];
  for (int i = 0; i < D; ++i)
    for (int l = n - 1; l >= m; --l) w[static_cast<size_t>(l)] -= w[static_cast<size_t>(l - m)];
  const int p = static_cast<int>(phi.size()), q = static_cast<int>(theta.size());
  double ssq = 0;
  int nu = 0;
  for (int l = ncond; l < n; ++l) {
    double t = w[static_cast<size_t>(l)];
    for (int j = 0; j < p; ++j) t -= phi[static_cast<size_t>(j)] * w[static_cast<size_t>(l - j - 1)];
    for (int j = 0; j < std::min(l - ncond, q); ++j) t -= theta[static_cast<size_t>(j)] * res[static_cast<size_t>(l - j - 1)];
    res[static_cast<size_t>(l)] = t;
    if (!std::isnan(t)) ++nu, ssq += t * t;
  }
  if (residOut) *residOut = std::move(res);
  return ssq / nu;
}

// ------------------------------------------------------------------ optimiser

// optim(method = "BFGS") as R runs it: the variable-metric method of Nash's
// Compact Numerical Methods (algorithm 21) on par / parscale, gradients by
// central differences of 1e-3 in the scaled parameters, relative tolerance
// sqrt(eps), at most 100 iterations.
struct Optimum {
  std::vector<double> par;  // unscaled
  double value = 0;
  int fail = 0;
};

template <typename F>
struct Bfgs {
  F& fn;
  const std::vector<double>& ps;
  static constexpr double ndeps = 1e-3;

  double at(const std::vector<double>& s) const {
    std::vector<double> x(s.size());
    for (size_t i = 0; i < s.size(); ++i) x[i] = s[i] * ps[i];
    return fn(x);
  }
  void gradient(const std::vector<double>& s, std::vector<double>& g) const {
    std::vector<double> x(s.size());
    for (size_t i = 0; i < s.size(); ++i) x[i] = s[i] * ps[i];
    for (size_t i = 0; i < s.size(); ++i) {
      x[i] = (s[i] + ndeps) * ps[i];
      double v1 = fn(x);
      x[i] = (s[i] - ndeps) * ps[i];
      double v2 = fn(x);
      g[i] = (v1 - v2) / (2 * ndeps);
      if (!std::isfinite(g[i])) throw FitFailed(fmt::format("non-finite finite-difference value [{}]", i + 1));
      x[i] = s[i] * ps[i];
    }
  }

  Optimum minimise(const std::vector<double>& start, int maxit = 100) const {
    const size_t n = start.size();
    const double reltol = 1.4901161193847656e-08;
    std::vector<double> b(n);
    for (size_t i = 0; i < n; ++i) b[i] = start[i] / ps[i];
    Optimum o;
    double f = at(b);
    if (maxit <= 0 || n == 0) {
      o.par = start;
      o.value = f;
      return o;
    }
    if (!std::isfinite(f)) throw FitFailed("initial value in 'vmmin' is not finite");
    double fmin = f;
    std::vector<double> g(n), t(n), X(n), c(n);
    std::vector<std::vector<double>> B(n, std::vector<double>(n, 0.0));
    gradient(b, g);
    int gradcount = 1, iter = 1, ilast = gradcount;
    size_t count = 0;
    do {
      if (ilast == gradcount)
        for (size_t i = 0; i < n; ++i) {
          for (size_t j = 0; j < i; ++j) B[i][j] = 0;
          B[i][i] = 1;
        }
      for (size_t i = 0; i < n; ++i) X[i] = b[i], c[i] = g[i];
      double gradproj = 0;
      for (size_t i = 0; i < n; ++i) {
        double s = 0;
        for (size_t j = 0; j <= i; ++j) s -= B[i][j] * g[j];
        for (size_t j = i + 1; j < n; ++j) s -= B[j][i] * g[j];
        t[i] = s;
        gradproj += s * g[i];
      }
      if (gradproj < 0) {
        double step = 1;
        bool accept = false;
        do {
          count = 0;
          for (size_t i = 0; i < n; ++i) {
            b[i] = X[i] + step * t[i];
            if (10.0 + X[i] == 10.0 + b[i]) ++count;
          }
          if (count < n) {
            f = at(b);
            accept = std::isfinite(f) && f <= fmin + gradproj * step * 1e-4;
            if (!accept) step *= 0.2;
          }
        } while (!(count == n || accept));
        bool enough = std::fabs(f - fmin) > reltol * (std::fabs(fmin) + reltol);
        if (!enough) count = n, fmin = f;
        if (count < n) {
          fmin = f;
          gradient(b, g);
          ++gradcount;
          ++iter;
          double D1 = 0;
          for (size_t i = 0; i < n; ++i) t[i] *= step, c[i] = g[i] - c[i], D1 += t[i] * c[i];
          if (D1 > 0) {
            double D2 = 0;
            for (size_t i = 0; i < n; ++i) {
              double s = 0;
              for (size_t j = 0; j <= i; ++j) s += B[i][j] * c[j];
              for (size_t j = i + 1; j < n; ++j) s += B[j][i] * c[j];
              X[i] = s;
              D2 += s * c[i];
            }
            D2 = 1 + D2 / D1;
            for (size_t i = 0; i < n; ++i)
              for (size_t j = 0; j <= i; ++j) B[i][j] += (D2 * t[i] * t[j] - X[i] * t[j] - t[i] * X[j]) / D1;
          } else {
            ilast = gradcount;
          }
        } else if (ilast < gradcount) {
          count = 0;
          ilast = gradcount;
        }
      } else {
        count = 0;
        if (ilast == gradcount) count = n;
        else ilast = gradcount;
      }
      if (iter >= maxit) break;
      if (gradcount - ilast > 2 * static_cast<int>(n)) ilast = gradcount;
    } while (count != n || ilast != gradcount);
    o.fail = iter < maxit ? 0 : 1;
    o.value = fmin;
    o.par.resize(n);
    for (size_t i = 0; i < n; ++i) o.par[i] = b[i] * ps[i];
    return o;
  }

  // optimhess: differences of the numerical gradient, symmetrised.
  Eigen::MatrixXd hessian(const std::vector<double>& par) const {
    const size_t n = par.size();
    std::vector<double> dpar(n), g1(n), g2(n);
    for (size_t i = 0; i < n; ++i) dpar[i] = par[i] / ps[i];
    Eigen::MatrixXd H(n, n);
    for (size_t i = 0; i < n; ++i) {
      double eps = ndeps / ps[i];
      dpar[i] += eps;
      gradient(dpar, g1);
      dpar[i] -= 2 * eps;
      gradient(dpar, g2);
      for (size_t j = 0; j < n; ++j)
        H(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = (g1[j] - g2[j]) / (2 * eps * ps[i] * ps[j]);
      dpar[i] += eps;
    }
    return 0.5 * (H + H.transpose());
  }
};

template <typename F>
Bfgs<F> bfgs(F& fn, const std::vector<double>& ps) {
  return Bfgs<F>{fn, ps};
}

// R's solve(): fails when the matrix is computationally singular.
Eigen::MatrixXd inverse(const Eigen::MatrixXd& A) {
  Eigen::PartialPivLU<Eigen::MatrixXd> lu(A);
  if (!(lu.rcond() >= std::numeric_limits<double>::epsilon())) throw FitFailed("system is computationally singular");
  return lu.inverse();
}

// --------------------------------------------------------------------- the fit

struct Core {
  ArimaFit fit;
  std::vector<double> cssResid;  // the CSS residuals (method CSS)
};

Core fitCore(const std::vector<double>& x0, const ArimaSpec& spec, ArimaMethod method) {
  const int n = static_cast<int>(x0.size());
  const Layout L{spec.p, spec.q, spec.P, spec.Q, spec.m};
  const int m = spec.m, narma = L.narma();
  // the differencing polynomial: (1 - B)^d (1 - B^m)^D = 1 - sum delta_k B^k
  std::vector<double> poly{1.0};
  auto mul = [&](const std::vector<double>& f) {
    std::vector<double> out(poly.size() + f.size() - 1, 0.0);
    for (size_t i = 0; i < poly.size(); ++i)
      for (size_t j = 0; j < f.size(); ++j) out[i + j] += poly[i] * f[j];
    poly = out;
  };
  for (int i = 0; i < spec.d; ++i) mul({1, -1});
  for (int i = 0; i < spec.D; ++i) {
    std::vector<double> f(static_cast<size_t>(m) + 1, 0.0);
    f[0] = 1, f[static_cast<size_t>(m)] = -1;
    mul(f);
  }
  std::vector<double> delta;
  for (size_t i = 1; i < poly.size(); ++i) delta.push_back(-poly[i]);
  const int nd = spec.d + spec.D;
  const int nUsed = n - static_cast<int>(delta.size());
  if (nUsed <= 0 || n <= spec.d + spec.D * m) throw FitFailed("too few non-missing observations");
  const bool mean = spec.hasMean(), drift = spec.hasDrift();
  const int ncx = (mean || drift) ? 1 : 0;
  std::vector<double> xreg(static_cast<size_t>(n));
  for (int t = 0; t < n; ++t) xreg[static_cast<size_t>(t)] = mean ? 1.0 : static_cast<double>(t + 1);

  std::vector<double> init(static_cast<size_t>(narma + ncx), 0.0), ps(static_cast<size_t>(narma + ncx), 1.0);
  if (ncx) {
    // lm(dx ~ dxreg - 1) on the differenced series: one column, so its mean ratio
    std::vector<double> dx = x0, dr = xreg;
    auto diff = [](std::vector<double>& v, int lag) {
      std::vector<double> o;
      for (size_t i = static_cast<size_t>(lag); i < v.size(); ++i) o.push_back(v[i] - v[i - static_cast<size_t>(lag)]);
      v = std::move(o);
    };
    for (int i = 0; i < spec.d; ++i) diff(dx, 1), diff(dr, 1);
    if (m > 1)
      for (int i = 0; i < spec.D; ++i) diff(dx, m), diff(dr, m);
    double sxy = 0, sxx = 0;
    for (size_t i = 0; i < dx.size(); ++i) sxy += dx[i] * dr[i], sxx += dr[i] * dr[i];
    double beta = sxy / sxx, rss = 0;
    for (size_t i = 0; i < dx.size(); ++i) rss += (dx[i] - beta * dr[i]) * (dx[i] - beta * dr[i]);
    double se = std::sqrt(rss / static_cast<double>(dx.size() - 1) / sxx);
    init.back() = beta;
    ps.back() = 10 * se;
    if (!(ps.back() > 0)) ps.back() = 1;  // an exactly linear series: R would stop on a zero scale
  }
  auto adjusted = [&](const std::vector<double>& par) {
    if (!ncx) return x0;
    std::vector<double> x = x0;
    double b = par[static_cast<size_t>(narma)];
    for (int t = 0; t < n; ++t) x[static_cast<size_t>(t)] -= b * xreg[static_cast<size_t>(t)];
    return x;
  };
  int ncond = spec.d + spec.D * m + spec.p + m * spec.P;
  auto armaCss = [&](const std::vector<double>& par) {
    std::vector<double> phi, theta;
    expand(par, L, false, phi, theta);
    return 0.5 * std::log(css(adjusted(par), spec.d, spec.D, m, phi, theta, ncond, nullptr));
  };
  Core core;
  ArimaFit& f = core.fit;
  f.spec = spec;
  f.n = static_cast<size_t>(n);
  f.nUsed = static_cast<size_t>(nUsed);
  f.delta = delta;
  auto names = [&] {
    std::vector<std::string> nm;
    for (int i = 1; i <= spec.p; ++i) nm.push_back(fmt::format("ar{}", i));
    for (int i = 1; i <= spec.q; ++i) nm.push_back(fmt::format("ma{}", i));
    for (int i = 1; i <= spec.P; ++i) nm.push_back(fmt::format("sar{}", i));
    for (int i = 1; i <= spec.Q; ++i) nm.push_back(fmt::format("sma{}", i));
    if (mean) nm.push_back("intercept");
    if (drift) nm.push_back("drift");
    return nm;
  };
  f.names = names();
  const size_t k = init.size();
  auto setVar = [&](const Eigen::MatrixXd& V) {
    f.varCoef.assign(k * k, 0.0);
    for (size_t i = 0; i < k; ++i)
      for (size_t j = 0; j < k; ++j) f.varCoef[i * k + j] = V(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
  };
  auto finalState = [&](const std::vector<double>& coef, std::vector<double>* resid) {
    expand(coef, L, false, f.phi, f.theta);
    StateSpace s = makeStateSpace(f.phi, f.theta, delta);
    std::vector<double> r(static_cast<size_t>(n));
    Likelihood lk = kalman(adjusted(coef), s, r.data());
    f.a = s.a;
    f.P = s.P;
    if (resid) *resid = std::move(r);
    return lk;
  };

  if (method == ArimaMethod::Css) {
    auto opt = bfgs(armaCss, ps);
    Optimum res = k ? opt.minimise(init) : Optimum{init, armaCss(init), 0};
    f.coef = res.par;
    Eigen::MatrixXd H = k ? opt.hessian(res.par) : Eigen::MatrixXd();
    finalState(f.coef, nullptr);
    std::vector<double> phi, theta;
    expand(f.coef, L, false, phi, theta);
    f.sigma2Mle = css(adjusted(f.coef), spec.d, spec.D, m, phi, theta, ncond, &core.cssResid);
    f.residuals = core.cssResid;
    if (k) setVar(inverse(H * static_cast<double>(nUsed)));
    double value = 2 * nUsed * res.value + nUsed + nUsed * std::log(2 * M_PI);
    f.loglik = -0.5 * value;
    f.aic = NAN;
    f.convergence = res.fail;
    return core;
  }

  // CSS for start values
  if (k) {
    auto opt = bfgs(armaCss, ps);
    Optimum res = opt.minimise(init);
    if (res.fail == 0) init = res.par;
  }
  if (spec.p > 0 && !arStationary(init.data(), spec.p)) throw FitFailed("non-stationary AR part from CSS");
  if (spec.P > 0 && !arStationary(init.data() + spec.p + spec.q, spec.P)) throw FitFailed("non-stationary seasonal AR part from CSS");
  ncond = 0;
  // to the transformed parameters; MA parts made invertible
  {
    std::vector<double> t = init;
    if (spec.p > 0) fromStationary(spec.p, init.data(), t.data());
    if (spec.P > 0) fromStationary(spec.P, init.data() + spec.p + spec.q, t.data() + spec.p + spec.q);
    init = t;
    if (spec.q > 0) maInvert(init.data() + spec.p, spec.q);
    if (spec.Q > 0) maInvert(init.data() + spec.p + spec.q + spec.P, spec.Q);
  }
  auto armafn = [&](const std::vector<double>& par) {
    std::vector<double> phi, theta;
    expand(par, L, true, phi, theta);
    StateSpace s = makeStateSpace(phi, theta, delta);
    Likelihood lk = kalman(adjusted(par), s, nullptr);
    double s2 = lk.ssq / lk.nu;
    return 0.5 * (std::log(s2) + lk.sumlog / lk.nu);
  };
  auto opt = bfgs(armafn, ps);
  Optimum res = k ? opt.minimise(init) : Optimum{init, armafn(init), 0};
  std::vector<double> coef = res.par;
  Eigen::MatrixXd H;
  if (k) {
    if (spec.q > 0) maInvert(coef.data() + spec.p, spec.q);
    if (spec.Q > 0) maInvert(coef.data() + spec.p + spec.q + spec.P, spec.Q);
    if (coef != res.par) {
      int code = res.fail;
      res = opt.minimise(coef, 0);
      res.fail = code;
    }
    H = opt.hessian(coef);
    // the gradient of the transform (forward differences of 1e-3)
    Eigen::MatrixXd A = Eigen::MatrixXd::Identity(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(k));
    auto block = [&](int off, int len) {
      if (len <= 0) return;
      std::vector<double> w1(coef.begin() + off, coef.begin() + off + len), w2(static_cast<size_t>(len)), w3(static_cast<size_t>(len));
      toStationary(len, w1.data(), w2.data());
      for (int i = 0; i < len; ++i) {
        w1[static_cast<size_t>(i)] += 1e-3;
        toStationary(len, w1.data(), w3.data());
        for (int j = 0; j < len; ++j) A(off + i, off + j) = (w3[static_cast<size_t>(j)] - w2[static_cast<size_t>(j)]) / 1e-3;
        w1[static_cast<size_t>(i)] -= 1e-3;
      }
    };
    block(0, spec.p);
    block(spec.p + spec.q, spec.P);
    Eigen::MatrixXd Hn = H * static_cast<double>(nUsed);
    Eigen::MatrixXd Hi = inverse(Hn);
    setVar(A.transpose() * Hi * A);
    coef = undo(coef, L);
  }
  f.coef = coef;
  f.convergence = res.fail;
  Likelihood lk = finalState(coef, &f.residuals);
  f.sigma2Mle = lk.ssq / nUsed;
  double value = 2 * nUsed * res.value + nUsed + nUsed * std::log(2 * M_PI);
  f.loglik = -0.5 * value;
  f.aic = value + 2 * static_cast<double>(k) + 2;
  (void)nd;
  return core;
}

// forecast's myarima: the fit, its AICc (or the CSS approximation's), the
// df-adjusted sigma^2, and the rejections (roots within 1.01, NaN s.e.).
std::optional<ArimaFit> myArima(const std::vector<double>& y, const ArimaSpec& spec, bool approximation, double offset) {
  Core core;
  try {
    core = fitCore(y, spec, approximation ? ArimaMethod::Css : ArimaMethod::CssMl);
  } catch (const FitFailed&) {
    return std::nullopt;
  }
  ArimaFit& f = core.fit;
  const double n = static_cast<double>(y.size());
  const double nstar = n - spec.d - spec.D * spec.m;
  const double npar = static_cast<double>(f.coef.size()) + 1;
  if (approximation) f.aic = offset + nstar * std::log(f.sigma2Mle) + 2 * npar;
  if (!std::isnan(f.aic)) {
    f.bic = f.aic + npar * (std::log(nstar) - 2);
    f.aicc = f.aic + 2 * npar * (npar + 1) / (nstar - npar - 1);
    f.ic = f.aicc;
  } else {
    f.aic = f.bic = f.aicc = f.ic = kInf;
  }
  double ss = 0;
  for (double e : f.residuals)
    if (!std::isnan(e)) ss += e * e;
  f.sigma2 = ss / (nstar - npar + 1);
  double minroot = 2;
  auto check = [&](const std::vector<double>& v, double sign) {
    int last = 0;
    for (size_t i = 0; i < v.size(); ++i)
      if (std::fabs(v[i]) > 1e-8) last = static_cast<int>(i) + 1;
    if (!last) return;
    std::vector<double> c{1.0};
    for (int i = 0; i < last; ++i) c.push_back(sign * v[static_cast<size_t>(i)]);
    minroot = std::min(minroot, minRootModulus(c));
  };
  if (spec.p + spec.P > 0) check(f.phi, -1);
  if (spec.q + spec.Q > 0 && f.ic < kInf) check(f.theta, 1);
  bool nanSe = false;
  const size_t k = f.coef.size();
  for (size_t i = 0; i < k; ++i)
    if (!(f.varCoef[i * k + i] >= 0)) nanSe = true;
  if (minroot < 1.01 || nanSe) f.ic = kInf;
  return std::move(f);
}

bool isConstant(const std::vector<double>& x) {
  return std::all_of(x.begin(), x.end(), [&](double v) { return v == x.front(); });
}

std::vector<double> difference(const std::vector<double>& x, int lag) {
  std::vector<double> o;
  for (size_t i = static_cast<size_t>(lag); i < x.size(); ++i) o.push_back(x[i] - x[i - static_cast<size_t>(lag)]);
  return o;
}

}  // namespace

std::string ArimaSpec::name() const {
  std::string s = fmt::format("ARIMA({},{},{})", p, d, q);
  if (m > 1 && P + D + Q > 0) s += fmt::format("({},{},{})[{}]", P, D, Q, m);
  if (hasDrift()) s += " with drift";
  else if (hasMean()) s += " with non-zero mean";
  else if (d == 0 && D == 0) s += " with zero mean";
  return s;
}

std::optional<ArimaFit> fitArima(const std::vector<double>& y, const ArimaSpec& spec, ArimaMethod method) {
  ArimaSpec s = spec;
  if (s.m <= 1) s.m = 1, s.P = s.D = s.Q = 0;
  if (s.d + s.D > 1) s.constant = false;
  if (y.size() <= static_cast<size_t>(s.d + s.D * s.m)) return std::nullopt;
  return myArima(y, s, method == ArimaMethod::Css, 0.0);
}

ArimaForecast forecastArima(const ArimaFit& f, int h) {
  StateSpace s = makeStateSpace(f.phi, f.theta, f.delta);
  s.a = f.a;
  s.P = f.P;
  const size_t rd = static_cast<size_t>(s.rd);
  std::vector<double> anew(rd), Pn(rd * rd), mm(rd * rd);
  ArimaForecast out;
  const int r = s.r;
  for (int i = 0; i < h; ++i) {
    predictState(s, s.a.data(), anew.data());
    s.a = anew;
    predictCovariance(s, s.P.data(), Pn.data(), mm.data());
    s.P = Pn;
    double fc = s.a[0];
    for (auto& [k, dk] : s.delta) fc += dk * s.a[static_cast<size_t>(r + k)];
    // Z P Z'
    std::vector<double> z(rd, 0.0);
    z[0] = 1;
    for (auto& [k, dk] : s.delta) z[static_cast<size_t>(r + k)] = dk;
    double v = 0;
    for (size_t a = 0; a < rd; ++a)
      if (z[a] != 0)
        for (size_t b = 0; b < rd; ++b) v += z[a] * z[b] * s.P[a * rd + b];
    double xm = 0;
    if (f.spec.hasMean()) xm = f.coef.back();
    if (f.spec.hasDrift()) xm = f.coef.back() * static_cast<double>(f.n + static_cast<size_t>(i) + 1);
    out.mean.push_back(fc + xm);
    out.se.push_back(std::sqrt(std::max(v, 0.0) * f.sigma2));
  }
  return out;
}

void simulateArima(const ArimaFit& f, int h, std::mt19937_64& rng, double* path) {
  StateSpace s = makeStateSpace(f.phi, f.theta, f.delta);
  const int rd = s.rd, r = s.r;
  // the last state drawn from N(a, sigma^2 P)
  Eigen::MatrixXd P(rd, rd);
  for (int i = 0; i < rd; ++i)
    for (int j = 0; j < rd; ++j) P(i, j) = 0.5 * (f.P[static_cast<size_t>(i * rd + j)] + f.P[static_cast<size_t>(j * rd + i)]);
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(P);
  std::normal_distribution<double> z(0, 1);
  const double sd = std::sqrt(f.sigma2);
  std::vector<double> a = f.a, anew(static_cast<size_t>(rd));
  for (int j = 0; j < rd; ++j) {
    double lam = es.eigenvalues()(j);
    if (lam <= 0) continue;
    double u = z(rng) * std::sqrt(lam) * sd;
    for (int i = 0; i < rd; ++i) a[static_cast<size_t>(i)] += es.eigenvectors()(i, j) * u;
  }
  for (int i = 0; i < h; ++i) {
    predictState(s, a.data(), anew.data());
    double e = sd * z(rng);
    for (int j = 0; j < r; ++j) anew[static_cast<size_t>(j)] += s.R[static_cast<size_t>(j)] * e;
    a = anew;
    double v = a[0];
    for (auto& [k, dk] : s.delta) v += dk * a[static_cast<size_t>(r + k)];
    if (f.spec.hasMean()) v += f.coef.back();
    if (f.spec.hasDrift()) v += f.coef.back() * static_cast<double>(f.n + static_cast<size_t>(i) + 1);
    path[i] = v;
  }
}

double kpss(const std::vector<double>& x) {
  const size_t n = x.size();
  const double nn = static_cast<double>(n);
  double mu = std::accumulate(x.begin(), x.end(), 0.0) / nn;
  std::vector<double> e(n);
  for (size_t i = 0; i < n; ++i) e[i] = x[i] - mu;
  double S = 0, num = 0, s2 = 0;
  for (size_t i = 0; i < n; ++i) S += e[i], num += S * S, s2 += e[i] * e[i];
  num /= nn * nn;
  s2 /= nn;
  const int l = static_cast<int>(std::trunc(3 * std::sqrt(nn) / 13));
  double lrv = s2;
  for (int k = 1; k <= l; ++k) {
    double c = 0;
    for (size_t t = static_cast<size_t>(k); t < n; ++t) c += e[t] * e[t - static_cast<size_t>(k)];
    lrv += 2.0 / nn * (1 - static_cast<double>(k) / (l + 1)) * c;
  }
  return num / lrv;
}

int ndiffs(std::vector<double> x, int maxD) {
  int d = 0;
  if (x.size() < 2 || isConstant(x)) return 0;
  // p < 0.05 on urca's table (0.347, 0.463, 0.574, 0.739) is a statistic above 0.463
  auto test = [](const std::vector<double>& v) { return kpss(v) > 0.463; };
  bool dodiff = test(x);
  while (dodiff && d < maxD) {
    ++d;
    x = difference(x, 1);
    if (x.size() < 2 || isConstant(x)) return d;
    dodiff = test(x);
  }
  return d;
}

double seasonalStrength(const std::vector<double>& x, int m) {
  // mstl(x) for one season: stl(x, s.window = 11) with R's defaults
  drift::StlOptions o;
  o.period = m;
  o.seasonal = 11;
  auto nextOdd = [](double v) {
    int i = static_cast<int>(std::lround(v));
    return i % 2 == 0 ? i + 1 : i;
  };
  o.trend = nextOdd(std::ceil(1.5 * m / (1 - 1.5 / 11)));
  o.lowPass = nextOdd(m);
  o.seasonalDeg = 0;
  o.trendDeg = 1;
  o.lowPassDeg = 1;
  o.seasonalJump = static_cast<int>(std::ceil(11 / 10.0));
  o.trendJump = static_cast<int>(std::ceil(o.trend / 10.0));
  o.lowPassJump = static_cast<int>(std::ceil(o.lowPass / 10.0));
  o.inner = 2;
  o.outer = 0;
  auto res = drift::stl(x, o);
  const size_t n = x.size();
  std::vector<double> rem(n), rs(n);
  for (size_t i = 0; i < n; ++i) rem[i] = x[i] - res.trend[i] - res.season[i], rs[i] = rem[i] + res.season[i];
  auto var = [](const std::vector<double>& v) {
    double mu = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size()), s = 0;
    for (double e : v) s += (e - mu) * (e - mu);
    return s / static_cast<double>(v.size() - 1);
  };
  return std::max(0.0, std::min(1.0, 1 - var(rem) / var(rs)));
}

int nsdiffs(const std::vector<double>& x, int m) {
  if (m <= 1 || isConstant(x) || static_cast<size_t>(m) >= x.size()) return 0;
  if (x.size() <= 2 * static_cast<size_t>(m)) return 0;  // mstl finds no season
  return seasonalStrength(x, m) > 0.64 ? 1 : 0;
}

// Below 8 values the start model's AICc has almost no degrees of freedom left
// (n - d - k - 1 with k up to 5 for (1,1,1) with drift); a season needs more
// than 2m values before auto.arima considers it, so no extra minimum for m.
size_t arimaMinimumHistory(int) { return 8; }

std::optional<ArimaFit> autoArima(const std::vector<double>& x, int mIn, std::vector<ArimaTried>* trace) {
  const size_t n = x.size();
  if (n == 0) return std::nullopt;
  int m = std::max(mIn, 1);
  const double len = static_cast<double>(n);
  int maxp = std::min(5, static_cast<int>(std::floor(len / 3))), maxq = maxp;
  int maxP = std::min(2, static_cast<int>(std::floor(len / 3 / m))), maxQ = maxP;
  int D = 0;
  if (m == 1) maxP = maxQ = 0;
  else if (n <= 2 * static_cast<size_t>(m)) D = 0;
  else D = nsdiffs(x, m);
  std::vector<double> dx = D > 0 ? difference(x, m) : x;
  int d = ndiffs(dx);
  for (int i = 0; i < d; ++i) dx = difference(dx, 1);
  if (dx.empty() || isConstant(dx)) return std::nullopt;  // R fits a fixed-coefficient model here; not done
  if (m > 1) {
    if (maxP > 0) maxp = std::min(maxp, m - 1);
    if (maxQ > 0) maxq = std::min(maxq, m - 1);
  }
  const bool approximation = n > 150 || m > 12;
  double offset = 0;
  if (approximation) {
    auto f0 = myArima(x, ArimaSpec{0, d, 0, 0, D, 0, m, d + D == 0}, false, 0);
    if (f0) offset = -2 * f0->loglik - len * std::log(f0->sigma2Mle);
  }
  const bool allowdrift = d + D == 1, allowmean = d + D == 0;
  bool constant = allowdrift || allowmean;
  struct Row {
    int p, q, P, Q;
    bool c;
    double ic;
  };
  std::vector<Row> results;
  const size_t nmodels = 94;
  auto fit = [&](int p, int q, int P, int Q, bool c) {
    ArimaSpec s{p, d, q, P, D, Q, m, c};
    auto f = myArima(x, s, approximation, offset);
    double ic = f ? f->ic : kInf;
    if (trace) trace->push_back({s, ic});
    results.push_back({p, q, P, Q, c, ic});
    return f;
  };
  auto icOf = [](const std::optional<ArimaFit>& f) { return f ? f->ic : kInf; };
  int startp = 2, startq = 2, startP = 1, startQ = 1;
  if (n < 10) startp = std::min(startp, 1), startq = std::min(startq, 1), startP = startQ = 0;
  int p = std::min(startp, maxp), q = std::min(startq, maxq), P = std::min(startP, maxP), Q = std::min(startQ, maxQ);
  auto best = fit(p, q, P, Q, constant);
  {
    auto f = fit(0, 0, 0, 0, constant);
    if (icOf(f) < icOf(best)) best = f, p = q = P = Q = 0;
  }
  if (maxp > 0 || maxP > 0) {
    int pp = maxp > 0, PP = (m > 1 && maxP > 0);
    auto f = fit(pp, 0, PP, 0, constant);
    if (icOf(f) < icOf(best)) best = f, p = pp, P = PP, q = Q = 0;
  }
  if (maxq > 0 || maxQ > 0) {
    int qq = maxq > 0, QQ = (m > 1 && maxQ > 0);
    auto f = fit(0, qq, 0, QQ, constant);
    if (icOf(f) < icOf(best)) best = f, p = P = 0, q = qq, Q = QQ;
  }
  if (constant) {
    auto f = fit(0, 0, 0, 0, false);
    if (icOf(f) < icOf(best)) best = f, p = q = P = Q = 0;
  }
  auto isNew = [&](int a, int b, int c, int e, bool k) {
    for (auto& r : results)
      if (r.p == a && r.q == b && r.P == c && r.Q == e && r.c == k) return false;
    return true;
  };
  size_t k = results.size(), startk = 0;
  while (startk < k && k < nmodels) {
    startk = k;
    bool restart = false, stop = false;
    // the neighbours in auto.arima's order: (dP, dQ) then (dp, dq)
    const int moves[16][4] = {{0, 0, -1, 0}, {0, 0, 0, -1}, {0, 0, 1, 0}, {0, 0, 0, 1}, {0, 0, -1, -1}, {0, 0, -1, 1}, {0, 0, 1, -1}, {0, 0, 1, 1},
                              {-1, 0, 0, 0}, {0, -1, 0, 0}, {1, 0, 0, 0}, {0, 1, 0, 0}, {-1, -1, 0, 0}, {-1, 1, 0, 0}, {1, -1, 0, 0}, {1, 1, 0, 0}};
    for (auto& mv : moves) {
      int np = p + mv[0], nq = q + mv[1], nP = P + mv[2], nQ = Q + mv[3];
      if (np < 0 || nq < 0 || nP < 0 || nQ < 0 || np > maxp || nq > maxq || nP > maxP || nQ > maxQ) continue;
      if (!isNew(np, nq, nP, nQ, constant)) continue;
      ++k;
      if (k > nmodels) {
        stop = true;
        break;
      }
      auto f = fit(np, nq, nP, nQ, constant);
      if (icOf(f) < icOf(best)) {
        best = f, p = np, q = nq, P = nP, Q = nQ;
        restart = true;
        break;
      }
    }
    if (stop || restart) continue;
    if ((allowdrift || allowmean) && isNew(p, q, P, Q, !constant)) {
      ++k;
      if (k > nmodels) continue;
      auto f = fit(p, q, P, Q, !constant);
      if (icOf(f) < icOf(best)) best = f, constant = !constant;
    }
  }
  if (approximation && !results.empty()) {
    std::vector<size_t> order(results.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return results[a].ic < results[b].ic; });
    best.reset();
    for (size_t i : order) {
      const Row& r = results[i];
      auto f = myArima(x, ArimaSpec{r.p, d, r.q, r.P, D, r.Q, m, r.c}, false, 0);
      if (f && f->ic < kInf) {
        best = f;
        break;
      }
    }
  }
  if (!best || !(best->ic < kInf)) return std::nullopt;
  return best;
}

}  // namespace mtc::eng::fc
