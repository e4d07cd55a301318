// `mtc lsp`: the language server over stdio. This file is only the framing
// (LSP base protocol: `Content-Length: N` header lines, a blank line, N bytes of
// JSON); mtc::lsp::Server (lsp/) does the rest.
#include <cstdio>
#include <optional>
#include <string>

#include "commands.h"
#include "mtc/lsp/server.h"

namespace mtc::cli {



namespace {

constexpr size_t kMaxMessage = size_t{256} << 20;  // a bigger body is refused (and skipped)

// One header line without its terminator; nullopt at end of input.
std::optional<std::string> readLine(FILE* in) {
  std::string line;
  int ch;
  while ((ch = std::getc(in)) != EOF) {
    if (ch == '\n') {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    line += static_cast<char>(ch);
    if (line.size() > 64 * 1024) break;  // not a header: give up on this input
  }
  return std::nullopt;
}

bool startsWithNoCase(const std::string& s, const char* prefix) {
  size_t i = 0;
  for (; prefix[i]; ++i)
    if (i >= s.size() || std::tolower(static_cast<unsigned char>(s[i])) != std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  return true;
}

// Reads one message body. Returns nullopt at end of input; an empty string for
// a message that had to be skipped (no or a bad Content-Length, too long).
std::optional<std::string> readMessage(FILE* in) {
  long long length = -1;
  for (;;) {
    auto line = readLine(in);
    if (!line) return std::nullopt;
    if (line->empty()) {
      if (length < 0) {  // stray blank line, or headers without a length
        continue;
      }
      break;
    }
    if (startsWithNoCase(*line, "content-length:")) {
      try {
        length = std::stoll(line->substr(15));
      } catch (const std::exception&) {
        std::fprintf(stderr, "mtc lsp: bad header '%s'\n", line->c_str());
        length = -1;
      }
    }  // Content-Type and unknown headers are ignored
  }
  if (length < 0 || static_cast<size_t>(length) > kMaxMessage) {
    std::fprintf(stderr, "mtc lsp: skipping a message of %lld bytes\n", length);
    for (long long i = 0; i < length && std::getc(in) != EOF; ++i) {}
    return std::string();
  }
  std::string body(static_cast<size_t>(length), '\0');
  size_t got = std::fread(body.data(), 1, body.size(), in);
  if (got < body.size()) return std::nullopt;  // the client went away mid-message
  return body;
}

void writeMessage(FILE* out, const nlohmann::json& msg) {
  // Replace invalid UTF-8 (from a buffer that is not UTF-8) rather than throw.
  std::string body = msg.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::fprintf(out, "Content-Length: %zu\r\n\r\n", body.size());
  std::fwrite(body.data(), 1, body.size(), out);
  std::fflush(out);
}

}  // namespace

static int cmdLsp(const CommonOptions& common) {
  lsp::ServerOptions opts;
  opts.compile = compileOptions(common);
  lsp::Server server(opts);
  while (auto body = readMessage(stdin)) {
    if (body->empty()) continue;
    for (const auto& msg : server.handle(*body)) writeMessage(stdout, msg);
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
