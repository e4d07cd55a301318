// The scalar semantics of mtree's operators, shared by the interpreter and the
// JIT (which calls or mirrors these). Missing values are NaN and propagate:
// comparisons and logic with a missing operand are missing, not false.
#pragma once

#include <cmath>
#include <limits>

#include "mtc/ir.h"

namespace mtc::rt::ops {

inline constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

inline double div(double a, double b) { return b == 0 ? NaN : a / b; }
inline double pow(double a, double b) { return std::pow(a, b); }
inline double log(double a) { return a > 0 ? std::log(a) : NaN; }
inline double sqrt(double a) { return a >= 0 ? std::sqrt(a) : NaN; }
inline double lt(double a, double b) { return std::isnan(a) || std::isnan(b) ? NaN : (a < b ? 1.0 : 0.0); }
inline double le(double a, double b) { return std::isnan(a) || std::isnan(b) ? NaN : (a <= b ? 1.0 : 0.0); }
inline double eq(double a, double b) { return std::isnan(a) || std::isnan(b) ? NaN : (a == b ? 1.0 : 0.0); }
inline double bnot(double a) { return std::isnan(a) ? NaN : (a != 0 ? 0.0 : 1.0); }
inline double band(double a, double b) { return std::isnan(a) || std::isnan(b) ? NaN : (a != 0 && b != 0 ? 1.0 : 0.0); }
inline double bor(double a, double b) { return std::isnan(a) || std::isnan(b) ? NaN : (a != 0 || b != 0 ? 1.0 : 0.0); }
inline double min(double a, double b) { return std::isnan(a) || std::isnan(b) ? NaN : (b < a ? b : a); }
inline double max(double a, double b) { return std::isnan(a) || std::isnan(b) ? NaN : (b > a ? b : a); }
inline double clamp(double x, double lo, double hi) { return min(max(x, lo), hi); }
inline double hill(double x, double half, double s) {
  double xs = std::pow(x, s);
  return div(xs, xs + std::pow(half, s));
}
inline double saturate(double x, double cap, double rate) { return cap * (1.0 - std::exp(-rate * x)); }

// Reductions: init, step per element, finish with the element count.
inline double aggInit(ir::Agg a) {
  switch (a) {
    case ir::Agg::Min: return std::numeric_limits<double>::infinity();
    case ir::Agg::Max: return -std::numeric_limits<double>::infinity();
    case ir::Agg::Sum: case ir::Agg::Mean: case ir::Agg::Last: return 0.0;
  }
  return 0.0;
}
inline double aggStep(ir::Agg a, double acc, double v) {
  if (std::isnan(v) || std::isnan(acc)) return NaN;
  switch (a) {
    case ir::Agg::Min: return v < acc ? v : acc;
    case ir::Agg::Max: return v > acc ? v : acc;
    case ir::Agg::Sum: case ir::Agg::Mean: case ir::Agg::Last: return acc + v;
  }
  return acc + v;
}
inline double aggDone(ir::Agg a, double acc, size_t n) {
  if (n == 0) return NaN;
  return a == ir::Agg::Mean ? acc / static_cast<double>(n) : acc;
}

// Across slices `last` adds up (a stock: the slices' balances sum to the total).
inline ir::Agg acrossSlices(ir::Agg a) { return a == ir::Agg::Last ? ir::Agg::Sum : a; }

// Rolls consecutive periods up into one (data at a finer grain than the model's,
// describe at a coarser one): `last` takes the last period, the others reduce.
inline double rollUp(ir::Agg a, const double* v, size_t n) {
  if (n == 0) return NaN;
  if (a == ir::Agg::Last) return v[n - 1];
  double acc = aggInit(a);
  for (size_t i = 0; i < n; ++i) acc = aggStep(a, acc, v[i]);
  return aggDone(a, acc, n);
}

}  // namespace mtc::rt::ops
