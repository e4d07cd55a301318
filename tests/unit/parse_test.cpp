// The parser: every construct of LANGUAGE.md, syntax errors with what was
// expected, and malformed input that must not crash or hang.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "helpers.h"
#include "mtc/parse.h"

using namespace mtc;
using namespace mtc::test;

static std::unique_ptr<ast::File> parseString(const std::string& text, Diagnostics& d, SourceManager& sm) {
  FileId id = sm.add("p.mtree", text);
  return parseFile(sm.file(id), d);
}

TEST_CASE("number literals: separators, exponents, percent") {
  bool pct = false;
  CHECK(parseNumberLiteral("1_000_000") == 1e6);
  CHECK(parseNumberLiteral("1.5e3") == 1500);
  CHECK(parseNumberLiteral("20%", &pct) == Approx(0.2));
  CHECK(pct);
  CHECK(parseNumberLiteral("0.25") == 0.25);
}

TEST_CASE("every snippet of LANGUAGE.md parses") {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(MTC_SOURCE_DIR) / "tests" / "snippets";
  int n = 0;
  for (auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".mtree") continue;
    std::ifstream in(e.path());
    std::stringstream ss;
    ss << in.rdbuf();
    SourceManager sm;
    Diagnostics d;
    auto f = parseString(ss.str(), d, sm);
    INFO(e.path().string() << "\n" << renderAll(sm, d));
    CHECK_FALSE(d.hasErrors());
    CHECK_FALSE(f->decls.empty());
    ++n;
  }
  CHECK(n >= 6);
}

TEST_CASE("a syntax error says what was expected, at the right place") {
  SourceManager sm;
  Diagnostics d;
  parseString("metric revenue: USD = price *\nmetric x: USD = 1\n", d, sm);
  REQUIRE(d.errorCount() == 1);
  const Diagnostic& e = d.all()[0];
  CHECK(e.code() == "syntax");
  CHECK(e.message == "expected an expression, found 'metric'");
  CHECK(where(e) == "2:1");
}

TEST_CASE("several syntax errors in one run") {
  SourceManager sm;
  Diagnostics d;
  parseString("metric a: USD = (1 +\nparam p: USD = \nmetric b USD = 2\n", d, sm);
  CHECK(d.errorCount() >= 2);
}

TEST_CASE("doc comments attach to the next declaration") {
  SourceManager sm;
  Diagnostics d;
  auto f = parseString("/// Money in.\n/// Second line.\nmetric revenue: USD\n", d, sm);
  REQUIRE(f->decls.size() == 1);
  CHECK(f->decls[0]->doc == "Money in.\nSecond line.");
}

TEST_CASE("malformed input gives errors, never a crash") {
  std::mt19937 rng(42);
  for (int i = 0; i < 200; ++i) {
    std::string s(rng() % 400, '\0');
    for (auto& ch : s) ch = static_cast<char>(rng() % 256);
    SourceManager sm;
    Diagnostics d;
    parseString(s, d, sm);
    CHECK(d.hasErrors());  // random bytes are never a valid model... or an empty one
  }
  // truncated prefixes of a real model
  std::string model =
      "model m { grain: month }\nunit lead\ndimension channel { a, b }\n"
      "metric leads: lead by channel { data: h.leads }\nmetric total: lead = sum(leads over channel)\n"
      "describe total from 2025-01 to 2025-06\n";
  for (size_t k = 0; k < model.size(); ++k) {
    auto c = compileString(model.substr(0, k));
    (void)c;
  }
  SUCCEED();
}

TEST_CASE("10,000-deep parentheses are refused cleanly") {
  std::string s = "metric x: ratio = " + std::string(10000, '(') + "1" + std::string(10000, ')') + "\n";
  SourceManager sm;
  Diagnostics d;
  parseString(s, d, sm);
  REQUIRE(d.hasErrors());
  CHECK(d.all()[0].code() == "too-deep");
}

TEST_CASE("long operator chains are not too deep") {
  std::string s = "metric x: ratio = 1";
  for (int i = 0; i < 5000; ++i) s += " + 1";
  auto c = compileString(s + "\n");
  INFO(renderAll(c->sources, c->diags));
  CHECK_FALSE(c->diags.hasErrors());
}

// ---- one declaration at a time: recovery and resynchronisation

static std::string names(const ast::File& f) {
  std::string s;
  for (auto& d : f.decls) s += (s.empty() ? "" : " ") + d->name.name + (d->broken ? "!" : "");
  return s;
}

TEST_CASE("an unfinished formula does not swallow the next declaration") {
  SourceManager sm;
  Diagnostics d;
  auto f = parseString("metric x: USD = a +\nmetric y: USD = 2\n", d, sm);
  REQUIRE(d.errorCount() == 1);
  CHECK(d.all()[0].message == "expected an expression, found 'metric'");
  CHECK(where(d.all()[0]) == "2:1");
  CHECK(d.all()[0].range.end.col == 7);  // the whole word 'metric' is underlined
  CHECK(names(*f) == "x! y");
}

TEST_CASE("an unclosed block ends at the next declaration keyword on a new line") {
  SourceManager sm;
  Diagnostics d;
  auto f = parseString("metric a: USD = 1 {\n  owner: \"me\"\nmetric b: USD = 2\n", d, sm);
  REQUIRE(d.errorCount() == 1);
  const Diagnostic& e = d.all()[0];
  CHECK(e.message == "expected '}' before 'metric'");
  CHECK(where(e) == "3:1");
  REQUIRE(e.notes.size() == 1);
  CHECK(e.notes[0].message == "this '{' is not closed");
  CHECK(e.notes[0].range.begin.col == 19);
  CHECK(names(*f) == "a! b");
}

TEST_CASE("an unterminated string is one error, and the next line parses") {
  SourceManager sm;
  Diagnostics d;
  auto f = parseString("metric a: USD = 1 { owner: \"abc }\nmetric b: USD = 2\n", d, sm);
  REQUIRE(d.errorCount() == 1);
  CHECK(d.all()[0].message == "unterminated string");
  CHECK(where(d.all()[0]) == "1:28");
  CHECK(names(*f) == "a! b");
  // the names a broken declaration declares are recorded for the checker
  REQUIRE(f->brokenNames.size() == 1);
  CHECK(f->brokenNames[0].name == "a");
}

TEST_CASE("declaration keywords as property keys, and several declarations on one line") {
  SourceManager sm;
  Diagnostics d;
  auto f = parseString("metric a: USD {\n  unit: x\n  source: y\n}\nmetric b: USD = 2 metric c: USD = b\n", d, sm);
  CHECK_FALSE(d.hasErrors());
  CHECK(names(*f) == "a b c");
  REQUIRE(f->decls[0]->props.entries.size() == 2);
  CHECK(f->decls[0]->props.entries[1].key.name == "source");
}

TEST_CASE("a declaration keyword used as a name is one error, with a note") {
  SourceManager sm;
  Diagnostics d;
  parseString("describe metric\n", d, sm);
  REQUIRE(d.errorCount() == 1);
  const Diagnostic& e = d.all()[0];
  CHECK(where(e) == "1:10");
  REQUIRE(e.notes.size() == 1);
  CHECK(e.notes[0].message == "'metric' starts a declaration; it cannot be a name");
}

TEST_CASE("a doc comment before a declaration that follows a broken one still attaches") {
  SourceManager sm;
  Diagnostics d;
  auto f = parseString("metric a: USD = (\n/// The b.\nmetric b: USD = 2\n", d, sm);
  REQUIRE(f->decls.size() == 2);
  CHECK(f->decls[1]->doc == "The b.");
}

TEST_CASE("diagnose ... vs with wrong words is one error naming them") {
  SourceManager sm;
  Diagnostics d;
  auto f = parseString("diagnose b at 2025-07 vs last year\nmetric b: USD\n", d, sm);
  REQUIRE(d.errorCount() == 1);
  CHECK(d.all()[0].message == "expected a period, 'previous' or 'same period last year' after 'vs', found 'last year'");
  CHECK(where(d.all()[0]) == "1:26");
  CHECK(names(*f) == "! b");  // the diagnose is kept, marked broken
  Diagnostics d2;
  SourceManager sm2;
  parseString("diagnose b at 2025-07 vs same period last year { top: 3 }\ndiagnose b at 2025-07 vs previous\n", d2, sm2);
  CHECK_FALSE(d2.hasErrors());
}

TEST_CASE("a missing period is called a period, not a number") {
  SourceManager sm;
  Diagnostics d;
  parseString("describe a from\nmetric a: USD = 1\ndiagnose a at vs previous\n", d, sm);
  REQUIRE(d.errorCount() == 2);
  auto v = d.sorted();
  CHECK(v[0].message == "expected a period (like 2025-07) before 'metric'");
  CHECK(where(v[0]) == "2:1");
  CHECK(v[1].message == "expected a period (like 2025-07) before 'vs'");
  CHECK(where(v[1]) == "3:15");
}

TEST_CASE("inside a property block, a stray token expects a name or '}', not a declaration") {
  SourceManager sm;
  Diagnostics d;
  parseString("metric a: USD {\n  stage: s\n  + role: lagging\n}\n", d, sm);
  REQUIRE(d.errorCount() >= 1);
  CHECK(d.all()[0].message == "expected a name or '}', found ':'");
  CHECK(where(d.all()[0]) == "3:9");
}

TEST_CASE("token ranges count code points, as columns do") {
  // ranges are computed from the lexer's indices, without copying text: compare
  // with the text itself, on the examples and on non-ASCII text
  namespace fs = std::filesystem;
  std::vector<std::string> texts = {"metric caf\xC3\xA9 \"r\xC3\xA9sum\xC3\xA9 \xE2\x82\xAC\": USD = 1 // \xF0\x9F\x98\x80 x\n/* a\nb */ unit x\r\n"};
  for (auto dir : {"examples/chiro", "examples/saas"})
    for (auto& e : fs::directory_iterator(fs::path(MTC_SOURCE_DIR) / dir))
      if (e.path().extension() == ".mtree") {
        std::ifstream in(e.path());
        std::stringstream ss;
        ss << in.rdbuf();
        texts.push_back(ss.str());
      }
  size_t checked = 0;
  for (auto& text : texts) {
    SourceManager sm;
    FileId id = sm.add("t.mtree", text);
    std::vector<Token> toks;
    REQUIRE(lexFile(sm.file(id), toks, nullptr));
    for (auto& t : toks) {
      if (t.kind == TokKind::End || t.kind == TokKind::Newline || t.text.find('\n') != std::string::npos) continue;
      uint32_t n = 0;
      for (size_t i = 0; i < t.text.size(); ++n) decodeUtf8(t.text, i);
      INFO(t.text);
      CHECK(t.range.end.line == t.range.begin.line);
      CHECK(t.range.end.col == t.range.begin.col + n);
      ++checked;
    }
  }
  CHECK(checked > 1000);
}
