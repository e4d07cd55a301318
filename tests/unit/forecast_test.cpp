// Forecasting methods against R's forecast 8.20 (and statsmodels' R fixtures):
// ETS fits and forecasts, the simple methods' formulas, theta. Where each
// number comes from is said beside it (/work/research/ets.md and
// forecast_methods.md record the R runs).
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
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

// The second column of a fixture CSV under tests/fixtures/r/ (a header, then period,value).
std::vector<double> fixtureColumn(const std::string& file) {
  std::ifstream in(std::string(MTC_SOURCE_DIR) + "/tests/fixtures/r/" + file);
  std::string line;
  std::getline(in, line);
  std::vector<double> y;
  while (std::getline(in, line)) y.push_back(std::stod(line.substr(line.find(',') + 1)));
  return y;
}

std::vector<double> series(const std::string& name) { return fixtureColumn("series/" + name + ".csv"); }

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

TEST_CASE("an ETS selection is made once per history and season, and kept with its bits") {
  // A history no other case uses (USAccDeaths x 1.5 + 7), so that this process has not seen it.
  // The kept selection must be its model fitted afresh (fitEts, which keeps nothing), bit for
  // bit; asking again makes no selection; a history one ulp apart, or another season, does.
  auto same = [](double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; };
  auto sameFit = [&](const fc::EtsFit& a, const fc::EtsFit& b) {
    bool ok = a.spec.name() == b.spec.name() && same(a.alpha, b.alpha) && same(a.beta, b.beta) && same(a.gamma, b.gamma) &&
              same(a.phi, b.phi) && same(a.lik, b.lik) && same(a.sigma2, b.sigma2) && a.fitted.size() == b.fitted.size() &&
              a.last.size() == b.last.size();
    for (size_t i = 0; ok && i < a.fitted.size(); ++i) ok = same(a.fitted[i], b.fitted[i]);
    for (size_t i = 0; ok && i < a.last.size(); ++i) ok = same(a.last[i], b.last[i]);
    return ok;
  };
  std::vector<double> y = series("USAccDeaths");
  for (double& v : y) v = v * 1.5 + 7;
  const size_t before = fc::etsSelectionsMade();
  auto first = fc::autoEts(y, 12);
  REQUIRE(first);
  CHECK(fc::etsSelectionsMade() == before + 1);
  auto again = fc::autoEts(y, 12);
  REQUIRE(again);
  CHECK(fc::etsSelectionsMade() == before + 1);
  CHECK(sameFit(*first, *again));
  auto fresh = fc::fitEts(y, 12, first->spec);
  REQUIRE(fresh);
  CHECK(sameFit(*first, *fresh));
  std::vector<double> y2 = y;
  y2.back() = std::nextafter(y2.back(), 1e300);
  CHECK(fc::autoEts(y2, 12));
  CHECK(fc::etsSelectionsMade() == before + 2);
  CHECK(fc::autoEts(y, 4));
  CHECK(fc::etsSelectionsMade() == before + 3);
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
  req.jit = jit ? mtc::rt::JitMode::Always : mtc::rt::JitMode::Never;
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

// ------------------------------------------------------------------- ARIMA
// R 4.2.2 with forecast 8.20: tests/fixtures/r/arima_reference.R writes
// arima_reference.json (fixed-order forecast::Arima fits; auto.arima on the
// training part of 14 classic series, the split of series/r_all_holdout.csv).

#include "forecast/arima.h"

namespace {

nlohmann::json arimaReference() {
  std::ifstream in(std::string(MTC_SOURCE_DIR) + "/tests/fixtures/r/arima_reference.json");
  return nlohmann::json::parse(in);
}

std::vector<double> nile() { return fixtureColumn("nile.csv"); }

}  // namespace

TEST_CASE("forecast arima: Arima with fixed orders gives R's coefficients, likelihood and forecasts") {
  // USAccDeaths (0,1,1)(0,1,1)[12], AirPassengers (2,1,1)(0,1,0)[12], austres
  // (1,1,0) with drift, Nile AR(2) with mean, nottem (1,0,2)(1,1,2)[12] with
  // drift, UKgas (3,1,1)(0,1,1)[4]: each as forecast::Arima(y, order, seasonal,
  // include.drift) and forecast(fit, h = 12, level = c(80, 95)).
  auto ref = arimaReference();
  size_t checked = 0;
  for (auto& [id, r] : ref["fixed"].items()) {
    INFO(id);
    std::string name = r["series"];
    auto y = name == "nile" ? nile() : series(name);
    int m = r["m"];
    fc::ArimaSpec spec{r["order"][0], r["order"][1], r["order"][2], r["seasonal"][0], r["seasonal"][1], r["seasonal"][2], m, true};
    auto fit = fc::fitArima(y, spec);
    REQUIRE(fit);
    CHECK(fit->spec.name() == r["method"].get<std::string>());
    auto coef = r["coef"].get<std::vector<double>>(), se = r["se"].get<std::vector<double>>();
    REQUIRE(fit->coef.size() == coef.size());
    const size_t k = coef.size();
    for (size_t i = 0; i < k; ++i) {
      INFO(fit->names[i]);
      CHECK(fit->names[i] == r["names"][i].get<std::string>());
      CHECK(fit->coef[i] == Approx(coef[i]).epsilon(1e-4));
      CHECK(std::sqrt(fit->varCoef[i * k + i]) == Approx(se[i]).epsilon(1e-3));
    }
    CHECK(fit->loglik == Approx(r["loglik"].get<double>()).epsilon(1e-7));
    CHECK(fit->aicc == Approx(r["aicc"].get<double>()).epsilon(1e-7));
    CHECK(fit->bic == Approx(r["bic"].get<double>()).epsilon(1e-7));
    CHECK(fit->sigma2 == Approx(r["sigma2"].get<double>()).epsilon(1e-5));
    auto fcst = fc::forecastArima(*fit, 12);
    const double z80 = 1.2815515655446004, z95 = 1.959963984540054;
    for (size_t h = 0; h < 12; ++h) {
      INFO("h = " << h + 1);
      CHECK(fcst.mean[h] == Approx(r["mean"][h].get<double>()).epsilon(1e-5));
      CHECK(fcst.mean[h] - z80 * fcst.se[h] == Approx(r["lo80"][h].get<double>()).epsilon(1e-5));
      CHECK(fcst.mean[h] + z80 * fcst.se[h] == Approx(r["hi80"][h].get<double>()).epsilon(1e-5));
      CHECK(fcst.mean[h] - z95 * fcst.se[h] == Approx(r["lo95"][h].get<double>()).epsilon(1e-5));
      CHECK(fcst.mean[h] + z95 * fcst.se[h] == Approx(r["hi95"][h].get<double>()).epsilon(1e-5));
    }
    ++checked;
  }
  CHECK(checked == 6);
}

TEST_CASE("forecast arima: auto.arima selects R's model on the 14 classic series, with R's AICc and holdout MASE") {
  // The tests behind the orders too: STL seasonal strength (nsdiffs "seas"),
  // the KPSS statistic on the seasonally differenced series and ndiffs.
  auto ref = arimaReference();
  size_t same = 0;
  double mase = 0, maseR = 0;
  for (auto& [name, r] : ref["auto"].items()) {
    INFO(name);
    auto y = series(name);
    int m = r["m"], h = r["h"];
    size_t ntr = r["n_train"];
    std::vector<double> train(y.begin(), y.begin() + static_cast<std::ptrdiff_t>(ntr));
    std::vector<double> test(y.begin() + static_cast<std::ptrdiff_t>(ntr), y.begin() + static_cast<std::ptrdiff_t>(ntr) + h);
    if (m > 1) CHECK(fc::seasonalStrength(train, m) == Approx(r["strength"].get<double>()).epsilon(1e-8));
    int D = fc::nsdiffs(train, m);
    CHECK(D == r["D"].get<int>());
    std::vector<double> dx = train;
    if (D) {
      dx.clear();
      for (size_t t = static_cast<size_t>(m); t < train.size(); ++t) dx.push_back(train[t] - train[t - static_cast<size_t>(m)]);
    }
    CHECK(fc::kpss(dx) == Approx(r["kpss"].get<double>()).epsilon(1e-10));
    CHECK(fc::ndiffs(dx) == r["d"].get<int>());
    auto fit = fc::autoArima(train, m);
    REQUIRE(fit);
    CHECK(fit->spec.name() == r["model"].get<std::string>());
    if (fit->spec.name() != r["model"].get<std::string>()) continue;
    ++same;
    CHECK(fit->aicc == Approx(r["aicc"].get<double>()).epsilon(1e-6));
    auto f = fc::forecastArima(*fit, h);
    for (size_t i = 0; i < static_cast<size_t>(h); ++i) {
      CHECK(f.mean[i] == Approx(r["mean"][i].get<double>()).epsilon(1e-4));
      CHECK(f.mean[i] - 1.959963984540054 * f.se[i] == Approx(r["lo95"][i].get<double>()).epsilon(1e-4));
      CHECK(f.mean[i] + 1.959963984540054 * f.se[i] == Approx(r["hi95"][i].get<double>()).epsilon(1e-4));
    }
    double s = fc::mase(train, m, f.mean, test);
    CHECK(s == Approx(r["mase"].get<double>()).epsilon(1e-4));
    mase += s, maseR += r["mase"].get<double>();
  }
  CHECK(same == 14);
  CHECK(mase == Approx(maseR).epsilon(1e-4));
}

TEST_CASE("forecast arima: simulated paths have the analytic forecast variance, and a short history says its minimum") {
  // USAccDeaths' ARIMA(0,1,1)(0,1,1)[12]: R's h = 1 and h = 12 standard errors
  // are (hi95 - mean) / qnorm(0.975) from arima_reference.json.
  auto ref = arimaReference()["fixed"]["USAccDeaths_011_011"];
  auto y = series("USAccDeaths");
  // method arima runs auto.arima, which selects this model
  auto f = fc::forecastSeries(mtc::ir::ForecastMethod::Arima, y, 12, 12, 0.95);
  REQUIRE(f.method == "ARIMA(0,1,1)(0,1,1)[12]");
  for (size_t h = 0; h < 12; ++h) {
    CHECK(f.mean[h] == Approx(ref["mean"][h].get<double>()).epsilon(1e-6));
    CHECK(f.lower[h] == Approx(ref["lo95"][h].get<double>()).epsilon(1e-6));
    CHECK(f.upper[h] == Approx(ref["hi95"][h].get<double>()).epsilon(1e-6));
  }
  std::mt19937_64 rng(7);
  const int paths = 20000;
  std::vector<double> p(12), sum(12, 0.0), sum2(12, 0.0);
  for (int k = 0; k < paths; ++k) {
    f.draw(rng, p.data());
    for (size_t h = 0; h < 12; ++h) sum[h] += p[h], sum2[h] += p[h] * p[h];
  }
  for (size_t h : {size_t{0}, size_t{11}}) {
    double mu = sum[h] / paths, sd = std::sqrt(sum2[h] / paths - mu * mu);
    double se = (ref["hi95"][h].get<double>() - ref["mean"][h].get<double>()) / 1.959963984540054;
    CHECK(mu == Approx(ref["mean"][h].get<double>()).epsilon(0.003));
    CHECK(sd == Approx(se).epsilon(0.03));
  }
  std::vector<double> shortY(y.begin(), y.begin() + 5);
  const size_t need = fc::minimumHistory(mtc::ir::ForecastMethod::Arima, 12);
  CHECK(need == fc::arimaMinimumHistory(12));
  try {
    fc::forecastSeries(mtc::ir::ForecastMethod::Arima, shortY, 12, 3, 0.8);
    FAIL("a 5-period history should be too short");
  } catch (const fc::TooShort& e) {
    CHECK(e.minimum == need);
    CHECK(std::string(e.what()).find(std::to_string(need)) != std::string::npos);
  }
}

TEST_CASE("forecast arima: a series whose differences are constant is continued exactly, as auto.arima's fixed-constant fit") {
  // R: forecast(auto.arima(ts(3 + 2 * (0:19))), h = 6) is ARIMA(0,1,0) with drift, 43 at
  // h = 1 (bounds 42.9996..43.0004 from rounding); a quarterly pattern plus 0.5 a quarter,
  // ts((0:39 %% 4) * 10 + (0:39) * 0.5, frequency = 4): ARIMA(0,0,0)(0,1,0)[4] with drift, 20.
  std::vector<double> line, seasonal;
  for (int i = 0; i < 20; ++i) line.push_back(3 + 2 * i);
  for (int i = 0; i < 40; ++i) seasonal.push_back((i % 4) * 10 + i * 0.5);
  auto f = fc::forecastSeries(mtc::ir::ForecastMethod::Arima, line, 1, 6, 0.9);
  CHECK(f.method == "ARIMA(0,1,0) with drift");
  CHECK(f.mean[0] == Approx(43));
  CHECK(f.mean[5] == Approx(53));
  CHECK(f.upper[0] - f.lower[0] < 1e-3);
  auto g = fc::forecastSeries(mtc::ir::ForecastMethod::Arima, seasonal, 4, 6, 0.9);
  CHECK(g.method == "ARIMA(0,0,0)(0,1,0)[4] with drift");
  CHECK(g.mean[0] == Approx(20));
}
