// The unit algebra: a unit is a scale times a product of integer powers of base
// units. USD/patient * patient = USD; kUSD = 1000 USD; week = 7 day.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mtc {

using BaseUnitId = uint16_t;

class Unit {
 public:
  Unit() = default;  // dimensionless, scale 1: `ratio`
  static Unit base(BaseUnitId id) { Unit u; u.powers_.push_back({id, 1}); return u; }

  double scale() const { return scale_; }
  const std::vector<std::pair<BaseUnitId, int>>& powers() const { return powers_; }
  bool dimensionless() const { return powers_.empty(); }
  bool isRatio() const { return powers_.empty() && scale_ == 1.0; }
  // Same base powers, whatever the scale (kUSD and USD).
  bool sameDimension(const Unit& o) const { return powers_ == o.powers_; }
  // Intensive units (ratios, quotients, per-unit values) do not add up over slices
  // or periods; their default roll-up is the mean.
  bool intensive() const;

  Unit operator*(const Unit& o) const;
  Unit operator/(const Unit& o) const;
  Unit pow(int n) const;
  // The square root, when every power is even.
  std::optional<Unit> sqrt() const;
  Unit scaled(double f) const { Unit u = *this; u.scale_ *= f; return u; }

  friend bool operator==(const Unit& a, const Unit& b) { return a.scale_ == b.scale_ && a.powers_ == b.powers_; }
  friend bool operator!=(const Unit& a, const Unit& b) { return !(a == b); }

 private:
  double scale_ = 1.0;
  std::vector<std::pair<BaseUnitId, int>> powers_;  // sorted by id, no zero powers
};

enum class UnitKind { Ratio, Count, Currency, Time, User };

// The units known to a model: built-ins (ratio, count, ISO 4217 currency codes,
// day/week/month/quarter/year) and the model's own `unit` declarations.
class UnitTable {
 public:
  UnitTable();

  // Declares a new base unit; returns nullopt if the name is taken.
  std::optional<Unit> declareBase(const std::string& name);
  // Declares `name` = factor * of.
  bool declareScaled(const std::string& name, double factor, const Unit& of);

  std::optional<Unit> lookup(const std::string& name) const;
  bool isBuiltin(const std::string& name) const;
  bool isCurrency(const std::string& name) const;
  UnitKind kindOf(const Unit& u) const;
  std::vector<std::string> names() const;  // for did-you-mean

  // A readable name: a declared name when one matches exactly, else the base
  // form (`USD/patient`, `1/month`, `1000 USD`).
  std::string format(const Unit& u) const;

 private:
  std::vector<std::string> baseNames_;
  std::vector<UnitKind> baseKinds_;
  std::map<std::string, Unit> named_;
  std::vector<std::string> namedOrder_;  // declaration order, for format()
  std::map<std::string, bool> builtin_;
  BaseUnitId addBase(const std::string& name, UnitKind kind);
};

// True for the ISO 4217 alphabetic codes mtc knows.
bool isCurrencyCode(const std::string& code);

}  // namespace mtc
