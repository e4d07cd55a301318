// Forecasting methods against R's forecast 8.20 (and statsmodels' R fixtures):
// ETS fits and forecasts, the simple methods' formulas, theta. Where each
// number comes from is said beside it (/work/research/ets.md and
// forecast_methods.md record the R runs).
#include <catch2/catch.hpp>
#include <cmath>
#include <numeric>

#include <fmt/format.h>
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
