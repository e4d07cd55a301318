// Fuzz target: the LSP base-protocol framing and the JSON-RPC dispatcher. The
// input is a byte stream as a client writes it on stdin (`Content-Length: N`,
// a blank line, N bytes, repeated); every framed body goes to a fresh server,
// as `mtc lsp` does, until end of input or an `exit`. Replies are written to
// /dev/null through the same framing.
#include <cstdio>
#include <string>

#include "driver.h"
#include "mtc/lsp/framing.h"
#include "mtc/lsp/server.h"

static mtc::lsp::ServerOptions options;
static FILE* devNull;

void fuzzSetUp() {
  options.compile.stdlibDirs = {MTC_SOURCE_DIR "/stdlib"};
  devNull = std::fopen("/dev/null", "w");
}

void fuzzOne(const uint8_t* data, size_t size) {
  if (size == 0) return;  // fmemopen refuses an empty buffer
  FILE* in = fmemopen(const_cast<uint8_t*>(data), size, "r");
  if (!in) return;
  mtc::lsp::Server server(options);
  while (auto body = mtc::lsp::readMessage(in)) {
    if (body->empty()) continue;
    for (const auto& msg : server.handle(*body)) mtc::lsp::writeMessage(devNull, msg);
    if (server.exitRequested()) break;
  }
  std::fclose(in);
}
