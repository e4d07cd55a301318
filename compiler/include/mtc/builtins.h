// The built-in formula functions (builtins.def), as a table.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "mtc/ir.h"

namespace mtc::ir {

enum class BuiltinId : uint8_t {
#define BUILTIN(id, ...) id,
#include "mtc/builtins.def"
#undef BUILTIN
};

enum BuiltinFlag : uint8_t { Plain = 0, TimeOp = 1, Reduce = 2, NeedsOver = 4 };

struct Builtin {
  BuiltinId id;
  std::string_view name;
  uint8_t minArgs, maxArgs;
  Op op;      // a call without `over`
  Op overOp;  // a call with `over`; Op::Const when the function takes none
  uint8_t flags;
  std::string_view signature, doc;
  bool takesOver() const { return overOp != Op::Const; }
};

const std::vector<Builtin>& builtins();
// The built-in of that name, or null.
const Builtin* findBuiltin(std::string_view name);
// The built-in a call lowers to `op` comes from (min for Min and MinOver), or null.
const Builtin* builtinOf(Op op);
// Operators that read other periods of their argument (lag, delta, rolling
// windows, cumsum, ytd, yoy, adstock): the built-ins flagged TimeOp.
bool isTimeOp(Op op);

}  // namespace mtc::ir
