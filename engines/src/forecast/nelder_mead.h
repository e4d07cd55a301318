// R's nmmin (src/appl/optim.c), the Nelder-Mead that optim() and forecast's
// ets call, step for step: most seasonal ETS fits stop at its iteration limit,
// so matching R's fits means matching its path, not only its optimum.
#pragma once

#include <cmath>
#include <vector>

namespace mtc::eng::fc {

// The simplex is stored vertex by vertex (each vertex's n coordinates, then its
// value), so that the centroid, the hot loop, adds whole vertices: each sum is
// still formed in R's order (minus the highest vertex, then vertices 1..n+1), so
// the bits are R's; only the loops are interchanged.
template <typename F>
NelderMead nmmin(std::vector<double> B, F&& fn, double intol, int maxit) {
  const double alpha = 1.0, beta = 0.5, gamma = 2.0, big = 1.0e35, abstol = -INFINITY;
  const size_t n = B.size();
  NelderMead r;
  double f = fn(B);
  if (!std::isfinite(f)) {
    r.fail = -1;  // cannot be evaluated at the start
    r.x = B;
    r.value = f;
    return r;
  }
  int funcount = 1;
  const double convtol = intol * (std::fabs(f) + intol);
  const size_t n1 = n + 1, C = n + 2;
  // R's P[i][j] (coordinate i of vertex j; row n the values; column C - 1 the
  // centroid) is V[j * n1 + i] here
  std::vector<double> V(C * n1, 0.0);
  auto vert = [&](size_t j) { return V.data() + j * n1; };
  auto value = [&](size_t j) -> double& { return V[j * n1 + n]; };
  value(0) = f;
  for (size_t i = 0; i < n; ++i) vert(0)[i] = B[i];
  size_t L = 1;
  double size = 0, step = 0;
  for (size_t i = 0; i < n; ++i)
    if (0.1 * std::fabs(B[i]) > step) step = 0.1 * std::fabs(B[i]);
  if (step == 0) step = 0.1;
  for (size_t j = 2; j <= n1; ++j) {
    double* v = vert(j - 1);
    for (size_t i = 0; i < n; ++i) v[i] = B[i];
    double trystep = step;
    while (v[j - 2] == B[j - 2]) {
      v[j - 2] = B[j - 2] + trystep;
      trystep *= 10;
    }
    size += trystep;
  }
  double oldsize = size;
  bool calcvert = true;
  int fail = 0;
  auto eval = [&](const std::vector<double>& x) {
    double v = fn(x);
    return std::isfinite(v) ? v : big;
  };
  double* const cen = vert(C - 1);
  for (;;) {
    if (calcvert) {
      for (size_t j = 0; j < n1; ++j) {
        if (j + 1 == L) continue;
        for (size_t i = 0; i < n; ++i) B[i] = vert(j)[i];
        value(j) = eval(B);
        ++funcount;
      }
      calcvert = false;
    }
    double VL = value(L - 1), VH = VL;
    size_t H = L;
    for (size_t j = 1; j <= n1; ++j) {
      if (j == L) continue;
      double v = value(j - 1);
      if (v < VL) L = j, VL = v;
      if (v > VH) H = j, VH = v;
    }
    if (VH <= VL + convtol || VL <= abstol) break;
    double* hv = vert(H - 1);
    {
      // the centroid of all but the highest, four coordinates at a time, their sums in registers
      size_t i0 = 0;
      for (; i0 + 4 <= n; i0 += 4) {
        double a0 = -hv[i0], a1 = -hv[i0 + 1], a2 = -hv[i0 + 2], a3 = -hv[i0 + 3];
        for (size_t j = 0; j < n1; ++j) {
          const double* v = vert(j) + i0;
          a0 += v[0], a1 += v[1], a2 += v[2], a3 += v[3];
        }
        cen[i0] = a0 / static_cast<double>(n), cen[i0 + 1] = a1 / static_cast<double>(n);
        cen[i0 + 2] = a2 / static_cast<double>(n), cen[i0 + 3] = a3 / static_cast<double>(n);
      }
      for (; i0 < n; ++i0) {
        double a = -hv[i0];
        for (size_t j = 0; j < n1; ++j) a += vert(j)[i0];
        cen[i0] = a / static_cast<double>(n);
      }
    }
    for (size_t i = 0; i < n; ++i) B[i] = (1.0 + alpha) * cen[i] - alpha * hv[i];
    double VR = eval(B);
    ++funcount;
    if (VR < VL) {
      value(C - 1) = VR;
      for (size_t i = 0; i < n; ++i) {
        double e = gamma * B[i] + (1 - gamma) * cen[i];
        cen[i] = B[i];
        B[i] = e;
      }
      double fe = eval(B);
      ++funcount;
      if (fe < VR) {
        for (size_t i = 0; i < n; ++i) hv[i] = B[i];
        value(H - 1) = fe;
      } else {
        for (size_t i = 0; i < n; ++i) hv[i] = cen[i];
        value(H - 1) = VR;
      }
    } else {
      if (VR < VH) {
        for (size_t i = 0; i < n; ++i) hv[i] = B[i];
        value(H - 1) = VR;
      }
      for (size_t i = 0; i < n; ++i) B[i] = (1 - beta) * hv[i] + beta * cen[i];
      double fc = eval(B);
      ++funcount;
      if (fc < value(H - 1)) {
        for (size_t i = 0; i < n; ++i) hv[i] = B[i];
        value(H - 1) = fc;
      } else if (VR >= VH) {  // shrink towards the lowest
        calcvert = true;
        size = 0;
        const double* lo = vert(L - 1);
        for (size_t j = 0; j < n1; ++j) {
          if (j + 1 == L) continue;
          double* v = vert(j);
          for (size_t i = 0; i < n; ++i) {
            v[i] = beta * (v[i] - lo[i]) + lo[i];
            size += std::fabs(v[i] - lo[i]);
          }
        }
        if (size < oldsize) {
          oldsize = size;
        } else {
          fail = 10;
          break;
        }
      }
    }
    if (funcount > maxit) break;
  }
  r.x.resize(n);
  for (size_t i = 0; i < n; ++i) r.x[i] = vert(L - 1)[i];
  r.value = value(L - 1);
  r.fail = funcount > maxit ? 1 : fail;
  r.evaluations = funcount;
  return r;
}

}  // namespace mtc::eng::fc
