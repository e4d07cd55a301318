// Source files and locations.
//
// A location is a (file, line, column) triple with 1-based line and column; the
// column counts Unicode code points, as the CLI prints it. The LSP converts to
// UTF-16 with SourceFile::utf16Column.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mtc {

using FileId = uint32_t;
inline constexpr FileId kNoFile = ~FileId{0};

struct Loc {
  FileId file = kNoFile;
  uint32_t line = 0;  // 1-based; 0 means unknown
  uint32_t col = 0;   // 1-based, in code points
  bool valid() const { return file != kNoFile && line > 0; }
  friend bool operator==(const Loc&, const Loc&) = default;
  friend auto operator<=>(const Loc&, const Loc&) = default;
};

// A half-open range [begin, end). A range on one line underlines end.col - begin.col
// code points.
struct Range {
  Loc begin, end;
  bool valid() const { return begin.valid(); }
  static Range point(Loc l) { return Range{l, Loc{l.file, l.line, l.col + 1}}; }
  static Range span(const Range& a, const Range& b) { return Range{a.begin, b.end}; }
  friend bool operator==(const Range&, const Range&) = default;
};

class SourceFile {
 public:
  SourceFile(FileId id, std::string path, std::string text, bool unread = false);
  FileId id() const { return id_; }
  // A file named in a diagnostic whose text was never read (it could not be):
  // diagnostics about it have a location but no excerpt.
  bool unread() const { return unread_; }
  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }
  size_t lineCount() const { return lineStarts_.size(); }
  // The text of a 1-based line without its line terminator.
  std::string_view line(uint32_t line) const;
  // Byte offset of a location in text().
  size_t offset(uint32_t line, uint32_t col) const;
  // Location of a byte offset.
  Loc locOf(size_t offset) const;
  // Column in UTF-16 code units (0-based) for LSP.
  uint32_t utf16Column(uint32_t line, uint32_t col) const;
  // The 1-based code point column of a 0-based UTF-16 column (LSP to us).
  uint32_t columnFromUtf16(uint32_t line, uint32_t utf16col) const;

 private:
  FileId id_;
  std::string path_;
  std::string text_;
  std::vector<size_t> lineStarts_;
  bool unread_ = false;
};

class SourceManager {
 public:
  // Adds a file with the given text; returns its id. Paths are kept as given.
  FileId add(std::string path, std::string text);
  // Adds a file that could not be read, for diagnostics that name it.
  FileId addUnread(std::string path);
  const SourceFile& file(FileId id) const { return *files_.at(id); }
  size_t size() const { return files_.size(); }
  // The id of a path already added, or kNoFile.
  FileId find(const std::string& path) const;
  // The source text a range covers (within one file).
  std::string textOf(const Range& r) const;

 private:
  std::vector<std::unique_ptr<SourceFile>> files_;
};

// Decodes one UTF-8 code point at s[i], advancing i; invalid bytes count as one
// code point each.
uint32_t decodeUtf8(std::string_view s, size_t& i);

}  // namespace mtc
