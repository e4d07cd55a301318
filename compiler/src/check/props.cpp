// Property blocks, read against the properties table (properties.def): one
// place validates every property's type, range and choices.
#include <cmath>

#include "checker.h"

namespace mtc::check {

void duplicateKeys(Ctx& x, const ast::PropBlock& props) {
  std::map<std::string, Range> seen;
  for (auto& pe : props.entries) {
    if (pe.key.name.empty()) continue;
    auto [it, fresh] = seen.emplace(pe.key.name, pe.key.range);
    if (!fresh)
      x.d.report(DiagCode::Duplicate, pe.key.range, fmt::format("property '{}' is given twice", pe.key.name))
          .note(it->second, "first given here");
  }
}

namespace {

void unknownProperty(Ctx& x, const ast::Ident& key, PropOwner owner) {
  std::vector<std::string> known = propertyNames(owner);
  auto& rep = x.d.report(DiagCode::InvalidProperty, key.range,
                         fmt::format("unknown property '{}' for {}", key.name, propOwnerText(owner)));
  std::string s = closestMatch(key.name, known);
  if (!s.empty()) rep.note(fmt::format("did you mean '{}'?", s));
  else if (known.empty()) rep.note(fmt::format("{} takes no properties", propOwnerText(owner)));
  else rep.note(fmt::format("known properties: {}", joinNames(known)));
}

// A value written as one word (`time: month`, `agg: sum`); a string is accepted too.
std::optional<std::string> word(Ctx& x, const ast::PropItem& it, const std::string& key) {
  if (it.expr && it.expr->kind == ast::ExprKind::Name && it.expr->path.size() == 1) return it.expr->path[0].name;
  if (it.expr && it.expr->kind == ast::ExprKind::String) return it.expr->text;
  x.d.report(DiagCode::InvalidProperty, it.range, fmt::format("'{}' takes a name here, not '{}'", key, it.text));
  return std::nullopt;
}

std::optional<std::string> string(Ctx& x, const ast::PropItem& it, const std::string& key) {
  if (it.expr && it.expr->kind == ast::ExprKind::String) return it.expr->text;
  x.d.report(DiagCode::InvalidProperty, it.range, fmt::format("'{}' takes a string, not '{}'", key, it.text));
  return std::nullopt;
}

// A word from a fixed list (an enum, a role, a class): its index.
std::optional<size_t> pick(Ctx& x, const ast::PropItem& it, const std::string& key, const std::vector<std::string>& choices) {
  auto w = word(x, it, key);
  if (!w) return std::nullopt;
  for (size_t i = 0; i < choices.size(); ++i)
    if (choices[i] == *w) return i;
  auto& rep = x.d.report(DiagCode::InvalidProperty, it.range, fmt::format("unknown {} '{}'", key, *w));
  std::string s = closestMatch(*w, choices);
  rep.note(!s.empty() ? fmt::format("did you mean '{}'?", s) : fmt::format("{} is one of {}", key, joinNames(choices)));
  return std::nullopt;
}

std::optional<Grain> grain(Ctx& x, const ast::PropItem& it) {
  // the singular names of LANGUAGE.md (`grain: month`); plurals are for durations
  auto g = grainFromName(it.text);
  if (g && it.text == grainName(*g)) return g;
  auto& rep = x.d.report(DiagCode::InvalidProperty, it.range, fmt::format("unknown grain '{}'", it.text));
  if (g) rep.note(fmt::format("did you mean '{}'? (a grain is singular; plurals are for durations)", grainName(*g)));
  else rep.note("the grain is one of day, week, month, quarter, year");
  return std::nullopt;
}

bool isList(PropType t) {
  return t == PropType::Words || t == PropType::Strings || t == PropType::Roles || t == PropType::Classes;
}

}  // namespace

Props readProps(Ctx& x, const ast::PropBlock& block, PropOwner owner) {
  Props out;
  for (const ast::PropEntry& pe : block.entries) {
    const std::string& k = pe.key.name;
    if (k.empty()) continue;
    out.written_.insert(k);
    const PropertyInfo* info = findProperty(owner, k);
    if (!info) {
      unknownProperty(x, pe.key, owner);
      continue;
    }
    if (pe.values.empty()) {
      x.d.report(DiagCode::InvalidProperty, pe.range, fmt::format("'{}' takes a value: {}", k, propertyExpects(*info)));
      continue;
    }
    if (!isList(info->type) && pe.values.size() != 1) {
      x.d.report(DiagCode::InvalidProperty, pe.range, fmt::format("'{}' takes one value", k));
      continue;
    }
    PropValue v;
    v.info = info;
    v.entry = &pe;
    v.range = Range::span(pe.values.front().range, pe.values.back().range);
    const ast::PropItem& it = pe.values[0];
    bool ok = true;
    auto number = [&]() -> bool {
      // numbers as written: 1_000, 90%, 0.9
      if (!it.expr || it.expr->kind != ast::ExprKind::Number) {
        x.d.report(DiagCode::InvalidProperty, it.range, fmt::format("'{}' takes {}, not '{}'", k, propertyExpects(*info), it.text));
        return false;
      }
      double n = it.expr->number;
      bool whole = info->type == PropType::Whole;
      if (!std::isfinite(n) || n < info->lo || n > info->hi || (whole && n != std::floor(n))) {
        x.d.report(DiagCode::InvalidProperty, it.range, fmt::format("'{}' must be {}, not {}", k, propertyExpects(*info), it.text));
        return false;
      }
      v.number = n;
      return true;
    };
    switch (info->type) {
      case PropType::Word: {
        auto w = word(x, it, k);
        ok = w.has_value();
        if (ok) v.text = *w;
        break;
      }
      case PropType::Words:
        for (auto& item : pe.values)
          if (auto w = word(x, item, k)) v.words.push_back({*w, item.range});
        break;
      case PropType::String: {
        auto s = string(x, it, k);
        ok = s.has_value();
        if (ok) v.text = *s;
        break;
      }
      case PropType::Strings:
        for (auto& item : pe.values)
          if (auto s = string(x, item, k)) v.words.push_back({*s, item.range});
        break;
      case PropType::Whole:
      case PropType::Fraction: ok = number(); break;
      case PropType::Period: {
        auto p = periodText(x, it.text, it.range);
        ok = p.has_value();
        if (ok) v.period = *p;
        break;
      }
      case PropType::Grain: {
        auto g = grain(x, it);
        ok = g.has_value();
        if (ok) v.grain = *g;
        break;
      }
      case PropType::Duration: {
        if (it.kind != ast::PropItem::Kind::Duration) {
          x.d.report(DiagCode::InvalidProperty, pe.range, fmt::format("write the {} as a duration, like `{}: 1 month`", k, k));
          ok = false;
          break;
        }
        auto n = duration(x, it.duration, false);
        ok = n.has_value();
        if (ok) v.periods = *n;
        break;
      }
      case PropType::Column: {
        if (!it.expr || it.expr->kind != ast::ExprKind::Name || it.expr->path.size() != 2) {
          x.d.report(DiagCode::InvalidProperty, pe.range, fmt::format("write `{}: source.column`", k));
          ok = false;
          break;
        }
        v.text = it.expr->path[0].name;
        v.textRange = it.expr->path[0].range;
        v.column = it.expr->path[1].name;
        break;
      }
      case PropType::Choice: {
        auto c = pick(x, it, k, choicesOf(info->id));
        ok = c.has_value();
        if (ok) v.choice = *c;
        break;
      }
      case PropType::Expr:  // lowered where it is used (PropValue::entry)
        ok = it.kind == ast::PropItem::Kind::Expr && it.expr != nullptr;
        if (!ok) x.d.report(DiagCode::InvalidProperty, it.range, fmt::format("'{}' takes an expression", k));
        break;
      case PropType::Roles:
      case PropType::Classes: {
        std::vector<std::string> names;
        std::vector<uint32_t> bits;
        if (info->type == PropType::Roles)
          for (auto& r : metricRoles()) names.push_back(r.name), bits.push_back(r.bit);
        else
          for (auto& c : metricClasses()) names.push_back(c.name), bits.push_back(c.bit);
        for (auto& item : pe.values)
          if (auto c = pick(x, item, k, names)) v.flags |= bits[*c];
        break;
      }
    }
    if (ok) out.values_[info->id] = std::move(v);
  }
  return out;
}

}  // namespace mtc::check
