// Fuzz target: the period and duration parser (compiler/include/mtc/calendar.h).
// The input's first line is parsed as a period; a period that parses must print
// back to itself, and its conversions between grains must agree. The second line,
// `<count> <unit>` (`3 months`), is a duration, converted to every grain, starting
// at the period when there is one. A disagreement aborts, as a crash would.
#include <charconv>
#include <cstdio>
#include <string>
#include <string_view>

#include "driver.h"
#include "mtc/calendar.h"

using mtc::Grain;
using mtc::Period;

static const Grain grains[] = {Grain::Day, Grain::Week, Grain::Month, Grain::Quarter, Grain::Year};

[[noreturn]] static void fail(const char* what, std::string_view text) {
  std::fprintf(stderr, "calendar fuzz: %s for '%.*s'\n", what, static_cast<int>(text.size()), text.data());
  std::abort();
}

static void checkPeriod(const Period& p, std::string_view text) {
  std::string s = mtc::formatPeriod(p);
  auto back = mtc::parsePeriod(s);
  if (!back || *back != p) fail("formatPeriod does not parse back", text);
  for (Grain g : grains) {
    if (mtc::coarserOrEqual(g, p.grain)) {
      Period c = mtc::containing(p, g);
      if (c.grain != g) fail("containing has the wrong grain", text);
      if (mtc::toGrain(p, g) != c) fail("toGrain (coarser) differs from containing", text);
      if (mtc::containing(mtc::firstWithin(c, p.grain), g) != c) fail("firstWithin leaves the containing period", text);
      if (mtc::containing(mtc::lastWithin(c, p.grain), g) != c) fail("lastWithin leaves the containing period", text);
    } else {
      Period f = mtc::firstWithin(p, g), l = mtc::lastWithin(p, g);
      if (f.grain != g || l.grain != g || l.ord < f.ord) fail("firstWithin/lastWithin out of order", text);
    }
  }
  (void)mtc::yearOf(p);
  int64_t i = mtc::indexInYear(p);
  if (i < 0 || i > 365) fail("indexInYear out of range", text);
  (void)mtc::sameLastYear(p);
}

void fuzzSetUp() {}

void fuzzOne(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nl = in.find('\n');
  std::string_view first = in.substr(0, nl);
  std::string error;
  auto p = mtc::parsePeriod(first, &error);
  if (p) checkPeriod(*p, first);
  if (nl == std::string_view::npos) return;
  std::string_view dur = in.substr(nl + 1);
  int64_t count = 0;
  auto [end, ec] = std::from_chars(dur.data(), dur.data() + dur.size(), count);
  if (ec != std::errc()) return;
  std::string_view unitName = dur.substr(static_cast<size_t>(end - dur.data()));
  while (!unitName.empty() && unitName.front() == ' ') unitName.remove_prefix(1);
  while (!unitName.empty() && (unitName.back() == '\n' || unitName.back() == ' ')) unitName.remove_suffix(1);
  auto unit = mtc::grainFromName(unitName);
  if (!unit) return;
  for (Grain g : grains) {
    bool fits = mtc::durationFits(count, *unit, g);
    std::optional<Period> start;
    if (p) start = mtc::toGrain(*p, Grain::Day);
    auto n = mtc::durationInGrain(count, *unit, g, g == Grain::Day ? start : std::nullopt);
    if (n && !fits) fail("durationInGrain gives a number where durationFits says no", dur);
  }
}
