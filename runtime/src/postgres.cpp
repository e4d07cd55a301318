// A PostgreSQL source, through libpq (docs/runtime.md, "PostgreSQL").
//
//   - The connection string comes from an environment variable and is never
//     printed: libpq's messages are scrubbed of it and of its password.
//   - One read-only transaction, with statement_timeout, TimeZone UTC and ISO
//     dates; the query is described first (PQprepare + PQdescribePrepared, which
//     run nothing), its columns' types checked against what the model reads from
//     them, then streamed with COPY (query) TO STDOUT: one row at a time, never
//     the whole result in memory.
#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <set>

#include "builder.h"
#include "mtc/progress.h"
#include "table.h"

namespace mtc::rt::table {

namespace {

// Type OIDs (src/include/catalog/pg_type.dat); stable across versions.
enum : Oid {
  kBool = 16, kName = 19, kInt8 = 20, kInt2 = 21, kInt4 = 23, kText = 25, kFloat4 = 700, kFloat8 = 701,
  kUnknown = 705, kBpchar = 1042, kVarchar = 1043, kDate = 1082, kTimestamp = 1114, kTimestamptz = 1184, kNumeric = 1700
};

bool isNumber(Oid t) { return t == kInt2 || t == kInt4 || t == kInt8 || t == kFloat4 || t == kFloat8 || t == kNumeric; }
bool isText(Oid t) { return t == kText || t == kVarchar || t == kBpchar || t == kName || t == kUnknown; }
bool isDate(Oid t) { return t == kDate || t == kTimestamp || t == kTimestamptz; }
bool known(Oid t) { return isNumber(t) || isText(t) || isDate(t); }

// Secrets that must never reach a message: the connection string, its password
// (as parsed, and as written in a URI's user info).
class Scrubber {
 public:
  void add(std::string s) {
    if (!s.empty()) secrets_.push_back(std::move(s));
    std::sort(secrets_.begin(), secrets_.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  }
  std::string operator()(std::string text) const {
    for (auto& s : secrets_)
      for (size_t at; (at = text.find(s)) != std::string::npos;) text.replace(at, s.size(), "***");
    return text;
  }

 private:
  std::vector<std::string> secrets_;
};

// libpq's message as one line: its lines joined, trailing white space cut.
std::string oneLine(const char* msg) {
  std::string s = msg ? msg : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n') {
      out += "; ";
      while (i + 1 < s.size() && (s[i + 1] == ' ' || s[i + 1] == '\t')) ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

struct ConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Conn = std::unique_ptr<PGconn, ConnDeleter>;
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// A query's text without trailing white space and semicolons (it goes inside
// COPY ( ... ), where a semicolon would end the statement).
std::string trimQuery(std::string q) {
  while (!q.empty() && (q.back() == ';' || std::isspace(static_cast<unsigned char>(q.back())))) q.pop_back();
  return q;
}

// A date, timestamp or timestamptz cell as COPY writes it with DateStyle ISO
// ("2025-07-30", "2025-07-30 13:45:00", "2025-07-30 13:45:00+00"): its day,
// 2025-07-30. Anything else ("infinity", BC dates, years past 9999) is left
// as it is, and is then an invalid period.
std::string_view dayOf(std::string_view s) {
  auto digit = [&](size_t i) { return s[i] >= '0' && s[i] <= '9'; };
  if (s.size() < 10 || !(digit(0) && digit(1) && digit(2) && digit(3) && s[4] == '-' && digit(5) && digit(6) && s[7] == '-' && digit(8) &&
                         digit(9)))
    return s;
  if (s.size() > 10 && (s[10] != ' ' || s.substr(s.size() - 3) == " BC")) return s;
  return s.substr(0, 10);
}

// Decodes a field of COPY's text format in place of its escapes (\t, \n, \\,
// octal and \x hex bytes) into `out`.
void unescape(std::string_view f, std::string& out) {
  out.clear();
  for (size_t i = 0; i < f.size(); ++i) {
    char c = f[i];
    if (c != '\\' || i + 1 == f.size()) {
      out += c;
      continue;
    }
    char e = f[++i];
    switch (e) {
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case 'x': {
        int v = 0, k = 0;
        while (k < 2 && i + 1 < f.size() && std::isxdigit(static_cast<unsigned char>(f[i + 1]))) {
          char h = f[++i];
          v = v * 16 + (h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
          ++k;
        }
        if (k == 0) out += 'x';
        else out += static_cast<char>(v);
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          int v = e - '0', k = 1;
          while (k < 3 && i + 1 < f.size() && f[i + 1] >= '0' && f[i + 1] <= '7') v = v * 8 + (f[++i] - '0'), ++k;
          out += static_cast<char>(v);
        } else {
          out += e;
        }
    }
  }
}

// An open session on a postgres source, in its read-only transaction: what
// readPostgres and queryPostgres share.
struct Session {
  Conn conn;
  Scrubber scrub;
  double timeout = kPgTimeout;
  // The server's message for a failed result, scrubbed of the connection string.
  std::string error(const PGresult* r) const {
    PGconn* c = conn.get();
    std::string msg = r ? oneLine(PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY)) : "";
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    if (state && std::strcmp(state, "25006") == 0) msg += " (mtc reads in a read-only transaction: the query may not write)";
    if (msg.empty()) msg = oneLine(r ? PQresultErrorMessage(r) : PQerrorMessage(c));
    if (msg.empty()) msg = oneLine(PQerrorMessage(c));
    if (r)
      if (const char* hint = PQresultErrorField(r, PG_DIAG_MESSAGE_HINT)) msg += " (hint: " + oneLine(hint) + ")";
    return scrub(msg);
  }
};

// Connects with the connection string from the environment and starts the
// read-only transaction: the timeout, UTC, ISO dates, exact floats, and
// `extraSetup` (more "; SET LOCAL ..."). False with an issue located at env(...).
bool openSession(const PgSource& src, const std::string& file, Session& S, std::vector<Issue>& issues, const std::string& extraSetup) {
  auto fail = [&](DiagCode code, Range at, std::string msg) {
    issues.emplace_back(code, file, 0, "", std::move(msg), at);
    return false;
  };
  const char* env = std::getenv(src.connEnv.c_str());
  if (!env || !*env)
    return fail(DiagCode::DataFile, src.connAt,
                fmt::format("environment variable {} is {}: set it to the connection string", src.connEnv, env ? "empty" : "not set"));
  const std::string conninfo = env;

  Scrubber& scrub = S.scrub;
  scrub.add(conninfo);
  {
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
    if (!opts) {
      PQfreemem(err);  // it may quote the string: not shown
      return fail(DiagCode::DataFile, src.connAt,
                  fmt::format("the connection string in {} is not valid (libpq cannot parse it; it is not shown)", src.connEnv));
    }
    for (PQconninfoOption* o = opts; o->keyword; ++o)
      if (o->val && (std::strcmp(o->keyword, "password") == 0 || std::strcmp(o->keyword, "sslpassword") == 0)) scrub.add(o->val);
    PQconninfoFree(opts);
    // a URI's password as written (percent-encoded): postgresql://user:PASSWORD@host/db
    size_t scheme = conninfo.find("://");
    if (scheme != std::string::npos) {
      size_t begin = scheme + 3;
      size_t end = conninfo.find_first_of("/?", begin);
      size_t at = conninfo.rfind('@', end == std::string::npos ? std::string::npos : end);
      if (at != std::string::npos && at > begin) {
        size_t colon = conninfo.find(':', begin);
        if (colon != std::string::npos && colon < at) scrub.add(conninfo.substr(colon + 1, at - colon - 1));
      }
    }
  }

  if (const char* pw = std::getenv("PGPASSWORD")) scrub.add(pw);
  // connect_timeout and the application name come first: the string may override them;
  // the encoding comes last: text arrives as UTF-8 whatever the string or the server say
  const char* keys[] = {"connect_timeout", "fallback_application_name", "dbname", "client_encoding", nullptr};
  const char* vals[] = {"10", "mtc", conninfo.c_str(), "UTF8", nullptr};
  S.conn.reset(PQconnectdbParams(keys, vals, 1));
  Conn& conn = S.conn;
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK)
    return fail(DiagCode::DataFile, src.connAt,
                fmt::format("cannot connect to PostgreSQL with {} (the connection string is not shown): {}", src.connEnv,
                            conn ? scrub(oneLine(PQerrorMessage(conn.get()))) : "out of memory"));
  PQsetNoticeProcessor(conn.get(), [](void*, const char*) {}, nullptr);
  PGconn* c = conn.get();
  auto serverError = [&](const PGresult* r) { return S.error(r); };

  // the session: read only, the timeout, UTC, ISO dates, exact floats
  double timeout = S.timeout = src.timeout > 0 ? src.timeout : kPgTimeout;
  long long ms = std::max<long long>(1, static_cast<long long>(timeout * 1000));
  std::string setup = fmt::format(
      "BEGIN TRANSACTION READ ONLY; SET LOCAL statement_timeout = {}; SET LOCAL TimeZone = 'UTC'; "
      "SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL extra_float_digits = 3{}",
      ms, extraSetup);
  {
    Result r(PQexec(c, setup.c_str()));
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK)
      return fail(DiagCode::DataFile, src.connAt, "cannot start a read-only transaction: " + serverError(r.get()));
  }

  return true;
}

}  // namespace

bool readPostgres(const PgSource& src, const Wanted& w, Table& t, std::vector<Issue>& issues) {
  auto fail = [&](DiagCode code, Range at, std::string msg) {
    issues.emplace_back(code, t.file, 0, "", std::move(msg), at);
    return false;
  };
  Session S;
  if (!openSession(src, t.file, S, issues, "")) return false;
  PGconn* c = S.conn.get();
  auto serverError = [&](const PGresult* r) { return S.error(r); };
  const double timeout = S.timeout;

  // describe the query (nothing runs yet): its columns' names and types
  const std::string query = src.queryIsTable ? "SELECT * FROM " + trimQuery(src.query) : trimQuery(src.query);
  {
    Result r(PQprepare(c, "", query.c_str(), 0, nullptr));
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
      Range at = src.queryAt;
      // point at the query's character when the model writes it as it is (no escapes)
      const char* pos = PQresultErrorField(r.get(), PG_DIAG_STATEMENT_POSITION);
      if (pos && !src.queryIsTable && at.valid() && src.query.find_first_of("\"\\\n") == std::string::npos) {
        long p = std::strtol(pos, nullptr, 10);
        if (p >= 1) {
          at.begin.col += static_cast<uint32_t>(p);  // after the opening quote
          at.end = at.begin;
          at.end.col += 1;
        }
      }
      return fail(DiagCode::DataFile, at, "the query fails: " + serverError(r.get()));
    }
  }
  Result desc(PQdescribePrepared(c, ""));
  if (PQresultStatus(desc.get()) != PGRES_COMMAND_OK) return fail(DiagCode::DataFile, src.queryAt, "the query fails: " + serverError(desc.get()));
  const int n = PQnfields(desc.get());
  std::vector<std::string> header;
  std::vector<Oid> types;
  for (int i = 0; i < n; ++i) {
    header.emplace_back(PQfname(desc.get(), i));
    types.push_back(PQftype(desc.get(), i));
  }
  Builder b(t, w, issues);
  if (!b.header(header)) return false;  // a column the model names is missing (listed)

  // the types of the columns read, against their use: domains by their base
  // type, enums as text; names for messages from the server
  auto index = [&](const std::string& name) {
    for (int i = 0; i < n; ++i)
      if (header[static_cast<size_t>(i)] == name) return i;
    return -1;
  };
  std::map<Oid, std::pair<Oid, std::string>> info;  // oid -> (what it behaves as, its name)
  {
    std::set<Oid> ask;
    auto need = [&](const Column& col) {
      int i = index(col.name);
      if (i >= 0) ask.insert(types[static_cast<size_t>(i)]);
    };
    need(w.time);
    for (auto& d : w.dims) need(d);
    for (auto& v : w.numbers) need(v);
    std::string list;
    for (Oid o : ask) list += (list.empty() ? "" : ",") + std::to_string(o);
    std::string sql = "SELECT t.oid, CASE WHEN t.typtype = 'e' THEN 25::oid WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END, "
                      "format_type(t.oid, NULL) FROM pg_catalog.pg_type t WHERE t.oid = ANY('{" + list + "}'::oid[])";
    Result r(PQexec(c, sql.c_str()));
    if (PQresultStatus(r.get()) == PGRES_TUPLES_OK)
      for (int i = 0; i < PQntuples(r.get()); ++i) {
        Oid o = static_cast<Oid>(std::strtoul(PQgetvalue(r.get(), i, 0), nullptr, 10));
        Oid as = static_cast<Oid>(std::strtoul(PQgetvalue(r.get(), i, 1), nullptr, 10));
        info[o] = {as, PQgetvalue(r.get(), i, 2)};
      }
  }
  auto behaves = [&](Oid o) {
    auto it = info.find(o);
    return known(o) || it == info.end() ? o : it->second.first;
  };
  auto typeName = [&](Oid o) {
    auto it = info.find(o);
    return it == info.end() ? fmt::format("type {}", o) : it->second.second;
  };
  bool typesOk = true;
  auto badType = [&](const Column& col, Oid o, const std::string& wants, const std::string& cast) {
    issues.emplace_back(DiagCode::DataType, t.file, 0, col.name,
                        fmt::format("the column is {}, but {} needs {}; cast it in {}, e.g. {}::{}", typeName(o), col.what, wants,
                                    src.queryIsTable ? "a query instead of the table's name" : "the query", col.name, cast),
                        src.queryAt);
    typesOk = false;
  };
  int timeIndex = index(w.time.name);
  Oid timeType = types[static_cast<size_t>(timeIndex)];
  if (!isDate(behaves(timeType)) && !isText(behaves(timeType)))
    badType(w.time, timeType, "a date, timestamp, timestamptz or text (periods written like 2025-07)", "date");
  t.timeIsDate = isDate(behaves(timeType));
  if (src.grain && typesOk && !t.timeIsDate) {
    issues.emplace_back(DiagCode::DataType, t.file, 0, w.time.name,
                        fmt::format("`grain:` applies to a date or timestamp time column; this one is {}, whose periods carry their own grain",
                                    typeName(timeType)),
                        src.queryAt);
    typesOk = false;
  }
  for (auto& d : w.dims) {
    Oid o = types[static_cast<size_t>(index(d.name))];
    if (!isText(behaves(o))) badType(d, o, "text (text, varchar, char or an enum)", "text");
  }
  for (auto& v : w.numbers) {
    Oid o = types[static_cast<size_t>(index(v.name))];
    if (!isNumber(behaves(o))) badType(v, o, "numbers (smallint, integer, bigint, real, double precision or numeric)", "numeric");
  }
  if (!typesOk) return false;

  // the rows: a table's columns that the model reads, or the query's result,
  // streamed; each COPY field goes to its column in the header
  std::vector<int> at;  // COPY field -> header column
  std::string copy;
  if (src.queryIsTable) {
    std::set<int> used{timeIndex};
    for (auto& d : w.dims) used.insert(index(d.name));
    for (auto& v : w.numbers) used.insert(index(v.name));
    std::string cols;
    for (int i : used) {
      char* q = PQescapeIdentifier(c, header[static_cast<size_t>(i)].c_str(), header[static_cast<size_t>(i)].size());
      if (!q) return fail(DiagCode::DataFile, src.queryAt, "the query fails: " + serverError(nullptr));
      cols += (cols.empty() ? "" : ", ") + std::string(q);
      PQfreemem(q);
      at.push_back(i);
    }
    copy = "COPY (SELECT " + cols + " FROM " + trimQuery(src.query) + ") TO STDOUT";
  } else {
    for (int i = 0; i < n; ++i) at.push_back(i);
    copy = "COPY (" + query + "\n) TO STDOUT";
  }
  if (!PQsendQueryParams(c, copy.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0))
    return fail(DiagCode::DataFile, src.queryAt, "the query fails: " + serverError(nullptr));
  {
    Result r(PQgetResult(c));
    if (PQresultStatus(r.get()) != PGRES_COPY_OUT) {
      std::string msg = serverError(r.get());
      while (PGresult* more = PQgetResult(c)) PQclear(more);
      return fail(DiagCode::DataFile, src.queryAt, "the query fails: " + msg);
    }
  }
  std::vector<std::string_view> fields(static_cast<size_t>(n));
  std::vector<std::string> decoded(static_cast<size_t>(n));
  const std::vector<size_t> dateColumn = t.timeIsDate ? std::vector<size_t>{static_cast<size_t>(timeIndex)} : std::vector<size_t>{};
  uint32_t row = 0;  // the result's rows from 1 (messages say "query row N")
  bool rowsOk = true;
  Progress progress("reading postgres source " + src.name, 0, "rows");
  for (;;) {
    if ((row & 0x3ff) == 0x3ff) progress.add(0x400);
    char* buf = nullptr;
    int len = PQgetCopyData(c, &buf, 0);
    if (len == -1) break;  // done
    if (len < 0) {
      rowsOk = false;
      break;
    }
    t.bytes += static_cast<uint64_t>(len);
    std::string_view line(buf, static_cast<size_t>(len));
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    std::fill(fields.begin(), fields.end(), std::string_view());
    size_t k = 0, start = 0;
    for (size_t i = 0; i <= line.size(); ++i) {
      if (i < line.size() && line[i] != '\t') continue;
      std::string_view f = line.substr(start, i - start);
      start = i + 1;
      if (k >= at.size()) {
        ++k;
        continue;
      }
      size_t col = static_cast<size_t>(at[k++]);
      if (f == "\\N") continue;  // NULL: an empty field, missing
      if (f.find('\\') != std::string_view::npos) {
        unescape(f, decoded[col]);
        f = decoded[col];
      }
      fields[col] = f;
    }
    for (size_t col : dateColumn) fields[col] = dayOf(fields[col]);
    ++row;
    if (k == at.size()) b.row(row, fields.data(), fields.size());
    else issues.emplace_back(DiagCode::DataRow, t.file, row, "", fmt::format("COPY gave {} fields, {} expected", k, at.size()));
    PQfreemem(buf);
  }
  Result end(PQgetResult(c));
  if (!rowsOk || PQresultStatus(end.get()) != PGRES_COMMAND_OK) {
    std::string msg = serverError(end.get());
    const char* state = end ? PQresultErrorField(end.get(), PG_DIAG_SQLSTATE) : nullptr;
    if (state && std::strcmp(state, "57014") == 0)  // query_canceled: the statement_timeout
      msg += fmt::format(" (statement_timeout is {} s; `mtc run --timeout SECONDS` sets it)", timeout);
    while (PGresult* more = PQgetResult(c)) PQclear(more);
    return fail(DiagCode::DataFile, src.queryAt, fmt::format("reading the query's rows failed after {} row{}: {}", row, row == 1 ? "" : "s", msg));
  }
  while (PGresult* more = PQgetResult(c)) PQclear(more);
  Result done(PQexec(c, "COMMIT"));
  return true;
}

bool queryPostgres(const PgSource& src, const std::string& file, const std::string& sql, const std::string& extraSetup,
                   std::vector<std::string>& header, const std::function<void(const std::vector<std::optional<std::string>>&)>& row,
                   std::vector<Issue>& issues, uint64_t& bytes) {
  auto fail = [&](std::string msg) {
    issues.emplace_back(DiagCode::DataFile, file, 0, "", std::move(msg), src.queryAt);
    return false;
  };
  Session S;
  if (!openSession(src, file, S, issues, extraSetup)) return false;
  PGconn* c = S.conn.get();
  {
    Result r(PQprepare(c, "", sql.c_str(), 0, nullptr));
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) return fail("mtc's aggregating query fails: " + S.error(r.get()));
  }
  Result desc(PQdescribePrepared(c, ""));
  if (PQresultStatus(desc.get()) != PGRES_COMMAND_OK) return fail("mtc's aggregating query fails: " + S.error(desc.get()));
  header.clear();
  for (int i = 0; i < PQnfields(desc.get()); ++i) header.emplace_back(PQfname(desc.get(), i));
  std::string copy = "COPY (" + sql + "\n) TO STDOUT";
  if (!PQsendQueryParams(c, copy.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0)) return fail("mtc's aggregating query fails: " + S.error(nullptr));
  {
    Result r(PQgetResult(c));
    if (PQresultStatus(r.get()) != PGRES_COPY_OUT) {
      std::string msg = S.error(r.get());
      while (PGresult* more = PQgetResult(c)) PQclear(more);
      return fail("mtc's aggregating query fails: " + msg);
    }
  }
  std::vector<std::optional<std::string>> fields(header.size());
  std::string decoded;
  bool ok = true;
  for (;;) {
    char* buf = nullptr;
    int len = PQgetCopyData(c, &buf, 0);
    if (len == -1) break;
    if (len < 0) {
      ok = false;
      break;
    }
    bytes += static_cast<uint64_t>(len);
    std::string_view line(buf, static_cast<size_t>(len));
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    size_t k = 0, start = 0;
    for (size_t i = 0; i <= line.size() && k < fields.size(); ++i) {
      if (i < line.size() && line[i] != '\t') continue;
      std::string_view f = line.substr(start, i - start);
      start = i + 1;
      if (f == "\\N") {
        fields[k++].reset();
        continue;
      }
      unescape(f, decoded);
      fields[k++] = decoded;
    }
    PQfreemem(buf);
    if (k == fields.size()) row(fields);
  }
  Result end(PQgetResult(c));
  if (!ok || PQresultStatus(end.get()) != PGRES_COMMAND_OK) {
    std::string msg = S.error(end.get());
    const char* state = end ? PQresultErrorField(end.get(), PG_DIAG_SQLSTATE) : nullptr;
    if (state && std::strcmp(state, "57014") == 0)
      msg += fmt::format(" (statement_timeout is {} s; `mtc run --timeout SECONDS` sets it)", S.timeout);
    while (PGresult* more = PQgetResult(c)) PQclear(more);
    return fail("mtc's aggregating query failed: " + msg);
  }
  while (PGresult* more = PQgetResult(c)) PQclear(more);
  Result done(PQexec(c, "COMMIT"));
  return true;
}

}  // namespace mtc::rt::table
