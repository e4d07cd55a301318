#!/usr/bin/env python3
"""The numbers of expected.json, independently of mtc.

maximize f(a, b) = 100 hill(a; 1000, 4) + 160 hill(b; 2500, 4)  s.t.  a + b <= 3000, 0 <= a, b <= 5000.
Both marginal returns are positive, so the budget binds at every local optimum: along the budget
line g(a) = f(a, 3000 - a). A fine scan of g finds its local maxima (the ends count when g falls
away from them); the largest is the global optimum. The shadow price of the budget at the global
optimum (a = 0, b = 3000) is df/db there (a sits on its lower bound, where hill' = 0)."""
import json

H = lambda x, h, s: x ** s / (x ** s + h ** s)
dH = lambda x, h, s: s * x ** (s - 1) * h ** s / (x ** s + h ** s) ** 2
f = lambda a, b: 100 * H(a, 1000, 4) + 160 * H(b, 2500, 4)
g = lambda a: f(a, 3000 - a)
N = 300000
vals = [g(3000 * i / N) for i in range(N + 1)]
local = [(3000 * i / N, vals[i]) for i in range(N + 1)
         if (i == 0 or vals[i] >= vals[i - 1]) and (i == N or vals[i] >= vals[i + 1])]
out = {
    "local_maxima_on_the_budget_line": local,
    "global": {"a": 0.0, "b": 3000.0, "objective": f(0, 3000), "shadow_price": 160 * dH(3000, 2500, 4)},
    "from_current": {"objective": f(3000, 0), "why": {
        "df/da at (2400, 600)": 100 * dH(2400, 1000, 4), "df/db at (2400, 600)": 160 * dH(600, 2500, 4)}},
    "objective_before": f(2400, 600),
}
print(json.dumps(out, indent=1))
