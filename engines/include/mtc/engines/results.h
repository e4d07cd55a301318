// Every engine's result, in one variant: the renderers of report/ visit it
// exhaustively, one overload per engine.
#pragma once

#include <variant>
#include <vector>

#include "mtc/engines/describe.h"
#include "mtc/engines/diagnose.h"
#include "mtc/engines/forecast.h"
#include "mtc/engines/optimize.h"
#include "mtc/engines/recommend.h"
#include "mtc/engines/seek.h"
#include "mtc/engines/simulate.h"

namespace mtc::eng {

// A statement that could not be computed at all: in JSON
// {"kind": ..., "status": "error", "error": {"code": ..., "message": ...}}.
struct Failure {
  ir::StmtKind kind = ir::StmtKind::Describe;
  DiagCode code = DiagCode::Internal;
  std::string message;
};

// One alternative per engine built, plus Failure. A new engine adds its result here.
using Result = std::variant<Failure, DescribeResult, DiagnoseResult, ForecastResult, SeekResult, SimulateResult, OptimizeResult, RecommendResult>;

struct StatementResult {
  size_t statement = 0;  // 1-based position among the file's statements
  ir::StmtKind kind = ir::StmtKind::Describe;
  Result result;
};

// Runs one statement: the engine registered for its kind, or a Failure when the
// statement cannot be computed (engines not built yet say so, with the code not-built).
Result runStatement(const Context& ctx, const ir::Statement& s);

// The metrics a statement reads, whose closure the run's evaluator compiles: the
// metrics it names, its goals, constraints, objective and events.
std::vector<ir::Id> statementMetrics(const ir::Model& m, const ir::Statement& s);

}  // namespace mtc::eng
