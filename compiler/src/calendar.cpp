#include "mtc/calendar.h"

#include <cctype>
#include <fmt/format.h>

namespace mtc {

const char* grainName(Grain g) {
  switch (g) {
    case Grain::Day: return "day";
    case Grain::Week: return "week";
    case Grain::Month: return "month";
    case Grain::Quarter: return "quarter";
    case Grain::Year: return "year";
  }
  return "?";
}

std::optional<Grain> grainFromName(std::string_view n) {
  if (n == "day" || n == "days") return Grain::Day;
  if (n == "week" || n == "weeks") return Grain::Week;
  if (n == "month" || n == "months") return Grain::Month;
  if (n == "quarter" || n == "quarters") return Grain::Quarter;
  if (n == "year" || n == "years") return Grain::Year;
  return std::nullopt;
}

bool coarserOrEqual(Grain g, Grain h) {
  // A week belongs to the month of its Thursday, so the grains nest in this order.
  return static_cast<int>(g) >= static_cast<int>(h);
}

// Howard Hinnant's algorithms (public domain), proleptic Gregorian calendar.
int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

namespace {
int64_t floorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
int64_t weekOfDay(int64_t day) { return floorDiv(day + 3, 7); }
int64_t thursdayOf(int64_t week) { return week * 7; }
int64_t mondayOf(int64_t week) { return week * 7 - 3; }
bool leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
unsigned daysInMonth(int64_t y, unsigned m) {
  static const unsigned d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : d[m - 1];
}
int64_t firstWeekOfIsoYear(int64_t y) { return weekOfDay(daysFromCivil(y, 1, 4)); }
int64_t isoWeeksIn(int64_t y) { return weekOfDay(daysFromCivil(y, 12, 28)) - firstWeekOfIsoYear(y) + 1; }

bool allDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}
}  // namespace

std::optional<Period> parsePeriod(std::string_view t, std::string* error) {
  auto fail = [&](std::string msg) -> std::optional<Period> {
    if (error) *error = std::move(msg);
    return std::nullopt;
  };
  const std::string_view forms = "write 2025, 2025-07, 2025-Q3, 2025-W31 or 2025-07-30";
  if (t.size() < 4 || !allDigits(t.substr(0, 4)) || (t.size() > 4 && t[4] != '-'))
    return fail(std::string(forms));
  int64_t y = std::stoll(std::string(t.substr(0, 4)));
  if (t.size() == 4) return Period{Grain::Year, y};
  std::string_view rest = t.substr(5);
  if (!rest.empty() && (rest[0] == 'Q' || rest[0] == 'q')) {
    if (rest.size() != 2 || rest[1] < '1' || rest[1] > '4')
      return fail("quarters are Q1 to Q4");
    return Period{Grain::Quarter, y * 4 + (rest[1] - '1')};
  }
  if (!rest.empty() && (rest[0] == 'W' || rest[0] == 'w')) {
    if (rest.size() != 3 || !allDigits(rest.substr(1)))
      return fail("write the week with two digits, as 2025-W05");
    int64_t w = std::stoll(std::string(rest.substr(1)));
    if (w < 1 || w > isoWeeksIn(y))
      return fail(fmt::format("{} has {} ISO weeks", y, isoWeeksIn(y)));
    return Period{Grain::Week, firstWeekOfIsoYear(y) + w - 1};
  }
  if (rest.size() == 2 && allDigits(rest)) {
    int m = std::stoi(std::string(rest));
    if (m < 1 || m > 12) return fail("months are 01 to 12");
    return Period{Grain::Month, y * 12 + (m - 1)};
  }
  if (rest.size() == 5 && allDigits(rest.substr(0, 2)) && rest[2] == '-' && allDigits(rest.substr(3))) {
    unsigned m = static_cast<unsigned>(std::stoi(std::string(rest.substr(0, 2))));
    unsigned d = static_cast<unsigned>(std::stoi(std::string(rest.substr(3))));
    if (m < 1 || m > 12) return fail("months are 01 to 12");
    if (d < 1 || d > daysInMonth(y, m))
      return fail(fmt::format("{}-{:02} has {} days", y, m, daysInMonth(y, m)));
    return Period{Grain::Day, daysFromCivil(y, m, d)};
  }
  return fail(std::string(forms));
}

std::string formatPeriod(const Period& p) {
  switch (p.grain) {
    case Grain::Year: return fmt::format("{:04}", p.ord);
    case Grain::Quarter: return fmt::format("{:04}-Q{}", floorDiv(p.ord, 4), p.ord - floorDiv(p.ord, 4) * 4 + 1);
    case Grain::Month: return fmt::format("{:04}-{:02}", floorDiv(p.ord, 12), p.ord - floorDiv(p.ord, 12) * 12 + 1);
    case Grain::Week: {
      int64_t y = yearOf(p);
      return fmt::format("{:04}-W{:02}", y, p.ord - firstWeekOfIsoYear(y) + 1);
    }
    case Grain::Day: {
      int64_t y; unsigned m, d;
      civilFromDays(p.ord, y, m, d);
      return fmt::format("{:04}-{:02}-{:02}", y, m, d);
    }
  }
  return "?";
}

namespace {
// Month ordinal (y*12+m-1) of a day.
int64_t monthOfDay(int64_t day) {
  int64_t y; unsigned m, d;
  civilFromDays(day, y, m, d);
  return y * 12 + (m - 1);
}
}  // namespace

Period containing(const Period& p, Grain g) {
  if (p.grain == g) return p;
  switch (p.grain) {
    case Grain::Day:
      if (g == Grain::Week) return {g, weekOfDay(p.ord)};
      return containing(Period{Grain::Month, monthOfDay(p.ord)}, g);
    case Grain::Week:
      return containing(Period{Grain::Day, thursdayOf(p.ord)}, g == Grain::Day ? Grain::Month : g);
    case Grain::Month:
      if (g == Grain::Quarter) return {g, floorDiv(p.ord, 3)};
      if (g == Grain::Year) return {g, floorDiv(p.ord, 12)};
      break;
    case Grain::Quarter:
      if (g == Grain::Year) return {g, floorDiv(p.ord, 4)};
      break;
    case Grain::Year: break;
  }
  return toGrain(p, g);
}

Period firstWithin(const Period& p, Grain g) {
  if (p.grain == g) return p;
  switch (p.grain) {
    case Grain::Year:
      if (g == Grain::Quarter) return {g, p.ord * 4};
      if (g == Grain::Month) return {g, p.ord * 12};
      if (g == Grain::Week) return {g, firstWeekOfIsoYear(p.ord)};
      return {g, daysFromCivil(p.ord, 1, 1)};
    case Grain::Quarter:
      if (g == Grain::Month) return {g, p.ord * 3};
      return firstWithin(Period{Grain::Month, p.ord * 3}, g);
    case Grain::Month: {
      int64_t y = floorDiv(p.ord, 12);
      unsigned m = static_cast<unsigned>(p.ord - y * 12 + 1);
      int64_t first = daysFromCivil(y, m, 1);
      if (g == Grain::Day) return {g, first};
      // the first week whose Thursday is in this month
      int64_t w = weekOfDay(first);
      if (thursdayOf(w) < first) ++w;
      return {g, w};
    }
    case Grain::Week:
      if (g == Grain::Day) return {g, mondayOf(p.ord)};
      break;
    case Grain::Day: break;
  }
  return p;
}

Period lastWithin(const Period& p, Grain g) {
  if (p.grain == g) return p;
  switch (p.grain) {
    case Grain::Year:
      if (g == Grain::Quarter) return {g, p.ord * 4 + 3};
      if (g == Grain::Month) return {g, p.ord * 12 + 11};
      if (g == Grain::Week) return {g, firstWeekOfIsoYear(p.ord) + isoWeeksIn(p.ord) - 1};
      return {g, daysFromCivil(p.ord, 12, 31)};
    case Grain::Quarter:
      if (g == Grain::Month) return {g, p.ord * 3 + 2};
      return lastWithin(Period{Grain::Month, p.ord * 3 + 2}, g);
    case Grain::Month: {
      int64_t y = floorDiv(p.ord, 12);
      unsigned m = static_cast<unsigned>(p.ord - y * 12 + 1);
      int64_t last = daysFromCivil(y, m, daysInMonth(y, m));
      if (g == Grain::Day) return {g, last};
      int64_t w = weekOfDay(last);
      if (thursdayOf(w) > last) --w;
      return {g, w};
    }
    case Grain::Week:
      if (g == Grain::Day) return {g, mondayOf(p.ord) + 6};
      break;
    case Grain::Day: break;
  }
  return p;
}

Period toGrain(const Period& p, Grain g) {
  if (p.grain == g) return p;
  // Finer target: the first period inside p. Coarser target: the one containing p.
  bool finer = static_cast<int>(g) < static_cast<int>(p.grain);
  if (finer) return firstWithin(p, g);
  return containing(p, g);
}

int64_t yearOf(const Period& p) {
  switch (p.grain) {
    case Grain::Year: return p.ord;
    case Grain::Quarter: return floorDiv(p.ord, 4);
    case Grain::Month: return floorDiv(p.ord, 12);
    case Grain::Week: {
      int64_t y; unsigned m, d;
      civilFromDays(thursdayOf(p.ord), y, m, d);
      return y;
    }
    case Grain::Day: {
      int64_t y; unsigned m, d;
      civilFromDays(p.ord, y, m, d);
      return y;
    }
  }
  return 0;
}

int64_t indexInYear(const Period& p) {
  int64_t y = yearOf(p);
  switch (p.grain) {
    case Grain::Year: return 0;
    case Grain::Quarter: return p.ord - y * 4;
    case Grain::Month: return p.ord - y * 12;
    case Grain::Week: return p.ord - firstWeekOfIsoYear(y);
    case Grain::Day: return p.ord - daysFromCivil(y, 1, 1);
  }
  return 0;
}

Period sameLastYear(const Period& p) {
  switch (p.grain) {
    case Grain::Year: return {p.grain, p.ord - 1};
    case Grain::Quarter: return {p.grain, p.ord - 4};
    case Grain::Month: return {p.grain, p.ord - 12};
    case Grain::Week: {
      int64_t y = yearOf(p);
      int64_t idx = p.ord - firstWeekOfIsoYear(y);
      idx = std::min(idx, isoWeeksIn(y - 1) - 1);
      return {p.grain, firstWeekOfIsoYear(y - 1) + idx};
    }
    case Grain::Day: {
      int64_t y; unsigned m, d;
      civilFromDays(p.ord, y, m, d);
      if (m == 2 && d == 29) d = 28;
      return {p.grain, daysFromCivil(y - 1, m, d)};
    }
  }
  return p;
}

int64_t periodsPerYear(Grain g) {
  switch (g) {
    case Grain::Year: return 1;
    case Grain::Quarter: return 4;
    case Grain::Month: return 12;
    case Grain::Week: return 52;
    case Grain::Day: return 365;
  }
  return 1;
}

namespace {
// Size of a unit in months (month-based units) or days (day-based units).
bool monthBased(Grain g) { return g == Grain::Month || g == Grain::Quarter || g == Grain::Year; }
int64_t inMonths(Grain g) { return g == Grain::Month ? 1 : g == Grain::Quarter ? 3 : 12; }
int64_t inDays(Grain g) { return g == Grain::Day ? 1 : 7; }
}  // namespace

bool durationFits(int64_t count, Grain unit, Grain grain) {
  if (count < 0) return false;
  if (monthBased(unit) && monthBased(grain)) return (count * inMonths(unit)) % inMonths(grain) == 0;
  if (!monthBased(unit) && !monthBased(grain)) return (count * inDays(unit)) % inDays(grain) == 0;
  // months at day grain: a whole number of days from any start
  return monthBased(unit) && grain == Grain::Day;
}

std::optional<int64_t> durationInGrain(int64_t count, Grain unit, Grain grain, std::optional<Period> start) {
  if (!durationFits(count, unit, grain)) return std::nullopt;
  if (monthBased(unit) && monthBased(grain)) return count * inMonths(unit) / inMonths(grain);
  if (!monthBased(unit) && !monthBased(grain)) return count * inDays(unit) / inDays(grain);
  if (!start || start->grain != Grain::Day) return std::nullopt;
  int64_t y; unsigned m, d;
  civilFromDays(start->ord, y, m, d);
  int64_t months = y * 12 + (m - 1) + count * inMonths(unit);
  int64_t ny = floorDiv(months, 12);
  unsigned nm = static_cast<unsigned>(months - ny * 12 + 1);
  unsigned nd = std::min(d, daysInMonth(ny, nm));
  return daysFromCivil(ny, nm, nd) - start->ord;
}

}  // namespace mtc
