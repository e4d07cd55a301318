// recommend (recommend.h): the gap to a goal at its date, the levers' effects
// on it, the bottleneck, and the seed's execution framework over them.
//
//   1. The gap: the goal's sides at its date over the data's forecast (project.h).
//   2. The levers: the varied params of an `optimize` whose objective reads the
//      goal's metric, the `varying` of the goal's seeks, and the metrics with
//      `role: input` and `class: actionable`. Each is measured by the goal's
//      left side for +1% of it (per unit when it is 0), on the compiled formulas.
//   3. With an optimize: its solution (focus on the lever with the largest
//      return per unit of the binding constraint with the largest shadow price;
//      remove the levers whose optimal level is zero; move the others), and the
//      same optimize with the goal as one more row: infeasible means the goal is
//      out of reach, and its conflicting set names the constraint that blocks it
//      and by how much. Without one: seek per lever; a lever that hurts the goal
//      is removed (via negativa), the one with the largest effect per +1% is the
//      focus, and when no lever reaches the goal within the constraints, even all
//      together at their limits, the decision is non-programmed.
//   4. Quality actions: every benchmarked metric pushed to the next level up.
#include "mtc/engines/recommend.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "evalexpr.h"
#include "goalfn.h"
#include "mtc/engines/optimize.h"
#include "mtc/engines/seek.h"
#include "mtc/ir_print.h"
#include "project.h"

namespace mtc::eng {

using namespace ir;

const char* recTypeName(RecType t) {
  switch (t) {
    case RecType::Decision: return "decision";
    case RecType::Action: return "action";
  }
  return "decision";
}
const char* decisionClassName(DecisionClass c) {
  switch (c) {
    case DecisionClass::Programmed: return "programmed";
    case DecisionClass::NonProgrammed: return "non_programmed";
  }
  return "programmed";
}
const char* moveName(Move m) {
  switch (m) {
    case Move::Focus: return "focus";
    case Move::Remove: return "remove";
  }
  return "focus";
}
const char* actionKindName(ActionKind a) {
  switch (a) {
    case ActionKind::Quantity: return "quantity";
    case ActionKind::Quality: return "quality";
  }
  return "quantity";
}

namespace {

using Rec = RecommendResult::Recommendation;

std::string num(double v) { return readableNumber(v); }
std::string signedNum(double v) { return (v >= 0 ? "+" : "") + readableNumber(v); }
std::string percent(double rel) { return std::isfinite(rel) ? fmt::format("{:+.1f}%", rel * 100) : std::string("from zero"); }

// Where a recommendation sorts: what blocks the goal first, then what to
// prioritise, what to do (by effect), and what to stop.
int tier(const Rec& r) {
  if (r.cls == DecisionClass::NonProgrammed) return 0;
  if (r.move == Move::Focus) return 1;
  if (r.action == ActionKind::Quantity) return 2;
  if (r.action == ActionKind::Quality) return 3;
  return 4;  // remove
}

// The optimize statements whose objective reads the goal's metrics.
std::vector<const OptimizeStmt*> optimizesFor(const Model& m, const Goal& G) {
  std::vector<Id> goalMetrics = G.metrics;
  if (G.metric) goalMetrics.push_back(*G.metric);
  std::vector<const OptimizeStmt*> out;
  for (const Statement& st : m.statements) {
    if (st.kind() != StmtKind::Optimize) continue;
    const auto& o = st.as<OptimizeStmt>();
    if (!o.objective) continue;
    std::vector<Id> refs;
    collectRefs(m, *o.objective, &refs, nullptr);
    bool reads = std::any_of(refs.begin(), refs.end(),
                             [&](Id id) { return std::find(goalMetrics.begin(), goalMetrics.end(), id) != goalMetrics.end(); });
    if (reads) out.push_back(&o);
  }
  return out;
}

// The benchmark levels a value has reached, and the next one up: `unique` at
// or above the best. Lower-is-better metrics reach a level by being at or under it.
struct Standing {
  std::optional<Level> reached;
  Level next = Level::BelowPar;
  std::optional<double> nextValue;  // the next level's threshold (none for unique)
  std::optional<double> par;
};
Standing standing(const Benchmark& B, double v, bool lowerIsBetter) {
  Standing s;
  for (auto& [lvl, x] : B.levels) {
    if (lvl == Level::OnPar) s.par = x;
    bool ok = lowerIsBetter ? v <= x : v >= x;
    if (ok) s.reached = lvl;
  }
  s.next = Level::Unique;
  for (auto& [lvl, x] : B.levels) {
    bool ok = lowerIsBetter ? v <= x : v >= x;
    if (!ok) {
      s.next = lvl;
      s.nextValue = x;
      break;
    }
  }
  if (!s.par && !B.levels.empty()) s.par = B.levels[B.levels.size() / 2].second;
  return s;
}

const char* levelWords(Level l) {
  switch (l) {
    case Level::BelowPar: return "below par (the floor)";
    case Level::OnPar: return "on par (just get it done)";
    case Level::AbovePar: return "above par (acceptable)";
    case Level::Best: return "the best (beat the industry's best practice)";
    case Level::Unique: return "unique (find what beats the best: an A/B test)";
  }
  return "";
}

}  // namespace

RecommendResult recommend(const Context& ctx, const RecommendStmt& s) {
  const Model& m = ctx.model;
  if (s.goal == kNone) throw StatementError(DiagCode::InvalidExpr, "recommend has no goal");
  const Goal& G = m.goals[s.goal];
  RecommendResult r;
  r.goal = s.goal;
  r.goalText = fmt::format("{} {} {}", exprText(m, G.cmp.lhs), cmpOpText(G.cmp.op), exprText(m, G.cmp.rhs));
  if (G.metric) r.metric = m.metrics[*G.metric].name;
  r.unit = m.units.format(m.exprs[G.cmp.lhs].type.unit);

  // the date: `at`, the goal's `by`, else the first period after the data (a model without data: its only period)
  const rt::Timeline& data = ctx.data.time;
  const bool anyData = std::any_of(ctx.data.hasData.begin(), ctx.data.hasData.end(), [](bool b) { return b; });
  const int64_t histEnd = anyData ? data.count : 0;
  std::optional<Period> when = s.at ? s.at : G.by;
  Period D = when ? toGrain(*when, m.grain) : data.at(histEnd);
  r.at = D;
  const int64_t idx = D.ord - data.first.ord;
  if (idx < 0)
    throw StatementError(DiagCode::NoData, fmt::format("the period {} is before the model's first period {}", formatPeriod(D),
                                                       formatPeriod(data.first)));
  if (idx < histEnd)
    throw StatementError(DiagCode::NoData,
                         fmt::format("the goal's date {} is in the data (to {}): recommend looks at the periods after it; give `at:` a later period",
                                     formatPeriod(D), formatPeriod(data.last())));
  const int64_t horizon = std::max<int64_t>(0, idx - data.count + 1);
  r.valueFrom = anyData ? "forecast" : "model";

  // the levers, in the order the model gives them: optimize's, seek's, the actionable inputs
  std::vector<const OptimizeStmt*> opts = optimizesFor(m, G);
  const OptimizeStmt* O = opts.empty() ? nullptr : opts.front();
  if (opts.size() > 1)
    r.notes.push_back(fmt::format("{} optimize statements read the goal's metric; recommend uses the first, '{}'", opts.size(), O->name));
  std::vector<Ref> refs;
  std::vector<std::string> sources;
  auto addLever = [&](Ref ref, std::string source) {
    if (std::find(refs.begin(), refs.end(), ref) != refs.end()) return;
    refs.push_back(ref);
    sources.push_back(std::move(source));
  };
  if (O)
    for (const OptVar& v : O->vars) addLever({Ref::Kind::Param, v.param}, "optimize " + O->name);
  for (const Statement& st : m.statements)
    if (st.kind() == StmtKind::Seek && st.as<SeekStmt>().goal == s.goal)
      for (const Ref& v : st.as<SeekStmt>().varying) addLever(v, "seek");
  for (Id id = 0; id < m.metrics.size(); ++id)
    if ((m.metrics[id].roles & RoleInput) && (m.metrics[id].classes & ClassActionable))
      addLever({Ref::Kind::Metric, id}, "role: input, class: actionable");

  // what the problem reads
  std::vector<Id> targets;
  auto reads = [&](const Comparison& c) {
    collectRefs(m, c.lhs, &targets, nullptr);
    collectRefs(m, c.rhs, &targets, nullptr);
  };
  reads(G.cmp);
  for (const Constraint& C : m.constraints) reads(C.cmp);
  for (const Ref& v : refs)
    if (v.kind == Ref::Kind::Metric) targets.push_back(v.id);
  for (const Benchmark& B : m.benchmarks)
    if (B.target.kind == Ref::Kind::Metric) targets.push_back(B.target.id);
  std::sort(targets.begin(), targets.end());
  targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
  if (targets.empty()) throw StatementError(DiagCode::NoData, fmt::format("goal '{}' reads no metric: nothing to recommend", G.name));
  Projection pr = project(ctx, targets, horizon, ForecastMethod::Auto, 0.9);
  for (auto& n : pr.notes) r.notes.push_back(n);
  pr.point.timeline = &pr.timeline;

  const size_t K = refs.size();
  GoalFunction gf(ctx, refs, G, histEnd, idx, pr, targets, 50.0 + 60.0 * static_cast<double>(K));
  std::vector<double> cur(K);
  for (size_t k = 0; k < K; ++k) cur[k] = gf.current(k);
  gf.gap(cur);
  const double lhs0 = gf.lhs(), rhs0 = gf.rhs();
  if (!std::isfinite(lhs0) || !std::isfinite(rhs0))
    throw StatementError(DiagCode::MissingValue, fmt::format("goal '{}' has no value at {}: a value it reads is missing", G.name, formatPeriod(D)));
  r.value = lhs0;
  r.target = rhs0;
  r.gap = drift::gapOf(G.cmp.op, lhs0, rhs0);
  r.met = drift::holds(G.cmp.op, lhs0, rhs0);
  const double scale = std::max({std::fabs(lhs0), std::fabs(rhs0), 1.0});
  // the gap chart: the left side in the data's last two years, then its path to the date
  const int64_t shown = std::min<int64_t>(histEnd, 24);
  r.historyFrom = data.at(histEnd - shown);
  for (int64_t t = histEnd - shown; t < histEnd; ++t) r.history.push_back(drift::exprTotal(m, ctx.values, G.cmp.lhs, t));
  for (int64_t t = histEnd; t <= idx; ++t) r.path.push_back(drift::exprTotal(m, gf.base(), G.cmp.lhs, t));

  // gap with lever values x: how far short of the goal (the left side in gf.lhs())
  auto gapAt = [&](const std::vector<double>& x) {
    gf.gap(x);
    return drift::gapOf(G.cmp.op, gf.lhs(), gf.rhs());
  };
  auto unitOf = [&](const Ref& ref) {
    return m.units.format(ref.kind == Ref::Kind::Param ? m.params[ref.id].unit : m.metrics[ref.id].unit);
  };

  // each lever alone: the left side for +1% (per unit when it is 0)
  std::vector<double> gain(K, 0.0);  // how much +1% (or +1) closes the gap
  for (size_t k = 0; k < K; ++k) {
    RecommendResult::Lever L;
    L.name = refName(m, refs[k]);
    L.unit = unitOf(refs[k]);
    L.source = sources[k];
    L.current = cur[k];
    if (!std::isfinite(cur[k])) {
      r.notes.push_back(fmt::format("lever '{}' has no value at {}: left out", L.name, formatPeriod(D)));
      r.levers.push_back(L);
      continue;
    }
    std::vector<double> x = cur;
    L.perUnit = cur[k] == 0;
    x[k] = L.perUnit ? 1.0 : cur[k] * 1.01;
    double g1 = gapAt(x);
    L.perPercent = gf.lhs() - lhs0;
    gain[k] = r.gap - g1;
    if (std::fabs(gain[k]) <= 1e-12 * scale) gain[k] = 0;
    r.levers.push_back(L);
  }

  auto add = [&](Rec rec) { r.recommendations.push_back(std::move(rec)); };
  // the unit of a constraint's sides, by its name ("capacity[north]": capacity's), from the optimize's rows or the model's
  auto constraintUnit = [&](const std::string& row, const OptimizeStmt* o) -> std::string {
    std::string name = row.substr(0, row.find('['));
    if (o)
      for (auto& c : o->subjectTo)
        if (c.name == name) return m.units.format(m.exprs[c.cmp.lhs].type.unit);
    for (auto& C : m.constraints)
      if (C.name == name) return m.units.format(m.exprs[C.cmp.lhs].type.unit);
    return "";
  };
  std::vector<bool> handled(K, false);  // by the optimize

  // ---- with an optimize for the goal's metric
  OptimizeResult sol, withGoal;
  if (O) {
    OptimizeStmt o = *O;
    o.at = D;
    // the goal as one more row: can the levers reach it at all?
    OptimizeStmt og = o;
    og.subjectTo.push_back({G.name, G.range, G.cmp});
    try {
      sol = optimize(ctx, o);
      withGoal = optimize(ctx, og);
    } catch (const StatementError& e) {
      // the optimize cannot run (a missing value, an integer non-linear program): its levers are measured one by one
      r.notes.push_back(fmt::format("optimize {} could not run ({}): its levers are measured one by one instead", O->name, e.what()));
      O = nullptr;
    }
  }
  if (O) {
    for (auto& n : sol.notes) r.notes.push_back(fmt::format("optimize {}: {}", O->name, n));
    const std::string evidence = "optimize " + O->name;
    for (size_t k = 0; k < K; ++k)
      if (sources[k] == evidence) handled[k] = true;
    if (sol.status == "optimal") {
      // the levers at the optimum (a param with slices: one per slice)
      for (auto& v : sol.variables) {
        auto it = std::find_if(r.levers.begin(), r.levers.end(), [&](auto& L) { return L.name == v.name; });
        RecommendResult::Lever* L = it != r.levers.end() ? &*it : nullptr;
        if (!L) {
          RecommendResult::Lever nl;
          nl.name = v.name;
          nl.unit = m.units.format(m.params[v.param].unit);
          nl.source = evidence;
          nl.current = v.current;
          nl.perPercent = v.cost;
          nl.perUnit = true;
          r.levers.push_back(nl);
          L = &r.levers.back();
        }
        L->optimal = v.value;
      }
      // the best the levers can do for the goal's left side: the objective when it is the goal's metric
      const bool up = G.cmp.op == CmpOp::Ge || G.cmp.op == CmpOp::Gt;
      const bool down = G.cmp.op == CmpOp::Le || G.cmp.op == CmpOp::Lt;
      if (G.metric && m.exprs[*O->objective].op == Op::Metric && m.exprs[*O->objective].ref == *G.metric &&
          ((sol.maximize && up) || (!sol.maximize && down)))
        r.reach = sol.objective;
      // the bottleneck: the binding row with the largest shadow price, and the lever with the largest return per unit of it
      const OptimizeResult::Row* bind = nullptr;
      for (auto& row : sol.rows)
        if (row.binding && std::isfinite(row.shadowPrice) && row.shadowPrice != 0 &&
            (!bind || std::fabs(row.shadowPrice) > std::fabs(bind->shadowPrice)))
          bind = &row;
      std::optional<size_t> focus;
      double best = 0;
      std::vector<std::pair<std::string, double>> returns;
      if (bind) {
        for (auto& [j, a] : bind->coefs) {
          if (a == 0) continue;
          double ret = sol.variables[j].cost / a;
          if (!sol.maximize) ret = -ret;
          returns.push_back({sol.variables[j].name, sol.variables[j].cost / a});
          if (!focus || ret > best) focus = j, best = ret;
        }
      } else {
        // nothing binds with a price: the lever that moves the objective most at the optimum
        for (size_t j = 0; j < sol.variables.size(); ++j) {
          double moved = sol.variables[j].cost * (sol.variables[j].value - sol.variables[j].current);
          if (!sol.maximize) moved = -moved;
          if (moved > 0 && (!focus || moved > best)) focus = j, best = moved;
        }
      }
      if (focus) {
        const auto& v = sol.variables[*focus];
        RecommendResult::Bottleneck b;
        b.lever = v.name;
        if (bind) {
          b.constraint = bind->name;
          for (auto& [j, a] : bind->coefs)
            if (j == *focus) b.perUnit = v.cost / a;
          std::string bu = constraintUnit(bind->name, O);
          b.basis = fmt::format("{} per {} of {}", sol.unit, bu.empty() ? "unit" : bu, bind->name);
        } else {
          b.perUnit = v.cost;
          b.basis = fmt::format("{} per unit of {}", sol.unit, v.name);
        }
        r.bottleneck = b;
        Rec rec;
        rec.type = RecType::Decision;
        rec.cls = DecisionClass::Programmed;
        rec.move = Move::Focus;
        rec.lever = v.name;
        rec.effect = v.cost * (v.value - v.current);
        rec.analysis = evidence;
        rec.figures["per_unit"] = b.perUnit;
        rec.figures["optimal"] = v.value;
        rec.figures["current"] = v.current;
        if (bind) rec.figures["shadow_price"] = bind->shadowPrice;
        std::string others;
        std::sort(returns.begin(), returns.end(), [](auto& a, auto& b2) { return a.second > b2.second; });
        for (auto& [name, ret] : returns)
          if (name != v.name) others += fmt::format("{}{} {}", others.empty() ? "" : ", ", name, num(ret));
        std::string bu = bind ? constraintUnit(bind->name, O) : "";
        rec.text = bind ? fmt::format("Focus on {}: each {} of {} put there returns {} {}, the most of any lever{}.", v.name,
                                      bu.empty() ? "unit" : bu, bind->name, num(b.perUnit), sol.unit,
                                      others.empty() ? "" : fmt::format(" ({})", others))
                        : fmt::format("Focus on {}: it moves {} the most at the optimum ({} {}).", v.name, sol.objectiveText,
                                      signedNum(*rec.effect), sol.unit);
        add(rec);
      }
      // quantity: each lever to its optimal level; remove: those whose optimal level is zero
      for (size_t j = 0; j < sol.variables.size(); ++j) {
        const auto& v = sol.variables[j];
        const std::string unit = m.units.format(m.params[v.param].unit);
        const double tol = 1e-9 * std::max({1.0, std::fabs(v.value), std::fabs(v.current)});
        if (std::fabs(v.value) <= tol && v.lower <= 0) {
          Rec rec;
          rec.type = RecType::Decision;
          rec.cls = DecisionClass::Programmed;
          rec.move = Move::Remove;
          rec.lever = v.name;
          rec.from = v.current;
          rec.to = 0.0;
          rec.unit = unit;
          rec.effect = v.cost * (0 - v.current);
          rec.analysis = evidence;
          rec.figures["optimal"] = 0;
          rec.figures["current"] = v.current;
          if (std::isfinite(v.reducedCost)) rec.figures["reduced_cost"] = v.reducedCost;
          rec.text = std::isfinite(v.reducedCost) && v.reducedCost != 0
                         ? fmt::format("Stop {} (via negativa): its optimal level is zero; every {} put there would change {} by {}.", v.name,
                                       unit, sol.objectiveText, num(v.reducedCost))
                         : fmt::format("Stop {} (via negativa): its optimal level is zero.", v.name);
          if (v.current != 0) rec.text += fmt::format(" It is {} {} now.", num(v.current), unit);
          add(rec);
        } else if (std::fabs(v.value - v.current) > tol) {
          Rec rec;
          rec.type = RecType::Action;
          rec.action = ActionKind::Quantity;
          rec.lever = v.name;
          rec.from = v.current;
          rec.to = v.value;
          rec.unit = unit;
          rec.effect = v.cost * (v.value - v.current);
          rec.analysis = evidence;
          rec.figures["current"] = v.current;
          rec.figures["optimal"] = v.value;
          rec.text = fmt::format("{} {} from {} to {} {}: {} {} of {}.", v.value > v.current ? "Raise" : "Lower", v.name, num(v.current),
                                 num(v.value), unit, signedNum(*rec.effect), sol.unit, sol.objectiveText);
          add(rec);
        }
      }
    } else {
      r.notes.push_back(fmt::format("optimize {} is {}: its levers are measured one by one instead", O->name, sol.status));
      std::fill(handled.begin(), handled.end(), false);
    }
    // non-programmed: the goal cannot hold within the optimize's levers and constraints
    if (withGoal.status == "infeasible" && !r.met) {
      r.reachable = false;
      bool named = false;
      for (auto& c : withGoal.conflict) {
        if (c.row == G.name) continue;
        named = true;
        Rec rec;
        rec.type = RecType::Decision;
        rec.cls = DecisionClass::NonProgrammed;
        rec.constraint = c.row;
        rec.by = c.move;
        rec.unit = constraintUnit(c.row, O);
        // what changing the model adds beyond the levers' best: the rest of the gap
        if (r.reach) rec.effect = std::fabs(rhs0 - *r.reach);
        rec.analysis = evidence + " with the goal as a constraint";
        if (c.move) rec.figures["move"] = *c.move;
        if (c.to) rec.figures["to"] = *c.to;
        if (r.reach) rec.figures["reach"] = *r.reach;
        rec.figures["target"] = rhs0;
        std::string reach = r.reach ? fmt::format("the levers reach at most {} {} against a target of {}", num(*r.reach), r.unit, num(rhs0))
                                    : fmt::format("no setting of the levers meets {}", r.goalText);
        rec.text = c.move ? fmt::format("Goal {} is out of reach within the model: {}; constraint {} blocks it by {} {} (it would have to be {}). "
                                        "Change the business model (more of that resource, a new channel or price point), or the goal.",
                                        G.name, reach, c.row, num(std::fabs(*c.move)), rec.unit, num(*c.to))
                          : fmt::format("Goal {} is out of reach within the model: {}; constraint {} is part of the conflict, and moving it "
                                        "alone does not reach the goal. Change the business model, or the goal.",
                                        G.name, reach, c.row);
        add(rec);
      }
      if (!named) {  // the goal conflicts with the levers' own bounds
        Rec rec;
        rec.type = RecType::Decision;
        rec.cls = DecisionClass::NonProgrammed;
        if (r.reach) rec.effect = std::fabs(rhs0 - *r.reach);
        rec.analysis = evidence + " with the goal as a constraint";
        rec.figures["target"] = rhs0;
        if (r.reach) rec.figures["reach"] = *r.reach;
        rec.text = fmt::format("Goal {} is out of reach within the model: the levers' bounds in `vary` do not allow it{}. Widen what the "
                               "levers can do (a new channel, a price point), or change the goal.",
                               G.name, r.reach ? fmt::format(" (at most {} {} against {})", num(*r.reach), r.unit, num(rhs0)) : "");
        add(rec);
      }
    }
  }

  // ---- the other levers, one by one: seek, remove, focus
  std::vector<double> limitX = cur;  // every lever at the most it can do within the constraints
  std::optional<size_t> bestAlone;   // the lever that meets the goal alone with the smallest change, if any
  const SeekResult* blocking = nullptr;
  std::vector<SeekResult> seeks(K);
  std::optional<size_t> focus;
  for (size_t k = 0; k < K; ++k) {
    if (handled[k] || !std::isfinite(cur[k])) continue;
    RecommendResult::Lever& L = r.levers[k];
    if (gain[k] == 0) {
      std::string why;
      for (auto& R : m.relations)
        if (R.from == refs[k] && R.kind == RelKind::Causal)
          why = fmt::format(" (its influence on {} is a declared causal relation, which the formulas do not carry)", refName(m, R.to));
      r.notes.push_back(fmt::format("lever '{}' does not move {} through the model's formulas{}", L.name, exprText(m, G.cmp.lhs), why));
      continue;
    }
    if (gain[k] < 0) {
      // via negativa: more of it widens the gap
      std::vector<double> x = cur;
      x[k] = 0;
      gapAt(x);
      Rec rec;
      rec.type = RecType::Decision;
      rec.cls = DecisionClass::Programmed;
      rec.move = Move::Remove;
      rec.lever = L.name;
      rec.from = cur[k];
      rec.to = 0.0;
      rec.unit = L.unit;
      rec.effect = gf.lhs() - lhs0;
      rec.analysis = "marginal effect";
      rec.figures[L.perUnit ? "per_unit" : "per_percent"] = L.perPercent;
      rec.figures["current"] = cur[k];
      std::string causal;
      for (auto& R : m.relations)
        if (R.from == refs[k] && R.kind == RelKind::Causal)
          causal = fmt::format(" Its declared influence on {} is a causal relation the formulas do not carry: if it is real, model it with a "
                               "formula before acting on this.",
                               refName(m, R.to));
      rec.text = fmt::format("Cut {} (via negativa): every +1% of it ({} {}) changes {} by {} {}; stopping it would change it by {} {}.{}",
                             L.name, num(cur[k] * 0.01), L.unit, exprText(m, G.cmp.lhs), signedNum(L.perPercent), r.unit,
                             signedNum(*rec.effect), r.unit, causal);
      add(rec);
      limitX[k] = 0;
      continue;
    }
    if (!focus || gain[k] > gain[*focus]) focus = k;
    if (r.met) continue;
    SeekStmt ss;
    ss.goal = s.goal;
    ss.varying = {refs[k]};
    ss.at = D;
    seeks[k] = seek(ctx, ss);
    const SeekResult& sk = seeks[k];
    if (!sk.solved || sk.variables.empty()) continue;
    const double req = sk.variables[0].required;
    L.required = req;
    L.feasible = sk.feasible;
    if (sk.feasible) {
      limitX[k] = req;
      if (!bestAlone || std::fabs(sk.variables[0].relative) < std::fabs(seeks[*bestAlone].variables[0].relative)) bestAlone = k;
      continue;
    }
    // the most it can move before a constraint breaks (bisection between now and the required value)
    double lo = 0, hi = 1;
    std::vector<double> x = cur;
    gapAt(x);
    if (!gf.violations().empty()) {
      r.notes.push_back(fmt::format("a constraint already breaks at {} with the levers as they are", formatPeriod(D)));
    } else {
      for (int it = 0; it < 60; ++it) {
        double mid = (lo + hi) / 2;
        x[k] = cur[k] + mid * (req - cur[k]);
        gapAt(x);
        (gf.violations().empty() ? lo : hi) = mid;
      }
      L.limit = cur[k] + lo * (req - cur[k]);
      limitX[k] = *L.limit;
    }
    if (!blocking || std::fabs(sk.variables[0].relative) < std::fabs(blocking->variables[0].relative)) blocking = &sk;
  }
  if (focus && !r.bottleneck) {
    RecommendResult::Bottleneck b;
    b.lever = r.levers[*focus].name;
    b.perUnit = r.levers[*focus].perPercent;
    b.basis = r.levers[*focus].perUnit ? fmt::format("{} per unit of {}", r.unit, b.lever) : fmt::format("{} per +1% of {}", r.unit, b.lever);
    r.bottleneck = b;
    Rec rec;
    rec.type = RecType::Decision;
    rec.cls = DecisionClass::Programmed;
    rec.move = Move::Focus;
    rec.lever = b.lever;
    rec.effect = r.levers[*focus].perPercent;
    rec.analysis = "marginal effect";
    rec.figures[r.levers[*focus].perUnit ? "per_unit" : "per_percent"] = b.perUnit;
    std::string others;
    for (size_t k = 0; k < K; ++k)
      if (k != *focus && !handled[k] && gain[k] > 0) others += fmt::format("{}{} {}", others.empty() ? "" : ", ", r.levers[k].name, signedNum(r.levers[k].perPercent));
    rec.text = fmt::format("Focus on {}: {} of it moves {} by {} {}, the most of any lever{}.", b.lever,
                           r.levers[*focus].perUnit ? "one unit" : "+1%", exprText(m, G.cmp.lhs), signedNum(b.perUnit), r.unit,
                           others.empty() ? "" : fmt::format(" ({})", others));
    add(rec);
  }
  // quantity actions from seek: the lever that meets the goal alone with the smallest change, or each to its limit
  if (!r.met) {
    for (size_t k = 0; k < K; ++k) {
      if (handled[k] || gain[k] <= 0 || !r.levers[k].required) continue;
      const auto& L = r.levers[k];
      const auto& sv = seeks[k].variables[0];
      // one lever meets the goal alone: the one with the smallest change; else every lever to its limit (the joint plan)
      if (bestAlone ? bestAlone != k : L.feasible) continue;
      double to = L.feasible ? *L.required : L.limit.value_or(L.current);
      if (to == L.current) continue;
      std::vector<double> x = cur;
      x[k] = to;
      gapAt(x);
      Rec rec;
      rec.type = RecType::Action;
      rec.action = ActionKind::Quantity;
      rec.lever = L.name;
      rec.from = L.current;
      rec.to = to;
      rec.unit = L.unit;
      rec.effect = gf.lhs() - lhs0;
      rec.analysis = "seek";
      rec.figures["required"] = *L.required;
      rec.figures["relative"] = sv.relative;
      if (sv.highest) rec.figures["highest"] = *sv.highest;
      if (L.feasible) {
        rec.text = fmt::format("{} {} from {} to {} {} by {} ({}): that meets goal {}.", to > L.current ? "Raise" : "Lower", L.name,
                               num(L.current), num(to), L.unit, formatPeriod(D), percent(sv.relative), G.name);
        if (sv.highest && to > *sv.highest)
          rec.text += fmt::format(" It is more than the highest in the data ({} at {}).", num(*sv.highest), formatPeriod(sv.highestAt));
      } else {
        std::string broken = seeks[k].violated.empty() ? "a constraint" : m.constraints[seeks[k].violated[0].constraint].name;
        rec.text = fmt::format("{} {} from {} to {} {} by {}, as far as {} allows: {} {} of {} (meeting the goal alone would take {}).",
                               to > L.current ? "Raise" : "Lower", L.name, num(L.current), num(to), L.unit, formatPeriod(D), broken,
                               signedNum(*rec.effect), r.unit, exprText(m, G.cmp.lhs), num(*L.required));
      }
      add(rec);
    }
  }
  // non-programmed, without an optimize: no lever alone meets the goal within the constraints, nor
  // all together at their limits (an optimize that met the goal as a row has already answered)
  const bool optimizeMeets = O && withGoal.status == "optimal";
  if (!r.met && !bestAlone && r.reachable && !optimizeMeets) {
    bool anyLever = std::any_of(gain.begin(), gain.end(), [](double g) { return g != 0; });
    double reachGap = gapAt(limitX);
    if (anyLever) r.reach = gf.lhs();  // every lever at its limit together
    if (!anyLever || reachGap > 1e-9 * scale) {
      r.reachable = false;
      Rec rec;
      rec.type = RecType::Decision;
      rec.cls = DecisionClass::NonProgrammed;
      rec.analysis = anyLever ? "seek" : "levers";
      rec.figures["target"] = rhs0;
      if (r.reach) {
        rec.figures["reach"] = *r.reach;
        rec.effect = std::fabs(rhs0 - *r.reach);
      }
      std::string reach = r.reach ? fmt::format("with every lever at its limit {} reaches {} {} against {}", exprText(m, G.cmp.lhs),
                                                num(*r.reach), r.unit, num(rhs0))
                                  : "no lever of the model moves it";
      if (blocking && !blocking->violated.empty()) {
        const auto& v = blocking->violated[0];
        rec.constraint = m.constraints[v.constraint].name;
        rec.by = v.by;
        rec.unit = constraintUnit(rec.constraint, nullptr);
        rec.lever = refName(m, blocking->variables[0].ref);
        rec.figures["required"] = blocking->variables[0].required;
        rec.figures["limit"] = v.limit;
        rec.text = fmt::format("Goal {} is out of reach within the model: {}. {} alone would have to be {} {}, which breaks {} by {} {} "
                               "(limit {}). Change the business model (more capacity, a new channel or price point), or the goal.",
                               G.name, reach, rec.lever, num(blocking->variables[0].required), unitOf(blocking->variables[0].ref),
                               rec.constraint, num(v.by), rec.unit, num(v.limit));
      } else {
        rec.text = fmt::format("Goal {} is out of reach within the model: {}. Add a lever (a new channel, a price point, a value layer) "
                               "or change the goal.",
                               G.name, reach);
      }
      add(rec);
    }
  }

  // ---- quality: every benchmarked metric (or param) pushed to the next level up
  std::vector<bool> onTree = rt::needed(m, G.metrics);
  const int64_t judged = histEnd > 0 ? histEnd - 1 : idx;  // the last period with data, else the date
  const rt::Values& judgedValues = histEnd > 0 ? ctx.values : gf.base();
  std::optional<double> worst;
  // params the goal reads: on its sides, or in the formulas of the metrics it reads
  std::vector<bool> paramOnTree(m.params.size(), false);
  {
    std::vector<Id> ms, ps;
    collectRefs(m, G.cmp.lhs, &ms, &ps);
    collectRefs(m, G.cmp.rhs, &ms, &ps);
    for (Id p : ps) paramOnTree[p] = true;
    for (Id id = 0; id < m.metrics.size() && id < onTree.size(); ++id)
      if (onTree[id])
        for (Id p : m.metrics[id].paramDeps) paramOnTree[p] = true;
  }
  for (const Benchmark& B : m.benchmarks) {
    if (B.levels.empty()) continue;
    const bool isMetric = B.target.kind == Ref::Kind::Metric;
    const std::string name = refName(m, B.target);
    const std::string unit = m.units.format(isMetric ? m.metrics[B.target.id].unit : m.params[B.target.id].unit);
    const bool lower = isMetric && m.metrics[B.target.id].direction == Direction::LowerIsBetter;
    double v = rt::kMissing;
    if (isMetric) {
      v = judgedValues.at(B.target.id, judged);
    } else if (!m.params[B.target.id].values.empty()) {
      const auto& pv = m.params[B.target.id].values;
      v = std::accumulate(pv.begin(), pv.end(), 0.0) / static_cast<double>(pv.size());
    }
    if (!std::isfinite(v)) {
      r.notes.push_back(fmt::format("benchmark on '{}': no value at {}", name, formatPeriod(data.at(judged))));
      continue;
    }
    const bool feeds = isMetric ? B.target.id < onTree.size() && onTree[B.target.id] : paramOnTree[B.target.id];
    Standing st = standing(B, v, lower);
    if (st.par && *st.par != 0) {
      double ratio = lower ? *st.par / v : v / *st.par;
      if (!worst || ratio < *worst) {
        worst = ratio;
        if (!r.bottleneck) r.bottleneck = RecommendResult::Bottleneck{};
        Id stage = isMetric ? m.metrics[B.target.id].stage : kNone;
        r.bottleneck->stage = stage != kNone ? fmt::format("{} ({})", name, m.stages[stage].name) : name;
        r.bottleneck->stageRatio = ratio;
      }
    }
    Rec rec;
    rec.type = RecType::Action;
    rec.action = ActionKind::Quality;
    rec.level = st.next;
    rec.lever = name;
    rec.from = v;
    rec.to = st.nextValue;
    rec.unit = unit;
    rec.analysis = "benchmark";
    rec.figures["value"] = v;
    for (auto& [lvl, x] : B.levels) rec.figures[levelName(lvl)] = x;
    std::string effectText;
    if (st.nextValue && feeds) {
      GoalFunction q(ctx, {B.target}, G, histEnd, idx, pr, targets, 2);
      q.gap({*st.nextValue});
      rec.effect = q.lhs() - lhs0;
      effectText = fmt::format(": {} {} of {}", signedNum(*rec.effect), r.unit, exprText(m, G.cmp.lhs));
    } else if (st.nextValue) {
      effectText = fmt::format(" ({} does not feed {} through the model's formulas: the effect is not modelled)", name, exprText(m, G.cmp.lhs));
    }
    std::string now = st.reached ? fmt::format("{} ({} at {})", levelName(*st.reached), num(v), formatPeriod(data.at(judged)))
                                 : fmt::format("below every level ({} at {})", num(v), formatPeriod(data.at(judged)));
    rec.text = st.nextValue ? fmt::format("Take {} from {} to {}: {} {}{}.", name, now, levelWords(st.next), num(*st.nextValue), rec.unit,
                                          effectText)
                            : fmt::format("{} is at the best level or beyond ({} at {}): run an experiment (an A/B test) to find what beats it.",
                                          name, num(v), formatPeriod(data.at(judged)));
    add(rec);
  }

  // rank: what blocks the goal, what to prioritise, what to do (by effect), what to stop
  std::stable_sort(r.recommendations.begin(), r.recommendations.end(), [](const Rec& a, const Rec& b) {
    int ta = tier(a), tb = tier(b);
    if (ta != tb) return ta < tb;
    double ea = a.effect ? std::fabs(*a.effect) : -1, eb = b.effect ? std::fabs(*b.effect) : -1;
    return ea > eb;
  });
  if (s.top && r.recommendations.size() > static_cast<size_t>(*s.top)) r.recommendations.resize(static_cast<size_t>(*s.top));
  for (size_t i = 0; i < r.recommendations.size(); ++i) r.recommendations[i].rank = static_cast<int>(i + 1);
  return r;
}

}  // namespace mtc::eng
