// Reading sources into converted columns (table.h).
#include "table.h"

#include "builder.h"

#include "mtc/fileio.h"
#include "mtc/progress.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <deque>
#include <fast_float/fast_float.h>
#include <filesystem>
#include <limits>
#include <thread>
#include <unordered_map>

namespace mtc::rt::table {

namespace {

// A file mapped into memory (read-only), or its error.
class Mapped {
 public:
  Mapped(const std::string& path, const ReadRoots& roots) {
    int fd = openUnder(path, roots, &error_);  // confined, regular files only (mtc/fileio.h)
    if (fd < 0) return;
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      error_ = std::strerror(errno);
    } else if (!S_ISREG(st.st_mode)) {
      error_ = "not a regular file";
    } else if (st.st_size > 0) {
      void* p = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        error_ = std::strerror(errno);
      } else {
        data_ = static_cast<const char*>(p);
        size_ = static_cast<size_t>(st.st_size);
        ::madvise(p, size_, MADV_SEQUENTIAL);
      }
    }
    ::close(fd);
  }
  ~Mapped() {
    if (data_) ::munmap(const_cast<char*>(data_), size_);
  }
  Mapped(const Mapped&) = delete;
  Mapped& operator=(const Mapped&) = delete;
  const char* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& error() const { return error_; }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
  std::string error_;
};

}  // namespace

bool Table::has(const std::string& column) const {
  for (auto& h : header)
    if (h == column) return true;
  return false;
}

namespace {
// A plain decimal (`-12.5`, `300`: digits, at most one '.', no exponent) whose
// digits fit 2^53 and with at most 22 after the point: the integer of its digits
// divided by a power of ten, both exact, so the one division rounds correctly
// (as fast_float does for such numbers, after more work). False otherwise.
bool plainDecimal(std::string_view s, double& out) {
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                      1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  size_t i = 0, n = s.size();
  bool neg = n && s[0] == '-';
  if (neg) ++i;
  uint64_t w = 0;
  size_t digits = 0, frac = 0;
  bool dot = false;
  for (; i < n; ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      if (++digits > 16) return false;  // may pass 2^53
      w = w * 10 + static_cast<uint64_t>(c - '0');
      frac += dot;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  if (digits == 0 || (dot && (frac == 0 || s[neg] == '.')) || w > (uint64_t{1} << 53) || frac > 22) return false;
  double v = static_cast<double>(w) / kPow10[frac];
  out = neg ? -v : v;
  return true;
}
}  // namespace

bool parseNumber(std::string_view text, double& out) {
  std::string_view s = trim(text);
  bool pct = !s.empty() && s.back() == '%';
  if (pct) s.remove_suffix(1);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  double v = 0;
  if (plainDecimal(s, v)) {
    out = pct ? v / 100 : v;
    return true;
  }
  auto [p, ec] = fast_float::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v)) return false;
  out = pct ? v / 100 : v;
  return true;
}

bool nonFinite(std::string_view text) {
  std::string_view s = trim(text);
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) s.remove_prefix(1);
  double v = 0;
  auto [p, ec] = fast_float::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size() && !std::isfinite(v);
}

std::string excerpt(std::string_view text, size_t max) {
  std::string out;
  size_t shown = 0;
  for (unsigned char c : text) {
    if (shown == max) {
      out += "...";
      break;
    }
    if (c >= 0x20 && c < 0x7f && c != '\\') out += static_cast<char>(c);
    else out += fmt::format("\\x{:02x}", c);
    ++shown;
  }
  return out;
}

namespace {

// The first delim, \n or \r at or after p (end when there is none), eight
// bytes at a time: a byte of w ^ (c repeated) is zero where w holds c, and the
// lowest byte flagged by (v - 0x01..) & ~v & 0x80.. is a true zero (a borrow can
// only flag bytes above one), so on a little-endian machine the first flagged
// byte is the first stop.
inline const char* fieldEnd(const char* p, const char* end, char delim) {
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__);
  constexpr uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
  const uint64_t d = ones * static_cast<uint8_t>(delim), n = ones * uint8_t{'\n'}, r = ones * uint8_t{'\r'};
  while (end - p >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    const uint64_t x = w ^ d, y = w ^ n, z = w ^ r;
    const uint64_t hit = (((x - ones) & ~x) | ((y - ones) & ~y) | ((z - ones) & ~z)) & highs;
    if (hit) return p + (__builtin_ctzll(hit) >> 3);
    p += 8;
  }
  while (p < end && *p != delim && *p != '\n' && *p != '\r') ++p;
  return p;
}

// Parses CSV rows from p to end, calling row(rowStart, fields, n) for each row
// that is not blank, until it returns false; p advances to where it stopped,
// and `line` (the 1-based line at p) with it. False on a quoted field left
// open (reported).
template <typename F>
bool parseRows(const char*& p, const char* end, size_t& line, char delim, const std::string& path, std::vector<Issue>& issues,
               F&& row, Progress* progress = nullptr) {
  std::vector<std::string_view> fields;
  std::deque<std::string> quoted;  // unescaped quoted fields of the current row
  const char* reported = p;        // bytes up to here counted in `progress`
  size_t rows = 0;
  struct Flush {  // the rest counted however the loop ends
    Progress* progress;
    const char*& p;
    const char*& reported;
    ~Flush() {
      if (progress && p > reported) progress->add(static_cast<uint64_t>(p - reported));
    }
  } flush{progress, p, reported};
  while (p < end) {
    if (progress && (++rows & 0x3fff) == 0) {
      progress->add(static_cast<uint64_t>(p - reported));
      reported = p;
    }
    const size_t rowStart = line;
    fields.clear();
    quoted.clear();
    for (;;) {
      if (p < end && *p == '"') {
        std::string& f = quoted.emplace_back();
        ++p;
        for (;;) {
          if (p >= end) {
            issues.emplace_back(DiagCode::DataFile, path, rowStart, "", "a quoted field is not closed");
            return false;
          }
          if (*p == '"') {
            if (p + 1 < end && p[1] == '"') {
              f += '"';
              p += 2;
              continue;
            }
            ++p;
            break;
          }
          if (*p == '\n') ++line;
          f += *p++;
        }
        const char* s = p;  // text after the closing quote belongs to the field
        p = fieldEnd(p, end, delim);
        f.append(s, static_cast<size_t>(p - s));
        fields.emplace_back(f);
      } else {
        const char* s = p;
        p = fieldEnd(p, end, delim);
        fields.emplace_back(s, static_cast<size_t>(p - s));
      }
      if (p < end && *p == delim) {
        ++p;
        continue;
      }
      break;
    }
    if (p < end) {  // the line's end: \n, \r\n or \r
      p += (*p == '\r' && p + 1 < end && p[1] == '\n') ? 2 : 1;
      ++line;
    }
    if (fields.size() == 1 && fields[0].empty()) continue;  // a blank line
    if (!row(rowStart, fields.data(), fields.size())) break;
  }
  return true;
}

// Where the body may be cut in two for parsing on two threads: after a line
// end near its middle, when no field is quoted (a quoted field may hold a line
// end) and every \r is part of \r\n (so each line ends in exactly one \n):
// `plain`, from scanBody. Null when it cannot, or the body is too small to be
// worth a thread.
const char* splitPoint(const char* p, const char* end, bool plain) {
  const size_t n = static_cast<size_t>(end - p);
  if (n < (size_t{4} << 20) || !plain) return nullptr;
  const char* mid = static_cast<const char*>(std::memchr(p + n / 2, '\n', n - n / 2));
  return mid && mid + 1 < end ? mid + 1 : nullptr;
}

size_t countLines(const char* p, const char* end) {
  size_t k = 0;
  while ((p = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)))) != nullptr) ++k, ++p;
  return k;
}

// Appends the distinct values and row ids of b to a, keeping a's ids and the
// first-seen order of the whole (a's rows come first).
void appendDict(Dict& a, const Dict& b) {
  std::unordered_map<std::string_view, uint32_t> index;
  a.values.reserve(a.values.size() + b.values.size());  // the views stay valid
  for (uint32_t i = 0; i < a.values.size(); ++i) index.emplace(a.values[i], i);
  std::vector<uint32_t> map(b.values.size());
  for (size_t j = 0; j < b.values.size(); ++j) {
    auto it = index.find(b.values[j]);
    if (it != index.end()) {
      map[j] = it->second;
    } else {
      map[j] = static_cast<uint32_t>(a.values.size());
      a.values.push_back(b.values[j]);
      index.emplace(a.values.back(), map[j]);
    }
  }
  a.ids.reserve(a.ids.size() + b.ids.size());
  for (uint32_t id : b.ids) a.ids.push_back(map[id]);
}

// Appends table u's rows to t (the same header and columns); the data columns
// copied on two threads (each column by one).
void appendTable(Table& t, Table& u) {
  const uint32_t base = static_cast<uint32_t>(t.rows());
  std::vector<std::pair<Numbers*, Numbers*>> cols;  // (to, from)
  for (auto& [name, num] : u.numbers) cols.push_back({&t.numbers[name], &num});
  auto copy = [&](size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      Numbers& a = *cols[i].first;
      Numbers& b = *cols[i].second;
      a.v.insert(a.v.end(), b.v.begin(), b.v.end());
      a.bad.insert(a.bad.end(), b.bad.begin(), b.bad.end());
      for (auto& [r, text] : b.badText) a.badText.emplace(r + base, std::move(text));
    }
  };
  const size_t half = cols.size() / 2;
  std::thread other;
  if (half) other = std::thread(copy, size_t{0}, half);
  t.rowNumbers.insert(t.rowNumbers.end(), u.rowNumbers.begin(), u.rowNumbers.end());
  appendDict(t.time, u.time);
  for (auto& [name, d] : u.dims) appendDict(t.dims[name], d);
  copy(half, cols.size());
  if (other.joinable()) other.join();
}

// What the file holds that decides how it is read: NUL bytes (not text), and
// the last quote and the last \r not followed by \n (the body after the
// header can be split for two threads when it has neither). A large file is
// scanned in two halves on two threads.
struct FileScan {
  bool nul = false;
  const char* lastQuote = nullptr;
  const char* lastLoneCr = nullptr;
};
FileScan scanFile(const char* p, const char* end) {
  auto scan = [end](const char* a, const char* b) {
    FileScan s;
    const size_t n = static_cast<size_t>(b - a);
    s.nul = std::memchr(a, '\0', n) != nullptr;
    s.lastQuote = static_cast<const char*>(::memrchr(a, '"', n));
    for (const char* r = a; (r = static_cast<const char*>(std::memchr(r, '\r', static_cast<size_t>(b - r)))) != nullptr; ++r)
      if (r + 1 >= end || r[1] != '\n') s.lastLoneCr = r;
    return s;
  };
  const size_t n = static_cast<size_t>(end - p);
  if (n < (size_t{4} << 20)) return scan(p, end);
  FileScan first, second;
  std::thread other([&] { second = scan(p + n / 2, end); });
  first = scan(p, p + n / 2);
  other.join();
  return FileScan{first.nul || second.nul, second.lastQuote ? second.lastQuote : first.lastQuote,
                  second.lastLoneCr ? second.lastLoneCr : first.lastLoneCr};
}

}  // namespace

bool readCsv(const std::string& path, char delim, const Wanted& w, Table& t, std::vector<Issue>& issues, const ReadRoots& roots) {
  Mapped file(path, roots);
  if (!file.error().empty()) {
    issues.emplace_back(DiagCode::DataFile, path, 0, "", fmt::format("cannot read the file: {}", file.error()));
    return false;
  }
  const char* p = file.data();
  const char* end = p + file.size();
  if (end - p >= 3 && std::memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3;  // BOM
  const FileScan scanned = p != end ? scanFile(p, end) : FileScan{};
  if (scanned.nul) {
    issues.emplace_back(DiagCode::DataFile, path, 0, "", "this is not a text file (it contains NUL bytes)");
    return false;
  }
  Builder b(t, w, issues);
  bool haveHeader = false, headerOk = false;
  size_t line = 1;
  if (!parseRows(p, end, line, delim, path, issues, [&](size_t, const std::string_view* f, size_t n) {
        haveHeader = true;
        headerOk = b.header(std::vector<std::string>(f, f + n));
        return false;
      }))
    return false;
  if (!haveHeader) {
    issues.emplace_back(DiagCode::DataFile, path, 0, "", "the file is empty (it needs a header row)");
    return false;
  }
  if (!headerOk) return false;
  if (std::all_of(p, end, [](char c) { return c == '\n' || c == '\r' || c == ' ' || c == '\t'; })) {
    issues.emplace_back(DiagCode::DataFile, path, line, "", "the file has a header and no rows");
    return false;
  }
  // a bar for a file that takes over a second (mtc/progress.h)
  Progress progress(fmt::format("reading {}", std::filesystem::path(path).filename().string()), static_cast<uint64_t>(end - p), "bytes");
  auto rows = [](Builder& to) {
    return [&to](size_t rowStart, const std::string_view* f, size_t n) {
      to.row(static_cast<uint32_t>(rowStart), f, n);
      return true;
    };
  };
  // the columns sized once, from the lines of the body's first 64 KB (a guess
  // that errs high: room reserved and never written costs no memory)
  size_t rowsGuess = 0;
  {
    const char* sample = p + std::min<size_t>(static_cast<size_t>(end - p), 64 << 10);
    size_t lines = countLines(p, sample);
    if (lines) rowsGuess = static_cast<size_t>(static_cast<double>(end - p) / static_cast<double>(sample - p) * static_cast<double>(lines) * 1.1) + 16;
  }
  // a large body without quoted fields: its second half on a second thread,
  // appended after the first (the same rows, ids and messages, in file order)
  const bool plain = !(scanned.lastQuote && scanned.lastQuote >= p) && !(scanned.lastLoneCr && scanned.lastLoneCr >= p);
  if (const char* mid = splitPoint(p, end, plain)) {
    Table u;
    u.file = t.file;
    std::vector<Issue> later;
    Builder b2(u, w, later);
    b2.header(t.header);
    b.reserve(rowsGuess);  // the second half's rows are appended
    b2.reserve(rowsGuess / 2 + 16);
    size_t line2 = line + countLines(p, mid);
    const char* q = mid;
    std::thread second([&] { parseRows(q, end, line2, delim, path, later, rows(b2), &progress); });
    parseRows(p, mid, line, delim, path, issues, rows(b), &progress);
    second.join();
    appendTable(t, u);
    issues.insert(issues.end(), std::make_move_iterator(later.begin()), std::make_move_iterator(later.end()));
    return true;
  }
  b.reserve(rowsGuess);
  return parseRows(p, end, line, delim, path, issues, rows(b), &progress);
}

bool readSqlite(const std::string& path, const std::string& query, const Wanted& w, Table& t, std::vector<Issue>& issues,
                const ReadRoots& roots) {
  // confined as a CSV is (mtc/fileio.h), then opened by its resolved path without following a link
  std::string why;
  int fd = openUnder(path, roots, &why);
  if (fd < 0) {
    issues.emplace_back(DiagCode::DataFile, path, 0, "", fmt::format("cannot open the database: {}", why));
    return false;
  }
  ::close(fd);
  std::string real = canonicalPath(path);
  sqlite3* db = nullptr;
  if (real.empty() || sqlite3_open_v2(real.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW, nullptr) != SQLITE_OK) {
    issues.emplace_back(DiagCode::DataFile, path, 0, "", fmt::format("cannot open the database: {}", db ? sqlite3_errmsg(db) : "out of memory"));
    sqlite3_close(db);
    return false;
  }
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, query.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    issues.emplace_back(DiagCode::DataFile, path, 0, "", fmt::format("the query fails: {}", sqlite3_errmsg(db)));
    sqlite3_close(db);
    return false;
  }
  int n = sqlite3_column_count(st);
  std::vector<std::string> header;
  for (int i = 0; i < n; ++i) header.push_back(sqlite3_column_name(st, i));
  Builder b(t, w, issues);
  if (!b.header(std::move(header))) {
    sqlite3_finalize(st);
    sqlite3_close(db);
    return false;
  }
  std::vector<std::string> cells(static_cast<size_t>(n));
  std::vector<std::string_view> fields(static_cast<size_t>(n));
  int rc;
  uint32_t r = 1;
  Progress progress(fmt::format("reading {}", std::filesystem::path(path).filename().string()), 0, "rows");
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if ((r & 0x3ff) == 0) progress.add(0x400);
    for (int i = 0; i < n; ++i) {
      std::string& c = cells[static_cast<size_t>(i)];
      switch (sqlite3_column_type(st, i)) {
        case SQLITE_NULL: c.clear(); break;
        case SQLITE_INTEGER: c = std::to_string(sqlite3_column_int64(st, i)); break;
        case SQLITE_FLOAT: c = fmt::format("{}", sqlite3_column_double(st, i)); break;
        default: {
          const unsigned char* txt = sqlite3_column_text(st, i);
          c.assign(txt ? reinterpret_cast<const char*>(txt) : "");
        }
      }
      fields[static_cast<size_t>(i)] = c;
    }
    b.row(++r, fields.data(), fields.size());
  }
  bool ok = rc == SQLITE_DONE;
  if (!ok) issues.emplace_back(DiagCode::DataFile, path, r, "", fmt::format("reading the query's rows failed: {}", sqlite3_errmsg(db)));
  sqlite3_finalize(st);
  sqlite3_close(db);
  return ok;
}

}  // namespace mtc::rt::table
