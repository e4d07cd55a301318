#include "mtc/fileio.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace mtc {

bool readFile(const std::string& path, std::string& out, std::string* err) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    if (err) *err = "is a directory";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (err) *err = std::strerror(errno);
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  if (in.bad() && err) *err = "read error";
  return !in.bad();
}

bool writeFileAtomically(const std::string& path, const std::string& bytes, std::string& err) {
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
