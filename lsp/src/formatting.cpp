// Formatting: the whole document through mtc::formatSource (`mtc fmt`), as one
// TextEdit that replaces everything. Built only when the formatter is present.
#include "document.h"

#if MTC_HAVE_FORMAT
#include "mtc/format.h"
#endif

namespace mtc::lsp {

#if MTC_HAVE_FORMAT
bool formattingAvailable() { return true; }

json formatting(const Document& d, const json&) {
  FormatResult r = formatSource(d.path, d.text);
  if (!r.ok) throw LspError(RequestFailed, "cannot format: " + r.errors);
  if (r.text == d.text) return json::array();
  // From the start to the end of the last line: every byte is replaced.
  const SourceFile& f = d.file();
  auto last = static_cast<uint32_t>(f.lineCount());
  json end = {{"line", last - 1}, {"character", f.utf16Column(last, UINT32_MAX)}};
  json start = {{"line", 0}, {"character", 0}};
  return json::array({{{"range", {{"start", start}, {"end", end}}}, {"newText", r.text}}});
}
#else
bool formattingAvailable() { return false; }
json formatting(const Document&, const json&) { throw LspError(MethodNotFound, "formatting is not built"); }
#endif

}  // namespace mtc::lsp
