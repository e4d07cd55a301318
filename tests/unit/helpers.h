// Helpers for front-end tests: compile text and find a diagnostic.
#pragma once

#include <catch2/catch.hpp>
#include <string>

#include "mtc/compiler.h"

namespace mtc::test {

// Compile options without the lints (most tests look at one diagnostic).
inline CompileOptions noLints() {
  CompileOptions o;
  o.lints = false;
  return o;
}

inline std::unique_ptr<Compilation> compileString(const std::string& text, CompileOptions o = {}) {
  return compileText("test.mtree", text, o);
}

// The one diagnostic with this code (fails the test if there is not exactly one).
inline const Diagnostic& only(const Compilation& c, const std::string& code) {
  const Diagnostic* found = nullptr;
  int n = 0;
  for (auto& d : c.diags.all())
    if (d.code() == code) found = &d, ++n;
  INFO(renderAll(c.sources, c.diags));
  REQUIRE(n == 1);
  return *found;
}

inline std::string where(const Diagnostic& d) {
  return std::to_string(d.range.begin.line) + ":" + std::to_string(d.range.begin.col);
}

inline bool clean(const Compilation& c) {
  INFO(renderAll(c.sources, c.diags));
  return c.diags.all().empty();
}

}  // namespace mtc::test
