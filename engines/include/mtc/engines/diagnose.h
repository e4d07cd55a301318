// diagnose: why a metric moved from one period to another, by the five factors
// of metric drift (LANGUAGE.md section 5, docs/diagnose.md): component,
// temporal, influence, dimension, event; and first, whether the change is
// within the metric's normal variation.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "mtc/engines/context.h"

namespace mtc::eng {

struct DiagnoseResult {
  ir::Id metric = ir::kNone;
  Period at, base;
  Grain grain = Grain::Month;
  double valueAt = 0, valueBase = 0, change = 0, pctChange = 0;  // pctChange NaN from a base <= 0

  // Is the change unusual? Its z-score against the metric's changes over the same
  // distance in the history before `at`.
  struct Noise {
    std::optional<double> z;
    double mean = 0, sd = 0;
    size_t history = 0;
    std::string reason;
  } noise;

  struct Contribution {
    std::string driver;
    double value = 0;
    std::vector<Contribution> children;
  };
  struct Component {
    std::optional<std::string> reason;  // not estimable, and why
    std::string method, note;
    std::vector<Contribution> contributions;  // M's direct inputs, adding up to the change
  } component;

  struct Temporal {
    std::optional<double> value;        // the seasonal component's change from base to at
    std::string reason;
    double seasonalAt = 0, seasonalBase = 0, remainder = 0;
    int period = 0;
    size_t history = 0;
  } temporal;

  struct Influence {
    ir::Id from = ir::kNone, to = ir::kNone;
    ir::RelKind kind = ir::RelKind::Causal;
    int64_t lag = 0;
    size_t n = 0;
    double intercept = 0, slope = 0, r2 = 0;
    std::optional<double> explained;    // in the target's unit: slope x the influence's change
    std::optional<double> value;        // the same in the diagnosed metric's unit
    std::optional<ir::Sign> declared;
    std::optional<bool> signAgrees;
    std::optional<Period> breakAt;      // Chow's test at the middle of the history
    std::optional<double> breakF, breakP;
    std::string reason;                 // when it could not be fitted
  };
  std::vector<Influence> influences;
  std::string influenceReason;          // when there is none

  struct SliceFinding {
    std::vector<std::pair<ir::Id, uint32_t>> slice;  // (dimension, value index)
    double value = 0, share = 0, ratio = 0;
    std::vector<double> history;        // the slice's value from Dimension::historyFrom to `at` (the first 6 slices)
  };
  struct Dimension {
    std::optional<std::string> reason;
    std::vector<ir::Id> dims;           // the dimensions of the slices
    std::optional<double> volume;       // a sum of products a * x by slices: a's total
    std::optional<double> mix, rate;
    std::string mixReason;
    std::vector<SliceFinding> slices;   // root causes, most parsimonious first
    Period historyFrom;                 // where the slices' histories start (up to 12 periods before `at`)
    std::string note;
  } dimension;

  struct Event {
    std::vector<ir::Id> events;         // declared, covering `at`, on the metric's tree
    std::vector<Period> changePoints;   // in the whole history
    std::vector<Period> nearAt;         // of which within 2 periods of `at`
    std::optional<double> endpointP;    // is `at` outside the one-step-ahead interval?
    double predicted = 0, lower = 0, upper = 0;
    std::string method;                 // of the one-step-ahead prediction
    std::string endpointReason;
  } event;

  std::vector<std::string> narrative;   // ranked findings, one line each
};

DiagnoseResult diagnose(const Context& ctx, const ir::DiagnoseStmt& s);

}  // namespace mtc::eng
