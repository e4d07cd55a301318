#include "mtc/source.h"

#include <algorithm>

namespace mtc {

uint32_t decodeUtf8(std::string_view s, size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  auto cont = [&](size_t k) {
    return i + k < s.size() && (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
  };
  if (c < 0x80) { ++i; return c; }
  if ((c & 0xE0) == 0xC0 && cont(1)) {
    uint32_t cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
    i += 2; return cp;
  }
  if ((c & 0xF0) == 0xE0 && cont(1) && cont(2)) {
    uint32_t cp = ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
                  (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
    i += 3; return cp;
  }
  if ((c & 0xF8) == 0xF0 && cont(1) && cont(2) && cont(3)) {
    uint32_t cp = ((c & 0x07u) << 18) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 12) |
                  ((static_cast<unsigned char>(s[i + 2]) & 0x3Fu) << 6) |
                  (static_cast<unsigned char>(s[i + 3]) & 0x3Fu);
    i += 4; return cp;
  }
  ++i;
  return 0xFFFD;
}

SourceFile::SourceFile(FileId id, std::string path, std::string text, bool unread)
    : id_(id), path_(std::move(path)), text_(std::move(text)), unread_(unread) {
  lineStarts_.push_back(0);
  for (size_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n') lineStarts_.push_back(i + 1);
    else if (text_[i] == '\r' && (i + 1 >= text_.size() || text_[i + 1] != '\n'))
      lineStarts_.push_back(i + 1);
  }
}

std::string_view SourceFile::line(uint32_t line) const {
  if (line == 0 || line > lineStarts_.size()) return {};
  size_t b = lineStarts_[line - 1];
  size_t e = line < lineStarts_.size() ? lineStarts_[line] : text_.size();
  while (e > b && (text_[e - 1] == '\n' || text_[e - 1] == '\r')) --e;
  return std::string_view(text_).substr(b, e - b);
}

size_t SourceFile::offset(uint32_t line, uint32_t col) const {
  if (line == 0) return 0;
  if (line > lineStarts_.size()) return text_.size();
  std::string_view l = this->line(line);
  size_t i = 0;
  for (uint32_t c = 1; c < col && i < l.size(); ++c) decodeUtf8(l, i);
  return lineStarts_[line - 1] + i;
}

Loc SourceFile::locOf(size_t off) const {
  off = std::min(off, text_.size());
  auto it = std::upper_bound(lineStarts_.begin(), lineStarts_.end(), off);
  uint32_t line = static_cast<uint32_t>(it - lineStarts_.begin());
  std::string_view l = std::string_view(text_).substr(lineStarts_[line - 1]);
  size_t i = 0;
  uint32_t col = 1;
  while (lineStarts_[line - 1] + i < off && i < l.size()) { decodeUtf8(l, i); ++col; }
  return Loc{id_, line, col};
}

uint32_t SourceFile::utf16Column(uint32_t line, uint32_t col) const {
  std::string_view l = this->line(line);
  size_t i = 0;
  uint32_t units = 0;
  for (uint32_t c = 1; c < col && i < l.size(); ++c) units += decodeUtf8(l, i) >= 0x10000 ? 2 : 1;
  return units;
}

uint32_t SourceFile::columnFromUtf16(uint32_t line, uint32_t u16) const {
  std::string_view l = this->line(line);
  size_t i = 0;
  uint32_t units = 0, col = 1;
  while (i < l.size() && units < u16) { units += decodeUtf8(l, i) >= 0x10000 ? 2 : 1; ++col; }
  return col + (u16 > units ? u16 - units : 0);
}

FileId SourceManager::add(std::string path, std::string text) {
  FileId id = static_cast<FileId>(files_.size());
  files_.push_back(std::make_unique<SourceFile>(id, std::move(path), std::move(text)));
  return id;
}

FileId SourceManager::addUnread(std::string path) {
  FileId id = static_cast<FileId>(files_.size());
  files_.push_back(std::make_unique<SourceFile>(id, std::move(path), std::string(), true));
  return id;
}

FileId SourceManager::find(const std::string& path) const {
  for (auto& f : files_) if (f->path() == path) return f->id();
  return kNoFile;
}

std::string SourceManager::textOf(const Range& r) const {
  if (!r.valid() || r.begin.file >= files_.size()) return {};
  const SourceFile& f = *files_[r.begin.file];
  size_t b = f.offset(r.begin.line, r.begin.col);
  size_t e = f.offset(r.end.line, r.end.col);
  if (e < b) return {};
  return f.text().substr(b, e - b);
}

}  // namespace mtc
