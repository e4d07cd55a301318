// GLPK behind the LP seam (lp.h): simplex for LPs, with duals and GLPK's own
// sensitivity analysis (glp_analyze_coef, glp_analyze_bound: the report of
// glpsol --ranges), and branch-and-cut for MIPs. The only file that includes
// <glpk.h>.
#include <glpk.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <vector>

#include "basis.h"
#include "lp.h"

namespace mtc::eng::solvers {

const char* lpStatusName(LpStatus s) {
  switch (s) {
    case LpStatus::Optimal: return "optimal";
    case LpStatus::Infeasible: return "infeasible";
    case LpStatus::Unbounded: return "unbounded";
    case LpStatus::TimeLimit: return "time_limit";
    case LpStatus::Error: return "error";
  }
  return "error";
}

namespace {

// GLPK says "no limit" with +-DBL_MAX.
double limit(double v) { return v >= 1e300 ? kInf : v <= -1e300 ? -kInf : v; }

int boundType(double lo, double hi) {
  bool l = std::isfinite(lo), u = std::isfinite(hi);
  if (l && u) return lo == hi ? GLP_FX : GLP_DB;
  if (l) return GLP_LO;
  if (u) return GLP_UP;
  return GLP_FR;
}

// GLPK writes to stdout unless told not to.
int silent(void*, const char*) { return 1; }

// The basis matrix B of the current basis, by columns: basis position t holds
// x[k] = glp_get_bhead(t), whose column in the augmented matrix (I | -A) is
// e_k for a row's auxiliary variable and -A_j for a structural one.
std::unique_ptr<SparseBasis> factorBasis(glp_prob* P, int m) {
  std::vector<SparseBasis::Column> cols(static_cast<size_t>(m));
  std::vector<int> iii(static_cast<size_t>(m) + 1);
  std::vector<double> vvv(static_cast<size_t>(m) + 1);
  for (int t = 1; t <= m; ++t) {
    int k = glp_get_bhead(P, t);
    auto& c = cols[static_cast<size_t>(t - 1)];
    if (k <= m) {
      c.emplace_back(k - 1, 1.0);
    } else {
      int len = glp_get_mat_col(P, k - m, iii.data(), vvv.data());
      for (int e = 1; e <= len; ++e) c.emplace_back(iii[static_cast<size_t>(e)] - 1, -vvv[static_cast<size_t>(e)]);
    }
  }
  return SparseBasis::factor(m, cols);
}

// Rows of the simplex table, as glp_eval_tab_row computes them (the same
// formula, rho = row i of B^-1, then -rho_t for a non-basic row t and rho.A_j
// for a non-basic column j, in the same order of variables) but sparse: rho
// from the sparse factorization, and only the non-basic columns that meet
// rho's non-zeros can have a non-zero in the table's row. glp_eval_tab_row
// passes over every row and every column for each row; on a 10,000-variable
// LP the ranges took longer than a third of the simplex itself.
class TableRows {
 public:
  TableRows(glp_prob* P, int m, int n, SparseBasis& B) : B_(B), m_(m), mark_(static_cast<size_t>(n) + 1, 0) {
    basicRow_.assign(static_cast<size_t>(m) + 1, 0);
    basicCol_.assign(static_cast<size_t>(n) + 1, 0);
    for (int i = 1; i <= m; ++i) basicRow_[static_cast<size_t>(i)] = glp_get_row_stat(P, i) == GLP_BS;
    for (int j = 1; j <= n; ++j) basicCol_[static_cast<size_t>(j)] = glp_get_col_stat(P, j) == GLP_BS;
    // the columns as glp_get_mat_col gives them, and per row the columns meeting it
    std::vector<int> iii(static_cast<size_t>(m) + 1);
    std::vector<double> vvv(static_cast<size_t>(m) + 1);
    colStart_.assign(static_cast<size_t>(n) + 2, 0);
    std::vector<int> rowCount(static_cast<size_t>(m) + 2, 0);
    for (int j = 1; j <= n; ++j) {
      int len = glp_get_mat_col(P, j, iii.data(), vvv.data());
      colStart_[static_cast<size_t>(j)] = static_cast<int>(colRow_.size());
      for (int t = 1; t <= len; ++t) {
        colRow_.push_back(iii[static_cast<size_t>(t)]);
        colVal_.push_back(vvv[static_cast<size_t>(t)]);
        ++rowCount[static_cast<size_t>(iii[static_cast<size_t>(t)])];
      }
    }
    colStart_[static_cast<size_t>(n) + 1] = static_cast<int>(colRow_.size());
    rowStart_.assign(static_cast<size_t>(m) + 2, 0);
    for (int i = 1; i <= m; ++i) rowStart_[static_cast<size_t>(i) + 1] = rowStart_[static_cast<size_t>(i)] + rowCount[static_cast<size_t>(i)];
    rowCol_.resize(colRow_.size());
    std::vector<int> fill(rowStart_.begin(), rowStart_.end());
    for (int j = 1; j <= n; ++j)
      for (int e = colStart_[static_cast<size_t>(j)]; e < colStart_[static_cast<size_t>(j) + 1]; ++e)
        rowCol_[static_cast<size_t>(fill[static_cast<size_t>(colRow_[static_cast<size_t>(e)])]++)] = j;
    rho_.assign(static_cast<size_t>(m) + 1, 0.0);
  }

  // The row of the table for basis position i into ind[1..len], val[1..len]
  // (1-based, as GLPK's routines take them); returns len.
  int row(int i, int* ind, double* val) {
    B_.rowOfInverse(i - 1, sparse_);
    int len = 0;
    touched_.clear();
    for (size_t e = 0; e < sparse_.idx.size(); ++e) {
      int t = sparse_.idx[e] + 1;
      double r = sparse_.val[e];
      rho_[static_cast<size_t>(t)] = r;
      if (!basicRow_[static_cast<size_t>(t)]) ++len, ind[len] = t, val[len] = -r;
      for (int k = rowStart_[static_cast<size_t>(t)]; k < rowStart_[static_cast<size_t>(t) + 1]; ++k) {
        int j = rowCol_[static_cast<size_t>(k)];
        if (!basicCol_[static_cast<size_t>(j)] && !mark_[static_cast<size_t>(j)]) mark_[static_cast<size_t>(j)] = 1, touched_.push_back(j);
      }
    }
    std::sort(touched_.begin(), touched_.end());
    for (int j : touched_) {
      mark_[static_cast<size_t>(j)] = 0;
      double alfa = 0.0;
      for (int e = colStart_[static_cast<size_t>(j)]; e < colStart_[static_cast<size_t>(j) + 1]; ++e)
        alfa += rho_[static_cast<size_t>(colRow_[static_cast<size_t>(e)])] * colVal_[static_cast<size_t>(e)];
      if (alfa != 0.0) ++len, ind[len] = m_ + j, val[len] = alfa;
    }
    for (int t : sparse_.idx) rho_[static_cast<size_t>(t) + 1] = 0.0;
    return len;
  }

 private:
  SparseBasis& B_;
  int m_;
  SparseVec sparse_;
  std::vector<double> rho_;  // rho, dense, zero outside the current row's non-zeros
  std::vector<char> mark_, basicRow_, basicCol_;
  std::vector<int> colStart_, colRow_, rowStart_, rowCol_, touched_;
  std::vector<double> colVal_;
};

class Glpk final : public LpSolver {
 public:
  const char* name() const override { return "GLPK"; }

  LpSolution solve(const LpProblem& p) override {
    glp_term_hook(silent, nullptr);
    std::unique_ptr<glp_prob, void (*)(glp_prob*)> prob(glp_create_prob(), glp_delete_prob);
    glp_prob* P = prob.get();
    glp_set_obj_dir(P, p.maximize ? GLP_MAX : GLP_MIN);
    glp_set_obj_coef(P, 0, p.constant);
    const int n = static_cast<int>(p.cost.size()), m = static_cast<int>(p.rows.size());
    bool anyInteger = false;
    if (n) glp_add_cols(P, n);
    for (int j = 1; j <= n; ++j) {
      size_t k = static_cast<size_t>(j - 1);
      glp_set_col_name(P, j, k < p.names.size() ? p.names[k].c_str() : nullptr);
      glp_set_col_bnds(P, j, boundType(p.lower[k], p.upper[k]), std::isfinite(p.lower[k]) ? p.lower[k] : 0,
                       std::isfinite(p.upper[k]) ? p.upper[k] : 0);
      glp_set_obj_coef(P, j, p.cost[k]);
      if (k < p.integer.size() && p.integer[k]) {
        glp_set_col_kind(P, j, GLP_IV);
        anyInteger = true;
      }
    }
    if (m) glp_add_rows(P, m);
    std::vector<int> ia{0}, ja{0};
    std::vector<double> ar{0};
    for (int i = 1; i <= m; ++i) {
      const auto& row = p.rows[static_cast<size_t>(i - 1)];
      glp_set_row_name(P, i, row.name.c_str());
      glp_set_row_bnds(P, i, boundType(row.lower, row.upper), std::isfinite(row.lower) ? row.lower : 0,
                       std::isfinite(row.upper) ? row.upper : 0);
      for (auto& [j, a] : row.coefs) {
        ia.push_back(i);
        ja.push_back(static_cast<int>(j) + 1);
        ar.push_back(a);
      }
    }
    if (ia.size() > 1) glp_load_matrix(P, static_cast<int>(ia.size()) - 1, ia.data(), ja.data(), ar.data());

    LpSolution s;
    glp_smcp sm;
    glp_init_smcp(&sm);
    sm.msg_lev = GLP_MSG_OFF;
    if (p.timeLimit > 0) sm.tm_lim = static_cast<int>(p.timeLimit * 1000);
    // scaled as glpsol scales by default (geometric mean then equilibration, as GLPK
    // judges best): fewer iterations on badly scaled rows (5,147 against 5,577 on the
    // 10,000-variable benchmark LP). GLPK keeps the factors to itself: every value read
    // back (solution, duals, the columns the sensitivity analysis factorizes) is unscaled.
    glp_scale_prob(P, GLP_SF_AUTO);
    int rc = glp_simplex(P, &sm);
    if (rc == GLP_ETMLIM) {
      s.status = LpStatus::TimeLimit;
      s.message = "the time limit was reached";
    } else if (rc != 0) {
      s.status = LpStatus::Error;
      s.message = "the simplex method failed (GLPK code " + std::to_string(rc) + ")";
      return s;
    }
    int st = glp_get_status(P);
    if (st == GLP_NOFEAS || glp_get_prim_stat(P) == GLP_NOFEAS) {
      s.status = LpStatus::Infeasible;
      return s;
    }
    if (st == GLP_UNBND || glp_get_dual_stat(P) == GLP_NOFEAS) {
      s.status = LpStatus::Unbounded;
      return s;
    }
    if (s.status != LpStatus::TimeLimit) s.status = LpStatus::Optimal;
    if (anyInteger) {
      s.mip = true;
      s.bound = glp_get_obj_val(P);  // the LP relaxation's
      glp_iocp io;
      glp_init_iocp(&io);
      io.msg_lev = GLP_MSG_OFF;
      io.presolve = GLP_OFF;
      if (p.timeLimit > 0) io.tm_lim = static_cast<int>(p.timeLimit * 1000);
      int ir = glp_intopt(P, &io);
      int ms = glp_mip_status(P);
      if (ms == GLP_NOFEAS) {
        s.status = LpStatus::Infeasible;
        return s;
      }
      if (ir == GLP_ETMLIM || ir == GLP_EMIPGAP) {
        if (ms != GLP_FEAS && ms != GLP_OPT) {
          s.status = ir == GLP_ETMLIM ? LpStatus::TimeLimit : LpStatus::Error;
          s.message = "no integer solution was found in time";
          return s;
        }
        s.status = LpStatus::TimeLimit;
        s.message = "the time limit was reached: the best integer solution found";
      } else if (ir != 0) {
        s.status = LpStatus::Error;
        s.message = "branch-and-cut failed (GLPK code " + std::to_string(ir) + ")";
        return s;
      }
      s.objective = glp_mip_obj_val(P);
      s.gap = std::fabs(s.bound - s.objective) / std::max(1e-9, std::fabs(s.objective));
      for (int j = 1; j <= n; ++j) s.x.push_back(glp_mip_col_val(P, j));
      for (int i = 1; i <= m; ++i) {
        s.activity.push_back(glp_mip_row_val(P, i));
        s.dual.push_back(0);  // a MIP has no duals; the caller may re-solve the LP with the integers fixed
        const auto& row = p.rows[static_cast<size_t>(i - 1)];
        double a = s.activity.back(), tol = 1e-9 * std::max(1.0, std::fabs(a));
        s.binding.push_back(std::fabs(a - row.upper) <= tol || std::fabs(a - row.lower) <= tol);
      }
      s.reducedCost.assign(static_cast<size_t>(n), 0);
      return s;
    }
    s.objective = glp_get_obj_val(P);
    for (int j = 1; j <= n; ++j) {
      s.x.push_back(glp_get_col_prim(P, j));
      s.reducedCost.push_back(glp_get_col_dual(P, j));
    }
    for (int i = 1; i <= m; ++i) {
      s.activity.push_back(glp_get_row_prim(P, i));
      s.dual.push_back(glp_get_row_dual(P, i));
      s.binding.push_back(glp_get_row_stat(P, i) != GLP_BS);
    }
    sensitivity(P, p, s);
    return s;
  }

 private:
  // The ranges of glpsol --ranges, as glp_analyze_coef and glp_analyze_bound
  // compute them, with the rows and columns of the simplex table from a sparse
  // factorization of the basis (basis.h; GLPK's own routines, dense, when it
  // fails). A basic variable's cost: its row of the table, then the dual ratio
  // test each way. A non-basic one stays out of the basis while its reduced
  // cost keeps its sign. A non-basic (binding) row's bound: its column of the
  // table, then the primal ratio test each way. A basic row can move its bound
  // to its activity, and without limit the other way.
  static void sensitivity(glp_prob* P, const LpProblem& p, LpSolution& s) {
    if (glp_bf_exists(P) == 0 && glp_factorize(P) != 0) return;
    const int n = static_cast<int>(p.cost.size()), m = static_cast<int>(p.rows.size());
    std::unique_ptr<SparseBasis> B = m && !p.referenceRanges ? factorBasis(P, m) : nullptr;
    std::optional<TableRows> tab;
    if (B) tab.emplace(P, m, n, *B);
    std::vector<int> ind(static_cast<size_t>(n + m) + 1);
    std::vector<double> val(static_cast<size_t>(n + m) + 1);
    for (int j = 1; j <= n; ++j) {
      size_t k = static_cast<size_t>(j - 1);
      Interval r;
      if (glp_get_col_stat(P, j) == GLP_BS && !tab) {
        double c1, c2, v1, v2;
        int var1, var2;
        glp_analyze_coef(P, m + j, &c1, &var1, &v1, &c2, &var2, &v2);
        r = {limit(c1), limit(c2)};
      } else if (glp_get_col_stat(P, j) == GLP_BS) {
        int len = tab->row(glp_get_col_bind(P, j), ind.data(), val.data());
        double lim[2];
        for (int kase = -1; kase <= 1; kase += 2) {
          // decreasing the cost is increasing the basic variable's dual (glp_analyze_coef)
          int dir = p.maximize ? kase : -kase;
          int piv = glp_dual_rtest(P, len, ind.data(), val.data(), dir, 1e-9);
          double& l = lim[kase < 0 ? 0 : 1];
          if (piv == 0) {
            l = kase < 0 ? -kInf : kInf;
            continue;
          }
          int q = ind[static_cast<size_t>(piv)];
          double d = q <= m ? glp_get_row_dual(P, q) : glp_get_col_dual(P, q - m);
          l = limit(glp_get_obj_coef(P, j) + -d / val[static_cast<size_t>(piv)]);
        }
        r = {lim[0], lim[1]};
      } else {
        double c = p.cost[k], d = s.reducedCost[k];
        bool atUpper = glp_get_col_stat(P, j) == GLP_NU;
        // maximize: at its lower bound the cost may rise by -d; minimize: fall by d
        if (p.maximize != atUpper) r = {-kInf, c - d};
        else r = {c - d, kInf};
      }
      s.costRange.push_back(r);
    }
    SparseVec col, alpha;
    for (int i = 1; i <= m; ++i) {
      Interval r;
      const auto& row = p.rows[static_cast<size_t>(i - 1)];
      if (glp_get_row_stat(P, i) == GLP_BS) {
        double a = s.activity[static_cast<size_t>(i - 1)];
        if (std::isfinite(row.upper)) r = {a, kInf};
        else r = {-kInf, a};
      } else if (!B) {
        double v1, v2;
        int var1, var2;
        glp_analyze_bound(P, i, &v1, &var1, &v2, &var2);
        r = {limit(v1), limit(v2)};
      } else {
        // the table's column of the row's auxiliary variable: B^-1 times its
        // column of (I | -A), negated (glp_eval_tab_col)
        col.idx = {i - 1};
        col.val = {-1.0};
        B->solve(col, alpha);
        int len = 0;
        for (size_t e = 0; e < alpha.idx.size(); ++e)
          ++len, ind[static_cast<size_t>(len)] = glp_get_bhead(P, alpha.idx[e] + 1), val[static_cast<size_t>(len)] = alpha.val[e];
        r = {boundLimit(P, i, len, ind.data(), val.data(), -1), boundLimit(P, i, len, ind.data(), val.data(), 1)};
      }
      s.boundRange.push_back(r);
    }
  }

  // How far row i's active bound can move (kase -1 down, +1 up) before a basic
  // variable reaches one of its bounds (glp_analyze_bound, from the column).
  static double boundLimit(glp_prob* P, int i, int len, const int* ind, const double* val, int kase) {
    const int m = glp_get_num_rows(P);
    int piv = glp_prim_rtest(P, len, ind, val, kase, 1e-9);
    if (piv == 0) return kase < 0 ? -kInf : kInf;
    int q = ind[piv];
    double lb = q <= m ? glp_get_row_lb(P, q) : glp_get_col_lb(P, q - m);
    double ub = q <= m ? glp_get_row_ub(P, q) : glp_get_col_ub(P, q - m);
    double xx = q <= m ? glp_get_row_prim(P, q) : glp_get_col_prim(P, q - m);
    // the basic variable moves toward its lower bound when its coefficient and the move have opposite signs
    double delta = (kase < 0) == (val[piv] > 0.0) ? lb - xx : ub - xx;
    return limit(glp_get_row_prim(P, i) + delta / val[piv]);
  }
};

}  // namespace

std::unique_ptr<LpSolver> makeGlpk() { return std::make_unique<Glpk>(); }

}  // namespace mtc::eng::solvers
