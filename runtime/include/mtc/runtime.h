// The runtime: data loading and formula evaluation, the services every engine
// stands on.
//
//   rt::Data data;
//   if (!rt::load(checked, data, diags, sources)) ...report (exit 3)...
//   const ir::Model& m = *data.model;                    // the model with its data's dimensions
//   auto ev = rt::makeEvaluator(m, data, {.jit = rt::JitMode::Auto});
//   rt::Values vals;
//   ev->evaluateInto(rt::Scenario{}, vals);               // thread-safe, repeatable, no allocation after the first call
//   double x = ev->point(scenario, {revenue, t}, vals);   // one cell under a scenario
//
// Every series is stored period-contiguous: value(slice, t) = v[slice * periods + t],
// slices in row-major order over the metric's dimensions (sorted by id, last
// fastest). Missing values are NaN; they propagate, they are never zero.
//
// One evaluator, compiled once, evaluates on any timeline of the model's grain
// or a coarser one (a forecast horizon past the data, a describe by quarter),
// under scenarios that replace params and inputs, whole or for chosen periods
// and slices, leaving history alone.
#pragma once

#include <cmath>
#include <limits>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "mtc/diagnostics.h"
#include "mtc/ir.h"

namespace mtc::rt {

inline constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

// A failure while evaluating (exit 3), with a readable message: a malformed
// scenario, a JIT that cannot compile.
struct RunError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// ------------------------------------------------------------------ timelines

// `count` consecutive periods of one grain.
struct Timeline {
  Grain grain = Grain::Month;
  Period first;
  int64_t count = 0;
  Period at(int64_t i) const { return Period{grain, first.ord + i}; }
  Period last() const { return at(count - 1); }
  // Index of a period of this grain, or -1 outside the timeline.
  int64_t index(const Period& p) const {
    int64_t i = p.ord - first.ord;
    return p.grain == grain && i >= 0 && i < count ? i : -1;
  }
  // Index of the first period of t's calendar year (for ytd), or -1 when the
  // year began before the timeline.
  int64_t yearStart(int64_t t) const;
  // Index of the same period one year earlier (for yoy); negative before the timeline.
  int64_t sameLastYear(int64_t t) const;
  // The same start, n more periods (a forecast horizon).
  Timeline extended(int64_t n) const { return Timeline{grain, first, count + n}; }
  // The coarser periods that contain this timeline's (every one, partial ones included).
  Timeline coarsened(Grain g) const;
  friend bool operator==(const Timeline&, const Timeline&) = default;
};

struct Series {
  size_t slices = 1, periods = 0;
  std::vector<double> v;
  double at(size_t s, size_t t) const { return v[s * periods + t]; }
  double& at(size_t s, size_t t) { return v[s * periods + t]; }
};

// A series rolled up into the periods of `coarse`: each coarse period is the
// agg of the fine periods it contains (`last` takes the last one); a coarse
// period the fine timeline covers only in part is missing.
Series rollUp(const Series& fine, const Timeline& fineTl, const Timeline& coarse, ir::Agg agg);

// ------------------------------------------------------------------ data

// Input data at the model's grain: one series per metric with `data:`.
struct Data {
  // The checked model with what its data resolves: the values of dimensions
  // declared `from` a source, params keyed by those values. The checked model
  // itself is never changed; when nothing needs resolving this is it.
  std::shared_ptr<const ir::Model> model;
  Timeline time;
  std::vector<Series> inputs;  // indexed by metric id (empty for metrics without data)
  std::vector<bool> hasData;   // metric id -> has `data:`
  // What was received from each postgres source (`mtc run --stats`).
  struct Received {
    std::string source;
    uint64_t rows = 0, bytes = 0;  // COPY rows and bytes
    bool pushdown = false;         // the rows aggregated on the server
  };
  std::vector<Received> received;
};

// How load() reads postgres sources.
struct LoadOptions {
  // `mtc run --pushdown`: the query that aggregates a postgres source's rows on
  // the server (mtc sql's, sql::Options::inputsOnly), given the model and the
  // source; its rows are read instead of the source's (docs/sql.md, "Pushdown").
  // Empty: every source's rows are read.
  std::function<std::string(const ir::Model&, ir::Id source)> pushdown;
};

// Reads every source of the model, resolves what the data decides, and
// aggregates the data to the model's grain. Problems go to `diags` located in
// the data files (file:row, the column named); the files are added to
// `sources` without their text. Returns false when there are errors.
bool load(const ir::Model& checked, Data& out, Diagnostics& diags, SourceManager& sources);
bool load(const ir::Model& checked, Data& out, Diagnostics& diags, SourceManager& sources, const LoadOptions& options);

// ------------------------------------------------------------------ scenarios

// A param or a metric set at chosen periods and slices: history is left alone
// by overriding only the periods after the data. `values` has one value per
// period of [from, to] (for every slice, or for `slice`), or periods × slices
// values, slice-major. A param overridden by period must be one of the
// evaluator's EvalOptions::periodParams.
struct Override {
  ir::Ref target;
  int64_t from = 0, to = 0;       // period indices on the scenario's timeline, inclusive
  std::optional<size_t> slice;    // one slice, or every slice
  std::vector<double> values;
};

// Changes for one evaluation (what-if, seek, optimisation, simulation).
struct Scenario {
  const Timeline* timeline = nullptr;                           // null: the data's timeline
  std::vector<std::pair<ir::Id, std::vector<double>>> params;   // a value per slice, in every period
  std::vector<std::pair<ir::Id, Series>> inputs;                // a metric's whole series on the timeline
  std::vector<Override> overrides;                              // per period and slice
};

// ------------------------------------------------------------------ values

// The values of the metrics one evaluation computed (per slice) and their
// totals over slices, on the evaluation's timeline. Series that come unchanged
// from the data or the scenario are not copied: metric() refers to them, so a
// Values is valid while the Data and the Scenario it was evaluated with live
// (as a string_view is while its string lives).
//
// A Values is also the evaluator's workspace: pass the same one to
// evaluateInto() again and nothing is allocated after the first call.
class Values {
 public:
  Values();
  ~Values();
  Values(Values&&) noexcept;
  Values& operator=(Values&&) noexcept;
  Values(const Values&) = delete;
  Values& operator=(const Values&) = delete;

  const Timeline& timeline() const;
  // Was the metric evaluated by the last call?
  bool has(ir::Id metric) const;
  // Its values per slice, and its total over slices (an empty series when not evaluated).
  const Series& metric(ir::Id metric) const;
  const Series& total(ir::Id metric) const;
  // The value of one cell; missing outside the timeline. slice nullopt: the total.
  double at(ir::Id metric, int64_t t, std::optional<size_t> slice = std::nullopt) const;

  struct Storage;  // the evaluators' side (runtime/src/storage.h)
  Storage& storage() { return *s_; }
  const Storage& storage() const { return *s_; }

 private:
  std::unique_ptr<Storage> s_;
};

// ------------------------------------------------------------------ evaluation

// Which evaluator runs the formulas. Both give the same numbers, bit for bit;
// the JIT costs a start-up (2-4 ms with its object cache warm, 0.2-0.5 s cold)
// and then runs 20-30x faster. `Auto` weighs the work (estimatedWork x
// EvalOptions::evaluations, at about 12 ns each when interpreted) against the
// start-up (docs/runtime.md, "Tiering"):
enum class JitMode : uint8_t { Auto, Always, Never };

// formula nodes x slices x periods: below the first, `Auto` interprets (under
// about 4 ms); from the second, it compiles (about 0.4 s of interpreting);
// between them, it interprets the first run of a plan and compiles from the
// second on (jitPlanSeen), when the compiled objects are cached for later runs.
inline constexpr double kJitWarmWork = 3e5;
inline constexpr double kJitColdWork = 3e7;

struct EvalOptions {
  JitMode jit = JitMode::Always;
  double evaluations = 1;            // how many times the caller will evaluate (for JitMode::Auto)
  int64_t periods = 0;               // the periods of the timeline it evaluates (0: the data's), for Auto
  std::vector<ir::Id> only;          // compile these metrics and what they read (empty: all)
  std::vector<ir::Id> periodParams;  // params a scenario may override by period
  bool tangents = false;             // also compile the JIT's dual kernels, for Evaluator::tangentInto
};

// The interpreter's work for one evaluation of what `o` compiles on the
// data's timeline (or o.periods): formula nodes x slices x periods, over the closure.
double estimatedWork(const ir::Model& m, const Data& d, const EvalOptions& o);
// The cells one evaluation computes by formula: slices x periods, over the closure.
double formulaCells(const ir::Model& m, const Data& d, const EvalOptions& o);

// How many periods before a period the values of `metrics` there read (their
// closure's lags, windows, ytd and yoy, composed); nullopt when unbounded
// (cumsum, adstock, a stock). A window of periods evaluated alone gives the
// full evaluation's numbers from that many periods after its start.
std::optional<int64_t> lookBack(const ir::Model& m, const std::vector<ir::Id>& metrics);

// Whether makeEvaluator takes the JIT for these options.
bool usesJit(const ir::Model& m, const Data& d, const EvalOptions& o);

// Whether this plan (the kernels the JIT would compile for `o`) was met before,
// by an earlier run that compiled it or one that interpreted it (a marker in
// the JIT's on-disk cache, named by a hash of the plan); records it when not.
// Without a cache (MTC_JIT_CACHE=off), false.
bool jitPlanSeen(const ir::Model& m, const EvalOptions& o);

struct EvalStats {
  double compileSeconds = 0;
  size_t kernels = 0;    // compiled functions (0: the interpreter)
  bool cached = false;   // the compiled code came from the on-disk cache
};

// Metrics to evaluate in one call: a closure over formulas, in topological order.
struct Subset {
  std::vector<ir::Id> order;
  std::vector<uint8_t> member;  // per metric id
};

// One cell: a metric at a period of the scenario's timeline, in a slice or its total.
struct Cell {
  ir::Id metric = ir::kNone;
  int64_t period = 0;
  std::optional<size_t> slice;  // nullopt: the total over slices
};

// Forward-mode derivatives (mtc/dual.h): the seed direction d param[slice] = 1,
// in every period (period -1), or in one period only (a param prepared by
// EvalOptions::periodParams, as a scenario overrides it by period).
struct Seed {
  ir::Id param = ir::kNone;
  size_t slice = 0;
  int64_t period = -1;
};

// The tangents of one evaluation along a seed: per metric id, a series shaped
// as its values (slices x periods) and one for its total; empty when the call
// did not evaluate the metric. Also the workspace of tangentInto.
struct Tangents {
  std::vector<Series> metrics, totals;
  // The tangent of one cell (0 outside what was evaluated); slice nullopt: the total.
  double at(ir::Id metric, int64_t t, std::optional<size_t> slice = std::nullopt) const {
    const std::vector<Series>& v = slice ? metrics : totals;
    if (metric >= v.size()) return 0;
    const Series& s = v[metric];
    size_t sl = slice.value_or(0);
    if (t < 0 || static_cast<size_t>(t) >= s.periods || sl >= s.slices || s.v.empty()) return 0;
    return s.at(sl, static_cast<size_t>(t));
  }
  // workspace: hidden series and scratch rows (JIT), param rows and per-slice param tangents
  std::vector<Series> hidden, paramRows;
  std::vector<std::vector<double>> params;
  std::vector<double> scratch;
};

class Evaluator {
 public:
  virtual ~Evaluator() = default;
  // Evaluates every compiled metric (or `subset`) under the scenario into `out`,
  // reusing its memory. Safe to call from several threads at once, each with its
  // own Values. Throws RunError on a malformed scenario.
  virtual void evaluateInto(const Scenario& s, Values& out, const Subset* subset = nullptr) const = 0;
  Values evaluate(const Scenario& s) const {
    Values v;
    evaluateInto(s, v);
    return v;
  }
  // The closure of `targets` (every one of them compiled by this evaluator).
  Subset subset(const std::vector<ir::Id>& targets) const;
  // One cell under a scenario: evaluates only what the cell's metric reads.
  double point(const Scenario& s, const Cell& c, Values& work) const;
  // evaluateInto, and the tangent of every cell along `seed` into `tan`
  // (forward-mode derivatives of the formulas; the values are evaluateInto's,
  // bit for bit; the interpreter and the JIT agree on the tangents too).
  virtual void tangentInto(const Scenario& s, const Seed& seed, Values& out, Tangents& tan, const Subset* subset = nullptr) const = 0;
  virtual const EvalStats& stats() const = 0;
  const ir::Model& model() const { return m_; }

 protected:
  Evaluator(const ir::Model& m, const EvalOptions& o);
  const ir::Model& m_;
  std::vector<uint8_t> need_;        // compiled metrics
  std::vector<ir::Id> order_;        // their topological order
  std::vector<uint8_t> periodParam_;  // per param
  std::vector<bool> recomputed_;     // totalRecomputed, per metric
  std::vector<std::vector<double>> missingParams_;  // per param: every slice missing
  friend struct EvalCall;

 private:
  mutable std::mutex closuresMutex_;
  mutable std::vector<std::unique_ptr<Subset>> closures_;  // point(): per metric, built on first use
};

// The reference interpreter (interp.cpp), the LLVM JIT (jit.cpp), and the one
// EvalOptions::jit selects. Both give the same numbers, bit for bit.
std::unique_ptr<Evaluator> makeInterpreter(const ir::Model& m, const Data& d, const EvalOptions& o);
std::unique_ptr<Evaluator> makeJit(const ir::Model& m, const Data& d, const EvalOptions& o);
std::unique_ptr<Evaluator> makeEvaluator(const ir::Model& m, const Data& d, const EvalOptions& o);

// Missing cells that a formula made from inputs that are not missing: a division
// by zero, or a log, sqrt or power outside its domain (docs/runtime.md). One per
// metric: how many cells of its slices, the first (slice, period index on v's
// timeline) and the operation that gave missing there. Read from the values of
// the last evaluation into `v` (its slices, not its totals), after the fact:
// only the missing cells of metrics whose formula has such an operation are
// evaluated again (by the reference interpreter); no number changes.
struct DomainGap {
  ir::Id metric = ir::kNone;
  size_t count = 0;
  size_t slice = 0;
  int64_t period = 0;
  ir::ExprId expr = 0;
};
std::vector<DomainGap> domainGaps(const ir::Model& m, const Data& d, Values& v);

// The evaluation plan the JIT compiles for these options, as text (for golden
// tests and `mtc run --dump-plan`): kernel programs, then each metric's steps.
std::string dumpPlan(const ir::Model& m, const EvalOptions& o);

// How a metric's total over slices is computed: recomputed from the totals of its
// inputs (a formula metric, LANGUAGE.md section 10), or the metric's agg over its
// slice values (data metrics, declared agg, formulas that read dimensioned params,
// select slices or reduce dimensions). A metric a scenario overrides is an input
// for that evaluation: its total is the agg over its slices where it is overridden.
bool totalRecomputed(const ir::Model& m, ir::Id metric);

// The metrics needed to evaluate `wanted` (closure over formula dependencies;
// every metric when `wanted` is empty).
std::vector<bool> needed(const ir::Model& m, const std::vector<ir::Id>& wanted);

}  // namespace mtc::rt
