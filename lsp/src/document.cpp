// Shared helpers of the language server: URIs, positions, occurrences, word
// lists, and the diagnostics of a document.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "document.h"

namespace mtc::lsp {

namespace fs = std::filesystem;

// ------------------------------------------------------------------ URIs

namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hexValue(s[i + 1]) >= 0 && hexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(hexValue(s[i + 1]) * 16 + hexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

std::string pathFromUri(const std::string& uri) {
  static const std::string kFile = "file://";
  if (uri.compare(0, kFile.size(), kFile) != 0) return uri;  // untitled:..., kept as a name
  std::string rest = uri.substr(kFile.size());
  size_t slash = rest.find('/');  // skip an authority (file://host/path)
  rest = slash == std::string::npos ? "/" : rest.substr(slash);
  return percentDecode(rest);
}

std::string uriFromPath(const std::string& path) {
  if (path.find("://") != std::string::npos || path.rfind("untitled:", 0) == 0) return path;
  std::error_code ec;
  std::string abs = fs::absolute(path, ec).lexically_normal().string();
  if (ec) abs = path;
  std::string out = "file://";
  static const char* kHex = "0123456789ABCDEF";
  for (unsigned char c : abs) {
    // RFC 3986 unreserved characters and the path separator stay as they are.
    if (std::isalnum(c) || c == '/' || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// ------------------------------------------------------------------ positions

json toPosition(const SourceFile& f, uint32_t line, uint32_t col) {
  if (line == 0) return {{"line", 0}, {"character", 0}};
  return {{"line", line - 1}, {"character", f.utf16Column(line, col)}};
}

json toRange(const SourceManager& sm, const Range& r) {
  if (!r.valid() || r.begin.file >= sm.size()) {
    json p = {{"line", 0}, {"character", 0}};
    return {{"start", p}, {"end", p}};
  }
  const SourceFile& f = sm.file(r.begin.file);
  json start = toPosition(f, r.begin.line, r.begin.col);
  json end = r.end.line > 0 ? toPosition(f, r.end.line, r.end.col) : start;
  return {{"start", start}, {"end", end}};
}

std::string uriOf(const Document& d, FileId file) {
  if (file == Document::kMain || file >= d.comp->sources.size()) return d.uri;
  return uriFromPath(d.comp->sources.file(file).path());
}

json toLocation(const Document& d, const Range& r) {
  return {{"uri", uriOf(d, r.begin.file)}, {"range", toRange(d.comp->sources, r)}};
}

Loc fromPosition(const Document& d, const json& position) {
  if (!position.is_object() || !position.contains("line") || !position.contains("character") ||
      !position["line"].is_number_integer() || !position["character"].is_number_integer() ||
      position["line"].get<int64_t>() < 0 || position["character"].get<int64_t>() < 0)
    throw LspError(InvalidParams, "a position needs a line and a character (non-negative integers)");
  auto line = static_cast<uint32_t>(position["line"].get<int64_t>() + 1);
  auto u16 = static_cast<uint32_t>(position["character"].get<int64_t>());
  return Loc{Document::kMain, line, d.file().columnFromUtf16(line, u16)};
}

// ------------------------------------------------------------------ occurrences

namespace {

bool contains(const Range& r, Loc at, bool endInclusive) {
  if (r.begin.file != at.file || at < r.begin) return false;
  return endInclusive ? at <= r.end : at < r.end;
}

}  // namespace

const Occurrence* occurrenceAt(const Compilation& c, Loc at) {
  // Prefer the name the cursor is on; else the one it just ends (cursor after a word).
  for (bool endInclusive : {false, true})
    for (const Occurrence& o : c.occurrences)
      if (contains(o.range, at, endInclusive)) return &o;
  return nullptr;
}

// Dimension values and function parameters have qualified names ("channel.web"),
// unique in a model; their uses record the dimension (or nothing) as the
// declaration, so they are matched by name alone.
static bool qualified(SymKind k) { return k == SymKind::DimValue || k == SymKind::FunctionParam; }

Range declarationOf(const Compilation& c, const Occurrence& o) {
  if (qualified(o.kind))
    for (const Occurrence& x : c.occurrences)
      if (x.isDecl && x.kind == o.kind && x.name == o.name) return x.range;
  return o.declRange;
}

std::vector<const Occurrence*> occurrencesOf(const Compilation& c, const Occurrence& o) {
  std::vector<const Occurrence*> out;
  for (const Occurrence& x : c.occurrences)
    if (x.kind == o.kind && x.name == o.name && (qualified(o.kind) || x.declRange == o.declRange)) out.push_back(&x);
  std::sort(out.begin(), out.end(), [](const Occurrence* a, const Occurrence* b) { return a->range.begin < b->range.begin; });
  // A name can be recorded twice when two passes look at it: one per place.
  out.erase(std::unique(out.begin(), out.end(), [](const Occurrence* a, const Occurrence* b) { return a->range == b->range; }),
            out.end());
  return out;
}

const ast::Decl* declAt(const Compilation& c, const Range& nameRange) {
  for (auto& f : c.files)
    for (auto& d : f->decls)
      if (d->name.range == nameRange) return d.get();
  return nullptr;
}

// ------------------------------------------------------------------ words

bool isIdentifier(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; });
}

// ------------------------------------------------------------------ diagnostics

namespace {

int lspSeverity(Severity s) {
  switch (s) {
    case Severity::Error: return 1;
    case Severity::Warning: return 2;
    case Severity::Note: return 3;
  }
  return 1;
}

// Where to show, in the buffer, a diagnostic located in an imported file: on the
// import that names that file, else on the first import (an indirect import).
Range importRangeFor(const Document& d, FileId file) {
  const Compilation& c = *d.comp;
  if (c.files.empty()) return Range{};
  std::error_code ec;
  fs::path target = fs::weakly_canonical(c.sources.file(file).path(), ec);
  fs::path dir = fs::path(c.sources.file(0).path()).parent_path();
  auto at = [](const ast::ImportDecl* im) { return im->pathRange.valid() ? im->pathRange : im->range; };
  // the import whose path resolves to the file (relative to the importing file);
  // then one naming a file of that name (found through the stdlib folders);
  // else the first import
  const ast::ImportDecl *first = nullptr, *sameName = nullptr;
  for (auto& decl : c.files[0]->decls) {
    if (decl->kind != ast::DeclKind::Import) continue;
    auto* im = static_cast<const ast::ImportDecl*>(decl.get());
    if (!first) first = im;
    if (fs::weakly_canonical(dir / im->path, ec) == target) return at(im);
    if (!sameName && target.filename() == fs::path(im->path).filename()) sameName = im;
  }
  if (sameName) return at(sameName);
  if (first) return at(first);
  return Range{};
}

}  // namespace

json diagnosticsFor(const Document& d) {
  const Compilation& c = *d.comp;
  json list = json::array();
  for (const Diagnostic& diag : c.diags.sorted()) {
    json j;
    std::string message = diag.message;
    json related = json::array();
    bool here = !diag.range.valid() || diag.range.begin.file == Document::kMain;
    if (here) {
      j["range"] = toRange(c.sources, diag.range);
    } else {
      // Located in an imported file: shown on the import, pointing to the place.
      const SourceFile& f = c.sources.file(diag.range.begin.file);
      message = fmt::format("in {}:{}:{}: {}", f.path(), diag.range.begin.line, diag.range.begin.col, message);
      j["range"] = toRange(c.sources, importRangeFor(d, diag.range.begin.file));
      related.push_back({{"location", toLocation(d, diag.range)}, {"message", diag.message}});
    }
    for (const DiagNote& n : diag.notes) {
      if (n.range.valid()) related.push_back({{"location", toLocation(d, n.range)}, {"message", n.message}});
      else message += "\nnote: " + n.message;
    }
    j["severity"] = lspSeverity(diag.severity);
    j["code"] = diag.code();
    j["source"] = "mtc";
    j["message"] = message;
    if (!related.empty()) j["relatedInformation"] = related;
    list.push_back(std::move(j));
  }
  return {{"uri", d.uri}, {"version", d.version}, {"diagnostics", list}};
}

}  // namespace mtc::lsp
