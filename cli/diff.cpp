// `mtc diff`: the semantic diff of two versions of a model (docs/fmt-diff.md).
//
//   mtc diff OLD.mtree NEW.mtree         two files (/dev/null: an empty model)
//   mtc diff --git REV [FILE]            the working tree against git revision REV
//   mtc diff PATH OLD HEX MODE NEW HEX MODE [NEW-PATH HEADER]   git's external diff driver
//
// Exit: 0 compared (whether or not anything changed); 1 a model has errors or a
// file cannot be read; 2 bad usage. As git's diff driver it always exits 0 and
// prints errors inline, because git stops at a driver that fails.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.h"
#include "mtc/fileio.h"
#include "mtc/semdiff.h"

extern char** environ;

namespace mtc::cli {

struct DiffOptions {
  std::vector<std::string> files;  // OLD NEW, or (with --git) FILE, or git's 7 driver arguments
  std::string gitRev;
  std::string format = "text";     // text or json
};

namespace {

namespace fs = std::filesystem;

// One side of a comparison: the text of a model and where it claims to live.
struct Side {
  std::string path;   // compiled as this path (imports resolve next to it)
  std::string label;  // shown to the user
  std::string text;
  bool absent = false;  // /dev/null, or not in that revision: an empty model
};

struct FileDiff {
  std::string path;
  std::string oldLabel, newLabel;
  std::vector<SemChange> changes;
  std::string errors;  // rendered diagnostics when a side does not check
};

// Runs a program (no shell) and captures its stdout; stderr is discarded.
bool run(const std::vector<std::string>& argv, std::string& out, int& status) {
  int fds[2];
  if (pipe(fds) != 0) return false;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&fa, fds[0]);
  posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid;
  int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    return false;
  }
  char buf[65536];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0) out.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  waitpid(pid, &status, 0);
  return true;
}

bool gitOk(int status) { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }

// Compiles one side; returns its model (null for an absent side) or appends the
// diagnostics to errors.
std::unique_ptr<Compilation> load(const Side& s, const CommonOptions& common, std::string& errors, bool& failed) {
  if (s.absent) return nullptr;
  CompileOptions opts = compileOptions(common);
  opts.lints = false;
  auto c = compileText(s.path, s.text, opts);
  if (c->diags.hasErrors() || !c->model) {
    errors += s.label + ": the model has errors; cannot compare it\n" + renderAll(c->sources, c->diags);
    failed = true;
  }
  return c;
}

FileDiff compare(const std::string& path, const Side& before, const Side& after, const CommonOptions& common) {
  FileDiff d{path, before.label, after.label, {}, {}};
  bool failed = false;
  auto a = load(before, common, d.errors, failed);
  auto b = load(after, common, d.errors, failed);
  if (!failed) d.changes = semanticDiff(a ? a->model.get() : nullptr, b ? b->model.get() : nullptr);
  return d;
}

Side fileSide(const std::string& path, const std::string& compileAs, std::string& err) {
  Side s{compileAs, path, {}, false};
  if (path == "/dev/null") {
    s.absent = true;
    return s;
  }
  if (!readFile(path, s.text)) err += "mtc: error: cannot read " + path + "\n";
  return s;
}

// The version of a working-tree file at a git revision (absent when it did not exist).
Side gitSide(const std::string& rev, const std::string& path) {
  Side s{path, rev + ":" + path, {}, false};
  fs::path p(path);
  std::string spec = p.is_absolute() ? fs::relative(p).string() : path;
  if (!spec.starts_with("./") && !spec.starts_with("../")) spec = "./" + spec;
  int status = 0;
  if (!run({"git", "show", rev + ":" + spec}, s.text, status) || !gitOk(status)) {
    s.text.clear();
    s.absent = true;
  }
  return s;
}

Side workSide(const std::string& path) {
  Side s{path, path, {}, false};
  std::error_code ec;
  if (!fs::exists(path, ec) || !readFile(path, s.text)) s.absent = true;
  return s;
}

void printText(const std::vector<FileDiff>& diffs, bool headers, bool showUnchanged) {
  bool first = true;
  for (const FileDiff& d : diffs) {
    if (d.errors.empty() && d.changes.empty() && !showUnchanged) continue;
    if (headers) {
      if (!first) std::fputs("\n", stdout);
      std::printf("diff %s (%s -> %s)\n", d.path.c_str(), d.oldLabel.c_str(), d.newLabel.c_str());
    }
    first = false;
    if (!d.errors.empty()) {
      std::fputs(d.errors.c_str(), headers ? stdout : stderr);
      continue;
    }
    if (d.changes.empty()) std::puts("(no semantic changes: layout or comments only)");
    std::fputs(changesToText(d.changes).c_str(), stdout);
  }
}

void printJson(const std::vector<FileDiff>& diffs) {
  nlohmann::json files = nlohmann::json::array();
  for (const FileDiff& d : diffs) {
    nlohmann::json f{{"path", d.path}, {"old", d.oldLabel}, {"new", d.newLabel}, {"changes", changesToJson(d.changes)}};
    if (!d.errors.empty()) f["errors"] = d.errors;
    files.push_back(std::move(f));
  }
  std::cout << nlohmann::json{{"files", files}}.dump(2) << "\n";
}

int usage(const char* msg) {
  std::fprintf(stderr, "mtc diff: error: %s\nusage: mtc diff OLD.mtree NEW.mtree | mtc diff --git REV [FILE]\n", msg);
  return 2;
}

}  // namespace

static int cmdDiff(const DiffOptions& o, const CommonOptions& common) {
  std::vector<FileDiff> diffs;
  bool gitDriver = o.gitRev.empty() && (o.files.size() == 7 || o.files.size() == 9);
  if (gitDriver) {
    // git: PATH OLD-FILE OLD-HEX OLD-MODE NEW-FILE NEW-HEX NEW-MODE, and for a
    // rename or copy also NEW-PATH and the header git would print. Never fail.
    const auto& f = o.files;
    const std::string& newPath = f.size() == 9 ? f[7] : f[0];
    std::string err;
    Side a = fileSide(f[1], f[0], err), b = fileSide(f[4], newPath, err);
    a.label = "a/" + f[0];
    b.label = "b/" + newPath;
    FileDiff d = err.empty() ? compare(newPath, a, b, common) : FileDiff{newPath, a.label, b.label, {}, err};
    std::printf("diff --mtree %s %s\n", a.label.c_str(), b.label.c_str());
    if (!d.errors.empty()) std::fputs(d.errors.c_str(), stdout);
    else if (d.changes.empty()) std::puts("(no semantic changes: layout or comments only)");
    std::fputs(changesToText(d.changes).c_str(), stdout);
    return 0;
  }
  if (!o.gitRev.empty()) {
    if (o.files.size() > 1) return usage("--git takes at most one FILE");
    std::vector<std::string> paths = o.files;
    if (paths.empty()) {
      std::string out;
      int status = 0;
      if (!run({"git", "diff", "-z", "--name-only", "--no-renames", "--relative", o.gitRev, "--", "*.mtree"}, out, status) ||
          !gitOk(status)) {
        std::fprintf(stderr, "mtc: error: `git diff --name-only %s` failed (not a git repository, or no such revision?)\n",
                     o.gitRev.c_str());
        return 1;
      }
      std::istringstream ls(out);
      for (std::string name; std::getline(ls, name, '\0');) if (!name.empty()) paths.push_back(name);
    } else {
      int status = 0;
      std::string out;
      if (!run({"git", "rev-parse", "--verify", "--quiet", o.gitRev + "^{commit}"}, out, status) || !gitOk(status)) {
        std::fprintf(stderr, "mtc: error: %s is not a git revision here\n", o.gitRev.c_str());
        return 1;
      }
    }
    for (const std::string& p : paths) {
      Side a = gitSide(o.gitRev, p), b = workSide(p);
      b.label = "working tree";
      if (a.absent && b.absent) {
        diffs.push_back(FileDiff{p, a.label, b.label, {}, "mtc: error: " + p + " exists neither at " + o.gitRev + " nor in the working tree\n"});
        continue;
      }
      diffs.push_back(compare(p, a, b, common));
    }
  } else {
    if (o.files.size() != 2) return usage("expected two files, OLD and NEW");
    std::string err;
    Side a = fileSide(o.files[0], o.files[0], err), b = fileSide(o.files[1], o.files[1], err);
    if (!err.empty()) {
      std::fputs(err.c_str(), stderr);
      return 1;
    }
    diffs.push_back(compare(o.files[1], a, b, common));
  }
  bool failed = false;
  for (const FileDiff& d : diffs) failed |= !d.errors.empty();
  if (o.format == "json") {
    printJson(diffs);
    if (failed) for (const FileDiff& d : diffs) std::fputs(d.errors.c_str(), stderr);
  } else {
    printText(diffs, !o.gitRev.empty(), false);
  }
  return failed ? 1 : 0;
}


void addDiff(CLI::App& app, Registry& reg) {
  static DiffOptions o;
  auto* sub = app.add_subcommand("diff", "semantic diff of two models: metrics, formulas, relations added, removed, changed");
  sub->add_option("files", o.files, "OLD.mtree NEW.mtree");
  sub->add_option("--git", o.gitRev, "compare the working file with its version at a git revision");
  sub->add_option("--format", o.format, "text or json")->check(CLI::IsMember({"text", "json"}));
  sub->callback([&reg] { reg.action = [&reg] { return cmdDiff(o, reg.common); }; });
}

}  // namespace mtc::cli
