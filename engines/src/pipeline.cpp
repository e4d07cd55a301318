// `mtc run` as a library call (pipeline.h).
#include "mtc/engines/pipeline.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace mtc::eng {

using namespace ir;

namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
}  // namespace

const ir::Model* RunOutcome::model() const {
  if (data.model) return data.model.get();
  return compilation ? compilation->model.get() : nullptr;
}

bool selected(const Model& m, const Statement& s, size_t index, const std::string& only) {
  if (only.empty()) return true;
  if (auto comma = only.find(','); comma != std::string::npos)  // a list: any of them
    return selected(m, s, index, only.substr(0, comma)) || selected(m, s, index, only.substr(comma + 1));
  if (std::all_of(only.begin(), only.end(), ::isdigit)) return only.size() < 10 && std::stoul(only) == index + 1;
  std::string kind = only, metric;
  if (auto c = only.find(':'); c != std::string::npos) kind = only.substr(0, c), metric = only.substr(c + 1);
  if (kind == stmtKindName(s.kind())) {
    if (metric.empty()) return true;
    for (Id id : namedMetrics(s))
      if (m.metrics[id].name == metric) return true;
    return false;
  }
  return s.kind() == StmtKind::Optimize && metric.empty() && s.as<OptimizeStmt>().name == only;
}

RunOutcome runModel(const RunRequest& r) {
  RunOutcome out;
  auto t0 = Clock::now();
  out.compilation = r.text ? compileText(r.path, *r.text, r.compile) : compile(r.path, r.compile);
  out.stats.check = since(t0);
  Compilation& c = *out.compilation;
  if (c.diags.hasErrors() || !c.model) {
    out.exitCode = 1;
    return out;
  }
  const Model& checked = *c.model;
  std::vector<size_t> run;
  for (size_t i = 0; i < checked.statements.size(); ++i)
    if (selected(checked, checked.statements[i], i, r.only)) run.push_back(i);
  if (!r.only.empty() && run.empty()) {
    out.usageError = fmt::format("--only {} matches no statement of {}", r.only, r.path);
    out.exitCode = 2;
    return out;
  }

  auto t1 = Clock::now();
  bool loaded = rt::load(checked, out.data, c.diags, c.sources);
  out.stats.load = since(t1);
  out.stats.periods = out.data.time.count;
  if (!loaded) {
    out.exitCode = 3;
    return out;
  }
  const Model& m = *out.data.model;

  // one evaluator for every statement that runs: the closure of what they read
  auto t2 = Clock::now();
  std::vector<Id> wanted;
  for (size_t i : run)
    for (Id id : statementMetrics(m, m.statements[i])) wanted.push_back(id);
  if (r.dumpPlan) {
    rt::EvalOptions eo;
    eo.only = wanted;
    out.plan = rt::dumpPlan(m, eo);
    return out;
  }
  std::unique_ptr<rt::Evaluator> ev;
  rt::Values values;
  try {
    rt::EvalOptions eo;
    eo.jit = r.jit && !wanted.empty();  // nothing to evaluate: no JIT to start
    eo.only = wanted;
    ev = rt::makeEvaluator(m, out.data, eo);
    out.stats.compile = since(t2);
    out.stats.kernels = ev->stats().kernels;
    out.stats.cached = ev->stats().cached;
    auto t3 = Clock::now();
    rt::Subset nothing;
    ev->evaluateInto(rt::Scenario{}, values, wanted.empty() ? &nothing : nullptr);
    out.stats.evaluate = since(t3);
  } catch (const rt::RunError& e) {
    c.diags.report(DiagCode::Runtime, m.range, e.what());
    out.exitCode = 3;
    return out;
  }

  auto t4 = Clock::now();
  EvaluatorFactory factory(m, out.data, r.jit);
  Context ctx{m, out.data, *ev, values, factory, r.engine};
  for (size_t i : run) {
    const Statement& s = m.statements[i];
    StatementResult sr{i + 1, s.kind(), runStatement(ctx, s)};
    if (auto* f = std::get_if<Failure>(&sr.result)) {
      // located at the statement's keyword, like the checker's diagnostics
      Range at{s.range.begin, Loc{s.range.begin.file, s.range.begin.line,
                                  static_cast<uint32_t>(s.range.begin.col + std::string_view(stmtKindName(s.kind())).size())}};
      c.diags.report(f->code, at, fmt::format("statement {} ({}): {}", i + 1, stmtKindName(s.kind()), f->message));
      out.exitCode = 3;
    }
    out.results.push_back(std::move(sr));
  }
  out.stats.engines = since(t4);
  return out;
}

}  // namespace mtc::eng
