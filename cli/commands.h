// Shared pieces of the mtc subcommands.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <functional>

#include "mtc/compiler.h"

namespace mtc::cli {

struct CommonOptions {
  std::string argv0;
  bool denyWarnings = false;
  std::vector<std::string> allow;
  std::vector<std::string> allowPaths;  // --allow-path: folders the model may read besides its project root
  double timeout = 0;                    // --timeout SECONDS (0: none)
  std::string maxMemory;                 // --max-memory SIZE ("": none)
};

bool colorFor(FILE* f);
// Writes a report to `path` atomically, or to stdout when it is empty; 0, or 3
// with a message when the file cannot be written.
int writeOutput(const std::string& path, const std::string& text);
CompileOptions compileOptions(const CommonOptions& c);
// "512M", "2G", "1.5GiB", "1000000" (bytes; K, M, G, T are powers of 1024).
std::optional<uint64_t> parseSize(const std::string& text);
void printDiagnostics(const Compilation& c);

// What main shares with the command files: the options every command has, and
// the action the chosen subcommand sets while the command line is parsed (main
// runs it afterwards, on a thread with a big stack).
struct Registry {
  CommonOptions common;
  std::function<int()> action;
};
// --deny-warnings and --allow, for the commands that check models.
void addCommonFlags(CLI::App* sub, CommonOptions& common);

// One file per command; each registers its subcommand (main.cpp lists them).
void addCheck(CLI::App& app, Registry& reg);  // check.cpp
void addRun(CLI::App& app, Registry& reg);    // run.cpp
void addFmt(CLI::App& app, Registry& reg);    // fmt.cpp
void addGraph(CLI::App& app, Registry& reg);  // graph.cpp
void addDiff(CLI::App& app, Registry& reg);   // diff.cpp
void addLsp(CLI::App& app, Registry& reg);    // lsp.cpp
void addSql(CLI::App& app, Registry& reg);    // sql.cpp

}  // namespace mtc::cli
