// The metrics tree at the top of the HTML and Markdown reports: the value
// chains' stages, the north star on top with the metrics that drive it below
// (its formula's inputs, then the sources of relations into it), every node with
// its latest value and its change against the period before, coloured by
// whether the change is good for that metric (`direction:`), vanity metrics
// marked; clicking a node opens its chart, its formula and its inputs
// (<details>, no scripts). Then every metric by stage, folded, so that a tree
// of hundreds of metrics stays a page of a dozen lines until opened.
#include "tree.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "common.h"
#include "svg.h"

namespace mtc::report {

using namespace ir;

namespace {

int verdictOf(const Metric& M, double d) {
  if (!std::isfinite(d) || d == 0) return 0;
  switch (M.direction) {
    case Direction::HigherIsBetter: return d > 0 ? 1 : -1;
    case Direction::LowerIsBetter: return d < 0 ? 1 : -1;
    case Direction::Neutral: return 0;
  }
  return 0;
}

const char* verdictClass(int v) { return v > 0 ? "up" : v < 0 ? "down" : "flat"; }

std::string stageName(const Model& m, Id st) { return m.stages[st].title.empty() ? m.stages[st].name : m.stages[st].title; }

// "▲ +4,130 (+3.0%)": the change with its arrow (the way it moved) and its percentage.
std::string changeText(const TreeData::Node& n, bool html) {
  if (!std::isfinite(n.change)) return "";
  const char* up = html ? "&#9650;" : "▲";
  const char* down = html ? "&#9660;" : "▼";
  std::string pct = percentChange(n.pct, n.latest - n.change, n.scale);
  return fmt::format("{}{}{}{}", n.change > 0 ? up : n.change < 0 ? down : "", n.change != 0 ? " " : "",
                     (n.change > 0 ? "+" : "") + formatNumber(n.change), pct == "-" ? "" : " (" + pct + ")");
}

// Metrics by stage, in the chains' order (stage, then declaration); those without a stage last.
std::vector<std::pair<Id, std::vector<Id>>> byStage(const Model& m, const std::vector<Id>& ids) {
  std::map<std::tuple<int, uint32_t, uint32_t>, std::pair<Id, std::vector<Id>>> groups;
  for (Id id : ids) {
    Id st = m.metrics[id].stage;
    auto key = st == kNone ? std::tuple<int, uint32_t, uint32_t>{1, 0, 0} : std::tuple<int, uint32_t, uint32_t>{0, m.stages[st].chain, m.stages[st].position};
    auto& g = groups[key];
    g.first = st;
    g.second.push_back(id);
  }
  std::vector<std::pair<Id, std::vector<Id>>> out;
  for (auto& [k, g] : groups) out.push_back(g);
  return out;
}

class HtmlTree {
 public:
  HtmlTree(const Model& m, const TreeData& t) : m_(m), t_(t) {}

  std::string render() {
    if (m_.metrics.empty()) return "";
    std::string out = "<section class=\"tree\"><h2>metrics tree</h2>\n";
    if (!t_.previousPeriod.empty())
      out += fmt::format("<p class=\"lede\">Latest period <strong>{}</strong>, change against {}: <span class=\"up\">green</span> is better and "
                         "<span class=\"down\">red</span> worse for the metric (its <code>direction:</code>). Click a metric for its chart, "
                         "its formula and its inputs.</p>\n",
                         htmlEscape(t_.latestPeriod), htmlEscape(t_.previousPeriod));
    else if (!t_.latestPeriod.empty())
      out += fmt::format("<p class=\"lede\">The values at <strong>{}</strong>, the model's one period. Click a metric for its formula and its "
                         "inputs.</p>\n",
                         htmlEscape(t_.latestPeriod));
    out += chains();
    std::string body;
    for (Id r : t_.roots) body += node(r, 0, kNone);
    if (!body.empty()) out += "<div class=\"north\">\n" + body + "</div>\n";
    // every metric by stage; those drawn in the north star's tree refer to it
    std::vector<Id> all;
    for (Id id = 0; id < m_.metrics.size(); ++id) all.push_back(id);
    auto groups = byStage(m_, all);
    out += fmt::format("<h3>{}</h3>\n", t_.roots.empty() ? "metrics by stage" : "every metric by stage");
    for (auto& [st, ids] : groups) {
      int better = 0, worse = 0;
      for (Id id : ids) better += t_.nodes[id].verdict > 0, worse += t_.nodes[id].verdict < 0;
      std::string anchor = st == kNone ? "stage--" : "stage-" + m_.stages[st].name;
      out += fmt::format("<details class=\"stage\" id=\"{}\"><summary><span class=\"stage-name\">{}</span> <small>{} metric{}{}</small>{}</summary>\n",
                         htmlEscape(anchor), st == kNone ? "no stage" : htmlEscape(stageName(m_, st)), ids.size(), ids.size() == 1 ? "" : "s",
                         st == kNone ? "" : " &middot; " + htmlEscape(m_.chains[m_.stages[st].chain].title.empty() ? m_.chains[m_.stages[st].chain].name
                                                                                                                      : m_.chains[m_.stages[st].chain].title),
                         tally(better, worse));
      for (Id id : ids) out += node(id, 1, kNone);
      out += "</details>\n";
    }
    return out + "</section>\n";
  }

 private:
  const Model& m_;
  const TreeData& t_;
  std::map<Id, Id> shown_;  // metric -> the metric it was drawn under (kNone: on its own)

  static std::string tally(int better, int worse) {
    std::string s;
    if (better) s += fmt::format(" <span class=\"tally up\">{} better</span>", better);
    if (worse) s += fmt::format(" <span class=\"tally down\">{} worse</span>", worse);
    return s;
  }

  // The value chains as rows of stages, each a link to its group below.
  std::string chains() {
    std::string out;
    for (const Chain& C : m_.chains) {
      if (C.stages.empty()) continue;
      out += fmt::format("<div class=\"chain\"><span class=\"chain-name\">{}<small>{}</small></span>", htmlEscape(C.title.empty() ? C.name : C.title),
                         C.external ? "external" : "internal");
      bool first = true;
      for (Id st : C.stages) {
        int n = 0, better = 0, worse = 0;
        for (Id id = 0; id < m_.metrics.size(); ++id)
          if (m_.metrics[id].stage == st) ++n, better += t_.nodes[id].verdict > 0, worse += t_.nodes[id].verdict < 0;
        out += fmt::format("{}<a class=\"stage-pill\" href=\"#stage-{}\" title=\"{}\">{}<small>{} metric{}{}</small></a>", first ? "" : "<span class=\"arrow\">&rarr;</span>",
                           htmlEscape(m_.stages[st].name), htmlEscape(m_.stages[st].doc), htmlEscape(stageName(m_, st)), n, n == 1 ? "" : "s",
                           tally(better, worse));
        first = false;
      }
      out += "</div>\n";
    }
    return out;
  }

  // One metric: its card as the summary; inside, its chart, its formula and its inputs.
  std::string node(Id id, int depth, Id parent) {
    const Metric& M = m_.metrics[id];
    const TreeData::Node& n = t_.nodes[id];
    if (auto it = shown_.find(id); it != shown_.end()) {  // read by several, or listed by stage after the tree: drawn once, referred to after
      std::string where = it->second == kNone ? "above" : "under " + m_.metrics[it->second].name;
      return fmt::format("<div class=\"ref\">&uarr; <a href=\"#tree-{0}\">{0}</a> {1} <small>(drawn {2})</small></div>\n", htmlEscape(M.name),
                         std::isfinite(n.latest) ? htmlEscape(formatNumber(n.latest)) : "", htmlEscape(where));
    }
    shown_[id] = parent;
    std::string unit = m_.units.format(M.unit);
    std::string value = std::isfinite(n.latest)
                            ? fmt::format("<span class=\"value\">{}</span> <span class=\"unit\">{}</span>", formatNumber(n.latest), htmlEscape(unit))
                            : fmt::format("<span class=\"value none\">no value</span> <span class=\"unit\">{}</span>", htmlEscape(unit));
    std::string change = std::isfinite(n.change)
                             ? fmt::format("<span class=\"change {}\">{}</span>", verdictClass(n.verdict), changeText(n, true))
                             : "<span class=\"change\"></span>";
    std::string badges;
    if (M.roles & RoleNorthStar) badges += "<span class=\"badge star\">north star</span>";
    if (M.classes & ClassVanity) badges += "<span class=\"badge vanity\" title=\"a vanity metric: pleasing, decides nothing\">vanity</span>";
    if (M.stage != kNone) badges += fmt::format("<span class=\"badge stagetag\">{}</span>", htmlEscape(m_.stages[M.stage].name));
    std::string cls = std::string("node") + (M.roles & RoleNorthStar ? " northstar" : "") + (M.classes & ClassVanity ? " vanity" : "");
    std::string inner;
    if (n.values.size() > 1) {
      svg::Frame f;
      f.width = 640;
      f.height = 180;
      f.yLabel = unit;
      f.title = fmt::format("{} ({}), {} to {}", M.name, unit, n.periods.front(), n.periods.back());
      inner += svg::lineChart(n.periods, {svg::Line{M.name, n.values}}, {}, f);
    } else if (n.values.empty()) {
      inner += "<p class=\"note\">No value: the model has no data for it.</p>\n";
    }
    if (!M.doc.empty()) inner += "<p class=\"doc\">" + htmlEscape(M.doc) + "</p>\n";
    if (M.formula) inner += fmt::format("<div class=\"formula\"><code>{} = {}</code></div>\n", htmlEscape(M.name), htmlEscape(exprText(m_, *M.formula)));
    if (!M.owner.empty()) inner += "<div class=\"owner\">owner: " + htmlEscape(M.owner) + "</div>\n";
    if (n.inputs.size() > 8) {  // many inputs: folded by stage
      for (auto& [st, ids] : byStage(m_, n.inputs)) {
        inner += fmt::format("<details class=\"group\"><summary>{} <small>{} input{}</small></summary>\n", st == kNone ? "no stage" : htmlEscape(stageName(m_, st)),
                             ids.size(), ids.size() == 1 ? "" : "s");
        for (Id in : ids) inner += node(in, depth + 1, id);
        inner += "</details>\n";
      }
    } else {
      for (Id in : n.inputs) inner += node(in, depth + 1, id);
    }
    std::string spark = n.values.size() > 1 ? svg::sparkline(n.values) : "";
    return fmt::format(
        "<details class=\"{}\" id=\"tree-{}\" data-metric=\"{}\" data-latest=\"{}\"{}><summary title=\"{}\"><span class=\"name\">{}</span>"
        "<span class=\"title\">{}</span>{}<span class=\"figures\">{}{}<span class=\"sparkcell\">{}</span></span></summary>\n<div class=\"kids\">\n{}</div></details>\n",
        cls, htmlEscape(M.name), htmlEscape(M.name), std::isfinite(n.latest) ? fmt::format("{}", n.latest) : "", depth == 0 ? " open" : "",
        htmlEscape(M.doc), htmlEscape(M.name), htmlEscape(M.title), badges, value, change, spark, inner);
  }
};

}  // namespace

TreeData treeData(const Model& m, const std::vector<eng::StatementResult>& results, const eng::DescribeResult* overview) {
  TreeData t;
  t.nodes.resize(m.metrics.size());
  auto take = [&](const eng::DescribeResult& d, const eng::DescribeResult::Metric& mr) {
    TreeData::Node& n = t.nodes[mr.id];
    n.periods.clear();
    for (auto& p : d.periods) n.periods.push_back(formatPeriod(p));
    n.values = mr.values;
    n.scale = typicalSize(mr.values);
    if (!mr.values.empty()) {
      n.latest = mr.values.back();
      n.change = mr.change.back();
      n.pct = mr.pctChange.back();
    }
  };
  if (overview) {
    for (const auto& mr : overview->metrics) take(*overview, mr);
    if (!overview->periods.empty()) t.latestPeriod = formatPeriod(overview->periods.back());
    if (overview->periods.size() > 1) t.previousPeriod = formatPeriod(overview->periods[overview->periods.size() - 2]);
  } else {  // the describes' values: the one reaching the latest period at the model's grain wins
    std::map<Id, Period> at;
    for (const auto& r : results)
      if (auto* d = std::get_if<eng::DescribeResult>(&r.result))
        if (d->grain == m.grain && !d->periods.empty())
          for (const auto& mr : d->metrics)
            if (!at.count(mr.id) || at[mr.id].ord <= d->periods.back().ord) at[mr.id] = d->periods.back(), take(*d, mr);
  }
  for (Id id = 0; id < m.metrics.size(); ++id) {
    const Metric& M = m.metrics[id];
    TreeData::Node& n = t.nodes[id];
    n.verdict = verdictOf(M, n.change);
    n.inputs = M.metricDeps;
    if (M.roles & RoleNorthStar) t.roots.push_back(id);
  }
  for (const Relation& R : m.relations)  // drivers by declared relation (not `<->`: a correlation drives neither)
    if (!R.bidirectional && R.from.kind == Ref::Kind::Metric && R.to.kind == Ref::Kind::Metric && R.from.id != R.to.id) {
      auto& in = t.nodes[R.to.id].inputs;
      if (std::find(in.begin(), in.end(), R.from.id) == in.end()) in.push_back(R.from.id);
    }
  return t;
}

std::string treeHtml(const Model& m, const TreeData& t) { return HtmlTree(m, t).render(); }

std::string treeMarkdown(const Model& m, const TreeData& t) {
  if (m.metrics.empty()) return "";
  std::string out = "## metrics tree\n\n";
  if (!t.previousPeriod.empty())
    out += fmt::format("Latest period **{}**, change against {}: 🟢 better, 🔴 worse for the metric (its `direction:`).\n\n", t.latestPeriod,
                       t.previousPeriod);
  else if (!t.latestPeriod.empty())
    out += fmt::format("The values at **{}**, the model's one period.\n\n", t.latestPeriod);
  auto label = [&](Id id) {
    const Metric& M = m.metrics[id];
    const TreeData::Node& n = t.nodes[id];
    std::string s = mermaidText(M.name);
    if (M.roles & RoleNorthStar) s = "★ " + s;
    if (M.classes & ClassVanity) s += " (vanity)";
    if (std::isfinite(n.latest)) s += "<br/>" + mermaidText(formatNumber(n.latest) + " " + m.units.format(M.unit));
    std::string ch = changeText(n, false);
    if (!ch.empty()) s += "<br/>" + mermaidText(ch);
    return s;
  };
  // the north stars' trees, breadth first, up to 40 nodes (each drawn once; every edge kept)
  if (!t.roots.empty()) {
    std::vector<Id> order;
    std::set<Id> in;
    std::vector<std::pair<Id, Id>> edges;
    std::vector<Id> queue(t.roots.begin(), t.roots.end());
    for (Id r : t.roots) in.insert(r), order.push_back(r);
    size_t left = 0;
    for (size_t q = 0; q < queue.size(); ++q)
      for (Id c : t.nodes[queue[q]].inputs) {
        if (!in.count(c)) {
          if (order.size() >= 40) {
            ++left;
            continue;
          }
          in.insert(c), order.push_back(c), queue.push_back(c);
        }
        edges.push_back({queue[q], c});
      }
    out += "```mermaid\ngraph TD\n";
    for (Id id : order) {
      const TreeData::Node& n = t.nodes[id];
      out += fmt::format("  m_{}[\"{}\"]:::{}\n", m.metrics[id].name, label(id),
                         m.metrics[id].classes & ClassVanity ? "vanity" : n.verdict > 0 ? "better" : n.verdict < 0 ? "worse" : "flat");
    }
    for (auto& [a, b] : edges)
      if (in.count(b)) out += fmt::format("  m_{} --> m_{}\n", m.metrics[a].name, m.metrics[b].name);
    out += "  classDef better fill:#e7f4ea,stroke:#17803d,color:#111\n"
           "  classDef worse fill:#fdecea,stroke:#b42318,color:#111\n"
           "  classDef flat fill:#f4f4f4,stroke:#888,color:#111\n"
           "  classDef vanity fill:#fff,stroke:#aaa,stroke-dasharray:4 3,color:#777\n";
    for (Id r : t.roots) out += fmt::format("  style m_{} stroke-width:3px\n", m.metrics[r].name);
    out += "```\n\n";
    if (left) out += fmt::format("The graph stops at 40 metrics; {} more feed them: see the table.\n\n", left);
  }
  // every metric by stage, folded when the model is large
  std::vector<Id> all;
  for (Id id = 0; id < m.metrics.size(); ++id) all.push_back(id);
  bool fold = m.metrics.size() > 30;
  for (auto& [st, ids] : byStage(m, all)) {
    std::string head = st == kNone ? "no stage" : markdownEscape(stageName(m, st));
    if (fold) out += fmt::format("<details><summary>{} ({} metrics)</summary>\n\n", head, ids.size());
    else out += fmt::format("**{}**\n\n", head);
    out += "| metric | latest | change | |\n|---|---:|---:|---|\n";
    for (Id id : ids) {
      const Metric& M = m.metrics[id];
      const TreeData::Node& n = t.nodes[id];
      std::string marks;
      if (M.roles & RoleNorthStar) marks += "★ north star ";
      if (M.classes & ClassVanity) marks += "vanity ";
      std::string ch = changeText(n, false);
      out += fmt::format("| {}{} | {} | {}{} | {}|\n", markdownEscape(M.name), M.title.empty() ? "" : " " + markdownEscape(M.title),
                         std::isfinite(n.latest) ? formatNumber(n.latest) + " " + markdownEscape(m.units.format(M.unit)) : "-",
                         n.verdict > 0 ? "🟢 " : n.verdict < 0 ? "🔴 " : "", ch.empty() ? "-" : ch, marks);
    }
    out += fold ? "\n</details>\n\n" : "\n";
  }
  return out;
}

}  // namespace mtc::report
