// Internal to the language server: open documents, LSP <-> mtc positions, and
// the feature functions the dispatcher calls (one file per feature).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "mtc/builtins.h"
#include "mtc/compiler.h"
#include "mtc/ir_print.h"
#include "mtc/properties.h"

namespace mtc::lsp {

using json = nlohmann::json;

// JSON-RPC and LSP error codes.
enum ErrorCode : int {
  ParseError = -32700,
  InvalidRequest = -32600,
  MethodNotFound = -32601,
  InvalidParams = -32602,
  InternalError = -32603,
  ServerNotInitialized = -32002,
  RequestFailed = -32803,
};

// Thrown by a feature to answer a request with an error.
struct LspError : std::runtime_error {
  int code;
  LspError(int c, const std::string& msg) : std::runtime_error(msg), code(c) {}
};

struct Document {
  std::string uri, path, text;
  int64_t version = 0;
  std::shared_ptr<const Compilation> comp;  // the latest check of `text`
  // The latest check whose text parsed: completion takes names from it while the
  // buffer is half typed and does not parse.
  std::shared_ptr<const Compilation> lastParsed;

  // The main file's id in comp->sources (the buffer itself).
  static constexpr FileId kMain = 0;
  const SourceFile& file() const { return comp->sources.file(kMain); }
};

// ---- URIs and paths
std::string pathFromUri(const std::string& uri);  // file:///a%20b -> /a b; other schemes kept
std::string uriFromPath(const std::string& path);  // absolute, percent-encoded file URI

// ---- positions: LSP lines and UTF-16 characters are 0-based; mtc's are 1-based code points
json toPosition(const SourceFile& f, uint32_t line, uint32_t col);
json toRange(const SourceManager& sm, const Range& r);
json toLocation(const Document& d, const Range& r);  // uri + range, for any file of the compilation
std::string uriOf(const Document& d, FileId file);
// Where an LSP position falls in the buffer; throws InvalidParams when it is malformed.
Loc fromPosition(const Document& d, const json& position);

// The occurrence (declaration or use) of a name under the cursor, if any.
const Occurrence* occurrenceAt(const Compilation& c, Loc at);
// Where the symbol of an occurrence is declared (invalid for built-in names).
Range declarationOf(const Compilation& c, const Occurrence& o);
// Every occurrence of the same symbol (same kind, name and declaration).
std::vector<const Occurrence*> occurrencesOf(const Compilation& c, const Occurrence& o);

// The declaration whose name is at `nameRange` (searching every file), or null.
const ast::Decl* declAt(const Compilation& c, const Range& nameRange);

// A word that can be a new name (keywords, from the grammar, cannot: mtc::isKeyword).
bool isIdentifier(const std::string& s);

// ---- features (params are the request's params; results are LSP JSON)
json diagnosticsFor(const Document& d);  // the publishDiagnostics params
json hover(const Document& d, const json& params);
json definition(const Document& d, const json& params);
json references(const Document& d, const json& params);
json completion(const Document& d, const json& params);
json documentSymbols(const Document& d);
json prepareRename(const Document& d, const json& params);
json rename(const Document& d, const json& params);
json formatting(const Document& d, const json& params);

// ANTLR's DFA cache grows with every new input: clear it now and then.
void clearParserCache();

}  // namespace mtc::lsp
