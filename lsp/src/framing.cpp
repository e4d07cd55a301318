// LSP base protocol framing (framing.h).
#include "mtc/lsp/framing.h"

#include <cctype>
#include <exception>

namespace mtc::lsp {

namespace {

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

}  // namespace

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
  std::string body = msg.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::fprintf(out, "Content-Length: %zu\r\n\r\n", body.size());
  std::fwrite(body.data(), 1, body.size(), out);
  std::fflush(out);
}

}  // namespace mtc::lsp
