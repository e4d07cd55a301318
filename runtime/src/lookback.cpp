// How far back in time a metric's values reach (runtime.h, lookBack): what a
// demand-driven evaluation of a window of periods must include before it.
#include <algorithm>
#include <limits>

#include "mtc/runtime.h"

namespace mtc::rt {

using namespace ir;

namespace {

constexpr int64_t kUnbounded = std::numeric_limits<int64_t>::max() / 4;

// The most periods a year spans at a grain, and the most a year's start lies before a period.
int64_t yearSpan(Grain g) {
  switch (g) {
    case Grain::Day: return 366;
    case Grain::Week: return 53;
    case Grain::Month: return 12;
    case Grain::Quarter: return 4;
    case Grain::Year: return 1;
  }
  return 366;
}

struct LookBack {
  const Model& m;
  std::vector<int64_t> memo;  // per metric, -1: not yet known

  int64_t metric(Id id) {
    if (memo[id] >= 0) return memo[id];
    const Metric& M = m.metrics[id];
    int64_t r = 0;
    if (M.group != kNone) r = kUnbounded;  // a stock reads its whole past, from its opening value
    else if (M.formula) r = expr(*M.formula);
    memo[id] = r;
    return r;
  }

  int64_t expr(ExprId id) {
    const Expr& e = m.exprs[id];
    int64_t below = 0;
    for (ExprId a : e.args) below = std::max(below, expr(a));
    auto add = [&](int64_t k) { return below >= kUnbounded || k >= kUnbounded ? kUnbounded : below + std::max<int64_t>(k, 0); };
    switch (e.op) {
      case Op::Metric: return metric(e.ref);
      case Op::Const: case Op::Param:
      case Op::Neg: case Op::Not:
      case Op::Add: case Op::Sub: case Op::Mul: case Op::Div: case Op::Pow:
      case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: case Op::Eq: case Op::Ne: case Op::And: case Op::Or:
      case Op::If: case Op::Min: case Op::Max: case Op::Abs: case Op::Log: case Op::Exp: case Op::Sqrt: case Op::Clamp:
      case Op::SumOver: case Op::MeanOver: case Op::MinOver: case Op::MaxOver: case Op::Share:
      case Op::Hill: case Op::Saturate: case Op::Select:
        return below;
      case Op::Lag: return e.args.size() > 1 ? kUnbounded : add(e.n);  // with an opening value: a stock's
      case Op::Delta: case Op::PctChange: return add(1);
      case Op::RollingSum: case Op::RollingMean: return add(e.n - 1);
      case Op::Ytd: return add(yearSpan(m.grain) - 1);
      case Op::Yoy: return add(yearSpan(m.grain));
      case Op::Cumsum: case Op::Adstock: return kUnbounded;
    }
    return kUnbounded;
  }
};

}  // namespace

std::optional<int64_t> lookBack(const Model& m, const std::vector<Id>& metrics) {
  LookBack lb{m, std::vector<int64_t>(m.metrics.size(), -1)};
  int64_t r = 0;
  std::vector<bool> need = needed(m, metrics);
  for (Id id = 0; id < m.metrics.size(); ++id)
    if (need[id]) r = std::max(r, lb.metric(id));
  if (r >= kUnbounded) return std::nullopt;
  return r;
}

}  // namespace mtc::rt
