// One expression evaluated over duals (value, tangent), as the reference
// interpreter evaluates it over values (interp.cpp: the same cases, the same
// order of operations). The reader supplies the cells:
//
//   struct Reader {
//     Dual metric(ir::Id id, size_t slice, bool total, int64_t t);  // 0 <= t < T
//     Dual param(ir::Id id, size_t slice, bool total, int64_t t);
//     int64_t yearStart(int64_t t);  // Timeline::yearStart
//     int64_t lastYear(int64_t t);   // Timeline::sameLastYear
//   };
//
// The interpreter's tangentInto reads its call's values and tangents; the
// optimize engine reads a finished evaluation (the sides of its objective and rows).
#pragma once

#include <cstdint>
#include <vector>

#include "mtc/dual.h"
#include "mtc/ir.h"

namespace mtc::rt {

template <typename Reader>
struct DualExpr {
  const ir::Model& m;
  Reader& r;
  std::vector<uint32_t>& coord;  // per dimension: the current value index
  int64_t T;

  size_t flat(const std::vector<ir::Id>& dims) const {
    return m.sliceIndex(dims, [&](ir::Id d) { return coord[d]; });
  }
  void setCoords(const std::vector<ir::Id>& dims, size_t slice) const {
    for (size_t k = dims.size(); k-- > 0;) {
      size_t vn = m.dims[dims[k]].values.size();
      coord[dims[k]] = static_cast<uint32_t>(slice % vn);
      slice /= vn;
    }
  }
  template <typename F>
  Dual keeping(const std::vector<ir::Id>& dims, F&& f) const {
    std::vector<uint32_t> saved;
    for (ir::Id d : dims) saved.push_back(coord[d]);
    Dual v = f();
    for (size_t k = 0; k < dims.size(); ++k) coord[dims[k]] = saved[k];
    return v;
  }

  Dual eval(ir::ExprId id, int64_t t, bool total) {
    using ir::Op;
    const ir::Expr& e = m.exprs[id];
    auto a = [&](size_t i) { return eval(e.args[i], t, total); };
    auto at = [&](size_t i, int64_t tt) { return tt < 0 || tt >= T ? dual::missing() : eval(e.args[i], tt, total); };
    switch (e.op) {
      case Op::Const: return {e.value, 0.0};
      case Op::Param: return r.param(e.ref, total ? 0 : flat(m.params[e.ref].dims), total, t);
      case Op::Metric: return r.metric(e.ref, total ? 0 : flat(m.metrics[e.ref].dims), total, t);
      case Op::Neg: return dual::neg(a(0));
      case Op::Not: return dual::flat(ops::bnot(a(0).v));
      case Op::Add: return dual::add(a(0), a(1));
      case Op::Sub: return dual::sub(a(0), a(1));
      case Op::Mul: return dual::mul(a(0), a(1));
      case Op::Div: return dual::div(a(0), a(1));
      case Op::Pow: return dual::pow(a(0), a(1));
      case Op::Lt: return dual::flat(ops::lt(a(0).v, a(1).v));
      case Op::Le: return dual::flat(ops::le(a(0).v, a(1).v));
      case Op::Gt: return dual::flat(ops::lt(a(1).v, a(0).v));
      case Op::Ge: return dual::flat(ops::le(a(1).v, a(0).v));
      case Op::Eq: return dual::flat(ops::eq(a(0).v, a(1).v));
      case Op::Ne: return dual::flat(ops::bnot(ops::eq(a(0).v, a(1).v)));
      case Op::And: return dual::flat(ops::band(a(0).v, a(1).v));
      case Op::Or: return dual::flat(ops::bor(a(0).v, a(1).v));
      case Op::If: {
        Dual c = a(0);
        if (std::isnan(c.v)) return dual::missing();
        return c.v != 0 ? a(1) : a(2);
      }
      case Op::Min: case Op::Max: {
        Dual v = a(0);
        for (size_t i = 1; i < e.args.size(); ++i) v = e.op == Op::Min ? dual::min(v, a(i)) : dual::max(v, a(i));
        return v;
      }
      case Op::Abs: return dual::abs(a(0));
      case Op::Log: return dual::log(a(0));
      case Op::Exp: return dual::exp(a(0));
      case Op::Sqrt: return dual::sqrt(a(0));
      case Op::Clamp: return dual::clamp(a(0), a(1), a(2));
      case Op::Lag:
        if (e.args.size() > 1 && t - e.n < 0) return a(1);
        return at(0, t - e.n);
      case Op::Delta: return dual::sub(a(0), at(0, t - 1));
      case Op::PctChange: return dual::sub(dual::div(a(0), at(0, t - 1)), Dual{1.0, 0.0});
      case Op::Cumsum: {
        Dual s{0, 0};
        for (int64_t k = 0; k <= t; ++k) s = dual::add(s, at(0, k));
        return s;
      }
      case Op::RollingSum: case Op::RollingMean: {
        if (t - e.n + 1 < 0) return dual::missing();
        Dual s{0, 0};
        for (int64_t k = t - e.n + 1; k <= t; ++k) s = dual::add(s, at(0, k));
        return e.op == Op::RollingSum ? s : dual::fdiv(s, Dual{static_cast<double>(e.n), 0.0});
      }
      case Op::Ytd: {
        int64_t start = r.yearStart(t);
        if (start < 0) return dual::missing();
        Dual s{0, 0};
        for (int64_t k = start; k <= t; ++k) s = dual::add(s, at(0, k));
        return s;
      }
      case Op::Yoy: return dual::sub(dual::div(a(0), at(0, r.lastYear(t))), Dual{1.0, 0.0});
      case Op::SumOver: case Op::MeanOver: case Op::MinOver: case Op::MaxOver: {
        ir::Agg ag = e.op == Op::SumOver    ? ir::Agg::Sum
                     : e.op == Op::MeanOver ? ir::Agg::Mean
                     : e.op == Op::MinOver  ? ir::Agg::Min
                                            : ir::Agg::Max;
        size_t n = m.sliceCount(e.over);
        if (total) {  // the argument is already a grand total
          Dual v = a(0);
          return ag == ir::Agg::Mean ? dual::fdiv(v, Dual{static_cast<double>(n), 0.0}) : v;
        }
        return keeping(e.over, [&] {
          Dual acc{ops::aggInit(ag), 0.0};
          for (size_t i = 0; i < n; ++i) {
            setCoords(e.over, i);
            acc = dual::aggStep(ag, acc, a(0));
          }
          return dual::aggDone(ag, acc, n);
        });
      }
      case Op::Share: {
        Dual x = a(0);
        Dual s = keeping(e.over, [&] {
          Dual sum{0, 0};
          size_t n = m.sliceCount(e.over);
          for (size_t i = 0; i < n; ++i) {
            setCoords(e.over, i);
            sum = dual::add(sum, a(0));
          }
          return sum;
        });
        return dual::div(x, s);
      }
      case Op::Hill: return dual::hill(a(0), a(1), a(2));
      case Op::Saturate: return dual::saturate(a(0), a(1), a(2));
      case Op::Adstock: {
        Dual decay = a(1), y{0, 0};
        for (int64_t k = 0; k <= t; ++k) y = dual::add(at(0, k), dual::mul(decay, y));
        return y;
      }
      case Op::Select: {
        std::vector<ir::Id> dims;
        for (auto& [d, v] : e.select) dims.push_back(d);
        return keeping(dims, [&] {
          for (auto& [d, v] : e.select) coord[d] = v;
          return a(0);
        });
      }
    }
    return dual::missing();
  }
};

}  // namespace mtc::rt
