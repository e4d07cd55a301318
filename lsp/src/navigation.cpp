// Go to definition, find references and rename: all read the checker's list of
// name occurrences (Compilation::occurrences), so they agree with the checker on
// what each name means.
#include <fmt/format.h>

#include "document.h"

namespace mtc::lsp {

namespace {

const Occurrence* under(const Document& d, const json& params) {
  return occurrenceAt(*d.comp, fromPosition(d, params.at("position")));
}

// Names that share one namespace in the checker: a new name must be free in it.
int nameSpace(SymKind k) {
  switch (k) {
    case SymKind::Param:
    case SymKind::Metric:
    case SymKind::Function: return 0;
    case SymKind::Goal:
    case SymKind::Constraint:
    case SymKind::Event:
    case SymKind::Optimize: return 1;
    case SymKind::Unit: case SymKind::Dimension: case SymKind::DimValue: case SymKind::Chain: case SymKind::Stage: case SymKind::Source:
    case SymKind::FunctionParam: return 2 + static_cast<int>(k);
  }
  return 2 + static_cast<int>(k);
}

// DimValue and FunctionParam names are qualified ("channel.ppc"); the written name is the last part.
std::string qualifier(const Occurrence& o) {
  if (o.kind != SymKind::DimValue && o.kind != SymKind::FunctionParam) return "";
  size_t dot = o.name.rfind('.');
  return dot == std::string::npos ? "" : o.name.substr(0, dot + 1);
}

// The symbol a rename would change, or an error saying why it cannot be renamed.
const Occurrence& renameTarget(const Document& d, const json& params) {
  const Occurrence* o = under(d, params);
  if (!o) throw LspError(RequestFailed, "there is no name to rename here");
  if (!declarationOf(*d.comp, *o).valid())
    throw LspError(RequestFailed, fmt::format("'{}' is built in and cannot be renamed", o->name));
  if (!d.comp->parsed)
    throw LspError(RequestFailed, "the file has syntax errors: fix them first, so that every use of the name is known");
  return *o;
}

}  // namespace

json definition(const Document& d, const json& params) {
  const Occurrence* o = under(d, params);
  if (!o) return nullptr;
  Range decl = declarationOf(*d.comp, *o);
  if (!decl.valid()) return nullptr;  // a built-in name
  return toLocation(d, decl);
}

json references(const Document& d, const json& params) {
  json out = json::array();
  const Occurrence* o = under(d, params);
  if (!o) return out;
  bool withDecl = params.contains("context") ? params["context"].value("includeDeclaration", true) : true;
  for (const Occurrence* x : occurrencesOf(*d.comp, *o)) {
    bool isDecl = x->isDecl || x->range == declarationOf(*d.comp, *o);
    if (isDecl && !withDecl) continue;
    out.push_back(toLocation(d, x->range));
  }
  return out;
}

json prepareRename(const Document& d, const json& params) {
  const Occurrence& o = renameTarget(d, params);
  std::string written = o.name.substr(qualifier(o).size());
  return {{"range", toRange(d.comp->sources, o.range)}, {"placeholder", written}};
}

json rename(const Document& d, const json& params) {
  const Occurrence& o = renameTarget(d, params);
  const std::string newName = params.at("newName").get<std::string>();
  if (isKeyword(newName)) throw LspError(InvalidParams, fmt::format("'{}' is a keyword and cannot be a name", newName));
  if (!isIdentifier(newName))
    throw LspError(InvalidParams, fmt::format("'{}' is not a valid name (letters, digits and _, not starting with a digit)", newName));
  std::string qualified = qualifier(o) + newName;
  for (const Occurrence& x : d.comp->occurrences)
    if (x.isDecl && x.name == qualified && nameSpace(x.kind) == nameSpace(o.kind) && x.range != declarationOf(*d.comp, o))
      throw LspError(RequestFailed, fmt::format("'{}' is already declared as a {}", newName, symKindName(x.kind)));

  json changes = json::object();
  for (const Occurrence* x : occurrencesOf(*d.comp, o)) {
    std::string uri = uriOf(d, x->range.begin.file);
    if (!changes.contains(uri)) changes[uri] = json::array();
    changes[uri].push_back({{"range", toRange(d.comp->sources, x->range)}, {"newText", newName}});
  }
  return {{"changes", changes}};
}

}  // namespace mtc::lsp
