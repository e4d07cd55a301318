// The runtime: data loading, formula evaluation and the descriptive engine.
//
//   rt::Data data;
//   if (!rt::load(model, data, issues)) ...report issues (exit 3)...
//   auto ev = rt::makeEvaluator(model, data, {.jit = true});
//   rt::Values vals = ev->evaluate(rt::Scenario{});      // thread-safe, repeatable
//
// Every series is stored period-contiguous: value(slice, t) = v[slice * periods + t],
// slices in row-major order over the metric's dimensions (sorted by id, last
// fastest). Missing values are NaN; they propagate, they are never zero.
#pragma once

#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "mtc/ir.h"

namespace mtc::rt {

inline constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

// A failure while evaluating (exit 3), with a readable message.
struct RunError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The model's periods: `count` consecutive periods of the model's grain.
struct Timeline {
  Grain grain = Grain::Month;
  Period first;
  int64_t count = 0;
  Period at(int64_t i) const { return Period{grain, first.ord + i}; }
  // Index of a period at the model's grain, or -1 outside the timeline.
  int64_t index(const Period& p) const {
    int64_t i = p.ord - first.ord;
    return p.grain == grain && i >= 0 && i < count ? i : -1;
  }
  // Index of the first period of t's calendar year (for ytd), or -1 when the
  // year began before the timeline.
  int64_t yearStart(int64_t t) const;
  // Index of the same period one year earlier (for yoy); negative before the timeline.
  int64_t sameLastYear(int64_t t) const;
};

struct Series {
  size_t slices = 1, periods = 0;
  std::vector<double> v;
  double at(size_t s, size_t t) const { return v[s * periods + t]; }
  double& at(size_t s, size_t t) { return v[s * periods + t]; }
};

// A problem found in the data: file, 1-based row (0 when it concerns the whole
// file) and column name.
struct DataIssue {
  std::string file;
  size_t row = 0;
  std::string column;
  std::string message;
  // Every issue the loader reports today is an error (exit 3), including a
  // dimension value the model names that the data never has: most likely a typo,
  // and a selection of it would read nothing but missing values.
  bool error = true;
};

// Input data at the model's grain: one series per metric with `data:` (empty for others).
struct Data {
  Timeline time;
  std::vector<Series> inputs;     // indexed by metric id
  std::vector<bool> hasData;      // metric id -> has `data:`
};

// Reads every source, resolves dimensions declared `from` a source and params
// keyed by their values, and aggregates the data to the model's grain. Returns
// false when there are errors (in issues).
bool load(ir::Model& m, Data& out, std::vector<DataIssue>& issues);

// Changes to the model for one evaluation (what-if, optimisation, simulation).
struct Scenario {
  std::vector<std::pair<ir::Id, std::vector<double>>> params;  // param id -> values per slice
  std::vector<std::pair<ir::Id, Series>> inputs;               // metric id -> replacement series
};

// Values of every evaluated metric (per slice) and of its total over slices.
struct Values {
  std::vector<Series> metrics;  // indexed by metric id; empty when not evaluated
  std::vector<Series> totals;   // one slice: the metric over all its slices
  std::vector<Series> work;     // the engine's intermediate series, kept for reuse
};

struct EvalOptions {
  bool jit = true;
  std::vector<ir::Id> only;  // evaluate these metrics and what they need (empty: all)
};

struct EvalStats {
  double compileSeconds = 0;
  size_t kernels = 0;    // compiled functions (0: the interpreter)
  bool cached = false;   // the compiled code came from the on-disk cache
};

class Evaluator {
 public:
  virtual ~Evaluator() = default;
  // Evaluates the model; safe to call from several threads at once.
  Values evaluate(const Scenario& s) const {
    Values v;
    evaluateInto(s, v);
    return v;
  }
  // The same into `out`, reusing its memory: the form for engines that evaluate
  // thousands of scenarios (one Values per thread). Every series the plan
  // computes is overwritten; series it does not compute are left empty.
  virtual void evaluateInto(const Scenario& s, Values& out) const = 0;
  virtual const EvalStats& stats() const = 0;
};

// The reference interpreter (interp.cpp), the LLVM JIT (jit.cpp), and the one
// EvalOptions::jit selects. Both give the same numbers, bit for bit.
std::unique_ptr<Evaluator> makeInterpreter(const ir::Model& m, const Data& d, const EvalOptions& o);
std::unique_ptr<Evaluator> makeJit(const ir::Model& m, const Data& d, const EvalOptions& o);
std::unique_ptr<Evaluator> makeEvaluator(const ir::Model& m, const Data& d, const EvalOptions& o);

// How a metric's total over slices is computed: recomputed from the totals of its
// inputs (a formula metric, LANGUAGE.md section 10), or the metric's agg over its
// slice values (data metrics, declared agg, formulas that read dimensioned params,
// select slices or reduce dimensions).
bool totalRecomputed(const ir::Model& m, ir::Id metric);

// The metrics needed to evaluate `wanted` (closure over formula dependencies).
std::vector<bool> needed(const ir::Model& m, const std::vector<ir::Id>& wanted);

}  // namespace mtc::rt
