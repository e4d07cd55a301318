// Statements: describe, diagnose, forecast, seek, simulate, optimize and
// recommend, each into its typed IR struct with its properties validated.
// Statements run only in the main file.
#include <algorithm>

#include "checker.h"

namespace mtc::check {

namespace {

std::vector<Id> metricList(Ctx& x, const std::vector<ast::Ident>& ids, const char* where) {
  std::vector<Id> out;
  for (auto& i : ids)
    if (auto m = metricByName(x, i, where)) out.push_back(*m);
  return out;
}

// `interval:` or `level:` (synonyms): the interval's coverage.
std::optional<double> level(Ctx& x, const Props& ps, PropId interval, PropId levelId) {
  const PropValue* a = ps.get(interval);
  const PropValue* b = ps.get(levelId);
  if (a && b) {
    x.d.report(DiagCode::InvalidProperty, b->range, "`interval` and `level` are the same property; give one")
        .note(a->range, "interval given here");
    return std::nullopt;
  }
  if (a) return a->number;
  if (b) return b->number;
  return std::nullopt;
}

Horizon horizon(Ctx& x, const ast::DurationLit& h) {
  Horizon out;
  out.count = h.count;
  if (auto g = grainFromName(h.unit.name)) out.unit = *g;
  if (auto n = duration(x, h, true)) out.periods = *n;
  if (h.count <= 0) x.d.report(DiagCode::InvalidDuration, h.range, "the horizon must be at least one period");
  return out;
}

DescribeStmt describe(Ctx& x, const ast::DescribeStmt& d) {
  DescribeStmt S;
  S.metrics = metricList(x, d.metrics, "describe");
  if (d.from) S.from = period(x, *d.from);
  if (d.to) S.to = period(x, *d.to);
  if (d.at) {
    S.from = period(x, d.at->from);
    S.to = d.at->to ? period(x, *d.at->to) : S.from;
  }
  if (S.from && S.to && toGrain(*S.to, Grain::Day) < toGrain(*S.from, Grain::Day))
    x.d.report(DiagCode::InvalidPeriod, d.at ? d.at->range : Range::span(d.from ? d.from->range : d.to->range, d.to->range),
               "the range ends before it starts");
  Props ps = readProps(x, d.props, PropOwner::Describe);
  if (auto* v = ps.get(PropId::Describe_grain)) {
    if (!coarserOrEqual(v->grain, x.m.grain))
      x.d.report(DiagCode::InvalidProperty, v->range,
                 fmt::format("cannot describe at {}: the model's grain is {}", grainName(v->grain), grainName(x.m.grain)));
    else
      S.grain = v->grain;
  }
  return S;
}

DiagnoseStmt diagnose(Ctx& x, const ast::DiagnoseStmt& d) {
  DiagnoseStmt S;
  if (auto m = metricByName(x, d.metric, "diagnose")) S.metric = *m;
  if (auto p = period(x, d.at)) S.at = *p;
  switch (d.vs) {
    case ast::DiagnoseStmt::Vs::Previous: S.vs = VsKind::Previous; break;
    case ast::DiagnoseStmt::Vs::SameLastYear: S.vs = VsKind::SameLastYear; break;
    case ast::DiagnoseStmt::Vs::Period:
      S.vs = VsKind::Period;
      if (auto p = period(x, d.vsPeriod)) S.vsPeriod = *p;
      break;
  }
  Props ps = readProps(x, d.props, PropOwner::Diagnose);
  if (auto* v = ps.get(PropId::Diagnose_method)) S.method = static_cast<DiagnoseMethod>(v->choice);
  if (auto* v = ps.get(PropId::Diagnose_top)) S.top = v->whole();
  if (auto* v = ps.get(PropId::Diagnose_depth)) S.depth = v->whole();
  return S;
}

ForecastStmt forecast(Ctx& x, const ast::ForecastStmt& d) {
  ForecastStmt S;
  S.metrics = metricList(x, d.metrics, "forecast");
  S.horizon = horizon(x, d.horizon);
  Props ps = readProps(x, d.props, PropOwner::Forecast);
  if (auto* v = ps.get(PropId::Forecast_method)) S.method = static_cast<ForecastMethod>(v->choice);
  if (auto l = level(x, ps, PropId::Forecast_interval, PropId::Forecast_level)) S.level = *l;
  if (auto* v = ps.get(PropId::Forecast_seed)) S.seed = static_cast<uint64_t>(v->number);
  if (auto* v = ps.get(PropId::Forecast_holdout)) S.holdout = v->whole();
  return S;
}

SimulateStmt simulate(Ctx& x, const ast::ForecastStmt& d) {
  SimulateStmt S;
  S.metrics = metricList(x, d.metrics, "simulate");
  S.horizon = horizon(x, d.horizon);
  Props ps = readProps(x, d.props, PropOwner::Simulate);
  if (auto* v = ps.get(PropId::Simulate_runs)) S.runs = v->whole();
  if (auto* v = ps.get(PropId::Simulate_seed)) S.seed = static_cast<uint64_t>(v->number);
  if (auto l = level(x, ps, PropId::Simulate_interval, PropId::Simulate_level)) S.level = *l;
  if (auto* v = ps.get(PropId::Simulate_sampling)) S.sampling = static_cast<Sampling>(v->choice);
  return S;
}

SeekStmt seek(Ctx& x, const ast::SeekStmt& d) {
  SeekStmt S;
  if (auto g = goalByName(x, d.goal, "seek")) S.goal = *g;
  for (auto& v : d.varying)
    if (auto r = refByName(x, v, "varying")) S.varying.push_back(*r);
  Props ps = readProps(x, d.props, PropOwner::Seek);
  if (auto* v = ps.get(PropId::Seek_at)) S.at = v->period;
  return S;
}

RecommendStmt recommend(Ctx& x, const ast::RecommendStmt& d) {
  RecommendStmt S;
  if (auto g = goalByName(x, d.goal, "recommend")) S.goal = *g;
  Props ps = readProps(x, d.props, PropOwner::Recommend);
  if (auto* v = ps.get(PropId::Recommend_at)) S.at = v->period;
  if (auto* v = ps.get(PropId::Recommend_top)) S.top = v->whole();
  return S;
}

OptimizeStmt optimize(Ctx& x, const ast::OptimizeStmt& d) {
  OptimizeStmt S;
  Typer t(x);
  S.name = d.name.name.empty() ? "optimize" : d.name.name;
  if (d.objectiveCount == 0)
    x.d.report(DiagCode::InvalidExpr, d.keywordRange, "optimize needs an objective: `maximize expr` or `minimize expr`");
  // (a second objective is reported by the parser: `duplicate`)
  if (d.objective) {
    ExprId o = t.lower(*d.objective, Scope{});
    t.requireNumber(o, "an objective");
    t.adopt(o, Unit{});
    if (!x.poison(o)) S.objective = o;
    S.maximize = d.maximize;
  }
  std::set<Id> varied;
  for (auto& vc : d.vary) {
    for (auto& v : vc.vars) {
      auto it = x.values.find(v.name);
      if (it == x.values.end()) {
        std::vector<std::string> ps;
        for (auto& P : x.m.params) ps.push_back(P.name);
        unknownName(x, v.range, v.name, ps, "param");
        continue;
      }
      if (it->second.kind != SymKind::Param) {
        x.d.report(DiagCode::WrongKind, v.range, fmt::format("`vary` takes params, but '{}' is {}", v.name, aKind(it->second.kind)))
            .note(it->second.declRange, "declared here")
            .note("a decision variable is a param: declare `param name: unit = starting value`");
        continue;
      }
      x.occur(v.range, SymKind::Param, v.name, it->second.declRange);
      if (!varied.insert(it->second.id).second) {
        x.d.report(DiagCode::Duplicate, v.range, fmt::format("'{}' is varied twice", v.name));
        continue;
      }
      OptVar ov;
      ov.param = it->second.id;
      ov.integer = vc.integer;
      const Param& P = x.m.params[ov.param];
      for (auto& b : vc.bounds) {
        Scope s;
        s.constOnly = true;
        s.constWhat = "a bound";
        auto val = t.constValue(*b.value, P.unit, P.name, s);
        if (!val) continue;
        switch (b.op) {
          case ast::BinOp::Ge: case ast::BinOp::Gt: ov.lower = *val; ov.lowerStrict = b.op == ast::BinOp::Gt; break;
          case ast::BinOp::Le: case ast::BinOp::Lt: ov.upper = *val; ov.upperStrict = b.op == ast::BinOp::Lt; break;
          case ast::BinOp::Add: case ast::BinOp::Sub: case ast::BinOp::Mul: case ast::BinOp::Div: case ast::BinOp::Pow: case ast::BinOp::Eq:
          case ast::BinOp::Ne: case ast::BinOp::And: case ast::BinOp::Or: ov.lower = ov.upper = *val; break;
        }
      }
      if (ov.lower && ov.upper && *ov.lower > *ov.upper)
        x.d.report(DiagCode::InvalidExpr, vc.range, fmt::format("the bounds of '{}' leave no value ({} > {})", v.name, *ov.lower, *ov.upper));
      S.vars.push_back(ov);
    }
  }
  if (d.vary.empty()) x.d.report(DiagCode::InvalidExpr, d.keywordRange, "optimize needs `vary` with at least one param");
  std::set<std::string> names;
  for (auto& ne : d.subjectTo) {
    if (!names.insert(ne.name.name).second) {
      x.d.report(DiagCode::Duplicate, ne.name.range, fmt::format("constraint '{}' is given twice", ne.name.name));
      continue;
    }
    if (!ne.expr) continue;
    auto c = t.comparison(*ne.expr, "a `subject to` entry", nullptr);
    if (c) S.subjectTo.push_back({ne.name.name, ne.name.range, *c});
  }
  Props ps = readProps(x, d.props, PropOwner::Optimize);
  if (auto* v = ps.get(PropId::Optimize_method)) S.method = static_cast<OptimizeMethod>(v->choice);
  if (auto* v = ps.get(PropId::Optimize_at)) S.at = v->period;
  if (auto* v = ps.get(PropId::Optimize_time_limit)) S.timeLimit = v->whole();
  return S;
}

}  // namespace

void checkStatements(Ctx& x) {
  for (auto* d : x.decls) {
    if (!ast::isStatement(d->kind) || !x.inMain(d)) continue;  // statements in imported files do not run
    Statement S;
    S.range = d->range;
    switch (d->kind) {
      case ast::DeclKind::Describe: S.body = describe(x, *static_cast<const ast::DescribeStmt*>(d)); break;
      case ast::DeclKind::Diagnose: S.body = diagnose(x, *static_cast<const ast::DiagnoseStmt*>(d)); break;
      case ast::DeclKind::Forecast: S.body = forecast(x, *static_cast<const ast::ForecastStmt*>(d)); break;
      case ast::DeclKind::Simulate: S.body = simulate(x, *static_cast<const ast::ForecastStmt*>(d)); break;
      case ast::DeclKind::Seek: S.body = seek(x, *static_cast<const ast::SeekStmt*>(d)); break;
      case ast::DeclKind::Recommend: S.body = recommend(x, *static_cast<const ast::RecommendStmt*>(d)); break;
      case ast::DeclKind::Optimize: S.body = optimize(x, *static_cast<const ast::OptimizeStmt*>(d)); break;
      case ast::DeclKind::Model: case ast::DeclKind::Import: case ast::DeclKind::Unit: case ast::DeclKind::Dimension:
      case ast::DeclKind::Chain: case ast::DeclKind::Source: case ast::DeclKind::Param: case ast::DeclKind::Metric:
      case ast::DeclKind::Relation: case ast::DeclKind::Constraint: case ast::DeclKind::Event: case ast::DeclKind::Goal:
      case ast::DeclKind::Benchmark: case ast::DeclKind::Function:
        continue;  // declarations, not statements
    }
    x.m.statements.push_back(std::move(S));
  }
}

}  // namespace mtc::check
