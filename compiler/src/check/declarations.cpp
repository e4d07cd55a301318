// Sources, dimensions from sources, params (values, slice maps, distributions)
// and user functions.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <functional>

#include "checker.h"

namespace mtc::check {

namespace fs = std::filesystem;

namespace {

// A postgres source's query: a table name (`spend`, `marketing.spend`, quoted
// parts) or a read-only query (SELECT, WITH, VALUES, TABLE, after comments and
// parentheses). It runs in a read-only transaction whatever it says.
bool isTableName(std::string_view q) {
  size_t i = 0, parts = 0;
  auto skipSpace = [&] {
    while (i < q.size() && std::isspace(static_cast<unsigned char>(q[i]))) ++i;
  };
  skipSpace();
  for (;;) {
    if (i < q.size() && q[i] == '"') {
      ++i;
      size_t begin = i;
      for (;; ++i) {
        if (i >= q.size()) return false;
        if (q[i] == '"') {
          if (i + 1 < q.size() && q[i + 1] == '"') {
            ++i;
            continue;
          }
          break;
        }
      }
      if (i == begin) return false;
      ++i;
    } else if (i < q.size() && (std::isalpha(static_cast<unsigned char>(q[i])) || q[i] == '_' || static_cast<unsigned char>(q[i]) >= 0x80)) {
      while (i < q.size() && (std::isalnum(static_cast<unsigned char>(q[i])) || q[i] == '_' || q[i] == '$' ||
                              static_cast<unsigned char>(q[i]) >= 0x80))
        ++i;
    } else {
      return false;
    }
    ++parts;
    skipSpace();
    if (i == q.size()) return parts <= 3;
    if (q[i] != '.') return false;
    ++i;
    skipSpace();
  }
}

bool isReadQuery(std::string_view q) {
  size_t i = 0;
  for (;;) {
    while (i < q.size() && (std::isspace(static_cast<unsigned char>(q[i])) || q[i] == '(')) ++i;
    if (q.substr(i, 2) == "--") {
      size_t e = q.find('\n', i);
      i = e == std::string_view::npos ? q.size() : e;
    } else if (q.substr(i, 2) == "/*") {
      size_t e = q.find("*/", i + 2);
      i = e == std::string_view::npos ? q.size() : e + 2;
    } else {
      break;
    }
  }
  size_t j = i;
  while (j < q.size() && std::isalpha(static_cast<unsigned char>(q[j]))) ++j;
  std::string word(q.substr(i, j - i));
  for (auto& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return word == "select" || word == "with" || word == "values" || word == "table";
}

bool isEnvName(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

}  // namespace

void checkSources(Ctx& x) {
  for (auto* d : x.decls) {
    if (d->kind != ast::DeclKind::Source) continue;
    auto* sd = static_cast<const ast::SourceDecl*>(d);
    auto it = x.sourceIds.find(sd->name.name);
    if (it == x.sourceIds.end() || x.m.sources[it->second].range != sd->name.range) continue;
    Source& S = x.m.sources[it->second];
    const std::string& fn = sd->function.name;
    // env("NAME") is a postgres source's connection, and nothing else
    bool callsOk = true;
    for (size_t i = 0; i < sd->args.size(); ++i) {
      const ast::StringArg& a = sd->args[i];
      if (!a.call) continue;
      if (a.call->name != "env") {
        x.d.report(DiagCode::InvalidCall, a.call->range, fmt::format("unknown function '{}' in a source's arguments", a.call->name))
            .note("env(\"NAME\") reads an environment variable: a postgres source's connection string");
        callsOk = false;
      } else if (fn != "postgres" || i != 0) {
        x.d.report(DiagCode::InvalidCall, a.range, fn == "postgres" ? "the query is a string, not env(...)"
                                                                    : fmt::format("{}() takes strings; env(...) is for a postgres source's connection", fn));
        callsOk = false;
      } else if (!isEnvName(a.value)) {
        x.d.report(DiagCode::InvalidCall, a.range, fmt::format("'{}' is not an environment variable's name", a.value))
            .note("a name is letters, digits and _, not starting with a digit");
        callsOk = false;
      }
    }
    if (!callsOk) continue;
    if (fn == "csv") {
      S.kind = SourceKind::Csv;
      if (sd->args.size() != 1) {
        x.d.report(DiagCode::InvalidCall, sd->function.range, "csv() takes one argument: the file's path");
        continue;
      }
    } else if (fn == "sqlite") {
      S.kind = SourceKind::Sqlite;
      if (sd->args.size() != 2) {
        x.d.report(DiagCode::InvalidCall, sd->function.range, "sqlite() takes two arguments: the database's path and a query");
        continue;
      }
      S.query = sd->args[1].value;
    } else if (fn == "postgres") {
      S.kind = SourceKind::Postgres;
      if (sd->args.size() != 2) {
        x.d.report(DiagCode::InvalidCall, sd->function.range,
                   "postgres() takes two arguments: env(\"NAME\") naming the connection string, and a table name or a SELECT");
        continue;
      }
      const ast::StringArg& conn = sd->args[0];
      if (!conn.call) {
        // neither the text nor its line is shown: it may be a connection string with a password
        Diagnostic& e = x.d.report(DiagCode::InvalidCall, conn.range,
                                   "a postgres source's connection string comes from the environment, not the model file");
        e.hideLine = true;
        e.note("write postgres(env(\"DW_URL\"), ...) and set DW_URL: no secret lives in a model file");
        continue;
      }
      S.connEnv = conn.value;
      S.connRange = conn.range;
      S.query = sd->args[1].value;
      S.queryRange = sd->args[1].range;
      S.queryIsTable = isTableName(S.query);
      if (!S.queryIsTable && !isReadQuery(S.query)) {
        x.d.report(DiagCode::InvalidCall, S.queryRange, "a postgres source's query is a table name or a SELECT")
            .note("it runs in a read-only transaction: SELECT, WITH ... SELECT, VALUES or TABLE");
        continue;
      }
      if (x.o.checkEnv) {
        const char* v = std::getenv(S.connEnv.c_str());
        if (!v || !*v)
          x.d.report(DiagCode::EnvUnset, S.connRange,
                     fmt::format("environment variable {} is {}: `mtc run` cannot read source '{}'", S.connEnv, v ? "empty" : "not set", S.name))
              .note(fmt::format("set {} to the connection string (e.g. postgresql://user@host/db) before running", S.connEnv));
      }
    } else {
      x.d.report(DiagCode::InvalidCall, sd->function.range, fmt::format("unknown source kind '{}'", fn))
          .note("a source is csv(\"file.csv\"), sqlite(\"file.db\", \"select ...\") or postgres(env(\"DW_URL\"), \"select ...\")");
      continue;
    }
    if (S.kind != SourceKind::Postgres) {
      S.path = sd->args[0].value;
      fs::path base = fs::path(x.c.sources.file(sd->file).path()).parent_path();
      if (fs::path(S.path).is_absolute()) {
        x.d.report(DiagCode::OutsideRoot, sd->args[0].range, fmt::format("a source's path is relative to the model file: '{}' is absolute", S.path))
            .note(fmt::format("a model reads files only under {}; --allow-path DIR widens that for a run", x.c.roots.describe()));
        continue;
      }
      S.resolvedPath = (base / S.path).lexically_normal().string();
      // refused here when it resolves outside the roots (a link out included); read
      // through the same check at run time (mtc::openUnder), on what is opened
      std::error_code ec;
      std::string canon = fs::weakly_canonical(fs::absolute(S.resolvedPath, ec), ec).string();
      if (!ec && !x.c.roots.contains(canon)) {
        x.d.report(DiagCode::OutsideRoot, sd->args[0].range, fmt::format("'{}' lies outside {}: refused", S.path, x.c.roots.describe()))
            .note("a model reads files only under its project root (the nearest folder upwards with .git, else the model's folder); "
                  "--allow-path DIR widens that for a run");
        continue;
      }
    }
    Props ps = readProps(x, sd->props, PropOwner::Source);
    if (auto* v = ps.get(PropId::Source_time)) S.timeColumn = v->text;
    if (auto* v = ps.get(PropId::Source_dimensions))
      for (auto& [w, r] : v->words)
        if (auto dim = dimByName(x, ast::Ident{w, r})) S.dimColumns.push_back({*dim, w});
    if (auto* v = ps.get(PropId::Source_delimiter)) {
      if (S.kind == SourceKind::Postgres) x.d.report(DiagCode::InvalidProperty, v->range, "delimiter: is for a csv source");
      else if (v->text.size() == 1) S.delimiter = v->text[0];
      else x.d.report(DiagCode::InvalidProperty, v->range, "the delimiter is one character, like \";\"");
    }
    if (auto* v = ps.get(PropId::Source_missing)) {
      if (S.kind == SourceKind::Postgres)
        x.d.report(DiagCode::InvalidProperty, v->range, "missing: is for csv and sqlite sources; in PostgreSQL, NULL is a missing value");
      for (auto& [w, r] : v->words) S.missing.push_back(w);
    }
    if (auto* v = ps.get(PropId::Source_grain)) {
      if (S.kind != SourceKind::Postgres)
        x.d.report(DiagCode::InvalidProperty, v->range, "grain: is for a postgres source whose time column is a date or a timestamp")
            .note("the periods of a csv or sqlite source are written as periods (2025-07, 2025-W31), which carry their grain");
      else if (!coarserOrEqual(x.m.grain, v->grain))
        x.d.report(DiagCode::InvalidProperty, v->range,
                   fmt::format("the source's grain ({}) is coarser than the model's ({}): data cannot be split", grainName(v->grain),
                               grainName(x.m.grain)));
      else
        S.grain = v->grain;
    }
    if (auto* v = ps.get(PropId::Source_description)) S.doc = v->text;
    if (S.timeColumn.empty() && !ps.written("time"))
      x.d.report(DiagCode::InvalidProperty, sd->name.range, fmt::format("source '{}' needs `time:`, the column holding the period", S.name));
  }
}

void checkDimensions(Ctx& x) {
  for (auto* d : x.decls) {
    if (d->kind != ast::DeclKind::Dimension) continue;
    auto* dd = static_cast<const ast::DimensionDecl*>(d);
    if (!dd->fromSource) continue;
    auto it = x.dimIds.find(dd->name.name);
    if (it == x.dimIds.end() || x.m.dims[it->second].range != dd->name.range) continue;
    Dimension& D = x.m.dims[it->second];
    if (dd->from.size() != 2) {
      x.d.report(DiagCode::InvalidExpr, dd->name.range, "write `from source.column`");
      continue;
    }
    auto s = x.sourceIds.find(dd->from[0].name);
    if (s == x.sourceIds.end()) {
      unknownName(x, dd->from[0].range, dd->from[0].name, keysOf(x.sourceIds), "source");
      continue;
    }
    x.occur(dd->from[0].range, SymKind::Source, s->first, x.m.sources[s->second].range);
    D.source = s->second;
    D.column = dd->from[1].name;
  }
}

namespace {

std::optional<Distribution> distribution(Ctx& x, Typer& t, const ast::Distribution& ad, const Param& P, const Scope& s) {
  static const std::map<std::string, DistKind> kinds = {{"normal", DistKind::Normal}, {"lognormal", DistKind::LogNormal},
                                                        {"uniform", DistKind::Uniform}, {"triangular", DistKind::Triangular},
                                                        {"beta", DistKind::Beta}};
  auto it = kinds.find(ad.name.name);
  if (it == kinds.end()) {
    unknownName(x, ad.name.range, ad.name.name, keysOf(kinds), "distribution");
    return std::nullopt;
  }
  DistKind kind = it->second;
  size_t n = ad.args.size();
  bool okCount = kind == DistKind::Triangular ? n == 3 : kind == DistKind::Beta ? (n == 2 || n == 4) : n == 2;
  if (!okCount) {
    x.d.report(DiagCode::InvalidCall, ad.range,
               fmt::format("{}() takes {} arguments, not {}", ad.name.name,
                           kind == DistKind::Triangular ? "3" : kind == DistKind::Beta ? "2 (or 4: shapes, then a range)" : "2", n));
    return std::nullopt;
  }
  auto bad = [&](const std::string& why) -> std::optional<Distribution> {
    x.d.report(DiagCode::InvalidCall, ad.range, fmt::format("invalid {}(): {}", ad.name.name, why));
    return std::nullopt;
  };
  // beta(a, b) draws from [0, 1]: a ratio. A param with a unit gives the range.
  if (kind == DistKind::Beta && n == 2 && !P.unit.dimensionless()) {
    x.d.report(DiagCode::InvalidCall, ad.range,
               fmt::format("beta(a, b) draws a ratio from 0 to 1, but '{}' is '{}'", P.name, x.fmtUnit(P.unit)))
        .note(fmt::format("give the range in '{}': beta(a, b, low, high)", x.fmtUnit(P.unit)));
    return std::nullopt;
  }
  Distribution D;
  D.kind = kind;
  D.range = ad.range;
  for (size_t i = 0; i < n; ++i) {
    // beta's shapes have no unit; every other argument is in the param's unit
    bool shape = kind == DistKind::Beta && i < 2;
    auto v = t.constValue(*ad.args[i], shape ? Unit{} : P.unit, P.name, s);
    if (!v) return std::nullopt;
    D.args.push_back(*v);
  }
  switch (D.kind) {
    case DistKind::Normal:
      if (D.args[1] < 0) return bad("the standard deviation is negative");
      break;
    case DistKind::LogNormal:
      if (D.args[0] <= 0) return bad("the mean must be positive");
      if (D.args[1] < 0) return bad("the standard deviation is negative");
      break;
    case DistKind::Uniform:
      if (D.args[0] > D.args[1]) return bad("the low end is above the high end");
      break;
    case DistKind::Triangular:
      if (!(D.args[0] <= D.args[1] && D.args[1] <= D.args[2])) return bad("write triangular(low, mode, high) with low <= mode <= high");
      break;
    case DistKind::Beta:
      if (D.args[0] <= 0 || D.args[1] <= 0) return bad("both shapes must be positive");
      if (n == 4 && !(D.args[2] < D.args[3])) return bad("the low end must be below the high end");
      break;
    case DistKind::Fixed: break;
  }
  return D;
}

void sliceMapParam(Ctx& x, Typer& t, const ast::ParamDecl& pd, Param& P, const Scope& s) {
  if (P.dims.empty()) {
    x.d.report(DiagCode::DimensionMismatch, pd.map->range,
               fmt::format("param '{}' has per-slice values but no dimensions; declare it `by <dimension>`", P.name));
    return;
  }
  // dims in the order written (the map nests in that order)
  std::vector<Id> order;
  for (auto& di : pd.dims)
    if (auto it = x.dimIds.find(di.name); it != x.dimIds.end() && std::find(order.begin(), order.end(), it->second) == order.end())
      order.push_back(it->second);
  if (order.size() != P.dims.size()) return;
  bool keyed = x.m.sliceCount(P.dims) == 0;
  size_t n = keyed ? 0 : x.m.sliceCount(P.dims);
  std::vector<std::optional<double>> vals(n);
  std::vector<std::optional<Distribution>> dists(n);
  std::optional<double> dflt;
  std::optional<Distribution> dfltDist;
  std::vector<std::string> key(order.size());
  std::vector<uint32_t> idx(order.size());
  bool keyErrors = false;
  std::function<void(const ast::SliceMap&, size_t)> walk = [&](const ast::SliceMap& sm, size_t level) {
    std::set<std::string> seen;
    for (auto& en : sm.entries) {
      if (!seen.insert(en.key.name).second) {
        x.d.report(DiagCode::Duplicate, en.key.range, fmt::format("'{}' is given twice", en.key.name));
        continue;
      }
      bool wild = en.key.name == "_";
      if (!wild) {
        auto v = dimValue(x, order[level], en.key);
        if (!v) {
          keyErrors = true;
          continue;
        }
        idx[level] = *v;
        key[level] = en.key.name;
      }
      bool last = level + 1 == order.size();
      if (en.nested) {
        if (last || wild) {
          x.d.report(DiagCode::DimensionMismatch, en.nested->range,
                     wild ? "the default `_` takes a value, not a map"
                          : fmt::format("too many levels: '{}' has {} dimension(s)", P.name, order.size()));
          continue;
        }
        walk(*en.nested, level + 1);
        continue;
      }
      if (!last && !wild) {
        x.d.report(DiagCode::DimensionMismatch, en.range,
                   fmt::format("'{}' needs a map over '{}' here", en.key.name, x.m.dims[order[level + 1]].name));
        continue;
      }
      if (!en.value) continue;
      auto v = t.constValue(*en.value, P.unit, P.name, s);
      if (!v) continue;
      std::optional<Distribution> dist;
      if (en.dist) dist = distribution(x, t, *en.dist, P, s);
      if (wild) {
        if (level != 0) x.d.report(DiagCode::InvalidExpr, en.key.range, "the default `_` goes at the outer level");
        dflt = v;
        dfltDist = dist;
        continue;
      }
      auto pos = [&](Id d) { return std::find(order.begin(), order.end(), d) - order.begin(); };
      if (keyed) {  // values come from data: keep the keys, in the order of P.dims
        std::vector<std::string> k;
        for (Id d : P.dims) k.push_back(key[pos(d)]);
        P.keyed.push_back({k, *v});
        P.keyedDists.push_back(dist);
        continue;
      }
      size_t flat = x.m.sliceIndex(P.dims, [&](Id d) { return idx[pos(d)]; });
      vals[flat] = v;
      dists[flat] = dist;
    }
  };
  walk(*pd.map, 0);
  if (keyed) {
    P.keyedDefault = dflt;
    P.keyedDefaultDist = dfltDist;
    bool anyDist = dfltDist.has_value();
    for (auto& dd : P.keyedDists) anyDist |= dd.has_value();
    if (!anyDist) P.keyedDists.clear();
    return;
  }
  P.values.assign(n, 0);
  P.sliceDists = dists;
  std::vector<std::string> missing;
  for (size_t i = 0; i < n; ++i) {
    if (vals[i]) {
      P.values[i] = *vals[i];
    } else if (dflt) {
      P.values[i] = *dflt;
      P.sliceDists[i] = dfltDist;
    } else {
      missing.push_back(sliceName(x, P.dims, i));
    }
  }
  if (!missing.empty() && !keyErrors) {
    auto& rep = x.d.report(DiagCode::UnknownDimValue, pd.map->range,
                           fmt::format("param '{}' has no value for {}", P.name,
                                       missing.size() > 4
                                           ? fmt::format("{} and {} more slices", joinNames({missing.begin(), missing.begin() + 3}), missing.size() - 3)
                                           : joinNames(missing)));
    rep.note("give every slice a value, or a default with `_: value`");
  }
  bool anyDist = false;  // the default's distribution counts: it fills slices
  for (auto& dd : P.sliceDists) anyDist |= dd.has_value();
  if (!anyDist) P.sliceDists.clear();
}

// Names in a function body must exist (types are checked at each call).
void checkNames(Ctx& x, const ast::Expr& e, const ast::FunctionDecl& fn) {
  if (e.kind == ast::ExprKind::Name && e.path.size() == 1) {
    const std::string& n = e.path[0].name;
    bool isArg = false;
    for (auto& p : fn.params) isArg |= p.name == n;
    if (isArg) {
      x.occur(e.path[0].range, SymKind::FunctionParam, fn.name.name + "." + n, e.path[0].range);
    } else if (!x.values.count(n)) {
      std::vector<std::string> cands = keysOf(x.values);
      for (auto& p : fn.params) cands.push_back(p.name);
      unknownName(x, e.path[0].range, n, cands, "name");
    }
  }
  if (e.kind == ast::ExprKind::Call && !findBuiltin(e.callee.name) && !x.functions.count(e.callee.name))
    unknownName(x, e.callee.range, e.callee.name, keysOf(x.functions), "function");
  for (auto& a : e.args)
    if (a) checkNames(x, *a, fn);
  if (e.lhs) checkNames(x, *e.lhs, fn);
  if (e.rhs) checkNames(x, *e.rhs, fn);
}

}  // namespace

void checkParams(Ctx& x) {
  Typer t(x);
  for (size_t i = 0; i < x.paramDecls.size(); ++i) {
    const ast::ParamDecl& pd = *x.paramDecls[i];
    Param& P = x.m.params[i];
    x.paramBad.push_back(!declaredType(x, pd.unit, pd.dims, P));
    Scope s;
    s.constOnly = true;
    s.constWhat = "a param's value";
    if (x.paramBad.back()) {
      P.values.assign(std::max<size_t>(1, x.m.sliceCount(P.dims)), 0);
    } else if (pd.value) {
      auto v = t.constValue(*pd.value, P.unit, P.name, s);
      P.values.assign(std::max<size_t>(1, x.m.sliceCount(P.dims)), v.value_or(0));
      if (!P.dims.empty() && x.m.sliceCount(P.dims) == 0) P.keyedDefault = v;
    } else if (pd.map) {
      sliceMapParam(x, t, pd, P, s);
    }
    if (pd.dist && !x.paramBad.back()) {
      if (!P.sliceDists.empty() || !P.keyedDists.empty()) {
        x.d.report(DiagCode::InvalidExpr, pd.dist->range,
                   fmt::format("param '{}' has distributions on its slices and one for the whole param", P.name))
            .note("keep one: `~` after each slice's value, or one `~` after the map");
      } else {
        P.dist = distribution(x, t, *pd.dist, P, s);
        if (P.dist && !P.dims.empty()) P.sliceDists.assign(P.values.size(), P.dist);
      }
    }
    Props ps = readProps(x, pd.props, PropOwner::Param);
    if (auto* v = ps.get(PropId::Param_description)) P.doc = v->text;
  }
}

void checkFunctions(Ctx& x) {
  // Bodies are checked where they are called (their types depend on the
  // arguments); an unused function's names are still resolved here.
  for (auto& [name, fn] : x.functions) {
    std::set<std::string> seen;
    for (auto& p : fn->params) {
      if (!seen.insert(p.name).second) x.d.report(DiagCode::Duplicate, p.range, fmt::format("parameter '{}' is listed twice", p.name));
      x.occur(p.range, SymKind::FunctionParam, name + "." + p.name, p.range, true);
    }
    if (fn->body) checkNames(x, *fn->body, *fn);
  }
}

}  // namespace mtc::check
