// The checker: ASTs of a file and its imports -> the typed IR, or located errors.
//
// Passes, in order: model header; units; names of everything (so a name can be
// used before the line that declares it); sources and dimensions; params; metric
// properties and formulas (typed lowering); the dependency graph (cycles, topological
// order); relations, constraints, goals, events, benchmarks; statements; lints.
// Each pass reports what it can and goes on, so one run shows many errors.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "mtc/compiler.h"
#include "mtc/fileio.h"

namespace mtc {
namespace {

using namespace ir;
namespace fs = std::filesystem;

const char* kBuiltinFunctions[] = {
    "sum", "mean", "min", "max", "if", "abs", "log", "exp", "sqrt", "clamp", "lag", "delta",
    "pct_change", "cumsum", "rolling_mean", "rolling_sum", "ytd", "yoy", "share", "hill",
    "saturate", "adstock"};

// "a metric", "an optimization": the kind with its article, for messages.
std::string aKind(SymKind k) {
  std::string n = symKindName(k);
  return (n[0] == 'a' || n[0] == 'e' || n[0] == 'i' || n[0] == 'o' ? "an " : "a ") + n;  // "a unit"
}

bool isBuiltinFunction(const std::string& n) {
  for (const char* f : kBuiltinFunctions)
    if (n == f) return true;
  return false;
}

std::string joinNames(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

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
};

class Checker {
 public:
  Checker(Compilation& c, const CompileOptions& o) : c_(c), o_(o), d_(c.diags), m_(*c.model) {}

  void run() {
    // A declaration with a syntax error was reported by the parser: the checker
    // skips it, and does not call the names it declares unknown.
    for (auto& f : c_.files) {
      for (auto& d : f->decls)
        if (!d->broken) decls_.push_back(d.get());
      for (auto& n : f->brokenNames) brokenNames_.insert(n.name);
    }
    // The IR grows with the source: reserve by its size, so large models do not
    // copy (and fault in) these arrays again and again as they double. Pages of
    // a reservation are only touched when used.
    size_t bytes = 0;
    for (auto& f : c_.files) bytes += c_.sources.file(f->id).text().size();
    m_.exprs.reserve(bytes / 8);
    meta_.reserve(bytes / 8);
    c_.occurrences.reserve(bytes / 8);
    for (auto* d : decls_) {
      duplicateKeys(d->props);
      if (d->kind == ast::DeclKind::Chain)
        for (auto& st : static_cast<const ast::ChainDecl*>(d)->stages) duplicateKeys(st.props);
    }
    header();
    units();
    names();
    sources();
    dimensions();
    params();
    functions();
    metrics();
    graph();
    relations();
    constraintsGoalsEvents();
    benchmarks();
    statements();
    if (o_.lints) lints();
  }

 private:
  Compilation& c_;
  const CompileOptions& o_;
  Diagnostics& d_;
  Model& m_;
  std::vector<const ast::Decl*> decls_;
  std::set<std::string> brokenNames_;  // declared by declarations with syntax errors
  std::vector<Meta> meta_;

  std::map<std::string, Sym> values_;  // params, metrics, functions
  std::map<std::string, Sym> items_;   // goals, constraints, events, named optimizations
  std::map<std::string, Id> dimIds_, stageIds_, chainIds_, sourceIds_;
  std::map<std::string, Range> unitDecls_;
  std::map<std::string, const ast::FunctionDecl*> functions_;
  std::vector<const ast::MetricDecl*> metricDecls_;
  std::vector<const ast::ParamDecl*> paramDecls_;
  // A param or metric whose declared unit or dimensions did not resolve (reported
  // there): its uses are not checked against a type that is not its real one.
  std::vector<bool> paramBad_, metricBad_;

  bool inMain(const ast::Decl* d) const { return !c_.files.empty() && d->file == c_.files[0]->id; }

  void occur(Range r, SymKind k, const std::string& name, Range decl, bool isDecl = false) {
    if (r.valid()) c_.occurrences.push_back({r, k, name, decl, isDecl});
  }

  // ------------------------------------------------------------ helpers

  std::optional<Period> period(const ast::PeriodLit& p) {
    if (p.text.empty()) return std::nullopt;  // a syntax error was reported
    if (p.spaced) {
      d_.report(DiagCode::InvalidPeriod, p.range, "a period is written as one word, without spaces")
          .note("write it like 2025-07, 2025-Q3, 2025-W31 or 2025-07-30");
      return std::nullopt;
    }
    std::string why;
    auto r = parsePeriod(p.text, &why);
    if (!r) d_.report(DiagCode::InvalidPeriod, p.range, fmt::format("invalid period '{}': {}", p.text, why));
    return r;
  }
  std::optional<Period> periodText(const std::string& text, Range r) {
    ast::PeriodLit p;
    p.text = text;
    p.range = r;
    for (char ch : text)
      if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') p.spaced = true;
    if (p.spaced) {
      p.text.erase(std::remove_if(p.text.begin(), p.text.end(), [](char ch) { return std::isspace(static_cast<unsigned char>(ch)); }), p.text.end());
    }
    return period(p);
  }

  std::optional<int64_t> duration(const ast::DurationLit& du) {
    auto g = grainFromName(du.unit.name);
    if (!g) {
      d_.report(DiagCode::InvalidDuration, du.unit.range, fmt::format("unknown time unit '{}'", du.unit.name))
          .note("durations use day(s), week(s), month(s), quarter(s) or year(s)");
      return std::nullopt;
    }
    auto n = durationInGrain(du.count, *g, m_.grain);
    if (!n) {
      if (durationFits(du.count, *g, m_.grain)) return 0;  // calendar-dependent (months at day grain)
      d_.report(DiagCode::InvalidDuration, du.range,
                fmt::format("{} {} is not a whole number of {}s (the model's grain)", du.count, du.unit.name,
                            grainName(m_.grain)));
      return std::nullopt;
    }
    return n;
  }

  std::optional<Unit> unit(const ast::UnitExpr& ue) {
    Unit u;
    bool ok = true;
    for (auto& t : ue.terms) {
      auto b = m_.units.lookup(t.name);
      if (!b && brokenNames_.count(t.name)) {
        ok = false;
        continue;
      }
      if (!b) {
        auto& rep = d_.report(DiagCode::UnknownUnit, t.range, fmt::format("unknown unit '{}'", t.name));
        std::string s = closestMatch(t.name, m_.units.names());
        if (!s.empty()) rep.note(fmt::format("did you mean '{}'?", s));
        else rep.note(fmt::format("declare it with `unit {}`", t.name));
        ok = false;
        continue;
      }
      auto it = unitDecls_.find(t.name);
      occur(t.range, SymKind::Unit, t.name, it != unitDecls_.end() ? it->second : Range{});
      u = u * b->pow(t.power);
    }
    if (!ok) return std::nullopt;
    return u;
  }
  std::string fmtUnit(const Unit& u) const { return m_.units.format(u); }

  void unknownName(Range r, const std::string& name, const std::vector<std::string>& candidates,
                   const char* what) {
    if (brokenNames_.count(name)) return;  // its declaration has a syntax error, reported already
    auto& rep = d_.report(DiagCode::UnknownName, r, fmt::format("unknown {} '{}'", what, name));
    std::string s = closestMatch(name, candidates);
    if (!s.empty()) rep.note(fmt::format("did you mean '{}'?", s));
  }
  template <typename M>
  static std::vector<std::string> keys(const M& m) {
    std::vector<std::string> v;
    for (auto& [k, _] : m) v.push_back(k);
    return v;
  }

  std::optional<Id> dimByName(const ast::Ident& id) {
    auto it = dimIds_.find(id.name);
    if (it == dimIds_.end()) {
      unknownName(id.range, id.name, keys(dimIds_), "dimension");
      return std::nullopt;
    }
    occur(id.range, SymKind::Dimension, id.name, m_.dims[it->second].range);
    return it->second;
  }
  std::vector<Id> dimList(const std::vector<ast::Ident>& ids, bool* ok = nullptr) {
    std::vector<Id> out;
    for (auto& i : ids) {
      auto d = dimByName(i);
      if (!d) {
        if (ok) *ok = false;
        continue;
      }
      if (std::find(out.begin(), out.end(), *d) != out.end()) {
        d_.report(DiagCode::Duplicate, i.range, fmt::format("dimension '{}' is listed twice", i.name));
        continue;
      }
      out.push_back(*d);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  std::string dimsText(const std::vector<Id>& ds) const {
    if (ds.empty()) return "no dimensions";
    std::vector<std::string> v;
    for (Id d : ds) v.push_back(m_.dims[d].name);
    return joinNames(v);
  }

  // Index of a dimension value; for a dimension whose values come from data, a
  // value the model names is added (the runtime checks it against the data).
  std::optional<uint32_t> dimValue(Id dim, const ast::Ident& v) {
    Dimension& D = m_.dims[dim];
    int i = D.index(v.name);
    if (i < 0 && D.fromSource) {
      D.values.push_back(v.name);
      D.valueTitles.emplace_back();
      i = static_cast<int>(D.values.size()) - 1;
    }
    if (i < 0) {
      auto& rep = d_.report(DiagCode::UnknownDimValue, v.range,
                            fmt::format("'{}' is not a value of dimension '{}'", v.name, D.name));
      std::string s = closestMatch(v.name, D.values);
      if (!s.empty()) rep.note(fmt::format("did you mean '{}'?", s));
      rep.note(D.range, fmt::format("'{}' has the values {}", D.name, joinNames(D.values)));
      return std::nullopt;
    }
    occur(v.range, SymKind::DimValue, D.name + "." + v.name, D.range);
    return static_cast<uint32_t>(i);
  }

  // ------------------------------------------------------------ expressions (IR)

  ExprId add(Expr e, Meta mt = {}) {
    m_.exprs.push_back(std::move(e));
    meta_.push_back(mt);
    return static_cast<ExprId>(m_.exprs.size() - 1);
  }
  Expr& X(ExprId e) { return m_.exprs[e]; }
  bool flex(ExprId e) const { return meta_[e].flex; }
  bool poison(ExprId e) const { return meta_[e].poison; }
  ExprId constant(double v, Range r, Unit u = {}, bool isFlex = false) {
    Expr e;
    e.op = Op::Const;
    e.value = v;
    e.range = r;
    e.type.unit = u;
    return add(std::move(e), Meta{isFlex, false});
  }
  ExprId error(Range r) {
    Expr e;
    e.op = Op::Const;
    e.range = r;
    return add(std::move(e), Meta{true, true});
  }

  // Folds an expression made of constants; nullopt when it reads params or metrics.
  std::optional<double> fold(ExprId id) const {
    const Expr& e = m_.exprs[id];
    auto a = [&](size_t i) { return fold(e.args[i]); };
    switch (e.op) {
      case Op::Const: return e.value;
      case Op::Neg: { auto x = a(0); if (!x) return std::nullopt; return -*x; }
      case Op::Add: case Op::Sub: case Op::Mul: case Op::Div: case Op::Pow: {
        auto x = a(0), y = a(1);
        if (!x || !y) return std::nullopt;
        switch (e.op) {
          case Op::Add: return *x + *y;
          case Op::Sub: return *x - *y;
          case Op::Mul: return *x * *y;
          case Op::Div: return *x / *y;
          default: return std::pow(*x, *y);
        }
      }
      default: return std::nullopt;
    }
  }

  std::vector<Id> unionDims(const std::vector<Id>& a, const std::vector<Id>& b) {
    std::vector<Id> r;
    std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(r));
    return r;
  }

  // e expressed in unit `to` (same dimension, another scale).
  ExprId convert(ExprId e, const Unit& to) {
    const Unit& from = X(e).type.unit;
    if (from == to) return e;
    double f = from.scale() / to.scale();
    if (X(e).op == Op::Const) {
      Expr c = X(e);
      c.value *= f;
      c.type.unit = to;
      return add(std::move(c), meta_[e]);
    }
    Expr m;
    m.op = Op::Mul;
    m.range = X(e).range;
    m.type = X(e).type;
    m.type.unit = to;
    m.args = {e, constant(f, X(e).range)};
    return add(std::move(m));
  }

  // Gives a flexible value the unit its position needs. A flexible value is a
  // bare number, or an expression whose numbers are all bare (`if(c, 1, 0)`,
  // `max(0, 1 - 2)`, `-(3)`): the unit flows down to every bare number in it.
  void adopt(ExprId e, const Unit& u) {
    if (!flex(e)) return;
    meta_[e].flex = false;
    Expr& x = X(e);
    x.type.unit = u;
    switch (x.op) {
      case Op::If: adopt(x.args[1], u); adopt(x.args[2], u); break;
      case Op::Neg: case Op::Abs: case Op::Add: case Op::Sub: case Op::Min: case Op::Max: case Op::Clamp:
      case Op::SumOver: case Op::MeanOver: case Op::MinOver: case Op::MaxOver:
        for (ExprId a : std::vector<ExprId>(x.args)) adopt(a, u);
        break;
      default: break;
    }
  }

  // r in unit u: a flexible value adopts it, another scale of the same unit is
  // converted; nullopt when the units differ (the caller reports how).
  std::optional<ExprId> inUnit(ExprId r, const Unit& u) {
    if (flex(r)) {
      adopt(r, u);
      return r;
    }
    if (X(r).type.unit == u) return r;
    if (X(r).type.unit.sameDimension(u)) return convert(r, u);
    return std::nullopt;
  }

  // Brings two operands to one unit (for +, -, comparisons, min/max, if branches).
  // Returns false after reporting a mismatch.
  bool unify(ExprId& a, ExprId& b, Range where, const char* verb) {
    if (poison(a) || poison(b)) return true;
    if (flex(a) && flex(b)) return true;
    if (flex(a)) { adopt(a, X(b).type.unit); return true; }
    if (auto nb = inUnit(b, X(a).type.unit)) { b = *nb; return true; }
    const Unit& ua = X(a).type.unit;
    const Unit& ub = X(b).type.unit;
    d_.report(DiagCode::UnitMismatch, where,
              fmt::format("cannot {} '{}' and '{}'", verb, fmtUnit(ua), fmtUnit(ub)))
        .note(X(a).range, fmt::format("this is {}", fmtUnit(ua)))
        .note(X(b).range, fmt::format("this is {}", fmtUnit(ub)));
    // what is built from them has no meaningful unit: no follow-on errors
    // (such as the declared-unit check of the metric)
    meta_[a].poison = meta_[b].poison = true;
    return false;
  }

  // Brings compared operands (min, max, clamp) to the unit of the first one that
  // is not flexible, and returns its index; nullopt when all are flexible.
  std::optional<size_t> unifyAll(std::vector<ExprId>& as, Range where) {
    auto it = std::find_if(as.begin(), as.end(), [&](ExprId a) { return !flex(a); });
    if (it == as.end()) return std::nullopt;
    size_t ref = static_cast<size_t>(it - as.begin());
    for (size_t i = 0; i < as.size(); ++i)
      if (i != ref) unify(as[ref], as[i], where, "compare");
    return ref;
  }

  bool requireNumber(ExprId e, const char* what) {
    if (poison(e) || !X(e).type.boolean) return true;
    d_.report(DiagCode::InvalidExpr, X(e).range, fmt::format("a comparison cannot be used as {}", what));
    return false;
  }
  bool requireBool(ExprId e, const char* what) {
    if (poison(e) || X(e).type.boolean) return true;
    d_.report(DiagCode::InvalidExpr, X(e).range, fmt::format("{} needs a condition (a comparison), not a number", what));
    return false;
  }
  bool requireDimensionless(ExprId e, const char* what) {
    if (poison(e) || flex(e)) return true;
    if (X(e).type.unit.dimensionless()) return true;
    d_.report(DiagCode::UnitMismatch, X(e).range,
              fmt::format("{} needs a ratio (a number without unit), not '{}'", what, fmtUnit(X(e).type.unit)));
    return false;
  }

  // A node combining args element-wise; the type's dims and shape come from the args.
  ExprId node(Op op, Range r, std::vector<ExprId> args, Unit u, bool boolean = false) {
    Expr e;
    e.op = op;
    e.range = r;
    e.type.unit = u;
    e.type.boolean = boolean;
    bool anyPoison = false;
    for (ExprId a : args) {
      e.type.dims = unionDims(e.type.dims, X(a).type.dims);
      if (X(a).type.shape == Shape::Series) e.type.shape = Shape::Series;
      anyPoison |= poison(a);
    }
    e.args = std::move(args);
    return add(std::move(e), Meta{false, anyPoison});
  }
  // A node over flexible operands: it stays flexible until its position gives it a unit.
  ExprId flexNode(Op op, Range r, std::vector<ExprId> args) {
    ExprId id = node(op, r, std::move(args), Unit{});
    meta_[id].flex = true;
    return id;
  }

  struct Scope {
    const std::map<std::string, ExprId>* args = nullptr;  // inside a user function
    bool constOnly = false;  // param values, bounds: no metric or param references
    const char* constWhat = "";
    std::vector<const ast::FunctionDecl*> expanding;  // user functions being inlined
  };

  ExprId lower(const ast::Expr& e, const Scope& s) {
    switch (e.kind) {
      case ast::ExprKind::Number: return constant(e.number, e.range, Unit{}, true);
      case ast::ExprKind::String:
        d_.report(DiagCode::InvalidExpr, e.range, "a string cannot be used in a formula");
        return error(e.range);
      case ast::ExprKind::Quantity: {
        auto u = unit(e.unit);
        if (!u) return error(e.range);
        return constant(e.number, e.range, *u);
      }
      case ast::ExprKind::Name: return lowerName(e, s);
      case ast::ExprKind::Unary: {
        ExprId a = lower(*e.lhs, s);
        if (e.unop == ast::UnOp::Not) {
          requireBool(a, "'not'");
          return node(Op::Not, e.range, {a}, Unit{}, true);
        }
        requireNumber(a, "a number");
        if (e.unop == ast::UnOp::Plus) return a;
        if (flex(a)) {
          if (auto v = fold(a)) return constant(-*v, e.range, Unit{}, true);
          return flexNode(Op::Neg, e.range, {a});
        }
        return node(Op::Neg, e.range, {a}, X(a).type.unit);
      }
      case ast::ExprKind::Binary: return lowerBinary(e, s);
      case ast::ExprKind::Call: return lowerCall(e, s);
      case ast::ExprKind::Index: return lowerIndex(e, s);
    }
    return error(e.range);
  }

  ExprId lowerName(const ast::Expr& e, const Scope& s) {
    if (e.path.empty()) return error(e.range);
    if (e.path.size() > 1) {
      d_.report(DiagCode::InvalidExpr, e.range,
                fmt::format("'{}' is a qualified name; formulas name metrics and params directly",
                            c_.sources.textOf(e.range)))
          .note("source columns are named in a metric's `data:` property");
      return error(e.range);
    }
    const ast::Ident& id = e.path[0];
    if (s.args) {
      auto it = s.args->find(id.name);
      if (it != s.args->end()) return it->second;
    }
    auto it = values_.find(id.name);
    if (it == values_.end()) {
      std::vector<std::string> cands = keys(values_);
      if (s.args) for (auto& [k, _] : *s.args) cands.push_back(k);
      if (dimIds_.count(id.name)) {
        d_.report(DiagCode::WrongKind, id.range,
                  fmt::format("'{}' is a dimension; it can only follow `over` or select a slice", id.name));
        return error(e.range);
      }
      unknownName(id.range, id.name, cands, "name");
      return error(e.range);
    }
    const Sym& sym = it->second;
    if (sym.kind == SymKind::Function) {
      d_.report(DiagCode::WrongKind, id.range, fmt::format("'{}' is a function; call it with arguments", id.name))
          .note(sym.declRange, "declared here");
      return error(e.range);
    }
    occur(id.range, sym.kind, id.name, sym.declRange);
    if ((sym.kind == SymKind::Metric && sym.id < metricBad_.size() && metricBad_[sym.id]) ||
        (sym.kind == SymKind::Param && sym.id < paramBad_.size() && paramBad_[sym.id]))
      return error(e.range);  // its declared type has an error, reported there
    if (s.constOnly) {
      d_.report(DiagCode::InvalidExpr, id.range,
                fmt::format("{} must be a constant: numbers and quantities, not '{}'", s.constWhat, id.name));
      return error(e.range);
    }
    Expr x;
    x.range = e.range;
    x.ref = sym.id;
    if (sym.kind == SymKind::Metric) {
      const Metric& M = m_.metrics[sym.id];
      x.op = Op::Metric;
      x.type.unit = M.unit;
      x.type.dims = M.dims;
      x.type.shape = Shape::Series;
    } else {
      const Param& P = m_.params[sym.id];
      x.op = Op::Param;
      x.type.unit = P.unit;
      x.type.dims = P.dims;
      x.type.shape = Shape::Constant;
    }
    return add(std::move(x));
  }

  ExprId lowerBinary(const ast::Expr& e, const Scope& s) {
    ExprId a = lower(*e.lhs, s);
    ExprId b = lower(*e.rhs, s);
    using B = ast::BinOp;
    switch (e.binop) {
      case B::And: case B::Or:
        requireBool(a, e.binop == B::And ? "'and'" : "'or'");
        requireBool(b, e.binop == B::And ? "'and'" : "'or'");
        return node(e.binop == B::And ? Op::And : Op::Or, e.range, {a, b}, Unit{}, true);
      default: break;
    }
    requireNumber(a, "a number");
    requireNumber(b, "a number");
    // Bare numbers fold into one flexible literal.
    auto fa = flex(a) ? fold(a) : std::nullopt, fb = flex(b) ? fold(b) : std::nullopt;
    if (fa && fb && !poison(a) && !poison(b)) {
      double x = *fa, y = *fb;
      switch (e.binop) {
        case B::Add: return constant(x + y, e.range, Unit{}, true);
        case B::Sub: return constant(x - y, e.range, Unit{}, true);
        case B::Mul: return constant(x * y, e.range, Unit{}, true);
        case B::Div: return constant(x / y, e.range, Unit{}, true);
        case B::Pow: return constant(std::pow(x, y), e.range, Unit{}, true);
        default: break;
      }
    }
    switch (e.binop) {
      case B::Add: case B::Sub: {
        if (flex(a) && flex(b)) return flexNode(e.binop == B::Add ? Op::Add : Op::Sub, e.range, {a, b});
        unify(a, b, e.range, e.binop == B::Add ? "add" : "subtract");
        const Unit& u = flex(a) ? X(b).type.unit : X(a).type.unit;
        return node(e.binop == B::Add ? Op::Add : Op::Sub, e.range, {a, b}, u);
      }
      case B::Mul: case B::Div: {
        adopt(a, Unit{});
        adopt(b, Unit{});
        Unit u = e.binop == B::Mul ? X(a).type.unit * X(b).type.unit : X(a).type.unit / X(b).type.unit;
        return node(e.binop == B::Mul ? Op::Mul : Op::Div, e.range, {a, b}, u);
      }
      case B::Pow: {
        adopt(b, Unit{});
        requireDimensionless(b, "an exponent");
        adopt(a, Unit{});
        Unit u;
        const Unit& ua = X(a).type.unit;
        if (!ua.dimensionless() && !poison(a)) {
          auto k = fold(b);
          if (!k || *k != std::floor(*k) || std::abs(*k) > 64) {
            d_.report(DiagCode::UnitMismatch, e.range,
                      fmt::format("'{}' can only be raised to a constant whole power", fmtUnit(ua)))
                .note(X(b).range, "this exponent is not a constant whole number");
            return error(e.range);
          }
          u = ua.pow(static_cast<int>(*k));
        }
        return node(Op::Pow, e.range, {a, b}, u);
      }
      default: {  // comparisons
        unify(a, b, e.range, "compare");
        Op op = Op::Lt;
        switch (e.binop) {
          case B::Lt: op = Op::Lt; break;
          case B::Le: op = Op::Le; break;
          case B::Gt: op = Op::Gt; break;
          case B::Ge: op = Op::Ge; break;
          case B::Eq: op = Op::Eq; break;
          default: op = Op::Ne; break;
        }
        return node(op, e.range, {a, b}, Unit{}, true);
      }
    }
  }

  ExprId lowerIndex(const ast::Expr& e, const Scope& s) {
    ExprId a = lower(*e.lhs, s);
    if (poison(a)) return a;
    Expr x;
    x.op = Op::Select;
    x.range = e.range;
    x.type = X(a).type;
    x.args = {a};
    for (auto& sel : e.selectors) {
      std::optional<Id> dim;
      if (sel.dim) {
        dim = dimByName(*sel.dim);
        if (!dim) return error(e.range);
      } else {
        // `x[ppc]`: the dimension of x that lists the value. Only listed values
        // count: a dimension whose values come from data also holds the values the
        // model has named so far, and using those would depend on declaration order.
        std::vector<Id> hits;
        for (Id d : x.type.dims)
          if (m_.dims[d].resolved && m_.dims[d].index(sel.value.name) >= 0) hits.push_back(d);
        if (hits.size() > 1) {
          d_.report(DiagCode::InvalidExpr, sel.value.range,
                    fmt::format("'{}' is a value of several dimensions; write dimension: value", sel.value.name));
          return error(e.range);
        }
        if (hits.empty()) {
          // a dimension whose values come from data may have it: when x has
          // exactly one such dimension, the value is taken to be of that one
          for (Id d : x.type.dims)
            if (!m_.dims[d].resolved) hits.push_back(d);
        }
        if (hits.size() != 1) {
          d_.report(DiagCode::UnknownDimValue, sel.value.range,
                    hits.empty() ? fmt::format("'{}' is not a value of any dimension of this expression ({})",
                                               sel.value.name, dimsText(x.type.dims))
                                 : fmt::format("'{}' may be a value of {} (their values come from data); write dimension: value",
                                               sel.value.name, dimsText(hits)));
          return error(e.range);
        }
        dim = hits[0];
      }
      auto it = std::find(x.type.dims.begin(), x.type.dims.end(), *dim);
      if (it == x.type.dims.end()) {
        d_.report(DiagCode::DimensionMismatch, sel.dim ? sel.dim->range : sel.value.range,
                  fmt::format("this expression has no dimension '{}' to select from (it has {})", m_.dims[*dim].name,
                              dimsText(x.type.dims)));
        return error(e.range);
      }
      auto v = dimValue(*dim, sel.value);
      if (!v) return error(e.range);
      x.type.dims.erase(it);
      x.select.push_back({*dim, *v});
    }
    return add(std::move(x));
  }

  bool argCount(const ast::Expr& e, size_t lo, size_t hi) {
    size_t n = e.args.size();
    if (n >= lo && n <= hi) return true;
    std::string want = lo == hi ? fmt::format("{}", lo) : hi > 100 ? fmt::format("at least {}", lo)
                                                                    : fmt::format("{} to {}", lo, hi);
    d_.report(DiagCode::InvalidCall, e.range,
              fmt::format("{}() takes {} argument{}, not {}", e.callee.name, want, (lo == 1 && hi == 1) ? "" : "s", n));
    return false;
  }
  std::optional<int64_t> wholeArg(ExprId a, const char* what, int64_t min) {
    auto v = fold(a);
    if (poison(a)) return std::nullopt;
    if (!v || !flex(a) || *v != std::floor(*v) || *v < static_cast<double>(min) || *v > 1e6) {
      d_.report(DiagCode::InvalidCall, X(a).range,
                fmt::format("{} must be a whole number{}", what, min > 0 ? " of periods, at least 1" : " of periods, 0 or more"));
      return std::nullopt;
    }
    return static_cast<int64_t>(*v);
  }

  ExprId lowerCall(const ast::Expr& e, const Scope& s) {
    const std::string& f = e.callee.name;
    if (!isBuiltinFunction(f)) {
      auto fit = functions_.find(f);
      if (fit == functions_.end()) {
        auto vit = values_.find(f);
        if (vit != values_.end()) {
          d_.report(DiagCode::WrongKind, e.callee.range, fmt::format("'{}' is {}, not a function", f, aKind(vit->second.kind)))
              .note(vit->second.declRange, "declared here");
          return error(e.range);
        }
        std::vector<std::string> cands(std::begin(kBuiltinFunctions), std::end(kBuiltinFunctions));
        for (auto& [k, _] : functions_) cands.push_back(k);
        unknownName(e.callee.range, f, cands, "function");
        return error(e.range);
      }
      return lowerUserCall(e, *fit->second, s);
    }
    auto arg = [&](size_t i) { return lower(*e.args[i], s); };
    bool hasOver = !e.over.empty();
    if (hasOver && f != "sum" && f != "mean" && f != "min" && f != "max" && f != "share") {
      d_.report(DiagCode::InvalidCall, e.overRange, fmt::format("{}() does not take `over`", f))
          .note("`over` reduces dimensions in sum, mean, min, max and share");
      return error(e.range);
    }
    // Reductions
    if (f == "sum" || f == "mean" || ((f == "min" || f == "max") && (hasOver || e.args.size() == 1)) || f == "share") {
      if (e.args.size() != 1) {
        d_.report(DiagCode::InvalidCall, e.range,
                  fmt::format("{}({}) takes exactly one expression{}", f, hasOver ? "... over ..." : "",
                              f == "sum" || f == "mean" ? "" : " with `over`"))
            .note(f == "min" || f == "max" ? "without `over`, min and max compare two or more values element-wise"
                                          : "`over` comes last and takes every name after it");
        return error(e.range);
      }
      ExprId a = arg(0);
      requireNumber(a, "a number");
      if (f == "share" && !hasOver) {
        d_.report(DiagCode::InvalidCall, e.range, "share() needs `over`: share(x over dimension)");
        return error(e.range);
      }
      bool flexArg = flex(a) && f != "share";
      adopt(a, flexArg ? X(a).type.unit : Unit{});
      std::vector<Id> over;
      if (hasOver) {
        for (auto& o : e.over) {
          auto d = dimByName(o);
          if (!d) return error(e.range);
          if (std::find(over.begin(), over.end(), *d) != over.end()) {
            d_.report(DiagCode::Duplicate, o.range, fmt::format("dimension '{}' is listed twice", o.name));
            continue;
          }
          if (!poison(a) && !std::binary_search(X(a).type.dims.begin(), X(a).type.dims.end(), *d)) {
            d_.report(DiagCode::DimensionMismatch, o.range,
                      fmt::format("cannot reduce over '{}': the expression has {}", o.name, dimsText(X(a).type.dims)));
            return error(e.range);
          }
          over.push_back(*d);
        }
        std::sort(over.begin(), over.end());
      } else {
        over = X(a).type.dims;  // every dimension: the grand total
      }
      Op op = f == "sum" ? Op::SumOver : f == "mean" ? Op::MeanOver : f == "min" ? Op::MinOver : f == "max" ? Op::MaxOver : Op::Share;
      Expr x;
      x.op = op;
      x.range = e.range;
      x.type = X(a).type;
      x.over = over;
      x.args = {a};
      if (op == Op::Share) {
        x.type.unit = Unit{};
      } else {
        std::vector<Id> rest;
        std::set_difference(x.type.dims.begin(), x.type.dims.end(), over.begin(), over.end(), std::back_inserter(rest));
        x.type.dims = rest;
      }
      return add(std::move(x), Meta{flexArg, poison(a)});
    }
    if (f == "min" || f == "max") {
      if (!argCount(e, 2, 1000)) return error(e.range);
      std::vector<ExprId> as;
      for (size_t i = 0; i < e.args.size(); ++i) {
        as.push_back(arg(i));
        requireNumber(as.back(), "a number");
      }
      Op op = f == "min" ? Op::Min : Op::Max;
      auto ref = unifyAll(as, e.range);
      if (!ref) {
        std::optional<double> v = fold(as[0]);
        for (ExprId a : as) {
          auto x = fold(a);
          v = v && x ? std::optional<double>(f == "min" ? std::min(*v, *x) : std::max(*v, *x)) : std::nullopt;
        }
        return v ? constant(*v, e.range, Unit{}, true) : flexNode(op, e.range, as);
      }
      return node(op, e.range, as, X(as[*ref]).type.unit);
    }
    if (f == "if") {
      if (!argCount(e, 3, 3)) return error(e.range);
      ExprId c = arg(0), a = arg(1), b = arg(2);
      requireBool(c, "if()");
      requireNumber(a, "a branch of if()");
      requireNumber(b, "a branch of if()");
      if (flex(a) && flex(b)) return flexNode(Op::If, e.range, {c, a, b});
      unify(a, b, e.range, "choose between");
      return node(Op::If, e.range, {c, a, b}, flex(a) ? X(b).type.unit : X(a).type.unit);
    }
    if (f == "abs") {
      if (!argCount(e, 1, 1)) return error(e.range);
      ExprId a = arg(0);
      requireNumber(a, "a number");
      if (flex(a)) {
        if (auto v = fold(a)) return constant(std::abs(*v), e.range, Unit{}, true);
        return flexNode(Op::Abs, e.range, {a});
      }
      return node(Op::Abs, e.range, {a}, X(a).type.unit);
    }
    if (f == "log" || f == "exp") {
      if (!argCount(e, 1, 1)) return error(e.range);
      ExprId a = arg(0);
      requireNumber(a, "a number");
      requireDimensionless(a, fmt::format("{}()", f).c_str());
      adopt(a, Unit{});
      return node(f == "log" ? Op::Log : Op::Exp, e.range, {a}, Unit{});
    }
    if (f == "sqrt") {
      if (!argCount(e, 1, 1)) return error(e.range);
      ExprId a = arg(0);
      requireNumber(a, "a number");
      adopt(a, Unit{});
      auto u = X(a).type.unit.sqrt();
      if (!u) {
        d_.report(DiagCode::UnitMismatch, X(a).range,
                  fmt::format("the square root of '{}' has no unit", fmtUnit(X(a).type.unit)));
        return error(e.range);
      }
      return node(Op::Sqrt, e.range, {a}, *u);
    }
    if (f == "clamp") {
      if (!argCount(e, 3, 3)) return error(e.range);
      ExprId x = arg(0), lo = arg(1), hi = arg(2);
      std::vector<ExprId> as{x, lo, hi};
      for (ExprId a : as) requireNumber(a, "a number");
      auto ref = unifyAll(as, e.range);
      if (!ref) return flexNode(Op::Clamp, e.range, as);
      return node(Op::Clamp, e.range, as, X(as[*ref]).type.unit);
    }
    if (f == "lag" || f == "rolling_mean" || f == "rolling_sum") {
      bool isLag = f == "lag";
      if (!argCount(e, isLag ? 1 : 2, 2)) return error(e.range);
      ExprId x = arg(0);
      requireNumber(x, "a number");
      adopt(x, Unit{});
      int64_t n = 1;
      if (e.args.size() == 2) {
        auto k = wholeArg(arg(1), isLag ? "the lag" : "the window", isLag ? 0 : 1);
        if (!k) return error(e.range);
        n = *k;
      }
      constantTimeOp(x, f, e.range);
      ExprId id = node(isLag ? Op::Lag : f == "rolling_mean" ? Op::RollingMean : Op::RollingSum, e.range, {x},
                       X(x).type.unit);
      X(id).n = n;
      X(id).type.shape = Shape::Series;
      return id;
    }
    if (f == "delta" || f == "pct_change" || f == "cumsum" || f == "ytd" || f == "yoy") {
      if (!argCount(e, 1, 1)) return error(e.range);
      ExprId x = arg(0);
      requireNumber(x, "a number");
      adopt(x, Unit{});
      constantTimeOp(x, f, e.range);
      Op op = f == "delta" ? Op::Delta : f == "pct_change" ? Op::PctChange : f == "cumsum" ? Op::Cumsum
            : f == "ytd" ? Op::Ytd : Op::Yoy;
      Unit u = (op == Op::PctChange || op == Op::Yoy) ? Unit{} : X(x).type.unit;
      ExprId id = node(op, e.range, {x}, u);
      X(id).type.shape = Shape::Series;
      return id;
    }
    if (f == "hill") {
      if (!argCount(e, 3, 3)) return error(e.range);
      ExprId x = arg(0), half = arg(1), shape = arg(2);
      for (ExprId a : {x, half, shape}) requireNumber(a, "a number");
      adopt(x, Unit{});
      unify(x, half, e.range, "compare");
      adopt(shape, Unit{});
      requireDimensionless(shape, "hill()'s shape");
      return node(Op::Hill, e.range, {x, half, shape}, Unit{});
    }
    if (f == "saturate") {
      if (!argCount(e, 3, 3)) return error(e.range);
      ExprId x = arg(0), cap = arg(1), rate = arg(2);
      for (ExprId a : {x, cap, rate}) requireNumber(a, "a number");
      adopt(x, Unit{});
      adopt(cap, Unit{});
      Unit inv = Unit{} / X(x).type.unit;
      adopt(rate, inv);
      if (!poison(rate) && !poison(x) && !(X(rate).type.unit * X(x).type.unit).dimensionless()) {
        d_.report(DiagCode::UnitMismatch, X(rate).range,
                  fmt::format("saturate()'s rate must be '{}' so that rate * x has no unit, not '{}'", fmtUnit(inv),
                              fmtUnit(X(rate).type.unit)));
      }
      return node(Op::Saturate, e.range, {x, cap, rate}, X(cap).type.unit);
    }
    if (f == "adstock") {
      if (!argCount(e, 2, 2)) return error(e.range);
      ExprId x = arg(0), decay = arg(1);
      requireNumber(x, "a number");
      adopt(x, Unit{});
      adopt(decay, Unit{});
      requireDimensionless(decay, "adstock()'s decay");
      constantTimeOp(x, f, e.range);
      ExprId id = node(Op::Adstock, e.range, {x, decay}, X(x).type.unit);
      X(id).type.shape = Shape::Series;
      return id;
    }
    return error(e.range);
  }

  void constantTimeOp(ExprId x, const std::string& f, Range r) {
    if (poison(x) || X(x).type.shape == Shape::Series) return;
    d_.report(DiagCode::ConstantTimeOp, r, fmt::format("{}() of a value that does not change over time", f))
        .note(X(x).range, "this reads only params and constants");
  }

  ExprId lowerUserCall(const ast::Expr& e, const ast::FunctionDecl& fn, const Scope& s) {
    occur(e.callee.range, SymKind::Function, fn.name.name, fn.name.range);
    if (e.args.size() != fn.params.size()) {
      d_.report(DiagCode::InvalidCall, e.range,
                fmt::format("{}() takes {} argument{}, not {}", fn.name.name, fn.params.size(),
                            fn.params.size() == 1 ? "" : "s", e.args.size()))
          .note(fn.name.range, "declared here");
      return error(e.range);
    }
    if (!e.over.empty()) {
      d_.report(DiagCode::InvalidCall, e.overRange, fmt::format("{}() does not take `over`", fn.name.name));
      return error(e.range);
    }
    if (std::find(s.expanding.begin(), s.expanding.end(), &fn) != s.expanding.end()) {
      d_.report(DiagCode::InvalidCall, e.range, fmt::format("{}() is recursive (functions cannot call themselves, directly or through others)", fn.name.name))
          .note(fn.name.range, "declared here");
      return error(e.range);
    }
    std::map<std::string, ExprId> args;
    for (size_t i = 0; i < fn.params.size(); ++i) args[fn.params[i].name] = lower(*e.args[i], s);
    if (!fn.body) return error(e.range);
    Scope inner = s;
    inner.args = &args;
    inner.expanding.push_back(&fn);
    ExprId r = lower(*fn.body, inner);
    // a function's result is located at the call, for messages about the caller
    if (!flex(r) && !poison(r)) {
      Expr copy = X(r);
      copy.range = e.range;
      return add(std::move(copy), meta_[r]);
    }
    return r;
  }

  // The formula's value as the declared unit and dimensions.
  ExprId fitDeclared(ExprId r, const Unit& u, const std::vector<Id>& dims, const std::string& name,
                     Range declUnitRange, const char* what) {
    if (poison(r)) return r;
    if (X(r).type.boolean && !u.isRatio()) {
      d_.report(DiagCode::DeclaredUnit, X(r).range,
                fmt::format("the {} of '{}' is a condition, but '{}' is declared '{}'", what, name, name, fmtUnit(u)));
      return r;
    }
    if (auto fitted = inUnit(r, u)) {
      r = *fitted;
    } else {
      d_.report(DiagCode::DeclaredUnit, X(r).range,
                fmt::format("the {} of '{}' is '{}', but '{}' is declared '{}'", what, name,
                            fmtUnit(X(r).type.unit), name, fmtUnit(u)))
          .note(declUnitRange, "declared here");
      return r;
    }
    std::vector<Id> extra;
    std::set_difference(X(r).type.dims.begin(), X(r).type.dims.end(), dims.begin(), dims.end(), std::back_inserter(extra));
    if (!extra.empty()) {
      d_.report(DiagCode::DimensionMismatch, X(r).range,
                fmt::format("the {} of '{}' varies by {}, which '{}' does not declare", what, name, dimsText(extra), name))
          .note(fmt::format("reduce it, e.g. sum(... over {}), or declare `by {}`", m_.dims[extra[0]].name,
                            dimsText(unionDims(dims, extra))));
    }
    return r;
  }

  // ------------------------------------------------------------ passes

  void header() {
    const ast::ModelDecl* model = nullptr;
    for (auto* d : decls_) {
      if (d->kind != ast::DeclKind::Model || !inMain(d)) continue;
      if (model) {
        d_.report(DiagCode::Duplicate, d->name.range, "a file declares one model")
            .note(model->name.range, "the model is declared here");
        continue;
      }
      model = static_cast<const ast::ModelDecl*>(d);
    }
    if (!model) {
      if (!c_.files.empty()) m_.name = fs::path(c_.sources.file(c_.files[0]->id).path()).stem().string();
      return;
    }
    m_.name = model->name.name;
    m_.title = model->title.value_or("");
    m_.doc = model->doc;
    m_.range = model->name.range;
    for (auto& pe : model->props.entries) {
      const std::string& k = pe.key.name;
      if (pe.values.size() != 1) {
        d_.report(DiagCode::InvalidProperty, pe.range, fmt::format("'{}' takes one value", k));
        continue;
      }
      const ast::PropItem& it = pe.values[0];
      if (k == "grain") {
        auto g = grainProp(it);
        if (!g) continue;
        m_.grain = *g;
      } else if (k == "currency") {
        if (!isCurrencyCode(it.text)) {
          d_.report(DiagCode::InvalidProperty, it.range, fmt::format("'{}' is not an ISO 4217 currency code", it.text));
          continue;
        }
        m_.currency = it.text;
      } else if (k == "start") {
        m_.start = periodText(it.text, it.range);
      } else if (k == "description" || k == "owner") {
        if (it.expr && it.expr->kind == ast::ExprKind::String) {
          if (k == "description") m_.doc = it.expr->text;
        } else {
          d_.report(DiagCode::InvalidProperty, it.range, fmt::format("'{}' takes a string", k));
        }
      } else {
        unknownProperty(pe.key, {"grain", "currency", "start", "description", "owner"}, "the model");
      }
    }
  }

  // A `grain:` value, in the model header and in statements alike: the singular
  // names of LANGUAGE.md (`grain: month`); plurals are for durations (`3 months`).
  std::optional<Grain> grainProp(const ast::PropItem& it) {
    auto g = grainFromName(it.text);
    if (g && it.text == grainName(*g)) return g;
    auto& rep = d_.report(DiagCode::InvalidProperty, it.range, fmt::format("unknown grain '{}'", it.text));
    if (g) rep.note(fmt::format("did you mean '{}'? (a grain is singular; plurals are for durations)", grainName(*g)));
    else rep.note("the grain is one of day, week, month, quarter, year");
    return std::nullopt;
  }

  // A property given twice in one block (`{ grain: month grain: year }`): which
  // one was meant is unknowable, so it is an error rather than a silent choice.
  void duplicateKeys(const ast::PropBlock& props) {
    std::map<std::string, Range> seen;
    for (auto& pe : props.entries) {
      if (pe.key.name.empty()) continue;
      auto [it, fresh] = seen.emplace(pe.key.name, pe.key.range);
      if (!fresh)
        d_.report(DiagCode::Duplicate, pe.key.range, fmt::format("property '{}' is given twice", pe.key.name))
            .note(it->second, "first given here");
    }
  }

  void unknownProperty(const ast::Ident& key, const std::vector<std::string>& known, const std::string& where) {
    auto& rep = d_.report(DiagCode::InvalidProperty, key.range, fmt::format("unknown property '{}' for {}", key.name, where));
    std::string s = closestMatch(key.name, known);
    if (!s.empty()) rep.note(fmt::format("did you mean '{}'?", s));
    else rep.note(fmt::format("known properties: {}", joinNames(known)));
  }

  void units() {
    // base units first, then scaled ones (which may name units declared later)
    std::vector<const ast::UnitDecl*> scaled;
    for (auto* d : decls_) {
      if (d->kind != ast::DeclKind::Unit) continue;
      auto* u = static_cast<const ast::UnitDecl*>(d);
      if (u->name.name.empty()) continue;
      if (auto prev = unitDecls_.find(u->name.name); prev != unitDecls_.end()) {
        d_.report(DiagCode::Duplicate, u->name.range, fmt::format("unit '{}' is declared twice", u->name.name))
            .note(prev->second, "first declared here");
        continue;
      }
      if (m_.units.isBuiltin(u->name.name)) {
        d_.report(DiagCode::Duplicate, u->name.range, fmt::format("'{}' is a built-in unit", u->name.name));
        continue;
      }
      unitDecls_[u->name.name] = u->name.range;
      occur(u->name.range, SymKind::Unit, u->name.name, u->name.range, true);
      if (u->factor) scaled.push_back(u);
      else m_.units.declareBase(u->name.name);
    }
    // resolve scaled units in dependency order (a few rounds)
    for (size_t round = 0; round <= scaled.size() && !scaled.empty(); ++round) {
      std::vector<const ast::UnitDecl*> left;
      for (auto* u : scaled) {
        bool ready = true;
        for (auto& t : u->base.terms)
          if (!m_.units.lookup(t.name) && unitDecls_.count(t.name)) ready = false;
        if (!ready) { left.push_back(u); continue; }
        auto b = unit(u->base);
        if (b) m_.units.declareScaled(u->name.name, *u->factor, *b);
      }
      if (left.size() == scaled.size()) {
        for (auto* u : left)
          d_.report(DiagCode::Cycle, u->name.range, fmt::format("unit '{}' is defined in terms of itself", u->name.name));
        break;
      }
      scaled = std::move(left);
    }
  }

  // Declares a name in a namespace (values_ or items_); a second declaration is an error.
  bool declare(std::map<std::string, Sym>& ns, const ast::Decl* d, SymKind k, Id id) {
    const std::string& n = d->name.name;
    if (n.empty()) return false;
    if (auto it = ns.find(n); it != ns.end()) {
      d_.report(DiagCode::Duplicate, d->name.range,
                fmt::format("'{}' is already declared (as {})", n, aKind(it->second.kind)))
          .note(it->second.declRange, "first declared here");
      return false;
    }
    ns[n] = Sym{k, id, d->name.range, d};
    occur(d->name.range, k, n, d->name.range, true);
    return true;
  }
  template <typename M>
  bool declareIn(M& map, const ast::Ident& name, Id id, const char* what, SymKind k, Range prevRange) {
    if (name.name.empty()) return false;
    if (map.count(name.name)) {
      d_.report(DiagCode::Duplicate, name.range, fmt::format("{} '{}' is declared twice", what, name.name))
          .note(prevRange, "first declared here");
      return false;
    }
    map[name.name] = id;
    occur(name.range, k, name.name, name.range, true);
    return true;
  }

  void names() {
    for (auto* d : decls_) {
      switch (d->kind) {
        case ast::DeclKind::Dimension: {
          auto* x = static_cast<const ast::DimensionDecl*>(d);
          auto it = dimIds_.find(x->name.name);
          if (!declareIn(dimIds_, x->name, static_cast<Id>(m_.dims.size()), "dimension", SymKind::Dimension,
                         it != dimIds_.end() ? m_.dims[it->second].range : Range{}))
            break;
          Dimension D;
          D.name = x->name.name;
          D.title = x->title.value_or("");
          D.doc = x->doc;
          D.range = x->name.range;
          D.fromSource = x->fromSource;
          D.resolved = !x->fromSource;
          std::map<std::string, Range> seen;
          for (auto& v : x->values) {
            if (auto s = seen.find(v.name.name); s != seen.end()) {
              d_.report(DiagCode::Duplicate, v.name.range,
                        fmt::format("'{}' is listed twice in dimension '{}'", v.name.name, D.name))
                  .note(s->second, "first listed here");
              continue;
            }
            seen[v.name.name] = v.name.range;
            D.values.push_back(v.name.name);
            D.valueTitles.push_back(v.title.value_or(""));
            occur(v.name.range, SymKind::DimValue, D.name + "." + v.name.name, v.name.range, true);
          }
          if (!x->fromSource && D.values.empty())
            d_.report(DiagCode::InvalidExpr, x->name.range, fmt::format("dimension '{}' has no values", D.name));
          m_.dims.push_back(std::move(D));
          break;
        }
        case ast::DeclKind::Chain: {
          auto* x = static_cast<const ast::ChainDecl*>(d);
          auto it = chainIds_.find(x->name.name);
          if (!declareIn(chainIds_, x->name, static_cast<Id>(m_.chains.size()), "chain", SymKind::Chain,
                         it != chainIds_.end() ? m_.chains[it->second].range : Range{}))
            break;
          Chain C;
          C.name = x->name.name;
          C.title = x->title.value_or("");
          C.doc = x->doc;
          C.range = x->name.range;
          if (x->chainKind) {
            if (x->chainKind->name == "internal") C.external = false;
            else if (x->chainKind->name != "external")
              d_.report(DiagCode::InvalidProperty, x->chainKind->range,
                        fmt::format("a chain is `external` or `internal`, not '{}'", x->chainKind->name));
          }
          Id cid = static_cast<Id>(m_.chains.size());
          for (auto& st : x->stages) {
            auto sit = stageIds_.find(st.name.name);
            if (!declareIn(stageIds_, st.name, static_cast<Id>(m_.stages.size()), "stage", SymKind::Stage,
                           sit != stageIds_.end() ? m_.stages[sit->second].range : Range{}))
              continue;
            Stage S;
            S.name = st.name.name;
            S.title = st.title.value_or("");
            S.doc = st.doc;
            S.range = st.name.range;
            S.chain = cid;
            S.position = static_cast<uint32_t>(C.stages.size());
            for (auto& pe : st.props.entries) {
              if (pe.key.name == "description" && !pe.values.empty() && pe.values[0].expr &&
                  pe.values[0].expr->kind == ast::ExprKind::String)
                S.doc = pe.values[0].expr->text;
              else
                unknownProperty(pe.key, {"description"}, "a stage");
            }
            C.stages.push_back(static_cast<Id>(m_.stages.size()));
            m_.stages.push_back(std::move(S));
          }
          m_.chains.push_back(std::move(C));
          break;
        }
        case ast::DeclKind::Source: {
          auto it = sourceIds_.find(d->name.name);
          if (!declareIn(sourceIds_, d->name, static_cast<Id>(m_.sources.size()), "source", SymKind::Source,
                         it != sourceIds_.end() ? m_.sources[it->second].range : Range{}))
            break;
          Source S;
          S.name = d->name.name;
          S.doc = d->doc;
          S.range = d->name.range;
          m_.sources.push_back(std::move(S));
          break;
        }
        case ast::DeclKind::Param: {
          if (!declare(values_, d, SymKind::Param, static_cast<Id>(m_.params.size()))) break;
          Param P;
          P.name = d->name.name;
          P.title = d->title.value_or("");
          P.doc = d->doc;
          P.range = d->range;
          P.nameRange = d->name.range;
          P.file = d->file;
          m_.params.push_back(std::move(P));
          paramDecls_.push_back(static_cast<const ast::ParamDecl*>(d));
          break;
        }
        case ast::DeclKind::Metric: {
          if (!declare(values_, d, SymKind::Metric, static_cast<Id>(m_.metrics.size()))) break;
          Metric M;
          M.name = d->name.name;
          M.title = d->title.value_or("");
          M.doc = d->doc;
          M.range = d->range;
          M.nameRange = d->name.range;
          M.file = d->file;
          m_.metrics.push_back(std::move(M));
          metricDecls_.push_back(static_cast<const ast::MetricDecl*>(d));
          break;
        }
        case ast::DeclKind::Function: {
          if (isBuiltinFunction(d->name.name)) {
            d_.report(DiagCode::Duplicate, d->name.range, fmt::format("'{}' is a built-in function", d->name.name));
            break;
          }
          if (declare(values_, d, SymKind::Function, kNone))
            functions_[d->name.name] = static_cast<const ast::FunctionDecl*>(d);
          break;
        }
        case ast::DeclKind::Goal: declare(items_, d, SymKind::Goal, kNone); break;
        case ast::DeclKind::Constraint: declare(items_, d, SymKind::Constraint, kNone); break;
        case ast::DeclKind::Event: declare(items_, d, SymKind::Event, kNone); break;
        case ast::DeclKind::Optimize: declare(items_, d, SymKind::Optimize, kNone); break;
        default: break;
      }
    }
  }

  std::optional<std::string> stringProp(const ast::PropEntry& pe) {
    if (pe.values.size() == 1 && pe.values[0].expr && pe.values[0].expr->kind == ast::ExprKind::String)
      return pe.values[0].expr->text;
    d_.report(DiagCode::InvalidProperty, pe.range, fmt::format("'{}' takes one string", pe.key.name));
    return std::nullopt;
  }
  // A property value written as one word (`time: month`, `agg: sum`).
  std::optional<std::string> wordItem(const ast::PropItem& it, const std::string& key) {
    if (it.expr && it.expr->kind == ast::ExprKind::Name && it.expr->path.size() == 1) return it.expr->path[0].name;
    if (it.expr && it.expr->kind == ast::ExprKind::String) return it.expr->text;
    d_.report(DiagCode::InvalidProperty, it.range, fmt::format("'{}' takes a name here, not '{}'", key, it.text));
    return std::nullopt;
  }

  void sources() {
    for (auto* d : decls_) {
      if (d->kind != ast::DeclKind::Source) continue;
      auto* x = static_cast<const ast::SourceDecl*>(d);
      auto it = sourceIds_.find(x->name.name);
      if (it == sourceIds_.end() || m_.sources[it->second].range != x->name.range) continue;
      Source& S = m_.sources[it->second];
      const std::string& fn = x->function.name;
      if (fn == "csv") {
        S.kind = SourceKind::Csv;
        if (x->args.size() != 1) {
          d_.report(DiagCode::InvalidCall, x->function.range, "csv() takes one argument: the file's path");
          continue;
        }
      } else if (fn == "sqlite") {
        S.kind = SourceKind::Sqlite;
        if (x->args.size() != 2) {
          d_.report(DiagCode::InvalidCall, x->function.range, "sqlite() takes two arguments: the database's path and a query");
          continue;
        }
        S.query = x->args[1].value;
      } else {
        d_.report(DiagCode::InvalidCall, x->function.range, fmt::format("unknown source kind '{}'", fn))
            .note("a source is csv(\"file.csv\") or sqlite(\"file.db\", \"select ...\")");
        continue;
      }
      S.path = x->args[0].value;
      fs::path base = fs::path(c_.sources.file(x->file).path()).parent_path();
      S.resolvedPath = fs::path(S.path).is_absolute() ? S.path : (base / S.path).lexically_normal().string();
      S.timeColumn = "";
      for (auto& pe : x->props.entries) {
        const std::string& k = pe.key.name;
        if (k == "time") {
          if (pe.values.size() == 1)
            if (auto w = wordItem(pe.values[0], k)) S.timeColumn = *w;
        } else if (k == "dimensions") {
          for (auto& v : pe.values) {
            auto w = wordItem(v, k);
            if (!w) continue;
            ast::Ident id{*w, v.range};
            auto dim = dimByName(id);
            if (dim) S.dimColumns.push_back({*dim, *w});
          }
        } else if (k == "delimiter") {
          auto s = stringProp(pe);
          if (s && s->size() == 1) S.delimiter = (*s)[0];
          else if (s) d_.report(DiagCode::InvalidProperty, pe.range, "the delimiter is one character, like \";\"");
        } else if (k == "missing") {
          for (auto& v : pe.values) {
            if (v.expr && v.expr->kind == ast::ExprKind::String) S.missing.push_back(v.expr->text);
            else d_.report(DiagCode::InvalidProperty, v.range, "'missing' takes strings, like \"NA\", \"-\"");
          }
        } else if (k == "description") {
          if (auto s = stringProp(pe)) S.doc = *s;
        } else {
          unknownProperty(pe.key, {"time", "dimensions", "delimiter", "missing", "description"}, "a source");
        }
      }
      if (S.timeColumn.empty())
        d_.report(DiagCode::InvalidProperty, x->name.range, fmt::format("source '{}' needs `time:`, the column holding the period", S.name));
    }
  }

  void dimensions() {
    for (auto* d : decls_) {
      if (d->kind != ast::DeclKind::Dimension) continue;
      auto* x = static_cast<const ast::DimensionDecl*>(d);
      if (!x->fromSource) continue;
      auto it = dimIds_.find(x->name.name);
      if (it == dimIds_.end() || m_.dims[it->second].range != x->name.range) continue;
      Dimension& D = m_.dims[it->second];
      if (x->from.size() != 2) {
        d_.report(DiagCode::InvalidExpr, x->name.range, "write `from source.column`");
        continue;
      }
      auto s = sourceIds_.find(x->from[0].name);
      if (s == sourceIds_.end()) {
        unknownName(x->from[0].range, x->from[0].name, keys(sourceIds_), "source");
        continue;
      }
      occur(x->from[0].range, SymKind::Source, s->first, m_.sources[s->second].range);
      D.source = s->second;
      D.column = x->from[1].name;
    }
  }

  // ---- params
  void params() {
    for (size_t i = 0; i < paramDecls_.size(); ++i) {
      const ast::ParamDecl& x = *paramDecls_[i];
      Param& P = m_.params[i];
      auto u = unit(x.unit);
      if (u) P.unit = *u;
      P.unitText = c_.sources.textOf(x.unit.range);
      bool dimsOk = true;
      P.dims = dimList(x.dims, &dimsOk);
      paramBad_.push_back(!u || !dimsOk);
      Scope s;
      s.constOnly = true;
      s.constWhat = "a param's value";
      if (paramBad_.back()) {
        P.values.assign(std::max<size_t>(1, m_.sliceCount(P.dims)), 0);
      } else if (x.value) {
        auto v = constValue(*x.value, P.unit, P.name, s);
        P.values.assign(std::max<size_t>(1, m_.sliceCount(P.dims)), v.value_or(0));
        if (!P.dims.empty() && m_.sliceCount(P.dims) == 0) P.keyedDefault = v;
      } else if (x.map) {
        sliceMapParam(x, P, s);
      }
      if (x.dist && !paramBad_.back()) {
        if (!P.sliceDists.empty() || !P.keyedDists.empty()) {
          d_.report(DiagCode::InvalidExpr, x.dist->range,
                    fmt::format("param '{}' has distributions on its slices and one for the whole param", P.name))
              .note("keep one: `~` after each slice's value, or one `~` after the map");
        } else {
          P.dist = distribution(*x.dist, P, s);
          if (P.dist && !P.dims.empty()) P.sliceDists.assign(P.values.size(), P.dist);
        }
      }
      for (auto& pe : x.props.entries) {
        if (pe.key.name == "description") {
          if (auto sp = stringProp(pe)) P.doc = *sp;
        } else if (pe.key.name != "owner") {
          unknownProperty(pe.key, {"description", "owner"}, "a param");
        }
      }
    }
  }

  std::optional<double> constValue(const ast::Expr& e, const Unit& u, const std::string& name, const Scope& s) {
    ExprId r = lower(e, s);
    if (poison(r)) return std::nullopt;
    auto fitted = inUnit(r, u);
    if (!fitted) {
      d_.report(DiagCode::DeclaredUnit, X(r).range,
                fmt::format("this value is '{}', but '{}' is declared '{}'", fmtUnit(X(r).type.unit), name, fmtUnit(u)));
      return std::nullopt;
    }
    auto v = fold(*fitted);
    if (!v) d_.report(DiagCode::InvalidExpr, e.range, "this must be a constant");
    return v;
  }

  void sliceMapParam(const ast::ParamDecl& x, Param& P, const Scope& s) {
    if (P.dims.empty()) {
      d_.report(DiagCode::DimensionMismatch, x.map->range,
                fmt::format("param '{}' has per-slice values but no dimensions; declare it `by <dimension>`", P.name));
      return;
    }
    // dims in the order written (the map nests in that order)
    std::vector<Id> order;
    for (auto& di : x.dims)
      if (auto it = dimIds_.find(di.name); it != dimIds_.end() &&
          std::find(order.begin(), order.end(), it->second) == order.end())
        order.push_back(it->second);
    if (order.size() != P.dims.size()) return;
    bool keyed = m_.sliceCount(P.dims) == 0;
    size_t n = keyed ? 0 : m_.sliceCount(P.dims);
    std::vector<std::optional<double>> vals(n);
    std::vector<std::optional<Distribution>> dists(n);
    std::optional<double> dflt;
    std::optional<Distribution> dfltDist;
    std::vector<std::string> key(order.size());
    std::vector<uint32_t> idx(order.size());
    bool keyErrors = false;
    std::function<void(const ast::SliceMap&, size_t)> walk = [&](const ast::SliceMap& sm, size_t level) {
      std::set<std::string> seen;
      for (auto& en : sm.entries) {
        if (!seen.insert(en.key.name).second) {
          d_.report(DiagCode::Duplicate, en.key.range, fmt::format("'{}' is given twice", en.key.name));
          continue;
        }
        bool wild = en.key.name == "_";
        if (!wild) {
          auto v = dimValue(order[level], en.key);
          if (!v) { keyErrors = true; continue; }
          idx[level] = *v;
          key[level] = en.key.name;
        }
        bool last = level + 1 == order.size();
        if (en.nested) {
          if (last || wild) {
            d_.report(DiagCode::DimensionMismatch, en.nested->range,
                      wild ? "the default `_` takes a value, not a map"
                           : fmt::format("too many levels: '{}' has {} dimension(s)", P.name, order.size()));
            continue;
          }
          walk(*en.nested, level + 1);
          continue;
        }
        if (!last && !wild) {
          d_.report(DiagCode::DimensionMismatch, en.range,
                    fmt::format("'{}' needs a map over '{}' here", en.key.name, m_.dims[order[level + 1]].name));
          continue;
        }
        if (!en.value) continue;
        auto v = constValue(*en.value, P.unit, P.name, s);
        if (!v) continue;
        std::optional<Distribution> dist;
        if (en.dist) dist = distribution(*en.dist, P, s);
        if (wild) {
          if (level != 0) d_.report(DiagCode::InvalidExpr, en.key.range, "the default `_` goes at the outer level");
          dflt = v;
          dfltDist = dist;
          continue;
        }
        auto pos = [&](Id d) { return std::find(order.begin(), order.end(), d) - order.begin(); };
        if (keyed) {  // values come from data: keep the keys, in the order of P.dims
          std::vector<std::string> k;
          for (Id d : P.dims) k.push_back(key[pos(d)]);
          P.keyed.push_back({k, *v});
          P.keyedDists.push_back(dist);
          continue;
        }
        size_t flat = m_.sliceIndex(P.dims, [&](Id d) { return idx[pos(d)]; });
        vals[flat] = v;
        dists[flat] = dist;
      }
    };
    walk(*x.map, 0);
    if (keyed) {
      P.keyedDefault = dflt;
      P.keyedDefaultDist = dfltDist;
      bool anyDist = dfltDist.has_value();
      for (auto& dd : P.keyedDists) anyDist |= dd.has_value();
      if (!anyDist) P.keyedDists.clear();
      return;
    }
    P.values.assign(n, 0);
    P.sliceDists = dists;
    std::vector<std::string> missing;
    for (size_t i = 0; i < n; ++i) {
      if (vals[i]) {
        P.values[i] = *vals[i];
      } else if (dflt) {
        P.values[i] = *dflt;
        P.sliceDists[i] = dfltDist;
      } else {
        missing.push_back(sliceName(P.dims, i));
      }
    }
    if (!missing.empty() && !keyErrors) {
      auto& rep = d_.report(DiagCode::UnknownDimValue, x.map->range,
                            fmt::format("param '{}' has no value for {}", P.name,
                                        missing.size() > 4 ? fmt::format("{} and {} more slices", joinNames({missing.begin(), missing.begin() + 3}), missing.size() - 3)
                                                           : joinNames(missing)));
      rep.note("give every slice a value, or a default with `_: value`");
    }
    bool anyDist = false;  // the default's distribution counts: it fills slices
    for (auto& dd : P.sliceDists) anyDist |= dd.has_value();
    if (!anyDist) P.sliceDists.clear();
  }

  std::string sliceName(const std::vector<Id>& dims, size_t flat) const {
    std::vector<std::string> parts;
    auto c = m_.sliceCoords(dims, flat);
    for (size_t k = 0; k < dims.size(); ++k) parts.push_back(m_.dims[dims[k]].values[c[k]]);
    return joinNames(parts, ",");
  }

  std::optional<Distribution> distribution(const ast::Distribution& ad, const Param& P, const Scope& s) {
    static const std::map<std::string, std::pair<DistKind, size_t>> kinds = {
        {"normal", {DistKind::Normal, 2}}, {"lognormal", {DistKind::LogNormal, 2}},
        {"uniform", {DistKind::Uniform, 2}}, {"triangular", {DistKind::Triangular, 3}},
        {"beta", {DistKind::Beta, 2}}};
    auto it = kinds.find(ad.name.name);
    if (it == kinds.end()) {
      std::vector<std::string> names = keys(kinds);
      unknownName(ad.name.range, ad.name.name, names, "distribution");
      return std::nullopt;
    }
    if (ad.args.size() != it->second.second) {
      d_.report(DiagCode::InvalidCall, ad.range,
                fmt::format("{}() takes {} arguments, not {}", ad.name.name, it->second.second, ad.args.size()));
      return std::nullopt;
    }
    Distribution D;
    D.kind = it->second.first;
    D.range = ad.range;
    for (auto& a : ad.args) {
      // beta's shapes have no unit; every other argument is in the param's unit
      auto v = constValue(*a, D.kind == DistKind::Beta ? Unit{} : P.unit, P.name, s);
      if (!v) return std::nullopt;
      D.args.push_back(*v);
    }
    auto bad = [&](const char* why) {
      d_.report(DiagCode::InvalidCall, ad.range, fmt::format("invalid {}(): {}", ad.name.name, why));
      return std::nullopt;
    };
    switch (D.kind) {
      case DistKind::Normal: if (D.args[1] < 0) return bad("the standard deviation is negative"); break;
      case DistKind::LogNormal:
        if (D.args[0] <= 0) return bad("the mean must be positive");
        if (D.args[1] < 0) return bad("the standard deviation is negative");
        break;
      case DistKind::Uniform: if (D.args[0] > D.args[1]) return bad("the low end is above the high end"); break;
      case DistKind::Triangular:
        if (!(D.args[0] <= D.args[1] && D.args[1] <= D.args[2])) return bad("write triangular(low, mode, high) with low <= mode <= high");
        break;
      case DistKind::Beta: if (D.args[0] <= 0 || D.args[1] <= 0) return bad("both shapes must be positive"); break;
      default: break;
    }
    return D;
  }

  void functions() {
    // Bodies are checked where they are called (their types depend on the
    // arguments); an unused function's names are still resolved here.
    for (auto& [name, fn] : functions_) {
      std::set<std::string> seen;
      for (auto& p : fn->params) {
        if (!seen.insert(p.name).second)
          d_.report(DiagCode::Duplicate, p.range, fmt::format("parameter '{}' is listed twice", p.name));
        occur(p.range, SymKind::FunctionParam, name + "." + p.name, p.range, true);
      }
      if (fn->body) checkNames(*fn->body, *fn);
    }
  }

  // Names in a function body must exist (types are checked at each call).
  void checkNames(const ast::Expr& e, const ast::FunctionDecl& fn) {
    if (e.kind == ast::ExprKind::Name && e.path.size() == 1) {
      const std::string& n = e.path[0].name;
      bool isArg = false;
      for (auto& p : fn.params) isArg |= p.name == n;
      if (isArg) occur(e.path[0].range, SymKind::FunctionParam, fn.name.name + "." + n, e.path[0].range);
      else if (!values_.count(n)) {
        std::vector<std::string> cands = keys(values_);
        for (auto& p : fn.params) cands.push_back(p.name);
        unknownName(e.path[0].range, n, cands, "name");
      }
    }
    if (e.kind == ast::ExprKind::Call && !isBuiltinFunction(e.callee.name) && !functions_.count(e.callee.name))
      unknownName(e.callee.range, e.callee.name, keys(functions_), "function");
    for (auto& a : e.args) if (a) checkNames(*a, fn);
    if (e.lhs) checkNames(*e.lhs, fn);
    if (e.rhs) checkNames(*e.rhs, fn);
  }

  // ---- metrics
  void metrics() {
    // declared types first: formulas read other metrics' declared types
    for (size_t i = 0; i < metricDecls_.size(); ++i) {
      const ast::MetricDecl& x = *metricDecls_[i];
      Metric& M = m_.metrics[i];
      auto u = unit(x.unit);
      if (u) M.unit = *u;
      M.unitText = c_.sources.textOf(x.unit.range);
      bool dimsOk = true;
      M.dims = dimList(x.dims, &dimsOk);
      metricBad_.push_back(!u || !dimsOk);
    }
    for (size_t i = 0; i < metricDecls_.size(); ++i) {
      const ast::MetricDecl& x = *metricDecls_[i];
      metricProps(x, m_.metrics[i]);
      if (x.formula) {
        Scope s;
        ExprId r = lower(*x.formula, s);
        Metric& M = m_.metrics[i];
        if (!metricBad_[i]) r = fitDeclared(r, M.unit, M.dims, M.name, x.unit.range, "formula");
        M.formula = r;
        M.shape = X(r).type.shape;
        collectRefs(m_, r, &M.metricDeps, &M.paramDeps);
        if (M.data) {
          d_.report(DiagCode::InvalidProperty, M.data->range,
                    fmt::format("metric '{}' has both a formula and `data:`", M.name))
              .note("a metric is either computed by its formula or read from data; "
                    "declare a separate metric for the measured values");
        }
      }
      if (!m_.metrics[i].aggDeclared) m_.metrics[i].agg = m_.metrics[i].unit.intensive() ? Agg::Mean : Agg::Sum;
    }
  }

  void metricProps(const ast::MetricDecl& x, Metric& M) {
    static const std::vector<std::string> known = {"stage", "role", "class", "data", "agg", "owner", "description", "unit_label"};
    for (auto& pe : x.props.entries) {
      const std::string& k = pe.key.name;
      if (k == "stage") {
        if (pe.values.size() != 1) { d_.report(DiagCode::InvalidProperty, pe.range, "a metric has one stage"); continue; }
        auto w = wordItem(pe.values[0], k);
        if (!w) continue;
        auto it = stageIds_.find(*w);
        if (it == stageIds_.end()) {
          unknownName(pe.values[0].range, *w, keys(stageIds_), "stage");
          continue;
        }
        M.stage = it->second;
        occur(pe.values[0].range, SymKind::Stage, *w, m_.stages[it->second].range);
      } else if (k == "role" || k == "class") {
        for (auto& v : pe.values) {
          auto w = wordItem(v, k);
          if (!w) continue;
          bool found = false;
          std::vector<std::string> names;
          if (k == "role") {
            for (auto& r : metricRoles()) {
              names.push_back(r.name);
              if (*w == r.name) M.roles |= r.bit, found = true;
            }
          } else {
            for (auto& c : metricClasses()) {
              names.push_back(c.name);
              if (*w == c.name) M.classes |= c.bit, found = true;
            }
          }
          if (!found) {
            auto& rep = d_.report(DiagCode::InvalidProperty, v.range, fmt::format("unknown {} '{}'", k, *w));
            std::string s = closestMatch(*w, names);
            rep.note(!s.empty() ? fmt::format("did you mean '{}'?", s) : fmt::format("a {} is one of {}", k, joinNames(names)));
          }
        }
      } else if (k == "data") {
        if (pe.values.size() != 1 || !pe.values[0].expr || pe.values[0].expr->kind != ast::ExprKind::Name ||
            pe.values[0].expr->path.size() != 2) {
          d_.report(DiagCode::InvalidProperty, pe.range, "write `data: source.column`");
          continue;
        }
        auto& path = pe.values[0].expr->path;
        auto it = sourceIds_.find(path[0].name);
        if (it == sourceIds_.end()) {
          unknownName(path[0].range, path[0].name, keys(sourceIds_), "source");
          continue;
        }
        occur(path[0].range, SymKind::Source, path[0].name, m_.sources[it->second].range);
        M.data = DataRef{it->second, path[1].name, pe.values[0].range};
        // the source must carry every dimension of the metric
        const Source& S = m_.sources[it->second];
        for (Id d : M.dims) {
          bool has = false;
          for (auto& [sd, col] : S.dimColumns) has |= sd == d;
          if (!has)
            d_.report(DiagCode::DimensionMismatch, pe.values[0].range,
                      fmt::format("metric '{}' is by {}, but source '{}' has no '{}' column in its `dimensions:`", M.name,
                                  dimsText(M.dims), S.name, m_.dims[d].name))
                .note(S.range, "source declared here");
        }
      } else if (k == "agg") {
        if (pe.values.size() != 1) { d_.report(DiagCode::InvalidProperty, pe.range, "agg takes one value"); continue; }
        auto w = wordItem(pe.values[0], k);
        if (!w) continue;
        static const std::map<std::string, Agg> aggs = {{"sum", Agg::Sum}, {"mean", Agg::Mean}, {"last", Agg::Last}, {"min", Agg::Min}, {"max", Agg::Max}};
        auto it = aggs.find(*w);
        if (it == aggs.end()) {
          d_.report(DiagCode::InvalidProperty, pe.values[0].range, fmt::format("unknown agg '{}'", *w))
              .note("agg is one of sum, mean, last, min, max");
          continue;
        }
        M.agg = it->second;
        M.aggDeclared = true;
      } else if (k == "owner") {
        if (auto s = stringProp(pe)) M.owner = *s;
      } else if (k == "description") {
        if (auto s = stringProp(pe)) M.doc = *s;
      } else if (k == "unit_label") {
        stringProp(pe);
      } else {
        unknownProperty(pe.key, known, "a metric");
      }
    }
  }

  // ---- the dependency graph
  void graph() {
    size_t n = m_.metrics.size();
    std::vector<int> color(n, 0);  // 0 new, 1 on stack, 2 done
    std::vector<bool> inReportedCycle(n, false);
    std::vector<Id> order;
    // iterative DFS keeping the path for cycle reports
    for (Id root = 0; root < n; ++root) {
      if (color[root]) continue;
      std::vector<std::pair<Id, size_t>> stack{{root, 0}};
      color[root] = 1;
      while (!stack.empty()) {
        auto& [v, i] = stack.back();
        const auto& deps = m_.metrics[v].metricDeps;
        if (i < deps.size()) {
          Id w = deps[i++];
          if (color[w] == 0) {
            color[w] = 1;
            stack.push_back({w, 0});
          } else if (color[w] == 1) {
            // the cycle is the stack from w to v
            size_t from = 0;
            while (stack[from].first != w) ++from;
            bool seen = false;
            for (size_t k = from; k < stack.size(); ++k) seen |= inReportedCycle[stack[k].first];
            if (!seen) reportCycle(stack, from, inReportedCycle);
          }
          continue;
        }
        color[v] = 2;
        order.push_back(v);
        stack.pop_back();
      }
    }
    m_.topoOrder = order;  // post-order: dependencies first
  }

  void reportCycle(const std::vector<std::pair<Id, size_t>>& stack, size_t from, std::vector<bool>& mark) {
    std::vector<Id> cyc;
    for (size_t k = from; k < stack.size(); ++k) cyc.push_back(stack[k].first);
    // start at the member declared first, for a stable message
    auto first = std::min_element(cyc.begin(), cyc.end(), [&](Id a, Id b) {
      return m_.metrics[a].nameRange.begin < m_.metrics[b].nameRange.begin;
    });
    std::rotate(cyc.begin(), first, cyc.end());
    std::string path;
    for (Id v : cyc) path += m_.metrics[v].name + " -> ";
    path += m_.metrics[cyc[0]].name;
    const Metric& head = m_.metrics[cyc[0]];
    auto& rep = d_.report(DiagCode::Cycle, head.formula ? X(*head.formula).range : head.nameRange,
                          fmt::format("formulas depend on each other in a cycle: {}", path));
    for (size_t k = 1; k < cyc.size(); ++k) {
      const Metric& M = m_.metrics[cyc[k]];
      rep.note(M.formula ? X(*M.formula).range : M.nameRange,
               fmt::format("'{}' reads '{}'", M.name, m_.metrics[cyc[(k + 1) % cyc.size()]].name));
    }
    // Reading a metric's own past (`stock = lag(stock) + inflow`) is a cycle too:
    // point at the form that works today.
    rep.note("a stock that accumulates flows is written cumsum(inflow - outflow) (plus a param for the opening "
             "balance); a formula reading its own past through lag is not supported yet");
    for (Id v : cyc) mark[v] = true;
  }

  // Metrics an expression reads, through formulas (transitively), including the direct ones.
  std::set<Id> upstream(const std::vector<Id>& direct) const {
    std::set<Id> seen;
    std::vector<Id> stack(direct.begin(), direct.end());
    while (!stack.empty()) {
      Id v = stack.back();
      stack.pop_back();
      if (!seen.insert(v).second) continue;
      for (Id w : m_.metrics[v].metricDeps) stack.push_back(w);
    }
    return seen;
  }
  std::set<Id> upstreamParams(const std::set<Id>& metrics, const std::vector<Id>& directParams) const {
    std::set<Id> ps(directParams.begin(), directParams.end());
    for (Id v : metrics) ps.insert(m_.metrics[v].paramDeps.begin(), m_.metrics[v].paramDeps.end());
    return ps;
  }

  std::optional<Ref> refByName(const ast::Ident& id, const char* what) {
    auto it = values_.find(id.name);
    if (it == values_.end()) {
      unknownName(id.range, id.name, keys(values_), "metric or param");
      return std::nullopt;
    }
    if (it->second.kind == SymKind::Function) {
      d_.report(DiagCode::WrongKind, id.range, fmt::format("'{}' is a function; {} takes a metric or a param", id.name, what))
          .note(it->second.declRange, "declared here");
      return std::nullopt;
    }
    occur(id.range, it->second.kind, id.name, it->second.declRange);
    return Ref{it->second.kind == SymKind::Metric ? Ref::Kind::Metric : Ref::Kind::Param, it->second.id};
  }
  std::optional<Id> metricByName(const ast::Ident& id, const char* where) {
    auto it = values_.find(id.name);
    if (it == values_.end()) {
      std::vector<std::string> metricNames;
      for (auto& M : m_.metrics) metricNames.push_back(M.name);
      unknownName(id.range, id.name, metricNames, "metric");
      return std::nullopt;
    }
    if (it->second.kind != SymKind::Metric) {
      d_.report(DiagCode::WrongKind, id.range, fmt::format("{} takes a metric, but '{}' is {}", where, id.name, aKind(it->second.kind)))
          .note(it->second.declRange, "declared here");
      return std::nullopt;
    }
    occur(id.range, SymKind::Metric, id.name, it->second.declRange);
    return it->second.id;
  }

  void relations() {
    for (auto* d : decls_) {
      if (d->kind != ast::DeclKind::Relation) continue;
      auto* x = static_cast<const ast::RelationDecl*>(d);
      Relation R;
      R.range = x->range;
      R.doc = x->doc;
      R.bidirectional = x->bidirectional;
      auto from = refByName(x->from, "a relation");
      auto to = refByName(x->to, "a relation");
      static const std::map<std::string, RelKind> kinds = {{"deterministic", RelKind::Deterministic}, {"probabilistic", RelKind::Probabilistic},
                                                           {"causal", RelKind::Causal}, {"compositional", RelKind::Compositional}};
      auto k = kinds.find(x->relKind.name);
      if (k == kinds.end()) {
        if (!x->relKind.name.empty()) {
          auto& rep = d_.report(DiagCode::InvalidProperty, x->relKind.range, fmt::format("unknown relation kind '{}'", x->relKind.name));
          std::string s = closestMatch(x->relKind.name, keys(kinds));
          rep.note(!s.empty() ? fmt::format("did you mean '{}'?", s) : std::string("a relation is deterministic, probabilistic, causal or compositional"));
        }
        continue;
      }
      R.kind = k->second;
      for (auto& pe : x->props.entries) {
        if (pe.key.name == "lag") {
          if (pe.values.size() == 1 && pe.values[0].kind == ast::PropItem::Kind::Duration) {
            if (auto n = duration(pe.values[0].duration)) R.lag = *n;
          } else {
            d_.report(DiagCode::InvalidProperty, pe.range, "write the lag as a duration, like `lag: 1 month`");
          }
        } else if (pe.key.name == "description") {
          if (auto s = stringProp(pe)) R.doc = *s;
        } else if (pe.key.name != "strength" && pe.key.name != "sign") {
          unknownProperty(pe.key, {"lag", "description", "strength", "sign"}, "a relation");
        }
      }
      if (!from || !to) continue;
      R.from = *from;
      R.to = *to;
      if (R.from == R.to) {
        d_.report(DiagCode::InvalidExpr, x->range, "a relation links two different names");
        continue;
      }
      // formulas carry the deterministic and compositional links
      auto carried = [&](const Ref& part, const Ref& whole) {
        if (whole.kind != Ref::Kind::Metric) return false;
        const Metric& W = m_.metrics[whole.id];
        std::set<Id> up = upstream(W.metricDeps);
        if (part.kind == Ref::Kind::Metric) return up.count(part.id) > 0;
        return upstreamParams(up, W.paramDeps).count(part.id) > 0;
      };
      auto nameOf = [&](const Ref& r) { return r.kind == Ref::Kind::Metric ? m_.metrics[r.id].name : m_.params[r.id].name; };
      bool linked = carried(R.from, R.to) || (R.bidirectional && carried(R.to, R.from));
      if (R.kind == RelKind::Deterministic && !linked) {
        d_.report(DiagCode::RelationMismatch, x->range,
                  fmt::format("no formula makes '{}' depend on '{}'", nameOf(R.to), nameOf(R.from)))
            .note("a deterministic relation must match a formula; use `causal` or `probabilistic` for an influence");
      } else if (R.kind == RelKind::Compositional && R.to.kind == Ref::Kind::Metric && m_.metrics[R.to.id].formula &&
                 !carried(R.from, R.to) && inMain(d)) {
        d_.report(DiagCode::RelationContradicts, x->range,
                  fmt::format("'{}' is declared a part of '{}', but the formula of '{}' does not use it", nameOf(R.from),
                              nameOf(R.to), nameOf(R.to)));
      }
      m_.relations.push_back(std::move(R));
    }
  }

  std::optional<Comparison> comparison(const ast::Expr& e, const char* what, std::vector<Id>* reads) {
    if (e.kind != ast::ExprKind::Binary || e.binop < ast::BinOp::Lt || e.binop > ast::BinOp::Eq) {
      d_.report(DiagCode::InvalidExpr, e.range, fmt::format("{} is a comparison: left <= right, >=, <, > or ==", what));
      return std::nullopt;
    }
    Scope s;
    ExprId a = lower(*e.lhs, s);
    ExprId b = lower(*e.rhs, s);
    requireNumber(a, "a side of a comparison");
    requireNumber(b, "a side of a comparison");
    if (!unify(a, b, e.range, "compare")) return std::nullopt;
    adopt(a, Unit{});
    adopt(b, Unit{});
    if (poison(a) || poison(b)) return std::nullopt;
    Comparison c;
    c.lhs = a;
    c.rhs = b;
    switch (e.binop) {
      case ast::BinOp::Lt: c.op = CmpOp::Lt; break;
      case ast::BinOp::Le: c.op = CmpOp::Le; break;
      case ast::BinOp::Gt: c.op = CmpOp::Gt; break;
      case ast::BinOp::Ge: c.op = CmpOp::Ge; break;
      default: c.op = CmpOp::Eq; break;
    }
    if (reads) {
      std::vector<Id> rhs;
      collectRefs(m_, a, reads, nullptr);
      collectRefs(m_, b, &rhs, nullptr);
      std::vector<Id> both;
      std::set_union(reads->begin(), reads->end(), rhs.begin(), rhs.end(), std::back_inserter(both));
      *reads = std::move(both);
    }
    return c;
  }

  void constraintsGoalsEvents() {
    for (auto* d : decls_) {
      if (d->kind == ast::DeclKind::Constraint) {
        auto* x = static_cast<const ast::ConstraintDecl*>(d);
        if (!x->expr) continue;
        Constraint C;
        C.name = x->name.name;
        C.title = x->title.value_or("");
        C.doc = x->doc;
        C.range = x->name.range;
        auto c = comparison(*x->expr, "a constraint", &C.metrics);
        if (!c) continue;
        C.cmp = *c;
        descriptionOnly(x->props, "a constraint", C.doc);
        if (auto it = items_.find(C.name); it != items_.end() && it->second.decl == d) it->second.id = static_cast<Id>(m_.constraints.size());
        m_.constraints.push_back(std::move(C));
      } else if (d->kind == ast::DeclKind::Goal) {
        auto* x = static_cast<const ast::GoalDecl*>(d);
        if (!x->expr) continue;
        Goal G;
        G.name = x->name.name;
        G.title = x->title.value_or("");
        G.doc = x->doc;
        G.range = x->name.range;
        auto c = comparison(*x->expr, "a goal", &G.metrics);
        if (x->by) G.by = period(*x->by);  // checked even when the comparison has an error
        if (!c) continue;
        G.cmp = *c;
        if (X(c->lhs).op == Op::Metric) G.metric = X(c->lhs).ref;
        descriptionOnly(x->props, "a goal", G.doc);
        if (auto it = items_.find(G.name); it != items_.end() && it->second.decl == d) it->second.id = static_cast<Id>(m_.goals.size());
        m_.goals.push_back(std::move(G));
      } else if (d->kind == ast::DeclKind::Event) {
        auto* x = static_cast<const ast::EventDecl*>(d);
        Event E;
        E.name = x->name.name;
        E.title = x->title.value_or("");
        E.doc = x->doc;
        E.range = x->name.range;
        auto f = period(x->when.from);
        if (!f) continue;
        E.from = E.to = *f;
        if (x->when.to) {
          auto t = period(*x->when.to);
          if (!t) continue;
          E.to = *t;
          if (toGrain(E.to, Grain::Day) < toGrain(E.from, Grain::Day)) {
            d_.report(DiagCode::InvalidPeriod, x->when.range, "the event ends before it starts");
            continue;
          }
        }
        for (auto& pe : x->props.entries) {
          if (pe.key.name == "affects") {
            for (auto& v : pe.values) {
              auto w = wordItem(v, "affects");
              if (!w) continue;
              if (auto id = metricByName(ast::Ident{*w, v.range}, "`affects`")) E.affects.push_back(*id);
            }
          } else if (pe.key.name == "description") {
            if (auto s = stringProp(pe)) E.doc = *s;
          } else {
            unknownProperty(pe.key, {"affects", "description"}, "an event");
          }
        }
        if (auto it = items_.find(E.name); it != items_.end() && it->second.decl == d) it->second.id = static_cast<Id>(m_.events.size());
        m_.events.push_back(std::move(E));
      }
    }
  }

  void descriptionOnly(const ast::PropBlock& props, const char* what, std::string& doc) {
    for (auto& pe : props.entries) {
      if (pe.key.name == "description") {
        if (auto s = stringProp(pe)) doc = *s;
      } else {
        unknownProperty(pe.key, {"description"}, what);
      }
    }
  }

  void benchmarks() {
    static const std::map<std::string, Level> levels = {{"below_par", Level::BelowPar}, {"par", Level::OnPar}, {"on_par", Level::OnPar},
                                                        {"above_par", Level::AbovePar}, {"best", Level::Best}, {"unique", Level::Unique}};
    for (auto* d : decls_) {
      if (d->kind != ast::DeclKind::Benchmark) continue;
      auto* x = static_cast<const ast::BenchmarkDecl*>(d);
      auto t = refByName(x->name, "a benchmark");
      if (!t) continue;
      Benchmark B;
      B.target = *t;
      B.range = x->name.range;
      const Unit& u = t->kind == Ref::Kind::Metric ? m_.metrics[t->id].unit : m_.params[t->id].unit;
      std::set<Level> seen;
      for (auto& en : x->levels.entries) {
        auto it = levels.find(en.key.name);
        if (it == levels.end()) {
          auto& rep = d_.report(DiagCode::InvalidProperty, en.key.range, fmt::format("unknown benchmark level '{}'", en.key.name));
          std::string s = closestMatch(en.key.name, keys(levels));
          rep.note(!s.empty() ? fmt::format("did you mean '{}'?", s) : std::string("levels are below_par, par, above_par, best, unique"));
          continue;
        }
        if (!seen.insert(it->second).second) {
          d_.report(DiagCode::Duplicate, en.key.range, fmt::format("level '{}' is given twice", en.key.name));
          continue;
        }
        if (!en.value) {
          d_.report(DiagCode::InvalidExpr, en.range, "a benchmark level takes a value");
          continue;
        }
        Scope s;
        s.constOnly = true;
        s.constWhat = "a benchmark level";
        auto v = constValue(*en.value, u, x->name.name, s);
        if (v) B.levels.push_back({it->second, *v});
      }
      std::sort(B.levels.begin(), B.levels.end());
      m_.benchmarks.push_back(std::move(B));
    }
  }

  // ---- statements
  void statementProps(const ast::Decl& x, Statement& S, const std::vector<std::string>& known) {
    for (auto& pe : x.props.entries) {
      const std::string& k = pe.key.name;
      if (std::find(known.begin(), known.end(), k) == known.end()) {
        unknownProperty(pe.key, known, fmt::format("`{}`", ast::declKindName(x.kind)));
        continue;
      }
      S.options[k] = pe.values.empty() ? "" : c_.sources.textOf(Range::span(pe.values.front().range, pe.values.back().range));
      if (pe.values.size() != 1) {
        d_.report(DiagCode::InvalidProperty, pe.range, fmt::format("'{}' takes one value", k));
        continue;
      }
      const ast::PropItem& it = pe.values[0];
      auto number = [&](double lo, double hi, bool whole) -> std::optional<double> {
        if (!it.expr || (it.expr->kind != ast::ExprKind::Number)) {
          d_.report(DiagCode::InvalidProperty, it.range, fmt::format("'{}' takes a number", k));
          return std::nullopt;
        }
        double v = it.expr->number;
        if (v < lo || v > hi || (whole && v != std::floor(v))) {
          d_.report(DiagCode::InvalidProperty, it.range, fmt::format("'{}' must be {}between {} and {}", k, whole ? "a whole number " : "", lo, hi));
          return std::nullopt;
        }
        return v;
      };
      if (k == "grain") {
        auto g = grainProp(it);
        if (!g) continue;
        if (!coarserOrEqual(*g, m_.grain))
          d_.report(DiagCode::InvalidProperty, it.range, fmt::format("cannot describe at {}: the model's grain is {}", it.text, grainName(m_.grain)));
        else S.grain = g;
      } else if (k == "interval" || k == "level") {
        if (auto v = number(0.01, 0.999, false)) S.interval = *v;
      } else if (k == "runs") {
        if (auto v = number(1, 10'000'000, true)) S.runs = static_cast<int64_t>(*v);
      } else if (k == "seed") {
        if (auto v = number(0, 9e15, true)) S.seed = static_cast<uint64_t>(*v);
      } else if (k == "method") {
        if (auto w = wordItem(it, k)) {
          S.method = *w;
          std::vector<std::string> methods;
          if (S.kind == StmtKind::Diagnose) methods = {"shapley", "lmdi"};
          if (S.kind == StmtKind::Forecast) methods = {"auto", "ets", "naive", "snaive", "drift", "mean", "holt", "holt_winters", "arima", "linear"};
          if (S.kind == StmtKind::Optimize) methods = {"auto", "simplex", "mip", "nlp"};
          if (!methods.empty() && std::find(methods.begin(), methods.end(), *w) == methods.end())
            d_.report(DiagCode::InvalidProperty, it.range, fmt::format("unknown method '{}'", *w))
                .note(fmt::format("methods: {}", joinNames(methods)));
        }
      } else if (k == "at" || k == "base") {
        auto p = periodText(it.text, it.range);
        if (p && k == "at") S.optAt = p;
      } else if (k == "top" || k == "depth" || k == "holdout") {
        number(0, 1e6, true);
      }
    }
  }

  std::vector<Id> metricList(const std::vector<ast::Ident>& ids, const char* where) {
    std::vector<Id> out;
    for (auto& i : ids)
      if (auto m = metricByName(i, where)) out.push_back(*m);
    return out;
  }
  std::optional<Id> goalByName(const ast::Ident& id, const char* where) {
    auto it = items_.find(id.name);
    if (it == items_.end() || it->second.kind != SymKind::Goal) {
      if (it != items_.end() || values_.count(id.name)) {
        Range decl = it != items_.end() ? it->second.declRange : values_[id.name].declRange;
        SymKind k = it != items_.end() ? it->second.kind : values_[id.name].kind;
        d_.report(DiagCode::WrongKind, id.range, fmt::format("{} takes a goal, but '{}' is {}", where, id.name, aKind(k)))
            .note(decl, "declared here");
        return std::nullopt;
      }
      std::vector<std::string> goals;
      for (auto& [k, s] : items_) if (s.kind == SymKind::Goal) goals.push_back(k);
      unknownName(id.range, id.name, goals, "goal");
      return std::nullopt;
    }
    occur(id.range, SymKind::Goal, id.name, it->second.declRange);
    if (it->second.id == kNone) return std::nullopt;  // the goal itself had errors
    return it->second.id;
  }

  void statements() {
    for (auto* d : decls_) {
      if (!ast::isStatement(d->kind)) continue;
      if (!inMain(d)) continue;  // statements in imported files do not run
      Statement S;
      S.range = d->range;
      switch (d->kind) {
        case ast::DeclKind::Describe: {
          auto* x = static_cast<const ast::DescribeStmt*>(d);
          S.kind = StmtKind::Describe;
          S.metrics = metricList(x->metrics, "describe");
          if (x->from) S.from = period(*x->from);
          if (x->to) S.to = period(*x->to);
          if (x->at) {
            S.from = period(x->at->from);
            S.to = x->at->to ? period(*x->at->to) : S.from;
          }
          if (S.from && S.to && toGrain(*S.to, Grain::Day) < toGrain(*S.from, Grain::Day))
            d_.report(DiagCode::InvalidPeriod,
                      x->at ? x->at->range : Range::span(x->from ? x->from->range : x->to->range, x->to->range),
                      "the range ends before it starts");
          statementProps(*d, S, {"grain"});
          break;
        }
        case ast::DeclKind::Diagnose: {
          auto* x = static_cast<const ast::DiagnoseStmt*>(d);
          S.kind = StmtKind::Diagnose;
          if (auto m = metricByName(x->metric, "diagnose")) S.metrics = {*m};
          if (auto p = period(x->at)) S.at = *p;
          S.vs = x->vs == ast::DiagnoseStmt::Vs::Previous ? VsKind::Previous
               : x->vs == ast::DiagnoseStmt::Vs::SameLastYear ? VsKind::SameLastYear : VsKind::Period;
          if (S.vs == VsKind::Period)
            if (auto p = period(x->vsPeriod)) S.vsPeriod = *p;
          S.method = "shapley";
          statementProps(*d, S, {"method", "top", "depth"});
          break;
        }
        case ast::DeclKind::Forecast:
        case ast::DeclKind::Simulate: {
          auto* x = static_cast<const ast::ForecastStmt*>(d);
          bool fc = d->kind == ast::DeclKind::Forecast;
          S.kind = fc ? StmtKind::Forecast : StmtKind::Simulate;
          S.metrics = metricList(x->metrics, fc ? "forecast" : "simulate");
          S.horizonCount = x->horizon.count;
          if (auto g = grainFromName(x->horizon.unit.name)) S.horizonUnit = *g;
          if (auto n = duration(x->horizon)) S.horizon = *n;
          if (x->horizon.count <= 0)
            d_.report(DiagCode::InvalidDuration, x->horizon.range, "the horizon must be at least one period");
          if (fc) S.method = "auto";
          statementProps(*d, S, fc ? std::vector<std::string>{"method", "interval", "level", "seed", "holdout"}
                                   : std::vector<std::string>{"runs", "seed", "interval", "level"});
          break;
        }
        case ast::DeclKind::Seek: {
          auto* x = static_cast<const ast::SeekStmt*>(d);
          S.kind = StmtKind::Seek;
          if (auto g = goalByName(x->goal, "seek")) S.goal = *g;
          for (auto& v : x->varying)
            if (auto r = refByName(v, "varying")) S.varying.push_back(*r);
          statementProps(*d, S, {"at"});
          break;
        }
        case ast::DeclKind::Recommend: {
          auto* x = static_cast<const ast::RecommendStmt*>(d);
          S.kind = StmtKind::Recommend;
          if (auto g = goalByName(x->goal, "recommend")) S.goal = *g;
          statementProps(*d, S, {"at", "top"});
          break;
        }
        case ast::DeclKind::Optimize: {
          S.kind = StmtKind::Optimize;
          optimize(*static_cast<const ast::OptimizeStmt*>(d), S);
          break;
        }
        default: continue;
      }
      m_.statements.push_back(std::move(S));
    }
  }

  void optimize(const ast::OptimizeStmt& x, Statement& S) {
    S.name = x.name.name.empty() ? "optimize" : x.name.name;
    if (x.objectiveCount == 0) {
      d_.report(DiagCode::InvalidExpr, x.keywordRange, "optimize needs an objective: `maximize expr` or `minimize expr`");
    }  // a second objective is reported by the parser (`duplicate`)
    if (x.objective) {
      Scope s;
      ExprId o = lower(*x.objective, s);
      requireNumber(o, "an objective");
      adopt(o, Unit{});
      if (!poison(o)) S.objective = o;
      S.maximize = x.maximize;
    }
    std::set<Id> varied;
    for (auto& vc : x.vary) {
      for (auto& v : vc.vars) {
        auto it = values_.find(v.name);
        if (it == values_.end()) {
          std::vector<std::string> ps;
          for (auto& P : m_.params) ps.push_back(P.name);
          unknownName(v.range, v.name, ps, "param");
          continue;
        }
        if (it->second.kind != SymKind::Param) {
          d_.report(DiagCode::WrongKind, v.range, fmt::format("`vary` takes params, but '{}' is {}", v.name, aKind(it->second.kind)))
              .note(it->second.declRange, "declared here")
              .note("a decision variable is a param: declare `param name: unit = starting value`");
          continue;
        }
        occur(v.range, SymKind::Param, v.name, it->second.declRange);
        if (!varied.insert(it->second.id).second) {
          d_.report(DiagCode::Duplicate, v.range, fmt::format("'{}' is varied twice", v.name));
          continue;
        }
        OptVar ov;
        ov.param = it->second.id;
        ov.integer = vc.integer;
        const Param& P = m_.params[ov.param];
        for (auto& b : vc.bounds) {
          Scope s;
          s.constOnly = true;
          s.constWhat = "a bound";
          auto val = constValue(*b.value, P.unit, P.name, s);
          if (!val) continue;
          switch (b.op) {
            case ast::BinOp::Ge: case ast::BinOp::Gt: ov.lower = *val; ov.lowerStrict = b.op == ast::BinOp::Gt; break;
            case ast::BinOp::Le: case ast::BinOp::Lt: ov.upper = *val; ov.upperStrict = b.op == ast::BinOp::Lt; break;
            default: ov.lower = ov.upper = *val; break;
          }
        }
        if (ov.lower && ov.upper && *ov.lower > *ov.upper)
          d_.report(DiagCode::InvalidExpr, vc.range, fmt::format("the bounds of '{}' leave no value ({} > {})", v.name, *ov.lower, *ov.upper));
        S.vars.push_back(ov);
      }
    }
    if (x.vary.empty()) d_.report(DiagCode::InvalidExpr, x.keywordRange, "optimize needs `vary` with at least one param");
    std::set<std::string> names;
    for (auto& ne : x.subjectTo) {
      if (!names.insert(ne.name.name).second) {
        d_.report(DiagCode::Duplicate, ne.name.range, fmt::format("constraint '{}' is given twice", ne.name.name));
        continue;
      }
      if (!ne.expr) continue;
      auto c = comparison(*ne.expr, "a `subject to` entry", nullptr);
      if (c) S.subjectTo.push_back({ne.name.name, ne.name.range, *c});
    }
    statementProps(x, S, {"method", "at", "time_limit"});
  }

  // ---- lints
  void lints() {
    auto vanityIn = [&](ExprId e) -> std::optional<Id> {
      std::vector<Id> ms;
      collectRefs(m_, e, &ms, nullptr);
      for (Id v : upstream(ms))
        if (m_.metrics[v].classes & ClassVanity) return v;
      return std::nullopt;
    };
    auto vanity = [&](std::optional<Id> v, Range r, const std::string& what) {
      if (!v) return;
      d_.report(DiagCode::VanityDecision, r, fmt::format("{} depends on '{}', which is classified vanity", what, m_.metrics[*v].name))
          .note(m_.metrics[*v].nameRange, "classified here")
          .note("vanity metrics make the business look good but should not drive decisions");
    };
    auto vanityCmp = [&](const Comparison& c) {
      auto v = vanityIn(c.lhs);
      return v ? v : vanityIn(c.rhs);
    };
    for (auto& G : m_.goals) vanity(vanityCmp(G.cmp), G.range, fmt::format("goal '{}'", G.name));
    for (auto& C : m_.constraints) vanity(vanityCmp(C.cmp), C.range, fmt::format("constraint '{}'", C.name));
    for (auto& S : m_.statements) {
      if (S.kind != StmtKind::Optimize) continue;
      if (S.objective) vanity(vanityIn(*S.objective), X(*S.objective).range, "the objective");
      for (auto& nc : S.subjectTo) vanity(vanityCmp(nc.cmp), nc.range, fmt::format("constraint '{}'", nc.name));
    }
    // north stars (declared in the main file)
    std::vector<Id> stars;
    bool anyMainMetric = false;
    for (Id i = 0; i < m_.metrics.size(); ++i) {
      if (!inMain(metricDecls_[i])) continue;
      anyMainMetric = true;
      if (m_.metrics[i].roles & RoleNorthStar) stars.push_back(i);
    }
    if (anyMainMetric && stars.empty() && !m_.statements.empty())
      d_.report(DiagCode::NoNorthStar, m_.range.valid() ? m_.range : m_.metrics[0].nameRange,
                "no metric is the north_star")
          .note("mark the one metric that best captures the value delivered with `role: north_star`");
    for (size_t k = 1; k < stars.size(); ++k)
      d_.report(DiagCode::ManyNorthStars, m_.metrics[stars[k]].nameRange,
                fmt::format("'{}' is a second north_star", m_.metrics[stars[k]].name))
          .note(m_.metrics[stars[0]].nameRange, fmt::format("'{}' is the north_star already", m_.metrics[stars[0]].name));
    // who reads what
    std::vector<bool> read(m_.metrics.size(), false);
    for (auto& M : m_.metrics)
      for (Id w : M.metricDeps) read[w] = true;
    for (auto& R : m_.relations)
      if (R.from.kind == Ref::Kind::Metric) read[R.from.id] = true;
    for (Id i = 0; i < m_.metrics.size(); ++i) {
      const Metric& M = m_.metrics[i];
      if (!inMain(metricDecls_[i])) continue;
      const ast::PropBlock& props = metricDecls_[i]->props;  // written but unresolved: reported already
      if (!M.formula && !M.data && !props.find("data"))
        d_.report(DiagCode::InputWithoutData, M.nameRange, fmt::format("'{}' has neither a formula nor data", M.name))
            .note("give it `data: source.column`, a formula, or make it a param");
      if (!m_.chains.empty() && M.stage == kNone && !props.find("stage"))
        d_.report(DiagCode::NoStage, M.nameRange, fmt::format("'{}' has no stage", M.name))
            .note("attach it to the value chain with `stage: <stage>`");
      if ((M.roles & RoleLeading) && !read[i])
        d_.report(DiagCode::UnusedLeading, M.nameRange,
                  fmt::format("'{}' is leading, but no formula or relation uses it", M.name))
            .note(fmt::format("declare what it leads, e.g. `relation {} -> <metric>: causal`", M.name));
    }
  }
};

// ------------------------------------------------------------------ loading

class Loader {
 public:
  Loader(Compilation& c, const CompileOptions& o) : c_(c), o_(o) {}

  void loadMain(const std::string& path, std::optional<std::string> text) {
    std::string t;
    if (text) {
      t = std::move(*text);
    } else if (!overlay(path, t)) {
      std::string err;
      if (!readFile(path, t, &err)) {
        FileId id = c_.sources.add(path, "");
        c_.diags.report(DiagCode::Io, Range::point(Loc{id, 1, 1}), fmt::format("cannot read '{}': {}", path, err));
        return;
      }
    }
    parse(path, std::move(t));
  }

 private:
  Compilation& c_;
  const CompileOptions& o_;
  std::set<std::string> seen_;

  bool overlay(const std::string& path, std::string& out) {
    for (auto& [p, t] : o_.overlays)
      if (p == path || fs::weakly_canonical(p) == fs::weakly_canonical(path)) {
        out = t;
        return true;
      }
    return false;
  }

  void parse(const std::string& path, std::string text) {
    std::error_code ec;
    seen_.insert(fs::weakly_canonical(path, ec).string());
    FileId id = c_.sources.add(path, std::move(text));
    size_t errs = c_.diags.errorCount();
    auto file = parseFile(c_.sources.file(id), c_.diags, o_.limits);
    file->id = id;
    for (auto& d : file->decls) d->file = id;
    if (c_.diags.errorCount() > errs) c_.parsed = false;
    std::vector<const ast::ImportDecl*> imports;
    for (auto& d : file->decls)
      if (d->kind == ast::DeclKind::Import) imports.push_back(static_cast<const ast::ImportDecl*>(d.get()));
    c_.files.push_back(std::move(file));
    for (auto* im : imports) import(path, *im);
  }

  void import(const std::string& from, const ast::ImportDecl& im) {
    if (im.path.empty()) return;
    std::vector<fs::path> candidates;
    fs::path p(im.path);
    if (p.is_absolute()) candidates.push_back(p);
    else {
      candidates.push_back(fs::path(from).parent_path() / p);
      for (auto& dir : o_.stdlibDirs) {
        candidates.push_back(fs::path(dir) / p);
        auto it = p.begin();
        if (it != p.end() && it->string() == "stdlib") {
          fs::path rest;
          for (++it; it != p.end(); ++it) rest /= *it;
          candidates.push_back(fs::path(dir) / rest);
        }
      }
    }
    for (auto& cand : candidates) {
      std::error_code ec;
      std::string text;
      bool ov = overlay(cand.string(), text);
      if (!ov && !fs::is_regular_file(cand, ec)) continue;
      std::string canon = fs::weakly_canonical(cand, ec).string();
      if (seen_.count(canon)) return;  // already loaded (or an import cycle): once is enough
      std::string err;
      if (!ov && !readFile(cand.string(), text, &err)) {
        c_.diags.report(DiagCode::Io, im.pathRange, fmt::format("cannot read '{}': {}", cand.string(), err));
        return;
      }
      parse(cand.lexically_normal().string(), std::move(text));
      return;
    }
    auto& rep = c_.diags.report(DiagCode::Io, im.pathRange, fmt::format("cannot find '{}' to import", im.path));
    rep.note(fmt::format("looked in {}", fs::path(from).parent_path().empty() ? "." : fs::path(from).parent_path().string()));
    for (auto& dir : o_.stdlibDirs) rep.note(fmt::format("and in the stdlib folder {}", dir));
  }
};

std::unique_ptr<Compilation> run(const std::string& path, std::optional<std::string> text, const CompileOptions& opts) {
  auto c = std::make_unique<Compilation>();
  c->diags.setDenyWarnings(opts.denyWarnings);
  for (auto& a : opts.allow) c->diags.allow(a);
  c->parsed = true;
  Loader(*c, opts).loadMain(path, std::move(text));
  if (c->files.empty()) {
    c->parsed = false;
    return c;
  }
  c->model = std::make_unique<ir::Model>();
  c->model->path = path;
  Checker(*c, opts).run();
  return c;
}

}  // namespace

const char* symKindName(SymKind k) {
  switch (k) {
    case SymKind::Unit: return "unit";
    case SymKind::Dimension: return "dimension";
    case SymKind::DimValue: return "dimension value";
    case SymKind::Chain: return "chain";
    case SymKind::Stage: return "stage";
    case SymKind::Source: return "source";
    case SymKind::Param: return "param";
    case SymKind::Metric: return "metric";
    case SymKind::Function: return "function";
    case SymKind::Goal: return "goal";
    case SymKind::Constraint: return "constraint";
    case SymKind::Event: return "event";
    case SymKind::Optimize: return "optimization";
    case SymKind::FunctionParam: return "function parameter";
  }
  return "?";
}

std::unique_ptr<Compilation> compile(const std::string& path, const CompileOptions& opts) {
  return run(path, std::nullopt, opts);
}
std::unique_ptr<Compilation> compileText(const std::string& path, std::string text, const CompileOptions& opts) {
  return run(path, std::move(text), opts);
}

std::vector<std::string> defaultStdlibDirs(const std::string& argv0) {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("MTC_STDLIB"); env && *env) dirs.push_back(env);
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) exe = fs::absolute(argv0, ec);
  for (fs::path dir = exe.parent_path(); !dir.empty(); dir = dir.parent_path()) {
    for (auto cand : {dir / "stdlib", dir / "share" / "mtc" / "stdlib"})
      if (fs::is_directory(cand, ec)) {
        dirs.push_back(cand.string());
        return dirs;
      }
    if (dir == dir.root_path()) break;
  }
  return dirs;
}

}  // namespace mtc
