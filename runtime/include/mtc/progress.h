// Progress bars for long work, on stderr (docs/cli.md, "Progress").
//
// The command line turns them on when stderr is a terminal and --quiet is not
// given; otherwise a Progress counts and draws nothing (the cost of add() is
// then one relaxed atomic load). A bar appears once its work has run for over
// a second, is redrawn at most ten times a second, and is erased when its
// work ends, so that nothing of it is left among the run's messages. Work
// inside other work (a forecast inside a recommend) draws its own bar while it
// runs; the enclosing one comes back after it.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace mtc::rt {

// On or off for the whole process; `afterSeconds` is how long work runs before
// its bar appears (1 s; MTC_PROGRESS_AFTER overrides it, for tests).
void enableProgress(bool on, double afterSeconds = 1.0);
bool progressEnabled();

class Progress {
 public:
  // `unit` names what is counted ("runs", "series", "rows"); "bytes" shows
  // sizes (12.3 MB). A total of 0 means not known: the bar shows the count and
  // the time spent.
  Progress(std::string label, uint64_t total, std::string unit);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // n more done; any thread may call it.
  void add(uint64_t n = 1) noexcept {
    if (!active_) return;
    done_.fetch_add(n, std::memory_order_relaxed);
    tick();
  }

 private:
  void tick() noexcept;
  std::string line(int64_t now, int width) const;

  std::string label_, unit_;
  uint64_t total_;
  bool active_;
  int64_t start_ = 0;                 // steady clock, ns
  std::atomic<int64_t> next_{0};      // the next redraw, ns
  std::atomic<uint64_t> done_{0};
  Progress* outer_ = nullptr;         // the bar this one interrupts
};

}  // namespace mtc::rt
