// Affine forms over the IR, and the LP's infeasible and unbounded answers (linear.h).
#include "optimize/linear.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "evalexpr.h"
#include "mtc/ir_print.h"
#include "mtc/ops.h"

namespace mtc::eng::opt {

using namespace ir;
using solvers::kInf;
using solvers::LpProblem;
using solvers::LpStatus;

double Affine::at(const std::vector<double>& x) const {
  double v = c;
  for (auto& [j, a] : terms) v += a * x[j];
  return v;
}

Affine combine(const Affine& a, double k, const Affine& b) {
  Affine r;
  r.c = a.c + k * b.c;
  size_t i = 0, j = 0;
  while (i < a.terms.size() || j < b.terms.size()) {
    if (j == b.terms.size() || (i < a.terms.size() && a.terms[i].first < b.terms[j].first)) {
      r.terms.push_back(a.terms[i++]);
    } else if (i == a.terms.size() || b.terms[j].first < a.terms[i].first) {
      if (double v = k * b.terms[j].second; v != 0) r.terms.push_back({b.terms[j].first, v});
      ++j;
    } else {
      if (double v = a.terms[i].second + k * b.terms[j].second; v != 0) r.terms.push_back({a.terms[i].first, v});
      ++i, ++j;
    }
  }
  return r;
}

namespace {
// r = combine(r, k, b), in place: a sum over thousands of slices appends each
// slice's terms (their variables come after r's) instead of copying r for each
// slice, which was quadratic (0.3 s of a 10,000-variable LP). The same numbers.
void addTo(Affine& r, double k, const Affine& b) {
  if (!r.terms.empty() && !b.terms.empty() && b.terms.front().first <= r.terms.back().first) {
    r = combine(r, k, b);
    return;
  }
  r.c = r.c + k * b.c;
  for (auto& [j, a] : b.terms)
    if (double v = k * a; v != 0) r.terms.push_back({j, v});
}
}  // namespace

Affine scaled(const Affine& a, double k) {
  Affine r;
  r.c = a.c * k;
  for (auto& [j, v] : a.terms)
    if (v * k != 0) r.terms.push_back({j, v * k});  // (a NaN coefficient stays, to be reported)
  return r;
}

Linearizer::Linearizer(const Model& m, const rt::Values& base, int64_t t, const std::vector<Variable>& vars, std::vector<bool> fixed)
    : m_(m), base_(base), t_(t), fixed_(std::move(fixed)), coord_(m.dims.size(), 0) {
  var_.resize(m.params.size());
  for (size_t k = 0; k < vars.size(); ++k) {
    auto& v = var_[vars[k].param];
    if (v.empty()) v.assign(std::max<size_t>(1, m.params[vars[k].param].values.size()), -1);
    v[vars[k].slice] = static_cast<int>(k);
  }
  fixed_.resize(m.metrics.size(), false);
  depExpr_.assign(m.exprs.size(), -1);
  depMetric_.assign(m.metrics.size(), -1);
}

bool Linearizer::depends(ExprId id) {
  int8_t& d = depExpr_[id];
  if (d >= 0) return d;
  const Expr& e = m_.exprs[id];
  bool r = false;
  switch (e.op) {
    case Op::Param: r = !var_[e.ref].empty(); break;
    case Op::Metric: r = metricDepends(e.ref); break;
    case Op::Lag: r = false; break;  // an earlier period: the variables act at t only
    case Op::Const: case Op::Neg: case Op::Not:
    case Op::Add: case Op::Sub: case Op::Mul: case Op::Div: case Op::Pow:
    case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: case Op::Eq: case Op::Ne: case Op::And: case Op::Or:
    case Op::If: case Op::Min: case Op::Max: case Op::Abs: case Op::Log: case Op::Exp: case Op::Sqrt: case Op::Clamp:
    case Op::Delta: case Op::PctChange: case Op::Cumsum: case Op::RollingSum: case Op::RollingMean: case Op::Ytd: case Op::Yoy:
    case Op::SumOver: case Op::MeanOver: case Op::MinOver: case Op::MaxOver: case Op::Share:
    case Op::Hill: case Op::Saturate: case Op::Adstock: case Op::Select:
      for (ExprId a : e.args) r = r || depends(a);
      break;
  }
  depExpr_[id] = r;
  return r;
}

bool Linearizer::metricDepends(Id id) {
  int8_t& d = depMetric_[id];
  if (d == 2) return false;  // in progress: a delayed cycle reads itself only through lag
  if (d >= 0) return d;
  const Metric& M = m_.metrics[id];
  if (!M.formula || fixed_[id]) return (depMetric_[id] = 0);
  depMetric_[id] = 2;
  bool r = depends(*M.formula);
  depMetric_[id] = r;
  return r;
}

void Linearizer::notLinear(ExprId e, const std::string& why) { throw NotLinear(why, e, inMetric_); }

double Linearizer::numeric(ExprId e, bool total, int64_t t) {
  if (t < 0 || t >= base_.timeline().count) {
    // outside the timeline: reads before the first period are missing (as the evaluators read them)
    const Expr& x = m_.exprs[e];
    if (x.op == Op::Const) return x.value;
    bool anyMetric = false;
    std::vector<Id> ms;
    collectRefs(m_, e, &ms, nullptr);
    anyMetric = !ms.empty();
    if (anyMetric) return rt::kMissing;
  }
  if (total) {
    auto key = std::pair{e, t};
    auto it = numTotals_.find(key);
    if (it != numTotals_.end()) return it->second;
    return numTotals_[key] = drift::exprTotal(m_, base_, e, t);
  }
  const Expr& x = m_.exprs[e];
  auto key = std::pair{e, t};
  auto it = numSlices_.find(key);
  if (it == numSlices_.end()) it = numSlices_.emplace(key, drift::sliceValues(m_, base_, e, x.type.dims, t)).first;
  size_t sl = m_.sliceIndex(x.type.dims, [&](Id d) { return coord_[d]; });
  return sl < it->second.size() ? it->second[sl] : rt::kMissing;
}

Affine Linearizer::total(ExprId e) {
  std::fill(coord_.begin(), coord_.end(), 0);
  inMetric_ = kNone;
  return eval(e, true);
}

Affine Linearizer::at(ExprId e, const std::vector<Id>& dims, size_t slice) {
  std::fill(coord_.begin(), coord_.end(), 0);
  auto c = m_.sliceCoords(dims, slice);
  for (size_t k = 0; k < dims.size(); ++k) coord_[dims[k]] = c[k];
  inMetric_ = kNone;
  return eval(e, false);
}

Affine Linearizer::metricSlice(Id id, size_t slice) {
  auto key = std::pair{id, slice};
  if (auto it = slices_.find(key); it != slices_.end()) return it->second;
  const Metric& M = m_.metrics[id];
  Affine r;
  if (!metricDepends(id)) {
    const rt::Series& s = base_.metric(id);
    r.c = s.v.empty() || t_ >= static_cast<int64_t>(s.periods) ? rt::kMissing : s.at(slice, static_cast<size_t>(t_));
  } else {
    std::vector<uint32_t> saved = coord_;
    Id savedMetric = inMetric_;
    auto c = m_.sliceCoords(M.dims, slice);
    for (size_t k = 0; k < M.dims.size(); ++k) coord_[M.dims[k]] = c[k];
    inMetric_ = id;
    r = eval(*M.formula, false);
    coord_ = saved;
    inMetric_ = savedMetric;
  }
  return slices_[key] = r;
}

Affine Linearizer::metricTotal(Id id) {
  if (auto it = totals_.find(id); it != totals_.end()) return it->second;
  const Metric& M = m_.metrics[id];
  Affine r;
  if (!metricDepends(id)) {
    const rt::Series& s = base_.total(id);
    r.c = s.v.empty() || t_ >= static_cast<int64_t>(s.periods) ? rt::kMissing : s.at(0, static_cast<size_t>(t_));
  } else if (M.dims.empty()) {
    r = metricSlice(id, 0);
  } else if (rt::totalRecomputed(m_, id)) {
    // its formula over its inputs' totals
    std::vector<uint32_t> saved = coord_;
    Id savedMetric = inMetric_;
    inMetric_ = id;
    r = eval(*M.formula, true);
    coord_ = saved;
    inMetric_ = savedMetric;
  } else {
    Agg across = rt::ops::acrossSlices(M.agg);
    if (across != Agg::Sum && across != Agg::Mean)
      throw NotLinear(fmt::format("the total of '{}' is the {} of its slices, which is not linear in the decision variables", M.name,
                                  aggName(across)),
                      kNone, id);
    size_t n = std::max<size_t>(1, m_.sliceCount(M.dims));
    for (size_t s = 0; s < n; ++s) addTo(r, across == Agg::Mean ? 1.0 / static_cast<double>(n) : 1.0, metricSlice(id, s));
  }
  return totals_[id] = r;
}

Affine Linearizer::eval(ExprId id, bool total) {
  if (!depends(id)) return Affine{numeric(id, total, t_), {}};
  const Expr& e = m_.exprs[id];
  auto a = [&](size_t i) { return eval(e.args[i], total); };
  auto constOf = [&](size_t i) { return numeric(e.args[i], total, t_); };
  // a window over x whose weight on x at t is w: its value now, moved by w times the change of x at t
  auto window = [&](double w) {
    Affine x = a(0);
    double now = numeric(id, total, t_), xNow = numeric(e.args[0], total, t_);
    return combine(Affine{now, {}}, w, combine(x, -1, Affine{xNow, {}}));
  };
  switch (e.op) {
    case Op::Const: return Affine{e.value, {}};
    case Op::Param: {
      const Param& P = m_.params[e.ref];
      if (total && !P.dims.empty())
        notLinear(id, fmt::format("'{}' has dimensions ({}) and is read here without them: write sum({} over {})", P.name,
                                  dimNames(m_, P.dims), P.name, dimNames(m_, P.dims)));
      size_t sl = total ? 0 : m_.sliceIndex(P.dims, [&](Id d) { return coord_[d]; });
      int v = var_[e.ref][sl];
      if (v < 0) return Affine{P.values[sl], {}};
      return Affine{0, {{static_cast<size_t>(v), 1.0}}};
    }
    case Op::Metric: {
      const Metric& M = m_.metrics[e.ref];
      if (total) return metricTotal(e.ref);
      return metricSlice(e.ref, m_.sliceIndex(M.dims, [&](Id d) { return coord_[d]; }));
    }
    case Op::Neg: return scaled(a(0), -1);
    case Op::Add: return combine(a(0), 1, a(1));
    case Op::Sub: return combine(a(0), -1, a(1));
    case Op::Mul: {
      bool d0 = depends(e.args[0]), d1 = depends(e.args[1]);
      if (d0 && d1) notLinear(id, "it multiplies two expressions that both depend on the decision variables");
      return d0 ? scaled(a(0), constOf(1)) : scaled(a(1), constOf(0));
    }
    case Op::Div: {
      if (depends(e.args[1])) notLinear(id, "it divides by an expression that depends on the decision variables");
      double k = constOf(1);
      if (k == 0) notLinear(id, "it divides by zero");
      return scaled(a(0), 1 / k);
    }
    case Op::If: {
      if (depends(e.args[0])) notLinear(id, "its condition depends on the decision variables");
      double c = constOf(0);
      if (std::isnan(c)) return Affine{rt::kMissing, {}};
      return c != 0 ? a(1) : a(2);
    }
    case Op::Delta: return combine(a(0), -1, Affine{numeric(e.args[0], total, t_ - 1), {}});
    case Op::PctChange: {
      double prev = numeric(e.args[0], total, t_ - 1);
      if (prev == 0) notLinear(id, "it divides by a previous value of 0");
      return combine(scaled(a(0), 1 / prev), 1, Affine{-1, {}});
    }
    case Op::Yoy: {
      double prev = numeric(e.args[0], total, base_.timeline().sameLastYear(t_));
      if (prev == 0) notLinear(id, "it divides by a value of 0 a year earlier");
      return combine(scaled(a(0), 1 / prev), 1, Affine{-1, {}});
    }
    case Op::Cumsum: case Op::Ytd: case Op::RollingSum: return window(1);
    case Op::RollingMean: return window(1.0 / static_cast<double>(e.n));
    case Op::Adstock:
      if (depends(e.args[1])) notLinear(id, "its decay depends on the decision variables");
      return window(1);
    case Op::SumOver: case Op::MeanOver: {
      size_t n = std::max<size_t>(1, m_.sliceCount(e.over));
      double k = e.op == Op::MeanOver ? 1.0 / static_cast<double>(n) : 1.0;
      if (total) return scaled(a(0), k);
      std::vector<uint32_t> saved = coord_;
      Affine r;
      for (size_t i = 0; i < n; ++i) {
        auto c = m_.sliceCoords(e.over, i);
        for (size_t j = 0; j < e.over.size(); ++j) coord_[e.over[j]] = c[j];
        addTo(r, k, a(0));
      }
      coord_ = saved;
      return r;
    }
    case Op::Select: {
      std::vector<uint32_t> saved = coord_;
      for (auto& [dim, val] : e.select) coord_[dim] = val;
      Affine r = a(0);
      coord_ = saved;
      return r;
    }
    case Op::Lag:  // never reached: a lag does not depend on the variables at t
      return Affine{numeric(id, total, t_), {}};
    case Op::Pow: notLinear(id, "a power of an expression that depends on the decision variables is not linear");
    case Op::Min: case Op::Max: case Op::MinOver: case Op::MaxOver: case Op::Abs: case Op::Clamp:
      notLinear(id, "it is piecewise linear (min, max, abs, clamp), not linear");
    case Op::Log: case Op::Exp: case Op::Sqrt: notLinear(id, "it is a non-linear function of the decision variables");
    case Op::Hill: case Op::Saturate: notLinear(id, "a response curve is non-linear in the decision variables");
    case Op::Share: notLinear(id, "a share divides by a total that depends on the decision variables");
    case Op::Not: case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: case Op::Eq: case Op::Ne: case Op::And: case Op::Or:
      notLinear(id, "a condition on the decision variables is not linear");
  }
  notLinear(id, "it is not linear");
}

// ------------------------------------------------------------------ infeasible and unbounded

namespace {

LpProblem withRows(const LpProblem& p, const std::vector<bool>& keep) {
  LpProblem q = p;
  q.rows.clear();
  for (size_t i = 0; i < p.rows.size(); ++i)
    if (keep[i]) q.rows.push_back(p.rows[i]);
  return q;
}

}  // namespace

std::vector<size_t> deletionFilter(const LpProblem& p, solvers::LpSolver& solver) {
  std::vector<bool> keep(p.rows.size(), true);
  for (size_t i = 0; i < p.rows.size(); ++i) {
    keep[i] = false;
    if (solver.solve(withRows(p, keep)).status != LpStatus::Infeasible) keep[i] = true;  // needed for the conflict
  }
  std::vector<size_t> out;
  for (size_t i = 0; i < keep.size(); ++i)
    if (keep[i]) out.push_back(i);
  return out;
}

std::optional<double> requiredMove(const LpProblem& p, size_t i, solvers::LpSolver& solver) {
  // minimise the slack that lets row i give: a.x - up + down within its bounds
  LpProblem q = p;
  q.maximize = false;
  q.constant = 0;
  std::fill(q.cost.begin(), q.cost.end(), 0.0);
  const auto& row = p.rows[i];
  bool hasUpper = std::isfinite(row.upper), hasLower = std::isfinite(row.lower);
  size_t up = q.cost.size(), down = up;
  auto add = [&](const char* name) {
    q.names.push_back(name);
    q.cost.push_back(1);
    q.lower.push_back(0);
    q.upper.push_back(kInf);
    q.integer.push_back(false);
    return q.cost.size() - 1;
  };
  q.integer.resize(p.cost.size(), false);
  if (hasUpper) up = add("$up");     // the upper bound rises by `up`
  if (hasLower) down = add("$down");  // the lower bound falls by `down`
  if (hasUpper) q.rows[i].coefs.push_back({up, -1.0});
  if (hasLower) q.rows[i].coefs.push_back({down, 1.0});
  auto s = solver.solve(q);
  if (s.status != LpStatus::Optimal) return std::nullopt;
  double u = hasUpper ? s.x[up] : 0, d = hasLower ? s.x[down] : 0;
  if (hasUpper && hasLower) return u - d;  // an equality (or a range): signed
  return hasUpper ? u : d;
}

std::vector<std::pair<size_t, int>> unboundedVariables(const LpProblem& p, solvers::LpSolver& solver, double big) {
  LpProblem q = p;
  for (size_t j = 0; j < q.cost.size(); ++j) {
    if (!std::isfinite(q.lower[j])) q.lower[j] = -big;
    if (!std::isfinite(q.upper[j])) q.upper[j] = big;
  }
  auto s = solver.solve(q);
  std::vector<std::pair<size_t, int>> out;
  if (s.status != LpStatus::Optimal) return out;
  for (size_t j = 0; j < q.cost.size(); ++j) {
    if (!std::isfinite(p.upper[j]) && s.x[j] >= big * 0.999) out.push_back({j, +1});
    if (!std::isfinite(p.lower[j]) && s.x[j] <= -big * 0.999) out.push_back({j, -1});
  }
  return out;
}

}  // namespace mtc::eng::opt
