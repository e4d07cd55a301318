// `mtc run`: parses its flags, runs the pipeline (eng::runModel), prints the
// diagnostics and writes the report.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <string_view>

#include "commands.h"
#include "mtc/engines/pipeline.h"
#include "mtc/progress.h"
#include "mtc/report.h"

namespace mtc::cli {

namespace {

struct RunOptions {
  std::string model;
  std::string format = "text";
  std::string output;
  std::string only;
  bool noJit = false;
  unsigned threads = 0;
  std::string jit = "auto";
  bool stats = false;
  bool dumpPlan = false;
  bool pushdown = false;
  bool quiet = false;
};

report::Format formatOf(const std::string& f) {
  if (f == "json") return report::Format::Json;
  if (f == "md") return report::Format::Markdown;
  if (f == "html") return report::Format::Html;
  return report::Format::Text;
}

int cmdRun(const RunOptions& o, const CommonOptions& common) {
  // progress bars for work over a second, on a terminal only (mtc/progress.h);
  // MTC_PROGRESS=always draws them on any stderr (a log that wants them, the tests)
  const char* term = std::getenv("TERM");
  const char* force = std::getenv("MTC_PROGRESS");
  const bool terminal = isatty(STDERR_FILENO) && !(term && std::string_view(term) == "dumb");
  rt::enableProgress(!o.quiet && (terminal || (force && std::string_view(force) == "always")));
  eng::RunRequest req;
  req.path = o.model;
  req.compile = compileOptions(common);
  req.compile.checkEnv = false;  // an unset env("NAME") is an error when the source is read (data-file)
  req.only = o.only;
  req.jit = o.noJit || o.jit == "never" ? rt::JitMode::Never : o.jit == "always" ? rt::JitMode::Always : rt::JitMode::Auto;
  req.dumpPlan = o.dumpPlan;
  req.pushdown = o.pushdown;
  req.engine.threads = o.threads;
  req.overview = o.format == "html" || o.format == "md";  // the metrics tree's values
  eng::RunOutcome out = eng::runModel(req);
  printDiagnostics(*out.compilation);
  if (out.exitCode == 2) std::fprintf(stderr, "mtc: error: %s\n", out.usageError.c_str());
  if (out.exitCode == 1 || out.exitCode == 2 || (out.exitCode == 3 && out.results.empty())) return out.exitCode;
  if (o.dumpPlan) {
    std::fputs(out.plan.c_str(), stdout);
    return 0;
  }

  const ir::Model& m = *out.model();
  report::Options ro;
  ro.color = o.output.empty() && colorFor(stdout);
  if (out.overview) ro.overview = &*out.overview;
  std::string text = report::render(formatOf(o.format), m, out.results, ro);
  if (int rc = writeOutput(o.output, text)) return rc;
  if (o.stats) {
    const eng::RunStats& s = out.stats;
    std::fprintf(stderr,
                 "stats: parse+check %.2f ms, load %.2f ms (%lld periods), compile %.2f ms (%zu kernels, %s), "
                 "evaluate %.2f ms (%lld periods, %.0f cells, %.3g cells x nodes), engines %.2f ms\n",
                 s.check * 1e3, s.load * 1e3, static_cast<long long>(s.periods), s.compile * 1e3, s.kernels,
                 s.kernels == 0 ? "interpreter" : s.cached ? "jit, cached" : "jit", s.evaluate * 1e3, static_cast<long long>(s.evaluated),
                 s.cells, s.work, s.engines * 1e3);
    for (auto& r : out.data.received)
      std::fprintf(stderr, "stats: postgres source %s: %llu rows, %llu bytes received%s\n", r.source.c_str(),
                   static_cast<unsigned long long>(r.rows), static_cast<unsigned long long>(r.bytes),
                   r.pushdown ? " (aggregated on the server, --pushdown)" : "");
  }
  return out.exitCode;
}

}  // namespace

void addRun(CLI::App& app, Registry& reg) {
  static RunOptions o;
  auto* sub = app.add_subcommand("run", "execute the statements of a model (describe, diagnose, forecast, ...)");
  sub->add_option("model", o.model, "the .mtree file")->required();
  sub->add_option("--format", o.format, "output format")->check(CLI::IsMember({"text", "json", "md", "html"}));
  sub->add_option("-o,--output", o.output, "write the report to FILE instead of stdout");
  sub->add_option("--only", o.only,
                  "run only some statements: a kind (diagnose), a kind on one metric (diagnose:revenue), "
                  "an optimize's name, the Nth statement (3), or a comma-separated list of these");
  sub->add_option("--jit", o.jit,
                  "auto (default): the LLVM JIT when the work repays its start-up, else the interpreter; "
                  "always; never (the reference interpreter)")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  sub->add_flag("--no-jit", o.noJit, "the same as --jit=never: evaluate formulas with the reference interpreter");
  sub->add_option("--threads", o.threads, "worker threads for the engines (default: every core); the numbers do not depend on it")
      ->check(CLI::Range(1u, 1024u));
  sub->add_flag("-q,--quiet", o.quiet, "no progress bars (they are shown on a terminal for work that takes over a second)");
  sub->add_flag("--stats", o.stats, "print timings (parse, check, load, compile, evaluate) on stderr");
  sub->add_flag("--pushdown", o.pushdown,
                "aggregate postgres sources on the server: send mtc sql's query and read its aggregated rows, not the raw rows "
                "(docs/sql.md)");
  sub->add_flag("--dump-plan", o.dumpPlan, "print the evaluation plan the JIT would compile (kernels and steps), run nothing");
  addCommonFlags(sub, reg.common);
  sub->callback([&reg] { reg.action = [&reg] { return cmdRun(o, reg.common); }; });
}

}  // namespace mtc::cli
