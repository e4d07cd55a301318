// Relations, constraints, goals, events and benchmarks.
#include <algorithm>

#include "checker.h"

namespace mtc::check {

// Does a formula carry `part` into `whole` (directly or through other metrics)?
bool formulaCarries(const Model& m, const Ref& part, const Ref& whole) {
  if (whole.kind != Ref::Kind::Metric) return false;
  const Metric& W = m.metrics[whole.id];
  std::set<Id> up = upstream(m, W.metricDeps);
  if (part.kind == Ref::Kind::Metric) return up.count(part.id) > 0;
  return upstreamParams(m, up, W.paramDeps).count(part.id) > 0;
}

void checkRelations(Ctx& x) {
  static const std::map<std::string, RelKind> kinds = {{"deterministic", RelKind::Deterministic},
                                                       {"probabilistic", RelKind::Probabilistic},
                                                       {"causal", RelKind::Causal},
                                                       {"compositional", RelKind::Compositional}};
  for (auto* d : x.decls) {
    if (d->kind != ast::DeclKind::Relation) continue;
    auto* rd = static_cast<const ast::RelationDecl*>(d);
    Relation R;
    R.range = rd->range;
    R.doc = rd->doc;
    R.bidirectional = rd->bidirectional;
    auto from = refByName(x, rd->from, "a relation");
    auto to = refByName(x, rd->to, "a relation");
    auto k = kinds.find(rd->relKind.name);
    if (k == kinds.end()) {
      if (!rd->relKind.name.empty()) {
        auto& rep = x.d.report(DiagCode::InvalidProperty, rd->relKind.range, fmt::format("unknown relation kind '{}'", rd->relKind.name));
        std::string s = closestMatch(rd->relKind.name, keysOf(kinds));
        rep.note(!s.empty() ? fmt::format("did you mean '{}'?", s)
                            : std::string("a relation is deterministic, probabilistic, causal or compositional"));
      }
      continue;
    }
    R.kind = k->second;
    Props ps = readProps(x, rd->props, PropOwner::Relation);
    if (auto* v = ps.get(PropId::Relation_lag)) R.lag = v->periods;
    if (auto* v = ps.get(PropId::Relation_strength)) R.strength = v->number;
    if (auto* v = ps.get(PropId::Relation_sign)) R.sign = static_cast<Sign>(v->choice);
    if (auto* v = ps.get(PropId::Relation_description)) R.doc = v->text;
    if (!from || !to) continue;
    R.from = *from;
    R.to = *to;
    if (R.from == R.to) {
      x.d.report(DiagCode::InvalidExpr, rd->range, "a relation links two different names");
      continue;
    }
    bool linked = formulaCarries(x.m, R.from, R.to) || (R.bidirectional && formulaCarries(x.m, R.to, R.from));
    if (R.kind == RelKind::Deterministic && !linked)
      x.d.report(DiagCode::RelationMismatch, rd->range,
                 fmt::format("no formula makes '{}' depend on '{}'", refName(x.m, R.to), refName(x.m, R.from)))
          .note("a deterministic relation must match a formula; use `causal` or `probabilistic` for an influence");
    if (R.sign && (R.kind == RelKind::Deterministic || R.kind == RelKind::Compositional))
      x.d.report(DiagCode::InvalidProperty, ps.get(PropId::Relation_sign)->range,
                 fmt::format("a {} relation's direction comes from its formula; `sign` is for causal and probabilistic ones",
                             relKindName(R.kind)));
    x.m.relations.push_back(std::move(R));
    x.relationDecls.push_back(rd);
  }
}

namespace {

void descriptionOnly(Ctx& x, const ast::PropBlock& props, PropOwner owner, std::string& doc) {
  Props ps = readProps(x, props, owner);
  for (auto& [id, v] : ps.values_)
    if (v.info->name == "description") doc = v.text;
}

}  // namespace

void checkConstraintsGoalsEvents(Ctx& x) {
  Typer t(x);
  for (auto* d : x.decls) {
    switch (d->kind) {
      case ast::DeclKind::Constraint: {
        auto* cd = static_cast<const ast::ConstraintDecl*>(d);
        if (!cd->expr) break;
        Constraint C;
        C.name = cd->name.name;
        C.title = cd->title.value_or("");
        C.doc = cd->doc;
        C.range = cd->name.range;
        auto c = t.comparison(*cd->expr, "a constraint", &C.metrics);
        if (!c) break;
        C.cmp = *c;
        descriptionOnly(x, cd->props, PropOwner::Constraint, C.doc);
        if (auto it = x.items.find(C.name); it != x.items.end() && it->second.decl == d) it->second.id = static_cast<Id>(x.m.constraints.size());
        x.m.constraints.push_back(std::move(C));
        break;
      }
      case ast::DeclKind::Goal: {
        auto* gd = static_cast<const ast::GoalDecl*>(d);
        if (!gd->expr) break;
        Goal G;
        G.name = gd->name.name;
        G.title = gd->title.value_or("");
        G.doc = gd->doc;
        G.range = gd->name.range;
        auto c = t.comparison(*gd->expr, "a goal", &G.metrics);
        if (gd->by) G.by = period(x, *gd->by);  // checked even when the comparison has an error
        if (!c) break;
        G.cmp = *c;
        if (x.X(c->lhs).op == Op::Metric) G.metric = x.X(c->lhs).ref;
        descriptionOnly(x, gd->props, PropOwner::Goal, G.doc);
        if (auto it = x.items.find(G.name); it != x.items.end() && it->second.decl == d) it->second.id = static_cast<Id>(x.m.goals.size());
        x.m.goals.push_back(std::move(G));
        break;
      }
      case ast::DeclKind::Event: {
        auto* ed = static_cast<const ast::EventDecl*>(d);
        Event E;
        E.name = ed->name.name;
        E.title = ed->title.value_or("");
        E.doc = ed->doc;
        E.range = ed->name.range;
        auto f = period(x, ed->when.from);
        if (!f) break;
        E.from = E.to = *f;
        if (ed->when.to) {
          auto tp = period(x, *ed->when.to);
          if (!tp) break;
          E.to = *tp;
          if (toGrain(E.to, Grain::Day) < toGrain(E.from, Grain::Day)) {
            x.d.report(DiagCode::InvalidPeriod, ed->when.range, "the event ends before it starts");
            break;
          }
        }
        Props ps = readProps(x, ed->props, PropOwner::Event);
        if (auto* v = ps.get(PropId::Event_affects))
          for (auto& [w, r] : v->words)
            if (auto id = metricByName(x, ast::Ident{w, r}, "`affects`")) E.affects.push_back(*id);
        if (auto* v = ps.get(PropId::Event_description)) E.doc = v->text;
        if (auto it = x.items.find(E.name); it != x.items.end() && it->second.decl == d) it->second.id = static_cast<Id>(x.m.events.size());
        x.m.events.push_back(std::move(E));
        break;
      }
      case ast::DeclKind::Model: case ast::DeclKind::Import: case ast::DeclKind::Unit: case ast::DeclKind::Dimension: case ast::DeclKind::Chain: case ast::DeclKind::Source:
      case ast::DeclKind::Param: case ast::DeclKind::Metric: case ast::DeclKind::Relation: case ast::DeclKind::Benchmark: case ast::DeclKind::Function: case ast::DeclKind::Describe:
      case ast::DeclKind::Diagnose: case ast::DeclKind::Forecast: case ast::DeclKind::Seek: case ast::DeclKind::Simulate: case ast::DeclKind::Optimize: case ast::DeclKind::Recommend: break;  // the other declarations have passes of their own
    }
  }
}

void checkBenchmarks(Ctx& x) {
  const std::map<std::string, Level> levels(benchmarkLevels().begin(), benchmarkLevels().end());
  Typer t(x);
  for (auto* d : x.decls) {
    if (d->kind != ast::DeclKind::Benchmark) continue;
    auto* bd = static_cast<const ast::BenchmarkDecl*>(d);
    auto target = refByName(x, bd->name, "a benchmark");
    if (!target) continue;
    Benchmark B;
    B.target = *target;
    B.range = bd->name.range;
    const Unit& u = target->kind == Ref::Kind::Metric ? x.m.metrics[target->id].unit : x.m.params[target->id].unit;
    std::set<Level> seen;
    for (auto& en : bd->levels.entries) {
      auto it = levels.find(en.key.name);
      if (it == levels.end()) {
        auto& rep = x.d.report(DiagCode::InvalidProperty, en.key.range, fmt::format("unknown benchmark level '{}'", en.key.name));
        std::string s = closestMatch(en.key.name, keysOf(levels));
        rep.note(!s.empty() ? fmt::format("did you mean '{}'?", s) : std::string("levels are below_par, par, above_par, best, unique"));
        continue;
      }
      if (!seen.insert(it->second).second) {
        x.d.report(DiagCode::Duplicate, en.key.range, fmt::format("level '{}' is given twice", en.key.name));
        continue;
      }
      if (!en.value) {
        x.d.report(DiagCode::InvalidExpr, en.range, "a benchmark level takes a value");
        continue;
      }
      Scope s;
      s.constOnly = true;
      s.constWhat = "a benchmark level";
      auto v = t.constValue(*en.value, u, bd->name.name, s);
      if (v) B.levels.push_back({it->second, *v});
    }
    std::sort(B.levels.begin(), B.levels.end());
    x.m.benchmarks.push_back(std::move(B));
  }
}

}  // namespace mtc::check
