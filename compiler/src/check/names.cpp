// The first passes: the model header, units, and every declared name (so a
// name can be used before the line that declares it).
#include <filesystem>

#include "checker.h"

namespace mtc::check {

void checkHeader(Ctx& x) {
  const ast::ModelDecl* model = nullptr;
  for (auto* d : x.decls) {
    if (d->kind != ast::DeclKind::Model || !x.inMain(d)) continue;
    if (model) {
      x.d.report(DiagCode::Duplicate, d->name.range, "a file declares one model").note(model->name.range, "the model is declared here");
      continue;
    }
    model = static_cast<const ast::ModelDecl*>(d);
  }
  if (!model) {
    if (!x.c.files.empty()) x.m.name = std::filesystem::path(x.c.sources.file(x.c.files[0]->id).path()).stem().string();
    return;
  }
  x.m.name = model->name.name;
  x.m.title = model->title.value_or("");
  x.m.doc = model->doc;
  x.m.range = model->name.range;
  Props ps = readProps(x, model->props, PropOwner::Model);
  if (auto* v = ps.get(PropId::Model_grain)) x.m.grain = v->grain;
  if (auto* v = ps.get(PropId::Model_currency)) {
    if (isCurrencyCode(v->text)) x.m.currency = v->text;
    else x.d.report(DiagCode::InvalidProperty, v->range, fmt::format("'{}' is not an ISO 4217 currency code", v->text));
  }
  if (auto* v = ps.get(PropId::Model_start)) x.m.start = v->period;
  if (auto* v = ps.get(PropId::Model_description)) x.m.doc = v->text;
}

void checkUnits(Ctx& x) {
  // base units first, then scaled ones (which may name units declared later)
  std::vector<const ast::UnitDecl*> scaled;
  for (auto* d : x.decls) {
    if (d->kind != ast::DeclKind::Unit) continue;
    auto* u = static_cast<const ast::UnitDecl*>(d);
    if (u->name.name.empty()) continue;
    if (auto prev = x.unitDecls.find(u->name.name); prev != x.unitDecls.end()) {
      x.d.report(DiagCode::Duplicate, u->name.range, fmt::format("unit '{}' is declared twice", u->name.name))
          .note(prev->second, "first declared here");
      continue;
    }
    if (x.m.units.isBuiltin(u->name.name)) {
      x.d.report(DiagCode::Duplicate, u->name.range, fmt::format("'{}' is a built-in unit", u->name.name));
      continue;
    }
    x.unitDecls[u->name.name] = u->name.range;
    x.occur(u->name.range, SymKind::Unit, u->name.name, u->name.range, true);
    if (u->factor) scaled.push_back(u);
    else x.m.units.declareBase(u->name.name);
  }
  // resolve scaled units in dependency order (a few rounds)
  for (size_t round = 0; round <= scaled.size() && !scaled.empty(); ++round) {
    std::vector<const ast::UnitDecl*> left;
    for (auto* u : scaled) {
      bool ready = true;
      for (auto& t : u->base.terms)
        if (!x.m.units.lookup(t.name) && x.unitDecls.count(t.name)) ready = false;
      if (!ready) {
        left.push_back(u);
        continue;
      }
      auto b = unit(x, u->base);
      if (b) x.m.units.declareScaled(u->name.name, *u->factor, *b);
    }
    if (left.size() == scaled.size()) {
      for (auto* u : left)
        x.d.report(DiagCode::Cycle, u->name.range, fmt::format("unit '{}' is defined in terms of itself", u->name.name));
      break;
    }
    scaled = std::move(left);
  }
}

namespace {

// Declares a name in a namespace (values or items); a second declaration is an error.
bool declare(Ctx& x, std::map<std::string, Sym>& ns, const ast::Decl* d, SymKind k, Id id) {
  const std::string& n = d->name.name;
  if (n.empty()) return false;
  if (auto it = ns.find(n); it != ns.end()) {
    x.d.report(DiagCode::Duplicate, d->name.range, fmt::format("'{}' is already declared (as {})", n, aKind(it->second.kind)))
        .note(it->second.declRange, "first declared here");
    return false;
  }
  ns[n] = Sym{k, id, d->name.range, d};
  x.occur(d->name.range, k, n, d->name.range, true);
  return true;
}

// Declares a dimension, chain, stage or source name; `prev` finds the first declaration's range.
template <typename Prev>
bool declareIn(Ctx& x, std::map<std::string, Id>& map, const ast::Ident& name, Id id, const char* what, SymKind k, Prev prev) {
  if (name.name.empty()) return false;
  if (auto it = map.find(name.name); it != map.end()) {
    x.d.report(DiagCode::Duplicate, name.range, fmt::format("{} '{}' is declared twice", what, name.name))
        .note(prev(it->second), "first declared here");
    return false;
  }
  map[name.name] = id;
  x.occur(name.range, k, name.name, name.range, true);
  return true;
}

void declareDimension(Ctx& x, const ast::DimensionDecl& d) {
  if (!declareIn(x, x.dimIds, d.name, static_cast<Id>(x.m.dims.size()), "dimension", SymKind::Dimension,
                 [&](Id i) { return x.m.dims[i].range; }))
    return;
  Dimension D;
  D.name = d.name.name;
  D.title = d.title.value_or("");
  D.doc = d.doc;
  D.range = d.name.range;
  D.fromSource = d.fromSource;
  D.resolved = !d.fromSource;
  std::map<std::string, Range> seen;
  for (auto& v : d.values) {
    if (auto s = seen.find(v.name.name); s != seen.end()) {
      x.d.report(DiagCode::Duplicate, v.name.range, fmt::format("'{}' is listed twice in dimension '{}'", v.name.name, D.name))
          .note(s->second, "first listed here");
      continue;
    }
    seen[v.name.name] = v.name.range;
    D.values.push_back(v.name.name);
    D.valueTitles.push_back(v.title.value_or(""));
    x.occur(v.name.range, SymKind::DimValue, D.name + "." + v.name.name, v.name.range, true);
  }
  if (!d.fromSource && D.values.empty())
    x.d.report(DiagCode::InvalidExpr, d.name.range, fmt::format("dimension '{}' has no values", D.name));
  x.m.dims.push_back(std::move(D));
}

void declareChain(Ctx& x, const ast::ChainDecl& d) {
  if (!declareIn(x, x.chainIds, d.name, static_cast<Id>(x.m.chains.size()), "chain", SymKind::Chain,
                 [&](Id i) { return x.m.chains[i].range; }))
    return;
  Chain C;
  C.name = d.name.name;
  C.title = d.title.value_or("");
  C.doc = d.doc;
  C.range = d.name.range;
  if (d.chainKind) {
    if (d.chainKind->name == "internal") C.external = false;
    else if (d.chainKind->name != "external")
      x.d.report(DiagCode::InvalidProperty, d.chainKind->range,
                 fmt::format("a chain is `external` or `internal`, not '{}'", d.chainKind->name));
  }
  Id cid = static_cast<Id>(x.m.chains.size());
  for (auto& st : d.stages) {
    if (!declareIn(x, x.stageIds, st.name, static_cast<Id>(x.m.stages.size()), "stage", SymKind::Stage,
                   [&](Id i) { return x.m.stages[i].range; }))
      continue;
    Stage S;
    S.name = st.name.name;
    S.title = st.title.value_or("");
    S.doc = st.doc;
    S.range = st.name.range;
    S.chain = cid;
    S.position = static_cast<uint32_t>(C.stages.size());
    Props ps = readProps(x, st.props, PropOwner::Stage);
    if (auto* v = ps.get(PropId::Stage_description)) S.doc = v->text;
    C.stages.push_back(static_cast<Id>(x.m.stages.size()));
    x.m.stages.push_back(std::move(S));
  }
  x.m.chains.push_back(std::move(C));
}

// A param or metric: its names, doc and place; the rest comes in later passes.
template <typename T, typename D>
void declareValue(const ast::Decl* d, std::vector<T>& into, std::vector<const D*>& decls) {
  T v;
  v.name = d->name.name;
  v.title = d->title.value_or("");
  v.doc = d->doc;
  v.range = d->range;
  v.nameRange = d->name.range;
  v.file = d->file;
  into.push_back(std::move(v));
  decls.push_back(static_cast<const D*>(d));
}

}  // namespace

void declareNames(Ctx& x) {
  for (auto* d : x.decls) {
    switch (d->kind) {
      case ast::DeclKind::Dimension: declareDimension(x, *static_cast<const ast::DimensionDecl*>(d)); break;
      case ast::DeclKind::Chain: declareChain(x, *static_cast<const ast::ChainDecl*>(d)); break;
      case ast::DeclKind::Source: {
        if (!declareIn(x, x.sourceIds, d->name, static_cast<Id>(x.m.sources.size()), "source", SymKind::Source,
                       [&](Id i) { return x.m.sources[i].range; }))
          break;
        Source S;
        S.name = d->name.name;
        S.doc = d->doc;
        S.range = d->name.range;
        x.m.sources.push_back(std::move(S));
        break;
      }
      case ast::DeclKind::Param:
        if (declare(x, x.values, d, SymKind::Param, static_cast<Id>(x.m.params.size())))
          declareValue(d, x.m.params, x.paramDecls);
        break;
      case ast::DeclKind::Metric:
        if (declare(x, x.values, d, SymKind::Metric, static_cast<Id>(x.m.metrics.size())))
          declareValue(d, x.m.metrics, x.metricDecls);
        break;
      case ast::DeclKind::Function: {
        if (findBuiltin(d->name.name)) {
          x.d.report(DiagCode::Duplicate, d->name.range, fmt::format("'{}' is a built-in function", d->name.name));
          break;
        }
        if (declare(x, x.values, d, SymKind::Function, kNone)) x.functions[d->name.name] = static_cast<const ast::FunctionDecl*>(d);
        break;
      }
      case ast::DeclKind::Goal: declare(x, x.items, d, SymKind::Goal, kNone); break;
      case ast::DeclKind::Constraint: declare(x, x.items, d, SymKind::Constraint, kNone); break;
      case ast::DeclKind::Event: declare(x, x.items, d, SymKind::Event, kNone); break;
      case ast::DeclKind::Optimize: declare(x, x.items, d, SymKind::Optimize, kNone); break;
      case ast::DeclKind::Model: case ast::DeclKind::Import: case ast::DeclKind::Unit: case ast::DeclKind::Relation:
      case ast::DeclKind::Benchmark: case ast::DeclKind::Describe: case ast::DeclKind::Diagnose: case ast::DeclKind::Forecast:
      case ast::DeclKind::Seek: case ast::DeclKind::Simulate: case ast::DeclKind::Recommend:
        break;  // no name of their own in these namespaces
    }
  }
}

}  // namespace mtc::check
