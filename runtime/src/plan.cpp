// Lowering the IR's formulas into kernel programs and steps (plan.h).
#include "plan.h"

#include <algorithm>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "mtc/runtime.h"
#include "mtc/ops.h"

namespace mtc::rt::plan {

using namespace ir;

namespace {

// Dimension value fixed by an enclosing selection `x[d: v]`.
using Fixed = std::map<Id, uint32_t>;

std::vector<Id> minus(std::vector<Id> a, const std::vector<Id>& b) {
  a.erase(std::remove_if(a.begin(), a.end(), [&](Id d) { return std::find(b.begin(), b.end(), d) != b.end(); }),
          a.end());
  return a;
}

class Lowerer {
 public:
  Lowerer(const Model& m, Plan& p, const std::vector<uint8_t>& periodParams)
      : m_(m), p_(p), periodParams_(periodParams), free_(m.exprs.size()), freeDone_(m.exprs.size(), false) {}

  void metric(Id id) {
    const Metric& M = m_.metrics[id];
    MetricPlan& mp = p_.metrics[id];
    if (M.formula) {
      cur_ = &mp.formula;
      kernel(*M.formula, M.dims, SeriesRef{SeriesRef::Metric, id}, false);
    }
    cur_ = &mp.total;
    if (totalRecomputed(m_, id)) {
      kernel(*M.formula, {}, SeriesRef{SeriesRef::Total, id}, true);
    } else {
      ReduceStep r;
      r.agg = ops::acrossSlices(M.agg);
      r.src = SeriesRef{SeriesRef::Metric, id};
      r.out = SeriesRef{SeriesRef::Total, id};
      r.count = slicesOf(M.dims);
      r.index.resize(r.count);
      for (uint32_t i = 0; i < r.count; ++i) r.index[i] = i;
      addReduce(std::move(r));
    }
  }

 private:
  const Model& m_;
  Plan& p_;
  const std::vector<uint8_t>& periodParams_;
  std::vector<Step>* cur_ = nullptr;
  std::map<std::string, uint32_t> programs_;
  std::vector<std::vector<Id>> free_;
  std::vector<bool> freeDone_;
  std::vector<std::vector<Id>> hiddenDims_;

  // One kernel being built.
  struct Ctx {
    Program prog;
    KernelStep step;
    std::vector<Id> outDims;
    bool total = false;
    std::map<std::string, uint32_t> rowSlots, paramSlots;
    std::vector<std::vector<uint32_t>> rowIdx, paramIdx;  // per slot, per output slice
  };

  uint32_t slicesOf(const std::vector<Id>& dims) const {
    return static_cast<uint32_t>(std::max<size_t>(1, m_.sliceCount(dims)));
  }

  // The dimensions an expression's value varies over (sorted ids).
  const std::vector<Id>& freeDims(ExprId id) {
    if (freeDone_[id]) return free_[id];
    const Expr& e = m_.exprs[id];
    std::vector<Id> d;
    switch (e.op) {
      case Op::Metric: d = m_.metrics[e.ref].dims; break;
      case Op::Param: d = m_.params[e.ref].dims; break;
      case Op::Const: break;
      case Op::Select: {
        std::vector<Id> sel;
        for (auto& [dim, v] : e.select) sel.push_back(dim);
        d = minus(freeDims(e.args[0]), sel);
        break;
      }
      case Op::SumOver: case Op::MeanOver: case Op::MinOver: case Op::MaxOver:
        d = minus(freeDims(e.args[0]), e.over);
        break;
      case Op::Neg: case Op::Not: case Op::Add: case Op::Sub: case Op::Mul: case Op::Div:
      case Op::Pow: case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: case Op::Eq:
      case Op::Ne: case Op::And: case Op::Or: case Op::If: case Op::Min: case Op::Max:
      case Op::Abs: case Op::Log: case Op::Exp: case Op::Sqrt: case Op::Clamp: case Op::Lag:
      case Op::Delta: case Op::PctChange: case Op::Cumsum: case Op::RollingSum: case Op::RollingMean: case Op::Ytd:
      case Op::Yoy: case Op::Share: case Op::Hill: case Op::Saturate: case Op::Adstock:
        for (ExprId a : e.args) {
          const auto& f = freeDims(a);
          d.insert(d.end(), f.begin(), f.end());
        }
    }
    std::sort(d.begin(), d.end());
    d.erase(std::unique(d.begin(), d.end()), d.end());
    freeDone_[id] = true;
    free_[id] = std::move(d);
    return free_[id];
  }

  const std::vector<Id>& dimsOf(SeriesRef r) const {
    static const std::vector<Id> none;
    switch (r.kind) {
      case SeriesRef::Metric: return m_.metrics[r.id].dims;
      case SeriesRef::Total: return none;
      case SeriesRef::Hidden: return hiddenDims_[r.id];
      case SeriesRef::ParamRow: return m_.params[r.id].dims;
    }
    return none;
  }

  // Slice of a series with dimensions `dims` read by output slice s. A
  // dimension that neither the output nor a selection fixes reads value 0, as
  // the interpreter's zero-initialised coordinates do.
  std::vector<uint32_t> indexTable(const Ctx& c, const std::vector<Id>& dims, const Fixed& fixed) const {
    std::vector<uint32_t> idx(c.step.slices);
    std::vector<uint32_t> coord(m_.dims.size(), 0);
    for (uint32_t s = 0; s < c.step.slices; ++s) {
      auto cs = m_.sliceCoords(c.outDims, s);
      for (size_t k = 0; k < c.outDims.size(); ++k) coord[c.outDims[k]] = cs[k];
      for (auto& [d, v] : fixed) coord[d] = v;
      idx[s] = static_cast<uint32_t>(m_.sliceIndex(dims, [&](Id d) { return coord[d]; }));
    }
    return idx;
  }

  static std::string fixedKey(const Fixed& fixed) {
    std::string k;
    for (auto& [d, v] : fixed) k += fmt::format("{}={},", d, v);
    return k;
  }

  uint32_t addNode(Ctx& c, PNode n) {
    c.prog.nodes.push_back(std::move(n));
    return static_cast<uint32_t>(c.prog.nodes.size() - 1);
  }

  uint32_t rowLeaf(Ctx& c, SeriesRef src, const Fixed& fixed) {
    std::string key = fmt::format("{}:{}:{}", int(src.kind), src.id, fixedKey(fixed));
    auto [it, fresh] = c.rowSlots.emplace(key, static_cast<uint32_t>(c.step.rows.size()));
    if (fresh) {
      c.step.rows.push_back(Slot{src, kNone});
      bool zero = src.kind == SeriesRef::Total || (src.kind == SeriesRef::ParamRow && c.total);
      c.rowIdx.push_back(zero ? std::vector<uint32_t>(c.step.slices, 0) : indexTable(c, dimsOf(src), fixed));
    }
    return addNode(c, PNode{Node::Row, Op::Const, it->second, 0, {}});
  }

  uint32_t paramLeaf(Ctx& c, Id param, const Fixed& fixed) {
    if (periodParams_[param]) return rowLeaf(c, SeriesRef{SeriesRef::ParamRow, param}, fixed);
    std::string key = fmt::format("{}:{}", param, c.total ? std::string("total") : fixedKey(fixed));
    auto [it, fresh] = c.paramSlots.emplace(key, static_cast<uint32_t>(c.step.params.size()));
    if (fresh) {
      c.step.params.push_back(Slot{{}, param});
      c.paramIdx.push_back(c.total ? std::vector<uint32_t>(c.step.slices, 0)
                                   : indexTable(c, m_.params[param].dims, fixed));
    }
    return addNode(c, PNode{Node::Param, Op::Const, it->second, 0, {}});
  }

  uint32_t constLeaf(Ctx& c, double v) {
    c.step.consts.push_back(v);
    return addNode(c, PNode{Node::Const, Op::Const, c.prog.consts++, 0, {}});
  }

  [[noreturn]] void unsupported(const Expr& e, const char* why) const {
    throw std::logic_error(fmt::format("JIT lowering: `{}` {}", opName(e.op), why));
  }

  // A reduction over `over` of `arg` (agg), as a hidden series; returns the
  // row leaf reading it in the current kernel.
  uint32_t reduction(Ctx& c, ExprId arg, const std::vector<Id>& over, Agg agg, const Fixed& fixed) {
    SeriesRef src;
    if (m_.exprs[arg].op == Op::Metric) {
      src = SeriesRef{SeriesRef::Metric, m_.exprs[arg].ref};
    } else {
      src = newHidden(freeDims(arg));
      kernel(arg, hiddenDims_[src.id], src, false);
    }
    std::vector<Id> rdims = minus(freeDims(arg), over);
    SeriesRef out = newHidden(rdims);
    ReduceStep r;
    r.agg = agg;
    r.src = src;
    r.out = out;
    r.slices = slicesOf(rdims);
    r.count = static_cast<uint32_t>(m_.sliceCount(over));
    r.index.resize(size_t{r.slices} * r.count);
    const std::vector<Id>& sdims = dimsOf(src);
    std::vector<uint32_t> coord(m_.dims.size(), 0);
    for (uint32_t s = 0; s < r.slices; ++s) {
      auto cs = m_.sliceCoords(rdims, s);
      for (size_t k = 0; k < rdims.size(); ++k) coord[rdims[k]] = cs[k];
      for (uint32_t i = 0; i < r.count; ++i) {
        auto os = m_.sliceCoords(over, i);  // the interpreter's order: last dimension fastest
        for (size_t k = 0; k < over.size(); ++k) coord[over[k]] = os[k];
        r.index[size_t{s} * r.count + i] = static_cast<uint32_t>(m_.sliceIndex(sdims, [&](Id d) { return coord[d]; }));
      }
    }
    addReduce(std::move(r));
    return rowLeaf(c, out, fixed);
  }

  SeriesRef newHidden(std::vector<Id> dims) {
    p_.hidden.push_back(Hidden{slicesOf(dims)});
    hiddenDims_.push_back(std::move(dims));
    return SeriesRef{SeriesRef::Hidden, static_cast<uint32_t>(p_.hidden.size() - 1)};
  }

  void addReduce(ReduceStep r) {
    if (r.slices == 0) r.slices = 1;
    p_.reduces.push_back(std::move(r));
    cur_->push_back(Step{Step::Reduce, static_cast<uint32_t>(p_.reduces.size() - 1)});
  }

  uint32_t lowerExpr(Ctx& c, ExprId id, const Fixed& fixed) {
    const Expr& e = m_.exprs[id];
    switch (e.op) {
      case Op::Const: return constLeaf(c, e.value);
      case Op::Param: return paramLeaf(c, e.ref, fixed);
      case Op::Metric:
        return rowLeaf(c, SeriesRef{c.total ? SeriesRef::Total : SeriesRef::Metric, e.ref}, fixed);
      case Op::Select: {
        if (c.total) unsupported(e, "in a total");
        Fixed f = fixed;
        for (auto& [d, v] : e.select) f[d] = v;
        return lowerExpr(c, e.args[0], f);
      }
      case Op::SumOver: case Op::MeanOver: case Op::MinOver: case Op::MaxOver: {
        if (c.total) {  // the argument is already a grand total
          if (e.op == Op::SumOver) return lowerExpr(c, e.args[0], fixed);
          if (e.op != Op::MeanOver) unsupported(e, "in a total");
          uint32_t x = lowerExpr(c, e.args[0], fixed);
          uint32_t n = constLeaf(c, static_cast<double>(m_.sliceCount(e.over)));
          return addNode(c, PNode{Node::FDiv, Op::Div, 0, 0, {x, n}});
        }
        Agg ag = e.op == Op::SumOver ? Agg::Sum : e.op == Op::MeanOver ? Agg::Mean : e.op == Op::MinOver ? Agg::Min : Agg::Max;
        return reduction(c, e.args[0], e.over, ag, fixed);
      }
      case Op::Share: {
        if (c.total) unsupported(e, "in a total");
        uint32_t x = lowerExpr(c, e.args[0], fixed);
        uint32_t s = reduction(c, e.args[0], e.over, Agg::Sum, fixed);
        return addNode(c, PNode{Node::Op, Op::Div, 0, 0, {x, s}});
      }
      case Op::Neg: case Op::Not: case Op::Add: case Op::Sub: case Op::Mul: case Op::Div: case Op::Pow: case Op::Lt:
      case Op::Le: case Op::Gt: case Op::Ge: case Op::Eq: case Op::Ne: case Op::And: case Op::Or: case Op::If:
      case Op::Min: case Op::Max: case Op::Abs: case Op::Log: case Op::Exp: case Op::Sqrt: case Op::Clamp: case Op::Lag:
      case Op::Delta: case Op::PctChange: case Op::Cumsum: case Op::RollingSum: case Op::RollingMean: case Op::Ytd:
      case Op::Yoy: case Op::Hill:
      case Op::Saturate: case Op::Adstock: {
        PNode n{Node::Op, e.op, 0, e.n, {}};
        for (ExprId a : e.args) n.args.push_back(lowerExpr(c, a, fixed));
        return addNode(c, std::move(n));
      }
    }
    throw std::logic_error("plan: no such operator");
  }

  static Map classify(const std::vector<uint32_t>& idx) {
    bool same = true, zero = true;
    for (size_t s = 0; s < idx.size(); ++s) {
      same = same && idx[s] == s;
      zero = zero && idx[s] == 0;
    }
    return same ? Map::Same : zero ? Map::Zero : Map::Table;
  }

  // Lowers `expr` into a kernel writing `out` over `outDims`; appends its step.
  void kernel(ExprId expr, const std::vector<Id>& outDims, SeriesRef out, bool total) {
    Ctx c;
    c.outDims = outDims;
    c.total = total;
    c.step.out = out;
    c.step.slices = total ? 1 : slicesOf(outDims);
    lowerExpr(c, expr, {});

    // slot maps and index tables
    auto tables = [&](const std::vector<std::vector<uint32_t>>& idx, std::vector<Map>& maps,
                      std::vector<uint32_t>& table, uint32_t& ntab) {
      std::vector<size_t> tabled;
      for (size_t k = 0; k < idx.size(); ++k) {
        maps.push_back(classify(idx[k]));
        if (maps.back() == Map::Table) tabled.push_back(k);
      }
      ntab = static_cast<uint32_t>(tabled.size());
      table.resize(size_t{c.step.slices} * ntab);
      for (uint32_t s = 0; s < c.step.slices; ++s)
        for (size_t j = 0; j < tabled.size(); ++j) table[size_t{s} * ntab + j] = idx[tabled[j]][s];
    };
    tables(c.rowIdx, c.prog.rowMaps, c.step.rowIndex, c.prog.rowTables);
    tables(c.paramIdx, c.prog.paramMaps, c.step.paramIndex, c.prog.paramTables);

    // the structural key
    std::string key;
    for (Map mp : c.prog.rowMaps) key += "SZT"[int(mp)];
    key += '|';
    for (Map mp : c.prog.paramMaps) key += "SZT"[int(mp)];
    key += '|';
    for (const PNode& n : c.prog.nodes) {
      if (isTimeNode(n)) c.prog.temps += 2;
      key += fmt::format("{}.{}.{}.{}", int(n.kind), int(n.op), n.slot, n.n);
      for (uint32_t a : n.args) key += fmt::format(",{}", a);
      key += ';';
    }
    c.prog.key = key;
    auto [it, fresh] = programs_.emplace(key, static_cast<uint32_t>(p_.programs.size()));
    if (fresh) {
      p_.maxTemps = std::max(p_.maxTemps, c.prog.temps);
      p_.programs.push_back(std::move(c.prog));
    }
    c.step.program = it->second;
    p_.kernels.push_back(std::move(c.step));
    cur_->push_back(Step{Step::Kernel, static_cast<uint32_t>(p_.kernels.size() - 1)});
  }
};

}  // namespace

Plan lower(const Model& m, const std::vector<uint8_t>& need, const std::vector<uint8_t>& periodParams) {
  Plan p;
  p.metrics.resize(m.metrics.size());
  Lowerer l(m, p, periodParams);
  for (Id id : m.topoOrder)
    if (need.empty() || need[id]) l.metric(id);
  return p;
}

}  // namespace mtc::rt::plan

namespace mtc::rt::plan {

namespace {

std::string refText(const Model& m, SeriesRef r) {
  switch (r.kind) {
    case SeriesRef::Metric: return m.metrics[r.id].name;
    case SeriesRef::Total: return "total(" + m.metrics[r.id].name + ")";
    case SeriesRef::Hidden: return fmt::format("h{}", r.id);
    case SeriesRef::ParamRow: return "row(" + m.params[r.id].name + ")";
  }
  return "?";
}

const char* mapText(Map mp) {
  switch (mp) {
    case Map::Same: return "same";
    case Map::Zero: return "zero";
    case Map::Table: return "table";
  }
  return "?";
}

std::string nodeText(const PNode& n) {
  switch (n.kind) {
    case Node::Row: return fmt::format("row{}", n.slot);
    case Node::Param: return fmt::format("param{}", n.slot);
    case Node::Const: return fmt::format("const{}", n.slot);
    case Node::FDiv: return fmt::format("fdiv(n{}, n{})", n.args[0], n.args[1]);
    case Node::Op: break;
  }
  std::string s = std::string(ir::opName(n.op)) + "(";
  for (size_t i = 0; i < n.args.size(); ++i) s += fmt::format("{}n{}", i ? ", " : "", n.args[i]);
  if (n.n) s += fmt::format("; {}", n.n);
  return s + ")";
}

}  // namespace

std::string print(const Model& m, const Plan& p) {
  std::string o;
  for (size_t i = 0; i < p.programs.size(); ++i) {
    const Program& g = p.programs[i];
    std::string rows, params;
    for (Map mp : g.rowMaps) rows += (rows.empty() ? "" : " ") + std::string(mapText(mp));
    for (Map mp : g.paramMaps) params += (params.empty() ? "" : " ") + std::string(mapText(mp));
    o += fmt::format("program k{}: rows [{}] params [{}] consts {} temps {}\n", i, rows, params, g.consts, g.temps);
    for (size_t k = 0; k < g.nodes.size(); ++k) o += fmt::format("  n{} = {}\n", k, nodeText(g.nodes[k]));
  }
  auto step = [&](const Step& st) {
    if (st.kind == Step::Reduce) {
      const ReduceStep& r = p.reduces[st.index];
      return fmt::format("    reduce {} {} -> {} ({} slice{} x {})\n", ir::aggName(r.agg), refText(m, r.src), refText(m, r.out), r.slices,
                         r.slices == 1 ? "" : "s", r.count);
    }
    const KernelStep& k = p.kernels[st.index];
    std::string rows, params, consts;
    for (auto& s : k.rows) rows += (rows.empty() ? "" : ", ") + refText(m, s.src);
    for (auto& s : k.params) params += (params.empty() ? "" : ", ") + m.params[s.param].name;
    for (double c : k.consts) consts += (consts.empty() ? "" : ", ") + fmt::format("{}", c);
    return fmt::format("    k{} -> {} ({} slice{}) rows [{}] params [{}] consts [{}]\n", k.program, refText(m, k.out), k.slices,
                       k.slices == 1 ? "" : "s", rows, params, consts);
  };
  for (Id id : m.topoOrder) {
    const MetricPlan& mp = p.metrics[id];
    if (mp.formula.empty() && mp.total.empty()) continue;
    o += "metric " + m.metrics[id].name + "\n";
    if (!mp.formula.empty()) o += "  formula\n";
    for (const Step& st : mp.formula) o += step(st);
    o += "  total\n";
    for (const Step& st : mp.total) o += step(st);
  }
  return o;
}

}  // namespace mtc::rt::plan
