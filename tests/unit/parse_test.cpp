// The parser: every construct of LANGUAGE.md, syntax errors with what was
// expected, and malformed input that must not crash or hang.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <cstdio>
#include <random>
#include <sstream>

#include "helpers.h"
#include "modelgen.h"
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

// ---- the hand-written parser of metrics and params (parse.cpp, HandParser)
// against ANTLR and the AST builder: the same AST, ranges included, and the
// same diagnostics, on every .mtree file of the repository, on tricky forms
// and on random mutations of them.
namespace mtc::detail {
extern bool handParser;  // parse.cpp
}

namespace {

std::string rangeText(const Range& r) {
  return std::to_string(r.begin.line) + ":" + std::to_string(r.begin.col) + "-" + std::to_string(r.end.line) + ":" +
         std::to_string(r.end.col);
}
std::string identText(const ast::Ident& i) { return i.name + "@" + rangeText(i.range); }

struct AstDump {
  std::string o;
  void unit(const ast::UnitExpr& u) {
    o += "unit " + rangeText(u.range) + " [";
    for (auto& t : u.terms) o += t.name + "^" + std::to_string(t.power) + "@" + rangeText(t.range) + " ";
    o += "]";
  }
  void expr(const ast::Expr* e) {
    if (!e) { o += "null"; return; }
    o += "(" + std::to_string(static_cast<int>(e->kind)) + " " + rangeText(e->range);
    char num[64];
    std::snprintf(num, sizeof num, " %.17g%s", e->number, e->percent ? "%" : "");
    o += num;
    o += " '" + e->text + "' ";
    unit(e->unit);
    for (auto& p : e->path) o += " " + identText(p);
    o += " callee=" + identText(e->callee);
    for (auto& a : e->args) expr(a.get());
    o += " over=";
    for (auto& v : e->over) o += identText(v) + ",";
    o += rangeText(e->overRange) + " un" + std::to_string(static_cast<int>(e->unop)) + " bin" +
         std::to_string(static_cast<int>(e->binop));
    expr(e->lhs.get());
    if (e->rhs) expr(e->rhs.get());
    for (auto& s : e->selectors) o += " [" + (s.dim ? identText(*s.dim) : std::string("-")) + ":" + identText(s.value) + "]";
    o += ")";
  }
  void props(const ast::PropBlock& b) {
    o += " props " + std::to_string(b.present) + " " + rangeText(b.range) + "{";
    for (auto& e : b.entries) {
      o += identText(e.key) + " " + rangeText(e.range) + ":";
      for (auto& it : e.values) {
        o += " item" + std::to_string(static_cast<int>(it.kind)) + " " + rangeText(it.range) + " '" + it.text + "' ";
        expr(it.expr.get());
        o += " dur " + std::to_string(it.duration.count) + " " + identText(it.duration.unit) + " " + rangeText(it.duration.range);
        o += " span " + it.span.from.text + std::to_string(it.span.from.spaced) + rangeText(it.span.from.range);
        if (it.span.to) o += ".." + it.span.to->text + std::to_string(it.span.to->spaced) + rangeText(it.span.to->range);
        o += " " + rangeText(it.span.range);
      }
      o += ";";
    }
    o += "}";
  }
  void dist(const std::optional<ast::Distribution>& d) {
    if (!d) return;
    o += " ~" + identText(d->name) + rangeText(d->range);
    for (auto& a : d->args) expr(a.get());
  }
  void map(const ast::SliceMap* m) {
    if (!m) { o += " nomap"; return; }
    o += " map " + rangeText(m->range) + "{";
    for (auto& e : m->entries) {
      o += identText(e.key) + " " + rangeText(e.range) + ":";
      expr(e.value.get());
      map(e.nested.get());
      dist(e.dist);
      o += ";";
    }
    o += "}";
  }
  void decl(const ast::Decl& d) {
    o += std::string(ast::declKindName(d.kind)) + " " + rangeText(d.range) + " kw " + rangeText(d.keywordRange) + " " +
         identText(d.name) + " title " + (d.title ? *d.title : "-") + rangeText(d.titleRange) + " doc '" + d.doc +
         "' file " + std::to_string(d.file) + " broken " + std::to_string(d.broken);
    props(d.props);
    if (auto* m = dynamic_cast<const ast::MetricDecl*>(&d)) {
      unit(m->unit);
      for (auto& x : m->dims) o += " by " + identText(x);
      o += " = ";
      expr(m->formula.get());
    }
    if (auto* p = dynamic_cast<const ast::ParamDecl*>(&d)) {
      unit(p->unit);
      for (auto& x : p->dims) o += " by " + identText(x);
      o += " = ";
      expr(p->value.get());
      map(p->map.get());
      dist(p->dist);
    }
    o += "\n";
  }
};

// The AST (as text) and the diagnostics of a text, parsed with or without HandParser.
std::string parsedWith(bool hand, const std::string& text) {
  SourceManager sm;
  Diagnostics d;
  detail::handParser = hand;
  auto f = parseString(text, d, sm);
  detail::handParser = true;
  AstDump dump;
  for (auto& x : f->decls) dump.decl(*x);
  for (auto& b : f->brokenNames) dump.o += "broken name " + identText(b) + "\n";
  return dump.o + renderAll(sm, d);
}

}  // namespace

TEST_CASE("the hand-written parser makes ANTLR's AST on every model of the repository") {
  namespace fs = std::filesystem;
  int n = 0;
  for (const char* sub : {"examples", "tests", "stdlib", "bench", "docs"}) {
    fs::path dir = fs::path(MTC_SOURCE_DIR) / sub;
    if (!fs::exists(dir)) continue;
    for (auto& e : fs::recursive_directory_iterator(dir)) {
      if (e.path().extension() != ".mtree") continue;
      std::ifstream in(e.path());
      std::stringstream ss;
      ss << in.rdbuf();
      INFO(e.path().string());
      CHECK(parsedWith(true, ss.str()) == parsedWith(false, ss.str()));
      ++n;
    }
  }
  CHECK(n >= 50);
}

TEST_CASE("the hand-written parser: tricky forms and random mutations give ANTLR's AST and diagnostics") {
  const std::vector<std::string> lines = {
      "metric a: USD by channel, region = b * (1 - c) + d / e ^ 2 ^ -f { stage: s0 data: h.c0 }",
      "/// revenue\n/// per month\nmetric \"t\": USD = 1",
      "/// doc\n\nmetric m \"Title \\\"q\\\"\": USD/(patient*month)^2 = -x[channel: a, b] ^ 2",
      "metric m: 1/month = (3 USD) + (-2.5e3 USD/item^-1) * (12%) - \"s\"",
      "metric m: USD = sum(x over channel, region) + rolling_mean(m, 3) + f() + g(a, b over c)",
      "metric m: USD = a < b and c >= d or e != f and (g == h)",
      "metric m: USD = not a",
      "metric m: USD = not (a)",
      "metric m: USD = not + 1",
      "metric m: USD = x + stage",
      "metric m: USD = (3 and x)",
      "metric m: USD = (3 2)",
      "metric m: USD = 1e999",
      "metric m: USD = a b",
      "metric m: USD = sum(over)",
      "metric m: USD = sum(over x)",
      "metric m: USD = a.b.c + a.from",
      "metric m: USD = a.b(c)",
      "metric m: USD = x { horizon: 12 months at: 2025-03 .. 2025-06 v: 2025-03, 2025 - 3 }",
      "metric m: USD = x { a: 3 month: 2 }",
      "metric m: USD = x { a: 3 month b: 2 }",
      "metric m: USD = x { a: x and: 1 }",
      "metric m: USD = x { a: x, y: 1 }",
      "metric m: USD = x { a: 2025 - 03 .. 2025-Q3 b: 2025-W01-3 .. 2026 }",
      "metric m: USD = x { metric: 1 param: 2 }",
      "metric m: USD by by = x",
      "metric m: by channel",
      "metric m: USD = a <= b < c",
      "metric m: USD = --+-a ^ b * c",
      "metric m: USD = ((((a))))",
      "metric m: USD = a +",
      "metric m: USD = x { a: 1",
      "metric m: USD = x[a:]",
      "metric m: USD = (-3)",
      "metric m: USD = (- 3 USD)",
      "metric m: USD = (3 USD",
      "metric m: USD = a metric n: USD = 2",
      "metric m: USD = 1_000.5e-3%",
      "param p: USD = 3",
      "param p: USD by channel = { a: 1, b: { x: 2, y: 3 }, _: 4, }",
      "param p: ratio = 0.1 ~ normal(0.1, 0.02) { note: \"x\" }",
      "param p: USD by c = { a: 1 ~ uniform(1, 2), b: x * 2 }",
      "param p: USD = {}",
      "param p: USD = { a: 1 b: 2 }",
      "param p: USD",
      "param p: USD = 2 ~",
      "param \"t\" p: USD = 2",
      "param p \"t\": USD = 2",
  };
  for (auto& l : lines) {
    INFO(l);
    CHECK(parsedWith(true, l + "\n") == parsedWith(false, l + "\n"));
  }
  // random mutations: a token dropped, doubled or replaced by another
  const std::vector<std::string> pieces = {"metric", "param", "m", "not", "and", "over", "(", ")", "[", "]", "{", "}", ",", ":",
                                           "=", "+", "-", "*", "/", "^", "<", "3", "2025", "..", "month", "USD", "~", ".",
                                           "by", "stage", "\"s\"", "1e999", "%"};
  std::mt19937 rng(20261202);
  int hand = 0;
  for (int round = 0; round < 4000; ++round) {
    const std::string& base = lines[rng() % lines.size()];
    std::vector<std::string> toks;  // split at spaces, brackets and operators
    std::string cur;
    for (char c : base) {
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '"' || c == '%' || c == '\\') {
        cur += c;
        continue;
      }
      if (!cur.empty()) toks.push_back(cur), cur.clear();
      if (c != ' ') toks.push_back(std::string(1, c));
    }
    if (!cur.empty()) toks.push_back(cur);
    size_t i = rng() % toks.size();
    switch (rng() % 3) {
      case 0: toks.erase(toks.begin() + static_cast<long>(i)); break;
      case 1: toks.insert(toks.begin() + static_cast<long>(i), toks[i]); break;
      default: toks[i] = pieces[rng() % pieces.size()]; break;
    }
    std::string text;
    for (auto& t : toks) text += t + " ";
    text += "\n";
    std::string a = parsedWith(true, text), b = parsedWith(false, text);
    INFO(text);
    REQUIRE(a == b);
    hand += a.find("error") == std::string::npos;
  }
  CHECK(hand > 200);  // many mutations still parse
  // the random models of the JIT agreement test: every operator, nested calls
  for (uint32_t seed = 1; seed <= 200; ++seed) {
    ModelGen g(seed);
    g.generate();
    INFO(g.text);
    REQUIRE(parsedWith(true, g.text) == parsedWith(false, g.text));
  }
}
