// Comparing the two evaluators, bit for bit (shared by the runtime and JIT tests).
#pragma once

#include <cmath>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "mtc/runtime.h"

namespace mtc::test {

inline bool sameBits(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::memcmp(&a, &b, sizeof a) == 0;
}

// The first difference between two evaluations, or "" when they agree.
inline std::string firstDifference(const ir::Model& m, const rt::Values& a, const rt::Values& b) {
  for (ir::Id id = 0; id < m.metrics.size(); ++id) {
    for (int tot = 0; tot < 2; ++tot) {
      const rt::Series& x = tot ? a.total(id) : a.metric(id);
      const rt::Series& y = tot ? b.total(id) : b.metric(id);
      if (x.v.size() != y.v.size())
        return fmt::format("{}{}: {} vs {} values", m.metrics[id].name, tot ? " (total)" : "", x.v.size(), y.v.size());
      for (size_t i = 0; i < x.v.size(); ++i)
        if (!sameBits(x.v[i], y.v[i]))
          return fmt::format("{}{} slice {} period {}: interpreter {:.17g}, jit {:.17g}", m.metrics[id].name,
                             tot ? " (total)" : "", i / x.periods, i % x.periods, x.v[i], y.v[i]);
    }
  }
  return "";
}

}  // namespace mtc::test
