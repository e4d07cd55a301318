// The front end's entry point: a .mtree file (and its imports) to a typed IR.
//
//   auto c = mtc::compile("model.mtree", opts);
//   if (c->diags.hasErrors()) ...print renderAll(c->sources, c->diags)...
//   else use *c->model
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "mtc/ast.h"
#include "mtc/diagnostics.h"
#include "mtc/fileio.h"
#include "mtc/ir.h"
#include "mtc/parse.h"

namespace mtc {

struct CompileOptions {
  std::vector<std::string> stdlibDirs;  // searched by `import` after the importing file's folder
  bool lints = true;
  bool denyWarnings = false;
  std::vector<std::string> allow;       // warning codes to silence
  ParseLimits limits;
  // Text of files not yet saved (LSP): path -> text, used instead of the disk.
  std::vector<std::pair<std::string, std::string>> overlays;
  // Confinement (docs/reliability.md): imports and sources are read only under the
  // model's project root (the nearest folder upwards with .git, else the model's
  // folder), the stdlib folders and these folders (--allow-path).
  std::vector<std::string> allowPaths;
  // Warn (env-unset) when a source's env("NAME") is not set. `mtc run` turns it
  // off: it reports an unset variable as an error when it reads the source.
  bool checkEnv = true;
  // Seconds a postgres source's query may run (`--timeout`); 0: the default (docs/runtime.md).
  double queryTimeout = 0;
};

// Every place a name is declared or used, for the language server and tools.
enum class SymKind { Unit, Dimension, DimValue, Chain, Stage, Source, Param, Metric, Function,
                     Goal, Constraint, Event, Optimize, FunctionParam };
const char* symKindName(SymKind k);
struct Occurrence {
  Range range;       // where the name is written
  SymKind kind;
  std::string name;  // for DimValue: "dimension.value"
  Range declRange;   // the declaring name's range
  bool isDecl = false;
};

struct Compilation {
  ReadRoots roots;  // where the model may read (CompileOptions, confinement)
  SourceManager sources;
  Diagnostics diags;
  std::vector<std::unique_ptr<ast::File>> files;  // files[0] is the main file
  std::unique_ptr<ir::Model> model;               // null when parsing failed
  std::vector<Occurrence> occurrences;
  bool parsed = false;                            // every file parsed without syntax errors
};

std::unique_ptr<Compilation> compile(const std::string& path, const CompileOptions& opts = {});
// Compiles text that is not (or not yet) on disk.
std::unique_ptr<Compilation> compileText(const std::string& path, std::string text, const CompileOptions& opts = {});

// The IR as readable text (`mtc check --dump-ir`); stable, for golden tests.
std::string dumpIr(const ir::Model& m);

// Default stdlib search path: $MTC_STDLIB, then next to the executable.
std::vector<std::string> defaultStdlibDirs(const std::string& argv0);

}  // namespace mtc
