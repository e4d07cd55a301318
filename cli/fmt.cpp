// `mtc fmt` (not built yet).
#include "commands.h"

namespace mtc::cli {

int cmdFmt(const FmtOptions& o, const CommonOptions& common) { return notBuilt("fmt"); }

}  // namespace mtc::cli
