// The runtime services the engines stand on, each with the JIT and the
// interpreter alike: timelines past the data and coarser ones, overrides by
// period and slice (history left alone), their validation, point evaluation,
// the total of an overridden metric, no allocation when evaluating again, and
// JIT code that does not grow the stack. Expected values are worked by hand in
// the comments.
#include <pthread.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cmath>
#include <new>

#include "agree.h"
#include "helpers.h"
#include "mtc/runtime.h"

using namespace mtc;
using namespace mtc::test;

// ------------------------------------------------------------------ a counting allocator

// operator delete frees what operator new took with malloc (GCC cannot see that).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {
thread_local bool gCounting = false;
thread_local size_t gAllocations = 0;
}  // namespace

void* operator new(size_t n) {
  if (gCounting) ++gAllocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n) { return ::operator new(n); }
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  if (gCounting) ++gAllocations;
  return std::malloc(n ? n : 1);
}
void* operator new[](size_t n, const std::nothrow_t& t) noexcept { return ::operator new(n, t); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }

namespace {

struct Counting {
  Counting() { gAllocations = 0, gCounting = true; }
  ~Counting() { gCounting = false; }
  size_t count() const { return gAllocations; }
};

// A model over 12 months of inputs given by the scenario (no data files):
// units by channel, a price param, time operators, a reduction and a ratio.
struct Fixture {
  std::unique_ptr<Compilation> c;
  rt::Data data;
  const ir::Model* m = nullptr;
  rt::Series units;  // 2 channels x 12 months: a = 1..12, b = 10, 20, ..., 120
  rt::Series leads;  // 2 x 12: 100 each
  ir::Id idUnits = 0, idLeads = 0;

  explicit Fixture(const std::string& extra = "") {
    c = compileText("s.mtree",
                    "model s { grain: month  start: 2025-01 }\n"
                    "dimension ch { a, b }\n"
                    "param price: USD/count = 10\n"
                    "param fee: USD = 5\n"
                    "metric units: count by ch { role: input }\n"
                    "metric leads: count by ch { role: input }\n"
                    "metric conv: ratio by ch = units / leads\n"                       // total recomputed: sum/sum
                    "metric revenue: USD by ch = units * price - fee\n"
                    "metric total: USD = sum(revenue over ch)\n"
                    "metric smooth: count by ch = rolling_mean(units, 3) + lag(units)\n"
                    "metric grand: count = sum(cumsum(units) over ch) { role: north_star }\n" +
                        extra,
                    noLints());
    INFO(renderAll(c->sources, c->diags));
    REQUIRE_FALSE(c->diags.hasErrors());
    REQUIRE(rt::load(*c->model, data, c->diags, c->sources));
    m = data.model.get();
    data.time.count = 12;
    data.inputs.assign(m->metrics.size(), rt::Series{});
    data.hasData.assign(m->metrics.size(), false);
    idUnits = id("units");
    idLeads = id("leads");
    units = {2, 12, {}};
    leads = {2, 12, std::vector<double>(24, 100.0)};
    for (int t = 0; t < 12; ++t) units.v.push_back(t + 1);
    for (int t = 0; t < 12; ++t) units.v.push_back(10.0 * (t + 1));
  }
  ir::Id id(const std::string& n) const { return *m->findMetric(n); }
  ir::Id param(const std::string& n) const { return *m->findParam(n); }
  rt::Scenario base() const {
    rt::Scenario sc;
    sc.inputs = {{idUnits, units}, {idLeads, leads}};
    return sc;
  }
};

std::vector<std::unique_ptr<rt::Evaluator>> both(const Fixture& f, rt::EvalOptions o = {}) {
  std::vector<std::unique_ptr<rt::Evaluator>> v;
  o.jit = rt::JitMode::Never;
  v.push_back(rt::makeEvaluator(*f.m, f.data, o));
  o.jit = rt::JitMode::Always;
  v.push_back(rt::makeEvaluator(*f.m, f.data, o));
  return v;
}

}  // namespace

TEST_CASE("a timeline past the data: history as before, the horizon from overrides") {
  Fixture f;
  rt::Timeline ext = f.data.time.extended(3);  // 2025-01 .. 2026-03
  auto evs = both(f);
  std::vector<rt::Values> got;
  std::vector<rt::Scenario> scenarios(evs.size());  // a Values refers to its scenario's inputs: keep them
  for (size_t k = 0; k < evs.size(); ++k) {
    auto& ev = evs[k];
    rt::Scenario hs = f.base();
    rt::Values hist = ev->evaluate(hs);
    rt::Scenario& sc = scenarios[k];
    sc.timeline = &ext;
    // inputs: history then the horizon, by overrides on a padded series
    rt::Series u = f.units, l = f.leads;
    for (rt::Series* s : {&u, &l}) {
      rt::Series p{2, 15, std::vector<double>(30, rt::kMissing)};
      for (size_t sl = 0; sl < 2; ++sl)
        for (size_t t = 0; t < 12; ++t) p.at(sl, t) = s->at(sl, t);
      *s = p;
    }
    sc.inputs = {{f.idUnits, u}, {f.idLeads, l}};
    sc.overrides.push_back({{ir::Ref::Kind::Metric, f.idUnits}, 12, 14, std::nullopt, {13, 14, 15}});  // both slices
    sc.overrides.push_back({{ir::Ref::Kind::Metric, f.idLeads}, 12, 14, std::nullopt, {100, 100, 100}});
    rt::Values v = ev->evaluate(sc);
    CHECK(v.timeline().count == 15);
    // history: unchanged, bit for bit
    for (ir::Id id = 0; id < f.m->metrics.size(); ++id)
      for (size_t t = 0; t < 12; ++t) CHECK(sameBits(v.at(id, static_cast<int64_t>(t)), hist.at(id, static_cast<int64_t>(t))));
    // 2026-01 (t = 12): units a = b = 13; revenue = 13 * 10 - 5 = 125 per slice
    CHECK(v.metric(f.id("revenue")).at(0, 12) == 125);
    CHECK(v.total(f.id("total")).at(0, 12) == 250);
    // smooth b at t = 13: rolling_mean(10*... no: b is 14 at t = 13) = (120 + 13 + 14) / 3 + 13
    CHECK(v.metric(f.id("smooth")).at(1, 13) == Approx((120.0 + 13 + 14) / 3 + 13));
    got.push_back(std::move(v));
  }
  CHECK(firstDifference(*f.m, got[0], got[1]) == "");
}

TEST_CASE("a param overridden by period changes those periods only") {
  Fixture f;
  rt::EvalOptions o;
  o.periodParams = {f.param("price")};
  auto evs = both(f, o);
  std::vector<rt::Values> got;
  std::vector<rt::Scenario> scenarios(evs.size(), f.base());
  for (size_t k = 0; k < evs.size(); ++k) {
    auto& ev = evs[k];
    rt::Scenario& sc = scenarios[k];
    sc.overrides.push_back({{ir::Ref::Kind::Param, f.param("price")}, 10, 11, std::nullopt, {12, 12}});
    rt::Values v = ev->evaluate(sc);
    // t = 9: units a = 10 -> 10 * 10 - 5 = 95; t = 10: 11 * 12 - 5 = 127; t = 11, b: 120 * 12 - 5 = 1435
    CHECK(v.metric(f.id("revenue")).at(0, 9) == 95);
    CHECK(v.metric(f.id("revenue")).at(0, 10) == 127);
    CHECK(v.metric(f.id("revenue")).at(1, 11) == 1435);
    // a param overridden for one slice of a per-slice map would be by slice; here a whole param
    got.push_back(std::move(v));
  }
  CHECK(firstDifference(*f.m, got[0], got[1]) == "");
}

TEST_CASE("a scenario of the wrong shape is a clear error, never a read out of bounds") {
  Fixture f;
  for (auto& ev : both(f)) {
    auto msg = [&](rt::Scenario sc) -> std::string {
      try {
        ev->evaluate(sc);
      } catch (const rt::RunError& e) {
        return e.what();
      }
      return "";
    };
    rt::Scenario sc = f.base();
    sc.params.push_back({f.param("price"), {1, 2}});
    CHECK(msg(sc) == "scenario: param 'price' needs 1 value (one per slice), not 2");
    sc = f.base();
    sc.inputs[0].second.v.pop_back();
    CHECK(msg(sc) == "scenario: the series of 'units' must have 2 slices x 12 periods, not 2 x 12 (23 values)");
    sc = f.base();
    sc.overrides.push_back({{ir::Ref::Kind::Metric, f.idUnits}, 11, 12, std::nullopt, {1, 2}});
    CHECK(msg(sc) == "override of 'units': periods 11 to 12 are not within the timeline's 0 to 11");
    sc = f.base();
    sc.overrides.push_back({{ir::Ref::Kind::Metric, f.idUnits}, 0, 2, size_t{0}, {1, 2}});
    CHECK(msg(sc) == "override of 'units': 2 values for 3 periods");
    sc = f.base();
    sc.overrides.push_back({{ir::Ref::Kind::Metric, f.idUnits}, 0, 0, size_t{5}, {1}});
    CHECK(msg(sc) == "override of 'units': slice 5 does not exist (2 slices)");
    sc = f.base();
    sc.overrides.push_back({{ir::Ref::Kind::Param, f.param("fee")}, 0, 0, std::nullopt, {1}});
    CHECK(msg(sc) == "override: param 'fee' was not prepared for overrides by period (EvalOptions::periodParams)");
  }
}

TEST_CASE("point evaluation: one cell, reading only what its metric needs") {
  Fixture f;
  auto evs = both(f);
  for (auto& ev : evs) {
    rt::Values all = ev->evaluate(f.base());
    rt::Values work;
    rt::Scenario sc = f.base();
    double p = ev->point(sc, {f.id("revenue"), 4, size_t{1}}, work);
    CHECK(sameBits(p, all.metric(f.id("revenue")).at(1, 4)));  // b at t = 4: 50 * 10 - 5 = 495
    CHECK(p == 495);
    CHECK(ev->point(sc, {f.id("total"), 4, std::nullopt}, work) == 495 + 45);  // a: 5 * 10 - 5
    CHECK_FALSE(work.has(f.id("smooth")));  // not in the closure of total
    CHECK_FALSE(work.has(f.id("conv")));
    // under a scenario: price 20 at t = 4 for revenue b: 50 * 20 - 5
    sc.params.push_back({f.param("price"), {20}});
    CHECK(ev->point(sc, {f.id("revenue"), 4, size_t{1}}, work) == 995);
  }
}

TEST_CASE("an overridden metric is an input: its total comes from its slices through its agg") {
  Fixture f;
  std::vector<rt::Values> got;
  auto evs = both(f);
  std::vector<rt::Scenario> scenarios(evs.size(), f.base());
  for (size_t k = 0; k < evs.size(); ++k) {
    auto& ev = evs[k];
    rt::Scenario& sc = scenarios[k];
    rt::Values plain = ev->evaluate(sc);
    // conv's total is recomputed: sum(units) / sum(leads); at t = 2: (3 + 30) / 200 = 0.165
    CHECK(plain.total(f.id("conv")).at(0, 2) == Approx(0.165));
    // conv overridden at t = 2 for slice a (0.5): that period's total is conv's agg
    // (mean, a ratio) over its slices: (0.5 + 30/100) / 2 = 0.4; t = 3 stays recomputed
    sc.overrides.push_back({{ir::Ref::Kind::Metric, f.id("conv")}, 2, 2, size_t{0}, {0.5}});
    rt::Values v = ev->evaluate(sc);
    CHECK(v.metric(f.id("conv")).at(0, 2) == 0.5);
    CHECK(v.total(f.id("conv")).at(0, 2) == Approx(0.4));
    CHECK(v.total(f.id("conv")).at(0, 3) == Approx((4 + 40) / 200.0));
    // given whole, every period's total is the agg over its slices
    rt::Series whole{2, 12, std::vector<double>(24, 0.25)};
    for (size_t t = 0; t < 12; ++t) whole.at(1, t) = 0.75;
    rt::Scenario sw = f.base();
    sw.inputs.push_back({f.id("conv"), whole});
    rt::Values w = ev->evaluate(sw);
    for (size_t t = 0; t < 12; ++t) CHECK(w.total(f.id("conv")).at(0, t) == 0.5);
    got.push_back(std::move(v));
  }
  CHECK(firstDifference(*f.m, got[0], got[1]) == "");
}

TEST_CASE("a coarser timeline: the same evaluator, inputs rolled up") {
  Fixture f;
  rt::Timeline q = f.data.time.coarsened(Grain::Quarter);
  REQUIRE(q.count == 4);
  for (auto& ev : both(f)) {
    rt::Scenario sc;
    sc.timeline = &q;
    sc.inputs = {{f.idUnits, rt::rollUp(f.units, f.data.time, q, ir::Agg::Sum)},
                 {f.idLeads, rt::rollUp(f.leads, f.data.time, q, ir::Agg::Sum)}};
    rt::Subset sub = ev->subset({f.id("revenue")});
    rt::Values v;
    ev->evaluateInto(sc, v, &sub);
    // Q2 a: units 4 + 5 + 6 = 15 -> 15 * 10 - 5 = 145
    CHECK(v.metric(f.id("revenue")).at(0, 1) == 145);
    CHECK_FALSE(v.has(f.id("grand")));
  }
}

TEST_CASE("a roll-up of one coarse period the timeline covers in part is missing") {
  // May and June: the second quarter without April. Its one group is both the first
  // and the last: a whole end does not make the other end whole (found by mtc sql's test)
  rt::Timeline fine{Grain::Month, Period{Grain::Month, 2025 * 12 + 4}, 2};
  rt::Timeline q = fine.coarsened(Grain::Quarter);
  REQUIRE(q.count == 1);
  rt::Series s{1, 2, {400, 400}};
  CHECK(std::isnan(rt::rollUp(s, fine, q, ir::Agg::Sum).at(0, 0)));
  // April to June is whole
  rt::Timeline whole{Grain::Month, Period{Grain::Month, 2025 * 12 + 3}, 3};
  rt::Series w{1, 3, {1, 2, 4}};
  CHECK(rt::rollUp(w, whole, q, ir::Agg::Sum).at(0, 0) == 7);
}

TEST_CASE("evaluating again allocates nothing") {
  Fixture f;
  rt::EvalOptions o;
  o.periodParams = {f.param("price")};
  rt::Timeline ext = f.data.time.extended(2);
  for (auto& ev : both(f, o)) {
    rt::Scenario sc = f.base();
    sc.params.push_back({f.param("fee"), {7}});
    sc.overrides.push_back({{ir::Ref::Kind::Param, f.param("price")}, 3, 5, std::nullopt, {11, 12, 13}});
    sc.overrides.push_back({{ir::Ref::Kind::Metric, f.id("revenue")}, 1, 1, size_t{0}, {1}});
    rt::Values v;
    ev->evaluateInto(sc, v);  // the first call allocates
    rt::Subset sub = ev->subset({f.id("total")});
    ev->evaluateInto(sc, v, &sub);
    double p0 = ev->point(sc, {f.id("total"), 3, std::nullopt}, v);
    size_t n;
    double p1;
    {
      Counting c;
      ev->evaluateInto(sc, v);
      ev->evaluateInto(sc, v, &sub);
      p1 = ev->point(sc, {f.id("total"), 3, std::nullopt}, v);
      n = c.count();
    }
    CHECK(n == 0);
    CHECK(p0 == p1);
    // on a timeline past the data, too
    rt::Scenario se;
    se.timeline = &ext;
    rt::Series u{2, 14, std::vector<double>(28, 3.0)}, l{2, 14, std::vector<double>(28, 9.0)};
    se.inputs = {{f.idUnits, u}, {f.idLeads, l}};
    ev->evaluateInto(se, v);
    {
      Counting c;
      ev->evaluateInto(se, v);
      n = c.count();
    }
    CHECK(n == 0);
  }
}

namespace {
struct StackRun {
  const rt::Evaluator* ev;
  const rt::Scenario* sc;
  double result = 0;
};
}  // namespace

TEST_CASE("JIT code keeps its stack: a long daily model on a thread with a small stack") {
  // rolling sums, cumsum and adstock over 200,000 days: a stack slot allocated
  // inside the period loop would take 200,000 x 16 bytes, far more than 256 KB
  auto c = compileText("d.mtree",
                       "model d { grain: day  start: 2000-01-01 }\n"
                       "metric x: count { role: input }\n"
                       "metric r: count = rolling_sum(x, 7) + cumsum(x) + adstock(x, 0.5) { role: north_star }\n",
                       noLints());
  REQUIRE_FALSE(c->diags.hasErrors());
  rt::Data data;
  REQUIRE(rt::load(*c->model, data, c->diags, c->sources));
  const size_t T = 200000;
  data.time.count = static_cast<int64_t>(T);
  data.inputs.assign(2, rt::Series{});
  data.hasData.assign(2, false);
  auto ev = rt::makeJit(*data.model, data, rt::EvalOptions{});
  rt::Scenario sc;
  sc.inputs.push_back({0, rt::Series{1, T, std::vector<double>(T, 1.0)}});
  StackRun run{ev.get(), &sc};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  pthread_t th;
  auto body = [](void* p) -> void* {
    auto* r = static_cast<StackRun*>(p);
    rt::Values v;
    r->ev->evaluateInto(*r->sc, v);
    r->result = v.metric(1).at(0, 199999);
    return nullptr;
  };
  REQUIRE(pthread_create(&th, &attr, body, &run) == 0);
  pthread_join(th, nullptr);
  pthread_attr_destroy(&attr);
  // the last day: a week of ones, 200,000 ones, and adstock 1 + 0.5 + 0.25 + ... = 2
  CHECK(run.result == Approx(7 + 200000 + 2));
}

// ------------------------------------------------------------------ tiering (--jit=auto)

TEST_CASE("tiering: the work is formula nodes x slices x periods over the closure, and auto weighs it") {
  Fixture f;
  rt::EvalOptions o;
  o.jit = rt::JitMode::Auto;
  o.only = {f.id("conv")};
  // conv = units / leads: 3 nodes (a division of two inputs) x 2 slices x 12 months; its inputs have no formula
  CHECK(rt::estimatedWork(*f.m, f.data, o) == 72);
  CHECK_FALSE(rt::usesJit(*f.m, f.data, o));
  CHECK(rt::makeEvaluator(*f.m, f.data, o)->stats().kernels == 0);  // the interpreter
  o.evaluations = rt::kJitColdWork / 72;  // called often enough to repay compiling
  CHECK(rt::usesJit(*f.m, f.data, o));
  o.evaluations = 1;
  o.jit = rt::JitMode::Always;
  CHECK(rt::usesJit(*f.m, f.data, o));
  CHECK(rt::makeEvaluator(*f.m, f.data, o)->stats().kernels > 0);
  o.jit = rt::JitMode::Never;
  o.evaluations = 1e12;
  CHECK_FALSE(rt::usesJit(*f.m, f.data, o));
}
