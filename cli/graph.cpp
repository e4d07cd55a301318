// `mtc graph` (not built yet).
#include "commands.h"

namespace mtc::cli {

int cmdGraph(const GraphOptions& o, const CommonOptions& common) { return notBuilt("graph"); }

}  // namespace mtc::cli
