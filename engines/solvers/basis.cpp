// SparseBasis on CXSparse (SuiteSparse; Debian's libglpk-dev depends on it).
//
// cs_lu gives L U = P B Q (P the row pivots, pinv[r] the new place of row r;
// Q the fill-reducing column order, column k of L U is column q[k] of B), L
// with its unit diagonal first in each column and its rows already in pivot
// order. Then
//   B' rho = e_i:  U' (L' (P rho)) = Q' e_i = e_{qinv[i]}
//   B x = b:       L (U (Q' x)) = P b
// each two triangular solves with a sparse right-hand side (cs_spsolve: the
// non-zeros reached by a depth-first search of the factor's graph, then the
// arithmetic on those alone).
#include "basis.h"

#include <suitesparse/cs.h>

#include <algorithm>

namespace mtc::eng::solvers {

struct SparseBasis::Impl {
  int m = 0;
  cs_dis* S = nullptr;
  cs_din* N = nullptr;
  cs_di* Lt = nullptr;   // L', upper triangular, its diagonal last in each column
  cs_di* Ut = nullptr;   // U', lower triangular, its diagonal first
  cs_di* I = nullptr;    // the identity: e_k is its column k
  cs_di* rhs = nullptr;  // one column, the first solve's result fed to the second
  std::vector<int> rowOf;   // rowOf[k]: the row of B that pivot k is (the inverse of pinv)
  std::vector<int> qinv;    // qinv[i]: where column i of B went
  std::vector<int> xi;      // cs_spsolve's stack, 2m
  std::vector<double> x1, x2;
  std::vector<std::pair<int, double>> sorted;

  ~Impl() {
    cs_di_spfree(rhs);
    cs_di_spfree(I);
    cs_di_spfree(Ut);
    cs_di_spfree(Lt);
    cs_di_nfree(N);
    cs_di_sfree(S);
  }

  // G x = column k of R, G triangular (lower: lo = 1); x's non-zeros are at xi[top..m-1]
  int tri(cs_di* G, const cs_di* R, int k, std::vector<double>& x, int lo) {
    return cs_di_spsolve(G, R, k, xi.data(), x.data(), nullptr, lo);
  }

  // the first solve's result (x at xi[top..m-1]) as the one column of rhs
  void load(int top, const std::vector<double>& x) {
    int nz = 0;
    for (int p = top; p < m; ++p) {
      rhs->i[nz] = xi[static_cast<size_t>(p)];
      rhs->x[nz] = x[static_cast<size_t>(xi[static_cast<size_t>(p)])];
      ++nz;
    }
    rhs->p[0] = 0;
    rhs->p[1] = nz;
  }

  // x's non-zeros at xi[top..m-1], mapped through where(k), ascending, into out
  template <class Where>
  void emit(int top, const std::vector<double>& x, Where where, SparseVec& out) {
    sorted.clear();
    for (int p = top; p < m; ++p) {
      int k = xi[static_cast<size_t>(p)];
      double v = x[static_cast<size_t>(k)];
      if (v != 0.0) sorted.emplace_back(where(k), v);
    }
    std::sort(sorted.begin(), sorted.end());
    out.idx.clear();
    out.val.clear();
    for (auto& [i, v] : sorted) out.idx.push_back(i), out.val.push_back(v);
  }
};

SparseBasis::SparseBasis(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SparseBasis::~SparseBasis() = default;

std::unique_ptr<SparseBasis> SparseBasis::factor(int m, const std::vector<Column>& cols) {
  auto im = std::make_unique<Impl>();
  im->m = m;
  size_t nnz = 0;
  for (auto& c : cols) nnz += c.size();
  cs_di* B = cs_di_spalloc(m, m, static_cast<int>(std::max<size_t>(1, nnz)), 1, 0);
  if (!B) return nullptr;
  int z = 0;
  for (int j = 0; j < m; ++j) {
    B->p[j] = z;
    for (auto& [r, v] : cols[static_cast<size_t>(j)]) B->i[z] = r, B->x[z] = v, ++z;
  }
  B->p[m] = z;
  // order 2: a minimum-degree order of B'B with its dense rows left out (the
  // LU ordering CSparse recommends); tol 1: partial pivoting
  im->S = cs_di_sqr(2, B, 0);
  im->N = im->S ? cs_di_lu(B, im->S, 1.0) : nullptr;
  cs_di_spfree(B);
  if (!im->N) return nullptr;
  im->Lt = cs_di_transpose(im->N->L, 1);
  im->Ut = cs_di_transpose(im->N->U, 1);
  im->I = cs_di_spalloc(m, m, std::max(1, m), 1, 0);
  im->rhs = cs_di_spalloc(m, 1, std::max(1, m), 1, 0);
  if (!im->Lt || !im->Ut || !im->I || !im->rhs) return nullptr;
  for (int k = 0; k < m; ++k) im->I->p[k] = k, im->I->i[k] = k, im->I->x[k] = 1.0;
  im->I->p[m] = m;
  im->rowOf.assign(static_cast<size_t>(m), 0);
  for (int r = 0; r < m; ++r) im->rowOf[static_cast<size_t>(im->N->pinv[r])] = r;
  im->qinv.assign(static_cast<size_t>(m), 0);
  for (int k = 0; k < m; ++k) im->qinv[static_cast<size_t>(im->S->q ? im->S->q[k] : k)] = k;
  im->xi.assign(2 * static_cast<size_t>(m), 0);
  im->x1.assign(static_cast<size_t>(m), 0.0);
  im->x2.assign(static_cast<size_t>(m), 0.0);
  return std::unique_ptr<SparseBasis>(new SparseBasis(std::move(im)));
}

void SparseBasis::rowOfInverse(int i, SparseVec& out) {
  Impl& s = *impl_;
  int top = s.tri(s.Ut, s.I, s.qinv[static_cast<size_t>(i)], s.x1, 1);  // U' y = e_{qinv[i]}
  s.load(top, s.x1);
  top = s.tri(s.Lt, s.rhs, 0, s.x2, 0);  // L' w = y
  s.emit(top, s.x2, [&](int k) { return s.rowOf[static_cast<size_t>(k)]; }, out);  // rho = P' w
}

void SparseBasis::solve(const SparseVec& b, SparseVec& out) {
  Impl& s = *impl_;
  int nz = 0;
  for (size_t t = 0; t < b.idx.size(); ++t) {
    s.rhs->i[nz] = s.N->pinv[b.idx[t]];  // P b
    s.rhs->x[nz] = b.val[t];
    ++nz;
  }
  s.rhs->p[0] = 0;
  s.rhs->p[1] = nz;
  int top = s.tri(s.N->L, s.rhs, 0, s.x1, 1);  // L z = P b
  s.load(top, s.x1);
  top = s.tri(s.N->U, s.rhs, 0, s.x2, 0);  // U v = z
  const int* q = s.S->q;
  s.emit(top, s.x2, [&](int k) { return q ? q[k] : k; }, out);  // x = Q v
}

}  // namespace mtc::eng::solvers
