// `mtc fmt`: the one canonical layout of a .mtree file (docs/fmt-diff.md).
//
// The formatter works on the token stream (comments included) with knowledge of
// the grammar's blocks: it re-indents, normalises the spaces between tokens,
// collapses blank lines and aligns trailing comments, and keeps every comment and
// the author's line breaks. It never changes the significant tokens: the result
// is re-lexed and compared before it is returned.
#pragma once

#include <string>

namespace mtc {

struct FormatResult {
  bool ok = false;      // false: the text does not parse; nothing formatted
  std::string text;     // the formatted text when ok
  std::string errors;   // rendered diagnostics (clang style, no colour) when !ok
};

// Formats the text of a file; path only names it in diagnostics.
FormatResult formatSource(const std::string& path, const std::string& text);

}  // namespace mtc
