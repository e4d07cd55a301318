// Reading and atomically writing whole files: one implementation for the
// formatter, the diff, the JIT's object cache and the tools.
#pragma once

#include <string>

namespace mtc {

// Reads a whole file as bytes. False when it cannot be opened or read; then
// `err`, when given, says why ("is a directory", or the system's message).
bool readFile(const std::string& path, std::string& out, std::string* err = nullptr);

// Writes `bytes` to a temporary file next to `path`, then renames it over
// `path`: a reader never sees a half-written file, and a failure leaves the
// old file as it was. Keeps an existing file's mode bits; a new file gets
// 0666 less the umask. On failure `err`
// says why.
bool writeFileAtomically(const std::string& path, const std::string& bytes, std::string& err);

}  // namespace mtc
