// `mtc sql`: the model's metrics and formulas as one SQL query (docs/sql.md).
#include <fmt/format.h>

#include "commands.h"
#include "mtc/sql.h"

namespace mtc::cli {

namespace {

struct SqlOptions {
  std::string model;
  std::string dialect = "postgres";
  std::string grain;                 // empty: the model's
  std::vector<std::string> metrics;  // empty: every metric
  std::string output;
  bool pushdown = false;   // the query `mtc run --pushdown` sends to a source
  std::string source;      // ... to this one
};

int cmdSql(const SqlOptions& o, const CommonOptions& common) {
  CompileOptions co = compileOptions(common);
  co.checkEnv = false;  // reads no data: an unset env("NAME") does not matter here
  auto c = compile(o.model, co);
  if (c->diags.hasErrors() || !c->model) {
    printDiagnostics(*c);
    return 1;
  }
  const ir::Model& m = *c->model;
  sql::Options so;
  so.dialect = *sql::dialectFromName(o.dialect);  // CLI11 checked the name
  if (!o.grain.empty()) {
    auto g = grainFromName(o.grain);
    if (!g || !coarserOrEqual(*g, m.grain)) {
      std::fprintf(stderr, "mtc: error: --grain %s: %s\n", o.grain.c_str(),
                   g ? fmt::format("finer than the model's grain ({}); data cannot be split", grainName(m.grain)).c_str()
                     : "a grain is day, week, month, quarter or year");
      return 2;
    }
    so.grain = *g;
  }
  for (auto& name : o.metrics) {
    auto id = m.findMetric(name);
    if (!id) {
      std::vector<std::string> names;
      for (auto& x : m.metrics) names.push_back(x.name);
      std::fprintf(stderr, "mtc: error: --metric %s: no metric '%s' in the model\n", name.c_str(), name.c_str());
      if (auto s = closestMatch(name, names); !s.empty()) std::fprintf(stderr, "  = note: did you mean '%s'?\n", s.c_str());
      return 2;
    }
    so.metrics.push_back(*id);
  }
  if (o.pushdown || !o.source.empty()) {
    // what mtc run --pushdown sends: a postgres source's inputs (the one, or --source)
    std::vector<ir::Id> pg;
    for (ir::Id s = 0; s < m.sources.size(); ++s)
      if (m.sources[s].kind == ir::SourceKind::Postgres && (o.source.empty() || m.sources[s].name == o.source)) pg.push_back(s);
    if (pg.size() != 1) {
      std::fprintf(stderr, "mtc: error: --pushdown: %s\n",
                   !o.source.empty() ? fmt::format("no postgres source '{}' in the model", o.source).c_str()
                   : pg.empty()      ? "the model has no postgres source"
                                     : "the model has several postgres sources: name one with --source");
      return 2;
    }
    so.inputsOnly = true;
    so.source = pg[0];
    so.dialect = sql::Dialect::Postgres;
  }
  auto text = sql::generate(m, so, c->diags);
  printDiagnostics(*c);
  if (!text) return 1;
  return writeOutput(o.output, *text);
}

}  // namespace

void addSql(CLI::App& app, Registry& reg) {
  static SqlOptions o;
  auto* sub = app.add_subcommand("sql", "write the model's metrics and formulas as one SQL query (docs/sql.md)");
  sub->add_option("model", o.model, "the .mtree file")->required();
  std::vector<std::string> dialects;
  for (sql::Dialect d : sql::allDialects()) dialects.emplace_back(sql::dialectName(d));
  sub->add_option("--dialect", o.dialect, "postgres, sqlite, duckdb, trino, spark or bigquery (default postgres)")
      ->check(CLI::IsMember(dialects));
  sub->add_option("--grain", o.grain, "report at this grain, coarser than the model's (as describe's grain:)");
  sub->add_option("--metric", o.metrics, "only this metric (repeatable); what it reads is computed too");
  sub->add_flag("--pushdown", o.pushdown, "the query `mtc run --pushdown` sends to the model's postgres source (PostgreSQL)");
  sub->add_option("--source", o.source, "with --pushdown: the postgres source, when the model has several");
  sub->add_option("-o,--output", o.output, "write to FILE instead of stdout");
  addCommonFlags(sub, reg.common);
  sub->callback([&reg] { reg.action = [&reg] { return cmdSql(o, reg.common); }; });
}

}  // namespace mtc::cli
