// Helpers every pass uses: periods, durations, units, names and their lookups.
#include <algorithm>

#include "checker.h"

namespace mtc::check {

std::string aKind(SymKind k) {
  std::string n = symKindName(k);
  return (n[0] == 'a' || n[0] == 'e' || n[0] == 'i' || n[0] == 'o' ? "an " : "a ") + n;
}

std::string joinNames(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

std::optional<Period> period(Ctx& x, const ast::PeriodLit& p) {
  if (p.text.empty()) return std::nullopt;  // a syntax error was reported
  if (p.spaced) {
    x.d.report(DiagCode::InvalidPeriod, p.range, "a period is written as one word, without spaces")
        .note("write it like 2025-07, 2025-Q3, 2025-W31 or 2025-07-30");
    return std::nullopt;
  }
  std::string why;
  auto r = parsePeriod(p.text, &why);
  if (!r) x.d.report(DiagCode::InvalidPeriod, p.range, fmt::format("invalid period '{}': {}", p.text, why));
  return r;
}

std::optional<Period> periodText(Ctx& x, const std::string& text, Range r) {
  ast::PeriodLit p;
  p.text = text;
  p.range = r;
  for (char ch : text)
    if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') p.spaced = true;
  if (p.spaced)
    p.text.erase(std::remove_if(p.text.begin(), p.text.end(), [](char ch) { return std::isspace(static_cast<unsigned char>(ch)); }),
                 p.text.end());
  return period(x, p);
}

std::optional<int64_t> duration(Ctx& x, const ast::DurationLit& du, bool calendar) {
  auto g = grainFromName(du.unit.name);
  if (!g) {
    x.d.report(DiagCode::InvalidDuration, du.unit.range, fmt::format("unknown time unit '{}'", du.unit.name))
        .note("durations use day(s), week(s), month(s), quarter(s) or year(s)");
    return std::nullopt;
  }
  auto n = durationInGrain(du.count, *g, x.m.grain);
  if (n) return n;
  bool fits = durationFits(du.count, *g, x.m.grain);
  if (fits && calendar) return 0;  // calendar-dependent (months at day grain)
  auto& rep = x.d.report(DiagCode::InvalidDuration, du.range,
                         fmt::format("{} {} is not a whole number of {}s (the model's grain)", du.count, du.unit.name,
                                     grainName(x.m.grain)));
  if (fits) rep.note(fmt::format("the number of {}s in {} {} depends on the calendar; write it in {}s", grainName(x.m.grain),
                                 du.count, du.unit.name, grainName(x.m.grain)));
  return std::nullopt;
}

std::optional<Unit> unit(Ctx& x, const ast::UnitExpr& ue) {
  Unit u;
  bool ok = true;
  for (auto& t : ue.terms) {
    auto b = x.m.units.lookup(t.name);
    if (!b && x.brokenNames.count(t.name)) {
      ok = false;
      continue;
    }
    if (!b) {
      auto& rep = x.d.report(DiagCode::UnknownUnit, t.range, fmt::format("unknown unit '{}'", t.name));
      std::string s = closestMatch(t.name, x.m.units.names());
      if (!s.empty()) rep.note(fmt::format("did you mean '{}'?", s));
      else rep.note(fmt::format("declare it with `unit {}`", t.name));
      ok = false;
      continue;
    }
    auto it = x.unitDecls.find(t.name);
    x.occur(t.range, SymKind::Unit, t.name, it != x.unitDecls.end() ? it->second : Range{});
    u = u * b->pow(t.power);
  }
  if (!ok) return std::nullopt;
  return u;
}

void unknownName(Ctx& x, Range r, const std::string& name, const std::vector<std::string>& candidates, const char* what) {
  if (x.brokenNames.count(name)) return;  // its declaration has a syntax error, reported already
  auto& rep = x.d.report(DiagCode::UnknownName, r, fmt::format("unknown {} '{}'", what, name));
  std::string s = closestMatch(name, candidates);
  if (!s.empty()) rep.note(fmt::format("did you mean '{}'?", s));
}

std::optional<Id> dimByName(Ctx& x, const ast::Ident& id) {
  auto it = x.dimIds.find(id.name);
  if (it == x.dimIds.end()) {
    unknownName(x, id.range, id.name, keysOf(x.dimIds), "dimension");
    return std::nullopt;
  }
  x.occur(id.range, SymKind::Dimension, id.name, x.m.dims[it->second].range);
  return it->second;
}

std::vector<Id> dimList(Ctx& x, const std::vector<ast::Ident>& ids, bool* ok) {
  std::vector<Id> out;
  for (auto& i : ids) {
    auto d = dimByName(x, i);
    if (!d) {
      if (ok) *ok = false;
      continue;
    }
    if (std::find(out.begin(), out.end(), *d) != out.end()) {
      x.d.report(DiagCode::Duplicate, i.range, fmt::format("dimension '{}' is listed twice", i.name));
      continue;
    }
    out.push_back(*d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string dimsText(const Ctx& x, const std::vector<Id>& ds) {
  if (ds.empty()) return "no dimensions";
  return dimNames(x.m, ds);
}

std::optional<uint32_t> dimValue(Ctx& x, Id dim, const ast::Ident& v) {
  Dimension& D = x.m.dims[dim];
  if (x.dimIndex.size() < x.m.dims.size()) x.dimIndex.resize(x.m.dims.size()), x.dimIndexFor.resize(x.m.dims.size(), 0);
  auto& index = x.dimIndex[dim];
  if (index.empty() || x.dimIndexFor[dim] != D.values.size()) {  // built on first use, again if the values changed
    index.clear();
    for (size_t k = 0; k < D.values.size(); ++k) index.emplace(D.values[k], static_cast<int>(k));
    x.dimIndexFor[dim] = D.values.size();
  }
  auto found = index.find(v.name);
  int i = found == index.end() ? -1 : found->second;
  if (i < 0 && D.fromSource) {
    D.values.push_back(v.name);
    D.valueTitles.emplace_back();
    i = static_cast<int>(D.values.size()) - 1;
    index.emplace(v.name, i);
    x.dimIndexFor[dim] = D.values.size();
  }
  if (i < 0) {
    auto& rep = x.d.report(DiagCode::UnknownDimValue, v.range,
                           fmt::format("'{}' is not a value of dimension '{}'", v.name, D.name));
    std::string s = closestMatch(v.name, D.values);
    if (!s.empty()) rep.note(fmt::format("did you mean '{}'?", s));
    rep.note(D.range, fmt::format("'{}' has the values {}", D.name, joinNames(D.values)));
    return std::nullopt;
  }
  x.occur(v.range, SymKind::DimValue, D.name + "." + v.name, D.range);
  return static_cast<uint32_t>(i);
}

std::optional<Ref> refByName(Ctx& x, const ast::Ident& id, const char* what) {
  auto it = x.values.find(id.name);
  if (it == x.values.end()) {
    unknownName(x, id.range, id.name, keysOf(x.values), "metric or param");
    return std::nullopt;
  }
  if (it->second.kind == SymKind::Function) {
    x.d.report(DiagCode::WrongKind, id.range, fmt::format("'{}' is a function; {} takes a metric or a param", id.name, what))
        .note(it->second.declRange, "declared here");
    return std::nullopt;
  }
  x.occur(id.range, it->second.kind, id.name, it->second.declRange);
  return Ref{it->second.kind == SymKind::Metric ? Ref::Kind::Metric : Ref::Kind::Param, it->second.id};
}

std::optional<Id> metricByName(Ctx& x, const ast::Ident& id, const char* where) {
  auto it = x.values.find(id.name);
  if (it == x.values.end()) {
    std::vector<std::string> metricNames;
    for (auto& M : x.m.metrics) metricNames.push_back(M.name);
    unknownName(x, id.range, id.name, metricNames, "metric");
    return std::nullopt;
  }
  if (it->second.kind != SymKind::Metric) {
    x.d.report(DiagCode::WrongKind, id.range, fmt::format("{} takes a metric, but '{}' is {}", where, id.name, aKind(it->second.kind)))
        .note(it->second.declRange, "declared here");
    return std::nullopt;
  }
  x.occur(id.range, SymKind::Metric, id.name, it->second.declRange);
  return it->second.id;
}

std::optional<Id> goalByName(Ctx& x, const ast::Ident& id, const char* where) {
  auto it = x.items.find(id.name);
  if (it == x.items.end() || it->second.kind != SymKind::Goal) {
    if (it != x.items.end() || x.values.count(id.name)) {
      Range decl = it != x.items.end() ? it->second.declRange : x.values[id.name].declRange;
      SymKind k = it != x.items.end() ? it->second.kind : x.values[id.name].kind;
      x.d.report(DiagCode::WrongKind, id.range, fmt::format("{} takes a goal, but '{}' is {}", where, id.name, aKind(k)))
          .note(decl, "declared here");
      return std::nullopt;
    }
    std::vector<std::string> goals;
    for (auto& [k, s] : x.items)
      if (s.kind == SymKind::Goal) goals.push_back(k);
    unknownName(x, id.range, id.name, goals, "goal");
    return std::nullopt;
  }
  x.occur(id.range, SymKind::Goal, id.name, it->second.declRange);
  if (it->second.id == kNone) return std::nullopt;  // the goal itself had errors
  return it->second.id;
}

std::set<Id> upstream(const Model& m, const std::vector<Id>& direct) {
  std::set<Id> seen;
  std::vector<Id> stack(direct.begin(), direct.end());
  while (!stack.empty()) {
    Id v = stack.back();
    stack.pop_back();
    if (!seen.insert(v).second) continue;
    for (Id w : m.metrics[v].metricDeps) stack.push_back(w);
  }
  return seen;
}

std::set<Id> upstreamParams(const Model& m, const std::set<Id>& metrics, const std::vector<Id>& directParams) {
  std::set<Id> ps(directParams.begin(), directParams.end());
  for (Id v : metrics) ps.insert(m.metrics[v].paramDeps.begin(), m.metrics[v].paramDeps.end());
  return ps;
}

std::string sliceName(const Ctx& x, const std::vector<Id>& dims, size_t flat) { return sliceKey(x.m, dims, flat); }

}  // namespace mtc::check
