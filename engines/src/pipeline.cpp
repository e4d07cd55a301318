// `mtc run` as a library call (pipeline.h).
#include "mtc/engines/pipeline.h"

#include "mtc/engines/describe.h"
#include "mtc/sql.h"

#include <fmt/format.h>

#include <tbb/global_control.h>

#include <algorithm>
#include <chrono>

namespace mtc::eng {

using namespace ir;

namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// How many times an engine evaluates the run's evaluator (roughly), for
// JitMode::Auto: forecast carries 1,000 simulated paths through it, diagnose
// recomputes a few scenarios. seek, optimize and recommend evaluate it once or
// twice (the projection): their searches run on evaluators of their own
// (GoalFunction, the non-linear problem), which weigh their own work; simulate
// makes its own too.
double evaluationsOf(StmtKind k) {
  switch (k) {
    case StmtKind::Describe: return 1;
    case StmtKind::Diagnose: return 10;
    case StmtKind::Forecast: return 500;
    case StmtKind::Seek: return 2;
    case StmtKind::Simulate: return 1;
    case StmtKind::Optimize: return 2;
    case StmtKind::Recommend: return 2;
  }
  return 1;
}
// The window of the data's periods the statements need, when every one is a
// describe at the model's grain and their formulas look back a bounded number
// of periods; nullopt: evaluate everything.
std::optional<rt::Timeline> demandWindow(const Model& m, const rt::Timeline& data, const std::vector<size_t>& run,
                                         const std::vector<Id>& wanted) {
  if (run.empty() || data.count == 0) return std::nullopt;
  int64_t lo = data.count, hi = -1;
  for (size_t i : run) {
    const Statement& s = m.statements[i];
    if (s.kind() != StmtKind::Describe) return std::nullopt;
    const DescribeStmt& d = s.as<DescribeStmt>();
    if (d.grain && *d.grain != m.grain) return std::nullopt;
    try {
      auto [from, to] = describeRange(m, data, d);
      lo = std::min(lo, from.ord - data.first.ord - 1);  // the period before: the change
      hi = std::max(hi, to.ord - data.first.ord);
    } catch (const StatementError&) {
      return std::nullopt;  // the describe reports it
    }
  }
  std::optional<int64_t> back = rt::lookBack(m, wanted);
  if (!back) return std::nullopt;
  lo = std::max<int64_t>(0, lo - *back);
  hi = std::min<int64_t>(data.count - 1, hi);
  if (hi < lo || (lo == 0 && hi == data.count - 1)) return std::nullopt;
  return rt::Timeline{data.grain, data.at(lo), hi - lo + 1};
}

// One warning per metric whose formula made missing cells from inputs that are
// not missing (a division by zero, a log or sqrt out of its domain), located at
// the operation, naming the first period and slice (docs/runtime.md).
void reportDomainGaps(const Model& m, const rt::Data& d, rt::Values& values, Diagnostics& diags) {
  for (const rt::DomainGap& g : rt::domainGaps(m, d, values)) {
    const Metric& M = m.metrics[g.metric];
    const Expr& e = m.exprs[g.expr];
    const char* what = e.op == Op::Log    ? "the log of a number that is not positive"
                       : e.op == Op::Sqrt ? "the square root of a negative number"
                       : e.op == Op::Pow  ? "a power that is not a real number"
                                          : "a division by zero";
    std::string where = formatPeriod(values.timeline().at(g.period));
    size_t slice = g.slice;
    std::string keys;
    for (size_t k = M.dims.size(); k-- > 0;) {
      const Dimension& D = m.dims[M.dims[k]];
      keys = fmt::format("{}={}", D.name, D.values[slice % D.values.size()]) + (keys.empty() ? "" : ", ") + keys;
      slice /= D.values.size();
    }
    if (!keys.empty()) where += ", " + keys;
    diags.report(DiagCode::UndefinedResult, e.range,
                 fmt::format("{} cell{} of '{}' {} missing: {} (the first at {})", g.count, g.count == 1 ? "" : "s", M.name,
                             g.count == 1 ? "is" : "are", what, where));
  }
}

// RunRequest::overview: every metric over the data's last periods, from an
// evaluation of its own (the statements' evaluator compiles only what they read,
// and its warnings stay theirs), described like a `describe` of them all.
std::optional<DescribeResult> overview(const Model& m, const rt::Data& data, rt::JitMode jit, const Options& engine) {
  if (data.time.count == 0 || m.metrics.empty()) return std::nullopt;
  try {
    rt::EvalOptions eo;
    eo.jit = jit;
    auto ev = rt::makeEvaluator(m, data, eo);
    rt::Values values;
    rt::Scenario plain;
    ev->evaluateInto(plain, values, nullptr);
    EvaluatorFactory factory(m, data, jit);
    Context ctx{m, data, *ev, values, factory, engine};
    DescribeStmt all;
    for (Id id = 0; id < m.metrics.size(); ++id) all.metrics.push_back(id);
    all.from = data.time.at(std::max<int64_t>(0, data.time.count - kOverviewPeriods));
    return describe(ctx, all);
  } catch (const StatementError&) {
    return std::nullopt;
  } catch (const rt::RunError&) {
    return std::nullopt;
  }
}

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
  // --threads: every parallel loop of the engines (TBB); the numbers never depend on it
  std::optional<tbb::global_control> threads;
  if (r.engine.threads > 0) threads.emplace(tbb::global_control::max_allowed_parallelism, r.engine.threads);
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
  rt::LoadOptions lo;
  if (r.pushdown)
    lo.pushdown = [](const Model& model, Id source) {
      sql::Options so;
      so.dialect = sql::Dialect::Postgres;
      so.inputsOnly = true;
      so.source = source;
      Diagnostics none;  // the inputs of one source have no construct without an SQL form
      return sql::generate(model, so, none).value_or("");
    };
  bool loaded = rt::load(checked, out.data, c.diags, c.sources, lo);
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
  std::vector<std::vector<Id>> reads;  // per statement of `run`, what it reads
  for (size_t i : run) {
    reads.push_back(statementMetrics(m, m.statements[i]));
    wanted.insert(wanted.end(), reads.back().begin(), reads.back().end());
  }
  if (r.dumpPlan) {
    rt::EvalOptions eo;
    eo.only = wanted;
    out.plan = rt::dumpPlan(m, eo);
    return out;
  }
  std::unique_ptr<rt::Evaluator> ev;
  rt::Values values;
  std::optional<rt::Timeline> window = r.demandPeriods ? demandWindow(m, out.data.time, run, wanted) : std::nullopt;
  rt::Scenario first;
  if (window) first.timeline = &*window;
  try {
    rt::EvalOptions eo;
    eo.jit = wanted.empty() ? rt::JitMode::Never : r.jit;  // nothing to evaluate: no JIT to start
    eo.only = wanted;
    eo.periods = window ? window->count : out.data.time.count;
    out.stats.work = rt::estimatedWork(m, out.data, eo);
    // how often, weighed by work: each statement evaluates its own metrics so many
    // times, so the run's total is the sum of (count x the work of its metrics)
    // (the largest count times the whole run's work made a model with one forecast
    // among many statements compile everything at O2)
    double weighted = 0;
    for (size_t k = 0; k < run.size(); ++k) {
      rt::EvalOptions one = eo;
      one.only = std::move(reads[k]);
      weighted += evaluationsOf(m.statements[run[k]].kind()) * rt::estimatedWork(m, out.data, one);
    }
    eo.evaluations = out.stats.work > 0 ? std::max(1.0, weighted / out.stats.work) : 1.0;
    out.stats.cells = rt::formulaCells(m, out.data, eo);
    out.stats.evaluated = eo.periods;
    ev = rt::makeEvaluator(m, out.data, eo);
    out.stats.compile = since(t2);
    out.stats.kernels = ev->stats().kernels;
    out.stats.cached = ev->stats().cached;
    auto t3 = Clock::now();
    rt::Subset nothing;
    ev->evaluateInto(first, values, wanted.empty() ? &nothing : nullptr);
    out.stats.evaluate = since(t3);
    reportDomainGaps(m, out.data, values, c.diags);
    if (c.diags.hasErrors()) {  // --deny-warnings made a warning of the data or the evaluation an error
      out.exitCode = 1;
      return out;
    }
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
  if (r.overview) out.overview = overview(m, out.data, r.jit, r.engine);
  return out;
}

}  // namespace mtc::eng
