// `mtc graph`: the metrics tree as a graph, rendered as Graphviz dot or Mermaid.
// See graph.h for the model and docs/graph.md for what the drawing shows.
#include "mtc/graph.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <map>

#include "mtc/compiler.h"
#include "mtc/escape.h"
#include "mtc/ir_print.h"

namespace mtc::graph {

using ir::Id;

const char* edgeStyleName(EdgeStyle s) {
  switch (s) {
    case EdgeStyle::Formula: return "formula";
    case EdgeStyle::Deterministic: return "deterministic";
    case EdgeStyle::Causal: return "causal";
    case EdgeStyle::Probabilistic: return "probabilistic";
    case EdgeStyle::Compositional: return "compositional";
  }
  return "?";
}

EdgeStyle Edge::style() const {
  if (!relation) return EdgeStyle::Formula;
  switch (*relation) {
    case ir::RelKind::Deterministic: return EdgeStyle::Deterministic;
    case ir::RelKind::Causal: return EdgeStyle::Causal;
    case ir::RelKind::Probabilistic: return EdgeStyle::Probabilistic;
    case ir::RelKind::Compositional: return EdgeStyle::Compositional;
  }
  return EdgeStyle::Formula;
}

std::string nodeId(const ir::Model& m, const Node& n) {
  return n.kind == NodeKind::Metric ? "m_" + m.metrics[n.id].name : "p_" + m.params[n.id].name;
}

namespace {

using Key = std::pair<NodeKind, Id>;
Key keyOf(const ir::Ref& r) { return {r.kind == ir::Ref::Kind::Metric ? NodeKind::Metric : NodeKind::Param, r.id}; }

// What feeds a node: its formula's metrics and params, and the sources of the
// relations that point at it (both ends of a `<->`).
std::vector<Key> inputsOf(const ir::Model& m, Key k) {
  std::vector<Key> in;
  if (k.first == NodeKind::Metric) {
    for (Id d : m.metrics[k.second].metricDeps) in.push_back({NodeKind::Metric, d});
    for (Id d : m.metrics[k.second].paramDeps) in.push_back({NodeKind::Param, d});
  }
  for (const ir::Relation& r : m.relations) {
    if (keyOf(r.to) == k) in.push_back(keyOf(r.from));
    else if (r.bidirectional && keyOf(r.from) == k) in.push_back(keyOf(r.to));
  }
  return in;
}

// The nodes to draw: everything, or the root and its inputs down to `depth` levels.
std::vector<Key> selectNodes(const ir::Model& m, const Options& o) {
  std::vector<Key> keys;
  if (!o.root) {
    for (Id i = 0; i < m.metrics.size(); ++i) keys.push_back({NodeKind::Metric, i});
    for (Id i = 0; i < m.params.size(); ++i) keys.push_back({NodeKind::Param, i});
    return keys;
  }
  std::map<Key, int> level{{{NodeKind::Metric, *o.root}, 0}};
  std::deque<Key> todo{{NodeKind::Metric, *o.root}};
  while (!todo.empty()) {
    Key k = todo.front();
    todo.pop_front();
    int l = level[k];
    if (o.depth > 0 && l >= o.depth) continue;
    for (Key in : inputsOf(m, k))
      if (level.emplace(in, l + 1).second) todo.push_back(in);
  }
  for (auto& [k, l] : level) keys.push_back(k);  // map order: metrics by id, then params by id
  return keys;
}

}  // namespace

Graph build(const ir::Model& m, const Options& o) {
  Graph g;
  g.root = o.root;
  g.depth = o.depth;
  std::map<Key, size_t> index;
  for (Key k : selectNodes(m, o)) {
    index[k] = g.nodes.size();
    g.nodes.push_back({k.first, k.second});
  }
  auto at = [&](Key k) -> std::optional<size_t> {
    auto it = index.find(k);
    if (it == index.end()) return std::nullopt;
    return it->second;
  };

  std::map<std::pair<size_t, size_t>, Edge> edges;  // (from, to)
  for (size_t to = 0; to < g.nodes.size(); ++to) {
    if (g.nodes[to].kind != NodeKind::Metric) continue;
    const ir::Metric& x = m.metrics[g.nodes[to].id];
    std::vector<Key> deps;
    for (Id d : x.metricDeps) deps.push_back({NodeKind::Metric, d});
    for (Id d : x.paramDeps) deps.push_back({NodeKind::Param, d});
    for (Key d : deps)
      if (auto from = at(d)) {
        Edge& e = edges[{*from, to}];
        e.from = *from, e.to = to, e.formula = true;
        e.delayed = d.first == NodeKind::Metric && !std::binary_search(x.immediateDeps.begin(), x.immediateDeps.end(), d.second);
      }
  }
  for (const ir::Relation& r : m.relations) {
    auto from = at(keyOf(r.from)), to = at(keyOf(r.to));
    if (!from || !to) continue;
    // A `<->` written against the direction of a formula link styles that link.
    if (r.bidirectional && !edges.count({*from, *to}) && edges.count({*to, *from})) std::swap(from, to);
    Edge& e = edges[{*from, *to}];
    e.from = *from, e.to = *to;
    e.relation = r.kind;
    e.bidirectional = r.bidirectional;
    e.lag = r.lag;
  }
  for (auto& [k, e] : edges) g.edges.push_back(e);
  std::stable_sort(g.edges.begin(), g.edges.end(),
                   [](const Edge& a, const Edge& b) { return std::tie(a.to, a.from) < std::tie(b.to, b.from); });

  // Clusters follow the spine: chains in declaration order, stages by position.
  std::vector<bool> placed(g.nodes.size(), false);
  for (const ir::Chain& c : m.chains) {
    std::vector<Id> stages = c.stages;
    std::stable_sort(stages.begin(), stages.end(),
                     [&](Id a, Id b) { return m.stages[a].position < m.stages[b].position; });
    for (Id s : stages) {
      Cluster cl{s, {}};
      for (size_t i = 0; i < g.nodes.size(); ++i)
        if (g.nodes[i].kind == NodeKind::Metric && m.metrics[g.nodes[i].id].stage == s) {
          cl.nodes.push_back(i);
          placed[i] = true;
        }
      // The whole model shows the whole spine; a pruned tree only the stages it touches.
      if (!cl.nodes.empty() || !o.root) g.clusters.push_back(std::move(cl));
    }
  }
  for (size_t i = 0; i < g.nodes.size(); ++i)
    if (!placed[i]) g.loose.push_back(i);
  return g;
}

// ------------------------------------------------------------------ shared label pieces

namespace {

const std::string& nodeName(const ir::Model& m, const Node& n) {
  return n.kind == NodeKind::Metric ? m.metrics[n.id].name : m.params[n.id].name;
}

std::string roleList(uint32_t roles) {
  std::string s;
  for (auto& r : ir::metricRoles())
    if (roles & r.bit) {
      std::string n = r.name;
      std::replace(n.begin(), n.end(), '_', ' ');
      s += (s.empty() ? "" : ", ") + n;
    }
  return s;
}

std::string classList(uint32_t classes) { return ir::classNames(classes); }

std::string dimList(const ir::Model& m, const std::vector<Id>& dims) { return ir::dimNames(m, dims); }

// "USD by channel, region"
std::string typeText(const ir::Model& m, const std::string& unitText, const Unit& u, const std::vector<Id>& dims) {
  std::string t = unitText.empty() ? m.units.format(u) : unitText;
  if (!dims.empty()) t += " by " + dimList(m, dims);
  return t;
}

std::string paramValue(const ir::Param& p) {
  if (p.dims.empty() && p.values.size() == 1) return fmt::format(" = {:g}", p.values[0]);
  return "";
}

// "north star · strategic"
std::string tagLine(const ir::Metric& x) {
  std::string roles = roleList(x.roles), classes = classList(x.classes);
  if (!roles.empty() && !classes.empty()) return roles + " \u00b7 " + classes;
  return roles + classes;
}

std::string stageLabel(const ir::Stage& s) {
  std::string t = fmt::format("{}. {}", s.position + 1, s.name);
  if (!s.title.empty()) t += ": " + s.title;
  return t;
}

// "metrics tree", or "the tree below profit, 2 levels" (after the model's title)
std::string graphTitle(const ir::Model& m, const Graph& g) {
  if (!g.root) return "metrics tree";
  std::string t = "the tree below " + m.metrics[*g.root].name;
  if (g.depth > 0) t += fmt::format(", {} level{}", g.depth, g.depth == 1 ? "" : "s");
  return t;
}

std::string chainLabel(const ir::Chain& c) {
  return fmt::format("{} ({} chain)", c.title.empty() ? c.name : c.title, c.external ? "external" : "internal");
}

// The fill of a metric: its most telling role.
enum class Look { NorthStar, Input, Output, Diagnostic, Plain, Param };
Look lookOf(const ir::Model& m, const Node& n) {
  if (n.kind == NodeKind::Param) return Look::Param;
  uint32_t r = m.metrics[n.id].roles;
  if (r & ir::RoleNorthStar) return Look::NorthStar;
  if (r & ir::RoleInput) return Look::Input;
  if (r & ir::RoleOutput) return Look::Output;
  if (r & ir::RoleDiagnostic) return Look::Diagnostic;
  return Look::Plain;
}
const char* fillOf(Look l) {
  switch (l) {
    case Look::NorthStar: return "#ffd54f";
    case Look::Input: return "#d6e9ff";
    case Look::Output: return "#d9f2d0";
    case Look::Diagnostic: return "#ececec";
    case Look::Plain: return "#ffffff";
    case Look::Param: return "#fff6d8";
  }
  return "#ffffff";
}
bool isVanity(const ir::Model& m, const Node& n) {
  return n.kind == NodeKind::Metric && (m.metrics[n.id].classes & ir::ClassVanity);
}

struct EdgeLook {
  const char* color;
  const char* dotStyle;  // style, arrowhead, ... for dot
};
EdgeLook edgeLook(EdgeStyle s) {
  switch (s) {
    case EdgeStyle::Formula: return {"#555555", "color=\"#555555\""};
    case EdgeStyle::Deterministic: return {"#000000", "color=\"#000000\", penwidth=2.6"};
    case EdgeStyle::Causal: return {"#1565c0", "color=\"#1565c0\", style=dashed, penwidth=1.4"};
    case EdgeStyle::Probabilistic: return {"#8e24aa", "color=\"#8e24aa\", style=dotted, penwidth=2, constraint=false"};
    case EdgeStyle::Compositional: return {"#2e7d32", "color=\"#2e7d32\", arrowhead=diamond, penwidth=1.6"};
  }
  return {"#555555", ""};
}

std::string edgeText(const Edge& e) {
  std::string t = e.relation ? ir::relKindName(*e.relation) : e.delayed ? "past" : "";
  if (e.lag) t += fmt::format(", lag {}", e.lag);
  if (e.relation && e.formula) t += " (also a formula link)";
  return t;
}

// ------------------------------------------------------------------ dot

std::string html(std::string_view s) {
  std::string r;
  for (char c : s) switch (c) {
      case '&': r += "&amp;"; break;
      case '<': r += "&lt;"; break;
      case '>': r += "&gt;"; break;
      case '"': r += "&quot;"; break;
      case '\n': r += "<br/>"; break;
      default: r += c;
    }
  return r;
}

// A double-quoted dot string (tooltips).
std::string quoted(std::string_view s) {
  std::string r = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') r += '\\';
    if (c == '\n') { r += "\\n"; continue; }
    r += c;
  }
  return r + "\"";
}

std::string dotNode(const ir::Model& m, const Node& n, const std::string& indent) {
  std::string id = nodeId(m, n);
  Look look = lookOf(m, n);
  if (n.kind == NodeKind::Param) {
    const ir::Param& p = m.params[n.id];
    std::string label = fmt::format("<<i>{}</i><br/><font point-size=\"9\">{}{}</font>>", html(p.name),
                                    html(typeText(m, p.unitText, p.unit, p.dims)), html(paramValue(p)));
    std::string tip = "param " + p.name + (p.doc.empty() ? "" : "\n" + p.doc);
    return fmt::format("{}{} [shape=note, style=filled, fillcolor=\"{}\", color=\"#b39b4d\", label={}, tooltip={}];\n",
                       indent, id, fillOf(look), label, quoted(tip));
  }
  const ir::Metric& x = m.metrics[n.id];
  std::string label = "<<b>" + html(x.title.empty() ? x.name : x.title) + "</b><br/><font point-size=\"9\">";
  label += html((x.title.empty() ? "" : x.name + ": ") + typeText(m, x.unitText, x.unit, x.dims));
  if (x.data) label += html(fmt::format(" \u2190 {}.{}", m.sources[x.data->source].name, x.data->column));
  label += "</font>";
  std::string tags = tagLine(x);
  if (!tags.empty()) label += "<br/><font point-size=\"8\" color=\"#444444\"><i>" + html(tags) + "</i></font>";
  label += ">";
  std::string tip = x.name;
  if (x.formula) tip += " = " + ir::exprText(m, *x.formula);
  if (!x.doc.empty()) tip += "\n" + x.doc;
  std::string style = "rounded,filled";
  std::string border = "color=\"#607d8b\"";
  if (look == Look::NorthStar) border = "color=\"#e65100\", penwidth=3";
  if (isVanity(m, n)) style += ",dashed", border = "color=\"#c62828\", penwidth=2";
  return fmt::format("{}{} [style=\"{}\", fillcolor=\"{}\", {}, label={}, tooltip={}];\n", indent, id, style, fillOf(look),
                     border, label, quoted(tip));
}

// A wide, flat legend (a tall one would stretch the rank it sits in): node looks in
// one row, edge styles in the next.
std::string dotLegend() {
  auto swatch = [](const char* fill, const char* text, const char* border = "#607d8b") {
    return fmt::format("<td bgcolor=\"{}\" border=\"1\" color=\"{}\" style=\"rounded\">{}</td>", fill, border, text);
  };
  auto line = [](const char* color, const char* glyph, const char* text) {
    return fmt::format("<td><font color=\"{}\"><b>{}</b></font> {}</td>", color, glyph, text);
  };
  std::string t = "<<table border=\"1\" color=\"#9e9e9e\" cellborder=\"0\" cellspacing=\"4\" cellpadding=\"3\">";
  t += "<tr><td rowspan=\"2\"><b>Legend</b></td>";
  t += swatch(fillOf(Look::NorthStar), "north star", "#e65100");
  t += swatch(fillOf(Look::Input), "input");
  t += swatch(fillOf(Look::Output), "output");
  t += swatch(fillOf(Look::Diagnostic), "diagnostic");
  t += swatch(fillOf(Look::Plain), "other metric");
  t += swatch("#ffffff", "<i>vanity</i>", "#c62828");
  t += swatch(fillOf(Look::Param), "<i>param</i>", "#b39b4d");
  t += "</tr><tr>";
  t += line("#555555", "\u2500\u2500\u25b6", "formula");
  t += line("#000000", "\u2501\u2501\u25b6", "deterministic");
  t += line("#1565c0", "- - \u25b6", "causal");
  t += line("#8e24aa", "\u00b7\u00b7\u00b7\u00b7", "probabilistic");
  t += line("#2e7d32", "\u2500\u2500\u25c6", "compositional");
  t += "<td colspan=\"2\"><font point-size=\"9\">\u2190 src.col: read from data</font></td>";
  t += "</tr></table>>";
  return "  legend [shape=plain, label=" + t + "];\n";
}

// Chains as clusters holding their stages as bands; each band has an invisible
// anchor node on the spine. Returns the anchors in spine order.
std::vector<std::string> dotClusters(const ir::Model& m, const Graph& g, std::string& out) {
  std::vector<std::string> spine;
  Id chain = ir::kNone;
  for (const Cluster& cl : g.clusters) {
    const ir::Stage& s = m.stages[cl.stage];
    if (s.chain != chain) {
      if (chain != ir::kNone) out += "  }\n";
      chain = s.chain;
      const ir::Chain& c = m.chains[chain];
      out += fmt::format("  subgraph cluster_c_{} {{\n", c.name);
      out += fmt::format("    label=<<b>{}</b>>; style=\"rounded,dashed\"; color=\"#90a4ae\"; fontsize=13;\n",
                         html(chainLabel(c)));
    }
    out += fmt::format("    subgraph cluster_s_{} {{\n", s.name);
    out += fmt::format(
        "      label=<<table border=\"0\" cellpadding=\"4\"><tr><td bgcolor=\"#546e7a\"><font color=\"white\">"
        "<b>{}</b></font></td></tr></table>>; labeljust=l; style=\"rounded,filled\"; fillcolor=\"#f4f6f8\"; "
        "color=\"#cfd8dc\"; tooltip={};\n",
        html(stageLabel(s)), quoted(s.doc.empty() ? s.name : s.doc));
    out += fmt::format("      s_{} [shape=point, style=invis, width=0, height=0, label=\"\"];\n", s.name);
    spine.push_back("s_" + s.name);
    for (size_t i : cl.nodes) out += dotNode(m, g.nodes[i], "      ");
    out += "    }\n";
  }
  if (chain != ir::kNone) out += "  }\n";
  return spine;
}

// Invisible edges that make the stages bands, top to bottom along the spine: each
// stage's metrics sit at or below its anchor, and the next anchor below all of them.
void dotSpine(const ir::Model& m, const Graph& g, const std::vector<std::string>& spine, std::string& out) {
  for (size_t i = 1; i < spine.size(); ++i) out += fmt::format("  {} -> {} [style=invis, weight=20];\n", spine[i - 1], spine[i]);
  for (size_t k = 0; k < g.clusters.size(); ++k) {
    for (size_t i : g.clusters[k].nodes) {
      out += fmt::format("  {} -> {} [style=invis, minlen=0];\n", spine[k], nodeId(m, g.nodes[i]));
      if (k + 1 < g.clusters.size()) out += fmt::format("  {} -> {} [style=invis];\n", nodeId(m, g.nodes[i]), spine[k + 1]);
    }
  }
}

// The position on the spine of each node's stage (none for params and unstaged metrics).
std::vector<std::optional<size_t>> spinePositions(const ir::Model& m, const Graph& g) {
  std::vector<std::optional<size_t>> pos(g.nodes.size());
  for (size_t k = 0; k < g.clusters.size(); ++k)
    for (size_t i : g.clusters[k].nodes) pos[i] = k;
  return pos;
}

std::string dotEdge(const ir::Model& m, const Graph& g, const Edge& e, bool backward) {
  EdgeStyle st = e.style();
  std::string attrs = edgeLook(st).dotStyle;
  if (e.bidirectional) attrs += ", dir=both";
  // An edge running back up the chain must not pull the bands out of order.
  if (backward && st != EdgeStyle::Probabilistic) attrs += ", constraint=false";
  if (e.lag) attrs += fmt::format(", label=\"lag {}\", fontcolor=\"{}\"", e.lag, edgeLook(st).color);
  if (e.delayed && !e.relation) attrs += ", style=dashed, constraint=false, label=\"past\", fontcolor=\"#555555\"";
  std::string tip = nodeName(m, g.nodes[e.from]) + (e.bidirectional ? " <-> " : " -> ") + nodeName(m, g.nodes[e.to]);
  tip += e.relation ? ": " + edgeText(e) : e.delayed ? ": formula, reading its past (lag)" : ": formula";
  return fmt::format("  {} -> {} [{}, tooltip={}];\n", nodeId(m, g.nodes[e.from]), nodeId(m, g.nodes[e.to]), attrs, quoted(tip));
}

}  // namespace

std::string toDot(const ir::Model& m, const Graph& g) {
  std::string out = fmt::format("digraph {} {{\n", quoted(m.name));
  out += fmt::format(
      "  graph [rankdir=TB, newrank=true, nodesep=0.25, ranksep=0.45, mclimit=4, remincross=true, "
      "fontname=\"Helvetica\", fontsize=12, labelloc=t, label=<<b>{}</b>: {}>];\n",
      html(m.title.empty() ? m.name : m.title), html(graphTitle(m, g)));
  out += "  node [shape=box, fontname=\"Helvetica\", fontsize=11, margin=\"0.12,0.05\"];\n";
  out += "  edge [fontname=\"Helvetica\", fontsize=9, arrowsize=0.7];\n";

  std::vector<std::string> spine = dotClusters(m, g, out);
  for (size_t i : g.loose) out += dotNode(m, g.nodes[i], "  ");
  dotSpine(m, g, spine, out);
  auto pos = spinePositions(m, g);
  for (const Edge& e : g.edges) out += dotEdge(m, g, e, pos[e.from] && pos[e.to] && *pos[e.from] > *pos[e.to]);

  // The legend goes under the drawing: below the last stage and the loose nodes.
  out += dotLegend();
  std::vector<size_t> last = g.loose;
  if (!g.clusters.empty()) last.insert(last.end(), g.clusters.back().nodes.begin(), g.clusters.back().nodes.end());
  for (size_t i : last) out += fmt::format("  {} -> legend [style=invis, weight=0];\n", nodeId(m, g.nodes[i]));
  if (last.empty() && !spine.empty()) out += fmt::format("  {} -> legend [style=invis, weight=0];\n", spine.back());
  out += "}\n";
  return out;
}

// ------------------------------------------------------------------ mermaid

namespace {

// Text inside a quoted Mermaid label (mtc/escape.h), its line breaks kept.
std::string mermaidText(std::string_view s) { return mtc::mermaidText(s, "<br/>"); }

const char* mermaidClass(const ir::Model& m, const Node& n) {
  if (n.kind == NodeKind::Param) return "param";
  if (isVanity(m, n)) return "vanity";
  switch (lookOf(m, n)) {
    case Look::NorthStar: return "northstar";
    case Look::Input: return "input";
    case Look::Output: return "output";
    case Look::Diagnostic: return "diagnostic";
    case Look::Plain: case Look::Param: return "metric";
  }
  return "metric";
}

std::string mermaidNode(const ir::Model& m, const Node& n, const std::string& indent) {
  std::string id = nodeId(m, n);
  if (n.kind == NodeKind::Param) {
    const ir::Param& p = m.params[n.id];
    return fmt::format("{}{}[/\"{}<br/>{}{}\"/]:::param\n", indent, id, mermaidText(p.name),
                       mermaidText(typeText(m, p.unitText, p.unit, p.dims)), mermaidText(paramValue(p)));
  }
  const ir::Metric& x = m.metrics[n.id];
  std::string label = mermaidText(x.title.empty() ? x.name : x.title) + "<br/>" +
                      mermaidText((x.title.empty() ? "" : x.name + ": ") + typeText(m, x.unitText, x.unit, x.dims));
  std::string tags = tagLine(x);
  if (!tags.empty()) label += "<br/><i>" + mermaidText(tags) + "</i>";
  return fmt::format("{}{}[\"{}\"]:::{}\n", indent, id, label, mermaidClass(m, n));
}

// The link token of each style; a label goes between pipes after it.
std::string mermaidLink(const Edge& e) {
  switch (e.style()) {
    case EdgeStyle::Formula: return e.delayed ? "-.->" : "-->";
    case EdgeStyle::Deterministic: return "==>";
    case EdgeStyle::Causal: return e.bidirectional ? "<-.->" : "-.->";
    case EdgeStyle::Probabilistic: return e.bidirectional ? "<-.->" : "-.->";
    case EdgeStyle::Compositional: return "--o";
  }
  return "-->";
}

}  // namespace

std::string toMermaid(const ir::Model& m, const Graph& g) {
  std::string out = "flowchart TB\n";
  out += fmt::format("  %% {}: {} (mtc graph)\n", mermaidText(m.title.empty() ? m.name : m.title), mermaidText(graphTitle(m, g)));
  Id chain = ir::kNone;
  for (const Cluster& cl : g.clusters) {
    const ir::Stage& s = m.stages[cl.stage];
    if (s.chain != chain) {
      if (chain != ir::kNone) out += "  end\n";
      chain = s.chain;
      const ir::Chain& c = m.chains[chain];
      out += fmt::format("  subgraph c_{}[\"{}\"]\n    direction TB\n", c.name, mermaidText(chainLabel(c)));
    }
    out += fmt::format("    subgraph s_{}[\"{}\"]\n", s.name, mermaidText(stageLabel(s)));
    if (cl.nodes.empty()) out += fmt::format("      s_{}_empty[\" \"]:::empty\n", s.name);
    for (size_t i : cl.nodes) out += mermaidNode(m, g.nodes[i], "      ");
    out += "    end\n";
  }
  if (chain != ir::kNone) out += "  end\n";
  for (size_t i : g.loose) out += mermaidNode(m, g.nodes[i], "  ");

  std::map<EdgeStyle, std::vector<size_t>> byStyle;
  for (size_t k = 0; k < g.edges.size(); ++k) {
    const Edge& e = g.edges[k];
    std::string text = edgeText(e);
    out += fmt::format("  {} {}{} {}\n", nodeId(m, g.nodes[e.from]), mermaidLink(e),
                       text.empty() ? "" : "|\"" + mermaidText(text) + "\"|", nodeId(m, g.nodes[e.to]));
    byStyle[e.style()].push_back(k);
  }
  for (auto& [st, ks] : byStyle) {
    std::string list;
    for (size_t k : ks) list += (list.empty() ? "" : ",") + std::to_string(k);
    std::string extra = st == EdgeStyle::Deterministic ? ",stroke-width:3px" : "";
    out += fmt::format("  linkStyle {} stroke:{}{}\n", list, edgeLook(st).color, extra);
  }
  out += "  classDef northstar fill:#ffd54f,stroke:#e65100,stroke-width:3px\n";
  out += "  classDef input fill:#d6e9ff,stroke:#607d8b\n";
  out += "  classDef output fill:#d9f2d0,stroke:#607d8b\n";
  out += "  classDef diagnostic fill:#ececec,stroke:#607d8b\n";
  out += "  classDef metric fill:#ffffff,stroke:#607d8b\n";
  out += "  classDef vanity fill:#ffffff,stroke:#c62828,stroke-width:2px,stroke-dasharray:5 3\n";
  out += "  classDef param fill:#fff6d8,stroke:#b39b4d\n";
  out += "  classDef empty fill:none,stroke:none\n";
  return out;
}

}  // namespace mtc::graph
