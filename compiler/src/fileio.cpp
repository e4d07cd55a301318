#include "mtc/fileio.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

namespace mtc {

namespace {

namespace fs = std::filesystem;

// Opens a regular file without blocking (a FIFO or a tty would wait for a writer).
int openRegular(const std::string& path, std::string* err) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    if (err) *err = std::strerror(errno);
    return -1;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    if (err) *err = S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file";
    ::close(fd);
    return -1;
  }
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  return fd;
}

bool readAll(int fd, std::string& out, std::string* err) {
  out.clear();
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_size > 0) out.reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (err) *err = std::strerror(errno);
      ::close(fd);
      return false;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return true;
}

}  // namespace

bool readFile(const std::string& path, std::string& out, std::string* err) {
  int fd = openRegular(path, err);
  return fd >= 0 && readAll(fd, out, err);
}

bool ReadRoots::contains(const std::string& p) const {
  for (const auto& d : dirs)
    if (p == d || (p.size() > d.size() && p.compare(0, d.size(), d) == 0 && (d == "/" || p[d.size()] == '/'))) return true;
  return false;
}

std::string ReadRoots::describe() const { return root.empty() ? std::string("the allowed folders") : "the project root " + root; }

std::string projectRoot(const std::string& modelPath) {
  std::error_code ec;
  fs::path start = fs::weakly_canonical(fs::absolute(modelPath, ec), ec).parent_path();
  for (fs::path d = start;; d = d.parent_path()) {
    if (fs::exists(d / ".git", ec)) return d.string();
    if (d == d.root_path() || d.parent_path() == d) break;
  }
  return start.string();
}

std::string canonicalPath(const std::string& path, std::string* err) {
  std::error_code ec;
  fs::path c = fs::canonical(path, ec);
  if (ec) {
    if (err) *err = ec.message();
    return "";
  }
  return c.string();
}

int openUnder(const std::string& path, const ReadRoots& roots, std::string* err) {
  std::string why;
  std::string real = canonicalPath(path, &why);
  if (real.empty()) {
    if (err) *err = why;
    return -1;
  }
  if (!roots.contains(real)) {
    if (err) *err = "it lies outside " + roots.describe();
    return -1;
  }
  int fd = openRegular(real, err);
  if (fd < 0) return -1;
  // what was opened, whatever happened to the path since it was resolved
  char buf[4096];
  ssize_t n = ::readlink(("/proc/self/fd/" + std::to_string(fd)).c_str(), buf, sizeof buf - 1);
  if (n > 0 && !roots.contains(std::string(buf, static_cast<size_t>(n)))) {
    if (err) *err = "it lies outside " + roots.describe();
    ::close(fd);
    return -1;
  }
  return fd;
}

bool readFileUnder(const std::string& path, const ReadRoots& roots, std::string& out, std::string* err) {
  int fd = openUnder(path, roots, err);
  return fd >= 0 && readAll(fd, out, err);
}

namespace {
// the temporary file being written (one at a time: reports, formatted files, cache objects)
char g_unfinished[4096];
std::atomic<bool> g_writing{false};
std::mutex g_writeMu;
}  // namespace

void removeUnfinishedWrite() {
  if (g_writing.load()) ::unlink(g_unfinished);
}

bool writeFileAtomically(const std::string& path, const std::string& bytes, std::string& err) {
  std::lock_guard<std::mutex> lock(g_writeMu);
  namespace fs = std::filesystem;
  fs::path p(path);
  std::string tmpl = (p.parent_path() / ("." + p.filename().string() + ".tmp-XXXXXX")).string();
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  int fd = mkstemp(name.data());
  if (fd < 0) {
    err = std::strerror(errno);
    return false;
  }
  if (name.size() <= sizeof g_unfinished) {
    std::memcpy(g_unfinished, name.data(), name.size());
    g_writing = true;
  }
  struct Unmark {
    ~Unmark() { g_writing = false; }
  } unmark;
  // mkstemp creates the file 0600: keep an existing file's mode, else give a
  // new one the umask's usual mode (0644 under umask 022), as any other tool would.
  struct stat st{};
  if (stat(path.c_str(), &st) == 0) {
    fchmod(fd, st.st_mode & 07777);
  } else {
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
  }
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      err = std::strerror(errno);
      close(fd);
      unlink(name.data());
      return false;
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0 || rename(name.data(), path.c_str()) != 0) {
    err = std::strerror(errno);
    unlink(name.data());
    return false;
  }
  return true;
}

}  // namespace mtc
