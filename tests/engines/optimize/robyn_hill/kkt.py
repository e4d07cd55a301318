#!/usr/bin/env python3
"""The expected optimum of model.mtree, independently of mtc: the KKT conditions.

maximize sum_i cap_i * hill(b_i, half_i, s_i)  s.t.  sum_i b_i <= B, b_i >= 0.
Each curve is concave (s <= 1), so the KKT conditions are sufficient: every channel
with b_i > 0 has marginal return cap_i * hill'(b_i) = lambda (the budget's shadow price),
and the budget binds (marginal returns are positive). For a given lambda each b_i solves
cap_i * hill'(b_i) = lambda (hill' decreasing); bisection on lambda makes sum b_i = B.
Cross-checked with scipy's SLSQP when scipy is there. Prints expected.json's numbers."""
import json

CH = [("b_tv", 900, 6000, 1.0), ("b_search", 500, 1500, 0.8), ("b_social", 650, 4000, 0.9), ("b_display", 300, 2500, 1.0)]
B = 20000.0


def hill(x, h, s):
    return x ** s / (x ** s + h ** s)


def dhill(x, h, s):  # d/dx x^s/(x^s+h^s) = s x^(s-1) h^s / (x^s+h^s)^2
    return s * x ** (s - 1) * h ** s / (x ** s + h ** s) ** 2


def spend_at(lam, cap, h, s):
    lo, hi = 1e-12, 1e9  # cap * dhill decreasing in x on (0, inf) for s <= 1
    for _ in range(300):
        mid = 0.5 * (lo + hi)
        if cap * dhill(mid, h, s) > lam:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


lo, hi = 1e-9, 10.0
for _ in range(300):
    lam = 0.5 * (lo + hi)
    total = sum(spend_at(lam, c, h, s) for _, c, h, s in CH)
    if total > B:
        lo = lam
    else:
        hi = lam
lam = 0.5 * (lo + hi)
b = {n: spend_at(lam, c, h, s) for n, c, h, s in CH}
obj = sum(c * hill(b[n], h, s) for n, c, h, s in CH)
before = sum(c * hill(5000.0, h, s) for n, c, h, s in CH)
out = {"lambda": lam, "b": b, "objective": obj, "objective_before": before,
       "marginal": {n: c * dhill(b[n], h, s) for n, c, h, s in CH}, "sum": sum(b.values())}
try:
    import numpy as np
    from scipy.optimize import minimize
    r = minimize(lambda x: -sum(c * hill(max(x[i], 1e-12), h, s) for i, (_, c, h, s) in enumerate(CH)), np.full(4, 5000.0),
                 method="SLSQP", bounds=[(0, None)] * 4, constraints=[{"type": "ineq", "fun": lambda x: B - x.sum()}],
                 options={"ftol": 1e-14, "maxiter": 1000})
    out["scipy"] = {"objective": -r.fun, "b": list(r.x)}
except ImportError:
    pass
print(json.dumps(out, indent=1))
