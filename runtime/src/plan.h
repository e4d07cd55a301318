// The evaluation plan: the IR's formulas lowered into kernel programs, the form
// the JIT compiles. It is independent of LLVM.
//
// A *program* is an element-wise expression over rows of T values (one row =
// one slice of a series over all periods) plus time operators, which read a
// whole row. Its leaves are slots: row slots (a series read at the slice the
// kernel is computing), param slots and constant slots. Two formulas with the
// same structure (`a * b` and `c * d`) have the same program key and share one
// compiled kernel; only the slot bindings differ. Business models reuse a few
// shapes, so a model of thousands of formulas compiles a few dozen kernels.
//
// A *step* runs a kernel (or a reduction) over every slice of an output series.
// Reductions over dimensions (`sum(x over d)`, `share`) and totals over slices
// are reduce steps; an argument of a reduction that is not a plain metric is
// first computed into a hidden series by a step of its own.
//
// Semantics are those of the reference interpreter (interp.cpp, ops.h); the
// lowering keeps the interpreter's order of every floating-point operation, so
// the two agree bit for bit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mtc/builtins.h"
#include "mtc/ir.h"

namespace mtc::rt::plan {

// Where a step reads or writes a series.
struct SeriesRef {
  enum Kind : uint8_t { Metric, Total, Hidden, ParamRow } kind = Metric;
  uint32_t id = 0;  // metric id, hidden series index, or param id (a param overridable by period, read as a row)
};

// How a slot finds its slice for the kernel's output slice s.
enum class Map : uint8_t {
  Same,   // slice s (the source has the kernel's dimensions)
  Zero,   // slice 0 (no dimensions, or a total)
  Table,  // a per-slice index table
};

// Kernel program node kinds beyond ir::Op.
enum class Node : uint8_t { Row, Param, Const, Op, FDiv };

struct PNode {
  Node kind = Node::Op;
  ir::Op op = ir::Op::Const;  // for Node::Op
  uint32_t slot = 0;          // Row / Param / Const slot
  int64_t n = 0;              // lag / rolling window
  std::vector<uint32_t> args; // node indices (children come first)
};

// Time operators (ir::isTimeOp: lag, delta, pct_change, cumsum, rolling windows,
// ytd, yoy, adstock) read their argument's whole row, so kernels compute them
// into scratch rows first.
inline bool isTimeNode(const PNode& n) { return n.kind == Node::Op && ir::isTimeOp(n.op); }

struct Program {
  std::vector<PNode> nodes;  // post-order; the last is the root
  std::vector<Map> rowMaps, paramMaps;
  uint32_t rowTables = 0, paramTables = 0;  // how many slots of each are Map::Table
  uint32_t consts = 0;
  uint32_t temps = 0;        // rows of scratch the kernel needs
  std::string key;           // structure; equal keys = one compiled kernel
};

struct Slot {
  SeriesRef src;              // row slots
  ir::Id param = ir::kNone;   // param slots
};

// Runs one program over every slice of `out`.
struct KernelStep {
  uint32_t program = 0;            // index into Plan::programs
  SeriesRef out;
  uint32_t slices = 1;
  std::vector<Slot> rows, params;
  std::vector<double> consts;
  // Index tables for Map::Table slots, slice-major: [s * Program::rowTables + k].
  std::vector<uint32_t> rowIndex, paramIndex;
};

// out[s][t] = agg over r of src[index[s * count + r]][t], finished with `n`.
struct ReduceStep {
  ir::Agg agg = ir::Agg::Sum;
  SeriesRef src, out;
  uint32_t slices = 1, count = 0;
  std::vector<uint32_t> index;
};

struct Step {
  enum Kind : uint8_t { Kernel, Reduce } kind = Kernel;
  uint32_t index = 0;  // into Plan::kernels / Plan::reduces
};

struct MetricPlan {
  std::vector<Step> formula;  // hidden series then the metric itself (formula metrics)
  std::vector<Step> total;    // the total over slices
};

struct Hidden {
  uint32_t slices = 1;
};

struct Plan {
  std::vector<Program> programs;
  std::vector<KernelStep> kernels;
  std::vector<ReduceStep> reduces;
  std::vector<Hidden> hidden;
  std::vector<MetricPlan> metrics;  // indexed by metric id
  uint32_t maxTemps = 0;
};

// Lowers the formulas of the metrics in `need` (all when empty). Params marked
// in `periodParams` are read as rows (a scenario may set them by period); the
// others as one value per slice. Throws std::logic_error on IR the lowering
// does not handle (a bug, never a fallback).
Plan lower(const ir::Model& m, const std::vector<uint8_t>& need, const std::vector<uint8_t>& periodParams);

// The plan as text, for golden tests and `mtc run --dump-plan`.
std::string print(const ir::Model& m, const Plan& p);

}  // namespace mtc::rt::plan
