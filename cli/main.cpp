// mtc: the command line. One binary, one subcommand per task (LANGUAGE.md section 9).
//
// Exit codes: 0 success, 1 the model has errors, 2 bad usage, 3 data or runtime
// failure (and statements whose engine is not built yet), 4 `fmt --check` found
// files to reformat.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <malloc.h>
#include <pthread.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "mtc/compiler.h"
#include "mtc/fileio.h"
#include "mtc/progress.h"

namespace mtc::cli {

bool colorFor(FILE* f) {
  const char* nc = std::getenv("NO_COLOR");
  return isatty(fileno(f)) && !(nc && *nc);
}

CompileOptions compileOptions(const CommonOptions& c) {
  CompileOptions o;
  o.stdlibDirs = defaultStdlibDirs(c.argv0);
  o.denyWarnings = c.denyWarnings;
  o.allow = c.allow;
  o.allowPaths = c.allowPaths;
  o.queryTimeout = c.timeout;
  return o;
}

void printDiagnostics(const Compilation& c) {
  RenderOptions ro;
  ro.color = colorFor(stderr);
  std::string s = renderAll(c.sources, c.diags, ro);
  if (!s.empty()) std::fputs(s.c_str(), stderr);
}

// Validates an --allow argument: a known warning code, else a usage error with
// the closest code (an unknown code would otherwise silence nothing, silently).
std::string checkAllowCode(const std::string& code) {
  std::vector<std::string> warnings;
  for (const DiagCodeInfo& info : allDiagCodes()) {
    if (info.code != code) {
      if (info.severity == Severity::Warning) warnings.emplace_back(info.code);
      continue;
    }
    if (info.severity == Severity::Warning) return {};
    return fmt::format("'{}' is an error; --allow silences warnings only", code);
  }
  std::string near = closestMatch(code, warnings);
  if (!near.empty()) return fmt::format("unknown warning code '{}'; did you mean '{}'?", code, near);
  std::string all;
  for (auto& w : warnings) all += (all.empty() ? "" : ", ") + w;
  return fmt::format("unknown warning code '{}'; the warning codes are {}", code, all);
}

int writeOutput(const std::string& path, const std::string& text) {
  if (path.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }
  std::string err;
  if (writeFileAtomically(path, text, err)) return 0;
  std::fprintf(stderr, "mtc: error: cannot write %s: %s\n", path.c_str(), err.c_str());
  return 3;
}

void addCommonFlags(CLI::App* sub, CommonOptions& common) {
  sub->add_flag("--deny-warnings", common.denyWarnings, "treat warnings (model lints) as errors");
  sub->add_option("--allow", common.allow, "silence a warning code (repeatable), e.g. --allow no-stage")
      ->check(CLI::Validator(checkAllowCode, "CODE", "warning code"));
  sub->add_option("--allow-path", common.allowPaths,
                  "let the model read files under DIR too (repeatable); by default it reads only under its project root "
                  "(the nearest folder upwards with .git, else the model's folder) and the stdlib")
      ->check(CLI::ExistingDirectory);
  sub->add_option("--timeout", common.timeout, "stop after SECONDS (exit 3, no output file); default: no limit")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--max-memory", common.maxMemory,
                  "stop when the resident memory passes SIZE (e.g. 512M, 2G; exit 3, no output file); default: no limit")
      ->check(CLI::Validator([](std::string& v) { return parseSize(v) ? std::string() : "a size like 512M or 2G"; }, "SIZE", "size"));
}

std::optional<uint64_t> parseSize(const std::string& text) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  if (i == 0) return std::nullopt;
  double v = 0;
  try {
    v = std::stod(text.substr(0, i));
  } catch (...) {
    return std::nullopt;
  }
  std::string unit = text.substr(i);
  for (auto& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (!unit.empty() && unit.back() == 'B') unit.pop_back();
  if (unit.size() == 2 && unit[1] == 'I') unit.pop_back();  // KiB, MiB, GiB
  double mult = unit.empty() ? 1 : unit == "K" ? 1024.0 : unit == "M" ? 1048576.0 : unit == "G" ? 1073741824.0 : unit == "T" ? 1099511627776.0 : 0;
  if (mult == 0 || !(v > 0) || v * mult > 1.8e19) return std::nullopt;
  return static_cast<uint64_t>(v * mult);
}

namespace {

// --timeout and --max-memory: a watchdog thread looks every 20 ms at the time
// spent and the resident set size (/proc/self/statm); past either limit it
// removes an output file being written, says why and ends the process (exit 3).
void startWatchdog(double timeout, uint64_t maxResident) {
  if (timeout <= 0 && maxResident == 0) return;
  std::thread([timeout, maxResident] {
    const auto start = std::chrono::steady_clock::now();
    const long page = ::sysconf(_SC_PAGESIZE);
    for (;;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      std::string why;
      double spent = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (timeout > 0 && spent > timeout) why = fmt::format("the run took longer than --timeout {} s", timeout);
      if (maxResident && why.empty()) {
        unsigned long long size = 0, resident = 0;
        if (FILE* f = std::fopen("/proc/self/statm", "r")) {
          if (std::fscanf(f, "%llu %llu", &size, &resident) != 2) resident = 0;
          std::fclose(f);
        }
        uint64_t bytes = resident * static_cast<uint64_t>(page);
        if (bytes > maxResident)
          why = fmt::format("the run used more memory than --max-memory allows ({} MiB resident, the limit {} MiB)", bytes >> 20,
                            maxResident >> 20);
      }
      if (why.empty()) continue;
      mtc::removeUnfinishedWrite();
      if (mtc::rt::progressEnabled()) std::fputs("\r\033[K", stderr);  // over a progress bar
      std::fprintf(stderr, "mtc: error: %s: stopped\n", why.c_str());
      std::fflush(stderr);
      std::_Exit(3);
    }
  }).detach();
}

}  // namespace

namespace {

// Runs f on a thread with a large stack: checking a deeply nested expression
// recurses, and the main thread's 8 MB is not enough for the parser's limits.
int withBigStack(std::function<int()> f) {
  struct Box { std::function<int()> f; int rc = 0; } box{std::move(f)};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, size_t{512} << 20);
  pthread_t t;
  auto body = [](void* p) -> void* {
    auto* b = static_cast<Box*>(p);
    b->rc = b->f();
    return nullptr;
  };
  if (pthread_create(&t, &attr, body, &box) != 0) return box.f();
  pthread_join(t, nullptr);
  pthread_attr_destroy(&attr);
  return box.rc;
}

}  // namespace
}  // namespace mtc::cli

int main(int argc, char** argv) {
  using namespace mtc::cli;
  // One malloc arena with generous padding: the parser allocates a large tree in
  // many small pieces, and a secondary arena grows page by page (measured: 20%
  // of `mtc check` on a 10,000-metric model; docs/performance.md).
  mallopt(M_ARENA_MAX, 1);
  mallopt(M_TOP_PAD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  CLI::App app{"mtc: the compiler and runtime of mtree, a language for business metric models.\n"
               "Docs: README.md and docs/ in the source tree."};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("mtc 0.1.0"));
  Registry reg;
  reg.common.argv0 = argv[0];
  // one line per command; each file registers its subcommand and options
  addRun(app, reg);
  addCheck(app, reg);
  addFmt(app, reg);
  addGraph(app, reg);
  addDiff(app, reg);
  addLsp(app, reg);
  addSql(app, reg);

  int rc = 0;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  startWatchdog(reg.common.timeout, reg.common.maxMemory.empty() ? 0 : parseSize(reg.common.maxMemory).value_or(0));
  rc = withBigStack([&]() -> int {
    try {
      if (reg.action) return reg.action();
    } catch (const std::bad_alloc&) {
      std::fprintf(stderr, "mtc: error: out of memory\n");
      return 3;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "mtc: internal error: %s\n", e.what());
      return 3;
    }
    return 2;
  });
  // Leave without running static destructors (LLVM's, TBB's worker shutdown):
  // the report is written and flushed, and they cost a few ms at every exit.
  // Under the sanitizers, exit normally so that the leak check runs.
  std::fflush(stdout);
  std::fflush(stderr);
#if !defined(__SANITIZE_ADDRESS__)
  std::_Exit(rc);
#endif
  return rc;
}
