// `mtc run`: compile, load data, execute the statements, report.
#include <fmt/format.h>

#include "commands.h"

namespace mtc::cli {

int cmdRun(const RunOptions& o, const CommonOptions& common) {
  auto c = compile(o.model, compileOptions(common));
  printDiagnostics(*c);
  if (c->diags.hasErrors() || !c->model) return 1;
  for (auto& s : c->model->statements) {
    std::fprintf(stderr, "mtc: error: the %s engine is not built yet\n", ir::stmtKindName(s.kind));
    return 3;
  }
  return 0;
}

}  // namespace mtc::cli
