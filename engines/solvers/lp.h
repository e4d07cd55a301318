// The LP/MIP solver seam: a problem in plain numbers, a solution with duals and
// sensitivity ranges. One implementation per solver; glpk.cpp is the only file
// that includes <glpk.h>.
#pragma once

#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace mtc::eng::solvers {

inline constexpr double kInf = std::numeric_limits<double>::infinity();

// maximize or minimize  c.x + c0  subject to  lo_i <= a_i.x <= hi_i,  l <= x <= u,
// some x integer.
struct LpProblem {
  bool maximize = true;
  std::vector<std::string> names;     // variables
  std::vector<double> cost;           // c
  double constant = 0;                // c0
  std::vector<double> lower, upper;   // bounds per variable (-kInf, kInf for none)
  std::vector<bool> integer;
  struct Row {
    std::string name;
    std::vector<std::pair<size_t, double>> coefs;  // (variable, coefficient)
    double lower = -kInf, upper = kInf;
  };
  std::vector<Row> rows;
  double timeLimit = 0;  // seconds; 0: none
  // the sensitivity ranges by the solver's own dense routines (GLPK:
  // glp_analyze_coef, glp_analyze_bound), not the sparse solves: for tests
  bool referenceRanges = false;
};

enum class LpStatus { Optimal, Infeasible, Unbounded, TimeLimit, Error };
const char* lpStatusName(LpStatus s);

struct Interval {
  double lo = -kInf, hi = kInf;
};

struct LpSolution {
  LpStatus status = LpStatus::Error;
  double objective = 0;
  std::vector<double> x, reducedCost;   // per variable
  std::vector<double> activity, dual;   // per row: a_i.x, and the change of the objective per unit of its active bound
  std::vector<bool> binding;            // per row: at one of its bounds
  // LP sensitivity (empty for a MIP): the range of each cost coefficient over
  // which the solution stays optimal, and of each binding row's bound over which
  // the basis (and so the duals) stay the same.
  std::vector<Interval> costRange, boundRange;
  // MIP: the LP relaxation's bound and the relative gap of the solution found.
  bool mip = false;
  double bound = 0, gap = 0;
  std::string message;
};

class LpSolver {
 public:
  virtual ~LpSolver() = default;
  virtual const char* name() const = 0;
  virtual LpSolution solve(const LpProblem& p) = 0;
};

std::unique_ptr<LpSolver> makeGlpk();

}  // namespace mtc::eng::solvers
