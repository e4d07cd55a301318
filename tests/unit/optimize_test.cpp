// optimize's linear half alone (engines/src/optimize/linear.h): affine forms
// extracted from the IR, exactly, on models whose coefficients are worked out by
// hand in the comments; the non-linear expressions it refuses; the deletion
// filter, the moves and the unbounded variables on small LPs solved by hand.
#include <catch2/catch.hpp>
#include <cmath>

#include "helpers.h"
#include "mtc/runtime.h"
#include "optimize/linear.h"

using namespace mtc;
using namespace mtc::test;
using namespace mtc::eng::solvers;
namespace opt = mtc::eng::opt;

namespace {

struct Loaded {
  std::unique_ptr<Compilation> c;
  rt::Data data;
  rt::Values vals;
  const ir::Model& model() const { return *data.model; }
};

std::unique_ptr<Loaded> load(const std::string& text) {
  auto r = std::make_unique<Loaded>();
  r->c = compileString(text, noLints());
  INFO(renderAll(r->c->sources, r->c->diags));
  REQUIRE(r->c->model);
  REQUIRE(!r->c->diags.hasErrors());
  REQUIRE(rt::load(*r->c->model, r->data, r->c->diags, r->c->sources));
  r->vals = rt::makeInterpreter(r->model(), r->data, rt::EvalOptions{})->evaluate(rt::Scenario{});
  return r;
}

const ir::OptimizeStmt& stmt(const ir::Model& m) {
  for (auto& s : m.statements)
    if (s.kind() == ir::StmtKind::Optimize) return s.as<ir::OptimizeStmt>();
  FAIL("no optimize");
  throw;
}

std::vector<opt::Variable> variables(const ir::Model& m, const ir::OptimizeStmt& s) {
  std::vector<opt::Variable> v;
  for (auto& ov : s.vars)
    for (size_t sl = 0; sl < std::max<size_t>(1, m.params[ov.param].values.size()); ++sl) v.push_back({ov.param, sl});
  return v;
}

double coef(const opt::Affine& a, size_t j) {
  for (auto& [k, c] : a.terms)
    if (k == j) return c;
  return 0;
}

const char* kMix = R"(
model mix { grain: month  start: 2025-07 }
unit patient
param b_ppc: USD = 100
param b_sales: USD = 0
param b_consultants: USD = 0
param uplift: ratio = 10%
metric patients_ppc: patient = b_ppc / (100 USD/patient)
metric patients_sales: patient = b_sales / (150 USD/patient)
metric patients_consultants: patient = b_consultants / (80 USD/patient) * (1 + uplift) - (2 patient)
metric total_new_patients: patient = patients_ppc + patients_sales + patients_consultants
optimize m {
  maximize total_new_patients
  vary b_ppc, b_sales, b_consultants >= 0
  subject to {
    budget: b_ppc + b_sales + b_consultants <= 2000
    shift: b_ppc - 300 >= b_sales * 2 + 50
  }
}
)";

}  // namespace

TEST_CASE("optimize: affine forms through a chain of formulas, exactly") {
  auto r = load(kMix);
  const auto& m = r->model();
  const auto& s = stmt(m);
  opt::Linearizer lin(m, r->vals, 0, variables(m, s));
  // total = b_ppc/100 + b_sales/150 + b_consultants/80 * 1.1 - 2
  opt::Affine obj = lin.total(*s.objective);
  CHECK(coef(obj, 0) == 1.0 / 100);
  CHECK(coef(obj, 1) == 1.0 / 150);
  CHECK(coef(obj, 2) == 1.0 / 80 * 1.1);
  CHECK(obj.c == -2.0);
  // its value at the current values: what the evaluator computed
  CHECK(obj.at({100, 0, 0}) == Approx(r->vals.total(*m.findMetric("total_new_patients")).at(0, 0)));
  // a row with variables on both sides: b_ppc - 2 b_sales on the left, 50 + 300 on the right
  const auto& shift = s.subjectTo[1].cmp;
  opt::Affine d = opt::combine(lin.total(shift.lhs), -1, lin.total(shift.rhs));
  CHECK(coef(d, 0) == 1.0);
  CHECK(coef(d, 1) == -2.0);
  CHECK(-d.c == 350.0);
}

TEST_CASE("optimize: a param by a dimension is one variable per slice; a dimensioned row one per slice") {
  auto r = load(R"(
model t { grain: year  start: 2025 }
unit case
dimension plant { a, b }
dimension market { x, y, z }
param cost: USD/case by plant, market = { a: { x: 1, y: 2, z: 3 }, b: { x: 4, y: 5, z: 6 } }
param cap: case by plant = { a: 10, b: 20 }
param ship: case by plant, market = 0
metric total_cost: USD = sum(cost * ship over plant, market)
metric shipped: case by plant = sum(ship over market)
optimize o {
  minimize total_cost
  vary ship >= 0
  subject to { supply: shipped <= cap }
}
)");
  const auto& m = r->model();
  const auto& s = stmt(m);
  auto vars = variables(m, s);
  REQUIRE(vars.size() == 6);
  opt::Linearizer lin(m, r->vals, 0, vars);
  opt::Affine obj = lin.total(*s.objective);
  for (size_t j = 0; j < 6; ++j) CHECK(coef(obj, j) == static_cast<double>(j + 1));
  const auto& cmp = s.subjectTo[0].cmp;
  std::vector<ir::Id> dims = {*m.findDim("plant")};
  // supply[b]: ship[b,x] + ship[b,y] + ship[b,z] <= 20
  opt::Affine lhs = lin.at(cmp.lhs, dims, 1), rhs = lin.at(cmp.rhs, dims, 1);
  CHECK(lhs.terms.size() == 3);
  CHECK(coef(lhs, 3) == 1.0);
  CHECK(coef(lhs, 0) == 0.0);
  CHECK(rhs.constant());
  CHECK(rhs.c == 20.0);
}

TEST_CASE("optimize: what is not linear in the variables is refused, named") {
  auto r = load(R"(
model n { grain: month  start: 2025-07 }
param a: USD = 1
param b: USD = 1
param k: ratio = 2
metric curve: USD = a * hill(b, (5 USD), 2)
metric product: USD = a * b / (1 USD)
metric fine: USD = a * k + if(k > 1, b, a)
optimize o {
  maximize fine
  vary a, b >= 0
  subject to { c1: curve <= 10  c2: product <= 10 }
}
)");
  const auto& m = r->model();
  const auto& s = stmt(m);
  opt::Linearizer lin(m, r->vals, 0, variables(m, s));
  opt::Affine f = lin.total(*s.objective);  // a constant condition picks its branch
  CHECK(coef(f, 0) == 2.0);
  CHECK(coef(f, 1) == 1.0);
  CHECK_THROWS_AS(lin.total(s.subjectTo[0].cmp.lhs), opt::NotLinear);
  try {
    lin.total(s.subjectTo[1].cmp.lhs);
    FAIL("a product of two variables is linear?");
  } catch (const opt::NotLinear& e) {
    CHECK(std::string(e.what()).find("multiplies two expressions") != std::string::npos);
    CHECK(m.metrics[e.metric].name == "product");
  }
}

namespace {

// maximize x + y, x + y <= 4 (cap), x >= 3 (min_x), y >= 3 (min_y), x <= 10 (loose)
LpProblem conflicting() {
  LpProblem p;
  p.names = {"x", "y"};
  p.cost = {1, 1};
  p.lower = {0, 0};
  p.upper = {kInf, kInf};
  p.rows.push_back({"loose", {{0, 1}}, -kInf, 10});
  p.rows.push_back({"cap", {{0, 1}, {1, 1}}, -kInf, 4});
  p.rows.push_back({"min_x", {{0, 1}}, 3, kInf});
  p.rows.push_back({"min_y", {{1, 1}}, 3, kInf});
  return p;
}

}  // namespace

TEST_CASE("optimize: the deletion filter finds the irreducible conflict, and how far each row must move") {
  auto solver = makeGlpk();
  LpProblem p = conflicting();
  REQUIRE(solver->solve(p).status == LpStatus::Infeasible);
  auto iis = opt::deletionFilter(p, *solver);
  REQUIRE(iis == std::vector<size_t>{1, 2, 3});
  // cap must rise by 2 (to 6); min_x and min_y must each fall by 2 (to 1)
  CHECK(*opt::requiredMove(p, 1, *solver) == Approx(2));
  CHECK(*opt::requiredMove(p, 2, *solver) == Approx(2));
  CHECK(*opt::requiredMove(p, 3, *solver) == Approx(2));
}

TEST_CASE("optimize: an unbounded LP names the variable that runs away") {
  auto solver = makeGlpk();
  LpProblem p;
  p.names = {"x", "y"};
  p.cost = {1, 1};
  p.lower = {0, 0};
  p.upper = {kInf, 5};
  p.rows.push_back({"r", {{1, 1}}, -kInf, 3});
  REQUIRE(solver->solve(p).status == LpStatus::Unbounded);
  auto u = opt::unboundedVariables(p, *solver);
  REQUIRE(u.size() == 1);
  CHECK(u[0].first == 0);
  CHECK(u[0].second == 1);
}
