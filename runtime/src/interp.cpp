// The reference interpreter: evaluates one (slice, period) cell at a time by
// walking the expression tree. Slow and obviously right; the JIT must agree
// with it. The semantics of every operator are defined here (and in ops.h, which
// the JIT shares): missing values (NaN) propagate through everything, division
// by zero is missing, time operators reaching before the first period are missing.
#include <algorithm>
#include <cmath>

#include "evalcall.h"
#include "mtc/dual_expr.h"
#include "mtc/ops.h"

namespace mtc::rt {

using namespace ir;

namespace {

// Dimensions a reduction or selection sets at once; more than this are saved
// on the heap (models have a handful).
constexpr size_t kInlineDims = 16;
constexpr ExprId kNoExpr = ~ExprId{0};

// Whether an expression divides, or takes a log, a sqrt or a power (what can
// turn present inputs into a missing value).
bool hasDomainOp(const Model& m, ExprId id) {
  const Expr& e = m.exprs[id];
  switch (e.op) {
    case Op::Div: case Op::Pow: case Op::Log: case Op::Sqrt: case Op::PctChange: case Op::Yoy: case Op::Share: case Op::Hill:
      return true;
    default:
      break;
  }
  for (ExprId a : e.args)
    if (hasDomainOp(m, a)) return true;
  return false;
}

// Reads a call's values and tangents for DualExpr.
struct DualReader {
  EvalCall& call;
  Dual metric(Id id, size_t sl, bool total, int64_t t) const {
    const Series& s = total ? *call.st.totals[id] : *call.st.metrics[id];
    const Series& ts = total ? call.tan->totals[id] : call.tan->metrics[id];
    size_t i = sl * s.periods + static_cast<size_t>(t);
    return {s.v[i], ts.v.empty() ? 0.0 : ts.v[sl * ts.periods + static_cast<size_t>(t)]};
  }
  Dual param(Id p, size_t sl, bool /*total*/, int64_t t) const {
    if (const Series* row = call.st.paramRowOf[p]) return {row->at(sl, static_cast<size_t>(t)), call.paramRowTangent(p).at(sl, static_cast<size_t>(t))};
    return {(*call.st.params[p])[sl], call.paramTangent(p)[sl]};
  }
  int64_t yearStart(int64_t t) const { return call.st.yearStart[static_cast<size_t>(t)]; }
  int64_t lastYear(int64_t t) const { return call.st.lastYear[static_cast<size_t>(t)]; }
};

class Interpreter final : public Evaluator {
 public:
  Interpreter(const Model& m, const Data& d, const EvalOptions& o) : Evaluator(m, o), d_(d) {}
  friend std::vector<DomainGap> mtc::rt::domainGaps(const Model&, const Data&, Values&);

  const EvalStats& stats() const override { return stats_; }

  // The same walk over duals (dual_expr.h): each cell's value and its tangent along the seed.
  void tangentInto(const Scenario& sc, const Seed& seed, Values& out, Tangents& tan, const Subset* subset) const override {
    EvalCall call(*this, d_, sc, out, subset);
    call.startTangents(tan, seed);
    Values::Storage& st = call.st;
    st.coord.assign(m_.dims.size(), 0);
    DualReader rd{call};
    DualExpr<DualReader> ex{m_, rd, st.coord, call.T};
    const size_t T = static_cast<size_t>(call.T);
    std::vector<double> tscratch;
    call.run(
        [&](Id id) {
          const Metric& M = m_.metrics[id];
          Series& s = call.output(id);
          Series& ts = call.tangentOutput(id);
          const bool aside = M.group != kNone;
          if (aside) {
            st.scratch.resize(s.v.size());
            tscratch.resize(s.v.size());
          }
          double* into = aside ? st.scratch.data() : s.v.data();
          double* tinto = aside ? tscratch.data() : ts.v.data();
          for (size_t sl = 0; sl < s.slices; ++sl) {
            ex.setCoords(M.dims, sl);
            for (size_t t = 0; t < T; ++t) {
              Dual v = ex.eval(*M.formula, static_cast<int64_t>(t), false);
              into[sl * T + t] = v.v;
              tinto[sl * T + t] = v.d;
            }
          }
          if (aside) {
            std::copy(st.scratch.begin(), st.scratch.begin() + static_cast<std::ptrdiff_t>(s.v.size()), s.v.begin());
            std::copy(tscratch.begin(), tscratch.begin() + static_cast<std::ptrdiff_t>(s.v.size()), ts.v.begin());
          }
        },
        [&](Id id) {
          const Metric& M = m_.metrics[id];
          Series& tot = call.outputTotal(id);
          Series& tt = call.tangentTotal(id);
          if (recomputed_[id]) {
            std::fill(st.coord.begin(), st.coord.end(), 0);
            for (size_t t = 0; t < T; ++t) {
              Dual v = ex.eval(*M.formula, static_cast<int64_t>(t), true);
              tot.v[t] = v.v;
              tt.v[t] = v.d;
            }
          } else {
            const Series& s = *st.metrics[id];
            const Series& ts = tan.metrics[id];
            for (size_t t = 0; t < T; ++t) {
              tot.v[t] = aggAcrossSlices(M.agg, s, t);
              tt.v[t] = aggTangentAcrossSlices(M.agg, s, ts, t);
            }
          }
        });
  }

  void evaluateInto(const Scenario& sc, Values& out, const Subset* subset) const override {
    EvalCall call(*this, d_, sc, out, subset);
    Values::Storage& st = call.st;
    st.coord.assign(m_.dims.size(), 0);
    Run r{*this, call.T, st};
    const size_t T = static_cast<size_t>(call.T);
    call.run(
        [&](Id id) {
          const Metric& M = m_.metrics[id];
          Series& s = call.output(id);
          // a member of a delayed cycle reads its own past as the last sweep left it
          // (data and overrides applied), as the JIT's kernels do: computed aside, then copied
          const bool aside = M.group != kNone;
          if (aside) st.scratch.resize(s.v.size());
          double* into = aside ? st.scratch.data() : s.v.data();
          for (size_t sl = 0; sl < s.slices; ++sl) {
            r.setCoords(M.dims, sl);
            for (size_t t = 0; t < T; ++t) into[sl * T + t] = r.eval(*M.formula, static_cast<int64_t>(t), false);
          }
          if (aside) std::copy(st.scratch.begin(), st.scratch.begin() + static_cast<std::ptrdiff_t>(s.v.size()), s.v.begin());
        },
        [&](Id id) {  // the total over slices
          const Metric& M = m_.metrics[id];
          Series& tot = call.outputTotal(id);
          if (recomputed_[id]) {
            std::fill(st.coord.begin(), st.coord.end(), 0);
            for (size_t t = 0; t < T; ++t) tot.v[t] = r.eval(*M.formula, static_cast<int64_t>(t), true);
          } else {
            const Series& s = *st.metrics[id];
            for (size_t t = 0; t < T; ++t) tot.v[t] = aggAcrossSlices(M.agg, s, t);
          }
        });
  }

 private:
  const Data& d_;
  EvalStats stats_;

  struct Run {
    const Interpreter& I;
    int64_t T;  // the call's periods
    Values::Storage& st;
    // domainGaps(): set to the first division by zero (or log, sqrt, pow out of
    // their domain) met with its operands present; null when evaluating
    ExprId* blame = nullptr;

    // The result of a division, log, sqrt or pow: missing from operands that are not is blamed.
    template <typename... A>
    double domain(ExprId id, double r, A... operands) const {
      if (blame && *blame == kNoExpr && std::isnan(r) && !(std::isnan(operands) || ...)) *blame = id;
      return r;
    }

    size_t flat(const std::vector<Id>& dims) const {
      return I.m_.sliceIndex(dims, [&](Id d) { return st.coord[d]; });
    }

    // The coordinates of slice `slice` of a list of dimensions (row-major, the last fastest).
    void setCoords(const std::vector<Id>& dims, size_t slice) const {
      for (size_t k = dims.size(); k-- > 0;) {
        size_t vn = I.m_.dims[dims[k]].values.size();
        st.coord[dims[k]] = static_cast<uint32_t>(slice % vn);
        slice /= vn;
      }
    }

    // Calls f for every combination of values of `dims`, with the coordinates set.
    template <typename F>
    void each(const std::vector<Id>& dims, F&& f) const {
      size_t n = I.m_.sliceCount(dims);
      for (size_t i = 0; i < n; ++i) {
        setCoords(dims, i);
        f();
      }
    }

    // Saves the coordinates of n dimensions (dimOf(k)) while f changes them.
    template <typename D, typename F>
    double keeping(size_t n, D&& dimOf, F&& f) const {
      uint32_t inlineSaved[kInlineDims];
      std::vector<uint32_t> heapSaved;
      uint32_t* saved = inlineSaved;
      if (n > kInlineDims) {
        heapSaved.resize(n);
        saved = heapSaved.data();
      }
      for (size_t k = 0; k < n; ++k) saved[k] = st.coord[dimOf(k)];
      double v = f();
      for (size_t k = 0; k < n; ++k) st.coord[dimOf(k)] = saved[k];
      return v;
    }

    double eval(ExprId id, int64_t t, bool total) const {
      const Expr& e = I.m_.exprs[id];
      auto a = [&](size_t i) { return eval(e.args[i], t, total); };
      auto at = [&](size_t i, int64_t tt) { return tt < 0 || tt >= T ? kMissing : eval(e.args[i], tt, total); };
      switch (e.op) {
        case Op::Const: return e.value;
        case Op::Param: {
          const Param& P = I.m_.params[e.ref];
          if (const Series* row = st.paramRowOf[e.ref]) return row->at(total ? 0 : flat(P.dims), static_cast<size_t>(t));
          const auto& v = *st.params[e.ref];
          return v[total ? 0 : flat(P.dims)];
        }
        case Op::Metric: {
          const Series& s = total ? *st.totals[e.ref] : *st.metrics[e.ref];
          size_t sl = total ? 0 : flat(I.m_.metrics[e.ref].dims);
          return s.v[sl * s.periods + static_cast<size_t>(t)];
        }
        case Op::Neg: return -a(0);
        case Op::Not: return ops::bnot(a(0));
        case Op::Add: return a(0) + a(1);
        case Op::Sub: return a(0) - a(1);
        case Op::Mul: return a(0) * a(1);
        case Op::Div: {
          double x = a(0), y = a(1);
          return domain(id, ops::div(x, y), x, y);
        }
        case Op::Pow: {
          double x = a(0), y = a(1);
          return domain(id, ops::pow(x, y), x, y);
        }
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
        case Op::Log: {
          double x = a(0);
          return domain(id, ops::log(x), x);
        }
        case Op::Exp: return std::exp(a(0));
        case Op::Sqrt: {
          double x = a(0);
          return domain(id, ops::sqrt(x), x);
        }
        case Op::Clamp: return ops::clamp(a(0), a(1), a(2));
        case Op::Lag:  // with an opening value (args[1]) before the first period
          if (e.args.size() > 1 && t - e.n < 0) return a(1);
          return at(0, t - e.n);
        case Op::Delta: return a(0) - at(0, t - 1);
        case Op::PctChange: {
          double x = a(0), y = at(0, t - 1);
          return domain(id, ops::div(x, y), x, y) - 1.0;
        }
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
          int64_t start = st.yearStart[static_cast<size_t>(t)];
          if (start < 0) return kMissing;
          double s = 0;
          for (int64_t k = start; k <= t; ++k) s += at(0, k);
          return s;
        }
        case Op::Yoy: {
          double x = a(0), y = at(0, st.lastYear[static_cast<size_t>(t)]);
          return domain(id, ops::div(x, y), x, y) - 1.0;
        }
        case Op::SumOver: case Op::MeanOver: case Op::MinOver: case Op::MaxOver: {
          Agg ag = e.op == Op::SumOver ? Agg::Sum : e.op == Op::MeanOver ? Agg::Mean : e.op == Op::MinOver ? Agg::Min : Agg::Max;
          size_t n = I.m_.sliceCount(e.over);
          if (total) {  // the argument is already a grand total
            double v = a(0);
            return ag == Agg::Mean ? v / static_cast<double>(n) : v;
          }
          return keeping(e.over.size(), [&](size_t k) { return e.over[k]; }, [&] {
            double acc = ops::aggInit(ag);
            each(e.over, [&] { acc = ops::aggStep(ag, acc, a(0)); });
            return ops::aggDone(ag, acc, n);
          });
        }
        case Op::Share: {
          double x = a(0);
          double s = keeping(e.over.size(), [&](size_t k) { return e.over[k]; }, [&] {
            double sum = 0;
            each(e.over, [&] { sum += a(0); });
            return sum;
          });
          return domain(id, ops::div(x, s), x, s);
        }
        case Op::Hill: {
          double x = a(0), h = a(1), sh = a(2);
          return domain(id, ops::hill(x, h, sh), x, h, sh);
        }
        case Op::Saturate: return ops::saturate(a(0), a(1), a(2));
        case Op::Adstock: {
          double decay = a(1), y = 0;
          for (int64_t k = 0; k <= t; ++k) y = at(0, k) + decay * y;
          return y;
        }
        case Op::Select: {
          return keeping(e.select.size(), [&](size_t k) { return e.select[k].first; }, [&] {
            for (auto& [d, v] : e.select) st.coord[d] = v;
            return a(0);
          });
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

// Only the missing cells of metrics whose formula divides (or takes a log, a
// sqrt, a power) are looked at again: each is evaluated once more by the
// reference walk, which notes the first such operation that gave a missing
// value from operands that are not missing. The numbers are not touched.
std::vector<DomainGap> domainGaps(const Model& m, const Data& d, Values& v) {
  std::vector<DomainGap> gaps;
  Values::Storage& st = v.storage();
  const int64_t T = st.time.count;
  EvalOptions o;
  o.jit = JitMode::Never;
  Interpreter I(m, d, o);
  st.coord.assign(m.dims.size(), 0);
  Interpreter::Run r{I, T, st};
  for (Id id = 0; id < m.metrics.size(); ++id) {
    const Metric& M = m.metrics[id];
    if (!M.formula || id >= st.metrics.size() || !st.metrics[id] || !hasDomainOp(m, *M.formula)) continue;
    const Series& s = *st.metrics[id];
    if (s.periods != static_cast<size_t>(T)) continue;
    DomainGap g{id};
    for (size_t sl = 0; sl < s.slices; ++sl) {
      bool coords = false;
      for (size_t t = 0; t < s.periods; ++t) {
        if (!std::isnan(s.v[sl * s.periods + t])) continue;
        if (!coords) r.setCoords(M.dims, sl), coords = true;
        ExprId at = kNoExpr;
        r.blame = &at;
        double x = r.eval(*M.formula, static_cast<int64_t>(t), false);
        if (at == kNoExpr || !std::isnan(x)) continue;
        // the first: the earliest period, then the first slice
        if (g.count++ == 0 || static_cast<int64_t>(t) < g.period) g.slice = sl, g.period = static_cast<int64_t>(t), g.expr = at;
      }
    }
    if (g.count) gaps.push_back(g);
  }
  return gaps;
}

}  // namespace mtc::rt
