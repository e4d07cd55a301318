// Data loading: CSV and SQLite sources -> input series at the model's grain.
//
// Each source is read once into the columns the model reads, converted as they
// are read (table.h: distinct period texts and dimension values, numbers);
// then dimensions whose values come from data are resolved (and params keyed by
// them), periods parsed once per distinct text, duplicate rows found, and each
// metric's column aggregated to the model's grain with the metric's agg. Every
// bad row is reported, not skipped.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <cstring>
#include <ctime>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "mtc/ops.h"
#include "mtc/progress.h"
#include "mtc/runtime.h"
#include "table.h"

namespace mtc::rt {

using namespace ir;

namespace {

using table::Issue;
using table::Table;

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

bool loadInto(const Model& checked, Data& out, std::vector<Issue>& issues, const LoadOptions& options);

// A postgres source has no file: its table's `file` is this label, and its
// issues are located at the source's query in the model, `query row N` naming
// the result's row.
std::string postgresLabel(const Source& S) { return "<postgres source " + S.name + ">"; }

void locatePostgres(const Model& m, std::vector<Issue>& issues) {
  std::map<std::string, const Source*> labels;
  for (auto& S : m.sources)
    if (S.kind == SourceKind::Postgres) labels[postgresLabel(S)] = &S;
  if (labels.empty()) return;
  for (auto& is : issues) {
    auto it = labels.find(is.file);
    if (it == labels.end()) continue;
    if (!is.at.valid()) is.at = it->second->queryRange;
    // rows are the result's, from 1; a whole-source issue (data-file, data-type) names none
    bool row = is.row > 0 && is.code != DiagCode::DataFile && is.code != DiagCode::DataType;
    is.message = row ? fmt::format("source '{}', query row {}: {}", it->second->name, is.row, is.message)
                     : fmt::format("source '{}': {}", it->second->name, is.message);
  }
}

// Warnings (NaN or infinity read as missing) do not stop a run.
bool anyError(const std::vector<Issue>& issues) {
  return std::any_of(issues.begin(), issues.end(), [](const Issue& i) { return diagInfo(i.code).severity == Severity::Error; });
}

}  // namespace

bool load(const Model& checked, Data& out, Diagnostics& diags, SourceManager& sources) {
  return load(checked, out, diags, sources, LoadOptions{});
}

bool load(const Model& checked, Data& out, Diagnostics& diags, SourceManager& sources, const LoadOptions& options) {
  std::vector<Issue> issues;
  bool ok = loadInto(checked, out, issues, options);
  locatePostgres(checked, issues);
  report(issues, diags, sources);
  return ok && !anyError(issues);
}

namespace {

// The sources each model reads, and the columns it reads from each.
std::vector<table::Wanted> wantedColumns(const Model& m) {
  std::vector<table::Wanted> w(m.sources.size());
  std::vector<bool> used(m.sources.size(), false);
  for (auto& M : m.metrics)
    if (M.data) used[M.data->source] = true;
  for (auto& D : m.dims)
    if (D.fromSource && D.source != kNone) used[D.source] = true;
  for (Id s = 0; s < m.sources.size(); ++s) {
    if (!used[s]) continue;
    const Source& S = m.sources[s];
    w[s].time = {S.timeColumn, "the source's time column"};
    for (auto& [d, col] : S.dimColumns) w[s].dims.push_back({col, "a dimension column"});
    for (auto& D : m.dims)
      if (D.fromSource && D.source == s) w[s].dims.push_back({D.column, fmt::format("the values of dimension '{}'", D.name)});
    for (auto& M : m.metrics)
      if (M.data && M.data->source == s) w[s].numbers.push_back({M.data->column, fmt::format("data of metric '{}'", M.name)});
    w[s].missing = S.missing;
  }
  return w;
}

// A key of a row: its canonical period and its dimension values, dense when the
// space of keys is small next to the rows, hashed otherwise. Finds duplicates.
class RowKeys {
 public:
  RowKeys(uint64_t periods, const std::vector<uint64_t>& cards, size_t rows) : cards_(cards) {
    double space = static_cast<double>(periods);
    for (uint64_t c : cards) space *= static_cast<double>(std::max<uint64_t>(c, 1));
    fits_ = space < 9e18;
    dense_ = fits_ && space <= 4.0 * static_cast<double>(rows) + 65536;
    if (dense_) first_.assign(static_cast<size_t>(space), 0);
  }
  // The row number of the first row with this key, or 0 (and this row is the first).
  uint32_t insert(uint64_t period, const std::vector<uint64_t>& values, uint32_t rowNumber) {
    if (fits_) {
      uint64_t k = period;
      for (size_t i = 0; i < values.size(); ++i) k = k * std::max<uint64_t>(cards_[i], 1) + values[i];
      if (dense_) {
        uint32_t& f = first_[k];
        if (f) return f;
        f = rowNumber;
        return 0;
      }
      auto [it, fresh] = hashed_.try_emplace(k, rowNumber);
      return fresh ? 0 : it->second;
    }
    std::string k(reinterpret_cast<const char*>(&period), sizeof period);
    for (uint64_t v : values) k.append(reinterpret_cast<const char*>(&v), sizeof v);
    auto [it, fresh] = wide_.try_emplace(std::move(k), rowNumber);
    return fresh ? 0 : it->second;
  }

 private:
  std::vector<uint64_t> cards_;
  bool fits_ = true, dense_ = false;
  std::vector<uint32_t> first_;
  std::unordered_map<uint64_t, uint32_t> hashed_;
  std::unordered_map<std::string, uint32_t> wide_;
};

// A postgres source aggregated on the server (LoadOptions::pushdown): the rows of
// mtc sql's inputs query (sql.h, Options::inputsOnly).
struct Pushed {
  bool on = false;
  std::vector<std::string> ends;                     // the first and last period with rows (labels)
  std::map<Id, std::vector<std::string>> dimValues;  // a dimension declared `from` the source -> its values
  struct Cell {
    std::vector<std::pair<Id, std::string>> dims;    // (dimension, value)
    std::string period;
    double v = kMissing;
  };
  std::map<Id, std::vector<Cell>> cells;             // metric -> its cells with rows
  std::vector<std::pair<std::optional<std::string>, double>> bad;  // a time text naming no period, and its rows
  std::map<Id, double> nonFinite;                    // metric -> its cells holding NaN or infinity
  std::vector<Cell> duplicates;                      // a period (a text naming it) and slice, v: its rows
};

bool pushdown(const Model& m, Id s, const std::string& query, const std::string& file, Pushed& out, Data::Received& got,
              std::vector<Issue>& issues) {
  const Source& S = m.sources[s];
  table::PgSource pg{S.name, S.connEnv, S.query, S.queryIsTable, S.grain.has_value(), S.connRange, S.queryRange, m.queryTimeout};
  std::vector<std::string> header;
  std::vector<Id> dimOf;  // header column -> dimension (kNone: metric, period, value)
  bool shape = true;
  auto row = [&](const std::vector<std::optional<std::string>>& f) {
    ++got.rows;
    if (!shape) return;
    if (dimOf.empty()) {
      for (auto& h : header) {
        Id d = kNone;
        for (Id k = 0; k < m.dims.size(); ++k)
          if (h == m.dims[k].name || h == "dim_" + m.dims[k].name) d = k;
        dimOf.push_back(d);
      }
      shape = header.size() >= 3 && header.front() == "metric" && header[1] == "period" && header.back() == "value";
      if (!shape) return;
    }
    const auto& metric = f.front();
    const auto& period = f[1];
    double v = kMissing;
    if (f.back()) v = std::strtod(f.back()->c_str(), nullptr);
    if (metric && *metric == "!") {
      out.bad.push_back({period, v});
    } else if (metric && *metric == "=" && period) {
      Pushed::Cell c;
      c.period = *period;
      c.v = v;
      for (size_t k = 2; k + 1 < f.size(); ++k)
        if (f[k] && dimOf[k] != kNone) c.dims.push_back({dimOf[k], *f[k]});
      out.duplicates.push_back(std::move(c));
    } else if (metric && !metric->empty() && !period) {
      if (auto id = m.findMetric(*metric)) out.nonFinite[*id] = v;
    } else if (metric && metric->empty()) {
      if (period) {
        out.ends.push_back(*period);
      } else {
        for (size_t k = 2; k + 1 < f.size(); ++k)
          if (f[k] && dimOf[k] != kNone) out.dimValues[dimOf[k]].push_back(*f[k]);
      }
    } else if (metric && period) {
      auto id = m.findMetric(*metric);
      if (!id) return;
      Pushed::Cell c;
      c.period = *period;
      c.v = std::isfinite(v) ? v : kMissing;
      for (size_t k = 2; k + 1 < f.size(); ++k)
        if (f[k] && dimOf[k] != kNone) c.dims.push_back({dimOf[k], *f[k]});
      out.cells[*id].push_back(std::move(c));
    }
  };
  // the query runs without PostgreSQL's JIT: its row estimates for the CTEs compound (docs/sql.md)
  bool ok = table::queryPostgres(pg, file, query, "; SET LOCAL jit = off", header, row, issues, got.bytes);
  if (ok && !shape) {
    issues.emplace_back(DiagCode::Internal, file, 0, "", "the aggregating query's columns are not metric, period, ..., value", S.queryRange);
    return false;
  }
  out.on = ok;
  return ok;
}

bool loadInto(const Model& checked, Data& out, std::vector<Issue>& issues, const LoadOptions& options) {
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

  // read each source once, keeping the columns the model reads
  std::vector<table::Wanted> wanted = wantedColumns(m);
  std::vector<Table> tables(m.sources.size());
  std::vector<Pushed> pushed(m.sources.size());
  out.received.clear();
  for (Id s = 0; s < m.sources.size(); ++s) {
    if (wanted[s].time.name.empty()) continue;
    const Source& S = m.sources[s];
    Table& t = tables[s];
    t.file = S.resolvedPath;
    switch (S.kind) {
      case SourceKind::Csv: t.ok = table::readCsv(S.resolvedPath, S.delimiter, wanted[s], t, issues, m.readRoots); break;
      case SourceKind::Sqlite: t.ok = table::readSqlite(S.resolvedPath, S.query, wanted[s], t, issues, m.readRoots); break;
      case SourceKind::Postgres: {
        // reads no file; its issues are located at the declaration (locatePostgres)
        t.file = postgresLabel(S);
        Data::Received got{S.name};
        if (options.pushdown) {  // the rows aggregated on the server: their results, not a table
          got.pushdown = true;
          pushdown(m, s, options.pushdown(m, s), t.file, pushed[s], got, issues);
          out.received.push_back(got);
          break;
        }
        table::PgSource pg{S.name, S.connEnv, S.query, S.queryIsTable, S.grain.has_value(), S.connRange, S.queryRange, m.queryTimeout};
        t.ok = table::readPostgres(pg, wanted[s], t, issues);
        got.rows = t.rows();
        got.bytes = t.bytes;
        out.received.push_back(got);
        break;
      }
    }
  }

  // dimensions from data: named values keep their indices, data values follow
  std::vector<Dimension> noDims;
  std::vector<Param> noParams;
  for (auto& D : copy ? copy->dims : noDims) {
    if (!D.fromSource || D.resolved) continue;
    if (D.source == kNone || (!tables[D.source].ok && !pushed[D.source].on)) continue;
    table::Dict fromServer;  // a pushed-down source's values, in the order the query gives them
    if (pushed[D.source].on) {
      auto& vals = pushed[D.source].dimValues[static_cast<Id>(&D - &copy->dims[0])];
      fromServer.values = vals;
      for (uint32_t i = 0; i < vals.size(); ++i) fromServer.ids.push_back(i);
    }
    const table::Dict& dict = pushed[D.source].on ? fromServer : tables[D.source].dims.at(D.column);
    std::vector<bool> seen(D.values.size(), false);
    // the column's values in the order the rows first have them
    std::vector<uint32_t> order(dict.values.size(), UINT32_MAX);
    uint32_t k = 0;
    for (uint32_t id : dict.ids)
      if (order[id] == UINT32_MAX) order[id] = k++;
    std::vector<uint32_t> byFirst(dict.values.size());
    for (uint32_t id = 0; id < order.size(); ++id)
      if (order[id] != UINT32_MAX) byFirst[order[id]] = id;
    // the values looked up in a hash map, not one by one (Dimension::index):
    // that was a third of loading a column of 10,000 values
    D.values.reserve(D.values.size() + k);  // the map's keys stay in place
    std::unordered_map<std::string_view, int> where;
    for (size_t i = 0; i < D.values.size(); ++i) where.emplace(D.values[i], static_cast<int>(i));  // the first, as index()
    for (uint32_t j = 0; j < k; ++j) {
      const std::string& v = dict.values[byFirst[j]];
      if (v.empty()) continue;
      auto it = where.find(v);
      if (it == where.end()) {
        where.emplace(v, static_cast<int>(D.values.size()));
        D.values.push_back(v);
        D.valueTitles.emplace_back();
        seen.push_back(true);
      } else {
        seen[static_cast<size_t>(it->second)] = true;
      }
    }
    for (size_t i = 0; i < seen.size(); ++i)
      if (!seen[i])
        issues.emplace_back(Issue{DiagCode::DataDimension, tables[D.source].file, 0, D.column,
                                  fmt::format("the model names '{}' as a value of dimension '{}', but column '{}' never has it",
                                              D.values[i], D.name, D.column)});
    D.resolved = true;
  }
  // each dimension's values -> their indices (Dimension::index is a linear search)
  std::vector<std::unordered_map<std::string_view, int>> valueIndex(m.dims.size());
  for (Id d = 0; d < m.dims.size(); ++d)
    for (size_t i = 0; i < m.dims[d].values.size(); ++i) valueIndex[d].emplace(m.dims[d].values[i], static_cast<int>(i));
  auto indexOf = [&](Id d, std::string_view v) {
    auto it = valueIndex[d].find(v);
    return it == valueIndex[d].end() ? -1 : it->second;
  };

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
        int idx = indexOf(d, key[k++]);
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

  // periods: each distinct text parsed once; the timeline
  struct Periods {
    std::vector<std::optional<Period>> fine, grain;  // by time id
    std::vector<uint32_t> canon;                     // by time id: the fine period's index among the distinct ones
    std::vector<uint8_t> skip;                       // per row: no usable period, a bad dimension value, a duplicate
  };
  std::vector<Periods> periods(m.sources.size());
  std::optional<int64_t> lo, hi;
  for (Id s = 0; s < m.sources.size(); ++s) {
    Table& t = tables[s];
    if (!t.ok) continue;
    const Source& S = m.sources[s];
    Periods& ps = periods[s];
    size_t n = t.time.values.size();
    ps.fine.resize(n);
    ps.grain.resize(n);
    ps.canon.assign(n, 0);
    std::vector<std::string> why(n);
    std::map<std::pair<int, int64_t>, uint32_t> distinct;
    for (size_t i = 0; i < n; ++i) {
      auto p = parsePeriod(t.time.values[i], &why[i]);
      if (!p) continue;
      // a date or timestamp marks the period of the source's `grain:` that contains its day
      if (t.timeIsDate && S.grain) p = containing(*p, *S.grain);
      if (!coarserOrEqual(m.grain, p->grain)) {
        why[i] = "coarser";
        continue;
      }
      ps.fine[i] = p;
      ps.grain[i] = containing(*p, m.grain);
      ps.canon[i] = distinct.try_emplace({static_cast<int>(p->grain), p->ord}, static_cast<uint32_t>(distinct.size())).first->second;
    }
    ps.skip.assign(t.rows(), 0);
    for (size_t r = 0; r < t.rows(); ++r) {
      uint32_t id = t.time.ids[r];
      if (ps.grain[id]) {
        lo = lo ? std::min(*lo, ps.grain[id]->ord) : ps.grain[id]->ord;
        hi = hi ? std::max(*hi, ps.grain[id]->ord) : ps.grain[id]->ord;
        continue;
      }
      ps.skip[r] = 1;
      const std::string& text = t.time.values[id];
      issues.emplace_back(Issue{DiagCode::DataRow, t.file, t.rowNumbers[r], S.timeColumn,
                                text.empty()          ? "the period is missing"
                                : why[id] == "coarser" ? fmt::format("the period '{}' is coarser than the model's grain ({}); data cannot be split",
                                                                     table::excerpt(text), grainName(m.grain))
                                                       : fmt::format("invalid period '{}': {}", table::excerpt(text), why[id])});
    }
  }
  // pushed-down sources: their first and last period, their time texts that name none
  for (Id s = 0; s < m.sources.size(); ++s) {
    if (!pushed[s].on) continue;
    for (auto& label : pushed[s].ends)
      if (auto p = parsePeriod(label); p && p->grain == m.grain) {
        lo = lo ? std::min(*lo, p->ord) : p->ord;
        hi = hi ? std::max(*hi, p->ord) : p->ord;
      }
    for (auto& [text, rows] : pushed[s].bad) {
      std::string why = "write 2025, 2025-07, 2025-Q3, 2025-W31 or 2025-07-30";
      auto p = text ? parsePeriod(*text, &why) : std::nullopt;
      if (p && !coarserOrEqual(m.grain, p->grain)) why = fmt::format("coarser than the model's grain ({}); data cannot be split", grainName(m.grain));
      issues.emplace_back(Issue{DiagCode::DataRow, tables[s].file, 0, m.sources[s].timeColumn,
                                fmt::format("{} row{} (aggregated on the server) {}", rows, rows == 1 ? "" : "s",
                                            !text ? std::string("have no period")
                                                  : fmt::format("have the invalid period '{}': {}", table::excerpt(*text), why))});
    }
    // what loading the rows would report too: duplicate rows, cells holding NaN or infinity
    for (auto& c : pushed[s].duplicates) {
      std::string desc = table::excerpt(c.period);
      for (auto& [d, v] : c.dims) desc += fmt::format(", {}={}", m.dims[d].name, table::excerpt(v));
      issues.emplace_back(Issue{DiagCode::DataRow, tables[s].file, 0, "",
                                fmt::format("duplicate rows for {}: {:.0f} rows (aggregated on the server)", desc, c.v)});
    }
    for (auto& [id, n] : pushed[s].nonFinite)
      issues.emplace_back(Issue{DiagCode::DataNonFinite, tables[s].file, 0, m.metrics[id].data->column,
                                fmt::format("{:.0f} cell{} of '{}' hold NaN or infinity: treated as missing (aggregated on the server)", n,
                                            n == 1 ? "" : "s", m.metrics[id].name)});
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

  // dimension values (each distinct text looked up once) and duplicate rows:
  // the same period and slice twice in one source
  std::vector<std::map<Id, std::vector<int>>> modelIndex(m.sources.size());  // source -> dim -> by value id: index in the model, -1
  for (Id s = 0; s < m.sources.size(); ++s) {
    Table& t = tables[s];
    if (!t.ok) continue;
    const Source& S = m.sources[s];
    Periods& ps = periods[s];
    std::vector<const table::Dict*> dicts;
    std::vector<const std::vector<int>*> index;
    std::vector<uint64_t> cards;
    for (auto& [d, col] : S.dimColumns) {
      const table::Dict& dict = t.dims.at(col);
      std::vector<int>& ix = modelIndex[s][d];
      if (ix.empty())
        for (auto& v : dict.values) ix.push_back(indexOf(d, v));
      dicts.push_back(&dict);
      index.push_back(&ix);
      cards.push_back(m.dims[d].values.size());
    }
    uint64_t nPeriods = 0;
    for (size_t i = 0; i < ps.fine.size(); ++i)
      if (ps.fine[i]) nPeriods = std::max<uint64_t>(nPeriods, ps.canon[i] + 1);
    RowKeys keys(nPeriods, cards, t.rows());
    std::vector<uint64_t> values(dicts.size());
    for (size_t r = 0; r < t.rows(); ++r) {
      if (ps.skip[r]) continue;
      bool bad = false;
      for (size_t k = 0; k < dicts.size(); ++k) {
        uint32_t id = dicts[k]->ids[r];
        int ix = (*index[k])[id];
        if (ix < 0) {
          Id d = S.dimColumns[k].first;
          const std::string& v = dicts[k]->values[id];
          std::string vals;
          for (auto& x : m.dims[d].values) vals += (vals.empty() ? "" : ", ") + x;
          issues.emplace_back(Issue{DiagCode::DataDimension, t.file, t.rowNumbers[r], S.dimColumns[k].second,
                                    v.empty() ? fmt::format("the value of dimension '{}' is missing", m.dims[d].name)
                                              : fmt::format("'{}' is not a value of dimension '{}' ({})", table::excerpt(v), m.dims[d].name, vals)});
          bad = true;
          continue;
        }
        values[k] = static_cast<uint64_t>(ix);
      }
      if (bad) {
        ps.skip[r] = 1;
        continue;
      }
      if (uint32_t first = keys.insert(ps.canon[t.time.ids[r]], values, t.rowNumbers[r])) {
        std::string desc = formatPeriod(*ps.fine[t.time.ids[r]]);
        for (size_t k = 0; k < dicts.size(); ++k)
          desc += fmt::format(", {}={}", m.dims[S.dimColumns[k].first].name, table::excerpt(dicts[k]->values[dicts[k]->ids[r]]));
        issues.emplace_back(Issue{DiagCode::DataRow, t.file, t.rowNumbers[r], "", fmt::format("duplicate row for {} (first at row {})", desc, first)});
        ps.skip[r] = 1;
      }
    }
  }

  // each metric's column, aggregated to (slice, grain period): the metrics on
  // two threads (each writes its own series and messages; the messages are
  // kept in metric order)
  out.inputs.assign(m.metrics.size(), Series{});
  out.hasData.assign(m.metrics.size(), false);
  std::vector<Id> withData;
  for (Id mi = 0; mi < m.metrics.size(); ++mi)
    if (m.metrics[mi].data) out.hasData[mi] = true, withData.push_back(mi);
  std::vector<std::vector<Issue>> metricIssues(withData.size());
  // each row's cell (slice and grain period) for the metrics of one source with
  // the same dimensions, computed once for all of them (not once per metric)
  std::map<std::pair<Id, std::vector<Id>>, std::vector<size_t>> rowCells;
  for (Id mi : withData) {
    const Metric& M = m.metrics[mi];
    Id s = M.data->source;
    if (pushed[s].on || !tables[s].ok || rowCells.count({s, M.dims})) continue;
    const Table& t = tables[s];
    const Source& S = m.sources[s];
    const Periods& ps = periods[s];
    std::vector<const table::Dict*> dicts;  // each metric dimension's ids and model indices in the source
    std::vector<const std::vector<int>*> index;
    for (Id d : M.dims)
      for (auto& [sd, c] : S.dimColumns)
        if (sd == d) {
          dicts.push_back(&t.dims.at(c));
          index.push_back(&modelIndex[s].at(d));
        }
    if (dicts.size() != M.dims.size()) continue;  // the checker reported it
    std::vector<size_t>& cellOf = rowCells[{s, M.dims}];
    cellOf.assign(t.rows(), 0);
    const size_t periodCount = static_cast<size_t>(out.time.count);
    for (size_t r = 0; r < t.rows(); ++r) {
      if (ps.skip[r]) continue;
      size_t k = 0;
      size_t slice = m.sliceIndex(M.dims, [&](Id) {
        int ix = (*index[k])[dicts[k]->ids[r]];
        ++k;
        return ix;
      });
      cellOf[r] = slice * periodCount + static_cast<size_t>(ps.grain[t.time.ids[r]]->ord - out.time.first.ord);
    }
  }
  auto loadMetric = [&](Id mi, std::vector<Issue>& found) {
    const Metric& M = m.metrics[mi];
    Series& ser = out.inputs[mi];
    ser.slices = std::max<size_t>(1, m.sliceCount(M.dims));
    ser.periods = static_cast<size_t>(out.time.count);
    ser.v.assign(ser.slices * ser.periods, kMissing);
    if (pushed[M.data->source].on) {  // the cells the server computed
      const Pushed& P = pushed[M.data->source];
      auto it = P.cells.find(mi);
      if (it == P.cells.end()) return;
      std::set<std::string> reported;
      for (const Pushed::Cell& c : it->second) {
        auto p = parsePeriod(c.period);
        if (!p || p->grain != m.grain) continue;
        int64_t t = p->ord - out.time.first.ord;
        if (t < 0 || t >= out.time.count) continue;
        bool ok = true;
        size_t slice = m.sliceIndex(M.dims, [&](Id d) {
          for (auto& [cd, v] : c.dims)
            if (cd == d) {
              int ix = indexOf(d, v);
              if (ix >= 0) return ix;
              if (reported.insert(m.dims[d].name + "=" + v).second)
                found.emplace_back(Issue{DiagCode::DataDimension, tables[M.data->source].file, 0, "",
                                         fmt::format("'{}' is not a value of dimension '{}' (rows aggregated on the server, metric '{}')",
                                                     table::excerpt(v), m.dims[d].name, M.name)});
              ok = false;
              return 0;
            }
          if (reported.insert(m.dims[d].name).second)
            found.emplace_back(Issue{DiagCode::DataDimension, tables[M.data->source].file, 0, "",
                                     fmt::format("rows without a value of dimension '{}' (aggregated on the server, metric '{}')",
                                                 m.dims[d].name, M.name)});
          ok = false;
          return 0;
        });
        if (ok) ser.v[slice * ser.periods + static_cast<size_t>(t)] = c.v;
      }
      return;
    }
    const Table& t = tables[M.data->source];
    if (!t.ok) return;
    const Source& S = m.sources[M.data->source];
    const Periods& ps = periods[M.data->source];
    const table::Numbers& col = t.numbers.at(M.data->column);
    auto cellsFound = rowCells.find({M.data->source, M.dims});
    if (cellsFound == rowCells.end()) return;  // the checker reported it
    const std::vector<size_t>& cellOf = cellsFound->second;
    // one row per cell when the source has no dimension the metric lacks and its
    // periods are the model's: the rows are the cells
    bool direct = S.dimColumns.size() == M.dims.size();
    for (size_t i = 0; i < ps.fine.size() && direct; ++i)
      if (ps.fine[i] && ps.fine[i]->grain != m.grain) direct = false;
    // (cell, fine day, value) of every row; several per cell when the source has
    // dimensions the metric does not, or periods finer than the model's
    struct Cell {
      size_t cell;
      int64_t day;
      double v;
    };
    std::vector<Cell> cells;
    if (!direct) cells.reserve(t.rows());
    size_t nonFinite = 0, firstNonFinite = 0;  // NaN or infinite cells: missing, one warning
    for (size_t r = 0; r < t.rows(); ++r) {
      if (ps.skip[r]) continue;
      if (col.bad[r] == 2 && nonFinite++ == 0) firstNonFinite = t.rowNumbers[r];
      if (col.bad[r] == 1) {
        found.emplace_back(Issue{DiagCode::DataValue, t.file, t.rowNumbers[r], M.data->column,
                                  fmt::format("'{}' is not a number", col.badText.at(static_cast<uint32_t>(r)))});
        continue;
      }
      size_t cell = cellOf[r];
      double v = col.v[r];
      if (direct) {
        double across = ops::rollUp(ops::acrossSlices(M.agg), &v, 1);
        ser.v[cell] = ops::rollUp(M.agg, &across, 1);
      } else {
        cells.push_back({cell, toGrain(*ps.fine[t.time.ids[r]], Grain::Day).ord, v});
      }
    }
    if (nonFinite)
      found.emplace_back(Issue{DiagCode::DataNonFinite, t.file, firstNonFinite, M.data->column,
                                fmt::format("{} cell{} of '{}' hold NaN or infinity: treated as missing (the first at row {})", nonFinite,
                                            nonFinite == 1 ? "" : "s", M.name, firstNonFinite)});
    if (direct) return;
    // combine across the extra dimensions (in row order), then the finer periods of each cell in time order
    std::stable_sort(cells.begin(), cells.end(), [](const Cell& a, const Cell& b) { return std::tie(a.cell, a.day) < std::tie(b.cell, b.day); });
    std::vector<double> sameDay, days;
    for (size_t i = 0; i < cells.size();) {
      size_t cell = cells[i].cell;
      days.clear();
      while (i < cells.size() && cells[i].cell == cell) {
        int64_t day = cells[i].day;
        sameDay.clear();
        while (i < cells.size() && cells[i].cell == cell && cells[i].day == day) sameDay.push_back(cells[i++].v);
        days.push_back(ops::rollUp(ops::acrossSlices(M.agg), sameDay.data(), sameDay.size()));
      }
      ser.v[cell] = ops::rollUp(M.agg, days.data(), days.size());
    }
  };
  std::atomic<size_t> next{0};
  Progress progress("loading the metrics' series", withData.size(), "metrics");
  auto worker = [&] {
    for (size_t k; (k = next.fetch_add(1)) < withData.size(); progress.add()) loadMetric(withData[k], metricIssues[k]);
  };
  if (withData.size() > 1) {
    std::thread other(worker);
    worker();
    other.join();
  } else {
    worker();
  }
  for (auto& mi : metricIssues) issues.insert(issues.end(), std::make_move_iterator(mi.begin()), std::make_move_iterator(mi.end()));
  return !anyError(issues);
}

}  // namespace
}  // namespace mtc::rt
