// The JIT against the reference interpreter: every example, 1,000 random models
// covering every operator, scenarios, and evaluation from several threads. The
// two must agree bit for bit (NaN where the other has NaN).
#include <catch2/catch.hpp>
#include <unistd.h>
#include <cstring>
#include <filesystem>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "agree.h"
#include "helpers.h"
#include "modelgen.h"
#include "mtc/runtime.h"

using namespace mtc;
using namespace mtc::test;
namespace fs = std::filesystem;

namespace {

std::string bothEngines(const ir::Model& m, const rt::Data& d, const rt::Scenario& sc = {}) {
  rt::EvalOptions io, jo;
  io.jit = rt::JitMode::Never;
  rt::Values a = rt::makeEvaluator(m, d, io)->evaluate(sc);
  auto jit = rt::makeEvaluator(m, d, jo);
  REQUIRE(jit->stats().kernels > 0);
  rt::Values b = jit->evaluate(sc);
  return firstDifference(m, a, b);
}

}  // namespace

TEST_CASE("JIT and interpreter agree on every example and test model") {
  fs::path root = MTC_SOURCE_DIR;
  int compared = 0;
  for (const char* dir : {"examples", "tests/data", "tests/snippets", "tests/engines"}) {
    for (auto& e : fs::recursive_directory_iterator(root / dir)) {
      if (e.path().extension() != ".mtree") continue;
      auto c = compile(e.path().string(), CompileOptions{});
      if (c->diags.hasErrors() || !c->model) continue;
      rt::Data data;
      if (!rt::load(*c->model, data, c->diags, c->sources)) continue;
      INFO(e.path().string());
      CHECK(bothEngines(*data.model, data) == "");
      ++compared;
    }
  }
  CHECK(compared >= 4);
}

// Hidden from catch_discover_tests ([.]): tests/CMakeLists.txt adds it by hand
// with a high COST, so that `ctest -j2` starts it first, beside the rest.
TEST_CASE("JIT and interpreter agree on 1,000 random models", "[.][jit-random]") {
  // MTC_RANDOM_MODELS makes the run shorter: the sanitizer run (CMakePresets.json)
  // checks the first 150 models, the normal run all 1,000.
  const char* env = std::getenv("MTC_RANDOM_MODELS");
  const uint32_t models = env && std::atoi(env) > 0 ? static_cast<uint32_t>(std::atoi(env)) : 1000;
  int checked = 0, rejected = 0;
  std::string firstRejected;
  for (uint32_t seed = 1; seed <= models; ++seed) {
    ModelGen g(seed);
    g.generate();
    auto c = compileText("random.mtree", g.text, CompileOptions{});
    if (c->diags.hasErrors()) {
      if (firstRejected.empty()) firstRejected = g.text + renderAll(c->sources, c->diags);
      ++rejected;
      continue;
    }
    const ir::Model& m = *c->model;
    rt::Data data;
    REQUIRE(rt::load(m, data, c->diags, c->sources));
    data.time.count = 40;  // spans year boundaries at every grain
    data.inputs.assign(m.metrics.size(), rt::Series{});
    data.hasData.assign(m.metrics.size(), false);
    // inputs: values with zeros, negatives and missing cells
    std::mt19937 rng(seed);
    rt::Scenario sc;
    for (auto& in : g.inputs) {
      ir::Id id = *m.findMetric(in.name);
      rt::Series s;
      s.slices = std::max<size_t>(1, m.sliceCount(m.metrics[id].dims));
      s.periods = 40;
      for (size_t i = 0; i < s.slices * s.periods; ++i) {
        double u = std::uniform_real_distribution<double>(0, 1)(rng);
        s.v.push_back(u < 0.05 ? rt::kMissing : u < 0.1 ? 0.0 : u < 0.2 ? -u * 10 : u * 100);
      }
      sc.inputs.push_back({id, std::move(s)});
    }
    std::string diff = bothEngines(m, data, sc);
    if (!diff.empty()) {
      INFO(g.text);
      FAIL_CHECK("seed " << seed << ": " << diff);
    }
    ++checked;
  }
  INFO(firstRejected);
  CHECK(rejected < static_cast<int>(models / 20));  // the generator writes valid models; a few odd ones may be refused
  CHECK(checked + rejected == static_cast<int>(models));
}

TEST_CASE("JIT evaluation with scenarios, from several threads") {
  auto c = compileText("s.mtree",
                       "model s { grain: month  start: 2024-01 }\n"
                       "dimension ch { a, b }\n"
                       "param price: ratio = 10\n"
                       "param conv: ratio by ch = { a: 0.5, b: 0.25 }\n"
                       "metric leads: ratio by ch { role: input }\n"
                       "metric sales: ratio by ch = leads * conv\n"
                       "metric revenue: ratio = sum(sales over ch) * price { role: north_star }\n",
                       CompileOptions{});
  REQUIRE_FALSE(c->diags.hasErrors());
  const ir::Model& m = *c->model;
  rt::Data data;
  REQUIRE(rt::load(m, data, c->diags, c->sources));
  data.time.count = 3;
  data.inputs.assign(m.metrics.size(), rt::Series{});
  data.hasData.assign(m.metrics.size(), false);
  ir::Id leads = *m.findMetric("leads"), revenue = *m.findMetric("revenue");
  auto ev = rt::makeEvaluator(m, data, rt::EvalOptions{});
  // leads a = 100, 200, 300; b = 40, 40, 40
  rt::Series in{2, 3, {100, 200, 300, 40, 40, 40}};
  std::vector<std::thread> threads;
  std::vector<double> got(8);
  for (int k = 0; k < 8; ++k)
    threads.emplace_back([&, k] {
      rt::Scenario sc;
      sc.inputs.push_back({leads, in});
      sc.params.push_back({*m.findParam("price"), {10.0 + k}});
      got[k] = ev->evaluate(sc).metric(revenue).at(0, 1);
    });
  for (auto& t : threads) t.join();
  // period 2: (200 * 0.5 + 40 * 0.25) * price = 110 * price
  for (int k = 0; k < 8; ++k) CHECK(got[k] == 110.0 * (10 + k));
}

TEST_CASE("JIT object cache: a second compile of the same model loads the cached object") {
  fs::path dir = fs::temp_directory_path() / ("mtc_jit_cache_test." + std::to_string(::getpid()));
  fs::remove_all(dir);
  const char* before = std::getenv("MTC_JIT_CACHE");
  std::string saved = before ? before : "";
  unsetenv("MTC_JIT_CACHE");
  setenv("MTC_CACHE_DIR", dir.c_str(), 1);
  auto c = compileText("c.mtree",
                       "model c { grain: month  start: 2024-01 }\n"
                       "metric a: ratio { role: input }\n"
                       "metric b: ratio = ytd(a) * 2 { role: north_star }\n",
                       CompileOptions{});
  REQUIRE_FALSE(c->diags.hasErrors());
  rt::Data data;
  REQUIRE(rt::load(*c->model, data, c->diags, c->sources));
  data.time.count = 14;
  data.inputs.assign(c->model->metrics.size(), rt::Series{});
  data.hasData.assign(c->model->metrics.size(), false);
  rt::Scenario sc;
  rt::Series in{1, 14, {}};
  for (int t = 0; t < 14; ++t) in.v.push_back(t + 1);
  sc.inputs.push_back({*c->model->findMetric("a"), in});
  auto first = rt::makeJit(*c->model, data, rt::EvalOptions{});
  auto second = rt::makeJit(*c->model, data, rt::EvalOptions{});
  CHECK_FALSE(first->stats().cached);
  CHECK(second->stats().cached);
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}) >= 1);
  ir::Id b = *c->model->findMetric("b");
  // ytd restarts in January: 2025-02 (t = 13) is (13 + 14) * 2 = 54
  CHECK(second->evaluate(sc).metric(b).at(0, 13) == 54.0);
  CHECK(firstDifference(*c->model, first->evaluate(sc), second->evaluate(sc)) == "");
  unsetenv("MTC_CACHE_DIR");
  if (before) setenv("MTC_JIT_CACHE", saved.c_str(), 1);
  fs::remove_all(dir);
}
