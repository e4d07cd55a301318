// The checker's passes, in order: one table of {name, function}.
#include "checker.h"

namespace mtc::check {

namespace {

struct Pass {
  const char* name;
  void (*run)(Ctx&);
  bool lint = false;  // off with CompileOptions::lints = false
};

void namesAndUnits(Ctx& x) {
  checkHeader(x);
  checkUnits(x);
  declareNames(x);
}
void declarations(Ctx& x) {
  checkSources(x);
  checkDimensions(x);
  checkParams(x);
  checkFunctions(x);
}
void metricsAndCycles(Ctx& x) {
  checkMetrics(x);
  checkCycles(x);
}
void relationsGoalsConstraintsEvents(Ctx& x) {
  checkRelations(x);
  checkConstraintsGoalsEvents(x);
  checkBenchmarks(x);
}

const Pass kPasses[] = {
    {"names and units", namesAndUnits},
    {"declarations", declarations},
    {"metrics and cycles", metricsAndCycles},
    {"relations, goals, constraints, events", relationsGoalsConstraintsEvents},
    {"statements", checkStatements},
    {"lints", runLints, true},
};

}  // namespace

void runPasses(Compilation& c, const CompileOptions& o) {
  Ctx x(c, o);
  // A declaration with a syntax error was reported by the parser: the checker
  // skips it, and does not call the names it declares unknown.
  for (auto& f : c.files) {
    for (auto& d : f->decls)
      if (!d->broken) x.decls.push_back(d.get());
    for (auto& n : f->brokenNames) x.brokenNames.insert(n.name);
  }
  // The IR grows with the source: reserve by its size, so large models do not
  // copy (and fault in) these arrays again and again as they double.
  size_t bytes = 0;
  for (auto& f : c.files) bytes += c.sources.file(f->id).text().size();
  x.m.exprs.reserve(bytes / 8);
  x.meta.reserve(bytes / 8);
  c.occurrences.reserve(bytes / 8);
  for (auto* d : x.decls) {
    duplicateKeys(x, d->props);
    if (d->kind == ast::DeclKind::Chain)
      for (auto& st : static_cast<const ast::ChainDecl*>(d)->stages) duplicateKeys(x, st.props);
  }
  for (const Pass& p : kPasses)
    if (!p.lint || o.lints) p.run(x);
}

}  // namespace mtc::check
