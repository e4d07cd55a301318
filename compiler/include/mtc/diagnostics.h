// Diagnostics in the clang/rustc style: `file:line:col: error: message [code]`,
// the source line, a caret underline, and notes.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "mtc/source.h"

namespace mtc {

enum class Severity { Error, Warning, Note };

enum class DiagCode {
#define X(id, code, sev, summary) id,
#include "mtc/diag_codes.def"
#undef X
};

struct DiagCodeInfo {
  DiagCode id;
  std::string_view code;
  Severity severity;
  std::string_view summary;
};
const std::vector<DiagCodeInfo>& allDiagCodes();
const DiagCodeInfo& diagInfo(DiagCode c);

struct DiagNote {
  Range range;  // may be invalid: a note without a location
  std::string message;
};

struct Diagnostic {
  DiagCode id;
  Severity severity;
  Range range;
  std::string message;
  std::vector<DiagNote> notes;
  bool hideLine = false;  // the text output does not show its line (it may hold a secret)
  std::string code() const { return std::string(diagInfo(id).code); }

  Diagnostic& note(Range r, std::string msg) {
    notes.push_back({r, std::move(msg)});
    return *this;
  }
  Diagnostic& note(std::string msg) { return note(Range{}, std::move(msg)); }
};

class Diagnostics {
 public:
  // Reports a diagnostic with its code's default severity (warnings may be
  // promoted by denyWarnings, or dropped by allow()).
  Diagnostic& report(DiagCode id, Range range, std::string message);

  bool hasErrors() const { return errors_ > 0; }
  size_t errorCount() const { return errors_; }
  size_t warningCount() const { return warnings_; }
  const std::vector<Diagnostic>& all() const { return diags_; }
  // Diagnostics sorted by file, line, column (stable for equal locations).
  std::vector<Diagnostic> sorted() const;

  void setDenyWarnings(bool on) { denyWarnings_ = on; }
  void allow(std::string code) { allowed_.insert(std::move(code)); }
  // A cap on how many diagnostics are kept; the rest are counted and dropped.
  void setLimit(size_t n) { limit_ = n; }
  size_t dropped() const { return dropped_; }

 private:
  std::vector<Diagnostic> diags_;
  Diagnostic sink_;
  size_t errors_ = 0, warnings_ = 0, dropped_ = 0, limit_ = 1000;
  bool denyWarnings_ = false;
  std::set<std::string> allowed_;
  std::set<std::string> seen_;
};

struct RenderOptions {
  bool color = false;
};

// One diagnostic as text, with source lines and carets.
std::string renderText(const SourceManager& sm, const Diagnostic& d, const RenderOptions& o = {});
// All diagnostics as text, followed by a summary line when there are any.
std::string renderAll(const SourceManager& sm, const Diagnostics& diags, const RenderOptions& o = {});
// The JSON form used by `mtc check --format json` and the LSP.
nlohmann::json toJson(const SourceManager& sm, const Diagnostic& d);
nlohmann::json toJson(const SourceManager& sm, const Diagnostics& diags);

std::string_view severityName(Severity s);

// "did you mean 'x'?" support: the closest candidate within a small edit distance.
std::string closestMatch(std::string_view name, const std::vector<std::string>& candidates);
size_t editDistance(std::string_view a, std::string_view b);

}  // namespace mtc
