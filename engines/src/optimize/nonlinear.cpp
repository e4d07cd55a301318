// The non-linear path of optimize (nonlinear.h).
#include "optimize/nonlinear.h"

#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <cmath>

#include "evalexpr.h"
#include "mtc/dual_expr.h"
#include "mtc/ir_print.h"
#include "mtc/progress.h"
#include "optimize/linear.h"
#include "solvers/nlp.h"

namespace mtc::eng::opt {

using namespace ir;
using rt::Dual;
using solvers::kInf;

namespace {

CmpOp flipped(CmpOp op) {
  switch (op) {
    case CmpOp::Lt: return CmpOp::Gt;
    case CmpOp::Le: return CmpOp::Ge;
    case CmpOp::Gt: return CmpOp::Lt;
    case CmpOp::Ge: return CmpOp::Le;
    case CmpOp::Eq: return CmpOp::Eq;
  }
  return op;
}

bool isUpper(CmpOp op) { return op == CmpOp::Lt || op == CmpOp::Le; }

// Reads a finished evaluation for DualExpr: metrics from the values (and
// tangents), the varied params at the period from x (seed: variable `seed`).
struct SideReader {
  const Model& m;
  const rt::Values* values;
  const rt::Tangents* tan;
  const std::vector<std::vector<int>>& var;
  const double* x;
  int64_t idx;
  int seed;
  const rt::Timeline& tl;
  Dual metric(Id id, size_t sl, bool total, int64_t t) const {
    std::optional<size_t> slice = total ? std::nullopt : std::optional<size_t>(sl);
    if (!values) return {rt::kMissing, 0};
    return {values->at(id, t, slice), tan ? tan->at(id, t, slice) : 0.0};
  }
  Dual param(Id p, size_t sl, bool /*total*/, int64_t t) const {
    if (t == idx && !var[p].empty() && sl < var[p].size() && var[p][sl] >= 0) {
      int k = var[p][sl];
      return {x[k], k == seed ? 1.0 : 0.0};
    }
    const auto& v = m.params[p].values;
    return {v.empty() ? rt::kMissing : v[std::min(sl, v.size() - 1)], 0.0};
  }
  int64_t yearStart(int64_t t) const { return tl.yearStart(t); }
  int64_t lastYear(int64_t t) const { return tl.sameLastYear(t); }
};

// One side of the objective or a row: an expression, read whole (over totals)
// or in one slice of dims.
struct Side {
  ExprId e = 0;
  bool whole = false;
  std::vector<Id> dims;
  size_t slice = 0;
};

struct RowDef {
  std::string name;
  bool model = false;
  CmpOp op = CmpOp::Le;  // activity op limit
  Side lhs, rhs;
  bool lhsDep = false, rhsDep = false;
  double scale = 1;      // the row's function for the solver is divided by it
};

// The values at one point x: objective, each row's activity and limit, and
// their gradients when asked for.
struct Point {
  std::vector<double> x;
  bool grad = false;
  double f = rt::kMissing;
  std::vector<double> df;
  std::vector<double> act, lim, lhs, rhs;   // per row
  std::vector<std::vector<double>> dact;    // per row: d activity / d x (limit-side derivative subtracted)
};

class Problem {
 public:
  Problem(const NlpInput& in, const std::vector<RowDef>& rows, const Side& objective)
      : in_(in), m_(in.ctx.model), rows_(rows), obj_(objective), coord_(m_.dims.size(), 0) {
    n_ = in.vars.size();
    var_.resize(m_.params.size());
    for (size_t k = 0; k < n_; ++k) {
      auto& v = var_[in.vars[k].param];
      if (v.empty()) v.assign(std::max<size_t>(1, m_.params[in.vars[k].param].values.size()), -1);
      v[in.vars[k].slice] = static_cast<int>(k);
    }
    evaluate_ = !in.targets.empty();
    sc_ = in.base ? *in.base : rt::Scenario{};
    tl_ = sc_.timeline ? *sc_.timeline : in.ctx.data.time;
    if (evaluate_) {
      rt::EvalOptions o;
      o.only = in.targets;
      o.tangents = true;
      o.evaluations = 2000;
      for (const OptVar& ov : in.s.vars) o.periodParams.push_back(ov.param);
      ev_ = in.ctx.evaluators.make(o);
      sub_ = ev_->subset(in.targets);
      if (in.idx >= tl_.count) throw StatementError(DiagCode::NoData, "optimize: the period is past the evaluation's timeline");
      for (const OptVar& ov : in.s.vars) {
        size_t S = std::max<size_t>(1, m_.params[ov.param].values.size());
        overrideOf_.push_back(sc_.overrides.size());
        sc_.overrides.push_back(rt::Override{{Ref::Kind::Param, ov.param}, in.idx, in.idx, std::nullopt, std::vector<double>(S, 0.0)});
      }
    }
  }

  size_t n() const { return n_; }
  int evaluations() const { return evaluations_; }

  const Point& at(const double* x, bool grad) {
    bool same = !last_.x.empty() && std::equal(last_.x.begin(), last_.x.end(), x);
    if (same && (last_.grad || !grad)) return last_;
    last_ = Point{};
    last_.x.assign(x, x + n_);
    last_.grad = grad;
    if (evaluate_) {
      for (size_t k = 0; k < n_; ++k) {
        const Variable& v = in_.vars[k];
        size_t o = overrideOf_[paramIndex(v.param)];
        sc_.overrides[o].values[v.slice] = x[k];
      }
    }
    const size_t R = rows_.size();
    last_.act.assign(R, 0);
    last_.lim.assign(R, 0);
    last_.lhs.assign(R, 0);
    last_.rhs.assign(R, 0);
    if (grad) {
      last_.df.assign(n_, 0);
      last_.dact.assign(R, std::vector<double>(n_, 0));
    }
    auto sides = [&](const rt::Tangents* tan, int seed) {
      ++evaluations_;
      SideReader rd{m_, evaluate_ ? &values_ : nullptr, tan, var_, x, in_.idx, seed, tl_};
      rt::DualExpr<SideReader> ex{m_, rd, coord_, tl_.count};
      auto side = [&](const Side& s) {
        std::fill(coord_.begin(), coord_.end(), 0);
        if (s.whole) return ex.eval(s.e, in_.idx, true);
        ex.setCoords(s.dims, s.slice);
        return ex.eval(s.e, in_.idx, false);
      };
      Dual f = side(obj_);
      if (seed < 0) last_.f = f.v;
      else last_.df[static_cast<size_t>(seed)] = f.d;
      for (size_t i = 0; i < R; ++i) {
        const RowDef& row = rows_[i];
        Dual a = side(row.lhs), b = side(row.rhs);
        Dual act, lim;
        if (!row.rhsDep) act = a, lim = b;
        else if (!row.lhsDep) act = b, lim = a;
        else act = dual_sub(a, b), lim = Dual{0, 0};
        if (seed < 0) {
          last_.act[i] = act.v;
          last_.lim[i] = lim.v;
          last_.lhs[i] = a.v;
          last_.rhs[i] = b.v;
        } else {
          last_.dact[i][static_cast<size_t>(seed)] = act.d - lim.d;
        }
      }
    };
    if (!grad) {
      if (evaluate_) ev_->evaluateInto(sc_, values_, &sub_);
      sides(nullptr, -1);
      return last_;
    }
    for (size_t k = 0; k < n_; ++k) {
      const Variable& v = in_.vars[k];
      if (evaluate_) ev_->tangentInto(sc_, rt::Seed{v.param, v.slice, in_.idx}, values_, tan_, &sub_);
      if (k == 0) sides(&tan_, -1);
      sides(&tan_, static_cast<int>(k));
    }
    if (n_ == 0) {
      if (evaluate_) ev_->evaluateInto(sc_, values_, &sub_);
      sides(nullptr, -1);
    }
    return last_;
  }

  // The model's top-level constraints no variable reaches, at x (after at(x)).
  std::pair<double, double> check(const Side& l, const Side& r, const double* x) {
    SideReader rd{m_, evaluate_ ? &values_ : nullptr, nullptr, var_, x, in_.idx, -1, tl_};
    rt::DualExpr<SideReader> ex{m_, rd, coord_, tl_.count};
    auto side = [&](const Side& s) {
      std::fill(coord_.begin(), coord_.end(), 0);
      if (s.whole) return ex.eval(s.e, in_.idx, true).v;
      ex.setCoords(s.dims, s.slice);
      return ex.eval(s.e, in_.idx, false).v;
    };
    return {side(l), side(r)};
  }

 private:
  const NlpInput& in_;
  const Model& m_;
  const std::vector<RowDef>& rows_;
  Side obj_;
  size_t n_ = 0;
  std::vector<std::vector<int>> var_;
  bool evaluate_ = false;
  rt::Scenario sc_;
  rt::Timeline tl_;
  std::unique_ptr<rt::Evaluator> ev_;
  rt::Subset sub_;
  std::vector<size_t> overrideOf_;  // per varied param (in s.vars order): its override
  rt::Values values_;
  rt::Tangents tan_;
  std::vector<uint32_t> coord_;
  Point last_;
  int evaluations_ = 0;

  static Dual dual_sub(Dual a, Dual b) { return rt::dual::sub(a, b); }
  size_t paramIndex(Id p) const {
    for (size_t i = 0; i < in_.s.vars.size(); ++i)
      if (in_.s.vars[i].param == p) return i;
    return 0;
  }
};

// The radical inverse of i in base b (Halton points).
double halton(uint64_t i, uint64_t b) {
  double f = 1, r = 0;
  for (; i > 0; i /= b) {
    f /= static_cast<double>(b);
    r += f * static_cast<double>(i % b);
  }
  return r;
}

std::string fmtNum(double v) { return fmt::format("{:.6g}", v); }

}  // namespace

void solveNonlinear(const NlpInput& in, OptimizeResult& r) {
  const Model& m = in.ctx.model;
  const OptimizeStmt& s = in.s;
  const size_t n = r.variables.size();
  for (auto& v : r.variables)
    if (v.integer)
      throw StatementError(DiagCode::NotBuilt, fmt::format("'{}' is `vary integer` in a non-linear model{}: integer non-linear "
                                                           "programs (MINLP) are not supported; vary it as a continuous variable",
                                                           v.name, in.why ? " (" + *in.why + ")" : ""));

  // the objective and the rows
  auto wholeSide = [&](ExprId e) { return Side{e, !m.exprs[e].type.dims.empty(), {}, 0}; };
  Side obj = wholeSide(*s.objective);
  std::vector<RowDef> rows;
  struct CheckDef {
    std::string name;
    CmpOp op;
    Side lhs, rhs;
  };
  std::vector<CheckDef> checks;
  auto dimsOf = [&](const Comparison& c) {
    std::vector<Id> d = m.exprs[c.lhs].type.dims;
    for (Id x : m.exprs[c.rhs].type.dims) d.push_back(x);
    std::sort(d.begin(), d.end());
    d.erase(std::unique(d.begin(), d.end()), d.end());
    return d;
  };
  auto addRows = [&](const std::string& name, const Comparison& c, bool model) {
    std::vector<Id> dims = dimsOf(c);
    size_t count = dims.empty() ? 1 : m.sliceCount(dims);
    bool ld = in.lin.depends(c.lhs), rd = in.lin.depends(c.rhs);
    for (size_t sl = 0; sl < count; ++sl) {
      std::string nm = dims.empty() ? name : fmt::format("{}[{}]", name, sliceKey(m, dims, sl));
      Side l{c.lhs, false, dims, sl}, rr{c.rhs, false, dims, sl};
      if (!ld && !rd) {
        checks.push_back({nm, c.op, l, rr});
        continue;
      }
      RowDef row{nm, model, c.op, l, rr, ld, rd, 1};
      if (!rd) row.op = c.op;
      else if (!ld) row.op = flipped(c.op);
      rows.push_back(row);
    }
  };
  for (auto& c : s.subjectTo) addRows(c.name, c.cmp, false);
  for (auto& C : m.constraints) addRows(C.name, C.cmp, true);

  Problem pb(in, rows, obj);
  std::vector<double> lo(n), hi(n), cur(n);
  for (size_t j = 0; j < n; ++j) {
    lo[j] = r.variables[j].lower;
    hi[j] = r.variables[j].upper;
    cur[j] = std::clamp(r.variables[j].current, lo[j], hi[j]);
  }

  // at the current values: the objective and every row must have a value
  {
    std::vector<double> x0(cur);
    const Point& q = pb.at(x0.data(), false);
    r.objectiveBefore = q.f;
    std::string where;
    for (size_t j = 0; j < n; ++j) where += fmt::format("{}{} = {}", j ? ", " : "", r.variables[j].name, fmtNum(cur[j]));
    if (!std::isfinite(q.f))
      throw StatementError(DiagCode::MissingValue,
                           fmt::format("the objective '{}' has no value at the current values ({}): a value it reads is missing, or "
                                       "a formula is undefined there (a division by zero, the log of 0); the non-linear solver "
                                       "needs a start where it is defined",
                                       r.objectiveText, where));
    for (size_t i = 0; i < rows.size(); ++i)
      if (!std::isfinite(q.act[i]) || !std::isfinite(q.lim[i]))
        throw StatementError(DiagCode::MissingValue,
                             fmt::format("constraint '{}' has no value at the current values ({}): a value it reads is missing, "
                                         "or a formula is undefined there",
                                         rows[i].name, where));
    for (size_t i = 0; i < rows.size(); ++i) rows[i].scale = std::max({1.0, std::fabs(q.lim[i]), std::fabs(q.act[i])});
  }

  // the seam's problem
  solvers::NlpProblem P;
  P.n = n;
  P.maximize = s.maximize;
  P.lower = lo;
  P.upper = hi;
  P.objective = [&](const double* x, double* g) {
    const Point& q = pb.at(x, g != nullptr);
    if (g) std::copy(q.df.begin(), q.df.end(), g);
    return q.f;
  };
  for (size_t i = 0; i < rows.size(); ++i) {
    solvers::NlpProblem::Constraint c;
    c.name = rows[i].name;
    c.equality = rows[i].op == CmpOp::Eq;
    c.tolerance = 1e-10;
    // upper rows: (activity - limit) / scale <= 0; lower rows: (limit - activity) / scale <= 0
    double sign = rows[i].op == CmpOp::Ge || rows[i].op == CmpOp::Gt ? -1.0 : 1.0;
    c.f = [&, i, sign](const double* x, double* g) {
      const Point& q = pb.at(x, g != nullptr);
      if (g)
        for (size_t j = 0; j < n; ++j) g[j] = sign * q.dact[i][j] / rows[i].scale;
      return sign * (q.act[i] - q.lim[i]) / rows[i].scale;
    };
    P.constraints.push_back(std::move(c));
  }
  P.relativeTolerance = 1e-12;
  P.maxEvaluations = 2000;
  double limit = s.timeLimit ? static_cast<double>(*s.timeLimit) : in.ctx.options.timeLimit.value_or(0.0);
  auto t0 = std::chrono::steady_clock::now();

  // the starts: the current values, the middle of the box, its corners, Halton points in it
  // (a side without a bound spans twice the largest of the current value, the bound and 1)
  std::vector<std::pair<std::string, std::vector<double>>> starts;
  std::vector<double> blo(n), bhi(n);
  for (size_t j = 0; j < n; ++j) {
    double scale = std::max({1.0, std::fabs(cur[j]), std::isfinite(lo[j]) ? std::fabs(lo[j]) : 0.0, std::isfinite(hi[j]) ? std::fabs(hi[j]) : 0.0});
    blo[j] = std::isfinite(lo[j]) ? lo[j] : (std::isfinite(hi[j]) ? hi[j] : cur[j]) - 2 * scale;
    bhi[j] = std::isfinite(hi[j]) ? hi[j] : blo[j] + 2 * scale;
  }
  // and the corners on the axes (one lever at its upper end, the others at their lower: with
  // S-shaped response curves the best plan may put everything into one lever)
  const size_t axes = n <= 32 ? n : 0;
  const size_t kStarts = 8 + axes;
  starts.push_back({"the current values", cur});
  {
    std::vector<double> mid(n), low(n), high(n);
    for (size_t j = 0; j < n; ++j) mid[j] = 0.5 * (blo[j] + bhi[j]), low[j] = blo[j], high[j] = bhi[j];
    starts.push_back({"the middle of the bounds", mid});
    starts.push_back({"the lower corner", low});
    starts.push_back({"the upper corner", high});
    for (size_t j = 0; j < axes && n > 1; ++j) {
      std::vector<double> ax = low;
      ax[j] = bhi[j];
      starts.push_back({fmt::format("{} at its upper end, the others at their lower", r.variables[j].name), ax});
    }
  }
  static const uint64_t primes[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53};
  for (uint64_t i = 1; starts.size() < kStarts; ++i) {
    std::vector<double> h(n);
    for (size_t j = 0; j < n; ++j) {
      double u = j < 16 ? halton(i, primes[j]) : halton(i * (j + 1), 2);
      h[j] = blo[j] + u * (bhi[j] - blo[j]);
    }
    starts.push_back({fmt::format("Halton point {}", i), h});
  }

  auto solver = solvers::makeNlopt();
  struct Run {
    solvers::NlpSolution sol;
    solvers::NlpAlgorithm alg = solvers::NlpAlgorithm::Slsqp;
  };
  std::optional<size_t> best;
  std::vector<Run> runs;
  bool stopped = false;
  size_t auglag = 0;
  auto better = [&](const solvers::NlpSolution& a, const solvers::NlpSolution& b) {
    double tol = 1e-9 * std::max(1.0, std::fabs(b.objective));
    return s.maximize ? a.objective > b.objective + tol : a.objective < b.objective - tol;
  };
  const double feasTol = 1e-7;
  rt::Progress progress(s.name, starts.size(), "starts");
  for (size_t k = 0; k < starts.size(); progress.add(), ++k) {
    if (limit > 0) {
      double used = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (used >= limit) {
        stopped = true;
        break;
      }
      P.timeLimit = limit - used;
    }
    P.start = starts[k].second;
    P.algorithm = solvers::NlpAlgorithm::Slsqp;
    Run run{solver->solve(P), P.algorithm};
    bool ok = !run.sol.x.empty() && std::isfinite(run.sol.objective) && run.sol.maxViolation <= feasTol;
    if (!ok && !run.sol.timeLimit && run.sol.status != solvers::NlpStatus::Infeasible) {  // SLSQP failed here: AUGLAG
      P.algorithm = solvers::NlpAlgorithm::Auglag;
      Run again{solver->solve(P), P.algorithm};
      if (!again.sol.x.empty() && std::isfinite(again.sol.objective) && again.sol.maxViolation <= feasTol) {
        run = again;
        ++auglag;
      }
    }
    if (run.sol.timeLimit) stopped = true;
    runs.push_back(run);
    OptimizeResult::Start st;
    st.from = starts[k].first;
    st.objective = run.sol.objective;
    st.feasible = !run.sol.x.empty() && std::isfinite(run.sol.objective) && run.sol.maxViolation <= feasTol;
    st.status = run.sol.timeLimit ? "stopped" : st.feasible ? "optimal" : std::isfinite(run.sol.objective) ? "infeasible" : "error";
    r.starts.push_back(st);
    if (st.feasible && (!best || better(run.sol, runs[*best].sol))) best = k;
    if (stopped) break;
  }
  r.method = fmt::format("SLSQP (NLopt), {} start{}", r.starts.size(), r.starts.size() == 1 ? "" : "s");
  if (auglag) r.method += fmt::format("; AUGLAG from {}", auglag);
  if (best) r.starts[*best].best = true;
  r.notes.insert(r.notes.begin(), in.why ? fmt::format("{}: solved as a non-linear program", *in.why)
                                         : std::string("method: nlp: solved as a non-linear program"));
  if (stopped) {
    r.timeLimit = true;
    r.notes.push_back(best ? fmt::format("the time limit ({} s) was reached after {} start{}: the best solution found, not proven optimal",
                                         fmtNum(limit), r.starts.size(), r.starts.size() == 1 ? "" : "s")
                           : fmt::format("the time limit ({} s) was reached after {} start{}, before any found a feasible point: "
                                         "infeasibility is not established; give it more time",
                                         fmtNum(limit), r.starts.size(), r.starts.size() == 1 ? "" : "s"));
  }

  auto fillRows = [&](const Point& q) {
    for (size_t i = 0; i < rows.size(); ++i) {
      OptimizeResult::Row row;
      row.name = rows[i].name;
      row.model = rows[i].model;
      row.op = rowOpText(rows[i].op);
      row.activity = q.act[i];
      row.limit = q.lim[i];
      row.lhs = q.lhs[i];
      row.rhs = q.rhs[i];
      r.rows.push_back(row);
    }
  };
  auto fillChecks = [&](const std::vector<double>& x) {
    for (auto& c : checks) {
      auto [a, b] = pb.check(c.lhs, c.rhs, x.data());
      r.checks.push_back({c.name, a, b, drift::holds(c.op, a, b)});
    }
  };

  if (!best) {
    // no start reached a feasible point: report the one closest to feasibility and its most violated row
    size_t k = 0;
    double least = kInf;
    for (size_t i = 0; i < runs.size(); ++i)
      if (!runs[i].sol.x.empty() && runs[i].sol.maxViolation < least) least = runs[i].sol.maxViolation, k = i;
    if (runs.empty() || runs[k].sol.x.empty())
      throw StatementError(DiagCode::Runtime, fmt::format("NLopt found no point from {} start{}{}", runs.size(), runs.size() == 1 ? "" : "s",
                                                          runs.empty() || runs[0].sol.message.empty() ? "" : ": " + runs[0].sol.message));
    const std::vector<double> x = runs[k].sol.x;
    const Point& q = pb.at(x.data(), false);
    r.status = "infeasible";
    fillRows(q);
    fillChecks(x);
    size_t worst = 0;
    double wv = -1;
    for (size_t i = 0; i < rows.size(); ++i) {
      double v = rows[i].op == CmpOp::Eq ? std::fabs(q.act[i] - q.lim[i])
                 : isUpper(rows[i].op)   ? q.act[i] - q.lim[i]
                                         : q.lim[i] - q.act[i];
      if (std::isnan(v)) v = kInf;
      if (v > wv) wv = v, worst = i;
    }
    if (!rows.empty()) {
      OptimizeResult::Conflict c;
      c.row = rows[worst].name;
      double move = rows[worst].op == CmpOp::Eq ? q.act[worst] - q.lim[worst] : wv;
      if (std::isfinite(move)) {
        c.move = move;
        c.to = rows[worst].op == CmpOp::Eq ? q.act[worst] : isUpper(rows[worst].op) ? q.lim[worst] + move : q.lim[worst] - move;
      }
      r.conflict.push_back(c);
      r.notes.push_back(fmt::format("no feasible point was found from {} start{}: at the point closest to feasibility ({}), '{}' is "
                                    "broken by {} (a local method cannot prove infeasibility)",
                                    r.starts.size(), r.starts.size() == 1 ? "" : "s", starts[k].first, rows[worst].name, fmtNum(wv)));
    }
    return;
  }

  std::vector<double> x = runs[*best].sol.x;
  for (size_t j = 0; j < n; ++j) {  // within round-off of a bound: on it
    if (std::isfinite(lo[j]) && std::fabs(x[j] - lo[j]) <= 1e-12 * std::max(1.0, std::fabs(lo[j]))) x[j] = lo[j];
    if (std::isfinite(hi[j]) && std::fabs(x[j] - hi[j]) <= 1e-12 * std::max(1.0, std::fabs(hi[j]))) x[j] = hi[j];
  }
  // unbounded: a variable without a bound on that side ran away
  for (size_t j = 0; j < n; ++j) {
    if (std::fabs(x[j]) < 1e12) continue;
    int dir = x[j] > 0 ? 1 : -1;
    if ((dir > 0 && std::isfinite(hi[j])) || (dir < 0 && std::isfinite(lo[j]))) continue;
    r.unbounded.push_back({r.variables[j].name, dir});
  }
  const Point& q = pb.at(x.data(), true);
  if (!r.unbounded.empty() || !std::isfinite(q.f) || std::fabs(q.f) > 1e15) {
    r.status = "unbounded";
    fillRows(pb.at(x.data(), false));
    return;
  }
  r.status = "optimal";
  r.objective = q.f;
  for (size_t j = 0; j < n; ++j) r.variables[j].value = x[j];
  fillRows(q);
  fillChecks(x);

  // the Lagrange multipliers: grad f = sum over active rows of y_i grad activity_i
  // + sum over active bounds of z_j e_j, by least squares; y_i is the change of
  // the objective per unit increase of row i's limit (its shadow price)
  std::vector<size_t> activeRows, activeBounds;
  for (size_t i = 0; i < rows.size(); ++i) {
    double tol = 1e-6 * std::max(1.0, std::fabs(q.lim[i]));
    bool active = rows[i].op == CmpOp::Eq || std::fabs(q.act[i] - q.lim[i]) <= tol;
    r.rows[i].binding = active;
    r.rows[i].shadowPrice = 0;
    if (active) activeRows.push_back(i);
  }
  for (size_t j = 0; j < n; ++j) {
    bool atLo = std::isfinite(lo[j]) && std::fabs(x[j] - lo[j]) <= 1e-7 * std::max(1.0, std::fabs(lo[j]));
    bool atHi = std::isfinite(hi[j]) && std::fabs(x[j] - hi[j]) <= 1e-7 * std::max(1.0, std::fabs(hi[j]));
    if (atLo || atHi) activeBounds.push_back(j);
  }
  const size_t K = activeRows.size() + activeBounds.size();
  Eigen::VectorXd g(static_cast<Eigen::Index>(n));
  for (size_t j = 0; j < n; ++j) g(static_cast<Eigen::Index>(j)) = q.df[j];
  Eigen::VectorXd y = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(K));
  double residual = g.norm();
  if (K > 0 && n > 0) {
    Eigen::MatrixXd A = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(K));
    for (size_t c = 0; c < activeRows.size(); ++c)
      for (size_t j = 0; j < n; ++j) A(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(c)) = q.dact[activeRows[c]][j];
    for (size_t c = 0; c < activeBounds.size(); ++c)
      A(static_cast<Eigen::Index>(activeBounds[c]), static_cast<Eigen::Index>(activeRows.size() + c)) = 1.0;
    Eigen::CompleteOrthogonalDecomposition<Eigen::MatrixXd> cod(A);
    y = cod.solve(g);
    residual = (A * y - g).norm();
    if (static_cast<size_t>(cod.rank()) < K)
      r.notes.push_back("degenerate: more constraints and bounds are active than their gradients can separate, so the multipliers "
                        "are not unique; the shadow prices are the least-squares minimum-norm ones (a limit's price may differ up "
                        "and down)");
  }
  for (size_t c = 0; c < activeRows.size(); ++c) r.rows[activeRows[c]].shadowPrice = y(static_cast<Eigen::Index>(c));
  for (size_t j = 0; j < n; ++j) {
    double red = q.df[j];
    for (size_t c = 0; c < activeRows.size(); ++c) red -= y(static_cast<Eigen::Index>(c)) * q.dact[activeRows[c]][j];
    r.variables[j].cost = q.df[j];
    r.variables[j].reducedCost = red;
  }
  r.kktResidual = residual / std::max(1.0, g.norm());
  // the multipliers' signs: a binding <= row must not lower a maximum when relaxed
  bool signsOk = true;
  for (size_t c = 0; c < activeRows.size(); ++c) {
    const RowDef& row = rows[activeRows[c]];
    if (row.op == CmpOp::Eq) continue;
    double yv = y(static_cast<Eigen::Index>(c)) * (s.maximize ? 1.0 : -1.0) * (isUpper(row.op) ? 1.0 : -1.0);
    if (yv < -1e-6 * std::max(1.0, g.norm())) signsOk = false;
  }
  r.notes.push_back(fmt::format("the shadow prices are the Lagrange multipliers of the KKT conditions at the solution, from the "
                                "exact gradients (stationarity residual {:.1e} relative to the objective's gradient); a lever's cost "
                                "is its marginal effect on the objective there; a non-linear program has no sensitivity ranges",
                                r.kktResidual));
  if (!signsOk || r.kktResidual > 1e-4)
    r.notes.push_back("the KKT conditions do not hold well at the solution (a multiplier of the wrong sign, or a large residual): "
                      "the solver may have stopped short of a local optimum");
  size_t feasibleStarts = static_cast<size_t>(std::count_if(r.starts.begin(), r.starts.end(), [](auto& st) { return st.feasible; }));
  r.notes.push_back(fmt::format("{} of {} starts reached a feasible point; the best came from {} (a local method: the best of "
                                "several starts, not a proof of the global optimum)",
                                feasibleStarts, r.starts.size(), starts[*best].first));
  (void)pb.evaluations();
}

}  // namespace mtc::eng::opt
