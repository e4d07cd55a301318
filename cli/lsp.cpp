// `mtc lsp` (not built yet).
#include "commands.h"

namespace mtc::cli {

int cmdLsp(const CommonOptions& common) { return notBuilt("lsp"); }

}  // namespace mtc::cli
