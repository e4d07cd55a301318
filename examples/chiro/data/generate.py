#!/usr/bin/env python3
"""Generate examples/chiro/data/history.csv for the Chiro 1st example model.

Deterministic (fixed seed, Python standard library only): running it again
rewrites the same file byte for byte.

    python3 examples/chiro/data/generate.py

One row per (month, channel, region), 2023-01 .. 2025-06 (30 months x 3
channels x 2 regions = 180 rows), no missing cells. Columns:

    month             the period, YYYY-MM
    channel           ppc | sales | consultants
    region            north | south
    spend             marketing spend in the month, USD (2 decimals)
    website_sessions  website sessions attributed to the channel (integer)
    leads             enquiries (integer)
    new_patients      leads that booked a first treatment (integer)
    active_patients   patients with at least one visit in the month (integer)
    lapsed_patients   patients who stopped their care plan in the month (integer)
    visits            treatment visits (integer)
    satisfaction      share of surveyed patients who rate the clinic 9-10 (2 decimals)

The story the data tells (so `diagnose` has something to find later):

* Demand is seasonal: a January peak (new-year resolutions, insurance
  deductibles reset), a summer dip and a December trough; spend grows about 1%
  a month.
* Leads respond to spend with a one-month carry-over (60% this month, 40% the
  month after): `relation spend -> leads: causal { lag: 1 month }`.
* `google_update` (2024-03): PPC costs per lead jump 35% for three months and
  stay 15% above trend afterwards.
* `staff_shortage` (2024-07 .. 2024-08): a chiropractor on leave in the north
  clinic cuts visits per active patient there by about 20%.
* Active patients are a stock: active[t] = active[t-1] - lapsed[t] + new[t].
"""

import csv
import os
import random

SEED = 20250730
START_YEAR, START_MONTH, N_MONTHS = 2023, 1, 30

CHANNELS = ["ppc", "sales", "consultants"]
REGIONS = ["north", "south"]

# Monthly base spend (USD) at 2023-01.
BASE_SPEND = {
    ("ppc", "north"): 4200.0, ("ppc", "south"): 3400.0,
    ("sales", "north"): 2600.0, ("sales", "south"): 2200.0,
    ("consultants", "north"): 1500.0, ("consultants", "south"): 1800.0,
}
COST_PER_LEAD = {"ppc": 42.0, "sales": 75.0, "consultants": 65.0}
SESSIONS_PER_LEAD = {"ppc": 14.0, "sales": 4.0, "consultants": 3.0}
CONVERSION = {"ppc": 0.18, "sales": 0.32, "consultants": 0.48}
LAPSE_RATE = {"ppc": 0.15, "sales": 0.11, "consultants": 0.08}
VISITS_PER_PATIENT = {"north": 2.9, "south": 2.7}
SATISFACTION = {"ppc": 0.66, "sales": 0.72, "consultants": 0.79}

# Month-of-year multipliers (index 0 = January).
LEAD_SEASON = [1.18, 1.08, 1.05, 1.00, 0.98, 0.93, 0.88, 0.90, 1.02, 1.04, 0.97, 0.85]
VISIT_SEASON = [1.05, 1.02, 1.01, 1.00, 1.00, 0.98, 0.94, 0.93, 1.00, 1.02, 0.99, 0.90]
LAPSE_SEASON = [0.90, 0.95, 1.00, 1.00, 1.00, 1.08, 1.15, 1.12, 0.98, 0.95, 1.00, 1.10]


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
    rows = []
    state = {}
    for c in CHANNELS:
        for r in REGIONS:
            base_new = BASE_SPEND[(c, r)] / COST_PER_LEAD[c] * CONVERSION[c]
            state[(c, r)] = {
                "active": round(base_new / LAPSE_RATE[c]),  # steady state before the data starts
                "prev_spend": BASE_SPEND[(c, r)] * 0.98,
            }
    for t, (y, m) in enumerate(months()):
        period = f"{y:04d}-{m:02d}"
        mi = m - 1
        for c in CHANNELS:
            for r in REGIONS:
                s = state[(c, r)]
                spend = BASE_SPEND[(c, r)] * (1.01 ** t) * (0.9 + 0.2 * LEAD_SEASON[mi] / 1.18)
                spend *= rng.uniform(0.94, 1.06)
                spend = round(spend, 2)

                cpl = COST_PER_LEAD[c] * (1.003 ** t)
                if c == "ppc":
                    if period in ("2024-03", "2024-04", "2024-05"):
                        cpl *= 1.35
                    elif period >= "2024-06":
                        cpl *= 1.15
                effective = 0.6 * spend + 0.4 * s["prev_spend"]
                leads = round(effective / cpl * LEAD_SEASON[mi] * rng.uniform(0.92, 1.08))
                leads = max(leads, 1)

                sessions = round(leads * SESSIONS_PER_LEAD[c] * rng.uniform(0.85, 1.15))

                conv = CONVERSION[c] * rng.uniform(0.88, 1.12)
                new_patients = max(1, round(leads * conv))

                lapse = LAPSE_RATE[c] * LAPSE_SEASON[mi] * rng.uniform(0.85, 1.15)
                lapsed = round(s["active"] * lapse)
                active = s["active"] - lapsed + new_patients

                vpp = VISITS_PER_PATIENT[r] * VISIT_SEASON[mi] * rng.uniform(0.95, 1.05)
                if r == "north" and period in ("2024-07", "2024-08"):
                    vpp *= 0.80
                visits = round(active * vpp)

                sat = SATISFACTION[c] + rng.uniform(-0.04, 0.04)
                if r == "north" and period in ("2024-07", "2024-08"):
                    sat -= 0.06
                sat = round(sat, 2)

                rows.append([period, c, r, f"{spend:.2f}", sessions, leads, new_patients,
                             active, lapsed, visits, f"{sat:.2f}"])
                s["active"] = active
                s["prev_spend"] = spend

    path = os.path.join(here, "history.csv")
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["month", "channel", "region", "spend", "website_sessions", "leads",
                    "new_patients", "active_patients", "lapsed_patients", "visits",
                    "satisfaction"])
        w.writerows(rows)


if __name__ == "__main__":
    main()
