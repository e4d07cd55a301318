// The checker's shared state and helpers. The checker turns the ASTs of a file
// and its imports into the typed IR, in passes run from one ordered table
// (passes.cpp), each in a file of its own:
//
//   names.cpp         the model header, units, and every declared name
//   declarations.cpp  sources, dimensions, params, functions
//   metrics.cpp       metric types, properties and formulas; cycles, order
//   relations.cpp     relations, constraints, goals, events, benchmarks
//   statements.cpp    describe ... recommend, typed
//   lints.cpp         the eight model lints (CompileOptions::lints)
//
// expressions.cpp types and lowers expressions for all of them; properties.cpp
// reads property blocks against the properties table. Each pass reports what it
// can and goes on, so one run shows many errors.
#pragma once

#include <fmt/format.h>

#include <map>
#include <unordered_map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "mtc/builtins.h"
#include "mtc/compiler.h"
#include "mtc/ir_print.h"
#include "mtc/properties.h"

namespace mtc::check {

using namespace ir;

struct Sym {
  SymKind kind;
  Id id = kNone;
  Range declRange;
  const ast::Decl* decl = nullptr;
};

// Per-expression facts the checker needs while lowering, beside the IR.
struct Meta {
  bool flex = false;    // a bare-number constant whose unit is taken from its position
  bool poison = false;  // the result of an error: suppresses follow-on errors
  bool copy = false;    // a user function's result relocated to its call (lints skip it)
};

// What the passes share.
struct Ctx {
  Ctx(Compilation& c, const CompileOptions& o) : c(c), o(o), d(c.diags), m(*c.model) {}
  Compilation& c;
  const CompileOptions& o;
  Diagnostics& d;
  Model& m;

  std::vector<const ast::Decl*> decls;  // without the ones with syntax errors
  std::set<std::string> brokenNames;    // declared by declarations with syntax errors
  std::vector<Meta> meta;               // parallel to m.exprs

  std::map<std::string, Sym> values;    // params, metrics, functions
  std::map<std::string, Sym> items;     // goals, constraints, events, named optimizations
  std::map<std::string, Id> dimIds, stageIds, chainIds, sourceIds;
  std::map<std::string, Range> unitDecls;
  std::map<std::string, const ast::FunctionDecl*> functions;
  std::vector<const ast::MetricDecl*> metricDecls;    // parallel to m.metrics
  std::vector<const ast::ParamDecl*> paramDecls;      // parallel to m.params
  std::vector<const ast::RelationDecl*> relationDecls;  // parallel to m.relations
  // A param or metric whose declared unit or dimensions did not resolve (reported
  // there): its uses are not checked against a type that is not its real one.
  std::vector<bool> paramBad, metricBad;
  // Per dimension: its values' indices, for looking up the keys of large maps
  // (rebuilt when a from-source dimension gains a value).
  std::vector<std::unordered_map<std::string, int>> dimIndex;
  std::vector<size_t> dimIndexFor;  // the number of values each index was built from

  bool inMain(const ast::Decl* x) const { return !c.files.empty() && x->file == c.files[0]->id; }
  void occur(Range r, SymKind k, const std::string& name, Range decl, bool isDecl = false) {
    if (r.valid()) c.occurrences.push_back({r, k, name, decl, isDecl});
  }
  Expr& X(ExprId e) { return m.exprs[e]; }
  const Expr& X(ExprId e) const { return m.exprs[e]; }
  bool flex(ExprId e) const { return meta[e].flex; }
  bool poison(ExprId e) const { return meta[e].poison; }
  std::string fmtUnit(const Unit& u) const { return m.units.format(u); }
};

// ------------------------------------------------------------ helpers (common.cpp)

// "a metric", "an optimization": the kind with its article, for messages.
std::string aKind(SymKind k);
std::string joinNames(const std::vector<std::string>& v, const char* sep = ", ");
template <typename M>
std::vector<std::string> keysOf(const M& m) {
  std::vector<std::string> v;
  for (auto& [k, _] : m) v.push_back(k);
  return v;
}

std::optional<Period> period(Ctx& x, const ast::PeriodLit& p);
std::optional<Period> periodText(Ctx& x, const std::string& text, Range r);
// A duration in periods of the model's grain. `calendar`: a duration that is a
// whole number of periods only on some dates (months at day grain) is 0 instead
// of an error (forecast horizons).
std::optional<int64_t> duration(Ctx& x, const ast::DurationLit& du, bool calendar);
std::optional<Unit> unit(Ctx& x, const ast::UnitExpr& ue);
void unknownName(Ctx& x, Range r, const std::string& name, const std::vector<std::string>& candidates, const char* what);
std::optional<Id> dimByName(Ctx& x, const ast::Ident& id);
std::vector<Id> dimList(Ctx& x, const std::vector<ast::Ident>& ids, bool* ok = nullptr);
std::string dimsText(const Ctx& x, const std::vector<Id>& ds);
// Index of a dimension value; for a dimension whose values come from data, a
// value the model names is added (the runtime checks it against the data).
std::optional<uint32_t> dimValue(Ctx& x, Id dim, const ast::Ident& v);
std::optional<Ref> refByName(Ctx& x, const ast::Ident& id, const char* what);
std::optional<Id> metricByName(Ctx& x, const ast::Ident& id, const char* where);
std::optional<Id> goalByName(Ctx& x, const ast::Ident& id, const char* where);
// Metrics read through formulas (transitively), the direct ones included.
std::set<Id> upstream(const Model& m, const std::vector<Id>& direct);
std::set<Id> upstreamParams(const Model& m, const std::set<Id>& metrics, const std::vector<Id>& directParams);
std::string sliceName(const Ctx& x, const std::vector<Id>& dims, size_t flat);
// A param's or metric's declared unit and dimensions (`: USD/lead by channel`);
// false when either does not resolve (reported).
template <typename T>
bool declaredType(Ctx& x, const ast::UnitExpr& ue, const std::vector<ast::Ident>& dims, T& target) {
  auto u = unit(x, ue);
  if (u) target.unit = *u;
  target.unitText = x.c.sources.textOf(ue.range);
  bool dimsOk = true;
  target.dims = dimList(x, dims, &dimsOk);
  return u && dimsOk;
}
// Does a formula carry `part` into `whole` (directly or through other metrics)?
bool formulaCarries(const Model& m, const Ref& part, const Ref& whole);

// ------------------------------------------------------------ properties (properties.cpp)

// One property read and validated against the properties table.
struct PropValue {
  const PropertyInfo* info = nullptr;
  const ast::PropEntry* entry = nullptr;
  Range range;                   // the value (or values)
  double number = 0;             // Whole, Fraction
  std::string text;              // Word, String, Column's source
  std::string column;            // Column
  Range textRange;               // of the Column's source name
  std::vector<std::pair<std::string, Range>> words;  // Words, Strings
  Period period;                 // Period
  Grain grain = Grain::Month;    // Grain
  int64_t periods = 0;           // Duration (in model periods)
  size_t choice = 0;             // Choice
  uint32_t flags = 0;            // Roles, Classes
  int64_t whole() const { return static_cast<int64_t>(number); }
};

class Props {
 public:
  const PropValue* get(PropId id) const {
    auto it = values_.find(id);
    return it == values_.end() ? nullptr : &it->second;
  }
  // Written (even when its value had an error): the checker says nothing more about it.
  bool written(const std::string& key) const { return written_.count(key) > 0; }
  std::map<PropId, PropValue> values_;
  std::set<std::string> written_;
};

// Reads a property block: unknown properties, values of the wrong type or out
// of range are located errors; what is valid is returned.
Props readProps(Ctx& x, const ast::PropBlock& block, PropOwner owner);
// A property given twice in one block is an error (which was meant is unknowable).
void duplicateKeys(Ctx& x, const ast::PropBlock& props);

// ------------------------------------------------------------ expressions (expressions.cpp)

struct Scope {
  const std::map<std::string, ExprId>* args = nullptr;  // inside a user function
  bool constOnly = false;  // param values, bounds: no metric or param references
  const char* constWhat = "";
  std::vector<const ast::FunctionDecl*> expanding;  // user functions being inlined
};

// Types and lowers expressions into the IR: units (with bare numbers that take
// the unit their position needs), dimensions, shapes, built-ins, user functions.
class Typer {
 public:
  explicit Typer(Ctx& x) : x_(x) {}
  ExprId lower(const ast::Expr& e, const Scope& s);
  // The value as the declared unit and dimensions (a formula, an objective).
  ExprId fitDeclared(ExprId r, const Unit& u, const std::vector<Id>& dims, const std::string& name,
                     Range declUnitRange, const char* what);
  // A constant in unit u (param values, bounds, distribution arguments).
  std::optional<double> constValue(const ast::Expr& e, const Unit& u, const std::string& name, const Scope& s);
  // `lhs op rhs` (constraints, goals, subject-to entries); `reads` gets the metrics both sides name.
  std::optional<Comparison> comparison(const ast::Expr& e, const char* what, std::vector<Id>* reads);
  bool requireNumber(ExprId e, const char* what);
  void adopt(ExprId e, const Unit& u);
  std::optional<double> fold(ExprId id) const;

 private:
  Ctx& x_;
  ExprId add(Expr e, Meta mt = {});
  ExprId constant(double v, Range r, Unit u = {}, bool isFlex = false);
  ExprId error(Range r);
  std::vector<Id> unionDims(const std::vector<Id>& a, const std::vector<Id>& b) const;
  ExprId convert(ExprId e, const Unit& to);
  std::optional<ExprId> inUnit(ExprId r, const Unit& u);
  bool unify(ExprId& a, ExprId& b, Range where, const char* verb);
  std::optional<size_t> unifyAll(std::vector<ExprId>& as, Range where);
  bool requireBool(ExprId e, const char* what);
  bool requireDimensionless(ExprId e, const char* what);
  ExprId node(Op op, Range r, std::vector<ExprId> args, Unit u, bool boolean = false);
  ExprId flexNode(Op op, Range r, std::vector<ExprId> args);
  ExprId lowerName(const ast::Expr& e, const Scope& s);
  ExprId lowerBinary(const ast::Expr& e, const Scope& s);
  ExprId lowerIndex(const ast::Expr& e, const Scope& s);
  ExprId lowerCall(const ast::Expr& e, const Scope& s);
  ExprId lowerReduction(const ast::Expr& e, const Builtin& b, const Scope& s);
  ExprId lowerUserCall(const ast::Expr& e, const ast::FunctionDecl& fn, const Scope& s);
  bool argCount(const ast::Expr& e, size_t lo, size_t hi);
  std::optional<int64_t> wholeArg(ExprId a, const char* what, int64_t min);
};

// ------------------------------------------------------------ passes

void checkHeader(Ctx& x);        // names.cpp
void checkUnits(Ctx& x);
void declareNames(Ctx& x);
void checkSources(Ctx& x);       // declarations.cpp
void checkDimensions(Ctx& x);
void checkParams(Ctx& x);
void checkFunctions(Ctx& x);
void checkMetrics(Ctx& x);       // metrics.cpp
void checkCycles(Ctx& x);
void checkRelations(Ctx& x);     // relations.cpp
void checkConstraintsGoalsEvents(Ctx& x);
void checkBenchmarks(Ctx& x);
void checkStatements(Ctx& x);    // statements.cpp
void runLints(Ctx& x);           // lints.cpp

// Runs the passes in order over a compilation whose files are loaded.
void runPasses(Compilation& c, const CompileOptions& o);

}  // namespace mtc::check
