// Exponential smoothing state-space models (ETS), as R's forecast::ets fits
// them (Hyndman, Koehler, Snyder and Grose 2002; Hyndman et al. 2008): error
// A/M x trend N/A/Ad(/M) x season N/A/M, the parameters and initial states
// estimated jointly by R's Nelder-Mead (nmmin) on the likelihood, the usual and
// admissible bounds, AICc selection over the default model space, and the
// analytic forecast variances of classes 1 to 3. The reference is
// /work/research/ets.md (forecast 8.20); tests/unit/forecast_test.cpp checks it
// against statsmodels' R fixtures and R's own fits.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace mtc::eng::fc {

enum class Comp : uint8_t { N, A, M };

struct EtsSpec {
  Comp error = Comp::A, trend = Comp::N, season = Comp::N;
  bool damped = false;
  std::string name() const;  // "ETS(M,Ad,M)"
};

struct EtsFit {
  EtsSpec spec;
  int m = 1;                            // the season's length (1 without season)
  double alpha = 0, beta = 0, gamma = 0, phi = 1;
  std::vector<double> initial;          // [l, (b), s1..sm], s1 the newest
  std::vector<double> last;             // the state after the last observation
  double lik = 0;                       // -2 log likelihood without constants
  double sigma2 = 0;                    // sum e^2 / (n - parameters)
  double aic = 0, aicc = 0, bic = 0;
  size_t n = 0;
  size_t parameters = 0;                // estimated: smoothing parameters and free initial states
  std::vector<double> fitted, residuals;
  int optimizerFail = 0;                // nmmin's: 0 converged, 1 maxit, 10 degenerate
};

enum class Criterion : uint8_t { Lik, Mse };

// Fits one model (nullopt when it cannot be fitted: too short a series, a
// forbidden combination, data not positive for a multiplicative part, or a
// likelihood that cannot be evaluated at the start).
std::optional<EtsFit> fitEts(const std::vector<double>& y, int m, const EtsSpec& spec, Criterion c = Criterion::Lik);

// The model ets(y) selects by AICc among the default models (15 with a season,
// 6 without; multiplicative errors only for positive data; no season when
// m > 24 or n <= m). Empty when no model can be fitted.
// A selection is a pure function of (y, m): the process keeps each one and
// answers a later call with the same history and season from it, bit for bit.
std::optional<EtsFit> autoEts(const std::vector<double>& y, int m);
// How many selections autoEts has made in this process (answers from what it
// kept are not counted): for tests, a count rather than a time.
size_t etsSelectionsMade();

// Forecast means and variances for h steps (forecast.ets: classes 1, 2 and 3;
// nullopt for a model with a multiplicative trend, whose intervals R simulates).
struct EtsForecast {
  std::vector<double> mean, variance;
};
std::optional<EtsForecast> forecastEts(const EtsFit& f, int h);

// The point forecasts from the last state (the state-space recursion, no variance term).
std::vector<double> pointForecast(const EtsFit& f, int h);

// One future path of h values drawn from the model (errors N(0, sigma2),
// relative for a multiplicative error, floored at -1).
void simulateEts(const EtsFit& f, int h, std::mt19937_64& rng, double* path);
// The same path with given errors (as R's simulate(fit, innov = e), unscaled).
void simulateEts(const EtsFit& f, const std::vector<double>& errors, double* path);

// The state recursion (etscalc): fitted values, errors and -2 log likelihood
// from an initial state. For tests and for the fit.
struct EtsRun {
  std::vector<double> fitted, errors;
  std::vector<std::vector<double>> states;  // n + 1 states, the first the initial one
  double lik = 0, mse = 0;
  bool ok = true;
};
EtsRun runEts(const std::vector<double>& y, int m, const EtsSpec& spec, double alpha, double beta, double gamma, double phi,
              const std::vector<double>& initial);

// R's nmmin (Nelder-Mead as optim() and forecast's C++ call it), exactly:
// reflection 1, contraction 0.5, expansion 2, relative tolerance intol.
struct NelderMead {
  std::vector<double> x;
  double value = 0;
  int fail = 0, evaluations = 0;
};
template <typename F>
NelderMead nmmin(std::vector<double> start, F&& f, double intol = 1.4901161193847656e-08, int maxit = 2000);

// Classical decomposition (R's decompose): the seasonal figure by position from
// the first observation, normalised (additive: mean 0; multiplicative: mean 1),
// repeated over the series.
std::vector<double> decompose(const std::vector<double>& y, int m, bool multiplicative);

}  // namespace mtc::eng::fc

#include "nelder_mead.h"
