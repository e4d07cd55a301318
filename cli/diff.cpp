// `mtc diff` (not built yet).
#include "commands.h"

namespace mtc::cli {

int cmdDiff(const DiffOptions& o, const CommonOptions& common) { return notBuilt("diff"); }

}  // namespace mtc::cli
