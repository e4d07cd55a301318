// Hover: what a name is, as Markdown. Metrics show their unit, dimensions,
// formula or data, stage, roles, classes and doc comment; every other kind of
// name shows what the checker knows of it. The typed IR gives the resolved
// facts; the AST gives the doc comment and the declaration's text when the IR
// has nothing (a name in a file with errors).
#include <fmt/format.h>

#include "document.h"

namespace mtc::lsp {

namespace {

using ir::Id;
using ir::Model;

std::string code(const std::string& s) { return "`" + s + "`"; }

std::string joinDims(const Model& m, const std::vector<Id>& dims) { return ir::dimNames(m, dims); }

// The first line of a declaration as written, without a trailing `{`.
std::string headerLine(const Compilation& c, const ast::Decl& d) {
  std::string text = c.sources.textOf(d.range);
  text = text.substr(0, text.find_first_of("\r\n"));
  while (!text.empty() && (text.back() == '{' || text.back() == ' ')) text.pop_back();
  return text;
}

// A block of Markdown: a code header, the title and doc, then "- key: value" facts.
struct Card {
  std::string header, title, doc;
  std::vector<std::pair<std::string, std::string>> facts;

  void fact(std::string key, std::string value) {
    if (!value.empty()) facts.push_back({std::move(key), std::move(value)});
  }
  std::string markdown() const {
    std::string s = "```mtree\n" + header + "\n```\n";
    if (!title.empty()) s += "\n**" + title + "**\n";
    if (!doc.empty()) s += "\n" + doc + "\n";
    if (!facts.empty()) s += "\n";
    for (auto& [k, v] : facts) s += "- " + k + ": " + v + "\n";
    return s;
  }
};

std::string classes(uint32_t bits) {
  std::string s;
  for (auto& c : ir::metricClasses())
    if (bits & c.bit) s += fmt::format("{}{} ({})", s.empty() ? "" : ", ", c.name, c.question);
  return s;
}

void metricCard(const Model& m, const ir::Metric& x, Card& card) {
  card.header = "metric " + x.name + ": " + x.unitText + (x.dims.empty() ? "" : " by " + joinDims(m, x.dims));
  card.title = x.title;
  card.doc = x.doc;
  card.fact("unit", code(x.unitText));
  card.fact("dimensions", x.dims.empty() ? "none" : joinDims(m, x.dims));
  if (x.formula) card.fact("formula", code(ir::exprText(m, *x.formula)));
  if (x.data && x.data->source < m.sources.size())
    card.fact("data", code(m.sources[x.data->source].name + "." + x.data->column));
  if (x.initial) card.fact("initial", code(ir::exprText(m, *x.initial)));
  if (x.group != ir::kNone && x.group < m.groups.size()) {
    std::string with;
    for (ir::Id g : m.groups[x.group]) with += (with.empty() ? "" : ", ") + m.metrics[g].name;
    card.fact("stock", "reads its past through lag; evaluated period by period with " + with);
  }
  if (x.stage != ir::kNone && x.stage < m.stages.size()) {
    const ir::Stage& s = m.stages[x.stage];
    std::string chain = s.chain < m.chains.size() ? fmt::format(" (chain {})", m.chains[s.chain].name) : "";
    card.fact("stage", s.name + chain);
  }
  card.fact("role", ir::roleNames(x.roles));
  card.fact("class", classes(x.classes));
  card.fact("aggregation", ir::aggName(x.agg));
  if (x.direction != ir::Direction::HigherIsBetter) card.fact("direction", ir::directionName(x.direction));
  card.fact("shape", x.shape == ir::Shape::Series ? "" : "constant in time");
  card.fact("owner", x.owner);
}

void paramCard(const Model& m, const ir::Param& x, Card& card) {
  card.header = "param " + x.name + ": " + x.unitText + (x.dims.empty() ? "" : " by " + joinDims(m, x.dims));
  card.title = x.title;
  card.doc = x.doc;
  card.fact("unit", code(x.unitText));
  if (!x.dims.empty()) card.fact("dimensions", joinDims(m, x.dims));
  // One entry per slice, at most a dozen: a hover is not a table viewer.
  if (x.dims.empty() && x.values.size() == 1) card.fact("value", ir::numberText(x.values[0]));
  else if (!x.values.empty() && m.sliceCount(x.dims) == x.values.size()) card.fact("values", ir::paramValueText(m, x, 12));
  if (x.dist) card.fact("distribution", code(ir::distText(*x.dist)));
}

void dimensionCard(const Model& m, const ir::Dimension& x, Card& card) {
  card.header = "dimension " + x.name;
  card.title = x.title;
  card.doc = x.doc;
  if (x.fromSource) {
    std::string src = x.source < m.sources.size() ? m.sources[x.source].name + "." + x.column : x.column;
    card.fact("values", "from the data, " + code(src));
  } else {
    std::string vals;
    for (size_t i = 0; i < x.values.size(); ++i) {
      vals += (i ? ", " : "") + code(x.values[i]);
      if (i < x.valueTitles.size() && !x.valueTitles[i].empty()) vals += " (" + x.valueTitles[i] + ")";
    }
    card.fact("values", vals);
  }
}

void stageCard(const Model& m, Id id, Card& card) {
  const ir::Stage& x = m.stages[id];
  card.header = "stage " + x.name;
  card.title = x.title;
  card.doc = x.doc;
  if (x.chain < m.chains.size()) {
    const ir::Chain& c = m.chains[x.chain];
    card.fact("chain", fmt::format("{} ({}), step {} of {}", c.name, c.external ? "external" : "internal",
                                   x.position + 1, c.stages.size()));
  }
  std::string metrics;
  for (auto& mt : m.metrics)
    if (mt.stage == id) metrics += (metrics.empty() ? "" : ", ") + mt.name;
  card.fact("metrics", metrics.empty() ? "none" : metrics);
}

void chainCard(const Model& m, const ir::Chain& x, Card& card) {
  card.header = "chain " + x.name + (x.external ? " external" : " internal");
  card.title = x.title;
  card.doc = x.doc;
  std::string stages;
  for (Id s : x.stages) stages += (stages.empty() ? "" : " -> ") + m.stages[s].name;
  card.fact("stages", stages);
}

void sourceCard(const Model& m, const ir::Source& x, Card& card) {
  card.doc = x.doc;
  if (x.kind == ir::SourceKind::Postgres) {
    // the variable's name only: its value (a connection string) is never shown
    card.header = fmt::format("source {} = postgres(env(\"{}\"), ...)", x.name, x.connEnv);
    card.fact("connection", "the environment variable " + code(x.connEnv) + ", read at run time");
    if (x.grain) card.fact("grain", grainName(*x.grain));
  } else {
    card.header = fmt::format("source {} = {}(\"{}\")", x.name, ir::sourceKindName(x.kind), x.path);
    card.fact("file", code(x.resolvedPath));
  }
  if (!x.query.empty()) card.fact("query", code(x.query));
  card.fact("time column", x.timeColumn);
  std::string dims;
  for (auto& [d, col] : x.dimColumns) dims += (dims.empty() ? "" : ", ") + m.dims[d].name + (col == m.dims[d].name ? "" : " (column " + col + ")");
  card.fact("dimensions", dims);
}

// What the IR knows about the symbol (false when nothing: the caller falls back to the AST).
bool fromIr(const Compilation& c, const Occurrence& o, Card& card) {
  if (!c.model) return false;
  const Model& m = *c.model;
  switch (o.kind) {
    case SymKind::Metric:
      if (auto id = m.findMetric(o.name)) return metricCard(m, m.metrics[*id], card), true;
      return false;
    case SymKind::Param:
      if (auto id = m.findParam(o.name)) return paramCard(m, m.params[*id], card), true;
      return false;
    case SymKind::Dimension:
      if (auto id = m.findDim(o.name)) return dimensionCard(m, m.dims[*id], card), true;
      return false;
    case SymKind::DimValue: {
      size_t dot = o.name.find('.');
      auto id = m.findDim(o.name.substr(0, dot));
      if (!id) return false;
      const ir::Dimension& D = m.dims[*id];
      std::string v = o.name.substr(dot + 1);
      int i = D.index(v);
      card.header = fmt::format("{}: {}", D.name, v);
      card.fact("value of", "dimension " + code(D.name));
      if (i >= 0 && static_cast<size_t>(i) < D.valueTitles.size()) card.title = D.valueTitles[i];
      return true;
    }
    case SymKind::Stage:
      for (Id s = 0; s < m.stages.size(); ++s)
        if (m.stages[s].name == o.name) return stageCard(m, s, card), true;
      return false;
    case SymKind::Chain:
      for (auto& ch : m.chains)
        if (ch.name == o.name) return chainCard(m, ch, card), true;
      return false;
    case SymKind::Source:
      for (auto& s : m.sources)
        if (s.name == o.name) return sourceCard(m, s, card), true;
      return false;
    case SymKind::Unit: {
      auto u = m.units.lookup(o.name);
      if (!u) return false;
      card.header = "unit " + o.name;
      std::string base = m.units.format(*u);
      if (m.units.isBuiltin(o.name)) card.fact("kind", m.units.isCurrency(o.name) ? "built-in currency" : "built-in unit");
      if (base != o.name) card.fact("equals", code(base));
      return true;  // a declared unit's doc comment comes from the AST
    }
    case SymKind::Function: case SymKind::Goal: case SymKind::Constraint: case SymKind::Event: case SymKind::Optimize:
    case SymKind::FunctionParam: return false;
  }
  return false;
}

json markdown(const std::string& text, const Range& r, const SourceManager& sm) {
  return {{"contents", {{"kind", "markdown"}, {"value", text}}}, {"range", toRange(sm, r)}};
}

// A built-in function name under the cursor (the checker records no occurrence for those).
json builtinHover(const Document& d, Loc at) {
  std::string_view line = d.file().line(at.line);
  size_t off = d.file().offset(at.line, at.col) - d.file().offset(at.line, 1);
  auto word = [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; };
  size_t b = off, e = off;
  while (b > 0 && word(line[b - 1])) --b;
  while (e < line.size() && word(line[e])) ++e;
  std::string w(line.substr(b, e - b));
  size_t after = e;
  while (after < line.size() && line[after] == ' ') ++after;
  if (w.empty() || after >= line.size() || line[after] != '(') return nullptr;
  if (const ir::Builtin* f = ir::findBuiltin(w)) {
      Range r{Loc{Document::kMain, at.line, d.file().locOf(d.file().offset(at.line, 1) + b).col},
              Loc{Document::kMain, at.line, d.file().locOf(d.file().offset(at.line, 1) + e).col}};
    return markdown(fmt::format("```mtree\n{}\n```\n\nBuilt-in function: {}.\n", f->signature, f->doc), r, d.comp->sources);
  }
  return nullptr;
}

// The keyword of a statement under the cursor: what the statement will do,
// every property with its value (defaults included), from the typed IR.
json statementHover(const Document& d, Loc at) {
  const Compilation& c = *d.comp;
  if (!c.model) return nullptr;
  const Model& m = *c.model;
  for (const ir::Statement& s : m.statements) {
    Loc b = s.range.begin;
    std::string_view kw = ir::stmtKindName(s.kind());
    if (b.file != Document::kMain || b.line != at.line || at.col < b.col || at.col >= b.col + kw.size()) continue;
    Card card;
    card.header = ir::statementText(m, s);
    auto metricNames = [&](const std::vector<Id>& ids) {
      std::string r;
      for (Id x : ids) r += (r.empty() ? "" : ", ") + code(m.metrics[x].name);
      return r;
    };
    auto goalName = [&](Id g) { return g == ir::kNone ? std::string("?") : code(m.goals[g].name); };
    switch (s.kind()) {
      case ir::StmtKind::Describe: {
        const auto& x = s.as<ir::DescribeStmt>();
        card.title = "describe: what happened";
        card.fact("metrics", metricNames(x.metrics));
        card.fact("from", x.from ? formatPeriod(*x.from) : "the first period with data");
        card.fact("to", x.to ? formatPeriod(*x.to) : "the last period with data");
        card.fact("grain", x.grain ? grainName(*x.grain) : std::string(grainName(m.grain)) + " (the model's)");
        break;
      }
      case ir::StmtKind::Diagnose: {
        const auto& x = s.as<ir::DiagnoseStmt>();
        card.title = "diagnose: why the metric moved, by the five factors of metric drift";
        card.fact("method", ir::diagnoseMethodName(x.method));
        card.fact("depth", std::to_string(x.depth) + " levels down the tree");
        card.fact("top", x.top ? std::to_string(*x.top) + " drivers" : "every driver");
        break;
      }
      case ir::StmtKind::Forecast: {
        const auto& x = s.as<ir::ForecastStmt>();
        card.title = "forecast: what will happen";
        card.fact("metrics", metricNames(x.metrics));
        card.fact("horizon", ir::horizonText(x.horizon));
        card.fact("method", ir::forecastMethodName(x.method));
        card.fact("interval", fmt::format("{:g}%", x.level * 100));
        card.fact("seed", std::to_string(x.seed));
        card.fact("holdout", x.holdout ? std::to_string(*x.holdout) + " periods" : "none");
        break;
      }
      case ir::StmtKind::Seek: {
        const auto& x = s.as<ir::SeekStmt>();
        card.title = "seek: what an input must be for a goal to hold";
        card.fact("goal", goalName(x.goal));
        card.fact("at", x.at ? formatPeriod(*x.at) : "the goal's date");
        break;
      }
      case ir::StmtKind::Simulate: {
        const auto& x = s.as<ir::SimulateStmt>();
        card.title = "simulate: the spread of outcomes under uncertain params";
        card.fact("metrics", metricNames(x.metrics));
        card.fact("horizon", ir::horizonText(x.horizon));
        card.fact("runs", std::to_string(x.runs));
        card.fact("sampling", x.sampling == ir::Sampling::Lhs ? "Latin hypercube" : "Monte Carlo");
        card.fact("interval", fmt::format("{:g}%", x.level * 100));
        card.fact("seed", std::to_string(x.seed));
        break;
      }
      case ir::StmtKind::Optimize: {
        const auto& x = s.as<ir::OptimizeStmt>();
        card.title = "optimize: the best levers within the constraints";
        card.fact("variables", std::to_string(x.vars.size()));
        card.fact("constraints", std::to_string(x.subjectTo.size()) + " here, plus the model's");
        card.fact("method", ir::optimizeMethodName(x.method));
        card.fact("at", x.at ? formatPeriod(*x.at) : "the first period after the data");
        card.fact("time limit", x.timeLimit ? std::to_string(*x.timeLimit) + " s" : "none");
        break;
      }
      case ir::StmtKind::Recommend: {
        const auto& x = s.as<ir::RecommendStmt>();
        card.title = "recommend: what to do, as classified decisions and actions";
        card.fact("goal", goalName(x.goal));
        card.fact("at", x.at ? formatPeriod(*x.at) : "the goal's date");
        card.fact("top", x.top ? std::to_string(*x.top) : "every recommendation");
        break;
      }
    }
    Range r{b, Loc{b.file, b.line, static_cast<uint32_t>(b.col + kw.size())}};
    return markdown(card.markdown(), r, c.sources);
  }
  return nullptr;
}

}  // namespace

json hover(const Document& d, const json& params) {
  const Compilation& c = *d.comp;
  Loc at = fromPosition(d, params.at("position"));
  const Occurrence* o = occurrenceAt(c, at);
  if (!o) {
    json j = builtinHover(d, at);
    return j.is_null() ? statementHover(d, at) : j;
  }

  Card card;
  bool known = fromIr(c, *o, card);
  // The declaration in the AST: its doc comment, and the header when the IR had nothing.
  if (const ast::Decl* decl = o->declRange.valid() ? declAt(c, o->declRange) : nullptr) {
    if (card.doc.empty()) card.doc = decl->doc;
    if (card.title.empty() && decl->title) card.title = *decl->title;
    if (!known) card.header = headerLine(c, *decl);
    known = true;
  }
  if (!known && o->kind == SymKind::FunctionParam) {
    size_t dot = o->name.rfind('.');
    card.header = o->name.substr(dot + 1);
    card.fact("parameter of", "function " + code(o->name.substr(0, dot)));
  }
  if (card.header.empty()) card.header = fmt::format("{} {}", symKindName(o->kind), o->name);
  return markdown(card.markdown(), o->range, c.sources);
}

}  // namespace mtc::lsp
