// Prints the random model of a seed (the JIT agreement test's generator,
// tests/unit/modelgen.h) as JSON: {"text": ..., "inputs": [{"name", "dims"}]},
// for tests/sql/random.py, which gives the inputs data.
#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "modelgen.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: mtc_modelgen SEED\n");
    return 2;
  }
  mtc::test::ModelGen g(static_cast<uint32_t>(std::strtoul(argv[1], nullptr, 10)));
  g.generate();
  nlohmann::json out;
  out["text"] = g.text;
  out["inputs"] = nlohmann::json::array();
  for (auto& in : g.inputs) out["inputs"].push_back({{"name", in.name}, {"dims", in.dims}});
  std::puts(out.dump().c_str());
  return 0;
}
