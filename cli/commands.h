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

bool colorFor(FILE* f);
CompileOptions compileOptions(const CommonOptions& c);
void printDiagnostics(const Compilation& c);

int cmdRun(const RunOptions& o, const CommonOptions& common);

}  // namespace mtc::cli
