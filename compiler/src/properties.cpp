// The table of properties (properties.def) and the queries derived from it.
#include "mtc/properties.h"

#include <fmt/format.h>

#include <cmath>

namespace mtc {

const std::vector<PropertyInfo>& properties() {
  static const std::vector<PropertyInfo> table = {
#define PROPERTY(owner, name, type, lo, hi, choices, doc) \
  {PropId::owner##_##name, PropOwner::owner, #name, PropType::type, static_cast<double>(lo), static_cast<double>(hi), choices, doc},
#include "mtc/properties.def"
#undef PROPERTY
  };
  return table;
}

const PropertyInfo& propertyInfo(PropId id) { return properties()[static_cast<size_t>(id)]; }

const PropertyInfo* findProperty(PropOwner owner, std::string_view name) {
  for (const PropertyInfo& p : properties())
    if (p.owner == owner && p.name == name) return &p;
  return nullptr;
}

std::vector<std::string> propertyNames(PropOwner owner) {
  std::vector<std::string> v;
  for (const PropertyInfo& p : properties())
    if (p.owner == owner) v.emplace_back(p.name);
  return v;
}

std::vector<std::string> choicesOf(PropId id) {
  std::vector<std::string> v;
  std::string_view s = propertyInfo(id).choices;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = s.find(' ', i);
    if (j == std::string_view::npos) j = s.size();
    if (j > i) v.emplace_back(s.substr(i, j - i));
    i = j + 1;
  }
  return v;
}

const char* choiceName(PropId id, size_t k) {
  static const std::vector<std::vector<std::string>> words = [] {
    std::vector<std::vector<std::string>> w;
    for (const PropertyInfo& p : properties()) w.push_back(choicesOf(p.id));
    return w;
  }();
  const auto& v = words[static_cast<size_t>(id)];
  return k < v.size() ? v[k].c_str() : "?";
}

std::string_view propOwnerKeyword(PropOwner o) {
  switch (o) {
    case PropOwner::Model: return "model";
    case PropOwner::Stage: return "stage";
    case PropOwner::Source: return "source";
    case PropOwner::Param: return "param";
    case PropOwner::Metric: return "metric";
    case PropOwner::Relation: return "relation";
    case PropOwner::Constraint: return "constraint";
    case PropOwner::Event: return "event";
    case PropOwner::Goal: return "goal";
    case PropOwner::Describe: return "describe";
    case PropOwner::Diagnose: return "diagnose";
    case PropOwner::Forecast: return "forecast";
    case PropOwner::Simulate: return "simulate";
    case PropOwner::Seek: return "seek";
    case PropOwner::Recommend: return "recommend";
    case PropOwner::Optimize: return "optimize";
  }
  return "?";
}

std::string propOwnerText(PropOwner o) {
  switch (o) {
    case PropOwner::Model: return "the model";
    case PropOwner::Stage: return "a stage";
    case PropOwner::Source: return "a source";
    case PropOwner::Param: return "a param";
    case PropOwner::Metric: return "a metric";
    case PropOwner::Relation: return "a relation";
    case PropOwner::Constraint: return "a constraint";
    case PropOwner::Event: return "an event";
    case PropOwner::Goal: return "a goal";
    case PropOwner::Describe: case PropOwner::Diagnose: case PropOwner::Forecast: case PropOwner::Simulate:
    case PropOwner::Seek: case PropOwner::Recommend: case PropOwner::Optimize:
      return fmt::format("`{}`", propOwnerKeyword(o));
  }
  return "?";
}

namespace {
std::string bound(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e16) {
    std::string s = fmt::format("{:.0f}", v), out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (i && (s.size() - i) % 3 == 0 && s[i - 1] != '-') out += ',';
      out += s[i];
    }
    return out;
  }
  return fmt::format("{}", v);
}
}  // namespace

std::string propertyExpects(const PropertyInfo& p) {
  switch (p.type) {
    case PropType::Word: return "a name";
    case PropType::Words: return "a list of names";
    case PropType::String: return "a string";
    case PropType::Strings: return "a list of strings";
    case PropType::Whole: return fmt::format("a whole number from {} to {}", bound(p.lo), bound(p.hi));
    case PropType::Fraction: return fmt::format("a number from {} to {} (like 90% or 0.9)", bound(p.lo), bound(p.hi));
    case PropType::Period: return "a period (like 2025-07)";
    case PropType::Grain: return "a grain: day, week, month, quarter or year";
    case PropType::Duration: return "a duration (like 1 month)";
    case PropType::Column: return "source.column";
    case PropType::Choice: {
      std::string s;
      for (auto& c : choicesOf(p.id)) s += (s.empty() ? "" : ", ") + c;
      return "one of " + s;
    }
    case PropType::Roles: return "a list of roles";
    case PropType::Classes: return "a list of classes";
    case PropType::Expr: return "an expression";
  }
  return "?";
}

}  // namespace mtc
