// The semantic diff engine on hand-built model pairs: what counts as a change
// (formulas, units, properties, relations, statements...) and what does not
// (layout, comments, declaration order). Expected changes are written by hand.
#include <catch2/catch.hpp>

#include "helpers.h"
#include "mtc/semdiff.h"

using namespace mtc;
using namespace mtc::test;

namespace {

const char* kBase =
    "model m { grain: month }\n"
    "unit customer\n"
    "dimension plan { starter, pro }\n"
    "param price: USD/customer by plan = { starter: 49, pro: 199 }\n"
    "metric customers: customer by plan\n"
    "metric spend: USD\n"
    "metric mrr: USD by plan = customers * price { role: output }\n"
    "relation spend -> customers: causal { lag: 1 month }\n"
    "goal target: sum(mrr over plan) >= 1000 by 2025-12\n"
    "describe mrr\n";

std::vector<SemChange> diff(const std::string& a, const std::string& b) {
  CompileOptions o;
  o.lints = false;
  auto ca = compileText("a.mtree", a, o), cb = compileText("b.mtree", b, o);
  INFO(renderAll(ca->sources, ca->diags) << renderAll(cb->sources, cb->diags));
  REQUIRE_FALSE(ca->diags.hasErrors());
  REQUIRE_FALSE(cb->diags.hasErrors());
  return semanticDiff(ca->model.get(), cb->model.get());
}

std::string text(const std::string& a, const std::string& b) { return changesToText(diff(a, b)); }

std::string replace(std::string s, const std::string& from, const std::string& to) {
  size_t at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("semdiff: layout, comments and declaration order are no change") {
  std::string b =
      "// a comment\n"
      "describe mrr\n"
      "goal target: sum( mrr over plan )>=1000 by 2025-12\n"
      "relation spend->customers: causal {lag: 1 month}\n"
      "metric mrr: USD by plan = customers*price {\n  role: output   // why\n}\n"
      "metric spend: USD\n"
      "metric customers: customer by plan\n"
      "param price: USD/customer by plan = { pro: 199, starter: 49 }\n"
      "dimension plan { starter, pro }\n"
      "unit customer\n"
      "model m {\n  grain: month\n}\n";
  CHECK(diff(kBase, b).empty());
}

TEST_CASE("semdiff: a changed formula is one change with both formulas") {
  auto ch = diff(kBase, replace(kBase, "customers * price", "customers * price * 2"));
  REQUIRE(ch.size() == 1);
  CHECK(ch[0].change == SemChange::Kind::Changed);
  CHECK(ch[0].kind == "metric");
  CHECK(ch[0].name == "mrr");
  CHECK(ch[0].field == "formula");
  CHECK(ch[0].before == "customers * price");
  CHECK(ch[0].after == "customers * price * 2");
  CHECK(changesToText(ch) == "~ metric mrr: formula customers * price -> customers * price * 2\n");
}

TEST_CASE("semdiff: added and removed metrics, relations and statements") {
  std::string b = replace(kBase, "relation spend -> customers: causal { lag: 1 month }\n", "");
  b += "metric churn: customer by plan\n";
  b = replace(b, "describe mrr\n", "describe mrr, churn\n");
  CHECK(text(kBase, b) ==
        "+ metric churn: customer by plan\n"
        "- relation spend -> customers: causal, lag 1 periods\n"
        "- statement describe mrr\n"
        "+ statement describe mrr, churn\n");
}

TEST_CASE("semdiff: units, dimensions, params, properties, goals") {
  std::string b = replace(kBase, "metric spend: USD\n", "metric spend: EUR\n");
  b = replace(b, "{ starter: 49, pro: 199 }", "{ starter: 49, pro: 229 }");
  b = replace(b, "{ role: output }", "{ role: output, lagging  class: strategic }");
  b = replace(b, ">= 1000 by 2025-12", ">= 2000 by 2025-12");
  b = replace(b, "dimension plan { starter, pro }", "dimension plan { starter, pro, enterprise }");
  b = replace(b, "{ starter: 49, pro: 229 }", "{ starter: 49, pro: 229, enterprise: 1500 }");
  CHECK(text(kBase, b) ==
        "~ dimension plan: values { starter, pro } -> { starter, pro, enterprise }\n"
        "~ param price: value { starter: 49, pro: 199 } -> { starter: 49, pro: 229, enterprise: 1500 }\n"
        "~ metric mrr: role output -> output, lagging\n"
        "~ metric mrr: class - -> strategic\n"
        "~ metric spend: unit USD -> EUR\n"
        // a bare number takes the unit of the other side (LANGUAGE.md section 3)
        "~ goal target: condition sum(mrr over plan) >= (1000 USD) -> sum(mrr over plan) >= (2000 USD)\n");
}

TEST_CASE("semdiff: relation kind and lag, and a flipped relation is removed and added") {
  CHECK(text(kBase, replace(kBase, "causal { lag: 1 month }", "causal")) ==
        "~ relation spend -> customers: lag 1 periods -> -\n");
  CHECK(text(kBase, replace(kBase, "spend -> customers: causal { lag: 1 month }", "customers -> spend: causal")) ==
        "+ relation customers -> spend: causal\n"
        "- relation spend -> customers: causal, lag 1 periods\n");
}

TEST_CASE("semdiff: optimize entries compare by name") {
  std::string a =
      "model m { grain: month }\n"
      "param a: USD = 0\nparam b: USD = 0\n"
      "metric x: USD = a + b\n"
      "optimize mix {\n  maximize x\n  vary a, b >= 0\n  subject to {\n    budget: a + b <= 100\n  }\n}\n";
  std::string b = replace(a, "budget: a + b <= 100", "budget: a + b <= 200\n    cap: a <= 50");
  b = replace(b, "vary a, b >= 0", "vary a, b >= 0 <= 80");
  CHECK(text(a, b) ==
        "~ optimize mix: vary a in [0, inf] -> in [0, 80]\n"
        "~ optimize mix: vary b in [0, inf] -> in [0, 80]\n"
        "~ optimize mix: subject to budget a + b <= (100 USD) -> a + b <= (200 USD)\n"
        "~ optimize mix: subject to cap - -> a <= (50 USD)\n");
}

TEST_CASE("semdiff: against an empty model everything is added") {
  CompileOptions o;
  o.lints = false;
  auto c = compileText("a.mtree", kBase, o);
  REQUIRE_FALSE(c->diags.hasErrors());
  auto ch = semanticDiff(nullptr, c->model.get());
  // model, unit, dimension, param, 3 metrics, relation, goal, statement
  CHECK(ch.size() == 10);
  for (auto& x : ch) CHECK(x.change == SemChange::Kind::Added);
  CHECK(semanticDiff(c->model.get(), nullptr).size() == 10);
  auto j = changesToJson(ch);
  CHECK(j[0]["change"] == "added");
  CHECK(j[0]["kind"] == "model");
  CHECK(j[0]["name"] == "m");
}

TEST_CASE("semdiff: json keys of a change") {
  auto j = changesToJson(diff(kBase, replace(kBase, "metric spend: USD\n", "metric spend: EUR\n")));
  REQUIRE(j.size() == 1);
  CHECK(j[0] == nlohmann::json{{"change", "changed"}, {"kind", "metric"}, {"name", "spend"},
                               {"field", "unit"}, {"old", "USD"}, {"new", "EUR"}});
}
