// Shared pieces of the mtc subcommands.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "mtc/compiler.h"

namespace mtc::cli {

struct CommonOptions {
  std::string argv0;
  bool denyWarnings = false;
  std::vector<std::string> allow;
};

struct RunOptions {
  std::string model;
  std::string format = "text";
  std::string output;
  std::string only;
  bool noJit = false;
  bool stats = false;
};

struct FmtOptions {
  std::vector<std::string> files;  // "-" reads stdin, writes stdout
  bool check = false;
};

struct GraphOptions {
  std::string model;
  std::string format = "dot";  // dot, mermaid, svg
  std::string metric;          // only the tree below this metric
  int depth = 0;               // levels below --metric (0: all)
  std::string output;          // -o FILE (empty: stdout)
};

struct DiffOptions {
  std::vector<std::string> files;  // OLD NEW, or (with --git) FILE, or git's 7 driver arguments
  std::string gitRev;
  std::string format = "text";     // text or json
};

bool colorFor(FILE* f);
int notBuilt(const char* what);
// Writes a report to `path` atomically, or to stdout when it is empty; 0, or 3
// with a message when the file cannot be written.
int writeOutput(const std::string& path, const std::string& text);
CompileOptions compileOptions(const CommonOptions& c);
void printDiagnostics(const Compilation& c);

int cmdRun(const RunOptions& o, const CommonOptions& common);
int cmdFmt(const FmtOptions& o, const CommonOptions& common);       // fmt.cpp
int cmdGraph(const GraphOptions& o, const CommonOptions& common);   // graph.cpp
int cmdDiff(const DiffOptions& o, const CommonOptions& common);     // diff.cpp
int cmdLsp(const CommonOptions& common);                            // lsp.cpp

}  // namespace mtc::cli
