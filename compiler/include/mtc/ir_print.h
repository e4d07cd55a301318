// The IR written as text: every helper that turns IR into words lives here, so
// that the dump, the language server's hovers, the semantic diff, the graph
// drawing and the reports spell things one way.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mtc/ir.h"

namespace mtc::ir {

// A number as the IR dump writes it: the shortest text that reads back the same.
std::string numberText(double v);
// A number for people: thousands grouped, decimals by size (12,958; 257.8; 2.89;
// 0.1234) or as given; "-" when not finite. The reports and the engines' prose use it.
std::string readableNumber(double v, int decimals = -1);
// Dimension names: "channel, region".
std::string dimNames(const Model& m, const std::vector<Id>& dims, std::string_view sep = ", ");
// One slice of a list of dimensions: its values, "ppc,north" (the key of
// LANGUAGE.md's drivers, `revenue[ppc,north]`).
std::string sliceKey(const Model& m, const std::vector<Id>& dims, size_t slice);
// The same with the dimension names: "channel=ppc, region=north".
std::string sliceLabel(const Model& m, const std::vector<Id>& dims, size_t slice);
// A metric, or one slice of it: "revenue", "revenue[ppc,north]".
std::string driverName(const Model& m, Id metric, std::optional<size_t> slice = std::nullopt);
std::string refName(const Model& m, const Ref& r);
// Role and class flags as their names: "input, leading".
std::string roleNames(uint32_t roles, std::string_view sep = ", ");
std::string classNames(uint32_t classes, std::string_view sep = ", ");
// "normal(65, 4)".
std::string distText(const Distribution& d);
// A param's value: "65", or "{ ppc: 0.04, sales: 0.1 }" (at most maxSlices
// entries, then "... (N slices)"), with per-slice distributions.
std::string paramValueText(const Model& m, const Param& p, size_t maxSlices = SIZE_MAX);
// "USD/lead by channel, series".
std::string typeText(const Model& m, const Type& t);
// A unit and dimensions: "USD by channel".
std::string unitDimsText(const Model& m, const Unit& u, const std::vector<Id>& dims);
// An expression as source-like text.
std::string exprText(const Model& m, ExprId e);
std::string comparisonText(const Model& m, const Comparison& c);
// A period, or "-" when there is none.
std::string periodText(const std::optional<Period>& p);
// A horizon as written: "12 months".
std::string horizonText(const Horizon& h);
// A statement on one line, with every property (an optimize: its header).
std::string statementText(const Model& m, const Statement& s);

}  // namespace mtc::ir
