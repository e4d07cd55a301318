#!/usr/bin/env python3
"""Generates a large mtree model for benchmarks.

usage: gen_model.py METRICS [OUT]   (a chain of stages, units, dimensions, params,
data metrics and formula metrics of the shapes business models use: a*b, a/b,
sums, reductions, time operators)
"""
import random, sys

n = int(sys.argv[1])
out = open(sys.argv[2], "w") if len(sys.argv) > 2 else sys.stdout
rnd = random.Random(7)
w = out.write
w('model big "Generated benchmark model" { grain: month currency: USD }\n')
w("unit item\nunit lead\ndimension channel { a, b, c, d }\ndimension region { north, south, east }\n")
w("chain flow external {\n" + "".join(f"  stage s{i}\n" for i in range(10)) + "}\n")
w('source h = csv("data.csv") { time: month dimensions: channel, region }\n')
w("param price: USD/item = 12.5\nparam rate: ratio by channel = { a: 10%, b: 20%, c: 30%, _: 5% }\n")
inputs = max(10, n // 10)
units = {}
for i in range(inputs):
    u = "item" if i % 2 else "USD"
    units[f"m{i}"] = u
    w(f"metric m{i}: {u} by channel, region {{ data: h.c{i} stage: s{i % 10} }}\n")
for i in range(inputs, n):
    a, b = f"m{rnd.randrange(i)}", f"m{rnd.randrange(i)}"
    ua, ub = units[a], units[b]
    k = rnd.randrange(6)
    if k == 0 and ua == ub:
        f, u = f"{a} + {b}", ua
    elif k == 1:
        f, u = f"{a} * rate", ua
    elif k == 2 and ua == "item":
        f, u = f"{a} * price", "USD"
    elif k == 3:
        f, u = f"lag({a}, 1) + {a}", ua
    elif k == 4 and ua == ub:
        f, u = f"max({a}, {b}) - min({a}, {b})", ua
    else:
        f, u = f"rolling_mean({a}, 3)", ua
    units[f"m{i}"] = u
    w(f"metric m{i}: {u} by channel, region = {f} {{ stage: s{i % 10} }}\n")
w(f"metric total: USD = sum(m0 over channel, region) {{ role: north_star stage: s0 }}\n")
w("describe total\n")
