// recommend: what to do about a goal (LANGUAGE.md section 8, docs/prescriptive.md).
// The gap to the goal at its date (the data, or its forecast), the levers and
// their effect on the goal, the bottleneck, and ranked recommendations
// classified by the seed's execution framework: decisions (programmed: focus
// or remove; non-programmed: the goal is out of reach within the model) and
// actions (quantity; quality at a benchmark level). It stands on forecast
// (project.h), seek (goalfn.h) and optimize.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mtc/engines/context.h"

namespace mtc::eng {

enum class RecType : uint8_t { Decision, Action };
enum class DecisionClass : uint8_t { Programmed, NonProgrammed };
enum class Move : uint8_t { Focus, Remove };
enum class ActionKind : uint8_t { Quantity, Quality };
const char* recTypeName(RecType t);
const char* decisionClassName(DecisionClass c);
const char* moveName(Move m);
const char* actionKindName(ActionKind a);

struct RecommendResult {
  ir::Id goal = ir::kNone;
  Period at;
  std::string goalText;                 // the goal's comparison as written
  std::string metric;                   // the goal's metric, when its left side is one
  std::string unit;                     // of the goal's left side
  double value = rt::kMissing;          // the left side at `at`: actual, declared or forecast
  std::string valueFrom;                // "data", "forecast" or "model" (no data: the declared values)
  double target = rt::kMissing;         // the right side at `at`
  double gap = rt::kMissing;            // how far short of the goal (negative: beyond it)
  bool met = false;
  bool reachable = true;                // within the model's levers and constraints
  std::optional<double> reach;          // the best the levers can do together (the left side)

  // The gap chart: the left side's history and its path to `at`.
  Period historyFrom;
  std::vector<double> history;          // the last periods of data (empty without data)
  std::vector<double> path;             // the periods after the data, to `at`

  struct Lever {
    std::string name;                   // "b_ppc", "spend"
    std::string unit;
    std::string source;                 // "optimize NAME", "seek", "role: input, class: actionable"
    double current = rt::kMissing;      // now (a param's value, a metric's forecast at `at`)
    double perPercent = rt::kMissing;   // the goal's left side for +1% of the lever (per unit when it is 0)
    bool perUnit = false;               // perPercent is per unit (the lever is 0 now)
    std::optional<double> optimal;      // optimize's solution
    std::optional<double> required;     // seek: the value that meets the goal alone
    bool feasible = true;               // that value keeps every constraint
    std::optional<double> limit;        // the most it can move within the constraints
  };
  std::vector<Lever> levers;

  struct Bottleneck {
    std::string lever;                  // the lever with the largest marginal effect per unit of the binding constraint
    std::string constraint;             // that constraint (optimize), when there is one
    double perUnit = rt::kMissing;      // the goal per unit of the constraint through that lever (or per +1%)
    std::string basis;                  // what perUnit is measured in
    std::string stage;                  // the funnel's bottleneck: the benchmarked metric furthest below par
    std::optional<double> stageRatio;   // its value / par
  };
  std::optional<Bottleneck> bottleneck;

  struct Recommendation {
    int rank = 0;
    RecType type = RecType::Decision;
    std::optional<DecisionClass> cls;   // decisions
    std::optional<Move> move;           // programmed decisions
    std::optional<ActionKind> action;   // actions
    std::optional<ir::Level> level;     // quality actions
    std::string lever;                  // the lever or metric it is about (empty: the model)
    std::optional<double> from, to;     // quantity and quality: the lever now and where to take it
    std::string unit;                   // of from and to
    std::optional<double> effect;       // on the goal's left side, in its unit
    std::string constraint;             // non-programmed: the constraint that blocks the goal
    std::optional<double> by;           // ... and by how much it would have to move
    std::string analysis;               // the evidence: which analysis produced it
    std::map<std::string, double> figures;  // ... with its figures
    std::string text;                   // a sentence a manager can act on
  };
  std::vector<Recommendation> recommendations;
  std::vector<std::string> notes;
};

RecommendResult recommend(const Context& ctx, const ir::RecommendStmt& s);

}  // namespace mtc::eng
