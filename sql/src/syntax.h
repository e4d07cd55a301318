// What differs between the SQL dialects mtc writes: quoting, literals, type
// names, integer division, string concatenation, LEAST/GREATEST and how a
// sequence of integers (the calendar) is made. Everything else the generator
// writes is common SQL (CTEs, joins, GROUP BY, window functions, CASE).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mtc/sql.h"

namespace mtc::sql {

class Syntax {
 public:
  explicit Syntax(Dialect d) : d_(d) {}
  Dialect dialect() const { return d_; }

  // A quoted identifier (a user's table or column name, an output column).
  std::string ident(std::string_view name) const;
  // A string literal.
  std::string str(std::string_view s) const;
  // A double-precision literal (NULL for a non-finite value); negative ones in parentheses.
  std::string num(double v) const;
  std::string nullDouble() const { return "CAST(NULL AS " + dbl() + ")"; }
  std::string infinity() const;  // +infinity as a double
  // x, with NaN made NULL where the database keeps NaN as a number that compares
  // (PostgreSQL, DuckDB and Spark: NaN = NaN, NaN above every number); mtc's NaN is
  // missing. NaN comes from infinity - infinity, 0 * infinity, infinity / infinity,
  // once an exp or a power has overflowed. SQLite turns NaN into NULL by itself.
  std::string noNaN(const std::string& x) const;
  std::string nullText() const { return "CAST(NULL AS " + text() + ")"; }

  std::string dbl() const;     // the double-precision type
  std::string text() const;    // the string type
  std::string bigint() const;  // the 64-bit integer type
  std::string castDouble(const std::string& x) const { return "CAST(" + x + " AS " + dbl() + ")"; }
  std::string castText(const std::string& x) const { return "CAST(" + x + " AS " + text() + ")"; }
  std::string castInt(const std::string& x) const { return "CAST(" + x + " AS " + bigint() + ")"; }

  // Integer division and remainder of non-negative integers.
  std::string idiv(const std::string& a, const std::string& b) const;
  std::string mod(const std::string& a, const std::string& b) const;
  // String concatenation.
  std::string concat(const std::vector<std::string>& parts) const;
  // Element-wise minimum / maximum of two doubles, missing when either is.
  std::string least(const std::string& a, const std::string& b) const;
  std::string greatest(const std::string& a, const std::string& b) const;
  // A comparison (SQL boolean, NULL when an operand is) as 1.0 / 0.0 / NULL.
  std::string boolToDouble(const std::string& cond) const;
  // The body of a CTE with one column `p` holding the integers lo..hi, where lo
  // and hi are expressions over the columns of the CTE `from` (one row).
  // SQLite has no series function: there it is a recursive CTE that refers to
  // itself as `self` (needsRecursive()).
  std::string series(const std::string& self, const std::string& from, const std::string& lo, const std::string& hi) const;
  // What keeps a sub-query from being merged into the query reading it (PostgreSQL: OFFSET 0).
  std::string fence() const { return d_ == Dialect::Postgres ? " OFFSET 0" : ""; }
  bool seriesIsRecursive() const { return d_ == Dialect::Sqlite; }

 private:
  Dialect d_;
  bool nativeNullLeast() const;  // LEAST is NULL when an argument is
};

}  // namespace mtc::sql
