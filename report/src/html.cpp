// The HTML report: one self-contained page (no scripts, no external files),
// a section per statement: for describe a chart and a table per metric, the
// slices at the last period with their shares, and the gaps.
#include <algorithm>

#include "common.h"
#include "svg.h"
#include "tree.h"

namespace mtc::report {

using namespace ir;

namespace {

// Rows of a history table, the latest period first: the first `shown` open, the rest folded.
std::string foldedRows(const std::vector<std::string>& rows, const std::string& head, size_t shown, const std::string& what) {
  std::string out = "<table>" + head;
  for (size_t i = 0; i < rows.size() && i < shown; ++i) out += rows[i];
  out += "</table>\n";
  if (rows.size() > shown) {
    out += fmt::format("<details class=\"more\"><summary>{} more {}</summary>\n<table>{}", rows.size() - shown, what, head);
    for (size_t i = shown; i < rows.size(); ++i) out += rows[i];
    out += "</table></details>\n";
  }
  return out;
}

// 1 when a change is good for the metric, -1 when bad (its `direction:`), 0 otherwise.
int verdict(const Metric& M, double change) {
  if (!std::isfinite(change) || change == 0) return 0;
  switch (M.direction) {
    case Direction::HigherIsBetter: return change > 0 ? 1 : -1;
    case Direction::LowerIsBetter: return change < 0 ? 1 : -1;
    case Direction::Neutral: return 0;
  }
  return 0;
}
const char* verdictClass(int v) { return v > 0 ? " class=\"up\"" : v < 0 ? " class=\"down\"" : ""; }

std::string describeHtml(const Model& m, const eng::DescribeResult& r, size_t statement) {
  std::string out = fmt::format("<section class=\"describe\"><h2>describe {} .. {} <small>({})</small></h2>\n", htmlEscape(formatPeriod(r.from)),
                                htmlEscape(formatPeriod(r.to)), htmlEscape(grainName(r.grain)));
  std::vector<std::string> labels;
  for (auto& p : r.periods) labels.push_back(formatPeriod(p));
  // the statement at a glance: each metric's latest value, change and trend
  if (r.metrics.size() > 1 && !labels.empty()) {
    out += fmt::format("<table class=\"glance\"><tr><th>metric</th><th>{}</th><th>change</th><th>%</th><th>trend</th></tr>\n", htmlEscape(labels.back()));
    for (const auto& mr : r.metrics) {
      const Metric& M = m.metrics[mr.id];
      size_t last = mr.values.size() - 1;
      std::string pc = percentChange(mr.pctChange[last], mr.values[last] - mr.change[last], typicalSize(mr.values));
      const char* cls = verdictClass(verdict(M, mr.change[last]));
      out += fmt::format("<tr><td><a href=\"#s{}-{}\">{}</a></td><td>{} <small>{}</small></td><td{}>{}</td><td{}>{}</td><td>{}</td></tr>\n", statement,
                         htmlEscape(M.name), htmlEscape(M.name), formatNumber(mr.values[last]), htmlEscape(m.units.format(M.unit)), cls,
                         formatNumber(mr.change[last]), cls, pc, labels.size() > 1 ? svg::sparkline(mr.values) : "");
    }
    out += "</table>\n";
  }
  for (const auto& mr : r.metrics) {
    const Metric& M = m.metrics[mr.id];
    std::string unit = m.units.format(M.unit);
    std::string title = M.title.empty() ? "" : " &mdash; " + htmlEscape(M.title);
    out += fmt::format("<h3 id=\"s{}-{}\">{} <small>[{}]{}</small></h3>\n", statement, htmlEscape(M.name), htmlEscape(M.name), htmlEscape(unit), title);
    if (labels.size() > 1) {
      svg::Frame f;
      f.yLabel = unit;
      f.title = fmt::format("{} ({}), {} to {}", M.name, unit, labels.front(), labels.back());
      out += svg::lineChart(labels, {svg::Line{M.name, mr.values}}, {}, f);
    }
    out += "<div class=\"tables\">\n";
    double scale = typicalSize(mr.values);
    std::vector<std::string> rows;
    for (size_t i = r.periods.size(); i-- > 0;) {
      std::string pc = percentChange(mr.pctChange[i], mr.values[i] - mr.change[i], scale);
      const char* cls = verdictClass(verdict(M, mr.change[i]));
      rows.push_back(fmt::format("<tr><td>{}</td><td>{}</td><td{}>{}</td><td{}>{}</td></tr>\n", htmlEscape(labels[i]), formatNumber(mr.values[i]), cls,
                                 formatNumber(mr.change[i]), cls, pc));
    }
    out += "<div>" + foldedRows(rows, "<tr><th>period</th><th>value</th><th>change</th><th>%</th></tr>\n", 6, "periods") + "</div>\n";
    if (!mr.slices.empty() && !r.periods.empty()) {
      size_t last = r.periods.size() - 1;
      bool shares = std::any_of(mr.slices.begin(), mr.slices.end(), [](auto& s) { return !s.share.empty(); });
      std::string head = fmt::format("<tr><th>slice at {}</th><th>value</th>{}</tr>\n", htmlEscape(labels[last]), shares ? "<th>share</th>" : "");
      std::vector<std::pair<double, std::string>> keyed;
      for (const auto& sl : mr.slices) {
        double v = sl.values[last];
        std::string share;
        if (shares) {
          double sh = sl.share.empty() ? NAN : sl.share[last];
          share = std::isfinite(sh) ? fmt::format("<td><span class=\"bar\" style=\"width:{:.0f}px\"></span> {:.1f}%</td>",
                                                  std::clamp(sh, 0.0, 1.0) * 120, sh * 100)
                                    : "<td>-</td>";
        }
        keyed.push_back({std::isfinite(v) ? v : -INFINITY, fmt::format("<tr><td>{}</td><td>{}</td>{}</tr>\n",
                                                                       htmlEscape(sliceLabel(m, M.dims, sl.index)), formatNumber(v), share)});
      }
      std::stable_sort(keyed.begin(), keyed.end(), [](auto& a, auto& b) { return a.first > b.first; });
      std::vector<std::string> rows2;
      for (auto& [v, row] : keyed) rows2.push_back(row);
      out += "<div class=\"slices\">" + foldedRows(rows2, head, 8, "slices") + "</div>\n";
    }
    out += "</div>\n";
    for (const auto& g : mr.gaps) {
      std::string where = g.slice ? " for " + htmlEscape(sliceLabel(m, M.dims, *g.slice)) : "";
      out += fmt::format("<p class=\"gap\">gap{}: no value at {}</p>\n", where, htmlEscape(periodList(g.periods)));
    }
  }
  return out + "</section>\n";
}

void contributionRows(std::string& out, const std::vector<eng::DiagnoseResult::Contribution>& cs, int depth) {
  for (auto& c : cs) {
    out += fmt::format("<tr><td style=\"padding-left:{}em\">{}</td><td class=\"{}\">{}</td></tr>\n", 0.8 + depth * 1.2,
                       htmlEscape(c.driver), c.value < 0 ? "down" : "up", formatNumber(c.value));
    contributionRows(out, c.children, depth + 1);
  }
}

std::string diagnoseHtml(const Model& m, const eng::DiagnoseResult& r) {
  const Metric& M = m.metrics[r.metric];
  std::string out = fmt::format("<section><h2>diagnose {} <small>{} vs {}</small></h2>\n<ul>\n", htmlEscape(M.name),
                                htmlEscape(formatPeriod(r.at)), htmlEscape(formatPeriod(r.base)));
  for (auto& l : r.narrative) out += "<li>" + htmlEscape(l) + "</li>\n";
  out += "</ul>\n";
  // the waterfall: from the base, each driver, to the value at `at`; a driver
  // that carries most of the change is opened into its children (up to 8 bars)
  if (!r.component.contributions.empty()) {
    std::vector<svg::Bar> steps;
    for (auto& [label, value] : waterfallSteps(r)) steps.push_back({label, value, ""});
    svg::Frame f;
    f.yLabel = m.units.format(M.unit);
    f.height = 270;
    f.title = fmt::format("{}: {} to {}, by component", M.name, formatPeriod(r.base), formatPeriod(r.at));
    out += "<h3>component</h3>\n" + svg::waterfall(formatPeriod(r.base), r.valueBase, steps, formatPeriod(r.at), f);
    out += "<table><tr><th>driver</th><th>contribution</th></tr>\n";
    contributionRows(out, r.component.contributions, 0);
    out += "</table>\n";
  } else if (r.component.reason) {
    out += "<h3>component</h3><p>not estimable: " + htmlEscape(*r.component.reason) + "</p>\n";
  }
  out += "<h3>temporal</h3><p>" +
         (r.temporal.value ? fmt::format("The seasonal pattern accounts for {} of the change; the rest is {}.", formatNumber(*r.temporal.value),
                                         formatNumber(r.temporal.remainder))
                           : "Not estimable: " + htmlEscape(r.temporal.reason)) +
         "</p>\n";
  if (r.component.contributions.empty() && r.temporal.value) {  // no component waterfall: the change as season and rest
    svg::Frame f;
    f.yLabel = m.units.format(M.unit);
    f.height = 240;
    f.title = fmt::format("{}: {} to {}, the seasonal pattern and the rest", M.name, formatPeriod(r.base), formatPeriod(r.at));
    out += svg::waterfall(formatPeriod(r.base), r.valueBase, {{"seasonal pattern", *r.temporal.value, ""}, {"the rest", r.temporal.remainder, ""}},
                          formatPeriod(r.at), f);
  }
  out += "<h3>influence</h3>\n";
  if (r.influences.empty()) out += "<p>" + htmlEscape(r.influenceReason) + "</p>\n";
  else {
    out += "<table><tr><th>influence</th><th>slope</th><th>r&sup2;</th><th>explains</th><th>break p</th></tr>\n";
    for (auto& inf : r.influences)
      out += fmt::format("<tr><td>{} &rarr; {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                         inf.from == kNone ? "?" : htmlEscape(m.metrics[inf.from].name), htmlEscape(m.metrics[inf.to].name),
                         inf.reason.empty() ? formatNumber(inf.slope) : htmlEscape(inf.reason), inf.reason.empty() ? fmt::format("{:.2f}", inf.r2) : "",
                         inf.value ? formatNumber(*inf.value) : "-", inf.breakP ? fmt::format("{:.3g}", *inf.breakP) : "-");
    out += "</table>\n";
  }
  out += "<h3>dimension</h3>\n";
  if (r.dimension.reason) out += "<p>not estimable: " + htmlEscape(*r.dimension.reason) + "</p>\n";
  if (r.dimension.mix)
    out += fmt::format("<p>{}mix {}, rate {}</p>\n", r.dimension.volume ? "volume " + formatNumber(*r.dimension.volume) + ", " : "",
                       formatNumber(*r.dimension.mix), formatNumber(*r.dimension.rate));
  if (!r.dimension.slices.empty()) {
    std::vector<svg::Bar> bars;
    for (auto& x : r.dimension.slices) {
      std::string sl;
      for (auto& [d, v] : x.slice) sl += (sl.empty() ? "" : " x ") + m.dims[d].name + "=" + m.dims[d].values[v];
      bars.push_back({sl, x.value, ""});
    }
    svg::Frame f;
    f.title = fmt::format("{}: the slices that moved", M.name);
    f.yLabel = "change, " + m.units.format(M.unit);
    out += svg::barChart(bars, f);
    // small multiples: each slice's recent history, one small chart each
    if (!r.dimension.slices.front().history.empty()) {
      std::vector<std::string> xs;
      Period p0 = r.dimension.historyFrom;
      for (size_t i = 0; i < r.dimension.slices.front().history.size(); ++i) xs.push_back(formatPeriod(Period{p0.grain, p0.ord + static_cast<int64_t>(i)}));
      out += "<div class=\"multiples\">\n";
      for (size_t k = 0; k < r.dimension.slices.size() && !r.dimension.slices[k].history.empty(); ++k) {
        svg::Frame sf;
        sf.width = 300;
        sf.height = 150;
        sf.yLabel = m.units.format(M.unit);
        sf.title = bars[k].label;
        out += "<figure>" + svg::lineChart(xs, {svg::Line{bars[k].label, r.dimension.slices[k].history, "#4c78a8", false}}, {}, sf) +
               "<figcaption>" + htmlEscape(bars[k].label) + "</figcaption></figure>\n";
      }
      out += "</div>\n";
    }
  }
  out += "<h3>events</h3><p>";
  if (r.event.events.empty()) out += "No declared event. ";
  for (Id e : r.event.events) out += htmlEscape(m.events[e].name) + " (" + htmlEscape(formatPeriod(m.events[e].from)) + "). ";
  std::string cps;
  for (auto& p : r.event.changePoints) cps += (cps.empty() ? "" : ", ") + formatPeriod(p);
  out += "Change points: " + htmlEscape(cps.empty() ? "none" : cps) + ".";
  if (r.event.endpointP) out += fmt::format(" One step ahead: p = {:.3g}.", *r.event.endpointP);
  return out + "</p></section>\n";
}

std::string seekHtml(const Model& m, const eng::SeekResult& r) {
  std::string out = fmt::format("<section><h2>seek {} <small>at {}</small></h2>\n<ul>\n", htmlEscape(m.goals[r.goal].name),
                                htmlEscape(formatPeriod(r.at)));
  for (const auto& l : seekSentences(m, r))
    out += (l.rfind("infeasible", 0) == 0 ? "<li class=\"error\">" : "<li>") + htmlEscape(l) + "</li>\n";
  return out + "</ul></section>\n";
}

// The distribution over the horizon (a band of p05..p95 around the median), the
// runs at the last period as a histogram, and a tornado of what moves it.
std::string simulateHtml(const Model& m, const eng::SimulateResult& r) {
  std::string out;
  for (const auto& sm : r.metrics) {
    const Metric& M = m.metrics[sm.metric];
    std::string unit = m.units.format(M.unit);
    out += fmt::format("<section class=\"simulate\"><h2>simulate {} <small>{} runs, {}</small></h2>\n", htmlEscape(M.name),
                       formatNumber(static_cast<double>(r.runs), 0), samplingName(r.sampling));
    std::vector<std::string> xs;
    for (size_t i = 0; i < sm.mean.size(); ++i) xs.push_back(formatPeriod(Period{r.from.grain, r.from.ord + static_cast<int64_t>(i)}));
    if (xs.size() > 1) {
      svg::Frame f;
      f.yLabel = unit;
      f.title = fmt::format("{}: median and 5-95% range", M.name);
      out += svg::lineChart(xs, {svg::Line{"median", sm.p50, "#4c78a8", false}, svg::Line{"mean", sm.mean, "#333333", true}},
                            {svg::Band{sm.p05, sm.p95, "#4c78a8", 0.18, "5-95% of runs"}}, f);
    }
    if (!sm.histCounts.empty() && !xs.empty()) {
      svg::Frame f;
      f.yLabel = unit;
      f.title = fmt::format("{} at {}: the distribution of {} runs", M.name, xs.back(), formatNumber(static_cast<double>(r.runs), 0));
      std::vector<svg::Marker> marks{{"p05", sm.p05.back(), "#555555"}, {"median", sm.p50.back(), "#b42318"}, {"p95", sm.p95.back(), "#555555"}};
      out += fmt::format("<h3>at {}</h3>\n", htmlEscape(xs.back())) + svg::histogram(sm.histFrom, sm.histWidth, sm.histCounts, marks, f);
    }
    std::vector<std::string> rows;
    for (size_t i = sm.mean.size(); i-- > 0;)
      rows.push_back(fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", xs[i], formatNumber(sm.mean[i]),
                                 formatNumber(sm.sd[i]), formatNumber(sm.p05[i]), formatNumber(sm.p50[i]), formatNumber(sm.p95[i])));
    out += foldedRows(rows, "<tr><th>period</th><th>mean</th><th>sd</th><th>p05</th><th>p50</th><th>p95</th></tr>\n", 12, "periods");
    if (&sm == &r.metrics.front() && !r.sensitivity.empty()) {
      // the tornado: each input at its p10 and its p90, every other at its median
      std::vector<svg::Swing> rows2;
      for (const auto& in : r.sensitivity)
        rows2.push_back({in.name + " ~ " + in.distribution, in.low, in.high, fmt::format("p10 = {}", formatNumber(in.atLow)),
                         fmt::format("p90 = {}", formatNumber(in.atHigh))});
      svg::Frame f;
      f.yLabel = unit;
      f.title = fmt::format("{}: what moves it", M.name);
      out += "<h3>what moves it</h3>\n" + svg::tornado(rows2, r.sensitivityBase, "every input at its median", f, "the input at its p10", "at its p90");
      out += "<table><tr><th>input</th><th>rank correlation</th><th>at p10</th><th>at p90</th></tr>\n";
      for (const auto& in : r.sensitivity)
        out += fmt::format("<tr><td>{} ~ {}</td><td>{:+.2f}</td><td>{}</td><td>{}</td></tr>\n", htmlEscape(in.name), htmlEscape(in.distribution),
                           in.rankCorrelation, formatNumber(in.low), formatNumber(in.high));
      out += "</table>\n";
    }
    for (const auto& n : r.notes) out += "<p class=\"note\">" + htmlEscape(n) + "</p>\n";
    out += "</section>\n";
  }
  return out;
}

// A fan chart per metric: history, the forecast's mean, its interval, the goal.
std::string forecastHtml(const Model& m, const eng::ForecastResult& r) {
  std::string out;
  for (const auto& fm : r.metrics) {
    const Metric& M = m.metrics[fm.metric];
    out += fmt::format("<section><h2>forecast {} <small>{}, {:.0f}% interval</small></h2>\n", htmlEscape(M.name), htmlEscape(fm.method),
                       r.level * 100);
    std::vector<std::string> xs;
    const size_t nh = fm.history.size(), nf = fm.mean.size();
    for (size_t i = 0; i < nh + nf; ++i) xs.push_back(formatPeriod(Period{fm.historyFrom.grain, fm.historyFrom.ord + static_cast<int64_t>(i)}));
    std::vector<double> hist(nh + nf, NAN), mean(nh + nf, NAN), lo(nh + nf, NAN), hi(nh + nf, NAN);
    for (size_t i = 0; i < nh; ++i) hist[i] = fm.history[i];
    if (nh) mean[nh - 1] = lo[nh - 1] = hi[nh - 1] = fm.history[nh - 1];  // the fan opens at the last value
    for (size_t i = 0; i < nf; ++i) mean[nh + i] = fm.mean[i], lo[nh + i] = fm.lower[i], hi[nh + i] = fm.upper[i];
    std::vector<svg::Line> lines{svg::Line{"actual", hist, "#333333", false}, svg::Line{"forecast", mean, "#4c78a8", true}};
    if (fm.goal && !fm.goal->passed) {
      std::vector<double> goal(nh + nf, NAN);
      int64_t gi = fm.goal->at.ord - fm.historyFrom.ord;
      if (gi >= 0 && static_cast<size_t>(gi) < goal.size()) {
        for (size_t i = nh; i < goal.size(); ++i) goal[i] = fm.goal->target;
        lines.push_back(svg::Line{"goal " + m.goals[fm.goal->goal].name, goal, "#b42318", true, false});
      }
    }
    svg::Frame f;
    f.yLabel = m.units.format(M.unit);
    f.title = fmt::format("{}: history and forecast", M.name);
    out += svg::lineChart(xs, lines, {svg::Band{lo, hi, "#4c78a8", 0.18, fmt::format("{:.0f}% interval", r.level * 100)}}, f);
    if (fm.goal) out += "<p>" + htmlEscape(goalSentence(m, *fm.goal, m.units.format(M.unit))) + ".</p>\n";
    std::vector<std::string> rows;  // the horizon in time order: the next periods first
    for (size_t i = 0; i < nf; ++i)
      rows.push_back(fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", xs[nh + i], formatNumber(fm.mean[i]),
                                 formatNumber(fm.lower[i]), formatNumber(fm.upper[i])));
    out += foldedRows(rows, "<tr><th>period</th><th>mean</th><th>lower</th><th>upper</th></tr>\n", 6, "periods");
    if (fm.accuracy)
      out += fmt::format("<p>Held out the last {} periods: MAE {}, MASE {:.3f}, {:.0f}% within the interval.</p>\n", fm.accuracy->holdout,
                         formatNumber(fm.accuracy->mae), fm.accuracy->mase, fm.accuracy->coverage * 100);
    for (const auto& n : fm.notes) out += "<p class=\"note\">" + htmlEscape(n) + "</p>\n";
    out += "</section>\n";
  }
  return out;
}

// The feasible region of an LP in one or two variables: a box around the bounds,
// the optimum and where the constraints cross the axes, clipped by every row.
std::string regionChart(const eng::OptimizeResult& r) {
  const size_t n = r.variables.size();
  svg::Region g;
  g.xName = r.variables[0].name;
  if (n == 2) g.yName = r.variables[1].name;
  double lo[2] = {0, 0}, hi[2] = {1, 1};
  for (size_t j = 0; j < n; ++j) {
    const auto& v = r.variables[j];
    double l = std::isfinite(v.lower) ? v.lower : std::min(0.0, v.value), h = std::isfinite(v.upper) ? v.upper : std::max(0.0, v.value);
    for (const auto& row : r.rows)
      for (const auto& [k, a] : row.coefs)
        if (k == j && a != 0 && row.coefs.size() <= 2) {
          double cut = row.limit / a;  // where the row crosses this axis
          if (std::isfinite(cut)) l = std::min(l, cut), h = std::max(h, cut);
        }
    if (!std::isfinite(v.upper)) h = std::max(h, v.value * 1.25);
    if (!(h > l)) h = l + 1;
    lo[j] = l, hi[j] = h + (std::isfinite(v.upper) ? 0 : 0.05 * (h - l));
    if (!std::isfinite(v.lower)) lo[j] = l - 0.05 * (h - l);
  }
  g.xlo = lo[0], g.xhi = hi[0];
  if (n == 2) g.ylo = lo[1], g.yhi = hi[1];
  for (const auto& row : r.rows) {
    svg::HalfPlane h;
    h.label = row.name;
    h.sense = row.op == "<=" ? -1 : row.op == ">=" ? 1 : 0;
    h.limit = row.limit;
    for (const auto& [k, a] : row.coefs) (k == 0 ? h.a : h.b) = a;
    g.rows.push_back(h);
  }
  g.optX = r.variables[0].value;
  g.costX = r.variables[0].cost;
  if (n == 2) g.optY = r.variables[1].value, g.costY = r.variables[1].cost;
  svg::Frame f;
  f.title = fmt::format("{}: the feasible region and the optimum", r.name);
  f.height = n == 2 ? 320 : 90;
  return svg::feasibleRegion(g, f);
}

// The levers, current -> optimal, and the constraints with their shadow prices.
std::string optimizeHtml(const Model& m, const eng::OptimizeResult& r) {
  std::string out = fmt::format("<section><h2>optimize {} <small>at {}: {} {}, {}</small></h2>\n<ul>\n", htmlEscape(r.name),
                                htmlEscape(formatPeriod(r.at)), r.maximize ? "maximize" : "minimize", htmlEscape(r.objectiveText), htmlEscape(r.method));
  for (const auto& l : optimizeSentences(m, r)) {
    bool bad = l.rfind("infeasible", 0) == 0 || l.rfind("unbounded", 0) == 0 || l.rfind("broken", 0) == 0;
    out += (bad ? "<li class=\"error\">" : l.rfind("note", 0) == 0 ? "<li class=\"note\">" : "<li>") + htmlEscape(l) + "</li>\n";
  }
  out += "</ul>\n";
  bool solved = r.status == "optimal";
  if (solved) {
    std::vector<svg::Bar> bars;
    for (const auto& v : r.variables) bars.push_back({v.name, v.value - v.current, ""});
    svg::Frame f;
    f.title = fmt::format("{}: change of each lever", r.name);
    f.yLabel = "change of each lever";
    if (bars.size() > 1 || (bars.size() == 1 && bars[0].value != 0)) out += svg::barChart(bars, f);
    if ((r.method == "simplex" || r.method == "branch-and-cut") && (r.variables.size() == 1 || r.variables.size() == 2))
      out += regionChart(r);
  }
  out += "<h3>levers</h3>\n<table><tr><th>lever</th><th>current</th><th></th><th>optimal</th><th>change</th><th>cost range</th></tr>\n";
  for (const auto& v : r.variables) {
    double ch = v.value - v.current;
    out += fmt::format("<tr><td>{}</td><td>{}</td><td>&rarr;</td><td>{}</td><td class=\"{}\">{}{}</td><td>{}</td></tr>\n", htmlEscape(v.name),
                       formatNumber(v.current), solved ? formatNumber(v.value) : "-", ch < 0 ? "down" : "up", solved && ch > 0 ? "+" : "",
                       solved ? formatNumber(ch) : "-", htmlEscape(rangeText(v.costRange)));
  }
  out += "</table>\n";
  if (!r.rows.empty()) {
    out += "<h3>constraints</h3>\n<table><tr><th>constraint</th><th>value</th><th></th><th>limit</th><th>binds</th><th>shadow price</th>"
           "<th>limit range</th></tr>\n";
    for (const auto& row : r.rows)
      out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", htmlEscape(row.name),
                         solved ? formatNumber(row.activity) : "-", htmlEscape(row.op), formatNumber(row.limit),
                         solved ? (row.binding ? "yes" : "no") : "-", solved && !r.mip ? formatNumber(row.shadowPrice) : "-",
                         htmlEscape(rangeText(row.limitRange)));
    out += "</table>\n";
  }
  return out + "</section>\n";
}

// The gap chart (the goal's left side: its history, its path to the date, the
// target), then the recommendations as a ranked list, and the levers.
std::string recommendHtml(const Model& m, const eng::RecommendResult& r) {
  const ir::Goal& G = m.goals[r.goal];
  std::string out = fmt::format("<section><h2>recommend for {} <small>at {}: {}</small></h2>\n<ul>\n", htmlEscape(G.name),
                                htmlEscape(formatPeriod(r.at)), htmlEscape(r.goalText));
  for (const auto& l : recommendSentences(m, r))
    out += (l.rfind("out of reach", 0) == 0 ? "<li class=\"error\">" : l.rfind("note", 0) == 0 ? "<li class=\"note\">" : "<li>") +
           htmlEscape(l) + "</li>\n";
  out += "</ul>\n";
  const size_t nh = r.history.size(), np = r.path.size();
  if (nh + np > 1) {
    std::vector<std::string> xs;
    Period from = nh ? r.historyFrom : Period{r.at.grain, r.at.ord - static_cast<int64_t>(np) + 1};
    for (size_t i = 0; i < nh + np; ++i) xs.push_back(formatPeriod(Period{from.grain, from.ord + static_cast<int64_t>(i)}));
    svg::Line hist{"actual", std::vector<double>(nh + np, NAN)}, path{r.valueFrom, std::vector<double>(nh + np, NAN), "#4c78a8", true},
        target{"target", std::vector<double>(nh + np, r.target), "#b42318", true, false};
    for (size_t i = 0; i < nh; ++i) hist.values[i] = r.history[i];
    for (size_t i = 0; i < np; ++i) path.values[nh + i] = r.path[i];
    if (nh) path.values[nh - 1] = r.history.back();
    std::vector<svg::Line> lines{hist, path, target};
    if (r.reach) lines.push_back({"the levers' best", std::vector<double>(nh + np, NAN), "#17803d", true}), lines.back().values.back() = *r.reach;
    svg::Frame f;
    f.yLabel = r.unit;
    f.title = fmt::format("{}: the gap to goal {}", exprText(m, G.cmp.lhs), G.name);
    out += svg::lineChart(xs, lines, {}, f);
  } else {
    std::vector<svg::Bar> bars{{"now", r.value, "#4c78a8"}, {"target", r.target, "#b42318"}};
    if (r.reach) bars.push_back({"the levers' best", *r.reach, "#17803d"});
    svg::Frame f;
    f.yLabel = r.unit;
    f.title = fmt::format("{}: the gap to goal {}", exprText(m, G.cmp.lhs), G.name);
    out += svg::barChart(bars, f);
  }
  // the recommendations' expected effects on the goal, where modelled
  std::vector<svg::Bar> effects;
  for (const auto& x : r.recommendations)
    if (x.effect) effects.push_back({fmt::format("{}. {}", x.rank, recommendLabel(x)), *x.effect, *x.effect < 0 ? "" : "#17803d"});
  if (!effects.empty()) {
    svg::Frame f;
    f.yLabel = "effect on " + exprText(m, G.cmp.lhs) + (r.unit.empty() ? "" : ", " + r.unit);
    f.title = fmt::format("the recommendations' effects on goal {}", G.name);
    out += "<h3>the recommendations' effects</h3>\n" + svg::barChart(effects, f);
  }
  out += "<ol>\n";
  for (const auto& x : r.recommendations)
    out += fmt::format("<li><strong>{}</strong> <small>{}</small><br>{}<br><small>evidence: {}</small></li>\n", htmlEscape(recommendLabel(x)),
                       htmlEscape(recommendEffect(r, x)), htmlEscape(x.text), htmlEscape(x.analysis));
  out += "</ol>\n";
  if (!r.levers.empty()) {
    out += "<h3>levers</h3>\n<table><tr><th>lever</th><th>from</th><th>now</th><th>effect of +1%</th><th>optimal</th><th>required alone</th>"
           "<th>limit</th></tr>\n";
    auto opt = [](const std::optional<double>& v) { return v ? formatNumber(*v) : std::string("-"); };
    for (const auto& L : r.levers)
      out += fmt::format("<tr><td>{}</td><td>{}</td><td>{} {}</td><td>{}{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td></tr>\n",
                         htmlEscape(L.name), htmlEscape(L.source), formatNumber(L.current), htmlEscape(L.unit), formatNumber(L.perPercent),
                         L.perUnit ? " (per unit)" : "", opt(L.optimal), L.feasible ? "" : "gap", opt(L.required), opt(L.limit));
    out += "</table>\n";
  }
  return out + "</section>\n";
}


// The page's look: system fonts, no web fonts or scripts (the file opens offline).
const char* kStyle = R"css(
:root{--up:#17803d;--down:#b42318;--ink:#1f2328;--mute:#6a737d;--line:#e5e7eb;--blue:#4c78a8}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;margin:0;color:var(--ink);background:#f3f4f6}
main{max-width:62em;margin:0 auto;padding:1.2em 2.2em 4em;background:#fff;min-height:100vh}
h1{margin:.3em 0 .1em;font-size:1.9em} h1+p{margin-top:0;color:var(--mute)}
h2{font-size:1.35em;border-bottom:1px solid var(--line);padding-bottom:.25em;margin:2em 0 .6em}
h3{font-size:1.05em;margin:1.4em 0 .3em}
small{color:var(--mute);font-weight:normal}
nav.toc{font-size:13px;line-height:1.9} nav.toc a{color:#345;text-decoration:none;margin-right:1em;white-space:nowrap} nav.toc a:hover{text-decoration:underline}
table{border-collapse:collapse;margin:.4em 0 1em;font-variant-numeric:tabular-nums;font-size:14px}
td,th{padding:.2em .8em;text-align:right;border-bottom:1px solid #f0f1f3}
th{font-weight:600;color:#444;border-bottom:1px solid #d8dbe0}
td:first-child,th:first-child{text-align:left}
table.glance td{vertical-align:middle} table.glance a{color:#345;text-decoration:none;font-weight:600}
.up{color:var(--up)} .down{color:var(--down)} .gap,.error{color:var(--down)} .note{color:var(--mute)}
.tables{display:flex;flex-wrap:wrap;gap:0 3em;align-items:flex-start}
details.more{margin:-.6em 0 1em} details.more>summary{cursor:pointer;color:#345;font-size:13px}
.bar{display:inline-block;height:.7em;background:var(--blue);border-radius:1px}
.chart{display:block;max-width:100%;height:auto;margin:.3em 0 .8em}
.chart text{font-size:10px;fill:#666} .chart .label{font-size:11px;fill:#333} .chart .unit{font-size:10.5px;fill:#555;font-weight:600}
.chart .value{font-size:10.5px;fill:#333;font-variant-numeric:tabular-nums}
.chart .grid{stroke:#ececec} .chart .grid.zero{stroke:#b8b8b8} .chart .axis{stroke:#999} .chart .connector{stroke:#aaa;stroke-dasharray:2 2}
.chart .hit:hover{fill:#000;fill-opacity:.05} .chart rect:not(.hit):hover{opacity:.8} .chart .dot:hover{r:4}
.spark{vertical-align:middle}
.multiples{display:flex;flex-wrap:wrap;gap:.5em} .multiples figure{margin:0;width:300px} figcaption{font-size:12px;color:#444;text-align:center}
.tree .lede{color:#444;font-size:14px}
.chain{display:flex;flex-wrap:wrap;align-items:center;gap:.35em;margin:.5em 0}
.chain-name{font-weight:600;width:9.5em;font-size:14px} .chain-name small{display:block;font-size:11px}
.stage-pill{display:inline-block;border:1px solid #d0d7de;border-radius:6px;padding:.2em .6em;background:#f6f8fa;color:var(--ink);text-decoration:none;font-size:13px}
.stage-pill small{display:block;font-size:11px} .stage-pill:hover{border-color:var(--blue)} .chain .arrow{color:#aaa}
.tree details{margin:.3em 0}
.tree summary{cursor:pointer;list-style:none;display:flex;flex-wrap:wrap;align-items:center;gap:.2em .55em;border:1px solid #e1e4e8;border-radius:6px;padding:.3em .7em;background:#fff}
.tree summary::-webkit-details-marker{display:none}
.tree summary::before{content:"\25B8";color:#888;width:.7em} .tree details[open]>summary::before{content:"\25BE"}
.tree summary:hover{border-color:#b6c2cf}
.tree .name{font-weight:600} .tree .title{color:var(--mute);font-size:13px}
.tree .figures{margin-left:auto;display:flex;align-items:center;gap:.8em;font-variant-numeric:tabular-nums}
.tree .value{font-weight:600} .tree .value.none{font-weight:normal;color:var(--mute)} .tree .unit{color:var(--mute);font-size:12px;margin-left:-.5em}
.tree .change{min-width:10.5em;text-align:right;font-size:13px} .tree .flat{color:var(--mute)}
.tree .sparkcell{width:90px;height:22px}
.tree .kids{border-left:2px solid #e6e8eb;margin:0 0 0 .9em;padding:.2em 0 .2em .7em}
.tree .kids>.chart{margin-top:.5em}
.tree .northstar>summary{border:2px solid #e3b505;background:#fffbea}
.tree .vanity>summary{border-style:dashed;background:#fcfcfc} .tree .vanity>summary .name{color:#6a737d}
.tree details.stage>summary,.tree details.group>summary{background:#f6f8fa} .tree details.stage>details.node>summary .stagetag{display:none}
.tree .stage-name{font-weight:600} .tally{font-size:12px;margin-left:.4em}
.badge{font-size:11px;background:#eef2f7;color:#345;border-radius:3px;padding:.05em .4em}
.badge.star{background:#ffd54f;color:#5d4037} .badge.vanity{background:#eee;color:#777}
.tree .doc{font-size:13px;color:#444;margin:.3em 0} .tree .formula{font-size:12.5px;color:#555;margin:.2em 0} .tree .owner{font-size:12px;color:var(--mute)}
.tree .ref{margin:.3em 0;padding:.2em .8em;font-size:13px;color:var(--mute)} .tree .ref a{color:#345}
)css";

// A statement's heading in the contents: "describe", "diagnose profit", ...
std::string tocLabel(const Model& m, const eng::StatementResult& r) {
  std::string s = stmtKindName(r.kind);
  std::visit(overloaded{
                 [&](const eng::Failure&) { s += " (error)"; },
                 [&](const eng::DescribeResult& d) { s += " " + formatPeriod(d.from) + " .. " + formatPeriod(d.to); },
                 [&](const eng::DiagnoseResult& d) { s += " " + m.metrics[d.metric].name; },
                 [&](const eng::ForecastResult& d) {
                   for (auto& x : d.metrics) s += " " + m.metrics[x.metric].name;
                 },
                 [&](const eng::SeekResult& d) { s += " " + m.goals[d.goal].name; },
                 [&](const eng::SimulateResult& d) {
                   for (auto& x : d.metrics) s += " " + m.metrics[x.metric].name;
                 },
                 [&](const eng::OptimizeResult& d) { s += " " + d.name; },
                 [&](const eng::RecommendResult& d) { s += " for " + m.goals[d.goal].name; },
             },
             r.result);
  return s;
}

}  // namespace

std::string renderHtml(const Model& m, const std::vector<eng::StatementResult>& results, const Options& o) {
  std::string title = htmlEscape(m.title.empty() ? m.name : m.title);
  std::string out = fmt::format("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">"
                                "<title>{}</title>\n<style>{}</style></head><body><main>\n<h1>{}</h1>\n",
                                title, kStyle, title);
  if (!m.doc.empty()) out += "<p>" + htmlEscape(m.doc) + "</p>\n";
  std::string tree = treeHtml(m, treeData(m, results, o.overview));
  out += "<nav class=\"toc\">";
  if (!tree.empty()) out += "<a href=\"#tree\">metrics tree</a>";
  for (const auto& r : results) out += fmt::format("\n<a href=\"#stmt-{}\">{}</a>", r.statement, htmlEscape(tocLabel(m, r)));
  out += "</nav>\n";
  if (!tree.empty()) out += "<div id=\"tree\"></div>\n" + tree;
  for (const auto& r : results) {
    out += fmt::format("<div id=\"stmt-{}\"></div>\n", r.statement);
    std::visit(overloaded{
                   [&](const eng::Failure& f) {
                     out += fmt::format("<section><h2>{} <small>(statement {})</small></h2>\n<p class=\"error\">error <code>{}</code>: {}</p></section>\n",
                                        stmtKindName(r.kind), r.statement, diagInfo(f.code).code, htmlEscape(f.message));
                   },
                   [&](const eng::DescribeResult& d) { out += describeHtml(m, d, r.statement); },
                   [&](const eng::DiagnoseResult& d) { out += diagnoseHtml(m, d); },
                   [&](const eng::ForecastResult& d) { out += forecastHtml(m, d); },
                   [&](const eng::SeekResult& d) { out += seekHtml(m, d); },
                   [&](const eng::SimulateResult& d) { out += simulateHtml(m, d); },
                   [&](const eng::OptimizeResult& d) { out += optimizeHtml(m, d); },
                   [&](const eng::RecommendResult& d) { out += recommendHtml(m, d); },
               },
               r.result);
  }
  return out + "</main></body></html>\n";
}

}  // namespace mtc::report
