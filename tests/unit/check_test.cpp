// The checker: type rules and every diagnostic, asserting message and line:col.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "helpers.h"
#include "mtc/builtins.h"
#include "mtc/ir_print.h"
#include <set>

using namespace mtc;
using namespace mtc::test;

static const char* kHeader =
    "model m { grain: month }\n"          // 1
    "unit patient\n"                      // 2
    "unit lead\n"                         // 3
    "dimension channel { ppc, sales }\n"  // 4
    "dimension region { north, south }\n";  // 5

static std::unique_ptr<Compilation> withHeader(const std::string& body, CompileOptions o = {}) {
  o.lints = false;
  return compileString(std::string(kHeader) + body, o);
}

static const ir::Expr& formula(const Compilation& c, const std::string& metric) {
  auto id = c.model->findMetric(metric);
  REQUIRE(id);
  REQUIRE(c.model->metrics[*id].formula);
  return c.model->exprs[*c.model->metrics[*id].formula];
}

TEST_CASE("USD/patient * patient is USD, with broadcasting and over") {
  auto c = withHeader(
      "param price: USD/patient = 480\n"
      "param conversion: patient/lead by channel = { ppc: 4%, sales: 10% }\n"
      "metric leads: lead by channel, region\n"
      "metric patients: patient by channel, region = leads * conversion\n"
      "metric revenue: USD by region = sum(patients over channel) * price\n"
      "metric total: USD = sum(revenue)\n");
  REQUIRE(clean(*c));
  const ir::Model& m = *c->model;
  CHECK(m.units.format(formula(*c, "patients").type.unit) == "patient");
  CHECK(formula(*c, "patients").type.dims.size() == 2);
  CHECK(formula(*c, "revenue").type.dims == std::vector<ir::Id>{*m.findDim("region")});
  CHECK(formula(*c, "total").type.dims.empty());
  auto conv = m.params[*m.findParam("conversion")];
  CHECK(conv.values == std::vector<double>{0.04, 0.10});
}

TEST_CASE("bare numbers take the unit their position needs") {
  auto c = withHeader(
      "metric spend: USD\n"
      "metric a: USD = spend + 100\n"           // 100 USD
      "metric b: USD = max(spend, 0)\n"          // 0 USD
      "metric c: USD = spend * 2\n"              // 2 is a ratio
      "metric d: USD = 50\n"                     // the declared unit
      "metric e: USD = if(spend > 1_000, spend, 0)\n"
      "metric f: ratio = spend / (2 kUSD)\n"
      "unit kUSD = 1000 USD\n");
  REQUIRE(clean(*c));
  // spend / (2 kUSD) is a ratio; the dump shows the constant in kUSD
  CHECK(ir::exprText(*c->model, *c->model->metrics[*c->model->findMetric("f")].formula) == "spend / (2 kUSD) * 0.001");  // USD/kUSD is a ratio scaled by 1/1000
}

TEST_CASE("scaled units convert: kUSD + USD") {
  auto c = withHeader("unit kUSD = 1000 USD\nmetric s: USD\nmetric k: kUSD = s + (1 kUSD)\n");
  REQUIRE(clean(*c));
  // the quantity is converted to the left side's unit, the sum to the declared one
  CHECK(ir::exprText(*c->model, *c->model->metrics[*c->model->findMetric("k")].formula) == "(s + (1000 USD)) * 0.001");
}

TEST_CASE("unit mismatch shows both units") {
  auto c = withHeader("metric spend: USD\nmetric leads: lead\nmetric x: USD = spend + leads\n");
  auto& d = only(*c, "unit-mismatch");
  CHECK(d.message == "cannot add 'USD' and 'lead'");
  CHECK(where(d) == "8:17");
  REQUIRE(d.notes.size() == 2);
  CHECK(d.notes[0].message == "this is USD");
  CHECK(d.notes[1].message == "this is lead");
}

TEST_CASE("comparing different units") {
  auto c = withHeader("metric spend: USD\nmetric leads: lead\nconstraint k: spend <= leads\n");
  CHECK(only(*c, "unit-mismatch").message == "cannot compare 'USD' and 'lead'");
}

TEST_CASE("a formula whose unit is not the declared one") {
  auto c = withHeader("metric spend: USD\nmetric leads: lead\nmetric cpl: USD = spend / leads\n");
  auto& d = only(*c, "declared-unit");
  CHECK(d.message == "the formula of 'cpl' is 'USD/lead', but 'cpl' is declared 'USD'");
  CHECK(where(d) == "8:19");
  CHECK(d.notes[0].message == "declared here");
}

TEST_CASE("unknown names suggest the closest one") {
  auto c = withHeader("param price: USD/patient = 480\nmetric p: patient\nmetric r: USD = p * prise\n");
  auto& d = only(*c, "unknown-name");
  CHECK(d.message == "unknown name 'prise'");
  CHECK(where(d) == "8:21");
  CHECK(d.notes[0].message == "did you mean 'price'?");
}

TEST_CASE("unknown units") {
  auto c = withHeader("metric x: patients\n");
  auto& d = only(*c, "unknown-unit");
  CHECK(d.message == "unknown unit 'patients'");
  CHECK(where(d) == "6:11");
  CHECK(d.notes[0].message == "did you mean 'patient'?");
}

TEST_CASE("a cycle is printed whole") {
  auto c = withHeader("metric a: USD = b + 1\nmetric b: USD = c\nmetric c: USD = a * 2\n");
  auto& d = only(*c, "cycle");
  CHECK(d.message == "formulas depend on each other in a cycle: a -> b -> c -> a");
  CHECK(where(d) == "6:17");
}

TEST_CASE("a formula reading its own past through lag is a stock; in the same period, a cycle") {
  // a stock: allowed, with an opening value, evaluated period by period
  auto ok = withHeader("metric x: USD { role: input }\nmetric s: USD = lag(s, 1) + x { initial: 100 }\n");
  REQUIRE(clean(*ok));
  const ir::Model& m = *ok->model;
  ir::Id sid = *m.findMetric("s");
  REQUIRE(m.groups.size() == 1);
  CHECK(m.groups[0] == std::vector<ir::Id>{sid});
  CHECK(m.metrics[sid].immediateDeps == std::vector<ir::Id>{*m.findMetric("x")});
  // without an opening value (or data): an error that says how to give one
  auto none = withHeader("metric x: USD { role: input }\nmetric s: USD = lag(s, 1) + x\n");
  auto& d0 = only(*none, "cycle");
  CHECK(d0.message == "'s' reads its own past through lag, but has no value before its first period");
  // an opening value reads no metric
  auto bad = withHeader("metric x: USD { role: input }\nmetric s: USD = lag(s, 1) + x { initial: x }\n");
  CHECK(only(*bad, "invalid-property").message.find("not metrics") != std::string::npos);
  // in the same period: a cycle, whose note points at lag
  auto c = withHeader("metric x: USD { role: input }\nmetric s: USD = s + x\n");
  auto& d = only(*c, "cycle");
  CHECK(d.message == "formulas depend on each other in a cycle: s -> s");
  REQUIRE_FALSE(d.notes.empty());
  CHECK(d.notes.back().message.find("lag(x, k) with k >= 1 is allowed") != std::string::npos);
  // formula and data: only for a stock
  auto both = withHeader("source h = csv(\"h.csv\") { time: month }\nmetric y: USD = 1 { data: h.y }\n");
  CHECK(only(*both, "invalid-property").message == "metric 'y' has both a formula and `data:`");
}

TEST_CASE("a slice key that is not a value of the dimension") {
  auto c = withHeader("param conv: ratio by channel = { ppc: 4%, seo: 10%, sales: 1% }\n");
  auto& d = only(*c, "unknown-dim-value");
  CHECK(d.message == "'seo' is not a value of dimension 'channel'");
  CHECK(where(d) == "6:43");
}

TEST_CASE("a per-slice param must cover every slice, or give a default") {
  auto c = withHeader("param conv: ratio by channel = { ppc: 4% }\n");
  CHECK(only(*c, "unknown-dim-value").message == "param 'conv' has no value for sales");
  auto ok = withHeader("param conv: ratio by channel, region = { ppc: { north: 1%, south: 2% }, _: 5% }\n");
  REQUIRE(clean(*ok));
  CHECK(ok->model->params[0].values == std::vector<double>{0.01, 0.02, 0.05, 0.05});
}

TEST_CASE("duplicate declarations") {
  auto c = withHeader("metric x: USD\nparam x: USD = 1\n");
  auto& d = only(*c, "duplicate");
  CHECK(d.message == "'x' is already declared (as a metric)");
  CHECK(where(d) == "7:7");
  CHECK(d.notes[0].message == "first declared here");
}

TEST_CASE("a statement naming something of the wrong kind") {
  auto c = withHeader("param price: USD = 1\nmetric r: USD = price * 2\ndescribe price\n");
  auto& d = only(*c, "wrong-kind");
  CHECK(d.message == "describe takes a metric, but 'price' is a param");
  CHECK(where(d) == "8:10");
  auto c2 = withHeader("metric r: USD\nseek r varying r\n");
  CHECK(only(*c2, "wrong-kind").message == "seek takes a goal, but 'r' is a metric");
  auto c3 = withHeader("metric r: USD\noptimize o { maximize r vary r >= 0 }\n");
  CHECK(only(*c3, "wrong-kind").message == "`vary` takes params, but 'r' is a metric");
}

TEST_CASE("invalid periods and durations") {
  auto c = withHeader("metric r: USD\ndescribe r from 2025-13 to 2025-06\n");
  auto& d = only(*c, "invalid-period");
  CHECK(d.message == "invalid period '2025-13': months are 01 to 12");
  CHECK(where(d) == "7:17");
  auto c2 = withHeader("metric r: USD\ndiagnose r at 2025-07 vs 2025 - 06\n");
  CHECK(only(*c2, "invalid-period").message == "a period is written as one word, without spaces");
  auto c3 = compileString("model q { grain: quarter }\nmetric r: USD\nforecast r for 2 months\n");
  CHECK(only(*c3, "invalid-duration").message == "2 months is not a whole number of quarters (the model's grain)");
}

TEST_CASE("dimensions must fit") {
  auto c = withHeader("metric leads: lead by channel\nmetric t: lead = leads\n");
  CHECK(only(*c, "dimension-mismatch").message == "the formula of 't' varies by channel, which 't' does not declare");
  auto c2 = withHeader("metric leads: lead by channel\nmetric t: lead = sum(leads over region)\n");
  CHECK(only(*c2, "dimension-mismatch").message == "cannot reduce over 'region': the expression has channel");
}

TEST_CASE("slices can be selected") {
  auto c = withHeader("metric leads: lead by channel, region\nmetric p: lead by region = leads[channel: ppc]\n"
                      "metric q: lead = leads[ppc, south]\n");
  REQUIRE(clean(*c));
  CHECK(ir::exprText(*c->model, *c->model->metrics[2].formula) == "leads[channel: ppc, region: south]");
}

TEST_CASE("time operators and their units") {
  auto c = withHeader(
      "metric s: USD\n"
      "metric a: USD = lag(s, 12) + delta(s) + cumsum(s) + rolling_mean(s, 3) + rolling_sum(s, 3) + ytd(s)\n"
      "metric g: ratio = yoy(s) + pct_change(s)\n"
      "metric h: ratio = hill(s, 100, 2)\n"
      "metric k: lead = saturate(s, (500 lead), 0.001)\n"
      "metric z: USD = adstock(s, 0.5)\n");
  REQUIRE(clean(*c));
  auto bad = withHeader("metric s: USD\nmetric a: USD = lag(s, 1.5)\n");
  CHECK(only(*bad, "invalid-call").message == "the lag must be a whole number of periods, 0 or more");
  auto bad2 = withHeader("metric s: USD\nmetric a: USD = log(s)\n");
  CHECK(only(*bad2, "unit-mismatch").message == "log() needs a ratio (a number without unit), not 'USD'");
}

TEST_CASE("function calls check their arguments") {
  auto c = withHeader("metric s: USD\nmetric a: USD = min(s)\nmetric b: USD = clamp(s, 0)\n");
  int n = 0;
  for (auto& d : c->diags.all()) n += d.code() == "invalid-call";
  CHECK(n == 1);  // min(s) alone reduces every dimension; clamp needs 3
  auto c2 = withHeader("function margin(r, c) = (r - c) / r\nmetric r: USD\nmetric k: USD\nmetric m: ratio = margin(r, k)\n");
  REQUIRE(clean(*c2));
  CHECK(ir::exprText(*c2->model, *c2->model->metrics[2].formula) == "(r - k) / r");
}

TEST_CASE("a deterministic relation must match a formula") {
  auto c = withHeader("metric a: USD\nmetric b: USD\nrelation a -> b: deterministic\n");
  CHECK(only(*c, "relation-mismatch").message == "no formula makes 'b' depend on 'a'");
  auto ok = withHeader("metric a: USD\nmetric b: USD = a * 2\nrelation a -> b: deterministic { lag: 1 month }\n");
  REQUIRE(clean(*ok));
  CHECK(ok->model->relations[0].lag == 1);
}

// ------------------------------------------------------------------ lints

static std::unique_ptr<Compilation> lint(const std::string& body) {
  return compileString(std::string(kHeader) + body);
}

TEST_CASE("lint: a goal that depends on a vanity metric") {
  auto c = lint("metric views: count { class: vanity data: h.v }\nmetric r: USD = views * (2 USD/count) { role: north_star }\n"
                "source h = csv(\"h.csv\") { time: month }\ngoal g: r >= 100\ndescribe r\n");
  auto& d = only(*c, "vanity-decision");
  CHECK(d.message == "goal 'g' depends on 'views', which is classified vanity");
  CHECK(where(d) == "9:6");
}

TEST_CASE("lint: north stars") {
  auto none = lint("metric r: USD = 1\ndescribe r\n");
  CHECK(only(*none, "no-north-star").message == "no metric is the north_star");
  auto two = lint("metric r: USD = 1 { role: north_star }\nmetric s: USD = 1 { role: north_star }\n");
  CHECK(only(*two, "many-north-stars").message == "'s' is a second north_star");
}

TEST_CASE("lint: inputs without data, metrics without stage, unused leading metrics") {
  auto c = lint("chain j { stage a }\nmetric x: USD { role: leading stage: a }\nmetric y: USD = 2 { role: north_star }\n");
  CHECK(only(*c, "input-without-data").message == "'x' has neither a formula nor data");
  CHECK(only(*c, "no-stage").message == "'y' has no stage");
  CHECK(only(*c, "unused-leading").message == "'x' is leading, but no formula or relation uses it");
}

TEST_CASE("lint: a compositional part that its whole's formula does not use") {
  auto c = lint("metric a: USD = 1 { role: north_star }\nmetric b: USD = 2\nrelation b -> a: compositional\n");
  CHECK(only(*c, "relation-contradicts").message == "'b' is declared a part of 'a', but the formula of 'a' does not use it");
}

TEST_CASE("deny-warnings makes lints errors, allow silences one") {
  CompileOptions o;
  o.denyWarnings = true;
  auto c = compileString(std::string(kHeader) + "metric r: USD = 1\ndescribe r\n", o);
  auto& d = only(*c, "no-north-star");  // the lint itself, now an error, at the model's name
  CHECK(d.severity == Severity::Error);
  CHECK(where(d) == "1:7");
  CHECK(c->diags.errorCount() == 1);
  CompileOptions a;
  a.allow = {"no-north-star"};
  auto c2 = compileString(std::string(kHeader) + "metric r: USD = 1\ndescribe r\n", a);
  CHECK(c2->diags.all().empty());
}

TEST_CASE("the optimize example of LANGUAGE.md checks") {
  auto c = compileString(
      "model mix { grain: month }\nunit patient\n"
      "param b_ppc: USD = 0\nparam b_sales: USD = 0\nparam b_consultants: USD = 0\n"
      "metric patients_ppc: patient = b_ppc / (100 USD/patient)\n"
      "metric patients_sales: patient = b_sales / (150 USD/patient)\n"
      "metric patients_consultants: patient = b_consultants / (80 USD/patient)\n"
      "metric total_new_patients: patient = patients_ppc + patients_sales + patients_consultants { role: north_star }\n"
      "optimize marketing_mix {\n  maximize total_new_patients\n  vary b_ppc, b_sales, b_consultants >= 0\n"
      "  subject to {\n    budget:   b_ppc + b_sales + b_consultants <= 2000\n    capacity: total_new_patients <= 150\n  }\n}\n");
  REQUIRE(clean(*c));
  const auto& s = c->model->statements.at(0).as<ir::OptimizeStmt>();
  CHECK(s.vars.size() == 3);
  CHECK(s.vars[0].lower == 0.0);
  CHECK(s.subjectTo.size() == 2);
  CHECK(c->model->units.format(c->model->exprs[s.subjectTo[0].cmp.rhs].type.unit) == "USD");
}

TEST_CASE("every complete model among LANGUAGE.md's snippets checks") {
  namespace fs = std::filesystem;
  int models = 0;
  for (auto& e : fs::directory_iterator(fs::path(MTC_SOURCE_DIR) / "tests" / "snippets")) {
    auto c = compile(e.path().string());
    bool isModel = false;
    for (auto& d : c->files[0]->decls) isModel |= d->kind == ast::DeclKind::Model;
    if (!isModel) continue;
    ++models;
    INFO(e.path().string() << "\n" << renderAll(c->sources, c->diags));
    CHECK_FALSE(c->diags.hasErrors());
  }
  CHECK(models >= 1);
}

TEST_CASE("every diagnostic code is documented in docs/diagnostics.md") {
  std::ifstream in(std::filesystem::path(MTC_SOURCE_DIR) / "docs" / "diagnostics.md");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string doc = ss.str();
  for (auto& info : allDiagCodes()) {
    INFO(info.code);
    CHECK(doc.find("### " + std::string(info.code) + "\n") != std::string::npos);
  }
}

TEST_CASE("recursive functions are refused, quickly") {
  auto c = withHeader("function f(x) = f(x) + f(x)\nparam p: ratio = 1\nmetric m: ratio = f(p)\n");
  // one error per recursive call, at the call, and nothing else
  std::vector<std::string> got;
  for (auto& d : c->diags.all())
    if (d.severity == Severity::Error) got.push_back(std::string(d.code()) + " " + where(d) + " " + d.message);
  const std::string msg = "f() is recursive (functions cannot call themselves, directly or through others)";
  CHECK(got == std::vector<std::string>{"invalid-call 6:17 " + msg, "invalid-call 6:24 " + msg});
}

TEST_CASE("flexible numbers flow into if, min, max, clamp and abs") {
  auto c = withHeader(
      "param r: USD = 10\n"
      "metric a: USD = if(r > 0, 1, 0)\n"
      "metric b: USD = max(0, 1 - 2)\n"
      "metric k: USD = clamp(0.5, r, (20 USD))\n");
  REQUIRE(clean(*c));
  const ir::Model& m = *c->model;
  const ir::Expr& a = formula(*c, "a");
  CHECK(a.op == ir::Op::If);
  CHECK(m.units.format(a.type.unit) == "USD");
  CHECK(m.units.format(m.exprs[a.args[1]].type.unit) == "USD");  // the branch 1 is 1 USD
  CHECK(m.units.format(m.exprs[a.args[0]].type.unit) == "ratio");  // the condition is untouched
  CHECK(formula(*c, "b").op == ir::Op::Const);  // folded: max(0, -1) = 0
  CHECK(formula(*c, "b").value == 0);
  CHECK(ir::exprText(m, *m.metrics[*m.findMetric("k")].formula) == "clamp((0.5 USD), r, (20 USD))");
}

TEST_CASE("slice distributions: the default's is kept; slice and whole-param ones conflict") {
  auto c = withHeader("param p: ratio by channel = { ppc: 1% ~ normal(1%, 0.1%), _: 5% ~ uniform(4%, 6%) }\n");
  REQUIRE(clean(*c));
  const auto& P = c->model->params[0];
  REQUIRE(P.sliceDists.size() == 2);
  REQUIRE(P.sliceDists[1]);
  CHECK(P.sliceDists[1]->kind == ir::DistKind::Uniform);
  CHECK(P.sliceDists[1]->args == std::vector<double>{0.04, 0.06});
  auto bad = withHeader("param p: ratio by channel = { ppc: 1% ~ normal(1%, 0.1%), _: 5% } ~ normal(3%, 1%)\n");
  CHECK(only(*bad, "invalid-expression").message ==
        "param 'p' has distributions on its slices and one for the whole param");
}

TEST_CASE("a stage or a source that does not resolve is reported once") {
  auto c = lint("chain j { stage a }\nmetric x: USD { stage: nowhere data: nosrc.x role: north_star }\ndescribe x\n");
  int n = 0;
  for (auto& d : c->diags.all()) {
    ++n;
    CHECK(d.code() == "unknown-name");
  }
  CHECK(n == 2);
}

TEST_CASE("postgres sources: env(\"NAME\") for the connection, a table or a SELECT, grain") {
  ::unsetenv("MTC_TEST_UNSET_URL");
  ::setenv("MTC_TEST_SET_URL", "host=db.example.com password=not-shown", 1);
  auto ok = withHeader(
      "source a = postgres(env(\"MTC_TEST_SET_URL\"), \"select month, channel, x from t\") { time: month  dimensions: channel  grain: week }\n"
      "source b = postgres(env(\"MTC_TEST_SET_URL\"), \" marketing.\\\"Spend 2025\\\" \") { time: d }\n"
      "source c = postgres(env(\"MTC_TEST_SET_URL\"), \"/* hi */ (WITH q AS (select 1) TABLE q)\") { time: d }\n");
  REQUIRE(clean(*ok));
  const ir::Source& a = ok->model->sources[0];
  CHECK(a.kind == ir::SourceKind::Postgres);
  CHECK(a.connEnv == "MTC_TEST_SET_URL");
  CHECK(a.query == "select month, channel, x from t");
  CHECK_FALSE(a.queryIsTable);
  CHECK(a.grain == Grain::Week);
  CHECK(a.path.empty());
  CHECK(ok->model->sources[1].queryIsTable);
  CHECK_FALSE(ok->model->sources[2].queryIsTable);
  CHECK(dumpIr(*ok->model).find("source a postgres env(MTC_TEST_SET_URL) \"select month, channel, x from t\" time=month grain=week "
                               "dimensions=[channel]") != std::string::npos);

  auto lit = withHeader("source a = postgres(\"postgresql://u:hunter2@h/db\", \"t\") { time: month }\n");
  const Diagnostic& e = only(*lit, "invalid-call");
  CHECK(where(e) == "6:21");
  CHECK(e.message == "a postgres source's connection string comes from the environment, not the model file");
  CHECK(e.hideLine);
  CHECK(renderAll(lit->sources, lit->diags).find("hunter2") == std::string::npos);

  auto write = withHeader("source a = postgres(env(\"MTC_TEST_SET_URL\"), \"delete from t\") { time: month }\n");
  CHECK(only(*write, "invalid-call").message == "a postgres source's query is a table name or a SELECT");
  CHECK(where(only(*write, "invalid-call")) == "6:46");
  auto args = withHeader("source a = postgres(env(\"MTC_TEST_SET_URL\")) { time: month }\n");
  CHECK(only(*args, "invalid-call").message.rfind("postgres() takes two arguments", 0) == 0);
  auto other = withHeader("source a = sqlite(env(\"MTC_TEST_SET_URL\"), \"q\") { time: month }\n");
  CHECK(only(*other, "invalid-call").message == "sqlite() takes strings; env(...) is for a postgres source's connection");
  auto fn = withHeader("source a = postgres(secret(\"X\"), \"t\") { time: month }\n");
  CHECK(only(*fn, "invalid-call").message == "unknown function 'secret' in a source's arguments");
  auto coarse = withHeader("source a = postgres(env(\"MTC_TEST_SET_URL\"), \"t\") { time: d  grain: quarter }\n");
  CHECK(only(*coarse, "invalid-property").message ==
        "the source's grain (quarter) is coarser than the model's (month): data cannot be split");
  auto csvGrain = withHeader("source a = csv(\"a.csv\") { time: d  grain: month }\n");
  CHECK(only(*csvGrain, "invalid-property").message == "grain: is for a postgres source whose time column is a date or a timestamp");
  auto missing = withHeader("source a = postgres(env(\"MTC_TEST_SET_URL\"), \"t\") { time: d  missing: \"NA\" }\n");
  CHECK(only(*missing, "invalid-property").message.rfind("missing: is for csv and sqlite sources", 0) == 0);

  // an unset variable: a warning from check (the model is valid), none when checkEnv is off (mtc run)
  auto unset = withHeader("source a = postgres(env(\"MTC_TEST_UNSET_URL\"), \"t\") { time: d }\n");
  const Diagnostic& w = only(*unset, "env-unset");
  CHECK(w.severity == Severity::Warning);
  CHECK(where(w) == "6:21");
  CHECK(w.message == "environment variable MTC_TEST_UNSET_URL is not set: `mtc run` cannot read source 'a'");
  CompileOptions run;
  run.checkEnv = false;
  CHECK(clean(*withHeader("source a = postgres(env(\"MTC_TEST_UNSET_URL\"), \"t\") { time: d }\n", run)));
  ::unsetenv("MTC_TEST_SET_URL");
}

TEST_CASE("names declared in a broken declaration are not reported unknown") {
  // the parse error is the one mistake: no unknown-name for y, p or s2
  auto c = withHeader(
      "metric a: USD = 1\n"               // 6
      "metric y USD = 2\n"                // 7: missing ':'
      "param p: USD = \n"                 // 8: missing value
      "chain ch {\n stage s1\n stage s2 \"x\n}\n"  // 9-12: unterminated string
      "metric z: USD = y + a + p { stage: s2 }\n");
  INFO(renderAll(c->sources, c->diags));
  for (auto& d : c->diags.all()) CHECK(d.code() == "syntax");
  CHECK(c->diags.errorCount() == 3);
}

TEST_CASE("an unfinished formula: one error, the next declaration checks") {
  auto c = withHeader("metric x: USD = 1 +\nmetric y: USD = 2\nmetric z: USD = y + x\n");
  REQUIRE(c->diags.errorCount() == 1);
  CHECK(c->diags.all()[0].message == "expected an expression, found 'metric'");
  CHECK(where(c->diags.all()[0]) == "7:1");
  REQUIRE(c->model->findMetric("y"));
  CHECK_FALSE(c->model->findMetric("x"));  // broken: skipped by the checker
}

TEST_CASE("period errors name the period once and say why") {
  auto c = withHeader("metric r: USD\n"                                 // 6
                      "describe r from 2025-Q5 to 2025-02-29\n"          // 7
                      "describe r at 2025-W53\n"                         // 8
                      "describe r from 2025-7\n");                       // 9
  std::vector<std::string> got;
  for (auto& d : c->diags.sorted())
    if (d.code() == "invalid-period") got.push_back(where(d) + " " + d.message);
  REQUIRE(got.size() == 4);
  CHECK(got[0] == "7:17 invalid period '2025-Q5': quarters are Q1 to Q4");
  CHECK(got[1] == "7:28 invalid period '2025-02-29': 2025-02 has 28 days");
  CHECK(got[2] == "8:15 invalid period '2025-W53': 2025 has 52 ISO weeks");
  CHECK(got[3] == "9:17 invalid period '2025-7': write 2025, 2025-07, 2025-Q3, 2025-W31 or 2025-07-30");
}

// ---- one mistake, one error

static std::vector<std::string> errorsOf(const Compilation& c) {
  std::vector<std::string> v;
  for (auto& d : c.diags.sorted())
    if (d.severity == Severity::Error) v.push_back(where(d) + " " + d.code());
  return v;
}

TEST_CASE("a unit mismatch inside a formula is not also a declared-unit error") {
  auto c = withHeader("metric a: USD\nmetric b: lead\nmetric x: lead = a + b\nmetric y: lead = max(a, b)\n");
  CHECK(errorsOf(*c) == std::vector<std::string>{"8:18 unit-mismatch", "9:18 unit-mismatch"});
  CHECK(c->diags.sorted()[0].message == "cannot add 'USD' and 'lead'");
}

TEST_CASE("an unknown declared unit or dimension is reported once, not at every use") {
  auto c = withHeader(
      "metric a: USD\n"                          // 6
      "metric w: foo_unit = a\n"                 // 7: unknown unit (no declared-unit error)
      "metric v: USD = w + a\n"                  // 8: w's type is unknown: no unit-mismatch
      "param p: bar = (5 USD)\n"                 // 9: unknown unit (no declared-unit error)
      "param q: USD by nodim = { x: 1 }\n"       // 10: unknown dimension (no map errors)
      "metric k: USD by channel = q * 2 + p\n"); // 11: nothing more
  CHECK(errorsOf(*c) == std::vector<std::string>{"7:11 unknown-unit", "9:10 unknown-unit", "10:17 unknown-name"});
}

TEST_CASE("an unknown stage does not also give the no-stage lint") {
  CompileOptions o;
  auto c = compileString("model m { grain: month }\nchain c { stage s1 }\n"
                         "metric a: USD = 1 { stage: nope role: north_star }\ndescribe a\n", o);
  std::vector<std::string> codes;
  for (auto& d : c->diags.all()) codes.push_back(d.code());
  CHECK(codes == std::vector<std::string>{"unknown-name"});
  CHECK(where(c->diags.all()[0]) == "3:28");
}

TEST_CASE("a goal's period is checked even when its comparison has an error") {
  auto c = withHeader("metric a: USD\ngoal g: a >= (5 lead) by 2025-13\n");
  CHECK(errorsOf(*c) == std::vector<std::string>{"7:9 unit-mismatch", "7:26 invalid-period"});
}

TEST_CASE("grain names are the same in the model header and in a describe: singular") {
  auto c = compileString("model m { grain: months }\nmetric r: USD\ndescribe r { grain: quarters }\n");
  std::vector<std::string> got;
  for (auto& d : c->diags.sorted())
    if (d.code() == "invalid-property") {
      got.push_back(where(d) + " " + d.message);
      REQUIRE(d.notes.size() == 1);
      CHECK(d.notes[0].message.find("a grain is singular") != std::string::npos);
    }
  CHECK(got == std::vector<std::string>{"1:18 unknown grain 'months'", "3:21 unknown grain 'quarters'"});
  auto ok = compileString("model m { grain: month }\nmetric r: USD { role: north_star }\ndescribe r { grain: quarter }\n");
  INFO(renderAll(ok->sources, ok->diags));
  CHECK_FALSE(ok->diags.hasErrors());
  REQUIRE(ok->model->statements.size() == 1);
  CHECK(ok->model->statements[0].as<ir::DescribeStmt>().grain == Grain::Quarter);
}

TEST_CASE("per-slice distributions: the `_` default's alone is kept") {
  auto c = withHeader("param p: ratio by channel = { ppc: 1%, _: 5% ~ uniform(4%, 6%) }\n");
  REQUIRE(clean(*c));
  const auto& P = c->model->params[0];
  REQUIRE(P.sliceDists.size() == 2);  // ppc, sales
  CHECK_FALSE(P.sliceDists[0]);       // ppc: its own value, no distribution
  REQUIRE(P.sliceDists[1]);           // sales: filled by the default, with its distribution
  CHECK(P.sliceDists[1]->kind == ir::DistKind::Uniform);
  CHECK(P.sliceDists[1]->args == std::vector<double>{0.04, 0.06});
}

static const char* kFromData =
    "model m { grain: month }\n"                                              // 1
    "dimension region from s.region\n"                                        // 2
    "dimension tier from s.tier\n"                                            // 3
    "source s = csv(\"x.csv\") { time: month dimensions: region, tier }\n";  // 4

TEST_CASE("per-slice distributions on a dimension whose values come from data are kept") {
  CompileOptions o;
  o.lints = false;
  auto c = compileString(std::string(kFromData) +
                             "param p: ratio by region = { east: 1% ~ normal(1%, 0.1%), west: 2%, _: 3% ~ uniform(2%, 4%) }\n",
                         o);
  REQUIRE(clean(*c));
  const auto& P = c->model->params[0];
  REQUIRE(P.keyed.size() == 2);
  REQUIRE(P.keyedDists.size() == 2);
  REQUIRE(P.keyedDists[0]);
  CHECK(P.keyedDists[0]->kind == ir::DistKind::Normal);
  CHECK(P.keyedDists[0]->args == std::vector<double>{0.01, 0.001});
  CHECK_FALSE(P.keyedDists[1]);
  REQUIRE(P.keyedDefaultDist);
  CHECK(P.keyedDefaultDist->kind == ir::DistKind::Uniform);
  // a whole-param distribution on top of per-slice ones is still a conflict
  auto bad = compileString(std::string(kFromData) + "param p: ratio by region = { east: 1% ~ normal(1%, 0.1%), _: 2% } ~ normal(2%, 1%)\n", o);
  auto& d = only(*bad, "invalid-expression");
  CHECK(d.message == "param 'p' has distributions on its slices and one for the whole param");
  CHECK(where(d) == "5:69");
}

TEST_CASE("x[value] on dimensions whose values come from data does not depend on declaration order") {
  CompileOptions o;
  o.lints = false;
  const std::string spend = "metric spend: USD by region, tier { data: s.spend }\n";  // 5
  const std::string named = "metric a: USD by tier = spend[region: east]\n";
  const std::string bare = "metric b: USD by tier = spend[east]\n";
  // east may be a region or a tier: ambiguous whichever line comes first
  auto first = compileString(std::string(kFromData) + spend + bare + named, o);
  auto second = compileString(std::string(kFromData) + spend + named + bare, o);
  const char* msg = "'east' may be a value of region, tier (their values come from data); write dimension: value";
  CHECK(only(*first, "unknown-dim-value").message == msg);
  CHECK(where(only(*first, "unknown-dim-value")) == "6:31");
  CHECK(only(*second, "unknown-dim-value").message == msg);
  CHECK(where(only(*second, "unknown-dim-value")) == "7:31");
  // a value a listed dimension has is that dimension's; otherwise the one from-data dimension's
  auto mixed = compileString(std::string(kFromData) + "dimension channel { ppc, web }\n"
                             "metric x: USD by region, channel\n"
                             "metric y: USD by region = x[ppc]\nmetric z: USD by channel = x[east]\n", o);
  CHECK(clean(*mixed));
}

TEST_CASE("a property given twice in one block is an error") {
  auto c = withHeader("metric r: USD\ndescribe r { grain: month grain: year }\n");
  auto& d = only(*c, "duplicate");
  CHECK(d.message == "property 'grain' is given twice");
  CHECK(where(d) == "7:27");
  REQUIRE(d.notes.size() == 1);
  CHECK(d.notes[0].range.begin.col == 14);
}

TEST_CASE("a backwards describe range is located at the range") {
  auto c = withHeader("metric r: USD\ndescribe r at 2025-07 .. 2025-01\ndescribe r from 2025-07 to 2025-01\n");
  std::vector<std::string> got;
  for (auto& d : c->diags.sorted()) got.push_back(where(d) + " " + d.message);
  CHECK(got == std::vector<std::string>{"7:15 the range ends before it starts", "8:17 the range ends before it starts"});
}

TEST_CASE("a quantity without parentheses in a formula gets a note") {
  auto c = withHeader("metric a: USD\nmetric k: USD = a + 3 USD\n");
  auto& d = only(*c, "syntax");
  CHECK(where(d) == "7:23");
  REQUIRE(d.notes.size() == 1);
  CHECK(d.notes[0].message == "a quantity in a formula is written in parentheses: (3 USD)");
}

TEST_CASE("an optimize with two objectives: one error, and the rest is still checked") {
  auto c = withHeader("param x: USD = 0\nmetric t: USD = x\n"
                      "optimize o {\n  minimize t\n  maximize t\n  vary x >= 10 <= 5\n}\n"
                      "goal o: t >= (5 USD)\n");
  std::vector<std::string> got;
  for (auto& d : c->diags.sorted()) got.push_back(where(d) + " " + d.message);
  CHECK(got == std::vector<std::string>{
                   "10:3 an optimize has one objective",
                   "11:3 the bounds of 'x' leave no value (10 > 5)",
                   "13:6 'o' is already declared (as an optimization)",  // at the second declaration: the goal
               });
}

TEST_CASE("stray tokens after a complete declaration do not make it broken") {
  // the `}` is one syntax error; metric a is still checked (and its unknown name reported)
  auto c = withHeader("metric a: USD = zz }\ndescribe a\n");
  CHECK(errorsOf(*c) == std::vector<std::string>{"6:17 unknown-name", "6:20 syntax"});
  // whereas a name missing inside a declaration breaks it: no "unknown metric ''"
  auto d = withHeader("describe metric\n");
  CHECK(errorsOf(*d) == std::vector<std::string>{"6:10 syntax"});
}

// ---------------------------------------------------------------- typed statements and properties

static const ir::Statement& onlyStatement(const Compilation& c) {
  INFO(renderAll(c.sources, c.diags));
  REQUIRE_FALSE(c.diags.hasErrors());
  REQUIRE(c.model->statements.size() == 1);
  return c.model->statements[0];
}

TEST_CASE("statement properties are typed: numbers as written, enums, periods, seconds") {
  const char* base = "model m { grain: month }\nmetric r: USD { role: north_star }\ngoal g: r >= 10\nparam b: USD = 0\n";
  auto d = compileString(std::string(base) + "diagnose r at 2025-07 vs previous { method: lmdi  top: 1_000  depth: 2 }\n");
  const auto& dg = onlyStatement(*d).as<ir::DiagnoseStmt>();
  CHECK(dg.method == ir::DiagnoseMethod::Lmdi);
  CHECK(dg.top == 1000);
  CHECK(dg.depth == 2);
  auto dd = compileString(std::string(base) + "diagnose r at 2025-07\n");
  CHECK(onlyStatement(*dd).as<ir::DiagnoseStmt>().depth == 3);  // the default
  CHECK_FALSE(onlyStatement(*dd).as<ir::DiagnoseStmt>().top.has_value());

  auto f = compileString(std::string(base) + "forecast r for 12 months { method: theta  interval: 80%  seed: 7  holdout: 6 }\n");
  const auto& fc = onlyStatement(*f).as<ir::ForecastStmt>();
  CHECK(fc.method == ir::ForecastMethod::Theta);
  CHECK(fc.level == Approx(0.8));
  CHECK(fc.seed == 7);
  CHECK(fc.holdout == 6);
  CHECK(fc.horizon.periods == 12);

  auto s = compileString(std::string(base) + "simulate r for 1 year { runs: 100_000  level: 0.95  sampling: mc }\n");
  const auto& sm = onlyStatement(*s).as<ir::SimulateStmt>();
  CHECK(sm.runs == 100000);
  CHECK(sm.level == Approx(0.95));
  CHECK(sm.sampling == ir::Sampling::Mc);
  CHECK(sm.horizon.periods == 12);
  CHECK(sm.seed == ir::kDefaultSeed);

  auto k = compileString(std::string(base) + "seek g varying b { at: 2026-06 }\n");
  CHECK(formatPeriod(*onlyStatement(*k).as<ir::SeekStmt>().at) == "2026-06");
  auto rc = compileString(std::string(base) + "recommend for g { top: 3  at: 2026-Q2 }\n");
  CHECK(onlyStatement(*rc).as<ir::RecommendStmt>().top == 3);
  CHECK(formatPeriod(*onlyStatement(*rc).as<ir::RecommendStmt>().at) == "2026-Q2");
  auto o = compileString(std::string(base) + "optimize mix { maximize r  vary b >= 0  method: simplex  at: 2026-01  time_limit: 30 }\n");
  const auto& op = onlyStatement(*o).as<ir::OptimizeStmt>();
  CHECK(op.method == ir::OptimizeMethod::Simplex);
  CHECK(op.timeLimit == 30);
  CHECK(formatPeriod(*op.at) == "2026-01");
  CHECK(op.name == "mix");
}

TEST_CASE("statement properties out of range or of the wrong form are located errors") {
  const char* base = "model m { grain: month }\nmetric r: USD { role: north_star }\n";
  auto msg = [&](const std::string& stmt) {
    auto c = compileString(std::string(base) + stmt + "\n");
    const Diagnostic& d = only(*c, "invalid-property");
    return where(d) + " " + d.message;
  };
  CHECK(msg("diagnose r at 2025-07 { top: 0 }") == "3:30 'top' must be a whole number from 1 to 1,000,000, not 0");
  CHECK(msg("diagnose r at 2025-07 { depth: 2.5 }") == "3:32 'depth' must be a whole number from 1 to 100, not 2.5");
  CHECK(msg("diagnose r at 2025-07 { method: shapely }") == "3:33 unknown method 'shapely'");
  CHECK(msg("forecast r for 3 months { interval: 150% }") == "3:37 'interval' must be a number from 0.01 to 0.999 (like 90% or 0.9), not 150%");
  CHECK(msg("forecast r for 3 months { holdout: x }") == "3:36 'holdout' takes a whole number from 1 to 1,000,000, not 'x'");
  CHECK(msg("simulate r for 3 months { runs: 1e9 }") == "3:33 'runs' must be a whole number from 1 to 10,000,000, not 1e9");
  CHECK(msg("simulate r for 3 months { sampling: sobol }") == "3:37 unknown sampling 'sobol'");
  CHECK(msg("forecast r for 3 months { interval: 90%  level: 0.8 }") == "3:49 `interval` and `level` are the same property; give one");
  CHECK(msg("describe r { top: 3 }") == "3:14 unknown property 'top' for `describe`");
}

TEST_CASE("relations: strength from 0 to 1 and sign are kept; a lag must be whole grain periods") {
  auto c = compileString(
      "model m { grain: month }\nmetric a: count\nmetric b: count { role: north_star }\n"
      "relation a -> b: causal { lag: 1 quarter  strength: 0.7  sign: negative }\n", noLints());
  INFO(renderAll(c->sources, c->diags));
  REQUIRE(c->diags.all().empty());
  const ir::Relation& r = c->model->relations.at(0);
  CHECK(r.lag == 3);
  CHECK(r.strength == 0.7);
  CHECK(r.sign == ir::Sign::Negative);

  auto strong = compileString("model m { grain: month }\nmetric a: count\nmetric b: count\nrelation a -> b: causal { strength: 1.5 }\n",
                              noLints());
  CHECK(where(only(*strong, "invalid-property")) == "4:37");
  // a month is not a whole number of days: refused, not made 0
  auto day = compileString("model m { grain: day }\nmetric a: count\nmetric b: count\nrelation a -> b: causal { lag: 1 month }\n",
                           noLints());
  const Diagnostic& d = only(*day, "invalid-duration");
  CHECK(where(d) == "4:32");
  CHECK(d.message == "1 month is not a whole number of days (the model's grain)");
  // a deterministic relation's sign comes from its formula
  auto det = compileString("model m { grain: month }\nmetric a: count\nmetric b: count = a * 2\nrelation a -> b: deterministic { sign: positive }\n",
                           noLints());
  CHECK(where(only(*det, "invalid-property")) == "4:40");
}

TEST_CASE("beta(a, b) is a ratio; a param with a unit gives beta its range") {
  auto bad = compileString("model m { grain: month }\nparam p: USD = 5 ~ beta(2, 5)\n", noLints());
  const Diagnostic& d = only(*bad, "invalid-call");
  CHECK(where(d) == "2:20");
  CHECK(d.message == "beta(a, b) draws a ratio from 0 to 1, but 'p' is 'USD'");
  auto ok = compileString("model m { grain: month }\nparam p: USD = 5 ~ beta(2, 5, 0, 10)\nparam q: ratio = 0.3 ~ beta(2, 5)\n",
                          noLints());
  INFO(renderAll(ok->sources, ok->diags));
  REQUIRE(ok->diags.all().empty());
  CHECK(ok->model->params[0].dist->args == std::vector<double>{2, 5, 0, 10});
  auto range = compileString("model m { grain: month }\nparam p: USD = 5 ~ beta(2, 5, 10, 0)\n", noLints());
  CHECK(only(*range, "invalid-call").message == "invalid beta(): the low end must be below the high end");
}

TEST_CASE("a metric's direction: higher_is_better by default") {
  auto c = compileString("model m { grain: month }\nmetric cost: USD { direction: lower_is_better }\nmetric rev: USD\n",
                         noLints());
  REQUIRE(c->diags.all().empty());
  CHECK(c->model->metrics[0].direction == ir::Direction::LowerIsBetter);
  CHECK(c->model->metrics[1].direction == ir::Direction::HigherIsBetter);
  auto bad = compileString("model m { grain: month }\nmetric cost: USD { direction: down }\n", noLints());
  CHECK(only(*bad, "invalid-property").message == "unknown direction 'down'");
}

TEST_CASE("CompileOptions::lints silences all eight lints") {
  const char* text =
      "model m { grain: month }\n"
      "chain c { stage s }\n"
      "metric vis: count { class: vanity  stage: s }\n"
      "metric lead_m: count { role: leading, north_star  stage: s }\n"
      "metric other: count { role: north_star }\n"
      "param p: count = 3\n"
      "metric tot: count = vis + cumsum(p) { stage: s }\n"
      "metric part: count { stage: s }\n"
      "relation part -> tot: compositional\n"
      "goal g: vis >= 3\n"
      "describe tot\n";
  auto on = compileString(text);
  std::set<std::string> codes;
  for (auto& d : on->diags.all()) codes.insert(d.code());
  INFO(renderAll(on->sources, on->diags));
  CHECK(codes == std::set<std::string>{"vanity-decision", "many-north-stars", "input-without-data", "no-stage",
                                       "unused-leading", "relation-contradicts", "constant-time-op"});
  auto off = compileString(text, noLints());
  CHECK(off->diags.all().empty());
  auto none = compileString("model m { grain: month }\nmetric a: count = 1 + 2\ndescribe a\n");
  CHECK(only(*none, "no-north-star").message == "no metric is the north_star");
  CHECK(compileString("model m { grain: month }\nmetric a: count = 1 + 2\ndescribe a\n", noLints())->diags.all().empty());
}

TEST_CASE("keywords come from the grammar, built-ins from their table") {
  CHECK(isKeyword("metric"));
  CHECK(isKeyword("over"));
  CHECK_FALSE(isKeyword("revenue"));
  CHECK(keywords().size() == 38);
  CHECK(declarationKeywords().front() == "model");
  CHECK(declarationKeywords().back() == "recommend");
  CHECK(ir::findBuiltin("rolling_mean")->maxArgs == 2);
  CHECK(ir::isTimeOp(ir::Op::Adstock));
  CHECK_FALSE(ir::isTimeOp(ir::Op::Hill));
  CHECK(ir::builtinOf(ir::Op::MinOver)->name == "min");
}
