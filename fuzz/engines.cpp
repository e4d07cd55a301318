// Fuzz target: the engines' statements and their options. The input is
// statement text appended to a fixed small model (two years of monthly data by
// channel, written once as a CSV; a tree of formulas, a param with a
// distribution, a constraint, a goal, a benchmark, an event), so the fuzzer
// mutates `describe ... from .. to`, `diagnose ... vs`, `forecast ... { method
// interval }`, `simulate { runs seed }`, `seek ... varying`, `optimize { ... }`
// and `recommend for ... { top }` rather than the model around them. Each input
// runs through the whole pipeline on the interpreter (runModel, as `mtc run
// --no-jit`) and is rendered in the four formats. Crashes, hangs and leaks are
// the findings; an error object or a diagnostic is an answer.
#include <cmath>
#include <fstream>
#include <string>

#include "driver.h"
#include "mtc/engines/pipeline.h"
#include "mtc/report.h"

namespace {

const char* kModel = R"(model fz { grain: month  currency: USD }
unit lead
unit patient
dimension channel { ppc, sales }
source history = csv("history.csv") { time: month  dimensions: channel }
param price: USD/patient = 60 ~ normal(60, 5)
param budget: USD by channel = { ppc: 1000, sales: 800 }
param fixed: USD = 500
param unit_cost: USD/patient by channel = { ppc: 50, sales: 70 }
metric spend: USD by channel { data: history.spend  role: input  class: actionable }
metric leads: lead by channel { data: history.leads }
metric patients: patient by channel { data: history.patients }
metric conversion: patient/lead by channel = patients / leads { direction: higher_is_better }
metric cpl: USD/lead = sum(spend over channel) / sum(leads over channel) { direction: lower_is_better }
metric revenue: USD = sum(patients over channel) * price
metric profit: USD = revenue - sum(spend over channel) - fixed { role: north_star }
metric growth: ratio = pct_change(revenue)
metric planned: patient = sum(budget / unit_cost over channel)
constraint cap: sum(budget over channel) <= 3000
event promo at 2024-06 { affects: leads }
goal target: profit >= 9000 by 2025-06
benchmark conversion { below_par: 10%, par: 20%, above_par: 30%, best: 45% }
)";

std::string modelPath;

}  // namespace

void fuzzSetUp() {
  const std::string& dir = fuzz::tempDir();
  std::ofstream csv(dir + "/history.csv");
  csv << "month,channel,spend,leads,patients\n";
  for (int t = 0; t < 24; ++t) {
    int y = 2023 + t / 12, mo = t % 12 + 1;
    char period[16];
    std::snprintf(period, sizeof period, "%d-%02d", y, mo);
    // deterministic, seasonal, with a step at the event
    double season = 1 + 0.2 * std::sin(t * 0.5236);
    csv << period << ",ppc," << 1000 + 10 * t << "," << static_cast<int>(100 * season + (t >= 17 ? 15 : 0)) << ","
        << static_cast<int>(20 * season + t % 3) << "\n";
    csv << period << ",sales," << 800 + 5 * t << "," << static_cast<int>(60 * season) << "," << static_cast<int>(15 + t % 4) << "\n";
  }
  modelPath = dir + "/fz.mtree";
}

void fuzzOne(const uint8_t* data, size_t size) {
  mtc::eng::RunRequest req;
  req.path = modelPath;
  req.text = std::string(kModel) + std::string(reinterpret_cast<const char*>(data), size);
  req.jit = mtc::rt::JitMode::Never;
  auto out = mtc::eng::runModel(req);
  if (!out.compilation) return;
  (void)mtc::renderAll(out.compilation->sources, out.compilation->diags);
  const mtc::ir::Model* m = out.model();
  if (!m || out.results.empty()) return;
  for (auto f : {mtc::report::Format::Json, mtc::report::Format::Text, mtc::report::Format::Markdown, mtc::report::Format::Html})
    (void)mtc::report::render(f, *m, out.results, {});
}
