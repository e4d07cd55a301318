// Escaping of model text (names, titles, docs) for the formats that embed it,
// shared by the report renderers and `mtc graph`.
#pragma once

#include <string>
#include <string_view>

namespace mtc {

// Text inside a quoted Mermaid label: quotes and markup characters as Mermaid's
// entity codes, a line break as `newline` (a space where the label is one line,
// "<br/>" where Mermaid breaks it), a carriage return dropped.
inline std::string mermaidText(std::string_view s, std::string_view newline) {
  std::string r;
  for (char c : s) switch (c) {
      case '"': r += "#quot;"; break;
      case '<': r += "#lt;"; break;
      case '>': r += "#gt;"; break;
      case '#': r += "#35;"; break;
      case '\n': r += newline; break;
      case '\r': break;
      default: r += c;
    }
  return r;
}

}  // namespace mtc
