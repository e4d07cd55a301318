// Document symbols: the outline of a file. Each value chain is a node with its
// stages as children, and each stage has the metrics at that stage as children;
// everything else (model, units, dimensions with their values, sources, params,
// metrics without a stage in this file, relations, goals, statements) is listed
// at the top level in the order written. Built from the AST, so the outline
// survives type errors (and shows what parsed when there are syntax errors).
#include <map>

#include "document.h"

namespace mtc::lsp {

namespace {

// LSP SymbolKind values.
enum SymbolKind { kFile = 1, kModule = 2, kNamespace = 3, kPackage = 4, kMethod = 6, kFunction = 12,
                  kVariable = 13, kConstant = 14, kBoolean = 17, kKey = 20, kEnum = 10, kEnumMember = 22,
                  kStruct = 23, kEvent = 24, kOperator = 25, kTypeParameter = 26 };

int kindOf(ast::DeclKind k) {
  using K = ast::DeclKind;
  switch (k) {
    case K::Model: return kModule;
    case K::Import: return kFile;
    case K::Unit: return kTypeParameter;
    case K::Dimension: return kEnum;
    case K::Chain: return kNamespace;
    case K::Source: return kStruct;
    case K::Param: return kConstant;
    case K::Metric: return kVariable;
    case K::Relation: return kOperator;
    case K::Constraint: return kBoolean;
    case K::Event: return kEvent;
    case K::Goal: return kKey;
    case K::Benchmark: return kKey;
    case K::Function: return kFunction;
    case K::Describe:
    case K::Diagnose:
    case K::Forecast:
    case K::Seek:
    case K::Simulate:
    case K::Optimize:
    case K::Recommend: return kMethod;
  }
  return kVariable;
}

// The stage a metric names in its `stage:` property, or "".
std::string stageOf(const ast::Decl& d) {
  const ast::PropEntry* e = d.props.find("stage");
  if (!e || e->values.empty() || !e->values[0].expr) return "";
  const ast::Expr& x = *e->values[0].expr;
  return x.kind == ast::ExprKind::Name && x.path.size() == 1 ? x.path[0].name : "";
}

class Outline {
 public:
  explicit Outline(const Document& d) : d_(d), c_(*d.comp) {}

  json build() {
    if (c_.files.empty()) return json::array();
    const ast::File& f = *c_.files[0];
    // Metrics by the stage they name, to hang them under their stage.
    std::map<std::string, std::vector<const ast::Decl*>> byStage;
    std::map<std::string, bool> stageHere;
    for (auto& decl : f.decls)
      if (decl->kind == ast::DeclKind::Chain)
        for (auto& s : static_cast<const ast::ChainDecl&>(*decl).stages) stageHere[s.name.name] = true;
    for (auto& decl : f.decls)
      if (decl->kind == ast::DeclKind::Metric && stageHere.count(stageOf(*decl))) byStage[stageOf(*decl)].push_back(decl.get());

    json out = json::array();
    for (auto& decl : f.decls) {
      const ast::Decl& x = *decl;
      if (x.kind == ast::DeclKind::Metric && stageHere.count(stageOf(x))) continue;  // under its stage
      json sym = symbol(x);
      if (x.kind == ast::DeclKind::Chain) {
        for (auto& s : static_cast<const ast::ChainDecl&>(x).stages) {
          json st = node(s.name.name, s.title.value_or(""), kPackage, s.range, s.name.range);
          for (const ast::Decl* m : byStage[s.name.name]) st["children"].push_back(symbol(*m));
          sym["children"].push_back(std::move(st));
        }
      } else if (x.kind == ast::DeclKind::Dimension) {
        for (auto& v : static_cast<const ast::DimensionDecl&>(x).values)
          sym["children"].push_back(node(v.name.name, v.title.value_or(""), kEnumMember, v.name.range, v.name.range));
      }
      out.push_back(std::move(sym));
    }
    return out;
  }

 private:
  const Document& d_;
  const Compilation& c_;

  json node(const std::string& name, const std::string& detail, int kind, Range range, Range sel) {
    if (!sel.valid()) sel = range;
    if (!range.valid()) range = sel;
    json j = {{"name", name.empty() ? "?" : name}, {"kind", kind}, {"range", toRange(c_.sources, range)},
              {"selectionRange", toRange(c_.sources, sel)}, {"children", json::array()}};
    if (!detail.empty()) j["detail"] = detail;
    return j;
  }

  // A declaration's name as shown; relations and statements have none of their own.
  std::string nameOf(const ast::Decl& x) {
    if (x.kind == ast::DeclKind::Relation) {
      auto& r = static_cast<const ast::RelationDecl&>(x);
      return r.from.name + (r.bidirectional ? " <-> " : " -> ") + r.to.name;
    }
    if (x.kind == ast::DeclKind::Import) return static_cast<const ast::ImportDecl&>(x).path;
    if (ast::isStatement(x.kind) || x.name.name.empty()) {
      // The statement's first line as written, shortened.
      std::string text = c_.sources.textOf(x.range);
      text = text.substr(0, text.find_first_of("\r\n{"));
      while (!text.empty() && text.back() == ' ') text.pop_back();
      return text.size() > 60 ? text.substr(0, 57) + "..." : text;
    }
    return x.name.name;
  }

  json symbol(const ast::Decl& x) {
    std::string detail = x.title.value_or("");
    if (x.kind == ast::DeclKind::Metric || x.kind == ast::DeclKind::Param) {
      // The unit as written: what one most wants to see next to a metric.
      const ast::UnitExpr& u = x.kind == ast::DeclKind::Metric ? static_cast<const ast::MetricDecl&>(x).unit
                                                               : static_cast<const ast::ParamDecl&>(x).unit;
      std::string unit = c_.sources.textOf(u.range);
      if (!unit.empty()) detail = detail.empty() ? unit : unit + " · " + detail;
    }
    bool named = !(ast::isStatement(x.kind) || x.kind == ast::DeclKind::Relation || x.kind == ast::DeclKind::Import);
    Range sel = named && x.name.range.valid() ? x.name.range : x.keywordRange;
    return node(nameOf(x), detail, kindOf(x.kind), x.range, sel);
  }
};

}  // namespace

json documentSymbols(const Document& d) { return Outline(d).build(); }

}  // namespace mtc::lsp
