// The solver seam: GLPK (LP, MIP, sensitivity) and NLopt (SLSQP), on problems
// solved by hand in the comments.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "solvers/lp.h"
#include "solvers/nlp.h"

using namespace mtc::eng::solvers;

namespace {

// The seed's marketing mix: maximize b_ppc/100 + b_sales/150 + b_cons/80
// subject to budget b_ppc + b_sales + b_cons <= 2000 and capacity (patients) <= 150.
LpProblem marketingMix() {
  LpProblem p;
  p.names = {"b_ppc", "b_sales", "b_consultants"};
  p.cost = {1.0 / 100, 1.0 / 150, 1.0 / 80};
  p.lower = {0, 0, 0};
  p.upper = {kInf, kInf, kInf};
  p.rows.push_back({"budget", {{0, 1}, {1, 1}, {2, 1}}, -kInf, 2000});
  p.rows.push_back({"capacity", {{0, 1.0 / 100}, {1, 1.0 / 150}, {2, 1.0 / 80}}, -kInf, 150});
  return p;
}

}  // namespace

TEST_CASE("GLPK: the seed's marketing mix, with duals and ranges") {
  auto s = makeGlpk()->solve(marketingMix());
  REQUIRE(s.status == LpStatus::Optimal);
  // everything to consultants (80 USD a patient, the cheapest): 2000 / 80 = 25 patients
  CHECK(s.objective == Approx(25));
  CHECK(s.x[0] == Approx(0).margin(1e-9));
  CHECK(s.x[2] == Approx(2000));
  // one more USD of budget is 1/80 = 0.0125 patients; capacity does not bind
  CHECK(s.dual[0] == Approx(0.0125));
  CHECK(s.binding[0]);
  CHECK_FALSE(s.binding[1]);
  CHECK(s.dual[1] == Approx(0).margin(1e-12));
  // consultants stay best while their return per USD stays above ppc's 0.01
  CHECK(s.costRange[2].lo == Approx(0.01));
  CHECK(std::isinf(s.costRange[2].hi));
  // ppc enters when its return passes consultants' 0.0125
  CHECK(std::isinf(s.costRange[0].lo));
  CHECK(s.costRange[0].hi == Approx(0.0125));
  // the budget's dual holds from 0 to 12,000 USD (where 150 patients fill capacity)
  CHECK(s.boundRange[0].lo == Approx(0).margin(1e-9));
  CHECK(s.boundRange[0].hi == Approx(12000));
  CHECK(s.boundRange[1].lo == Approx(25));  // capacity: down to the 25 patients used
}

TEST_CASE("GLPK: a MIP, its LP bound and gap") {
  // maximize 5x + 4y, 6x + 4y <= 24, x + 2y <= 6, integers: the LP optimum is
  // x = 3, y = 1.5 (21); the integer optimum x = 4, y = 0 (20)
  LpProblem p;
  p.names = {"x", "y"};
  p.cost = {5, 4};
  p.lower = {0, 0};
  p.upper = {kInf, kInf};
  p.integer = {true, true};
  p.rows.push_back({"a", {{0, 6}, {1, 4}}, -kInf, 24});
  p.rows.push_back({"b", {{0, 1}, {1, 2}}, -kInf, 6});
  auto s = makeGlpk()->solve(p);
  REQUIRE(s.status == LpStatus::Optimal);
  CHECK(s.mip);
  CHECK(s.objective == Approx(20));
  CHECK(s.x[0] == Approx(4));
  CHECK(s.x[1] == Approx(0).margin(1e-9));
  CHECK(s.bound == Approx(21));
  CHECK(s.gap == Approx(0.05));
}

TEST_CASE("GLPK: infeasible and unbounded models are outcomes") {
  LpProblem p;
  p.names = {"x"};
  p.cost = {1};
  p.lower = {0};
  p.upper = {kInf};
  auto unbounded = makeGlpk()->solve(p);
  CHECK(unbounded.status == LpStatus::Unbounded);
  p.rows.push_back({"at_least", {{0, 1}}, 5, kInf});
  p.rows.push_back({"at_most", {{0, 1}}, -kInf, 3});
  auto infeasible = makeGlpk()->solve(p);
  CHECK(infeasible.status == LpStatus::Infeasible);
  CHECK(std::string(lpStatusName(infeasible.status)) == "infeasible");
}

TEST_CASE("GLPK: the sparse sensitivity ranges equal GLPK's own (glp_analyze_coef, glp_analyze_bound)") {
  // Random LPs of every shape the engines make: <=, >= and = rows, ranged rows,
  // bounded and free variables, maximize and minimize, small integer data (so
  // degenerate vertices and ties in the ratio tests are common), one dense row.
  // The reference is GLPK's dense routines on the same optimal basis.
  std::mt19937 rng(20261202);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int compared = 0, finite = 0;
  for (int trial = 0; trial < 300; ++trial) {
    LpProblem p;
    p.maximize = trial % 2 == 0;
    int n = pick(1, 30), m = pick(1, 25);
    for (int j = 0; j < n; ++j) {
      p.names.push_back("x" + std::to_string(j));
      p.cost.push_back((p.maximize ? 1 : -1) * pick(-2, 9));
      int kind = pick(0, 9);
      p.lower.push_back(kind == 9 ? -kInf : kind == 8 ? -pick(1, 5) : 0);
      p.upper.push_back(kind >= 6 ? pick(5, 40) : kInf);
    }
    for (int i = 0; i < m; ++i) {
      LpProblem::Row r;
      r.name = "r" + std::to_string(i);
      bool dense = i == 0;
      for (int j = 0; j < n; ++j)
        if (dense || pick(0, 3) == 0) r.coefs.push_back({static_cast<size_t>(j), static_cast<double>(pick(1, 6))});
      if (r.coefs.empty()) r.coefs.push_back({static_cast<size_t>(pick(0, n - 1)), 1.0});
      int kind = pick(0, 9);
      double b = pick(5, 60);
      if (kind <= 5) r.upper = b;
      else if (kind <= 7) r.lower = b / 4, r.upper = b;
      else if (kind == 8) r.lower = b / 10;
      else r.lower = r.upper = b / 5;
      p.rows.push_back(r);
    }
    auto fast = makeGlpk()->solve(p);
    p.referenceRanges = true;
    auto ref = makeGlpk()->solve(p);
    REQUIRE(fast.status == ref.status);
    if (fast.status != LpStatus::Optimal) continue;
    ++compared;
    auto same = [&](const Interval& a, const Interval& b) {
      for (auto [u, v] : {std::pair{a.lo, b.lo}, std::pair{a.hi, b.hi}}) {
        if (std::isinf(u) || std::isinf(v)) {
          CHECK(u == v);
        } else {
          ++finite;
          CHECK(u == Approx(v).epsilon(1e-9).margin(1e-9));
        }
      }
    };
    REQUIRE(fast.costRange.size() == ref.costRange.size());
    REQUIRE(fast.boundRange.size() == ref.boundRange.size());
    for (size_t j = 0; j < fast.costRange.size(); ++j) same(fast.costRange[j], ref.costRange[j]);
    for (size_t i = 0; i < fast.boundRange.size(); ++i) same(fast.boundRange[i], ref.boundRange[i]);
  }
  CHECK(compared > 100);
  CHECK(finite > 1000);
}

TEST_CASE("NLopt: a constrained quadratic, at its KKT point") {
  // minimize (x - 1)^2 + (y - 2)^2 subject to x + y <= 2: the gradients are
  // parallel at x = 0.5, y = 1.5 (multiplier 1), objective 0.5
  NlpProblem p;
  p.n = 2;
  p.maximize = false;
  p.objective = [](const double* x, double* g) {
    if (g) g[0] = 2 * (x[0] - 1), g[1] = 2 * (x[1] - 2);
    return (x[0] - 1) * (x[0] - 1) + (x[1] - 2) * (x[1] - 2);
  };
  p.lower = {-10, -10};
  p.upper = {10, 10};
  p.constraints.push_back({"sum", [](const double* x, double* g) {
                             if (g) g[0] = 1, g[1] = 1;
                             return x[0] + x[1] - 2;
                           }});
  p.start = {0, 0};
  auto s = makeNlopt()->solve(p);
  REQUIRE(s.status == NlpStatus::Optimal);
  CHECK(s.x[0] == Approx(0.5).margin(1e-6));
  CHECK(s.x[1] == Approx(1.5).margin(1e-6));
  CHECK(s.objective == Approx(0.5).margin(1e-9));
  CHECK(s.maxViolation < 1e-8);
}
