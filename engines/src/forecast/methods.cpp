// Forecasting one series (methods.h).
#include "methods.h"

#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <memory>
#include <numeric>

#include "arima.h"
#include "ets.h"

namespace mtc::eng::fc {

using ir::ForecastMethod;

namespace {

double zOf(double level) { return boost::math::quantile(boost::math::normal(), 0.5 + level / 2); }

double meanOf(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size()); }

bool constant(const std::vector<double>& y) {
  return std::all_of(y.begin(), y.end(), [&](double v) { return v == y.front(); });
}

void normalBounds(SeriesForecast& f, const std::vector<double>& sd, double level) {
  double z = zOf(level);
  f.lower.resize(f.mean.size());
  f.upper.resize(f.mean.size());
  for (size_t i = 0; i < f.mean.size(); ++i) f.lower[i] = f.mean[i] - z * sd[i], f.upper[i] = f.mean[i] + z * sd[i];
}

// naive (lag 1), snaive (lag m), rwf with drift (lag 1, drift): forecast's lagwalk.
SeriesForecast lagWalk(const std::vector<double>& y, int lag, bool drift, int h, double level, const char* name) {
  const size_t T = y.size(), L = static_cast<size_t>(lag);
  if (T < L + (drift ? 2 : 1)) throw TooShort(fmt::format("{} needs at least {} periods of history", name, L + (drift ? 2 : 1)), L + (drift ? 2 : 1));
  double b = 0, bse = 0, sigma2 = 0;
  if (drift) {
    std::vector<double> d;
    for (size_t t = 1; t < T; ++t) d.push_back(y[t] - y[t - 1]);
    b = meanOf(d);
    double ss = 0;
    for (double v : d) ss += (v - b) * (v - b);
    sigma2 = d.size() > 1 ? ss / static_cast<double>(d.size() - 1) : 0;
    bse = std::sqrt(sigma2 / static_cast<double>(d.size()));
  } else {
    double ss = 0;
    for (size_t t = L; t < T; ++t) ss += (y[t] - y[t - L]) * (y[t] - y[t - L]);
    sigma2 = ss / static_cast<double>(T - L);
  }
  SeriesForecast f;
  f.method = name;
  std::vector<double> sd;
  for (int i = 0; i < h; ++i) {
    size_t k = static_cast<size_t>(i) / L + 1;  // full periods
    f.mean.push_back(y[T - L + static_cast<size_t>(i) % L] + static_cast<double>(k) * b);
    double kk = static_cast<double>(k);
    sd.push_back(std::sqrt(sigma2 * kk + (kk * bse) * (kk * bse)));
  }
  normalBounds(f, sd, level);
  std::vector<double> last(y.end() - static_cast<std::ptrdiff_t>(L), y.end());
  double s = std::sqrt(sigma2);
  f.draw = [last, L, b, bse, s, h](std::mt19937_64& rng, double* path) {
    std::normal_distribution<double> e(0, 1);
    double bb = b + (bse > 0 ? bse * e(rng) : 0);
    for (int i = 0; i < h; ++i) {
      size_t k = static_cast<size_t>(i);
      double prev = k < L ? last[k] : path[k - L];
      path[k] = prev + bb + s * e(rng);
    }
  };
  return f;
}

SeriesForecast meanForecast(const std::vector<double>& y, int h, double level) {
  const size_t n = y.size();
  if (n < 2) throw TooShort("the mean needs at least 2 periods of history", 2);
  double ybar = meanOf(y), ss = 0;
  for (double v : y) ss += (v - ybar) * (v - ybar);
  double s = std::sqrt(ss / static_cast<double>(n - 1));
  double half = boost::math::quantile(boost::math::students_t(static_cast<double>(n - 1)), 0.5 + level / 2) * s *
                std::sqrt(1 + 1 / static_cast<double>(n));
  SeriesForecast f;
  f.method = "mean";
  f.mean.assign(static_cast<size_t>(h), ybar);
  f.lower.assign(static_cast<size_t>(h), ybar - half);
  f.upper.assign(static_cast<size_t>(h), ybar + half);
  double sd = s * std::sqrt(1 + 1 / static_cast<double>(n));
  f.draw = [ybar, sd, h](std::mt19937_64& rng, double* path) {
    std::normal_distribution<double> e(0, sd);
    for (int i = 0; i < h; ++i) path[i] = ybar + e(rng);
  };
  return f;
}

// A linear trend (and season dummies when m > 1), as tslm(y ~ trend [+ season]).
SeriesForecast linearForecast(const std::vector<double>& y, int m, int h, double level) {
  const size_t n = y.size();
  const Eigen::Index k = 2 + (m > 1 ? m - 1 : 0);
  if (n < static_cast<size_t>(k) + 2) throw TooShort(fmt::format("a linear trend{} needs at least {} periods of history", m > 1 ? " with seasons" : "", k + 2), static_cast<size_t>(k) + 2);
  auto row = [&](size_t t) {
    Eigen::RowVectorXd r = Eigen::RowVectorXd::Zero(k);
    r(0) = 1;
    r(1) = static_cast<double>(t + 1);
    if (m > 1) {
      int pos = static_cast<int>(t % static_cast<size_t>(m));
      if (pos > 0) r(1 + pos) = 1;
    }
    return r;
  };
  Eigen::MatrixXd X(static_cast<Eigen::Index>(n), k);
  Eigen::VectorXd Y(static_cast<Eigen::Index>(n));
  for (size_t t = 0; t < n; ++t) X.row(static_cast<Eigen::Index>(t)) = row(t), Y(static_cast<Eigen::Index>(t)) = y[t];
  Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(X);
  Eigen::VectorXd beta = qr.solve(Y);
  double rss = (Y - X * beta).squaredNorm();
  double dof = static_cast<double>(n) - static_cast<double>(k);
  double s2 = rss / dof;
  Eigen::MatrixXd XtXi = (X.transpose() * X).ldlt().solve(Eigen::MatrixXd::Identity(k, k));
  double tq = boost::math::quantile(boost::math::students_t(dof), 0.5 + level / 2);
  SeriesForecast f;
  f.method = m > 1 ? "linear trend and season" : "linear trend";
  std::vector<double> sd;
  for (int i = 0; i < h; ++i) {
    Eigen::RowVectorXd r = row(n + static_cast<size_t>(i));
    double mu = (r * beta)(0);
    double se = std::sqrt(s2 * (1 + (r * XtXi * r.transpose())(0, 0)));
    f.mean.push_back(mu);
    f.lower.push_back(mu - tq * se);
    f.upper.push_back(mu + tq * se);
    sd.push_back(se);
  }
  std::vector<double> mean = f.mean;
  f.draw = [mean, sd](std::mt19937_64& rng, double* path) {
    std::normal_distribution<double> e(0, 1);
    for (size_t i = 0; i < mean.size(); ++i) path[i] = mean[i] + sd[i] * e(rng);
  };
  return f;
}

SeriesForecast fromEts(const EtsFit& fit, int h, double level) {
  SeriesForecast f;
  f.method = fit.spec.name();
  auto fc = forecastEts(fit, h);
  std::vector<double> sd;
  if (fc) {
    f.mean = fc->mean;
    for (double v : fc->variance) sd.push_back(std::sqrt(std::max(v, 0.0)));
    normalBounds(f, sd, level);
  } else {  // a multiplicative trend: point forecasts, intervals from simulated paths
    f.mean = pointForecast(fit, h);
    std::mt19937_64 rng(20250730);
    const int paths = 5000;
    std::vector<std::vector<double>> at(static_cast<size_t>(h));
    std::vector<double> p(static_cast<size_t>(h));
    for (int k = 0; k < paths; ++k) {
      simulateEts(fit, h, rng, p.data());
      for (int i = 0; i < h; ++i) at[static_cast<size_t>(i)].push_back(p[static_cast<size_t>(i)]);
    }
    for (auto& v : at) {
      std::sort(v.begin(), v.end());
      auto q = [&](double pr) { return v[std::min(v.size() - 1, static_cast<size_t>(pr * static_cast<double>(v.size())))]; };
      f.lower.push_back(q(0.5 - level / 2));
      f.upper.push_back(q(0.5 + level / 2));
    }
    f.note = "intervals from 5,000 simulated paths (a multiplicative trend has no analytic variance)";
  }
  auto shared = std::make_shared<EtsFit>(fit);
  f.draw = [shared, h](std::mt19937_64& rng, double* path) { simulateEts(*shared, h, rng, path); };
  return f;
}

// The Theta method (thetaf): SES with drift half the trend's slope, on the
// seasonally adjusted series when a seasonality test passes.
SeriesForecast thetaForecast(const std::vector<double>& y, int m, int h, double level) {
  const size_t n = y.size();
  if (n < 4) throw TooShort("theta needs at least 4 periods of history", 4);
  bool seasonal = false;
  if (m > 1 && !constant(y) && n > 2 * static_cast<size_t>(m)) {
    double ybar = meanOf(y), den = 0;
    for (double v : y) den += (v - ybar) * (v - ybar);
    auto acf = [&](int k) {
      double s = 0;
      for (size_t t = 0; t + static_cast<size_t>(k) < n; ++t) s += (y[t] - ybar) * (y[t + static_cast<size_t>(k)] - ybar);
      return s / den;
    };
    double sum = 0;
    for (int k = 1; k < m; ++k) sum += acf(k) * acf(k);
    double stat = std::sqrt((1 + 2 * sum) / static_cast<double>(n));
    seasonal = std::fabs(acf(m)) / stat > 1.6448536269514722;
  }
  std::vector<double> x = y, idx(n, 1.0);
  if (seasonal) {
    idx = decompose(y, m, true);
    if (std::any_of(idx.begin(), idx.end(), [](double s) { return std::fabs(s) < 1e-4; })) idx.assign(n, 1.0);
    for (size_t t = 0; t < n; ++t) x[t] /= idx[t];
  }
  auto ses = fitEts(x, 1, EtsSpec{Comp::A, Comp::N, Comp::N, false}, Criterion::Mse);
  if (!ses) throw TooShort("theta needs at least 4 periods of history", 4);
  double alpha = std::max(1e-10, ses->alpha), ln = ses->last[0];
  double sse = 0;
  for (double e : ses->residuals) sse += e * e;
  double sigma2 = sse / static_cast<double>(n - 2);
  // the drift: half the least-squares slope of x on 0..n-1
  double tbar = static_cast<double>(n - 1) / 2, xbar = meanOf(x), sxy = 0, sxx = 0;
  for (size_t t = 0; t < n; ++t) sxy += (static_cast<double>(t) - tbar) * (x[t] - xbar), sxx += (static_cast<double>(t) - tbar) * (static_cast<double>(t) - tbar);
  double b = sxy / sxx;
  SeriesForecast f;
  f.method = seasonal ? "theta (seasonally adjusted)" : "theta";
  std::vector<double> sd, season;
  for (int i = 0; i < h; ++i) {
    double hh = static_cast<double>(i + 1);
    double s = seasonal ? idx[n - static_cast<size_t>(m) + static_cast<size_t>(i) % static_cast<size_t>(m)] : 1.0;
    season.push_back(s);
    f.mean.push_back((ln + b / 2 * ((hh - 1) + (1 - std::pow(1 - alpha, static_cast<double>(n))) / alpha)) * s);
    sd.push_back(std::sqrt(sigma2 * (1 + (hh - 1) * alpha * alpha)));  // not scaled by the season, as thetaf
  }
  normalBounds(f, sd, level);
  std::vector<double> mean = f.mean;
  double s = std::sqrt(sigma2);
  f.draw = [mean, alpha, s](std::mt19937_64& rng, double* path) {
    std::normal_distribution<double> e(0, s);
    double shift = 0;  // the level's random walk
    for (size_t i = 0; i < mean.size(); ++i) {
      double ei = e(rng);
      path[i] = mean[i] + shift + ei;
      shift += alpha * ei;
    }
  };
  return f;
}

SeriesForecast etsMethod(const std::vector<double>& y, int m, int h, double level, ForecastMethod which) {
  std::optional<EtsFit> fit;
  if (which == ForecastMethod::Holt) {
    fit = fitEts(y, m, EtsSpec{Comp::A, Comp::A, Comp::N, false});
    if (!fit) throw TooShort("Holt's method needs at least 6 periods of history", 6);
  } else if (which == ForecastMethod::HoltWinters) {
    fit = fitEts(y, m, EtsSpec{Comp::A, Comp::A, Comp::A, false});
    if (!fit) {
      size_t need = std::max<size_t>(2 * static_cast<size_t>(m) + 2, static_cast<size_t>(m) + 6);
      throw TooShort(fmt::format("Holt-Winters needs a season (m > 1) and at least {} periods of history", need), need);
    }
  } else {
    fit = autoEts(y, m);
    if (!fit) throw TooShort("ETS needs at least 5 periods of history", 5);
  }
  return fromEts(*fit, h, level);
}

// arima: auto.arima's model (forecast 8.20, stepwise, AICc), its Kalman
// forecasts and normal intervals with the df-adjusted sigma^2.
SeriesForecast arimaForecast(const std::vector<double>& y, int m, int h, double level) {
  const size_t need = arimaMinimumHistory(m);
  if (y.size() < need) throw TooShort(fmt::format("ARIMA needs at least {} periods of history", need), need);
  auto fit = autoArima(y, m);
  if (!fit) {
    // The differenced series is constant (a line, a repeated season): auto.arima
    // fixes the constant at its value, so the forecast continues the pattern
    // exactly, with no spread.
    const size_t M = static_cast<size_t>(std::max(m, 1));
    int D = m > 1 && y.size() > 2 * M ? nsdiffs(y, m) : 0;
    std::vector<double> dx = y;
    auto diff = [](const std::vector<double>& v, size_t lag) {
      std::vector<double> o;
      for (size_t i = lag; i < v.size(); ++i) o.push_back(v[i] - v[i - lag]);
      return o;
    };
    if (D) dx = diff(dx, M);
    int d = ndiffs(dx);
    for (int i = 0; i < d; ++i) dx = diff(dx, 1);
    if (dx.empty() || !constant(dx)) throw std::runtime_error("arima: no ARIMA model could be fitted to this series; use ets or drift");
    const double c = dx.front();
    std::vector<double> poly{1.0};  // (1 - B)^d (1 - B^m)^D
    auto mul = [&](size_t lag) {
      std::vector<double> o(poly.size() + lag, 0.0);
      for (size_t i = 0; i < poly.size(); ++i) o[i] += poly[i], o[i + lag] -= poly[i];
      poly = o;
    };
    for (int i = 0; i < d; ++i) mul(1);
    for (int i = 0; i < D; ++i) mul(M);
    std::vector<double> ext = y;
    for (int i = 0; i < h; ++i) {
      double v = c;
      for (size_t k = 1; k < poly.size(); ++k) v -= poly[k] * ext[ext.size() - k];
      ext.push_back(v);
    }
    SeriesForecast f;
    ArimaSpec spec{0, d, 0, 0, D, 0, m, d + D <= 1};
    f.method = spec.name();
    f.mean.assign(ext.end() - h, ext.end());
    f.lower = f.mean;
    f.upper = f.mean;
    std::vector<double> mean = f.mean;
    f.draw = [mean](std::mt19937_64&, double* path) { std::copy(mean.begin(), mean.end(), path); };
    f.note = "the differenced series is constant: its exact continuation, as auto.arima's fixed-constant fit";
    return f;
  }
  SeriesForecast f;
  f.method = fit->spec.name();
  auto fc = forecastArima(*fit, h);
  f.mean = fc.mean;
  normalBounds(f, fc.se, level);
  auto shared = std::make_shared<ArimaFit>(std::move(*fit));
  f.draw = [shared, h](std::mt19937_64& rng, double* path) { simulateArima(*shared, h, rng, path); };
  return f;
}

SeriesForecast single(ForecastMethod method, const std::vector<double>& y, int m, int h, double level);

// auto: every candidate on a holdout of the last periods, the best, or the
// equal-weight mean of the best k when it beats every single one (the rule of
// forecast_methods.md 4.2); then refitted on the whole history.
SeriesForecast autoForecast(const std::vector<double>& y, int m, int h, double level) {
  const size_t n = y.size();
  std::vector<ForecastMethod> cands{ForecastMethod::Ets, ForecastMethod::Theta, ForecastMethod::Drift};
  if (m > 1) cands.push_back(ForecastMethod::Snaive);
  else cands.push_back(ForecastMethod::Naive);
  const size_t keep = std::max<size_t>(2 * static_cast<size_t>(m) + 2, 10);
  int hv = n > keep ? static_cast<int>(std::min<size_t>(static_cast<size_t>(h), n - keep)) : 0;
  std::vector<ForecastMethod> chosen;
  if (hv >= 1) {
    std::vector<double> train(y.begin(), y.end() - hv), valid(y.end() - hv, y.end());
    std::vector<std::pair<double, size_t>> score;
    std::vector<std::vector<double>> fcs;
    for (size_t c = 0; c < cands.size(); ++c) {
      try {
        SeriesForecast sf = single(cands[c], train, m, hv, level);
        double s = mase(train, m, sf.mean, valid);
        if (std::isfinite(s)) {
          score.push_back({s, fcs.size()});
          fcs.push_back(sf.mean);
          chosen.push_back(cands[c]);
        }
      } catch (const TooShort&) {
      }
    }
    if (!score.empty()) {
      std::stable_sort(score.begin(), score.end());
      std::vector<ForecastMethod> ranked;
      for (auto& [s, i] : score) ranked.push_back(chosen[i]);
      double best = score[0].first;
      size_t bestK = 1;
      std::vector<double> comb(static_cast<size_t>(hv), 0.0);
      for (size_t k = 1; k <= score.size(); ++k) {
        for (int i = 0; i < hv; ++i) comb[static_cast<size_t>(i)] = 0;
        for (size_t j = 0; j < k; ++j)
          for (int i = 0; i < hv; ++i) comb[static_cast<size_t>(i)] += fcs[score[j].second][static_cast<size_t>(i)] / static_cast<double>(k);
        double s = mase(train, m, comb, valid);
        if (k > 1 && s < best) best = s, bestK = k;
      }
      chosen.assign(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(bestK));
    } else {
      chosen.clear();
    }
  }
  if (chosen.empty()) {
    // too short to compare: ETS, else the simplest that fits
    for (ForecastMethod mth : {ForecastMethod::Ets, ForecastMethod::Drift, ForecastMethod::Naive, ForecastMethod::Mean}) {
      try {
        SeriesForecast sf = single(mth, y, m, h, level);
        sf.note = "too little history to compare methods on held-out periods: " + sf.method;
        return sf;
      } catch (const TooShort&) {
      }
    }
    throw TooShort("a forecast needs at least 2 periods of history", 2);
  }
  std::vector<SeriesForecast> members;
  for (ForecastMethod mth : chosen) {
    try {
      members.push_back(single(mth, y, m, h, level));
    } catch (const TooShort&) {
    }
  }
  if (members.empty()) throw TooShort("a forecast needs at least 2 periods of history", 2);
  if (members.size() == 1) return std::move(members[0]);
  SeriesForecast f;
  f.method = "mean of";
  for (size_t i = 0; i < members.size(); ++i) f.method += (i ? ", " : " ") + members[i].method;
  f.mean.assign(static_cast<size_t>(h), 0.0);
  f.lower.assign(static_cast<size_t>(h), 0.0);
  f.upper.assign(static_cast<size_t>(h), 0.0);
  const double k = static_cast<double>(members.size());
  for (auto& mb : members)
    for (size_t i = 0; i < static_cast<size_t>(h); ++i) f.mean[i] += mb.mean[i] / k, f.lower[i] += mb.lower[i] / k, f.upper[i] += mb.upper[i] / k;
  auto shared = std::make_shared<std::vector<SeriesForecast>>(std::move(members));
  f.draw = [shared, h](std::mt19937_64& rng, double* path) {
    std::vector<double> p(static_cast<size_t>(h));
    for (int i = 0; i < h; ++i) path[i] = 0;
    for (auto& mb : *shared) {
      mb.draw(rng, p.data());
      for (int i = 0; i < h; ++i) path[i] += p[static_cast<size_t>(i)] / static_cast<double>(shared->size());
    }
  };
  return f;
}

SeriesForecast single(ForecastMethod method, const std::vector<double>& y, int m, int h, double level) {
  switch (method) {
    case ForecastMethod::Auto: return autoForecast(y, m, h, level);
    case ForecastMethod::Ets: case ForecastMethod::Holt: case ForecastMethod::HoltWinters: return etsMethod(y, m, h, level, method);
    case ForecastMethod::Naive: return lagWalk(y, 1, false, h, level, "naive");
    case ForecastMethod::Snaive:
      if (m <= 1) return lagWalk(y, 1, false, h, level, "naive");
      return lagWalk(y, m, false, h, level, "snaive");
    case ForecastMethod::Drift: return lagWalk(y, 1, true, h, level, "drift");
    case ForecastMethod::Mean: return meanForecast(y, h, level);
    case ForecastMethod::Linear: return linearForecast(y, m, h, level);
    case ForecastMethod::Theta: return thetaForecast(y, m, h, level);
    case ForecastMethod::Arima: return arimaForecast(y, m, h, level);
  }
  throw std::logic_error("forecast: no such method");
}

}  // namespace

SeriesForecast forecastSeries(ForecastMethod method, const std::vector<double>& y, int m, int h, double level) {
  if (y.empty()) throw TooShort("no history to forecast from", 1);
  // all zeros, or any constant: a flat forecast; one period is not a constant history (every
  // method needs two or more: the method's own too-short says so)
  if (y.size() >= 2 && constant(y)) {
    SeriesForecast f;
    f.method = "constant";
    f.mean.assign(static_cast<size_t>(h), y.front());
    f.lower = f.mean;
    f.upper = f.mean;
    double v = y.front();
    f.draw = [v, h](std::mt19937_64&, double* path) { std::fill(path, path + h, v); };
    f.note = "the history is constant: a flat forecast";
    return f;
  }
  return single(method, y, m, h, level);
}

size_t minimumHistory(ForecastMethod method, int m) {
  switch (method) {
    case ForecastMethod::Auto: return 2;
    case ForecastMethod::Ets: return 5;
    case ForecastMethod::Naive: return 2;
    case ForecastMethod::Snaive: return static_cast<size_t>(std::max(m, 1)) + 1;
    case ForecastMethod::Drift: return 3;
    case ForecastMethod::Mean: return 2;
    case ForecastMethod::Holt: return 6;
    case ForecastMethod::HoltWinters: return std::max<size_t>(2 * static_cast<size_t>(m) + 2, static_cast<size_t>(m) + 6);
    case ForecastMethod::Arima: return arimaMinimumHistory(m);
    case ForecastMethod::Linear: return static_cast<size_t>(m > 1 ? m + 3 : 4);
    case ForecastMethod::Theta: return 4;
  }
  return 2;
}

double mase(const std::vector<double>& train, int m, const std::vector<double>& forecast, const std::vector<double>& actual) {
  const size_t lag = static_cast<size_t>(std::max(m, 1));
  if (train.size() <= lag) return NAN;
  double scale = 0;
  for (size_t t = lag; t < train.size(); ++t) scale += std::fabs(train[t] - train[t - lag]);
  scale /= static_cast<double>(train.size() - lag);
  if (!(scale > 0)) return NAN;
  double e = 0;
  size_t k = 0;
  for (size_t i = 0; i < forecast.size() && i < actual.size(); ++i)
    if (std::isfinite(actual[i])) e += std::fabs(actual[i] - forecast[i]) / scale, ++k;
  return k ? e / static_cast<double>(k) : NAN;
}

}  // namespace mtc::eng::fc
