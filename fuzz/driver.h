// The shared main() of the fuzz targets (fuzz/README.md). Each target defines
//
//   void fuzzSetUp();                               // once, before any input
//   void fuzzOne(const uint8_t* data, size_t size); // one input; crashes, hangs and
//                                                   // leaks are the findings
//
// Built with AFL++ (afl-g++-fast, build-fuzz) and run without arguments, it
// takes its inputs from AFL's shared memory in persistent mode. Otherwise it
// replays: each argument is a file or a folder of files (fuzz_replay), and with
// no argument it reads one input from stdin.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

void fuzzSetUp();
void fuzzOne(const uint8_t* data, size_t size);

namespace fuzz {

inline char tempDirAtExit[4096];  // outlives the string below, for the atexit handler

// A fresh empty folder under $TMPDIR (or /tmp), removed at a normal exit.
inline const std::string& tempDir() {
  static const std::string dir = [] {
    const char* t = std::getenv("TMPDIR");
    std::string templ = std::string(t && *t ? t : "/tmp") + "/mtc-fuzz-XXXXXX";
    if (!::mkdtemp(templ.data())) {
      std::perror("mkdtemp");
      std::exit(2);
    }
    std::snprintf(tempDirAtExit, sizeof tempDirAtExit, "%s", templ.c_str());
    std::atexit([] { std::error_code ec; std::filesystem::remove_all(tempDirAtExit, ec); });
    return templ;
  }();
  return dir;
}

inline void writeFile(const std::string& path, const uint8_t* data, size_t size) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
}

inline bool replayFile(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) {
    std::fprintf(stderr, "fuzz: cannot read %s\n", p.c_str());
    return false;
  }
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::fprintf(stderr, "%s\n", p.c_str());  // the input a crash is in
  fuzzOne(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  return true;
}

}  // namespace fuzz

#ifdef __AFL_FUZZ_TESTCASE_LEN
__AFL_FUZZ_INIT();
#pragma GCC diagnostic ignored "-Wpedantic"  // __AFL_LOOP is a statement expression
#endif

int main(int argc, char** argv) {
  fuzzSetUp();
#ifdef __AFL_FUZZ_TESTCASE_LEN
  if (argc < 2) {
    __AFL_INIT();
    unsigned char* buf = __AFL_FUZZ_TESTCASE_BUF;
    while (__AFL_LOOP(10000)) fuzzOne(buf, static_cast<size_t>(__AFL_FUZZ_TESTCASE_LEN));
    return 0;
  }
#endif
  if (argc < 2) {
    std::string bytes((std::istreambuf_iterator<char>(std::cin.rdbuf())), std::istreambuf_iterator<char>());
    fuzzOne(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    return 0;
  }
  size_t n = 0;
  bool ok = true;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path p(argv[i]);
    if (std::filesystem::is_directory(p)) {
      std::vector<std::filesystem::path> files;
      for (const auto& e : std::filesystem::directory_iterator(p))
        if (e.is_regular_file() && e.path().filename().string()[0] != '.') files.push_back(e.path());
      std::sort(files.begin(), files.end());
      for (const auto& f : files) ok &= fuzz::replayFile(f), ++n;
    } else {
      ok &= fuzz::replayFile(p), ++n;
    }
  }
  std::fprintf(stderr, "fuzz: replayed %zu inputs\n", n);
  return ok ? 0 : 1;
}
