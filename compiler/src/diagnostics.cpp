#include "mtc/diagnostics.h"

#include <algorithm>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace mtc {

const std::vector<DiagCodeInfo>& allDiagCodes() {
  static const std::vector<DiagCodeInfo> codes = {
#define X(id, code, sev, summary) {DiagCode::id, code, Severity::sev, summary},
#include "mtc/diag_codes.def"
#undef X
  };
  return codes;
}

const DiagCodeInfo& diagInfo(DiagCode c) { return allDiagCodes()[static_cast<size_t>(c)]; }

std::string_view severityName(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Note: return "note";
  }
  return "error";
}

Diagnostic& Diagnostics::report(DiagCode id, Range range, std::string message) {
  const DiagCodeInfo& info = diagInfo(id);
  Severity sev = info.severity;
  if (sev == Severity::Warning && allowed_.count(std::string(info.code))) {
    sink_ = Diagnostic{id, sev, range, std::move(message), {}};
    return sink_;
  }
  if (sev == Severity::Warning && denyWarnings_) sev = Severity::Error;
  // The same message at the same place once (a function body checked at each call).
  std::string key = fmt::format("{}:{}:{}:{}:{}:{}:{}", static_cast<int>(id), range.begin.file, range.begin.line,
                                range.begin.col, range.end.line, range.end.col, message);
  if (!seen_.insert(std::move(key)).second) {
    sink_ = Diagnostic{id, sev, range, std::move(message), {}};
    return sink_;
  }
  if (sev == Severity::Error) ++errors_; else ++warnings_;
  if (diags_.size() >= limit_) {
    ++dropped_;
    sink_ = Diagnostic{id, sev, range, std::move(message), {}};
    return sink_;
  }
  diags_.push_back(Diagnostic{id, sev, range, std::move(message), {}});
  return diags_.back();
}

std::vector<Diagnostic> Diagnostics::sorted() const {
  std::vector<Diagnostic> v = diags_;
  std::stable_sort(v.begin(), v.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.range.begin.file, a.range.begin.line, a.range.begin.col) <
           std::tie(b.range.begin.file, b.range.begin.line, b.range.begin.col);
  });
  return v;
}

namespace {

struct Palette {
  std::string_view bold, red, yellow, cyan, green, reset;
};
Palette palette(bool color) {
  if (!color) return {"", "", "", "", "", ""};
  return {"\x1b[1m", "\x1b[1;31m", "\x1b[1;33m", "\x1b[1;36m", "\x1b[1;32m", "\x1b[0m"};
}

// Source line and underline for a range.
void renderSnippet(std::string& out, const SourceManager& sm, const Range& r, const Palette& p,
                   std::string_view markColor) {
  if (!r.valid() || r.begin.file >= sm.size()) return;
  const SourceFile& f = sm.file(r.begin.file);
  if (f.unread() || r.begin.line > f.lineCount()) return;  // no text to show
  std::string_view line = f.line(r.begin.line);
  // Very long lines are cut around the caret so a 100 MB line prints a short excerpt.
  const size_t maxShown = 160;
  size_t startByte = 0;
  uint32_t startCol = 1;
  {
    size_t i = 0;
    uint32_t col = 1;
    uint32_t want = r.begin.col > 60 ? r.begin.col - 60 : 1;
    while (col < want && i < line.size()) { decodeUtf8(line, i); ++col; }
    startByte = i;
    startCol = col;
  }
  std::string_view shown = line.substr(startByte);
  bool cut = false;
  {
    size_t i = 0;
    size_t n = 0;
    while (i < shown.size() && n < maxShown) { decodeUtf8(shown, i); ++n; }
    if (i < shown.size()) { shown = shown.substr(0, i); cut = true; }
  }
  std::string num = std::to_string(r.begin.line);
  std::string pad(num.size(), ' ');
  // Printable text only: control characters and invalid UTF-8 become '?'.
  std::string text;
  for (size_t i = 0; i < shown.size();) {
    size_t j = i;
    uint32_t cp = decodeUtf8(shown, j);
    if (cp == '\t') text += ' ';
    else if (cp < 0x20 || cp == 0x7F || cp == 0xFFFD) text += '?';
    else text.append(shown.substr(i, j - i));
    i = j;
  }
  out += fmt::format(" {}{} |{} {}{}{}\n", p.cyan, num, p.reset, startByte > 0 ? "..." : "", text,
                     cut ? "..." : "");
  // underline
  uint32_t endCol = r.end.line == r.begin.line ? r.end.col : 0;
  if (endCol == 0) {  // to the end of the line
    size_t i = 0;
    uint32_t col = 1;
    while (i < line.size()) { decodeUtf8(line, i); ++col; }
    endCol = col;
  }
  if (endCol <= r.begin.col) endCol = r.begin.col + 1;
  std::string marks;
  if (startByte > 0) marks += "   ";
  for (uint32_t c = startCol; c < r.begin.col; ++c) marks += ' ';
  uint32_t width = std::min<uint32_t>(endCol - r.begin.col, static_cast<uint32_t>(maxShown));
  marks += '^';
  for (uint32_t i = 1; i < width; ++i) marks += '~';
  out += fmt::format(" {} {}|{} {}{}{}\n", pad, p.cyan, p.reset, markColor, marks, p.reset);
}

// file:line:col; a data file's row has no column (file:row), a whole file no line.
std::string locPrefix(const SourceManager& sm, const Range& r) {
  if (r.begin.file == kNoFile || r.begin.file >= sm.size()) return "mtc";
  std::string s = sm.file(r.begin.file).path();
  if (r.begin.line) s += fmt::format(":{}", r.begin.line);
  if (r.begin.line && r.begin.col) s += fmt::format(":{}", r.begin.col);
  return s;
}

}  // namespace

std::string renderText(const SourceManager& sm, const Diagnostic& d, const RenderOptions& o) {
  Palette p = palette(o.color);
  std::string out;
  std::string_view sevColor = d.severity == Severity::Error ? p.red : p.yellow;
  out += fmt::format("{}{}: {}{}:{} {}{} [{}]{}\n", p.bold, locPrefix(sm, d.range), sevColor,
                     severityName(d.severity), p.reset, p.bold, d.message, d.code(), p.reset);
  if (!d.hideLine) renderSnippet(out, sm, d.range, p, sevColor);
  for (const DiagNote& n : d.notes) {
    if (n.range.valid()) {
      out += fmt::format("{}{}: {}note:{} {}\n", p.bold, locPrefix(sm, n.range), p.green, p.reset,
                         n.message);
      renderSnippet(out, sm, n.range, p, p.green);
    } else {
      out += fmt::format("  {}= note:{} {}\n", p.green, p.reset, n.message);
    }
  }
  return out;
}

std::string renderAll(const SourceManager& sm, const Diagnostics& diags, const RenderOptions& o) {
  std::string out;
  for (const Diagnostic& d : diags.sorted()) out += renderText(sm, d, o);
  size_t e = diags.errorCount(), w = diags.warningCount();
  if (diags.dropped() > 0)
    out += fmt::format("({} more diagnostics not shown)\n", diags.dropped());
  if (e || w) {
    std::vector<std::string> parts;
    if (e) parts.push_back(fmt::format("{} error{}", e, e == 1 ? "" : "s"));
    if (w) parts.push_back(fmt::format("{} warning{}", w, w == 1 ? "" : "s"));
    out += fmt::format("{}\n", fmt::join(parts, ", "));
  }
  return out;
}

static nlohmann::json rangeJson(const Range& r) {
  return {{"start", {{"line", r.begin.line}, {"col", r.begin.col}}},
          {"end", {{"line", r.end.line}, {"col", r.end.col}}}};
}

nlohmann::json toJson(const SourceManager& sm, const Diagnostic& d) {
  nlohmann::json j;
  j["code"] = d.code();
  j["severity"] = severityName(d.severity);
  j["file"] = d.range.begin.file != kNoFile && d.range.begin.file < sm.size() ? sm.file(d.range.begin.file).path()
                                                                             : std::string();
  j["range"] = rangeJson(d.range);
  j["message"] = d.message;
  j["notes"] = nlohmann::json::array();
  for (const DiagNote& n : d.notes) {
    nlohmann::json jn;
    jn["message"] = n.message;
    if (n.range.valid()) {
      jn["file"] = sm.file(n.range.begin.file).path();
      jn["range"] = rangeJson(n.range);
    }
    j["notes"].push_back(jn);
  }
  return j;
}

nlohmann::json toJson(const SourceManager& sm, const Diagnostics& diags) {
  nlohmann::json arr = nlohmann::json::array();
  for (const Diagnostic& d : diags.sorted()) arr.push_back(toJson(sm, d));
  return arr;
}

size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                                          std::tolower(static_cast<unsigned char>(b[j - 1]))
                                      ? 0
                                      : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string closestMatch(std::string_view name, const std::vector<std::string>& candidates) {
  std::string best;
  size_t bestD = std::max<size_t>(1, name.size() / 3) + 1;
  for (const std::string& c : candidates) {
    if (c == name) continue;
    size_t d = editDistance(name, c);
    if (d < bestD) { bestD = d; best = c; }
  }
  return best;
}

}  // namespace mtc
