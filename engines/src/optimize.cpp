// optimize (optimize.h): the objective and the rows as affine forms in the
// varied params (optimize/linear.h), solved by GLPK behind the LP seam
// (solvers/lp.h); an infeasible LP's conflict by a deletion filter, an
// unbounded one's variables by an artificial box.
#include "mtc/engines/optimize.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "evalexpr.h"
#include "mtc/ir_print.h"
#include "optimize/linear.h"
#include "optimize/nonlinear.h"
#include "project.h"
#include "solvers/lp.h"

namespace mtc::eng {

using namespace ir;
using solvers::kInf;
using solvers::LpProblem;
using solvers::LpStatus;

namespace {

// The sorted union of both sides' dimensions.
std::vector<Id> dimsOf(const Model& m, const Comparison& c) {
  std::vector<Id> d = m.exprs[c.lhs].type.dims;
  for (Id x : m.exprs[c.rhs].type.dims) d.push_back(x);
  std::sort(d.begin(), d.end());
  d.erase(std::unique(d.begin(), d.end()), d.end());
  return d;
}

struct RowForm {
  std::string name;
  bool model = false;
  CmpOp op = CmpOp::Le;
  opt::Affine lhs, rhs;
};

std::string notLinearMessage(const Model& m, const std::string& where, const opt::NotLinear& e) {
  std::string what = e.expr != kNone ? fmt::format("'{}'", exprText(m, e.expr)) : std::string("it");
  std::string in = e.metric != kNone ? fmt::format(" (in the formula of '{}')", m.metrics[e.metric].name) : "";
  return fmt::format("{} is not linear in the decision variables: {}{}: {}", where, what, in, e.what());
}

}  // namespace

OptimizeResult optimize(const Context& ctx, const OptimizeStmt& s) {
  const Model& m = ctx.model;
  const rt::Timeline& data = ctx.data.time;
  OptimizeResult r;
  r.name = s.name;
  r.maximize = s.maximize;
  if (!s.objective) throw StatementError(DiagCode::InvalidExpr, "optimize has no objective");
  r.objectiveText = exprText(m, *s.objective);
  r.unit = m.units.format(m.exprs[*s.objective].type.unit);

  // the period: `at`, else the first period after the data (a model without data: its only period)
  bool anyData = std::any_of(ctx.data.hasData.begin(), ctx.data.hasData.end(), [](bool b) { return b; });
  const int64_t histEnd = anyData ? data.count : 0;
  Period D = s.at ? toGrain(*s.at, m.grain) : data.at(histEnd);
  r.at = D;
  const int64_t idx = D.ord - data.first.ord;
  if (idx < 0)
    throw StatementError(DiagCode::NoData, fmt::format("the period {} is before the model's first period {}", formatPeriod(D),
                                                       formatPeriod(data.first)));
  const int64_t horizon = std::max<int64_t>(0, idx - data.count + 1);

  // what the problem reads, and its values with every param as declared (the data, or its forecast)
  std::vector<Id> targets;
  auto reads = [&](const Comparison& c) {
    collectRefs(m, c.lhs, &targets, nullptr);
    collectRefs(m, c.rhs, &targets, nullptr);
  };
  collectRefs(m, *s.objective, &targets, nullptr);
  for (auto& c : s.subjectTo) reads(c.cmp);
  for (auto& C : m.constraints) reads(C.cmp);
  std::sort(targets.begin(), targets.end());
  targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
  rt::Values projected;
  const rt::Values* base = &ctx.values;
  std::optional<Projection> pr;
  if (horizon > 0 && !targets.empty()) {
    pr = project(ctx, targets, horizon, ForecastMethod::Auto, 0.9);
    pr->point.timeline = &pr->timeline;  // moved into the optional: point at its own timeline
    r.notes = pr->notes;
    rt::Subset sub = ctx.evaluator.subset(targets);
    ctx.evaluator.evaluateInto(pr->point, projected, &sub);
    base = &projected;
  }

  // the decision variables: each slice of each varied param
  std::vector<opt::Variable> vars;
  for (const OptVar& ov : s.vars) {
    const Param& P = m.params[ov.param];
    size_t n = std::max<size_t>(1, P.values.size());
    if (P.values.empty())
      throw StatementError(DiagCode::MissingValue, fmt::format("'{}' has no value to start from", P.name));
    for (size_t sl = 0; sl < n; ++sl) {
      vars.push_back({ov.param, sl});
      OptimizeResult::Variable v;
      v.param = ov.param;
      v.name = P.dims.empty() ? P.name : fmt::format("{}[{}]", P.name, sliceKey(m, P.dims, sl));
      if (!P.dims.empty()) v.slice = sl;
      v.current = P.values[sl];
      v.integer = ov.integer;
      if (ov.lower) v.lower = ov.integer && ov.lowerStrict ? std::floor(*ov.lower) + 1 : ov.integer ? std::ceil(*ov.lower) : *ov.lower;
      if (ov.upper) v.upper = ov.integer && ov.upperStrict ? std::ceil(*ov.upper) - 1 : ov.integer ? std::floor(*ov.upper) : *ov.upper;
      r.variables.push_back(v);
    }
    if (!ov.integer && (ov.lowerStrict || ov.upperStrict))
      r.notes.push_back(fmt::format("'{}': a strict bound (< or >) is solved as <= or >= (a linear program's optimum lies on its boundary)",
                                    P.name));
  }
  const size_t n = vars.size();

  // metrics whose value at the period comes from data, not from their formula
  std::vector<bool> fixed(m.metrics.size(), false);
  if (idx < histEnd)
    for (Id id = 0; id < m.metrics.size(); ++id) fixed[id] = id < ctx.data.hasData.size() && ctx.data.hasData[id];
  opt::Linearizer lin(m, *base, idx, vars, fixed);
  // not affine (or method: nlp): the non-linear path; method: simplex or mip asks for a linear model
  std::optional<std::string> nonAffine;
  auto notAffine = [&](const std::string& why) {
    if (s.method == OptimizeMethod::Auto) {
      if (!nonAffine) nonAffine = why;
      return;
    }
    throw StatementError(DiagCode::InvalidExpr, why + "; method: simplex and mip need a linear model (method: auto or nlp solves it "
                                                      "as a non-linear program)");
  };
  auto nonlinear = [&](std::optional<std::string> why) {
    opt::NlpInput in{ctx, s, lin, idx, pr ? &pr->point : nullptr, targets, vars, std::move(why)};
    opt::solveNonlinear(in, r);
    return r;
  };
  if (s.method == OptimizeMethod::Nlp) return nonlinear(std::nullopt);

  // the objective and the rows, as affine forms
  // a side without dimensions is read as a metric's formula would read it (a sum over a
  // dimension adds its slices); one with dimensions, as its total (the objective), or slice by
  // slice (a row per slice)
  auto whole = [&](ExprId e) { return m.exprs[e].type.dims.empty() ? lin.at(e, {}, 0) : lin.total(e); };
  opt::Affine obj;
  try {
    obj = whole(*s.objective);
  } catch (const opt::NotLinear& e) {
    notAffine(notLinearMessage(m, "the objective", e));
  }
  if (!std::isfinite(obj.c))
    throw StatementError(DiagCode::MissingValue, fmt::format("the objective has no value at {}: a value it reads is missing", formatPeriod(D)));
  std::vector<RowForm> forms;
  bool strictRow = false;
  auto addRows = [&](const std::string& name, const Comparison& c, bool model) {
    std::vector<Id> dims = dimsOf(m, c);
    size_t count = dims.empty() ? 1 : m.sliceCount(dims);
    for (size_t sl = 0; sl < count; ++sl) {
      RowForm f;
      f.name = dims.empty() ? name : fmt::format("{}[{}]", name, sliceKey(m, dims, sl));
      f.model = model;
      f.op = c.op;
      strictRow |= c.op == CmpOp::Lt || c.op == CmpOp::Gt;
      try {
        f.lhs = lin.at(c.lhs, dims, sl);
        f.rhs = lin.at(c.rhs, dims, sl);
      } catch (const opt::NotLinear& e) {
        notAffine(notLinearMessage(m, fmt::format("constraint '{}'", f.name), e));
        return;
      }
      bool finite = std::isfinite(f.lhs.c) && std::isfinite(f.rhs.c);
      for (auto* side : {&f.lhs, &f.rhs})
        for (auto& t : side->terms) finite = finite && std::isfinite(t.second);
      if (!finite)
        throw StatementError(DiagCode::MissingValue, fmt::format("constraint '{}' has no value at {}: a value it reads is missing", f.name,
                                                                 formatPeriod(D)));
      forms.push_back(std::move(f));
    }
  };
  for (auto& c : s.subjectTo) addRows(c.name, c.cmp, false);
  for (auto& C : m.constraints) {
    if (lin.depends(C.cmp.lhs) || lin.depends(C.cmp.rhs)) {
      addRows(C.name, C.cmp, true);
    } else {
      // no variable reaches it: checked at the solution (where it has its value now), slice by slice
      std::vector<Id> dims = dimsOf(m, C.cmp);
      size_t count = dims.empty() ? 1 : m.sliceCount(dims);
      for (size_t sl = 0; sl < count; ++sl) {
        OptimizeResult::Check ch;
        ch.name = dims.empty() ? C.name : fmt::format("{}[{}]", C.name, sliceKey(m, dims, sl));
        ch.lhs = lin.at(C.cmp.lhs, dims, sl).c;
        ch.rhs = lin.at(C.cmp.rhs, dims, sl).c;
        ch.holds = drift::holds(C.cmp.op, ch.lhs, ch.rhs);
        r.checks.push_back(ch);
      }
    }
  }
  if (nonAffine) return nonlinear(nonAffine);
  if (strictRow) r.notes.push_back("a strict comparison (< or >) is solved as <= or >= (a linear program's optimum lies on its boundary)");

  // the LP/MIP
  bool anyInteger = std::any_of(r.variables.begin(), r.variables.end(), [](auto& v) { return v.integer; });
  bool mip = s.method == OptimizeMethod::Mip || (s.method == OptimizeMethod::Auto && anyInteger);
  if (s.method == OptimizeMethod::Simplex && anyInteger)
    r.notes.push_back("method: simplex solves the LP relaxation: the integer variables may take fractional values");
  LpProblem p;
  p.maximize = s.maximize;
  p.constant = obj.c;
  p.cost.assign(n, 0.0);
  for (auto& [j, a] : obj.terms) p.cost[j] = a;
  for (auto& v : r.variables) {
    p.names.push_back(v.name);
    p.lower.push_back(v.lower);
    p.upper.push_back(v.upper);
    p.integer.push_back(mip && v.integer);
  }
  for (auto& f : forms) {
    LpProblem::Row row;
    row.name = f.name;
    opt::Affine d = opt::combine(f.lhs, -1, f.rhs);  // variables left, constants right
    row.coefs = d.terms;
    double limit = -d.c;
    if (f.op == CmpOp::Le || f.op == CmpOp::Lt || f.op == CmpOp::Eq) row.upper = limit;
    if (f.op == CmpOp::Ge || f.op == CmpOp::Gt || f.op == CmpOp::Eq) row.lower = limit;
    p.rows.push_back(std::move(row));
  }
  if (s.timeLimit) p.timeLimit = static_cast<double>(*s.timeLimit);
  else if (ctx.options.timeLimit) p.timeLimit = *ctx.options.timeLimit;
  r.mip = mip && anyInteger;
  r.method = r.mip ? "branch-and-cut" : "simplex";

  auto solver = solvers::makeGlpk();
  solvers::LpSolution sol = solver->solve(p);
  std::vector<double> current;
  for (auto& v : r.variables) current.push_back(v.current);
  r.objectiveBefore = obj.at(current);
  for (size_t j = 0; j < n; ++j) r.variables[j].cost = p.cost[j];
  auto rowsAt = [&](const std::vector<double>* x) {
    for (size_t i = 0; i < forms.size(); ++i) {
      OptimizeResult::Row row;
      row.name = forms[i].name;
      row.model = forms[i].model;
      row.op = opt::rowOpText(forms[i].op);
      row.limit = std::isfinite(p.rows[i].upper) ? p.rows[i].upper : p.rows[i].lower;
      row.coefs = p.rows[i].coefs;
      if (x) {
        row.lhs = forms[i].lhs.at(*x);
        row.rhs = forms[i].rhs.at(*x);
      }
      r.rows.push_back(row);
    }
  };
  switch (sol.status) {
    case LpStatus::Optimal: case LpStatus::TimeLimit: {
      if (sol.x.size() != n) throw StatementError(DiagCode::Runtime, sol.message.empty() ? "the solver found no solution" : sol.message);
      r.status = "optimal";
      r.timeLimit = sol.status == LpStatus::TimeLimit;
      if (r.timeLimit) r.notes.push_back(sol.message + " (time_limit): the best solution found, not proven optimal");
      r.objective = sol.objective;
      for (size_t j = 0; j < n; ++j) {
        auto& v = r.variables[j];
        v.value = sol.x[j];
        if (v.integer && r.mip) v.value = std::round(v.value);
        if (!r.mip) {
          v.reducedCost = sol.reducedCost[j];
          if (j < sol.costRange.size()) v.costRange = OptimizeResult::Range{sol.costRange[j].lo, sol.costRange[j].hi};
        }
      }
      std::vector<double> x;
      for (auto& v : r.variables) x.push_back(v.value);
      rowsAt(&x);
      for (size_t i = 0; i < forms.size(); ++i) {
        auto& row = r.rows[i];
        row.activity = sol.activity[i];
        row.binding = sol.binding[i];
        if (!r.mip) {
          row.shadowPrice = sol.dual[i];
          if (row.binding && i < sol.boundRange.size()) row.limitRange = OptimizeResult::Range{sol.boundRange[i].lo, sol.boundRange[i].hi};
        }
      }
      if (r.mip) {
        r.bound = sol.bound;
        r.gap = sol.gap;
      }
      break;
    }
    case LpStatus::Infeasible: {
      r.status = "infeasible";
      rowsAt(nullptr);
      for (size_t i : opt::deletionFilter(p, *solver)) {
        OptimizeResult::Conflict c;
        c.row = p.rows[i].name;
        c.move = opt::requiredMove(p, i, *solver);
        if (c.move) {
          const auto& row = p.rows[i];
          c.to = std::isfinite(row.upper) ? row.upper + *c.move : row.lower - *c.move;
        }
        r.conflict.push_back(c);
      }
      break;
    }
    case LpStatus::Unbounded: {
      r.status = "unbounded";
      rowsAt(nullptr);
      for (auto& [j, dir] : opt::unboundedVariables(p, *solver)) r.unbounded.push_back({r.variables[j].name, dir});
      break;
    }
    case LpStatus::Error:
      throw StatementError(DiagCode::Runtime, "GLPK: " + sol.message);
  }
  return r;
}

}  // namespace mtc::eng
