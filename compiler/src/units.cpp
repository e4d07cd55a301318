#include "mtc/units.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <set>

namespace mtc {

namespace {
// ISO 4217 active alphabetic codes (plus a few widely used ones).
const char* const kCurrencies[] = {
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN",
    "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF",
    "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB",
    "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG",
    "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF",
    "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA",
    "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO",
    "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD",
    "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN",
    "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX",
    "USD", "UYU", "UZS", "VES", "VND", "VUV", "WST", "XAF", "XCD", "XOF", "XPF", "YER", "ZAR", "ZMW",
    "ZWL", "BTC"};
}  // namespace

bool isCurrencyCode(const std::string& code) {
  for (const char* c : kCurrencies) if (code == c) return true;
  return false;
}

bool Unit::intensive() const {
  if (powers_.empty()) return true;
  for (auto& [id, p] : powers_) if (p < 0) return true;
  return false;
}

Unit Unit::operator*(const Unit& o) const {
  Unit r;
  r.scale_ = scale_ * o.scale_;
  size_t i = 0, j = 0;
  while (i < powers_.size() || j < o.powers_.size()) {
    if (j == o.powers_.size() || (i < powers_.size() && powers_[i].first < o.powers_[j].first)) {
      r.powers_.push_back(powers_[i++]);
    } else if (i == powers_.size() || o.powers_[j].first < powers_[i].first) {
      r.powers_.push_back(o.powers_[j++]);
    } else {
      int p = powers_[i].second + o.powers_[j].second;
      if (p != 0) r.powers_.push_back({powers_[i].first, p});
      ++i, ++j;
    }
  }
  return r;
}

Unit Unit::pow(int n) const {
  Unit r;
  r.scale_ = std::pow(scale_, n);
  if (n == 0) return r;
  for (auto& [id, p] : powers_) r.powers_.push_back({id, p * n});
  return r;
}

Unit Unit::operator/(const Unit& o) const { return *this * o.pow(-1); }

std::optional<Unit> Unit::sqrt() const {
  Unit r;
  r.scale_ = std::sqrt(scale_);
  for (auto& [id, p] : powers_) {
    if (p % 2 != 0) return std::nullopt;
    r.powers_.push_back({id, p / 2});
  }
  return r;
}

BaseUnitId UnitTable::addBase(const std::string& name, UnitKind kind) {
  BaseUnitId id = static_cast<BaseUnitId>(baseNames_.size());
  baseNames_.push_back(name);
  baseKinds_.push_back(kind);
  named_[name] = Unit::base(id);
  namedOrder_.push_back(name);
  return id;
}

UnitTable::UnitTable() {
  named_["ratio"] = Unit();
  namedOrder_.push_back("ratio");
  addBase("count", UnitKind::Count);
  BaseUnitId day = addBase("day", UnitKind::Time);
  BaseUnitId month = addBase("month", UnitKind::Time);
  auto alias = [&](const std::string& n, Unit u) { named_[n] = u; namedOrder_.push_back(n); };
  alias("week", Unit::base(day).scaled(7));
  alias("quarter", Unit::base(month).scaled(3));
  alias("year", Unit::base(month).scaled(12));
  alias("days", Unit::base(day));
  alias("weeks", Unit::base(day).scaled(7));
  alias("months", Unit::base(month));
  alias("quarters", Unit::base(month).scaled(3));
  alias("years", Unit::base(month).scaled(12));
  for (const char* c : kCurrencies) addBase(c, UnitKind::Currency);
  for (auto& [n, u] : named_) builtin_[n] = true;
}

std::optional<Unit> UnitTable::declareBase(const std::string& name) {
  if (named_.count(name)) return std::nullopt;
  return Unit::base(addBase(name, UnitKind::User));
}

bool UnitTable::declareScaled(const std::string& name, double factor, const Unit& of) {
  if (named_.count(name)) return false;
  named_[name] = of.scaled(factor);
  namedOrder_.push_back(name);
  return true;
}

std::optional<Unit> UnitTable::lookup(const std::string& name) const {
  auto it = named_.find(name);
  if (it == named_.end()) return std::nullopt;
  return it->second;
}

bool UnitTable::isBuiltin(const std::string& name) const { return builtin_.count(name) > 0; }
bool UnitTable::isCurrency(const std::string& name) const {
  auto u = lookup(name);
  return u && u->powers().size() == 1 && u->powers()[0].second == 1 &&
         baseKinds_[u->powers()[0].first] == UnitKind::Currency;
}

UnitKind UnitTable::kindOf(const Unit& u) const {
  if (u.dimensionless()) return UnitKind::Ratio;
  if (u.powers().size() == 1 && u.powers()[0].second == 1) return baseKinds_[u.powers()[0].first];
  return UnitKind::User;
}

std::vector<std::string> UnitTable::names() const {
  std::vector<std::string> v;
  for (auto& [n, u] : named_) v.push_back(n);
  return v;
}

std::string UnitTable::format(const Unit& u) const {
  // Prefer a declared or built-in name that matches exactly (singular first).
  for (const std::string& n : namedOrder_) {
    if (n.size() > 1 && n.back() == 's' && (n == "days" || n == "weeks" || n == "months" || n == "quarters" || n == "years"))
      continue;
    if (named_.at(n) == u) return n;
  }
  std::vector<std::string> num, den;
  for (auto& [id, p] : u.powers()) {
    const std::string& name = baseNames_[id];
    int a = std::abs(p);
    std::string s = a == 1 ? name : fmt::format("{}^{}", name, a);
    (p > 0 ? num : den).push_back(s);
  }
  std::string out = num.empty() ? (den.empty() ? "ratio" : "1") : fmt::format("{}", fmt::join(num, "*"));
  if (!den.empty()) {
    if (den.size() == 1) out += "/" + den[0];
    else out += fmt::format("/({})", fmt::join(den, "*"));
  }
  if (u.scale() != 1.0) out = fmt::format("{} {}", u.scale(), out);
  return out;
}

}  // namespace mtc
