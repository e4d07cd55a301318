// Periods at the five grains and the calendar arithmetic between them.
//
// A period is a grain and an ordinal: days since 1970-01-01, ISO weeks numbered
// so that week 0 is the one containing 1970-01-01 (a Thursday), months and
// quarters counted from year 0, years as themselves. A week belongs to the
// month, quarter and year of its Thursday (ISO 8601).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mtc {

enum class Grain : uint8_t { Day = 0, Week = 1, Month = 2, Quarter = 3, Year = 4 };

const char* grainName(Grain g);
std::optional<Grain> grainFromName(std::string_view name);  // day, days, week, ...
// g is coarser than (or equal to) h: every period of h lies in one period of g.
bool coarserOrEqual(Grain g, Grain h);

struct Period {
  Grain grain = Grain::Month;
  int64_t ord = 0;
  friend bool operator==(const Period&, const Period&) = default;
  friend auto operator<=>(const Period&, const Period&) = default;
};

// Parses `2025`, `2025-07`, `2025-Q3`, `2025-W31`, `2025-07-30`. On failure
// returns nullopt and, if error is not null, says why without repeating the
// text (callers write "invalid period '2025-13': months are 01 to 12").
std::optional<Period> parsePeriod(std::string_view text, std::string* error = nullptr);
std::string formatPeriod(const Period& p);

// Civil date helpers.
int64_t daysFromCivil(int64_t y, unsigned m, unsigned d);
void civilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d);

// The period of grain g that contains p (g coarser than p's grain, or equal).
Period containing(const Period& p, Grain g);
// First and last period of grain g (finer than p's grain) within p.
Period firstWithin(const Period& p, Grain g);
Period lastWithin(const Period& p, Grain g);
// Converts p to grain g: the containing period if g is coarser, else the first
// period within p.
Period toGrain(const Period& p, Grain g);

// The year a period belongs to (for a week: the ISO year of its Thursday).
int64_t yearOf(const Period& p);
// The position of a period within its year, 0-based (month 0..11, quarter 0..3,
// week 0..52, day 0..365).
int64_t indexInYear(const Period& p);
// The same period one year earlier (2025-03 -> 2024-03; 2025-W53 -> 2024-W52
// when 2024 has no week 53; 2024-02-29 -> 2023-02-28).
Period sameLastYear(const Period& p);
// Periods of grain g in one year (12, 4, 1, 52 or 53 weeks, 365 or 366 days)
// for the year containing p.
int64_t periodsPerYear(Grain g);

// A duration of `count` units expressed in periods of `grain`, when that is a
// whole number. Month, quarter and year durations at day grain depend on the
// start date: `start` must then be given (a day period).
std::optional<int64_t> durationInGrain(int64_t count, Grain unit, Grain grain,
                                       std::optional<Period> start = std::nullopt);
// Whether a duration of `count` units can be expressed at `grain` at all.
bool durationFits(int64_t count, Grain unit, Grain grain);

}  // namespace mtc
