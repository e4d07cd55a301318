// Leaf inputs forecast past the data (project.h).
#include "project.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "mtc/ir_print.h"
#include "mtc/progress.h"

namespace mtc::eng {

using namespace ir;

int seasonLength(Grain g) {
  switch (g) {
    case Grain::Day: return 7;
    case Grain::Week: return 52;
    case Grain::Month: return 12;
    case Grain::Quarter: return 4;
    case Grain::Year: return 1;
  }
  return 1;
}

std::string inputName(const Model& m, Id metric, size_t slice) {
  return m.metrics[metric].dims.empty() ? m.metrics[metric].name : driverName(m, metric, slice);
}

double quantileSorted(const std::vector<double>& v, double p) {
  if (v.empty()) return NAN;
  double h = (static_cast<double>(v.size()) - 1) * p;
  size_t lo = static_cast<size_t>(std::floor(h));
  size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

void Projection::draw(std::mt19937_64& rng, rt::Scenario& out) const {
  for (size_t k = 0; k < inputs.size(); ++k) {
    const Input& in = inputs[k];
    rt::Series& s = out.inputs[k].second;
    for (size_t sl = 0; sl < in.slices.size(); ++sl) {
      int64_t first = in.first[sl];
      size_t h = static_cast<size_t>(timeline.count - first);
      if (h == 0) continue;
      in.slices[sl].draw(rng, &s.at(sl, static_cast<size_t>(first)));
    }
  }
}

Projection project(const Context& ctx, const std::vector<Id>& targets, int64_t horizon, ForecastMethod method, double level,
                   int64_t holdout) {
  const Model& m = ctx.model;
  const rt::Timeline& data = ctx.data.time;
  Projection pr;
  pr.end = data.count - holdout;
  pr.horizon = horizon;
  if (pr.end < 1) throw StatementError(DiagCode::TooShort, fmt::format("holding out {} periods leaves no history", holdout));
  pr.timeline = rt::Timeline{data.grain, data.first, pr.end + horizon};
  pr.point.timeline = &pr.timeline;
  const int season = seasonLength(m.grain);
  std::vector<bool> need = rt::needed(m, targets);
  auto forecastHere = [&](Id id) {
    const Metric& M = m.metrics[id];
    return need[id] && !M.formula && M.data && id < ctx.data.hasData.size() && ctx.data.hasData[id];
  };
  uint64_t series = 0;
  for (Id id : m.topoOrder)
    if (forecastHere(id)) series += ctx.data.inputs[id].slices;
  rt::Progress progress("forecasting the inputs", series, "series");
  for (Id id : m.topoOrder) {
    if (!forecastHere(id)) continue;
    const rt::Series& hist = ctx.data.inputs[id];
    Projection::Input in;
    in.metric = id;
    rt::Series s;
    s.slices = hist.slices;
    s.periods = static_cast<size_t>(pr.timeline.count);
    s.v.assign(s.slices * s.periods, rt::kMissing);
    for (size_t sl = 0; sl < hist.slices; ++sl) {
      std::string name = inputName(m, id, sl);
      // the last run of values before the end: the history the method sees
      int64_t last = pr.end - 1;
      while (last >= 0 && !std::isfinite(hist.at(sl, static_cast<size_t>(last)))) --last;
      if (last < 0)
        throw StatementError(DiagCode::MissingValue, fmt::format("'{}' has no value to forecast from{}", name,
                                                                  holdout ? fmt::format(" before the {} periods held out", holdout) : ""));
      int64_t start = last;
      while (start > 0 && std::isfinite(hist.at(sl, static_cast<size_t>(start - 1)))) --start;
      std::vector<double> y;
      for (int64_t t = start; t <= last; ++t) y.push_back(hist.at(sl, static_cast<size_t>(t)));
      for (int64_t t = 0; t <= last; ++t) s.at(sl, static_cast<size_t>(t)) = hist.at(sl, static_cast<size_t>(t));
      if (start > 0)
        pr.notes.push_back(fmt::format("{}: the {} periods since its last missing value ({}) are its history", name, y.size(),
                                       formatPeriod(data.at(start - 1))));
      if (last < pr.end - 1)
        pr.notes.push_back(fmt::format("{}: no value from {} on; those periods are forecast too", name, formatPeriod(data.at(last + 1))));
      int h = static_cast<int>(pr.timeline.count - (last + 1));
      fc::SeriesForecast f;
      try {
        f = fc::forecastSeries(method, y, season, h, level);
      } catch (const fc::TooShort& e) {
        throw StatementError(DiagCode::TooShort, fmt::format("'{}' has {} period{} of history, and {}", name, y.size(),
                                                             y.size() == 1 ? "" : "s", e.what()));
      } catch (const std::runtime_error& e) {
        throw StatementError(DiagCode::NotBuilt, e.what());
      }
      if (!f.note.empty()) pr.notes.push_back(fmt::format("{}: {}", name, f.note));
      for (int i = 0; i < h; ++i) s.at(sl, static_cast<size_t>(last + 1 + i)) = f.mean[static_cast<size_t>(i)];
      in.first.push_back(last + 1);
      in.slices.push_back(std::move(f));
      progress.add();
    }
    pr.point.inputs.push_back({id, std::move(s)});
    pr.inputs.push_back(std::move(in));
  }
  return pr;
}

}  // namespace mtc::eng
