// Completion. The buffer is usually half typed and does not parse, so the place
// is read from the tokens before the cursor (lexFile), and the names come from
// the latest check of the buffer that parsed:
//   - at the start of a top-level line: declaration and statement keywords;
//   - at the start of a line in a property block: that block's property names;
//   - after `stage:`, `role:`, `class:`, `agg:`, `data:`, `time:`, `affects:`...: their values;
//   - after `dim:` (selectors `x[region: ...]`, slice maps) and in slice maps: dimension values;
//   - after `over` and `by`: dimensions; after `metric x:`: units;
//   - elsewhere (formulas): metrics, params, functions and the expression keywords.
#include <fmt/format.h>

#include <map>
#include <set>

#include "document.h"

namespace mtc::lsp {

namespace {

// LSP CompletionItemKind values.
enum ItemKind { kFunction = 3, kField = 5, kVariable = 6, kModule = 9, kProperty = 10, kUnit = 11, kValue = 12,
                kEnum = 13, kKeyword = 14, kEnumMember = 20, kConstant = 21, kStruct = 22, kEvent = 23 };

bool isDeclKeyword(const std::string& w) {
  const auto& k = declarationKeywords();
  return std::find(k.begin(), k.end(), w) != k.end();
}

// The property names each declaration's block accepts (the properties table).
std::vector<std::string> propertiesOf(const std::string& kw) {
  if (kw == "benchmark") {
    std::vector<std::string> levels;
    for (auto& [name, level] : ir::benchmarkLevels()) levels.push_back(name);
    return levels;
  }
  for (int o = 0; o <= static_cast<int>(PropOwner::Optimize); ++o)
    if (propOwnerKeyword(static_cast<PropOwner>(o)) == kw) return propertyNames(static_cast<PropOwner>(o));
  return {};
}

// An open bracket before the cursor, and what it belongs to.
struct Frame {
  std::string open;  // "{", "[" or "("
  std::string kw;    // the declaration keyword it belongs to ("stage" inside a chain, "subject" for `subject to {`)
  bool map = false;  // a slice map: `= {` or a nested map `key: {`
};

struct Context {
  std::vector<Token> toks;  // significant tokens before the word being typed
  std::vector<Frame> frames;
  std::string declKw;              // the current top-level declaration
  std::vector<std::string> declDims;  // names after its `by` (param maps)
  bool sawColon = false, sawBy = false, sawAssign = false;  // in its header, at depth 0
  bool lineStart = false;          // nothing but blanks before the word on its line
  bool inert = false;              // in a comment or a string: nothing to offer
};

bool isPunct(const Token& t, const char* text) { return t.kind == TokKind::Punct && t.text == text; }
bool isWord(const Token& t) { return t.kind == TokKind::Ident || t.kind == TokKind::Keyword; }

Context analyse(const Document& d, size_t cursor) {
  Context cx;
  SourceFile before(0, d.path, d.text.substr(0, cursor));
  std::vector<Token> all;
  lexFile(before, all, nullptr);
  // The token the cursor is in or right after decides whether it is in a comment or string.
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    if (it->kind == TokKind::End) continue;
    bool touches = it->offset + it->text.size() >= cursor;
    bool closedBlock = it->text.size() >= 4 && it->text.compare(0, 2, "/*") == 0 &&
                       it->text.compare(it->text.size() - 2, 2, "*/") == 0;  // the cursor is after it
    if (touches && !closedBlock && (it->kind == TokKind::Comment || it->kind == TokKind::DocComment ||
                    (it->kind == TokKind::Error && !it->text.empty() && (it->text[0] == '"' || it->text[0] == '/'))))
      cx.inert = true;
    break;
  }
  std::vector<Token> sig;
  for (auto& t : all)
    if (t.kind != TokKind::Space && t.kind != TokKind::Newline && t.kind != TokKind::Comment &&
        t.kind != TokKind::DocComment && t.kind != TokKind::End)
      sig.push_back(t);
  // Drop the word being typed.
  size_t wordStart = cursor;
  if (!sig.empty() && isWord(sig.back()) && sig.back().offset + sig.back().text.size() == cursor) {
    wordStart = sig.back().offset;
    sig.pop_back();
  }
  size_t lineBegin = d.text.rfind('\n', wordStart == 0 ? 0 : wordStart - 1);
  lineBegin = (lineBegin == std::string::npos || wordStart == 0) ? 0 : lineBegin + 1;
  cx.lineStart = d.text.find_first_not_of(" \t", lineBegin) >= wordStart;

  std::string lastKwHere;  // the latest keyword in the innermost frame
  for (size_t i = 0; i < sig.size(); ++i) {
    const Token& t = sig[i];
    bool top = cx.frames.empty();
    if (t.kind == TokKind::Keyword) {
      if (top && isDeclKeyword(t.text)) {
        cx.declKw = t.text;
        cx.declDims.clear();
        cx.sawColon = cx.sawBy = cx.sawAssign = false;
      }
      if (top && t.text == "by") cx.sawBy = true;
      lastKwHere = t.text;
    } else if (top && t.kind == TokKind::Ident && cx.sawBy && !cx.sawAssign) {
      cx.declDims.push_back(t.text);
    } else if (t.kind == TokKind::Punct) {
      if (top && t.text == ":") cx.sawColon = true;
      if (top && t.text == "=") cx.sawAssign = true;
      if (t.text == "{" || t.text == "[" || t.text == "(") {
        Frame f{t.text, cx.declKw};
        if (t.text == "{") {
          bool afterAssign = i > 0 && isPunct(sig[i - 1], "=");
          bool nestedMap = i > 0 && isPunct(sig[i - 1], ":") && !cx.frames.empty() && cx.frames.back().map;
          f.map = afterAssign || nestedMap;
          if (!cx.frames.empty() && cx.frames.back().kw == "chain" && lastKwHere == "stage") f.kw = "stage";
          if (i >= 2 && sig[i - 1].text == "to" && sig[i - 2].text == "subject") f.kw = "subject";
        }
        cx.frames.push_back(f);
        lastKwHere.clear();
      } else if ((t.text == "}" || t.text == "]" || t.text == ")") && !cx.frames.empty()) {
        cx.frames.pop_back();
        lastKwHere.clear();
      }
    }
  }
  cx.toks = std::move(sig);
  return cx;
}

class Items {
 public:
  explicit Items(const Compilation& names) : c_(names) {}
  json take() { return std::move(items_); }

  void add(const std::string& label, int kind, const std::string& detail = "", const std::string& doc = "",
           const std::string& insert = "") {
    if (!seen_.insert(label).second) return;
    json it = {{"label", label}, {"kind", kind}};
    if (!detail.empty()) it["detail"] = detail;
    if (!doc.empty()) it["documentation"] = {{"kind", "markdown"}, {"value", doc}};
    if (!insert.empty()) it["insertText"] = insert;
    items_.push_back(std::move(it));
  }
  void keywords(const std::vector<std::string>& ks) {
    for (auto& k : ks) add(k, kKeyword, "keyword");
  }
  void declared(SymKind kind, int itemKind) {
    for (const Occurrence& o : c_.occurrences)
      if (o.isDecl && o.kind == kind && !seen_.count(o.name)) add(o.name, itemKind, detailOf(o));
  }
  void dimValues(const std::string& dim) {
    std::string prefix = dim + ".";
    for (const Occurrence& o : c_.occurrences)
      if (o.isDecl && o.kind == SymKind::DimValue && o.name.rfind(prefix, 0) == 0)
        add(o.name.substr(prefix.size()), kEnumMember, "value of " + dim);
  }
  void units() {
    declared(SymKind::Unit, kUnit);
    for (const char* u : {"ratio", "count", "day", "week", "month", "quarter", "year"}) add(u, kUnit, "built-in unit");
    if (c_.model && c_.model->currency) add(*c_.model->currency, kUnit, "the model's currency");
  }
  void expressionNames() {
    declared(SymKind::Metric, kVariable);
    declared(SymKind::Param, kConstant);
    declared(SymKind::Function, kFunction);
    for (auto& f : ir::builtins()) add(std::string(f.name), kFunction, std::string(f.signature), std::string(f.doc));
    for (const char* k : {"over", "and", "or", "not"}) add(k, kKeyword, "keyword");
  }
  bool isDimension(const std::string& n) const {
    for (const Occurrence& o : c_.occurrences)
      if (o.isDecl && o.kind == SymKind::Dimension && o.name == n) return true;
    return false;
  }

 private:
  const Compilation& c_;
  json items_ = json::array();
  std::set<std::string> seen_;

  // "metric: USD by channel" and the like, from the IR when it has the name.
  // Built once per request from the IR (a lookup by name per declaration made
  // completion quadratic in the number of metrics).
  std::map<std::pair<SymKind, std::string>, std::string> details_;
  std::string detailOf(const Occurrence& o) {
    if (c_.model && details_.empty()) {
      const ir::Model& m = *c_.model;
      auto dims = [&](const std::vector<ir::Id>& ds) {
        std::string s;
        for (auto d : ds) s += (s.empty() ? " by " : ", ") + m.dims[d].name;
        return s;
      };
      for (auto& M : m.metrics) details_[{SymKind::Metric, M.name}] = "metric: " + M.unitText + dims(M.dims);
      for (auto& P : m.params) details_[{SymKind::Param, P.name}] = "param: " + P.unitText + dims(P.dims);
    }
    auto it = details_.find({o.kind, o.name});
    return it != details_.end() ? it->second : symKindName(o.kind);
  }
};

// Values of a property, after `key:` (or after a comma in its list).
bool propertyValues(const std::string& kw, const std::string& key, Items& out) {
  // a property with a fixed set of words (agg, direction, method, sign, ...): the table's choices
  for (int o = 0; o <= static_cast<int>(PropOwner::Optimize); ++o) {
    if (propOwnerKeyword(static_cast<PropOwner>(o)) != kw) continue;
    const PropertyInfo* p = findProperty(static_cast<PropOwner>(o), key);
    if (p && p->type == PropType::Choice) {
      for (auto& c : choicesOf(p->id)) out.add(c, kValue, key, std::string(p->doc));
      return true;
    }
  }
  if (key == "stage") out.declared(SymKind::Stage, kEnumMember);
  else if (key == "role") for (auto& r : ir::metricRoles()) out.add(r.name, kValue, "role", r.meaning);
  else if (key == "class") for (auto& c : ir::metricClasses()) out.add(c.name, kValue, "class", fmt::format("{} Use: {}.", c.question, c.use));
  else if (key == "data") out.declared(SymKind::Source, kStruct);
  else if (key == "time" || key == "grain") for (auto* g : {"day", "week", "month", "quarter", "year"}) out.add(g, kValue, "grain");
  else if (key == "dimensions") out.declared(SymKind::Dimension, kEnum);
  else if (key == "affects") out.declared(SymKind::Metric, kVariable);
  else return false;
  return true;
}

json complete(const Context& cx, const Compilation& names) {
  Items out(names);
  if (cx.inert) return out.take();
  const auto& t = cx.toks;
  const Frame* frame = cx.frames.empty() ? nullptr : &cx.frames.back();
  auto at = [&](size_t back) -> const Token* { return back < t.size() ? &t[t.size() - 1 - back] : nullptr; };

  // `name.`: a source's columns or a function's path are not known here.
  if (at(0) && isPunct(*at(0), ".")) return out.take();

  // Selectors `x[dim: value, dim: value]`.
  if (frame && frame->open == "[") {
    if (at(0) && isPunct(*at(0), ":") && at(1) && isWord(*at(1))) out.dimValues(at(1)->text);
    else out.declared(SymKind::Dimension, kEnum);
    return out.take();
  }
  // Slice maps `= { ppc: 4%, sales: 10% }`: keys are values of the declaration's dimensions.
  if (frame && frame->map && at(0) && (isPunct(*at(0), "{") || isPunct(*at(0), ","))) {
    for (auto& dim : cx.declDims) out.dimValues(dim);
    out.add("_", kValue, "every other slice");
    return out.take();
  }

  // Walk back over a comma-separated list of words to what introduced it.
  size_t k = 0;
  while (at(k) && isPunct(*at(k), ",") && at(k + 1) && isWord(*at(k + 1))) k += 2;
  const Token* intro = at(k);
  if (intro && intro->kind == TokKind::Keyword && intro->text == "over") {
    out.declared(SymKind::Dimension, kEnum);
    return out.take();
  }
  if (!frame && intro && intro->kind == TokKind::Keyword && intro->text == "by" &&
      (cx.declKw == "metric" || cx.declKw == "param")) {
    out.declared(SymKind::Dimension, kEnum);
    return out.take();
  }
  if (intro && isPunct(*intro, ":") && at(k + 1) && isWord(*at(k + 1))) {
    const std::string& key = at(k + 1)->text;
    if (frame && frame->open == "{" && !frame->map && propertyValues(frame->kw, key, out)) return out.take();
    if (out.isDimension(key)) {
      out.dimValues(key);
      return out.take();
    }
  }
  // The unit in a metric or param header: `metric x: USD/patient`.
  if (!frame && (cx.declKw == "metric" || cx.declKw == "param") && cx.sawColon && !cx.sawBy && !cx.sawAssign) {
    out.units();
    return out.take();
  }
  if (cx.lineStart && !frame) {
    for (auto& kw : declarationKeywords()) out.add(kw, kKeyword, "declaration");
    return out.take();
  }
  if (cx.lineStart && frame && frame->open == "{" && !frame->map) {
    if (frame->kw == "chain") {
      out.add("stage", kKeyword, "a stage of the chain");
    } else if (frame->kw != "dimension" && frame->kw != "subject") {
      for (auto& p : propertiesOf(frame->kw)) out.add(p, kProperty, "property of " + frame->kw, "", p + ": ");
      return out.take();
    }
    if (frame->kw == "dimension" || frame->kw == "chain") return out.take();
  }
  out.expressionNames();
  return out.take();
}

}  // namespace

json completion(const Document& d, const json& params) {
  Loc at = fromPosition(d, params.at("position"));
  size_t cursor = d.file().offset(at.line, at.col);
  Context cx = analyse(d, cursor);
  const Compilation& names = d.lastParsed ? *d.lastParsed : *d.comp;
  return complete(cx, names);
}

}  // namespace mtc::lsp
