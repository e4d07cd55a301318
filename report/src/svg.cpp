// SVG charts (svg.h).
#include "svg.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "common.h"

namespace mtc::report::svg {

namespace {

constexpr double kLeft = 56, kRight = 28, kTop = 24, kBottom = 30;
const char* kUp = "#17803d";
const char* kDown = "#b42318";
const char* kBlue = "#4c78a8";

struct Scale {
  double lo, hi, a, b;  // value lo..hi onto pixels a..b
  double operator()(double v) const { return hi == lo ? (a + b) / 2 : a + (v - lo) / (hi - lo) * (b - a); }
};

// The width of a text in the charts' sans-serif at `px` pixels, roughly (no font metrics without a browser).
double textWidth(const std::string& s, double px = 10) {
  size_t chars = 0;
  for (unsigned char c : s) chars += (c & 0xC0) != 0x80;  // UTF-8: count code points
  return static_cast<double>(chars) * px * 0.58;
}

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
    s += fmt::format("<line class=\"grid{}\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>", t == 0 ? " zero" : "", x0, x1, py, py);
    s += fmt::format("<text class=\"tick\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", x0 - 5, py + 3, htmlEscape(tickLabel(t)));
  }
  return s;
}

// The unit over the y axis, at the top left.
std::string unitLabel(const Frame& f, double x) {
  if (f.yLabel.empty()) return "";
  return fmt::format("<text class=\"unit\" x=\"{:.1f}\" y=\"12\">{}</text>\n", x, htmlEscape(f.yLabel));
}

// Range of finite values, widened to include zero when asked, and padded when flat.
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

// The left margin that fits the widest tick label.
double leftFor(const std::vector<double>& ticks) {
  double w = 0;
  for (double t : ticks) w = std::max(w, textWidth(tickLabel(t)));
  return std::max(36.0, w + 12);
}

// A legend, right-aligned on the top line: a sample of each series and its name.
struct Key {
  std::string label, color;
  bool dashed = false, area = false;
  double opacity = 1;
};
std::string legend(const std::vector<Key>& keys, double right) {
  double total = 0;
  for (auto& k : keys) total += 22 + textWidth(k.label, 11) + 14;
  double x = right - total;
  std::string s = "<g class=\"legend\">";
  for (auto& k : keys) {
    if (k.area)
      s += fmt::format("<rect x=\"{:.1f}\" y=\"5\" width=\"16\" height=\"9\" fill=\"{}\" fill-opacity=\"{}\"/>", x, k.color, k.opacity);
    else
      s += fmt::format("<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"9.5\" y2=\"9.5\" stroke=\"{}\" stroke-width=\"2\"{}/>", x, x + 16, k.color,
                       k.dashed ? " stroke-dasharray=\"4 3\"" : "");
    s += fmt::format("<text class=\"label\" x=\"{:.1f}\" y=\"13\">{}</text>", x + 21, htmlEscape(k.label));
    x += 22 + textWidth(k.label, 11) + 14;
  }
  return s + "</g>\n";
}

// A label cut to about `chars` characters, on up to two lines (<tspan>s), broken at a space, _ or (.
std::string wrapped(const std::string& label, double x, double y, size_t chars) {
  auto cut = [&](const std::string& s) { return s.size() > chars ? s.substr(0, chars > 1 ? chars - 1 : 1) + "\u2026" : s; };
  if (label.size() <= chars) return htmlEscape(label);
  size_t at = std::string::npos;  // the last space that fits, else the last _ or (
  for (const char* breaks : {" ", "_("})
    for (size_t i = std::min(label.size() - 1, chars); i > 0 && at == std::string::npos; --i)
      if (std::strchr(breaks, label[i])) at = i;
  if (at == std::string::npos) return htmlEscape(cut(label));
  std::string first = label.substr(0, label[at] == '_' ? at + 1 : at), rest = label.substr(label[at] == ' ' ? at + 1 : at + (label[at] == '_'));
  return fmt::format("<tspan x=\"{:.1f}\" y=\"{:.1f}\">{}</tspan><tspan x=\"{:.1f}\" y=\"{:.1f}\">{}</tspan>", x, y, htmlEscape(first), x,
                     y + 11, htmlEscape(cut(rest)));
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

std::vector<double> enclosingTicks(double lo, double hi, int target) {
  std::vector<double> t = niceTicks(lo, hi, target);
  if (t.size() < 2) return t;
  double step = t[1] - t[0];
  while (t.front() > lo + step * 1e-9) t.insert(t.begin(), std::fabs(t.front() - step) < step * 1e-9 ? 0 : t.front() - step);
  while (t.back() < hi - step * 1e-9) t.push_back(std::fabs(t.back() + step) < step * 1e-9 ? 0 : t.back() + step);
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
  auto ticks = enclosingTicks(lo, hi);
  if (!ticks.empty()) lo = std::min(lo, ticks.front()), hi = std::max(hi, ticks.back());
  double x0 = leftFor(ticks), x1 = f.width - kRight, y0 = f.height - kBottom, y1 = kTop;
  Scale y{lo, hi, y0, y1};
  auto px = [&](size_t i) { return n == 1 ? (x0 + x1) / 2 : x0 + (x1 - x0) * static_cast<double>(i) / static_cast<double>(n - 1); };
  std::string s = header(f, "chart line-chart");
  s += unitLabel(f, 4);
  std::vector<Key> keys;
  for (auto& b : bands)
    if (!b.label.empty()) keys.push_back({b.label, b.color, false, true, b.opacity * 1.5});
  for (auto& l : lines)
    if (!l.label.empty()) keys.push_back({l.label, l.color, l.dashed, false, 1});
  if (keys.size() > 1) s += legend(keys, x1);
  s += yAxis(y, ticks, x0, x1);
  // period labels, thinned so that they do not overlap; the last one always shown
  double widest = 0;
  for (auto& l : xLabels) widest = std::max(widest, textWidth(l));
  double room = n > 1 ? (x1 - x0) / static_cast<double>(n - 1) : x1 - x0;
  size_t every = std::max<size_t>(1, static_cast<size_t>(std::ceil((widest + 14) / room)));
  size_t lastShown = (n - 1) / every * every;  // the last label of the rhythm gives way to the last period when too close
  bool crowded = lastShown != n - 1 && static_cast<double>(n - 1 - lastShown) * room < widest + 14;
  for (size_t i = 0; i < n; i += every)
    if (!(crowded && i == lastShown && i != 0))
      s += fmt::format("<text class=\"tick\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>", px(i), y0 + 16, htmlEscape(xLabels[i]));
  if (lastShown != n - 1)
    s += fmt::format("<text class=\"tick\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>", px(n - 1), y0 + 16,
                     htmlEscape(xLabels[n - 1]));
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
  }
  // hover: a column per period naming every series' value there (bands as lo .. hi)
  double half = n > 1 ? room / 2 : (x1 - x0) / 2;
  for (size_t i = 0; i < n; ++i) {
    std::string tip;
    for (auto& l : lines)
      if (i < l.values.size() && std::isfinite(l.values[i]))
        tip += fmt::format("\n{}{}", l.label.empty() ? "" : l.label + ": ", formatNumber(l.values[i]));
    for (auto& b : bands)
      if (!b.label.empty() && i < b.lower.size() && i < b.upper.size() && std::isfinite(b.lower[i]) && std::isfinite(b.upper[i]))
        tip += fmt::format("\n{}: {} .. {}", b.label, formatNumber(b.lower[i]), formatNumber(b.upper[i]));
    if (tip.empty()) continue;
    double a = std::max(x0, px(i) - half), e = std::min(x1, px(i) + half);
    s += fmt::format("<rect class=\"hit\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"transparent\"><title>{}{}</title></rect>",
                     a, y1, e - a, y0 - y1, htmlEscape(xLabels[i]), htmlEscape(tip));
  }
  s += "\n";
  for (auto& l : lines) {
    size_t finite = std::count_if(l.values.begin(), l.values.end(), [](double v) { return std::isfinite(v); });
    if (finite != 1 && (!l.dots || n > 60)) continue;
    for (size_t i = 0; i < n && i < l.values.size(); ++i)
      if (std::isfinite(l.values[i]))
        s += fmt::format("<circle class=\"dot\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"{}\" fill=\"{}\"><title>{}{}: {}</title></circle>", px(i),
                         y(l.values[i]), finite == 1 ? 4.5 : 2.5, l.color, l.label.empty() ? "" : htmlEscape(l.label) + " ", htmlEscape(xLabels[i]),
                         htmlEscape(formatNumber(l.values[i])));
    s += "\n";
  }
  return s + "</svg>\n";
}

std::string barChart(const std::vector<Bar>& bars, const Frame& f0) {
  if (bars.empty()) return "";
  Frame f = f0;
  const double rowH = 22;
  double labelW = 0;
  for (auto& b : bars) labelW = std::max(labelW, textWidth(b.label, 11));
  labelW = std::clamp(labelW + 14, 60.0, 240.0);
  f.height = kTop + rowH * static_cast<double>(bars.size()) + kBottom;
  std::vector<double> vals;
  for (auto& b : bars) vals.push_back(b.value);
  auto [lo, hi] = range({&vals}, true);
  // room for the value written beyond each bar's end
  double maxText = 0;
  for (auto& b : bars) maxText = std::max(maxText, textWidth(formatNumber(b.value)) + 8);
  double x0 = labelW, x1 = f.width - kRight;
  double span = hi - lo, plot = x1 - x0;
  if (plot > 3 * maxText) {
    if (hi > 0) hi += span * maxText / (plot - 2 * maxText);
    if (lo < 0) lo -= span * maxText / (plot - 2 * maxText);
  }
  auto ticks = enclosingTicks(lo, hi);
  if (!ticks.empty()) lo = std::min(lo, ticks.front()), hi = std::max(hi, ticks.back());
  Scale x{lo, hi, x0, x1};
  double y0 = f.height - kBottom;
  std::string s = header(f, "chart bar-chart");
  for (double t : ticks) {
    double p = x(t);
    s += fmt::format("<line class=\"grid\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{}\" y2=\"{:.1f}\"/><text class=\"tick\" x=\"{:.1f}\" y=\"{:.1f}\" "
                     "text-anchor=\"middle\">{}</text>\n",
                     p, p, kTop, y0, p, y0 + 14, htmlEscape(tickLabel(t)));
  }
  if (!f.yLabel.empty())
    s += fmt::format("<text class=\"unit\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", x1, y0 + 26, htmlEscape(f.yLabel));
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    double yy = kTop + rowH * static_cast<double>(i);
    double a = x(std::min(0.0, b.value)), e = x(std::max(0.0, b.value));
    std::string color = !b.color.empty() ? b.color : b.value < 0 ? kDown : kBlue;
    std::string v = formatNumber(b.value);
    s += fmt::format("<text class=\"label\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>", x0 - 8, yy + rowH * 0.62, htmlEscape(b.label));
    s += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" rx=\"2\" fill=\"{}\"><title>{}: {}</title></rect>", a,
                     yy + 4, std::max(0.5, e - a), rowH - 8, color, htmlEscape(b.label), htmlEscape(v));
    bool neg = b.value < 0;
    s += fmt::format("<text class=\"value\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"{}\">{}</text>\n", neg ? a - 4 : e + 4, yy + rowH * 0.62,
                     neg ? "end" : "start", htmlEscape(v));
  }
  double z = x(0);
  s += fmt::format("<line class=\"axis\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{}\" y2=\"{:.1f}\"/>\n", z, z, kTop, y0);
  return s + "</svg>\n";
}

std::string tornado(const std::vector<Swing>& rows, double base, const std::string& baseLabel, const Frame& f0, const std::string& lowName,
                    const std::string& highName) {
  if (rows.empty()) return "";
  Frame f = f0;
  const double rowH = 26;
  double labelW = 0;
  for (auto& r : rows) labelW = std::max(labelW, textWidth(r.label, 11));
  labelW = std::clamp(labelW + 14, 60.0, 260.0);
  f.height = kTop + 8 + rowH * static_cast<double>(rows.size()) + kBottom;
  std::vector<double> vals{base};
  for (auto& r : rows) vals.push_back(r.low), vals.push_back(r.high);
  auto [lo, hi] = range({&vals}, false);
  double pad = (hi - lo) * 0.18;  // room for the values at the bars' ends
  auto ticks = enclosingTicks(lo - pad, hi + pad);
  if (!ticks.empty()) lo = std::min(lo - pad, ticks.front()), hi = std::max(hi + pad, ticks.back());
  double x0 = labelW, x1 = f.width - kRight, top = kTop + 8, y0 = f.height - kBottom;
  Scale x{lo, hi, x0, x1};
  std::string s = header(f, "chart tornado");
  for (double t : ticks) {
    double p = x(t);
    s += fmt::format("<line class=\"grid\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{}\" y2=\"{:.1f}\"/><text class=\"tick\" x=\"{:.1f}\" y=\"{:.1f}\" "
                     "text-anchor=\"middle\">{}</text>\n",
                     p, p, top, y0, p, y0 + 14, htmlEscape(tickLabel(t)));
  }
  if (!f.yLabel.empty())
    s += fmt::format("<text class=\"unit\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", x1, y0 + 26, htmlEscape(f.yLabel));
  s += legend({{lowName, "#9ecae1", false, true, 1}, {highName, kBlue, false, true, 1}}, x1);
  for (size_t i = 0; i < rows.size(); ++i) {
    const Swing& r = rows[i];
    double yy = top + rowH * static_cast<double>(i);
    s += fmt::format("<text class=\"label\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>", x0 - 8, yy + rowH * 0.6, htmlEscape(r.label));
    auto half = [&](double v, const char* color, const std::string& what) {
      double a = x(std::min(base, v)), e = x(std::max(base, v));
      s += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"><title>{}{}: {}</title></rect>", a, yy + 4,
                       std::max(0.5, e - a), rowH - 8, color, htmlEscape(r.label), what.empty() ? "" : " at " + htmlEscape(what),
                       htmlEscape(formatNumber(v)));
      bool left = v < base;
      s += fmt::format("<text class=\"value\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"{}\">{}</text>", left ? a - 4 : e + 4, yy + rowH * 0.6,
                       left ? "end" : "start", htmlEscape(formatNumber(v)));
    };
    half(r.low, "#9ecae1", r.lowText);
    half(r.high, kBlue, r.highText);
    s += "\n";
  }
  double z = x(base);
  s += fmt::format("<line class=\"axis\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>", z, z, top - 4, y0);
  s += fmt::format("<text class=\"label\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}: {}</text>\n", z, top - 8.0, htmlEscape(baseLabel),
                   htmlEscape(formatNumber(base)));
  return s + "</svg>\n";
}

std::string histogram(double from, double width, const std::vector<size_t>& counts, const std::vector<Marker>& markers, const Frame& f) {
  if (counts.empty()) return "";
  size_t total = 0, most = 0;
  for (size_t c : counts) total += c, most = std::max(most, c);
  if (total == 0) return "";
  const double w = width > 0 ? width : std::max(1.0, std::fabs(from) * 0.01);
  const double lo = width > 0 ? from : from - w / 2, hi = lo + w * static_cast<double>(counts.size());
  auto yt = enclosingTicks(0, static_cast<double>(most) / static_cast<double>(total) * 100, 4);
  double x0 = leftFor(yt) + 8, x1 = f.width - kRight, y0 = f.height - kBottom, y1 = kTop + 12;
  Scale x{lo, hi, x0, x1}, y{0, yt.empty() ? 1 : yt.back(), y0, y1};
  std::string s = header(f, "chart histogram");
  s += "<text class=\"unit\" x=\"4\" y=\"12\">% of runs</text>\n";
  for (double t : yt) {
    double py = y(t);
    s += fmt::format("<line class=\"grid\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/><text class=\"tick\" x=\"{:.1f}\" y=\"{:.1f}\" "
                     "text-anchor=\"end\">{}%</text>\n",
                     x0, x1, py, py, x0 - 5, py + 3, htmlEscape(tickLabel(t)));
  }
  for (double t : niceTicks(lo, hi, 6))
    s += fmt::format("<text class=\"tick\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>", x(t), y0 + 16, htmlEscape(tickLabel(t)));
  if (!f.yLabel.empty())
    s += fmt::format("<text class=\"unit\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>", x1, y0 + 28, htmlEscape(f.yLabel));
  s += fmt::format("<line class=\"axis\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>\n", x0, x1, y0, y0);
  for (size_t k = 0; k < counts.size(); ++k) {
    if (counts[k] == 0) continue;
    double a = lo + w * static_cast<double>(k), share = static_cast<double>(counts[k]) / static_cast<double>(total) * 100;
    double px = x(a), pw = std::max(1.0, x(a + w) - px - 1);
    s += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"><title>{} .. {}: {} runs ({:.1f}%)</title></rect>",
                     px, y(share), pw, std::max(0.5, y0 - y(share)), kBlue, htmlEscape(formatNumber(a)), htmlEscape(formatNumber(a + w)),
                     htmlEscape(formatNumber(static_cast<double>(counts[k]))), share);
  }
  s += "\n";
  // markers, their labels on two alternating rows when they crowd each other
  double lastX = -1e9;
  int row = 0;
  for (const auto& mk : markers) {
    if (!std::isfinite(mk.value)) continue;
    double p = std::clamp(x(mk.value), x0, x1);
    std::string text = mk.label + " " + formatNumber(mk.value);
    row = p - lastX < textWidth(text) + 6 ? 1 - row : 0;
    lastX = p;
    s += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1:.1f}\" y2=\"{2:.1f}\" stroke=\"{3}\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\">"
                     "<title>{4}</title></line><text class=\"label\" x=\"{0:.1f}\" y=\"{5:.1f}\" text-anchor=\"middle\" fill=\"{3}\">{4}</text>\n",
                     p, y1 - 1, y0, mk.color, htmlEscape(text), row == 0 ? y1 - 4 : y1 - 16);
  }
  return s + "</svg>\n";
}

std::string waterfall(const std::string& startLabel, double start, const std::vector<Bar>& steps, const std::string& endLabel,
                      const Frame& f) {
  size_t n = steps.size() + 2;
  std::vector<double> levels{start};
  double level = start;
  for (auto& st : steps) levels.push_back(level += st.value);
  auto [lo, hi] = range({&levels}, true);
  auto ticks = enclosingTicks(lo, hi);
  if (!ticks.empty()) lo = std::min(lo, ticks.front()), hi = std::max(hi, ticks.back());
  double x0 = leftFor(ticks), x1 = f.width - kRight, y0 = f.height - kBottom - 12, y1 = kTop + 6;
  Scale y{lo, hi, y0, y1};
  double slot = (x1 - x0) / static_cast<double>(n), w = slot * 0.66;
  size_t chars = static_cast<size_t>(std::max(4.0, slot / 5.9));
  std::string s = header(f, "chart waterfall");
  s += unitLabel(f, 4);
  s += yAxis(y, ticks, x0, x1);
  auto bar = [&](size_t i, double from, double to, const std::string& color, const std::string& label, double shown, bool signedValue) {
    double bx = x0 + slot * static_cast<double>(i) + (slot - w) / 2;
    double top = y(std::max(from, to)), bottom = y(std::min(from, to));
    std::string v = (signedValue && shown > 0 ? "+" : "") + formatNumber(shown);
    s += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"><title>{}: {}</title></rect>", bx, top, w,
                     std::max(0.5, bottom - top), color, htmlEscape(label), htmlEscape(v));
    s += fmt::format("<text class=\"value\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>", bx + w / 2, top - 4, htmlEscape(v));
    s += fmt::format("<text class=\"tick\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", bx + w / 2, y0 + 15,
                     wrapped(label, bx + w / 2, y0 + 15, chars));
    return bx;
  };
  double prevEnd = bar(0, 0, start, "#8a8a8a", startLabel, start, false) + w;
  level = start;
  for (size_t i = 0; i < steps.size(); ++i) {
    const Bar& st = steps[i];
    double bx = x0 + slot * static_cast<double>(i + 1) + (slot - w) / 2;
    s += fmt::format("<line class=\"connector\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>", prevEnd, bx, y(level), y(level));
    bar(i + 1, level, level + st.value, !st.color.empty() ? st.color : st.value < 0 ? kDown : kUp, st.label, st.value, true);
    prevEnd = bx + w;
    level += st.value;
  }
  double bx = x0 + slot * static_cast<double>(n - 1) + (slot - w) / 2;
  s += fmt::format("<line class=\"connector\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>", prevEnd, bx, y(level), y(level));
  bar(n - 1, 0, level, "#8a8a8a", endLabel, level, false);
  s += fmt::format("<line class=\"axis\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>\n", x0, x1, y(0), y(0));
  return s + "</svg>\n";
}

std::string sparkline(const std::vector<double>& values, double width, double height, const std::string& color) {
  std::vector<const std::vector<double>*> all{&values};
  auto [lo, hi] = range(all, false);
  size_t n = values.size();
  if (n < 2) return "";
  Scale x{0, static_cast<double>(n - 1), 1.5, width - 3.5}, y{lo, hi, height - 2.5, 2.5};
  std::string path;
  bool pen = false;
  size_t last = n;
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(values[i])) {
      pen = false;
      continue;
    }
    path += fmt::format("{}{:.1f},{:.1f} ", pen ? "L" : "M", x(static_cast<double>(i)), y(values[i]));
    pen = true;
    last = i;
  }
  if (last == n) return "";
  return fmt::format("<svg class=\"spark\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" aria-hidden=\"true\" xmlns=\"http://www.w3.org/2000/svg\">"
                     "<path fill=\"none\" stroke=\"{2}\" stroke-width=\"1.5\" d=\"{3}\"/><circle cx=\"{4:.1f}\" cy=\"{5:.1f}\" r=\"2\" fill=\"{2}\"/></svg>",
                     width, height, color, path, x(static_cast<double>(last)), y(values[last]));
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
