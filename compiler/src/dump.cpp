// `mtc check --dump-ir`: the IR as stable, readable text (golden tests read it).
#include <fmt/format.h>

#include "mtc/compiler.h"
#include "mtc/ir_print.h"

namespace mtc {

using namespace ir;

std::string dumpIr(const ir::Model& m) {
  std::string o;
  auto line = [&](const std::string& s) { o += s + "\n"; };
  line(fmt::format("model {}{} grain={} currency={} start={}", m.name, m.title.empty() ? "" : " \"" + m.title + "\"",
                   grainName(m.grain), m.currency.value_or("-"), periodText(m.start)));
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
    std::string where = s.kind == SourceKind::Postgres ? fmt::format("env({})", s.connEnv) : "\"" + s.path + "\"";
    line(fmt::format("source {} {} {}{} time={}{} dimensions=[{}]", s.name, sourceKindName(s.kind), where,
                     s.query.empty() ? "" : " \"" + s.query + "\"", s.timeColumn, s.grain ? fmt::format(" grain={}", grainName(*s.grain)) : "",
                     ds));
  }
  for (auto& pr : m.params)
    line(fmt::format("param {}: {} = {}{}", pr.name, unitDimsText(m, pr.unit, pr.dims), paramValueText(m, pr),
                     pr.dist ? " ~ " + distText(*pr.dist) : ""));
  for (Id i = 0; i < m.metrics.size(); ++i) {
    const Metric& x = m.metrics[i];
    std::string head = fmt::format("metric {}: {}", x.name, unitDimsText(m, x.unit, x.dims));
    if (x.formula) head += " = " + exprText(m, *x.formula) + "  [" + typeText(m, m.exprs[*x.formula].type) + "]";
    line(head);
    std::string props = fmt::format("  agg={}{}", aggName(x.agg), x.aggDeclared ? "" : " (default)");
    if (x.data) props += fmt::format(" data={}.{}", m.sources[x.data->source].name, x.data->column);
    if (x.stage != kNone) props += " stage=" + m.stages[x.stage].name;
    if (x.roles) props += " role=" + roleNames(x.roles, ",");
    if (x.classes) props += " class=" + classNames(x.classes, ",");
    if (x.direction != Direction::HigherIsBetter) props += fmt::format(" direction={}", directionName(x.direction));
    if (!x.owner.empty()) props += " owner=\"" + x.owner + "\"";
    if (x.initial) props += " initial=" + exprText(m, *x.initial);
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
  for (auto& g : m.groups) {
    std::string members;
    for (Id v : g) members += (members.empty() ? "" : ", ") + m.metrics[v].name;
    line("period by period " + members);
  }
  for (auto& r : m.relations)
    line(fmt::format("relation {} {} {}: {}{}{}{}", refName(m, r.from), r.bidirectional ? "<->" : "->", refName(m, r.to),
                     relKindName(r.kind), r.lag ? fmt::format(" lag={}", r.lag) : "",
                     r.strength ? " strength=" + numberText(*r.strength) : "", r.sign ? fmt::format(" sign={}", signName(*r.sign)) : ""));
  for (auto& c : m.constraints) line(fmt::format("constraint {}: {}", c.name, comparisonText(m, c.cmp)));
  for (auto& g : m.goals) line(fmt::format("goal {}: {}{}", g.name, comparisonText(m, g.cmp), g.by ? " by " + formatPeriod(*g.by) : ""));
  for (auto& e : m.events) {
    std::string aff;
    for (Id a : e.affects) aff += (aff.empty() ? "" : ", ") + m.metrics[a].name;
    line(fmt::format("event {} at {}{} affects [{}]", e.name, formatPeriod(e.from), e.to == e.from ? "" : " .. " + formatPeriod(e.to), aff));
  }
  for (auto& b : m.benchmarks) {
    std::string lv;
    for (auto& [l, v] : b.levels) lv += fmt::format(" {}={}", levelName(l), numberText(v));
    line(fmt::format("benchmark {}{}", refName(m, b.target), lv));
  }
  for (size_t i = 0; i < m.statements.size(); ++i) {
    const Statement& s = m.statements[i];
    line(fmt::format("statement {} {}", i + 1, statementText(m, s)));
    switch (s.kind()) {
      case StmtKind::Optimize: {
        const auto& x = s.as<OptimizeStmt>();
        for (auto& v : x.vars)
          line(fmt::format("  vary {}{} in [{}, {}]", v.integer ? "integer " : "", m.params[v.param].name,
                           v.lower ? numberText(*v.lower) : "-inf", v.upper ? numberText(*v.upper) : "inf"));
        for (auto& c : x.subjectTo) line(fmt::format("  subject to {}: {}", c.name, comparisonText(m, c.cmp)));
        break;
      }
      case StmtKind::Describe: case StmtKind::Diagnose: case StmtKind::Forecast: case StmtKind::Seek:
      case StmtKind::Simulate: case StmtKind::Recommend:
        break;  // one line says it all
    }
  }
  return o;
}

}  // namespace mtc
