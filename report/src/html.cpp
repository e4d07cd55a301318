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

std::string describeHtml(const Model& m, const eng::DescribeResult& r) {
  std::string out = fmt::format("<section><h2>describe {} .. {} <small>({})</small></h2>\n", htmlEscape(formatPeriod(r.from)),
                                htmlEscape(formatPeriod(r.to)), htmlEscape(grainName(r.grain)));
  std::vector<std::string> labels;
  for (auto& p : r.periods) labels.push_back(formatPeriod(p));
  for (const auto& mr : r.metrics) {
    const Metric& M = m.metrics[mr.id];
    std::string unit = m.units.format(M.unit);
    std::string title = M.title.empty() ? "" : " &mdash; " + htmlEscape(M.title);
    out += fmt::format("<h3>{} <small>[{}]{}</small></h3>\n", htmlEscape(M.name), htmlEscape(unit), title);
    if (labels.size() > 1) {
      svg::Frame f;
      f.title = fmt::format("{} ({}), {} to {}", M.name, unit, labels.front(), labels.back());
      out += svg::lineChart(labels, {svg::Line{M.name, mr.values}}, {}, f);
    }
    out += "<table><tr><th>period</th><th>value</th><th>change</th><th>%</th></tr>\n";
    double scale = typicalSize(mr.values);
    for (size_t i = 0; i < r.periods.size(); ++i) {
      std::string pc = percentChange(mr.pctChange[i], mr.values[i] - mr.change[i], scale);
      std::string cls = pc.size() > 1 && (pc[0] == '+' || pc[0] == '-') ? (pc[0] == '-' ? " class=\"down\"" : " class=\"up\"") : "";
      out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td{}>{}</td></tr>\n", htmlEscape(labels[i]), formatNumber(mr.values[i]),
                         formatNumber(mr.change[i]), cls, pc);
    }
    out += "</table>\n";
    if (!mr.slices.empty() && !r.periods.empty()) {
      size_t last = r.periods.size() - 1;
      bool shares = std::any_of(mr.slices.begin(), mr.slices.end(), [](auto& s) { return !s.share.empty(); });
      out += fmt::format("<table class=\"slices\"><tr><th>slice at {}</th><th>value</th>{}</tr>\n", htmlEscape(labels[last]),
                         shares ? "<th>share</th>" : "");
      std::vector<std::pair<double, std::string>> rows;
      for (const auto& sl : mr.slices) {
        double v = sl.values[last];
        std::string share;
        if (shares) {
          double sh = sl.share.empty() ? NAN : sl.share[last];
          share = std::isfinite(sh) ? fmt::format("<td><span class=\"bar\" style=\"width:{:.0f}px\"></span> {:.1f}%</td>",
                                                  std::clamp(sh, 0.0, 1.0) * 120, sh * 100)
                                    : "<td>-</td>";
        }
        rows.push_back({std::isfinite(v) ? v : -INFINITY, fmt::format("<tr><td>{}</td><td>{}</td>{}</tr>\n",
                                                                      htmlEscape(sliceLabel(m, M.dims, sl.index)), formatNumber(v), share)});
      }
      std::stable_sort(rows.begin(), rows.end(), [](auto& a, auto& b) { return a.first > b.first; });
      for (auto& [v, row] : rows) out += row;
      out += "</table>\n";
    }
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
    struct Node {
      std::string label;
      const eng::DiagnoseResult::Contribution* c;
      const eng::DiagnoseResult::Contribution* parent = nullptr;
    };
    std::vector<Node> frontier;
    for (auto& c : r.component.contributions) frontier.push_back({c.driver, &c, nullptr});
    for (;;) {
      size_t open = frontier.size();
      for (size_t i = 0; i < frontier.size(); ++i)
        if (!frontier[i].c->children.empty() && (open == frontier.size() || std::fabs(frontier[i].c->value) > std::fabs(frontier[open].c->value)))
          open = i;
      if (open == frontier.size() || frontier.size() - 1 + frontier[open].c->children.size() > 8) break;
      Node parent = frontier[open];
      frontier.erase(frontier.begin() + static_cast<std::ptrdiff_t>(open));
      size_t at = open;
      for (auto& ch : parent.c->children)
        frontier.insert(frontier.begin() + static_cast<std::ptrdiff_t>(at++), {ch.driver, &ch, parent.c});
    }
    std::vector<svg::Bar> steps;
    for (auto& nd : frontier) {
      // a driver reached by two paths (revenue in gross_margin and in commission) says which
      size_t same = std::count_if(frontier.begin(), frontier.end(), [&](const Node& x) { return x.c->driver == nd.c->driver; });
      steps.push_back({same > 1 && nd.parent ? nd.label + " (" + nd.parent->driver + ")" : nd.label, nd.c->value, ""});
    }
    svg::Frame f;
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
    f.height = 40 + 24.0 * static_cast<double>(bars.size());
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
        sf.height = 140;
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

// The distribution over the horizon (a band of p05..p95 around the median) and a tornado.
std::string simulateHtml(const Model& m, const eng::SimulateResult& r) {
  std::string out;
  for (const auto& sm : r.metrics) {
    const Metric& M = m.metrics[sm.metric];
    out += fmt::format("<section><h2>simulate {} <small>{} runs, {}</small></h2>\n", htmlEscape(M.name),
                       formatNumber(static_cast<double>(r.runs), 0), samplingName(r.sampling));
    std::vector<std::string> xs;
    for (size_t i = 0; i < sm.mean.size(); ++i) xs.push_back(formatPeriod(Period{r.from.grain, r.from.ord + static_cast<int64_t>(i)}));
    if (xs.size() > 1) {
      svg::Frame f;
      f.title = fmt::format("{}: median and 5-95% range", M.name);
      out += svg::lineChart(xs, {svg::Line{"median", sm.p50, "#4c78a8", false}, svg::Line{"mean", sm.mean, "#333333", true}},
                            {svg::Band{sm.p05, sm.p95, "#4c78a8", 0.18}}, f);
    }
    out += "<table><tr><th>period</th><th>mean</th><th>sd</th><th>p05</th><th>p50</th><th>p95</th></tr>\n";
    for (size_t i = 0; i < sm.mean.size(); ++i)
      out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", xs[i], formatNumber(sm.mean[i]),
                         formatNumber(sm.sd[i]), formatNumber(sm.p05[i]), formatNumber(sm.p50[i]), formatNumber(sm.p95[i]));
    out += "</table>\n";
    if (&sm == &r.metrics.front() && !r.sensitivity.empty()) {
      // the tornado: each input's swing from its p10 to its p90, around the metric at every median
      std::vector<svg::Bar> bars;
      for (const auto& in : r.sensitivity) bars.push_back({in.name, in.high - in.low, ""});
      svg::Frame f;
      f.title = fmt::format("{}: what moves it", M.name);
      f.height = 40 + 24.0 * static_cast<double>(bars.size());
      out += "<h3>what moves it</h3>\n" + svg::barChart(bars, f);
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
    std::vector<svg::Line> lines{svg::Line{"history", hist, "#333333", false}, svg::Line{"forecast", mean, "#4c78a8", true}};
    if (fm.goal && !fm.goal->passed) {
      std::vector<double> goal(nh + nf, NAN);
      int64_t gi = fm.goal->at.ord - fm.historyFrom.ord;
      if (gi >= 0 && static_cast<size_t>(gi) < goal.size()) {
        for (size_t i = nh; i < goal.size(); ++i) goal[i] = fm.goal->target;
        lines.push_back(svg::Line{"goal " + m.goals[fm.goal->goal].name, goal, "#b42318", true});
      }
    }
    svg::Frame f;
    f.title = fmt::format("{}: history and forecast", M.name);
    out += svg::lineChart(xs, lines, {svg::Band{lo, hi, "#4c78a8", 0.18}}, f);
    if (fm.goal) out += "<p>" + htmlEscape(goalSentence(m, *fm.goal, m.units.format(M.unit))) + ".</p>\n";
    out += "<table><tr><th>period</th><th>mean</th><th>lower</th><th>upper</th></tr>\n";
    for (size_t i = 0; i < nf; ++i)
      out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", xs[nh + i], formatNumber(fm.mean[i]),
                         formatNumber(fm.lower[i]), formatNumber(fm.upper[i]));
    out += "</table>\n";
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
    f.height = 40 + 24.0 * static_cast<double>(bars.size());
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
        target{"target", std::vector<double>(nh + np, r.target), "#b42318", true};
    for (size_t i = 0; i < nh; ++i) hist.values[i] = r.history[i];
    for (size_t i = 0; i < np; ++i) path.values[nh + i] = r.path[i];
    if (nh) path.values[nh - 1] = r.history.back();
    std::vector<svg::Line> lines{hist, path, target};
    if (r.reach) lines.push_back({"the levers' best", std::vector<double>(nh + np, NAN), "#17803d", true}), lines.back().values.back() = *r.reach;
    svg::Frame f;
    f.title = fmt::format("{}: the gap to goal {}", exprText(m, G.cmp.lhs), G.name);
    out += svg::lineChart(xs, lines, {}, f);
  } else {
    std::vector<svg::Bar> bars{{"now", r.value, "#4c78a8"}, {"target", r.target, "#b42318"}};
    if (r.reach) bars.push_back({"the levers' best", *r.reach, "#17803d"});
    svg::Frame f;
    f.title = fmt::format("{}: the gap to goal {}", exprText(m, G.cmp.lhs), G.name);
    f.height = 40 + 24.0 * static_cast<double>(bars.size());
    out += svg::barChart(bars, f);
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

}  // namespace

std::string renderHtml(const Model& m, const std::vector<eng::StatementResult>& results) {
  std::string title = htmlEscape(m.title.empty() ? m.name : m.title);
  std::string out = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\n<style>\n"
      "body{{font-family:system-ui,sans-serif;margin:2em auto;max-width:60em;color:#222}}\n"
      "h2{{border-bottom:1px solid #ccc}} small{{color:#777;font-weight:normal}}\n"
      "table{{border-collapse:collapse;margin:.5em 0 1.5em}} td,th{{padding:.15em .8em;text-align:right}}\n"
      "td:first-child,th:first-child{{text-align:left}} tr:nth-child(even){{background:#f6f6f6}}\n"
      ".up{{color:#17803d}} .down{{color:#b42318}} .gap,.error{{color:#b42318}}\n"
      ".bar{{display:inline-block;height:.7em;background:#4c78a8}}\n"
      ".chart{{display:block;max-width:100%;height:auto;margin:.3em 0}}\n"
      ".chart .line{{fill:none;stroke-width:2}} .chart .grid{{stroke:#e4e4e4}} .chart .axis{{stroke:#999}}\n"
      ".chart text{{font-size:10px;fill:#666}} .chart .label{{font-size:11px;fill:#333}}\n"
      ".multiples{{display:flex;flex-wrap:wrap;gap:.5em}} .multiples figure{{margin:0;width:300px}} figcaption{{font-size:12px;color:#444;text-align:center}}\n"
      ".tree details.node{{margin:.15em 0 .15em 1.2em;border-left:2px solid #e4e4e4;padding-left:.5em}}\n"
      ".tree summary{{cursor:pointer}} .tree .value{{font-variant-numeric:tabular-nums}} .tree .flat{{color:#777}}\n"
      ".tree .badge{{font-size:11px;background:#eef2f7;color:#345;border-radius:3px;padding:0 .35em;margin-left:.2em}}\n"
      ".tree .star{{background:#ffd54f;color:#5d4037}} .tree .vanity{{background:#eee;color:#888}}\n"
      ".tree .formula{{font-size:12px;color:#555;margin:.2em 0}} .tree .ref{{margin-left:1.2em;font-size:13px}}\n"
      ".tree details.stage{{margin:.3em 0}}\n"
      "</style></head><body>\n<h1>{}</h1>\n",
      title, title);
  out += treeHtml(m, results);
  for (const auto& r : results)
    std::visit(overloaded{
                   [&](const eng::Failure& f) {
                     out += fmt::format("<section><h2>{} <small>(statement {})</small></h2>\n<p class=\"error\">error <code>{}</code>: {}</p></section>\n",
                                        stmtKindName(r.kind), r.statement, diagInfo(f.code).code, htmlEscape(f.message));
                   },
                   [&](const eng::DescribeResult& d) { out += describeHtml(m, d); },
                   [&](const eng::DiagnoseResult& d) { out += diagnoseHtml(m, d); },
                   [&](const eng::ForecastResult& d) { out += forecastHtml(m, d); },
                   [&](const eng::SeekResult& d) { out += seekHtml(m, d); },
                   [&](const eng::SimulateResult& d) { out += simulateHtml(m, d); },
                   [&](const eng::OptimizeResult& d) { out += optimizeHtml(m, d); },
                   [&](const eng::RecommendResult& d) { out += recommendHtml(m, d); },
               },
               r.result);
  return out + "</body></html>\n";
}

}  // namespace mtc::report
