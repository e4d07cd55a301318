// What every engine runs with: the loaded model, its data, the run's compiled
// evaluator and the history it evaluated, a factory for evaluators of another
// shape on the run's back-end (so --no-jit holds for every engine), options.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "mtc/runtime.h"

namespace mtc::eng {

struct Options {
  unsigned threads = 0;                // worker threads (0: every core)
  std::optional<double> timeLimit;     // seconds, for solvers; a statement's time_limit comes first
};

// Evaluators on the run's back-end (the JIT or the interpreter).
class EvaluatorFactory {
 public:
  EvaluatorFactory(const ir::Model& m, const rt::Data& d, rt::JitMode jit) : m_(m), d_(d), jit_(jit) {}
  // An evaluator on the run's back-end; set o.evaluations to how many times
  // it will be called, so that JitMode::Auto can weigh the JIT's start-up.
  std::unique_ptr<rt::Evaluator> make(rt::EvalOptions o) const {
    o.jit = jit_;
    return rt::makeEvaluator(m_, d_, o);
  }
  rt::JitMode jit() const { return jit_; }

 private:
  const ir::Model& m_;
  const rt::Data& d_;
  rt::JitMode jit_;
};

struct Context {
  const ir::Model& model;             // the loaded model (rt::Data::model)
  const rt::Data& data;
  const rt::Evaluator& evaluator;     // compiled for every statement of the run
  const rt::Values& values;           // its evaluation on the data's timeline, without a scenario
  const EvaluatorFactory& evaluators;
  Options options;
};

// A statement that cannot be computed at all (a missing value at the period
// asked for, too little history for any method): the engine throws it, the
// run reports an error object in the statement's place and goes on.
struct StatementError : std::runtime_error {
  StatementError(DiagCode c, const std::string& message) : std::runtime_error(message), code(c) {}
  DiagCode code;
};

}  // namespace mtc::eng
