// The SQL generator (docs/sql.md). One query of CTEs:
//
//   src_<source>_t   each distinct text of a source's time column, parsed into
//                    the model-grain period p (an integer ordinal, calendar.h)
//                    and the first day fd of the period it names
//   src_<source>     the source's rows: p, fd, dimension values, numbers
//   bounds, cal      the timeline (first to last period with rows) and its
//                    calendar: label, year, first period of the year, same
//                    period last year
//   dim_<dimension>  a dimension's values (listed, or found in the data)
//   a_<metric>       a data metric's rows rolled up to (p, slice) with its agg
//   m_<metric>       a metric per period and slice, over the calendar x slice
//                    spine: every (p, slice) has a row, NULL where missing
//   t_<metric>       its total over slices (recomputed or aggregated)
//   n.., w.., r..    intermediate series: a formula's sub-expression, a time
//                    operator (window functions), a reduction
//
// The semantics are the interpreter's (runtime/src/interp.cpp, ops.h):
// missing propagates through everything (SUM and friends are guarded by a
// count check, since SQL aggregates skip NULLs), division by zero, log and
// sqrt out of their domain are missing, time operators read the spine's
// previous rows, so a gap in the data never shifts a LAG.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>

#include "mtc/builtins.h"
#include "mtc/ir_print.h"
#include "mtc/runtime.h"
#include "mtc/sql.h"
#include "syntax.h"

namespace mtc::sql {

namespace {

using namespace ir;

// A construct with no SQL form here: reported as sql-unsupported at `range`.
struct Unsupported {
  Range range;
  std::string message;
  std::string note;
};

enum class Mode : uint8_t { Slice, Total };

// A relation over the spine of one level: columns p, d_<dim> for each of its
// dimensions, v. Every (period, slice) has exactly one row.
struct Rel {
  std::string name;
  std::vector<Id> dims;
};

// A value in a layered SELECT (Scope): SQL text over the columns of layer
// `level` and below; atomic when it is a column name or a literal.
struct Val {
  std::string s;
  int level = 0;
  bool atomic = false;
};

// The model's grain, or the coarser reporting grain (Options::grain).
struct Level {
  bool coarse = false;
  Grain grain = Grain::Month;
  std::string cal;  // its calendar CTE: p, label (and yr, ys, ly at the model's grain)
};

// One SELECT evaluating an element-wise formula over a row space (a set of
// dimensions) at one level: the spine's rows, the relations the formula reads
// joined on period and dimensions, and `lets`: sub-expressions needed twice,
// computed once each in a layer of their own (a nested SELECT).
struct Scope {
  std::vector<Id> dims;
  const Level* level = nullptr;
  std::vector<Rel> joins;                                          // joined as j0, j1, ...
  std::vector<std::vector<std::pair<std::string, std::string>>> lets;  // lets[L-1]: the columns of layer L
  // A step of a recursive CTE (a delayed cycle, Gen::groupRel): no layers (a
  // sub-query may not read the recursive CTE), the joined relations' values as
  // j<k>r.v, the dimensions as <dimPrefix>d_x; the group's members read in the
  // same period are their expressions, lag(member, k) the row's registers.
  bool rec = false;
  std::string dimPrefix;
  std::set<Id> group;                                // the members computed by the recursion
  std::map<Id, std::string> current;                 // member -> its value in this row
  std::map<std::pair<Id, int64_t>, std::string> lagged;  // (member, k) -> lag(member, k) in this row
};

bool contains(const std::vector<Id>& a, Id x) { return std::find(a.begin(), a.end(), x) != a.end(); }
bool subsetOf(const std::vector<Id>& a, const std::vector<Id>& b) {
  for (Id x : a)
    if (!contains(b, x)) return false;
  return true;
}

std::string oneLine(std::string s) {
  for (auto& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class Gen {
 public:
  Gen(const Model& m, const Options& o) : m_(m), o_(o), sx_(o.dialect) {}

  std::string run();

 private:
  const Model& m_;
  const Options& o_;
  Syntax sx_;

  struct Cte {
    std::string name, body, comment;
  };
  std::vector<Cte> ctes_;
  std::set<std::string> names_;  // lower-cased, every CTE name taken
  bool recursive_ = false;
  int counter_ = 0;

  std::vector<bool> need_;             // metrics in the closure of the output
  std::vector<std::string> dimCol_;    // per dimension: its column name, d_<name>
  std::vector<std::string> dimCte_;    // per dimension: its values' CTE
  std::vector<bool> usedSource_;       // read by some metric or dimension
  std::vector<std::string> timeCte_;   // per source: parsed time texts
  std::vector<std::string> rowsCte_;   // per source: its rows (made on first use)
  std::vector<std::vector<std::string>> srcColumns_;  // per source: the value columns read (x1, x2, ... in order)
  std::map<Id, std::string> aggCte_;   // per data metric: its a_ CTE (period, slice, value; only where it has rows)
  std::vector<std::string> scanCte_;   // per source: its rows grouped by time text and dimensions
  std::vector<std::vector<std::pair<Id, std::string>>> srcDims_;  // per source: the dimension columns grouped by
  bool needYear_ = false, needLastYear_ = false;
  Level fine_, coarse_;
  std::string bounds_;  // the CTE of the timeline's first and last period (lo, hi)
  std::string xcal_;    // coarser grain: periods of the model's grain with the coarse period cp holding them
  std::string gends_;   // coarser grain: the coarse periods holding the periods just outside the timeline

  // memo: relations per (metric, mode, level); 1 = in progress (a cycle)
  struct Key {
    Id id;
    Mode mode;
    bool coarse;
    auto operator<=>(const Key&) const = default;
  };
  std::map<Key, Rel> done_;
  std::set<Key> busy_;
  std::vector<Id> busyOrder_;

  // ---------------------------------------------------------------- names and CTEs
  std::string fresh(const std::string& base) {
    std::string b = base;
    for (auto& c : b)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '_';
    std::string n = b;
    for (int k = 2; names_.count(lower(n)); ++k) n = fmt::format("{}_{}", b, k);
    names_.insert(lower(n));
    return n;
  }
  void add(const std::string& name, std::string body, std::string comment = {}) {
    ctes_.push_back({name, std::move(body), std::move(comment)});
  }
  std::string tmp(const char* prefix) { return fresh(fmt::format("{}{}", prefix, ++counter_)); }

  // ---------------------------------------------------------------- SQL pieces
  std::string i(int64_t v) const { return std::to_string(v); }
  std::string idiv(const std::string& a, int64_t b) const { return sx_.idiv(a, i(b)); }
  std::string mod(const std::string& a, int64_t b) const { return sx_.mod(a, i(b)); }
  std::string pad(const std::string& x, int width) const {  // zero-padded, x >= 0
    return "SUBSTR(" + sx_.castText(fmt::format("{} + {}", width == 4 ? "10000" : "100", x)) + ", 2)";
  }
  // Days since 1970-01-01 of a civil date (calendar.cpp's daysFromCivil, years >= 0).
  std::string daysFromCivil(const std::string& y, const std::string& mo, const std::string& d) const {
    bool constMonth = !mo.empty() && std::all_of(mo.begin(), mo.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    if (constMonth) {  // January 4th and the like: the month's part is a number
      int mn = std::stoi(mo);
      std::string yy = mn <= 2 ? fmt::format("({} - 1)", y) : y;
      std::string yoe = mod(yy, 400);
      int64_t doy = (153 * ((mn + 9) % 12) + 2) / 5 - 1 - 719468;
      return fmt::format("({} * 146097 + {} * 365 + {} - {} + {} - {})", idiv(yy, 400), yoe, idiv(yoe, 4), idiv(yoe, 100), d, -doy);
    }
    std::string yy = fmt::format("({} - CASE WHEN {} <= 2 THEN 1 ELSE 0 END)", y, mo);
    std::string yoe = mod(yy, 400);
    return fmt::format("({} * 146097 + {} * 365 + {} - {} + {} + {} - 1 - 719468)", idiv(yy, 400), yoe, idiv(yoe, 4), idiv(yoe, 100),
                       idiv(fmt::format("153 * {} + 2", mod(fmt::format("{} + 9", mo), 12)), 5), d);
  }
  // The ISO week (ordinal, calendar.h) of a day number.
  std::string weekOfDay(const std::string& z) const { return fmt::format("({} - 1000000)", idiv(fmt::format("{} + 7000003", z), 7)); }
  // The ordinal of ISO week 1 of year y.
  std::string firstWeek(const std::string& y) const { return weekOfDay(daysFromCivil(y, "1", "4")); }
  // Nested SELECTs that add cy, cm, cd (the civil date of the day number in
  // column `z`) to the columns `cols` of `from` (a FROM item).
  std::string civil(const std::string& from, std::vector<std::string> cols, const std::string& z) const {
    auto sel = [&](const std::vector<std::string>& cs) {
      std::string s;
      for (auto& c : cs) s += (s.empty() ? "" : ", ") + c;
      return s;
    };
    std::string zz = fmt::format("{} + 719468", z);
    std::string q = fmt::format("SELECT {}, {} AS c_era, {} AS c_doe FROM {}", sel(cols), idiv(zz, 146097), mod(zz, 146097), from);
    cols.push_back("c_era");
    cols.push_back("c_doe");
    q = fmt::format("SELECT {}, {} AS c_yoe FROM ({}) AS c1", sel(cols),
                    idiv(fmt::format("c_doe - {} + {} - {}", idiv("c_doe", 1460), idiv("c_doe", 36524), idiv("c_doe", 146096)), 365), F(q));
    cols.push_back("c_yoe");
    q = fmt::format("SELECT {}, c_doe - (365 * c_yoe + {} - {}) AS c_doy FROM ({}) AS c2", sel(cols), idiv("c_yoe", 4), idiv("c_yoe", 100), F(q));
    cols.push_back("c_doy");
    q = fmt::format("SELECT {}, {} AS c_mp FROM ({}) AS c3", sel(cols), idiv("5 * c_doy + 2", 153), F(q));
    std::vector<std::string> out(cols.begin(), cols.end() - 4);
    return fmt::format("SELECT {}, c_yoe + c_era * 400 + CASE WHEN c_mp >= 10 THEN 1 ELSE 0 END AS cy, "
                       "CASE WHEN c_mp < 10 THEN c_mp + 3 ELSE c_mp - 9 END AS cm, c_doy - {} + 1 AS cd FROM ({}) AS c4",
                       sel(out), idiv("153 * c_mp + 2", 5), F(q));
  }
  // A derived table the database must compute as it is: PostgreSQL pulls a simple
  // sub-query up into its reader, substituting each column by its expression at
  // every use, and the layers here use columns several times (civil dates, the
  // lets of a formula): the expressions would grow exponentially.
  std::string F(const std::string& q) const { return q + sx_.fence(); }
  std::string countGuard(const std::string& col, const std::string& agg) const {
    return fmt::format("CASE WHEN COUNT({0}) = COUNT(*) THEN {1} END", col, agg);
  }
  // agg over the rows of a group, missing when any is (ops::rollUp, across slices)
  std::string aggOf(Agg a, const std::string& col) const {
    switch (a) {
      case Agg::Sum: case Agg::Last: return sx_.noNaN(countGuard(col, "SUM(" + col + ")"));  // (infinity - infinity)
      case Agg::Mean: return sx_.noNaN(countGuard(col, "SUM(" + col + ") / COUNT(*)"));
      case Agg::Min: return countGuard(col, "MIN(" + col + ")");
      case Agg::Max: return countGuard(col, "MAX(" + col + ")");
    }
    return "";
  }
  std::string dimList(const std::vector<Id>& dims, const std::string& prefix = "") const {
    std::string s;
    for (Id d : dims) s += ", " + prefix + dimCol_[d];
    return s;
  }
  std::string window(const std::vector<Id>& dims, const std::string& prefix, const std::string& frame = "",
                     const std::string& extra = "") const {
    std::string part;
    for (Id d : dims) part += (part.empty() ? "" : ", ") + prefix + dimCol_[d];
    if (!extra.empty()) part += (part.empty() ? "" : ", ") + extra;
    std::string s = "OVER (";
    if (!part.empty()) s += "PARTITION BY " + part + " ";
    s += "ORDER BY " + prefix + "p";
    if (!frame.empty()) s += " " + frame;
    return s + ")";
  }
  std::string sameDims(const std::vector<Id>& dims, const std::string& a, const std::string& b) const {
    std::string s;
    for (Id d : dims) s += fmt::format(" AND {0}.{2} = {1}.{2}", a, b, dimCol_[d]);
    return s;
  }
  // FROM item reading a source: a table named after it, or a postgres source's query.
  std::string sourceItem(Id s) const;
  std::string spine(const std::vector<Id>& dims, const Level& L) const {  // FROM items: cal AS c, dim_x AS s0, ...
    std::string s = L.cal + " AS c";
    for (size_t k = 0; k < dims.size(); ++k) s += fmt::format(" CROSS JOIN {} AS s{}", dimCte_[dims[k]], k);
    return s;
  }
  std::string spineCols(const std::vector<Id>& dims) const {
    std::string s = "c.p AS p";
    for (size_t k = 0; k < dims.size(); ++k) s += fmt::format(", s{}.v AS {}", k, dimCol_[dims[k]]);
    return s;
  }

  // ---------------------------------------------------------------- parts
  void sources();
  void calendar();
  void dimensionColumns();
  void dimensions();
  std::string scan(Id source);
  std::string rows(Id source);
  Rel dataRel(Id metric);
  Rel metricRel(Id metric, Mode mode, const Level& L);
  Rel buildMetricRel(Id metric, Mode mode, const Level& L);
  Rel totalOver(const Rel& slices, Agg agg, const std::string& name, const Level& L);
  Rel rollUpRel(Id metric, const Rel& fine, const std::string& name);
  Rel exprRel(ExprId e, Mode mode, const Level& L);
  Rel node(ExprId e, Mode mode, const Level& L, const std::vector<Id>& dims, const std::string& name);
  Rel timeRel(ExprId e, Mode mode, const Level& L);
  Rel reduceRel(ExprId e, const Level& L);
  Rel shareRel(ExprId e, const Level& L);
  Rel selectRel(ExprId e, const Level& L);
  Rel adstockRel(ExprId e, Mode mode, const Level& L);
  Val scalar(ExprId e, Mode mode, Scope& sc);
  bool readsAny(ExprId e, const std::set<Id>& members) const {
    const Expr& x = m_.exprs[e];
    if (x.op == Op::Metric && members.count(x.ref)) return true;
    for (ExprId a : x.args)
      if (readsAny(a, members)) return true;
    return false;
  }
  Rel groupRel(Id group, Mode mode, Id asked);
  std::map<std::pair<Id, Mode>, std::string> groupCte_;  // (group, mode) -> its recursive CTE
  std::map<std::pair<Id, Mode>, std::vector<Id>> groupMembers_;
  Val leaf(const Rel& r, Scope& sc);
  Val atom(const Val& v, Scope& sc);
  Val param(Id p, Mode mode, Scope& sc);
  Val pow(Val x, Val y, Scope& sc, const Expr& ye);
  // EXP and POWER of columns (atoms) where the result is 0 or infinity in C: there
  // PostgreSQL and BigQuery raise "value out of range" instead (underflow, overflow)
  std::string exp(const std::string& x) const {
    return fmt::format("CASE WHEN {0} < -745.1332191019411 THEN {1} WHEN {0} > 709.782712893384 THEN {2} ELSE EXP({0}) END", x, sx_.num(0),
                       sx_.infinity());
  }
  std::string power(const std::string& x, const std::string& y) const {
    // |x|^y from its log: below e^-745 it is 0 (or a subnormal mtc has: off by under 1e-323)
    std::string l = fmt::format("{} * LN(ABS({}))", y, x);
    return fmt::format("CASE WHEN {0} = {1} THEN POWER({0}, {2}) WHEN {3} < -745.0 THEN {1} WHEN {3} > 709.7 THEN {4} ELSE POWER({0}, {2}) END",
                       x, sx_.num(0), y, l, sx_.infinity());
  }
  std::string render(const Scope& sc, const Val& v);
  std::string finalSelect(const Level& L, const std::vector<Id>& outs);
  std::string inputsSelect(const std::vector<Id>& outs);
  std::vector<std::string> outputNames(const std::vector<Id>& dims) const;
  std::string dimsText(const std::vector<Id>& dims) const {
    std::string s;
    for (Id d : dims) s += (s.empty() ? "" : ", ") + m_.dims[d].name;
    return s.empty() ? "no dimensions" : s;
  }
  [[noreturn]] void unsupported(Range r, std::string msg, std::string note = {}) { throw Unsupported{r, std::move(msg), std::move(note)}; }
  [[noreturn]] void internal(const std::string& what) { throw std::logic_error("mtc sql: " + what); }
};

// ------------------------------------------------------------------ sources

std::string Gen::sourceItem(Id s) const {
  const Source& S = m_.sources[s];
  if (S.kind == SourceKind::Csv || S.kind == SourceKind::Sqlite) return sx_.ident(S.name);
  // a postgres source: its query as a subquery, or the table it names
  std::string q = S.query;
  if (S.queryIsTable) return q;
  while (!q.empty() && (std::isspace(static_cast<unsigned char>(q.back())) || q.back() == ';')) q.pop_back();
  size_t k = 0;
  while (k < q.size() && std::isspace(static_cast<unsigned char>(q[k]))) ++k;
  std::string head = lower(q.substr(k, 6));
  if (head.rfind("select", 0) == 0 || head.rfind("with", 0) == 0 || head.rfind("values", 0) == 0 || head.rfind("(", 0) == 0)
    return "(" + q + ")";
  return q.substr(k);
}

void Gen::sources() {
  usedSource_.assign(m_.sources.size(), false);
  for (auto& M : m_.metrics)
    if (M.data) usedSource_[M.data->source] = true;
  for (auto& D : m_.dims)
    if (D.fromSource && D.source != kNone) usedSource_[D.source] = true;
  if (o_.inputsOnly && o_.source)
    for (Id s = 0; s < m_.sources.size(); ++s) usedSource_[s] = s == *o_.source;
  timeCte_.assign(m_.sources.size(), "");
  rowsCte_.assign(m_.sources.size(), "");
  scanCte_.assign(m_.sources.size(), "");
  srcColumns_.assign(m_.sources.size(), {});
  srcDims_.assign(m_.sources.size(), {});
  const std::string g = grainName(m_.grain);
  for (Id s = 0; s < m_.sources.size(); ++s) {
    if (!usedSource_[s]) continue;
    const Source& S = m_.sources[s];
    std::string grouped = scan(s);
    std::string name = fresh("src_" + S.name + "_t");
    timeCte_[s] = name;
    // each distinct text once: its kind (Y, Q, M, W, D), year and numbers
    std::string texts = fmt::format("SELECT DISTINCT s FROM {}", grouped);
    // n: the text to parse. A postgres source's timestamptz (text with an offset,
    // as PostgreSQL writes it) marks the day of its instant in UTC, as mtc reads it
    // (docs/runtime.md); a date or timestamp marks its date (the first 10 characters)
    bool pg = S.kind == SourceKind::Postgres && o_.dialect == Dialect::Postgres;
    std::string n = pg ? "CASE WHEN s ~ '^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(\\.\\d+)?[+-]\\d\\d(:\\d\\d)?$' "
                         "THEN to_char(CAST(s AS TIMESTAMPTZ) AT TIME ZONE 'UTC', 'YYYY-MM-DD') ELSE s END"
                       : "s";
    std::string kind =
        "CASE WHEN LENGTH(n) = 4 THEN 'Y' WHEN LENGTH(n) = 7 AND UPPER(SUBSTR(n, 6, 1)) = 'Q' THEN 'Q' WHEN LENGTH(n) = 7 THEN 'M' "
        "WHEN LENGTH(n) = 8 AND UPPER(SUBSTR(n, 6, 1)) = 'W' THEN 'W' "
        "WHEN LENGTH(n) = 10 OR (LENGTH(n) > 10 AND SUBSTR(n, 11, 1) IN (' ', 'T')) THEN 'D' END";
    std::string l0 = fmt::format("SELECT s, {} AS n FROM ({}) AS t0", n, F(texts));
    std::string l1 = fmt::format("SELECT s, n, {} AS k FROM ({}) AS t01", kind, F(l0));
    std::string num = fmt::format("CASE k WHEN 'Q' THEN {} WHEN 'M' THEN {} WHEN 'W' THEN {} WHEN 'D' THEN {} END", sx_.castInt("SUBSTR(n, 7, 1)"),
                                  sx_.castInt("SUBSTR(n, 6, 2)"), sx_.castInt("SUBSTR(n, 7, 2)"), sx_.castInt("SUBSTR(n, 6, 2)"));
    std::string l2 = fmt::format("SELECT s, k, CASE WHEN k IS NOT NULL THEN {} END AS y, {} AS a, CASE k WHEN 'D' THEN {} END AS b FROM ({}) AS t1",
                                 sx_.castInt("SUBSTR(n, 1, 4)"), num, sx_.castInt("SUBSTR(n, 9, 2)"), F(l1));
    // a postgres source's `grain:`: a day marks the period of that grain containing it
    Grain sg = S.kind == SourceKind::Postgres && S.grain ? *S.grain : Grain::Day;
    if (sg == Grain::Month || sg == Grain::Quarter || sg == Grain::Year)
      l2 = fmt::format("SELECT s, CASE WHEN k = 'D' THEN '{}' ELSE k END AS k, y, CASE WHEN k = 'D' THEN {} ELSE a END AS a, "
                       "CASE WHEN k = 'D' THEN NULL ELSE b END AS b FROM ({}) AS t1g",
                       sg == Grain::Month ? "M" : sg == Grain::Quarter ? "Q" : "Y", sg == Grain::Quarter ? idiv("a - 1", 3) + " + 1" : "a", F(l2));
    // the day that decides the grain period (a week's Thursday) and the first day
    std::string valid =
        "(k = 'Y' OR (k = 'Q' AND a BETWEEN 1 AND 4) OR (k = 'M' AND a BETWEEN 1 AND 12) OR (k = 'W' AND a BETWEEN 1 AND 53) "
        "OR (k = 'D' AND a BETWEEN 1 AND 12 AND b BETWEEN 1 AND 31))";
    std::string day = daysFromCivil("y", "a", "b");
    if (sg == Grain::Week) day = "7 * " + weekOfDay(day);  // the Thursday of the day's week
    std::string z = fmt::format("CASE WHEN {} THEN CASE k WHEN 'Y' THEN {} WHEN 'Q' THEN {} WHEN 'M' THEN {} WHEN 'W' THEN 7 * ({} + a - 1) "
                                "WHEN 'D' THEN {} END END",
                                valid, daysFromCivil("y", "1", "1"), daysFromCivil("y", "3 * a - 2", "1"), daysFromCivil("y", "a", "1"),
                                firstWeek("y"), day);
    std::string k3 = sg == Grain::Week ? "CASE WHEN k = 'D' THEN 'W' ELSE k END" : "k";  // a day marking its week
    std::string l3 = fmt::format("SELECT s, {} AS k, {} AS z FROM ({}) AS t2", k3, z, F(l2));
    std::string l4 = civil("(" + F(l3) + ") AS t3", {"s", "k", "z"}, "z");
    // a text finer than or as fine as the grain maps to the period containing it;
    // a coarser one (data cannot be split) to none
    std::string p;
    switch (m_.grain) {
      case Grain::Day: p = "CASE WHEN k = 'D' THEN z END"; break;
      case Grain::Week: p = fmt::format("CASE WHEN k IN ('D', 'W') THEN {} END", weekOfDay("z")); break;
      case Grain::Month: p = "CASE WHEN k IN ('D', 'W', 'M') THEN cy * 12 + cm - 1 END"; break;
      case Grain::Quarter: p = fmt::format("CASE WHEN k IN ('D', 'W', 'M', 'Q') THEN cy * 4 + {} END", idiv("cm - 1", 3)); break;
      case Grain::Year: p = "CASE WHEN k IS NOT NULL THEN cy END"; break;
    }
    // k and fd name the period a text names (at the source's grain): rows that share them and a slice are duplicates
    std::string body = fmt::format("SELECT s, {} AS p, CASE WHEN k = 'W' THEN z - 3 ELSE z END AS fd{} FROM ({}) AS t4", p,
                                   o_.inputsOnly ? ", k" : "", F(l4));
    add(name, body,
        fmt::format("the periods of {}.{} ({}, {}) at the model's grain ({}); fd: the first day of the period a text names",
                    S.name, S.timeColumn, sourceKindName(S.kind), S.path, g));
  }
}

// The one scan of a source: its rows grouped by time text and dimension values,
// with each value column's count of rows and of values, sum, min and max (NaN
// and infinity, and the source's `missing:` texts, are NULL). Every later step
// reads these groups: combining them again gives what the rows would give.
std::string Gen::scan(Id s) {
  const Source& S = m_.sources[s];
  std::vector<std::string>& cols = srcColumns_[s];
  for (Id id = 0; id < m_.metrics.size(); ++id) {
    const Metric& M = m_.metrics[id];
    if (need_[id] && M.data && M.data->source == s && std::find(cols.begin(), cols.end(), M.data->column) == cols.end())
      cols.push_back(M.data->column);
  }
  // the dimension columns the metrics read from this source have: the groups are
  // over those only (a dimension no metric has, a store among thousands, would
  // keep as many groups as rows)
  std::vector<std::pair<Id, std::string>>& dc = srcDims_[s];
  dc.clear();
  for (auto& [d, col] : S.dimColumns) {
    bool used = false;
    for (Id id = 0; id < m_.metrics.size(); ++id)
      used |= need_[id] && m_.metrics[id].data && m_.metrics[id].data->source == s && contains(m_.metrics[id].dims, d);
    if (used) dc.push_back({d, col});
  }
  // grouped by the columns' own values (a date groups faster than its text), made text after
  std::string inner = fmt::format("r.{} AS t0", sx_.ident(S.timeColumn)), group = "t0", text = sx_.castText("t0") + " AS s";
  for (size_t j = 0; j < dc.size(); ++j) {
    inner += fmt::format(", r.{} AS g{}", sx_.ident(dc[j].second), j);
    group += fmt::format(", g{}", j);
    text += fmt::format(", {} AS {}", sx_.castText(fmt::format("g{}", j)), dimCol_[dc[j].first]);
  }
  std::string aggs = group + ", COUNT(*) AS n";
  text += ", n";
  for (size_t k = 0; k < cols.size(); ++k) {
    std::string c = "r." + sx_.ident(cols[k]);
    std::string v = sx_.castDouble(c);
    if (!S.missing.empty()) {
      std::string in;
      for (auto& t : S.missing) in += (in.empty() ? "" : ", ") + sx_.str(t);
      v = fmt::format("CASE WHEN {} IN ({}) THEN {} ELSE {} END", sx_.castText(c), in, sx_.nullDouble(), v);
    }
    // NaN and infinity are missing. PostgreSQL (where NaN = NaN) and SQLite (no NaN) by
    // NULLIF, which casts once (CASE WHEN x - x = 0 would cast three times a row: 7.4 s
    // against 3.0 s for 10,000,000 numeric cells); the others by the arithmetic test
    std::string x = fmt::format("CASE WHEN x{0} - x{0} = 0 THEN x{0} END", k + 1);
    if (o_.dialect == Dialect::Postgres) {
      v = fmt::format("NULLIF(NULLIF(NULLIF({}, {}), {}), {})", v, sx_.castDouble("'NaN'"), sx_.castDouble("'Infinity'"), sx_.castDouble("'-Infinity'"));
      x = fmt::format("x{}", k + 1);
    } else if (o_.dialect == Dialect::Sqlite) {
      v = fmt::format("NULLIF(NULLIF({}, 9e999), -9e999)", v);
      x = fmt::format("x{}", k + 1);
    }
    inner += fmt::format(", {} AS x{}", v, k + 1);
    aggs += fmt::format(", COUNT({0}) AS c{1}, SUM({0}) AS s{1}", x, k + 1);
    text += fmt::format(", c{0}, s{0}", k + 1);
    if (o_.inputsOnly) {  // pushdown: the cells holding NaN or infinity, for the loader's data-non-finite warning
      inner += fmt::format(", {} AS o{}", c, k + 1);
      std::string notMissing;
      if (!S.missing.empty()) {
        std::string in;
        for (auto& t : S.missing) in += (in.empty() ? "" : ", ") + sx_.str(t);
        notMissing = fmt::format(" AND {} NOT IN ({})", sx_.castText(fmt::format("o{}", k + 1)), in);
      }
      // without `missing:` texts, the values that are not NULL and did not become numbers: a count
      // less (a CASE a row cost the 10,000,000-row benchmark about a second)
      aggs += notMissing.empty() ? fmt::format(", COUNT(o{0}) - COUNT({1}) AS f{0}", k + 1, x)
                                 : fmt::format(", SUM(CASE WHEN o{0} IS NOT NULL AND {1} IS NULL{2} THEN 1 ELSE 0 END) AS f{0}", k + 1, x, notMissing);
      text += fmt::format(", f{}", k + 1);
    }
    // minima and maxima only where a metric's agg takes them
    bool lo = false, hi = false;
    for (Id id = 0; id < m_.metrics.size(); ++id) {
      const Metric& M = m_.metrics[id];
      if (!need_[id] || !M.data || M.data->source != s || M.data->column != cols[k]) continue;
      lo |= M.agg == Agg::Min;
      hi |= M.agg == Agg::Max;
    }
    aggs += lo ? fmt::format(", MIN({}) AS l{}", x, k + 1) : fmt::format(", {} AS l{}", sx_.nullDouble(), k + 1);
    aggs += hi ? fmt::format(", MAX({}) AS h{}", x, k + 1) : fmt::format(", {} AS h{}", sx_.nullDouble(), k + 1);
    text += fmt::format(", l{0}, h{0}", k + 1);
  }
  std::string name = fresh("src_" + S.name + "_g");
  add(name, fmt::format("SELECT {} FROM (SELECT {} FROM (SELECT {} FROM {} AS r) AS q GROUP BY {}) AS a", text, aggs, inner, sourceItem(s), group),
      fmt::format("{} ({}, {}) read once: its rows grouped by time and dimension values (as text s, d_...); per value column x_k the "
                  "count of rows n, of values c_k, their sum s_k{} (NaN, infinity{} are NULL)",
                  S.name, sourceKindName(S.kind), S.kind == SourceKind::Postgres ? "the source's query" : S.path,
                  ", min l_k and max h_k where an agg needs them", S.missing.empty() ? "" : " and the missing: texts"));
  return scanCte_[s] = name;
}

// A source's groups with their period (p, at the model's grain) and first day (fd).
std::string Gen::rows(Id s) {
  if (!rowsCte_[s].empty()) return rowsCte_[s];
  const Source& S = m_.sources[s];
  std::string cols = "t.p AS p, t.fd AS fd, g.n AS n";
  for (auto& [d, col] : srcDims_[s]) cols += ", g." + dimCol_[d];
  for (size_t k = 1; k <= srcColumns_[s].size(); ++k) cols += fmt::format(", g.c{0}, g.s{0}, g.l{0}, g.h{0}", k);
  std::string name = fresh("src_" + S.name);
  add(name, fmt::format("SELECT {} FROM {} AS g JOIN {} AS t ON t.s = g.s WHERE t.p IS NOT NULL", cols, scanCte_[s], timeCte_[s]),
      fmt::format("the groups of {} with their period", S.name));
  return rowsCte_[s] = name;
}

// ------------------------------------------------------------------ calendar and dimensions

void Gen::calendar() {
  // the timeline: first to last period found in the data (every source read)
  std::string ps;
  for (Id s = 0; s < m_.sources.size(); ++s)
    if (usedSource_[s]) ps += (ps.empty() ? "" : " UNION ALL ") + fmt::format("SELECT p FROM {}", timeCte_[s]);
  std::string bounds = fresh("bounds");
  if (!ps.empty()) {
    add(bounds, fmt::format("SELECT MIN(p) AS lo, MAX(p) AS hi FROM ({}) AS x", ps), "the timeline: the first and last period with rows");
  } else {
    // no data: one period, the header's start:
    if (!m_.start) unsupported(m_.range, "the model reads no data and has no `start:`", "mtc sql computes a model over its data sources");
    int64_t p = toGrain(*m_.start, m_.grain).ord;
    add(bounds, fmt::format("SELECT {0} AS lo, {0} AS hi", sx_.castInt(i(p))), "the timeline: the model's start (it reads no data)");
  }
  auto makeCal = [&](Level& L, Grain g, const std::string& loExpr, const std::string& hiExpr) {
    std::string c0 = fresh(L.coarse ? "gcal0" : "cal0");
    if (sx_.seriesIsRecursive()) recursive_ = true;
    add(c0, sx_.series(c0, bounds, loExpr, hiExpr));
    // label, year, first period of the year, same period last year (calendar.cpp)
    std::string label, yr, ys, ly, from = c0;
    bool civ = g == Grain::Day || g == Grain::Week;
    switch (g) {
      case Grain::Year: label = pad("p", 4); yr = "p"; ys = "p"; ly = "p - 1"; break;
      case Grain::Quarter:
        label = sx_.concat({pad(idiv("p", 4), 4), "'-Q'", sx_.castText(mod("p", 4) + " + 1")});
        yr = idiv("p", 4); ys = yr + " * 4"; ly = "p - 4";
        break;
      case Grain::Month:
        label = sx_.concat({pad(idiv("p", 12), 4), "'-'", pad(mod("p", 12) + " + 1", 2)});
        yr = idiv("p", 12); ys = yr + " * 12"; ly = "p - 12";
        break;
      case Grain::Week: {
        std::string w1 = firstWeek("cy"), w0 = firstWeek("cy - 1");
        label = sx_.concat({pad("cy", 4), "'-W'", pad("p - " + w1 + " + 1", 2)});
        yr = "cy"; ys = w1;
        ly = fmt::format("{0} + CASE WHEN p - {1} < {1} - {0} - 1 THEN p - {1} ELSE {1} - {0} - 1 END", w0, w1);
        break;
      }
      case Grain::Day:
        label = sx_.concat({pad("cy", 4), "'-'", pad("cm", 2), "'-'", pad("cd", 2)});
        yr = "cy"; ys = daysFromCivil("cy", "1", "1");
        ly = daysFromCivil("cy - 1", "cm", "CASE WHEN cm = 2 AND cd = 29 THEN 28 ELSE cd END");
        break;
    }
    std::string q = civ ? civil(c0, {"p"}, g == Grain::Week ? "7 * p" : "p") : "SELECT p FROM " + c0;
    std::string cols = fmt::format("p, {} AS label", label);
    if (!L.coarse && needYear_) cols += fmt::format(", {} AS yr, {} AS ys", yr, ys);
    if (!L.coarse && needLastYear_) cols += fmt::format(", {} AS ly", ly);
    L.cal = fresh(L.coarse ? "gcal" : "cal");
    add(L.cal, fmt::format("SELECT {} FROM ({}) AS c", cols, F(q)),
        fmt::format("the calendar by {}: ordinal p (calendar.h), label{}", grainName(g), !L.coarse && needYear_ ? ", year yr and its first period ys" : ""));
  };
  fine_.grain = m_.grain;
  makeCal(fine_, m_.grain, "lo", "hi");
  if (o_.grain && *o_.grain != m_.grain) {
    coarse_.coarse = true;
    coarse_.grain = *o_.grain;
    // each period of the model's grain, lo - 1 .. hi + 1, with the coarse period cp containing it
    std::string x0 = fresh("xcal0");
    if (sx_.seriesIsRecursive()) recursive_ = true;
    add(x0, sx_.series(x0, bounds, "lo - 1", "hi + 1"));
    Grain f = m_.grain, g = *o_.grain;
    std::string cp;
    bool civ = false;
    if (f == Grain::Month) cp = g == Grain::Quarter ? idiv("p", 3) : idiv("p", 12);
    else if (f == Grain::Quarter) cp = idiv("p", 4);
    else if (f == Grain::Day && g == Grain::Week) cp = weekOfDay("p");
    else {
      civ = true;  // a day, or a week's Thursday, to its month, quarter or year
      cp = g == Grain::Month ? "cy * 12 + cm - 1" : g == Grain::Quarter ? "cy * 4 + " + idiv("cm - 1", 3) : "cy";
    }
    std::string q = civ ? civil(x0, {"p"}, f == Grain::Week ? "7 * p" : "p") : "SELECT p FROM " + x0;
    std::string xcal = fresh("xcal");
    add(xcal, fmt::format("SELECT p, {} AS cp FROM ({}) AS c", cp, F(q)),
        fmt::format("periods by {} with the {} containing them (cp), one beyond each end", grainName(f), grainName(g)));
    xcal_ = xcal;
    // a coarse period is whole when the periods just outside the timeline are not in it
    std::string ends = fresh("gends");
    add(ends,
        fmt::format("SELECT MAX(CASE WHEN x.p = b.lo - 1 THEN x.cp END) AS before_cp, MAX(CASE WHEN x.p = b.hi + 1 THEN x.cp END) AS after_cp, "
                    "MAX(CASE WHEN x.p = b.lo THEN x.cp END) AS lo, MAX(CASE WHEN x.p = b.hi THEN x.cp END) AS hi FROM {} AS x CROSS JOIN {} AS b",
                    xcal, bounds),
        fmt::format("the first and last {} (lo, hi) and those holding the periods just outside the timeline: a {} is whole when it is neither",
                    grainName(g), grainName(g)));
    gends_ = ends;
    std::string saved = bounds;
    bounds = ends;
    makeCal(coarse_, g, "lo", "hi");
    bounds = saved;
  }
  bounds_ = bounds;
}

void Gen::dimensionColumns() {
  dimCol_.assign(m_.dims.size(), "");
  std::set<std::string> taken{"p", "v", "fd", "s", "k", "n"};
  for (Id d = 0; d < m_.dims.size(); ++d) {
    std::string c = "d_" + m_.dims[d].name;
    for (int k = 2; taken.count(lower(c)); ++k) c = fmt::format("d{}_{}", k, m_.dims[d].name);
    taken.insert(lower(c));
    dimCol_[d] = c;
  }
}

void Gen::dimensions() {
  dimCte_.assign(m_.dims.size(), "");
  // only the dimensions of needed metrics and their expressions get a CTE
  std::vector<bool> used(m_.dims.size(), false);
  for (Id id = 0; id < m_.metrics.size(); ++id) {
    if (!need_[id]) continue;
    for (Id d : m_.metrics[id].dims) used[d] = true;
    if (auto f = m_.metrics[id].formula) {
      std::vector<ExprId> st{*f};
      while (!st.empty()) {
        const Expr& e = m_.exprs[st.back()];
        st.pop_back();
        for (Id d : e.type.dims) used[d] = true;
        for (Id d : e.over) used[d] = true;
        for (auto& [d, v] : e.select) used[d] = true;
        for (ExprId a : e.args) st.push_back(a);
      }
    }
  }
  if (o_.inputsOnly)  // the values of every dimension declared `from` a source read
    for (Id d = 0; d < m_.dims.size(); ++d)
      if (m_.dims[d].fromSource && m_.dims[d].source != kNone && usedSource_[m_.dims[d].source]) used[d] = true;
  for (Id d = 0; d < m_.dims.size(); ++d) {
    if (!used[d]) continue;
    const Dimension& D = m_.dims[d];
    std::string name = fresh("dim_" + D.name);
    dimCte_[d] = name;
    if (D.fromSource && D.source != kNone) {
      bool grouped = false;  // the source's scan groups by this dimension's column
      for (auto& [x, c] : srcDims_[D.source]) grouped |= x == d && c == D.column;
      std::string c = sx_.castText("r." + sx_.ident(D.column));
      if (grouped)
        add(name, fmt::format("SELECT DISTINCT {0} AS v FROM {1} WHERE {0} IS NOT NULL AND {0} <> ''", dimCol_[d], scanCte_[D.source]),
            fmt::format("the values of {} found in {}.{}", D.name, m_.sources[D.source].name, D.column));
      else
        add(name, fmt::format("SELECT DISTINCT {0} AS v FROM {1} AS r WHERE {0} IS NOT NULL AND {0} <> ''", c, sourceItem(D.source)),
            fmt::format("the values of {} found in {}.{}", D.name, m_.sources[D.source].name, D.column));
    } else {
      std::string body;
      for (auto& v : D.values) body += (body.empty() ? "" : " UNION ALL ") + fmt::format("SELECT {} AS v", sx_.str(v));
      if (body.empty()) body = fmt::format("SELECT {} AS v WHERE 1 = 0", sx_.nullText());
      add(name, body, fmt::format("the values of {}", D.name));
    }
  }
}

// ------------------------------------------------------------------ metrics

// A data metric: its column rolled up to (period, slice) as mtc loads it
// (data.cpp): across the source's other dimensions per fine period, then over
// the fine periods in time order, with the metric's agg; then on the spine.
Rel Gen::dataRel(Id id) {
  const Metric& M = m_.metrics[id];
  const Source& S = m_.sources[M.data->source];
  std::string src = rows(M.data->source);
  const auto& cols = srcColumns_[M.data->source];
  size_t k = static_cast<size_t>(std::find(cols.begin(), cols.end(), M.data->column) - cols.begin());
  for (Id d : M.dims) {
    bool has = false;
    for (auto& [sd, c] : S.dimColumns) has |= sd == d;
    if (!has) internal("a data metric's dimension is not a column of its source");
  }
  std::string dims = dimList(M.dims);
  // across the source's other dimensions, per fine period: from the groups' counts,
  // sums, minima and maxima; missing when a row's value is (ops::rollUp)
  std::string guard = fmt::format("CASE WHEN SUM(c{0}) = SUM(n) THEN ", k + 1);
  std::string across;
  switch (M.agg) {
    case Agg::Sum: case Agg::Last: across = fmt::format("{}SUM(s{}) END", guard, k + 1); break;
    case Agg::Mean: across = fmt::format("{}SUM(s{}) / SUM(n) END", guard, k + 1); break;
    case Agg::Min: across = fmt::format("{}MIN(l{}) END", guard, k + 1); break;
    case Agg::Max: across = fmt::format("{}MAX(h{}) END", guard, k + 1); break;
  }
  std::string inner = fmt::format("SELECT p, fd{0}, {1} AS v{2} FROM {3} GROUP BY p, fd{0}", dims, across,
                                  M.agg == Agg::Last ? ", MAX(fd) OVER (PARTITION BY p" + dims + ") AS mfd" : "", src);
  std::string outer = M.agg == Agg::Last ? "MAX(CASE WHEN fd = mfd THEN v END)" : aggOf(M.agg, "v");
  std::string a = fresh("a_" + M.name);
  add(a, fmt::format("SELECT p{0}, {1} AS v FROM ({2}) AS f GROUP BY p{0}", dims, outer, inner),
      fmt::format("{}: {}.{} by period{}, {} over {}", M.name, S.name, M.data->column, M.dims.empty() ? "" : " and " + dimsText(M.dims),
                  aggName(M.agg), M.dims.size() < S.dimColumns.size() ? "the other dimensions and finer periods" : "finer periods"));
  aggCte_[id] = a;
  std::string name = fresh("m_" + M.name);
  std::string on = "a.p = c.p";
  for (size_t j = 0; j < M.dims.size(); ++j) on += fmt::format(" AND a.{} = s{}.v", dimCol_[M.dims[j]], j);
  add(name, fmt::format("SELECT {}, a.v AS v FROM {} LEFT JOIN {} AS a ON {}", spineCols(M.dims), spine(M.dims, fine_), a, on),
      fmt::format("{} on the calendar x slice spine", M.name));
  return {name, M.dims};
}

Rel Gen::totalOver(const Rel& slices, Agg agg, const std::string& name, const Level& L) {
  // across slices `last` adds up (ops::acrossSlices)
  add(name, fmt::format("SELECT p, {} AS v FROM {} GROUP BY p", aggOf(agg == Agg::Last ? Agg::Sum : agg, "v"), slices.name));
  return {name, {}};
}

Rel Gen::rollUpRel(Id id, const Rel& fine, const std::string& name) {
  // the fine periods of each coarse one, in time order (rt::rollUp); a coarse
  // period the timeline covers only in part is missing
  const Metric& M = m_.metrics[id];
  std::string dims = dimList(fine.dims);
  std::string inner = fmt::format("SELECT x.cp AS p{0}, f.p AS fp, f.v AS v{1} FROM {2} AS f JOIN {3} AS x ON x.p = f.p", dimList(fine.dims, "f."),
                                  M.agg == Agg::Last ? ", MAX(f.p) OVER (PARTITION BY x.cp" + dimList(fine.dims, "f.") + ") AS mfp" : "",
                                  fine.name, xcal_);
  std::string agg = M.agg == Agg::Last ? "MAX(CASE WHEN fp = mfp THEN v END)" : aggOf(M.agg, "v");
  std::string g = fmt::format("SELECT p{0}, {1} AS v FROM ({2}) AS f GROUP BY p{0}", dims, agg, inner);
  std::string cols = "c.p AS p";
  for (Id d : fine.dims) cols += fmt::format(", g.{0} AS {0}", dimCol_[d]);
  add(name,
      fmt::format("SELECT {}, CASE WHEN c.p <> e.before_cp AND c.p <> e.after_cp THEN g.v END AS v FROM ({}) AS g JOIN {} AS c ON c.p = g.p CROSS JOIN {} AS e",
                  cols, g, coarse_.cal, gends_),
      fmt::format("{} rolled up to {} with its agg ({})", M.name, grainName(coarse_.grain), aggName(M.agg)));
  return {name, fine.dims};
}

Rel Gen::metricRel(Id id, Mode mode, const Level& L) {
  const Metric& M = m_.metrics[id];
  if (mode == Mode::Total && M.dims.empty()) mode = Mode::Slice;  // its one slice is its total
  Key key{id, mode, L.coarse};
  if (auto it = done_.find(key); it != done_.end()) return it->second;
  if (busy_.count(key)) {
    std::string path;
    bool on = false;
    for (Id b : busyOrder_) {
      on |= b == id;
      if (on) path += m_.metrics[b].name + " -> ";
    }
    path += M.name;
    unsupported(M.formula ? m_.exprs[*M.formula].range : M.nameRange,
                fmt::format("'{}' is computed period by period from its own past ({}){}", M.name, path,
                            mode == Mode::Total ? ", in its total over slices" : ""),
                M.data ? "its total is recomputed from its inputs' totals each period: declare `agg:` so that it adds up its slices"
                       : "give it data (`data: source.column`): SQL has no period-by-period recursion that every dialect runs");
  }
  busy_.insert(key);
  busyOrder_.push_back(id);
  Rel r = buildMetricRel(id, mode, L);
  busy_.erase(key);
  busyOrder_.pop_back();
  done_[key] = r;
  return r;
}

Rel Gen::buildMetricRel(Id id, Mode mode, const Level& L) {
  const Metric& M = m_.metrics[id];
  if (!L.coarse) {
    if (mode == Mode::Slice) {
      // within the data's timeline a metric with data is its data (a stock's formula applies after it)
      if (M.data) return dataRel(id);
      if (M.group != kNone && M.formula) return groupRel(M.group, Mode::Slice, id);  // a stock: one period a step
      std::string name = fresh("m_" + M.name);
      if (!M.formula) {
        add(name, fmt::format("SELECT {}, {} AS v FROM {}", spineCols(M.dims), sx_.nullDouble(), spine(M.dims, L)),
            fmt::format("{}: no data, no formula: missing", M.name));
        return {name, M.dims};
      }
      Rel r = node(*M.formula, Mode::Slice, L, M.dims, name);
      ctes_.back().comment = fmt::format("{} = {}", M.name, oneLine(exprText(m_, *M.formula)));
      return r;
    }
    std::string name = fresh("t_" + M.name);
    if (rt::totalRecomputed(m_, id) && M.group != kNone) return groupRel(M.group, Mode::Total, id);
    if (rt::totalRecomputed(m_, id)) {
      Rel r = node(*M.formula, Mode::Total, L, {}, name);
      ctes_.back().comment = fmt::format("{}'s total: its formula on its inputs' totals", M.name);
      return r;
    }
    Rel r = totalOver(metricRel(id, Mode::Slice, L), M.agg, name, L);
    ctes_.back().comment = fmt::format("{}: the {} over its slices", M.name, aggName(M.agg == Agg::Last ? Agg::Sum : M.agg));
    return r;
  }
  // a coarser grain (engines/src/grain.cpp): data metrics and metrics built on
  // time operators roll up from the model's grain; other formulas are recomputed
  bool input = !M.formula || M.data || timeDependent(m_, id);
  if (mode == Mode::Slice) {
    std::string name = fresh("g_" + M.name);
    if (input) return rollUpRel(id, metricRel(id, Mode::Slice, fine_), name);
    Rel r = node(*M.formula, Mode::Slice, L, M.dims, name);
    ctes_.back().comment = fmt::format("{} by {} = {}", M.name, grainName(L.grain), oneLine(exprText(m_, *M.formula)));
    return r;
  }
  std::string name = fresh("gt_" + M.name);
  if (!input && rt::totalRecomputed(m_, id)) {
    Rel r = node(*M.formula, Mode::Total, L, {}, name);
    ctes_.back().comment = fmt::format("{}'s total by {}: its formula on its inputs' totals", M.name, grainName(L.grain));
    return r;
  }
  Rel r = totalOver(metricRel(id, Mode::Slice, L), M.agg, name, L);
  ctes_.back().comment = fmt::format("{}: the {} over its slices", M.name, aggName(M.agg == Agg::Last ? Agg::Sum : M.agg));
  return r;
}

// A delayed cycle (Model::groups: a stock and what reads its past), computed as
// mtc does, one period a step (runtime.md): a recursive CTE whose row for period
// p holds every member's value and, for lag(member, k), its values k periods back
// (registers), from the row for p - 1 and the other relations at p. The first
// row reads the members' opening values (`initial:`) for their lags. Members with
// data are their data (not part of it); in a total, the members whose total is
// recomputed from their inputs' totals.
Rel Gen::groupRel(Id g, Mode mode, Id asked) {
  const Metric& A = m_.metrics[asked];
  auto key = std::make_pair(g, mode);
  if (!groupCte_.count(key)) {
    std::vector<Id> G;
    for (Id id : m_.groups[g]) {
      const Metric& M = m_.metrics[id];
      bool in = M.formula && (mode == Mode::Slice ? !M.data : !M.dims.empty() && rt::totalRecomputed(m_, id));
      if (in) G.push_back(id);
    }
    Range at = A.formula ? m_.exprs[*A.formula].range : A.nameRange;
    std::string path;
    for (Id id : m_.groups[g]) path += m_.metrics[id].name + " -> ";
    path += m_.metrics[m_.groups[g].front()].name;
    if (o_.dialect == Dialect::Spark)
      unsupported(at, fmt::format("'{}' is computed period by period from its own past ({}), and Spark SQL has no recursive CTE", A.name, path),
                  "give it data, or write the query for another dialect");
    std::vector<Id> D = mode == Mode::Slice ? A.dims : std::vector<Id>{};
    for (Id id : G)
      if (mode == Mode::Slice && m_.metrics[id].dims != D)
        unsupported(at, fmt::format("'{}' and '{}' are computed period by period together ({}) but have different dimensions", A.name,
                                    m_.metrics[id].name, path),
                    "mtc sql computes a stock by a recursive CTE of one row per period and slice");
    // the registers: how far back each member is read
    std::map<Id, int64_t> depth;
    for (Id id : G) depth[id] = 1;
    for (Id id : G) {
      std::vector<ExprId> st{*m_.metrics[id].formula};
      while (!st.empty()) {
        const Expr& e = m_.exprs[st.back()];
        st.pop_back();
        if (e.op == Op::Lag && m_.exprs[e.args[0]].op == Op::Metric && depth.count(m_.exprs[e.args[0]].ref))
          depth[m_.exprs[e.args[0]].ref] = std::max(depth[m_.exprs[e.args[0]].ref], e.n);
        for (ExprId a : e.args) st.push_back(a);
      }
    }
    auto col = [&](size_t i) { return fmt::format("v{}", i); };
    auto reg = [&](size_t i, int64_t j) { return fmt::format("v{}_l{}", i, j); };
    // one step: the members' values in order, then the registers
    auto step = [&](Scope& sc, bool first, const std::string& row) {
      sc.rec = true;
      sc.dims = D;
      sc.level = &fine_;
      sc.dimPrefix = row + ".";
      for (Id id : G) sc.group.insert(id);
      std::vector<std::string> init(G.size());
      for (size_t i = 0; i < G.size(); ++i) {
        const Metric& M = m_.metrics[G[i]];
        init[i] = M.initial ? scalar(*M.initial, mode, sc).s : sx_.nullDouble();
        for (int64_t k = 1; k <= depth[G[i]]; ++k)
          sc.lagged[{G[i], k}] = first ? init[i] : k == 1 ? row + "." + col(i) : row + "." + reg(i, k - 1);
      }
      std::string cols = first ? row + ".p AS p" : row + ".p + 1 AS p";
      for (Id d : D) cols += fmt::format(", {0}.{1} AS {1}", row, dimCol_[d]);
      for (size_t i = 0; i < G.size(); ++i) {
        std::string v = scalar(*m_.metrics[G[i]].formula, mode, sc).s;
        sc.current[G[i]] = v;
        cols += fmt::format(", {} AS {}", v, col(i));
      }
      for (size_t i = 0; i < G.size(); ++i)
        for (int64_t j = 1; j < depth[G[i]]; ++j)
          cols += fmt::format(", {} AS {}", first ? init[i] : j == 1 ? row + "." + col(i) : row + "." + reg(i, j - 1), reg(i, j));
      std::string joins;
      for (size_t k = 0; k < sc.joins.size(); ++k) {
        std::string on = fmt::format("j{0}r.p = {1}.p{2}", k, row, first ? "" : " + 1");
        for (Id d : sc.joins[k].dims) on += fmt::format(" AND j{0}r.{1} = {2}.{1}", k, dimCol_[d], row);
        joins += fmt::format(" JOIN {} AS j{}r ON {}", sc.joins[k].name, k, on);
      }
      return std::make_pair(cols, joins);
    };
    std::string cte = fresh(fmt::format("rec_{}", m_.metrics[m_.groups[g].front()].name) + (mode == Mode::Total ? "_total" : ""));
    Scope s0, s1;
    auto [c0, j0] = step(s0, true, "r0");
    auto [c1, j1] = step(s1, false, "r");
    std::string anchor = fmt::format("(SELECT {} FROM {} CROSS JOIN {} AS b WHERE c.p = b.lo) AS r0", spineCols(D), spine(D, fine_), bounds_);
    std::string body = fmt::format("SELECT {} FROM {}{} UNION ALL SELECT {} FROM {} AS r CROSS JOIN {} AS b{} WHERE r.p < b.hi", c0, anchor, j0,
                                   c1, cte, bounds_, j1);
    std::string head = cte;
    if (o_.dialect == Dialect::Trino) {  // Trino names a recursive CTE's columns
      head += "(p";
      for (Id d : D) head += ", " + dimCol_[d];
      for (size_t i = 0; i < G.size(); ++i) head += ", " + col(i);
      for (size_t i = 0; i < G.size(); ++i)
        for (int64_t j = 1; j < depth[G[i]]; ++j) head += ", " + reg(i, j);
      head += ")";
    }
    recursive_ = true;
    std::string names;
    for (size_t i = 0; i < G.size(); ++i) names += fmt::format("{}{} = {}", i ? ", " : "", col(i), m_.metrics[G[i]].name);
    add(head, body,
        fmt::format("{} computed one period a step{} ({}): {}", path, mode == Mode::Total ? ", their totals" : "",
                    "a recursive CTE from the first period", names));
    groupCte_[key] = cte;
    groupMembers_[key] = G;
  }
  const std::vector<Id>& G = groupMembers_[key];
  size_t i = static_cast<size_t>(std::find(G.begin(), G.end(), asked) - G.begin());
  if (i == G.size()) internal("a metric of a delayed cycle that its recursion does not compute");
  std::vector<Id> D = mode == Mode::Slice ? A.dims : std::vector<Id>{};
  std::string name = fresh((mode == Mode::Slice ? "m_" : "t_") + A.name);
  add(name, fmt::format("SELECT p{}, v{} AS v FROM {}", dimList(D), i, groupCte_[key]),
      fmt::format("{}{} = {}", A.name, mode == Mode::Total ? "'s total" : "", oneLine(exprText(m_, *A.formula))));
  return {name, D};
}

// ------------------------------------------------------------------ formulas

Rel Gen::exprRel(ExprId id, Mode mode, const Level& L) {
  const Expr& e = m_.exprs[id];
  if (e.op == Op::Metric) return metricRel(e.ref, mode, L);
  std::vector<Id> dims = mode == Mode::Total ? std::vector<Id>{} : e.type.dims;
  return node(id, mode, L, dims, "");
}

// A relation holding expression e over the dimensions `dims` (a superset of its own).
Rel Gen::node(ExprId id, Mode mode, const Level& L, const std::vector<Id>& dims, const std::string& name) {
  Scope sc;
  sc.dims = dims;
  sc.level = &L;
  Val v = scalar(id, mode, sc);
  // a relation as it is (a time operator's, a reduction's) needs no SELECT around it
  if (name.empty() && sc.lets.empty() && sc.joins.size() == 1 && v.s == "j0" && sc.joins[0].dims == dims) return sc.joins[0];
  std::string n = name.empty() ? tmp("n") : name;
  add(n, render(sc, v));
  return {n, dims};
}

std::string Gen::render(const Scope& sc, const Val& v) {
  std::string cols = "p" + dimList(sc.dims);
  std::string base = spineCols(sc.dims);
  std::string from = spine(sc.dims, *sc.level);
  for (size_t k = 0; k < sc.joins.size(); ++k) {
    const Rel& r = sc.joins[k];
    base += fmt::format(", j{0}r.v AS j{0}", k);
    std::string on = fmt::format("j{}r.p = c.p", k);
    for (Id d : r.dims) {
      auto it = std::find(sc.dims.begin(), sc.dims.end(), d);
      if (it == sc.dims.end()) internal("a relation with a dimension outside its scope");
      on += fmt::format(" AND j{}r.{} = s{}.v", k, dimCol_[d], it - sc.dims.begin());
    }
    from += fmt::format(" JOIN {} AS j{}r ON {}", r.name, k, on);
  }
  std::string all = cols;
  for (size_t k = 0; k < sc.joins.size(); ++k) all += fmt::format(", j{}", k);
  std::string q = fmt::format("SELECT {} FROM {}", base, from);
  for (size_t L = 0; L < sc.lets.size(); ++L) {
    std::string add_;
    for (auto& [n, e] : sc.lets[L]) add_ += fmt::format(", {} AS {}", e, n);
    q = fmt::format("SELECT {}{} FROM ({}) AS z{}", all, add_, F(q), L + 1);
    for (auto& [n, e] : sc.lets[L]) all += ", " + n;
  }
  return fmt::format("SELECT {}, {} AS v FROM ({}) AS z", cols, v.s, sc.lets.empty() ? q : F(q));
}

Val Gen::leaf(const Rel& r, Scope& sc) {
  if (!subsetOf(r.dims, sc.dims)) internal(fmt::format("relation {} reads dimensions outside the formula's", r.name));
  const char* fmtS = sc.rec ? "j{}r.v" : "j{}";
  for (size_t k = 0; k < sc.joins.size(); ++k)
    if (sc.joins[k].name == r.name) return {fmt::format(fmt::runtime(fmtS), k), 0, true};
  sc.joins.push_back(r);
  return {fmt::format(fmt::runtime(fmtS), sc.joins.size() - 1), 0, true};
}

Val Gen::atom(const Val& v, Scope& sc) {
  if (v.atomic) return v;
  if (sc.rec) return {"(" + v.s + ")", v.level, true};  // no layers in a recursive step: the text again
  int L = v.level + 1;
  if (static_cast<int>(sc.lets.size()) < L) sc.lets.resize(static_cast<size_t>(L));
  std::string n = fmt::format("x{}", ++counter_);
  sc.lets[static_cast<size_t>(L - 1)].push_back({n, v.s});
  return {n, L, true};
}

Val Gen::param(Id p, Mode mode, Scope& sc) {
  const Param& P = m_.params[p];
  if (P.dims.empty() || mode == Mode::Total) {
    // a total reads a param's first slice (interp.cpp); a recomputed total reads none with dimensions
    if (!P.values.empty()) return {sx_.num(P.values[0]), 0, true};
    if (P.keyedDefault && P.dims.empty()) return {sx_.num(*P.keyedDefault), 0, true};
    return {sx_.nullDouble(), 0, true};
  }
  if (!subsetOf(P.dims, sc.dims)) internal("a param with dimensions outside the formula's");
  std::string s = "CASE";
  auto cond = [&](const std::vector<std::string>& key) {
    std::string c;
    for (size_t k = 0; k < P.dims.size(); ++k)
      c += fmt::format("{}{}{} = {}", k ? " AND " : "", sc.dimPrefix, dimCol_[P.dims[k]], sx_.str(key[k]));
    return c;
  };
  if (!P.keyed.empty() || P.keyedDefault) {
    // over a dimension whose values come from data: the map as written, `_` for the rest
    for (auto& [key, v] : P.keyed) s += fmt::format(" WHEN {} THEN {}", cond(key), sx_.num(v));
    s += fmt::format(" ELSE {} END", P.keyedDefault ? sx_.num(*P.keyedDefault) : sx_.nullDouble());
    if (P.keyed.empty()) s = sx_.num(*P.keyedDefault);
  } else {
    size_t n = m_.sliceCount(P.dims);
    if (n == 0 || P.values.size() != n) internal("a param's values do not match its dimensions");
    for (size_t sl = 0; sl < n; ++sl) {
      std::vector<uint32_t> co = m_.sliceCoords(P.dims, sl);
      std::vector<std::string> key;
      for (size_t k = 0; k < P.dims.size(); ++k) key.push_back(m_.dims[P.dims[k]].values[co[k]]);
      s += fmt::format(" WHEN {} THEN {}", cond(key), sx_.num(P.values[sl]));
    }
    s += " END";
  }
  return {s, 0, false};
}

// std::pow's special cases (C99 F.9.4.4) where SQL's POWER differs or raises an
// error: x^0 = 1 and 1^y = 1 even when the other is missing, a negative base to
// a fractional power is missing, 0 to a negative power is infinity.
Val Gen::pow(Val x, Val y, Scope& sc, const Expr& ye) {
  // the exponent a number: the cases that apply, and no others
  const double* yc = ye.op == Op::Const ? &ye.value : nullptr;
  std::string one = sx_.num(1), zero = sx_.num(0), inf = sx_.infinity(), nan = sx_.nullDouble();
  if (yc) {
    if (*yc == 0) return {one, 0, true};
    bool whole = std::floor(*yc) == *yc;
    x = atom(x, sc);
    std::string s = "CASE";
    if (!whole) s += fmt::format(" WHEN {} < {} THEN {}", x.s, zero, nan);
    if (*yc < 0) s += fmt::format(" WHEN {} = {} THEN {}", x.s, zero, inf);
    if (s == "CASE") return {power(x.s, y.s), x.level, false};
    return {fmt::format("{} ELSE {} END", s, power(x.s, y.s)), x.level, false};
  }
  x = atom(x, sc);
  y = atom(y, sc);
  return {fmt::format("CASE WHEN {1} = {2} THEN {3} WHEN {0} = {3} THEN {3} WHEN {0} < {2} AND {1} <> FLOOR({1}) THEN {4} "
                      "WHEN {0} = {2} AND {1} < {2} THEN {5} ELSE {6} END",
                      x.s, y.s, zero, one, nan, inf, power(x.s, y.s)),
          std::max(x.level, y.level), false};
}

Val Gen::scalar(ExprId id, Mode mode, Scope& sc) {
  const Expr& e = m_.exprs[id];
  const Level& L = *sc.level;
  if (sc.rec) {  // a step of a delayed cycle: its members' values in this row and the registers
    if (e.op == Op::Metric && sc.current.count(e.ref)) return {"(" + sc.current.at(e.ref) + ")", 0, false};
    if (e.op == Op::Lag && m_.exprs[e.args[0]].op == Op::Metric && sc.group.count(m_.exprs[e.args[0]].ref)) {
      Id ref = m_.exprs[e.args[0]].ref;
      if (e.n == 0) return {"(" + sc.current.at(ref) + ")", 0, false};
      return {sc.lagged.at({ref, e.n}), 0, true};
    }
    bool elementwise = !(isTimeOp(e.op) || e.op == Op::SumOver || e.op == Op::MeanOver || e.op == Op::MinOver || e.op == Op::MaxOver ||
                         e.op == Op::Share || e.op == Op::Select);
    if (!elementwise && readsAny(id, sc.group))
      unsupported(e.range, fmt::format("{}() of a metric computed period by period from its own past", opName(e.op)),
                  "mtc sql computes such a stock by a recursive CTE, one period a step: its formulas may read the stock and what it "
                  "reads in the same period and through lag(x, k) only");
  }
  auto a = [&](size_t k) { return scalar(e.args[k], mode, sc); };
  auto lv = [](std::initializer_list<Val> vs) {
    int l = 0;
    for (auto& v : vs) l = std::max(l, v.level);
    return l;
  };
  auto bin = [&](const char* op) {
    Val x = a(0), y = a(1);
    return Val{sx_.noNaN(fmt::format("({} {} {})", x.s, op, y.s)), lv({x, y}), false};
  };
  auto cmp = [&](const char* op, bool swap) {
    Val x = a(0), y = a(1);
    if (swap) std::swap(x, y);
    return Val{sx_.boolToDouble(fmt::format("{} {} {}", x.s, op, y.s)), lv({x, y}), false};
  };
  auto truth = [&](const Val& x) { return fmt::format("SIGN(ABS({}))", x.s); };  // 1, 0 or NULL
  std::string one = sx_.num(1);
  switch (e.op) {
    case Op::Const: return {sx_.num(e.value), 0, true};
    case Op::Param: return param(e.ref, mode, sc);
    case Op::Metric: return leaf(metricRel(e.ref, mode, L), sc);
    case Op::Neg: {
      Val x = a(0);
      return {"(-" + x.s + ")", x.level, false};
    }
    case Op::Not: {
      Val x = a(0);
      return {fmt::format("({} - {})", one, truth(x)), x.level, false};
    }
    case Op::Add: return bin("+");
    case Op::Sub: return bin("-");
    case Op::Mul: return bin("*");
    case Op::Div: {
      Val x = a(0), y = a(1);
      return {sx_.noNaN(fmt::format("({} / NULLIF({}, {}))", x.s, y.s, sx_.num(0))), lv({x, y}), false};
    }
    case Op::Pow: return pow(a(0), a(1), sc, m_.exprs[e.args[1]]);
    case Op::Lt: return cmp("<", false);
    case Op::Le: return cmp("<=", false);
    case Op::Gt: return cmp("<", true);
    case Op::Ge: return cmp("<=", true);
    case Op::Eq: return cmp("=", false);
    case Op::Ne: {
      Val x = a(0), y = a(1);
      return {fmt::format("({} - {})", one, sx_.boolToDouble(fmt::format("{} = {}", x.s, y.s))), lv({x, y}), false};
    }
    case Op::And: {
      Val x = a(0), y = a(1);
      return {fmt::format("({} * {})", truth(x), truth(y)), lv({x, y}), false};
    }
    case Op::Or: {
      Val x = a(0), y = a(1);
      return {fmt::format("({0} - ({0} - {1}) * ({0} - {2}))", one, truth(x), truth(y)), lv({x, y}), false};
    }
    case Op::If: {
      Val c = a(0), x = a(1), y = a(2);
      return {fmt::format("CASE {} WHEN 1 THEN {} WHEN 0 THEN {} END", truth(c), x.s, y.s), lv({c, x, y}), false};
    }
    case Op::Min: case Op::Max: {
      Val v = a(0);
      for (size_t k = 1; k < e.args.size(); ++k) {
        Val x = atom(v, sc), y = atom(a(k), sc);
        v = {e.op == Op::Min ? sx_.least(x.s, y.s) : sx_.greatest(x.s, y.s), lv({x, y}), false};
      }
      return v;
    }
    case Op::Abs: {
      Val x = a(0);
      return {"ABS(" + x.s + ")", x.level, false};
    }
    case Op::Log: {
      Val x = atom(a(0), sc);
      return {fmt::format("LN(CASE WHEN {0} > {1} THEN {0} END)", x.s, sx_.num(0)), x.level, false};
    }
    case Op::Exp: {
      Val x = atom(a(0), sc);
      return {exp(x.s), x.level, false};
    }
    case Op::Sqrt: {
      Val x = atom(a(0), sc);
      return {fmt::format("SQRT(CASE WHEN {0} >= {1} THEN {0} END)", x.s, sx_.num(0)), x.level, false};
    }
    case Op::Clamp: {
      Val x = atom(a(0), sc), lo = atom(a(1), sc), hi = atom(a(2), sc);
      Val mx = atom(Val{sx_.greatest(x.s, lo.s), lv({x, lo}), false}, sc);
      return {sx_.least(mx.s, hi.s), lv({mx, hi}), false};
    }
    case Op::Lag: case Op::Delta: case Op::PctChange: case Op::Cumsum: case Op::RollingSum: case Op::RollingMean:
    case Op::Ytd: case Op::Yoy:
      return leaf(timeRel(id, mode, L), sc);
    case Op::Adstock: return leaf(adstockRel(id, mode, L), sc);
    case Op::SumOver: case Op::MeanOver: case Op::MinOver: case Op::MaxOver: {
      if (mode == Mode::Slice) return leaf(reduceRel(id, L), sc);
      // a total: the argument is already a grand total (interp.cpp)
      Val x = a(0);
      if (e.op != Op::MeanOver) return x;
      std::string n;
      for (Id d : e.over) n += (n.empty() ? "" : " * ") + fmt::format("(SELECT COUNT(*) FROM {})", dimCte_[d]);
      return {sx_.noNaN(fmt::format("({} / ({}))", x.s, n.empty() ? one : n)), x.level, false};
    }
    case Op::Share:
      if (mode == Mode::Total) internal("share in a recomputed total");
      return leaf(shareRel(id, L), sc);
    case Op::Select:
      if (mode == Mode::Total) internal("a selection in a recomputed total");
      return leaf(selectRel(id, L), sc);
    case Op::Hill: {
      Val x = a(0), h = a(1), s = atom(a(2), sc);
      const Expr& se = m_.exprs[e.args[2]];
      Val xs = atom(pow(x, s, sc, se), sc), hs = atom(pow(h, s, sc, se), sc);
      return {sx_.noNaN(fmt::format("({0} / NULLIF({0} + {1}, {2}))", xs.s, hs.s, sx_.num(0))), lv({xs, hs}), false};
    }
    case Op::Saturate: {
      Val x = a(0), cap = a(1), rate = a(2);
      Val ex = atom(Val{fmt::format("((-{}) * {})", rate.s, x.s), lv({x, rate}), false}, sc);
      return {sx_.noNaN(fmt::format("({} * ({} - {}))", cap.s, one, exp(ex.s))), lv({ex, cap}), false};
    }
  }
  internal("an operator the generator does not know");
}

// lag, delta, pct_change, cumsum, rolling windows, ytd, yoy: window functions
// over the argument's relation, partitioned by its slice, ordered by period.
// The spine has every period, so LAG(v, n) is n periods back.
Rel Gen::timeRel(ExprId id, Mode mode, const Level& L) {
  const Expr& e = m_.exprs[id];
  if (L.coarse) internal("a time operator at a coarser grain");
  Rel r = exprRel(e.args[0], mode, L);
  if (e.op == Op::Lag && e.n == 0 && e.args.size() == 1) return r;
  const std::vector<Id>& D = r.dims;
  std::string W = window(D, "r."), from = r.name + " AS r", v;
  std::string one = sx_.num(1);
  auto lagSum = [&](int64_t n) {  // oldest first, as the interpreter adds them
    std::string s;
    for (int64_t k = n - 1; k >= 1; --k) s += fmt::format("LAG(r.v, {}) {} + ", k, W);
    return "(" + s + "r.v)";
  };
  switch (e.op) {
    case Op::Lag: {
      std::string lag = e.n >= 0 ? fmt::format("LAG(r.v, {}) {}", e.n, W) : fmt::format("LEAD(r.v, {}) {}", -e.n, W);
      if (e.args.size() > 1 && e.n > 0) {
        // a stock's opening value before the first period
        Rel init = exprRel(e.args[1], mode, L);
        if (!subsetOf(init.dims, D)) unsupported(e.range, "the opening value has dimensions the lagged series lacks");
        from += fmt::format(" JOIN {} AS i ON i.p = r.p{}", init.name, sameDims(init.dims, "i", "r"));
        v = fmt::format("CASE WHEN ROW_NUMBER() {} <= {} THEN i.v ELSE {} END", W, e.n, lag);
      } else {
        v = lag;
      }
      break;
    }
    case Op::Delta: v = fmt::format("(r.v - LAG(r.v, 1) {})", W); break;
    case Op::PctChange: v = fmt::format("(r.v / NULLIF(LAG(r.v, 1) {}, {}) - {})", W, sx_.num(0), one); break;
    case Op::Cumsum: {
      std::string Wc = window(D, "r.", "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW");
      v = fmt::format("CASE WHEN COUNT(r.v) {0} = COUNT(*) {0} THEN SUM(r.v) {0} END", Wc);
      break;
    }
    case Op::RollingSum: case Op::RollingMean: {
      if (e.n < 1) unsupported(e.range, "a window of fewer than one period");
      if (e.n <= 64) {
        v = lagSum(e.n);
      } else {
        std::string Wn = window(D, "r.", fmt::format("ROWS BETWEEN {} PRECEDING AND CURRENT ROW", e.n - 1));
        v = fmt::format("CASE WHEN COUNT(r.v) {0} = {1} THEN SUM(r.v) {0} END", Wn, e.n);
      }
      if (e.op == Op::RollingMean) v = fmt::format("({} / {})", v, sx_.num(static_cast<double>(e.n)));
      break;
    }
    case Op::Ytd: {
      // from the first period of the calendar year; missing when the year starts before the data
      from += fmt::format(" JOIN {} AS c ON c.p = r.p CROSS JOIN {} AS b", L.cal, bounds_);
      std::string Wy = window(D, "r.", "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW", "c.yr");
      v = fmt::format("CASE WHEN c.ys >= b.lo AND COUNT(r.v) {0} = COUNT(*) {0} THEN SUM(r.v) {0} END", Wy);
      break;
    }
    case Op::Yoy: {
      int64_t back = m_.grain == Grain::Month ? 12 : m_.grain == Grain::Quarter ? 4 : m_.grain == Grain::Year ? 1 : 0;
      if (back) {
        v = fmt::format("(r.v / NULLIF(LAG(r.v, {}) {}, {}) - {})", back, W, sx_.num(0), one);
      } else {
        // weeks and days: the same period a year earlier from the calendar (2024-02-29 -> 2023-02-28, W53 -> W52)
        from += fmt::format(" JOIN {} AS c ON c.p = r.p LEFT JOIN {} AS r2 ON r2.p = c.ly{}", L.cal, r.name, sameDims(D, "r2", "r"));
        v = fmt::format("(r.v / NULLIF(r2.v, {}) - {})", sx_.num(0), one);
      }
      break;
    }
    default: internal("not a time operator");
  }
  std::string n = tmp(fmt::format("w_{}_", opName(e.op)).c_str());
  add(n, fmt::format("SELECT r.p AS p{}, {} AS v FROM {}", dimList(D, "r."), sx_.noNaN(v), from));
  return {n, D};
}

// adstock(x, d): y[t] = x[t] + d[t] * y[t-1] from the first period, that is the
// sum over k <= t of x[k] * d[t]^(t-k): a join of each period with its past.
Rel Gen::adstockRel(ExprId id, Mode mode, const Level& L) {
  const Expr& e = m_.exprs[id];
  if (L.coarse) internal("adstock at a coarser grain");
  Rel x = exprRel(e.args[0], mode, L), d = exprRel(e.args[1], mode, L);
  std::vector<Id> D = mode == Mode::Total ? std::vector<Id>{} : e.type.dims;
  if (!subsetOf(x.dims, D) || !subsetOf(d.dims, D)) internal("adstock's arguments have dimensions outside its own");
  std::string dOn = "dk.p = c.p", xOn = "xk.p <= c.p";
  for (Id dim : d.dims) dOn += fmt::format(" AND dk.{0} = s{1}.v", dimCol_[dim], std::find(D.begin(), D.end(), dim) - D.begin());
  for (Id dim : x.dims) xOn += fmt::format(" AND xk.{0} = s{1}.v", dimCol_[dim], std::find(D.begin(), D.end(), dim) - D.begin());
  std::string group = "c.p";
  for (size_t k = 0; k < D.size(); ++k) group += fmt::format(", s{}.v", k);
  std::string v = fmt::format("CASE WHEN COUNT(xk.v) = COUNT(*) AND COUNT(dk.v) = COUNT(*) THEN SUM(xk.v * {}) END",
                              power("dk.v", sx_.castDouble("c.p - xk.p")));
  std::string n = tmp("w_adstock_");
  add(n, fmt::format("SELECT {}, {} AS v FROM {} JOIN {} AS dk ON {} JOIN {} AS xk ON {} GROUP BY {}", spineCols(D), sx_.noNaN(v), spine(D, L), d.name, dOn,
                     x.name, xOn, group));
  return {n, D};
}

// sum, mean, min, max over dimensions: GROUP BY the others, missing when a slice is.
Rel Gen::reduceRel(ExprId id, const Level& L) {
  const Expr& e = m_.exprs[id];
  Rel r = exprRel(e.args[0], Mode::Slice, L);
  const std::vector<Id>& D = e.type.dims;
  if (!subsetOf(D, r.dims)) internal("a reduction keeps a dimension its argument lacks");
  std::string agg = e.op == Op::SumOver  ? aggOf(Agg::Sum, "v")
                    : e.op == Op::MeanOver ? aggOf(Agg::Mean, "v")
                    : e.op == Op::MinOver  ? aggOf(Agg::Min, "v")
                                           : aggOf(Agg::Max, "v");
  std::string n = tmp(fmt::format("r_{}_", opName(e.op)).c_str());
  add(n, fmt::format("SELECT p{0}, {1} AS v FROM {2} GROUP BY p{0}", dimList(D), agg, r.name),
      fmt::format("{} over {}", opName(e.op), dimsText(e.over)));
  return {n, D};
}

Rel Gen::shareRel(ExprId id, const Level& L) {
  const Expr& e = m_.exprs[id];
  Rel r = exprRel(e.args[0], Mode::Slice, L);
  std::vector<Id> keep;
  for (Id d : r.dims)
    if (!contains(e.over, d)) keep.push_back(d);
  std::string n = tmp("r_share_");
  add(n,
      fmt::format("SELECT r.p AS p{0}, {6} AS v FROM {2} AS r JOIN (SELECT p{3}, {4} AS v FROM {2} GROUP BY p{3}) AS s "
                  "ON s.p = r.p{5}",
                  dimList(r.dims, "r."), sx_.num(0), r.name, dimList(keep), aggOf(Agg::Sum, "v"), sameDims(keep, "s", "r"),
                  sx_.noNaN(fmt::format("r.v / NULLIF(s.v, {})", sx_.num(0)))),
      fmt::format("share over {}", dimsText(e.over)));
  return {n, r.dims};
}

Rel Gen::selectRel(ExprId id, const Level& L) {
  const Expr& e = m_.exprs[id];
  Rel r = exprRel(e.args[0], Mode::Slice, L);
  std::vector<Id> keep;
  std::string where;
  for (Id d : r.dims) {
    bool sel = false;
    for (auto& [sd, vi] : e.select)
      if (sd == d) {
        sel = true;
        where += fmt::format("{}{} = {}", where.empty() ? "" : " AND ", dimCol_[d], sx_.str(m_.dims[d].values.at(vi)));
      }
    if (!sel) keep.push_back(d);
  }
  std::string n = tmp("r_select_");
  add(n, fmt::format("SELECT p{}, v FROM {}{}", dimList(keep), r.name, where.empty() ? "" : " WHERE " + where));
  return {n, keep};
}

// ------------------------------------------------------------------ the query

std::string Gen::finalSelect(const Level& L, const std::vector<Id>& outs) {
  std::vector<Id> dims;  // the output's dimension columns: every dimension an output metric has
  for (Id d = 0; d < m_.dims.size(); ++d)
    for (Id id : outs)
      if (contains(m_.metrics[id].dims, d)) {
        dims.push_back(d);
        break;
      }
  std::vector<std::string> outName = outputNames(dims);
  std::string q;
  bool first = true;
  auto branch = [&](Id id, const Rel& r) {
    std::string s = fmt::format("SELECT {}{}, c.label{}", sx_.str(m_.metrics[id].name), first ? " AS metric" : "", first ? " AS period" : "");
    for (size_t k = 0; k < dims.size(); ++k) {
      std::string col = contains(r.dims, dims[k]) ? "x." + dimCol_[dims[k]] : sx_.nullText();
      s += ", " + col + (first ? " AS " + sx_.ident(outName[k]) : "");
    }
    s += fmt::format(", x.v{} FROM {} AS x JOIN {} AS c ON c.p = x.p", first ? " AS value" : "", r.name, L.cal);
    q += (first ? "" : "\nUNION ALL\n") + s;
    first = false;
  };
  for (Id id : outs) {
    const Metric& M = m_.metrics[id];
    branch(id, metricRel(id, Mode::Slice, L));
    if (!M.dims.empty() && !o_.inputsOnly) branch(id, metricRel(id, Mode::Total, L));
  }
  std::string order = "1, 2";
  for (size_t k = 0; k < dims.size(); ++k) order += fmt::format(", {}", k + 3);
  return q + "\nORDER BY " + order;
}

// The output's dimension columns' names: each dimension's, prefixed dim_ where it
// would meet metric, period or value (or another column) case-insensitively.
std::vector<std::string> Gen::outputNames(const std::vector<Id>& dims) const {
  std::set<std::string> taken{"metric", "period", "value"};
  std::vector<std::string> out;
  for (Id d : dims) {
    std::string n = m_.dims[d].name;
    if (taken.count(lower(n))) n = "dim_" + n;
    taken.insert(lower(n));
    out.push_back(n);
  }
  return out;
}

// Options::inputsOnly (mtc run --pushdown): what mtc's loader needs from the
// sources read, at the model's grain, in rows of the usual columns:
//   metric = a name   a data metric's cell with rows (its dimensions, value; NULL: missing)
//   metric = ''       period set: the timeline's first and last period;
//                     period NULL: a value of a dimension declared `from` a source (in its column)
//   metric = '!'      a time text that names no period (period: the text, NULL when missing;
//                     value: its rows)
//   metric = a name,  period NULL: the metric's cells holding NaN or infinity (value: how many)
//   metric = '='      a duplicate: one period (a text naming it) and slice in `value` rows
std::string Gen::inputsSelect(const std::vector<Id>& outs) {
  std::vector<Id> dims;
  for (Id d = 0; d < m_.dims.size(); ++d) {
    bool use = !dimCte_[d].empty() && m_.dims[d].fromSource;
    for (Id id : outs) use |= contains(m_.metrics[id].dims, d);
    if (use) dims.push_back(d);
  }
  std::vector<std::string> outName = outputNames(dims);
  std::string q;
  auto branch = [&](const std::string& metric, const std::string& period, const std::function<std::string(size_t)>& dim,
                    const std::string& value, const std::string& from) {
    bool first = q.empty();
    std::string b = fmt::format("SELECT {}{}, {}{}", metric, first ? " AS metric" : "", period, first ? " AS period" : "");
    for (size_t k = 0; k < dims.size(); ++k) b += ", " + dim(k) + (first ? " AS " + sx_.ident(outName[k]) : "");
    b += fmt::format(", {}{} FROM {}", value, first ? " AS value" : "", from);
    q += (first ? "" : "\nUNION ALL\n") + b;
  };
  auto none = [&](size_t) { return sx_.nullText(); };
  for (Id id : outs) {
    const Metric& M = m_.metrics[id];
    metricRel(id, Mode::Slice, fine_);  // makes a_<metric>
    branch(sx_.str(M.name), "c.label", [&](size_t k) { return contains(M.dims, dims[k]) ? "a." + dimCol_[dims[k]] : sx_.nullText(); },
           "a.v", fmt::format("{} AS a JOIN {} AS c ON c.p = a.p", aggCte_.at(id), fine_.cal));
  }
  branch("''", "c.label", none, sx_.nullDouble(), fmt::format("{} AS c JOIN {} AS b ON c.p = b.lo OR c.p = b.hi", fine_.cal, bounds_));
  for (size_t j = 0; j < dims.size(); ++j)
    if (m_.dims[dims[j]].fromSource && !dimCte_[dims[j]].empty())
      branch("''", sx_.nullText(), [&](size_t k) { return k == j ? std::string("x.v") : sx_.nullText(); }, sx_.nullDouble(),
             dimCte_[dims[j]] + " AS x");
  // the cells holding NaN or infinity, per metric (where there are any): metric, period NULL, their count
  for (Id id : outs) {
    const Metric& M = m_.metrics[id];
    const auto& cols = srcColumns_[M.data->source];
    size_t k = static_cast<size_t>(std::find(cols.begin(), cols.end(), M.data->column) - cols.begin()) + 1;
    branch(sx_.str(M.name), sx_.nullText(), none, sx_.castDouble(fmt::format("SUM(g.f{})", k)),
           fmt::format("{} AS g JOIN {} AS t ON t.s = g.s WHERE t.p IS NOT NULL HAVING SUM(g.f{}) > 0", scanCte_[M.data->source],
                       timeCte_[M.data->source], k));
  }
  // duplicate rows: one period (as the source names it) and slice in several rows. Found where
  // the scan groups by every dimension column of the source (a column no metric reads is not
  // grouped by: docs/sql.md)
  for (Id s = 0; s < m_.sources.size(); ++s) {
    if (!usedSource_[s] || srcDims_[s].size() != m_.sources[s].dimColumns.size()) continue;
    std::string group = "t.k, t.fd", known;
    for (auto& [d, col] : srcDims_[s]) group += ", g." + dimCol_[d], known += fmt::format(" AND g.{} IS NOT NULL", dimCol_[d]);
    branch("'='", "MIN(g.s)",
           [&](size_t k) {
             for (auto& [d, col] : srcDims_[s])
               if (d == dims[k]) return "g." + dimCol_[d];
             return sx_.nullText();
           },
           sx_.castDouble("SUM(g.n)"),
           fmt::format("{} AS g JOIN {} AS t ON t.s = g.s WHERE t.p IS NOT NULL{} GROUP BY {} HAVING SUM(g.n) > 1", scanCte_[s], timeCte_[s],
                       known, group));
  }
  for (Id s = 0; s < m_.sources.size(); ++s)
    if (usedSource_[s])
      branch("'!'", "g.s", none, sx_.castDouble("SUM(g.n)"),
             fmt::format("{} AS g JOIN {} AS t ON t.s = g.s OR (t.s IS NULL AND g.s IS NULL) WHERE t.p IS NULL GROUP BY g.s", scanCte_[s],
                         timeCte_[s]));
  std::string order = "1, 2";
  for (size_t k = 0; k < dims.size(); ++k) order += fmt::format(", {}", k + 3);
  return q + "\nORDER BY " + order;
}

std::string Gen::run() {
  // the metrics to report and what they read
  std::vector<Id> outs = o_.metrics;
  if (outs.empty())
    for (Id id = 0; id < m_.metrics.size(); ++id) outs.push_back(id);
  if (o_.inputsOnly) {
    std::vector<Id> in;
    for (Id id : outs)
      if (m_.metrics[id].data && (!o_.source || m_.metrics[id].data->source == *o_.source)) in.push_back(id);
    outs = in;
    need_.assign(m_.metrics.size(), false);  // their data only, not what their formulas read
    for (Id id : outs) need_[id] = true;
  } else {
    need_ = rt::needed(m_, outs);
  }
  for (Id id = 0; id < m_.metrics.size(); ++id) {
    if (!need_[id] || !m_.metrics[id].formula) continue;
    std::vector<ExprId> st{*m_.metrics[id].formula};
    while (!st.empty()) {
      const Expr& e = m_.exprs[st.back()];
      st.pop_back();
      needYear_ |= e.op == Op::Ytd;
      needLastYear_ |= e.op == Op::Yoy && (m_.grain == Grain::Week || m_.grain == Grain::Day);
      for (ExprId a : e.args) st.push_back(a);
    }
  }
  dimensionColumns();
  sources();
  calendar();
  dimensions();
  const Level& L = o_.grain && *o_.grain != m_.grain && !o_.inputsOnly ? coarse_ : fine_;
  std::string tail = o_.inputsOnly ? inputsSelect(outs) : finalSelect(L, outs);

  std::string out = fmt::format("-- mtc sql: model {}, dialect {}, grain {}\n", m_.name, dialectName(o_.dialect), grainName(L.grain));
  out += "-- Reads: ";
  bool any = false;
  for (Id s = 0; s < m_.sources.size(); ++s) {
    if (!usedSource_[s]) continue;
    const Source& S = m_.sources[s];
    out += fmt::format("{}{} ({} {})", any ? "; " : "", sourceItem(s).size() > 80 ? "(the source's query)" : sourceItem(s), sourceKindName(S.kind), S.name);
    any = true;
  }
  out += any ? "\n" : "nothing\n";
  out += "-- One row per metric, period and slice, and per metric with dimensions its total (NULL dimensions); NULL is missing.\n";
  if (o_.dialect == Dialect::Postgres)
    out += "-- Run it with `SET jit = off`: the planner overestimates these CTEs' rows and its JIT would compile for seconds.\n";
  out += recursive_ ? "WITH RECURSIVE\n" : "WITH\n";
  for (size_t k = 0; k < ctes_.size(); ++k) {
    if (!ctes_[k].comment.empty()) out += "-- " + ctes_[k].comment + "\n";
    // PostgreSQL inlines a CTE read once into its reader; chains of them make plans
    // that compute a sub-query again for every row of another: each is computed once
    out += fmt::format("{} AS {}(\n  {}\n){}\n", ctes_[k].name, o_.dialect == Dialect::Postgres ? "MATERIALIZED " : "", ctes_[k].body,
                       k + 1 < ctes_.size() ? "," : "");
  }
  return out + tail + "\n";
}

}  // namespace

std::optional<std::string> generate(const Model& m, const Options& o, Diagnostics& diags) {
  Gen g(m, o);
  try {
    return g.run();
  } catch (const Unsupported& u) {
    Diagnostic& d = diags.report(DiagCode::SqlUnsupported, u.range, u.message);
    if (!u.note.empty()) d.note(u.note);
    return std::nullopt;
  }
}

}  // namespace mtc::sql
