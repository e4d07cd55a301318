// The random models of the JIT agreement test (jit_test.cpp), shared with the
// SQL agreement test (tests/sql/random_models.py, through tests/sql/modelgen.cpp).
#pragma once

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace mtc::test {

// ------------------------------------------------------------------ random models

// Generates a model over listed dimensions whose formulas use every operator,
// with every construct's dimension rules respected so the checker accepts it.
class ModelGen {
 public:
  explicit ModelGen(uint32_t seed) : rng_(seed) {}

  struct Sym {
    std::string name;
    std::vector<int> dims;  // dimension indices, sorted
  };

  std::string text;
  std::vector<Sym> inputs;  // input metrics (values come through the scenario)

  void generate() {
    static const char* grains[] = {"month", "month", "quarter", "week", "day", "year"};
    std::string grain = grains[pick(6)];
    text = fmt::format("model r {{ grain: {}  start: {} }}\n", grain,
                       grain == "week" ? "2023-W50" : grain == "day" ? "2023-12-20" : grain == "quarter" ? "2022-Q3" : "2022-11");
    ndims_ = 1 + pick(3);
    for (int d = 0; d < ndims_; ++d) {
      size_t nv = 1 + pick(3);
      dimValues_.push_back(nv);
      text += fmt::format("dimension d{} {{", d);
      for (size_t v = 0; v < nv; ++v) text += fmt::format("{} v{}_{}", v ? "," : "", d, v);
      text += " }\n";
    }
    for (int p = 0; p < 3; ++p) {
      Sym s{fmt::format("p{}", p), dimsSubset()};
      if (s.dims.empty()) {
        text += fmt::format("param {}: ratio = {}\n", s.name, number());
      } else {
        text += fmt::format("param {}: ratio by {} = {}\n", s.name, dimList(s.dims), sliceMap(s.dims, 0));
      }
      params_.push_back(s);
    }
    int nin = 2 + pick(3);
    for (int i = 0; i < nin; ++i) {
      Sym s{fmt::format("in{}", i), dimsSubset()};
      text += fmt::format("metric {}: ratio{} {{ role: input }}\n", s.name, by(s.dims));
      inputs.push_back(s);
      metrics_.push_back(s);
    }
    int nf = 3 + pick(6);
    for (int i = 0; i < nf; ++i) {
      Sym s{fmt::format("f{}", i), dimsSubset()};
      text += fmt::format("metric {}: ratio{} = {}\n", s.name, by(s.dims), expr(s.dims, 3));
      metrics_.push_back(s);
    }
    // half the models have a stock: a delayed cycle (the stock and a flow that
    // reads its past), evaluated period by period, and formulas reading it
    if (chance(0.5)) {
      Sym st{"stock", dimsSubset()}, fl{"flow", st.dims};
      text += fmt::format("metric flow: ratio{} = lag(stock, {}) * {} + {}\n", by(fl.dims), 1 + pick(2), number(), expr(fl.dims, 2));
      text += fmt::format("metric stock: ratio{} = lag(stock, 1) + flow - {} {{ initial: {} }}\n", by(st.dims), expr(st.dims, 2),
                          opening(st.dims));
      metrics_.push_back(st);
      metrics_.push_back(fl);
      for (int i = 0; i < 2; ++i) {
        Sym s{fmt::format("g{}", i), dimsSubset()};
        text += fmt::format("metric {}: ratio{} = {}\n", s.name, by(s.dims), expr(s.dims, 3));
        metrics_.push_back(s);
      }
    }
  }

 private:
  std::mt19937 rng_;
  int ndims_ = 0;
  std::vector<size_t> dimValues_;
  std::vector<Sym> params_, metrics_;

  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  std::string number() {
    static const char* nums[] = {"0", "1", "2", "0.5", "3", "-1.5", "10", "0.25", "7", "1e-3"};
    return nums[pick(10)];
  }
  // { v0_0: { v1_0: 1, v1_1: 2 }, ... }: one nested level per dimension
  std::string sliceMap(const std::vector<int>& dims, size_t level) {
    std::string s = "{";
    for (size_t v = 0; v < dimValues_[dims[level]]; ++v)
      s += fmt::format("{} v{}_{}: {}", v ? "," : "", dims[level], v,
                       level + 1 == dims.size() ? number() : sliceMap(dims, level + 1));
    return s + " }";
  }
  static std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
    return s;
  }
  std::string dimList(const std::vector<int>& dims) const {
    std::vector<std::string> n;
    for (int d : dims) n.push_back(fmt::format("d{}", d));
    return join(n);
  }
  std::string by(const std::vector<int>& dims) const { return dims.empty() ? "" : " by " + dimList(dims); }
  std::vector<int> dimsSubset() {
    std::vector<int> d;
    for (int i = 0; i < ndims_; ++i)
      if (chance(0.5)) d.push_back(i);
    return d;
  }
  static bool subset(const std::vector<int>& a, const std::vector<int>& b) {
    for (int x : a)
      if (std::find(b.begin(), b.end(), x) == b.end()) return false;
    return true;
  }
  static bool has(const std::vector<int>& a, int d) { return std::find(a.begin(), a.end(), d) != a.end(); }

  // An opening value for a stock by `dims`: a number or a param (no metric).
  std::string opening(const std::vector<int>& dims) {
    for (auto& p : params_)
      if (subset(p.dims, dims) && chance(0.5)) return p.name;
    return number();
  }

  // A leaf readable where the dimensions `dims` are in scope.
  std::string leaf(const std::vector<int>& dims) {
    std::vector<const Sym*> ok;
    for (auto& m : metrics_)
      if (subset(m.dims, dims)) ok.push_back(&m);
    if (!ok.empty() && chance(0.75)) return ok[pick(ok.size())]->name;
    std::vector<const Sym*> pk;
    for (auto& p : params_)
      if (subset(p.dims, dims)) pk.push_back(&p);
    if (!pk.empty() && chance(0.6)) return pk[pick(pk.size())]->name;
    return number();
  }

  // A reduction, share or selection of a metric with a dimension outside scope.
  std::string dimensional(const std::vector<int>& dims) {
    std::vector<const Sym*> cand;
    for (auto& m : metrics_) {
      std::vector<int> rest;
      for (int d : m.dims)
        if (!has(dims, d)) rest.push_back(d);
      if (!rest.empty() && subset(rest, m.dims)) cand.push_back(&m);
    }
    if (cand.empty()) {
      // share over a dimension in scope
      for (auto& m : metrics_)
        if (!m.dims.empty() && subset(m.dims, dims)) return fmt::format("share({} over d{})", m.name, m.dims[pick(m.dims.size())]);
      return leaf(dims);
    }
    const Sym& m = *cand[pick(cand.size())];
    std::vector<int> rest;
    for (int d : m.dims)
      if (!has(dims, d)) rest.push_back(d);
    switch (pick(5)) {
      case 0: case 1: {
        static const char* red[] = {"sum", "mean", "min", "max"};
        // reduce an expression of the metric (not only the metric itself)
        std::string arg = chance(0.5) ? m.name : fmt::format("({} * {} + {})", m.name, leaf(m.dims), leaf(dims));
        return fmt::format("{}({} over {})", red[pick(4)], arg, dimList(rest));
      }
      case 2: {
        std::vector<std::string> sel;
        for (int d : rest) sel.push_back(fmt::format("d{}: v{}_{}", d, d, pick(dimValues_[d])));
        return fmt::format("{}[{}]", m.name, join(sel));
      }
      default: {
        std::vector<std::string> sel;
        for (int d : rest) sel.push_back(fmt::format("d{}: v{}_{}", d, d, pick(dimValues_[d])));
        return fmt::format("lag({}[{}], 1)", m.name, join(sel));
      }
    }
  }

  std::string cond(const std::vector<int>& dims, int depth) {
    static const char* cmp[] = {"<", "<=", ">", ">=", "==", "!="};
    std::string c = fmt::format("{} {} {}", expr(dims, depth - 1), cmp[pick(6)], expr(dims, depth - 1));
    if (chance(0.2)) c = fmt::format("not ({})", c);
    if (chance(0.2)) c = fmt::format("({}) {} ({} > {})", c, chance(0.5) ? "and" : "or", leaf(dims), number());
    return c;
  }

  std::string expr(const std::vector<int>& dims, int depth) {
    if (depth <= 0 || chance(0.2)) return chance(0.15) ? dimensional(dims) : leaf(dims);
    auto e = [&] { return expr(dims, depth - 1); };
    switch (pick(24)) {
      case 0: return fmt::format("({} + {})", e(), e());
      case 1: return fmt::format("({} - {})", e(), e());
      case 2: return fmt::format("({} * {})", e(), e());
      case 3: return fmt::format("({} / {})", e(), e());
      case 4: return fmt::format("({} ^ {})", e(), pick(2) ? "2" : "0.5");
      case 5: return fmt::format("-{}", leaf(dims));
      case 6: return fmt::format("if({}, {}, {})", cond(dims, depth), e(), e());
      case 7: return fmt::format("{}({}, {}{})", pick(2) ? "min" : "max", e(), e(), chance(0.3) ? ", " + e() : "");
      case 8: {
        static const char* f[] = {"abs", "log", "exp", "sqrt"};
        return fmt::format("{}({})", f[pick(4)], e());
      }
      case 9: return fmt::format("clamp({}, {}, {})", e(), number(), number());
      case 10: return fmt::format("lag({}, {})", e(), pick(4));
      case 11: return fmt::format("delta({})", e());
      case 12: return fmt::format("pct_change({})", e());
      case 13: return fmt::format("cumsum({})", e());
      case 14: return fmt::format("rolling_sum({}, {})", e(), 1 + pick(4));
      case 15: return fmt::format("rolling_mean({}, {})", e(), 1 + pick(4));
      case 16: return fmt::format("ytd({})", e());
      case 17: return fmt::format("yoy({})", e());
      case 18: return fmt::format("adstock({}, {})", e(), chance(0.5) ? "0.5" : leaf({}));
      case 19: return fmt::format("hill({}, {}, {})", e(), chance(0.5) ? "2" : leaf(dims), chance(0.5) ? "1.5" : leaf(dims));
      case 20: return fmt::format("saturate({}, {}, {})", e(), number(), number());
      case 21: case 22: return dimensional(dims);
      default: return leaf(dims);
    }
  }
};

}  // namespace mtc::test
