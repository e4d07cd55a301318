// One evaluation call, the part both evaluators share: the scenario checked
// and resolved (timeline, params, period params, inputs, overrides), each
// metric's series settled from data or the scenario when it is not computed,
// overrides applied after a formula, and totals made from slices where a
// scenario overrides a metric (an overridden metric is an input for that call).
#pragma once

#include "storage.h"

namespace mtc::rt {

struct EvalCall {
  EvalCall(const Evaluator& ev, const Data& d, const Scenario& sc, Values& out, const Subset* subset);

  const Evaluator& ev;
  const ir::Model& m;
  const Data& d;
  const Scenario& sc;
  Values::Storage& st;
  const std::vector<ir::Id>& order;  // the metrics of this call, in topological order
  int64_t T = 0;
  // tangentInto: the tangents of the call's metrics, kept alongside the values
  // (zero where data, a scenario input or an override sets a cell).
  Tangents* tan = nullptr;
  // Sizes tan's series and its param tangents (per slice; per slice and period
  // for a param overridable by period) for the seed.
  void startTangents(Tangents& t, const Seed& seed);
  Series& tangentOutput(ir::Id id);
  Series& tangentTotal(ir::Id id);
  // The tangent row of a param read as a row, and a param's per-slice tangents.
  const Series& paramRowTangent(ir::Id p) const { return tan->paramRows[p]; }
  const std::vector<double>& paramTangent(ir::Id p) const { return tan->params[p]; }

  size_t slices(ir::Id metric) const { return std::max<size_t>(1, m.sliceCount(m.metrics[metric].dims)); }
  // Settles a metric that is not computed by its formula in this call (a
  // scenario input, data, or missing) and returns true; false when the
  // evaluator must compute its formula into st.own[id] and call afterFormula.
  bool settleWithoutFormula(ir::Id id);
  void afterFormula(ir::Id id);
  // Whether the evaluator computes the total as usual (recomputed or reduced);
  // false for a metric the scenario gives whole. Then afterTotal.
  bool normalTotal(ir::Id id) const { return st.inputOf[id] == nullptr; }
  void afterTotal(ir::Id id);
  // The series the JIT writes a metric's slices into (sized for this call).
  Series& output(ir::Id id);
  Series& outputTotal(ir::Id id);

  // Runs the call's metrics in order, each settled (data, an input) or computed:
  // formula(id) writes its slices into output(id), total(id) its total into
  // outputTotal(id). The members of a delayed cycle (ir::Model::groups) start
  // missing and are computed in T sweeps: after sweep k, periods 0..k hold their
  // final values (each reads the others' past, or their present computed
  // earlier in the sweep), so after T sweeps all do. Both evaluators run
  // through here, so they compute the same cells from the same inputs.
  template <typename F, typename G>
  void run(F&& formula, G&& total) {
    for (size_t k = 0; k < order.size(); ++k) {
      ir::Id id = order[k];
      ir::Id g = m.metrics[id].group;
      if (g == ir::kNone) {
        if (!settleWithoutFormula(id)) {
          formula(id);
          afterFormula(id);
        }
        if (normalTotal(id)) total(id);
        afterTotal(id);
        continue;
      }
      size_t end = k;
      while (end < order.size() && m.metrics[order[end]].group == g) ++end;
      for (size_t j = k; j < end; ++j) {
        ir::Id v = order[j];
        st.settled[v] = settleWithoutFormula(v);
        if (st.settled[v]) {
          if (normalTotal(v)) total(v);
          afterTotal(v);
        } else {
          startMissing(v);
        }
      }
      for (int64_t sweep = 0; sweep < T; ++sweep)
        for (size_t j = k; j < end; ++j) {
          ir::Id v = order[j];
          if (st.settled[v]) continue;
          formula(v);
          afterFormula(v);
          if (normalTotal(v)) total(v);
          afterTotal(v);
        }
      k = end - 1;
    }
  }

 private:
  void applyOverrides(ir::Id metric, Series& s) const;
  // A metric with a formula and data (a stock): its data over the formula where the data's periods are.
  void applyData(ir::Id metric, Series& s) const;
  void startMissing(ir::Id id);
  void checkScenario() const;
};

// agg across the slices of one period, as a reduce step computes it.
double aggAcrossSlices(ir::Agg agg, const Series& s, size_t t);
// The tangent of that agg, from the slices' values and tangents.
double aggTangentAcrossSlices(ir::Agg agg, const Series& s, const Series& tan, size_t t);

}  // namespace mtc::rt
