// Timelines: the calendar tables of time operators, coarser timelines and the
// roll-up of a series into them.
#include "mtc/ops.h"
#include "mtc/runtime.h"

namespace mtc::rt {

int64_t Timeline::yearStart(int64_t t) const {
  Period p = at(t);
  int64_t y = yearOf(p);
  // the first period of the timeline's grain in year y
  Period start = containing(firstWithin(Period{Grain::Year, y}, Grain::Day), grain);
  if (grain == Grain::Week && yearOf(start) != y) start.ord += 1;
  if (grain == Grain::Year) start = p;
  int64_t i = start.ord - first.ord;
  return i < 0 ? -1 : i;
}

int64_t Timeline::sameLastYear(int64_t t) const { return mtc::sameLastYear(at(t)).ord - first.ord; }

Timeline Timeline::coarsened(Grain g) const {
  Timeline c;
  c.grain = g;
  c.first = containing(first, g);
  c.count = containing(last(), g).ord - c.first.ord + 1;
  return c;
}

Series rollUp(const Series& fine, const Timeline& fineTl, const Timeline& coarse, ir::Agg agg) {
  // the fine periods grouped by the coarse period that contains them (a week by
  // its Thursday); only the first and last group can be partial
  struct Group {
    size_t first = SIZE_MAX, count = 0;
    bool whole = true;
  };
  std::vector<Group> groups(static_cast<size_t>(coarse.count));
  for (int64_t t = 0; t < fineTl.count; ++t) {
    int64_t k = containing(fineTl.at(t), coarse.grain).ord - coarse.first.ord;
    if (k < 0 || k >= coarse.count) continue;
    Group& gr = groups[static_cast<size_t>(k)];
    if (gr.first == SIZE_MAX) gr.first = static_cast<size_t>(t);
    ++gr.count;
  }
  if (!groups.empty()) {
    groups.front().whole = containing(fineTl.at(-1), coarse.grain) != coarse.first;
    // (&&: with one group, the first and the last, both ends must be whole)
    groups.back().whole = groups.back().whole && containing(fineTl.at(fineTl.count), coarse.grain) != coarse.last();
  }
  Series out;
  out.slices = fine.slices;
  out.periods = static_cast<size_t>(coarse.count);
  out.v.assign(out.slices * out.periods, kMissing);
  for (size_t sl = 0; sl < out.slices; ++sl)
    for (size_t k = 0; k < groups.size(); ++k) {
      const Group& gr = groups[k];
      if (!gr.whole || gr.count == 0) continue;  // a period the data covers only in part
      out.at(sl, k) = ops::rollUp(agg, &fine.v[sl * fine.periods + gr.first], gr.count);
    }
  return out;
}

}  // namespace mtc::rt
