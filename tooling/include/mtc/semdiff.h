// The semantic diff of two models (`mtc diff`, docs/fmt-diff.md).
//
// Both models are flattened into entities (a kind and a name: `metric mrr`,
// `relation spend -> leads`, `statement describe arr from - to -`), each with
// named fields rendered from the IR as canonical text (formulas through
// ir_print.h, units through the unit table). Two models differ where an
// entity exists in one only or where a field's text differs, so layout,
// comments and declaration order never show.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "mtc/ir.h"

namespace mtc {

struct SemEntity {
  std::string kind;     // model, unit, dimension, chain, stage, source, param, metric,
                        // relation, constraint, event, goal, benchmark, optimize, statement
  std::string name;     // unique within the kind
  std::string summary;  // one line for an added or removed entity (may be empty)
  std::vector<std::pair<std::string, std::string>> fields;  // field -> canonical text
};

// The entities of a model, in a stable order (kind, then name).
std::vector<SemEntity> semanticEntities(const ir::Model& m);

struct SemChange {
  enum class Kind { Added, Removed, Changed } change = Kind::Changed;
  std::string kind, name;
  std::string summary;          // Added / Removed: the entity's summary
  std::string field;            // Changed: which field
  std::string before, after;    // Changed: its old and new text
};

// The changes from `before` to `after`; a null model counts as empty (a file
// added or deleted). Sorted by kind, then name, then field.
std::vector<SemChange> semanticDiff(const ir::Model* before, const ir::Model* after);
std::vector<SemChange> semanticDiff(const std::vector<SemEntity>& before, const std::vector<SemEntity>& after);

// `+ metric churn: ratio = a / b`, `- relation ...`, `~ metric mrr: formula a * b -> a * b * c`.
std::string changesToText(const std::vector<SemChange>& changes);
// [{"change": "added"|"removed"|"changed", "kind", "name", "summary" | "field", "old", "new"}]
nlohmann::json changesToJson(const std::vector<SemChange>& changes);

}  // namespace mtc
