// The model lints, all eight in one place: warnings about a model that checks
// but is likely wrong or unwise. CompileOptions::lints turns them all off;
// --allow CODE silences one, --deny-warnings makes them errors.
#include "checker.h"

namespace mtc::check {

namespace {

// vanity-decision: a goal, constraint or objective depends on a vanity metric.
void vanityDecisions(Ctx& x) {
  auto vanityIn = [&](ExprId e) -> std::optional<Id> {
    std::vector<Id> ms;
    collectRefs(x.m, e, &ms, nullptr);
    for (Id v : upstream(x.m, ms))
      if (x.m.metrics[v].classes & ClassVanity) return v;
    return std::nullopt;
  };
  auto vanity = [&](std::optional<Id> v, Range r, const std::string& what) {
    if (!v) return;
    x.d.report(DiagCode::VanityDecision, r, fmt::format("{} depends on '{}', which is classified vanity", what, x.m.metrics[*v].name))
        .note(x.m.metrics[*v].nameRange, "classified here")
        .note("vanity metrics make the business look good but should not drive decisions");
  };
  auto vanityCmp = [&](const Comparison& c) {
    auto v = vanityIn(c.lhs);
    return v ? v : vanityIn(c.rhs);
  };
  for (auto& G : x.m.goals) vanity(vanityCmp(G.cmp), G.range, fmt::format("goal '{}'", G.name));
  for (auto& C : x.m.constraints) vanity(vanityCmp(C.cmp), C.range, fmt::format("constraint '{}'", C.name));
  for (auto& S : x.m.statements) {
    if (S.kind() != StmtKind::Optimize) continue;
    const auto& o = S.as<OptimizeStmt>();
    if (o.objective) vanity(vanityIn(*o.objective), x.X(*o.objective).range, "the objective");
    for (auto& nc : o.subjectTo) vanity(vanityCmp(nc.cmp), nc.range, fmt::format("constraint '{}'", nc.name));
  }
}

// no-north-star, many-north-stars: one metric of the main file should be the north star.
void northStars(Ctx& x) {
  std::vector<Id> stars;
  bool anyMainMetric = false;
  for (Id i = 0; i < x.m.metrics.size(); ++i) {
    if (!x.inMain(x.metricDecls[i])) continue;
    anyMainMetric = true;
    if (x.m.metrics[i].roles & RoleNorthStar) stars.push_back(i);
  }
  if (anyMainMetric && stars.empty() && !x.m.statements.empty())
    x.d.report(DiagCode::NoNorthStar, x.m.range.valid() ? x.m.range : x.m.metrics[0].nameRange, "no metric is the north_star")
        .note("mark the one metric that best captures the value delivered with `role: north_star`");
  for (size_t k = 1; k < stars.size(); ++k)
    x.d.report(DiagCode::ManyNorthStars, x.m.metrics[stars[k]].nameRange, fmt::format("'{}' is a second north_star", x.m.metrics[stars[k]].name))
        .note(x.m.metrics[stars[0]].nameRange, fmt::format("'{}' is the north_star already", x.m.metrics[stars[0]].name));
}

// input-without-data, no-stage, unused-leading: metrics of the main file.
void metricLints(Ctx& x) {
  std::vector<bool> read(x.m.metrics.size(), false);
  for (auto& M : x.m.metrics)
    for (Id w : M.metricDeps) read[w] = true;
  for (auto& R : x.m.relations)
    if (R.from.kind == Ref::Kind::Metric) read[R.from.id] = true;
  for (Id i = 0; i < x.m.metrics.size(); ++i) {
    const Metric& M = x.m.metrics[i];
    if (!x.inMain(x.metricDecls[i])) continue;
    const ast::PropBlock& props = x.metricDecls[i]->props;  // written but unresolved: reported already
    if (!M.formula && !M.data && !props.find("data"))
      x.d.report(DiagCode::InputWithoutData, M.nameRange, fmt::format("'{}' has neither a formula nor data", M.name))
          .note("give it `data: source.column`, a formula, or make it a param");
    if (!x.m.chains.empty() && M.stage == kNone && !props.find("stage"))
      x.d.report(DiagCode::NoStage, M.nameRange, fmt::format("'{}' has no stage", M.name))
          .note("attach it to the value chain with `stage: <stage>`");
    if ((M.roles & RoleLeading) && !read[i])
      x.d.report(DiagCode::UnusedLeading, M.nameRange, fmt::format("'{}' is leading, but no formula or relation uses it", M.name))
          .note(fmt::format("declare what it leads, e.g. `relation {} -> <metric>: causal`", M.name));
  }
}

// relation-contradicts: a part of a whole whose formula does not use it.
void relationContradicts(Ctx& x) {
  for (size_t i = 0; i < x.m.relations.size(); ++i) {
    const Relation& R = x.m.relations[i];
    if (R.kind != RelKind::Compositional || R.to.kind != Ref::Kind::Metric || !x.m.metrics[R.to.id].formula) continue;
    if (!x.inMain(x.relationDecls[i]) || formulaCarries(x.m, R.from, R.to)) continue;
    x.d.report(DiagCode::RelationContradicts, R.range,
               fmt::format("'{}' is declared a part of '{}', but the formula of '{}' does not use it", refName(x.m, R.from),
                           refName(x.m, R.to), refName(x.m, R.to)));
  }
}

// constant-time-op: a time operator over a value that does not change in time.
void constantTimeOps(Ctx& x) {
  for (ExprId e = 0; e < x.m.exprs.size(); ++e) {
    const Expr& ex = x.m.exprs[e];
    if (!isTimeOp(ex.op) || x.meta[e].copy || ex.args.empty()) continue;
    ExprId arg = ex.args[0];
    if (x.poison(arg) || x.X(arg).type.shape == Shape::Series) continue;
    x.d.report(DiagCode::ConstantTimeOp, ex.range, fmt::format("{}() of a value that does not change over time", builtinOf(ex.op)->name))
        .note(x.X(arg).range, "this reads only params and constants");
  }
}

}  // namespace

void runLints(Ctx& x) {
  vanityDecisions(x);
  northStars(x);
  metricLints(x);
  relationContradicts(x);
  constantTimeOps(x);
}

}  // namespace mtc::check
