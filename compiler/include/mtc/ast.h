// The abstract syntax tree of one .mtree file.
//
// The AST is a faithful record of what was written, with a source range on every
// node. It is built by parse.cpp from ANTLR's parse tree (which is discarded), and
// consumed by the checker (check.cpp), the formatter and the language server.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mtc/source.h"

namespace mtc::ast {

struct Ident {
  std::string name;
  Range range;
};

// A unit expression, flattened to a product of powers: USD/(patient*month) is
// {USD^1, patient^-1, month^-1}. A literal `1` contributes no term.
struct UnitTerm {
  std::string name;
  int power = 1;
  Range range;
};
struct UnitExpr {
  std::vector<UnitTerm> terms;
  Range range;
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

enum class ExprKind { Number, String, Quantity, Name, Call, Unary, Binary, Index };
enum class UnOp { Neg, Plus, Not };
enum class BinOp { Add, Sub, Mul, Div, Pow, Lt, Le, Gt, Ge, Eq, Ne, And, Or };

const char* binOpText(BinOp op);
const char* unOpText(UnOp op);

struct SliceSel {
  std::optional<Ident> dim;  // `channel:` in x[channel: ppc]
  Ident value;
};

struct Expr {
  ExprKind kind;
  Range range;
  // Number / Quantity: value as written (percent already divided by 100)
  double number = 0;
  bool percent = false;
  std::string text;  // Number: the literal as written; String: the decoded string
  UnitExpr unit;     // Quantity
  // Name: a.b.c (one part for a plain name)
  std::vector<Ident> path;
  // Call
  Ident callee;
  std::vector<ExprPtr> args;
  std::vector<Ident> over;
  Range overRange;  // the `over ...` clause
  // Unary / Binary
  UnOp unop = UnOp::Neg;
  BinOp binop = BinOp::Add;
  ExprPtr lhs, rhs;  // Unary uses lhs
  // Index: lhs[sel, ...]
  std::vector<SliceSel> selectors;

  explicit Expr(ExprKind k, Range r) : kind(k), range(r) {}
};

// A period as written (2025-07, 2025-Q3, 2025-W31, 2025-07-30, 2025); the
// checker validates it against the model's grain.
struct PeriodLit {
  std::string text;
  Range range;
  bool spaced = false;  // written with spaces inside (e.g. `2025 - 07`): invalid
};
struct PeriodSpanLit {
  PeriodLit from;
  std::optional<PeriodLit> to;
  Range range;
};
struct DurationLit {
  long long count = 0;
  Ident unit;  // day(s), week(s), month(s), quarter(s), year(s)
  Range range;
};

struct PropItem {
  enum class Kind { Expr, Duration, PeriodSpan } kind = Kind::Expr;
  ExprPtr expr;
  DurationLit duration;
  PeriodSpanLit span;
  Range range;
  std::string text;  // source text of the item
};
struct PropEntry {
  Ident key;
  std::vector<PropItem> values;
  Range range;
};
struct PropBlock {
  std::vector<PropEntry> entries;
  Range range;
  bool present = false;
  const PropEntry* find(const std::string& key) const {
    for (auto& e : entries) if (e.key.name == key) return &e;
    return nullptr;
  }
};

struct Distribution {
  Ident name;
  std::vector<ExprPtr> args;
  Range range;
};

struct SliceMap;
struct SliceEntry {
  Ident key;
  ExprPtr value;                     // a leaf value...
  std::unique_ptr<SliceMap> nested;  // ...or a nested map for the next dimension
  std::optional<Distribution> dist;
  Range range;
};
struct SliceMap {
  std::vector<SliceEntry> entries;
  Range range;
};

enum class DeclKind {
  Model, Import, Unit, Dimension, Chain, Source, Param, Metric, Relation, Constraint, Event,
  Goal, Benchmark, Function,
  Describe, Diagnose, Forecast, Seek, Simulate, Optimize, Recommend
};
const char* declKindName(DeclKind k);
inline bool isStatement(DeclKind k) { return k >= DeclKind::Describe; }

struct Decl {
  DeclKind kind;
  Range range;      // the whole declaration
  Range keywordRange;
  Ident name;       // empty for relations and unnamed statements
  std::optional<std::string> title;
  Range titleRange;
  std::string doc;  // from /// comments
  PropBlock props;
  FileId file = kNoFile;
  bool broken = false;  // it has a syntax error: what was recovered, for tools; the checker skips it
  explicit Decl(DeclKind k) : kind(k) {}
  virtual ~Decl() = default;
};

struct ModelDecl : Decl { ModelDecl() : Decl(DeclKind::Model) {} };
struct ImportDecl : Decl {
  std::string path;
  Range pathRange;
  ImportDecl() : Decl(DeclKind::Import) {}
};
struct UnitDecl : Decl {
  std::optional<double> factor;  // unit kUSD = 1000 USD
  UnitExpr base;
  UnitDecl() : Decl(DeclKind::Unit) {}
};
struct DimValueDecl {
  Ident name;
  std::optional<std::string> title;
};
struct DimensionDecl : Decl {
  std::vector<DimValueDecl> values;
  std::vector<Ident> from;  // source.column
  bool fromSource = false;
  DimensionDecl() : Decl(DeclKind::Dimension) {}
};
struct StageDecl {
  Ident name;
  std::optional<std::string> title;
  std::string doc;
  PropBlock props;
  Range range;
};
struct ChainDecl : Decl {
  std::optional<Ident> chainKind;  // external | internal
  std::vector<StageDecl> stages;
  ChainDecl() : Decl(DeclKind::Chain) {}
};
// A source's argument: a string, or a call on one (`env("DW_URL")`: `call` is
// "env", `value` the name).
struct StringArg {
  std::string value;
  Range range;                 // the whole argument
  std::optional<Ident> call;   // the function, when the argument is a call
};
struct SourceDecl : Decl {
  Ident function;  // csv | sqlite | postgres
  std::vector<StringArg> args;
  SourceDecl() : Decl(DeclKind::Source) {}
};
struct ParamDecl : Decl {
  UnitExpr unit;
  std::vector<Ident> dims;
  ExprPtr value;                  // scalar value, or
  std::unique_ptr<SliceMap> map;  // per-slice values
  std::optional<Distribution> dist;
  ParamDecl() : Decl(DeclKind::Param) {}
};
struct MetricDecl : Decl {
  UnitExpr unit;
  std::vector<Ident> dims;
  ExprPtr formula;
  MetricDecl() : Decl(DeclKind::Metric) {}
};
struct RelationDecl : Decl {
  Ident from, to;
  bool bidirectional = false;
  Ident relKind;
  RelationDecl() : Decl(DeclKind::Relation) {}
};
struct ConstraintDecl : Decl {
  ExprPtr expr;
  ConstraintDecl() : Decl(DeclKind::Constraint) {}
};
struct EventDecl : Decl {
  PeriodSpanLit when;
  EventDecl() : Decl(DeclKind::Event) {}
};
struct GoalDecl : Decl {
  ExprPtr expr;
  std::optional<PeriodLit> by;
  GoalDecl() : Decl(DeclKind::Goal) {}
};
struct BenchmarkDecl : Decl {
  SliceMap levels;
  BenchmarkDecl() : Decl(DeclKind::Benchmark) {}
};
struct FunctionDecl : Decl {
  std::vector<Ident> params;
  ExprPtr body;
  FunctionDecl() : Decl(DeclKind::Function) {}
};

struct DescribeStmt : Decl {
  std::vector<Ident> metrics;
  std::optional<PeriodLit> from, to;
  std::optional<PeriodSpanLit> at;
  DescribeStmt() : Decl(DeclKind::Describe) {}
};
struct DiagnoseStmt : Decl {
  Ident metric;
  PeriodLit at;
  enum class Vs { Previous, SameLastYear, Period } vs = Vs::Previous;
  bool vsWritten = false;
  PeriodLit vsPeriod;
  Range vsRange;
  DiagnoseStmt() : Decl(DeclKind::Diagnose) {}
};
struct ForecastStmt : Decl {  // also simulate
  std::vector<Ident> metrics;
  DurationLit horizon;
  explicit ForecastStmt(DeclKind k = DeclKind::Forecast) : Decl(k) {}
};
struct SeekStmt : Decl {
  Ident goal;
  std::vector<Ident> varying;
  SeekStmt() : Decl(DeclKind::Seek) {}
};
struct Bound {
  BinOp op;  // Ge, Le, Eq, Gt, Lt
  ExprPtr value;
  Range range;
};
struct VaryClause {
  bool integer = false;
  std::vector<Ident> vars;
  std::vector<Bound> bounds;
  Range range;
};
struct NamedExpr {
  Ident name;
  ExprPtr expr;
  Range range;
};
struct OptimizeStmt : Decl {
  bool hasObjective = false;
  bool maximize = true;
  ExprPtr objective;
  Range objectiveRange;
  int objectiveCount = 0;
  std::vector<VaryClause> vary;
  std::vector<NamedExpr> subjectTo;
  OptimizeStmt() : Decl(DeclKind::Optimize) {}
};
struct RecommendStmt : Decl {
  Ident goal;
  RecommendStmt() : Decl(DeclKind::Recommend) {}
};

struct File {
  FileId id = kNoFile;
  std::vector<std::unique_ptr<Decl>> decls;
  // Names declared by declarations with syntax errors: the checker does not
  // report them as unknown where they are used (one mistake, one error).
  std::vector<Ident> brokenNames;
};

}  // namespace mtc::ast
