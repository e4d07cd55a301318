// seek: what would it take? (LANGUAGE.md section 6, docs/predictive.md) The
// value a variable (a param, or any metric) must take in the periods after the
// data, up to the goal's date, for the goal to hold there exactly; whether that
// breaks a constraint; how it compares with the variable's history. Several
// variables move by the smallest relative change (the minimum-norm solution).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "mtc/engines/context.h"

namespace mtc::eng {

struct SeekResult {
  ir::Id goal = ir::kNone;
  Period at;
  double target = 0;                    // the goal's right-hand side at `at`, at the solution
  double before = 0;                    // its left-hand side with the variables as they are
  double after = 0;                     // ... at the solution (= target when solved)
  bool solved = false;
  std::string reason;                   // when not solved
  struct Variable {
    ir::Ref ref;
    double current = 0;                 // its value now: a param's, or a metric's forecast at `at`
    double required = 0;                // the value it must take (a total over slices, or a param's mean)
    double change = 0, relative = 0;    // required - current, and over current
    std::vector<double> slices;         // per slice, when it has dimensions
    // its history (metrics with data): the highest and lowest period, and the required against them
    std::optional<double> highest, lowest;
    Period highestAt, lowestAt;
  };
  std::vector<Variable> variables;
  struct Violation {
    ir::Id constraint = ir::kNone;
    double value = 0, limit = 0, by = 0;  // its sides at the solution, and by how much it breaks
  };
  std::vector<Violation> violated;
  bool feasible = true;
  std::vector<std::string> notes;
};

SeekResult seek(const Context& ctx, const ir::SeekStmt& s);

}  // namespace mtc::eng
