// The IR as text (ir_print.h).
#include "mtc/ir_print.h"

#include <cmath>

#include <fmt/format.h>

#include "mtc/builtins.h"

namespace mtc::ir {

std::string numberText(double v) { return fmt::format("{}", v); }

std::string readableNumber(double v, int decimals) {
  if (!std::isfinite(v)) return "-";
  double a = std::fabs(v);
  if (decimals < 0) decimals = a == 0 ? 0 : a >= 1000 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 4;
  std::string s = fmt::format("{:.{}f}", a, decimals);
  size_t dot = s.find('.');
  std::string intPart = s.substr(0, dot), frac = dot == std::string::npos ? "" : s.substr(dot);
  std::string grouped;
  for (size_t i = 0; i < intPart.size(); ++i) {
    if (i && (intPart.size() - i) % 3 == 0) grouped += ',';
    grouped += intPart[i];
  }
  return (v < 0 && std::stod(s) != 0 ? "-" : "") + grouped + frac;
}

std::string dimNames(const Model& m, const std::vector<Id>& dims, std::string_view sep) {
  std::string s;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += sep;
    s += m.dims[dims[i]].name;
  }
  return s;
}

std::string sliceKey(const Model& m, const std::vector<Id>& dims, size_t slice) {
  std::string s;
  auto c = m.sliceCoords(dims, slice);
  for (size_t k = 0; k < dims.size(); ++k) s += (k ? "," : "") + m.dims[dims[k]].values[c[k]];
  return s;
}

std::string sliceLabel(const Model& m, const std::vector<Id>& dims, size_t slice) {
  std::string s;
  auto c = m.sliceCoords(dims, slice);
  for (size_t k = 0; k < dims.size(); ++k) s += (k ? ", " : "") + m.dims[dims[k]].name + "=" + m.dims[dims[k]].values[c[k]];
  return s;
}

std::string driverName(const Model& m, Id metric, std::optional<size_t> slice) {
  const Metric& M = m.metrics[metric];
  if (!slice || M.dims.empty()) return M.name;
  return M.name + "[" + sliceKey(m, M.dims, *slice) + "]";
}

std::string refName(const Model& m, const Ref& r) {
  return r.kind == Ref::Kind::Metric ? m.metrics[r.id].name : m.params[r.id].name;
}

std::string roleNames(uint32_t roles, std::string_view sep) {
  std::string s;
  for (auto& r : metricRoles())
    if (roles & r.bit) s += (s.empty() ? "" : std::string(sep)) + r.name;
  return s;
}

std::string classNames(uint32_t classes, std::string_view sep) {
  std::string s;
  for (auto& c : metricClasses())
    if (classes & c.bit) s += (s.empty() ? "" : std::string(sep)) + c.name;
  return s;
}

std::string distText(const Distribution& d) {
  std::string s = std::string(distName(d.kind)) + "(";
  for (size_t i = 0; i < d.args.size(); ++i) s += (i ? ", " : "") + numberText(d.args[i]);
  return s + ")";
}

std::string paramValueText(const Model& m, const Param& p, size_t maxSlices) {
  auto more = [&](size_t shown, size_t all) {
    return shown < all ? fmt::format(", ... ({} slices)", all) : std::string();
  };
  if (!p.keyed.empty() || p.keyedDefault) {  // values of a dimension from data: the map as written
    std::string v;
    size_t n = 0;
    for (auto& [key, val] : p.keyed) {
      if (n++ == maxSlices) break;
      std::string k;
      for (size_t j = 0; j < key.size(); ++j) k += (j ? "," : "") + key[j];
      v += (v.empty() ? "" : ", ") + k + ": " + numberText(val);
    }
    v += more(std::min(maxSlices, p.keyed.size()), p.keyed.size());
    if (p.keyedDefault) v += std::string(v.empty() ? "" : ", ") + "_: " + numberText(*p.keyedDefault);
    return "{ " + v + " }";
  }
  if (p.dims.empty()) return p.values.empty() ? "-" : numberText(p.values[0]);
  if (m.sliceCount(p.dims) != p.values.size()) {  // slices not known: the values in order
    std::string v;
    for (size_t i = 0; i < p.values.size(); ++i) v += (i ? ", " : "") + numberText(p.values[i]);
    return "[" + v + "]";
  }
  std::string v;
  size_t shown = std::min(maxSlices, p.values.size());
  for (size_t i = 0; i < shown; ++i) {
    std::string dist = i < p.sliceDists.size() && p.sliceDists[i] ? " ~ " + distText(*p.sliceDists[i]) : "";
    v += (i ? ", " : "") + sliceKey(m, p.dims, i) + ": " + numberText(p.values[i]) + dist;
  }
  return "{ " + v + more(shown, p.values.size()) + " }";
}

std::string unitDimsText(const Model& m, const Unit& u, const std::vector<Id>& dims) {
  return m.units.format(u) + (dims.empty() ? "" : " by " + dimNames(m, dims));
}

std::string typeText(const Model& m, const Type& t) {
  std::string s = t.boolean ? "bool" : m.units.format(t.unit);
  if (!t.dims.empty()) s += " by " + dimNames(m, t.dims);
  s += t.shape == Shape::Series ? ", series" : ", constant";
  return s;
}

namespace {

int prec(Op op) {
  switch (op) {
    case Op::Or: return 1;
    case Op::And: return 2;
    case Op::Not: return 3;
    case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: case Op::Eq: case Op::Ne: return 4;
    case Op::Add: case Op::Sub: return 5;
    case Op::Mul: case Op::Div: return 6;
    case Op::Neg: return 7;
    case Op::Pow: return 8;
    case Op::Const: case Op::Param: case Op::Metric: case Op::If: case Op::Min: case Op::Max:
    case Op::Abs: case Op::Log: case Op::Exp: case Op::Sqrt: case Op::Clamp: case Op::Lag:
    case Op::Delta: case Op::PctChange: case Op::Cumsum: case Op::RollingSum: case Op::RollingMean: case Op::Ytd:
    case Op::Yoy: case Op::SumOver: case Op::MeanOver: case Op::MinOver: case Op::MaxOver: case Op::Share:
    case Op::Hill: case Op::Saturate: case Op::Adstock: case Op::Select: return 10;
  }
  return 10;
}

const char* infix(Op op) {
  switch (op) {
    case Op::Add: return "+";
    case Op::Sub: return "-";
    case Op::Mul: return "*";
    case Op::Div: return "/";
    case Op::Pow: return "^";
    case Op::Lt: return "<";
    case Op::Le: return "<=";
    case Op::Gt: return ">";
    case Op::Ge: return ">=";
    case Op::Eq: return "==";
    case Op::Ne: return "!=";
    case Op::And: return "and";
    case Op::Or: return "or";
    case Op::Const: case Op::Param: case Op::Metric: case Op::Neg: case Op::Not: case Op::If:
    case Op::Min: case Op::Max: case Op::Abs: case Op::Log: case Op::Exp: case Op::Sqrt:
    case Op::Clamp: case Op::Lag: case Op::Delta: case Op::PctChange: case Op::Cumsum: case Op::RollingSum:
    case Op::RollingMean: case Op::Ytd: case Op::Yoy: case Op::SumOver: case Op::MeanOver: case Op::MinOver:
    case Op::MaxOver: case Op::Share: case Op::Hill: case Op::Saturate: case Op::Adstock: case Op::Select: return nullptr;
  }
  return nullptr;
}

std::string expr(const Model& m, ExprId id, int outer) {
  const Expr& e = m.exprs[id];
  std::string s;
  if (e.op == Op::Const) {
    s = numberText(e.value);
    if (!e.type.unit.isRatio()) s = fmt::format("({} {})", s, m.units.format(e.type.unit));
    return s;
  }
  if (e.op == Op::Metric) return m.metrics[e.ref].name;
  if (e.op == Op::Param) return m.params[e.ref].name;
  if (const char* op = infix(e.op)) {
    int p = prec(e.op);
    // left-associative: the right operand needs parentheses at equal precedence
    s = expr(m, e.args[0], e.op == Op::Pow ? p + 1 : p) + " " + op + " " + expr(m, e.args[1], e.op == Op::Pow ? p : p + 1);
    return p < outer ? "(" + s + ")" : s;
  }
  if (e.op == Op::Neg) return (prec(Op::Neg) < outer ? "(-" : "-") + expr(m, e.args[0], 8) + (prec(Op::Neg) < outer ? ")" : "");
  if (e.op == Op::Not) return "not " + expr(m, e.args[0], 4);
  if (e.op == Op::Select) {
    s = expr(m, e.args[0], 10) + "[";
    for (size_t i = 0; i < e.select.size(); ++i)
      s += (i ? ", " : "") + m.dims[e.select[i].first].name + ": " + m.dims[e.select[i].first].values[e.select[i].second];
    return s + "]";
  }
  const Builtin* b = builtinOf(e.op);
  s = std::string(b ? b->name : std::string_view(opName(e.op))) + "(";
  // (a lag's opening value, args[1], is the target's `initial:`, not written in the call)
  size_t shown = e.op == Op::Lag ? 1 : e.args.size();
  for (size_t i = 0; i < shown; ++i) s += (i ? ", " : "") + expr(m, e.args[i], 0);
  if (e.op == Op::Lag || e.op == Op::RollingMean || e.op == Op::RollingSum) s += ", " + std::to_string(e.n);
  if (!e.over.empty()) s += " over " + dimNames(m, e.over);
  return s + ")";
}

std::string plural(int64_t n, Grain g) { return fmt::format("{} {}{}", n, grainName(g), n == 1 ? "" : "s"); }

}  // namespace

std::string exprText(const Model& m, ExprId e) { return expr(m, e, 0); }

std::string comparisonText(const Model& m, const Comparison& c) {
  return exprText(m, c.lhs) + " " + cmpOpText(c.op) + " " + exprText(m, c.rhs);
}

std::string periodText(const std::optional<Period>& p) { return p ? formatPeriod(*p) : "-"; }

std::string horizonText(const Horizon& h) { return plural(h.count, h.unit); }

std::string statementText(const Model& m, const Statement& s) {
  auto names = [&](const std::vector<Id>& ids) {
    std::string r;
    for (Id x : ids) r += (r.empty() ? "" : ", ") + m.metrics[x].name;
    return r;
  };
  std::string props;
  auto prop = [&](std::string_view k, const std::string& v) { props += fmt::format("{}{}: {}", props.empty() ? "" : "  ", k, v); };
  auto goal = [&](Id g) { return g == kNone ? std::string("?") : m.goals[g].name; };
  std::string head;
  switch (s.kind()) {
    case StmtKind::Describe: {
      const auto& x = s.as<DescribeStmt>();
      head = fmt::format("describe {}", names(x.metrics));
      if (x.from) head += " from " + formatPeriod(*x.from);
      if (x.to) head += " to " + formatPeriod(*x.to);
      if (x.grain) prop("grain", grainName(*x.grain));
      break;
    }
    case StmtKind::Diagnose: {
      const auto& x = s.as<DiagnoseStmt>();
      head = fmt::format("diagnose {} at {} vs {}", x.metric == kNone ? "?" : m.metrics[x.metric].name, formatPeriod(x.at),
                         x.vs == VsKind::Previous ? "previous" : x.vs == VsKind::SameLastYear ? "same period last year" : formatPeriod(x.vsPeriod));
      prop("method", diagnoseMethodName(x.method));
      prop("depth", std::to_string(x.depth));
      if (x.top) prop("top", std::to_string(*x.top));
      break;
    }
    case StmtKind::Forecast: {
      const auto& x = s.as<ForecastStmt>();
      head = fmt::format("forecast {} for {}", names(x.metrics), horizonText(x.horizon));
      prop("method", forecastMethodName(x.method));
      prop("interval", numberText(x.level));
      prop("seed", std::to_string(x.seed));
      if (x.holdout) prop("holdout", std::to_string(*x.holdout));
      break;
    }
    case StmtKind::Simulate: {
      const auto& x = s.as<SimulateStmt>();
      head = fmt::format("simulate {} for {}", names(x.metrics), horizonText(x.horizon));
      prop("runs", std::to_string(x.runs));
      prop("seed", std::to_string(x.seed));
      prop("interval", numberText(x.level));
      prop("sampling", samplingName(x.sampling));
      break;
    }
    case StmtKind::Seek: {
      const auto& x = s.as<SeekStmt>();
      std::string v;
      for (auto& r : x.varying) v += (v.empty() ? "" : ", ") + refName(m, r);
      head = fmt::format("seek {} varying {}", goal(x.goal), v);
      if (x.at) prop("at", formatPeriod(*x.at));
      break;
    }
    case StmtKind::Recommend: {
      const auto& x = s.as<RecommendStmt>();
      head = fmt::format("recommend for {}", goal(x.goal));
      if (x.at) prop("at", formatPeriod(*x.at));
      if (x.top) prop("top", std::to_string(*x.top));
      break;
    }
    case StmtKind::Optimize: {
      const auto& x = s.as<OptimizeStmt>();
      head = "optimize " + x.name;
      if (x.objective) head += fmt::format(" {} {}", x.maximize ? "maximize" : "minimize", exprText(m, *x.objective));
      prop("method", optimizeMethodName(x.method));
      if (x.at) prop("at", formatPeriod(*x.at));
      if (x.timeLimit) prop("time_limit", std::to_string(*x.timeLimit));
      break;
    }
  }
  return props.empty() ? head : head + " { " + props + " }";
}

}  // namespace mtc::ir
