// The reference interpreter: evaluates one (slice, period) cell at a time by
// walking the expression tree. Slow and obviously right; the JIT must agree
// with it. The semantics of every operator are defined here (and in ops.h, which
// the JIT shares): missing values (NaN) propagate through everything, division
// by zero is missing, time operators reaching before the first period are missing.
#include <algorithm>
#include <cmath>

#include "mtc/runtime.h"
#include "mtc/ops.h"

namespace mtc::rt {

using namespace ir;

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
    default: break;
  }
  for (ExprId a : e.args)
    if (!recomputable(m, a)) return false;
  return true;
}

bool totalRecomputed(const Model& m, Id metric) {
  const Metric& M = m.metrics[metric];
  return M.formula && !M.aggDeclared && !M.dims.empty() && recomputable(m, *M.formula);
}

namespace {

class Interpreter final : public Evaluator {
 public:
  Interpreter(const Model& m, const Data& d, const EvalOptions& o) : m_(m), d_(d), need_(needed(m, o.only)) {
    for (Id id = 0; id < m.metrics.size(); ++id) recomputed_.push_back(totalRecomputed(m, id));
  }

  const EvalStats& stats() const override { return stats_; }

  void evaluateInto(const Scenario& sc, Values& out) const override {
    out.metrics.resize(m_.metrics.size());
    out.totals.resize(m_.metrics.size());
    Run r{*this, sc, out, {}, {}};
    r.params.resize(m_.params.size());
    for (Id p = 0; p < m_.params.size(); ++p) r.params[p] = &m_.params[p].values;
    for (auto& [p, v] : sc.params) r.params[p] = &v;
    r.inputs.assign(m_.metrics.size(), nullptr);
    for (auto& [mi, s] : sc.inputs) r.inputs[mi] = &s;
    const size_t T = static_cast<size_t>(d_.time.count);
    for (Id id : m_.topoOrder) {
      if (!need_[id]) continue;
      const Metric& M = m_.metrics[id];
      Series& s = out.metrics[id];
      s.slices = std::max<size_t>(1, m_.sliceCount(M.dims));
      s.periods = T;
      if (r.inputs[id]) {
        s = *r.inputs[id];
      } else if (M.formula) {
        s.v.resize(s.slices * T);
        std::vector<uint32_t> coord(m_.dims.size(), 0);
        for (size_t sl = 0; sl < s.slices; ++sl) {
          auto c = m_.sliceCoords(M.dims, sl);
          for (size_t k = 0; k < M.dims.size(); ++k) coord[M.dims[k]] = c[k];
          for (size_t t = 0; t < T; ++t) s.v[sl * T + t] = r.eval(*M.formula, coord, static_cast<int64_t>(t), false);
        }
      } else if (d_.hasData[id]) {
        s = d_.inputs[id];
      } else {
        s.v.assign(s.slices * T, kMissing);
      }
      // the total over slices
      Series& tot = out.totals[id];
      tot.slices = 1;
      tot.periods = T;
      tot.v.assign(T, kMissing);
      if (recomputed_[id]) {
        std::vector<uint32_t> coord(m_.dims.size(), 0);
        for (size_t t = 0; t < T; ++t) tot.v[t] = r.eval(*M.formula, coord, static_cast<int64_t>(t), true);
      } else {
        for (size_t t = 0; t < T; ++t) {
          Agg a = ops::acrossSlices(M.agg);
          double acc = ops::aggInit(a);
          for (size_t sl = 0; sl < s.slices; ++sl) acc = ops::aggStep(a, acc, s.v[sl * T + t]);
          tot.v[t] = ops::aggDone(a, acc, s.slices);
        }
      }
    }
  }

 private:
  const Model& m_;
  const Data& d_;
  std::vector<bool> need_;
  std::vector<bool> recomputed_;  // totalRecomputed, per metric: computed once, not per evaluation
  EvalStats stats_;

  struct Run {
    const Interpreter& I;
    const Scenario& sc;
    Values& out;
    std::vector<const std::vector<double>*> params;
    std::vector<const Series*> inputs;

    size_t flat(const std::vector<Id>& dims, const std::vector<uint32_t>& coord) const {
      return I.m_.sliceIndex(dims, [&](Id d) { return coord[d]; });
    }

    // Calls f for every combination of values of `dims`, with coord set.
    template <typename F>
    void each(const std::vector<Id>& dims, std::vector<uint32_t>& coord, F&& f) const {
      size_t n = I.m_.sliceCount(dims);
      for (size_t i = 0; i < n; ++i) {
        size_t r = i;
        for (size_t k = dims.size(); k-- > 0;) {
          size_t vn = I.m_.dims[dims[k]].values.size();
          coord[dims[k]] = static_cast<uint32_t>(r % vn);
          r /= vn;
        }
        f();
      }
    }

    double eval(ExprId id, std::vector<uint32_t>& coord, int64_t t, bool total) const {
      const Expr& e = I.m_.exprs[id];
      auto a = [&](size_t i) { return eval(e.args[i], coord, t, total); };
      auto at = [&](size_t i, int64_t tt) {
        return tt < 0 || tt >= I.d_.time.count ? kMissing : eval(e.args[i], coord, tt, total);
      };
      switch (e.op) {
        case Op::Const: return e.value;
        case Op::Param: {
          const auto& v = *params[e.ref];
          return v.empty() ? kMissing : v[total ? 0 : flat(I.m_.params[e.ref].dims, coord)];
        }
        case Op::Metric: {
          const Series& s = total ? out.totals[e.ref] : out.metrics[e.ref];
          size_t sl = total ? 0 : flat(I.m_.metrics[e.ref].dims, coord);
          return s.v[sl * s.periods + static_cast<size_t>(t)];
        }
        case Op::Neg: return -a(0);
        case Op::Not: return ops::bnot(a(0));
        case Op::Add: return a(0) + a(1);
        case Op::Sub: return a(0) - a(1);
        case Op::Mul: return a(0) * a(1);
        case Op::Div: return ops::div(a(0), a(1));
        case Op::Pow: return ops::pow(a(0), a(1));
        case Op::Lt: return ops::lt(a(0), a(1));
        case Op::Le: return ops::le(a(0), a(1));
        case Op::Gt: return ops::lt(a(1), a(0));
        case Op::Ge: return ops::le(a(1), a(0));
        case Op::Eq: return ops::eq(a(0), a(1));
        case Op::Ne: return ops::bnot(ops::eq(a(0), a(1)));
        case Op::And: return ops::band(a(0), a(1));
        case Op::Or: return ops::bor(a(0), a(1));
        case Op::If: {
          double c = a(0);
          if (std::isnan(c)) return kMissing;
          return c != 0 ? a(1) : a(2);
        }
        case Op::Min: case Op::Max: {
          double v = a(0);
          for (size_t i = 1; i < e.args.size(); ++i) v = e.op == Op::Min ? ops::min(v, a(i)) : ops::max(v, a(i));
          return v;
        }
        case Op::Abs: return std::fabs(a(0));
        case Op::Log: return ops::log(a(0));
        case Op::Exp: return std::exp(a(0));
        case Op::Sqrt: return ops::sqrt(a(0));
        case Op::Clamp: return ops::clamp(a(0), a(1), a(2));
        case Op::Lag: return at(0, t - e.n);
        case Op::Delta: return a(0) - at(0, t - 1);
        case Op::PctChange: return ops::div(a(0), at(0, t - 1)) - 1.0;
        case Op::Cumsum: {
          double s = 0;
          for (int64_t k = 0; k <= t; ++k) s += at(0, k);
          return s;
        }
        case Op::RollingSum: case Op::RollingMean: {
          if (t - e.n + 1 < 0) return kMissing;
          double s = 0;
          for (int64_t k = t - e.n + 1; k <= t; ++k) s += at(0, k);
          return e.op == Op::RollingSum ? s : s / static_cast<double>(e.n);
        }
        case Op::Ytd: {
          int64_t start = I.d_.time.yearStart(t);
          if (start < 0) return kMissing;
          double s = 0;
          for (int64_t k = start; k <= t; ++k) s += at(0, k);
          return s;
        }
        case Op::Yoy: return ops::div(a(0), at(0, I.d_.time.sameLastYear(t))) - 1.0;
        case Op::SumOver: case Op::MeanOver: case Op::MinOver: case Op::MaxOver: {
          Agg ag = e.op == Op::SumOver ? Agg::Sum : e.op == Op::MeanOver ? Agg::Mean : e.op == Op::MinOver ? Agg::Min : Agg::Max;
          size_t n = I.m_.sliceCount(e.over);
          if (total) {  // the argument is already a grand total
            double v = a(0);
            return ag == Agg::Mean ? v / static_cast<double>(n) : v;
          }
          std::vector<uint32_t> saved = coord;
          double acc = ops::aggInit(ag);
          each(e.over, coord, [&] { acc = ops::aggStep(ag, acc, a(0)); });
          coord = saved;
          return ops::aggDone(ag, acc, n);
        }
        case Op::Share: {
          double x = a(0);
          std::vector<uint32_t> saved = coord;
          double s = 0;
          each(e.over, coord, [&] { s += a(0); });
          coord = saved;
          return ops::div(x, s);
        }
        case Op::Hill: return ops::hill(a(0), a(1), a(2));
        case Op::Saturate: return ops::saturate(a(0), a(1), a(2));
        case Op::Adstock: {
          double decay = a(1), y = 0;
          for (int64_t k = 0; k <= t; ++k) y = at(0, k) + decay * y;
          return y;
        }
        case Op::Select: {
          std::vector<uint32_t> saved = coord;
          for (auto& [d, v] : e.select) coord[d] = v;
          double v = a(0);
          coord = saved;
          return v;
        }
      }
      return kMissing;
    }
  };
};

}  // namespace

std::unique_ptr<Evaluator> makeInterpreter(const Model& m, const Data& d, const EvalOptions& o) {
  return std::make_unique<Interpreter>(m, d, o);
}

std::unique_ptr<Evaluator> makeEvaluator(const Model& m, const Data& d, const EvalOptions& o) {
  return o.jit ? makeJit(m, d, o) : makeInterpreter(m, d, o);
}

int64_t Timeline::yearStart(int64_t t) const {
  Period p = at(t);
  int64_t y = yearOf(p);
  // the first period of the model's grain in year y
  Period start = containing(firstWithin(Period{Grain::Year, y}, Grain::Day), grain);
  if (grain == Grain::Week && yearOf(start) != y) start.ord += 1;
  if (grain == Grain::Year) start = p;
  int64_t i = start.ord - first.ord;
  return i < 0 ? -1 : i;
}

int64_t Timeline::sameLastYear(int64_t t) const { return mtc::sameLastYear(at(t)).ord - first.ord; }

}  // namespace mtc::rt
