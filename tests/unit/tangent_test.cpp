// Forward-mode derivatives (mtc/dual.h, Evaluator::tangentInto): the tangent of
// every operator against central differences of the plain evaluation, in the
// interpreter and the JIT, and the two back-ends agreeing on the tangents bit
// for bit (as they do on the values).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "helpers.h"
#include "mtc/dual.h"
#include "mtc/runtime.h"

using namespace mtc;
using namespace mtc::test;

namespace {

// Every operator, as a function of the param x (and of w by ch), over 14 months
// (ytd and yoy need a year). u is an input series.
const char* kModel = R"(model g { grain: month  start: 2023-01 }
dimension ch { a, b, c }
param x: ratio = 1.3
param w: ratio by ch = { a: 0.7, b: 1.9, c: 1.2 }
metric u: ratio { role: input }
metric base: ratio = x * u + 0.5
metric wide: ratio by ch = w * base + x * x
metric m_neg: ratio = -base
metric m_not: ratio = if(not (base > 2), base, 2 * base)
metric m_cmp: ratio = if(base < 3 and base >= 0.1 or base == 7, 1, 0) + if(base <= 1 or base != 2, 1, 0) * x
metric m_add: ratio = base + x - u
metric m_mul: ratio = base * x * base
metric m_div: ratio = u / base
metric m_div0: ratio = x / (u - u)
metric m_pow: ratio = base ^ 1.7 + 2 ^ x + base ^ x
metric m_if: ratio = if(base > 2.5, x * 3, base)
metric m_min: ratio = min(base, 2.2, x * 2) + max(base, x + 1)
metric m_abs: ratio = abs(base - 2.4) + abs(-x)
metric m_log: ratio = log(base) + exp(x - base) + sqrt(base)
metric m_logneg: ratio = log(x - 5)
metric m_clamp: ratio = clamp(base, 1.5, 3.5)
metric m_lag: ratio = lag(base) + lag(base, 2) + delta(base) + pct_change(base)
metric m_cum: ratio = cumsum(base) + rolling_sum(base, 3) + rolling_mean(base, 2)
metric m_ytd: ratio = ytd(base) + yoy(base)
metric m_red: ratio = sum(wide over ch) + mean(wide over ch) + min(wide over ch) + max(wide over ch)
metric m_share: ratio by ch = share(wide over ch) * x
metric m_sel: ratio = wide[ch: b] * wide[c]
metric m_hill: ratio = hill(base, x, 1.6) + hill(x, 2, base)
metric m_sat: ratio = saturate(base, x * 10, 0.4) + saturate(x, 3, base)
metric m_ad: ratio = adstock(base, 0.5) + adstock(u, x / 3)
metric m_tot: ratio by ch = wide * base { role: north_star }
)";

struct Fixture {
  std::unique_ptr<Compilation> c;
  rt::Data data;
  rt::Scenario sc;
  ir::Id x = ir::kNone;
  Fixture() {
    c = compileString(kModel);
    INFO(renderAll(c->sources, c->diags));
    REQUIRE_FALSE(c->diags.hasErrors());
    const ir::Model& m = *c->model;
    REQUIRE(rt::load(m, data, c->diags, c->sources));
    data.time.count = 14;
    data.inputs.assign(m.metrics.size(), rt::Series{});
    data.hasData.assign(m.metrics.size(), false);
    rt::Series in{1, 14, {}};
    for (int t = 0; t < 14; ++t) in.v.push_back(0.4 + 0.23 * t - 0.011 * t * t);
    sc.inputs.push_back({*m.findMetric("u"), in});
    x = *m.findParam("x");
  }
  const ir::Model& m() const { return *c->model; }
};

bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof a) == 0; }

// The tangent of every cell (slices and totals) against central differences
// of x, and the two back-ends' tangents (and values) against each other.
void checkAll(const Fixture& f, const rt::Evaluator& interp, const rt::Evaluator& jit, const rt::Seed& seed, const rt::Scenario& sc,
              const std::function<rt::Scenario(double)>& moved, double x0, double& worst, int& cells) {
  const ir::Model& m = f.m();
  rt::Values vi, vj;
  rt::Tangents ti, tj;
  interp.tangentInto(sc, seed, vi, ti);
  jit.tangentInto(sc, seed, vj, tj);
  rt::Values plain = interp.evaluate(sc);
  const double h = 1e-6;
  rt::Scenario sup = moved(x0 + h), sdown = moved(x0 - h);  // alive while their Values are read
  rt::Values up = interp.evaluate(sup), down = interp.evaluate(sdown);
  for (ir::Id id = 0; id < m.metrics.size(); ++id) {
    const rt::Series& s = vi.metric(id);
    for (size_t sl = 0; sl <= s.slices; ++sl) {  // the slices, then the total
      std::optional<size_t> slice = sl < s.slices ? std::optional<size_t>(sl) : std::nullopt;
      for (int64_t t = 0; t < 14; ++t) {
        double v = vi.at(id, t, slice), d = ti.at(id, t, slice);
        INFO(fmt::format("{}[{}] at {}: value {} tangent {}", m.metrics[id].name, slice ? std::to_string(*slice) : "total", t, v, d));
        // values: the plain evaluation's, in both back-ends; tangents: the same bits
        CHECK(same(v, plain.at(id, t, slice)));
        CHECK(same(v, vj.at(id, t, slice)));
        CHECK(same(d, tj.at(id, t, slice)));
        double fd = (up.at(id, t, slice) - down.at(id, t, slice)) / (2 * h);
        if (std::isnan(v)) {
          CHECK(std::isnan(d));
          continue;
        }
        // kinks (abs, min, clamp, if) are not crossed at these points: the tangent is the derivative
        double err = std::fabs(d - fd) / std::max(1.0, std::fabs(fd));
        worst = std::max(worst, err);
        ++cells;
        CHECK(err < 1e-6);
      }
    }
  }
}

}  // namespace

TEST_CASE("tangents: every operator against central differences, the JIT and the interpreter agreeing") {
  Fixture f;
  rt::EvalOptions io, jo;
  io.jit = rt::JitMode::Never;
  jo.jit = rt::JitMode::Always;
  jo.tangents = true;
  auto interp = rt::makeEvaluator(f.m(), f.data, io);
  auto jit = rt::makeEvaluator(f.m(), f.data, jo);
  REQUIRE(jit->stats().kernels > 0);
  double worst = 0;
  int cells = 0;
  for (double x0 : {1.3, 0.85, 2.2}) {
    rt::Scenario sc = f.sc;
    sc.params.push_back({f.x, {x0}});
    auto moved = [&](double xv) {
      rt::Scenario s = f.sc;
      s.params.push_back({f.x, {xv}});
      return s;
    };
    checkAll(f, *interp, *jit, rt::Seed{f.x, 0, -1}, sc, moved, x0, worst, cells);
  }
  WARN(fmt::format("{} cells, largest relative difference from central differences {:.2e}", cells, worst));
  CHECK(cells > 1000);
}

TEST_CASE("tangents: a param by dimension, one slice seeded") {
  Fixture f;
  rt::EvalOptions io, jo;
  io.jit = rt::JitMode::Never;
  jo.tangents = true;
  auto interp = rt::makeEvaluator(f.m(), f.data, io);
  auto jit = rt::makeEvaluator(f.m(), f.data, jo);
  ir::Id w = *f.m().findParam("w");
  double worst = 0;
  int cells = 0;
  std::vector<double> w0 = {0.7, 1.9, 1.2};
  auto moved = [&](double wb) {
    rt::Scenario s = f.sc;
    s.params.push_back({w, {w0[0], wb, w0[2]}});
    return s;
  };
  checkAll(f, *interp, *jit, rt::Seed{w, 1, -1}, moved(1.9), moved, 1.9, worst, cells);
}

TEST_CASE("tangents: a param overridden in one period, seeded in that period only") {
  Fixture f;
  rt::EvalOptions io, jo;
  io.jit = rt::JitMode::Never;
  io.periodParams = {f.x};
  jo.periodParams = {f.x};
  jo.tangents = true;
  auto interp = rt::makeEvaluator(f.m(), f.data, io);
  auto jit = rt::makeEvaluator(f.m(), f.data, jo);
  double worst = 0;
  int cells = 0;
  auto moved = [&](double xv) {
    rt::Scenario s = f.sc;
    s.overrides.push_back(rt::Override{{ir::Ref::Kind::Param, f.x}, 9, 9, std::nullopt, {xv}});
    return s;
  };
  checkAll(f, *interp, *jit, rt::Seed{f.x, 0, 9}, moved(1.7), moved, 1.7, worst, cells);
}

TEST_CASE("tangents: the rules at the edges") {
  using rt::Dual;
  namespace d = rt::dual;
  // division by zero and log of 0 are missing, with a missing tangent
  CHECK(std::isnan(d::div(Dual{1, 1}, Dual{0, 1}).d));
  CHECK(std::isnan(d::log(Dual{0, 1}).d));
  // hill at x = 0 with shape > 1: flat; along the half only: 0, not NaN
  CHECK(d::hill(Dual{0, 1}, Dual{2, 0}, Dual{1.5, 0}).d == 0);
  CHECK(d::hill(Dual{0, 0}, Dual{2, 1}, Dual{1.5, 0}).d == 0);
  // hill with shape 1 at 0: 1/half
  CHECK(d::hill(Dual{0, 1}, Dual{4, 0}, Dual{1, 0}).d == Approx(0.25));
  // comparisons are flat; abs at its kink takes 0
  CHECK(d::abs(Dual{0, 1}).d == 0);
  CHECK(d::saturate(Dual{0, 1}, Dual{10, 0}, Dual{0.5, 0}).d == Approx(5));
}
