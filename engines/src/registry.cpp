// The engines, registered: one line per statement kind maps its typed
// statement to the engine that runs it. A new engine is one line here, its
// result in results.h, and its file in engines/src.
#include <fmt/format.h>

#include <algorithm>

#include "mtc/engines/results.h"

namespace mtc::eng {

using namespace ir;

namespace {

template <class... F>
struct overloaded : F... {
  using F::operator()...;
};
template <class... F>
overloaded(F...) -> overloaded<F...>;

}  // namespace

Result runStatement(const Context& ctx, const Statement& s) {
  try {
    return std::visit(
        overloaded{
            [&](const DescribeStmt& x) -> Result { return describe(ctx, x); },
            [&](const DiagnoseStmt& x) -> Result { return diagnose(ctx, x); },
            [&](const ForecastStmt& x) -> Result { return forecast(ctx, x); },
            [&](const SeekStmt& x) -> Result { return seek(ctx, x); },
            [&](const SimulateStmt& x) -> Result { return simulate(ctx, x); },
            [&](const OptimizeStmt& x) -> Result { return optimize(ctx, x); },
            [&](const RecommendStmt& x) -> Result { return recommend(ctx, x); },
        },
        s.body);
  } catch (const StatementError& e) {
    return Failure{s.kind(), e.code, e.what()};
  } catch (const rt::RunError& e) {
    return Failure{s.kind(), DiagCode::Runtime, e.what()};
  } catch (const std::bad_alloc&) {
    throw;  // out of memory ends the run (exit 3)
  } catch (const std::exception& e) {
    return Failure{s.kind(), DiagCode::Internal, e.what()};
  }
}

std::vector<Id> statementMetrics(const Model& m, const Statement& s) {
  std::vector<Id> out;
  auto refs = [&](ExprId e) { collectRefs(m, e, &out, nullptr); };
  auto cmp = [&](const Comparison& c) {
    std::vector<Id> v;
    collectRefs(m, c.lhs, &v, nullptr);
    collectRefs(m, c.rhs, &v, nullptr);
    out.insert(out.end(), v.begin(), v.end());
  };
  auto goal = [&](Id g) {
    if (g != kNone) cmp(m.goals[g].cmp);
  };
  auto constraints = [&] {
    for (auto& C : m.constraints) cmp(C.cmp);
  };
  switch (s.kind()) {
    case StmtKind::Describe: out = s.as<DescribeStmt>().metrics; break;
    case StmtKind::Diagnose: {
      Id metric = s.as<DiagnoseStmt>().metric;
      if (metric == kNone) break;
      out.push_back(metric);
      // the influences declared into it or its inputs, and the events on its tree
      std::vector<bool> tree = rt::needed(m, {metric});
      for (auto& R : m.relations)
        if (R.to.kind == Ref::Kind::Metric && tree[R.to.id] && R.from.kind == Ref::Kind::Metric) out.push_back(R.from.id);
      break;
    }
    case StmtKind::Forecast: {
      out = s.as<ForecastStmt>().metrics;
      for (auto& G : m.goals)
        if (G.metric && std::find(out.begin(), out.end(), *G.metric) != out.end()) cmp(G.cmp);
      break;
    }
    case StmtKind::Simulate: out = s.as<SimulateStmt>().metrics; break;
    case StmtKind::Seek: {
      const auto& x = s.as<SeekStmt>();
      goal(x.goal);
      for (auto& r : x.varying)
        if (r.kind == Ref::Kind::Metric) out.push_back(r.id);
      constraints();
      break;
    }
    case StmtKind::Optimize: {
      const auto& x = s.as<OptimizeStmt>();
      if (x.objective) refs(*x.objective);
      for (auto& c : x.subjectTo) cmp(c.cmp);
      constraints();
      break;
    }
    case StmtKind::Recommend: {
      goal(s.as<RecommendStmt>().goal);
      constraints();
      for (auto& B : m.benchmarks)
        if (B.target.kind == Ref::Kind::Metric) out.push_back(B.target.id);
      // the levers: the actionable inputs, and the metrics the goal's seeks vary
      for (Id id = 0; id < m.metrics.size(); ++id)
        if ((m.metrics[id].roles & RoleInput) && (m.metrics[id].classes & ClassActionable)) out.push_back(id);
      for (auto& st : m.statements)
        if (st.kind() == StmtKind::Seek && st.as<SeekStmt>().goal == s.as<RecommendStmt>().goal)
          for (auto& r : st.as<SeekStmt>().varying)
            if (r.kind == Ref::Kind::Metric) out.push_back(r.id);
      for (auto& st : m.statements)
        if (st.kind() == StmtKind::Optimize) {
          const auto& o = st.as<OptimizeStmt>();
          if (o.objective) refs(*o.objective);
          for (auto& c : o.subjectTo) cmp(c.cmp);
        }
      break;
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace mtc::eng
