// The LSP base protocol over a byte stream: `Content-Length: N` header lines, a
// blank line, N bytes of JSON. cli/lsp.cpp serves stdio with it; fuzz/lsp.cpp
// fuzzes it together with the server.
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace mtc::lsp {

// A bigger body is refused (and skipped).
constexpr size_t kMaxMessage = size_t{256} << 20;

// Reads one message body. Returns nullopt at end of input; an empty string for
// a message that had to be skipped (no or a bad Content-Length, too long).
std::optional<std::string> readMessage(FILE* in);

// Writes one message with its header and flushes. Invalid UTF-8 in strings (from
// a buffer that is not UTF-8) is replaced rather than thrown on.
void writeMessage(FILE* out, const nlohmann::json& msg);

}  // namespace mtc::lsp
