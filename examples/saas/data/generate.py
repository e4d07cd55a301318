#!/usr/bin/env python3
"""Generate examples/saas/data/history.csv for the SaaS example model.

Deterministic (fixed seed, Python standard library only): running it again
rewrites the same file byte for byte.

    python3 examples/saas/data/generate.py

One row per (month, plan, region), 2023-01 .. 2025-06 (30 months x 3 plans x
3 regions = 270 rows), no missing cells. Columns:

    month              the period, YYYY-MM
    plan               starter | pro | enterprise
    region             emea | amer | apac
    visitors           visitors of the plan's pricing page (integer)
    signups            accounts created (integer)
    trials             accounts that started a trial or asked for a demo (integer)
    new_customers      trials that became paying customers (integer)
    churned_customers  paying customers who cancelled in the month (integer)
    customers          paying customers at the end of the month (integer)
    new_mrr            MRR of the new customers, USD (2 decimals)
    expansion_mrr      MRR added by upgrades and seats of existing customers, USD
    contraction_mrr    MRR lost by downgrades of customers who stay, USD
    churned_mrr        MRR lost with the churned customers, USD
    mrr                monthly recurring revenue at the end of the month, USD
    spend              sales and marketing spend attributed to the plan, USD

Identities that hold exactly in every row (to the cent):

    customers[t] = customers[t-1] + new_customers[t] - churned_customers[t]
    mrr[t] = mrr[t-1] + new_mrr[t] + expansion_mrr[t] - contraction_mrr[t] - churned_mrr[t]

The story the data tells:

* Traffic grows about 2.5% a month, slowing down; December and August are quiet
  (EMEA's August especially), September busy.
* `pro_price_increase` (2024-04): the Pro list price rises from 199 to 229 USD
  a month for new customers; Pro trial conversion dips by about 10%.
* `outage` (2024-10): a nine-hour outage doubles churn in that month.
"""

import csv
import os
import random

SEED = 20250730
START_YEAR, START_MONTH, N_MONTHS = 2023, 1, 30

PLANS = ["starter", "pro", "enterprise"]
REGIONS = ["emea", "amer", "apac"]

BASE_VISITORS = {
    "starter": {"emea": 30000, "amer": 42000, "apac": 16000},
    "pro": {"emea": 13000, "amer": 18000, "apac": 7000},
    "enterprise": {"emea": 3500, "amer": 5000, "apac": 1500},
}
SIGNUP_RATE = {"starter": 0.045, "pro": 0.032, "enterprise": 0.006}
TRIAL_RATE = {"starter": 0.55, "pro": 0.62, "enterprise": 0.75}
TRIAL_TO_PAID = {"starter": 0.18, "pro": 0.22, "enterprise": 0.28}
LIST_PRICE = {"starter": 49.0, "pro": 199.0, "enterprise": 1500.0}
REGION_PRICE = {"emea": 0.95, "amer": 1.0, "apac": 0.85}
CHURN = {"starter": 0.045, "pro": 0.024, "enterprise": 0.010}
EXPANSION = {"starter": 0.006, "pro": 0.015, "enterprise": 0.025}
CONTRACTION = {"starter": 0.004, "pro": 0.006, "enterprise": 0.008}
COST_PER_VISITOR = {"starter": 1.80, "pro": 4.50, "enterprise": 25.0}
START_CUSTOMERS = {
    "starter": {"emea": 2600, "amer": 3600, "apac": 1400},
    "pro": {"emea": 1500, "amer": 2100, "apac": 700},
    "enterprise": {"emea": 150, "amer": 220, "apac": 60},
}

SEASON = [1.05, 1.02, 1.03, 1.00, 0.99, 0.97, 0.93, 0.90, 1.08, 1.05, 1.01, 0.85]
EMEA_AUGUST = 0.88  # extra dip on top of SEASON


def months():
    y, m = START_YEAR, START_MONTH
    for _ in range(N_MONTHS):
        yield y, m
        m += 1
        if m == 13:
            y, m = y + 1, 1


def main():
    rng = random.Random(SEED)
    here = os.path.dirname(os.path.abspath(__file__))
    state = {}
    for p in PLANS:
        for r in REGIONS:
            n = START_CUSTOMERS[p][r]
            arpa = LIST_PRICE[p] * REGION_PRICE[r] * 1.04  # older customers carry expansions
            state[(p, r)] = {"customers": n, "mrr": round(n * arpa, 2)}
    rows = []
    for t, (y, m) in enumerate(months()):
        period = f"{y:04d}-{m:02d}"
        mi = m - 1
        growth = 1.0
        for k in range(t):
            growth *= 1.0 + 0.025 * (0.97 ** k)
        for p in PLANS:
            for r in REGIONS:
                s = state[(p, r)]
                season = SEASON[mi] * (EMEA_AUGUST if (r == "emea" and m == 8) else 1.0)
                visitors = round(BASE_VISITORS[p][r] * growth * season * rng.uniform(0.93, 1.07))
                signups = round(visitors * SIGNUP_RATE[p] * rng.uniform(0.9, 1.1))
                trials = round(signups * TRIAL_RATE[p] * rng.uniform(0.92, 1.08))
                conv = TRIAL_TO_PAID[p] * rng.uniform(0.88, 1.12)
                price = LIST_PRICE[p]
                if p == "pro" and period >= "2024-04":
                    price = 229.0
                    conv *= 0.90
                new_customers = max(1, round(trials * conv))

                churn = CHURN[p] * rng.uniform(0.8, 1.2)
                if period == "2024-10":
                    churn *= 2.0
                churned = max(1, round(s["customers"] * churn))
                customers = s["customers"] + new_customers - churned

                prev_mrr = s["mrr"]
                prev_arpa = prev_mrr / s["customers"]
                new_mrr = round(new_customers * price * REGION_PRICE[r] * rng.uniform(0.97, 1.03), 2)
                expansion = round(prev_mrr * EXPANSION[p] * rng.uniform(0.7, 1.3), 2)
                contraction = round(prev_mrr * CONTRACTION[p] * rng.uniform(0.7, 1.3), 2)
                churned_mrr = round(churned * prev_arpa * rng.uniform(0.85, 1.05), 2)
                mrr = round(prev_mrr + new_mrr + expansion - contraction - churned_mrr, 2)

                spend = round(visitors * COST_PER_VISITOR[p] * rng.uniform(0.92, 1.08), 2)

                rows.append([period, p, r, visitors, signups, trials, new_customers, churned,
                             customers, f"{new_mrr:.2f}", f"{expansion:.2f}",
                             f"{contraction:.2f}", f"{churned_mrr:.2f}", f"{mrr:.2f}",
                             f"{spend:.2f}"])
                s["customers"] = customers
                s["mrr"] = mrr

    path = os.path.join(here, "history.csv")
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["month", "plan", "region", "visitors", "signups", "trials", "new_customers",
                    "churned_customers", "customers", "new_mrr", "expansion_mrr",
                    "contraction_mrr", "churned_mrr", "mrr", "spend"])
        w.writerows(rows)


if __name__ == "__main__":
    main()
