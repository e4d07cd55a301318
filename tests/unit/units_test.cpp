// The unit algebra: products, quotients, powers, scales, formatting.
#include <catch2/catch.hpp>

#include "mtc/units.h"

using namespace mtc;

TEST_CASE("USD/patient * patient = USD") {
  UnitTable t;
  Unit patient = *t.declareBase("patient");
  Unit usd = *t.lookup("USD");
  Unit price = usd / patient;
  CHECK(price * patient == usd);
  CHECK(t.format(price) == "USD/patient");
  CHECK(t.format(price * patient) == "USD");
  CHECK(price.intensive());
  CHECK_FALSE(usd.intensive());
}

TEST_CASE("ratios are dimensionless and intensive") {
  UnitTable t;
  Unit lead = *t.declareBase("lead");
  Unit r = lead / lead;
  CHECK(r.isRatio());
  CHECK(r == *t.lookup("ratio"));
  CHECK(t.format(r) == "ratio");
  CHECK(r.intensive());
}

TEST_CASE("scaled units keep their dimension") {
  UnitTable t;
  Unit usd = *t.lookup("USD");
  REQUIRE(t.declareScaled("kUSD", 1000, usd));
  Unit k = *t.lookup("kUSD");
  CHECK(k.sameDimension(usd));
  CHECK(k != usd);
  CHECK(k.scale() == 1000);
  CHECK(t.format(k) == "kUSD");
  CHECK(t.format(usd.scaled(1000)) == "kUSD");
  CHECK(t.format(usd.scaled(5)) == "5 USD");
}

TEST_CASE("time units: week = 7 days, quarter = 3 months, year = 12 months") {
  UnitTable t;
  CHECK(t.lookup("week")->scale() == 7);
  CHECK(t.lookup("week")->sameDimension(*t.lookup("day")));
  CHECK(t.lookup("quarter")->scale() == 3);
  CHECK(t.lookup("years")->scale() == 12);
  CHECK_FALSE(t.lookup("day")->sameDimension(*t.lookup("month")));
}

TEST_CASE("powers, square roots and compound denominators") {
  UnitTable t;
  Unit patient = *t.declareBase("patient");
  Unit usd = *t.lookup("USD");
  Unit month = *t.lookup("month");
  CHECK(t.format(usd / (patient * month)) == "USD/(month*patient)");
  CHECK(t.format(usd.pow(2)) == "USD^2");
  CHECK(*usd.pow(2).sqrt() == usd);
  CHECK_FALSE(usd.sqrt().has_value());
  CHECK(t.format(Unit{} / month) == "1/month");
}

TEST_CASE("currencies and name clashes") {
  UnitTable t;
  CHECK(t.isCurrency("EUR"));
  CHECK(t.isCurrency("USD"));
  CHECK_FALSE(t.isCurrency("month"));
  CHECK_FALSE(t.declareBase("USD").has_value());
  CHECK(t.declareBase("widget").has_value());
  CHECK_FALSE(t.declareBase("widget").has_value());
  CHECK(isCurrencyCode("JPY"));
  CHECK_FALSE(isCurrencyCode("XYZ"));
}
