// `mtc fmt [--check] FILE...`: rewrite files in the canonical layout
// (docs/fmt-diff.md). A directory stands for the .mtree files below it; `-`
// reads stdin and writes stdout.
//
// Exit: 0 done (or, with --check, nothing to change); 1 a file does not parse or
// cannot be read or written (left untouched, error printed); 4 --check found
// files that would change (listed one per line on stdout).

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <iterator>

#include "commands.h"
#include "mtc/fileio.h"
#include "mtc/format.h"

namespace mtc::cli {

struct FmtOptions {
  std::vector<std::string> files;  // "-" reads stdin, writes stdout
  bool check = false;
};

namespace {

namespace fs = std::filesystem;

// The files an argument names: itself, or the .mtree files below a directory
// (hidden directories skipped), sorted.
std::vector<std::string> expand(const std::string& arg) {
  std::error_code ec;
  if (arg == "-" || !fs::is_directory(arg, ec)) return {arg};
  std::vector<std::string> out;
  auto it = fs::recursive_directory_iterator(arg, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& p = it->path();
    if (it->is_directory(ec) && p.filename().string().starts_with(".")) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(ec) && p.extension() == ".mtree") out.push_back(p.string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

static int cmdFmt(const FmtOptions& o, const CommonOptions&) {
  bool failed = false, changed = false;
  for (const std::string& arg : o.files) {
    for (const std::string& path : expand(arg)) {
      const bool stdio = path == "-";
      const std::string name = stdio ? "<stdin>" : path;
      std::string text;
      if (stdio) text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
      else if (!readFile(path, text)) {
        std::fprintf(stderr, "mtc: error: cannot read %s\n", path.c_str());
        failed = true;
        continue;
      }
      FormatResult r = formatSource(name, text);
      if (!r.ok) {
        std::fputs(r.errors.c_str(), stderr);
        failed = true;
        continue;
      }
      if (o.check) {
        if (r.text != text) {
          std::printf("%s\n", name.c_str());
          changed = true;
        }
      } else if (stdio) {
        std::fwrite(r.text.data(), 1, r.text.size(), stdout);
      } else if (r.text != text) {
        std::string err;
        if (!writeFileAtomically(path, r.text, err)) {
          std::fprintf(stderr, "mtc: error: cannot write %s: %s\n", path.c_str(), err.c_str());
          failed = true;
        }
      }
    }
  }
  if (failed) return 1;
  return changed ? 4 : 0;
}


void addFmt(CLI::App& app, Registry& reg) {
  static FmtOptions o;
  auto* sub = app.add_subcommand("fmt", "rewrite files in the one canonical layout (keeps every comment)");
  sub->add_option("files", o.files, "the .mtree files; - reads stdin and writes stdout")->required();
  sub->add_flag("--check", o.check, "list the files that would change and exit 4; change nothing");
  sub->callback([&reg] { reg.action = [&reg] { return cmdFmt(o, reg.common); }; });
}

}  // namespace mtc::cli
