// Seasonal ARIMA as R fits it: stats::arima's "CSS-ML" (conditional sum of
// squares for start values, then the exact Gaussian likelihood of the
// state-space form by the Kalman filter, AR parts kept stationary through the
// PACF transform, optim's BFGS with numerical gradients), forecast::Arima's
// drift regressor and df-adjusted sigma^2, and forecast::auto.arima's stepwise
// order search (KPSS for d, STL seasonal strength for D, AICc, the root checks).
// The reference is R 4.2.2 with forecast 8.20 (/work/research/forecast_methods.md
// section 3; tests/fixtures/r/arima_reference.R writes the numbers the tests use).
#pragma once

#include <optional>
#include <random>
#include <string>
#include <vector>

namespace mtc::eng::fc {

struct ArimaSpec {
  int p = 0, d = 0, q = 0, P = 0, D = 0, Q = 0, m = 1;
  bool constant = false;     // the mean when d + D = 0, a drift when d + D = 1; none with d + D >= 2
  std::string name() const;  // as forecast's arima.string: "ARIMA(2,1,1)(0,1,0)[12] with drift"
  bool hasMean() const { return constant && d + D == 0; }
  bool hasDrift() const { return constant && d + D == 1; }
};

struct ArimaFit {
  ArimaSpec spec;
  std::vector<double> coef;          // ar1..p, ma1..q, sar1..P, sma1..Q, then intercept or drift
  std::vector<std::string> names;    // "ar1", ..., "intercept" / "drift"
  std::vector<double> varCoef;       // coef.size()^2, row-major (R's var.coef)
  double loglik = 0, aic = 0, aicc = 0, bic = 0;
  double sigma2 = 0;                 // forecast's: sum(residuals^2) / (nstar - k + 1), used for intervals
  double sigma2Mle = 0;              // stats::arima's ssq / n.used
  double ic = 0;                     // auto.arima's AICc, infinite when the fit is rejected (roots, Hessian)
  size_t n = 0, nUsed = 0;
  std::vector<double> residuals;     // standardised innovations, as R's residuals(fit)
  std::vector<double> phi, theta, delta;  // the expanded AR, MA and differencing polynomials
  std::vector<double> a, P;          // the filtered state after the last observation; P in units of sigma^2
  int convergence = 0;               // optim's code of the ML step
  double xreg() const { return spec.constant && spec.d + spec.D <= 1 ? coef.back() : 0.0; }
};

// Fits one model as forecast::Arima(y, order, seasonal, include.constant) with
// method "CSS-ML" (or "CSS" alone, as auto.arima's approximation). nullopt
// where R's fit fails (a non-stationary AR part from CSS, a singular Hessian,
// a non-finite gradient, too short a series).
enum class ArimaMethod { CssMl, Css };
std::optional<ArimaFit> fitArima(const std::vector<double>& y, const ArimaSpec& spec, ArimaMethod method = ArimaMethod::CssMl);

// Point forecasts and standard errors (predict.Arima: the Kalman forecast from
// the last filtered state, se with the df-adjusted sigma^2).
struct ArimaForecast {
  std::vector<double> mean, se;
};
ArimaForecast forecastArima(const ArimaFit& f, int h);

// One future path: the last state drawn from its filtered distribution, then
// the state-space recursion with N(0, sigma^2) innovations, so the paths'
// variance is the analytic one.
void simulateArima(const ArimaFit& f, int h, std::mt19937_64& rng, double* path);

// auto.arima(y) with forecast 8.20's defaults (stepwise). nullopt when no
// model can be fitted. `trace` receives every model tried with its criterion.
struct ArimaTried {
  ArimaSpec spec;
  double ic;
};
std::optional<ArimaFit> autoArima(const std::vector<double>& y, int m, std::vector<ArimaTried>* trace = nullptr);

// The tests behind the orders: urca's KPSS "mu" statistic with lag
// trunc(3 sqrt(n) / 13); ndiffs (KPSS at 5%, up to 2); the seasonal strength
// of an STL decomposition (s.window 11) and nsdiffs (1 when it exceeds 0.64).
double kpss(const std::vector<double>& x);
int ndiffs(std::vector<double> x, int maxD = 2);
double seasonalStrength(const std::vector<double>& x, int m);
int nsdiffs(const std::vector<double>& x, int m);

// The shortest history auto.arima is run on here (8 values, whatever the season).
size_t arimaMinimumHistory(int m);

}  // namespace mtc::eng::fc
