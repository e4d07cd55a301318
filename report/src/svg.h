// Small SVG charts for the HTML report, drawn by mtc (no scripts, no fonts to
// fetch): axes with round ticks and period labels, lines (a missing value breaks
// the line), bands, horizontal bars and waterfalls. Every mark carries a
// <title>, so a browser shows its value on hover.
#pragma once

#include <string>
#include <vector>

namespace mtc::report::svg {

struct Line {
  std::string label;
  std::vector<double> values;  // one per x label; NaN breaks the line
  std::string color = "#4c78a8";
  bool dashed = false;
};

struct Band {  // an interval drawn behind the lines
  std::vector<double> lower, upper;
  std::string color = "#4c78a8";
  double opacity = 0.18;
};

struct Bar {
  std::string label;
  double value = 0;
  std::string color;  // empty: by sign
};

struct Frame {
  double width = 640, height = 220;
  std::string title;  // for screen readers and the tooltip of the chart
};

// Round tick values covering [lo, hi], about `target` of them.
std::vector<double> niceTicks(double lo, double hi, int target = 5);
// A tick label: 1.2k, 3.5M, 0.25.
std::string tickLabel(double v);

std::string lineChart(const std::vector<std::string>& xLabels, const std::vector<Line>& lines, const std::vector<Band>& bands = {},
                      const Frame& f = {});
// Horizontal bars from a zero line (shares, a tornado); labels on the left.
std::string barChart(const std::vector<Bar>& bars, const Frame& f = {});
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
