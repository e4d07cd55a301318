// Values at a coarser grain (grain.h).
#include "grain.h"

#include "mtc/builtins.h"

namespace mtc::eng {

using namespace ir;

std::unique_ptr<AtGrain> valuesAtGrain(const Context& ctx, Grain g, const std::vector<Id>& metrics) {
  const Model& m = ctx.model;
  auto out = std::make_unique<AtGrain>();
  out->input.assign(m.metrics.size(), false);
  const rt::Timeline& tl = ctx.data.time;
  if (g == tl.grain) {
    out->timeline = tl;
    return out;
  }
  out->timeline = tl.coarsened(g);
  rt::Subset sub = ctx.evaluator.subset(metrics);
  out->scenario.timeline = &out->timeline;
  for (Id id : sub.order) {
    const Metric& M = m.metrics[id];
    if (M.formula && !timeDependent(m, id)) continue;
    if (!ctx.values.has(id)) continue;
    out->scenario.inputs.push_back({id, rt::rollUp(ctx.values.metric(id), tl, out->timeline, M.agg)});
    out->input[id] = true;
  }
  ctx.evaluator.evaluateInto(out->scenario, out->values, &sub);
  return out;
}

}  // namespace mtc::eng
