// `mtc graph`: draw the metrics tree (dot, mermaid, or svg through Graphviz).
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "commands.h"
#include "mtc/graph.h"

extern char** environ;

namespace mtc::cli {

struct GraphOptions {
  std::string model;
  std::string format = "dot";  // dot, mermaid, svg
  std::string metric;          // only the tree below this metric
  int depth = 0;               // levels below --metric (0: all)
  std::string output;          // -o FILE (empty: stdout)
};


namespace {

namespace fs = std::filesystem;

// The `dot` executable on PATH, or empty.
std::string findDot() {
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "";
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find(':', start);
    if (end == std::string::npos) end = p.size();
    std::string dir = p.substr(start, end - start);
    if (dir.empty()) dir = ".";
    std::string cand = dir + "/dot";
    if (access(cand.c_str(), X_OK) == 0 && !fs::is_directory(cand)) return cand;
    start = end + 1;
  }
  return "";
}

// Runs `dot -Tsvg` on the text; the SVG in `svg`, or an error message.
bool runDot(const std::string& dot, const std::string& text, std::string& svg, std::string& err) {
  // The input goes through a temporary file so that writing it cannot block on a full pipe
  // while dot is blocked writing its output to us.
  char tmpl[] = "/tmp/mtc-graph-XXXXXX";
  int in = mkstemp(tmpl);
  if (in < 0) return err = "cannot create a temporary file", false;
  unlink(tmpl);
  if (write(in, text.data(), text.size()) != static_cast<ssize_t>(text.size()) || lseek(in, 0, SEEK_SET) != 0) {
    close(in);
    return err = "cannot write a temporary file", false;
  }
  int out[2];
  if (pipe(out) != 0) {
    close(in);
    return err = "cannot create a pipe", false;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in, 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_addclose(&fa, out[0]);
  const char* argv[] = {dot.c_str(), "-Tsvg", nullptr};
  pid_t pid;
  int rc = posix_spawn(&pid, dot.c_str(), &fa, nullptr, const_cast<char**>(argv), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(in);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    return err = "cannot start " + dot, false;
  }
  char buf[65536];
  for (ssize_t n; (n = read(out[0], buf, sizeof buf)) > 0;) svg.append(buf, static_cast<size_t>(n));
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return err = dot + " -Tsvg failed", false;
  return true;
}

int usage(const std::string& msg) {
  std::fprintf(stderr, "mtc: error: %s\n", msg.c_str());
  return 2;
}

}  // namespace

static int cmdGraph(const GraphOptions& o, const CommonOptions& common) {
  if (o.depth < 0) return usage("--depth must be 0 (every level) or more");
  if (o.depth > 0 && o.metric.empty()) return usage("--depth needs --metric: the levels below which metric?");
  // Fail before any work when the svg renderer is missing.
  std::string dot;
  if (o.format == "svg" && (dot = findDot()).empty()) {
    std::fprintf(stderr,
                 "mtc: error: --format svg needs Graphviz's `dot` on PATH (Debian: apt-get install graphviz)\n"
                 "  = note: --format dot or --format mermaid need nothing else\n");
    return 3;
  }

  auto c = compile(o.model, compileOptions(common));
  printDiagnostics(*c);
  if (c->diags.hasErrors() || !c->model) return 1;
  const ir::Model& m = *c->model;

  graph::Options go;
  go.depth = o.depth;
  if (!o.metric.empty()) {
    auto id = m.findMetric(o.metric);
    if (!id) {
      std::string msg = fmt::format("{}: error: --metric {}: ", o.model, o.metric);
      msg += m.findParam(o.metric) ? fmt::format("'{}' is a param, not a metric", o.metric)
                                   : fmt::format("no metric '{}' in the model", o.metric);
      std::vector<std::string> names;
      for (auto& x : m.metrics) names.push_back(x.name);
      std::fprintf(stderr, "%s\n", msg.c_str());
      if (auto s = closestMatch(o.metric, names); !s.empty()) std::fprintf(stderr, "  = note: did you mean '%s'?\n", s.c_str());
      return 2;
    }
    go.root = *id;
  }

  graph::Graph g = graph::build(m, go);
  std::string text = o.format == "mermaid" ? graph::toMermaid(m, g) : graph::toDot(m, g);
  if (o.format == "svg") {
    std::string svg, err;
    if (!runDot(dot, text, svg, err)) {
      std::fprintf(stderr, "mtc: error: %s\n", err.c_str());
      return 3;
    }
    text = std::move(svg);
  }

  return writeOutput(o.output, text);
}


void addGraph(CLI::App& app, Registry& reg) {
  static GraphOptions o;
  auto* sub = app.add_subcommand("graph", "draw the metrics tree on its value chain");
  sub->add_option("model", o.model, "the .mtree file")->required();
  sub->add_option("--format", o.format, "dot, mermaid or svg")->check(CLI::IsMember({"dot", "mermaid", "svg"}));
  sub->add_option("--metric", o.metric, "only the tree below this metric");
  sub->add_option("--depth", o.depth, "levels below --metric");
  sub->add_option("-o,--output", o.output, "write to FILE instead of stdout");
  addCommonFlags(sub, reg.common);
  sub->callback([&reg] { reg.action = [&reg] { return cmdGraph(o, reg.common); }; });
}

}  // namespace mtc::cli
