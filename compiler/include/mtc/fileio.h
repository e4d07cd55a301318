// Reading and atomically writing whole files: one implementation for the
// formatter, the diff, the JIT's object cache and the tools.
#pragma once

#include <string>
#include <vector>

namespace mtc {

// Where a model may read files (docs/reliability.md, confinement): canonical
// folders, its project root, the stdlib folders and any --allow-path.
struct ReadRoots {
  std::string root;               // the project root (for messages)
  std::vector<std::string> dirs;  // every folder allowed, canonical, no trailing slash
  bool contains(const std::string& canonicalPath) const;
  // "the project root /work/shop", for messages.
  std::string describe() const;
};

// The project root of a model file: the nearest folder upwards holding `.git`,
// else the file's own folder; canonical.
std::string projectRoot(const std::string& modelPath);

// The canonical path of an existing file, or "" (with `err`).
std::string canonicalPath(const std::string& path, std::string* err = nullptr);

// Opens a regular file for reading, only if its real path lies under `roots`:
// checked on the resolved path before opening, and again on the descriptor
// opened (/proc/self/fd), so that a link swapped in between does not count.
// Never blocks on a FIFO or a device. Returns the descriptor, or -1 and `err`
// saying why (never anything of the file's content).
int openUnder(const std::string& path, const ReadRoots& roots, std::string* err);

// readFile through openUnder.
bool readFileUnder(const std::string& path, const ReadRoots& roots, std::string& out, std::string* err = nullptr);

// Reads a whole regular file as bytes (a FIFO or a device is refused, never
// waited on). False when it cannot be opened or read; then `err`, when given,
// says why ("is a directory", or the system's message).
bool readFile(const std::string& path, std::string& out, std::string* err = nullptr);

// Writes `bytes` to a temporary file next to `path`, then renames it over
// `path`: a reader never sees a half-written file, and a failure leaves the
// old file as it was. Keeps an existing file's mode bits; a new file gets
// 0666 less the umask. On failure `err`
// says why.
bool writeFileAtomically(const std::string& path, const std::string& bytes, std::string& err);

// Removes the temporary file of a writeFileAtomically under way, if any: for a
// run stopped from another thread (--timeout, --max-memory) just before it
// exits, so that no partial file is left. Async-signal-safe.
void removeUnfinishedWrite();

}  // namespace mtc
