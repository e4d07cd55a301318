// `mtc check --dump-ir`: the IR as stable, readable text (golden tests read it).
#include <fmt/format.h>

#include "mtc/compiler.h"

namespace mtc {
namespace {

using namespace ir;

std::string num(double v) { return fmt::format("{}", v); }

struct Printer {
  const Model& m;

  std::string dims(const std::vector<Id>& ds) const {
    std::string s;
    for (size_t i = 0; i < ds.size(); ++i) s += (i ? ", " : "") + m.dims[ds[i]].name;
    return s;
  }
  std::string type(const Type& t) const {
    std::string s = t.boolean ? "bool" : m.units.format(t.unit);
    if (!t.dims.empty()) s += " by " + dims(t.dims);
    s += t.shape == Shape::Series ? ", series" : ", constant";
    return s;
  }
  static int prec(Op op) {
    switch (op) {
      case Op::Or: return 1;
      case Op::And: return 2;
      case Op::Not: return 3;
      case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: case Op::Eq: case Op::Ne: return 4;
      case Op::Add: case Op::Sub: return 5;
      case Op::Mul: case Op::Div: return 6;
      case Op::Neg: return 7;
      case Op::Pow: return 8;
      default: return 10;
    }
  }
  static const char* infix(Op op) {
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
      default: return nullptr;
    }
  }
  std::string expr(ExprId id, int outer = 0) const {
    const Expr& e = m.exprs[id];
    std::string s;
    if (e.op == Op::Const) {
      s = num(e.value);
      if (!e.type.unit.isRatio()) s = fmt::format("({} {})", s, m.units.format(e.type.unit));
      return s;
    }
    if (e.op == Op::Metric) return m.metrics[e.ref].name;
    if (e.op == Op::Param) return m.params[e.ref].name;
    if (const char* op = infix(e.op)) {
      int p = prec(e.op);
      // left-associative: the right operand needs parentheses at equal precedence
      s = expr(e.args[0], e.op == Op::Pow ? p + 1 : p) + " " + op + " " + expr(e.args[1], e.op == Op::Pow ? p : p + 1);
      return p < outer ? "(" + s + ")" : s;
    }
    if (e.op == Op::Neg) return (prec(Op::Neg) < outer ? "(-" : "-") + expr(e.args[0], 8) + (prec(Op::Neg) < outer ? ")" : "");
    if (e.op == Op::Not) return "not " + expr(e.args[0], 4);
    if (e.op == Op::Select) {
      s = expr(e.args[0], 10) + "[";
      for (size_t i = 0; i < e.select.size(); ++i)
        s += (i ? ", " : "") + m.dims[e.select[i].first].name + ": " + m.dims[e.select[i].first].values[e.select[i].second];
      return s + "]";
    }
    s = std::string(opName(e.op)) + "(";
    for (size_t i = 0; i < e.args.size(); ++i) s += (i ? ", " : "") + expr(e.args[i]);
    if (e.op == Op::Lag || e.op == Op::RollingMean || e.op == Op::RollingSum) s += ", " + std::to_string(e.n);
    if (!e.over.empty()) s += " over " + dims(e.over);
    return s + ")";
  }
  std::string cmp(const Comparison& c) const {
    return expr(c.lhs) + " " + cmpOpText(c.op) + " " + expr(c.rhs);
  }
  std::string ref(const Ref& r) const { return r.kind == Ref::Kind::Metric ? m.metrics[r.id].name : m.params[r.id].name; }
  std::string period(const std::optional<Period>& p) const { return p ? formatPeriod(*p) : "-"; }
};

}  // namespace

std::string exprToString(const ir::Model& m, ir::ExprId e) { return Printer{m}.expr(e); }

std::string dumpIr(const ir::Model& m) {
  Printer p{m};
  std::string o;
  auto line = [&](const std::string& s) { o += s + "\n"; };
  line(fmt::format("model {}{} grain={} currency={} start={}", m.name, m.title.empty() ? "" : " \"" + m.title + "\"",
                   grainName(m.grain), m.currency.value_or("-"), p.period(m.start)));
  for (auto& d : m.dims) {
    std::string vs;
    for (size_t i = 0; i < d.values.size(); ++i) vs += (i ? ", " : "") + d.values[i];
    if (d.fromSource)
      line(fmt::format("dimension {} from {}.{}{}", d.name, d.source == kNone ? "?" : m.sources[d.source].name, d.column,
                       vs.empty() ? "" : " (named: " + vs + ")"));
    else
      line(fmt::format("dimension {} {{{}}}", d.name, vs));
  }
  for (auto& c : m.chains) {
    std::string st;
    for (size_t i = 0; i < c.stages.size(); ++i) st += (i ? " -> " : "") + m.stages[c.stages[i]].name;
    line(fmt::format("chain {} {}: {}", c.name, c.external ? "external" : "internal", st));
  }
  for (auto& s : m.sources) {
    std::string ds;
    for (auto& [d, col] : s.dimColumns) ds += (ds.empty() ? "" : ", ") + m.dims[d].name;
    line(fmt::format("source {} {} \"{}\"{} time={} dimensions=[{}]", s.name, s.kind == SourceKind::Csv ? "csv" : "sqlite",
                     s.path, s.query.empty() ? "" : " \"" + s.query + "\"", s.timeColumn, ds));
  }
  for (auto& pr : m.params) {
    std::string v;
    if (pr.values.size() == 1 && pr.dims.empty()) v = num(pr.values[0]);
    else {
      for (size_t i = 0; i < pr.values.size(); ++i) v += (i ? ", " : "[") + num(pr.values[i]);
      v += "]";
      if (!pr.keyed.empty() || pr.keyedDefault) {
        v = "{";
        for (size_t i = 0; i < pr.keyed.size(); ++i) {
          std::string k;
          for (size_t j = 0; j < pr.keyed[i].first.size(); ++j) k += (j ? "." : "") + pr.keyed[i].first[j];
          v += (i ? ", " : "") + k + ": " + num(pr.keyed[i].second);
        }
        if (pr.keyedDefault) v += std::string(pr.keyed.empty() ? "" : ", ") + "_: " + num(*pr.keyedDefault);
        v += "}";
      }
    }
    std::string dist;
    if (pr.dist) {
      dist = fmt::format(" ~ {}(", distName(pr.dist->kind));
      for (size_t i = 0; i < pr.dist->args.size(); ++i) dist += (i ? ", " : "") + num(pr.dist->args[i]);
      dist += ")";
    }
    line(fmt::format("param {}: {}{} = {}{}", pr.name, m.units.format(pr.unit), pr.dims.empty() ? "" : " by " + p.dims(pr.dims), v, dist));
  }
  for (Id i = 0; i < m.metrics.size(); ++i) {
    const Metric& x = m.metrics[i];
    std::string head = fmt::format("metric {}: {}{}", x.name, m.units.format(x.unit), x.dims.empty() ? "" : " by " + p.dims(x.dims));
    if (x.formula) head += " = " + p.expr(*x.formula) + "  [" + p.type(m.exprs[*x.formula].type) + "]";
    line(head);
    std::string props = fmt::format("  agg={}{}", aggName(x.agg), x.aggDeclared ? "" : " (default)");
    if (x.data) props += fmt::format(" data={}.{}", m.sources[x.data->source].name, x.data->column);
    if (x.stage != kNone) props += " stage=" + m.stages[x.stage].name;
    std::string roles, classes;
    for (auto& r : metricRoles()) if (x.roles & r.bit) roles += (roles.empty() ? "" : ",") + std::string(r.name);
    for (auto& c : metricClasses()) if (x.classes & c.bit) classes += (classes.empty() ? "" : ",") + std::string(c.name);
    if (!roles.empty()) props += " role=" + roles;
    if (!classes.empty()) props += " class=" + classes;
    if (!x.owner.empty()) props += " owner=\"" + x.owner + "\"";
    line(props);
    if (!x.metricDeps.empty() || !x.paramDeps.empty()) {
      std::string deps;
      for (Id d : x.metricDeps) deps += (deps.empty() ? "" : ", ") + m.metrics[d].name;
      for (Id d : x.paramDeps) deps += (deps.empty() ? "" : ", ") + m.params[d].name + " (param)";
      line("  reads " + deps);
    }
  }
  std::string topo;
  for (Id v : m.topoOrder) topo += (topo.empty() ? "" : ", ") + m.metrics[v].name;
  line("order " + topo);
  for (auto& r : m.relations)
    line(fmt::format("relation {} {} {}: {}{}", p.ref(r.from), r.bidirectional ? "<->" : "->", p.ref(r.to), relKindName(r.kind),
                     r.lag ? fmt::format(" lag={}", r.lag) : ""));
  for (auto& c : m.constraints) line(fmt::format("constraint {}: {}", c.name, p.cmp(c.cmp)));
  for (auto& g : m.goals) line(fmt::format("goal {}: {}{}", g.name, p.cmp(g.cmp), g.by ? " by " + formatPeriod(*g.by) : ""));
  for (auto& e : m.events) {
    std::string aff;
    for (Id a : e.affects) aff += (aff.empty() ? "" : ", ") + m.metrics[a].name;
    line(fmt::format("event {} at {}{} affects [{}]", e.name, formatPeriod(e.from), e.to == e.from ? "" : " .. " + formatPeriod(e.to), aff));
  }
  for (auto& b : m.benchmarks) {
    std::string lv;
    for (auto& [l, v] : b.levels) lv += fmt::format(" {}={}", levelName(l), num(v));
    line(fmt::format("benchmark {}{}", p.ref(b.target), lv));
  }
  for (size_t i = 0; i < m.statements.size(); ++i) {
    const Statement& s = m.statements[i];
    std::string ms;
    for (Id x : s.metrics) ms += (ms.empty() ? "" : ", ") + m.metrics[x].name;
    std::string t = fmt::format("statement {} {}", i + 1, stmtKindName(s.kind));
    switch (s.kind) {
      case StmtKind::Describe:
        t += fmt::format(" {} from {} to {}{}", ms, p.period(s.from), p.period(s.to), s.grain ? fmt::format(" grain={}", grainName(*s.grain)) : "");
        break;
      case StmtKind::Diagnose:
        t += fmt::format(" {} at {} vs {} method={}", ms, formatPeriod(s.at),
                         s.vs == VsKind::Previous ? "previous" : s.vs == VsKind::SameLastYear ? "same period last year" : formatPeriod(s.vsPeriod), s.method);
        break;
      case StmtKind::Forecast:
        t += fmt::format(" {} for {} {} ({} periods) method={} interval={}", ms, s.horizonCount, grainName(s.horizonUnit), s.horizon, s.method, num(s.interval));
        break;
      case StmtKind::Simulate:
        t += fmt::format(" {} for {} {} ({} periods) runs={} seed={}", ms, s.horizonCount, grainName(s.horizonUnit), s.horizon, s.runs, s.seed);
        break;
      case StmtKind::Seek: {
        std::string v;
        for (auto& r : s.varying) v += (v.empty() ? "" : ", ") + p.ref(r);
        t += fmt::format(" {} varying {}", s.goal == kNone ? "?" : m.goals[s.goal].name, v);
        break;
      }
      case StmtKind::Recommend:
        t += fmt::format(" for {}", s.goal == kNone ? "?" : m.goals[s.goal].name);
        break;
      case StmtKind::Optimize: {
        t += " " + s.name;
        if (s.objective) t += fmt::format(" {} {}", s.maximize ? "maximize" : "minimize", p.expr(*s.objective));
        line(t);
        for (auto& v : s.vars)
          line(fmt::format("  vary {}{} in [{}, {}]", v.integer ? "integer " : "", m.params[v.param].name,
                           v.lower ? num(*v.lower) : "-inf", v.upper ? num(*v.upper) : "inf"));
        for (auto& c : s.subjectTo) line(fmt::format("  subject to {}: {}", c.name, p.cmp(c.cmp)));
        continue;
      }
    }
    line(t);
  }
  return o;
}

}  // namespace mtc
