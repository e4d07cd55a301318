// Fuzz target: the parser and the checker on one source text (compileText, as the
// language server calls it), then the diagnostics rendered with their carets and
// the IR dumped. Imports resolve in an empty folder and in the repository's stdlib.
#include <string>

#include "driver.h"
#include "mtc/compiler.h"

static mtc::CompileOptions options;

void fuzzSetUp() {
  options.stdlibDirs = {MTC_SOURCE_DIR "/stdlib"};
  (void)fuzz::tempDir();
}

void fuzzOne(const uint8_t* data, size_t size) {
  auto c = mtc::compileText(fuzz::tempDir() + "/fuzz.mtree", std::string(reinterpret_cast<const char*>(data), size), options);
  (void)mtc::renderAll(c->sources, c->diags);
  if (c->model && !c->diags.hasErrors()) (void)mtc::dumpIr(*c->model);
}
