// The metrics tree at the top of the HTML report: the north star on top, each
// metric's formula inputs below it, every node with its latest value and its
// change against the period before (from the run's describe results), coloured
// by whether the change is good for that metric (`direction:`), vanity metrics
// marked; clicking a node opens its chart and its inputs (<details>, no
// scripts). Metrics outside the north star's tree follow, folded by stage.
#include "tree.h"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <set>

#include "common.h"
#include "svg.h"

namespace mtc::report {

using namespace ir;

namespace {

// What the run's describes say of a metric: its values over their periods (the last describe
// that shows it wins: the latest periods).
struct Seen {
  std::vector<std::string> periods;
  std::vector<double> values;
};

class Tree {
 public:
  Tree(const Model& m, const std::vector<eng::StatementResult>& results) : m_(m) {
    for (const auto& r : results)
      if (auto* d = std::get_if<eng::DescribeResult>(&r.result))
        for (const auto& mr : d->metrics) {
          Seen& s = seen_[mr.id];
          if (!s.periods.empty() && !d->periods.empty() && formatPeriod(d->periods.back()) < s.periods.back()) continue;
          s.periods.clear();
          for (auto& p : d->periods) s.periods.push_back(formatPeriod(p));
          s.values = mr.values;
        }
  }

  std::string render() {
    std::vector<Id> roots;
    for (Id id = 0; id < m_.metrics.size(); ++id)
      if (m_.metrics[id].roles & RoleNorthStar) roots.push_back(id);
    std::string body;
    for (Id r : roots) body += node(r, 0);
    // the rest, by stage (in the chains' order), then those without a stage
    std::map<std::pair<uint32_t, uint32_t>, std::vector<Id>> byStage;
    std::vector<Id> loose;
    for (Id id = 0; id < m_.metrics.size(); ++id) {
      if (shown_.count(id)) continue;
      Id st = m_.metrics[id].stage;
      if (st == kNone) loose.push_back(id);
      else byStage[{m_.stages[st].chain, m_.stages[st].position}].push_back(id);
    }
    std::string rest;
    for (auto& [key, ids] : byStage) {
      const Stage& S = m_.stages[m_.metrics[ids.front()].stage];
      rest += fmt::format("<details class=\"stage\"><summary>stage {} <small>{} metric{}</small></summary>\n", htmlEscape(S.title.empty() ? S.name : S.title),
                          ids.size(), ids.size() == 1 ? "" : "s");
      for (Id id : ids) rest += node(id, 1);
      rest += "</details>\n";
    }
    if (!loose.empty()) {
      rest += fmt::format("<details class=\"stage\"><summary>no stage <small>{} metric{}</small></summary>\n", loose.size(),
                          loose.size() == 1 ? "" : "s");
      for (Id id : loose) rest += node(id, 1);
      rest += "</details>\n";
    }
    if (body.empty() && rest.empty()) return "";
    return "<section class=\"tree\"><h2>metrics tree</h2>\n" + body +
           (rest.empty() ? "" : (roots.empty() ? "" : "<h3>outside the north star's tree</h3>\n") + rest) + "</section>\n";
  }

 private:
  const Model& m_;
  std::map<Id, Seen> seen_;
  std::set<Id> shown_;

  // One metric: its card as the summary; inside, its chart and its formula inputs.
  std::string node(Id id, int depth) {
    const Metric& M = m_.metrics[id];
    if (shown_.count(id))  // a metric read by several: shown once, referred to after
      return fmt::format("<div class=\"node ref\"><a href=\"#tree-{}\">{}</a> <small>(above)</small></div>\n", htmlEscape(M.name),
                         htmlEscape(M.name));
    shown_.insert(id);
    std::string unit = m_.units.format(M.unit);
    std::string value, change;
    auto it = seen_.find(id);
    if (it != seen_.end() && !it->second.values.empty()) {
      const auto& v = it->second.values;
      double last = v.back();
      value = fmt::format("<span class=\"value\">{} {}</span> <small>{}</small>", formatNumber(last), htmlEscape(unit),
                          htmlEscape(it->second.periods.back()));
      if (v.size() > 1 && std::isfinite(last) && std::isfinite(v[v.size() - 2])) {
        double d = last - v[v.size() - 2];
        bool good = M.direction == Direction::HigherIsBetter ? d > 0 : M.direction == Direction::LowerIsBetter ? d < 0 : false;
        bool bad = M.direction == Direction::HigherIsBetter ? d < 0 : M.direction == Direction::LowerIsBetter ? d > 0 : false;
        change = fmt::format(" <span class=\"{}\">{}{}</span>", good ? "up" : bad ? "down" : "flat", d > 0 ? "&#9650; +" : d < 0 ? "&#9660; " : "",
                             formatNumber(d));
      }
    } else {
      value = fmt::format("<small>[{}]</small>", htmlEscape(unit));
    }
    std::string badges;
    if (M.roles & RoleNorthStar) badges += " <span class=\"badge star\">north star</span>";
    if (M.classes & ClassVanity) badges += " <span class=\"badge vanity\">vanity</span>";
    if (M.stage != kNone) badges += fmt::format(" <span class=\"badge\">{}</span>", htmlEscape(m_.stages[M.stage].name));
    std::string title = M.title.empty() ? "" : " <small>" + htmlEscape(M.title) + "</small>";
    std::string inner;
    if (it != seen_.end() && it->second.values.size() > 1) {
      svg::Frame f;
      f.width = 420;
      f.height = 120;
      f.title = fmt::format("{} ({})", M.name, unit);
      inner += svg::lineChart(it->second.periods, {svg::Line{M.name, it->second.values}}, {}, f);
    }
    if (M.formula) inner += fmt::format("<div class=\"formula\"><code>{} = {}</code></div>\n", htmlEscape(M.name), htmlEscape(exprText(m_, *M.formula)));
    for (Id in : M.metricDeps) inner += node(in, depth + 1);
    bool open = depth < 1;
    return fmt::format("<details class=\"node\" id=\"tree-{}\"{}><summary><strong>{}</strong>{} {}{}{}</summary>\n<div class=\"kids\">\n{}</div></details>\n",
                       htmlEscape(M.name), open ? " open" : "", htmlEscape(M.name), title, value, change, badges, inner);
  }
};

}  // namespace

std::string treeHtml(const Model& m, const std::vector<eng::StatementResult>& results) { return Tree(m, results).render(); }

}  // namespace mtc::report
