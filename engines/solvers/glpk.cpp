// GLPK behind the LP seam (lp.h): simplex for LPs, with duals and GLPK's own
// sensitivity analysis (glp_analyze_coef, glp_analyze_bound: the report of
// glpsol --ranges), and branch-and-cut for MIPs. The only file that includes
// <glpk.h>.
#include <glpk.h>

#include <algorithm>
#include <cmath>
#include <future>
#include <memory>
#include <thread>
#include <vector>

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

// Rows of the simplex table, as glp_eval_tab_row computes them (the same
// numbers, summed in the same order, in the same order of variables) but
// without its pass over every column of A for each row: the row of the basis
// inverse (glp_btran) is sparse, and only the non-basic columns that meet its
// non-zeros can have a non-zero in the table's row. glp_eval_tab_row took
// three quarters of the ranges of a 10,000-variable LP.
class TableRows {
 public:
  TableRows(glp_prob* P, int m, int n) : P_(P), m_(m), n_(n), rho_(static_cast<size_t>(m) + 1), mark_(static_cast<size_t>(n) + 1, 0) {
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
  }

  // The row of the table for basis position i into ind[1..len], val[1..len]
  // (1-based, as GLPK's routines take them); returns len.
  int row(int i, int* ind, double* val) {
    std::fill(rho_.begin(), rho_.end(), 0.0);
    rho_[static_cast<size_t>(i)] = 1.0;
    glp_btran(P_, rho_.data());
    int len = 0;
    touched_.clear();
    for (int t = 1; t <= m_; ++t) {
      double r = rho_[static_cast<size_t>(t)];
      if (r == 0.0) continue;
      if (!basicRow_[static_cast<size_t>(t)]) ++len, ind[len] = t, val[len] = -r;
      for (int e = rowStart_[static_cast<size_t>(t)]; e < rowStart_[static_cast<size_t>(t) + 1]; ++e) {
        int j = rowCol_[static_cast<size_t>(e)];
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
    (void)n_;
    return len;
  }

 private:
  glp_prob* P_;
  int m_, n_;
  std::vector<double> rho_;
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
  // The ranges of glpsol --ranges. A basic variable's cost: as glp_analyze_coef
  // computes coef1 and coef2 (its row of the simplex table, then the dual ratio
  // test each way), with the table's row computed sparsely (below). A non-basic
  // one stays out of the basis while its reduced cost keeps its sign. A
  // non-basic (binding) row's bound: glp_analyze_bound; a basic row can move
  // its bound to its activity, and without limit the other way.
  static void sensitivity(glp_prob* P, const LpProblem& p, LpSolution& s) {
    if (glp_bf_exists(P) == 0 && glp_factorize(P) != 0) return;
    const int n = static_cast<int>(p.cost.size()), m = static_cast<int>(p.rows.size());
    // A large LP's rows are analysed on a second thread, on a copy of the
    // problem with its own factorization of the same basis (GLPK keeps its
    // environment per thread; the copy is made, used and freed there), while
    // this thread analyses the costs.
    std::thread worker;
    bool rowsDone = false;
    if (m >= 500) {
      // this thread's factorization afresh too, as the copy's: the same numbers either way
      if (glp_factorize(P) != 0) return;
      std::promise<void> copied;
      std::future<void> ready = copied.get_future();
      worker = std::thread([&] {
        glp_term_hook(silent, nullptr);
        glp_prob* Q = glp_create_prob();
        glp_copy_prob(Q, P, GLP_OFF);
        copied.set_value();
        if (glp_factorize(Q) == 0) {
          rowRanges(Q, p, s);
          rowsDone = true;
        }
        glp_delete_prob(Q);
        glp_free_env();
      });
      ready.wait();
    }
    TableRows tab(P, m, n);
    std::vector<int> ind(static_cast<size_t>(n + m) + 1);
    std::vector<double> val(static_cast<size_t>(n + m) + 1);
    for (int j = 1; j <= n; ++j) {
      size_t k = static_cast<size_t>(j - 1);
      Interval r;
      if (glp_get_col_stat(P, j) == GLP_BS) {
        int len = tab.row(glp_get_col_bind(P, j), ind.data(), val.data());
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
    if (worker.joinable()) worker.join();
    if (!rowsDone) rowRanges(P, p, s);
  }

  // The rows' bound ranges (glp_analyze_bound: a column of the simplex table,
  // a forward transformation, per binding row).
  static void rowRanges(glp_prob* P, const LpProblem& p, LpSolution& s) {
    const int m = static_cast<int>(p.rows.size());
    s.boundRange.clear();
    for (int i = 1; i <= m; ++i) {
      Interval r;
      if (glp_get_row_stat(P, i) != GLP_BS) {
        double v1, v2;
        int var1, var2;
        glp_analyze_bound(P, i, &v1, &var1, &v2, &var2);
        r = {limit(v1), limit(v2)};
      } else {
        const auto& row = p.rows[static_cast<size_t>(i - 1)];
        double a = s.activity[static_cast<size_t>(i - 1)];
        if (std::isfinite(row.upper)) r = {a, kInf};
        else r = {-kInf, a};
      }
      s.boundRange.push_back(r);
    }
  }
};

}  // namespace

std::unique_ptr<LpSolver> makeGlpk() { return std::make_unique<Glpk>(); }

}  // namespace mtc::eng::solvers
