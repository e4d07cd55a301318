#include <fstream>
#include <iostream>
#include <sstream>
#include "mtc/parse.h"
int main(int argc, char** argv) {
  mtc::SourceManager sm; mtc::Diagnostics d;
  std::ifstream in(argv[1], std::ios::binary); std::stringstream ss; ss << in.rdbuf();
  auto id = sm.add(argv[1], ss.str());
  auto f = mtc::parseFile(sm.file(id), d);
  std::cout << mtc::renderAll(sm, d) << f->decls.size() << " decls\n";
}
