// Loading a model: its file (or unsaved text), its imports (relative to the
// importing file, then the stdlib folders), once each, parsed; then the checker.
#include <algorithm>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "check/checker.h"
#include "mtc/compiler.h"
#include "mtc/fileio.h"

namespace mtc {

namespace {

namespace fs = std::filesystem;

class Loader {
 public:
  Loader(Compilation& c, const CompileOptions& o) : c_(c), o_(o) {}

  void loadMain(const std::string& path, std::optional<std::string> text) {
    std::string t;
    if (text) {
      t = std::move(*text);
    } else if (!overlay(path, t)) {
      std::string err;
      if (!readFile(path, t, &err)) {
        FileId id = c_.sources.addUnread(path);
        c_.diags.report(DiagCode::Io, Range{Loc{id, 0, 0}, Loc{id, 0, 0}}, fmt::format("cannot read '{}': {}", path, err));
        return;
      }
    }
    parse(path, std::move(t));
  }

 private:
  Compilation& c_;
  const CompileOptions& o_;
  std::set<std::string> seen_;

  bool overlay(const std::string& path, std::string& out) {
    for (auto& [p, t] : o_.overlays)
      if (p == path || fs::weakly_canonical(p) == fs::weakly_canonical(path)) {
        out = t;
        return true;
      }
    return false;
  }

  void parse(const std::string& path, std::string text) {
    std::error_code ec;
    seen_.insert(fs::weakly_canonical(path, ec).string());
    FileId id = c_.sources.add(path, std::move(text));
    size_t errs = c_.diags.errorCount();
    auto file = parseFile(c_.sources.file(id), c_.diags, o_.limits);
    file->id = id;
    for (auto& d : file->decls) d->file = id;
    if (c_.diags.errorCount() > errs) c_.parsed = false;
    std::vector<const ast::ImportDecl*> imports;
    for (auto& d : file->decls)
      if (d->kind == ast::DeclKind::Import) imports.push_back(static_cast<const ast::ImportDecl*>(d.get()));
    c_.files.push_back(std::move(file));
    for (auto* im : imports) import(path, *im);
  }

  void import(const std::string& from, const ast::ImportDecl& im) {
    if (im.path.empty()) return;
    std::vector<fs::path> candidates;
    fs::path p(im.path);
    if (p.is_absolute()) {
      c_.diags.report(DiagCode::OutsideRoot, im.pathRange, fmt::format("an import path is relative to the importing file: '{}' is absolute", im.path))
          .note(fmt::format("a model reads files only under {}; --allow-path DIR widens that for a run", c_.roots.describe()));
      return;
    }
    {
      candidates.push_back(fs::path(from).parent_path() / p);
      for (auto& dir : o_.stdlibDirs) {
        candidates.push_back(fs::path(dir) / p);
        auto it = p.begin();
        if (it != p.end() && it->string() == "stdlib") {
          fs::path rest;
          for (++it; it != p.end(); ++it) rest /= *it;
          candidates.push_back(fs::path(dir) / rest);
        }
      }
    }
    std::string folder;  // a candidate that is a folder, not a file
    for (auto& cand : candidates) {
      std::error_code ec;
      std::string text;
      bool ov = overlay(cand.string(), text);
      if (!ov && !fs::is_regular_file(cand, ec)) {
        if (folder.empty() && fs::is_directory(cand, ec)) folder = cand.lexically_normal().string();
        continue;
      }
      std::string canon = fs::weakly_canonical(fs::absolute(cand, ec), ec).string();
      if (!ov && !c_.roots.contains(canon)) {
        // refused before it is read: nothing of the file reaches a message
        c_.diags.report(DiagCode::OutsideRoot, im.pathRange, fmt::format("'{}' lies outside {}: refused", im.path, c_.roots.describe()))
            .note("a model reads files only under its project root (the nearest folder upwards with .git, else the model's folder) "
                  "and the stdlib; --allow-path DIR widens that for a run");
        return;
      }
      if (seen_.count(canon)) return;  // already loaded (or an import cycle): once is enough
      std::string err;
      if (!ov && !readFileUnder(cand.string(), c_.roots, text, &err)) {
        c_.diags.report(DiagCode::Io, im.pathRange, fmt::format("cannot read '{}': {}", cand.string(), err));
        return;
      }
      parse(cand.lexically_normal().string(), std::move(text));
      return;
    }
    if (!folder.empty()) {
      c_.diags.report(DiagCode::Io, im.pathRange, fmt::format("cannot import '{}': {} is a folder, not a file", im.path, folder));
      return;
    }
    auto& rep = c_.diags.report(DiagCode::Io, im.pathRange, fmt::format("cannot find '{}' to import", im.path));
    rep.note(fmt::format("looked in {}", fs::path(from).parent_path().empty() ? "." : fs::path(from).parent_path().string()));
    for (auto& dir : o_.stdlibDirs) rep.note(fmt::format("and in the stdlib folder {}", dir));
  }
};

std::unique_ptr<Compilation> run(const std::string& path, std::optional<std::string> text, const CompileOptions& opts) {
  auto c = std::make_unique<Compilation>();
  c->diags.setDenyWarnings(opts.denyWarnings);
  for (auto& a : opts.allow) c->diags.allow(a);
  c->parsed = true;
  // where the model may read: its project root, the stdlib, --allow-path
  auto addRoot = [&](const std::string& d) {
    std::string canon = canonicalPath(d);
    if (canon.empty()) {  // a folder not on disk (an unsaved document's): as written, made absolute
      std::error_code ec;
      canon = fs::weakly_canonical(fs::absolute(d, ec), ec).string();
    }
    if (!canon.empty() && std::find(c->roots.dirs.begin(), c->roots.dirs.end(), canon) == c->roots.dirs.end()) c->roots.dirs.push_back(canon);
  };
  addRoot(projectRoot(path));
  if (!c->roots.dirs.empty()) c->roots.root = c->roots.dirs.front();
  for (auto& d : opts.stdlibDirs) addRoot(d);
  for (auto& d : opts.allowPaths) addRoot(d);
  Loader(*c, opts).loadMain(path, std::move(text));
  if (c->files.empty()) {
    c->parsed = false;
    return c;
  }
  c->model = std::make_unique<ir::Model>();
  c->model->path = path;
  c->model->readRoots = c->roots;
  c->model->queryTimeout = opts.queryTimeout;
  check::runPasses(*c, opts);
  return c;
}

}  // namespace

const char* symKindName(SymKind k) {
  switch (k) {
    case SymKind::Unit: return "unit";
    case SymKind::Dimension: return "dimension";
    case SymKind::DimValue: return "dimension value";
    case SymKind::Chain: return "chain";
    case SymKind::Stage: return "stage";
    case SymKind::Source: return "source";
    case SymKind::Param: return "param";
    case SymKind::Metric: return "metric";
    case SymKind::Function: return "function";
    case SymKind::Goal: return "goal";
    case SymKind::Constraint: return "constraint";
    case SymKind::Event: return "event";
    case SymKind::Optimize: return "optimization";
    case SymKind::FunctionParam: return "function parameter";
  }
  return "?";
}

std::unique_ptr<Compilation> compile(const std::string& path, const CompileOptions& opts) { return run(path, std::nullopt, opts); }
std::unique_ptr<Compilation> compileText(const std::string& path, std::string text, const CompileOptions& opts) {
  return run(path, std::move(text), opts);
}

std::vector<std::string> defaultStdlibDirs(const std::string& argv0) {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("MTC_STDLIB"); env && *env) dirs.push_back(env);
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) exe = fs::absolute(argv0, ec);
  for (fs::path dir = exe.parent_path(); !dir.empty(); dir = dir.parent_path()) {
    for (auto cand : {dir / "stdlib", dir / "share" / "mtc" / "stdlib"})
      if (fs::is_directory(cand, ec)) {
        dirs.push_back(cand.string());
        return dirs;
      }
    if (dir == dir.root_path()) break;
  }
  return dirs;
}

}  // namespace mtc
