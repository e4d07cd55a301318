// The whole of `mtc run` as one library call: compile, load the data, compile
// the evaluator for the statements that run, evaluate, run each statement's
// engine. The CLI, a test or the language server calls it and renders the
// results with report/.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mtc/compiler.h"
#include "mtc/engines/results.h"

namespace mtc::eng {

struct RunRequest {
  std::string path;                   // the model file
  std::optional<std::string> text;    // its text, when not read from disk
  CompileOptions compile;
  std::string only;                   // --only: a kind, kind:metric, an optimize's name, or N
  rt::JitMode jit = rt::JitMode::Auto;  // --jit (--no-jit: Never)
  bool dumpPlan = false;              // stop after loading: the evaluation plan in RunOutcome::plan
  // --pushdown: postgres sources aggregated on the server by mtc sql's query
  // (docs/sql.md, "Pushdown"): the same numbers, far fewer rows received.
  bool pushdown = false;
  // Evaluate only the periods the statements need, when they are all describes
  // at the model's grain: those shown, the one before, and the look-back of
  // their formulas (rt::lookBack). Off: every period (the same numbers).
  bool demandPeriods = true;
  // Also describe every metric over the data's last periods, apart from the
  // statements (RunOutcome::overview): the values of the reports' metrics tree.
  bool overview = false;
  Options engine;
};

struct RunStats {
  double check = 0, load = 0, compile = 0, evaluate = 0, engines = 0;  // seconds
  size_t kernels = 0;
  bool cached = false;
  double work = 0;                    // the first evaluation's formula nodes x slices x periods
  double cells = 0;                   // the cells it computed by formula (slices x periods, over the closure)
  int64_t evaluated = 0;              // the periods it evaluated (a window of the data's, or all)
  int64_t periods = 0;
};

struct RunOutcome {
  // The model and every diagnostic of the run: the model's, the data's
  // (located in the data files) and the statements' that failed.
  std::unique_ptr<Compilation> compilation;
  rt::Data data;
  std::vector<StatementResult> results;
  // RunRequest::overview: every metric's total over the data's last periods (up
  // to kOverviewPeriods), from an evaluation of its own; none when the model has
  // no period to show or that evaluation failed (the statements say why).
  std::optional<DescribeResult> overview;
  RunStats stats;
  // 0; 1 the model has errors; 2 --only matches no statement; 3 the data has
  // errors (no results), or a statement failed (its error object is among the results).
  int exitCode = 0;
  std::string usageError;  // with exit 2
  std::string plan;        // RunRequest::dumpPlan
  // The loaded model (with its data's dimensions), or the checked one.
  const ir::Model* model() const;
};

RunOutcome runModel(const RunRequest& r);

// The periods RunOutcome::overview shows at most (two years of a monthly model).
constexpr int64_t kOverviewPeriods = 24;

// Does statement `index` (0-based) match --only?
bool selected(const ir::Model& m, const ir::Statement& s, size_t index, const std::string& only);

}  // namespace mtc::eng
