// `mtc graph`: which nodes, edges (with their style) and clusters a small model
// gives, --metric/--depth pruning, and the shape of the dot and mermaid text.
// Every expectation below is worked out by hand from kModel.
#include <catch2/catch.hpp>

#include <set>

#include "helpers.h"
#include "mtc/graph.h"

using namespace mtc;
using namespace mtc::test;
using graph::EdgeStyle;
using graph::NodeKind;

static const char* kModel = R"(model t "Test clinic" { grain: month }
unit lead
unit patient
chain journey "Journey" external { stage awareness  stage acquisition }
chain money internal { stage billing }
param price: USD/patient = 100
metric spend: USD { stage: awareness  role: input, leading }
metric leads: lead { stage: acquisition  role: input }
metric patients: patient { stage: acquisition  role: output }
metric cpl: USD/lead = spend / leads { stage: acquisition  role: diagnostic }
metric conv: patient/lead = patients / leads { stage: acquisition }
metric revenue: USD = patients * price { stage: billing  role: north_star }
metric sessions: count { class: vanity }
relation spend -> leads: causal { lag: 1 month }
relation sessions <-> leads: probabilistic
relation patients -> revenue: compositional
relation leads -> conv: deterministic
)";

namespace {

struct Fixture {
  std::unique_ptr<Compilation> c = compileString(kModel);
  const ir::Model& m() const { return *c->model; }
  std::string name(const graph::Graph& g, size_t i) const {
    auto& n = g.nodes[i];
    return n.kind == NodeKind::Metric ? m().metrics[n.id].name : m().params[n.id].name;
  }
  std::set<std::string> nodes(const graph::Graph& g) const {
    std::set<std::string> s;
    for (size_t i = 0; i < g.nodes.size(); ++i) s.insert(name(g, i));
    return s;
  }
  // "from->to:style" for every edge
  std::set<std::string> edges(const graph::Graph& g) const {
    std::set<std::string> s;
    for (auto& e : g.edges) s.insert(name(g, e.from) + "->" + name(g, e.to) + ":" + graph::edgeStyleName(e.style()));
    return s;
  }
  std::vector<std::string> cluster(const graph::Graph& g, size_t k) const {
    std::vector<std::string> v;
    for (size_t i : g.clusters[k].nodes) v.push_back(name(g, i));
    return v;
  }
};

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("graph: nodes, styled edges and stage clusters of the whole model", "[graph]") {
  Fixture f;
  REQUIRE_FALSE(f.c->diags.hasErrors());
  auto g = graph::build(f.m());
  CHECK(f.nodes(g) == std::set<std::string>{"spend", "leads", "patients", "cpl", "conv", "revenue", "sessions", "price"});
  CHECK(f.edges(g) == std::set<std::string>{
                          "spend->cpl:formula",
                          "leads->cpl:formula",
                          "patients->conv:formula",
                          "leads->conv:deterministic",         // formula link, declared deterministic
                          "patients->revenue:compositional",   // formula link, declared compositional
                          "price->revenue:formula",
                          "spend->leads:causal",
                          "sessions->leads:probabilistic",
                      });
  for (auto& e : g.edges) {
    std::string from = f.name(g, e.from), to = f.name(g, e.to);
    if (from == "spend" && to == "leads") CHECK((e.lag == 1 && !e.formula && !e.bidirectional));
    if (from == "sessions") CHECK((e.bidirectional && !e.formula));
    if (from == "patients" && to == "revenue") CHECK(e.formula);
  }
  // Stages in spine order: the external chain's two stages, then the internal chain's.
  REQUIRE(g.clusters.size() == 3);
  CHECK(f.m().stages[g.clusters[0].stage].name == "awareness");
  CHECK(f.m().stages[g.clusters[1].stage].name == "acquisition");
  CHECK(f.m().stages[g.clusters[2].stage].name == "billing");
  CHECK(f.cluster(g, 0) == std::vector<std::string>{"spend"});
  CHECK(f.cluster(g, 1) == std::vector<std::string>{"leads", "patients", "cpl", "conv"});
  CHECK(f.cluster(g, 2) == std::vector<std::string>{"revenue"});
  std::set<std::string> loose;
  for (size_t i : g.loose) loose.insert(f.name(g, i));
  CHECK(loose == std::set<std::string>{"sessions", "price"});  // no stage; params have none
}

TEST_CASE("graph: --metric and --depth keep the metric and what feeds it", "[graph]") {
  Fixture f;
  auto id = [&](const char* n) { return *f.m().findMetric(n); };

  auto g = graph::build(f.m(), {id("revenue"), 1});
  CHECK(f.nodes(g) == std::set<std::string>{"revenue", "patients", "price"});
  CHECK(f.edges(g) == std::set<std::string>{"patients->revenue:compositional", "price->revenue:formula"});
  REQUIRE(g.clusters.size() == 2);  // only the stages the tree touches
  CHECK(f.cluster(g, 0) == std::vector<std::string>{"patients"});
  CHECK(f.cluster(g, 1) == std::vector<std::string>{"revenue"});

  // Every level: cpl reads spend and leads; leads is fed by spend (causal) and sessions (<->).
  g = graph::build(f.m(), {id("cpl"), 0});
  CHECK(f.nodes(g) == std::set<std::string>{"cpl", "spend", "leads", "sessions"});
  CHECK(f.edges(g) == std::set<std::string>{"spend->cpl:formula", "leads->cpl:formula", "spend->leads:causal",
                                            "sessions->leads:probabilistic"});
  // One level: sessions is two levels down; the causal edge joins two kept nodes, so it stays.
  g = graph::build(f.m(), {id("cpl"), 1});
  CHECK(f.nodes(g) == std::set<std::string>{"cpl", "spend", "leads"});
  CHECK(f.edges(g) == std::set<std::string>{"spend->cpl:formula", "leads->cpl:formula", "spend->leads:causal"});

  // A leaf is a tree of one.
  g = graph::build(f.m(), {id("spend"), 0});
  CHECK(f.nodes(g) == std::set<std::string>{"spend"});
  CHECK(g.edges.empty());
}

TEST_CASE("graph: dot text has the clusters in chain order and each edge style", "[graph]") {
  Fixture f;
  std::string dot = graph::toDot(f.m(), graph::build(f.m()));
  CHECK(dot.rfind("digraph \"t\" {", 0) == 0);
  size_t a = dot.find("subgraph cluster_s_awareness"), b = dot.find("subgraph cluster_s_acquisition"),
         c = dot.find("subgraph cluster_s_billing"), j = dot.find("subgraph cluster_c_journey"),
         mo = dot.find("subgraph cluster_c_money");
  REQUIRE(a != std::string::npos);
  REQUIRE(b != std::string::npos);
  REQUIRE(c != std::string::npos);
  CHECK((j < a && a < b && b < mo && mo < c));
  CHECK(count(dot, "subgraph cluster_") == 5);  // 2 chains, 3 stages
  CHECK(count(dot, "{") == count(dot, "}"));
  CHECK(dot.find("m_spend -> m_leads [color=\"#1565c0\", style=dashed, penwidth=1.4, label=\"lag 1\"") != std::string::npos);
  CHECK(dot.find("m_sessions -> m_leads [color=\"#8e24aa\", style=dotted, penwidth=2, constraint=false, dir=both") != std::string::npos);
  CHECK(dot.find("m_patients -> m_revenue [color=\"#2e7d32\", arrowhead=diamond") != std::string::npos);
  CHECK(dot.find("m_leads -> m_conv [color=\"#000000\", penwidth=2.6") != std::string::npos);
  CHECK(dot.find("p_price -> m_revenue [color=\"#555555\"") != std::string::npos);
  CHECK(dot.find("p_price [shape=note") != std::string::npos);
  CHECK(dot.find("m_revenue [style=\"rounded,filled\", fillcolor=\"#ffd54f\"") != std::string::npos);  // north star
  CHECK(dot.find("m_sessions [style=\"rounded,filled,dashed\"") != std::string::npos);                 // vanity
  CHECK(dot.find("legend [shape=plain") != std::string::npos);
  CHECK(dot.find("Test clinic") != std::string::npos);
}

TEST_CASE("graph: mermaid text is a flowchart with a subgraph per chain and stage", "[graph]") {
  Fixture f;
  std::string mm = graph::toMermaid(f.m(), graph::build(f.m()));
  CHECK(mm.rfind("flowchart TB\n", 0) == 0);
  CHECK(count(mm, "\n  subgraph ") == 2);
  CHECK(count(mm, "\n    subgraph ") == 3);
  CHECK(count(mm, "subgraph ") == count(mm, "end\n"));
  CHECK(mm.find("subgraph s_acquisition[\"2. acquisition\"]") != std::string::npos);
  CHECK(mm.find("m_spend -.->|\"causal, lag 1\"| m_leads") != std::string::npos);
  CHECK(mm.find("m_sessions <-.->|\"probabilistic\"| m_leads") != std::string::npos);
  CHECK(mm.find("m_patients --o|\"compositional (also a formula link)\"| m_revenue") != std::string::npos);
  CHECK(mm.find("m_leads ==>|\"deterministic (also a formula link)\"| m_conv") != std::string::npos);
  CHECK(mm.find("m_spend --> m_cpl") != std::string::npos);
  CHECK(mm.find("p_price[/\"price<br/>USD/patient = 100\"/]:::param") != std::string::npos);
  CHECK(mm.find("m_revenue[\"revenue<br/>USD<br/><i>north star</i>\"]:::northstar") != std::string::npos);
  CHECK(count(mm, "linkStyle ") == 5);  // one per edge style present
}

TEST_CASE("graph: labels are escaped in both formats", "[graph]") {
  auto c = compileString("model q { grain: month }\n/// a \"quoted\" <doc> & more\nmetric x \"A <b> & \\\"c\\\"\": count\n");
  REQUIRE_FALSE(c->diags.hasErrors());
  auto g = graph::build(*c->model);
  std::string dot = graph::toDot(*c->model, g), mm = graph::toMermaid(*c->model, g);
  CHECK(dot.find("A &lt;b&gt; &amp; &quot;c&quot;") != std::string::npos);
  CHECK(dot.find("\\\"quoted\\\" <doc>") != std::string::npos);  // the tooltip, a dot string
  CHECK(mm.find("A #lt;b#gt; & #quot;c#quot;") != std::string::npos);
}
