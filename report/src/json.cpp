// The JSON report (LANGUAGE.md section 10). This file owns the schema: every
// key written here is documented in docs/json.md and checked by
// docs/json.schema.json (tests validate every engine's output against it).
#include <cmath>

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

}  // namespace

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
             },
             r.result);
  return out;
}

json toJson(const Model& m, const std::vector<eng::StatementResult>& results) {
  json arr = json::array();
  for (auto& r : results) arr.push_back(toJson(m, r));
  return {{"model", m.name}, {"results", arr}};
}

std::string render(Format f, const Model& m, const std::vector<eng::StatementResult>& results, const Options& o) {
  switch (f) {
    case Format::Json: return toJson(m, results).dump(2) + "\n";
    case Format::Text: return renderText(m, results, o);
    case Format::Markdown: return renderMarkdown(m, results);
    case Format::Html: return renderHtml(m, results);
  }
  return {};
}

}  // namespace mtc::report
