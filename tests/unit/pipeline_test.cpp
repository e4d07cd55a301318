// The pipeline's whole-process choices, checked by counts and by equality, never
// by time: a describe evaluates only the periods it needs (the window gives the
// full evaluation's numbers), and the thread count never changes a number.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "mtc/engines/pipeline.h"
#include "mtc/report.h"

using namespace mtc;

namespace {

// AirPassengers (monthly, 1949-01 .. 1960-12: 144 periods) and formulas with
// bounded and unbounded look-backs.
std::string model(const std::string& statements) {
  return fmt::format(
      "model w {{ grain: month }}\n"
      "source s = csv(\"../fixtures/r/series/AirPassengers.csv\") {{ time: period }}\n"
      "metric x: count {{ data: s.value }}\n"
      "metric a: count = lag(x, 2) + rolling_mean(x, 3)\n"  // looks back 2
      "metric b: ratio = yoy(a)\n"                           // 12 + 2
      "metric c: count = ytd(x) + delta(a)\n"                // max(11, 1 + 2)
      "metric e: count = cumsum(x) {{ role: north_star }}\n" // its whole past
      "{}",
      statements);
}

eng::RunOutcome run(const std::string& statements, bool demand, rt::JitMode jit) {
  eng::RunRequest req;
  req.path = std::string(MTC_SOURCE_DIR) + "/tests/unit/w.mtree";  // unsaved text; its source is read relative to it
  req.text = model(statements);
  req.demandPeriods = demand;
  req.jit = jit;
  eng::RunOutcome out = eng::runModel(req);
  REQUIRE(out.exitCode == 0);
  return out;
}

}  // namespace

TEST_CASE("a describe evaluates only its periods and their look-back, with the full evaluation's numbers") {
  struct Case {
    std::string statement;
    int64_t periods;  // evaluated, by hand
    size_t formulas;  // formula metrics in the closure
  };
  // 1955-01 .. 1955-12 and the month before, and 14 months of look-back (b: yoy of a lag 2): 12 + 1 + 14 = 27
  // 1949-01 .. 1949-06: from the data's start, 6 periods
  // e = cumsum(x) reads its whole past: every period; so does a describe of everything
  for (const Case& c : {Case{"describe a, b, c from 1955-01 to 1955-12\n", 27, 3}, Case{"describe a, c from 1949-01 to 1949-06\n", 6, 2},
                        Case{"describe e from 1955-01 to 1955-03\n", 144, 1}, Case{"describe a, b, c\n", 144, 3},
                        Case{"describe a from 1960-06\n", 1 + 7 + 2, 1}}) {
    for (rt::JitMode jit : {rt::JitMode::Always, rt::JitMode::Never}) {
      INFO(c.statement << (jit == rt::JitMode::Always ? " (JIT)" : " (interpreter)"));
      eng::RunOutcome window = run(c.statement, true, jit), full = run(c.statement, false, jit);
      CHECK(window.stats.evaluated == c.periods);
      CHECK(full.stats.evaluated == 144);
      // the formula cells: the closure's formula metrics x the periods
      CHECK(window.stats.cells == static_cast<double>(c.formulas * static_cast<size_t>(c.periods)));
      const ir::Model& m = *window.model();
      CHECK(report::toJson(m, window.results).dump() == report::toJson(*full.model(), full.results).dump());
    }
  }
}

TEST_CASE("one thread or several give the same numbers, bit for bit") {
  // forecast (paths on every core), simulate (runs on every core) and diagnose's root causes
  std::string statements =
      "param k: ratio = 1 ~ normal(1, 0.1)\n"
      "metric y: count = x * k\n"
      "forecast a, y for 12 months { method: auto }\n"
      "simulate y for 3 months { runs: 5000 }\n"
      "diagnose a at 1960-06 vs 1960-05\n";
  std::string last;
  for (unsigned threads : {1u, 2u, 4u}) {
    eng::RunRequest req;
    req.path = std::string(MTC_SOURCE_DIR) + "/tests/unit/w.mtree";  // unsaved text; its source is read relative to it
    req.text = model(statements);
    req.engine.threads = threads;
    eng::RunOutcome out = eng::runModel(req);
    REQUIRE(out.exitCode == 0);
    std::string json = report::toJson(*out.model(), out.results).dump();
    if (!last.empty()) CHECK(json == last);
    last = json;
  }
}
