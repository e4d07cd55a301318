#!/usr/bin/env python3
"""Checks `mtc run --format json` of each stdlib test model against values worked
out by hand from the data files (the arithmetic is written out next to each number).

usage: expected.py MTC SOURCE_DIR
"""
import json
import math
import os
import subprocess
import sys

N = None  # a missing value (a lag reaching before the first period, ...)
e = math.exp

# Spend 1000, 2000, 500, 4000 USD; half 2000 USD; cap 300 lead.
spend = [1000, 2000, 500, 4000]
ad = [1000, 2500, 1750, 4875]  # adstock, decay 50%: x + 0.5 * previous
RESPONSE = {
    "hill_leads": [100, 150, 60, 200],                              # 300 x / (x + 2000)
    "hill2_leads": [60, 150, 300 / 17, 240],                        # 300 x^2 / (x^2 + 2000^2)
    "half_leads": [300 * (1 - 2 ** -0.5), 150, 300 * (1 - 2 ** -0.25), 225],  # 300 (1 - 2^(-x/2000))
    "s90_leads": [300 * (1 - 10 ** -0.25), 300 * (1 - 10 ** -0.5), 300 * (1 - 10 ** -0.125), 270],
    "logistic_leads": [300 / (1 + e(1)), 150, 300 / (1 + e(1.5)), 300 / (1 + e(-2))],
    "weibull_leads": [300 * (1 - e(-0.25)), 300 * (1 - e(-1)), 300 * (1 - e(-1 / 16)), 300 * (1 - e(-4))],
    "linear_leads": [100, 200, 50, 300],                            # min(0.1 x, 300)
    "carried": [500, 1250, 875, 2437.5],                            # 0.5 * adstock
    "mmm_leads": [300 * a / (a + 2000) for a in ad],
    "mmm_sat_leads": [300 * (1 - 2 ** (-a / 2000)) for a in ad],
    "leads_per_usd": [0.1, 0.075, 0.12, 0.05],                      # hill_leads / spend
    "elasticity": [N, (150 / 100 - 1) / (2000 / 1000 - 1), (60 / 150 - 1) / (500 / 2000 - 1), (200 / 60 - 1) / (4000 / 500 - 1)],
}

SAAS = {
    "net_new_mrr": [1200, 1100, 400, 800, 800, 400],                # new + expansion - contraction - churned
    "arr": [120000, 133200, 138000, 147600, 157200, 162000],        # 12 mrr
    "arpa": [100, 11100 / 110, 100, 102.5, 13100 / 126, 13500 / 130],
    "quick_ratio": [1500 / 300, 1600 / 500, 1000 / 600, 1200 / 400, 1200 / 400, 900 / 500],
    "logo_churn": [N, 0.04, 4 / 110, 3 / 115, 3 / 120, 3 / 126],     # churned / previous customers
    "revenue_churn": [N, 0.05, 600 / 11100, 400 / 11500, 400 / 12300, 500 / 13100],
    "nrr": [N, 0.97, 10600 / 11100, 1.0, 12200 / 12300, 12800 / 13100],
    "grr": [N, 0.95, 10500 / 11100, 11100 / 11500, 11900 / 12300, 12600 / 13100],
    "annual_churn": [N, 1 - 0.96 ** 12, 1 - (1 - 4 / 110) ** 12, 1 - (1 - 3 / 115) ** 12, 1 - (1 - 3 / 120) ** 12, 1 - (1 - 3 / 126) ** 12],
    "lifetime": [N, 25, 27.5, 115 / 3, 40, 42],                     # months: 1 / churn
    "cac": [500, 500, 500, 500, 5000 / 9, 800],                     # spend / new customers
    "ltv": [N, 11100 / 110 * 0.8 / 0.04, 100 * 0.8 / (4 / 110), 102.5 * 0.8 / (3 / 115), 13100 / 126 * 0.8 / (3 / 120), 13500 / 130 * 0.8 / (3 / 126)],
    "payback": [500 / 80, 500 / (11100 / 110 * 0.8), 500 / 80, 500 / 82, (5000 / 9) / (13100 / 126 * 0.8), 800 / (13500 / 130 * 0.8)],
    # June: net new MRR of Apr-Jun (800 + 800 + 400) * 12 over spend of Jan-Mar (6000 + 7000 + 4500)
    "magic_number": [N, N, N, N, N, 2000 * 12 / 17500],
}
SAAS["ltv_to_cac"] = [None if l is None else l / c for l, c in zip(SAAS["ltv"], SAAS["cac"])]

ECOMMERCE = {
    "conversion": [0.02, 0.025, 0.02],          # orders / sessions
    "aov": [60, 50, 70],                        # revenue / orders
    "funnel_revenue": [12000, 15000, 11200],    # sessions * conversion * aov gives revenue back
    "rps": [1.2, 1.25, 1.4],
    "abandonment": [0.6, 0.5, 0.6],             # 1 - orders / carts
    "items_per_order": [1.5, 1.4, 1.5],
    "repeat_rate": [0.3, 0.4, 0.5],
    "frequency": [200 / 180, 1.2, 160 / 150],
    "roas": [4, 3, 4],
    "refund_rate": [0.05, 0.02, 0.05],
    "contribution": [3000, 2500, 2800],         # revenue - cogs - fulfilment - ad spend
    "cost_per_order": [15, 5000 / 300, 17.5],
}

SERVICES = {
    "qualify_rate": [0.5, 0.4],
    "proposal_rate": [0.5, 0.4],
    "win_rate": [0.4, 0.25],
    "funnel_won": [4, 2],                       # 40 * 0.5 * 0.5 * 0.4; 50 * 0.4 * 0.4 * 0.25
    "deal_size": [20000, 25000],
    "pipeline": [80000, 50000],                 # 10 * 20000 * 0.4; 8 * 25000 * 0.25
    "utilization": [0.75, 0.85],
    "standard_value": [150000, 170000],         # hours * 125 USD/hour
    "realization": [0.96, 0.88],
    "effective_rate": [120, 110],
    "revenue_per_head": [14400, 14960],
    "backlog_cover": [300000 / 144000, 250000 / 149600],
}

UNITS = {"conversion": "order/session", "aov": "USD/order", "lifetime": "month", "payback": "month",
         "proposal_rate": "deal/lead", "effective_rate": "USD/hour", "leads_per_usd": "lead/USD"}

MODELS = {"response_test": RESPONSE, "saas_test": SAAS, "ecommerce_test": ECOMMERCE, "services_test": SERVICES}


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def main():
    mtc, src = sys.argv[1], sys.argv[2]
    fails = checked = 0
    for name, want in MODELS.items():
        path = os.path.join(src, "tests", "stdlib", name + ".mtree")
        out = subprocess.run([mtc, "run", "--format", "json", path], capture_output=True, text=True)
        if out.returncode != 0:
            print(f"FAIL {name}: exit {out.returncode}\n{out.stderr}")
            fails += 1
            continue
        got = {}
        for r in json.loads(out.stdout)["results"]:
            got.update(r["metrics"])
        for metric, values in want.items():
            g = got.get(metric)
            if g is None:
                print(f"FAIL {name}: {metric} not described")
                fails += 1
                continue
            if metric in UNITS and g["unit"] != UNITS[metric]:
                print(f"FAIL {name} {metric}: unit {g['unit']}, want {UNITS[metric]}")
                fails += 1
            if len(g["values"]) != len(values):
                print(f"FAIL {name} {metric}: {len(g['values'])} periods, want {len(values)}")
                fails += 1
                continue
            for p, a, b in zip(g["periods"], g["values"], values):
                checked += 1
                if not close(a, b):
                    print(f"FAIL {name} {metric} {p}: mtc {a}, want {b}")
                    fails += 1
    print(f"{checked} values checked, {fails} failure(s)")
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
