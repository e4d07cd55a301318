// Expressions evaluated over computed values, outside any metric: the sides of
// goals and constraints, the terms of a sum over dimensions. The semantics are
// the evaluators' (interp.cpp, ops.h); diagnose/component.cpp implements them
// for its mixed-period games and these plain reads alike.
#pragma once

#include <vector>

#include "mtc/ir.h"
#include "mtc/runtime.h"

namespace mtc::eng::drift {

// The value of expression `e` in every slice of `dims` at period t.
std::vector<double> sliceValues(const ir::Model& m, const rt::Values& values, ir::ExprId e, const std::vector<ir::Id>& dims,
                                int64_t t);

// The value of expression `e` over the totals at period t (a metric with
// dimensions read as its total, as a recomputed total reads it); params from
// `params` where given (per param id: its values per slice), else as declared.
double exprTotal(const ir::Model& m, const rt::Values& values, ir::ExprId e, int64_t t,
                 const std::vector<const std::vector<double>*>* params = nullptr);

// Whether a goal's or constraint's comparison `a op b` holds.
inline bool holds(ir::CmpOp op, double a, double b) {
  switch (op) {
    case ir::CmpOp::Lt: return a < b;
    case ir::CmpOp::Le: return a <= b;
    case ir::CmpOp::Gt: return a > b;
    case ir::CmpOp::Ge: return a >= b;
    case ir::CmpOp::Eq: return a == b;
  }
  return false;
}

// How far `lhs op rhs` is from holding: positive short of it, negative beyond.
inline double gapOf(ir::CmpOp op, double lhs, double rhs) {
  switch (op) {
    case ir::CmpOp::Lt: case ir::CmpOp::Le: return lhs - rhs;
    case ir::CmpOp::Gt: case ir::CmpOp::Ge: case ir::CmpOp::Eq: return rhs - lhs;
  }
  return rhs - lhs;
}

}  // namespace mtc::eng::drift
