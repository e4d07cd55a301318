// Forecasting methods against R's forecast 8.20 (and statsmodels' R fixtures):
// ETS fits and forecasts, the simple methods' formulas, theta. Where each
// number comes from is said beside it (/work/research/ets.md and
// forecast_methods.md record the R runs).
#include <catch2/catch.hpp>
#include <cmath>
#include <numeric>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <fstream>
#include <sstream>

#include "forecast/ets.h"
#include "forecast/methods.h"
#include "mtc/engines/pipeline.h"

namespace fc = mtc::eng::fc;

namespace {

std::vector<double> series(const std::string& name) {
  std::ifstream in(std::string(MTC_SOURCE_DIR) + "/tests/fixtures/r/series/" + name + ".csv");
  std::string line;
  std::getline(in, line);
  std::vector<double> y;
  while (std::getline(in, line)) y.push_back(std::stod(line.substr(line.find(',') + 1)));
  return y;
}

}  // namespace

TEST_CASE("ets(USAccDeaths) is ETS(A,N,A) with R's parameters and forecasts") {
  // R 4.2.2, forecast 8.20: fit <- ets(USAccDeaths); forecast(fit, h = 12, level = c(80, 95))
  // (/work/research/ets.md section 6)
  auto y = series("USAccDeaths");
  REQUIRE(y.size() == 72);
  auto fit = fc::autoEts(y, 12);
  REQUIRE(fit);
  CHECK(fit->spec.name() == "ETS(A,N,A)");
  CHECK(fit->alpha == Approx(0.5945898908).epsilon(1e-6));
  CHECK(fit->gamma == Approx(0.002028959954).epsilon(1e-4));
  CHECK(fit->aicc == Approx(1148.716099).epsilon(1e-8));
  CHECK(fit->sigma2 == Approx(85667.85631).epsilon(1e-6));
  auto f = fc::forecastSeries(mtc::ir::ForecastMethod::Ets, y, 12, 12, 0.8);
  CHECK(f.method == "ETS(A,N,A)");
  CHECK(f.mean[0] == Approx(8397.496909).epsilon(1e-6));
  CHECK(f.lower[0] == Approx(8022.398662).epsilon(1e-6));
  CHECK(f.upper[0] == Approx(8772.595157).epsilon(1e-6));
  CHECK(f.mean[11] == Approx(9085.492104).epsilon(1e-6));
  CHECK(f.lower[11] == Approx(8255.912025).epsilon(1e-6));
}

TEST_CASE("ets(AirPassengers) is ETS(M,Ad,M) with R's forecasts") {
  // ets.md section 8: AICc 1400.638432; class-3 forecasts 441.8018473 [419.6256488, 463.9780458] at 80%
  auto y = series("AirPassengers");
  auto fit = fc::autoEts(y, 12);
  REQUIRE(fit);
  CHECK(fit->spec.name() == "ETS(M,Ad,M)");
  CHECK(fit->aicc == Approx(1400.638432).epsilon(1e-8));
  auto f = fc::forecastSeries(mtc::ir::ForecastMethod::Ets, y, 12, 24, 0.8);
  CHECK(f.mean[0] == Approx(441.8018473).epsilon(1e-6));
  CHECK(f.lower[0] == Approx(419.6256488).epsilon(1e-6));
  CHECK(f.upper[0] == Approx(463.9780458).epsilon(1e-6));
  CHECK(f.mean[23] == Approx(465.5780204).epsilon(1e-6));
}

// ------------------------------------------------------------------ simulate


namespace {

// The mean of profit = price x volume - fixed over `runs` runs with this seed and sampling.
double simulatedMean(uint64_t seed, const char* sampling, bool jit) {
  std::string text = fmt::format(
      "model pvf {{ grain: year  start: 2026 }}\n"
      "unit item\n"
      "param price: USD/item = 50 ~ normal(50, 5)\n"
      "param volume: item = 1000 ~ normal(1000, 100)\n"
      "param fixed: USD = 20_000\n"
      "metric profit: USD = price * volume - fixed {{ role: north_star }}\n"
      "simulate profit for 1 year {{ runs: 400  seed: {}  sampling: {} }}\n",
      seed, sampling);
  mtc::eng::RunRequest req;
  req.path = "pvf.mtree";
  req.text = text;
  req.jit = jit;
  auto out = mtc::eng::runModel(req);
  REQUIRE(out.exitCode == 0);
  const auto& r = std::get<mtc::eng::SimulateResult>(out.results.at(0).result);
  return r.metrics.at(0).mean.at(0);
}

}  // namespace

TEST_CASE("Latin hypercube sampling has a smaller variance than plain Monte Carlo at the same runs") {
  // 30 seeds of 400 runs each: the spread of the simulated mean across seeds. LHS
  // stratifies each input, which removes the variance of the additive parts of
  // price x volume (nearly all of it): its spread must be well below Monte Carlo's.
  for (bool jit : {false, true}) {
    auto spread = [&](const char* sampling) {
      std::vector<double> means;
      for (uint64_t seed = 1; seed <= 30; ++seed) means.push_back(simulatedMean(seed, sampling, jit));
      double mu = std::accumulate(means.begin(), means.end(), 0.0) / static_cast<double>(means.size()), ss = 0;
      for (double x : means) ss += (x - mu) * (x - mu);
      return ss / static_cast<double>(means.size() - 1);
    };
    double lhs = spread("lhs"), mc = spread("mc");
    INFO("variance of the mean: lhs " << lhs << ", mc " << mc);
    CHECK(lhs < mc / 4);
  }
}

// ------------------------------------------------------------------ statsmodels' R fixtures


namespace {

// Data of statsmodels' test_exponential_smoothing.py (fpp2's austourists and oil),
// copied verbatim (/work/research/ets.md 7.5).
const std::vector<double> kAustourists = {
    30.05251300, 19.14849600, 25.31769200, 27.59143700, 32.07645600, 23.48796100, 28.47594000, 35.12375300, 36.83848500, 25.00701700,
    30.72223000, 28.69375900, 36.64098600, 23.82460900, 29.31168300, 31.77030900, 35.17787700, 19.77524400, 29.60175000, 34.53884200,
    41.27359900, 26.65586200, 28.27985900, 35.19115300, 42.20566386, 24.64917133, 32.66733514, 37.25735401, 45.24246027, 29.35048127,
    36.34420728, 41.78208136, 49.27659843, 31.27540139, 37.85062549, 38.83704413, 51.23690034, 31.83855162, 41.32342126, 42.79900337,
    55.70835836, 33.40714492, 42.31663797, 45.15712257, 59.57607996, 34.83733016, 44.84168072, 46.97124960, 60.01903094, 38.37117851,
    46.97586413, 50.73379646, 61.64687319, 39.29956937, 52.67120908, 54.33231689, 66.83435838, 40.87118847, 51.82853579, 57.49190993,
    65.25146985, 43.06120822, 54.76075713, 59.83447494, 73.25702747, 47.69662373, 61.09776802, 66.05576122};
const std::vector<double> kOil = {
    111.0091346, 130.8284341, 141.2870879, 154.2277747, 162.7408654, 192.1664835, 240.7997253, 304.2173901, 384.0045673, 429.6621566,
    359.3169299, 437.2518544, 468.4007898, 424.4353365, 487.9794299, 509.8284478, 506.3472527, 340.1842374, 240.2589210, 219.0327876,
    172.0746632, 252.5900922, 221.0710774, 276.5187735, 271.1479517, 342.6186005, 428.3558357, 442.3945534, 432.7851482, 437.2497186,
    437.2091599, 445.3640981, 453.1950104, 454.4096410, 422.3789058, 456.0371217, 440.3866047, 425.1943725, 486.2051735, 500.4290861,
    521.2759092, 508.9476170, 488.8888577, 509.8705750, 456.7229123, 473.8166029, 525.9508706, 549.8338076, 542.3404698};

double scalar(const nlohmann::json& v) {
  const nlohmann::json& x = v.is_array() ? v[0] : v;
  return x.is_string() ? NAN : x.get<double>();
}

fc::Comp comp(char c) { return c == 'A' ? fc::Comp::A : c == 'M' ? fc::Comp::M : fc::Comp::N; }

void checkFixtures(const std::string& file, const std::vector<double>& y, int m) {
  std::ifstream in(std::string(MTC_SOURCE_DIR) + "/tests/fixtures/statsmodels/" + file);
  nlohmann::json all = nlohmann::json::parse(in);
  int checked = 0;
  for (auto& [damped, models] : all.items())
    for (auto& [key, r] : models.items()) {
      if (!r.is_object() || r.empty()) continue;  // R could not fit it
      INFO(file << " " << key << (damped == "TRUE" ? " damped" : ""));
      fc::EtsSpec sp{comp(key[0]), comp(key[1]), comp(key[2]), damped == "TRUE"};
      double alpha = scalar(r["alpha"]), beta = scalar(r["beta"]), gamma = scalar(r["gamma"]), phi = scalar(r["phi"]);
      if (!std::isfinite(beta)) beta = 0;
      if (!std::isfinite(gamma)) gamma = 0;
      if (!sp.damped || !std::isfinite(phi)) phi = 1;
      std::vector<double> init = r["initstate"].get<std::vector<double>>();
      auto run = fc::runEts(y, m, sp, alpha, beta, gamma, phi, init);
      REQUIRE(run.ok);
      // states, fitted values, errors, log likelihood (the fixtures have 8 significant digits)
      const auto& states = r["states"];
      REQUIRE(states.size() == run.states.size());
      for (size_t t = 0; t < states.size(); ++t) {
        std::vector<double> want = states[t].is_array() ? states[t].get<std::vector<double>>() : std::vector<double>{states[t].get<double>()};
        for (size_t k = 0; k < want.size(); ++k) CHECK(run.states[t][k] == Approx(want[k]).epsilon(2e-6).margin(2e-6));
      }
      auto fitted = r["fitted"].get<std::vector<double>>(), resid = r["residuals"].get<std::vector<double>>();
      for (size_t t = 0; t < fitted.size(); ++t) {
        CHECK(run.fitted[t] == Approx(fitted[t]).epsilon(2e-7));
        CHECK(run.errors[t] == Approx(resid[t]).margin(2e-6));
      }
      CHECK(-0.5 * run.lik == Approx(scalar(r["loglik"])).margin(2e-6));
      // forecasts from the last state (statsmodels compares them at 1e-3: R's own
      // forecast.ets means carry known quirks for damped multiplicative models)
      fc::EtsFit f;
      f.spec = sp;
      f.m = sp.season != fc::Comp::N ? m : 1;
      f.alpha = alpha, f.beta = beta, f.gamma = gamma, f.phi = phi;
      f.last = run.states.back();
      f.sigma2 = scalar(r["sigma2"]);
      auto want = r["forecast"].get<std::vector<double>>();
      auto got = fc::forecastEts(f, 4);
      std::vector<double> mean = got ? got->mean : fc::pointForecast(f, 4);
      for (size_t h = 0; h < 4; ++h) CHECK(mean[h] == Approx(want[h]).epsilon(1e-3));
      // a simulated path with R's innovations, unscaled
      std::vector<double> innov{1.76405235, 0.40015721, 0.97873798, 2.2408932}, path(4);
      fc::simulateEts(f, innov, path.data());
      auto sim = r["simulation"].get<std::vector<double>>();
      for (size_t h = 0; h < 4; ++h) CHECK(path[h] == Approx(sim[h]).epsilon(1e-5));
      ++checked;
    }
  CHECK(checked >= 8);
}

}  // namespace

TEST_CASE("the ETS recursion reproduces statsmodels' R fixtures, every model R fitted") {
  // statsmodels/tsa/tests/results/fit_ets_results_{seasonal,nonseasonal}.json (Debian's
  // python3-statsmodels 0.13.5), made by R's forecast::ets on austourists (quarterly)
  // and oil (annual): states, fitted values, residuals, log likelihood, forecasts and a
  // simulation with fixed innovations, from R's parameters and initial states.
  checkFixtures("fit_ets_results_seasonal.json", kAustourists, 4);
  checkFixtures("fit_ets_results_nonseasonal.json", kOil, 1);
}
