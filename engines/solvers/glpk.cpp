// GLPK behind the LP seam (lp.h): simplex for LPs, with duals and GLPK's own
// sensitivity analysis (glp_analyze_coef, glp_analyze_bound: the report of
// glpsol --ranges), and branch-and-cut for MIPs. The only file that includes
// <glpk.h>.
#include <glpk.h>

#include <cmath>
#include <memory>

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
  // The ranges of glpsol --ranges. A basic variable's cost: glp_analyze_coef. A
  // non-basic one stays out of the basis while its reduced cost keeps its sign.
  // A non-basic (binding) row's bound: glp_analyze_bound; a basic row can move
  // its bound to its activity, and without limit the other way.
  static void sensitivity(glp_prob* P, const LpProblem& p, LpSolution& s) {
    if (glp_bf_exists(P) == 0 && glp_factorize(P) != 0) return;
    const int n = static_cast<int>(p.cost.size()), m = static_cast<int>(p.rows.size());
    for (int j = 1; j <= n; ++j) {
      size_t k = static_cast<size_t>(j - 1);
      Interval r;
      if (glp_get_col_stat(P, j) == GLP_BS) {
        double c1, v1, c2, v2;
        int var1, var2;
        glp_analyze_coef(P, m + j, &c1, &var1, &v1, &c2, &var2, &v2);
        r = {limit(c1), limit(c2)};
      } else {
        double c = p.cost[k], d = s.reducedCost[k];
        bool atUpper = glp_get_col_stat(P, j) == GLP_NU;
        // maximize: at its lower bound the cost may rise by -d; minimize: fall by d
        if (p.maximize != atUpper) r = {-kInf, c - d};
        else r = {c - d, kInf};
      }
      s.costRange.push_back(r);
    }
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
