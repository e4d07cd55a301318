// Formatting: the whole document through mtc::formatSource (`mtc fmt`), as one
// TextEdit that replaces everything (none when it is already formatted).
#include "document.h"
#include "mtc/format.h"

namespace mtc::lsp {

json formatting(const Document& d, const json&) {
  FormatResult r = formatSource(d.path, d.text);
  if (!r.ok) throw LspError(RequestFailed, "cannot format a file with syntax errors:\n" + r.errors);
  if (r.text == d.text) return json::array();
  // From the start to the end of the last line: every byte is replaced.
  const SourceFile& f = d.file();
  auto last = static_cast<uint32_t>(f.lineCount());
  json end = {{"line", last - 1}, {"character", f.utf16Column(last, UINT32_MAX)}};
  json start = {{"line", 0}, {"character", 0}};
  return json::array({{{"range", {{"start", start}, {"end", end}}}, {"newText", r.text}}});
}

}  // namespace mtc::lsp
