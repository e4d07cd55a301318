// The semantic diff: models flattened into entities with canonical text fields,
// then compared entity by entity (see mtc/semdiff.h).
#include "mtc/semdiff.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "mtc/compiler.h"
#include "mtc/ir_print.h"

namespace mtc {
namespace {

using namespace ir;

const std::vector<std::string>& kindOrder() {
  static const std::vector<std::string> k = {"model", "unit", "dimension", "chain", "stage", "source", "param",
                                             "metric", "relation", "constraint", "event", "goal", "benchmark",
                                             "optimize", "statement"};
  return k;
}
size_t kindRank(const std::string& kind) {
  auto& k = kindOrder();
  return static_cast<size_t>(std::find(k.begin(), k.end(), kind) - k.begin());
}

std::string num(double v) { return fmt::format("{}", v); }
std::string quoted(const std::string& s) { return s.empty() ? "-" : "\"" + s + "\""; }
std::string orDash(const std::string& s) { return s.empty() ? "-" : s; }

template <typename T, typename F>
std::string join(const std::vector<T>& xs, F&& f, const char* sep = ", ") {
  std::string s;
  for (size_t i = 0; i < xs.size(); ++i) s += (i ? sep : "") + f(xs[i]);
  return s;
}

struct Flattener {
  const Model& m;
  std::vector<SemEntity> out;

  std::string dims(const std::vector<Id>& ds) const { return dimNames(m, ds); }
  std::string unit(const Unit& u) const { return m.units.format(u); }
  std::string typed(const Unit& u, const std::vector<Id>& ds) const {
    return unit(u) + (ds.empty() ? "" : " by " + dims(ds));
  }
  std::string expr(ExprId e) const { return exprText(m, e); }
  std::string cmp(const Comparison& c) const { return comparisonText(m, c); }
  std::string ref(const Ref& r) const { return refName(m, r); }
  std::string period(const std::optional<Period>& p) const { return periodText(p); }

  SemEntity& add(std::string kind, std::string name, std::string summary = {}) {
    out.push_back(SemEntity{std::move(kind), std::move(name), std::move(summary), {}});
    return out.back();
  }
  static void field(SemEntity& e, std::string name, std::string value) { e.fields.emplace_back(std::move(name), std::move(value)); }

  void run() {
    model();
    units();
    for (const Dimension& d : m.dims) dimension(d);
    for (const Chain& c : m.chains) chain(c);
    for (const Stage& s : m.stages) {
      SemEntity& e = add("stage", s.name);
      field(e, "title", quoted(s.title));
      field(e, "chain", s.chain == kNone ? "-" : m.chains[s.chain].name);
      field(e, "description", quoted(s.doc));
    }
    for (const Source& s : m.sources) source(s);
    for (const Param& p : m.params) param(p);
    for (const Metric& x : m.metrics) metric(x);
    for (const Relation& r : m.relations) relation(r);
    for (const Constraint& c : m.constraints) {
      SemEntity& e = add("constraint", c.name, cmp(c.cmp));
      field(e, "title", quoted(c.title));
      field(e, "condition", cmp(c.cmp));
      field(e, "description", quoted(c.doc));
    }
    for (const Event& ev : m.events) {
      std::string at = formatPeriod(ev.from) + (ev.to == ev.from ? "" : " .. " + formatPeriod(ev.to));
      SemEntity& e = add("event", ev.name, "at " + at);
      field(e, "title", quoted(ev.title));
      field(e, "at", at);
      field(e, "affects", join(ev.affects, [&](Id a) { return m.metrics[a].name; }));
      field(e, "description", quoted(ev.doc));
    }
    for (const Goal& g : m.goals) {
      std::string cond = cmp(g.cmp);
      SemEntity& e = add("goal", g.name, cond + (g.by ? " by " + formatPeriod(*g.by) : ""));
      field(e, "title", quoted(g.title));
      field(e, "condition", cond);
      field(e, "by", period(g.by));
      field(e, "description", quoted(g.doc));
    }
    for (const Benchmark& b : m.benchmarks) {
      std::string lv = join(b.levels, [](const std::pair<Level, double>& l) { return std::string(levelName(l.first)) + ": " + num(l.second); });
      SemEntity& e = add("benchmark", ref(b.target), lv);
      field(e, "levels", lv);
    }
    statements();
    uniquify();
  }

  void model() {
    SemEntity& e = add("model", m.name);
    field(e, "title", quoted(m.title));
    field(e, "grain", grainName(m.grain));
    field(e, "currency", m.currency.value_or("-"));
    field(e, "start", period(m.start));
    field(e, "description", quoted(m.doc));
  }

  // The model's own units: a base unit, or a scaled one (`kUSD = 1000 USD`).
  void units() {
    for (const std::string& n : m.units.names()) {
      if (m.units.isBuiltin(n)) continue;
      auto u = m.units.lookup(n);
      if (!u) continue;
      bool base = u->scale() == 1.0 && u->powers().size() == 1 && u->powers()[0].second == 1 && unit(*u) == n;
      std::string def = base ? "base unit" : num(u->scale()) + " " + unit(u->scaled(1.0 / u->scale()));
      SemEntity& e = add("unit", n, def);
      field(e, "definition", def);
    }
  }

  void dimension(const Dimension& d) {
    std::string values = d.fromSource ? "from " + (d.source == kNone ? "?" : m.sources[d.source].name) + "." + d.column
                                      : "{ " + join(d.values, [](const std::string& v) { return v; }) + " }";
    SemEntity& e = add("dimension", d.name, values);
    field(e, "title", quoted(d.title));
    field(e, "values", values);
    std::string titles;
    for (size_t i = 0; i < d.valueTitles.size() && i < d.values.size(); ++i)
      if (!d.valueTitles[i].empty()) titles += (titles.empty() ? "" : ", ") + d.values[i] + " " + quoted(d.valueTitles[i]);
    field(e, "value titles", orDash(titles));
    field(e, "description", quoted(d.doc));
  }

  void chain(const Chain& c) {
    std::string stages = join(c.stages, [&](Id s) { return m.stages[s].name; }, " -> ");
    SemEntity& e = add("chain", c.name, std::string(c.external ? "external" : "internal") + ": " + stages);
    field(e, "title", quoted(c.title));
    field(e, "kind", c.external ? "external" : "internal");
    field(e, "stages", orDash(stages));
    field(e, "description", quoted(c.doc));
  }

  void source(const Source& s) {
    std::string where = std::string(sourceKindName(s.kind)) + "(" +
                        (s.kind == SourceKind::Postgres ? "env(" + quoted(s.connEnv) + ")" : quoted(s.path)) +
                        (s.query.empty() ? "" : ", " + quoted(s.query)) + ")";
    SemEntity& e = add("source", s.name, where);
    field(e, "location", where);
    field(e, "time", orDash(s.timeColumn));
    field(e, "dimensions", orDash(join(s.dimColumns, [&](const std::pair<Id, std::string>& dc) {
      return m.dims[dc.first].name + (dc.second == m.dims[dc.first].name ? "" : "=" + dc.second);
    })));
    if (s.grain) field(e, "grain", grainName(*s.grain));
    field(e, "delimiter", std::string(1, s.delimiter));
    field(e, "missing", orDash(join(s.missing, [](const std::string& x) { return quoted(x); })));
    field(e, "description", quoted(s.doc));
  }

  std::string distribution(const std::optional<Distribution>& d) const { return d ? distText(*d) : "-"; }
  std::string paramValue(const Param& p) const { return paramValueText(m, p); }

  void param(const Param& p) {
    std::string type = typed(p.unit, p.dims);
    std::string value = paramValue(p);
    SemEntity& e = add("param", p.name, type + " = " + value + (p.dist ? " ~ " + distribution(p.dist) : ""));
    field(e, "title", quoted(p.title));
    field(e, "unit", type);
    field(e, "value", value);
    field(e, "distribution", distribution(p.dist));
    field(e, "description", quoted(p.doc));
  }

  void metric(const Metric& x) {
    std::string type = typed(x.unit, x.dims);
    std::string formula = x.formula ? expr(*x.formula) : "-";
    std::string data = x.data ? m.sources[x.data->source].name + "." + x.data->column : "-";
    SemEntity& e = add("metric", x.name, type + (x.formula ? " = " + formula : "") + (x.data ? " (data " + data + ")" : ""));
    field(e, "title", quoted(x.title));
    field(e, "unit", type);
    field(e, "formula", formula);
    field(e, "data", data);
    field(e, "agg", std::string(aggName(x.agg)) + (x.aggDeclared ? "" : " (default)"));
    field(e, "stage", x.stage == kNone ? "-" : m.stages[x.stage].name);
    field(e, "role", orDash(roleNames(x.roles)));
    field(e, "class", orDash(classNames(x.classes)));
    field(e, "direction", directionName(x.direction));
    field(e, "owner", quoted(x.owner));
    field(e, "description", quoted(x.doc));
  }

  void relation(const Relation& r) {
    std::string name = ref(r.from) + (r.bidirectional ? " <-> " : " -> ") + ref(r.to);
    std::string lag = r.lag ? std::to_string(r.lag) + " periods" : "-";
    SemEntity& e = add("relation", name, std::string(relKindName(r.kind)) + (r.lag ? ", lag " + lag : ""));
    field(e, "kind", relKindName(r.kind));
    field(e, "lag", lag);
    field(e, "strength", r.strength ? num(*r.strength) : "-");
    field(e, "sign", r.sign ? signName(*r.sign) : "-");
    field(e, "description", quoted(r.doc));
  }

  // Statements have no names (but optimize): one is known by what it says, so a
  // changed statement shows as one removed and one added.
  void statements() {
    for (const Statement& s : m.statements) {
      switch (s.kind()) {
        case StmtKind::Optimize: optimize(s.as<OptimizeStmt>()); break;
        case StmtKind::Describe: case StmtKind::Diagnose: case StmtKind::Forecast: case StmtKind::Seek:
        case StmtKind::Simulate: case StmtKind::Recommend:
          add("statement", statementText(m, s));
          break;
      }
    }
  }

  void optimize(const OptimizeStmt& s) {
    std::string objective = s.objective ? std::string(s.maximize ? "maximize " : "minimize ") + expr(*s.objective) : "-";
    SemEntity& e = add("optimize", s.name, objective);
    field(e, "objective", objective);
    for (const OptVar& v : s.vars) {
      std::string b = std::string(v.integer ? "integer " : "") + "in " + (v.lowerStrict ? "(" : "[") +
                      (v.lower ? num(*v.lower) : "-inf") + ", " + (v.upper ? num(*v.upper) : "inf") + (v.upperStrict ? ")" : "]");
      field(e, "vary " + m.params[v.param].name, b);
    }
    for (const NamedComparison& c : s.subjectTo) field(e, "subject to " + c.name, cmp(c.cmp));
    field(e, "method", optimizeMethodName(s.method));
    field(e, "at", period(s.at));
    field(e, "time_limit", s.timeLimit ? std::to_string(*s.timeLimit) : "-");
  }

  // Two entities of one kind with one name (two identical statements): number them.
  void uniquify() {
    std::map<std::pair<std::string, std::string>, int> seen;
    for (SemEntity& e : out) {
      int n = ++seen[{e.kind, e.name}];
      if (n > 1) e.name += " (" + std::to_string(n) + ")";
    }
  }
};

bool entityLess(const SemEntity& a, const SemEntity& b) {
  size_t ka = kindRank(a.kind), kb = kindRank(b.kind);
  return ka != kb ? ka < kb : a.name < b.name;
}

}  // namespace

std::vector<SemEntity> semanticEntities(const ir::Model& m) {
  Flattener f{m, {}};
  f.run();
  std::stable_sort(f.out.begin(), f.out.end(), entityLess);
  return std::move(f.out);
}

std::vector<SemChange> semanticDiff(const std::vector<SemEntity>& before, const std::vector<SemEntity>& after) {
  using Key = std::pair<std::string, std::string>;
  std::map<Key, const SemEntity*> a, b;
  for (auto& e : before) a[{e.kind, e.name}] = &e;
  for (auto& e : after) b[{e.kind, e.name}] = &e;
  std::vector<SemChange> out;
  for (auto& [k, e] : a)
    if (!b.count(k)) out.push_back(SemChange{SemChange::Kind::Removed, e->kind, e->name, e->summary, {}, {}, {}});
  for (auto& [k, e] : b) {
    auto it = a.find(k);
    if (it == a.end()) {
      out.push_back(SemChange{SemChange::Kind::Added, e->kind, e->name, e->summary, {}, {}, {}});
      continue;
    }
    // Fields are compared by name: a field present on one side only (a `vary` or
    // `subject to` entry) compares with "-".
    std::map<std::string, std::string> fa(it->second->fields.begin(), it->second->fields.end());
    std::map<std::string, std::string> fb(e->fields.begin(), e->fields.end());
    std::vector<std::string> names;
    for (auto& [n, v] : it->second->fields) names.push_back(n);
    for (auto& [n, v] : e->fields) if (!fa.count(n)) names.push_back(n);
    for (const std::string& n : names) {
      std::string va = fa.count(n) ? fa[n] : "-", vb = fb.count(n) ? fb[n] : "-";
      if (va != vb) out.push_back(SemChange{SemChange::Kind::Changed, e->kind, e->name, {}, n, va, vb});
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const SemChange& x, const SemChange& y) {
    size_t kx = kindRank(x.kind), ky = kindRank(y.kind);
    if (kx != ky) return kx < ky;
    return x.name < y.name;
  });
  return out;
}

std::vector<SemChange> semanticDiff(const ir::Model* before, const ir::Model* after) {
  return semanticDiff(before ? semanticEntities(*before) : std::vector<SemEntity>{},
                      after ? semanticEntities(*after) : std::vector<SemEntity>{});
}

std::string changesToText(const std::vector<SemChange>& changes) {
  std::string o;
  for (const SemChange& c : changes) {
    switch (c.change) {
      case SemChange::Kind::Added:
      case SemChange::Kind::Removed:
        o += fmt::format("{} {} {}{}\n", c.change == SemChange::Kind::Added ? '+' : '-', c.kind, c.name,
                         c.summary.empty() ? "" : ": " + c.summary);
        break;
      case SemChange::Kind::Changed:
        o += fmt::format("~ {} {}: {} {} -> {}\n", c.kind, c.name, c.field, c.before, c.after);
        break;
    }
  }
  return o;
}

nlohmann::json changesToJson(const std::vector<SemChange>& changes) {
  nlohmann::json a = nlohmann::json::array();
  for (const SemChange& c : changes) {
    nlohmann::json j;
    j["change"] = c.change == SemChange::Kind::Added ? "added" : c.change == SemChange::Kind::Removed ? "removed" : "changed";
    j["kind"] = c.kind;
    j["name"] = c.name;
    if (c.change == SemChange::Kind::Changed) {
      j["field"] = c.field;
      j["old"] = c.before;
      j["new"] = c.after;
    } else {
      j["summary"] = c.summary;
    }
    a.push_back(std::move(j));
  }
  return a;
}

}  // namespace mtc
