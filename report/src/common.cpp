// Numbers, percentages and escaping for every renderer.
#include "mtc/ir_print.h"
#include "mtc/escape.h"
#include "common.h"

#include <algorithm>

namespace mtc::report {

std::string formatNumber(double v, int decimals) { return ir::readableNumber(v, decimals); }

double typicalSize(const std::vector<double>& values) {
  std::vector<double> a;
  for (double v : values)
    if (std::isfinite(v)) a.push_back(std::fabs(v));
  if (a.empty()) return 0;
  std::nth_element(a.begin(), a.begin() + static_cast<ptrdiff_t>(a.size() / 2), a.end());
  return a[a.size() / 2];
}

std::string percentChange(double pct, double base, double scale) {
  if (!std::isfinite(pct) || !std::isfinite(base)) return "-";
  if (base <= 0 || base < 0.05 * scale) return "n/m";
  return fmt::format("{:+.1f}%", pct * 100);
}

std::string goalSentence(const ir::Model& m, const eng::GoalOutlook& g, const std::string& unit) {
  const ir::Goal& G = m.goals[g.goal];
  std::string head = fmt::format("goal {} at {}: target {} {}, ", G.name, formatPeriod(g.at), formatNumber(g.target), unit);
  if (g.passed)
    return head + fmt::format("actual {} ({})", formatNumber(g.value), g.met ? "met" : fmt::format("missed by {}", formatNumber(g.gap)));
  std::string p = g.probability ? fmt::format("; probability of meeting it {:.0f}%", *g.probability * 100) : "";
  return head + fmt::format("forecast {} ({}){}", formatNumber(g.value),
                            g.met ? fmt::format("{} to spare", formatNumber(-g.gap)) : fmt::format("short by {}", formatNumber(g.gap)), p);
}

std::vector<std::string> seekSentences(const ir::Model& m, const eng::SeekResult& r) {
  std::vector<std::string> out;
  const ir::Goal& G = m.goals[r.goal];
  auto name = [&](const ir::Ref& ref) { return ir::refName(m, ref); };
  auto unitOf = [&](const ir::Ref& ref) {
    return m.units.format(ref.kind == ir::Ref::Kind::Param ? m.params[ref.id].unit : m.metrics[ref.id].unit);
  };
  if (!r.solved) {
    out.push_back(r.reason);
  } else {
    for (const auto& v : r.variables) {
      std::string rel = std::isfinite(v.relative) ? fmt::format(", {:+.1f}%", v.relative * 100) : "";
      out.push_back(fmt::format("{} must be {} {} for goal {} at {} (now {}: {}{}{})", name(v.ref), formatNumber(v.required), unitOf(v.ref),
                                G.name, formatPeriod(r.at), formatNumber(v.current), v.change >= 0 ? "+" : "", formatNumber(v.change), rel));
      if (v.highest && *v.highest > 0 && v.required > *v.highest)
        out.push_back(fmt::format("that is {:.1f}x the highest {} in the data ({} at {})", v.required / *v.highest, name(v.ref),
                                  formatNumber(*v.highest), formatPeriod(v.highestAt)));
      else if (v.lowest && v.required < *v.lowest)
        out.push_back(fmt::format("that is below the lowest {} in the data ({} at {})", name(v.ref), formatNumber(*v.lowest),
                                  formatPeriod(v.lowestAt)));
    }
  }
  if (r.solved && r.violated.empty()) out.push_back("feasible: no constraint is broken");
  for (const auto& c : r.violated)
    out.push_back(fmt::format("infeasible: constraint {} breaks by {} ({} against a limit of {})", m.constraints[c.constraint].name,
                              formatNumber(c.by), formatNumber(c.value), formatNumber(c.limit)));
  for (const auto& n : r.notes) out.push_back("note: " + n);
  return out;
}

std::vector<std::string> optimizeSentences(const ir::Model&, const eng::OptimizeResult& r) {
  std::vector<std::string> out;
  if (r.status == "optimal") {
    out.push_back(fmt::format("{}: {} {} = {} {} (with the levers as they are: {})", r.timeLimit ? "best found within the time limit" : "optimal",
                              r.maximize ? "maximum" : "minimum", r.objectiveText, formatNumber(r.objective), r.unit,
                              formatNumber(r.objectiveBefore)));
    if (r.mip)
      out.push_back(fmt::format("branch-and-cut: the LP relaxation's bound is {}, a relative gap of {}", formatNumber(r.bound),
                                r.gap == 0 ? std::string("0") : fmt::format("{:.3g}%", r.gap * 100)));
    std::string binding;
    for (const auto& row : r.rows)
      if (row.binding) binding += (binding.empty() ? "" : ", ") + row.name;
    out.push_back(binding.empty() ? "no constraint binds" : "binding: " + binding);
  } else if (r.status == "infeasible" && !r.starts.empty()) {  // the non-linear path: no start found a feasible point
    out.push_back(fmt::format("infeasible: none of {} starts found values of the levers that meet every constraint", r.starts.size()));
    for (const auto& c : r.conflict)
      out.push_back(c.move ? fmt::format("the most violated: {}, broken by {} (its limit would have to be {})", c.row, formatNumber(*c.move),
                                         formatNumber(*c.to))
                           : fmt::format("the most violated: {}", c.row));
  } else if (r.status == "infeasible") {
    std::string names;
    for (const auto& c : r.conflict) names += (names.empty() ? "" : ", ") + c.row;
    out.push_back("infeasible: no values of the levers meet every constraint");
    out.push_back(fmt::format("infeasible: these constraints conflict (an irreducible set): {}", names.empty() ? "the variables' bounds" : names));
    for (const auto& c : r.conflict)
      out.push_back(c.move ? fmt::format("{} would have to move by {} (to {})", c.row, formatNumber(*c.move), formatNumber(*c.to))
                           : fmt::format("{}: moving it alone does not make the model feasible", c.row));
  } else if (r.status == "unbounded") {
    std::string names;
    for (const auto& [name, dir] : r.unbounded) names += (names.empty() ? "" : ", ") + name + (dir > 0 ? " up" : " down");
    out.push_back(fmt::format("unbounded: {} {} without limit{}", r.objectiveText, r.maximize ? "grows" : "falls",
                              names.empty() ? "" : " as these levers run: " + names));
    if (!r.unbounded.empty()) out.push_back("give them a bound in `vary` (vary x >= 0 <= limit) or a constraint that holds them");
  }
  if (!r.starts.empty()) {  // the non-linear path's multi-start: where each start ended
    std::string ends;
    for (const auto& st : r.starts)
      ends += fmt::format("{}{}: {}{}", ends.empty() ? "" : "; ", st.from, st.feasible ? formatNumber(st.objective) : st.status,
                          st.best ? " (best)" : "");
    out.push_back(fmt::format("{} starts: {}", r.starts.size(), ends));
  }
  for (const auto& c : r.checks)
    out.push_back(c.holds ? fmt::format("constraint {} holds ({} against {}); no lever reaches it", c.name, formatNumber(c.lhs), formatNumber(c.rhs))
                          : fmt::format("broken: constraint {} ({} against {}); no lever reaches it", c.name, formatNumber(c.lhs),
                                        formatNumber(c.rhs)));
  for (const auto& n : r.notes) out.push_back("note: " + n);
  return out;
}

std::vector<std::string> recommendSentences(const ir::Model& m, const eng::RecommendResult& r) {
  std::vector<std::string> out;
  const ir::Goal& G = m.goals[r.goal];
  std::string state = r.met ? fmt::format("met, {} to spare", formatNumber(-r.gap)) : fmt::format("short by {}", formatNumber(r.gap));
  out.push_back(fmt::format("goal {} ({}) at {}: target {} {}, {} {} ({})", G.name, r.goalText, formatPeriod(r.at), formatNumber(r.target),
                            r.unit, r.valueFrom == "model" ? "with the levers as they are" : r.valueFrom, formatNumber(r.value), state));
  if (!r.met) {
    if (!r.reachable)
      out.push_back(r.reach ? fmt::format("out of reach within the model: the levers get it to {} at most", formatNumber(*r.reach))
                            : std::string("out of reach within the model's levers and constraints"));
    else
      out.push_back(r.reach ? fmt::format("within reach of the model's levers (all of them at their limits: {})", formatNumber(*r.reach))
                            : std::string("within reach of the model's levers"));
  }
  if (r.bottleneck) {
    const auto& b = *r.bottleneck;
    if (!b.lever.empty())
      out.push_back(fmt::format("bottleneck: {}{} ({} {})", b.lever, b.constraint.empty() ? "" : " under " + b.constraint,
                                formatNumber(b.perUnit), b.basis));
    if (!b.stage.empty() && b.stageRatio)
      out.push_back(fmt::format("weakest benchmarked stage: {} at {:.0f}% of par", b.stage, *b.stageRatio * 100));
  }
  for (const auto& n : r.notes) out.push_back("note: " + n);
  return out;
}

std::string recommendLabel(const eng::RecommendResult::Recommendation& x) {
  std::string s = eng::recTypeName(x.type);
  if (x.cls) s += std::string(", ") + (*x.cls == eng::DecisionClass::NonProgrammed ? "non-programmed" : "programmed");
  if (x.move) s += std::string(": ") + eng::moveName(*x.move);
  if (x.action) s += std::string(": ") + eng::actionKindName(*x.action);
  if (x.level) s += fmt::format(" ({})", ir::levelName(*x.level));
  return s;
}

std::string recommendEffect(const eng::RecommendResult& r, const eng::RecommendResult::Recommendation& x) {
  if (!x.effect) return "effect not modelled";
  return fmt::format("{}{} {}", *x.effect >= 0 ? "+" : "", formatNumber(*x.effect), r.unit);
}

std::vector<std::pair<std::string, double>> waterfallSteps(const eng::DiagnoseResult& r) {
  struct Node {
    const eng::DiagnoseResult::Contribution* c;
    const eng::DiagnoseResult::Contribution* parent = nullptr;
  };
  std::vector<Node> frontier;
  for (auto& c : r.component.contributions) frontier.push_back({&c, nullptr});
  for (;;) {
    size_t open = frontier.size();
    for (size_t i = 0; i < frontier.size(); ++i)
      if (!frontier[i].c->children.empty() && (open == frontier.size() || std::fabs(frontier[i].c->value) > std::fabs(frontier[open].c->value)))
        open = i;
    if (open == frontier.size() || frontier.size() - 1 + frontier[open].c->children.size() > 8) break;
    Node parent = frontier[open];
    frontier.erase(frontier.begin() + static_cast<std::ptrdiff_t>(open));
    size_t at = open;
    for (auto& ch : parent.c->children) frontier.insert(frontier.begin() + static_cast<std::ptrdiff_t>(at++), {&ch, parent.c});
  }
  std::vector<std::pair<std::string, double>> steps;
  for (auto& nd : frontier) {
    size_t same = std::count_if(frontier.begin(), frontier.end(), [&](const Node& x) { return x.c->driver == nd.c->driver; });
    steps.push_back({same > 1 && nd.parent ? nd.c->driver + " (" + nd.parent->driver + ")" : nd.c->driver, nd.c->value});
  }
  return steps;
}

std::string rangeText(const std::optional<eng::OptimizeResult::Range>& r) {
  if (!r) return "";
  auto end = [](double v) { return std::isinf(v) ? std::string(v < 0 ? "-inf" : "inf") : formatNumber(v); };
  return end(r->lo) + " .. " + end(r->hi);
}

std::string periodList(const std::vector<Period>& ps, size_t max) {
  std::string s;
  for (size_t k = 0; k < ps.size(); ++k) {
    if (k == max) return s + fmt::format(" and {} more", ps.size() - max);
    s += (s.empty() ? "" : ", ") + formatPeriod(ps[k]);
  }
  return s;
}

std::string htmlEscape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&#39;"; break;
      default: o += c;
    }
  }
  return o;
}

std::string markdownEscape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '|' || c == '\\' || c == '`' || c == '*' || c == '_' || c == '<' || c == '>' || c == '[' || c == ']') o += '\\';
    if (c == '\n' || c == '\r') {
      o += ' ';
      continue;
    }
    o += c;
  }
  return o;
}

std::string mermaidText(const std::string& s) { return mtc::mermaidText(s, " "); }

}  // namespace mtc::report
