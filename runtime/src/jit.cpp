// The JIT evaluator: the plan's kernel programs (plan.h) compiled to native
// code with LLVM ORC LLJIT, one function per distinct program, plus one
// reduction function per aggregation in use.
//
// Every kernel loops over the slices of its output and, inside, over periods
// (rows are period-contiguous, so the period loops vectorise). Time operators
// are computed into scratch rows first. The floating-point operations are the
// interpreter's, in the interpreter's order, with no fast-math and no
// contraction, and the libm calls go to the same host functions: the two
// evaluators agree bit for bit (tests/unit/jit_test.cpp checks it on every
// example and on random models).
//
// Compiled objects are cached on disk (MTC_CACHE_DIR, else $XDG_CACHE_HOME/mtc,
// else ~/.cache/mtc; MTC_JIT_CACHE=off disables), keyed by a SHA-1 of the
// module's IR, the target CPU and its features, and the LLVM version. The folder
// must be this user's, mode 0700, not a link; each object carries a digest of its
// key and bytes and is loaded only when it matches (docs/reliability.md).
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/SHA1.h>
#include <llvm/Support/Host.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "llvm_compat.h"
#include "evalcall.h"
#include "mtc/fileio.h"
#include "mtc/dual.h"
#include "mtc/ops.h"
#include "plan.h"

namespace mtc::rt {

using namespace ir;

// Host functions called from JIT code, under names LLVM does not recognise as
// library calls (so it cannot rewrite pow(x, 2) as x*x and change a bit).
extern "C" {
static double mtc_pow(double a, double b) { return ops::pow(a, b); }
static double mtc_log(double a) { return std::log(a); }
static double mtc_exp(double a) { return std::exp(a); }
static double mtc_hill(double x, double h, double s) { return ops::hill(x, h, s); }
static double mtc_saturate(double x, double c, double r) { return ops::saturate(x, c, r); }
// the tangents (dual.h) of the operators the interpreter computes by a library call
static double mtc_dpow(double a, double b, double da, double db) { return dual::dpow(a, b, da, db); }
static double mtc_dhill(double x, double h, double s, double dx, double dh, double ds) { return dual::dhill(x, h, s, dx, dh, ds); }
static double mtc_dsaturate(double x, double c, double r, double dx, double dc, double dr) {
  return dual::dsaturate(x, c, r, dx, dc, dr);
}
}

namespace {

using KernelFn = void (*)(double* out, int64_t slices, int64_t T, const double* const* bases, const uint32_t* rowIndex,
                          const double* const* pbases, const uint32_t* paramIndex, const double* consts,
                          const int64_t* yearStart, const int64_t* lastYear, double* scratch);
using ReduceFn = void (*)(double* out, int64_t slices, int64_t T, const double* src, const uint32_t* index,
                          int64_t count);
// A dual kernel: the values into out (as the plain kernel computes them) and
// their tangents into tout, from the rows' and params' tangents.
using DualKernelFn = void (*)(double* out, double* tout, int64_t slices, int64_t T, const double* const* bases,
                              const double* const* tbases, const uint32_t* rowIndex, const double* const* pbases,
                              const double* const* tpbases, const uint32_t* paramIndex, const double* consts,
                              const int64_t* yearStart, const int64_t* lastYear, double* scratch, double* tscratch);

// ------------------------------------------------------------------ code generation

class Codegen {
 public:
  Codegen(llvm::LLVMContext& ctx, llvm::Module& mod) : C(ctx), M(mod), B(ctx) {
    dbl = B.getDoubleTy();
    i64 = B.getInt64Ty();
    i32 = B.getInt32Ty();
    ptr = llvm::PointerType::getUnqual(dbl);
    pptr = llvm::PointerType::getUnqual(ptr);
    nan = llvm::ConstantFP::getNaN(dbl);
    zero = llvm::ConstantFP::get(dbl, 0.0);
    one = llvm::ConstantFP::get(dbl, 1.0);
    auto host = [&](const char* name, unsigned n) {
      auto* ft = llvm::FunctionType::get(dbl, std::vector<llvm::Type*>(n, dbl), false);
      auto* f = llvm::Function::Create(ft, llvm::Function::ExternalLinkage, name, M);
      f->setDoesNotAccessMemory();
      f->setDoesNotThrow();
      return f;
    };
    fPow = host("mtc_pow", 2);
    fLog = host("mtc_log", 1);
    fExp = host("mtc_exp", 1);
    fHill = host("mtc_hill", 3);
    fSat = host("mtc_saturate", 3);
  }

  void kernel(const plan::Program& p, const std::string& name);
  // The dual flavour of a kernel: (value, tangent) pairs per operation (dual.h).
  void dualKernel(const plan::Program& p, const std::string& name);
  void reduce(Agg agg, const std::string& name);

 private:
  llvm::LLVMContext& C;
  llvm::Module& M;
  llvm::IRBuilder<> B;
  llvm::Type *dbl, *i64, *i32;
  llvm::PointerType *ptr, *pptr;
  llvm::Constant *nan, *zero, *one;
  llvm::Function *fPow, *fLog, *fExp, *fHill, *fSat;
  llvm::Function* fn = nullptr;

  // Per slice of the kernel being generated.
  const plan::Program* prog = nullptr;
  std::vector<llvm::Value*> rows, params, consts, results;  // results: time-op rows by node
  llvm::Value* T = nullptr;

  // for (i = begin; i < end; ++i) body(i)
  template <typename F>
  void loop(llvm::Value* begin, llvm::Value* end, F&& body) {
    llvm::BasicBlock* pre = B.GetInsertBlock();
    auto* head = llvm::BasicBlock::Create(C, "head", fn);
    auto* bodyBB = llvm::BasicBlock::Create(C, "body", fn);
    auto* exit = llvm::BasicBlock::Create(C, "exit", fn);
    B.CreateBr(head);
    B.SetInsertPoint(head);
    llvm::PHINode* i = B.CreatePHI(i64, 2);
    i->addIncoming(begin, pre);
    B.CreateCondBr(B.CreateICmpSLT(i, end), bodyBB, exit);
    B.SetInsertPoint(bodyBB);
    body(static_cast<llvm::Value*>(i));
    llvm::Value* next = B.CreateAdd(i, B.getInt64(1), "", true, true);
    i->addIncoming(next, B.GetInsertBlock());
    B.CreateBr(head);
    B.SetInsertPoint(exit);
  }

  llvm::Value* at(llvm::Value* row, llvm::Value* i) { return B.CreateLoad(dbl, B.CreateInBoundsGEP(dbl, row, i)); }
  void store(llvm::Value* v, llvm::Value* row, llvm::Value* i) { B.CreateStore(v, B.CreateInBoundsGEP(dbl, row, i)); }
  // The slice a kernel's slot reads at slice s: the same, the first, or from its table.
  llvm::Value* slotSlice(llvm::Value* s, plan::Map mp, llvm::Value* table, uint32_t ntab, uint32_t& j) {
    switch (mp) {
      case plan::Map::Same: return s;
      case plan::Map::Zero: return B.getInt64(0);
      case plan::Map::Table: {
        llvm::Value* k = B.CreateAdd(B.CreateMul(s, B.getInt64(ntab)), B.getInt64(j++));
        return B.CreateZExt(B.CreateLoad(i32, B.CreateInBoundsGEP(i32, table, k)), i64);
      }
    }
    return nullptr;
  }

  llvm::Value* isnan(llvm::Value* a) { return B.CreateFCmpUNO(a, a); }
  llvm::Value* eitherNan(llvm::Value* a, llvm::Value* b) { return B.CreateOr(isnan(a), isnan(b)); }
  llvm::Value* boolean(llvm::Value* c) { return B.CreateSelect(c, one, zero); }
  // row[i] when 0 <= i < T, else missing
  llvm::Value* atOrMissing(llvm::Value* row, llvm::Value* i) {
    llvm::Value* ok = B.CreateAnd(B.CreateICmpSGE(i, B.getInt64(0)), B.CreateICmpSLT(i, T));
    llvm::Value* v = at(row, B.CreateSelect(ok, i, B.getInt64(0)));
    return B.CreateSelect(ok, v, nan);
  }

  // ops.h, operation for operation
  llvm::Value* div(llvm::Value* a, llvm::Value* b) { return B.CreateSelect(B.CreateFCmpOEQ(b, zero), nan, B.CreateFDiv(a, b)); }
  llvm::Value* lt(llvm::Value* a, llvm::Value* b) { return B.CreateSelect(eitherNan(a, b), nan, boolean(B.CreateFCmpOLT(a, b))); }
  llvm::Value* le(llvm::Value* a, llvm::Value* b) { return B.CreateSelect(eitherNan(a, b), nan, boolean(B.CreateFCmpOLE(a, b))); }
  llvm::Value* eq(llvm::Value* a, llvm::Value* b) { return B.CreateSelect(eitherNan(a, b), nan, boolean(B.CreateFCmpOEQ(a, b))); }
  llvm::Value* bnot(llvm::Value* a) { return B.CreateSelect(isnan(a), nan, B.CreateSelect(B.CreateFCmpUNE(a, zero), zero, one)); }
  llvm::Value* truth(llvm::Value* a) { return B.CreateFCmpUNE(a, zero); }
  llvm::Value* band(llvm::Value* a, llvm::Value* b) { return B.CreateSelect(eitherNan(a, b), nan, boolean(B.CreateAnd(truth(a), truth(b)))); }
  llvm::Value* bor(llvm::Value* a, llvm::Value* b) { return B.CreateSelect(eitherNan(a, b), nan, boolean(B.CreateOr(truth(a), truth(b)))); }
  llvm::Value* min(llvm::Value* a, llvm::Value* b) { return B.CreateSelect(eitherNan(a, b), nan, B.CreateSelect(B.CreateFCmpOLT(b, a), b, a)); }
  llvm::Value* max(llvm::Value* a, llvm::Value* b) { return B.CreateSelect(eitherNan(a, b), nan, B.CreateSelect(B.CreateFCmpOGT(b, a), b, a)); }
  llvm::Value* call(llvm::Function* f, std::initializer_list<llvm::Value*> args) { return B.CreateCall(f, args); }
  // A stack slot in the entry block: there it is promoted to a register, and it
  // is allocated once per call. (An alloca inside a loop is neither: it grows
  // the stack at every iteration.)
  llvm::AllocaInst* entryAlloca() {
    llvm::BasicBlock& entry = fn->getEntryBlock();
    llvm::IRBuilder<> eb(&entry, entry.begin());
    return eb.CreateAlloca(dbl);
  }

  bool timeInvariant(uint32_t node) const {
    const plan::PNode& n = prog->nodes[node];
    if (n.kind == plan::Node::Row) return false;
    if (plan::isTimeNode(n)) return false;
    for (uint32_t a : n.args)
      if (!timeInvariant(a)) return false;
    return true;
  }

  llvm::Value* elem(uint32_t node, llvm::Value* t);
  void timeOp(uint32_t node, llvm::Value* scratch, uint32_t& nextTemp, llvm::Value* yearStart, llvm::Value* lastYear);
  // running sum of row[k] for k in [from, to]; 0 when empty
  llvm::Value* sumRange(llvm::Value* row, llvm::Value* from, llvm::Value* to);

  // dual kernels
  using Pair = std::pair<llvm::Value*, llvm::Value*>;
  std::vector<llvm::Value*> trows, tparams, tresults;
  llvm::Function *fDPow = nullptr, *fDHill = nullptr, *fDSat = nullptr;
  llvm::Function* hostFn(const char* name, unsigned n) {
    if (auto* f = M.getFunction(name)) return f;
    auto* ft = llvm::FunctionType::get(dbl, std::vector<llvm::Type*>(n, dbl), false);
    auto* f = llvm::Function::Create(ft, llvm::Function::ExternalLinkage, name, M);
    f->setDoesNotAccessMemory();
    f->setDoesNotThrow();
    return f;
  }
  Pair missingPair() { return {nan, nan}; }
  Pair sel(llvm::Value* c, Pair a, Pair b) { return {B.CreateSelect(c, a.first, b.first), B.CreateSelect(c, a.second, b.second)}; }
  Pair dadd(Pair a, Pair b) { return {B.CreateFAdd(a.first, b.first), B.CreateFAdd(a.second, b.second)}; }
  Pair dsub(Pair a, Pair b) { return {B.CreateFSub(a.first, b.first), B.CreateFSub(a.second, b.second)}; }
  Pair dmul(Pair a, Pair b) {
    return {B.CreateFMul(a.first, b.first), B.CreateFAdd(B.CreateFMul(a.second, b.first), B.CreateFMul(a.first, b.second))};
  }
  Pair dfdiv(Pair a, Pair b) {
    llvm::Value* q = B.CreateFDiv(a.first, b.first);
    return {q, B.CreateFDiv(B.CreateFSub(a.second, B.CreateFMul(q, b.second)), b.first)};
  }
  Pair ddiv(Pair a, Pair b) { return sel(B.CreateFCmpOEQ(b.first, zero), missingPair(), dfdiv(a, b)); }
  Pair dmin(Pair a, Pair b) { return sel(eitherNan(a.first, b.first), missingPair(), sel(B.CreateFCmpOLT(b.first, a.first), b, a)); }
  Pair dmax(Pair a, Pair b) { return sel(eitherNan(a.first, b.first), missingPair(), sel(B.CreateFCmpOGT(b.first, a.first), b, a)); }
  Pair elemD(uint32_t node, llvm::Value* t);
  void timeOpD(uint32_t node, llvm::Value* scratch, llvm::Value* tscratch, uint32_t& nextTemp, llvm::Value* yearStart,
               llvm::Value* lastYear);
};

llvm::Value* Codegen::elem(uint32_t node, llvm::Value* t) {
  const plan::PNode& n = prog->nodes[node];
  switch (n.kind) {
    case plan::Node::Row: return at(rows[n.slot], t);
    case plan::Node::Param: return params[n.slot];
    case plan::Node::Const: return consts[n.slot];
    case plan::Node::FDiv: return B.CreateFDiv(elem(n.args[0], t), elem(n.args[1], t));
    case plan::Node::Op: break;
  }
  if (ir::isTimeOp(n.op)) return at(results[node], t);
  std::vector<llvm::Value*> a;
  for (uint32_t x : n.args) a.push_back(elem(x, t));
  switch (n.op) {
    case Op::Neg: return B.CreateFNeg(a[0]);
    case Op::Not: return bnot(a[0]);
    case Op::Add: return B.CreateFAdd(a[0], a[1]);
    case Op::Sub: return B.CreateFSub(a[0], a[1]);
    case Op::Mul: return B.CreateFMul(a[0], a[1]);
    case Op::Div: return div(a[0], a[1]);
    case Op::Pow: return call(fPow, {a[0], a[1]});
    case Op::Lt: return lt(a[0], a[1]);
    case Op::Le: return le(a[0], a[1]);
    case Op::Gt: return lt(a[1], a[0]);
    case Op::Ge: return le(a[1], a[0]);
    case Op::Eq: return eq(a[0], a[1]);
    case Op::Ne: return bnot(eq(a[0], a[1]));
    case Op::And: return band(a[0], a[1]);
    case Op::Or: return bor(a[0], a[1]);
    case Op::If: return B.CreateSelect(isnan(a[0]), nan, B.CreateSelect(truth(a[0]), a[1], a[2]));
    case Op::Min: case Op::Max: {
      llvm::Value* v = a[0];
      for (size_t i = 1; i < a.size(); ++i) v = n.op == Op::Min ? min(v, a[i]) : max(v, a[i]);
      return v;
    }
    case Op::Abs: return B.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, a[0]);
    case Op::Log: return B.CreateSelect(B.CreateFCmpOGT(a[0], zero), call(fLog, {a[0]}), nan);
    case Op::Exp: return call(fExp, {a[0]});
    case Op::Sqrt: return B.CreateSelect(B.CreateFCmpOGE(a[0], zero), B.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, a[0]), nan);
    case Op::Clamp: return min(max(a[0], a[1]), a[2]);
    case Op::Hill: return call(fHill, {a[0], a[1], a[2]});
    case Op::Saturate: return call(fSat, {a[0], a[1], a[2]});
    case Op::Const: case Op::Param: case Op::Metric: case Op::Lag: case Op::Delta: case Op::PctChange:
    case Op::Cumsum: case Op::RollingSum:
    case Op::RollingMean: case Op::Ytd: case Op::Yoy: case Op::SumOver: case Op::MeanOver: case Op::MinOver:
    case Op::MaxOver: case Op::Share:
    case Op::Adstock: case Op::Select:
      break;
  }
  throw std::logic_error(fmt::format("JIT: no code for `{}`", opName(n.op)));
}

llvm::Value* Codegen::sumRange(llvm::Value* row, llvm::Value* from, llvm::Value* to) {
  llvm::AllocaInst* acc = entryAlloca();
  B.CreateStore(zero, acc);
  loop(from, B.CreateAdd(to, B.getInt64(1)), [&](llvm::Value* k) {
    B.CreateStore(B.CreateFAdd(B.CreateLoad(dbl, acc), at(row, k)), acc);
  });
  return B.CreateLoad(dbl, acc);
}

// Computes the row of time-operator node `node` into scratch, after its argument.
void Codegen::timeOp(uint32_t node, llvm::Value* scratch, uint32_t& nextTemp, llvm::Value* yearStart,
                     llvm::Value* lastYear) {
  const plan::PNode& n = prog->nodes[node];
  auto temp = [&] { return B.CreateInBoundsGEP(dbl, scratch, B.CreateMul(B.getInt64(nextTemp++), T)); };
  // the argument as a row
  llvm::Value* src;
  const plan::PNode& arg = prog->nodes[n.args[0]];
  if (arg.kind == plan::Node::Row) {
    src = rows[arg.slot];
  } else if (plan::isTimeNode(arg)) {
    src = results[n.args[0]];
  } else {
    src = temp();
    loop(B.getInt64(0), T, [&](llvm::Value* t) { store(elem(n.args[0], t), src, t); });
  }
  llvm::Value* res = temp();
  results[node] = res;
  llvm::Value* zero64 = B.getInt64(0);
  switch (n.op) {
    case Op::Lag:
      if (n.args.size() > 1) {  // with an opening value before the first period (args[1], element-wise)
        loop(zero64, T, [&](llvm::Value* t) {
          llvm::Value* k = B.CreateSub(t, B.getInt64(n.n));
          llvm::Value* before = B.CreateICmpSLT(k, zero64);
          llvm::Value* opening = elem(n.args[1], t);
          store(B.CreateSelect(before, opening, atOrMissing(src, k)), res, t);
        });
      } else {
        loop(zero64, T, [&](llvm::Value* t) { store(atOrMissing(src, B.CreateSub(t, B.getInt64(n.n))), res, t); });
      }
      break;
    case Op::Delta:
      loop(zero64, T, [&](llvm::Value* t) {
        store(B.CreateFSub(at(src, t), atOrMissing(src, B.CreateSub(t, B.getInt64(1)))), res, t);
      });
      break;
    case Op::PctChange:
      loop(zero64, T, [&](llvm::Value* t) {
        store(B.CreateFSub(div(at(src, t), atOrMissing(src, B.CreateSub(t, B.getInt64(1)))), one), res, t);
      });
      break;
    case Op::Yoy:
      loop(zero64, T, [&](llvm::Value* t) {
        llvm::Value* ly = B.CreateLoad(i64, B.CreateInBoundsGEP(i64, lastYear, t));
        store(B.CreateFSub(div(at(src, t), atOrMissing(src, ly)), one), res, t);
      });
      break;
    case Op::Cumsum: {
      llvm::AllocaInst* acc = entryAlloca();
      B.CreateStore(zero, acc);
      loop(zero64, T, [&](llvm::Value* t) {
        llvm::Value* s = B.CreateFAdd(B.CreateLoad(dbl, acc), at(src, t));
        B.CreateStore(s, acc);
        store(s, res, t);
      });
      break;
    }
    case Op::RollingSum: case Op::RollingMean:
      loop(zero64, T, [&](llvm::Value* t) {
        llvm::Value* lo = B.CreateSub(t, B.getInt64(n.n - 1));
        llvm::Value* ok = B.CreateICmpSGE(lo, zero64);
        llvm::Value* s = sumRange(src, B.CreateSelect(ok, lo, t), B.CreateSelect(ok, t, B.CreateSub(t, B.getInt64(1))));
        if (n.op == Op::RollingMean) s = B.CreateFDiv(s, llvm::ConstantFP::get(dbl, static_cast<double>(n.n)));
        store(B.CreateSelect(ok, s, nan), res, t);
      });
      break;
    case Op::Ytd:
      loop(zero64, T, [&](llvm::Value* t) {
        llvm::Value* ys = B.CreateLoad(i64, B.CreateInBoundsGEP(i64, yearStart, t));
        llvm::Value* ok = B.CreateICmpSGE(ys, zero64);
        llvm::Value* s = sumRange(src, B.CreateSelect(ok, ys, t), B.CreateSelect(ok, t, B.CreateSub(t, B.getInt64(1))));
        store(B.CreateSelect(ok, s, nan), res, t);
      });
      break;
    case Op::Adstock: {
      // y[t] = x[t] + decay * y[t-1], y[-1] = 0; with the decay read at t (a
      // series decay is re-run from the start for every t, as the interpreter does)
      llvm::AllocaInst* y = entryAlloca();
      if (timeInvariant(n.args[1])) {
        llvm::Value* decay = elem(n.args[1], zero64);
        B.CreateStore(zero, y);
        loop(zero64, T, [&](llvm::Value* t) {
          llvm::Value* v = B.CreateFAdd(at(src, t), B.CreateFMul(decay, B.CreateLoad(dbl, y)));
          B.CreateStore(v, y);
          store(v, res, t);
        });
      } else {
        loop(zero64, T, [&](llvm::Value* t) {
          llvm::Value* decay = elem(n.args[1], t);
          B.CreateStore(zero, y);
          loop(zero64, B.CreateAdd(t, B.getInt64(1)), [&](llvm::Value* k) {
            B.CreateStore(B.CreateFAdd(at(src, k), B.CreateFMul(decay, B.CreateLoad(dbl, y))), y);
          });
          store(B.CreateLoad(dbl, y), res, t);
        });
      }
      break;
    }
    case Op::Const: case Op::Param: case Op::Metric: case Op::Neg: case Op::Not: case Op::Add: case Op::Sub: case Op::Mul:
    case Op::Div: case Op::Pow: case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: case Op::Eq: case Op::Ne:
    case Op::And: case Op::Or: case Op::If: case Op::Min: case Op::Max: case Op::Abs: case Op::Log: case Op::Exp:
    case Op::Sqrt: case Op::Clamp: case Op::SumOver: case Op::MeanOver: case Op::MinOver: case Op::MaxOver:
    case Op::Share: case Op::Hill:
    case Op::Saturate: case Op::Select:
      throw std::logic_error("JIT: not a time operator");
  }
}

void Codegen::kernel(const plan::Program& p, const std::string& name) {
  prog = &p;
  auto* ft = llvm::FunctionType::get(B.getVoidTy(), {ptr, i64, i64, pptr, llvm::PointerType::getUnqual(i32), pptr,
                                                    llvm::PointerType::getUnqual(i32), ptr,
                                                    llvm::PointerType::getUnqual(i64), llvm::PointerType::getUnqual(i64), ptr},
                                     false);
  fn = llvm::Function::Create(ft, llvm::Function::ExternalLinkage, name, M);
  fn->setDoesNotThrow();
  auto arg = [&](unsigned i) { return fn->getArg(i); };
  llvm::Value *out = arg(0), *S = arg(1), *bases = arg(3), *rowIndex = arg(4), *pbases = arg(5), *paramIndex = arg(6),
              *constArr = arg(7), *yearStart = arg(8), *lastYear = arg(9), *scratch = arg(10);
  T = arg(2);
  for (unsigned i : {0u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 10u}) fn->addParamAttr(i, llvm::Attribute::NoAlias);
  B.SetInsertPoint(llvm::BasicBlock::Create(C, "entry", fn));

  consts.clear();
  for (uint32_t k = 0; k < p.consts; ++k) consts.push_back(at(constArr, B.getInt64(k)));

  loop(B.getInt64(0), S, [&](llvm::Value* s) {
    // which slice each slot reads
    auto sliceOf = [&](plan::Map mp, llvm::Value* table, uint32_t ntab, uint32_t& j) { return slotSlice(s, mp, table, ntab, j); };
    rows.clear();
    uint32_t j = 0;
    for (size_t k = 0; k < p.rowMaps.size(); ++k) {
      llvm::Value* base = B.CreateLoad(ptr, B.CreateInBoundsGEP(ptr, bases, B.getInt64(k)));
      rows.push_back(B.CreateInBoundsGEP(dbl, base, B.CreateMul(sliceOf(p.rowMaps[k], rowIndex, p.rowTables, j), T)));
    }
    params.clear();
    j = 0;
    for (size_t k = 0; k < p.paramMaps.size(); ++k) {
      llvm::Value* base = B.CreateLoad(ptr, B.CreateInBoundsGEP(ptr, pbases, B.getInt64(k)));
      params.push_back(at(base, sliceOf(p.paramMaps[k], paramIndex, p.paramTables, j)));
    }
    results.assign(p.nodes.size(), nullptr);
    uint32_t nextTemp = 0;
    for (uint32_t k = 0; k < p.nodes.size(); ++k)
      if (plan::isTimeNode(p.nodes[k])) timeOp(k, scratch, nextTemp, yearStart, lastYear);
    llvm::Value* outRow = B.CreateInBoundsGEP(dbl, out, B.CreateMul(s, T));
    uint32_t root = static_cast<uint32_t>(p.nodes.size() - 1);
    loop(B.getInt64(0), T, [&](llvm::Value* t) { store(elem(root, t), outRow, t); });
  });
  B.CreateRetVoid();
}

Codegen::Pair Codegen::elemD(uint32_t node, llvm::Value* t) {
  const plan::PNode& n = prog->nodes[node];
  switch (n.kind) {
    case plan::Node::Row: return {at(rows[n.slot], t), at(trows[n.slot], t)};
    case plan::Node::Param: return {params[n.slot], tparams[n.slot]};
    case plan::Node::Const: return {consts[n.slot], zero};
    case plan::Node::FDiv: return dfdiv(elemD(n.args[0], t), elemD(n.args[1], t));
    case plan::Node::Op: break;
  }
  if (ir::isTimeOp(n.op)) return {at(results[node], t), at(tresults[node], t)};
  std::vector<Pair> a;
  for (uint32_t x : n.args) a.push_back(elemD(x, t));
  auto flat = [&](llvm::Value* v) { return Pair{v, zero}; };
  switch (n.op) {
    case Op::Neg: return {B.CreateFNeg(a[0].first), B.CreateFNeg(a[0].second)};
    case Op::Not: return flat(bnot(a[0].first));
    case Op::Add: return dadd(a[0], a[1]);
    case Op::Sub: return dsub(a[0], a[1]);
    case Op::Mul: return dmul(a[0], a[1]);
    case Op::Div: return ddiv(a[0], a[1]);
    case Op::Pow:
      return {call(fPow, {a[0].first, a[1].first}), call(fDPow, {a[0].first, a[1].first, a[0].second, a[1].second})};
    case Op::Lt: return flat(lt(a[0].first, a[1].first));
    case Op::Le: return flat(le(a[0].first, a[1].first));
    case Op::Gt: return flat(lt(a[1].first, a[0].first));
    case Op::Ge: return flat(le(a[1].first, a[0].first));
    case Op::Eq: return flat(eq(a[0].first, a[1].first));
    case Op::Ne: return flat(bnot(eq(a[0].first, a[1].first)));
    case Op::And: return flat(band(a[0].first, a[1].first));
    case Op::Or: return flat(bor(a[0].first, a[1].first));
    case Op::If: return sel(isnan(a[0].first), missingPair(), sel(truth(a[0].first), a[1], a[2]));
    case Op::Min: case Op::Max: {
      Pair v = a[0];
      for (size_t i = 1; i < a.size(); ++i) v = n.op == Op::Min ? dmin(v, a[i]) : dmax(v, a[i]);
      return v;
    }
    case Op::Abs: {
      llvm::Value* x = a[0].first;
      llvm::Value* d = B.CreateSelect(B.CreateFCmpOGT(x, zero), a[0].second,
                                      B.CreateSelect(B.CreateFCmpOLT(x, zero), B.CreateFNeg(a[0].second), zero));
      return sel(isnan(x), missingPair(), Pair{B.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, x), d});
    }
    case Op::Log: {
      llvm::Value* x = a[0].first;
      return sel(B.CreateFCmpOGT(x, zero), Pair{call(fLog, {x}), B.CreateFDiv(a[0].second, x)}, missingPair());
    }
    case Op::Exp: {
      llvm::Value* e = call(fExp, {a[0].first});
      return {e, B.CreateFMul(e, a[0].second)};
    }
    case Op::Sqrt: {
      llvm::Value* x = a[0].first;
      llvm::Value* r = B.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, x);
      return sel(B.CreateFCmpOGE(x, zero), Pair{r, B.CreateFDiv(a[0].second, B.CreateFAdd(r, r))}, missingPair());
    }
    case Op::Clamp: return dmin(dmax(a[0], a[1]), a[2]);
    case Op::Hill:
      return {call(fHill, {a[0].first, a[1].first, a[2].first}),
              call(fDHill, {a[0].first, a[1].first, a[2].first, a[0].second, a[1].second, a[2].second})};
    case Op::Saturate:
      return {call(fSat, {a[0].first, a[1].first, a[2].first}),
              call(fDSat, {a[0].first, a[1].first, a[2].first, a[0].second, a[1].second, a[2].second})};
    case Op::Const: case Op::Param: case Op::Metric: case Op::Lag: case Op::Delta: case Op::PctChange:
    case Op::Cumsum: case Op::RollingSum:
    case Op::RollingMean: case Op::Ytd: case Op::Yoy: case Op::SumOver: case Op::MeanOver: case Op::MinOver:
    case Op::MaxOver: case Op::Share:
    case Op::Adstock: case Op::Select:
      break;
  }
  throw std::logic_error(fmt::format("JIT: no dual code for `{}`", opName(n.op)));
}

// timeOp over pairs: the value row into scratch (as timeOp computes it) and the tangent row into tscratch.
void Codegen::timeOpD(uint32_t node, llvm::Value* scratch, llvm::Value* tscratch, uint32_t& nextTemp, llvm::Value* yearStart,
                      llvm::Value* lastYear) {
  const plan::PNode& n = prog->nodes[node];
  auto temp = [&] {
    llvm::Value* off = B.CreateMul(B.getInt64(nextTemp++), T);
    return Pair{B.CreateInBoundsGEP(dbl, scratch, off), B.CreateInBoundsGEP(dbl, tscratch, off)};
  };
  Pair src;
  const plan::PNode& arg = prog->nodes[n.args[0]];
  if (arg.kind == plan::Node::Row) {
    src = {rows[arg.slot], trows[arg.slot]};
  } else if (plan::isTimeNode(arg)) {
    src = {results[n.args[0]], tresults[n.args[0]]};
  } else {
    src = temp();
    loop(B.getInt64(0), T, [&](llvm::Value* t) {
      Pair v = elemD(n.args[0], t);
      store(v.first, src.first, t);
      store(v.second, src.second, t);
    });
  }
  Pair res = temp();
  results[node] = res.first;
  tresults[node] = res.second;
  llvm::Value* zero64 = B.getInt64(0);
  auto put = [&](Pair v, llvm::Value* t) {
    store(v.first, res.first, t);
    store(v.second, res.second, t);
  };
  auto atD = [&](llvm::Value* t) { return Pair{at(src.first, t), at(src.second, t)}; };
  auto atOrMissingD = [&](llvm::Value* k) { return Pair{atOrMissing(src.first, k), atOrMissing(src.second, k)}; };
  auto sumRangeD = [&](llvm::Value* from, llvm::Value* to) {
    return Pair{sumRange(src.first, from, to), sumRange(src.second, from, to)};
  };
  Pair oneD{one, zero};
  switch (n.op) {
    case Op::Lag:
      if (n.args.size() > 1) {
        loop(zero64, T, [&](llvm::Value* t) {
          llvm::Value* k = B.CreateSub(t, B.getInt64(n.n));
          llvm::Value* before = B.CreateICmpSLT(k, zero64);
          Pair opening = elemD(n.args[1], t);
          put(sel(before, opening, atOrMissingD(k)), t);
        });
      } else {
        loop(zero64, T, [&](llvm::Value* t) { put(atOrMissingD(B.CreateSub(t, B.getInt64(n.n))), t); });
      }
      break;
    case Op::Delta:
      loop(zero64, T, [&](llvm::Value* t) { put(dsub(atD(t), atOrMissingD(B.CreateSub(t, B.getInt64(1)))), t); });
      break;
    case Op::PctChange:
      loop(zero64, T, [&](llvm::Value* t) { put(dsub(ddiv(atD(t), atOrMissingD(B.CreateSub(t, B.getInt64(1)))), oneD), t); });
      break;
    case Op::Yoy:
      loop(zero64, T, [&](llvm::Value* t) {
        llvm::Value* ly = B.CreateLoad(i64, B.CreateInBoundsGEP(i64, lastYear, t));
        put(dsub(ddiv(atD(t), atOrMissingD(ly)), oneD), t);
      });
      break;
    case Op::Cumsum: {
      llvm::AllocaInst* acc = entryAlloca();
      llvm::AllocaInst* tacc = entryAlloca();
      B.CreateStore(zero, acc);
      B.CreateStore(zero, tacc);
      loop(zero64, T, [&](llvm::Value* t) {
        Pair s = dadd(Pair{B.CreateLoad(dbl, acc), B.CreateLoad(dbl, tacc)}, atD(t));
        B.CreateStore(s.first, acc);
        B.CreateStore(s.second, tacc);
        put(s, t);
      });
      break;
    }
    case Op::RollingSum: case Op::RollingMean:
      loop(zero64, T, [&](llvm::Value* t) {
        llvm::Value* lo = B.CreateSub(t, B.getInt64(n.n - 1));
        llvm::Value* ok = B.CreateICmpSGE(lo, zero64);
        Pair s = sumRangeD(B.CreateSelect(ok, lo, t), B.CreateSelect(ok, t, B.CreateSub(t, B.getInt64(1))));
        if (n.op == Op::RollingMean) s = dfdiv(s, Pair{llvm::ConstantFP::get(dbl, static_cast<double>(n.n)), zero});
        put(sel(ok, s, missingPair()), t);
      });
      break;
    case Op::Ytd:
      loop(zero64, T, [&](llvm::Value* t) {
        llvm::Value* ys = B.CreateLoad(i64, B.CreateInBoundsGEP(i64, yearStart, t));
        llvm::Value* ok = B.CreateICmpSGE(ys, zero64);
        Pair s = sumRangeD(B.CreateSelect(ok, ys, t), B.CreateSelect(ok, t, B.CreateSub(t, B.getInt64(1))));
        put(sel(ok, s, missingPair()), t);
      });
      break;
    case Op::Adstock: {
      llvm::AllocaInst* y = entryAlloca();
      llvm::AllocaInst* ty = entryAlloca();
      auto step = [&](Pair decay, llvm::Value* k) {
        Pair v = dadd(atD(k), dmul(decay, Pair{B.CreateLoad(dbl, y), B.CreateLoad(dbl, ty)}));
        B.CreateStore(v.first, y);
        B.CreateStore(v.second, ty);
        return v;
      };
      if (timeInvariant(n.args[1])) {
        Pair decay = elemD(n.args[1], zero64);
        B.CreateStore(zero, y);
        B.CreateStore(zero, ty);
        loop(zero64, T, [&](llvm::Value* t) { put(step(decay, t), t); });
      } else {
        loop(zero64, T, [&](llvm::Value* t) {
          Pair decay = elemD(n.args[1], t);
          B.CreateStore(zero, y);
          B.CreateStore(zero, ty);
          loop(zero64, B.CreateAdd(t, B.getInt64(1)), [&](llvm::Value* k) { step(decay, k); });
          put(Pair{B.CreateLoad(dbl, y), B.CreateLoad(dbl, ty)}, t);
        });
      }
      break;
    }
    case Op::Const: case Op::Param: case Op::Metric: case Op::Neg: case Op::Not: case Op::Add: case Op::Sub: case Op::Mul:
    case Op::Div: case Op::Pow: case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: case Op::Eq: case Op::Ne:
    case Op::And: case Op::Or: case Op::If: case Op::Min: case Op::Max: case Op::Abs: case Op::Log: case Op::Exp:
    case Op::Sqrt: case Op::Clamp: case Op::SumOver: case Op::MeanOver: case Op::MinOver: case Op::MaxOver:
    case Op::Share: case Op::Hill:
    case Op::Saturate: case Op::Select:
      throw std::logic_error("JIT: not a time operator");
  }
}

void Codegen::dualKernel(const plan::Program& p, const std::string& name) {
  prog = &p;
  fDPow = hostFn("mtc_dpow", 4);
  fDHill = hostFn("mtc_dhill", 6);
  fDSat = hostFn("mtc_dsaturate", 6);
  auto* u32p = llvm::PointerType::getUnqual(i32);
  auto* i64p = llvm::PointerType::getUnqual(i64);
  auto* ft = llvm::FunctionType::get(B.getVoidTy(), {ptr, ptr, i64, i64, pptr, pptr, u32p, pptr, pptr, u32p, ptr, i64p, i64p, ptr, ptr},
                                     false);
  fn = llvm::Function::Create(ft, llvm::Function::ExternalLinkage, name, M);
  fn->setDoesNotThrow();
  auto arg = [&](unsigned i) { return fn->getArg(i); };
  llvm::Value *out = arg(0), *tout = arg(1), *S = arg(2), *bases = arg(4), *tbases = arg(5), *rowIndex = arg(6), *pbases = arg(7),
              *tpbases = arg(8), *paramIndex = arg(9), *constArr = arg(10), *yearStart = arg(11), *lastYear = arg(12),
              *scratch = arg(13), *tscratch = arg(14);
  T = arg(3);
  for (unsigned i : {0u, 1u, 4u, 5u, 6u, 7u, 8u, 9u, 10u, 11u, 12u, 13u, 14u}) fn->addParamAttr(i, llvm::Attribute::NoAlias);
  B.SetInsertPoint(llvm::BasicBlock::Create(C, "entry", fn));

  consts.clear();
  for (uint32_t k = 0; k < p.consts; ++k) consts.push_back(at(constArr, B.getInt64(k)));

  loop(B.getInt64(0), S, [&](llvm::Value* s) {
    auto sliceOf = [&](plan::Map mp, llvm::Value* table, uint32_t ntab, uint32_t& j) { return slotSlice(s, mp, table, ntab, j); };
    rows.clear();
    trows.clear();
    uint32_t j = 0;
    for (size_t k = 0; k < p.rowMaps.size(); ++k) {
      llvm::Value* off = B.CreateMul(sliceOf(p.rowMaps[k], rowIndex, p.rowTables, j), T);
      llvm::Value* base = B.CreateLoad(ptr, B.CreateInBoundsGEP(ptr, bases, B.getInt64(k)));
      llvm::Value* tbase = B.CreateLoad(ptr, B.CreateInBoundsGEP(ptr, tbases, B.getInt64(k)));
      rows.push_back(B.CreateInBoundsGEP(dbl, base, off));
      trows.push_back(B.CreateInBoundsGEP(dbl, tbase, off));
    }
    params.clear();
    tparams.clear();
    j = 0;
    for (size_t k = 0; k < p.paramMaps.size(); ++k) {
      llvm::Value* sl = sliceOf(p.paramMaps[k], paramIndex, p.paramTables, j);
      params.push_back(at(B.CreateLoad(ptr, B.CreateInBoundsGEP(ptr, pbases, B.getInt64(k))), sl));
      tparams.push_back(at(B.CreateLoad(ptr, B.CreateInBoundsGEP(ptr, tpbases, B.getInt64(k))), sl));
    }
    results.assign(p.nodes.size(), nullptr);
    tresults.assign(p.nodes.size(), nullptr);
    uint32_t nextTemp = 0;
    for (uint32_t k = 0; k < p.nodes.size(); ++k)
      if (plan::isTimeNode(p.nodes[k])) timeOpD(k, scratch, tscratch, nextTemp, yearStart, lastYear);
    llvm::Value* outRow = B.CreateInBoundsGEP(dbl, out, B.CreateMul(s, T));
    llvm::Value* toutRow = B.CreateInBoundsGEP(dbl, tout, B.CreateMul(s, T));
    uint32_t root = static_cast<uint32_t>(p.nodes.size() - 1);
    loop(B.getInt64(0), T, [&](llvm::Value* t) {
      Pair v = elemD(root, t);
      store(v.first, outRow, t);
      store(v.second, toutRow, t);
    });
  });
  B.CreateRetVoid();
}

void Codegen::reduce(Agg agg, const std::string& name) {
  auto* ft = llvm::FunctionType::get(B.getVoidTy(), {ptr, i64, i64, ptr, llvm::PointerType::getUnqual(i32), i64}, false);
  fn = llvm::Function::Create(ft, llvm::Function::ExternalLinkage, name, M);
  fn->setDoesNotThrow();
  llvm::Value *out = fn->getArg(0), *S = fn->getArg(1), *src = fn->getArg(3), *index = fn->getArg(4), *count = fn->getArg(5);
  T = fn->getArg(2);
  fn->addParamAttr(0, llvm::Attribute::NoAlias);
  B.SetInsertPoint(llvm::BasicBlock::Create(C, "entry", fn));
  llvm::Value* init = llvm::ConstantFP::get(dbl, ops::aggInit(agg));
  loop(B.getInt64(0), S, [&](llvm::Value* s) {
    llvm::Value* outRow = B.CreateInBoundsGEP(dbl, out, B.CreateMul(s, T));
    loop(B.getInt64(0), T, [&](llvm::Value* t) { store(init, outRow, t); });
    loop(B.getInt64(0), count, [&](llvm::Value* r) {
      llvm::Value* k = B.CreateZExt(B.CreateLoad(i32, B.CreateInBoundsGEP(i32, index, B.CreateAdd(B.CreateMul(s, count), r))), i64);
      llvm::Value* row = B.CreateInBoundsGEP(dbl, src, B.CreateMul(k, T));
      loop(B.getInt64(0), T, [&](llvm::Value* t) {
        llvm::Value *acc = at(outRow, t), *v = at(row, t);
        llvm::Value* step = agg == Agg::Min   ? B.CreateSelect(B.CreateFCmpOLT(v, acc), v, acc)
                            : agg == Agg::Max ? B.CreateSelect(B.CreateFCmpOGT(v, acc), v, acc)
                                              : B.CreateFAdd(acc, v);
        store(B.CreateSelect(eitherNan(v, acc), nan, step), outRow, t);
      });
    });
    llvm::Value* empty = B.CreateICmpEQ(count, B.getInt64(0));
    llvm::Value* n = B.CreateSIToFP(count, dbl);
    loop(B.getInt64(0), T, [&](llvm::Value* t) {
      llvm::Value* acc = at(outRow, t);
      if (agg == Agg::Mean) acc = B.CreateFDiv(acc, n);
      store(B.CreateSelect(empty, nan, acc), outRow, t);
    });
  });
  B.CreateRetVoid();
}

// ------------------------------------------------------------------ compilation

std::once_flag llvmInit;

// The cache holds code that mtc loads and runs: it is used only when it is a
// real folder (not a link) owned by this user with mode 0700 (one of ours that is
// more open is closed to 0700; anyone else's, or a link, is refused with one
// warning, and the run compiles without it).
bool privateFolder(const std::filesystem::path& d) {
  std::error_code ec;
  std::filesystem::create_directories(d.parent_path(), ec);
  if (::mkdir(d.c_str(), 0700) != 0 && errno != EEXIST) return false;
  struct stat st {};
  if (::lstat(d.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::geteuid()) return false;
  if ((st.st_mode & 077) != 0 && ::chmod(d.c_str(), 0700) != 0) return false;
  return true;
}

std::filesystem::path cacheDir() {
  const char* off = std::getenv("MTC_JIT_CACHE");
  if (off && std::string(off) == "off") return {};
  std::filesystem::path d;
  if (const char* e = std::getenv("MTC_CACHE_DIR"); e && *e) d = e;
  else if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) d = std::filesystem::path(x) / "mtc";
  else if (const char* h = std::getenv("HOME"); h && *h) d = std::filesystem::path(h) / ".cache" / "mtc";
  if (d.empty()) return {};
  static std::mutex mu;
  static std::map<std::string, bool> checked;  // per folder, once per process
  std::lock_guard<std::mutex> lock(mu);
  auto [it, fresh] = checked.try_emplace(d.string(), false);
  if (fresh) {
    it->second = privateFolder(d);
    if (!it->second)
      std::fprintf(stderr, "mtc: warning: the JIT cache folder %s is not a private folder of this user (mode 0700, not a link): "
                           "not used\n", d.c_str());
  }
  return it->second ? d : std::filesystem::path{};
}

// A cached object is stored with a SHA-1 of its key and its bytes after it, and
// loaded only when that digest matches (a truncated or altered file is compiled again).
constexpr size_t kDigest = 20;
std::string sealObject(const std::string& key, const std::string& object) {
  llvm::SHA1 sha;
  sha.update(key);
  sha.update(object);
  auto d = sha.final();
  return object + std::string(reinterpret_cast<const char*>(d.data()), d.size());
}
bool openSealed(const std::string& key, std::string& stored) {
  if (stored.size() <= kDigest) return false;
  llvm::SHA1 sha;
  sha.update(key);
  sha.update(llvm::StringRef(stored.data(), stored.size() - kDigest));
  auto d = sha.final();
  if (std::memcmp(d.data(), stored.data() + stored.size() - kDigest, kDigest) != 0) return false;
  stored.resize(stored.size() - kDigest);
  return true;
}

[[noreturn]] void fail(const std::string& what, llvm::Error e) {
  std::string msg;
  llvm::raw_string_ostream os(msg);
  os << e;
  throw RunError(fmt::format("JIT: {}: {}", what, os.str()));
}

class JitEvaluator final : public Evaluator {
 public:
  JitEvaluator(const Model& m, const Data& d, const EvalOptions& o)
      : Evaluator(m, o), d_(d), plan_(plan::lower(m, need_, periodParam_)), tangents_(o.tangents) {
    auto t0 = std::chrono::steady_clock::now();
    compile();
    stats_.compileSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }

  const EvalStats& stats() const override { return stats_; }

  void evaluateInto(const Scenario& sc, Values& out, const Subset* subset) const override {
    EvalCall call(*this, d_, sc, out, subset);
    Values::Storage& st = call.st;
    const size_t T = static_cast<size_t>(call.T);
    st.hidden.resize(plan_.hidden.size());
    st.scratch.resize(size_t{plan_.maxTemps} * T + 1);
    call.run([&](Id id) { run(plan_.metrics[id].formula, call); }, [&](Id id) { run(plan_.metrics[id].total, call); });
  }

  void tangentInto(const Scenario& sc, const Seed& seed, Values& out, Tangents& tan, const Subset* subset) const override {
    if (!tangents_) throw std::logic_error("JIT: tangentInto needs EvalOptions::tangents");
    EvalCall call(*this, d_, sc, out, subset);
    call.startTangents(tan, seed);
    Values::Storage& st = call.st;
    const size_t T = static_cast<size_t>(call.T);
    st.hidden.resize(plan_.hidden.size());
    st.scratch.resize(size_t{plan_.maxTemps} * T + 1);
    tan.hidden.resize(plan_.hidden.size());
    tan.scratch.resize(size_t{plan_.maxTemps} * T + 1);
    call.run([&](Id id) { runDual(plan_.metrics[id].formula, call); }, [&](Id id) { runDual(plan_.metrics[id].total, call); });
  }

 private:
  const Data& d_;
  plan::Plan plan_;
  EvalStats stats_;
  bool tangents_ = false;
  std::unique_ptr<llvm::orc::LLJIT> jit_;
  std::vector<DualKernelFn> dualKernels_;  // by program, with EvalOptions::tangents
  std::vector<KernelFn> kernels_;       // by program
  ReduceFn reduces_[5] = {};             // by Agg

  const Series& input(EvalCall& c, plan::SeriesRef r) const {
    switch (r.kind) {
      case plan::SeriesRef::Metric: return *c.st.metrics[r.id];
      case plan::SeriesRef::Total: return *c.st.totals[r.id];
      case plan::SeriesRef::Hidden: return c.st.hidden[r.id];
      case plan::SeriesRef::ParamRow: return *c.st.paramRowOf[r.id];
    }
    throw std::logic_error("JIT: no such series");
  }

  Series& output(EvalCall& c, plan::SeriesRef r, size_t slices) const {
    switch (r.kind) {
      case plan::SeriesRef::Metric: return c.output(r.id);
      case plan::SeriesRef::Total: return c.outputTotal(r.id);
      case plan::SeriesRef::Hidden: break;
      case plan::SeriesRef::ParamRow: throw std::logic_error("JIT: a step writes a param");
    }
    Series& s = c.st.hidden[r.id];
    s.slices = slices;
    s.periods = static_cast<size_t>(c.T);
    s.v.resize(slices * s.periods);
    return s;
  }

  void run(const std::vector<plan::Step>& steps, EvalCall& c) const {
    const int64_t T = c.T;
    Values::Storage& st = c.st;
    for (const plan::Step& step : steps) {
      if (step.kind == plan::Step::Reduce) {
        const plan::ReduceStep& r = plan_.reduces[step.index];
        const double* src = input(c, r.src).v.data();
        Series& o = output(c, r.out, r.slices);
        reduces_[static_cast<int>(r.agg)](o.v.data(), r.slices, T, src, r.index.data(), r.count);
        continue;
      }
      const plan::KernelStep& k = plan_.kernels[step.index];
      st.bases.resize(k.rows.size());
      st.pbases.resize(k.params.size());
      for (size_t i = 0; i < k.rows.size(); ++i) st.bases[i] = input(c, k.rows[i].src).v.data();
      for (size_t i = 0; i < k.params.size(); ++i) st.pbases[i] = st.params[k.params[i].param]->data();
      Series& o = output(c, k.out, k.slices);
      kernels_[k.program](o.v.data(), k.slices, T, st.bases.data(), k.rowIndex.data(), st.pbases.data(), k.paramIndex.data(),
                          k.consts.data(), st.yearStart.data(), st.lastYear.data(), st.scratch.data());
    }
  }

  const Series& tinput(EvalCall& c, plan::SeriesRef r) const {
    switch (r.kind) {
      case plan::SeriesRef::Metric: return c.tan->metrics[r.id];
      case plan::SeriesRef::Total: return c.tan->totals[r.id];
      case plan::SeriesRef::Hidden: return c.tan->hidden[r.id];
      case plan::SeriesRef::ParamRow: return c.paramRowTangent(r.id);
    }
    throw std::logic_error("JIT: no such series");
  }

  Series& toutput(EvalCall& c, plan::SeriesRef r, size_t slices) const {
    switch (r.kind) {
      case plan::SeriesRef::Metric: return c.tangentOutput(r.id);
      case plan::SeriesRef::Total: return c.tangentTotal(r.id);
      case plan::SeriesRef::Hidden: break;
      case plan::SeriesRef::ParamRow: throw std::logic_error("JIT: a step writes a param");
    }
    Series& s = c.tan->hidden[r.id];
    s.slices = slices;
    s.periods = static_cast<size_t>(c.T);
    s.v.resize(slices * s.periods);
    return s;
  }

  // run() over pairs: dual kernels; a reduction's values by its compiled
  // function, their tangents here (dual::aggStep: min and max follow the element they keep).
  void runDual(const std::vector<plan::Step>& steps, EvalCall& c) const {
    const int64_t T = c.T;
    Values::Storage& st = c.st;
    std::vector<const double*> tbases, tpbases;
    for (const plan::Step& step : steps) {
      if (step.kind == plan::Step::Reduce) {
        const plan::ReduceStep& r = plan_.reduces[step.index];
        const Series& srcS = input(c, r.src);
        const Series& tsrc = tinput(c, r.src);
        Series& o = output(c, r.out, r.slices);
        reduces_[static_cast<int>(r.agg)](o.v.data(), r.slices, T, srcS.v.data(), r.index.data(), r.count);
        Series& to = toutput(c, r.out, r.slices);
        const size_t P = static_cast<size_t>(T);
        for (size_t s = 0; s < r.slices; ++s)
          for (size_t t = 0; t < P; ++t) {
            Dual acc{ops::aggInit(r.agg), 0.0};
            for (size_t k = 0; k < r.count; ++k) {
              size_t row = r.index[s * r.count + k];
              acc = dual::aggStep(r.agg, acc, Dual{srcS.v[row * P + t], tsrc.v[row * P + t]});
            }
            to.v[s * P + t] = dual::aggDone(r.agg, acc, r.count).d;
          }
        continue;
      }
      const plan::KernelStep& k = plan_.kernels[step.index];
      st.bases.resize(k.rows.size());
      st.pbases.resize(k.params.size());
      tbases.resize(k.rows.size());
      tpbases.resize(k.params.size());
      for (size_t i = 0; i < k.rows.size(); ++i) {
        st.bases[i] = input(c, k.rows[i].src).v.data();
        tbases[i] = tinput(c, k.rows[i].src).v.data();
      }
      for (size_t i = 0; i < k.params.size(); ++i) {
        st.pbases[i] = st.params[k.params[i].param]->data();
        tpbases[i] = c.paramTangent(k.params[i].param).data();
      }
      Series& o = output(c, k.out, k.slices);
      Series& to = toutput(c, k.out, k.slices);
      dualKernels_[k.program](o.v.data(), to.v.data(), k.slices, T, st.bases.data(), tbases.data(), k.rowIndex.data(),
                              st.pbases.data(), tpbases.data(), k.paramIndex.data(), k.consts.data(), st.yearStart.data(),
                              st.lastYear.data(), st.scratch.data(), c.tan->scratch.data());
    }
  }

  void compile();
};

// Compiles programs [begin, end) (and, in the first chunk, the reductions in
// use) into an object file, through the on-disk cache.
std::string compileChunk(const plan::Plan& plan, size_t begin, size_t end, const bool* aggUsed, bool dual,
                         llvm::orc::JITTargetMachineBuilder jtmb, bool& cached) {
  auto tm = jtmb.createTargetMachine();
  if (!tm) fail("target", tm.takeError());
  auto ctx = std::make_unique<llvm::LLVMContext>();
  auto mod = std::make_unique<llvm::Module>("mtc", *ctx);
  mod->setDataLayout((*tm)->createDataLayout());
  mod->setTargetTriple((*tm)->getTargetTriple().str());
  Codegen cg(*ctx, *mod);
  for (size_t i = begin; i < end; ++i) cg.kernel(plan.programs[i], fmt::format("k{}", i));
  for (size_t i = begin; dual && i < end; ++i) cg.dualKernel(plan.programs[i], fmt::format("d{}", i));
  for (int a = 0; aggUsed && a < 5; ++a)
    if (aggUsed[a]) cg.reduce(static_cast<Agg>(a), fmt::format("r{}", a));
  std::string verr;
  llvm::raw_string_ostream vos(verr);
  if (llvm::verifyModule(*mod, &vos)) throw std::logic_error("JIT: invalid module: " + vos.str());

  // the cache key: the IR, the CPU and its features, the LLVM version
  std::string ir;
  llvm::raw_string_ostream irs(ir);
  mod->print(irs, nullptr);
  irs << (*tm)->getTargetCPU() << (*tm)->getTargetFeatureString() << LLVM_VERSION_STRING;
  llvm::SHA1 sha;
  sha.update(irs.str());
  std::filesystem::path dir = cacheDir();
  const std::string key = llvm::toHex(sha.final(), true);
  std::filesystem::path file = dir.empty() ? dir : dir / (key + ".o");
  std::string object;
  if (!file.empty() && readFile(file.string(), object) && openSealed(key, object)) {
    cached = true;
    return object;
  }
  cached = false;
  object.clear();

  // optimise (O2, with the target's cost model so loops vectorise), then emit
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(tm->get());
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2).run(*mod, mam);
  llvm::SmallVector<char, 0> buf;
  llvm::raw_svector_ostream os(buf);
  llvm::legacy::PassManager pm;
  if ((*tm)->addPassesToEmitFile(pm, os, nullptr, llvm::CGFT_ObjectFile))
    throw RunError("JIT: the target cannot emit object code");
  pm.run(*mod);
  object.assign(buf.begin(), buf.end());
  if (!file.empty()) {  // a cache that cannot be written is simply not used
    std::string err;
    writeFileAtomically(file.string(), sealObject(key, object), err);
  }
  return object;
}

void JitEvaluator::compile() {
  std::call_once(llvmInit, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
  auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!jtmb) fail("host", jtmb.takeError());
  jtmb->setCodeGenOptLevel(llvm::CodeGenOpt::Default);
  bool aggUsed[5] = {};
  for (const auto& r : plan_.reduces) aggUsed[static_cast<int>(r.agg)] = true;

  // Compile in chunks on every core (LLVM's cost grows with the code, and one
  // module compiles on one thread). Chunks are contiguous and their number
  // depends only on the program count, so cache keys are stable across runs.
  const size_t P = plan_.programs.size();
  size_t chunks = std::clamp<size_t>(P / 8, 1, std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::string> objects(chunks);
  std::vector<char> cached(chunks, 0);
  std::vector<std::exception_ptr> errors(chunks);
  auto work = [&](size_t c) {
    try {
      bool hit = false;
      objects[c] = compileChunk(plan_, P * c / chunks, P * (c + 1) / chunks, c == 0 ? aggUsed : nullptr, tangents_, *jtmb, hit);
      cached[c] = hit;
    } catch (...) {
      errors[c] = std::current_exception();
    }
  };
  std::vector<std::thread> threads;
  for (size_t c = 1; c < chunks; ++c) threads.emplace_back(work, c);
  work(0);
  for (auto& t : threads) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
  stats_.cached = std::all_of(cached.begin(), cached.end(), [](char c) { return c != 0; });

  auto jit = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(std::move(*jtmb)).create();
  if (!jit) fail("create", jit.takeError());
  jit_ = std::move(*jit);
  llvm::orc::JITDylib& jd = jit_->getMainJITDylib();
  llvm::orc::SymbolMap host;
  for (auto [name, f] : {std::pair<const char*, void*>{"mtc_pow", reinterpret_cast<void*>(&mtc_pow)},
                         {"mtc_log", reinterpret_cast<void*>(&mtc_log)},
                         {"mtc_exp", reinterpret_cast<void*>(&mtc_exp)},
                         {"mtc_hill", reinterpret_cast<void*>(&mtc_hill)},
                         {"mtc_saturate", reinterpret_cast<void*>(&mtc_saturate)},
                         {"mtc_dpow", reinterpret_cast<void*>(&mtc_dpow)},
                         {"mtc_dhill", reinterpret_cast<void*>(&mtc_dhill)},
                         {"mtc_dsaturate", reinterpret_cast<void*>(&mtc_dsaturate)}})
    host.insert(llvmc::hostSymbol(*jit_, name, f));
  if (auto e = jd.define(llvm::orc::absoluteSymbols(host))) fail("host symbols", std::move(e));
  // memset / memcpy the optimiser may introduce
  auto gen = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(jit_->getDataLayout().getGlobalPrefix());
  if (!gen) fail("process symbols", gen.takeError());
  jd.addGenerator(std::move(*gen));
  for (const std::string& object : objects)
    if (auto e = jit_->addObjectFile(llvm::MemoryBuffer::getMemBufferCopy(object, "mtc-kernels")))
      fail("load", std::move(e));

  kernels_.resize(plan_.programs.size());
  for (size_t i = 0; i < plan_.programs.size(); ++i) {
    auto a = llvmc::lookupAddress(*jit_, fmt::format("k{}", i));
    if (!a) fail("lookup", a.takeError());
    kernels_[i] = reinterpret_cast<KernelFn>(*a);
  }
  if (tangents_) {
    dualKernels_.resize(plan_.programs.size());
    for (size_t i = 0; i < plan_.programs.size(); ++i) {
      auto a = llvmc::lookupAddress(*jit_, fmt::format("d{}", i));
      if (!a) fail("lookup", a.takeError());
      dualKernels_[i] = reinterpret_cast<DualKernelFn>(*a);
    }
  }
  for (int a = 0; a < 5; ++a) {
    if (!aggUsed[a]) continue;
    auto addr = llvmc::lookupAddress(*jit_, fmt::format("r{}", a));
    if (!addr) fail("lookup", addr.takeError());
    reduces_[a] = reinterpret_cast<ReduceFn>(*addr);
  }
  stats_.kernels = plan_.programs.size();
  for (bool u : aggUsed) stats_.kernels += u;
}

}  // namespace

std::string dumpPlan(const Model& m, const EvalOptions& o) {
  std::vector<bool> need = needed(m, o.only);
  std::vector<uint8_t> n(need.begin(), need.end()), pp(m.params.size(), 0);
  for (Id p : o.periodParams) pp.at(p) = 1;
  return plan::print(m, plan::lower(m, n, pp));
}

// The marker of a plan whose objects are in the cache: its printed plan (the
// kernels and steps the JIT compiles) and the host, hashed.
static std::filesystem::path planMarker(const Model& m, const EvalOptions& o) {
  std::filesystem::path dir = cacheDir();
  if (dir.empty()) return {};
  llvm::SHA1 sha;
  sha.update(dumpPlan(m, o));
  sha.update(llvm::sys::getHostCPUName());
  sha.update(LLVM_VERSION_STRING);
  return dir / ("plan-" + llvm::toHex(sha.final(), true));
}

static void markPlan(const std::filesystem::path& f) {
  if (f.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(f.parent_path(), ec);
  std::string err;
  writeFileAtomically(f.string(), "", err);  // a marker that cannot be written is no harm
}

// A plan seen by an earlier run. A marker this process wrote does not count:
// two statements of one run evaluating the same metrics (a seek and a
// recommend) would otherwise compile the plan at O2 on the second, in the run
// whose first use chose to interpret it.
bool jitPlanSeen(const Model& m, const EvalOptions& o) {
  static std::mutex mu;
  static std::set<std::string> markedHere;
  std::filesystem::path f = planMarker(m, o);
  if (f.empty()) return false;
  std::lock_guard lock(mu);
  if (markedHere.count(f.string())) return false;
  std::error_code ec;
  if (std::filesystem::exists(f, ec)) return true;
  markPlan(f);
  markedHere.insert(f.string());
  return false;
}

std::unique_ptr<Evaluator> makeJit(const Model& m, const Data& d, const EvalOptions& o) {
  auto ev = std::make_unique<JitEvaluator>(m, d, o);
  if (!ev->stats().cached) markPlan(planMarker(m, o));
  return ev;
}

}  // namespace mtc::rt
