// `mtc sql`: a model's data-bound metrics and their formulas as one SQL query
// (docs/sql.md). The query reads the model's sources as tables (or, for a
// postgres source, its query as a subquery), rolls the rows up to the model's
// grain with each metric's agg, evaluates every formula per period and slice
// over a calendar x slice spine (time operators as window functions), and
// returns one row per metric, period and slice, plus each metric's total:
//
//   metric | period | <one column per dimension> | value
//
// A total has NULL in every dimension column; a metric without dimensions has
// one row per period. Missing values are NULL, as in mtc (docs/runtime.md).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mtc/calendar.h"
#include "mtc/diagnostics.h"
#include "mtc/ir.h"

namespace mtc::sql {

enum class Dialect : uint8_t { Postgres, Sqlite, Duckdb, Trino, Spark, Bigquery };
const char* dialectName(Dialect d);
std::optional<Dialect> dialectFromName(std::string_view name);
// Every dialect, in the order above.
const std::vector<Dialect>& allDialects();

struct Options {
  Dialect dialect = Dialect::Postgres;
  // Report at this grain (coarser than the model's), as describe { grain: } does:
  // data metrics and metrics built on time operators roll up with their agg,
  // other formulas are recomputed from them. Empty: the model's grain.
  std::optional<Grain> grain;
  // The metrics to report (their closure is computed); empty: every metric.
  std::vector<ir::Id> metrics;
  // Only what mtc's loader needs, at the model's grain: the data metrics' cells
  // (the raw rows rolled up, no formulas), the timeline's ends, the values of
  // dimensions declared `from` a source, time texts that name no period. What
  // `mtc run --pushdown` sends to a postgres source (generate.cpp, inputsSelect,
  // says how the rows read).
  bool inputsOnly = false;
  // With inputsOnly: only this source, and the metrics that read it.
  std::optional<ir::Id> source;
};

// The query, or nullopt with located diagnostics (sql-unsupported: a construct
// with no SQL form, such as a delayed cycle without data).
std::optional<std::string> generate(const ir::Model& m, const Options& o, Diagnostics& diags);

}  // namespace mtc::sql
