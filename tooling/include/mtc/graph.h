// The metrics tree as a drawable graph (`mtc graph`): metrics and params as
// nodes, grouped under the stages of the value chains, and edges from formula
// dependencies and declared relations, each with the style of its kind.
//
//   auto g = mtc::graph::build(model, {});
//   std::string dot = mtc::graph::toDot(model, g);
//
// build() decides what is drawn (and is what tests check); toDot/toMermaid only
// render it, so both formats always show the same nodes, edges and clusters.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "mtc/ir.h"

namespace mtc::graph {

enum class NodeKind : uint8_t { Metric, Param };

struct Node {
  NodeKind kind = NodeKind::Metric;
  ir::Id id = ir::kNone;  // into model.metrics or model.params
};

// How an edge is drawn: a declared relation's kind wins over the bare formula link.
enum class EdgeStyle : uint8_t {
  Formula,        // `to`'s formula reads `from` (no relation declared on the pair)
  Deterministic,  // a declared deterministic relation
  Causal,
  Probabilistic,
  Compositional,
};
const char* edgeStyleName(EdgeStyle s);

// One edge per (from, to) pair; `from` is the input, `to` the metric it feeds.
struct Edge {
  size_t from = 0, to = 0;                // node indices
  bool formula = false;                   // to's formula reads from directly
  bool delayed = false;                   // ... only through lag(from, k >= 1): a stock's past (drawn dashed)
  std::optional<ir::RelKind> relation;    // a relation declared on this pair
  bool bidirectional = false;             // `<->`
  int64_t lag = 0;                        // the relation's lag, in grain periods
  EdgeStyle style() const;
};

// A stage of a value chain and the nodes drawn inside it.
struct Cluster {
  ir::Id stage = ir::kNone;
  std::vector<size_t> nodes;
};

struct Graph {
  std::vector<Node> nodes;        // metrics in declaration order, then params
  std::vector<Edge> edges;        // sorted by (to, from)
  std::vector<Cluster> clusters;  // stages in spine order: chain by chain, stage by position
  std::vector<size_t> loose;      // nodes outside every stage (params, unstaged metrics)
  std::optional<ir::Id> root;     // as in Options: the graph is the tree below this metric
  int depth = 0;
};

struct Options {
  std::optional<ir::Id> root;  // a metric: draw only it and what feeds it
  int depth = 0;               // levels of inputs below the root (0: all)
};

// The graph of the whole model, or of the tree below `root`: the metrics and
// params its formula reads and the sources of relations into it, recursively.
Graph build(const ir::Model& m, const Options& o = {});

// Graphviz dot: the chains as clusters holding their stages in order, linked by
// a spine, left to right; a legend; tooltips with docs and formulas.
std::string toDot(const ir::Model& m, const Graph& g);
// A Mermaid `flowchart TB` with one subgraph per chain and per stage.
std::string toMermaid(const ir::Model& m, const Graph& g);

// Node ids used in both outputs: "m_<metric>", "p_<param>".
std::string nodeId(const ir::Model& m, const Node& n);

}  // namespace mtc::graph
