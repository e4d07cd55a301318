#include "mtc/progress.h"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <vector>

namespace mtc::rt {

namespace {

std::atomic<bool> g_on{false};
std::atomic<int64_t> g_afterNs{1'000'000'000};
constexpr int64_t kRedrawNs = 100'000'000;  // ten redraws a second at most

std::mutex g_mu;                 // guards what follows, and the terminal line
std::vector<Progress*> g_bars;   // the unfinished bars, the newest last
bool g_shown = false;            // a bar is on the line now

int64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void writeAll(const std::string& s) {
  const char* p = s.data();
  size_t n = s.size();
  while (n > 0) {
    ssize_t k = ::write(STDERR_FILENO, p, n);
    if (k <= 0) return;  // a closed terminal: nothing more to say
    p += k;
    n -= static_cast<size_t>(k);
  }
}

std::string count(uint64_t n) {
  std::string s = std::to_string(n), out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i > 0 && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return out;
}

std::string bytes(uint64_t n) {
  if (n < 1000) return fmt::format("{} B", n);
  if (n < 1000'000) return fmt::format("{:.1f} kB", static_cast<double>(n) / 1e3);
  if (n < 1000'000'000) return fmt::format("{:.1f} MB", static_cast<double>(n) / 1e6);
  return fmt::format("{:.2f} GB", static_cast<double>(n) / 1e9);
}

std::string duration(double s) {
  if (s < 60) return fmt::format("{:.0f} s", std::max(s, 1.0));
  if (s < 3600) return fmt::format("{}:{:02} min", static_cast<int>(s / 60), static_cast<int>(s) % 60);
  return fmt::format("{}:{:02} h", static_cast<int>(s / 3600), static_cast<int>(s / 60) % 60);
}

int terminalWidth() {
  winsize ws{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20) return ws.ws_col;
  return 80;
}

}  // namespace

void enableProgress(bool on, double afterSeconds) {
  if (const char* e = std::getenv("MTC_PROGRESS_AFTER")) {
    char* end = nullptr;
    double v = std::strtod(e, &end);
    if (end != e && v >= 0 && v < 1e6) afterSeconds = v;
  }
  g_afterNs.store(static_cast<int64_t>(afterSeconds * 1e9));
  g_on.store(on);
}

bool progressEnabled() { return g_on.load(std::memory_order_relaxed); }

Progress::Progress(std::string label, uint64_t total, std::string unit)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), active_(g_on.load(std::memory_order_relaxed)) {
  if (!active_) return;
  start_ = nowNs();
  next_.store(start_ + g_afterNs.load());
  std::lock_guard lk(g_mu);
  g_bars.push_back(this);
}

Progress::~Progress() {
  if (!active_) return;
  std::lock_guard lk(g_mu);
  g_bars.erase(std::remove(g_bars.begin(), g_bars.end(), this), g_bars.end());
  if (g_shown) writeAll("\r\033[K");
  g_shown = false;
}

void Progress::tick() noexcept {
  const int64_t now = nowNs();
  if (now < next_.load(std::memory_order_relaxed)) return;
  std::unique_lock lk(g_mu, std::try_to_lock);
  if (!lk) return;  // another thread is drawing
  next_.store(now + kRedrawNs, std::memory_order_relaxed);
  if (g_bars.empty() || g_bars.back() != this) return;  // newer work has the line
  try {
    writeAll("\r" + line(now, terminalWidth() - 1) + "\033[K");
    g_shown = true;
  } catch (...) {  // no memory for a bar: the work goes on without it
  }
}

std::string Progress::line(int64_t now, int width) const {
  const uint64_t done = std::min(done_.load(std::memory_order_relaxed), total_ ? total_ : UINT64_MAX);
  const double spent = static_cast<double>(now - start_) / 1e9;
  const bool isBytes = unit_ == "bytes";
  std::string tail;
  int percent = -1;
  if (total_) {
    percent = static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total_));
    tail = isBytes ? fmt::format("{:3}%  {} of {}", percent, bytes(done), bytes(total_))
                   : fmt::format("{:3}%  {}/{} {}", percent, count(done), count(total_), unit_);
    if (done > 0 && done < total_)
      tail += "  " + duration(spent * static_cast<double>(total_ - done) / static_cast<double>(done)) + " left";
  } else {
    tail = (isBytes ? bytes(done) : count(done) + " " + unit_) + "  " + duration(spent);
  }
  std::string label = label_;
  // the label, the bar and the figures; the bar shrinks first, then the label
  const int fixed = static_cast<int>(tail.size()) + 2;
  int room = width - fixed;
  int barWidth = percent < 0 ? 0 : std::clamp(room - static_cast<int>(label.size()) - 3, 0, 30);
  if (barWidth < 10) barWidth = 0;
  int labelRoom = room - (barWidth ? barWidth + 3 : 0);
  if (labelRoom < 8) return tail.substr(0, static_cast<size_t>(std::max(width, 0)));
  if (static_cast<int>(label.size()) > labelRoom) label = label.substr(0, static_cast<size_t>(labelRoom - 3)) + "...";
  std::string out = label;
  if (barWidth) {
    int full = percent * barWidth / 100;
    out += " [" + std::string(static_cast<size_t>(full), '=') + (full < barWidth ? ">" : "") +
           std::string(static_cast<size_t>(std::max(barWidth - full - 1, 0)), ' ') + "]";
  }
  return out + "  " + tail;
}

}  // namespace mtc::rt
