#include "mtc/ast.h"

namespace mtc::ast {

const char* binOpText(BinOp op) {
  switch (op) {
    case BinOp::Add: return "+";
    case BinOp::Sub: return "-";
    case BinOp::Mul: return "*";
    case BinOp::Div: return "/";
    case BinOp::Pow: return "^";
    case BinOp::Lt: return "<";
    case BinOp::Le: return "<=";
    case BinOp::Gt: return ">";
    case BinOp::Ge: return ">=";
    case BinOp::Eq: return "==";
    case BinOp::Ne: return "!=";
    case BinOp::And: return "and";
    case BinOp::Or: return "or";
  }
  return "?";
}

const char* unOpText(UnOp op) {
  switch (op) {
    case UnOp::Neg: return "-";
    case UnOp::Plus: return "+";
    case UnOp::Not: return "not ";
  }
  return "?";
}

const char* declKindName(DeclKind k) {
  switch (k) {
    case DeclKind::Model: return "model";
    case DeclKind::Import: return "import";
    case DeclKind::Unit: return "unit";
    case DeclKind::Dimension: return "dimension";
    case DeclKind::Chain: return "chain";
    case DeclKind::Source: return "source";
    case DeclKind::Param: return "param";
    case DeclKind::Metric: return "metric";
    case DeclKind::Relation: return "relation";
    case DeclKind::Constraint: return "constraint";
    case DeclKind::Event: return "event";
    case DeclKind::Goal: return "goal";
    case DeclKind::Benchmark: return "benchmark";
    case DeclKind::Function: return "function";
    case DeclKind::Describe: return "describe";
    case DeclKind::Diagnose: return "diagnose";
    case DeclKind::Forecast: return "forecast";
    case DeclKind::Seek: return "seek";
    case DeclKind::Simulate: return "simulate";
    case DeclKind::Optimize: return "optimize";
    case DeclKind::Recommend: return "recommend";
  }
  return "?";
}

}  // namespace mtc::ast
