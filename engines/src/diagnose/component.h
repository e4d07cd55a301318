// Component drift: the change of a metric from period q to period p attributed
// to the inputs of its formula, exactly, and down the tree.
//
// The players are the metrics the formula reads. A coalition S is the formula
// evaluated with the players in S read as they were around p and the others as
// they were around q (every read keeps its offset: lag(x, 1) reads x at p - 1 or
// q - 1). So S = everyone gives the value at p and S = no one the value at q,
// and the Shapley values add up to the change. A time operator that reads a
// whole window (cumsum, ytd, rolling windows, yoy, adstock) of an expression of
// several players makes them one player ("a & b"): the window has one context.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "mtc/ir.h"
#include "evalexpr.h"
#include "mtc/runtime.h"

namespace mtc::eng::drift {

struct Contribution {
  std::string driver;        // a metric, a group "a & b", a slice revenue[ppc,north], or "(other)"
  double value = 0;          // in the diagnosed metric's unit
  std::vector<Contribution> children;  // the next level down, adding up to value
};

struct ComponentOptions {
  bool lmdi = false;
  int64_t depth = 3;
  std::optional<int64_t> top;
};

struct ComponentResult {
  bool estimable = false;
  std::string reason;        // when not estimable
  std::string method;        // "shapley" or "lmdi"
  std::string note;          // a fallback, sampling
  std::vector<Contribution> contributions;
};

// The change of `metric`'s total from q to p (indices into the values' timeline).
ComponentResult components(const ir::Model& m, const rt::Values& values, ir::Id metric, int64_t p, int64_t q,
                           const ComponentOptions& o);


// For tests: the formula's value for a coalition (bit i set: group i at p), and the groups.
struct FormulaGame {
  std::vector<std::string> players;
  std::vector<double> valueOf;  // by coalition mask, 2^players
};
FormulaGame formulaGame(const ir::Model& m, const rt::Values& values, ir::Id metric, int64_t p, int64_t q,
                        std::optional<size_t> slice);

}  // namespace mtc::eng::drift
