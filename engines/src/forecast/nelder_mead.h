// R's nmmin (src/appl/optim.c), the Nelder-Mead that optim() and forecast's
// ets call, step for step: most seasonal ETS fits stop at its iteration limit,
// so matching R's fits means matching its path, not only its optimum.
#pragma once

#include <cmath>
#include <vector>

namespace mtc::eng::fc {

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
  // P: (n + 1) rows x (n + 2) columns; row n holds the values
  std::vector<std::vector<double>> P(n + 1, std::vector<double>(n + 2, 0.0));
  P[n1 - 1][0] = f;
  for (size_t i = 0; i < n; ++i) P[i][0] = B[i];
  size_t L = 1;
  double size = 0, step = 0;
  for (size_t i = 0; i < n; ++i)
    if (0.1 * std::fabs(B[i]) > step) step = 0.1 * std::fabs(B[i]);
  if (step == 0) step = 0.1;
  for (size_t j = 2; j <= n1; ++j) {
    for (size_t i = 0; i < n; ++i) P[i][j - 1] = B[i];
    double trystep = step;
    while (P[j - 2][j - 1] == B[j - 2]) {
      P[j - 2][j - 1] = B[j - 2] + trystep;
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
  for (;;) {
    if (calcvert) {
      for (size_t j = 0; j < n1; ++j) {
        if (j + 1 == L) continue;
        for (size_t i = 0; i < n; ++i) B[i] = P[i][j];
        P[n1 - 1][j] = eval(B);
        ++funcount;
      }
      calcvert = false;
    }
    double VL = P[n1 - 1][L - 1], VH = VL;
    size_t H = L;
    for (size_t j = 1; j <= n1; ++j) {
      if (j == L) continue;
      double v = P[n1 - 1][j - 1];
      if (v < VL) L = j, VL = v;
      if (v > VH) H = j, VH = v;
    }
    if (VH <= VL + convtol || VL <= abstol) break;
    for (size_t i = 0; i < n; ++i) {
      double temp = -P[i][H - 1];
      for (size_t j = 0; j < n1; ++j) temp += P[i][j];
      P[i][C - 1] = temp / static_cast<double>(n);
    }
    for (size_t i = 0; i < n; ++i) B[i] = (1.0 + alpha) * P[i][C - 1] - alpha * P[i][H - 1];
    double VR = eval(B);
    ++funcount;
    if (VR < VL) {
      P[n1 - 1][C - 1] = VR;
      for (size_t i = 0; i < n; ++i) {
        double e = gamma * B[i] + (1 - gamma) * P[i][C - 1];
        P[i][C - 1] = B[i];
        B[i] = e;
      }
      double fe = eval(B);
      ++funcount;
      if (fe < VR) {
        for (size_t i = 0; i < n; ++i) P[i][H - 1] = B[i];
        P[n1 - 1][H - 1] = fe;
      } else {
        for (size_t i = 0; i < n; ++i) P[i][H - 1] = P[i][C - 1];
        P[n1 - 1][H - 1] = VR;
      }
    } else {
      if (VR < VH) {
        for (size_t i = 0; i < n; ++i) P[i][H - 1] = B[i];
        P[n1 - 1][H - 1] = VR;
      }
      for (size_t i = 0; i < n; ++i) B[i] = (1 - beta) * P[i][H - 1] + beta * P[i][C - 1];
      double fc = eval(B);
      ++funcount;
      if (fc < P[n1 - 1][H - 1]) {
        for (size_t i = 0; i < n; ++i) P[i][H - 1] = B[i];
        P[n1 - 1][H - 1] = fc;
      } else if (VR >= VH) {  // shrink towards the lowest
        calcvert = true;
        size = 0;
        for (size_t j = 0; j < n1; ++j) {
          if (j + 1 == L) continue;
          for (size_t i = 0; i < n; ++i) {
            P[i][j] = beta * (P[i][j] - P[i][L - 1]) + P[i][L - 1];
            size += std::fabs(P[i][j] - P[i][L - 1]);
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
  for (size_t i = 0; i < n; ++i) r.x[i] = P[i][L - 1];
  r.value = P[n1 - 1][L - 1];
  r.fail = funcount > maxit ? 1 : fail;
  r.evaluations = funcount;
  return r;
}

}  // namespace mtc::eng::fc
