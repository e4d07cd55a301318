// The JSON-RPC dispatcher, the LSP life cycle and the open documents.
#include "mtc/lsp/server.h"

#include <filesystem>

#include "document.h"

namespace mtc::lsp {

namespace fs = std::filesystem;

namespace {

json response(const json& id, json result) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

json errorResponse(const json& id, int code, const std::string& message) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}};
}

json capabilities() {
  json caps = {
      // Full-text sync; open/close notifications; no save text needed.
      {"textDocumentSync", {{"openClose", true}, {"change", 1}, {"save", {{"includeText", false}}}}},
      {"hoverProvider", true},
      {"definitionProvider", true},
      {"referencesProvider", true},
      {"documentSymbolProvider", true},
      {"renameProvider", {{"prepareProvider", true}}},
      {"completionProvider", {{"triggerCharacters", {":", ".", ",", "["}}, {"resolveProvider", false}}},
      {"documentFormattingProvider", true},
  };
  return caps;
}

// A document's version; clients may send null (or nothing) for "unknown".
int64_t versionOf(const json& textDocument, int64_t fallback) {
  auto it = textDocument.find("version");
  return it != textDocument.end() && it->is_number_integer() ? it->get<int64_t>() : fallback;
}

}  // namespace

Server::Server(ServerOptions opts) : opts_(std::move(opts)) {}
Server::~Server() = default;

std::vector<json> Server::handle(const std::string& text) {
  json msg = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (msg.is_discarded()) return {errorResponse(nullptr, ParseError, "the message is not valid JSON")};
  return handle(msg);
}

std::vector<json> Server::handle(const json& msg) {
  out_.clear();
  if (!msg.is_object() || !msg.contains("method") || !msg["method"].is_string()) {
    // A response from the client (we send no requests) is ignored; anything else is invalid.
    if (msg.is_object() && msg.contains("id") && (msg.contains("result") || msg.contains("error"))) return {};
    json id = msg.is_object() && msg.contains("id") ? msg["id"] : json(nullptr);
    return {errorResponse(id, InvalidRequest, "not a JSON-RPC request or notification")};
  }
  const std::string method = msg["method"];
  const bool isRequest = msg.contains("id");
  const json id = isRequest ? msg["id"] : json(nullptr);
  static const json kNoParams = json::object();
  const json& params = msg.contains("params") ? msg["params"] : kNoParams;

  std::vector<json> result;
  try {
    json r = dispatch(method, params, isRequest);
    if (isRequest) result.push_back(response(id, std::move(r)));
  } catch (const LspError& e) {
    if (isRequest) result.push_back(errorResponse(id, e.code, e.what()));
  } catch (const json::exception& e) {
    // A field of the wrong type or missing: the params do not match the method.
    if (isRequest) result.push_back(errorResponse(id, InvalidParams, std::string("invalid params: ") + e.what()));
  } catch (const std::exception& e) {
    if (isRequest) result.push_back(errorResponse(id, InternalError, e.what()));
  }
  // Notifications produced while handling (diagnostics) follow the response.
  for (auto& n : out_) result.push_back(std::move(n));
  out_.clear();
  return result;
}

void Server::notify(const std::string& method, json params) {
  out_.push_back({{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}});
}

json Server::dispatch(const std::string& method, const json& params, bool isRequest) {
  if (method == "exit") {
    exit_ = true;
    return nullptr;
  }
  if (method == "initialize") {
    if (initialized_) throw LspError(InvalidRequest, "initialize was already called");
    initialized_ = true;
    return {{"capabilities", capabilities()},
            {"serverInfo", {{"name", "mtc"}, {"version", "0.1.0"}}}};
  }
  if (!initialized_) {
    if (isRequest) throw LspError(ServerNotInitialized, "the server is not initialized yet");
    return nullptr;  // notifications before initialize are dropped
  }
  if (shutdown_) {
    if (isRequest) throw LspError(InvalidRequest, "the server is shutting down");
    return nullptr;
  }
  if (method == "initialized") return nullptr;
  if (method == "shutdown") {
    shutdown_ = true;
    docs_.clear();
    return nullptr;
  }
  if (method == "textDocument/didOpen") return didOpen(params), nullptr;
  if (method == "textDocument/didChange") return didChange(params), nullptr;
  if (method == "textDocument/didClose") return didClose(params), nullptr;
  if (method == "textDocument/didSave" || method == "workspace/didChangeWatchedFiles") {
    recheckAll();  // an imported file may have changed on disk
    return nullptr;
  }
  if (method == "textDocument/hover") return hover(document(params), params);
  if (method == "textDocument/definition") return definition(document(params), params);
  if (method == "textDocument/references") return references(document(params), params);
  if (method == "textDocument/completion") return completion(document(params), params);
  if (method == "textDocument/documentSymbol") return documentSymbols(document(params));
  if (method == "textDocument/prepareRename") return prepareRename(document(params), params);
  if (method == "textDocument/rename") return rename(document(params), params);
  if (method == "textDocument/formatting") return formatting(document(params), params);
  if (!isRequest) return nullptr;  // unknown notifications ($/cancelRequest, ...) are ignored
  throw LspError(MethodNotFound, "unknown method: " + method);
}

const Document& Server::document(const json& params) const {
  const std::string& uri = params.at("textDocument").at("uri").get_ref<const std::string&>();
  auto it = docs_.find(uri);
  if (it == docs_.end()) throw LspError(InvalidParams, "unknown document (not opened): " + uri);
  return *it->second;
}

// ------------------------------------------------------------------ documents

void Server::didOpen(const json& params) {
  const json& td = params.at("textDocument");
  auto d = std::make_unique<Document>();
  d->uri = td.at("uri").get<std::string>();
  d->path = pathFromUri(d->uri);
  d->text = td.at("text").get<std::string>();
  d->version = versionOf(td, 0);
  Document& doc = *d;
  docs_[doc.uri] = std::move(d);
  check(doc);
  recheckDependents(doc.path);
}

void Server::didChange(const json& params) {
  const std::string& uri = params.at("textDocument").at("uri").get_ref<const std::string&>();
  auto it = docs_.find(uri);
  if (it == docs_.end()) throw LspError(InvalidParams, "change to a document that is not open: " + uri);
  Document& d = *it->second;
  int64_t version = versionOf(params["textDocument"], d.version);
  // Full sync: the last change holds the whole text (a change with a range would
  // mean the client ignored our capabilities; refuse it rather than corrupt the buffer).
  for (const json& ch : params.at("contentChanges")) {
    if (ch.contains("range")) throw LspError(InvalidParams, "incremental changes are not supported (full sync only)");
    d.text = ch.at("text").get<std::string>();
  }
  d.version = version;
  check(d);
  recheckDependents(d.path);
}

void Server::didClose(const json& params) {
  const std::string& uri = params.at("textDocument").at("uri").get_ref<const std::string&>();
  auto it = docs_.find(uri);
  if (it == docs_.end()) return;
  std::string path = it->second->path;
  docs_.erase(it);
  notify("textDocument/publishDiagnostics", {{"uri", uri}, {"diagnostics", json::array()}});
  recheckDependents(path);  // they now read the file from disk
}

void Server::check(Document& d) {
  CompileOptions o = opts_.compile;
  for (auto& [uri, other] : docs_)
    if (other.get() != &d) o.overlays.push_back({other->path, other->text});
  if (opts_.clearParserCacheEvery && checks_ > 0 && checks_ % opts_.clearParserCacheEvery == 0) clearParserCache();
  ++checks_;
  d.comp = compileText(d.path, d.text, o);
  if (d.comp->parsed) d.lastParsed = d.comp;
  publishDiagnostics(d);
}

// Open documents that import `path` (directly or not) are checked again, so an
// edit to an imported buffer shows up in its importers at once.
void Server::recheckDependents(const std::string& path) {
  std::error_code ec;
  fs::path changed = fs::weakly_canonical(path, ec);
  for (auto& [uri, d] : docs_) {
    if (d->path == path || !d->comp) continue;
    for (size_t i = 1; i < d->comp->sources.size(); ++i)
      if (fs::weakly_canonical(d->comp->sources.file(static_cast<FileId>(i)).path(), ec) == changed) {
        check(*d);
        break;
      }
  }
}

void Server::recheckAll() {
  for (auto& [uri, d] : docs_) check(*d);
}

void Server::publishDiagnostics(const Document& d) {
  notify("textDocument/publishDiagnostics", diagnosticsFor(d));
}

}  // namespace mtc::lsp
