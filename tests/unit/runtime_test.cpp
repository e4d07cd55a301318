// The runtime: data loading, every operator (time operators at year and quarter
// boundaries), totals, missing values, describe. Expected values are computed by
// hand in the comments.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <unistd.h>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "agree.h"
#include "helpers.h"
#include "mtc/engines/results.h"
#include "mtc/report.h"
#include "mtc/runtime.h"

using namespace mtc;
using namespace mtc::test;
namespace fs = std::filesystem;

namespace {

struct Run {
  std::unique_ptr<Compilation> c;
  rt::Data data;
  std::unique_ptr<rt::Evaluator> ev;
  rt::Values vals;
  bool loaded = false;
  const ir::Model& model() const { return *data.model; }  // with the data's dimensions
  double v(const std::string& metric, size_t t, size_t slice = 0) const {
    auto id = model().findMetric(metric);
    REQUIRE(id);
    return vals.metric(*id).at(slice, t);
  }
  double total(const std::string& metric, size_t t) const { return vals.total(*model().findMetric(metric)).at(0, t); }
  // The diagnostics of loading the data, by row: message.
  std::map<size_t, std::string> issuesByRow() const {
    std::map<size_t, std::string> m;
    for (auto& d : c->diags.all()) m[d.range.begin.line] = d.message;
    return m;
  }
  std::string firstIssue() const { return c->diags.all().empty() ? "" : c->diags.all().front().message; }
  // The statement's result as its JSON object (describe, through the engine and the JSON report).
  nlohmann::ordered_json result(size_t statement = 0) const {
    eng::EvaluatorFactory f(model(), data, rt::JitMode::Never);
    eng::Context ctx{model(), data, *ev, vals, f, {}};
    const ir::Statement& s = model().statements.at(statement);
    return report::toJson(model(), eng::StatementResult{statement + 1, s.kind(), eng::runStatement(ctx, s)});
  }
};

fs::path tmpDir() {
  // one folder per process: ctest -j runs test cases in parallel processes
  fs::path d = fs::temp_directory_path() / ("mtc_runtime_test." + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

// x = 1, 2, ..., 24 over 2023-01 .. 2024-12
std::string monthlyCsv() {
  std::string s = "month,x\n";
  for (int i = 0; i < 24; ++i) s += "20" + std::to_string(23 + i / 12) + "-" + (i % 12 < 9 ? "0" : "") + std::to_string(i % 12 + 1) + "," + std::to_string(i + 1) + "\n";
  return s;
}

Run run(const std::string& model, const std::string& csv, const std::string& csvName = "d.csv") {
  fs::path dir = tmpDir();
  std::ofstream(dir / csvName) << csv;
  Run r;
  r.c = compileText((dir / "m.mtree").string(), model);
  INFO(renderAll(r.c->sources, r.c->diags));
  REQUIRE_FALSE(r.c->diags.hasErrors());
  r.loaded = rt::load(*r.c->model, r.data, r.c->diags, r.c->sources);
  if (r.loaded) {
    r.ev = rt::makeInterpreter(r.model(), r.data, rt::EvalOptions{});
    r.ev->evaluateInto(rt::Scenario{}, r.vals);
    // every number these tests check by hand, the JIT must give bit for bit
    rt::Values jit = rt::makeJit(r.model(), r.data, rt::EvalOptions{})->evaluate(rt::Scenario{});
    CHECK(firstDifference(r.model(), r.vals, jit) == "");
  }
  return r;
}

const char* kTimeOps =
    "model t { grain: month }\n"
    "source d = csv(\"d.csv\") { time: month }\n"
    "metric x: count { data: d.x }\n"
    "metric lag1: count = lag(x, 1)\n"
    "metric dlt: count = delta(x)\n"
    "metric pct: ratio = pct_change(x)\n"
    "metric cum: count = cumsum(x)\n"
    "metric rs3: count = rolling_sum(x, 3)\n"
    "metric rm3: count = rolling_mean(x, 3)\n"
    "metric y2d: count = ytd(x)\n"
    "metric yy: ratio = yoy(x)\n"
    "metric ad: count = adstock(x, 0.5)\n";

}  // namespace

TEST_CASE("time operators at month grain, across the year boundary") {
  Run r = run(kTimeOps, monthlyCsv());
  REQUIRE(r.loaded);
  REQUIRE(r.data.time.count == 24);
  CHECK(formatPeriod(r.data.time.first) == "2023-01");
  CHECK(std::isnan(r.v("lag1", 0)));
  CHECK(r.v("lag1", 12) == 12);                    // 2024-01 reads 2023-12
  CHECK(r.v("dlt", 12) == 1);
  CHECK(r.v("pct", 12) == Approx(13.0 / 12 - 1));
  CHECK(r.v("cum", 23) == 300);                    // 1 + ... + 24
  CHECK(std::isnan(r.v("rs3", 1)));                // a window of 3 needs 3 periods
  CHECK(r.v("rs3", 2) == 6);
  CHECK(r.v("rm3", 12) == 12);                     // (11 + 12 + 13) / 3
  CHECK(r.v("y2d", 2) == 6);                       // 2023-03: 1 + 2 + 3
  CHECK(r.v("y2d", 11) == 78);                     // 2023-12: 1 + ... + 12
  CHECK(r.v("y2d", 12) == 13);                     // 2024-01 starts again
  CHECK(r.v("y2d", 14) == 42);                     // 13 + 14 + 15
  CHECK(std::isnan(r.v("yy", 11)));                // no 2022-12
  CHECK(r.v("yy", 12) == 12);                      // 13 / 1 - 1
  CHECK(r.v("yy", 23) == 1);                       // 24 / 12 - 1
  CHECK(r.v("ad", 1) == 2.5);                      // 2 + 0.5 * 1
  CHECK(r.v("ad", 2) == 4.25);                     // 3 + 0.5 * 2.5
}

TEST_CASE("time operators at quarter grain: monthly data rolls up") {
  std::string model = kTimeOps;
  model.replace(model.find("grain: month"), 12, "grain: quarter");
  Run r = run(model, monthlyCsv());
  REQUIRE(r.loaded);
  REQUIRE(r.data.time.count == 8);
  CHECK(r.v("x", 0) == 6);     // 2023-Q1: 1 + 2 + 3
  CHECK(r.v("x", 4) == 42);    // 2024-Q1: 13 + 14 + 15
  CHECK(r.v("lag1", 4) == 33); // 2023-Q4: 10 + 11 + 12
  CHECK(r.v("yy", 4) == 6);    // 42 / 6 - 1
  CHECK(r.v("y2d", 3) == 78);  // the whole of 2023
  CHECK(r.v("y2d", 5) == 93);  // 42 + 51
  CHECK(r.v("rm3", 2) == 15);  // (6 + 15 + 24) / 3
}

TEST_CASE("a year that starts before the data has no year-to-date") {
  std::string csv = "month,x\n2023-03,1\n2023-04,2\n2024-01,3\n";
  // 2023-05 .. 2023-12 are missing: gaps, not zeros
  Run r = run(kTimeOps, csv);
  REQUIRE(r.loaded);
  CHECK(std::isnan(r.v("y2d", 0)));  // 2023-01 and 02 are outside the data
  CHECK(std::isnan(r.v("x", 2)));    // 2023-05: no row
  CHECK(std::isnan(r.v("cum", 5)));  // a missing value inside the sum
  CHECK(r.v("y2d", 10) == 3);        // 2024-01
}

TEST_CASE("dimensions: broadcasting, reductions, shares, selection and totals") {
  const char* model =
      "model d { grain: month }\nunit lead\nunit patient\n"
      "dimension channel { ppc, sales }\n"
      "dimension region { north, south }\n"
      "source s = csv(\"dims.csv\") { time: month dimensions: channel, region }\n"
      "param conv: patient/lead by channel = { ppc: 10%, sales: 50% }\n"
      "metric spend: USD by channel, region { data: s.spend }\n"
      "metric leads: lead by channel, region { data: s.leads }\n"
      "metric patients: patient by channel, region = leads * conv\n"
      "metric cpl: USD/lead by channel, region = spend / leads\n"
      "metric by_region: lead by region = sum(leads over channel)\n"
      "metric mix: ratio by channel, region = share(leads over channel)\n"
      "metric ppc_north: lead = leads[ppc, north]\n"
      "metric avg: lead = mean(leads)\n"
      "metric top: lead = max(leads over channel, region)\n";
  std::string csv =
      "month,channel,region,spend,leads\n"
      "2025-01,ppc,north,100,10\n2025-01,ppc,south,300,30\n2025-01,sales,north,200,40\n2025-01,sales,south,400,20\n";
  Run r = run(model, csv, "dims.csv");
  REQUIRE(r.loaded);
  // slices in row-major order: (ppc,north) (ppc,south) (sales,north) (sales,south)
  CHECK(r.v("patients", 0, 0) == Approx(1.0));   // 10 * 10%
  CHECK(r.v("patients", 0, 2) == Approx(20.0));  // 40 * 50%
  CHECK(r.total("patients", 0) == Approx(1 + 3 + 20 + 10));  // reads a per-channel param: sum of slices
  CHECK(r.v("cpl", 0, 1) == 10);                 // 300 / 30
  CHECK(r.total("cpl", 0) == 10);                // recomputed: 1000 / 100, not the mean of the slices (9.375)
  CHECK(r.v("by_region", 0, 0) == 50);           // north: 10 + 40
  CHECK(r.v("by_region", 0, 1) == 50);           // south: 30 + 20
  CHECK(r.v("mix", 0, 0) == Approx(0.2));        // 10 / (10 + 40)
  CHECK(r.v("mix", 0, 3) == Approx(0.4));        // 20 / (30 + 20)
  CHECK(r.v("ppc_north", 0) == 10);
  CHECK(r.v("avg", 0) == 25);
  CHECK(r.v("top", 0) == 40);
  CHECK(r.total("leads", 0) == 100);
}

TEST_CASE("missing data propagates, division by zero is missing") {
  const char* model =
      "model d { grain: month }\nunit lead\n"
      "dimension channel { a, b }\n"
      "source s = csv(\"miss.csv\") { time: month dimensions: channel missing: \"NA\" }\n"
      "metric spend: USD by channel { data: s.spend }\n"
      "metric leads: lead by channel { data: s.leads }\n"
      "metric total: USD = sum(spend over channel)\n"
      "metric cpl: USD/lead by channel = spend / leads\n"
      "metric big: ratio by channel = if(spend > (100 USD), 1, 0)\n";
  std::string csv = "month,channel,spend,leads\n2025-01,a,NA,1\n2025-01,b,50,0\n2025-02,a,10,2\n2025-02,b,20,4\n";
  Run r = run(model, csv, "miss.csv");
  REQUIRE(r.loaded);
  CHECK(std::isnan(r.v("total", 0)));  // a's spend is missing: the sum is missing, not 50
  CHECK(r.v("total", 1) == 30);
  CHECK(std::isnan(r.v("cpl", 0, 1))); // 50 / 0
  CHECK(std::isnan(r.v("big", 0, 0))); // a comparison with a missing value is missing, not false
  CHECK(r.v("big", 0, 1) == 0);
}

TEST_CASE("bad rows are reported with file, row and column") {
  const char* model =
      "model d { grain: month }\n"
      "dimension channel { web, store }\n"
      "source s = csv(\"bad.csv\") { time: month dimensions: channel }\n"
      "metric orders: count by channel { data: s.orders }\n";
  std::string csv =
      "month,channel,orders\n"  // 1
      "2025-01,web,10\n"        // 2
      "2025-01,store,1x5\n"     // 3: not a number
      "2025-13,web,3\n"         // 4: no month 13
      "2025-02,web,4\n"         // 5
      "2025-02,web,5\n"         // 6: duplicate of 5
      "2025-02,mail,6\n";       // 7: not a channel
  Run r = run(model, csv, "bad.csv");
  CHECK_FALSE(r.loaded);
  std::map<size_t, std::string> byRow = r.issuesByRow();
  CHECK(byRow[3] == "'1x5' is not a number (column 'orders')");
  CHECK(byRow[4] == "invalid period '2025-13': months are 01 to 12 (column 'month')");
  CHECK(byRow[6] == "duplicate row for 2025-02, channel=web (first at row 5)");
  CHECK(byRow[7] == "'mail' is not a value of dimension 'channel' (web, store) (column 'channel')");
  // located in the data file, without its text
  std::string shown = renderAll(r.c->sources, r.c->diags);
  CHECK(shown.find("bad.csv:3: error: '1x5' is not a number (column 'orders') [data-value]\n") != std::string::npos);
  CHECK(shown.find("2025-01,store") == std::string::npos);
}

TEST_CASE("unknown columns, empty and binary files fail cleanly") {
  const char* model = "model d { grain: month }\nsource s = csv(\"c.csv\") { time: month }\nmetric x: count { data: s.x }\n";
  Run a = run(model, "month,y\n2025-01,1\n", "c.csv");
  CHECK_FALSE(a.loaded);
  CHECK(a.firstIssue() == "no column 'x' (data of metric 'x'); the columns are: month, y");
  Run b = run(model, "", "c.csv");
  CHECK_FALSE(b.loaded);
  CHECK(b.firstIssue() == "the file is empty (it needs a header row)");
  Run c = run(model, std::string("month,x\n\0\x01\x02", 11), "c.csv");
  CHECK_FALSE(c.loaded);
}

TEST_CASE("weekly data rolls up to months by the week's Thursday") {
  const char* model =
      "model w { grain: month }\nsource s = csv(\"w.csv\") { time: week }\nmetric x: count { data: s.x }\n";
  // 2025-W05 runs Mon 2025-01-27 .. Sun 02-02, Thursday 01-30: January.
  // 2025-W09 runs 02-24 .. 03-02, Thursday 02-27: February.
  Run r = run(model, "week,x\n2025-W04,1\n2025-W05,2\n2025-W06,4\n2025-W09,8\n", "w.csv");
  REQUIRE(r.loaded);
  CHECK(r.v("x", 0) == 3);   // January: W04 + W05
  CHECK(r.v("x", 1) == 12);  // February: W06 + W09
}

TEST_CASE("a sqlite source") {
  fs::path db = tmpDir() / "t.db";
  fs::remove(db);
  sqlite3* h = nullptr;
  REQUIRE(sqlite3_open(db.string().c_str(), &h) == SQLITE_OK);
  REQUIRE(sqlite3_exec(h, "create table leads(month text, channel text, n integer);"
                          "insert into leads values ('2025-01','a',5),('2025-01','b',7),('2025-02','a',6),('2025-02','b',NULL);",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(h);
  const char* model =
      "model q { grain: month }\ndimension channel { a, b }\n"
      "source crm = sqlite(\"t.db\", \"select month, channel, n as leads from leads\") { time: month dimensions: channel }\n"
      "metric leads: count by channel { data: crm.leads }\nmetric total: count = sum(leads)\n";
  Run r = run(model, "unused\n", "unused.csv");
  REQUIRE(r.loaded);
  CHECK(r.v("total", 0) == 12);
  CHECK(std::isnan(r.v("total", 1)));  // NULL is missing
}

TEST_CASE("describe at a coarser grain recomputes formulas from rolled-up inputs") {
  const char* model =
      "model d { grain: month }\nunit lead\n"
      "source s = csv(\"q.csv\") { time: month }\n"
      "metric spend: USD { data: s.spend }\n"
      "metric leads: lead { data: s.leads }\n"
      "metric cpl: USD/lead = spend / leads\n"
      "describe spend, cpl { grain: quarter }\n";
  // Q1: spend 100 + 200 + 300 = 600, leads 10 + 10 + 40 = 60 -> cpl 10 (the mean of monthly cpl would be 11.67)
  Run r = run(model, "month,spend,leads\n2025-01,100,10\n2025-02,200,10\n2025-03,300,40\n2025-04,50,5\n", "q.csv");
  REQUIRE(r.loaded);
  auto j = r.result();
  CHECK(j["metrics"]["spend"]["periods"] == nlohmann::ordered_json::array({"2025-Q1", "2025-Q2"}));
  CHECK(j["metrics"]["spend"]["values"][0] == 600.0);
  CHECK(j["metrics"]["spend"]["values"][1].is_null());  // 2025-Q2 has one month of data: not a whole quarter
  CHECK(j["metrics"]["cpl"]["values"][0].get<double>() == Approx(10.0));
}

TEST_CASE("describe reports change, shares and gaps") {
  const char* model =
      "model d { grain: month }\ndimension channel { a, b }\n"
      "source s = csv(\"g.csv\") { time: month dimensions: channel }\n"
      "metric orders: count by channel { data: s.orders }\n"
      "describe orders from 2025-01 to 2025-03\n";
  Run r = run(model, "month,channel,orders\n2025-01,a,10\n2025-01,b,30\n2025-02,a,20\n2025-02,b,30\n2025-03,a,5\n", "g.csv");
  REQUIRE(r.loaded);
  auto j = r.result();
  auto& o = j["metrics"]["orders"];
  CHECK(o["values"][0] == 40.0);
  CHECK(o["values"][1] == 50.0);
  CHECK(o["values"][2].is_null());               // b has no row for 2025-03
  CHECK(o["change"][1] == 10.0);
  CHECK(o["pct_change"][1].get<double>() == Approx(0.25));
  CHECK(o["slices"][0]["share"][0].get<double>() == Approx(0.25));  // a: 10 / 40
  CHECK(o["gaps"][0]["slice"]["channel"] == "b");
  CHECK(o["gaps"][0]["periods"][0] == "2025-03");
}

TEST_CASE("bare numbers in if() branches take the metric's unit") {
  const char* model =
      "model b { grain: month }\n"
      "source s = csv(\"b.csv\") { time: month }\n"
      "metric spend: USD { data: s.spend }\n"
      "metric bonus: USD = spend + if(spend > (100 USD), 50, 0)\n"
      "metric flag: USD = if(spend > 100, 1, 0)\n"
      "metric capped: USD = clamp(spend, 0, max(60, 10 * 7))\n";
  // spend 200, 50: bonus 250, 50; flag 1, 0 (USD); capped at max(60, 70) = 70: 70, 50
  Run r = run(model, "month,spend\n2025-01,200\n2025-02,50\n", "b.csv");
  REQUIRE(r.loaded);
  CHECK(r.v("bonus", 0) == 250);
  CHECK(r.v("bonus", 1) == 50);
  CHECK(r.v("flag", 0) == 1);
  CHECK(r.v("flag", 1) == 0);
  CHECK(r.v("capped", 0) == 70);
  CHECK(r.v("capped", 1) == 50);
}

TEST_CASE("a slice selected on a dimension whose values come from data") {
  const char* model =
      "model f { grain: month }\n"
      "dimension region from s.region\n"
      "dimension channel { a, b }\n"
      "source s = csv(\"f.csv\") { time: month dimensions: region, channel }\n"
      "metric spend: USD by region, channel { data: s.spend }\n"
      "metric east: USD by channel = spend[east]\n"
      "param p: ratio by region, channel = { east: { a: 1%, b: 2% }, _: 0 }\n"
      "metric scaled: USD by region, channel = spend * p\n";
  // regions in order of appearance: west, east. Slices of (region, channel) are
  // dimension-id order: region is declared first.
  Run r = run(model,
              "month,region,channel,spend\n2025-01,west,a,100\n2025-01,west,b,200\n"
              "2025-01,east,a,300\n2025-01,east,b,400\n",
              "f.csv");
  REQUIRE(r.loaded);
  const auto& D = r.model().dims[*r.model().findDim("region")];
  REQUIRE(D.values == std::vector<std::string>{"east", "west"});  // named by the model first, then the data
  CHECK(r.v("east", 0, 0) == 300);
  CHECK(r.v("east", 0, 1) == 400);
  CHECK(r.v("scaled", 0, 0) == Approx(3.0));  // (east, a): 300 * 1%
  CHECK(r.v("scaled", 0, 1) == Approx(8.0));  // (east, b): 400 * 2%
  CHECK(r.v("scaled", 0, 2) == 0);            // (west, a): the default
}

TEST_CASE("per-slice distributions of a param keyed by values from data reach its slices") {
  const char* model =
      "model f { grain: month }\n"
      "dimension region from s.region\n"
      "source s = csv(\"f.csv\") { time: month dimensions: region }\n"
      "metric spend: USD by region { data: s.spend }\n"
      "param p: ratio by region = { east: 1% ~ normal(1%, 0.1%), _: 2% ~ uniform(1%, 3%) }\n";
  Run r = run(model, "month,region,spend\n2025-01,west,100\n2025-01,east,300\n2025-01,north,5\n", "f.csv");
  REQUIRE(r.loaded);
  const auto& m = r.model();
  const auto& D = m.dims[*m.findDim("region")];
  REQUIRE(D.values == std::vector<std::string>{"east", "west", "north"});  // named by the model, then the data
  const auto& P = m.params[*m.findParam("p")];
  CHECK(P.values == std::vector<double>{0.01, 0.02, 0.02});
  REQUIRE(P.sliceDists.size() == 3);
  REQUIRE(P.sliceDists[0]);
  CHECK(P.sliceDists[0]->kind == ir::DistKind::Normal);
  REQUIRE(P.sliceDists[2]);
  CHECK(P.sliceDists[2]->kind == ir::DistKind::Uniform);  // north: the default's
}

TEST_CASE("describe at month grain of a weekly model groups weeks by their Thursday") {
  const char* model =
      "model w { grain: week }\n"
      "source s = csv(\"wk.csv\") { time: week }\n"
      "metric x: count { data: s.x }\n"
      "describe x { grain: month }\n";
  // 2025-W01 (Thu 2025-01-02) .. W05 (Thu 01-30): January = 1+2+3+4+5 = 15.
  // W06 (Thu 02-06) .. W09 (Thu 02-27): February = 6+7+8+9 = 30.
  // W10 (Thu 03-06) alone: March is partial, so missing.
  std::string csv = "week,x\n";
  for (int w = 1; w <= 10; ++w) csv += "2025-W" + std::string(w < 10 ? "0" : "") + std::to_string(w) + "," + std::to_string(w) + "\n";
  Run r = run(model, csv, "wk.csv");
  REQUIRE(r.loaded);
  auto j = r.result();
  auto& x = j["metrics"]["x"];
  CHECK(x["periods"] == nlohmann::ordered_json::array({"2025-01", "2025-02", "2025-03"}));
  CHECK(x["values"][0] == 15.0);
  CHECK(x["values"][1] == 30.0);
  CHECK(x["values"][2].is_null());
}
