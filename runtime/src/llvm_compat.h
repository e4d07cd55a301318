// The few LLVM calls whose signatures change between LLVM 14 (Debian 12) and
// later releases, in one place.
#pragma once

#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/Passes/OptimizationLevel.h>

namespace mtc::rt::llvmc {

// The address of a JIT-compiled function.
inline llvm::Expected<uint64_t> lookupAddress(llvm::orc::LLJIT& jit, llvm::StringRef name) {
  auto sym = jit.lookup(name);
  if (!sym) return sym.takeError();
#if LLVM_VERSION_MAJOR >= 15
  return sym->getValue();
#else
  return sym->getAddress();
#endif
}

// A host function made visible to JIT code under `name`.
inline std::pair<llvm::orc::SymbolStringPtr, llvm::JITEvaluatedSymbol> hostSymbol(llvm::orc::LLJIT& jit,
                                                                                  llvm::StringRef name, void* fn) {
  return {jit.mangleAndIntern(name),
          llvm::JITEvaluatedSymbol(llvm::pointerToJITTargetAddress(fn), llvm::JITSymbolFlags::Exported)};
}

}  // namespace mtc::rt::llvmc
