// The mtree language server (`mtc lsp`): JSON-RPC 2.0 messages in, messages out.
//
// The server knows nothing about stdio or Content-Length framing (cli/lsp.cpp
// does that), so tests drive it with hand-written messages:
//
//   mtc::lsp::Server s({});
//   auto out = s.handle(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{}})");
//   // out[0] is the response; notifications (publishDiagnostics) come in order
//
// It keeps the text of every open document (full-text sync) and checks it with
// compileText, so the checker sees the editor's buffer, not the disk; other open
// documents are passed as overlays, so an unsaved imported file counts too.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "mtc/compiler.h"

namespace mtc::lsp {

using json = nlohmann::json;

struct ServerOptions {
  CompileOptions compile;  // stdlib folders, lints, denyWarnings, allow
  // Clear ANTLR's DFA cache after this many checks (it only grows; see
  // ENGINEERING.md). 0 never clears.
  size_t clearParserCacheEvery = 200;
};

struct Document;  // an open buffer and its latest Compilation (document.h)

class Server {
 public:
  explicit Server(ServerOptions opts = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Handles one message (the body of one framed message). Malformed JSON gets a
  // ParseError response; the server keeps running. Returns what to send back:
  // the response, if the message was a request, and any notifications.
  std::vector<json> handle(const std::string& text);
  std::vector<json> handle(const json& message);

  // Set once an `exit` notification arrived; the process should then end with
  // exitCode(): 0 after a `shutdown` request, 1 otherwise (as LSP asks).
  bool exitRequested() const { return exit_; }
  int exitCode() const { return shutdown_ ? 0 : 1; }

  // How many times documents were checked (for tests of the cache clearing).
  size_t checks() const { return checks_; }

 private:
  ServerOptions opts_;
  std::map<std::string, std::unique_ptr<Document>> docs_;  // by URI
  bool initialized_ = false, shutdown_ = false, exit_ = false;
  size_t checks_ = 0;
  std::vector<json> out_;  // messages produced while handling one message

  json dispatch(const std::string& method, const json& params, bool isRequest);
  void notify(const std::string& method, json params);

  // Documents
  void didOpen(const json& params);
  void didChange(const json& params);
  void didClose(const json& params);
  void recheckAll();
  void check(Document& d);
  void recheckDependents(const std::string& path);
  void publishDiagnostics(const Document& d);
  const Document& document(const json& params) const;
};

}  // namespace mtc::lsp
