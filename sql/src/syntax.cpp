#include "syntax.h"

#include <fmt/format.h>

#include <cmath>

namespace mtc::sql {

const char* dialectName(Dialect d) {
  switch (d) {
    case Dialect::Postgres: return "postgres";
    case Dialect::Sqlite: return "sqlite";
    case Dialect::Duckdb: return "duckdb";
    case Dialect::Trino: return "trino";
    case Dialect::Spark: return "spark";
    case Dialect::Bigquery: return "bigquery";
  }
  return "?";
}

const std::vector<Dialect>& allDialects() {
  static const std::vector<Dialect> all{Dialect::Postgres, Dialect::Sqlite, Dialect::Duckdb,
                                        Dialect::Trino,    Dialect::Spark,  Dialect::Bigquery};
  return all;
}

std::optional<Dialect> dialectFromName(std::string_view name) {
  for (Dialect d : allDialects())
    if (name == dialectName(d)) return d;
  return std::nullopt;
}

namespace {
bool backticks(Dialect d) { return d == Dialect::Spark || d == Dialect::Bigquery; }
}  // namespace

std::string Syntax::ident(std::string_view name) const {
  char q = backticks(d_) ? '`' : '"';
  std::string s(1, q);
  for (char c : name) {
    if (c == q) s += q;  // doubled: "a""b", `a``b`
    s += c;
  }
  return s + q;
}

std::string Syntax::str(std::string_view v) const {
  // BigQuery and Spark read backslash escapes in string literals; the others
  // double the quote and take backslashes as they are
  std::string s = "'";
  for (char c : v) {
    if (backticks(d_) && (c == '\\' || c == '\'')) s += '\\';
    else if (c == '\'') s += '\'';
    s += c;
  }
  return s + "'";
}

std::string Syntax::num(double v) const {
  if (!std::isfinite(v)) return nullDouble();
  // the shortest text that reads back as the same double
  std::string t = fmt::format("{}", std::fabs(v));
  bool exp = t.find('e') != std::string::npos, dot = t.find('.') != std::string::npos;
  for (auto& c : t)
    if (c == 'e') c = 'E';
  std::string lit;
  switch (d_) {
    case Dialect::Postgres: lit = "CAST(" + t + " AS DOUBLE PRECISION)"; break;  // 1.5 alone is numeric
    case Dialect::Duckdb: lit = "CAST(" + t + " AS DOUBLE)"; break;              // 1.5 alone is decimal
    case Dialect::Trino: case Dialect::Spark: lit = exp ? t : t + "E0"; break;  // an exponent makes it double
    case Dialect::Sqlite: case Dialect::Bigquery: lit = exp || dot ? t : t + ".0"; break;
  }
  return v < 0 || std::signbit(v) ? "(-" + lit + ")" : lit;
}

std::string Syntax::infinity() const {
  switch (d_) {
    case Dialect::Sqlite: return "9e999";  // reads as infinity
    case Dialect::Trino: return "infinity()";
    case Dialect::Bigquery: return "CAST('inf' AS FLOAT64)";
    case Dialect::Postgres: case Dialect::Duckdb: case Dialect::Spark: return "CAST('Infinity' AS " + dbl() + ")";
  }
  return "";
}

std::string Syntax::noNaN(const std::string& x) const {
  switch (d_) {
    case Dialect::Postgres: case Dialect::Duckdb: case Dialect::Spark: return "NULLIF(" + x + ", CAST('NaN' AS " + dbl() + "))";
    case Dialect::Sqlite: case Dialect::Trino: case Dialect::Bigquery: return x;
  }
  return x;
}

std::string Syntax::dbl() const {
  switch (d_) {
    case Dialect::Postgres: return "DOUBLE PRECISION";
    case Dialect::Sqlite: return "REAL";
    case Dialect::Bigquery: return "FLOAT64";
    case Dialect::Duckdb: case Dialect::Trino: case Dialect::Spark: return "DOUBLE";
  }
  return "DOUBLE";
}

std::string Syntax::text() const {
  switch (d_) {
    case Dialect::Postgres: case Dialect::Sqlite: return "TEXT";
    case Dialect::Spark: case Dialect::Bigquery: return "STRING";
    case Dialect::Duckdb: case Dialect::Trino: return "VARCHAR";
  }
  return "VARCHAR";
}

std::string Syntax::bigint() const { return d_ == Dialect::Bigquery ? "INT64" : d_ == Dialect::Sqlite ? "INTEGER" : "BIGINT"; }

std::string Syntax::idiv(const std::string& a, const std::string& b) const {
  switch (d_) {
    case Dialect::Postgres: case Dialect::Sqlite: case Dialect::Trino: return "((" + a + ") / " + b + ")";
    case Dialect::Spark: return "((" + a + ") DIV " + b + ")";
    case Dialect::Bigquery: return "DIV(" + a + ", " + b + ")";
    // DuckDB's / divides as doubles (its // is integer division); the quotients
    // here are of small non-negative integers, exact as doubles
    case Dialect::Duckdb: return "CAST(FLOOR((" + a + ") / " + b + ") AS BIGINT)";
  }
  return "(" + a + ") / " + b;
}

std::string Syntax::mod(const std::string& a, const std::string& b) const {
  if (d_ == Dialect::Bigquery) return "MOD(" + a + ", " + b + ")";
  return "((" + a + ") % " + b + ")";
}

std::string Syntax::concat(const std::vector<std::string>& parts) const {
  std::string s;
  if (d_ == Dialect::Spark || d_ == Dialect::Bigquery) {
    for (auto& p : parts) s += (s.empty() ? "" : ", ") + p;
    return "CONCAT(" + s + ")";
  }
  for (auto& p : parts) s += (s.empty() ? "" : " || ") + p;
  return "(" + s + ")";
}

bool Syntax::nativeNullLeast() const {
  // SQLite's min(a, b), Trino's and BigQuery's LEAST are NULL when an argument
  // is; PostgreSQL's, DuckDB's and Spark's LEAST skip NULLs
  return d_ == Dialect::Sqlite || d_ == Dialect::Trino || d_ == Dialect::Bigquery;
}

std::string Syntax::least(const std::string& a, const std::string& b) const {
  std::string f = (d_ == Dialect::Sqlite ? "MIN(" : "LEAST(") + a + ", " + b + ")";
  if (nativeNullLeast()) return f;
  return "CASE WHEN " + a + " IS NULL OR " + b + " IS NULL THEN " + nullDouble() + " ELSE " + f + " END";
}

std::string Syntax::greatest(const std::string& a, const std::string& b) const {
  std::string f = (d_ == Dialect::Sqlite ? "MAX(" : "GREATEST(") + a + ", " + b + ")";
  if (nativeNullLeast()) return f;
  return "CASE WHEN " + a + " IS NULL OR " + b + " IS NULL THEN " + nullDouble() + " ELSE " + f + " END";
}

std::string Syntax::boolToDouble(const std::string& cond) const {
  // PostgreSQL casts a boolean to integer (int4) but not to bigint or a double
  return castDouble("CAST(" + cond + " AS " + (d_ == Dialect::Bigquery ? "INT64" : "INTEGER") + ")");
}

std::string Syntax::series(const std::string& self, const std::string& from, const std::string& lo, const std::string& hi) const {
  switch (d_) {
    case Dialect::Postgres:
      return fmt::format("SELECT g AS p FROM {0} CROSS JOIN generate_series({1}, {2}) AS g", from, lo, hi);
    case Dialect::Sqlite:
      return fmt::format("SELECT {1} AS p FROM {0} WHERE {1} IS NOT NULL UNION ALL SELECT {3}.p + 1 FROM {3} CROSS JOIN {0} WHERE {3}.p < {2}",
                         from, lo, hi, self);
    case Dialect::Duckdb:
      return fmt::format("SELECT UNNEST(generate_series({1}, {2})) AS p FROM {0}", from, lo, hi);
    case Dialect::Trino:
      return fmt::format("SELECT t.p FROM {0} CROSS JOIN UNNEST(sequence({1}, {2})) AS t(p)", from, lo, hi);
    case Dialect::Spark:
      return fmt::format("SELECT explode(sequence({1}, {2})) AS p FROM {0}", from, lo, hi);
    case Dialect::Bigquery:
      return fmt::format("SELECT p FROM {0} CROSS JOIN UNNEST(GENERATE_ARRAY({1}, {2})) AS p", from, lo, hi);
  }
  return "";
}

}  // namespace mtc::sql
