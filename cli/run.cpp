// `mtc run`: compile, load data, evaluate, execute the statements, report.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <tuple>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "mtc/engines.h"

namespace mtc::cli {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// --only: a kind (diagnose), a kind on one metric (diagnose:revenue), an optimize's
// name, or the Nth statement (1-based).
bool selected(const ir::Model& m, const ir::Statement& s, size_t index, const std::string& only) {
  if (only.empty()) return true;
  if (std::all_of(only.begin(), only.end(), ::isdigit)) return only.size() < 10 && std::stoul(only) == index + 1;
  std::string kind = only, metric;
  if (auto c = only.find(':'); c != std::string::npos) kind = only.substr(0, c), metric = only.substr(c + 1);
  if (kind == ir::stmtKindName(s.kind())) {
    if (metric.empty()) return true;
    for (ir::Id id : ir::namedMetrics(s))
      if (m.metrics[id].name == metric) return true;
    return false;
  }
  return s.kind() == ir::StmtKind::Optimize && metric.empty() && s.as<ir::OptimizeStmt>().name == only;
}

}  // namespace

int cmdRun(const RunOptions& o, const CommonOptions& common) {
  auto t0 = Clock::now();
  auto c = compile(o.model, compileOptions(common));
  double tCheck = since(t0);
  printDiagnostics(*c);
  if (c->diags.hasErrors() || !c->model) return 1;
  ir::Model& m = *c->model;

  // which statements run
  std::vector<size_t> run;
  for (size_t i = 0; i < m.statements.size(); ++i)
    if (selected(m, m.statements[i], i, o.only)) run.push_back(i);
  if (!o.only.empty() && run.empty()) {
    std::fprintf(stderr, "mtc: error: --only %s matches no statement of %s\n", o.only.c_str(), o.model.c_str());
    return 2;
  }
  // engines not built yet: refuse before doing any work, naming the statement
  for (size_t i : run) {
    const ir::Statement& s = m.statements[i];
    if (s.kind() != ir::StmtKind::Describe) {
      auto loc = s.range.begin;
      std::fprintf(stderr, "%s:%u:%u: error: the %s engine is not built yet (statement %zu)\n",
                   c->sources.file(loc.file).path().c_str(), loc.line, loc.col, ir::stmtKindName(s.kind()), i + 1);
      std::fprintf(stderr, "  = note: run the other statements with --only, e.g. --only describe\n");
      return 3;
    }
  }

  auto t1 = Clock::now();
  rt::Data data;
  std::vector<rt::DataIssue> issues;
  bool ok = rt::load(m, data, issues);
  double tLoad = since(t1);
  std::stable_sort(issues.begin(), issues.end(), [](const rt::DataIssue& a, const rt::DataIssue& b) {
    return std::tie(a.file, a.row) < std::tie(b.file, b.row);
  });
  for (auto& is : issues) {
    std::string where = is.file;
    if (is.row) where += fmt::format(":{}", is.row);
    if (!is.column.empty()) where += fmt::format(" (column {})", is.column);
    std::fprintf(stderr, "%s: %s: %s\n", where.c_str(), is.error ? "error" : "warning", is.message.c_str());
  }
  if (!ok) return 3;

  auto t2 = Clock::now();
  std::vector<ir::Id> wanted;
  for (size_t i : run)
    for (ir::Id id : ir::namedMetrics(m.statements[i])) wanted.push_back(id);
  rt::EvalOptions eo;
  eo.jit = !o.noJit;
  eo.only = wanted;
  auto ev = rt::makeEvaluator(m, data, eo);
  double tCompile = since(t2);
  auto t3 = Clock::now();
  rt::Values vals = ev->evaluate(rt::Scenario{});
  double tEval = since(t3);

  auto t4 = Clock::now();
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  try {
    for (size_t i : run) {
      const ir::Statement& s = m.statements[i];
      nlohmann::ordered_json r = rt::describe(m, data, vals, s.as<ir::DescribeStmt>(), !o.noJit);
      r["statement"] = i + 1;
      results.push_back(std::move(r));
    }
  } catch (const rt::RunError& e) {
    std::fprintf(stderr, "mtc: error: %s\n", e.what());
    return 3;
  }
  double tReport = since(t4);

  std::string text;
  if (o.format == "json") {
    nlohmann::ordered_json out = {{"model", m.name}, {"results", results}};
    text = out.dump(2) + "\n";
  } else if (o.format == "md") {
    text = fmt::format("# {}\n\n", m.title.empty() ? m.name : m.title);
    for (auto& r : results) text += rt::renderMarkdown(m, r) + "\n";
  } else if (o.format == "html") {
    text = rt::renderHtml(m, results);
  } else {
    rt::TextOptions to;
    to.color = o.output.empty() && colorFor(stdout);
    text = (to.color ? "\x1b[1m" : "") + (m.title.empty() ? m.name : m.title) + (to.color ? "\x1b[0m" : "") + "\n";
    for (auto& r : results) text += "\n" + rt::renderText(m, r, to);
  }
  if (int rc = writeOutput(o.output, text)) return rc;
  if (o.stats) {
    std::fprintf(stderr,
                 "stats: parse+check %.2f ms, load %.2f ms (%lld periods), compile %.2f ms (%zu kernels, %s), "
                 "evaluate %.2f ms, report %.2f ms, total %.2f ms\n",
                 tCheck * 1e3, tLoad * 1e3, static_cast<long long>(data.time.count), tCompile * 1e3,
                 ev->stats().kernels, o.noJit ? "interpreter" : ev->stats().cached ? "jit, cached" : "jit", tEval * 1e3,
                 tReport * 1e3, since(t0) * 1e3);
  }
  return 0;
}

}  // namespace mtc::cli
