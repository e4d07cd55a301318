// Names and small queries over the IR.
#include "mtc/ir.h"

#include <algorithm>

#include "mtc/builtins.h"
#include "mtc/properties.h"

namespace mtc::ir {

const char* opName(Op op) {
  switch (op) {
    case Op::Const: return "const";
    case Op::Param: return "param";
    case Op::Metric: return "metric";
    case Op::Neg: return "neg";
    case Op::Not: return "not";
    case Op::Add: return "add";
    case Op::Sub: return "sub";
    case Op::Mul: return "mul";
    case Op::Div: return "div";
    case Op::Pow: return "pow";
    case Op::Lt: return "lt";
    case Op::Le: return "le";
    case Op::Gt: return "gt";
    case Op::Ge: return "ge";
    case Op::Eq: return "eq";
    case Op::Ne: return "ne";
    case Op::And: return "and";
    case Op::Or: return "or";
    case Op::If: return "if";
    case Op::Min: return "min";
    case Op::Max: return "max";
    case Op::Abs: return "abs";
    case Op::Log: return "log";
    case Op::Exp: return "exp";
    case Op::Sqrt: return "sqrt";
    case Op::Clamp: return "clamp";
    case Op::Lag: return "lag";
    case Op::Delta: return "delta";
    case Op::PctChange: return "pct_change";
    case Op::Cumsum: return "cumsum";
    case Op::RollingSum: return "rolling_sum";
    case Op::RollingMean: return "rolling_mean";
    case Op::Ytd: return "ytd";
    case Op::Yoy: return "yoy";
    case Op::SumOver: return "sum";
    case Op::MeanOver: return "mean";
    case Op::MinOver: return "min";
    case Op::MaxOver: return "max";
    case Op::Share: return "share";
    case Op::Hill: return "hill";
    case Op::Saturate: return "saturate";
    case Op::Adstock: return "adstock";
    case Op::Select: return "select";
  }
  return "?";
}

const char* sourceKindName(SourceKind k) {
  switch (k) {
    case SourceKind::Csv: return "csv";
    case SourceKind::Sqlite: return "sqlite";
    case SourceKind::Postgres: return "postgres";
  }
  return "?";
}

const char* aggName(Agg a) { return choiceName(PropId::Metric_agg, static_cast<size_t>(a)); }
const char* directionName(Direction d) { return choiceName(PropId::Metric_direction, static_cast<size_t>(d)); }
const char* signName(Sign s) { return choiceName(PropId::Relation_sign, static_cast<size_t>(s)); }
const char* diagnoseMethodName(DiagnoseMethod m) { return choiceName(PropId::Diagnose_method, static_cast<size_t>(m)); }
const char* forecastMethodName(ForecastMethod m) { return choiceName(PropId::Forecast_method, static_cast<size_t>(m)); }
const char* optimizeMethodName(OptimizeMethod m) { return choiceName(PropId::Optimize_method, static_cast<size_t>(m)); }
const char* samplingName(Sampling s) { return choiceName(PropId::Simulate_sampling, static_cast<size_t>(s)); }

const std::vector<ClassInfo>& metricClasses() {
  static const std::vector<ClassInfo> v = {
      {ClassQualitative, "qualitative", "Why is this happening?", "understand motives and causes behind the numbers"},
      {ClassQuantitative, "quantitative", "What is happening, and how much?", "measure volumes and rates"},
      {ClassVanity, "vanity", "How can we look good?", "reporting only; flagged when used for decisions"},
      {ClassActionable, "actionable", "What can we change to move the result?", "drive decisions and actions"},
      {ClassEfficiency, "efficiency", "Are we doing things right (output per input)?", "reduce cost and waste"},
      {ClassEffectiveness, "effectiveness", "Are we doing the right things (reaching the goal)?", "judge progress toward goals"},
      {ClassStrategic, "strategic", "Are we winning over the long term?", "steer the business; set direction"},
      {ClassTactical, "tactical", "Are our initiatives working this quarter?", "manage campaigns and initiatives"},
      {ClassOperational, "operational", "Is the day-to-day running well?", "run daily operations"},
  };
  return v;
}

const std::vector<RoleInfo>& metricRoles() {
  static const std::vector<RoleInfo> v = {
      {RoleInput, "input", "a lever or raw measurement feeding other metrics"},
      {RoleOutput, "output", "a result computed from other metrics"},
      {RoleLeading, "leading", "moves before the results it predicts"},
      {RoleLagging, "lagging", "records results after the fact"},
      {RoleDiagnostic, "diagnostic", "explains why another metric moved"},
      {RoleNorthStar, "north_star", "the one metric that best captures the value delivered"},
  };
  return v;
}

const char* distName(DistKind d) {
  switch (d) {
    case DistKind::Normal: return "normal";
    case DistKind::LogNormal: return "lognormal";
    case DistKind::Uniform: return "uniform";
    case DistKind::Triangular: return "triangular";
    case DistKind::Beta: return "beta";
    case DistKind::Fixed: return "fixed";
  }
  return "?";
}

const char* relKindName(RelKind k) {
  switch (k) {
    case RelKind::Deterministic: return "deterministic";
    case RelKind::Probabilistic: return "probabilistic";
    case RelKind::Causal: return "causal";
    case RelKind::Compositional: return "compositional";
  }
  return "?";
}

const char* cmpOpText(CmpOp op) {
  switch (op) {
    case CmpOp::Lt: return "<";
    case CmpOp::Le: return "<=";
    case CmpOp::Gt: return ">";
    case CmpOp::Ge: return ">=";
    case CmpOp::Eq: return "==";
  }
  return "?";
}

const char* levelName(Level l) {
  switch (l) {
    case Level::BelowPar: return "below_par";
    case Level::OnPar: return "on_par";
    case Level::AbovePar: return "above_par";
    case Level::Best: return "best";
    case Level::Unique: return "unique";
  }
  return "?";
}

const std::vector<std::pair<std::string, Level>>& benchmarkLevels() {
  static const std::vector<std::pair<std::string, Level>> v = {{"below_par", Level::BelowPar}, {"par", Level::OnPar},
                                                                {"on_par", Level::OnPar},       {"above_par", Level::AbovePar},
                                                                {"best", Level::Best},          {"unique", Level::Unique}};
  return v;
}

const char* stmtKindName(StmtKind k) {
  switch (k) {
    case StmtKind::Describe: return "describe";
    case StmtKind::Diagnose: return "diagnose";
    case StmtKind::Forecast: return "forecast";
    case StmtKind::Seek: return "seek";
    case StmtKind::Simulate: return "simulate";
    case StmtKind::Optimize: return "optimize";
    case StmtKind::Recommend: return "recommend";
  }
  return "?";
}

std::vector<Id> namedMetrics(const Statement& s) {
  switch (s.kind()) {
    case StmtKind::Describe: return s.as<DescribeStmt>().metrics;
    case StmtKind::Diagnose: {
      Id m = s.as<DiagnoseStmt>().metric;
      return m == kNone ? std::vector<Id>{} : std::vector<Id>{m};
    }
    case StmtKind::Forecast: return s.as<ForecastStmt>().metrics;
    case StmtKind::Simulate: return s.as<SimulateStmt>().metrics;
    case StmtKind::Seek: case StmtKind::Optimize: case StmtKind::Recommend: return {};
  }
  return {};
}

template <typename V>
static std::optional<Id> findByName(const V& v, const std::string& n) {
  for (size_t i = 0; i < v.size(); ++i)
    if (v[i].name == n) return static_cast<Id>(i);
  return std::nullopt;
}
std::optional<Id> Model::findMetric(const std::string& n) const { return findByName(metrics, n); }
std::optional<Id> Model::findParam(const std::string& n) const { return findByName(params, n); }
std::optional<Id> Model::findDim(const std::string& n) const { return findByName(dims, n); }

size_t Model::sliceCount(const std::vector<Id>& ds) const {
  size_t n = 1;
  for (Id d : ds) {
    if (!dims[d].resolved) return 0;
    n *= dims[d].values.size();
  }
  return n;
}

std::vector<uint32_t> Model::sliceCoords(const std::vector<Id>& ds, size_t slice) const {
  std::vector<uint32_t> c(ds.size());
  for (size_t k = ds.size(); k-- > 0;) {
    size_t n = dims[ds[k]].values.size();
    c[k] = static_cast<uint32_t>(slice % n);
    slice /= n;
  }
  return c;
}

void collectRefs(const Model& m, ExprId e, std::vector<Id>* metrics, std::vector<Id>* params) {
  std::vector<ExprId> stack{e};
  while (!stack.empty()) {
    const Expr& x = m.exprs[stack.back()];
    stack.pop_back();
    if (x.op == Op::Metric && metrics) metrics->push_back(x.ref);
    if (x.op == Op::Param && params) params->push_back(x.ref);
    for (ExprId a : x.args) stack.push_back(a);
  }
  for (auto* v : {metrics, params})
    if (v) {
      std::sort(v->begin(), v->end());
      v->erase(std::unique(v->begin(), v->end()), v->end());
    }
}

void collectImmediateRefs(const Model& m, ExprId e, std::vector<Id>* metrics) {
  std::vector<ExprId> stack{e};
  while (!stack.empty()) {
    const Expr& x = m.exprs[stack.back()];
    stack.pop_back();
    if (x.op == Op::Metric) metrics->push_back(x.ref);
    if (x.op == Op::Lag && x.n >= 1) {
      // the lagged argument is read in an earlier period; an opening value (args[1]) reads no metric
      continue;
    }
    for (ExprId a : x.args) stack.push_back(a);
  }
  std::sort(metrics->begin(), metrics->end());
  metrics->erase(std::unique(metrics->begin(), metrics->end()), metrics->end());
}

bool timeDependent(const Model& m, Id metric) {
  std::vector<bool> seen(m.metrics.size(), false);
  std::vector<Id> stack{metric};
  while (!stack.empty()) {
    Id id = stack.back();
    stack.pop_back();
    if (seen[id]) continue;
    seen[id] = true;
    const Metric& M = m.metrics[id];
    if (!M.formula) continue;
    std::vector<ExprId> exprs{*M.formula};
    while (!exprs.empty()) {
      const Expr& e = m.exprs[exprs.back()];
      exprs.pop_back();
      if (isTimeOp(e.op)) return true;
      for (ExprId a : e.args) exprs.push_back(a);
    }
    for (Id w : M.metricDeps) stack.push_back(w);
  }
  return false;
}

}  // namespace mtc::ir
