// Periods and calendar arithmetic; expected values from the ISO 8601 calendar.
#include <catch2/catch.hpp>

#include "mtc/calendar.h"

using namespace mtc;

static Period P(const char* s) {
  auto p = parsePeriod(s);
  REQUIRE(p.has_value());
  return *p;
}

TEST_CASE("periods parse at every grain and format back") {
  for (const char* s : {"2025", "2025-Q3", "2025-07", "2025-W31", "2025-07-30", "2020-W53", "2024-02-29"})
    CHECK(formatPeriod(P(s)) == s);
  CHECK(P("2025-07").grain == Grain::Month);
  CHECK(P("2025-W31").grain == Grain::Week);
  CHECK(P("2025-07-30").grain == Grain::Day);
}

TEST_CASE("invalid periods say why") {
  std::string why;
  CHECK_FALSE(parsePeriod("2025-13", &why));
  CHECK(why.find("months are 01 to 12") != std::string::npos);
  CHECK_FALSE(parsePeriod("2025-Q5", &why));
  CHECK_FALSE(parsePeriod("2025-02-29", &why));  // 2025 is not a leap year
  CHECK_FALSE(parsePeriod("2025-W53", &why));    // 2025 has 52 ISO weeks
  CHECK(parsePeriod("2026-W53").has_value());    // 2026 starts on a Thursday: 53 weeks
  CHECK_FALSE(parsePeriod("2025-7", &why));
}

TEST_CASE("a week belongs to the month, quarter and year of its Thursday") {
  // 2025-W31 runs Mon 2025-07-28 .. Sun 2025-08-03; its Thursday is 2025-07-31.
  CHECK(formatPeriod(firstWithin(P("2025-W31"), Grain::Day)) == "2025-07-28");
  CHECK(formatPeriod(containing(P("2025-W31"), Grain::Month)) == "2025-07");
  // 2024-12-30 (a Monday) starts ISO week 2025-W01, whose Thursday is 2025-01-02.
  CHECK(formatPeriod(containing(P("2024-12-30"), Grain::Week)) == "2025-W01");
  CHECK(formatPeriod(containing(P("2025-W01"), Grain::Year)) == "2025");
  CHECK(yearOf(P("2025-W01")) == 2025);
}

TEST_CASE("coarser and finer periods") {
  CHECK(formatPeriod(containing(P("2025-08"), Grain::Quarter)) == "2025-Q3");
  CHECK(formatPeriod(firstWithin(P("2025-Q3"), Grain::Month)) == "2025-07");
  CHECK(formatPeriod(lastWithin(P("2025-Q3"), Grain::Month)) == "2025-09");
  CHECK(formatPeriod(lastWithin(P("2024-02"), Grain::Day)) == "2024-02-29");
  CHECK(formatPeriod(toGrain(P("2025"), Grain::Month)) == "2025-01");
  CHECK(indexInYear(P("2025-07")) == 6);
  CHECK(indexInYear(P("2025-Q4")) == 3);
}

TEST_CASE("the same period one year earlier") {
  CHECK(formatPeriod(sameLastYear(P("2025-03"))) == "2024-03");
  CHECK(formatPeriod(sameLastYear(P("2025-Q1"))) == "2024-Q1");
  CHECK(formatPeriod(sameLastYear(P("2024-02-29"))) == "2023-02-28");
  CHECK(formatPeriod(sameLastYear(P("2021-W01"))) == "2020-W01");
  CHECK(formatPeriod(sameLastYear(P("2026-W53"))) == "2025-W52");  // 2025 has no week 53
}

TEST_CASE("durations in grain periods") {
  CHECK(durationInGrain(3, Grain::Month, Grain::Month) == 3);
  CHECK(durationInGrain(1, Grain::Year, Grain::Month) == 12);
  CHECK(durationInGrain(2, Grain::Quarter, Grain::Month) == 6);
  CHECK(durationInGrain(12, Grain::Week, Grain::Day) == 84);
  CHECK_FALSE(durationInGrain(1, Grain::Month, Grain::Quarter).has_value());  // a third of a quarter
  CHECK_FALSE(durationInGrain(3, Grain::Day, Grain::Week).has_value());
  CHECK(durationInGrain(6, Grain::Month, Grain::Quarter) == 2);
}
