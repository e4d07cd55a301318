// Reading a source (CSV or SQLite) into the cells the model needs, already
// converted: each row's period as an id into the distinct period texts, each
// dimension cell as an id into the column's distinct values (in first-seen
// order), each number cell parsed. Columns nobody reads are skipped; no cell is
// kept as a string. data.cpp turns tables into series.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mtc/diagnostics.h"
#include "mtc/fileio.h"

namespace mtc::rt::table {

// A problem found in the data: file, 1-based row (0 when it concerns the whole
// file) and column name; or a place in the model (`at`).
struct Issue {
  Issue(DiagCode c, std::string f, size_t r, std::string col, std::string msg, Range where = {})
      : code(c), file(std::move(f)), row(r), column(std::move(col)), message(std::move(msg)), at(where) {}
  DiagCode code;
  std::string file;
  size_t row = 0;
  std::string column;
  std::string message;
  Range at;
};

// The columns a source's reader keeps, by name, and how; `what` says what a
// column is for, in the message when the header lacks it.
struct Column {
  std::string name, what;
};
struct Wanted {
  Column time;                          // the period column
  std::vector<Column> dims;             // dimension columns (distinct values)
  std::vector<Column> numbers;          // data columns
  std::vector<std::string> missing;     // cell texts that mean "missing" besides empty
};

// The distinct values of a column, in first-seen order, and each row's.
struct Dict {
  std::vector<uint32_t> ids;            // per row
  std::vector<std::string> values;      // trimmed
};

// A data column: the value of each row, NaN when missing; rows whose cell is not
// a number are listed (with their text) and hold NaN too.
struct Numbers {
  std::vector<double> v;
  std::vector<uint8_t> bad;             // per row: 1 when the cell is not a number, 2 when it is NaN or infinite (missing)
  std::map<uint32_t, std::string> badText;  // a short escaped excerpt of a cell that is not a number
};

struct Table {
  std::string file;                     // for messages
  std::vector<std::string> header;      // trimmed
  bool ok = false;
  std::vector<uint32_t> rowNumbers;     // per row kept: 1-based line (csv) or result row + 1 (sqlite)
  Dict time;
  bool timeIsDate = false;              // postgres: the time column is a date or timestamp (cells hold its day)
  uint64_t bytes = 0;                   // postgres: the bytes of COPY data received
  std::map<std::string, Dict> dims;     // by column name
  std::map<std::string, Numbers> numbers;
  size_t rows() const { return rowNumbers.size(); }
  bool has(const std::string& column) const;
};

// RFC 4180 CSV (quoted fields with "" escapes, embedded newlines, CRLF), read
// from the mapped file. A row with the wrong number of fields is reported and
// left out; so is a file that is not text, or whose header lacks a wanted column.
// Both read only under `roots` (confinement: a path that resolves elsewhere is a data-file issue).
bool readCsv(const std::string& path, char delimiter, const Wanted& w, Table& t, std::vector<Issue>& issues, const ReadRoots& roots);

// The rows of a query on an SQLite database, the same way.
bool readSqlite(const std::string& path, const std::string& query, const Wanted& w, Table& t, std::vector<Issue>& issues,
                const ReadRoots& roots);

// A PostgreSQL source (docs/runtime.md): the connection string is read from the
// environment variable `connEnv` and never appears in a message.
struct PgSource {
  std::string name;                     // the source's, for messages
  std::string connEnv;                  // the environment variable holding the connection string
  std::string query;                    // a SELECT, or a table name (queryIsTable)
  bool queryIsTable = false;
  bool grain = false;                   // the source declares `grain:` (for a date or timestamp time column only)
  Range connAt, queryAt;                // where env("...") and the query are written
  double timeout = 0;                   // statement_timeout, seconds (0: the default, kPgTimeout)
};
constexpr double kPgTimeout = 300;
// The rows of the query, streamed (COPY ... TO STDOUT) in a read-only transaction,
// after its columns' types are checked against what the model reads from them.
// Issues are located at the source's declaration (`at`).
bool readPostgres(const PgSource& src, const Wanted& w, Table& t, std::vector<Issue>& issues);
// mtc's own query on a postgres source (`mtc run --pushdown`: the rows aggregated
// on the server), in the same read-only session with `extraSetup` ("; SET LOCAL
// ..."): its column names, then each row's fields (nullopt: NULL), streamed with
// COPY. Counts the bytes received. Issues are located at the source's query.
bool queryPostgres(const PgSource& src, const std::string& file, const std::string& sql, const std::string& extraSetup,
                   std::vector<std::string>& header, const std::function<void(const std::vector<std::optional<std::string>>&)>& row,
                   std::vector<Issue>& issues, uint64_t& bytes);

// A number as data writes it: 1234.5, -3, +3, 1e6, 12% (0.12), spaces around;
// 1,234.5 is not accepted (ambiguous). False when the text is not a number.
// A cell that reads as NaN or infinity ("nan", "inf", "-Infinity"): missing, not an error.
bool nonFinite(std::string_view text);
// A cell's text for a message: at most `max` characters, anything not printable ASCII escaped
// (\xNN), "..." when cut. Messages never carry more of a data file.
std::string excerpt(std::string_view text, size_t max = 40);
bool parseNumber(std::string_view text, double& out);

}  // namespace mtc::rt::table
