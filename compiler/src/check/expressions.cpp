// Expressions: the AST's formulas typed and lowered into the IR. Every node gets
// a unit (bare numbers take the unit their position needs), dimensions
// (broadcasting, `over`, selections) and a shape; units convert between scales;
// user functions are inlined at each call.
#include <algorithm>
#include <cmath>

#include "checker.h"

namespace mtc::check {

ExprId Typer::add(Expr e, Meta mt) {
  x_.m.exprs.push_back(std::move(e));
  x_.meta.push_back(mt);
  return static_cast<ExprId>(x_.m.exprs.size() - 1);
}

ExprId Typer::constant(double v, Range r, Unit u, bool isFlex) {
  Expr e;
  e.op = Op::Const;
  e.value = v;
  e.range = r;
  e.type.unit = u;
  return add(std::move(e), Meta{isFlex, false, false});
}

ExprId Typer::error(Range r) {
  Expr e;
  e.op = Op::Const;
  e.range = r;
  return add(std::move(e), Meta{true, true, false});
}

// Folds an expression made of constants; nullopt when it reads params or metrics.
std::optional<double> Typer::fold(ExprId id) const {
  const Expr& e = x_.X(id);
  auto a = [&](size_t i) { return fold(e.args[i]); };
  switch (e.op) {
    case Op::Const: return e.value;
    case Op::Neg: {
      auto v = a(0);
      if (!v) return std::nullopt;
      return -*v;
    }
    case Op::Add: case Op::Sub: case Op::Mul: case Op::Div: case Op::Pow: {
      auto p = a(0), q = a(1);
      if (!p || !q) return std::nullopt;
      switch (e.op) {
        case Op::Add: return *p + *q;
        case Op::Sub: return *p - *q;
        case Op::Mul: return *p * *q;
        case Op::Div: return *p / *q;
        case Op::Const: case Op::Param: case Op::Metric: case Op::Neg: case Op::Not: case Op::Pow:
        case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: case Op::Eq: case Op::Ne:
        case Op::And: case Op::Or: case Op::If: case Op::Min: case Op::Max: case Op::Abs:
        case Op::Log: case Op::Exp: case Op::Sqrt: case Op::Clamp: case Op::Lag: case Op::Delta:
        case Op::PctChange: case Op::Cumsum: case Op::RollingSum: case Op::RollingMean: case Op::Ytd: case Op::Yoy:
        case Op::SumOver: case Op::MeanOver: case Op::MinOver: case Op::MaxOver: case Op::Share: case Op::Hill:
        case Op::Saturate: case Op::Adstock: case Op::Select: return std::pow(*p, *q);
      }
      return std::nullopt;
    }
    case Op::Param: case Op::Metric: case Op::Not: case Op::Lt: case Op::Le: case Op::Gt:
    case Op::Ge: case Op::Eq: case Op::Ne: case Op::And: case Op::Or: case Op::If:
    case Op::Min: case Op::Max: case Op::Abs: case Op::Log: case Op::Exp: case Op::Sqrt:
    case Op::Clamp: case Op::Lag: case Op::Delta: case Op::PctChange: case Op::Cumsum: case Op::RollingSum:
    case Op::RollingMean: case Op::Ytd: case Op::Yoy: case Op::SumOver: case Op::MeanOver: case Op::MinOver:
    case Op::MaxOver: case Op::Share: case Op::Hill: case Op::Saturate: case Op::Adstock: case Op::Select: return std::nullopt;
  }
  return std::nullopt;
}

std::vector<Id> Typer::unionDims(const std::vector<Id>& a, const std::vector<Id>& b) const {
  std::vector<Id> r;
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(r));
  return r;
}

// e expressed in unit `to` (same dimension, another scale).
ExprId Typer::convert(ExprId e, const Unit& to) {
  const Unit& from = x_.X(e).type.unit;
  if (from == to) return e;
  double f = from.scale() / to.scale();
  if (x_.X(e).op == Op::Const) {
    Expr c = x_.X(e);
    c.value *= f;
    c.type.unit = to;
    return add(std::move(c), x_.meta[e]);
  }
  Expr m;
  m.op = Op::Mul;
  m.range = x_.X(e).range;
  m.type = x_.X(e).type;
  m.type.unit = to;
  m.args = {e, constant(f, x_.X(e).range)};
  return add(std::move(m));
}

// Gives a flexible value the unit its position needs. A flexible value is a
// bare number, or an expression whose numbers are all bare (`if(c, 1, 0)`,
// `max(0, 1 - 2)`, `-(3)`): the unit flows down to every bare number in it.
void Typer::adopt(ExprId e, const Unit& u) {
  if (!x_.flex(e)) return;
  x_.meta[e].flex = false;
  Expr& ex = x_.X(e);
  ex.type.unit = u;
  switch (ex.op) {
    case Op::If: adopt(ex.args[1], u); adopt(ex.args[2], u); break;
    case Op::Neg: case Op::Abs: case Op::Add: case Op::Sub: case Op::Min: case Op::Max: case Op::Clamp:
    case Op::SumOver: case Op::MeanOver: case Op::MinOver: case Op::MaxOver:
      for (ExprId a : std::vector<ExprId>(ex.args)) adopt(a, u);
      break;
    case Op::Const: case Op::Param: case Op::Metric: case Op::Not: case Op::Mul: case Op::Div:
    case Op::Pow: case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: case Op::Eq:
    case Op::Ne: case Op::And: case Op::Or: case Op::Log: case Op::Exp: case Op::Sqrt:
    case Op::Lag: case Op::Delta: case Op::PctChange: case Op::Cumsum: case Op::RollingSum: case Op::RollingMean:
    case Op::Ytd: case Op::Yoy: case Op::Share: case Op::Hill: case Op::Saturate: case Op::Adstock:
    case Op::Select: break;
  }
}

// r in unit u: a flexible value adopts it, another scale of the same unit is
// converted; nullopt when the units differ (the caller reports how).
std::optional<ExprId> Typer::inUnit(ExprId r, const Unit& u) {
  if (x_.flex(r)) {
    adopt(r, u);
    return r;
  }
  if (x_.X(r).type.unit == u) return r;
  if (x_.X(r).type.unit.sameDimension(u)) return convert(r, u);
  return std::nullopt;
}

// Brings two operands to one unit (for +, -, comparisons, min/max, if branches).
// Returns false after reporting a mismatch.
bool Typer::unify(ExprId& a, ExprId& b, Range where, const char* verb) {
  if (x_.poison(a) || x_.poison(b)) return true;
  if (x_.flex(a) && x_.flex(b)) return true;
  if (x_.flex(a)) {
    adopt(a, x_.X(b).type.unit);
    return true;
  }
  if (auto nb = inUnit(b, x_.X(a).type.unit)) {
    b = *nb;
    return true;
  }
  const Unit& ua = x_.X(a).type.unit;
  const Unit& ub = x_.X(b).type.unit;
  x_.d.report(DiagCode::UnitMismatch, where, fmt::format("cannot {} '{}' and '{}'", verb, x_.fmtUnit(ua), x_.fmtUnit(ub)))
      .note(x_.X(a).range, fmt::format("this is {}", x_.fmtUnit(ua)))
      .note(x_.X(b).range, fmt::format("this is {}", x_.fmtUnit(ub)));
  // what is built from them has no meaningful unit: no follow-on errors
  // (such as the declared-unit check of the metric)
  x_.meta[a].poison = x_.meta[b].poison = true;
  return false;
}

// Brings compared operands (min, max, clamp) to the unit of the first one that
// is not flexible, and returns its index; nullopt when all are flexible.
std::optional<size_t> Typer::unifyAll(std::vector<ExprId>& as, Range where) {
  auto it = std::find_if(as.begin(), as.end(), [&](ExprId a) { return !x_.flex(a); });
  if (it == as.end()) return std::nullopt;
  size_t ref = static_cast<size_t>(it - as.begin());
  for (size_t i = 0; i < as.size(); ++i)
    if (i != ref) unify(as[ref], as[i], where, "compare");
  return ref;
}

bool Typer::requireNumber(ExprId e, const char* what) {
  if (x_.poison(e) || !x_.X(e).type.boolean) return true;
  x_.d.report(DiagCode::InvalidExpr, x_.X(e).range, fmt::format("a comparison cannot be used as {}", what));
  return false;
}

bool Typer::requireBool(ExprId e, const char* what) {
  if (x_.poison(e) || x_.X(e).type.boolean) return true;
  x_.d.report(DiagCode::InvalidExpr, x_.X(e).range, fmt::format("{} needs a condition (a comparison), not a number", what));
  return false;
}

bool Typer::requireDimensionless(ExprId e, const char* what) {
  if (x_.poison(e) || x_.flex(e)) return true;
  if (x_.X(e).type.unit.dimensionless()) return true;
  x_.d.report(DiagCode::UnitMismatch, x_.X(e).range,
              fmt::format("{} needs a ratio (a number without unit), not '{}'", what, x_.fmtUnit(x_.X(e).type.unit)));
  return false;
}

// A node combining args element-wise; the type's dims and shape come from the args.
ExprId Typer::node(Op op, Range r, std::vector<ExprId> args, Unit u, bool boolean) {
  Expr e;
  e.op = op;
  e.range = r;
  e.type.unit = u;
  e.type.boolean = boolean;
  bool anyPoison = false;
  for (ExprId a : args) {
    e.type.dims = unionDims(e.type.dims, x_.X(a).type.dims);
    if (x_.X(a).type.shape == Shape::Series) e.type.shape = Shape::Series;
    anyPoison |= x_.poison(a);
  }
  e.args = std::move(args);
  return add(std::move(e), Meta{false, anyPoison, false});
}

// A node over flexible operands: it stays flexible until its position gives it a unit.
ExprId Typer::flexNode(Op op, Range r, std::vector<ExprId> args) {
  ExprId id = node(op, r, std::move(args), Unit{});
  x_.meta[id].flex = true;
  return id;
}

ExprId Typer::lower(const ast::Expr& e, const Scope& s) {
  switch (e.kind) {
    case ast::ExprKind::Number: return constant(e.number, e.range, Unit{}, true);
    case ast::ExprKind::String:
      x_.d.report(DiagCode::InvalidExpr, e.range, "a string cannot be used in a formula");
      return error(e.range);
    case ast::ExprKind::Quantity: {
      auto u = unit(x_, e.unit);
      if (!u) return error(e.range);
      return constant(e.number, e.range, *u);
    }
    case ast::ExprKind::Name: return lowerName(e, s);
    case ast::ExprKind::Unary: {
      ExprId a = lower(*e.lhs, s);
      switch (e.unop) {
        case ast::UnOp::Not:
          requireBool(a, "'not'");
          return node(Op::Not, e.range, {a}, Unit{}, true);
        case ast::UnOp::Plus:
          requireNumber(a, "a number");
          return a;
        case ast::UnOp::Neg:
          requireNumber(a, "a number");
          if (x_.flex(a)) {
            if (auto v = fold(a)) return constant(-*v, e.range, Unit{}, true);
            return flexNode(Op::Neg, e.range, {a});
          }
          return node(Op::Neg, e.range, {a}, x_.X(a).type.unit);
      }
      return error(e.range);
    }
    case ast::ExprKind::Binary: return lowerBinary(e, s);
    case ast::ExprKind::Call: return lowerCall(e, s);
    case ast::ExprKind::Index: return lowerIndex(e, s);
  }
  return error(e.range);
}

ExprId Typer::lowerName(const ast::Expr& e, const Scope& s) {
  if (e.path.empty()) return error(e.range);
  if (e.path.size() > 1) {
    x_.d.report(DiagCode::InvalidExpr, e.range,
                fmt::format("'{}' is a qualified name; formulas name metrics and params directly", x_.c.sources.textOf(e.range)))
        .note("source columns are named in a metric's `data:` property");
    return error(e.range);
  }
  const ast::Ident& id = e.path[0];
  if (s.args) {
    auto it = s.args->find(id.name);
    if (it != s.args->end()) return it->second;
  }
  auto it = x_.values.find(id.name);
  if (it == x_.values.end()) {
    std::vector<std::string> cands = keysOf(x_.values);
    if (s.args)
      for (auto& [k, _] : *s.args) cands.push_back(k);
    if (x_.dimIds.count(id.name)) {
      x_.d.report(DiagCode::WrongKind, id.range,
                  fmt::format("'{}' is a dimension; it can only follow `over` or select a slice", id.name));
      return error(e.range);
    }
    unknownName(x_, id.range, id.name, cands, "name");
    return error(e.range);
  }
  const Sym& sym = it->second;
  if (sym.kind == SymKind::Function) {
    x_.d.report(DiagCode::WrongKind, id.range, fmt::format("'{}' is a function; call it with arguments", id.name))
        .note(sym.declRange, "declared here");
    return error(e.range);
  }
  x_.occur(id.range, sym.kind, id.name, sym.declRange);
  if ((sym.kind == SymKind::Metric && sym.id < x_.metricBad.size() && x_.metricBad[sym.id]) ||
      (sym.kind == SymKind::Param && sym.id < x_.paramBad.size() && x_.paramBad[sym.id]))
    return error(e.range);  // its declared type has an error, reported there
  if (s.constOnly) {
    x_.d.report(DiagCode::InvalidExpr, id.range,
                fmt::format("{} must be a constant: numbers and quantities, not '{}'", s.constWhat, id.name));
    return error(e.range);
  }
  Expr ex;
  ex.range = e.range;
  ex.ref = sym.id;
  if (sym.kind == SymKind::Metric) {
    const Metric& M = x_.m.metrics[sym.id];
    ex.op = Op::Metric;
    ex.type.unit = M.unit;
    ex.type.dims = M.dims;
    ex.type.shape = Shape::Series;
  } else {
    const Param& P = x_.m.params[sym.id];
    ex.op = Op::Param;
    ex.type.unit = P.unit;
    ex.type.dims = P.dims;
    ex.type.shape = Shape::Constant;
  }
  return add(std::move(ex));
}

ExprId Typer::lowerBinary(const ast::Expr& e, const Scope& s) {
  ExprId a = lower(*e.lhs, s);
  ExprId b = lower(*e.rhs, s);
  using B = ast::BinOp;
  if (e.binop == B::And || e.binop == B::Or) {
    requireBool(a, e.binop == B::And ? "'and'" : "'or'");
    requireBool(b, e.binop == B::And ? "'and'" : "'or'");
    return node(e.binop == B::And ? Op::And : Op::Or, e.range, {a, b}, Unit{}, true);
  }
  requireNumber(a, "a number");
  requireNumber(b, "a number");
  // Bare numbers fold into one flexible literal.
  auto fa = x_.flex(a) ? fold(a) : std::nullopt, fb = x_.flex(b) ? fold(b) : std::nullopt;
  if (fa && fb && !x_.poison(a) && !x_.poison(b)) {
    double p = *fa, q = *fb;
    switch (e.binop) {
      case B::Add: return constant(p + q, e.range, Unit{}, true);
      case B::Sub: return constant(p - q, e.range, Unit{}, true);
      case B::Mul: return constant(p * q, e.range, Unit{}, true);
      case B::Div: return constant(p / q, e.range, Unit{}, true);
      case B::Pow: return constant(std::pow(p, q), e.range, Unit{}, true);
      case B::Lt: case B::Le: case B::Gt: case B::Ge: case B::Eq: case B::Ne: case B::And: case B::Or: break;
    }
  }
  switch (e.binop) {
    case B::Add: case B::Sub: {
      Op op = e.binop == B::Add ? Op::Add : Op::Sub;
      if (x_.flex(a) && x_.flex(b)) return flexNode(op, e.range, {a, b});
      unify(a, b, e.range, e.binop == B::Add ? "add" : "subtract");
      const Unit& u = x_.flex(a) ? x_.X(b).type.unit : x_.X(a).type.unit;
      return node(op, e.range, {a, b}, u);
    }
    case B::Mul: case B::Div: {
      adopt(a, Unit{});
      adopt(b, Unit{});
      Unit u = e.binop == B::Mul ? x_.X(a).type.unit * x_.X(b).type.unit : x_.X(a).type.unit / x_.X(b).type.unit;
      return node(e.binop == B::Mul ? Op::Mul : Op::Div, e.range, {a, b}, u);
    }
    case B::Pow: {
      adopt(b, Unit{});
      requireDimensionless(b, "an exponent");
      adopt(a, Unit{});
      Unit u;
      const Unit& ua = x_.X(a).type.unit;
      if (!ua.dimensionless() && !x_.poison(a)) {
        auto k = fold(b);
        if (!k || *k != std::floor(*k) || std::abs(*k) > 64) {
          x_.d.report(DiagCode::UnitMismatch, e.range, fmt::format("'{}' can only be raised to a constant whole power", x_.fmtUnit(ua)))
              .note(x_.X(b).range, "this exponent is not a constant whole number");
          return error(e.range);
        }
        u = ua.pow(static_cast<int>(*k));
      }
      return node(Op::Pow, e.range, {a, b}, u);
    }
    case B::Lt: case B::Le: case B::Gt: case B::Ge: case B::Eq: case B::Ne: {
      unify(a, b, e.range, "compare");
      Op op = e.binop == B::Lt ? Op::Lt : e.binop == B::Le ? Op::Le : e.binop == B::Gt ? Op::Gt
            : e.binop == B::Ge ? Op::Ge : e.binop == B::Eq ? Op::Eq : Op::Ne;
      return node(op, e.range, {a, b}, Unit{}, true);
    }
    case B::And: case B::Or: break;  // above
  }
  return error(e.range);
}

ExprId Typer::lowerIndex(const ast::Expr& e, const Scope& s) {
  ExprId a = lower(*e.lhs, s);
  if (x_.poison(a)) return a;
  Expr ex;
  ex.op = Op::Select;
  ex.range = e.range;
  ex.type = x_.X(a).type;
  ex.args = {a};
  for (auto& sel : e.selectors) {
    std::optional<Id> dim;
    if (sel.dim) {
      dim = dimByName(x_, *sel.dim);
      if (!dim) return error(e.range);
    } else {
      // `x[ppc]`: the dimension of x that lists the value. Only listed values
      // count: a dimension whose values come from data also holds the values the
      // model has named so far, and using those would depend on declaration order.
      std::vector<Id> hits;
      for (Id d : ex.type.dims)
        if (x_.m.dims[d].resolved && x_.m.dims[d].index(sel.value.name) >= 0) hits.push_back(d);
      if (hits.size() > 1) {
        x_.d.report(DiagCode::InvalidExpr, sel.value.range,
                    fmt::format("'{}' is a value of several dimensions; write dimension: value", sel.value.name));
        return error(e.range);
      }
      if (hits.empty()) {
        // a dimension whose values come from data may have it: when x has
        // exactly one such dimension, the value is taken to be of that one
        for (Id d : ex.type.dims)
          if (!x_.m.dims[d].resolved) hits.push_back(d);
      }
      if (hits.size() != 1) {
        x_.d.report(DiagCode::UnknownDimValue, sel.value.range,
                    hits.empty() ? fmt::format("'{}' is not a value of any dimension of this expression ({})", sel.value.name,
                                               dimsText(x_, ex.type.dims))
                                 : fmt::format("'{}' may be a value of {} (their values come from data); write dimension: value",
                                               sel.value.name, dimsText(x_, hits)));
        return error(e.range);
      }
      dim = hits[0];
    }
    auto it = std::find(ex.type.dims.begin(), ex.type.dims.end(), *dim);
    if (it == ex.type.dims.end()) {
      x_.d.report(DiagCode::DimensionMismatch, sel.dim ? sel.dim->range : sel.value.range,
                  fmt::format("this expression has no dimension '{}' to select from (it has {})", x_.m.dims[*dim].name,
                              dimsText(x_, ex.type.dims)));
      return error(e.range);
    }
    auto v = dimValue(x_, *dim, sel.value);
    if (!v) return error(e.range);
    ex.type.dims.erase(it);
    ex.select.push_back({*dim, *v});
  }
  return add(std::move(ex));
}

bool Typer::argCount(const ast::Expr& e, size_t lo, size_t hi) {
  size_t n = e.args.size();
  if (n >= lo && n <= hi) return true;
  std::string want = lo == hi ? fmt::format("{}", lo) : hi > 100 ? fmt::format("at least {}", lo) : fmt::format("{} to {}", lo, hi);
  x_.d.report(DiagCode::InvalidCall, e.range,
              fmt::format("{}() takes {} argument{}, not {}", e.callee.name, want, (lo == 1 && hi == 1) ? "" : "s", n));
  return false;
}

std::optional<int64_t> Typer::wholeArg(ExprId a, const char* what, int64_t min) {
  auto v = fold(a);
  if (x_.poison(a)) return std::nullopt;
  if (!v || !x_.flex(a) || *v != std::floor(*v) || *v < static_cast<double>(min) || *v > 1e6) {
    x_.d.report(DiagCode::InvalidCall, x_.X(a).range,
                fmt::format("{} must be a whole number{}", what, min > 0 ? " of periods, at least 1" : " of periods, 0 or more"));
    return std::nullopt;
  }
  return static_cast<int64_t>(*v);
}

// sum, mean, min, max (with `over` or one argument) and share.
ExprId Typer::lowerReduction(const ast::Expr& e, const Builtin& b, const Scope& s) {
  const std::string& f = e.callee.name;
  bool hasOver = !e.over.empty();
  bool elementwiseForm = b.op != b.overOp;  // min, max
  if (e.args.size() != 1) {
    x_.d.report(DiagCode::InvalidCall, e.range,
                fmt::format("{}({}) takes exactly one expression{}", f, hasOver ? "... over ..." : "",
                            elementwiseForm || (b.flags & NeedsOver) ? " with `over`" : ""))
        .note(elementwiseForm ? "without `over`, min and max compare two or more values element-wise"
                              : "`over` comes last and takes every name after it");
    return error(e.range);
  }
  ExprId a = lower(*e.args[0], s);
  requireNumber(a, "a number");
  if ((b.flags & NeedsOver) && !hasOver) {
    x_.d.report(DiagCode::InvalidCall, e.range, fmt::format("{}() needs `over`: {}(x over dimension)", f, f));
    return error(e.range);
  }
  bool isShare = b.id == BuiltinId::Share;
  bool flexArg = x_.flex(a) && !isShare;
  adopt(a, flexArg ? x_.X(a).type.unit : Unit{});
  std::vector<Id> over;
  if (hasOver) {
    for (auto& o : e.over) {
      auto d = dimByName(x_, o);
      if (!d) return error(e.range);
      if (std::find(over.begin(), over.end(), *d) != over.end()) {
        x_.d.report(DiagCode::Duplicate, o.range, fmt::format("dimension '{}' is listed twice", o.name));
        continue;
      }
      if (!x_.poison(a) && !std::binary_search(x_.X(a).type.dims.begin(), x_.X(a).type.dims.end(), *d)) {
        x_.d.report(DiagCode::DimensionMismatch, o.range,
                    fmt::format("cannot reduce over '{}': the expression has {}", o.name, dimsText(x_, x_.X(a).type.dims)));
        return error(e.range);
      }
      over.push_back(*d);
    }
    std::sort(over.begin(), over.end());
  } else {
    over = x_.X(a).type.dims;  // every dimension: the grand total
  }
  Expr ex;
  ex.op = b.overOp;
  ex.range = e.range;
  ex.type = x_.X(a).type;
  ex.over = over;
  ex.args = {a};
  if (isShare) {
    ex.type.unit = Unit{};
  } else {
    std::vector<Id> rest;
    std::set_difference(ex.type.dims.begin(), ex.type.dims.end(), over.begin(), over.end(), std::back_inserter(rest));
    ex.type.dims = rest;
  }
  return add(std::move(ex), Meta{flexArg, x_.poison(a), false});
}

ExprId Typer::lowerCall(const ast::Expr& e, const Scope& s) {
  const std::string& f = e.callee.name;
  const Builtin* b = findBuiltin(f);
  if (!b) {
    auto fit = x_.functions.find(f);
    if (fit == x_.functions.end()) {
      auto vit = x_.values.find(f);
      if (vit != x_.values.end()) {
        x_.d.report(DiagCode::WrongKind, e.callee.range, fmt::format("'{}' is {}, not a function", f, aKind(vit->second.kind)))
            .note(vit->second.declRange, "declared here");
        return error(e.range);
      }
      std::vector<std::string> cands;
      for (auto& bi : builtins()) cands.emplace_back(bi.name);
      for (auto& [k, _] : x_.functions) cands.push_back(k);
      unknownName(x_, e.callee.range, f, cands, "function");
      return error(e.range);
    }
    return lowerUserCall(e, *fit->second, s);
  }
  bool hasOver = !e.over.empty();
  if (hasOver && !b->takesOver()) {
    x_.d.report(DiagCode::InvalidCall, e.overRange, fmt::format("{}() does not take `over`", f))
        .note("`over` reduces dimensions in sum, mean, min, max and share");
    return error(e.range);
  }
  // min and max: reductions with `over` or one argument, element-wise otherwise
  if ((b->flags & Reduce) && (hasOver || b->op == b->overOp || e.args.size() == 1)) return lowerReduction(e, *b, s);
  if (!argCount(e, b->minArgs, b->maxArgs)) return error(e.range);
  auto arg = [&](size_t i) { return lower(*e.args[i], s); };
  // a time operator's argument: a number, taking no unit from its position
  auto series = [&](size_t i) {
    ExprId v = arg(i);
    requireNumber(v, "a number");
    adopt(v, Unit{});
    return v;
  };
  auto timeNode = [&](Op op, std::vector<ExprId> args, Unit u, int64_t n) {
    ExprId id = node(op, e.range, std::move(args), u);
    x_.X(id).n = n;
    x_.X(id).type.shape = Shape::Series;
    return id;
  };
  switch (b->id) {
    case BuiltinId::Sum: case BuiltinId::Mean: case BuiltinId::Share:
      return lowerReduction(e, *b, s);  // always reductions
    case BuiltinId::Min: case BuiltinId::Max: {
      std::vector<ExprId> as;
      for (size_t i = 0; i < e.args.size(); ++i) {
        as.push_back(arg(i));
        requireNumber(as.back(), "a number");
      }
      auto ref = unifyAll(as, e.range);
      if (!ref) {
        std::optional<double> v = fold(as[0]);
        for (ExprId a : as) {
          auto y = fold(a);
          v = v && y ? std::optional<double>(b->id == BuiltinId::Min ? std::min(*v, *y) : std::max(*v, *y)) : std::nullopt;
        }
        return v ? constant(*v, e.range, Unit{}, true) : flexNode(b->op, e.range, as);
      }
      return node(b->op, e.range, as, x_.X(as[*ref]).type.unit);
    }
    case BuiltinId::If: {
      ExprId c = arg(0), a = arg(1), bb = arg(2);
      requireBool(c, "if()");
      requireNumber(a, "a branch of if()");
      requireNumber(bb, "a branch of if()");
      if (x_.flex(a) && x_.flex(bb)) return flexNode(Op::If, e.range, {c, a, bb});
      unify(a, bb, e.range, "choose between");
      return node(Op::If, e.range, {c, a, bb}, x_.flex(a) ? x_.X(bb).type.unit : x_.X(a).type.unit);
    }
    case BuiltinId::Abs: {
      ExprId a = arg(0);
      requireNumber(a, "a number");
      if (x_.flex(a)) {
        if (auto v = fold(a)) return constant(std::abs(*v), e.range, Unit{}, true);
        return flexNode(Op::Abs, e.range, {a});
      }
      return node(Op::Abs, e.range, {a}, x_.X(a).type.unit);
    }
    case BuiltinId::Log: case BuiltinId::Exp: {
      ExprId a = arg(0);
      requireNumber(a, "a number");
      requireDimensionless(a, fmt::format("{}()", f).c_str());
      adopt(a, Unit{});
      return node(b->op, e.range, {a}, Unit{});
    }
    case BuiltinId::Sqrt: {
      ExprId a = arg(0);
      requireNumber(a, "a number");
      adopt(a, Unit{});
      auto u = x_.X(a).type.unit.sqrt();
      if (!u) {
        x_.d.report(DiagCode::UnitMismatch, x_.X(a).range, fmt::format("the square root of '{}' has no unit", x_.fmtUnit(x_.X(a).type.unit)));
        return error(e.range);
      }
      return node(Op::Sqrt, e.range, {a}, *u);
    }
    case BuiltinId::Clamp: {
      std::vector<ExprId> as{arg(0), arg(1), arg(2)};
      for (ExprId a : as) requireNumber(a, "a number");
      auto ref = unifyAll(as, e.range);
      if (!ref) return flexNode(Op::Clamp, e.range, as);
      return node(Op::Clamp, e.range, as, x_.X(as[*ref]).type.unit);
    }
    case BuiltinId::Lag: case BuiltinId::RollingMean: case BuiltinId::RollingSum: {
      bool isLag = b->id == BuiltinId::Lag;
      ExprId v = series(0);
      int64_t n = 1;
      if (e.args.size() == 2) {
        auto k = wholeArg(arg(1), isLag ? "the lag" : "the window", isLag ? 0 : 1);
        if (!k) return error(e.range);
        n = *k;
      }
      return timeNode(b->op, {v}, x_.X(v).type.unit, n);
    }
    case BuiltinId::Delta: case BuiltinId::Cumsum: case BuiltinId::Ytd: {
      ExprId v = series(0);
      return timeNode(b->op, {v}, x_.X(v).type.unit, 0);
    }
    case BuiltinId::PctChange: case BuiltinId::Yoy:
      return timeNode(b->op, {series(0)}, Unit{}, 0);
    case BuiltinId::Hill: {
      ExprId v = arg(0), half = arg(1), shape = arg(2);
      for (ExprId a : {v, half, shape}) requireNumber(a, "a number");
      adopt(v, Unit{});
      unify(v, half, e.range, "compare");
      adopt(shape, Unit{});
      requireDimensionless(shape, "hill()'s shape");
      return node(Op::Hill, e.range, {v, half, shape}, Unit{});
    }
    case BuiltinId::Saturate: {
      ExprId v = arg(0), cap = arg(1), rate = arg(2);
      for (ExprId a : {v, cap, rate}) requireNumber(a, "a number");
      adopt(v, Unit{});
      adopt(cap, Unit{});
      Unit inv = Unit{} / x_.X(v).type.unit;
      adopt(rate, inv);
      if (!x_.poison(rate) && !x_.poison(v) && !(x_.X(rate).type.unit * x_.X(v).type.unit).dimensionless())
        x_.d.report(DiagCode::UnitMismatch, x_.X(rate).range,
                    fmt::format("saturate()'s rate must be '{}' so that rate * x has no unit, not '{}'", x_.fmtUnit(inv),
                                x_.fmtUnit(x_.X(rate).type.unit)));
      return node(Op::Saturate, e.range, {v, cap, rate}, x_.X(cap).type.unit);
    }
    case BuiltinId::Adstock: {
      ExprId v = series(0), decay = arg(1);
      adopt(decay, Unit{});
      requireDimensionless(decay, "adstock()'s decay");
      return timeNode(Op::Adstock, {v, decay}, x_.X(v).type.unit, 0);
    }
  }
  return error(e.range);
}

ExprId Typer::lowerUserCall(const ast::Expr& e, const ast::FunctionDecl& fn, const Scope& s) {
  x_.occur(e.callee.range, SymKind::Function, fn.name.name, fn.name.range);
  if (e.args.size() != fn.params.size()) {
    x_.d.report(DiagCode::InvalidCall, e.range,
                fmt::format("{}() takes {} argument{}, not {}", fn.name.name, fn.params.size(), fn.params.size() == 1 ? "" : "s",
                            e.args.size()))
        .note(fn.name.range, "declared here");
    return error(e.range);
  }
  if (!e.over.empty()) {
    x_.d.report(DiagCode::InvalidCall, e.overRange, fmt::format("{}() does not take `over`", fn.name.name));
    return error(e.range);
  }
  if (std::find(s.expanding.begin(), s.expanding.end(), &fn) != s.expanding.end()) {
    x_.d.report(DiagCode::InvalidCall, e.range,
                fmt::format("{}() is recursive (functions cannot call themselves, directly or through others)", fn.name.name))
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
  if (!x_.flex(r) && !x_.poison(r)) {
    Expr copy = x_.X(r);
    copy.range = e.range;
    Meta mt = x_.meta[r];
    mt.copy = true;
    return add(std::move(copy), mt);
  }
  return r;
}

ExprId Typer::fitDeclared(ExprId r, const Unit& u, const std::vector<Id>& dims, const std::string& name, Range declUnitRange,
                          const char* what) {
  if (x_.poison(r)) return r;
  if (x_.X(r).type.boolean && !u.isRatio()) {
    x_.d.report(DiagCode::DeclaredUnit, x_.X(r).range,
                fmt::format("the {} of '{}' is a condition, but '{}' is declared '{}'", what, name, name, x_.fmtUnit(u)));
    return r;
  }
  if (auto fitted = inUnit(r, u)) {
    r = *fitted;
  } else {
    x_.d.report(DiagCode::DeclaredUnit, x_.X(r).range,
                fmt::format("the {} of '{}' is '{}', but '{}' is declared '{}'", what, name, x_.fmtUnit(x_.X(r).type.unit), name,
                            x_.fmtUnit(u)))
        .note(declUnitRange, "declared here");
    return r;
  }
  std::vector<Id> extra;
  std::set_difference(x_.X(r).type.dims.begin(), x_.X(r).type.dims.end(), dims.begin(), dims.end(), std::back_inserter(extra));
  if (!extra.empty()) {
    x_.d.report(DiagCode::DimensionMismatch, x_.X(r).range,
                fmt::format("the {} of '{}' varies by {}, which '{}' does not declare", what, name, dimsText(x_, extra), name))
        .note(fmt::format("reduce it, e.g. sum(... over {}), or declare `by {}`", x_.m.dims[extra[0]].name,
                          dimsText(x_, unionDims(dims, extra))));
  }
  return r;
}

std::optional<double> Typer::constValue(const ast::Expr& e, const Unit& u, const std::string& name, const Scope& s) {
  ExprId r = lower(e, s);
  if (x_.poison(r)) return std::nullopt;
  auto fitted = inUnit(r, u);
  if (!fitted) {
    x_.d.report(DiagCode::DeclaredUnit, x_.X(r).range,
                fmt::format("this value is '{}', but '{}' is declared '{}'", x_.fmtUnit(x_.X(r).type.unit), name, x_.fmtUnit(u)));
    return std::nullopt;
  }
  auto v = fold(*fitted);
  if (!v) x_.d.report(DiagCode::InvalidExpr, e.range, "this must be a constant");
  return v;
}

std::optional<Comparison> Typer::comparison(const ast::Expr& e, const char* what, std::vector<Id>* reads) {
  if (e.kind != ast::ExprKind::Binary || e.binop < ast::BinOp::Lt || e.binop > ast::BinOp::Eq) {
    x_.d.report(DiagCode::InvalidExpr, e.range, fmt::format("{} is a comparison: left <= right, >=, <, > or ==", what));
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
  if (x_.poison(a) || x_.poison(b)) return std::nullopt;
  Comparison c;
  c.lhs = a;
  c.rhs = b;
  switch (e.binop) {
    case ast::BinOp::Lt: c.op = CmpOp::Lt; break;
    case ast::BinOp::Le: c.op = CmpOp::Le; break;
    case ast::BinOp::Gt: c.op = CmpOp::Gt; break;
    case ast::BinOp::Ge: c.op = CmpOp::Ge; break;
    case ast::BinOp::Add: case ast::BinOp::Sub: case ast::BinOp::Mul: case ast::BinOp::Div: case ast::BinOp::Pow: case ast::BinOp::Eq:
    case ast::BinOp::Ne: case ast::BinOp::And: case ast::BinOp::Or: c.op = CmpOp::Eq; break;
  }
  if (reads) {
    std::vector<Id> rhs;
    collectRefs(x_.m, a, reads, nullptr);
    collectRefs(x_.m, b, &rhs, nullptr);
    std::vector<Id> both;
    std::set_union(reads->begin(), reads->end(), rhs.begin(), rhs.end(), std::back_inserter(both));
    *reads = std::move(both);
  }
  return c;
}

}  // namespace mtc::check
