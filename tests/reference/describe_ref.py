#!/usr/bin/env python3
"""Independent reference numbers for the `describe` statements of the examples.

This is a second implementation of the describe semantics, written without
mtc: it reads only the CSV files, and the formulas of the models are written
out again below in Python. It must never import anything from mtc.

    python3 tests/reference/describe_ref.py            # writes every example
    python3 tests/reference/describe_ref.py chiro      # writes one

writes tests/reference/<example>_describe.json. It prints nothing on success.
README.md beside this file explains the semantics.
"""

import csv
import itertools
import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


# --------------------------------------------------------------------------- series

class Series:
    """Values aligned with a model's periods; None is a missing value."""

    __slots__ = ("v",)

    def __init__(self, values):
        self.v = list(values)

    def __len__(self):
        return len(self.v)

    @staticmethod
    def _zip(a, b):
        n = len(a.v) if isinstance(a, Series) else len(b.v)
        av = a.v if isinstance(a, Series) else [float(a)] * n
        bv = b.v if isinstance(b, Series) else [float(b)] * n
        return av, bv

    @staticmethod
    def _op(a, b, f):
        av, bv = Series._zip(a, b)
        out = []
        for x, y in zip(av, bv):
            if x is None or y is None:
                out.append(None)
            else:
                try:
                    r = f(x, y)
                except ZeroDivisionError:
                    r = None
                if r is not None and (math.isnan(r) or math.isinf(r)):
                    r = None
                out.append(r)
        return Series(out)

    def __add__(self, o): return Series._op(self, o, lambda x, y: x + y)
    def __radd__(self, o): return Series._op(o, self, lambda x, y: x + y)
    def __sub__(self, o): return Series._op(self, o, lambda x, y: x - y)
    def __rsub__(self, o): return Series._op(o, self, lambda x, y: x - y)
    def __mul__(self, o): return Series._op(self, o, lambda x, y: x * y)
    def __rmul__(self, o): return Series._op(o, self, lambda x, y: x * y)
    def __truediv__(self, o): return Series._op(self, o, lambda x, y: x / y)
    def __rtruediv__(self, o): return Series._op(o, self, lambda x, y: x / y)


def lag(x, n):
    """x n periods back; None before the first period of data."""
    return Series([None] * n + x.v[:len(x.v) - n]) if n > 0 else Series(x.v)


def delta(x):
    return x - lag(x, 1)


def pct_change(x):
    return x / lag(x, 1) - 1


def cumsum(x):
    out, acc = [], 0.0
    for v in x.v:
        acc = None if (acc is None or v is None) else acc + v
        out.append(acc)
    return Series(out)


def rolling_sum(x, n):
    out = []
    for t in range(len(x.v)):
        window = x.v[t - n + 1:t + 1] if t - n + 1 >= 0 else None
        out.append(None if window is None or any(v is None for v in window) else _sum(window))
    return Series(out)


def rolling_mean(x, n):
    return rolling_sum(x, n) / n


class Calendar:
    """The model's periods (month grain): used by ytd, which needs the calendar year."""
    periods = []


def ytd(x):
    out, acc, year = [], 0.0, None
    for p, v in zip(Calendar.periods, x.v):
        y = p[:4]
        if y != year:
            year, acc = y, 0.0
        acc = None if (acc is None or v is None) else acc + v
        out.append(acc)
    return Series(out)


def yoy(x):
    return x / lag(x, 12) - 1


def _sum(values):
    """Left-to-right sum, like a plain loop (no math.fsum: mtc sums in order too)."""
    acc = 0.0
    for v in values:
        acc += v
    return acc


def aggregate(series_list, agg):
    """Combine several series period by period; missing if any input is missing."""
    out = []
    for vals in zip(*[s.v for s in series_list]):
        if any(v is None for v in vals):
            out.append(None)
        elif agg == "sum":
            out.append(_sum(vals))
        elif agg == "mean":
            out.append(_sum(vals) / len(vals))
        elif agg == "min":
            out.append(min(vals))
        elif agg == "max":
            out.append(max(vals))
        elif agg == "last":
            out.append(vals[-1])
        else:
            raise ValueError(agg)
    return Series(out)


# --------------------------------------------------------------------------- models

def intensive(unit):
    """Ratios and per-unit quantities do not add up: their default roll-up is the mean."""
    return unit == "ratio" or "/" in unit


class Data:
    def __init__(self, unit, dims, column, agg=None):
        self.unit, self.dims, self.column = unit, tuple(dims), column
        self.agg = agg or ("mean" if intensive(unit) else "sum")


class Formula:
    """fn(env) computes the formula. agg: the metric declares `agg:`. dim_params: the
    formula reads a param that has dimensions (its total is the sum of its slices)."""

    def __init__(self, unit, dims, fn, agg=None, dim_params=False):
        self.unit, self.dims, self.fn = unit, tuple(dims), fn
        self.agg, self.dim_params = agg, dim_params


class Env:
    """What a formula sees when evaluated for one slice, or a roll-up level (a
    partial slice: the dimensions it does not name are rolled up)."""

    def __init__(self, model, metric_name, sl):
        self.model, self.metric_name, self.sl = model, metric_name, sl

    def _restrict(self, name):
        dims = self.model.metrics[name].dims
        return {d: v for d, v in self.sl.items() if d in dims}

    def m(self, name):
        """A metric, at this slice (broadcast when it has fewer dimensions)."""
        return self.model.value(name, self._restrict(name))

    def sum_over(self, name, *over):
        """sum(name over dims...)."""
        base = self._restrict(name)
        assert not (set(over) & set(base)), (self.metric_name, name, over)
        parts = []
        for combo in itertools.product(*[self.model.dims[d] for d in over]):
            sl = dict(base)
            sl.update(zip(over, combo))
            parts.append(self.model.value(name, sl))
        return aggregate(parts, "sum")

    def p(self, name):
        """A param's value at this slice."""
        spec = self.model.params[name]
        if isinstance(spec, tuple):
            dim, values = spec
            assert self.model.metrics[self.metric_name].dim_params, \
                f"{self.metric_name} reads {name}, a param with dimensions: mark it dim_params"
            return values[self.sl[dim]]
        return spec


class Model:
    def __init__(self, name, csv_path, time_column, dims, source_dims, params, metrics,
                 statements):
        self.name, self.csv_path, self.time_column = name, csv_path, time_column
        self.dims, self.source_dims = dims, source_dims
        self.params, self.metrics, self.statements = params, metrics, statements
        self.cache = {}
        self._load()

    # ---- data
    def _load(self):
        path = os.path.join(ROOT, self.csv_path)
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
        periods = sorted({r[self.time_column] for r in rows})
        # The months must be contiguous: the examples' data has no gaps.
        y, m = map(int, periods[0].split("-"))
        expect = []
        while len(expect) < len(periods):
            expect.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        if expect != periods:
            raise SystemExit(f"{path}: the months are not contiguous")
        self.periods = periods
        index = {p: i for i, p in enumerate(periods)}
        columns = {m.column for m in self.metrics.values() if isinstance(m, Data)}
        self.data = {}  # (column, slice tuple in source_dims order) -> list
        seen = set()
        for line, r in enumerate(rows, start=2):
            key = tuple(r[d] for d in self.source_dims)
            for d, v in zip(self.source_dims, key):
                if v not in self.dims[d]:
                    raise SystemExit(f"{path}:{line}: unknown {d} {v!r}")
            if (r[self.time_column], key) in seen:
                raise SystemExit(f"{path}:{line}: duplicate row")
            seen.add((r[self.time_column], key))
            for c in columns:
                if r[c] is None or r[c].strip() == "":
                    raise SystemExit(f"{path}:{line}: missing {c}")
                self.data.setdefault((c, key), [None] * len(periods))[index[r[self.time_column]]] = float(r[c])
        n_slices = 1
        for d in self.source_dims:
            n_slices *= len(self.dims[d])
        if len(seen) != n_slices * len(periods):
            raise SystemExit(f"{path}: incomplete data ({len(seen)} rows)")

    def full_slices(self, dims, partial=None):
        partial = partial or {}
        out = []
        for combo in itertools.product(*[self.dims[d] for d in dims]):
            sl = dict(zip(dims, combo))
            if all(sl[d] == v for d, v in partial.items()):
                out.append(sl)
        return out

    # ---- evaluation
    def value(self, name, sl):
        key = (name, tuple(sorted(sl.items())))
        if key in self.cache:
            return self.cache[key]
        m = self.metrics[name]
        assert set(sl) <= set(m.dims), (name, sl)
        full = len(sl) == len(m.dims)
        if isinstance(m, Data):
            assert m.dims == tuple(self.source_dims), name
            parts = [Series(self.data[(m.column, tuple(s[d] for d in self.source_dims))])
                     for s in self.full_slices(m.dims, sl)]
            v = parts[0] if full else aggregate(parts, m.agg)
        elif full:
            v = m.fn(Env(self, name, sl))
        elif m.agg:
            v = aggregate([self.value(name, s) for s in self.full_slices(m.dims, sl)], m.agg)
        elif m.dim_params:
            v = aggregate([self.value(name, s) for s in self.full_slices(m.dims, sl)], "sum")
        else:
            v = m.fn(Env(self, name, sl))  # the formula on rolled-up inputs
        assert len(v) == len(self.periods)
        self.cache[key] = v
        return v

    # ---- describe
    def describe(self):
        Calendar.periods = self.periods
        results = []
        for names, frm, to in self.statements:
            lo = self.periods.index(frm) if frm else 0
            hi = self.periods.index(to) + 1 if to else len(self.periods)
            window = slice(lo, hi)
            out = {}
            for n in names:
                m = self.metrics[n]
                total = self.value(n, {})
                change = delta(total)
                entry = {
                    "unit": m.unit,
                    "periods": self.periods[window],
                    "values": total.v[window],
                    "change": change.v[window],
                }
                if m.dims:
                    entry["dims"] = list(m.dims)
                    entry["slices"] = [
                        {"slice": s, "values": self.value(n, s).v[window]}
                        for s in self.full_slices(m.dims)
                    ]
                out[n] = entry
            results.append({"kind": "describe", "from": frm, "to": to, "metrics": out})
        return {
            "model": self.name,
            "source": self.csv_path,
            "generated_by": "tests/reference/describe_ref.py",
            "results": results,
        }


# --------------------------------------------------------------------------- chiro

def chiro():
    CR = ("channel", "region")
    metrics = {
        # awareness
        "spend": Data("USD", CR, "spend", agg="sum"),
        "website_sessions": Data("session", CR, "website_sessions"),
        "spend_growth": Formula("ratio", ("channel",),
                                lambda e: pct_change(e.sum_over("spend", "region"))),
        # acquisition
        "leads": Data("lead", CR, "leads"),
        "new_patients": Data("patient", CR, "new_patients"),
        "cost_per_lead": Formula("USD/lead", CR, lambda e: e.m("spend") / e.m("leads")),
        "conversion_rate": Formula("patient/lead", CR, lambda e: e.m("new_patients") / e.m("leads")),
        "cac": Formula("USD/patient", CR, lambda e: e.m("spend") / e.m("new_patients")),
        "leads_3m": Formula("lead", ("channel",),
                            lambda e: rolling_mean(e.sum_over("leads", "region"), 3)),
        "new_patients_change": Formula("patient", CR, lambda e: delta(e.m("new_patients"))),
        "patients_to_date": Formula("patient", (),
                                    lambda e: cumsum(e.sum_over("new_patients", "channel", "region"))),
        # treatment
        "visits": Data("visit", CR, "visits"),
        "visits_per_patient": Formula("visit/patient", CR,
                                      lambda e: e.m("visits") / e.m("active_patients")),
        "utilization": Formula("ratio", (),
                               lambda e: e.sum_over("visits", "channel", "region") / 2600.0),
        # retention
        "active_patients": Data("patient", CR, "active_patients"),
        "lapsed_patients": Data("patient", CR, "lapsed_patients"),
        "retention_rate": Formula("ratio", CR,
                                  lambda e: 1 - e.m("lapsed_patients") / lag(e.m("active_patients"), 1)),
        "satisfaction": Data("ratio", CR, "satisfaction", agg="mean"),
        # economics
        "revenue": Formula("USD", CR, lambda e: e.m("visits") * e.p("price")),
        "revenue_yoy": Formula("ratio", ("region",), lambda e: yoy(e.sum_over("revenue", "channel"))),
        "gross_margin": Formula("USD", CR, lambda e: e.m("revenue") - e.m("visits") * e.p("visit_cost")),
        "commission_cost": Formula("USD", CR, lambda e: e.m("revenue") * e.p("commission"),
                                   dim_params=True),
        "marketing_contribution": Formula(
            "USD", CR, lambda e: e.m("gross_margin") - e.m("spend") - e.m("commission_cost")),
        "profit": Formula("USD", (),
                          lambda e: e.sum_over("marketing_contribution", "channel", "region")
                          - e.p("fixed_costs")),
        "profit_ytd": Formula("USD", (), lambda e: ytd(e.m("profit"))),
    }
    params = {
        "price": 65.0,
        "visit_cost": 28.0,
        "commission": ("channel", {"ppc": 0.0, "sales": 0.10, "consultants": 0.15}),
        "fixed_costs": 38000.0,
    }
    statements = [
        (["revenue", "profit", "new_patients", "cost_per_lead", "conversion_rate"], None, None),
        (["spend", "leads", "cac", "retention_rate", "satisfaction", "commission_cost"],
         "2024-01", "2024-12"),
        (["revenue_yoy", "profit_ytd", "leads_3m", "spend_growth", "new_patients_change",
          "patients_to_date", "utilization"], "2024-07", None),
    ]
    return Model("chiro", "examples/chiro/data/history.csv", "month",
                 {"channel": ["ppc", "sales", "consultants"], "region": ["north", "south"]},
                 ["channel", "region"], params, metrics, statements)


# --------------------------------------------------------------------------- saas

def saas():
    PR = ("plan", "region")
    metrics = {
        # awareness
        "visitors": Data("visitor", PR, "visitors"),
        "spend": Data("USD", PR, "spend"),
        "spend_12m": Formula("USD", ("plan",), lambda e: rolling_sum(e.sum_over("spend", "region"), 12)),
        # signup and trial
        "signups": Data("account", PR, "signups"),
        "signup_rate": Formula("account/visitor", PR, lambda e: e.m("signups") / e.m("visitors")),
        "signups_3m": Formula("account", ("region",),
                              lambda e: rolling_mean(e.sum_over("signups", "plan"), 3)),
        "trials": Data("account", PR, "trials"),
        "trial_rate": Formula("ratio", PR, lambda e: e.m("trials") / e.m("signups")),
        # conversion
        "new_customers": Data("customer", PR, "new_customers"),
        "trial_conversion": Formula("customer/account", PR,
                                    lambda e: e.m("new_customers") / e.m("trials")),
        "cac": Formula("USD/customer", PR, lambda e: e.m("spend") / e.m("new_customers")),
        # retention
        "customers": Data("customer", PR, "customers"),
        "churned_customers": Data("customer", PR, "churned_customers"),
        "logo_churn": Formula("ratio", PR,
                              lambda e: e.m("churned_customers") / lag(e.m("customers"), 1)),
        "customers_change": Formula("customer", PR, lambda e: delta(e.m("customers"))),
        # recurring revenue
        "mrr": Data("USD", PR, "mrr"),
        "new_mrr": Data("USD", PR, "new_mrr"),
        "expansion_mrr": Data("USD", PR, "expansion_mrr"),
        "contraction_mrr": Data("USD", PR, "contraction_mrr"),
        "churned_mrr": Data("USD", PR, "churned_mrr"),
        "net_new_mrr": Formula("USD", PR, lambda e: e.m("new_mrr") + e.m("expansion_mrr")
                               - e.m("contraction_mrr") - e.m("churned_mrr")),
        "nrr": Formula("ratio", PR, lambda e: (lag(e.m("mrr"), 1) + e.m("expansion_mrr")
                                               - e.m("contraction_mrr") - e.m("churned_mrr"))
                       / lag(e.m("mrr"), 1)),
        "arr": Formula("USD", (), lambda e: e.sum_over("mrr", "plan", "region") * 12),
        "mrr_yoy": Formula("ratio", ("plan",), lambda e: yoy(e.sum_over("mrr", "region"))),
        "new_mrr_ytd": Formula("USD", (), lambda e: ytd(e.sum_over("new_mrr", "plan", "region"))),
        # unit economics
        "arpa": Formula("USD/customer", PR, lambda e: e.m("mrr") / e.m("customers")),
        "hosting_cost": Formula("USD", PR,
                                lambda e: e.m("customers") * (e.p("infra_cost") + e.p("support_cost")),
                                dim_params=True),
        "gross_profit": Formula("USD", PR, lambda e: e.m("mrr") - e.m("hosting_cost")),
        "gross_margin": Formula("ratio", PR, lambda e: e.m("gross_profit") / e.m("mrr")),
        "ltv": Formula("USD/customer", PR,
                       lambda e: e.m("arpa") * e.m("gross_margin") / e.m("logo_churn")),
        "ltv_to_cac": Formula("ratio", PR, lambda e: e.m("ltv") / e.m("cac")),
        # payback: cac / (arpa * gross_margin) * (1 month), in months
        "payback": Formula("month", PR,
                           lambda e: e.m("cac") / (e.m("arpa") * e.m("gross_margin")) * 1.0),
        "magic_number": Formula(
            "ratio", (),
            lambda e: rolling_sum(e.sum_over("net_new_mrr", "plan", "region"), 3) * 12
            / lag(rolling_sum(e.sum_over("spend", "plan", "region"), 3), 3)),
    }
    params = {
        "infra_cost": ("plan", {"starter": 6.0, "pro": 18.0, "enterprise": 140.0}),
        "support_cost": 4.0,
    }
    statements = [
        (["arr", "mrr", "net_new_mrr", "nrr", "logo_churn", "arpa", "ltv", "cac", "ltv_to_cac",
          "payback"], None, None),
        (["visitors", "signups", "trials", "new_customers", "signup_rate", "trial_conversion",
          "gross_margin", "hosting_cost"], "2024-01", "2024-12"),
        (["mrr_yoy", "new_mrr_ytd", "signups_3m", "customers_change", "spend_12m",
          "magic_number"], "2024-01", None),
    ]
    return Model("saas", "examples/saas/data/history.csv", "month",
                 {"plan": ["starter", "pro", "enterprise"], "region": ["emea", "amer", "apac"]},
                 ["plan", "region"], params, metrics, statements)


EXAMPLES = {"chiro": chiro, "saas": saas}


def main(argv):
    names = argv[1:] or sorted(EXAMPLES)
    for n in names:
        if n not in EXAMPLES:
            sys.stderr.write(f"unknown example {n!r}; known: {', '.join(sorted(EXAMPLES))}\n")
            return 2
        doc = EXAMPLES[n]().describe()
        with open(os.path.join(HERE, f"{n}_describe.json"), "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
