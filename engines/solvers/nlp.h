// The non-linear solver seam: an objective and constraints as functions with
// exact gradients, bounds, a start; one implementation per solver. nlopt.cpp is
// the only file that includes <nlopt.hpp>.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lp.h"

namespace mtc::eng::solvers {

// f(x), and its gradient into grad when grad is not null.
using NlpFunction = std::function<double(const double* x, double* grad)>;

// SLSQP (sequential quadratic programming), or AUGLAG (an augmented
// Lagrangian) around L-BFGS: the fallback when SLSQP fails from a start.
enum class NlpAlgorithm { Slsqp, Auglag };
const char* nlpAlgorithmName(NlpAlgorithm a);

struct NlpProblem {
  NlpAlgorithm algorithm = NlpAlgorithm::Slsqp;
  size_t n = 0;
  bool maximize = true;
  NlpFunction objective;
  std::vector<double> lower, upper;  // -kInf, kInf for none
  struct Constraint {
    std::string name;
    NlpFunction f;          // f(x) <= 0, or == 0
    bool equality = false;
    double tolerance = 1e-9;
  };
  std::vector<Constraint> constraints;
  std::vector<double> start;
  double timeLimit = 0;      // seconds; 0: none
  int maxEvaluations = 20000;
  double relativeTolerance = 1e-10;
};

enum class NlpStatus { Optimal, Infeasible, Stopped, Error };
const char* nlpStatusName(NlpStatus s);

struct NlpSolution {
  NlpStatus status = NlpStatus::Error;
  double objective = 0;
  std::vector<double> x;
  double maxViolation = 0;  // of the constraints, at x
  int evaluations = 0;
  bool timeLimit = false;   // stopped by p.timeLimit
  std::string message;
};

class NlpSolver {
 public:
  virtual ~NlpSolver() = default;
  virtual const char* name() const = 0;
  // A local solve from p.start (p.algorithm); multi-start is the caller's.
  virtual NlpSolution solve(const NlpProblem& p) = 0;
};

std::unique_ptr<NlpSolver> makeNlopt();

}  // namespace mtc::eng::solvers
