// Turning rows of text fields into a table's columns (table.h), shared by the
// CSV, SQLite and PostgreSQL readers (table.cpp, postgres.cpp).
#pragma once

#include <fmt/format.h>

#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <new>
#include <stdexcept>
#include <vector>

#include "table.h"

namespace mtc::rt::table {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// White space as isspace() has it in the C locale, without the call.
inline bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  return s;
}

struct Hash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Distinct values of a column, looked up by text (the last one cached: columns
// are often sorted, and the period column repeats a value for many rows).
class Interner {
 public:
  explicit Interner(Dict& d) : d_(d) {}
  uint32_t id(std::string_view text) {
    if (has_ && text == last_) return lastId_;
    auto it = index_.find(text);
    uint32_t id;
    if (it == index_.end()) {
      id = static_cast<uint32_t>(d_.values.size());
      d_.values.emplace_back(text);
      index_.emplace(std::string(text), id);
    } else {
      id = it->second;
    }
    last_.assign(text);
    lastId_ = id;
    has_ = true;
    return id;
  }

 private:
  Dict& d_;
  std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> index_;
  std::string last_;
  uint32_t lastId_ = 0;
  bool has_ = false;
};

// Turns rows of fields into the table's columns.
class Builder {
 public:
  Builder(Table& t, const Wanted& w, std::vector<Issue>& issues) : t_(t), w_(w), issues_(issues) {}

  // The header: resolves the wanted columns; false when one is missing.
  bool header(std::vector<std::string> h) {
    for (auto& x : h) x = std::string(trim(x));
    t_.header = std::move(h);
    auto find = [&](const Column& c) -> int {
      for (size_t i = 0; i < t_.header.size(); ++i)
        if (t_.header[i] == c.name) return static_cast<int>(i);
      std::string cols;
      for (auto& x : t_.header) cols += (cols.empty() ? "" : ", ") + x;
      issues_.emplace_back(DiagCode::DataFile, t_.file, 1, "", fmt::format("no column '{}' ({}); the columns are: {}", c.name, c.what, cols));
      return -1;
    };
    bool ok = true;
    timeCol_ = find(w_.time);
    ok &= timeCol_ >= 0;
    time_.emplace_back(t_.time);
    for (auto& c : w_.dims) {
      int i = find(c);
      ok &= i >= 0;
      if (i < 0 || t_.dims.count(c.name)) continue;
      dims_.push_back({i, &t_.dims[c.name]});
    }
    for (auto& c : w_.numbers) {
      int i = find(c);
      ok &= i >= 0;
      if (i < 0 || t_.numbers.count(c.name)) continue;
      numbers_.push_back({i, &t_.numbers[c.name]});
    }
    for (auto& [i, d] : dims_) interners_.emplace_back(*d);
    return ok;
  }

  // Room for about `rows` rows (after header()), so that the columns do not
  // grow by copying themselves. The count is a guess (from a file's first
  // lines): when the room cannot be had, the columns grow as rows come.
  void reserve(size_t rows) {
    try {
      t_.rowNumbers.reserve(rows);
      t_.time.ids.reserve(rows);
      for (auto& [col, d] : dims_) d->ids.reserve(rows);
      for (auto& [col, num] : numbers_) {
        num->v.reserve(rows);
        num->bad.reserve(rows);
      }
    } catch (const std::bad_alloc&) {
    } catch (const std::length_error&) {
    }
  }

  void row(uint32_t rowNumber, const std::string_view* fields, size_t n) {
    if (n != t_.header.size()) {
      issues_.emplace_back(DiagCode::DataRow, t_.file, rowNumber, "",
                           fmt::format("this row has {} fields, the header has {}", n, t_.header.size()));
      return;
    }
    const uint32_t r = static_cast<uint32_t>(t_.rowNumbers.size());
    t_.rowNumbers.push_back(rowNumber);
    t_.time.ids.push_back(time_[0].id(trim(fields[timeCol_])));
    for (size_t k = 0; k < dims_.size(); ++k) dims_[k].second->ids.push_back(interners_[k].id(trim(fields[dims_[k].first])));
    for (auto& [col, num] : numbers_) {
      std::string_view text = trim(fields[col]);
      double v = kNaN;
      uint8_t bad = 0;
      if (!missing(text) && !parseNumber(text, v)) {
        v = kNaN;
        if (nonFinite(text)) {
          bad = 2;  // NaN or infinity: missing, with one warning per metric (data.cpp)
        } else {
          bad = 1;
          num->badText.emplace(r, excerpt(text));
        }
      }
      num->v.push_back(v);
      num->bad.push_back(bad);
    }
  }

 private:
  bool missing(std::string_view text) const {
    if (text.empty()) return true;
    for (auto& m : w_.missing)
      if (text == m) return true;
    return false;
  }

  Table& t_;
  const Wanted& w_;
  std::vector<Issue>& issues_;
  int timeCol_ = -1;
  std::vector<Interner> time_;
  std::vector<std::pair<int, Dict*>> dims_;
  std::vector<Interner> interners_;
  std::vector<std::pair<int, Numbers*>> numbers_;
};

}  // namespace mtc::rt::table
