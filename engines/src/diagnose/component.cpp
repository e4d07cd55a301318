// Component drift (component.h).
#include "component.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "mtc/builtins.h"
#include "mtc/ir_print.h"
#include "mtc/ops.h"
#include "shapley.h"

namespace mtc::eng::drift {

using namespace ir;

namespace {

bool isWindow(Op op) {
  switch (op) {
    case Op::Cumsum: case Op::Ytd: case Op::RollingSum: case Op::RollingMean: case Op::Yoy: case Op::Adstock: return true;
    case Op::Const: case Op::Param: case Op::Metric: case Op::Neg: case Op::Not: case Op::Add: case Op::Sub: case Op::Mul:
    case Op::Div: case Op::Pow: case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: case Op::Eq: case Op::Ne:
    case Op::And: case Op::Or: case Op::If: case Op::Min: case Op::Max: case Op::Abs: case Op::Log: case Op::Exp:
    case Op::Sqrt: case Op::Clamp: case Op::Lag: case Op::Delta: case Op::PctChange: case Op::SumOver:
    case Op::MeanOver: case Op::MinOver:
    case Op::MaxOver: case Op::Share: case Op::Hill: case Op::Saturate: case Op::Select:
      return false;
  }
  return false;
}

// The players of a formula: the metrics it reads, those read together in a
// window merged into one.
struct Players {
  std::vector<int> groupOf;               // metric id -> player, or -1
  std::vector<std::vector<Id>> members;   // player -> metrics
  std::vector<int> subtree;               // expr -> its one player, -1 none, -2 several
};

Players playersOf(const Model& m, ExprId root) {
  std::vector<Id> reads;
  collectRefs(m, root, &reads, nullptr);
  std::vector<int> parent(reads.size());
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](int x) {
    while (parent[static_cast<size_t>(x)] != x) x = parent[static_cast<size_t>(x)] = parent[static_cast<size_t>(parent[static_cast<size_t>(x)])];
    return x;
  };
  auto index = [&](Id metric) { return static_cast<int>(std::lower_bound(reads.begin(), reads.end(), metric) - reads.begin()); };
  std::vector<ExprId> stack{root};
  while (!stack.empty()) {
    const Expr& e = m.exprs[stack.back()];
    stack.pop_back();
    if (isWindow(e.op)) {
      std::vector<Id> inside;
      for (ExprId a : e.args) collectRefs(m, a, &inside, nullptr);
      for (size_t k = 1; k < inside.size(); ++k) parent[static_cast<size_t>(find(index(inside[k])))] = find(index(inside[0]));
    }
    for (ExprId a : e.args) stack.push_back(a);
  }
  Players pl;
  pl.groupOf.assign(m.metrics.size(), -1);
  std::vector<int> groupOfRoot(reads.size(), -1);
  for (size_t k = 0; k < reads.size(); ++k) {
    int r = find(static_cast<int>(k));
    if (groupOfRoot[static_cast<size_t>(r)] < 0) {
      groupOfRoot[static_cast<size_t>(r)] = static_cast<int>(pl.members.size());
      pl.members.emplace_back();
    }
    int g = groupOfRoot[static_cast<size_t>(r)];
    pl.groupOf[reads[k]] = g;
    pl.members[static_cast<size_t>(g)].push_back(reads[k]);
  }
  pl.subtree.assign(m.exprs.size(), -1);
  // the one player of each subtree (post-order by recursion)
  std::function<int(ExprId)> sub = [&](ExprId id) -> int {
    const Expr& e = m.exprs[id];
    int g = e.op == Op::Metric ? pl.groupOf[e.ref] : -1;
    for (ExprId a : e.args) {
      int ga = sub(a);
      if (ga == -2 || (ga >= 0 && g >= 0 && ga != g)) g = -2;
      else if (ga >= 0 && g == -1) g = ga;
    }
    pl.subtree[id] = g;
    return g;
  };
  sub(root);
  return pl;
}

// A formula evaluated at p for some players and at q for the others: the
// interpreter's semantics (interp.cpp, ops.h) at a relative offset delta from
// each read's own period.
class TwoContext {
 public:
  TwoContext(const Model& m, const rt::Values& v, const Players& pl, int64_t p, int64_t q)
      : m_(m), v_(v), pl_(pl), tl_(v.timeline()), p_(p), q_(q), coord_(m.dims.size(), 0) {}
  // Params read from these values (per param id; null: the declared ones).
  void setParams(const std::vector<const std::vector<double>*>* params) { params_ = params; }

  double value(ExprId root, uint64_t mask, bool total, std::optional<size_t> slice, const std::vector<Id>& dims) {
    mask_ = mask;
    std::fill(coord_.begin(), coord_.end(), 0);
    if (slice) {
      auto c = m_.sliceCoords(dims, *slice);
      for (size_t k = 0; k < dims.size(); ++k) coord_[dims[k]] = c[k];
    }
    return eval(root, 0, total);
  }

 private:
  const Model& m_;
  const rt::Values& v_;
  const Players& pl_;
  const rt::Timeline& tl_;
  int64_t p_, q_;
  uint64_t mask_ = 0;
  std::vector<uint32_t> coord_;
  const std::vector<const std::vector<double>*>* params_ = nullptr;

  int64_t base(int group) const {
    if (group < 0) return mask_ == 0 ? q_ : p_;
    return (mask_ >> group & 1) ? p_ : q_;
  }
  int64_t baseOf(ExprId e) const { return base(pl_.subtree[e] >= 0 ? pl_.subtree[e] : -1); }
  size_t flat(const std::vector<Id>& dims) const { return m_.sliceIndex(dims, [&](Id d) { return coord_[d]; }); }

  template <typename F>
  void each(const std::vector<Id>& dims, F&& f) {
    size_t n = m_.sliceCount(dims);
    for (size_t i = 0; i < n; ++i) {
      size_t r = i;
      for (size_t k = dims.size(); k-- > 0;) {
        size_t vn = m_.dims[dims[k]].values.size();
        coord_[dims[k]] = static_cast<uint32_t>(r % vn);
        r /= vn;
      }
      f();
    }
  }

  double eval(ExprId id, int64_t d, bool total) {
    const Expr& e = m_.exprs[id];
    auto a = [&](size_t i) { return eval(e.args[i], d, total); };
    // the argument at another relative offset, missing outside the timeline
    auto at = [&](size_t i, int64_t dd) {
      int64_t t = baseOf(e.args[i]) + dd;
      return t < 0 || t >= tl_.count ? rt::kMissing : eval(e.args[i], dd, total);
    };
    switch (e.op) {
      case Op::Const: return e.value;
      case Op::Param: {
        const auto& vals = params_ && (*params_)[e.ref] ? *(*params_)[e.ref] : m_.params[e.ref].values;
        return vals.empty() ? rt::kMissing : vals[total ? 0 : flat(m_.params[e.ref].dims)];
      }
      case Op::Metric: {
        int64_t t = base(pl_.groupOf[e.ref]) + d;
        if (t < 0 || t >= tl_.count) return rt::kMissing;
        const rt::Series& s = total ? v_.total(e.ref) : v_.metric(e.ref);
        size_t sl = total ? 0 : flat(m_.metrics[e.ref].dims);
        return s.v.empty() ? rt::kMissing : s.at(sl, static_cast<size_t>(t));
      }
      case Op::Neg: return -a(0);
      case Op::Not: return rt::ops::bnot(a(0));
      case Op::Add: return a(0) + a(1);
      case Op::Sub: return a(0) - a(1);
      case Op::Mul: return a(0) * a(1);
      case Op::Div: return rt::ops::div(a(0), a(1));
      case Op::Pow: return rt::ops::pow(a(0), a(1));
      case Op::Lt: return rt::ops::lt(a(0), a(1));
      case Op::Le: return rt::ops::le(a(0), a(1));
      case Op::Gt: return rt::ops::lt(a(1), a(0));
      case Op::Ge: return rt::ops::le(a(1), a(0));
      case Op::Eq: return rt::ops::eq(a(0), a(1));
      case Op::Ne: return rt::ops::bnot(rt::ops::eq(a(0), a(1)));
      case Op::And: return rt::ops::band(a(0), a(1));
      case Op::Or: return rt::ops::bor(a(0), a(1));
      case Op::If: {
        double c = a(0);
        if (std::isnan(c)) return rt::kMissing;
        return c != 0 ? a(1) : a(2);
      }
      case Op::Min: case Op::Max: {
        double v = a(0);
        for (size_t i = 1; i < e.args.size(); ++i) v = e.op == Op::Min ? rt::ops::min(v, a(i)) : rt::ops::max(v, a(i));
        return v;
      }
      case Op::Abs: return std::fabs(a(0));
      case Op::Log: return rt::ops::log(a(0));
      case Op::Exp: return std::exp(a(0));
      case Op::Sqrt: return rt::ops::sqrt(a(0));
      case Op::Clamp: return rt::ops::clamp(a(0), a(1), a(2));
      case Op::Lag:  // with an opening value (args[1]) before the first period
        if (e.args.size() > 1 && baseOf(e.args[0]) + d - e.n < 0) return a(1);
        return at(0, d - e.n);
      case Op::Delta: return a(0) - at(0, d - 1);
      case Op::PctChange: return rt::ops::div(a(0), at(0, d - 1)) - 1.0;
      case Op::Cumsum: {
        int64_t b = baseOf(e.args[0]), t = b + d;
        double s = 0;
        for (int64_t k = 0; k <= t; ++k) s += at(0, k - b);
        return s;
      }
      case Op::RollingSum: case Op::RollingMean: {
        int64_t b = baseOf(e.args[0]), t = b + d;
        if (t - e.n + 1 < 0) return rt::kMissing;
        double s = 0;
        for (int64_t k = t - e.n + 1; k <= t; ++k) s += at(0, k - b);
        return e.op == Op::RollingSum ? s : s / static_cast<double>(e.n);
      }
      case Op::Ytd: {
        int64_t b = baseOf(e.args[0]), t = b + d;
        int64_t start = tl_.yearStart(t);
        if (start < 0) return rt::kMissing;
        double s = 0;
        for (int64_t k = start; k <= t; ++k) s += at(0, k - b);
        return s;
      }
      case Op::Yoy: {
        int64_t b = baseOf(e.args[0]), t = b + d;
        return rt::ops::div(a(0), at(0, tl_.sameLastYear(t) - b)) - 1.0;
      }
      case Op::SumOver: case Op::MeanOver: case Op::MinOver: case Op::MaxOver: {
        Agg ag = e.op == Op::SumOver ? Agg::Sum : e.op == Op::MeanOver ? Agg::Mean : e.op == Op::MinOver ? Agg::Min : Agg::Max;
        size_t n = m_.sliceCount(e.over);
        if (total) {
          double v = a(0);
          return ag == Agg::Mean ? v / static_cast<double>(n) : v;
        }
        std::vector<uint32_t> saved = coord_;
        double acc = rt::ops::aggInit(ag);
        each(e.over, [&] { acc = rt::ops::aggStep(ag, acc, a(0)); });
        coord_ = saved;
        return rt::ops::aggDone(ag, acc, n);
      }
      case Op::Share: {
        double x = a(0);
        std::vector<uint32_t> saved = coord_;
        double s = 0;
        each(e.over, [&] { s += a(0); });
        coord_ = saved;
        return rt::ops::div(x, s);
      }
      case Op::Hill: return rt::ops::hill(a(0), a(1), a(2));
      case Op::Saturate: return rt::ops::saturate(a(0), a(1), a(2));
      case Op::Adstock: {
        int64_t b = baseOf(e.args[0]), t = b + d;
        double decay = a(1), y = 0;
        for (int64_t k = 0; k <= t; ++k) y = at(0, k - b) + decay * y;
        return y;
      }
      case Op::Select: {
        std::vector<uint32_t> saved = coord_;
        for (auto& [dim, val] : e.select) coord_[dim] = val;
        double v = a(0);
        coord_ = saved;
        return v;
      }
    }
    return rt::kMissing;
  }
};

std::string playerName(const Model& m, const Players& pl, size_t g) {
  std::string s;
  for (Id x : pl.members[g]) s += (s.empty() ? "" : " & ") + m.metrics[x].name;
  return s;
}

// LMDI for a product of players (with constant factors): the exponent of each
// player, or nothing when the formula is not such a product.
bool exponents(const Model& m, const Players& pl, ExprId id, double sign, std::vector<double>& ex) {
  const Expr& e = m.exprs[id];
  switch (e.op) {
    case Op::Const: case Op::Param: return true;
    case Op::Metric: {
      int g = pl.groupOf[e.ref];
      if (g < 0 || pl.members[static_cast<size_t>(g)].size() != 1) return false;
      ex[static_cast<size_t>(g)] += sign;
      return true;
    }
    case Op::Mul: return exponents(m, pl, e.args[0], sign, ex) && exponents(m, pl, e.args[1], sign, ex);
    case Op::Div: return exponents(m, pl, e.args[0], sign, ex) && exponents(m, pl, e.args[1], -sign, ex);
    case Op::Neg: return exponents(m, pl, e.args[0], sign, ex);
    case Op::Not: case Op::Add: case Op::Sub: case Op::Pow: case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge:
    case Op::Eq: case Op::Ne: case Op::And: case Op::Or: case Op::If: case Op::Min: case Op::Max: case Op::Abs:
    case Op::Log: case Op::Exp: case Op::Sqrt: case Op::Clamp: case Op::Lag: case Op::Delta: case Op::PctChange: case Op::Cumsum:
    case Op::RollingSum: case Op::RollingMean: case Op::Ytd: case Op::Yoy: case Op::SumOver: case Op::MeanOver:
    case Op::MinOver: case Op::MaxOver:
    case Op::Share: case Op::Hill: case Op::Saturate: case Op::Adstock: case Op::Select:
      return false;
  }
  return false;
}

void fold(std::vector<Contribution>& cs, std::optional<int64_t> top) {
  std::stable_sort(cs.begin(), cs.end(), [](const Contribution& a, const Contribution& b) { return std::fabs(a.value) > std::fabs(b.value); });
  if (!top || cs.size() <= static_cast<size_t>(*top)) return;
  Contribution other;
  other.driver = "(other)";
  for (size_t i = static_cast<size_t>(*top); i < cs.size(); ++i) other.value += cs[i].value;
  cs.resize(static_cast<size_t>(*top));
  cs.push_back(std::move(other));
}

double totalAt(const rt::Values& v, Id metric, int64_t t) { return v.at(metric, t); }

void scaleTree(std::vector<Contribution>& cs, double k) {
  for (auto& c : cs) {
    c.value *= k;
    scaleTree(c.children, k);
  }
}

// After scaling, each level adds up to its parent again exactly (the rounding on
// the largest term, as closeSum does).
void closeTree(std::vector<Contribution>& cs, double total) {
  if (cs.empty()) return;
  std::vector<double> v;
  for (auto& c : cs) v.push_back(c.value);
  closeSum(v, total);
  for (size_t i = 0; i < cs.size(); ++i) {
    cs[i].value = v[i];
    closeTree(cs[i].children, cs[i].value);
  }
}

}  // namespace

std::vector<double> sliceValues(const Model& m, const rt::Values& values, ExprId e, const std::vector<Id>& dims, int64_t t) {
  Players pl = playersOf(m, e);
  TwoContext tc(m, values, pl, t, t);
  size_t n = std::max<size_t>(1, m.sliceCount(dims));
  std::vector<double> out(n);
  for (size_t s = 0; s < n; ++s) out[s] = tc.value(e, 0, false, s, dims);
  return out;
}

double exprTotal(const Model& m, const rt::Values& values, ExprId e, int64_t t,
                 const std::vector<const std::vector<double>*>* params) {
  Players pl = playersOf(m, e);
  TwoContext tc(m, values, pl, t, t);
  tc.setParams(params);
  return tc.value(e, 0, true, std::nullopt, {});
}

FormulaGame formulaGame(const Model& m, const rt::Values& values, Id metric, int64_t p, int64_t q, std::optional<size_t> slice) {
  const Metric& M = m.metrics[metric];
  FormulaGame g;
  if (!M.formula) return g;
  Players pl = playersOf(m, *M.formula);
  for (size_t k = 0; k < pl.members.size(); ++k) g.players.push_back(playerName(m, pl, k));
  TwoContext tc(m, values, pl, p, q);
  bool total = !slice && !M.dims.empty();
  for (uint64_t mask = 0; mask < (uint64_t{1} << pl.members.size()); ++mask)
    g.valueOf.push_back(tc.value(*M.formula, mask, total, slice, M.dims));
  return g;
}

ComponentResult components(const Model& m, const rt::Values& values, Id metric, int64_t p, int64_t q, const ComponentOptions& o) {
  ComponentResult r;
  const Metric& M = m.metrics[metric];
  if (!M.formula) {
    r.reason = fmt::format("'{}' has no formula: its values come from data", M.name);
    return r;
  }
  Players pl = playersOf(m, *M.formula);
  const size_t k = pl.members.size();
  if (k == 0) {
    r.reason = fmt::format("the formula of '{}' reads no metric: only params and constants, which do not change", M.name);
    return r;
  }
  double change = totalAt(values, metric, p) - totalAt(values, metric, q);
  // the games: the total (no dimensions, or a recomputed total), or each slice's, added
  std::vector<std::optional<size_t>> games;
  bool total = !M.dims.empty() && rt::totalRecomputed(m, metric);
  double perSlice = 1;
  if (M.dims.empty() || total) {
    games.push_back(std::nullopt);
  } else {
    Agg across = rt::ops::acrossSlices(M.agg);
    if (across != Agg::Sum && across != Agg::Mean) {
      r.reason = fmt::format("the total of '{}' is the {} of its slices, which does not split into its inputs' parts", M.name,
                             aggName(across));
      return r;
    }
    size_t n = std::max<size_t>(1, m.sliceCount(M.dims));
    for (size_t s = 0; s < n; ++s) games.push_back(s);
    if (across == Agg::Mean) perSlice = 1.0 / static_cast<double>(n);
  }
  TwoContext tc(m, values, pl, p, q);
  std::vector<double> phi(k, 0.0);
  bool lmdiUsed = false;
  std::string note;
  if (o.lmdi) {
    std::vector<double> ex(k, 0.0);
    bool product = exponents(m, pl, *M.formula, 1.0, ex);
    bool ok = product;
    std::vector<double> lp(k, 0.0);
    for (auto& gslice : games) {
      double mp = tc.value(*M.formula, ~uint64_t{0}, total, gslice, M.dims), mq = tc.value(*M.formula, 0, total, gslice, M.dims);
      if (!ok) break;
      if (!(mp / mq > 0) || !std::isfinite(mp / mq)) {
        ok = false;
        break;
      }
      double L = mp == mq ? mp : (mp - mq) / std::log(mp / mq);
      for (size_t g = 0; g < k; ++g) {
        if (ex[g] == 0) continue;
        Id x = pl.members[g][0];
        double xp, xq;
        {
          // the player's own value in both contexts, as the formula reads it
          rt::Series const& s = total || !gslice ? values.total(x) : values.metric(x);
          size_t sl = 0;
          if (gslice && !m.metrics[x].dims.empty()) {
            auto c = m.sliceCoords(M.dims, *gslice);
            std::vector<uint32_t> coord(m.dims.size(), 0);
            for (size_t j = 0; j < M.dims.size(); ++j) coord[M.dims[j]] = c[j];
            sl = m.sliceIndex(m.metrics[x].dims, [&](Id dd) { return coord[dd]; });
          }
          xp = s.v.empty() ? rt::kMissing : s.at(sl, static_cast<size_t>(p));
          xq = s.v.empty() ? rt::kMissing : s.at(sl, static_cast<size_t>(q));
        }
        if (!(xp / xq > 0) || !std::isfinite(xp / xq)) {
          ok = false;
          break;
        }
        lp[g] += perSlice * L * ex[g] * std::log(xp / xq);
      }
    }
    if (ok) {
      phi = lp;
      lmdiUsed = true;
    } else {
      note = product ? "lmdi needs the inputs and the metric to keep their sign (no zeros): attributed by shapley"
                     : "lmdi needs a product or ratio of inputs: attributed by shapley";
    }
  }
  if (!lmdiUsed) {
    bool sampled = false;
    for (auto& gslice : games) {
      Game game = [&](uint64_t mask) { return tc.value(*M.formula, mask, total, gslice, M.dims); };
      ShapleyResult sr = shapley(k, game);
      sampled |= sr.sampled;
      for (size_t g = 0; g < k; ++g) phi[g] += perSlice * sr.phi[g];
    }
    if (sampled) note = fmt::format("{} inputs: the mean over {} sampled orderings (each adds up exactly)", k, kSampledOrderings);
  }
  for (double v : phi)
    if (!std::isfinite(v)) {
      r.reason = fmt::format("mixing the two periods' inputs of '{}' gives no value (a division by zero, or a missing input)", M.name);
      return r;
    }
  closeSum(phi, change);
  r.estimable = true;
  r.method = lmdiUsed ? "lmdi" : "shapley";
  r.note = note;
  for (size_t g = 0; g < k; ++g) {
    Contribution c;
    c.driver = playerName(m, pl, g);
    c.value = phi[g];
    if (o.depth > 1 && pl.members[g].size() == 1 && c.value != 0) {
      Id x = pl.members[g][0];
      double dx = totalAt(values, x, p) - totalAt(values, x, q);
      const Metric& X = m.metrics[x];
      if (std::isfinite(dx) && dx != 0) {
        if (X.formula) {
          ComponentOptions sub = o;
          sub.depth = o.depth - 1;
          ComponentResult cr = components(m, values, x, p, q, sub);
          if (cr.estimable) {
            c.children = std::move(cr.contributions);
            scaleTree(c.children, c.value / dx);
          }
        } else if (!X.dims.empty() && rt::ops::acrossSlices(X.agg) == Agg::Sum) {
          // a data metric summed over a dimension: its slices
          size_t n = std::max<size_t>(1, m.sliceCount(X.dims));
          std::vector<double> parts;
          for (size_t s = 0; s < n; ++s) parts.push_back(values.at(x, p, s) - values.at(x, q, s));
          bool finite = std::all_of(parts.begin(), parts.end(), [](double v) { return std::isfinite(v); });
          if (finite) {
            closeSum(parts, dx);
            for (size_t s = 0; s < n; ++s)
              if (parts[s] != 0) c.children.push_back(Contribution{driverName(m, x, s), parts[s] * c.value / dx, {}});
            fold(c.children, o.top);
          }
        }
      }
    }
    closeTree(c.children, c.value);
    r.contributions.push_back(std::move(c));
  }
  fold(r.contributions, o.top);
  return r;
}

}  // namespace mtc::eng::drift
