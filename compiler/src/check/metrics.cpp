// Metrics: declared types, properties, formulas; then the formula graph
// (cycles, and the topological order every evaluator follows).
#include <algorithm>

#include "checker.h"

namespace mtc::check {

namespace {

void metricProps(Ctx& x, const ast::MetricDecl& md, Metric& M) {
  Props ps = readProps(x, md.props, PropOwner::Metric);
  if (auto* v = ps.get(PropId::Metric_stage)) {
    auto it = x.stageIds.find(v->text);
    if (it == x.stageIds.end()) {
      unknownName(x, v->range, v->text, keysOf(x.stageIds), "stage");
    } else {
      M.stage = it->second;
      x.occur(v->range, SymKind::Stage, v->text, x.m.stages[it->second].range);
    }
  }
  if (auto* v = ps.get(PropId::Metric_role)) M.roles = v->flags;
  if (auto* v = ps.get(PropId::Metric_class)) M.classes = v->flags;
  if (auto* v = ps.get(PropId::Metric_data)) {
    auto it = x.sourceIds.find(v->text);
    if (it == x.sourceIds.end()) {
      unknownName(x, v->textRange, v->text, keysOf(x.sourceIds), "source");
    } else {
      x.occur(v->textRange, SymKind::Source, v->text, x.m.sources[it->second].range);
      M.data = DataRef{it->second, v->column, v->range};
      // the source must carry every dimension of the metric
      const Source& S = x.m.sources[it->second];
      for (Id d : M.dims) {
        bool has = false;
        for (auto& [sd, col] : S.dimColumns) has |= sd == d;
        if (!has)
          x.d.report(DiagCode::DimensionMismatch, v->range,
                     fmt::format("metric '{}' is by {}, but source '{}' has no '{}' column in its `dimensions:`", M.name,
                                 dimsText(x, M.dims), S.name, x.m.dims[d].name))
              .note(S.range, "source declared here");
      }
    }
  }
  if (auto* v = ps.get(PropId::Metric_agg)) {
    M.agg = static_cast<Agg>(v->choice);
    M.aggDeclared = true;
  }
  if (auto* v = ps.get(PropId::Metric_direction)) M.direction = static_cast<Direction>(v->choice);
  if (auto* v = ps.get(PropId::Metric_owner)) M.owner = v->text;
  if (auto* v = ps.get(PropId::Metric_description)) M.doc = v->text;
}

void reportCycle(Ctx& x, const std::vector<std::pair<Id, size_t>>& stack, size_t from, std::vector<bool>& mark) {
  std::vector<Id> cyc;
  for (size_t k = from; k < stack.size(); ++k) cyc.push_back(stack[k].first);
  // start at the member declared first, for a stable message
  auto first = std::min_element(cyc.begin(), cyc.end(),
                                [&](Id a, Id b) { return x.m.metrics[a].nameRange.begin < x.m.metrics[b].nameRange.begin; });
  std::rotate(cyc.begin(), first, cyc.end());
  std::string path;
  for (Id v : cyc) path += x.m.metrics[v].name + " -> ";
  path += x.m.metrics[cyc[0]].name;
  const Metric& head = x.m.metrics[cyc[0]];
  auto& rep = x.d.report(DiagCode::Cycle, head.formula ? x.X(*head.formula).range : head.nameRange,
                         fmt::format("formulas depend on each other in a cycle: {}", path));
  for (size_t k = 1; k < cyc.size(); ++k) {
    const Metric& M = x.m.metrics[cyc[k]];
    rep.note(M.formula ? x.X(*M.formula).range : M.nameRange,
             fmt::format("'{}' reads '{}'", M.name, x.m.metrics[cyc[(k + 1) % cyc.size()]].name));
  }
  // Reading a metric's own past (`stock = lag(stock) + inflow`) is a cycle too:
  // point at the form that works today.
  rep.note("a stock that accumulates flows is written cumsum(inflow - outflow) (plus a param for the opening "
           "balance); a formula reading its own past through lag is not supported yet");
  for (Id v : cyc) mark[v] = true;
}

}  // namespace

void checkMetrics(Ctx& x) {
  // declared types first: formulas read other metrics' declared types
  for (size_t i = 0; i < x.metricDecls.size(); ++i) {
    const ast::MetricDecl& md = *x.metricDecls[i];
    x.metricBad.push_back(!declaredType(x, md.unit, md.dims, x.m.metrics[i]));
  }
  Typer t(x);
  for (size_t i = 0; i < x.metricDecls.size(); ++i) {
    const ast::MetricDecl& md = *x.metricDecls[i];
    metricProps(x, md, x.m.metrics[i]);
    if (md.formula) {
      ExprId r = t.lower(*md.formula, Scope{});
      Metric& M = x.m.metrics[i];
      if (!x.metricBad[i]) r = t.fitDeclared(r, M.unit, M.dims, M.name, md.unit.range, "formula");
      M.formula = r;
      M.shape = x.X(r).type.shape;
      collectRefs(x.m, r, &M.metricDeps, &M.paramDeps);
      if (M.data)
        x.d.report(DiagCode::InvalidProperty, M.data->range, fmt::format("metric '{}' has both a formula and `data:`", M.name))
            .note("a metric is either computed by its formula or read from data; declare a separate metric for the measured values");
    }
    if (!x.m.metrics[i].aggDeclared) x.m.metrics[i].agg = x.m.metrics[i].unit.intensive() ? Agg::Mean : Agg::Sum;
  }
}

void checkCycles(Ctx& x) {
  size_t n = x.m.metrics.size();
  std::vector<int> color(n, 0);  // 0 new, 1 on stack, 2 done
  std::vector<bool> inReportedCycle(n, false);
  std::vector<Id> order;
  // iterative DFS keeping the path for cycle reports
  for (Id root = 0; root < n; ++root) {
    if (color[root]) continue;
    std::vector<std::pair<Id, size_t>> stack{{root, 0}};
    color[root] = 1;
    while (!stack.empty()) {
      auto& [v, i] = stack.back();
      const auto& deps = x.m.metrics[v].metricDeps;
      if (i < deps.size()) {
        Id w = deps[i++];
        if (color[w] == 0) {
          color[w] = 1;
          stack.push_back({w, 0});
        } else if (color[w] == 1) {
          // the cycle is the stack from w to v
          size_t from = 0;
          while (stack[from].first != w) ++from;
          bool seen = false;
          for (size_t k = from; k < stack.size(); ++k) seen |= inReportedCycle[stack[k].first];
          if (!seen) reportCycle(x, stack, from, inReportedCycle);
        }
        continue;
      }
      color[v] = 2;
      order.push_back(v);
      stack.pop_back();
    }
  }
  x.m.topoOrder = order;  // post-order: dependencies first
}

}  // namespace mtc::check
