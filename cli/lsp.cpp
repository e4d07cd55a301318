// `mtc lsp`: the language server over stdio. The framing (LSP base protocol:
// `Content-Length: N` header lines, a blank line, N bytes of JSON) is
// mtc/lsp/framing.h; mtc::lsp::Server (lsp/) does the rest.
#include <cstdio>
#include <optional>
#include <string>

#include "commands.h"
#include "mtc/lsp/framing.h"
#include "mtc/lsp/server.h"

namespace mtc::cli {




static int cmdLsp(const CommonOptions& common) {
  lsp::ServerOptions opts;
  opts.compile = compileOptions(common);
  lsp::Server server(opts);
  while (auto body = lsp::readMessage(stdin)) {
    if (body->empty()) continue;
    for (const auto& msg : server.handle(*body)) lsp::writeMessage(stdout, msg);
    if (server.exitRequested()) return server.exitCode();
  }
  // End of input without `exit`: the client is gone.
  return server.exitCode();
}


void addLsp(CLI::App& app, Registry& reg) {
  auto* sub = app.add_subcommand("lsp", "language server over stdio, for editors");
  // Clients such as vscode-languageclient pass --stdio; stdio is the only transport.
  static bool stdio = true;
  sub->add_flag("--stdio", stdio, "talk over stdin and stdout (the default)");
  addCommonFlags(sub, reg.common);
  sub->callback([&reg] { reg.action = [&reg] { return cmdLsp(reg.common); }; });
}

}  // namespace mtc::cli
