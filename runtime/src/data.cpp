// Data loading: CSV and SQLite sources -> input series at the model's grain.
//
// Three passes: read every source into a table of text cells (with row numbers);
// resolve dimensions whose values come from data (and params keyed by them);
// then parse periods and numbers and aggregate each metric's column to the
// model's grain with the metric's agg. Every bad row is reported, not skipped.
#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "mtc/runtime.h"
#include "mtc/ops.h"

namespace mtc::rt {

using namespace ir;

namespace {

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
using DataIssue = Issue;

struct Table {
  std::string file;  // for messages
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<size_t> rowNumbers;  // 1-based line (csv) or result row + 1 (sqlite, header = row 1)
  bool ok = false;
  int column(const std::string& name) const {
    for (size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return static_cast<int>(i);
    return -1;
  }
};

// RFC 4180 CSV: quoted fields with "" escapes, embedded newlines, CRLF.
bool readCsv(const std::string& path, char delim, Table& t, std::vector<DataIssue>& issues) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    issues.emplace_back(Issue{DiagCode::DataFile, path, 0, "", fmt::format("cannot read the file: {}", std::strerror(errno))});
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  if (s.size() >= 3 && s.compare(0, 3, "\xEF\xBB\xBF") == 0) s.erase(0, 3);  // BOM
  if (s.find('\0') != std::string::npos) {
    issues.emplace_back(Issue{DiagCode::DataFile, path, 0, "", "this is not a text file (it contains NUL bytes)"});
    return false;
  }
  std::vector<std::string> row;
  std::string field;
  size_t line = 1, rowStart = 1;
  bool inQuotes = false, fieldQuoted = false;
  auto endRow = [&]() {
    row.push_back(std::move(field));
    field.clear();
    fieldQuoted = false;
    bool blank = row.size() == 1 && row[0].empty();
    if (!blank) {
      if (t.header.empty() && t.rows.empty()) t.header = std::move(row);
      else {
        t.rows.push_back(std::move(row));
        t.rowNumbers.push_back(rowStart);
      }
    }
    row.clear();
  };
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (inQuotes) {
      if (c == '"') {
        if (i + 1 < s.size() && s[i + 1] == '"') { field += '"'; ++i; }
        else inQuotes = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"' && field.empty() && !fieldQuoted) { inQuotes = true; fieldQuoted = true; continue; }
    if (c == delim) { row.push_back(std::move(field)); field.clear(); fieldQuoted = false; continue; }
    if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') continue;
    if (c == '\n' || c == '\r') {
      endRow();
      ++line;
      rowStart = line;
      continue;
    }
    field += c;
  }
  if (inQuotes) {
    issues.emplace_back(Issue{DiagCode::DataFile, path, rowStart, "", "a quoted field is not closed"});
    return false;
  }
  if (!field.empty() || !row.empty()) endRow();
  if (t.header.empty()) {
    issues.emplace_back(Issue{DiagCode::DataFile, path, 0, "", "the file is empty (it needs a header row)"});
    return false;
  }
  for (auto& h : t.header) {
    while (!h.empty() && (h.back() == ' ' || h.back() == '\t')) h.pop_back();
    while (!h.empty() && (h.front() == ' ' || h.front() == '\t')) h.erase(0, 1);
  }
  for (size_t r = 0; r < t.rows.size(); ++r)
    if (t.rows[r].size() != t.header.size())
      issues.emplace_back(Issue{DiagCode::DataRow, path, t.rowNumbers[r], "",
                        fmt::format("this row has {} fields, the header has {}", t.rows[r].size(), t.header.size())});
  return true;
}

bool readSqlite(const std::string& path, const std::string& query, Table& t, std::vector<DataIssue>& issues) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    issues.emplace_back(Issue{DiagCode::DataFile, path, 0, "", fmt::format("cannot open the database: {}", db ? sqlite3_errmsg(db) : "out of memory")});
    sqlite3_close(db);
    return false;
  }
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, query.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    issues.emplace_back(Issue{DiagCode::DataFile, path, 0, "", fmt::format("the query fails: {}", sqlite3_errmsg(db))});
    sqlite3_close(db);
    return false;
  }
  int n = sqlite3_column_count(st);
  for (int i = 0; i < n; ++i) t.header.push_back(sqlite3_column_name(st, i));
  int rc;
  size_t r = 1;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int i = 0; i < n; ++i) {
      switch (sqlite3_column_type(st, i)) {
        case SQLITE_NULL: row.emplace_back(); break;
        case SQLITE_INTEGER: row.push_back(std::to_string(sqlite3_column_int64(st, i))); break;
        case SQLITE_FLOAT: row.push_back(fmt::format("{}", sqlite3_column_double(st, i))); break;
        default: {
          const unsigned char* txt = sqlite3_column_text(st, i);
          row.emplace_back(txt ? reinterpret_cast<const char*>(txt) : "");
        }
      }
    }
    t.rows.push_back(std::move(row));
    t.rowNumbers.push_back(++r);
  }
  bool ok = rc == SQLITE_DONE;
  if (!ok) issues.emplace_back(Issue{DiagCode::DataFile, path, r, "", fmt::format("reading the query's rows failed: {}", sqlite3_errmsg(db))});
  sqlite3_finalize(st);
  sqlite3_close(db);
  return ok;
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

// A number as data writes it: 1234.5, -3, 1e6, 1,234.5 is not accepted (ambiguous), 12% is 0.12.
std::optional<double> parseNumber(const std::string& text) {
  std::string s = trim(text);
  bool pct = !s.empty() && s.back() == '%';
  if (pct) s.pop_back();
  if (s.empty()) return std::nullopt;
  if (s[0] == '+') s.erase(0, 1);
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return pct ? v / 100 : v;
}

bool isMissing(const std::string& text, const Source& src) {
  std::string s = trim(text);
  if (s.empty()) return true;
  for (auto& m : src.missing)
    if (s == m) return true;
  return false;
}

// Issues become diagnostics located in the data files (added to the source
// manager without their text: a data file's lines are not shown), in file and
// row order.
void report(std::vector<Issue>& issues, Diagnostics& diags, SourceManager& sm) {
  std::stable_sort(issues.begin(), issues.end(),
                   [](const Issue& a, const Issue& b) { return std::tie(a.file, a.row) < std::tie(b.file, b.row); });
  for (auto& is : issues) {
    Range r = is.at;
    if (!r.valid()) {
      FileId f = is.file.empty() ? kNoFile : sm.find(is.file);
      if (f == kNoFile && !is.file.empty()) f = sm.addUnread(is.file);
      r.begin = r.end = Loc{f, static_cast<uint32_t>(is.row), 0};
    }
    std::string msg = is.column.empty() ? is.message : fmt::format("{} (column '{}')", is.message, is.column);
    diags.report(is.code, r, msg);
  }
}

bool loadInto(const Model& checked, Data& out, std::vector<Issue>& issues);

}  // namespace

bool load(const Model& checked, Data& out, Diagnostics& diags, SourceManager& sources) {
  std::vector<Issue> issues;
  bool ok = loadInto(checked, out, issues);
  report(issues, diags, sources);
  return ok && issues.empty();
}

namespace {

bool loadInto(const Model& checked, Data& out, std::vector<Issue>& issues) {
  // What the data resolves (dimensions from sources, params keyed by their
  // values) goes into a copy of the checked model; without any, the checked
  // model is used as it is.
  bool resolves = false;
  for (auto& D : checked.dims) resolves |= D.fromSource && !D.resolved;
  for (auto& P : checked.params) resolves |= !P.keyed.empty() || (P.keyedDefault && !P.dims.empty());
  std::shared_ptr<Model> copy;
  if (resolves) {
    copy = std::make_shared<Model>(checked);
    out.model = copy;
  } else {
    out.model = std::shared_ptr<const Model>(std::shared_ptr<const Model>(), &checked);  // not owned
  }
  const Model& m = *out.model;
  // which sources are read at all
  std::vector<bool> used(m.sources.size(), false);
  for (auto& M : m.metrics) if (M.data) used[M.data->source] = true;
  for (auto& D : m.dims) if (D.fromSource && D.source != kNone) used[D.source] = true;

  std::vector<Table> tables(m.sources.size());
  for (Id s = 0; s < m.sources.size(); ++s) {
    if (!used[s]) continue;
    const Source& S = m.sources[s];
    Table& t = tables[s];
    t.file = S.resolvedPath;
    t.ok = S.kind == SourceKind::Csv ? readCsv(S.resolvedPath, S.delimiter, t, issues)
                                     : readSqlite(S.resolvedPath, S.query, t, issues);
    if (!t.ok) continue;
    auto need = [&](const std::string& col, const char* what) {
      if (t.column(col) >= 0) return;
      std::string cols;
      for (auto& h : t.header) cols += (cols.empty() ? "" : ", ") + h;
      issues.emplace_back(Issue{DiagCode::DataFile, t.file, 1, "", fmt::format("no column '{}' ({}); the columns are: {}", col, what, cols)});
      t.ok = false;
    };
    need(S.timeColumn, "the source's time column");
    for (auto& [d, col] : S.dimColumns) need(col, "a dimension column");
    for (auto& M : m.metrics)
      if (M.data && M.data->source == s) need(M.data->column, fmt::format("data of metric '{}'", M.name).c_str());
  }

  // dimensions from data: named values keep their indices, data values follow
  std::vector<Dimension> noDims;
  std::vector<Param> noParams;
  for (auto& D : copy ? copy->dims : noDims) {
    if (!D.fromSource || D.resolved) continue;
    if (D.source == kNone || !tables[D.source].ok) continue;
    const Table& t = tables[D.source];
    int c = t.column(D.column);
    if (c < 0) {
      issues.emplace_back(Issue{DiagCode::DataFile, t.file, 1, "", fmt::format("no column '{}' for dimension '{}'", D.column, D.name)});
      continue;
    }
    std::vector<bool> seen(D.values.size(), false);
    for (auto& row : t.rows) {
      if (static_cast<size_t>(c) >= row.size()) continue;
      std::string v = trim(row[c]);
      if (v.empty()) continue;
      int i = D.index(v);
      if (i < 0) {
        D.values.push_back(v);
        D.valueTitles.emplace_back();
        seen.push_back(true);
      } else {
        seen[i] = true;
      }
    }
    for (size_t i = 0; i < seen.size(); ++i)
      if (!seen[i])
        issues.emplace_back(Issue{DiagCode::DataDimension, t.file, 0, D.column,
                          fmt::format("the model names '{}' as a value of dimension '{}', but column '{}' never has it",
                                      D.values[i], D.name, D.column)});
    D.resolved = true;
  }
  // params keyed by values from data
  for (auto& P : copy ? copy->params : noParams) {
    if (P.keyed.empty() && !(P.keyedDefault && !P.dims.empty())) continue;
    size_t n = m.sliceCount(P.dims);
    if (n == 0) continue;
    std::vector<std::optional<double>> vals(n);
    std::vector<std::optional<ir::Distribution>> dists(n);
    for (size_t e = 0; e < P.keyed.size(); ++e) {  // key: one value per dimension of P.dims
      auto& [key, v] = P.keyed[e];
      bool ok = true;
      size_t k = 0;
      size_t flat = m.sliceIndex(P.dims, [&](Id d) {
        int idx = m.dims[d].index(key[k++]);
        ok &= idx >= 0;
        return std::max(idx, 0);
      });
      if (ok) {
        vals[flat] = v;
        if (e < P.keyedDists.size()) dists[flat] = P.keyedDists[e];
      }
    }
    P.values.assign(n, 0);
    std::vector<std::string> missing;
    for (size_t i = 0; i < n; ++i) {
      if (vals[i]) P.values[i] = *vals[i];
      else if (P.keyedDefault) {
        P.values[i] = *P.keyedDefault;
        dists[i] = P.keyedDefaultDist;
      } else {
        missing.push_back(std::to_string(i));
      }
    }
    // per-slice distributions, as the checker gives them for listed dimensions
    if (!P.keyedDists.empty() || P.keyedDefaultDist) P.sliceDists = std::move(dists);
    else if (P.dist) P.sliceDists.assign(n, P.dist);
    if (!missing.empty())
      issues.emplace_back(Issue{DiagCode::DataDimension, m.path, 0, "",
                        fmt::format("param '{}' has no value for {} slice{} found in the data; add `_: value`", P.name,
                                    missing.size(), missing.size() == 1 ? "" : "s"),
                        P.nameRange});
  }

  // periods of every row, and the timeline
  struct RowInfo { std::optional<Period> fine, grain; };
  std::vector<std::vector<RowInfo>> rowInfo(m.sources.size());
  std::optional<int64_t> lo, hi;
  for (Id s = 0; s < m.sources.size(); ++s) {
    Table& t = tables[s];
    if (!t.ok) continue;
    const Source& S = m.sources[s];
    int tc = t.column(S.timeColumn);
    rowInfo[s].resize(t.rows.size());
    for (size_t r = 0; r < t.rows.size(); ++r) {
      if (t.rows[r].size() != t.header.size()) continue;  // reported already
      std::string text = trim(t.rows[r][tc]);
      std::string why;
      auto p = parsePeriod(text, &why);
      if (!p) {
        issues.emplace_back(Issue{DiagCode::DataRow, t.file, t.rowNumbers[r], S.timeColumn,
                          text.empty() ? "the period is missing" : fmt::format("invalid period '{}': {}", text, why)});
        continue;
      }
      if (!coarserOrEqual(m.grain, p->grain)) {
        issues.emplace_back(Issue{DiagCode::DataRow, t.file, t.rowNumbers[r], S.timeColumn,
                          fmt::format("the period '{}' is coarser than the model's grain ({}); data cannot be split",
                                      text, grainName(m.grain))});
        continue;
      }
      Period g = containing(*p, m.grain);
      rowInfo[s][r] = {p, g};
      lo = lo ? std::min(*lo, g.ord) : g.ord;
      hi = hi ? std::max(*hi, g.ord) : g.ord;
    }
  }
  out.time.grain = m.grain;
  if (lo) {
    out.time.first = Period{m.grain, *lo};
    out.time.count = *hi - *lo + 1;
  } else {
    out.time.first = m.start ? toGrain(*m.start, m.grain) : Period{m.grain, 0};
    if (!m.start) {
      // the period containing today
      auto now = std::time(nullptr);
      out.time.first = containing(Period{Grain::Day, static_cast<int64_t>(now / 86400)}, m.grain);
    }
    out.time.count = 1;
  }
  if (out.time.count > 100000) {
    issues.emplace_back(Issue{DiagCode::DataRow, "", 0, "", fmt::format("the data spans {} periods; is the time column right?", out.time.count)});
    return false;
  }

  // duplicate rows: the same period (as written) and slice twice in one source
  for (Id s = 0; s < m.sources.size(); ++s) {
    Table& t = tables[s];
    if (!t.ok) continue;
    const Source& S = m.sources[s];
    std::map<std::string, size_t> seen;
    for (size_t r = 0; r < t.rows.size(); ++r) {
      if (!rowInfo[s][r].fine) continue;
      std::string key = formatPeriod(*rowInfo[s][r].fine);
      std::string desc = key;
      bool bad = false;
      for (auto& [d, col] : S.dimColumns) {
        std::string v = trim(t.rows[r][t.column(col)]);
        key += "\x1f" + v;
        desc += fmt::format(", {}={}", m.dims[d].name, v);
        if (m.dims[d].index(v) < 0) {
          std::string vals;
          for (auto& x : m.dims[d].values) vals += (vals.empty() ? "" : ", ") + x;
          issues.emplace_back(Issue{DiagCode::DataDimension, t.file, t.rowNumbers[r], col,
                            v.empty() ? fmt::format("the value of dimension '{}' is missing", m.dims[d].name)
                                      : fmt::format("'{}' is not a value of dimension '{}' ({})", v, m.dims[d].name, vals)});
          bad = true;
        }
      }
      if (bad) { rowInfo[s][r] = {}; continue; }
      auto [it, fresh] = seen.insert({key, t.rowNumbers[r]});
      if (!fresh) {
        issues.emplace_back(Issue{DiagCode::DataRow, t.file, t.rowNumbers[r], "",
                          fmt::format("duplicate row for {} (first at row {})", desc, it->second)});
        rowInfo[s][r] = {};
      }
    }
  }

  // each metric's column, aggregated to (slice, grain period)
  out.inputs.assign(m.metrics.size(), Series{});
  out.hasData.assign(m.metrics.size(), false);
  for (Id mi = 0; mi < m.metrics.size(); ++mi) {
    const Metric& M = m.metrics[mi];
    if (!M.data) continue;
    out.hasData[mi] = true;
    Series& ser = out.inputs[mi];
    ser.slices = std::max<size_t>(1, m.sliceCount(M.dims));
    ser.periods = static_cast<size_t>(out.time.count);
    ser.v.assign(ser.slices * ser.periods, kMissing);
    const Table& t = tables[M.data->source];
    if (!t.ok) continue;
    const Source& S = m.sources[M.data->source];
    int vc = t.column(M.data->column);
    // column index of each metric dimension in the source
    std::vector<int> dimCols;
    for (Id d : M.dims)
      for (auto& [sd, col] : S.dimColumns)
        if (sd == d) dimCols.push_back(t.column(col));
    if (dimCols.size() != M.dims.size()) continue;  // the checker reported it
    // (cell, fine period) -> the values of the source's rows (several when the
    // source has dimensions the metric does not)
    std::map<std::pair<size_t, int64_t>, std::vector<double>> fine;
    for (size_t r = 0; r < t.rows.size(); ++r) {
      const RowInfo& ri = rowInfo[M.data->source][r];
      if (!ri.fine) continue;
      size_t k = 0;
      size_t slice = m.sliceIndex(M.dims, [&](Id d) { return m.dims[d].index(trim(t.rows[r][dimCols[k++]])); });
      size_t cell = slice * ser.periods + static_cast<size_t>(ri.grain->ord - out.time.first.ord);
      const std::string& text = t.rows[r][vc];
      double v = kMissing;
      if (!isMissing(text, S)) {
        auto x = parseNumber(text);
        if (!x) {
          issues.emplace_back(Issue{DiagCode::DataValue, t.file, t.rowNumbers[r], M.data->column, fmt::format("'{}' is not a number", trim(text))});
          continue;
        }
        v = *x;
      }
      fine[{cell, toGrain(*ri.fine, Grain::Day).ord}].push_back(v);
    }
    // combine across the extra dimensions, then the finer periods of each cell in time order
    std::vector<double> periods;
    size_t cur = SIZE_MAX;
    auto flush = [&] {
      if (cur != SIZE_MAX) ser.v[cur] = ops::rollUp(M.agg, periods.data(), periods.size());
      periods.clear();
    };
    for (auto& [key, vals] : fine) {
      if (key.first != cur) {
        flush();
        cur = key.first;
      }
      periods.push_back(ops::rollUp(ops::acrossSlices(M.agg), vals.data(), vals.size()));
    }
    flush();
  }
  return issues.empty();
}

}  // namespace
}  // namespace mtc::rt
