// NLopt behind the NLP seam (nlp.h): SLSQP, a sequential quadratic programming
// method that uses exact gradients and handles inequality and equality
// constraints. The only file that includes <nlopt.hpp>.
#include <nlopt.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "nlp.h"

namespace mtc::eng::solvers {

const char* nlpStatusName(NlpStatus s) {
  switch (s) {
    case NlpStatus::Optimal: return "optimal";
    case NlpStatus::Infeasible: return "infeasible";
    case NlpStatus::Stopped: return "stopped";
    case NlpStatus::Error: return "error";
  }
  return "error";
}

const char* nlpAlgorithmName(NlpAlgorithm a) {
  switch (a) {
    case NlpAlgorithm::Slsqp: return "SLSQP";
    case NlpAlgorithm::Auglag: return "AUGLAG";
  }
  return "SLSQP";
}

namespace {

struct Call {
  const NlpFunction* f;
  int* evaluations;
};

double trampoline(unsigned n, const double* x, double* grad, void* data) {
  auto* c = static_cast<Call*>(data);
  ++*c->evaluations;
  (void)n;
  return (*c->f)(x, grad);
}

class Nlopt final : public NlpSolver {
 public:
  const char* name() const override { return "NLopt"; }

  NlpSolution solve(const NlpProblem& p) override {
    NlpSolution s;
    int evaluations = 0;
    std::vector<double> x;  // the solver's point, updated in place (also when it throws)
    try {
      const bool auglag = p.algorithm == NlpAlgorithm::Auglag;
      nlopt::opt opt(auglag ? nlopt::LD_AUGLAG : nlopt::LD_SLSQP, static_cast<unsigned>(p.n));
      if (auglag) {
        nlopt::opt local(nlopt::LD_LBFGS, static_cast<unsigned>(p.n));
        local.set_xtol_rel(p.relativeTolerance);
        local.set_ftol_rel(p.relativeTolerance);
        local.set_maxeval(p.maxEvaluations);
        opt.set_local_optimizer(local);
      }
      std::vector<double> lo = p.lower, hi = p.upper;
      opt.set_lower_bounds(lo);
      opt.set_upper_bounds(hi);
      Call obj{&p.objective, &evaluations};
      if (p.maximize) opt.set_max_objective(trampoline, &obj);
      else opt.set_min_objective(trampoline, &obj);
      std::vector<Call> calls;
      calls.reserve(p.constraints.size());
      for (auto& c : p.constraints) {
        calls.push_back(Call{&c.f, &evaluations});
        if (c.equality) opt.add_equality_constraint(trampoline, &calls.back(), c.tolerance);
        else opt.add_inequality_constraint(trampoline, &calls.back(), c.tolerance);
      }
      opt.set_xtol_rel(p.relativeTolerance);
      opt.set_ftol_rel(p.relativeTolerance);
      opt.set_maxeval(p.maxEvaluations);
      if (p.timeLimit > 0) opt.set_maxtime(p.timeLimit);
      x = p.start;
      for (size_t i = 0; i < p.n; ++i) x[i] = std::clamp(x[i], lo[i], hi[i]);
      double f = 0;
      nlopt::result r = opt.optimize(x, f);
      s.x = x;
      s.objective = f;
      s.status = r == nlopt::MAXEVAL_REACHED || r == nlopt::MAXTIME_REACHED ? NlpStatus::Stopped : NlpStatus::Optimal;
      s.timeLimit = r == nlopt::MAXTIME_REACHED;
      if (s.status == NlpStatus::Stopped) s.message = r == nlopt::MAXTIME_REACHED ? "the time limit was reached" : "the evaluation limit was reached";
    } catch (const nlopt::roundoff_limited&) {
      s.status = NlpStatus::Stopped;
      s.message = "stopped by round-off";
      s.x = x;
      if (!x.empty()) s.objective = p.objective(x.data(), nullptr);
    } catch (const std::exception& e) {
      s.status = NlpStatus::Error;
      s.message = e.what();
    }
    s.evaluations = evaluations;
    if (!s.x.empty()) {
      for (auto& c : p.constraints) {
        double v = c.f(s.x.data(), nullptr);
        if (std::isnan(v)) v = kInf;  // undefined there: broken
        s.maxViolation = std::max(s.maxViolation, c.equality ? std::fabs(v) : std::max(0.0, v));
      }
      if (s.status == NlpStatus::Optimal && s.maxViolation > 1e-6) {
        s.status = NlpStatus::Infeasible;
        s.message = "no point satisfies the constraints (the solver's best breaks one by " + std::to_string(s.maxViolation) + ")";
      }
    }
    return s;
  }
};

}  // namespace

std::unique_ptr<NlpSolver> makeNlopt() { return std::make_unique<Nlopt>(); }

}  // namespace mtc::eng::solvers
