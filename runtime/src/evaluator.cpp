// What both evaluators share: the Evaluator base (closures, point evaluation),
// one evaluation call (evalcall.h), Values, and the total rule.
#include <algorithm>

#include <fmt/format.h>

#include "evalcall.h"
#include "mtc/dual.h"
#include "mtc/ops.h"

namespace mtc::rt {

using namespace ir;

// ------------------------------------------------------------------ closures and totals

std::vector<bool> needed(const Model& m, const std::vector<Id>& wanted) {
  if (wanted.empty()) return std::vector<bool>(m.metrics.size(), true);
  std::vector<bool> need(m.metrics.size(), false);
  std::vector<Id> stack(wanted.begin(), wanted.end());
  while (!stack.empty()) {
    Id v = stack.back();
    stack.pop_back();
    if (need[v]) continue;
    need[v] = true;
    for (Id w : m.metrics[v].metricDeps) stack.push_back(w);
  }
  return need;
}

static bool recomputable(const Model& m, ExprId id) {
  const Expr& e = m.exprs[id];
  switch (e.op) {
    case Op::Param: if (!m.params[e.ref].dims.empty()) return false; break;
    case Op::Select: case Op::MinOver: case Op::MaxOver: case Op::Share: return false;
    case Op::Const: case Op::Metric: case Op::Neg: case Op::Not: case Op::Add: case Op::Sub: case Op::Mul: case Op::Div:
    case Op::Pow: case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: case Op::Eq: case Op::Ne: case Op::And:
    case Op::Or: case Op::If: case Op::Min: case Op::Max: case Op::Abs: case Op::Log: case Op::Exp: case Op::Sqrt:
    case Op::Clamp: case Op::Lag: case Op::Delta: case Op::PctChange: case Op::Cumsum: case Op::RollingSum:
    case Op::RollingMean: case Op::Ytd:
    case Op::Yoy: case Op::SumOver: case Op::MeanOver: case Op::Hill: case Op::Saturate: case Op::Adstock:
      break;
  }
  for (ExprId a : e.args)
    if (!recomputable(m, a)) return false;
  return true;
}

bool totalRecomputed(const Model& m, Id metric) {
  const Metric& M = m.metrics[metric];
  return M.formula && !M.aggDeclared && !M.dims.empty() && recomputable(m, *M.formula);
}

Evaluator::Evaluator(const Model& m, const EvalOptions& o) : m_(m) {
  std::vector<bool> need = needed(m, o.only);
  need_.assign(need.begin(), need.end());
  for (Id id : m.topoOrder)
    if (need_[id]) order_.push_back(id);
  periodParam_.assign(m.params.size(), 0);
  for (Id p : o.periodParams) {
    if (p >= m.params.size()) throw std::logic_error("EvalOptions::periodParams: no such param");
    periodParam_[p] = 1;
  }
  for (Id id = 0; id < m.metrics.size(); ++id) recomputed_.push_back(totalRecomputed(m, id));
  for (const Param& P : m.params) missingParams_.push_back(std::vector<double>(std::max<size_t>(1, m.sliceCount(P.dims)), kMissing));
  closures_.resize(m.metrics.size());
}

Subset Evaluator::subset(const std::vector<Id>& targets) const {
  for (Id t : targets)
    if (t >= need_.size() || !need_[t])
      throw std::logic_error(fmt::format("evaluator: metric '{}' was not compiled (EvalOptions::only)",
                                         t < m_.metrics.size() ? m_.metrics[t].name : "?"));
  std::vector<bool> need = needed(m_, targets);
  Subset s;
  s.member.assign(need.begin(), need.end());
  for (Id id : order_)
    if (s.member[id]) s.order.push_back(id);
  return s;
}

double Evaluator::point(const Scenario& s, const Cell& c, Values& work) const {
  const Subset* sub;
  {
    std::lock_guard<std::mutex> lock(closuresMutex_);
    if (c.metric >= closures_.size()) throw std::logic_error("point: no such metric");
    if (!closures_[c.metric]) closures_[c.metric] = std::make_unique<Subset>(subset({c.metric}));
    sub = closures_[c.metric].get();
  }
  evaluateInto(s, work, sub);
  return work.at(c.metric, c.period, c.slice);
}

static double nodes(const Model& m, ExprId id) {
  double n = 1;
  for (ExprId a : m.exprs[id].args) n += nodes(m, a);
  return n;
}

static double perPeriod(const Model& m, const EvalOptions& o, bool byNodes) {
  std::vector<bool> need = needed(m, o.only);
  double work = 0;
  for (Id id = 0; id < m.metrics.size(); ++id) {
    const Metric& M = m.metrics[id];
    if (!need[id] || !M.formula) continue;
    work += (byNodes ? nodes(m, *M.formula) : 1.0) * static_cast<double>(std::max<size_t>(1, m.sliceCount(M.dims)));
  }
  return work;
}

static double periodsOf(const Data& d, const EvalOptions& o) {
  return static_cast<double>(std::max<int64_t>(1, o.periods > 0 ? o.periods : d.time.count));
}

double estimatedWork(const Model& m, const Data& d, const EvalOptions& o) { return perPeriod(m, o, true) * periodsOf(d, o); }

double formulaCells(const Model& m, const Data& d, const EvalOptions& o) { return perPeriod(m, o, false) * periodsOf(d, o); }

bool usesJit(const Model& m, const Data& d, const EvalOptions& o) {
  switch (o.jit) {
    case JitMode::Always: return true;
    case JitMode::Never: return false;
    case JitMode::Auto: {
      double work = estimatedWork(m, d, o) * std::max(1.0, o.evaluations);
      if (work < kJitWarmWork) return false;
      if (work >= kJitColdWork) return true;
      return jitPlanSeen(m, o);
    }
  }
  return true;
}

std::unique_ptr<Evaluator> makeEvaluator(const Model& m, const Data& d, const EvalOptions& o) {
  return usesJit(m, d, o) ? makeJit(m, d, o) : makeInterpreter(m, d, o);
}

// ------------------------------------------------------------------ values

Values::Values() : s_(std::make_unique<Storage>()) {}
Values::~Values() = default;
Values::Values(Values&&) noexcept = default;
Values& Values::operator=(Values&&) noexcept = default;

const Timeline& Values::timeline() const { return s_->time; }
bool Values::has(Id metric) const { return metric < s_->metrics.size() && s_->metrics[metric]; }

const Series& Values::metric(Id metric) const {
  static const Series none;
  return has(metric) ? *s_->metrics[metric] : none;
}

const Series& Values::total(Id metric) const {
  static const Series none;
  return metric < s_->totals.size() && s_->totals[metric] ? *s_->totals[metric] : none;
}

double Values::at(Id metric, int64_t t, std::optional<size_t> slice) const {
  const Series& s = slice ? this->metric(metric) : total(metric);
  size_t sl = slice.value_or(0);
  if (t < 0 || static_cast<size_t>(t) >= s.periods || sl >= s.slices) return kMissing;
  return s.at(sl, static_cast<size_t>(t));
}

// ------------------------------------------------------------------ one call

double aggTangentAcrossSlices(Agg agg, const Series& s, const Series& tan, size_t t) {
  Agg a = ops::acrossSlices(agg);
  Dual acc{ops::aggInit(a), 0.0};
  for (size_t sl = 0; sl < s.slices; ++sl) acc = dual::aggStep(a, acc, Dual{s.v[sl * s.periods + t], tan.v[sl * tan.periods + t]});
  return dual::aggDone(a, acc, s.slices).d;
}

double aggAcrossSlices(Agg agg, const Series& s, size_t t) {
  Agg a = ops::acrossSlices(agg);
  double acc = ops::aggInit(a);
  for (size_t sl = 0; sl < s.slices; ++sl) acc = ops::aggStep(a, acc, s.v[sl * s.periods + t]);
  return ops::aggDone(a, acc, s.slices);
}

EvalCall::EvalCall(const Evaluator& e, const Data& data, const Scenario& scenario, Values& out, const Subset* subset)
    : ev(e), m(e.m_), d(data), sc(scenario), st(out.storage()), order(subset ? subset->order : e.order_) {
  st.time = sc.timeline ? *sc.timeline : d.time;
  T = st.time.count;
  const size_t n = m.metrics.size(), np = m.params.size();
  st.metrics.assign(n, nullptr);
  st.totals.assign(n, nullptr);
  st.own.resize(n);
  st.ownTotals.resize(n);
  st.inputOf.assign(n, nullptr);
  st.overridden.assign(n, 0);
  st.settled.assign(n, 0);
  if (st.padded.size() != n || !(st.paddedFor == st.time)) {
    st.padded.resize(n);
    st.paddedValid.assign(n, 0);
    st.paddedFor = st.time;
  }
  checkScenario();
  // params: the scenario's values per slice, else the declared ones
  st.params.resize(np);
  for (Id p = 0; p < np; ++p)
    st.params[p] = m.params[p].values.empty() ? &ev.missingParams_[p] : &m.params[p].values;
  for (auto& [p, v] : sc.params) st.params[p] = &v;
  for (const Override& o : sc.overrides)
    if (o.target.kind == Ref::Kind::Metric) st.overridden[o.target.id] = 1;
  // period params: a row per slice over the timeline, then their overrides
  st.paramRows.resize(np);
  st.paramRowOf.assign(np, nullptr);
  for (Id p = 0; p < np; ++p) {
    if (!ev.periodParam_[p]) continue;
    Series& row = st.paramRows[p];
    const std::vector<double>& vals = *st.params[p];
    row.slices = vals.size();
    row.periods = static_cast<size_t>(T);
    row.v.resize(row.slices * row.periods);
    for (size_t sl = 0; sl < row.slices; ++sl) std::fill_n(row.v.begin() + static_cast<ptrdiff_t>(sl * row.periods), row.periods, vals[sl]);
    applyOverrides(kNone, row);
    st.paramRowOf[p] = &row;
  }
  for (auto& [id, s] : sc.inputs) st.inputOf[id] = &s;
  // the calendar tables of the timeline
  if (!st.tablesValid || !(st.tablesFor == st.time)) {
    st.yearStart.clear();
    st.lastYear.clear();
    for (int64_t t = 0; t < T; ++t) {
      st.yearStart.push_back(st.time.yearStart(t));
      st.lastYear.push_back(st.time.sameLastYear(t));
    }
    st.yearStart.push_back(0);  // never empty
    st.lastYear.push_back(0);
    st.tablesFor = st.time;
    st.tablesValid = true;
  }
}

void EvalCall::checkScenario() const {
  if (T <= 0) throw RunError("scenario: the timeline has no periods");
  if (st.time.grain != d.time.grain && !coarserOrEqual(st.time.grain, d.time.grain))
    throw RunError(fmt::format("scenario: a timeline by {} is finer than the model's grain ({})", grainName(st.time.grain),
                               grainName(d.time.grain)));
  for (auto& [p, v] : sc.params) {
    if (p >= m.params.size()) throw RunError("scenario: no such param");
    size_t want = ev.missingParams_[p].size();
    if (v.size() != want)
      throw RunError(fmt::format("scenario: param '{}' needs {} value{} (one per slice), not {}", m.params[p].name, want,
                                 want == 1 ? "" : "s", v.size()));
  }
  for (auto& [id, s] : sc.inputs) {
    if (id >= m.metrics.size()) throw RunError("scenario: no such metric");
    size_t want = slices(id);
    if (s.slices != want || s.periods != static_cast<size_t>(T) || s.v.size() != want * static_cast<size_t>(T))
      throw RunError(fmt::format("scenario: the series of '{}' must have {} slice{} x {} periods, not {} x {} ({} values)",
                                 m.metrics[id].name, want, want == 1 ? "" : "s", T, s.slices, s.periods, s.v.size()));
  }
  for (const Override& o : sc.overrides) {
    bool param = o.target.kind == Ref::Kind::Param;
    if (param ? o.target.id >= m.params.size() : o.target.id >= m.metrics.size()) throw RunError("override: no such target");
    const std::string& name = param ? m.params[o.target.id].name : m.metrics[o.target.id].name;
    if (param && !ev.periodParam_[o.target.id])
      throw RunError(fmt::format("override: param '{}' was not prepared for overrides by period (EvalOptions::periodParams)", name));
    if (!param && !ev.need_[o.target.id]) throw RunError(fmt::format("override: metric '{}' is not evaluated here", name));
    if (o.from < 0 || o.to < o.from || o.to >= T)
      throw RunError(fmt::format("override of '{}': periods {} to {} are not within the timeline's 0 to {}", name, o.from, o.to, T - 1));
    size_t sl = param ? ev.missingParams_[o.target.id].size() : slices(o.target.id);
    if (o.slice && *o.slice >= sl)
      throw RunError(fmt::format("override of '{}': slice {} does not exist ({} slice{})", name, *o.slice, sl, sl == 1 ? "" : "s"));
    size_t n = static_cast<size_t>(o.to - o.from + 1);
    if (o.values.size() != n && (o.slice || o.values.size() != n * sl))
      throw RunError(fmt::format("override of '{}': {} values for {} period{}{}", name, o.values.size(), n, n == 1 ? "" : "s",
                                 o.slice ? "" : fmt::format(" (or {} periods x {} slices)", n, sl)));
  }
}

// Writes the overrides of `metric` (or, with kNone, of the param whose row `s` is) into s.
void EvalCall::applyOverrides(Id metric, Series& s) const {
  for (const Override& o : sc.overrides) {
    bool mine = metric == kNone ? (o.target.kind == Ref::Kind::Param && &st.paramRows[o.target.id] == &s)
                                : (o.target.kind == Ref::Kind::Metric && o.target.id == metric);
    if (!mine) continue;
    size_t n = static_cast<size_t>(o.to - o.from + 1);
    bool perSlice = !o.slice && o.values.size() == n * s.slices;
    size_t lo = o.slice.value_or(0), hi = o.slice ? *o.slice + 1 : s.slices;
    for (size_t sl = lo; sl < hi; ++sl)
      for (size_t k = 0; k < n; ++k) s.at(sl, static_cast<size_t>(o.from) + k) = o.values[perSlice ? sl * n + k : k];
  }
}

void EvalCall::startTangents(Tangents& t, const Seed& seed) {
  tan = &t;
  const size_t n = m.metrics.size(), np = m.params.size();
  t.metrics.resize(n);
  t.totals.resize(n);
  for (Id id = 0; id < n; ++id) {  // empty: not evaluated by this call
    t.metrics[id].v.clear();
    t.metrics[id].periods = 0;
    t.totals[id].v.clear();
    t.totals[id].periods = 0;
  }
  if (seed.param >= np) throw RunError("tangent: the seed is no param");
  if (seed.slice >= ev.missingParams_[seed.param].size()) throw RunError("tangent: the seed's slice does not exist");
  if (seed.period >= T) throw RunError("tangent: the seed's period is not on the timeline");
  if (seed.period >= 0 && !ev.periodParam_[seed.param])
    throw RunError(fmt::format("tangent: param '{}' was not prepared for overrides by period (EvalOptions::periodParams)",
                               m.params[seed.param].name));
  t.params.resize(np);
  t.paramRows.resize(np);
  for (Id p = 0; p < np; ++p) {
    t.params[p].assign(ev.missingParams_[p].size(), 0.0);
    if (p == seed.param && seed.period < 0) t.params[p][seed.slice] = 1.0;
    if (!ev.periodParam_[p]) continue;
    Series& row = t.paramRows[p];
    row.slices = ev.missingParams_[p].size();
    row.periods = static_cast<size_t>(T);
    row.v.assign(row.slices * row.periods, 0.0);
    if (p != seed.param) continue;
    for (int64_t k = 0; k < T; ++k)
      if (seed.period < 0 || k == seed.period) row.at(seed.slice, static_cast<size_t>(k)) = 1.0;
  }
}

Series& EvalCall::tangentOutput(Id id) {
  Series& s = tan->metrics[id];
  s.slices = slices(id);
  s.periods = static_cast<size_t>(T);
  s.v.resize(s.slices * s.periods);
  return s;
}

Series& EvalCall::tangentTotal(Id id) {
  Series& s = tan->totals[id];
  s.slices = 1;
  s.periods = static_cast<size_t>(T);
  s.v.resize(s.periods);
  return s;
}

bool EvalCall::settleWithoutFormula(Id id) {
  if (tan && (st.inputOf[id] || !m.metrics[id].formula)) {  // data, an input, or missing: no tangent
    Series& z = tangentOutput(id);
    std::fill(z.v.begin(), z.v.end(), 0.0);
  }
  const Metric& M = m.metrics[id];
  Series& own = st.own[id];
  if (const Series* in = st.inputOf[id]) {
    if (!st.overridden[id]) {
      st.metrics[id] = in;
      return true;
    }
    own = *in;
  } else if (M.formula) {
    return false;
  } else if (d.hasData.size() > id && d.hasData[id]) {
    const Series& data = d.inputs[id];
    if (st.time == d.time) {
      if (!st.overridden[id]) {
        st.metrics[id] = &data;  // no copy
        return true;
      }
      own = data;
    } else {
      if (st.time.grain != d.time.grain)
        throw RunError(fmt::format("metric '{}' has data by {}; on a timeline by {} give it as a scenario input", M.name,
                                   grainName(d.time.grain), grainName(st.time.grain)));
      Series& pad = st.padded[id];
      if (!st.paddedValid[id]) {  // the data mapped onto this timeline; missing outside it
        pad.slices = data.slices;
        pad.periods = static_cast<size_t>(T);
        pad.v.resize(pad.slices * pad.periods);
        // periods t of this timeline with t + shift inside the data: [lo, hi); missing elsewhere
        const int64_t shift = st.time.first.ord - d.time.first.ord;
        const int64_t lo = std::clamp<int64_t>(-shift, 0, T), hi = std::clamp<int64_t>(static_cast<int64_t>(data.periods) - shift, lo, T);
        for (size_t sl = 0; sl < pad.slices; ++sl) {
          double* out = pad.v.data() + sl * pad.periods;
          std::fill(out, out + lo, kMissing);
          const double* src = data.v.data() + sl * data.periods;
          if (lo < hi) std::copy(src + lo + shift, src + hi + shift, out + lo);  // (else src may be null)
          std::fill(out + hi, out + T, kMissing);
        }
        st.paddedValid[id] = 1;
      }
      if (!st.overridden[id]) {
        st.metrics[id] = &pad;
        return true;
      }
      own = pad;
    }
  } else {
    own.slices = slices(id);
    own.periods = static_cast<size_t>(T);
    own.v.assign(own.slices * own.periods, kMissing);
  }
  applyOverrides(id, own);
  st.metrics[id] = &own;
  return true;
}

void EvalCall::afterFormula(Id id) {
  if (m.metrics[id].data && d.hasData.size() > id && d.hasData[id]) applyData(id, st.own[id]);
  if (st.overridden[id]) applyOverrides(id, st.own[id]);
  st.metrics[id] = &st.own[id];
  if (tan && ((m.metrics[id].data && d.hasData.size() > id && d.hasData[id]) || st.overridden[id])) {
    // where data or an override sets a cell, its tangent is 0: mark those cells
    // (as applyData and applyOverrides choose them), then clear them
    Series probe = st.own[id];
    std::fill(probe.v.begin(), probe.v.end(), 0.0);
    if (m.metrics[id].data && d.hasData.size() > id && d.hasData[id]) {
      const Series& data = d.inputs[id];
      int64_t shift = st.time.first.ord - d.time.first.ord;
      for (size_t sl = 0; sl < probe.slices; ++sl)
        for (int64_t t = 0; t < T; ++t) {
          int64_t k = t + shift;
          if (k >= 0 && k < static_cast<int64_t>(data.periods)) probe.at(sl, static_cast<size_t>(t)) = 1.0;
        }
    }
    if (st.overridden[id]) {
      for (const Override& o : sc.overrides) {
        if (o.target.kind != Ref::Kind::Metric || o.target.id != id) continue;
        size_t lo = o.slice.value_or(0), hi = o.slice ? *o.slice + 1 : probe.slices;
        for (size_t sl = lo; sl < hi; ++sl)
          for (int64_t t = o.from; t <= o.to; ++t) probe.at(sl, static_cast<size_t>(t)) = 1.0;
      }
    }
    Series& tg = tan->metrics[id];
    for (size_t i = 0; i < tg.v.size() && i < probe.v.size(); ++i)
      if (probe.v[i] != 0) tg.v[i] = 0.0;
  }
}

void EvalCall::applyData(Id id, Series& s) const {
  const Series& data = d.inputs[id];
  if (st.time.grain != d.time.grain)
    throw RunError(fmt::format("metric '{}' has data by {}; on a timeline by {} give it as a scenario input", m.metrics[id].name,
                               grainName(d.time.grain), grainName(st.time.grain)));
  int64_t shift = st.time.first.ord - d.time.first.ord;
  for (size_t sl = 0; sl < s.slices; ++sl)
    for (int64_t t = 0; t < T; ++t) {
      int64_t k = t + shift;
      if (k >= 0 && k < static_cast<int64_t>(data.periods)) s.at(sl, static_cast<size_t>(t)) = data.at(sl, static_cast<size_t>(k));
    }
}

void EvalCall::startMissing(Id id) {
  if (tan) {
    Series& z = tangentOutput(id);
    std::fill(z.v.begin(), z.v.end(), 0.0);
    if (normalTotal(id)) {
      Series& zt = tangentTotal(id);
      std::fill(zt.v.begin(), zt.v.end(), 0.0);
    }
  }
  Series& s = output(id);
  std::fill(s.v.begin(), s.v.end(), kMissing);
  if (normalTotal(id)) {
    Series& tot = outputTotal(id);
    std::fill(tot.v.begin(), tot.v.end(), kMissing);
  }
}

Series& EvalCall::output(Id id) {
  Series& s = st.own[id];
  s.slices = slices(id);
  s.periods = static_cast<size_t>(T);
  s.v.resize(s.slices * s.periods);
  st.metrics[id] = &s;
  return s;
}

Series& EvalCall::outputTotal(Id id) {
  Series& s = st.ownTotals[id];
  s.slices = 1;
  s.periods = static_cast<size_t>(T);
  s.v.resize(s.periods);
  st.totals[id] = &s;
  return s;
}

void EvalCall::afterTotal(Id id) {
  Series& tot = st.ownTotals[id];
  const Series& ser = *st.metrics[id];
  Agg agg = m.metrics[id].agg;
  if (st.inputOf[id]) {  // the scenario gives the metric whole: an input, totalled over its slices
    outputTotal(id);
    for (int64_t t = 0; t < T; ++t) tot.v[static_cast<size_t>(t)] = aggAcrossSlices(agg, ser, static_cast<size_t>(t));
    if (tan) {
      Series& z = tangentTotal(id);
      std::fill(z.v.begin(), z.v.end(), 0.0);
    }
  } else if (st.overridden[id]) {  // overridden periods: totalled over slices, as an input's
    for (const Override& o : sc.overrides)
      if (o.target.kind == Ref::Kind::Metric && o.target.id == id)
        for (int64_t t = o.from; t <= o.to; ++t) {
          tot.v[static_cast<size_t>(t)] = aggAcrossSlices(agg, ser, static_cast<size_t>(t));
          if (tan) tangentTotal(id).v[static_cast<size_t>(t)] = aggTangentAcrossSlices(agg, ser, tan->metrics[id], static_cast<size_t>(t));
        }
  }
  st.totals[id] = &tot;
}

}  // namespace mtc::rt
