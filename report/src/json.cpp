// The JSON report (LANGUAGE.md section 10). This file owns the schema: every
// key written here is documented in docs/json.md and checked by
// docs/json.schema.json (tests validate every engine's output against it).
#include <cmath>

#include "mtc/ir_print.h"
#include "common.h"
#include "mtc/ops.h"

namespace mtc::report {

using json = nlohmann::ordered_json;
using namespace ir;

namespace {

json num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json numbers(const std::vector<double>& v) {
  json a = json::array();
  for (double x : v) a.push_back(num(x));
  return a;
}

json periods(const std::vector<Period>& ps) {
  json a = json::array();
  for (auto& p : ps) a.push_back(formatPeriod(p));
  return a;
}

json sliceJson(const Model& m, const std::vector<Id>& dims, size_t slice) {
  json o = json::object();
  auto c = m.sliceCoords(dims, slice);
  for (size_t k = 0; k < dims.size(); ++k) o[m.dims[dims[k]].name] = m.dims[dims[k]].values[c[k]];
  return o;
}

void describeJson(const Model& m, const eng::DescribeResult& r, json& out) {
  out["from"] = formatPeriod(r.from);
  out["to"] = formatPeriod(r.to);
  out["grain"] = grainName(r.grain);
  json metrics = json::object();
  json ps = periods(r.periods);
  for (const auto& mr : r.metrics) {
    const Metric& M = m.metrics[mr.id];
    json mj = {{"unit", m.units.format(M.unit)}, {"periods", ps}};
    if (!M.title.empty()) mj["title"] = M.title;
    mj["values"] = numbers(mr.values);
    mj["change"] = numbers(mr.change);
    mj["pct_change"] = numbers(mr.pctChange);
    mj["total"] = mr.recomputed ? "recomputed" : std::string(aggName(rt::ops::acrossSlices(M.agg)));
    if (!M.dims.empty()) {
      json dims = json::array();
      for (Id d : M.dims) dims.push_back(m.dims[d].name);
      mj["dims"] = dims;
      json slices = json::array();
      for (const auto& s : mr.slices) {
        json sj = {{"slice", sliceJson(m, M.dims, s.index)}, {"values", numbers(s.values)}};
        if (!s.share.empty()) sj["share"] = numbers(s.share);
        slices.push_back(sj);
      }
      mj["slices"] = slices;
    }
    json gaps = json::array();
    for (const auto& g : mr.gaps) {
      json gj = {{"periods", periods(g.periods)}};
      if (g.slice) gj["slice"] = sliceJson(m, M.dims, *g.slice);
      gaps.push_back(gj);
    }
    mj["gaps"] = gaps;
    metrics[M.name] = mj;
  }
  out["metrics"] = metrics;
}

json optNum(const std::optional<double>& v) { return v ? num(*v) : json(nullptr); }

json contributions(const std::vector<eng::DiagnoseResult::Contribution>& cs) {
  json a = json::array();
  for (auto& c : cs) {
    json o = {{"driver", c.driver}, {"value", num(c.value)}};
    if (!c.children.empty()) o["children"] = contributions(c.children);
    a.push_back(o);
  }
  return a;
}

json sliceOf(const Model& m, const std::vector<std::pair<Id, uint32_t>>& sl) {
  json o = json::object();
  for (auto& [d, v] : sl) o[m.dims[d].name] = m.dims[d].values[v];
  return o;
}

void diagnoseJson(const Model& m, const eng::DiagnoseResult& r, json& out) {
  const Metric& M = m.metrics[r.metric];
  out["metric"] = M.name;
  out["unit"] = m.units.format(M.unit);
  out["at"] = formatPeriod(r.at);
  out["base"] = formatPeriod(r.base);
  out["grain"] = grainName(r.grain);
  out["value_at"] = num(r.valueAt);
  out["value_base"] = num(r.valueBase);
  out["change"] = num(r.change);
  out["pct_change"] = num(r.pctChange);
  json noise = {{"z", optNum(r.noise.z)}, {"history", r.noise.history}};
  if (r.noise.z) noise["mean"] = num(r.noise.mean), noise["sd"] = num(r.noise.sd);
  if (!r.noise.reason.empty()) noise["reason"] = r.noise.reason;
  out["noise"] = noise;
  json factors = json::array();
  {  // component
    json f = {{"factor", "component"}};
    if (r.component.reason) {
      f["value"] = nullptr;
      f["reason"] = *r.component.reason;
      f["contributions"] = json::array();
    } else {
      f["method"] = r.component.method;
      f["contributions"] = contributions(r.component.contributions);
      if (!r.component.note.empty()) f["note"] = r.component.note;
    }
    factors.push_back(f);
  }
  {  // temporal
    json f = {{"factor", "temporal"}, {"value", optNum(r.temporal.value)}};
    if (r.temporal.value) {
      f["seasonal_at"] = num(r.temporal.seasonalAt);
      f["seasonal_base"] = num(r.temporal.seasonalBase);
      f["remainder"] = num(r.temporal.remainder);
      f["period"] = r.temporal.period;
    } else {
      f["reason"] = r.temporal.reason;
    }
    factors.push_back(f);
  }
  {  // influence
    json f = {{"factor", "influence"}};
    json cs = json::array();
    for (auto& inf : r.influences) {
      json c = json::object();
      std::string from = inf.from == kNone ? "?" : m.metrics[inf.from].name;
      c["driver"] = from + " -> " + m.metrics[inf.to].name;
      c["from"] = from;
      c["to"] = m.metrics[inf.to].name;
      c["kind"] = relKindName(inf.kind);
      c["lag"] = inf.lag;
      c["value"] = optNum(inf.value);
      if (!inf.reason.empty()) {
        c["reason"] = inf.reason;
      } else {
        c["n"] = inf.n;
        c["slope"] = num(inf.slope);
        c["intercept"] = num(inf.intercept);
        c["r2"] = num(inf.r2);
        c["explained"] = optNum(inf.explained);
        if (inf.declared) c["sign"] = signName(*inf.declared), c["sign_agrees"] = *inf.signAgrees;
        if (inf.breakP)
          c["break"] = {{"test", "chow"}, {"at", formatPeriod(*inf.breakAt)}, {"f", num(*inf.breakF)}, {"p_value", num(*inf.breakP)}};
      }
      cs.push_back(c);
    }
    f["contributions"] = cs;
    if (!r.influenceReason.empty()) f["reason"] = r.influenceReason;
    factors.push_back(f);
  }
  {  // dimension
    json f = {{"factor", "dimension"}};
    if (r.dimension.reason) {
      f["value"] = nullptr;
      f["reason"] = *r.dimension.reason;
    }
    if (r.dimension.volume) f["volume"] = num(*r.dimension.volume);
    f["mix"] = optNum(r.dimension.mix);
    f["rate"] = optNum(r.dimension.rate);
    if (!r.dimension.mix && !r.dimension.mixReason.empty()) f["mix_reason"] = r.dimension.mixReason;
    json sl = json::array();
    for (auto& x : r.dimension.slices) {
      json o = {{"slice", sliceOf(m, x.slice)}, {"value", num(x.value)}, {"share", num(x.share)}};
      if (x.ratio > 0) o["ratio"] = num(x.ratio);
      if (!x.history.empty()) {
        json h = json::array();
        for (double v : x.history) h.push_back(num(v));
        o["history"] = h;
      }
      sl.push_back(o);
    }
    f["slices"] = sl;
    if (!r.dimension.slices.empty() && !r.dimension.slices.front().history.empty()) f["history_from"] = formatPeriod(r.dimension.historyFrom);
    if (!r.dimension.note.empty()) f["note"] = r.dimension.note;
    factors.push_back(f);
  }
  {  // event
    json f = {{"factor", "event"}};
    json evs = json::array();
    for (Id e : r.event.events) {
      const ir::Event& E = m.events[e];
      json affects = json::array();
      for (Id a : E.affects) affects.push_back(m.metrics[a].name);
      evs.push_back({{"name", E.name}, {"from", formatPeriod(E.from)}, {"to", formatPeriod(E.to)}, {"affects", affects}});
    }
    f["events"] = evs;
    json cps = json::array(), near = json::array();
    for (auto& p : r.event.changePoints) cps.push_back(formatPeriod(p));
    for (auto& p : r.event.nearAt) near.push_back(formatPeriod(p));
    f["change_points"] = cps;
    f["near"] = near;
    // endpoint_test: the p-value of `at` against the one-step-ahead interval; endpoint: how
    f["endpoint_test"] = optNum(r.event.endpointP);
    json ep = json::object();
    if (r.event.endpointP)
      ep = {{"method", r.event.method}, {"predicted", num(r.event.predicted)}, {"lower", num(r.event.lower)}, {"upper", num(r.event.upper)}, {"level", 0.95}};
    else ep["reason"] = r.event.endpointReason;
    f["endpoint"] = ep;
    factors.push_back(f);
  }
  out["factors"] = factors;
  json narrative = json::array();
  for (auto& l : r.narrative) narrative.push_back(l);
  out["narrative"] = narrative;
}

json periodsFrom(const Period& from, size_t n) {
  json a = json::array();
  for (size_t i = 0; i < n; ++i) a.push_back(formatPeriod(Period{from.grain, from.ord + static_cast<int64_t>(i)}));
  return a;
}

json goalJson(const Model& m, const eng::GoalOutlook& g) {
  const Goal& G = m.goals[g.goal];
  json o = {{"name", G.name}, {"at", formatPeriod(g.at)}, {"target", num(g.target)}, {"value", num(g.value)}, {"gap", num(g.gap)},
            {"met", g.met}, {"probability", optNum(g.probability)}};
  if (g.passed) o["actual"] = true;
  return o;
}

// forecast: one object per metric
std::vector<json> forecastJson(const Model& m, const eng::ForecastResult& r, json head) {
  std::vector<json> out;
  for (auto& fm : r.metrics) {
    json o = head;
    o["status"] = "ok";
    o["metric"] = m.metrics[fm.metric].name;
    o["unit"] = m.units.format(m.metrics[fm.metric].unit);
    o["method"] = fm.method;
    if (!fm.inputs.empty()) {
      json in = json::object();
      for (auto& [name, method] : fm.inputs) in[name] = method;
      o["inputs"] = in;
    }
    o["periods"] = periodsFrom(r.from, fm.mean.size());
    o["mean"] = numbers(fm.mean);
    o["lower"] = numbers(fm.lower);
    o["upper"] = numbers(fm.upper);
    o["level"] = r.level;
    if (fm.method == "propagated" || fm.method == "by slice") o["runs"] = r.runs;
    o["history"] = {{"periods", periodsFrom(fm.historyFrom, fm.history.size())}, {"values", numbers(fm.history)}};
    if (fm.goal) {
      json g = goalJson(m, *fm.goal);
      o["goal"] = g["name"];
      o["gap"] = g["gap"];
      o["probability"] = g["probability"];
      o["goal_outlook"] = g;
    }
    if (fm.accuracy) {
      const auto& a = *fm.accuracy;
      o["accuracy"] = {{"holdout", a.holdout}, {"periods", periodsFrom(a.from, a.actual.size())}, {"actual", numbers(a.actual)},
                       {"mean", numbers(a.mean)},  {"lower", numbers(a.lower)},                   {"upper", numbers(a.upper)},
                       {"mae", num(a.mae)},         {"mase", num(a.mase)},                        {"coverage", num(a.coverage)}};
    }
    if (!fm.notes.empty()) o["notes"] = fm.notes;
    out.push_back(o);
  }
  return out;
}

json seekHistory(const eng::SeekResult::Variable& v) {
  if (!v.highest) return nullptr;
  json h = {{"highest", num(*v.highest)}, {"highest_at", formatPeriod(v.highestAt)}, {"lowest", num(*v.lowest)},
            {"lowest_at", formatPeriod(v.lowestAt)}};
  h["vs_highest"] = *v.highest != 0 ? num(v.required / *v.highest) : json(nullptr);
  return h;
}

void seekJson(const Model& m, const eng::SeekResult& r, json& out) {
  out["goal"] = m.goals[r.goal].name;
  out["at"] = formatPeriod(r.at);
  out["solved"] = r.solved;
  if (!r.reason.empty()) out["reason"] = r.reason;
  auto name = [&](const Ref& ref) { return refName(m, ref); };
  auto change = [&](const eng::SeekResult::Variable& v) {
    return json{{"current", num(v.current)}, {"absolute", num(v.change)}, {"relative", num(v.relative)}};
  };
  if (r.variables.size() == 1) {
    const auto& v = r.variables[0];
    out["variable"] = name(v.ref);
    out["required"] = num(v.required);
    if (!v.slices.empty()) out["slices"] = numbers(v.slices);
    out["change"] = change(v);
    out["history"] = seekHistory(v);
  } else {
    json vars = json::object(), ch = json::object(), hist = json::object();
    for (const auto& v : r.variables) {
      vars[name(v.ref)] = num(v.required);
      ch[name(v.ref)] = change(v);
      hist[name(v.ref)] = seekHistory(v);
    }
    out["variables"] = vars;
    out["change"] = ch;
    out["history"] = hist;
  }
  out["target"] = num(r.target);
  out["value_before"] = num(r.before);
  out["value"] = num(r.after);
  out["feasible"] = r.feasible;
  json names = json::array(), details = json::array();
  for (const auto& c : r.violated) {
    names.push_back(m.constraints[c.constraint].name);
    details.push_back({{"constraint", m.constraints[c.constraint].name}, {"value", num(c.value)}, {"limit", num(c.limit)}, {"by", num(c.by)}});
  }
  out["violated"] = names;
  out["violations"] = details;
  if (!r.notes.empty()) out["notes"] = r.notes;
}

// simulate: one object per metric; the sensitivity (of the first metric) in the first
std::vector<json> simulateJson(const Model& m, const eng::SimulateResult& r, json head) {
  std::vector<json> out;
  for (size_t k = 0; k < r.metrics.size(); ++k) {
    const auto& sm = r.metrics[k];
    json o = head;
    o["status"] = "ok";
    o["metric"] = m.metrics[sm.metric].name;
    o["unit"] = m.units.format(m.metrics[sm.metric].unit);
    o["runs"] = r.runs;
    o["sampling"] = samplingName(r.sampling);
    o["seed"] = r.seed;
    o["periods"] = periodsFrom(r.from, sm.mean.size());
    o["mean"] = numbers(sm.mean);
    o["sd"] = numbers(sm.sd);
    o["p05"] = numbers(sm.p05);
    o["p50"] = numbers(sm.p50);
    o["p95"] = numbers(sm.p95);
    o["lower"] = numbers(sm.lower);
    o["upper"] = numbers(sm.upper);
    o["level"] = r.level;
    if (!sm.histCounts.empty()) o["histogram"] = {{"from", num(sm.histFrom)}, {"width", num(sm.histWidth)}, {"counts", sm.histCounts}};
    json sens = json::array();
    if (k == 0)
      for (const auto& in : r.sensitivity)
        sens.push_back({{"input", in.name}, {"distribution", in.distribution}, {"rank_correlation", num(in.rankCorrelation)},
                        {"low", num(in.low)}, {"high", num(in.high)}, {"at_low", num(in.atLow)}, {"at_high", num(in.atHigh)}});
    o["sensitivity"] = sens;
    if (k == 0 && !r.sensitivity.empty()) o["sensitivity_base"] = num(r.sensitivityBase);
    if (!r.notes.empty()) o["notes"] = r.notes;
    out.push_back(o);
  }
  return out;
}

json rangeJson(const std::optional<eng::OptimizeResult::Range>& r) {
  if (!r) return nullptr;
  return json::array({num(r->lo), num(r->hi)});
}

// Appends key -> value to a JSON object without looking the key up (the caller's keys
// are distinct): the ordered map searches keys linearly, which is quadratic over the
// thousands of variables and rows of a large optimisation.
void append(json& object, const std::string& key, json value) {
  object.get_ref<json::object_t&>().emplace_back(key, std::move(value));
}

void optimizeJson(const Model&, const eng::OptimizeResult& r, json& out) {
  out["status"] = r.status;
  out["name"] = r.name;
  out["at"] = formatPeriod(r.at);
  out["sense"] = r.maximize ? "maximize" : "minimize";
  out["expression"] = r.objectiveText;
  out["unit"] = r.unit;
  out["method"] = r.method;
  out["objective"] = num(r.objective);
  out["objective_before"] = num(r.objectiveBefore);
  out["time_limit_reached"] = r.timeLimit;
  json vars = json::object(), levers = json::object();
  for (const auto& v : r.variables) {
    append(vars, v.name, num(v.value));
    double change = v.value - v.current;
    append(levers, v.name, {{"current", num(v.current)},
                      {"value", num(v.value)},
                      {"change", num(change)},
                      {"relative", v.current != 0 ? num(change / std::fabs(v.current)) : json(nullptr)},
                      {"lower", num(v.lower)},
                      {"upper", num(v.upper)},
                      {"integer", v.integer},
                      {"cost", num(v.cost)},
                      {"reduced_cost", num(v.reducedCost)},
                      {"cost_range", rangeJson(v.costRange)}});
  }
  out["variables"] = std::move(vars);
  out["levers"] = std::move(levers);
  json cons = json::object();
  for (const auto& row : r.rows)
    append(cons, row.name, {{"value", num(row.activity)},   {"op", row.op},
                      {"limit", num(row.limit)},      {"lhs", num(row.lhs)},
                      {"rhs", num(row.rhs)},          {"binding", row.binding},
                      {"shadow_price", num(row.shadowPrice)}, {"limit_range", rangeJson(row.limitRange)},
                      {"from", row.model ? "constraint" : "subject_to"}});
  out["constraints"] = std::move(cons);
  json checks = json::object();
  for (const auto& c : r.checks) checks[c.name] = {{"lhs", num(c.lhs)}, {"rhs", num(c.rhs)}, {"holds", c.holds}};
  out["checks"] = std::move(checks);
  if (r.mip) out["mip"] = {{"bound", num(r.bound)}, {"gap", num(r.gap)}};
  if (r.status == "infeasible") {
    json names = json::array(), moves = json::array();
    for (const auto& c : r.conflict) {
      names.push_back(c.row);
      moves.push_back({{"constraint", c.row}, {"move", c.move ? num(*c.move) : json(nullptr)}, {"to", c.to ? num(*c.to) : json(nullptr)}});
    }
    out["conflict"] = names;
    out["conflict_moves"] = moves;
  }
  if (!r.starts.empty()) {  // the non-linear path
    json st = json::array();
    for (const auto& x : r.starts)
      st.push_back({{"from", x.from}, {"status", x.status}, {"objective", num(x.objective)}, {"feasible", x.feasible}, {"best", x.best}});
    out["starts"] = st;
    out["kkt_residual"] = num(r.kktResidual);
  }
  if (r.status == "unbounded") {
    json u = json::array();
    for (const auto& [name, dir] : r.unbounded) u.push_back({{"variable", name}, {"direction", dir > 0 ? "up" : "down"}});
    out["unbounded"] = u;
  }
  if (!r.notes.empty()) out["notes"] = r.notes;
}

// recommend: the gap, the levers, the bottleneck and the ranked recommendations
void recommendJson(const Model& m, const eng::RecommendResult& r, json& out) {
  out["status"] = "ok";
  out["goal"] = m.goals[r.goal].name;
  out["at"] = formatPeriod(r.at);
  out["expression"] = r.goalText;
  out["metric"] = r.metric.empty() ? json(nullptr) : json(r.metric);
  out["unit"] = r.unit;
  out["value"] = num(r.value);
  out["value_from"] = r.valueFrom;
  out["target"] = num(r.target);
  out["gap"] = num(r.gap);
  out["met"] = r.met;
  out["reachable"] = r.reachable;
  out["reach"] = r.reach ? num(*r.reach) : json(nullptr);
  out["history"] = {{"periods", periodsFrom(r.historyFrom, r.history.size())}, {"values", numbers(r.history)}};
  Period pathFrom{r.at.grain, r.at.ord - static_cast<int64_t>(r.path.size()) + 1};
  out["path"] = {{"periods", periodsFrom(pathFrom, r.path.size())}, {"values", numbers(r.path)}};
  auto opt = [](const std::optional<double>& v) { return v ? num(*v) : json(nullptr); };
  json levers = json::array();
  for (const auto& L : r.levers)
    levers.push_back({{"lever", L.name},
                      {"unit", L.unit},
                      {"source", L.source},
                      {"current", num(L.current)},
                      {L.perUnit ? "per_unit" : "per_percent", num(L.perPercent)},
                      {"optimal", opt(L.optimal)},
                      {"required", opt(L.required)},
                      {"feasible", L.feasible},
                      {"limit", opt(L.limit)}});
  out["levers"] = levers;
  if (r.bottleneck) {
    const auto& b = *r.bottleneck;
    auto str = [](const std::string& x) { return x.empty() ? json(nullptr) : json(x); };
    out["bottleneck"] = {{"lever", str(b.lever)},   {"constraint", str(b.constraint)}, {"per_unit", num(b.perUnit)},
                         {"basis", str(b.basis)},   {"stage", str(b.stage)},           {"stage_ratio", opt(b.stageRatio)}};
  } else {
    out["bottleneck"] = nullptr;
  }
  json recs = json::array();
  for (const auto& x : r.recommendations) {
    json figures = json::object();
    for (const auto& [k, v] : x.figures) figures[k] = num(v);
    recs.push_back({{"rank", x.rank},
                    {"type", eng::recTypeName(x.type)},
                    {"class", x.cls ? json(eng::decisionClassName(*x.cls)) : json(nullptr)},
                    {"move", x.move ? json(eng::moveName(*x.move)) : json(nullptr)},
                    {"action", x.action ? json(eng::actionKindName(*x.action)) : json(nullptr)},
                    {"level", x.level ? json(levelName(*x.level)) : json(nullptr)},
                    {"lever", x.lever.empty() ? json(nullptr) : json(x.lever)},
                    {"from", opt(x.from)},
                    {"to", opt(x.to)},
                    {"unit", x.unit.empty() ? json(nullptr) : json(x.unit)},
                    {"effect", opt(x.effect)},
                    {"constraint", x.constraint.empty() ? json(nullptr) : json(x.constraint)},
                    {"by", opt(x.by)},
                    {"evidence", {{"analysis", x.analysis}, {"figures", figures}}},
                    {"text", x.text}});
  }
  out["recommendations"] = recs;
  if (!r.notes.empty()) out["notes"] = r.notes;
}

}  // namespace

std::vector<json> toJsonObjects(const Model& m, const eng::StatementResult& r) {
  if (auto* f = std::get_if<eng::ForecastResult>(&r.result))
    return forecastJson(m, *f, json{{"kind", stmtKindName(r.kind)}, {"statement", r.statement}});
  if (auto* f = std::get_if<eng::SimulateResult>(&r.result))
    return simulateJson(m, *f, json{{"kind", stmtKindName(r.kind)}, {"statement", r.statement}});
  std::vector<json> one;
  one.push_back(toJson(m, r));  // moved: a braced list would copy it
  return one;
}

json toJson(const Model& m, const eng::StatementResult& r) {
  json out = {{"kind", stmtKindName(r.kind)}, {"statement", r.statement}};
  std::visit(overloaded{
                 [&](const eng::Failure& f) {
                   out["status"] = "error";
                   out["error"] = {{"code", diagInfo(f.code).code}, {"message", f.message}};
                 },
                 [&](const eng::DescribeResult& d) {
                   out["status"] = "ok";
                   describeJson(m, d, out);
                 },
                 [&](const eng::DiagnoseResult& d) {
                   out["status"] = "ok";
                   diagnoseJson(m, d, out);
                 },
                 [&](const eng::SeekResult& k) {
                   out["status"] = "ok";
                   seekJson(m, k, out);
                 },
                 [&](const eng::SimulateResult& f) {
                   auto objs = simulateJson(m, f, out);
                   out = objs.empty() ? out : objs.front();
                 },
                 [&](const eng::ForecastResult& f) {
                   auto objs = forecastJson(m, f, out);
                   out = objs.empty() ? out : objs.front();
                 },
                 [&](const eng::OptimizeResult& o) { optimizeJson(m, o, out); },
                 [&](const eng::RecommendResult& x) { recommendJson(m, x, out); },
             },
             r.result);
  return out;
}

json toJson(const Model& m, const std::vector<eng::StatementResult>& results) {
  json arr = json::array();
  for (auto& r : results)
    for (auto& o : toJsonObjects(m, r)) arr.push_back(std::move(o));
  json doc = json::object();
  doc["model"] = m.name;
  doc["results"] = std::move(arr);
  return doc;
}

std::string render(Format f, const Model& m, const std::vector<eng::StatementResult>& results, const Options& o) {
  switch (f) {
    case Format::Json: {
      std::string text = toJson(m, results).dump(2);
      text += '\n';
      return text;
    }
    case Format::Text: return renderText(m, results, o);
    case Format::Markdown: return renderMarkdown(m, results, o);
    case Format::Html: return renderHtml(m, results, o);
  }
  return {};
}

}  // namespace mtc::report
