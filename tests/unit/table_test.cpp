// The CSV reader: a large file without quoted fields is parsed on two threads
// and appended; the result must be the one-thread reader's, row for row.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>

#include "table.h"

using namespace mtc::rt::table;

namespace {

struct Read {
  Table t;
  std::vector<Issue> issues;
  bool ok = false;
};

Read read(const std::string& path) {
  Wanted w;
  w.time = {"month", "the period"};
  w.dims = {{"region", "a dimension"}};
  w.numbers = {{"units", "data"}, {"price", "data"}};
  w.missing = {"NA"};
  Read r;
  r.t.file = path;
  r.ok = readCsv(path, ',', w, r.t, r.issues, mtc::ReadRoots{"/", {"/"}});
  return r;
}

bool sameNumber(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

}  // namespace

TEST_CASE("the CSV reader gives the same table on two threads as on one") {
  // 250,000 rows (about 6 MB): regions appear in a different order in each half, bad
  // cells, missing cells, a short row and blank lines in both halves, CRLF line ends
  std::string body;
  const int rows = 250000;
  for (int i = 0; i < rows; ++i) {
    int region = i < rows / 2 ? i % 7 : 13 - i % 11;
    std::string units = i % 9973 == 5 ? "n/a" : i % 7919 == 3 ? "NA" : fmt::format("{}", (i * 37) % 1000 / 10.0);
    if (i % 50000 == 17) body += "2020-01,short\r\n";
    if (i % 40000 == 9) body += "\r\n";
    body += fmt::format("{}-{:02d},r{},{},{}%\r\n", 2000 + i / 1000 % 20, i % 12 + 1, region, units, i % 100);
  }
  const std::string a = "/tmp/mtc_table_test_a.csv", b = "/tmp/mtc_table_test_b.csv";
  std::ofstream(a, std::ios::binary) << "month,region,units,price,extra\r\n" << [&] {
    std::string s;
    for (size_t p = 0; p < body.size();) {  // a fifth column on every row
      size_t e = body.find("\r\n", p);
      std::string line = body.substr(p, e - p);
      s += line + (line.empty() ? "" : ",x") + "\r\n";
      p = e + 2;
    }
    return s;
  }();
  {  // the same content with one quoted field: read on one thread
    std::ifstream in(a, std::ios::binary);
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t at = all.find(",x\r\n");
    all.replace(at, 4, ",\"x\"\r\n");
    std::ofstream(b, std::ios::binary) << all;
  }
  Read two = read(a), one = read(b);
  REQUIRE(two.ok);
  REQUIRE(one.ok);
  CHECK(two.t.rows() > 100000);
  CHECK(two.t.rowNumbers == one.t.rowNumbers);
  CHECK(two.t.time.values == one.t.time.values);
  CHECK(two.t.time.ids == one.t.time.ids);
  CHECK(two.t.dims.at("region").values == one.t.dims.at("region").values);
  CHECK(two.t.dims.at("region").ids == one.t.dims.at("region").ids);
  for (const char* col : {"units", "price"}) {
    const Numbers &x = two.t.numbers.at(col), &y = one.t.numbers.at(col);
    REQUIRE(x.v.size() == y.v.size());
    size_t differ = 0;
    for (size_t i = 0; i < x.v.size(); ++i) differ += !sameNumber(x.v[i], y.v[i]);
    CHECK(differ == 0);
    CHECK(x.bad == y.bad);
    CHECK(x.badText == y.badText);
  }
  REQUIRE(two.issues.size() == one.issues.size());
  CHECK(two.issues.size() == 5);  // the short rows
  for (size_t i = 0; i < one.issues.size(); ++i) {
    CHECK(two.issues[i].row == one.issues[i].row);
    CHECK(two.issues[i].message == one.issues[i].message);
  }
  // the regions of the second half that the first never had come after the first's
  CHECK(two.t.dims.at("region").values.size() == 14);
  std::remove(a.c_str());
  std::remove(b.c_str());
}

TEST_CASE("a CSV number is the double nearest to its decimal, on the plain-decimal path and off it") {
  // strtod rounds correctly: parseNumber's result must be its, bit for bit
  std::mt19937_64 rng(20261202);
  auto check = [](const std::string& s) {
    double got = 0;
    INFO(s);
    REQUIRE(parseNumber(s, got));
    double want = std::strtod(s.c_str(), nullptr);
    CHECK(std::memcmp(&got, &want, sizeof got) == 0);
  };
  for (const char* s : {"0", "-0", "0.0", "-0.0", "007", "12.50", "9007199254740992", "9007199254740993", "900719925474099.3",
                        "0.1", "0.3", "62.599999999999994", "3.0999999999999996", "1.0000000000000000000001", "123456789012345678",
                        "0.0000000000000000000001", "1e5", "-2.5E-3", "4503599627370497.5"})
    check(s);
  for (int i = 0; i < 200000; ++i) {
    int intDigits = static_cast<int>(rng() % 12), fracDigits = static_cast<int>(rng() % 20);
    std::string s = rng() % 3 == 0 ? "-" : "";
    for (int k = 0; k <= intDigits; ++k) s += static_cast<char>('0' + rng() % 10);
    if (fracDigits) {
      s += '.';
      for (int k = 0; k < fracDigits; ++k) s += static_cast<char>('0' + rng() % 10);
    }
    check(s);
  }
  double v = 0;
  for (const char* bad : {"1.", ".5", "-", "1.2.3", "1_000", "--1", "1e", "abc"}) {
    INFO(bad);
    // not plain decimals: what fast_float says (these are not numbers, except "1." and ".5")
    bool ok = parseNumber(bad, v);
    CHECK(ok == (std::string(bad) == "1." || std::string(bad) == ".5"));
  }
  CHECK(parseNumber("12.5%", v));
  CHECK(v == 12.5 / 100);
}

TEST_CASE("the CSV reader ends each field at the delimiter or the line end, whatever the field's length and bytes") {
  // Fields of 0 to 40 bytes (the reader looks for a field's end eight bytes at a time: every
  // length and position around those words), holding the other delimiters and bytes just
  // below and above ',', ';', '\t', '\n' and '\r', a quarter of them quoted around a delimiter;
  // LF, CRLF and lone CR line ends. Each row's cells, as read, must be the ones written (an
  // independent split: the text itself).
  std::mt19937_64 rng(20261202);
  const std::string alphabet = std::string("abcXYZ019.-+|:") + '\t' + ';' + ',' + '\x0b' + '\x0c' + '\x0e' + '\x2b' + '\x2d' +
                               '\x3a' + '\x3c' + '\x08' + '\x1f' + '\x7f' + '\x80' + '\xff';
  for (char delim : {',', ';', '\t'}) {
    INFO("delimiter " << static_cast<int>(delim));
    std::vector<std::array<std::string, 3>> cells;
    std::string text = std::string("month") + delim + "a" + delim + "b" + delim + "c\n";
    for (int i = 0; i < 3000; ++i) {
      std::array<std::string, 3> row;
      for (auto& f : row) {
        size_t len = rng() % 41;
        for (size_t k = 0; k < len; ++k) {
          char c;
          do c = alphabet[rng() % alphabet.size()];
          while (c == delim);
          f += c;
        }
        // dimension values are trimmed of white space (tab, \v, \f here): no field ends in it
        auto white = [](char ch) { return ch == '\t' || ch == '\x0b' || ch == '\x0c'; };
        while (!f.empty() && white(f.front())) f.erase(f.begin());
        while (!f.empty() && white(f.back())) f.pop_back();
        if (f.empty()) f = "e";  // an empty cell is a missing value, not a dimension value
      }
      cells.push_back(row);
      // a quarter of the cells are quoted, holding the delimiter inside
      std::string written[3];
      for (size_t k = 0; k < 3; ++k) {
        std::string& f = cells.back()[k];
        if (rng() % 4 != 0 || f.size() < 2) {
          written[k] = f;
          continue;
        }
        f.insert(1 + rng() % (f.size() - 1), 1, delim);
        written[k] = '"' + f + '"';
      }
      text += fmt::format("2020-{:02d}", i % 12 + 1) + delim + written[0] + delim + written[1] + delim + written[2];
      int end = static_cast<int>(rng() % 3);
      text += end == 0 ? "\n" : end == 1 ? "\r\n" : "\r";
    }
    const std::string path = "/tmp/mtc_table_test_fields.csv";
    std::ofstream(path, std::ios::binary) << text;
    Wanted w;
    w.time = {"month", "the period"};
    w.dims = {{"a", "a dimension"}, {"b", "a dimension"}, {"c", "a dimension"}};
    Table t;
    t.file = path;
    std::vector<Issue> issues;
    REQUIRE(readCsv(path, delim, w, t, issues, mtc::ReadRoots{"/", {"/"}}));
    std::string said;
    for (const Issue& is : issues) said += is.message + "\n";
    INFO(said);
    CHECK(issues.empty());
    REQUIRE(t.rows() == cells.size());
    size_t wrong = 0;
    for (size_t r = 0; r < cells.size(); ++r)
      for (int c = 0; c < 3; ++c) {
        const Dict& d = t.dims.at(std::string(1, static_cast<char>('a' + c)));
        wrong += d.values[d.ids[r]] != cells[r][static_cast<size_t>(c)];
      }
    CHECK(wrong == 0);
    std::remove(path.c_str());
  }
}
