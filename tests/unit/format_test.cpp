// The formatter (mtc fmt): each rule of docs/fmt-diff.md on a small input with
// its hand-written canonical form, idempotence, and refusal of unparsable text.
#include <catch2/catch.hpp>

#include "mtc/format.h"

using namespace mtc;

namespace {

std::string fmt(const std::string& in) {
  FormatResult r = formatSource("t.mtree", in);
  INFO(r.errors);
  REQUIRE(r.ok);
  // Idempotent: formatting the result changes nothing.
  FormatResult again = formatSource("t.mtree", r.text);
  REQUIRE(again.ok);
  CHECK(again.text == r.text);
  return r.text;
}

}  // namespace

TEST_CASE("fmt: indentation, spaces around operators, none inside brackets") {
  CHECK(fmt("metric   x :USD by  plan,region=sum( a*b over plan )+c[plan:pro]{\nrole:output\n      stage : s\n}\n") ==
        "metric x: USD by plan, region = sum(a * b over plan) + c[plan: pro] {\n"
        "  role: output\n"
        "  stage: s\n"
        "}\n");
}

TEST_CASE("fmt: units are written tight, quantities keep their unit") {
  CHECK(fmt("param p : USD / patient = 5\nmetric m: patient = b / ( 100 USD / patient ) - (2 USD*month^-1)*x ^ 2\n") ==
        "param p: USD/patient = 5\n"
        "metric m: patient = b / (100 USD/patient) - (2 USD*month^-1) * x ^ 2\n");
  CHECK(fmt("unit kusd = 1000 USD\n") == "unit kusd = 1000 USD\n");
}

TEST_CASE("fmt: unary minus, periods and ranges") {
  CHECK(fmt("metric m: ratio = - a + ( -2 )\nevent e at 2024-07 .. 2024-08 {affects:m}\ndescribe m from 2024-W01 to 2025-07-30\n") ==
        "metric m: ratio = -a + (-2)\n"
        "event e at 2024-07 .. 2024-08 { affects: m }\n"
        "describe m from 2024-W01 to 2025-07-30\n");
}

TEST_CASE("fmt: one-line property blocks separate entries by two spaces") {
  CHECK(fmt("forecast r for 12 months {method: auto interval: 90%}\nmetric l: lead { }\n") ==
        "forecast r for 12 months { method: auto  interval: 90% }\n"
        "metric l: lead {}\n");
}

TEST_CASE("fmt: blank lines collapse, none at block edges or file edges") {
  CHECK(fmt("\n\nunit a\n\n\n\nunit b\nchain c {\n\n  stage s\n\n}\n\n\n") ==
        "unit a\n"
        "\n"
        "unit b\n"
        "chain c {\n"
        "  stage s\n"
        "}\n");
}

TEST_CASE("fmt: trailing comments of consecutive lines are aligned") {
  CHECK(fmt("model m {\n  grain: month // g\n  currency: USD   // c\n}\nunit u // alone\n") ==
        "model m {\n"
        "  grain: month   // g\n"
        "  currency: USD  // c\n"
        "}\n"
        "unit u  // alone\n");
}

TEST_CASE("fmt: comments keep their place and take the indentation of what follows") {
  CHECK(fmt("/// doc\nchain c {\n// first\n      /// the stage\n stage s /* inline */ \"S\"\n    // last\n}\n") ==
        "/// doc\n"
        "chain c {\n"
        "  // first\n"
        "  /// the stage\n"
        "  stage s /* inline */ \"S\"\n"
        "  // last\n"
        "}\n");
}

TEST_CASE("fmt: subject to entries align their formulas") {
  CHECK(fmt("optimize o {\nmaximize x\nvary a,b>=0\nsubject to {\nbudget: a+b<=2000\ncapacity:x<=150\n}\n}\n") ==
        "optimize o {\n"
        "  maximize x\n"
        "  vary a, b >= 0\n"
        "  subject to {\n"
        "    budget:   a + b <= 2000\n"
        "    capacity: x <= 150\n"
        "  }\n"
        "}\n");
}

TEST_CASE("fmt: continuation lines and slice maps") {
  CHECK(fmt("metric m: USD =\na +\nb\nparam p: ratio by c = {\nx: 1,\n  y: 2,\n}\n") ==
        "metric m: USD =\n"
        "    a +\n"
        "    b\n"
        "param p: ratio by c = {\n"
        "  x: 1,\n"
        "  y: 2,\n"
        "}\n");
}

TEST_CASE("fmt: a brace alone on its line joins the line before") {
  CHECK(fmt("model m\n{\n grain: month\n}\n") == "model m {\n  grain: month\n}\n");
}

TEST_CASE("fmt: CRLF, tabs and an empty file") {
  CHECK(fmt("unit\ta\r\nunit b\r\n") == "unit a\nunit b\n");
  CHECK(fmt("") == "");
  CHECK(fmt("\n\n  \n") == "");
}

TEST_CASE("fmt: text that does not parse is refused with a located error") {
  FormatResult r = formatSource("bad.mtree", "metric x: USD = (a +\n");
  CHECK_FALSE(r.ok);
  CHECK(r.text.empty());
  CHECK(r.errors.find("bad.mtree:") != std::string::npos);
  CHECK(r.errors.find("error") != std::string::npos);
}
