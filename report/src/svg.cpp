// SVG charts (svg.h).
#include "svg.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common.h"

namespace mtc::report::svg {

namespace {

constexpr double kLeft = 56, kRight = 12, kTop = 12, kBottom = 30;
const char* kUp = "#17803d";
const char* kDown = "#b42318";

struct Scale {
  double lo, hi, a, b;  // value lo..hi onto pixels a..b
  double operator()(double v) const { return hi == lo ? (a + b) / 2 : a + (v - lo) / (hi - lo) * (b - a); }
};

std::string header(const Frame& f, const char* cls) {
  return fmt::format("<svg class=\"{}\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">"
                     "<title>{}</title>\n",
                     cls, f.width, f.height, f.width, f.height, htmlEscape(f.title));
}

// The y axis: gridlines and labels at round ticks.
std::string yAxis(const Scale& y, const std::vector<double>& ticks, double x0, double x1) {
  std::string s;
  for (double t : ticks) {
    double py = y(t);
    s += fmt::format("<line class=\"grid\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>", x0, x1, py, py);
    s += fmt::format("<text class=\"tick\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", x0 - 4, py + 3, htmlEscape(tickLabel(t)));
  }
  return s;
}

// Range of finite values, widened to include zero when close, and padded.
std::pair<double, double> range(const std::vector<const std::vector<double>*>& vs, bool withZero) {
  double lo = INFINITY, hi = -INFINITY;
  for (auto* v : vs)
    for (double x : *v)
      if (std::isfinite(x)) lo = std::min(lo, x), hi = std::max(hi, x);
  if (!std::isfinite(lo)) return {0, 1};
  if (withZero) lo = std::min(lo, 0.0), hi = std::max(hi, 0.0);
  if (hi == lo) {
    double d = hi == 0 ? 1 : std::fabs(hi) * 0.1;
    lo -= d, hi += d;
  }
  return {lo, hi};
}

}  // namespace

std::vector<double> niceTicks(double lo, double hi, int target) {
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return {lo};
  double raw = (hi - lo) / std::max(1, target);
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double k : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (k * mag >= raw) {
      step = k * mag;
      break;
    }
  std::vector<double> t;
  for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) t.push_back(std::fabs(v) < step * 1e-9 ? 0 : v);
  return t;
}

std::string tickLabel(double v) {
  double a = std::fabs(v);
  auto trim = [](std::string s) {
    if (s.find('.') != std::string::npos) {
      while (s.back() == '0') s.pop_back();
      if (s.back() == '.') s.pop_back();
    }
    return s;
  };
  if (a >= 1e9) return trim(fmt::format("{:.2f}", v / 1e9)) + "B";
  if (a >= 1e6) return trim(fmt::format("{:.2f}", v / 1e6)) + "M";
  if (a >= 1e4) return trim(fmt::format("{:.1f}", v / 1e3)) + "k";
  if (a >= 100 || a == 0) return fmt::format("{:.0f}", v);
  return trim(fmt::format("{:.3g}", v));
}

std::string lineChart(const std::vector<std::string>& xLabels, const std::vector<Line>& lines, const std::vector<Band>& bands,
                      const Frame& f) {
  size_t n = xLabels.size();
  if (n == 0) return "";
  std::vector<const std::vector<double>*> all;
  for (auto& l : lines) all.push_back(&l.values);
  for (auto& b : bands) all.push_back(&b.lower), all.push_back(&b.upper);
  auto [lo, hi] = range(all, false);
  auto ticks = niceTicks(lo, hi);
  if (!ticks.empty()) lo = std::min(lo, ticks.front()), hi = std::max(hi, ticks.back());
  double x0 = kLeft, x1 = f.width - kRight, y0 = f.height - kBottom, y1 = kTop;
  Scale y{lo, hi, y0, y1};
  auto px = [&](size_t i) { return n == 1 ? (x0 + x1) / 2 : x0 + (x1 - x0) * static_cast<double>(i) / static_cast<double>(n - 1); };
  std::string s = header(f, "chart line-chart");
  s += yAxis(y, ticks, x0, x1);
  // x labels, thinned to fit about 70 px each
  size_t every = std::max<size_t>(1, static_cast<size_t>(std::ceil(static_cast<double>(n) * 70.0 / (x1 - x0))));
  for (size_t i = 0; i < n; i += every)
    s += fmt::format("<text class=\"tick\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>", px(i), y0 + 16, htmlEscape(xLabels[i]));
  s += fmt::format("<line class=\"axis\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>\n", x0, x1, y0, y0);
  for (auto& b : bands) {  // a polygon per run of finite values
    std::string top, bottom;
    auto flush = [&] {
      if (!top.empty()) s += fmt::format("<path class=\"band\" fill=\"{}\" fill-opacity=\"{}\" d=\"M{}{}Z\"/>\n", b.color, b.opacity, top, bottom);
      top.clear(), bottom.clear();
    };
    for (size_t i = 0; i < n && i < b.lower.size() && i < b.upper.size(); ++i) {
      if (!std::isfinite(b.lower[i]) || !std::isfinite(b.upper[i])) {
        flush();
        continue;
      }
      top += fmt::format("{}{:.1f},{:.1f}", top.empty() ? "" : " L", px(i), y(b.upper[i]));
      bottom = fmt::format(" L{:.1f},{:.1f}", px(i), y(b.lower[i])) + bottom;
    }
    flush();
  }
  for (auto& l : lines) {
    std::string path;
    bool pen = false;
    for (size_t i = 0; i < n && i < l.values.size(); ++i) {
      if (!std::isfinite(l.values[i])) {
        pen = false;
        continue;
      }
      path += fmt::format("{}{:.1f},{:.1f} ", pen ? "L" : "M", px(i), y(l.values[i]));
      pen = true;
    }
    s += fmt::format("<path class=\"line\" fill=\"none\" stroke-width=\"2\" stroke=\"{}\"{} d=\"{}\"/>\n", l.color, l.dashed ? " stroke-dasharray=\"4 3\"" : "", path);
    for (size_t i = 0; i < n && i < l.values.size(); ++i)
      if (std::isfinite(l.values[i]))
        s += fmt::format("<circle class=\"dot\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2.5\" fill=\"{}\"><title>{}{}: {}</title></circle>", px(i),
                         y(l.values[i]), l.color, l.label.empty() ? "" : htmlEscape(l.label) + " ", htmlEscape(xLabels[i]),
                         htmlEscape(formatNumber(l.values[i])));
    s += "\n";
  }
  return s + "</svg>\n";
}

std::string barChart(const std::vector<Bar>& bars, const Frame& f0) {
  if (bars.empty()) return "";
  Frame f = f0;
  const double rowH = 20, labelW = 180;
  f.height = kTop + rowH * static_cast<double>(bars.size()) + kBottom;
  std::vector<double> vals;
  for (auto& b : bars) vals.push_back(b.value);
  auto [lo, hi] = range({&vals}, true);
  auto ticks = niceTicks(lo, hi);
  if (!ticks.empty()) lo = std::min(lo, ticks.front()), hi = std::max(hi, ticks.back());
  double x0 = labelW, x1 = f.width - kRight;
  Scale x{lo, hi, x0, x1};
  std::string s = header(f, "chart bar-chart");
  for (double t : ticks) {
    double p = x(t);
    s += fmt::format("<line class=\"grid\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{}\" y2=\"{:.1f}\"/><text class=\"tick\" x=\"{:.1f}\" y=\"{:.1f}\" "
                     "text-anchor=\"middle\">{}</text>\n",
                     p, p, kTop, f.height - kBottom, p, f.height - kBottom + 14, htmlEscape(tickLabel(t)));
  }
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    double yy = kTop + rowH * static_cast<double>(i);
    double a = x(std::min(0.0, b.value)), e = x(std::max(0.0, b.value));
    std::string color = !b.color.empty() ? b.color : b.value < 0 ? kDown : "#4c78a8";
    s += fmt::format("<text class=\"label\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>", x0 - 6, yy + rowH * 0.65, htmlEscape(b.label));
    s += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"><title>{}: {}</title></rect>\n", a,
                     yy + 3, std::max(0.5, e - a), rowH - 6, color, htmlEscape(b.label), htmlEscape(formatNumber(b.value)));
  }
  double z = x(0);
  s += fmt::format("<line class=\"axis\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{}\" y2=\"{:.1f}\"/>\n", z, z, kTop, f.height - kBottom);
  return s + "</svg>\n";
}

std::string waterfall(const std::string& startLabel, double start, const std::vector<Bar>& steps, const std::string& endLabel,
                      const Frame& f) {
  size_t n = steps.size() + 2;
  std::vector<double> levels{start};
  double level = start;
  for (auto& st : steps) levels.push_back(level += st.value);
  auto [lo, hi] = range({&levels}, true);
  auto ticks = niceTicks(lo, hi);
  if (!ticks.empty()) lo = std::min(lo, ticks.front()), hi = std::max(hi, ticks.back());
  double x0 = kLeft, x1 = f.width - kRight, y0 = f.height - kBottom, y1 = kTop;
  Scale y{lo, hi, y0, y1};
  double slot = (x1 - x0) / static_cast<double>(n), w = slot * 0.7;
  std::string s = header(f, "chart waterfall");
  s += yAxis(y, ticks, x0, x1);
  auto bar = [&](size_t i, double from, double to, const std::string& color, const std::string& label, double shown) {
    double bx = x0 + slot * static_cast<double>(i) + (slot - w) / 2;
    double top = y(std::max(from, to)), bottom = y(std::min(from, to));
    s += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"><title>{}: {}</title></rect>", bx, top, w,
                     std::max(0.5, bottom - top), color, htmlEscape(label), htmlEscape(formatNumber(shown)));
    s += fmt::format("<text class=\"tick\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", bx + w / 2, y0 + 16,
                     htmlEscape(label.size() > 14 ? label.substr(0, 13) + "\u2026" : label));
  };
  bar(0, 0, start, "#777777", startLabel, start);
  level = start;
  for (size_t i = 0; i < steps.size(); ++i) {
    const Bar& st = steps[i];
    bar(i + 1, level, level + st.value, !st.color.empty() ? st.color : st.value < 0 ? kDown : kUp, st.label, st.value);
    level += st.value;
  }
  bar(n - 1, 0, level, "#777777", endLabel, level);
  s += fmt::format("<line class=\"axis\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>\n", x0, x1, y(0), y(0));
  return s + "</svg>\n";
}

std::string feasibleRegion(const Region& r, const Frame& f) {
  const bool one = r.yName.empty();
  double x0 = kLeft, x1 = f.width - kRight, y0 = f.height - kBottom, y1 = kTop;
  auto xt = niceTicks(r.xlo, r.xhi), yt = one ? std::vector<double>{} : niceTicks(r.ylo, r.yhi);
  Scale X{r.xlo, r.xhi, x0, x1}, Y{r.ylo, r.yhi, y0, y1};
  std::string s = header(f, "chart region-chart");
  if (!one) s += yAxis(Y, yt, x0, x1);
  for (double t : xt)
    s += fmt::format("<text class=\"tick\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>", X(t), y0 + 14, htmlEscape(tickLabel(t)));
  s += fmt::format("<line class=\"axis\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>\n", x0, x1, y0, y0);
  s += fmt::format("<text class=\"label\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", x1, y0 + 26, htmlEscape(r.xName));
  if (!one) s += fmt::format("<text class=\"label\" x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n", x0 + 4, y1 + 10, htmlEscape(r.yName));
  // the region: the box clipped by every half-plane (Sutherland-Hodgman; an equality clips both ways)
  std::vector<std::pair<double, double>> poly{{r.xlo, r.ylo}, {r.xhi, r.ylo}, {r.xhi, r.yhi}, {r.xlo, r.yhi}};
  auto clip = [&](double a, double b, double c) {  // keep a*x + b*y <= c
    std::vector<std::pair<double, double>> out;
    const double tol = 1e-12 * (std::fabs(c) + 1);
    for (size_t i = 0; i < poly.size(); ++i) {
      auto p = poly[i], q = poly[(i + 1) % poly.size()];
      double fp = a * p.first + b * p.second - c, fq = a * q.first + b * q.second - c;
      if (fp <= tol) out.push_back(p);
      if ((fp <= tol) != (fq <= tol)) {
        double t = fp / (fp - fq);
        out.push_back({p.first + t * (q.first - p.first), p.second + t * (q.second - p.second)});
      }
    }
    poly = std::move(out);
  };
  for (const auto& h : r.rows) {
    if (h.sense <= 0) clip(h.a, h.b, h.limit);
    if (h.sense >= 0) clip(-h.a, -h.b, -h.limit);
  }
  if (one) {
    double lo = INFINITY, hi = -INFINITY;
    for (auto& p : poly) lo = std::min(lo, p.first), hi = std::max(hi, p.first);
    double py = (y0 + y1) / 2;
    if (lo <= hi)
      s += fmt::format("<line stroke=\"#4c78a8\" stroke-width=\"10\" stroke-opacity=\"0.35\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" "
                       "y2=\"{:.1f}\"><title>feasible: {} .. {}</title></line>\n",
                       X(lo), X(hi), py, py, htmlEscape(tickLabel(lo)), htmlEscape(tickLabel(hi)));
    for (const auto& h : r.rows)
      if (h.a != 0) {
        double v = h.limit / h.a;
        if (v < r.xlo || v > r.xhi) continue;
        s += fmt::format("<line stroke=\"#666\" x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1:.1f}\" y2=\"{2:.1f}\"><title>{3}</title></line>"
                         "<text class=\"tick\" x=\"{0:.1f}\" y=\"{4:.1f}\" text-anchor=\"middle\">{3}</text>\n",
                         X(v), py - 14, py + 14, htmlEscape(h.label), py - 18);
      }
    s += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"5\" fill=\"{}\"><title>optimum: {} = {}</title></circle>\n", X(r.optX), py, kUp,
                     htmlEscape(r.xName), htmlEscape(tickLabel(r.optX)));
    return s + "</svg>\n";
  }
  if (poly.size() >= 3) {
    std::string d;
    for (auto& p : poly) d += fmt::format("{}{:.1f},{:.1f}", d.empty() ? "M" : " L", X(p.first), Y(p.second));
    s += fmt::format("<path fill=\"#4c78a8\" fill-opacity=\"0.2\" stroke=\"none\" d=\"{}Z\"><title>the feasible region</title></path>\n", d);
  }
  // a line a*x + b*y = c across the box, labelled at its end
  auto line = [&](double a, double b, double c, const std::string& label, const char* color, bool dashed) {
    std::vector<std::pair<double, double>> pts;
    if (b != 0)
      for (double x : {r.xlo, r.xhi}) pts.push_back({x, (c - a * x) / b});
    if (a != 0)
      for (double y : {r.ylo, r.yhi}) pts.push_back({(c - b * y) / a, y});
    std::vector<std::pair<double, double>> in;
    for (auto& p : pts)
      if (p.first >= r.xlo - 1e-9 * (std::fabs(r.xhi) + 1) && p.first <= r.xhi + 1e-9 * (std::fabs(r.xhi) + 1) &&
          p.second >= r.ylo - 1e-9 * (std::fabs(r.yhi) + 1) && p.second <= r.yhi + 1e-9 * (std::fabs(r.yhi) + 1))
        in.push_back(p);
    if (in.size() < 2) return;
    std::sort(in.begin(), in.end());
    auto p = in.front(), q = in.back();
    s += fmt::format("<line stroke=\"{}\" stroke-width=\"1.5\"{} x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\"><title>{}</title></line>", color,
                     dashed ? " stroke-dasharray=\"4 3\"" : "", X(p.first), Y(p.second), X(q.first), Y(q.second), htmlEscape(label));
    s += fmt::format("<text class=\"tick\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", X(q.first) - 2, std::max(Y(q.second) - 4, kTop + 10),
                     htmlEscape(label));
  };
  for (const auto& h : r.rows)
    if (h.a != 0 || h.b != 0) line(h.a, h.b, h.limit, h.label, "#555", false);
  if (r.costX != 0 || r.costY != 0) line(r.costX, r.costY, r.costX * r.optX + r.costY * r.optY, "objective", kUp, true);
  s += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"5\" fill=\"{}\"><title>optimum: {} = {}, {} = {}</title></circle>\n", X(r.optX),
                   Y(r.optY), kUp, htmlEscape(r.xName), htmlEscape(tickLabel(r.optX)), htmlEscape(r.yName), htmlEscape(tickLabel(r.optY)));
  return s + "</svg>\n";
}

}  // namespace mtc::report::svg
