// The typed IR: what the checker produces and every later stage consumes (the
// runtime, the JIT, the interpreter, the tools). Names are resolved to ids, every
// expression carries its type (unit, shape, dimensions), unit conversions are
// explicit, user functions are inlined, and metrics are in dependency order.
//
// The IR is plain data: vectors indexed by ids, with no pointers into the AST.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "mtc/calendar.h"
#include "mtc/fileio.h"
#include "mtc/source.h"
#include "mtc/units.h"

namespace mtc::ir {

using Id = uint32_t;
inline constexpr Id kNone = ~Id{0};
using ExprId = uint32_t;

// ------------------------------------------------------------------ types

enum class Shape : uint8_t { Constant, Series };

struct Type {
  Unit unit;
  Shape shape = Shape::Constant;
  std::vector<Id> dims;  // sorted dimension ids
  bool boolean = false;  // the result of a comparison / and / or / not
};

// ------------------------------------------------------------------ expressions

enum class Op : uint8_t {
  Const,      // value
  Param,      // ref: a param (constant in time; may have dimensions)
  Metric,     // ref: a metric
  Neg, Not,
  Add, Sub, Mul, Div, Pow,
  Lt, Le, Gt, Ge, Eq, Ne, And, Or,
  If,         // (cond, then, else)
  Min, Max,   // element-wise, two or more args
  Abs, Log, Exp, Sqrt,
  Clamp,      // (x, lo, hi)
  Lag,        // (x) n periods back; n in `n`
  Delta,      // x - lag(x, 1)
  PctChange,  // x / lag(x, 1) - 1
  Cumsum,
  RollingSum, RollingMean,  // window n
  Ytd,        // cumulative sum within the calendar year
  Yoy,        // x / (x one year earlier) - 1
  SumOver, MeanOver, MinOver, MaxOver,  // reduce `over` dimensions
  Share,      // x / sum(x over dims)
  Hill,       // (x, half, shape): x^s / (x^s + half^s)
  Saturate,   // (x, cap, rate): cap * (1 - exp(-rate * x))
  Adstock,    // (x, decay): y[t] = x[t] + decay * y[t-1]
  Select,     // x[dim: value, ...]: fixes dimensions to values
};
const char* opName(Op op);

struct Expr {
  Op op = Op::Const;
  Type type;
  Range range;
  double value = 0;             // Const
  Id ref = kNone;               // Param, Metric
  std::vector<ExprId> args;
  std::vector<Id> over;         // reductions and Share: the dimensions reduced
  int64_t n = 0;                // Lag, rolling windows
  std::vector<std::pair<Id, uint32_t>> select;  // Select: (dimension, value index)
};

// ------------------------------------------------------------------ declarations

struct Dimension {
  std::string name, title, doc;
  Range range;
  std::vector<std::string> values;       // listed values (empty when from a source)
  std::vector<std::string> valueTitles;
  bool fromSource = false;
  // From-source dimensions: `values` holds the values the model names (slice keys,
  // selectors) until the runtime has read the data and set `resolved`.
  bool resolved = true;
  Id source = kNone;                     // `from source.column`
  std::string column;
  int index(const std::string& v) const {
    for (size_t i = 0; i < values.size(); ++i) if (values[i] == v) return static_cast<int>(i);
    return -1;
  }
};

struct Stage {
  std::string name, title, doc;
  Range range;
  Id chain = kNone;
  uint32_t position = 0;  // order within the chain
};

struct Chain {
  std::string name, title, doc;
  Range range;
  bool external = true;
  std::vector<Id> stages;
};

enum class SourceKind : uint8_t { Csv, Sqlite, Postgres };
const char* sourceKindName(SourceKind k);  // csv, sqlite, postgres

struct Source {
  std::string name, doc;
  Range range;
  SourceKind kind = SourceKind::Csv;
  std::string path;          // as written (csv, sqlite)
  std::string resolvedPath;  // relative to the model file
  std::string query;         // sqlite; postgres: a SELECT or a table name
  bool queryIsTable = false; // postgres: the query is a table's name
  std::string connEnv;       // postgres: the environment variable holding the connection string
  Range connRange, queryRange;  // postgres: where env("...") and the query are written
  std::optional<Grain> grain;   // postgres `grain:`: the period a date or timestamp time column marks (default: its day)
  std::string timeColumn;    // the column holding the period
  std::vector<std::pair<Id, std::string>> dimColumns;  // (dimension, column)
  char delimiter = ',';
  std::vector<std::string> missing;  // cell texts meaning "missing" besides empty
};

enum class Agg : uint8_t { Sum, Mean, Last, Min, Max };  // properties.def: Metric agg
const char* aggName(Agg a);

// Which way is good (properties.def: Metric direction).
enum class Direction : uint8_t { HigherIsBetter, LowerIsBetter, Neutral };
const char* directionName(Direction d);

enum Role : uint32_t {
  RoleInput = 1, RoleOutput = 2, RoleLeading = 4, RoleLagging = 8, RoleDiagnostic = 16, RoleNorthStar = 32
};
enum Class : uint32_t {
  ClassQualitative = 1, ClassQuantitative = 2, ClassVanity = 4, ClassActionable = 8,
  ClassEfficiency = 16, ClassEffectiveness = 32, ClassStrategic = 64, ClassTactical = 128,
  ClassOperational = 256
};
struct ClassInfo {
  Class bit;
  const char* name;
  const char* question;
  const char* use;
};
const std::vector<ClassInfo>& metricClasses();  // the seed's nine categories
struct RoleInfo {
  Role bit;
  const char* name;
  const char* meaning;
};
const std::vector<RoleInfo>& metricRoles();

struct DataRef {
  Id source = kNone;
  std::string column;
  Range range;
};

struct Metric {
  std::string name, title, doc;
  Range range, nameRange;
  Unit unit;
  std::string unitText;        // as declared
  std::vector<Id> dims;        // declared dimensions, sorted by id
  Shape shape = Shape::Series;
  std::optional<ExprId> formula;
  std::optional<DataRef> data;
  Agg agg = Agg::Sum;
  bool aggDeclared = false;
  Id stage = kNone;
  uint32_t roles = 0;
  uint32_t classes = 0;
  Direction direction = Direction::HigherIsBetter;
  std::string owner;
  std::vector<Id> metricDeps;  // metrics the formula reads directly (sorted, unique)
  std::vector<Id> paramDeps;   // params the formula reads directly
  // The metrics it reads in the same period: metricDeps but for those read only
  // through lag(x, k >= 1) (a delayed read, as a stock reads its own past).
  std::vector<Id> immediateDeps;
  // `initial: EXPR`: what lag(this, k) reads before the first period (constant
  // in time: params and numbers), typed like the metric.
  std::optional<ExprId> initial;
  // Its delayed cycle (Model::groups), evaluated period by period; or kNone.
  Id group = kNone;
  FileId file = kNoFile;
};

enum class DistKind : uint8_t { Normal, LogNormal, Uniform, Triangular, Beta, Fixed };
const char* distName(DistKind d);

// A param's uncertainty (docs/language.md 3.7). Arguments, in order:
//   normal(mean, sd), lognormal(mean, sd), uniform(lo, hi): in the param's unit;
//     lognormal's mean and sd are those of the param itself (not of its log);
//   triangular(lo, mode, hi): in the param's unit;
//   beta(a, b): shapes, for a ratio param (values in [0, 1]);
//   beta(a, b, lo, hi): shapes, then the range in the param's unit (a scaled beta).
struct Distribution {
  DistKind kind = DistKind::Fixed;
  std::vector<double> args;
  Range range;
};

struct Param {
  std::string name, title, doc;
  Range range, nameRange;
  Unit unit;
  std::string unitText;
  std::vector<Id> dims;
  // One value per slice, slices in row-major order over dims (last fastest); a
  // param without dimensions has one value. Params over a dimension whose values
  // come from data keep their map in `keyed` until the runtime knows the values.
  std::vector<double> values;
  std::vector<std::pair<std::vector<std::string>, double>> keyed;
  std::optional<double> keyedDefault;  // the `_` entry
  std::optional<Distribution> dist;    // for the whole param
  // One per slice (parallel to values) when any slice has its own distribution;
  // slices the `_` default fills get the default's.
  std::vector<std::optional<Distribution>> sliceDists;
  // The same for a keyed map: parallel to keyed (empty when no entry has one),
  // and the `_` entry's. The runtime turns them into sliceDists with the values.
  std::vector<std::optional<Distribution>> keyedDists;
  std::optional<Distribution> keyedDefaultDist;
  FileId file = kNoFile;
};

enum class RelKind : uint8_t { Deterministic, Probabilistic, Causal, Compositional };
const char* relKindName(RelKind k);

struct Ref {
  enum class Kind : uint8_t { Metric, Param } kind = Kind::Metric;
  Id id = kNone;
  friend bool operator==(const Ref&, const Ref&) = default;
};

enum class Sign : uint8_t { Positive, Negative };
const char* signName(Sign s);

struct Relation {
  Ref from, to;
  RelKind kind = RelKind::Causal;
  bool bidirectional = false;
  int64_t lag = 0;  // in grain periods
  std::optional<double> strength;  // 0 to 1, as declared
  std::optional<Sign> sign;        // the declared direction of the influence
  Range range;
  std::string doc;
};

enum class CmpOp : uint8_t { Lt, Le, Gt, Ge, Eq };
const char* cmpOpText(CmpOp op);

// A comparison `lhs op rhs` (constraints, goals, subject-to entries).
struct Comparison {
  ExprId lhs = 0, rhs = 0;
  CmpOp op = CmpOp::Le;
};

struct Constraint {
  std::string name, title, doc;
  Range range;
  Comparison cmp;
  std::vector<Id> metrics;  // metrics its sides name directly
};

struct Event {
  std::string name, title, doc;
  Range range;
  Period from, to;  // as written (any grain); to == from for a point event
  std::vector<Id> affects;
};

struct Goal {
  std::string name, title, doc;
  Range range;
  Comparison cmp;
  std::optional<Period> by;
  std::optional<Id> metric;  // when the left side is a single metric
  std::vector<Id> metrics;   // metrics its sides name directly
};

enum class Level : uint8_t { BelowPar, OnPar, AbovePar, Best, Unique };
const char* levelName(Level l);
// The level names a benchmark accepts, in order (`par` and `on_par` are synonyms).
const std::vector<std::pair<std::string, Level>>& benchmarkLevels();

struct Benchmark {
  Ref target;
  Range range;
  std::vector<std::pair<Level, double>> levels;  // ascending by level
};

// ------------------------------------------------------------------ statements
//
// A statement is a kind, a range and one struct per kind (a std::variant whose
// alternatives are in StmtKind's order). Every property of docs/language.md
// section 9 is typed here and validated by the checker.

enum class StmtKind : uint8_t { Describe, Diagnose, Forecast, Seek, Simulate, Optimize, Recommend };
const char* stmtKindName(StmtKind k);

inline constexpr uint64_t kDefaultSeed = 20250730;
inline constexpr double kDefaultLevel = 0.9;

// The enums below take their words from the properties table (properties.def):
// their order is the order of the property's choices.
enum class DiagnoseMethod : uint8_t { Shapley, Lmdi };
enum class ForecastMethod : uint8_t { Auto, Ets, Naive, Snaive, Drift, Mean, Holt, HoltWinters, Arima, Linear, Theta };
enum class OptimizeMethod : uint8_t { Auto, Simplex, Mip, Nlp };
enum class Sampling : uint8_t { Lhs, Mc };
const char* diagnoseMethodName(DiagnoseMethod m);
const char* forecastMethodName(ForecastMethod m);
const char* optimizeMethodName(OptimizeMethod m);
const char* samplingName(Sampling s);

enum class VsKind : uint8_t { Previous, SameLastYear, Period };

// A forecast or simulation horizon as written (`for 12 months`), and in periods
// of the model's grain (0 when it depends on the calendar: months at day grain).
struct Horizon {
  int64_t count = 0;
  Grain unit = Grain::Month;
  int64_t periods = 0;
};

struct DescribeStmt {
  std::vector<Id> metrics;
  std::optional<Period> from, to;  // as written (any grain)
  std::optional<Grain> grain;      // `grain:`: report at this grain
};

struct DiagnoseStmt {
  Id metric = kNone;
  Period at;
  VsKind vs = VsKind::Previous;
  Period vsPeriod;                 // VsKind::Period
  DiagnoseMethod method = DiagnoseMethod::Shapley;
  std::optional<int64_t> top;      // drivers reported; the rest folded into "(other)"
  int64_t depth = 3;               // levels walked down the tree
};

struct ForecastStmt {
  std::vector<Id> metrics;
  Horizon horizon;
  ForecastMethod method = ForecastMethod::Auto;
  double level = kDefaultLevel;    // `interval:` / `level:`
  uint64_t seed = kDefaultSeed;
  std::optional<int64_t> holdout;  // periods held out to measure accuracy
};

struct SeekStmt {
  Id goal = kNone;
  std::vector<Ref> varying;
  std::optional<Period> at;
};

struct SimulateStmt {
  std::vector<Id> metrics;
  Horizon horizon;
  int64_t runs = 10000;
  uint64_t seed = kDefaultSeed;
  double level = kDefaultLevel;
  Sampling sampling = Sampling::Lhs;
};

struct OptVar {
  Id param = kNone;
  bool integer = false;
  std::optional<double> lower, upper;  // in the param's unit
  bool lowerStrict = false, upperStrict = false;
};

struct NamedComparison {
  std::string name;
  Range range;
  Comparison cmp;
};

struct OptimizeStmt {
  std::string name;                // "optimize" when unnamed
  bool maximize = true;
  std::optional<ExprId> objective;
  std::vector<OptVar> vars;
  std::vector<NamedComparison> subjectTo;
  std::optional<Period> at;
  OptimizeMethod method = OptimizeMethod::Auto;
  std::optional<int64_t> timeLimit;  // seconds
};

struct RecommendStmt {
  Id goal = kNone;
  std::optional<Period> at;
  std::optional<int64_t> top;
};

struct Statement {
  Range range;
  std::variant<DescribeStmt, DiagnoseStmt, ForecastStmt, SeekStmt, SimulateStmt, OptimizeStmt, RecommendStmt> body;
  StmtKind kind() const { return static_cast<StmtKind>(body.index()); }
  template <typename T> const T& as() const { return std::get<T>(body); }
  template <typename T> T& as() { return std::get<T>(body); }
};
static_assert(std::variant_size_v<decltype(Statement::body)> == 7, "one alternative per StmtKind, in its order");

// The metrics a statement names (describe, forecast, simulate: its list;
// diagnose: its metric; the others: none).
std::vector<Id> namedMetrics(const Statement& s);

// ------------------------------------------------------------------ the model

struct Model {
  std::string name, title, doc;
  Range range;
  Grain grain = Grain::Month;
  std::optional<std::string> currency;
  std::optional<Period> start;
  std::string path;  // the main file
  ReadRoots readRoots;  // where its sources may be read (confinement: docs/reliability.md)
  double queryTimeout = 0;  // seconds a postgres source's query may run (--timeout); 0: the default

  UnitTable units;
  std::vector<Dimension> dims;
  std::vector<Chain> chains;
  std::vector<Stage> stages;
  std::vector<Source> sources;
  std::vector<Param> params;
  std::vector<Metric> metrics;
  std::vector<Relation> relations;
  std::vector<Constraint> constraints;
  std::vector<Event> events;
  std::vector<Goal> goals;
  std::vector<Benchmark> benchmarks;
  std::vector<Statement> statements;
  std::vector<Expr> exprs;

  // Metrics, every metric after the metrics it reads; the members of a delayed
  // cycle together, each after the ones it reads in the same period.
  std::vector<Id> topoOrder;
  // Delayed cycles (a stock and the flows that read it: `active = lag(active, 1)
  // + new - lapsed`): their members in evaluation order. Evaluators compute a
  // group period by period.
  std::vector<std::vector<Id>> groups;

  const Expr& expr(ExprId e) const { return exprs[e]; }
  std::optional<Id> findMetric(const std::string& n) const;
  std::optional<Id> findParam(const std::string& n) const;
  std::optional<Id> findDim(const std::string& n) const;
  // Number of slices of a set of dimensions (product of value counts), or 0 when
  // a dimension's values are not known yet.
  size_t sliceCount(const std::vector<Id>& dims) const;
  // Slices are numbered row-major over a (sorted) dimension list, the last
  // dimension fastest. sliceIndex takes the value index of each dimension from
  // valueOf(dim); sliceCoords is its inverse (value index per listed dimension).
  template <typename F>
  size_t sliceIndex(const std::vector<Id>& ds, F&& valueOf) const {
    size_t f = 0;
    for (Id d : ds) f = f * dims[d].values.size() + static_cast<size_t>(valueOf(d));
    return f;
  }
  std::vector<uint32_t> sliceCoords(const std::vector<Id>& ds, size_t slice) const;
};

// Metrics the expression reads, directly.
void collectRefs(const Model& m, ExprId e, std::vector<Id>* metrics, std::vector<Id>* params);
// The metrics an expression reads in the same period: not those read only
// through lag(x, k) with k >= 1 (sorted, unique).
void collectImmediateRefs(const Model& m, ExprId e, std::vector<Id>* metrics);
// Does the metric (through its formula, transitively) read a time operator? Such a
// metric is not recomputed from rolled-up inputs at a coarser grain, but rolled up itself.
bool timeDependent(const Model& m, Id metric);

}  // namespace mtc::ir
