// Small SVG charts for the HTML report, drawn by mtc (no scripts, no fonts to
// fetch): axes with round ticks that enclose the data, period labels, the unit
// over the y axis, a legend when there is more than one series, lines (a
// missing value breaks the line), bands, horizontal bars with their values,
// tornados, waterfalls and histograms. Every mark carries a <title>, and a line
// chart a hover column per period naming every series' value there, so a
// browser shows the numbers on hover.
#pragma once

#include <string>
#include <vector>

namespace mtc::report::svg {

struct Line {
  std::string label;
  std::vector<double> values;  // one per x label; NaN breaks the line
  std::string color = "#4c78a8";
  bool dashed = false;
  bool dots = true;  // a dot per value (a line with one value always has its dot, larger)
};

struct Band {  // an interval drawn behind the lines
  std::vector<double> lower, upper;
  std::string color = "#4c78a8";
  double opacity = 0.18;
  std::string label;  // in the legend ("90% interval"); empty: not listed
};

struct Bar {
  std::string label;
  double value = 0;
  std::string color;  // empty: by sign
};

struct Frame {
  double width = 860, height = 240;
  std::string title;   // for screen readers and the tooltip of the chart
  std::string yLabel;  // the unit, written over the y axis (a bar chart: under its x axis)
};

// Round tick values within [lo, hi], about `target` of them.
std::vector<double> niceTicks(double lo, double hi, int target = 5);
// Round ticks that enclose [lo, hi]: the first at or below lo, the last at or above hi.
std::vector<double> enclosingTicks(double lo, double hi, int target = 5);
// A tick label: 1.2k, 3.5M, 0.25.
std::string tickLabel(double v);

std::string lineChart(const std::vector<std::string>& xLabels, const std::vector<Line>& lines, const std::vector<Band>& bands = {},
                      const Frame& f = {});
// Horizontal bars from a zero line (shares, changes); labels on the left, values at the bars' ends.
std::string barChart(const std::vector<Bar>& bars, const Frame& f = {});
// A tornado: per input, the output with that input at its low and at its high
// percentile (every other at its median), as a bar around the output at the medians.
struct Swing {
  std::string label;    // "price ~ normal(65, 4)"
  double low = 0, high = 0;  // the output at the input's low and high percentile
  std::string lowText, highText;  // what the input was there ("p10: 59.9")
};
std::string tornado(const std::vector<Swing>& rows, double base, const std::string& baseLabel, const Frame& f = {},
                    const std::string& lowName = "input low", const std::string& highName = "input high");
// A histogram of equal bins [from + k*width, from + (k+1)*width), with marker
// lines (percentiles, a target) drawn over it.
struct Marker {
  std::string label;
  double value = 0;
  std::string color = "#333333";
};
std::string histogram(double from, double width, const std::vector<size_t>& counts, const std::vector<Marker>& markers,
                      const Frame& f = {});
// A line without axes for a table cell or a tree node (the last point marked).
std::string sparkline(const std::vector<double>& values, double width = 90, double height = 22, const std::string& color = "#4c78a8");
// A waterfall: the start, each signed step from where the last one ended, the end.
std::string waterfall(const std::string& startLabel, double start, const std::vector<Bar>& steps, const std::string& endLabel,
                      const Frame& f = {});

// The feasible region of a problem in one or two variables (an optimize's levers):
// each constraint a*x (+ b*y) op limit clipped against the box, the region shaded,
// each constraint's line labelled, the objective's line through the optimum dashed.
struct HalfPlane {
  std::string label;
  double a = 0, b = 0;  // the coefficients of x and y (b = 0 with one variable)
  int sense = -1;       // -1: <=, +1: >=, 0: ==
  double limit = 0;
};
struct Region {
  std::string xName, yName;  // yName empty: one variable, drawn on a line
  double xlo = 0, xhi = 1, ylo = 0, yhi = 1;  // the box drawn
  std::vector<HalfPlane> rows;                 // bounds included
  double optX = 0, optY = 0;
  double costX = 0, costY = 0;                 // the objective's coefficients
};
std::string feasibleRegion(const Region& r, const Frame& f = {});

}  // namespace mtc::report::svg
