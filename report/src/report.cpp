// Text and Markdown reports of statement results (the JSON of docs/json.md).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "mtc/engines.h"

namespace mtc::rt {

using json = nlohmann::ordered_json;

std::string formatNumber(double v, int decimals) {
  if (!std::isfinite(v)) return "-";
  double a = std::fabs(v);
  if (decimals < 0) decimals = a == 0 ? 0 : a >= 1000 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 4;
  std::string s = fmt::format("{:.{}f}", a, decimals);
  size_t dot = s.find('.');
  std::string intPart = s.substr(0, dot), frac = dot == std::string::npos ? "" : s.substr(dot);
  std::string grouped;
  for (size_t i = 0; i < intPart.size(); ++i) {
    if (i && (intPart.size() - i) % 3 == 0) grouped += ',';
    grouped += intPart[i];
  }
  return (v < 0 && std::stod(s) != 0 ? "-" : "") + grouped + frac;
}

namespace {

double val(const json& j) { return j.is_number() ? j.get<double>() : NAN; }

std::string pct(const json& j) {
  if (!j.is_number()) return "-";
  return fmt::format("{:+.1f}%", j.get<double>() * 100);
}

std::string sliceText(const json& s) {
  std::string out;
  for (auto& [k, v] : s.items()) out += (out.empty() ? "" : ", ") + k + "=" + v.get<std::string>();
  return out;
}

struct Style {
  bool color;
  std::string bold(const std::string& s) const { return color ? "\x1b[1m" + s + "\x1b[0m" : s; }
  std::string dim(const std::string& s) const { return color ? "\x1b[2m" + s + "\x1b[0m" : s; }
  std::string red(const std::string& s) const { return color ? "\x1b[31m" + s + "\x1b[0m" : s; }
  std::string green(const std::string& s) const { return color ? "\x1b[32m" + s + "\x1b[0m" : s; }
  std::string signedPct(const json& j) const {
    std::string p = pct(j);
    if (!j.is_number()) return p;
    return j.get<double>() < 0 ? red(p) : green(p);
  }
};

std::string describeText(const json& r, const TextOptions& o) {
  Style st{o.color};
  std::string out = st.bold(fmt::format("describe  {} .. {}  ({})", r["from"].get<std::string>(), r["to"].get<std::string>(),
                                        r["grain"].get<std::string>())) + "\n";
  for (auto& [name, mj] : r["metrics"].items()) {
    std::string title = mj.contains("title") ? "  " + mj["title"].get<std::string>() : "";
    out += "\n" + st.bold(name) + st.dim(fmt::format("  [{}]{}", mj["unit"].get<std::string>(), title)) + "\n";
    const auto& periods = mj["periods"];
    out += st.dim(fmt::format("  {:<10} {:>16} {:>14} {:>9}", "period", "value", "change", "%")) + "\n";
    for (size_t i = 0; i < periods.size(); ++i) {
      std::string p = periods[i].get<std::string>();
      std::string pc = pct(mj["pct_change"][i]);
      std::string pcs = st.signedPct(mj["pct_change"][i]);
      out += fmt::format("  {:<10} {:>16} {:>14} {}{}\n", p, formatNumber(val(mj["values"][i])),
                         formatNumber(val(mj["change"][i])), std::string(pc.size() < 9 ? 9 - pc.size() : 0, ' '), pcs);
    }
    if (mj.contains("slices") && !periods.empty()) {
      size_t last = periods.size() - 1;
      out += st.dim(fmt::format("  slices at {}:", periods[last].get<std::string>())) + "\n";
      std::vector<std::pair<double, std::string>> rows;
      for (auto& s : mj["slices"]) {
        double v = val(s["values"][last]);
        std::string share = s.contains("share") && s["share"][last].is_number()
                                ? fmt::format("{:5.1f}%", s["share"][last].get<double>() * 100)
                                : "";
        rows.push_back({std::isfinite(v) ? v : -INFINITY,
                        fmt::format("    {:<34} {:>16} {:>8}", sliceText(s["slice"]), formatNumber(v), share)});
      }
      std::stable_sort(rows.begin(), rows.end(), [](auto& a, auto& b) { return a.first > b.first; });
      for (auto& [v, line] : rows) out += line + "\n";
    }
    for (auto& gp : mj["gaps"]) {
      std::string where = gp.contains("slice") ? " for " + sliceText(gp["slice"]) : "";
      std::string ps;
      size_t k = 0;
      for (auto& p : gp["periods"]) {
        if (k++ == 6) { ps += fmt::format(" and {} more", gp["periods"].size() - 6); break; }
        ps += (ps.empty() ? "" : ", ") + p.get<std::string>();
      }
      out += st.red(fmt::format("  gap{}: no value at {}", where, ps)) + "\n";
    }
  }
  return out;
}

}  // namespace

std::string renderText(const ir::Model&, const json& r, const TextOptions& o) {
  std::string kind = r.value("kind", "");
  if (kind == "describe") return describeText(r, o);
  return r.dump(2) + "\n";
}

std::string renderMarkdown(const ir::Model&, const json& r) {
  std::string kind = r.value("kind", "");
  std::string out;
  if (kind != "describe") return "```json\n" + r.dump(2) + "\n```\n";
  out += fmt::format("## describe {} .. {} ({})\n", r["from"].get<std::string>(), r["to"].get<std::string>(), r["grain"].get<std::string>());
  for (auto& [name, mj] : r["metrics"].items()) {
    out += fmt::format("\n### {} ({})\n\n| period | value | change | % |\n|---|---:|---:|---:|\n", name, mj["unit"].get<std::string>());
    for (size_t i = 0; i < mj["periods"].size(); ++i)
      out += fmt::format("| {} | {} | {} | {} |\n", mj["periods"][i].get<std::string>(), formatNumber(val(mj["values"][i])),
                         formatNumber(val(mj["change"][i])), pct(mj["pct_change"][i]));
  }
  return out;
}

namespace {

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

// A line chart of the values; missing values break the line.
std::string chart(const json& values) {
  const double W = 560, H = 120, pad = 6;
  std::vector<double> v;
  for (auto& x : values) v.push_back(val(x));
  double lo = INFINITY, hi = -INFINITY;
  for (double x : v)
    if (std::isfinite(x)) lo = std::min(lo, x), hi = std::max(hi, x);
  if (!std::isfinite(lo) || v.size() < 2) return "";
  if (hi == lo) hi = lo + 1;
  std::string path;
  bool pen = false;
  for (size_t i = 0; i < v.size(); ++i) {
    if (!std::isfinite(v[i])) { pen = false; continue; }
    double x = pad + (W - 2 * pad) * static_cast<double>(i) / static_cast<double>(v.size() - 1);
    double y = H - pad - (H - 2 * pad) * (v[i] - lo) / (hi - lo);
    path += fmt::format("{}{:.1f},{:.1f} ", pen ? "L" : "M", x, y);
    pen = true;
  }
  return fmt::format("<svg class=\"chart\" viewBox=\"0 0 {} {}\" role=\"img\"><path d=\"{}\"/>"
                     "<text x=\"{}\" y=\"12\">{}</text><text x=\"{}\" y=\"{}\">{}</text></svg>\n",
                     W, H, path, pad, esc(formatNumber(hi)), pad, H - pad, esc(formatNumber(lo)));
}

std::string describeHtml(const json& r) {
  std::string out = fmt::format("<section><h2>describe {} .. {} <small>({})</small></h2>\n", esc(r["from"].get<std::string>()),
                                esc(r["to"].get<std::string>()), esc(r["grain"].get<std::string>()));
  for (auto& [name, mj] : r["metrics"].items()) {
    std::string title = mj.contains("title") ? " &mdash; " + esc(mj["title"].get<std::string>()) : "";
    out += fmt::format("<h3>{} <small>[{}]{}</small></h3>\n", esc(name), esc(mj["unit"].get<std::string>()), title);
    out += chart(mj["values"]);
    out += "<table><tr><th>period</th><th>value</th><th>change</th><th>%</th></tr>\n";
    for (size_t i = 0; i < mj["periods"].size(); ++i) {
      const json& pc = mj["pct_change"][i];
      std::string cls = pc.is_number() ? (pc.get<double>() < 0 ? " class=\"down\"" : " class=\"up\"") : "";
      out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td{}>{}</td></tr>\n", esc(mj["periods"][i].get<std::string>()),
                         formatNumber(val(mj["values"][i])), formatNumber(val(mj["change"][i])), cls, pct(pc));
    }
    out += "</table>\n";
    const auto& periods = mj["periods"];
    if (mj.contains("slices") && !periods.empty()) {
      size_t last = periods.size() - 1;
      out += fmt::format("<table class=\"slices\"><tr><th>slice at {}</th><th>value</th><th>share</th></tr>\n",
                         esc(periods[last].get<std::string>()));
      std::vector<std::pair<double, std::string>> rows;
      for (auto& sl : mj["slices"]) {
        double v = val(sl["values"][last]);
        double share = sl.contains("share") ? val(sl["share"][last]) : NAN;
        std::string bar = std::isfinite(share)
                              ? fmt::format("<span class=\"bar\" style=\"width:{:.0f}px\"></span> {:.1f}%",
                                            std::clamp(share, 0.0, 1.0) * 120, share * 100)
                              : "-";
        rows.push_back({std::isfinite(v) ? v : -INFINITY, fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                                                                      esc(sliceText(sl["slice"])), formatNumber(v), bar)});
      }
      std::stable_sort(rows.begin(), rows.end(), [](auto& a, auto& b) { return a.first > b.first; });
      for (auto& [v, row] : rows) out += row;
      out += "</table>\n";
    }
    for (auto& gp : mj["gaps"]) {
      std::string where = gp.contains("slice") ? " for " + esc(sliceText(gp["slice"])) : "";
      std::string ps;
      for (auto& p : gp["periods"]) ps += (ps.empty() ? "" : ", ") + esc(p.get<std::string>());
      out += fmt::format("<p class=\"gap\">gap{}: no value at {}</p>\n", where, ps);
    }
  }
  return out + "</section>\n";
}

}  // namespace

std::string renderHtml(const ir::Model& m, const json& results) {
  std::string title = esc(m.title.empty() ? m.name : m.title);
  std::string out = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\n<style>\n"
      "body{{font-family:system-ui,sans-serif;margin:2em auto;max-width:60em;color:#222}}\n"
      "h2{{border-bottom:1px solid #ccc}} small{{color:#777;font-weight:normal}}\n"
      "table{{border-collapse:collapse;margin:.5em 0 1.5em}} td,th{{padding:.15em .8em;text-align:right}}\n"
      "td:first-child,th:first-child{{text-align:left}} tr:nth-child(even){{background:#f6f6f6}}\n"
      ".up{{color:#17803d}} .down{{color:#b42318}} .gap{{color:#b42318}}\n"
      ".bar{{display:inline-block;height:.7em;background:#4c78a8}}\n"
      ".chart{{width:560px;height:120px;display:block}} .chart path{{fill:none;stroke:#4c78a8;stroke-width:2}}\n"
      ".chart text{{font-size:10px;fill:#777}}\n"
      "</style></head><body>\n<h1>{}</h1>\n",
      title, title);
  for (auto& r : results) {
    if (r.value("kind", "") == "describe") out += describeHtml(r);
    else out += "<pre>" + esc(r.dump(2)) + "</pre>\n";
  }
  return out + "</body></html>\n";
}

}  // namespace mtc::rt
