// Metrics: declared types, properties, formulas; then the formula graph
// (cycles, and the topological order every evaluator follows).
#include <algorithm>
#include <functional>

#include "checker.h"

namespace mtc::check {

namespace {

Props metricProps(Ctx& x, const ast::MetricDecl& md, Metric& M) {
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
  return ps;
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
  // A metric may read its own past (`stock = lag(stock, 1) + inflow`): point at it.
  rep.note("a cycle through lag(x, k) with k >= 1 is allowed (a stock reading its own past: `active = lag(active, 1) + "
           "new - lapsed`); this one reads every metric in the same period");
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
    Props ps = metricProps(x, md, x.m.metrics[i]);
    Metric& M = x.m.metrics[i];
    if (md.formula) {
      ExprId r = t.lower(*md.formula, Scope{});
      if (!x.metricBad[i]) r = t.fitDeclared(r, M.unit, M.dims, M.name, md.unit.range, "formula");
      M.formula = r;
      M.shape = x.X(r).type.shape;
      collectRefs(x.m, r, &M.metricDeps, &M.paramDeps);
      collectImmediateRefs(x.m, r, &M.immediateDeps);
    }
    if (auto* v = ps.get(PropId::Metric_initial)) {
      ExprId r = t.lower(*v->entry->values[0].expr, Scope{});
      if (!x.metricBad[i]) r = t.fitDeclared(r, M.unit, M.dims, M.name, md.unit.range, "initial value");
      std::vector<Id> reads, params;
      collectRefs(x.m, r, &reads, &params);
      if (!reads.empty())
        x.d.report(DiagCode::InvalidProperty, v->range,
                   fmt::format("`initial:` is what '{}' was before the first period: write it with params and numbers, not metrics "
                               "('{}')",
                               M.name, x.m.metrics[reads[0]].name));
      else if (!x.poison(r))
        M.initial = r;
      M.paramDeps.insert(M.paramDeps.end(), params.begin(), params.end());
      std::sort(M.paramDeps.begin(), M.paramDeps.end());
      M.paramDeps.erase(std::unique(M.paramDeps.begin(), M.paramDeps.end()), M.paramDeps.end());
    }
    if (!x.m.metrics[i].aggDeclared) x.m.metrics[i].agg = x.m.metrics[i].unit.intensive() ? Agg::Mean : Agg::Sum;
  }
}

namespace {

// lag(x, k) of a metric with an opening value reads it before the first period:
// the value becomes the lag's second argument (the evaluators read it there).
void openingValues(Ctx& x) {
  for (Expr& e : x.m.exprs)
    if (e.op == Op::Lag && e.args.size() == 1 && x.m.exprs[e.args[0]].op == Op::Metric) {
      const Metric& target = x.m.metrics[x.m.exprs[e.args[0]].ref];
      if (target.initial) e.args.push_back(*target.initial);
    }
}

// The strongly connected components of the metric graph (every read), by
// Tarjan's algorithm, in reverse topological order (a component after the ones
// it reads).
std::vector<std::vector<Id>> components(const Model& m) {
  size_t n = m.metrics.size();
  std::vector<int> index(n, -1), low(n, 0);
  std::vector<bool> onStack(n, false);
  std::vector<Id> stack;
  std::vector<std::vector<Id>> out;
  int next = 0;
  for (Id root = 0; root < n; ++root) {
    if (index[root] >= 0) continue;
    std::vector<std::pair<Id, size_t>> work{{root, 0}};
    index[root] = low[root] = next++;
    stack.push_back(root);
    onStack[root] = true;
    while (!work.empty()) {
      auto& [v, i] = work.back();
      const auto& deps = m.metrics[v].metricDeps;
      if (i < deps.size()) {
        Id w = deps[i++];
        if (index[w] < 0) {
          index[w] = low[w] = next++;
          stack.push_back(w);
          onStack[w] = true;
          work.push_back({w, 0});
        } else if (onStack[w]) {
          low[v] = std::min(low[v], index[w]);
        }
        continue;
      }
      if (low[v] == index[v]) {
        std::vector<Id> comp;
        Id w;
        do {
          w = stack.back();
          stack.pop_back();
          onStack[w] = false;
          comp.push_back(w);
        } while (w != v);
        out.push_back(std::move(comp));
      }
      Id done = v;
      work.pop_back();
      if (!work.empty()) low[work.back().first] = std::min(low[work.back().first], low[done]);
    }
  }
  return out;
}

}  // namespace

void checkCycles(Ctx& x) {
  size_t n = x.m.metrics.size();
  // cycles in the same period: an error (reported once per cycle, on the
  // immediate reads; a cycle through lag(x, k >= 1) is a delayed cycle, allowed)
  std::vector<int> color(n, 0);  // 0 new, 1 on stack, 2 done
  std::vector<bool> inReportedCycle(n, false);
  bool immediateCycle = false;
  for (Id root = 0; root < n; ++root) {
    if (color[root]) continue;
    std::vector<std::pair<Id, size_t>> stack{{root, 0}};
    color[root] = 1;
    while (!stack.empty()) {
      auto& [v, i] = stack.back();
      const auto& deps = x.m.metrics[v].immediateDeps;
      if (i < deps.size()) {
        Id w = deps[i++];
        if (color[w] == 0) {
          color[w] = 1;
          stack.push_back({w, 0});
        } else if (color[w] == 1) {
          size_t from = 0;
          while (stack[from].first != w) ++from;
          bool seen = false;
          for (size_t k = from; k < stack.size(); ++k) seen |= inReportedCycle[stack[k].first];
          if (!seen) reportCycle(x, stack, from, inReportedCycle);
          immediateCycle = true;
        }
        continue;
      }
      color[v] = 2;
      stack.pop_back();
    }
  }
  openingValues(x);
  // the order: components of the whole graph, each after those it reads; inside
  // a delayed cycle, each member after those it reads in the same period
  std::vector<Id> order;
  for (auto& comp : components(x.m)) {
    Metric& head = x.m.metrics[comp[0]];
    bool selfLoop = std::binary_search(head.metricDeps.begin(), head.metricDeps.end(), comp[0]);
    if (comp.size() == 1 && !selfLoop) {
      order.push_back(comp[0]);
      continue;
    }
    std::sort(comp.begin(), comp.end());
    std::vector<Id> inner;  // topological by immediate reads (no cycle there when none was reported)
    std::vector<int> state(n, 0);
    std::function<void(Id)> visit = [&](Id v) {
      if (state[v]) return;
      state[v] = 1;
      for (Id w : x.m.metrics[v].immediateDeps)
        if (std::binary_search(comp.begin(), comp.end(), w) && state[w] == 0) visit(w);
      state[v] = 2;
      inner.push_back(v);
    };
    for (Id v : comp) visit(v);
    if (!immediateCycle) {
      Id g = static_cast<Id>(x.m.groups.size());
      for (Id v : inner) x.m.metrics[v].group = g;
      x.m.groups.push_back(inner);
    }
    order.insert(order.end(), inner.begin(), inner.end());
    // a member read through lag in its cycle needs a value before its first period
    if (immediateCycle) continue;
    for (Id v : inner) {
      const Metric& M = x.m.metrics[v];
      bool readLagged = false;
      for (Id u : inner) {
        const Metric& U = x.m.metrics[u];
        if (!U.formula) continue;
        std::vector<ExprId> stack{*U.formula};
        while (!stack.empty() && !readLagged) {
          const Expr& e = x.X(stack.back());
          stack.pop_back();
          if (e.op == Op::Lag) {
            std::vector<Id> reads;
            collectRefs(x.m, e.args[0], &reads, nullptr);
            readLagged |= std::binary_search(reads.begin(), reads.end(), v);
          }
          for (ExprId a : e.args) stack.push_back(a);
        }
      }
      if (readLagged && !M.initial && !M.data)
        x.d.report(DiagCode::Cycle, M.formula ? x.X(*M.formula).range : M.nameRange,
                   fmt::format("'{}' reads its own past through lag, but has no value before its first period", M.name))
            .note(fmt::format("give it an opening value, `initial: 0` (or a param), or data: `data: source.{}`", M.name));
    }
  }
  x.m.topoOrder = order;  // dependencies first
  // formula and data: only for a member of a delayed cycle (data where present, the formula after it)
  for (Metric& M : x.m.metrics)
    if (M.formula && M.data && M.group == kNone)
      x.d.report(DiagCode::InvalidProperty, M.data->range, fmt::format("metric '{}' has both a formula and `data:`", M.name))
          .note("a metric is either computed by its formula or read from data, but for a stock (a metric in a cycle through "
                "lag): declare a separate metric for the measured values");
}

}  // namespace mtc::check
