// The table of built-in functions (builtins.def) and the queries derived from it.
#include "mtc/builtins.h"

#include <array>

namespace mtc::ir {

const std::vector<Builtin>& builtins() {
  static const std::vector<Builtin> table = {
#define BUILTIN(id, name, lo, hi, op, overOp, flags, sig, doc) \
  {BuiltinId::id, name, lo, hi, Op::op, Op::overOp, static_cast<uint8_t>(flags), sig, doc},
#include "mtc/builtins.def"
#undef BUILTIN
  };
  return table;
}

const Builtin* findBuiltin(std::string_view name) {
  for (const Builtin& b : builtins())
    if (b.name == name) return &b;
  return nullptr;
}

namespace {
// Op -> the built-in it comes from, built once from the table.
const std::array<const Builtin*, 256>& byOp() {
  static const std::array<const Builtin*, 256> t = [] {
    std::array<const Builtin*, 256> a{};
    for (const Builtin& b : builtins()) {
      a[static_cast<uint8_t>(b.op)] = &b;
      if (b.takesOver()) a[static_cast<uint8_t>(b.overOp)] = &b;
    }
    return a;
  }();
  return t;
}
}  // namespace

const Builtin* builtinOf(Op op) { return byOp()[static_cast<uint8_t>(op)]; }

bool isTimeOp(Op op) {
  const Builtin* b = builtinOf(op);
  return b && (b->flags & TimeOp);
}

}  // namespace mtc::ir
