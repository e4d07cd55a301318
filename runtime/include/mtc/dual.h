// Forward-mode derivatives: a value with its tangent (the derivative along one
// seed direction, d param[slice] = 1), and the derivative rule of every
// operator, on top of ops.h's semantics. Values are computed exactly as ops.h
// computes them (so a dual evaluation's values equal a plain one's bit for
// bit); tangents follow the rules below. The interpreter (interp.cpp) and the
// engines' expression sides call these; the JIT's dual kernels (jit.cpp) emit
// the same operations in the same order, and call the host functions here for
// pow, hill and saturate, so the two back-ends agree on tangents too.
//
// Rules at the edges (docs/prescriptive.md, "The non-linear path"):
//   - a missing value has a missing tangent (NaN in, NaN out; division by zero);
//   - comparisons, `not`, `and`, `or` are piecewise constant: tangent 0;
//   - min, max, clamp, abs and `if` take the tangent of the branch they take
//     (abs at 0: tangent 0); reductions min/max, of the element they select;
//   - a term whose seed is 0 contributes 0 even where its factor is infinite
//     (hill's x^(s-1) at x = 0, log x at 0), so a curve's tangent at 0 along
//     another variable stays 0.
#pragma once

#include <cmath>

#include "mtc/ops.h"

namespace mtc::rt {

struct Dual {
  double v = 0, d = 0;
};

namespace dual {

inline constexpr double NaN = ops::NaN;
inline Dual missing() { return {NaN, NaN}; }
// d * f, 0 when d is 0 (f may be infinite there)
inline double term(double d, double f) { return d == 0 ? 0.0 : d * f; }

inline Dual neg(Dual a) { return {-a.v, -a.d}; }
inline Dual add(Dual a, Dual b) { return {a.v + b.v, a.d + b.d}; }
inline Dual sub(Dual a, Dual b) { return {a.v - b.v, a.d - b.d}; }
inline Dual mul(Dual a, Dual b) { return {a.v * b.v, a.d * b.v + a.v * b.d}; }
// a / b; missing when b is 0
inline Dual div(Dual a, Dual b) {
  if (b.v == 0) return missing();
  double q = a.v / b.v;
  return {q, (a.d - q * b.d) / b.v};
}
// a / b without the zero test (a mean's division by a count)
inline Dual fdiv(Dual a, Dual b) {
  double q = a.v / b.v;
  return {q, (a.d - q * b.d) / b.v};
}
// the tangent of pow(a, b), given v = pow(a, b)
inline double dpow(double a, double b, double da, double db) {
  double r = term(da, b * std::pow(a, b - 1.0));
  if (db != 0) r += db * (std::pow(a, b) * std::log(a));
  return r;
}
inline Dual pow(Dual a, Dual b) { return {ops::pow(a.v, b.v), dpow(a.v, b.v, a.d, b.d)}; }
// piecewise-constant results: tangent 0
inline Dual flat(double v) { return {v, 0.0}; }
inline Dual log(Dual a) { return a.v > 0 ? Dual{std::log(a.v), a.d / a.v} : missing(); }
inline Dual exp(Dual a) {
  double e = std::exp(a.v);
  return {e, e * a.d};
}
inline Dual sqrt(Dual a) {
  if (!(a.v >= 0)) return missing();
  double s = std::sqrt(a.v);
  return {s, a.d / (s + s)};
}
inline Dual abs(Dual a) {
  if (std::isnan(a.v)) return missing();
  return {std::fabs(a.v), a.v > 0 ? a.d : a.v < 0 ? -a.d : 0.0};
}
inline Dual min(Dual a, Dual b) {
  if (std::isnan(a.v) || std::isnan(b.v)) return missing();
  return b.v < a.v ? b : a;
}
inline Dual max(Dual a, Dual b) {
  if (std::isnan(a.v) || std::isnan(b.v)) return missing();
  return b.v > a.v ? b : a;
}
inline Dual clamp(Dual x, Dual lo, Dual hi) { return min(max(x, lo), hi); }
inline Dual choose(Dual c, Dual a, Dual b) {
  if (std::isnan(c.v)) return missing();
  return c.v != 0 ? a : b;
}
// hill(x, half, s) = x^s / (x^s + half^s)
inline double dhill(double x, double h, double s, double dx, double dh, double ds) {
  double xs = std::pow(x, s), hs = std::pow(h, s), den = xs + hs;
  if (den == 0) return NaN;
  double dxs = term(dx, s * std::pow(x, s - 1.0)), dhs = term(dh, s * std::pow(h, s - 1.0));
  if (ds != 0) {
    dxs += term(ds, xs * std::log(x));
    dhs += term(ds, hs * std::log(h));
  }
  return (dxs * hs - xs * dhs) / (den * den);
}
inline Dual hill(Dual x, Dual h, Dual s) { return {ops::hill(x.v, h.v, s.v), dhill(x.v, h.v, s.v, x.d, h.d, s.d)}; }
// saturate(x, cap, rate) = cap (1 - e^(-rate x))
inline double dsaturate(double x, double cap, double rate, double dx, double dcap, double drate) {
  double e = std::exp(-rate * x);
  return dcap * (1.0 - e) + cap * (e * (drate * x + rate * dx));
}
inline Dual saturate(Dual x, Dual cap, Dual rate) {
  return {ops::saturate(x.v, cap.v, rate.v), dsaturate(x.v, cap.v, rate.v, x.d, cap.d, rate.d)};
}

// Reductions (ops::aggStep): min and max carry the tangent of the element they keep.
inline Dual aggStep(ir::Agg a, Dual acc, Dual v) {
  if (std::isnan(v.v) || std::isnan(acc.v)) return missing();
  switch (a) {
    case ir::Agg::Min: return v.v < acc.v ? v : acc;
    case ir::Agg::Max: return v.v > acc.v ? v : acc;
    case ir::Agg::Sum: case ir::Agg::Mean: case ir::Agg::Last: return add(acc, v);
  }
  return add(acc, v);
}
inline Dual aggDone(ir::Agg a, Dual acc, size_t n) {
  if (n == 0) return missing();
  if (a != ir::Agg::Mean) return acc;
  double k = static_cast<double>(n);
  return {acc.v / k, acc.d / k};
}

}  // namespace dual
}  // namespace mtc::rt
