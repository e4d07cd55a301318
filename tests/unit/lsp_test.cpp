// The language server (lsp/), driven with hand-written JSON-RPC messages. The
// expected positions are counted by hand on kShop below (LSP positions: 0-based
// lines, UTF-16 characters).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

#include "mtc/lsp/server.h"

using mtc::lsp::json;
using mtc::lsp::Server;

namespace {

// Line numbers (0-based) on the left.
const char* kShop = R"(model shop {
  grain: month
}

unit order

dimension channel { web, store }

chain journey external {
  stage buy
}

/// Orders placed.
metric orders "Orders": order by channel {
  stage: buy
  role: input
  data: history.orders
}

source history = csv("history.csv") {
  time: month
  dimensions: channel
}

param price: USD/order = 20

/// Revenue from orders.
metric revenue: USD = sum(orders over channel) * price {
  stage: buy
  role: output, north_star
  class: strategic
}

metric web_orders: order = orders[channel: web] { stage: buy }
)";
//  0 model shop {            13 metric orders ...      24 param price ...
//  6 dimension channel ...   14   stage: buy           27 metric revenue: USD = sum(orders over channel) * price {
//  9   stage buy             19 source history ...     33 metric web_orders: order = orders[channel: web] { stage: buy }

const std::string kUri = "file:///tmp/mtc-lsp-test/shop.mtree";

std::string replaceAll(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  return s;
}

json pos(int line, int character) { return {{"line", line}, {"character", character}}; }
json range(int l1, int c1, int l2, int c2) { return {{"start", pos(l1, c1)}, {"end", pos(l2, c2)}}; }
json doc(const std::string& uri = kUri) { return {{"uri", uri}}; }
json at(int line, int character, const std::string& uri = kUri) {
  return {{"textDocument", doc(uri)}, {"position", pos(line, character)}};
}

// A client: sends requests and notifications, keeps the notifications it got.
struct Client {
  Server server;
  int nextId = 1;
  std::vector<json> notifications;

  explicit Client(bool init = true, mtc::lsp::ServerOptions o = {}) : server(std::move(o)) {
    if (init) {
      request("initialize", {{"capabilities", json::object()}});
      notify("initialized", json::object());
    }
  }
  // The whole response (result or error) to one request.
  json call(const std::string& method, const json& params) {
    int id = nextId++;
    json msg = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
    json response;
    int responses = 0;
    for (auto& m : server.handle(msg)) {
      if (m.contains("id") && m["id"] == id) response = m, ++responses;
      else notifications.push_back(m);
    }
    REQUIRE(responses == 1);
    return response;
  }
  json request(const std::string& method, const json& params) {
    json r = call(method, params);
    INFO(r.dump());
    REQUIRE(r.contains("result"));
    return r["result"];
  }
  void notify(const std::string& method, const json& params) {
    for (auto& m : server.handle(json{{"jsonrpc", "2.0"}, {"method", method}, {"params", params}}))
      notifications.push_back(m);
  }
  void open(const std::string& text, const std::string& uri = kUri, int version = 1) {
    notify("textDocument/didOpen",
           {{"textDocument", {{"uri", uri}, {"languageId", "mtree"}, {"version", version}, {"text", text}}}});
  }
  void change(const std::string& text, const std::string& uri = kUri, int version = 2) {
    notify("textDocument/didChange",
           {{"textDocument", {{"uri", uri}, {"version", version}}}, {"contentChanges", json::array({{{"text", text}}})}});
  }
  // The diagnostics last published for a document.
  json diagnostics(const std::string& uri = kUri) {
    for (auto it = notifications.rbegin(); it != notifications.rend(); ++it)
      if ((*it)["method"] == "textDocument/publishDiagnostics" && (*it)["params"]["uri"] == uri)
        return (*it)["params"]["diagnostics"];
    FAIL("no diagnostics published for " << uri);
    return nullptr;
  }
};

std::vector<std::string> labels(const json& items) {
  std::vector<std::string> out;
  for (auto& it : items) out.push_back(it["label"]);
  return out;
}
bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

}  // namespace

TEST_CASE("lsp: initialize advertises the features; requests before it are refused") {
  Client c(false);
  json early = c.call("textDocument/hover", at(0, 0));
  CHECK(early["error"]["code"] == -32002);

  json r = c.request("initialize", {{"capabilities", json::object()}});
  const json& caps = r["capabilities"];
  CHECK(caps["textDocumentSync"]["change"] == 1);  // full text
  CHECK(caps["hoverProvider"] == true);
  CHECK(caps["definitionProvider"] == true);
  CHECK(caps["referencesProvider"] == true);
  CHECK(caps["documentSymbolProvider"] == true);
  CHECK(caps["renameProvider"]["prepareProvider"] == true);
  CHECK(caps.contains("completionProvider"));
  CHECK(caps["documentFormattingProvider"] == true);
  CHECK(r["serverInfo"]["name"] == "mtc");
}

TEST_CASE("lsp: a clean model publishes no diagnostics") {
  Client c;
  c.open(kShop);
  CHECK(c.diagnostics().empty());
}

TEST_CASE("lsp: diagnostics on open and on change, with code, range and notes") {
  Client c;
  c.open(replaceAll(kShop, "* price {", "* prise {"));
  json ds = c.diagnostics();
  REQUIRE(ds.size() == 1);
  CHECK(ds[0]["code"] == "unknown-name");
  CHECK(ds[0]["severity"] == 1);
  CHECK(ds[0]["source"] == "mtc");
  CHECK(ds[0]["range"] == range(27, 49, 27, 54));  // `prise` on line 28, columns 50-54 (1-based)
  CHECK(ds[0]["message"] == "unknown name 'prise'\nnote: did you mean 'price'?");

  c.change(kShop);  // fixed in the editor (not on disk): the diagnostics go away
  CHECK(c.diagnostics().empty());

  c.change(replaceAll(kShop, "metric web_orders: order", "metric web_orders: USD"), kUri, 3);
  ds = c.diagnostics();
  REQUIRE(ds.size() == 1);
  CHECK(ds[0]["code"] == "declared-unit");
  CHECK(ds[0]["range"]["start"]["line"] == 33);
  CHECK(c.notifications.back()["params"]["version"] == 3);
}

TEST_CASE("lsp: diagnostic columns are UTF-16 code units") {
  Client c;
  // U+1F4B0 is one code point (one column for the CLI) but two UTF-16 units.
  c.open(replaceAll(kShop, "metric revenue: USD = sum(orders over channel) * price {",
                    "metric revenue \"\xF0\x9F\x92\xB0 Revenue\": USD = sum(orders over channel) * prise {"));
  json ds = c.diagnostics();
  REQUIRE(ds.size() == 1);
  CHECK(ds[0]["range"] == range(27, 62, 27, 67));  // 61-66 in code points
}

TEST_CASE("lsp: related notes carry their location; warnings have severity 2") {
  Client c;
  // Two metrics named the same: the second is the error, the first is the note.
  c.open(std::string(kShop) + "metric orders: order { stage: buy }\n");
  json ds = c.diagnostics();
  REQUIRE(ds.size() == 1);
  CHECK(ds[0]["code"] == "duplicate");
  CHECK(ds[0]["range"] == range(34, 7, 34, 13));
  REQUIRE(ds[0]["relatedInformation"].size() == 1);
  CHECK(ds[0]["relatedInformation"][0]["location"]["uri"] == kUri);
  CHECK(ds[0]["relatedInformation"][0]["location"]["range"] == range(13, 7, 13, 13));

  c.change(replaceAll(kShop, "  stage: buy\n  role: output", "  role: output"));  // revenue without a stage
  ds = c.diagnostics();
  REQUIRE(ds.size() == 1);
  CHECK(ds[0]["code"] == "no-stage");
  CHECK(ds[0]["severity"] == 2);
}

TEST_CASE("lsp: hover on a metric shows unit, dimensions, stage, classification and doc") {
  Client c;
  c.open(kShop);
  json h = c.request("textDocument/hover", at(27, 28));  // `orders` in revenue's formula
  CHECK(h["range"] == range(27, 26, 27, 32));
  CHECK(h["contents"]["kind"] == "markdown");
  std::string v = h["contents"]["value"];
  CHECK(v ==
        "```mtree\nmetric orders: order by channel\n```\n\n**Orders**\n\nOrders placed.\n\n"
        "- unit: `order`\n- dimensions: channel\n- data: `history.orders`\n- stage: buy (chain journey)\n"
        "- role: input\n- aggregation: sum\n");

  v = c.request("textDocument/hover", at(27, 9))["contents"]["value"];  // revenue's own name
  CHECK(v.find("- formula: `sum(orders over channel) * price`") != std::string::npos);
  CHECK(v.find("- role: output, north_star") != std::string::npos);
  CHECK(v.find("- class: strategic (Are we winning over the long term?)") != std::string::npos);
  CHECK(v.find("Revenue from orders.") != std::string::npos);
}

TEST_CASE("lsp: hover on params, dimensions, stages, built-in functions; nothing on blanks") {
  Client c;
  c.open(kShop);
  std::string v = c.request("textDocument/hover", at(27, 51))["contents"]["value"];  // price
  CHECK(v == "```mtree\nparam price: USD/order\n```\n\n- unit: `USD/order`\n- value: 20\n");
  v = c.request("textDocument/hover", at(27, 40))["contents"]["value"];  // channel after over
  CHECK(v == "```mtree\ndimension channel\n```\n\n- values: `web`, `store`\n");
  v = c.request("textDocument/hover", at(14, 10))["contents"]["value"];  // stage: buy
  CHECK(v.find("- chain: journey (external), step 1 of 1") != std::string::npos);
  CHECK(v.find("- metrics: orders, revenue, web_orders") != std::string::npos);
  v = c.request("textDocument/hover", at(27, 23))["contents"]["value"];  // sum(
  CHECK(v.find("sum(x over dim, ...)") != std::string::npos);
  CHECK(c.request("textDocument/hover", at(3, 0)).is_null());
}

TEST_CASE("lsp: a postgres source: hover names the variable, never its value; unset, a warning") {
  ::setenv("MTC_LSP_DW", "postgresql://u:s3cret-xyz@db/x", 1);
  Client c;
  std::string doc = replaceAll(kShop, "csv(\"history.csv\")", "postgres(env(\"MTC_LSP_DW\"), \"select * from history\")");
  c.open(doc);
  CHECK(c.diagnostics().empty());
  std::string v = c.request("textDocument/hover", at(19, 9))["contents"]["value"];  // the source's name
  CHECK(v.find("source history = postgres(env(\"MTC_LSP_DW\"), ...)") != std::string::npos);
  CHECK(v.find("- connection: the environment variable `MTC_LSP_DW`, read at run time") != std::string::npos);
  CHECK(v.find("- query: `select * from history`") != std::string::npos);
  CHECK(v.find("s3cret") == std::string::npos);
  ::unsetenv("MTC_LSP_DW");
  c.change(doc + "\n");
  json ds = c.diagnostics();
  REQUIRE(ds.size() == 1);
  CHECK(ds[0]["code"] == "env-unset");
  CHECK(ds[0]["severity"] == 2);
}

TEST_CASE("lsp: go to definition") {
  Client c;
  c.open(kShop);
  json d = c.request("textDocument/definition", at(27, 50));  // price
  CHECK(d == json{{"uri", kUri}, {"range", range(24, 6, 24, 11)}});
  d = c.request("textDocument/definition", at(33, 44));  // web in orders[channel: web]
  CHECK(d["range"] == range(6, 20, 6, 23));
  d = c.request("textDocument/definition", at(24, 14));  // USD is built in: nowhere to go
  CHECK(d.is_null());
}

TEST_CASE("lsp: find references") {
  Client c;
  c.open(kShop);
  json refs = c.request("textDocument/references", {{"textDocument", doc()}, {"position", pos(13, 8)},
                                                    {"context", {{"includeDeclaration", true}}}});
  REQUIRE(refs.size() == 3);
  CHECK(refs[0]["range"] == range(13, 7, 13, 13));
  CHECK(refs[1]["range"] == range(27, 26, 27, 32));
  CHECK(refs[2]["range"] == range(33, 27, 33, 33));
  refs = c.request("textDocument/references", {{"textDocument", doc()}, {"position", pos(13, 8)},
                                               {"context", {{"includeDeclaration", false}}}});
  CHECK(refs.size() == 2);
  // `buy`: declared once, used by the three metrics.
  refs = c.request("textDocument/references", {{"textDocument", doc()}, {"position", pos(9, 9)},
                                               {"context", {{"includeDeclaration", true}}}});
  CHECK(refs.size() == 4);
}

TEST_CASE("lsp: completion offers what fits the place") {
  Client c;
  std::string text = kShop;
  c.open(text);
  // After `stage: ` on line 14 (at its end): the stages.
  auto l = labels(c.request("textDocument/completion", at(14, 12)));
  CHECK(l == std::vector<std::string>{"buy"});
  // After `role: ` on line 15: the six roles.
  l = labels(c.request("textDocument/completion", at(15, 8)));
  CHECK(l == std::vector<std::string>{"input", "output", "leading", "lagging", "diagnostic", "north_star"});
  // In a formula: metrics, params, functions.
  l = labels(c.request("textDocument/completion", at(27, 22)));
  CHECK(has(l, "orders"));
  CHECK(has(l, "price"));
  CHECK(has(l, "rolling_mean"));
  CHECK(!has(l, "model"));
  // After `over `: dimensions.
  l = labels(c.request("textDocument/completion", at(27, 38)));
  CHECK(l == std::vector<std::string>{"channel"});
  // After `channel: ` in a selector: the dimension's values.
  l = labels(c.request("textDocument/completion", at(33, 43)));
  CHECK(l == std::vector<std::string>{"web", "store"});
  // At the start of a top-level line: declaration keywords.
  l = labels(c.request("textDocument/completion", at(3, 0)));
  CHECK(has(l, "metric"));
  CHECK(has(l, "describe"));
  CHECK(!has(l, "orders"));
  // Inside a comment or a string: nothing.
  CHECK(c.request("textDocument/completion", at(12, 8)).empty());
  CHECK(c.request("textDocument/completion", at(13, 17)).empty());
}

TEST_CASE("lsp: completion in a half-typed buffer uses the names of the last parse") {
  Client c;
  std::string text = kShop;
  c.open(text);
  // Typing a new metric's block: `st` at the start of a line in a metric block.
  text += "metric margin: USD = revenue {\n  st";
  c.change(text);
  auto items = c.request("textDocument/completion", at(35, 4));
  auto l = labels(items);
  CHECK(has(l, "stage"));
  CHECK(has(l, "class"));
  CHECK(!has(l, "grain"));
  CHECK(items[0]["kind"] == 10);  // Property
  // `stage: ` in that unfinished block still knows the stages.
  text += "age: ";
  c.change(text, kUri, 3);
  l = labels(c.request("textDocument/completion", at(35, 9)));
  CHECK(l == std::vector<std::string>{"buy"});
  // `class: strategic, ` continues the list of classes.
  text += "buy\n  class: strategic, ";
  c.change(text, kUri, 4);
  l = labels(c.request("textDocument/completion", at(36, 20)));
  CHECK(l.size() == 9);
  CHECK(has(l, "vanity"));
}

TEST_CASE("lsp: document symbols: chains, stages and their metrics") {
  Client c;
  c.open(kShop);
  json syms = c.request("textDocument/documentSymbol", {{"textDocument", doc()}});
  std::vector<std::string> top;
  for (auto& s : syms) top.push_back(s["name"]);
  CHECK(top == std::vector<std::string>{"shop", "order", "channel", "journey", "history", "price"});
  const json& journey = syms[3];
  CHECK(journey["kind"] == 3);  // Namespace
  CHECK(journey["range"] == range(8, 0, 10, 1));
  CHECK(journey["selectionRange"] == range(8, 6, 8, 13));
  REQUIRE(journey["children"].size() == 1);
  const json& buy = journey["children"][0];
  CHECK(buy["name"] == "buy");
  std::vector<std::string> metrics;
  for (auto& m : buy["children"]) metrics.push_back(m["name"]);
  CHECK(metrics == std::vector<std::string>{"orders", "revenue", "web_orders"});
  CHECK(buy["children"][0]["detail"] == "order · Orders");
  CHECK(buy["children"][0]["range"] == range(13, 0, 17, 1));
  CHECK(buy["children"][0]["selectionRange"] == range(13, 7, 13, 13));
  CHECK(syms[2]["children"].size() == 2);  // web, store
}

TEST_CASE("lsp: rename changes every occurrence and refuses bad names") {
  Client c;
  c.open(kShop);
  json prep = c.request("textDocument/prepareRename", at(27, 28));
  CHECK(prep == json{{"range", range(27, 26, 27, 32)}, {"placeholder", "orders"}});

  json p = at(27, 28);
  p["newName"] = "sales";
  json edit = c.request("textDocument/rename", p);
  json expected = json::array();
  for (json r : {range(13, 7, 13, 13), range(27, 26, 27, 32), range(33, 27, 33, 33)})
    expected.push_back({{"range", r}, {"newText", "sales"}});
  CHECK(edit == json{{"changes", {{kUri, expected}}}});

  // A dimension value: `web`, declared in the dimension and used in a selector.
  p = at(33, 44);
  p["newName"] = "online";
  edit = c.request("textDocument/rename", p);
  CHECK(edit["changes"][kUri].size() == 2);

  for (const char* bad : {"metric", "1abc", "two words", ""}) {
    p = at(27, 28);
    p["newName"] = bad;
    CHECK(c.call("textDocument/rename", p)["error"]["code"] == -32602);
  }
  p = at(27, 28);
  p["newName"] = "price";  // taken by the param
  json err = c.call("textDocument/rename", p)["error"];
  CHECK(err["code"] == -32803);
  CHECK(err["message"] == "'price' is already declared as a param");
  p = at(24, 14);  // USD
  p["newName"] = "EUR";
  CHECK(c.call("textDocument/rename", p)["error"]["message"] == "'USD' is built in and cannot be renamed");
}

TEST_CASE("lsp: unsaved imported buffers are what the checker sees") {
  Client c;
  const std::string libUri = "file:///tmp/mtc-lsp-test/lib.mtree";
  const std::string mainUri = "file:///tmp/mtc-lsp-test/main.mtree";
  // Neither file exists on disk: both are editor buffers.
  c.open("unit order\nparam price: USD/order = 20\n", libUri);
  c.open("model m { grain: month }\nimport \"lib.mtree\"\nmetric cost: USD/order = price * 2 { role: north_star }\n", mainUri);
  CHECK(c.diagnostics(mainUri).empty());
  json d = c.request("textDocument/definition", at(2, 26, mainUri));
  CHECK(d == json{{"uri", libUri}, {"range", range(1, 6, 1, 11)}});

  // Renaming price in the library buffer: main.mtree is checked again at once.
  c.change("unit order\nparam unit_price: USD/order = 20\n", libUri);
  json ds = c.diagnostics(mainUri);
  REQUIRE(ds.size() == 1);
  CHECK(ds[0]["code"] == "unknown-name");
  CHECK(ds[0]["range"] == range(2, 25, 2, 30));

  // An error inside the imported buffer shows on the import line of main.mtree too.
  c.change("unit order\nparam price: USD/order = 20 + nope\n", libUri, 3);
  ds = c.diagnostics(mainUri);
  REQUIRE(ds.size() == 1);
  CHECK(ds[0]["range"] == range(1, 7, 1, 18));
  CHECK(ds[0]["relatedInformation"][0]["location"]["uri"] == libUri);
}

TEST_CASE("lsp: protocol errors: bad JSON, unknown methods and documents, shutdown and exit") {
  Client c;
  auto out = c.server.handle(std::string("{\"jsonrpc\": \"2.0\", \"id\": 5, \"method\": "));
  REQUIRE(out.size() == 1);
  CHECK(out[0]["error"]["code"] == -32700);
  CHECK(out[0]["id"].is_null());
  out = c.server.handle(std::string("[1, 2]"));
  REQUIRE(out.size() == 1);
  CHECK(out[0]["error"]["code"] == -32600);

  CHECK(c.call("textDocument/noSuchThing", json::object())["error"]["code"] == -32601);
  CHECK(c.server.handle(json{{"jsonrpc", "2.0"}, {"method", "$/cancelRequest"}, {"params", {{"id", 1}}}}).empty());
  json r = c.call("textDocument/hover", at(0, 0, "file:///nowhere.mtree"));
  CHECK(r["error"]["code"] == -32602);
  c.open(kShop);
  CHECK(c.call("textDocument/hover", {{"textDocument", doc()}})["error"]["code"] == -32602);  // no position
  CHECK(c.request("textDocument/hover", at(5000, 3)).is_null());  // past the end: nothing there

  // Still running after all that.
  CHECK(c.request("textDocument/hover", at(27, 28))["contents"]["value"].get<std::string>().find("orders") !=
        std::string::npos);

  CHECK(c.request("shutdown", nullptr).is_null());
  CHECK(c.call("textDocument/hover", at(27, 28))["error"]["code"] == -32600);
  CHECK(!c.server.exitRequested());
  c.notify("exit", nullptr);
  CHECK(c.server.exitRequested());
  CHECK(c.server.exitCode() == 0);

  Client rude;
  rude.notify("exit", nullptr);  // exit without shutdown
  CHECK(rude.server.exitCode() == 1);
}

TEST_CASE("lsp: closing a document clears its diagnostics") {
  Client c;
  c.open(replaceAll(kShop, "* price {", "* prise {"));
  CHECK(c.diagnostics().size() == 1);
  c.notify("textDocument/didClose", {{"textDocument", doc()}});
  CHECK(c.diagnostics().empty());
  CHECK(c.call("textDocument/hover", at(27, 28))["error"]["code"] == -32602);
}

TEST_CASE("lsp: results stay right while the parser cache is cleared between checks") {
  mtc::lsp::ServerOptions o;
  o.clearParserCacheEvery = 1;  // clear before every check
  Client c(true, o);
  c.open(kShop);
  for (int i = 0; i < 5; ++i) {
    c.change(i % 2 ? std::string(kShop) : replaceAll(kShop, "* price {", "* prise {"), kUri, i + 2);
    CHECK(c.diagnostics().size() == static_cast<size_t>(i % 2 ? 0 : 1));
  }
  CHECK(c.server.checks() == 6);
}

TEST_CASE("lsp: formatting replaces the whole document with mtc fmt's layout") {
  Client c;
  CHECK(c.call("initialize", json::object())["error"]["code"] == -32600);  // a second initialize is refused
  c.open("model   shop {\n grain:   month\n}\nunit order");
  json edits = c.request("textDocument/formatting", {{"textDocument", doc()}, {"options", {{"tabSize", 2}, {"insertSpaces", true}}}});
  REQUIRE(edits.size() == 1);
  CHECK(edits[0]["range"] == range(0, 0, 3, 10));  // to the end of the last line, `unit order`
  CHECK(edits[0]["newText"] == "model shop {\n  grain: month\n}\nunit order\n");

  c.change("model shop {\n  grain: month\n}\nunit order\n");
  CHECK(c.request("textDocument/formatting", {{"textDocument", doc()}, {"options", json::object()}}).empty());

  c.change("model shop {\n  grain: month\n", kUri, 3);  // does not parse: refused, with the reason
  json err = c.call("textDocument/formatting", {{"textDocument", doc()}, {"options", json::object()}})["error"];
  CHECK(err["code"] == -32803);
  CHECK(err["message"].get<std::string>().find("syntax") != std::string::npos);
}
