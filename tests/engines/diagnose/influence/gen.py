# Writes data.csv and expected.json: least squares by numpy, Chow's test by R's strucchange.
import json, random, subprocess
import numpy as np
random.seed(11)
n = 24
months = ["%d-%02d" % (2024 + t // 12, t % 12 + 1) for t in range(n)]
spend = [round(random.uniform(1000, 3000), 2) for _ in range(n)]
discount = [round(random.uniform(0, 10), 2) for _ in range(n)]
leads = [None] + [round(50 + 0.02 * spend[t - 1] + 2 * discount[t] + random.gauss(0, 3), 2) for t in range(1, n)]
leads[0] = 95.0
spend[-1] = 2500.0
spend[-2] = 5200.0        # a campaign in 2025-11: leads jump in 2025-12
leads[-1] = round(50 + 0.02 * spend[-2] + 2 * discount[-1] + 1.5, 2)
with open("data.csv", "w") as f:
    f.write("month,spend,discount,leads\n")
    for row in zip(months, spend, discount, leads):
        f.write("%s,%s,%s,%s\n" % row)
conv = 0.25
p, q = n - 1, n - 2


def fit(x, y):
    pairs = [(a, b) for a, b in zip(x, y) if a is not None and b is not None]
    xs, ys = np.array([a for a, _ in pairs]), np.array([b for _, b in pairs])
    slope, intercept = np.polyfit(xs, ys, 1)
    r2 = 1 - ((ys - intercept - slope * xs) ** 2).sum() / ((ys - ys.mean()) ** 2).sum()
    return float(slope), float(intercept), float(r2), pairs


def chow(pairs):
    k = len(pairs) // 2
    xs = ",".join(str(a) for a, _ in pairs)
    ys = ",".join(str(b) for _, b in pairs)
    out = subprocess.run(["Rscript", "-e", "suppressMessages(library(strucchange)); x <- c(%s); y <- c(%s); "
                          "t <- sctest(y ~ x, type = 'Chow', point = %d); cat(sprintf('%%.17g %%.17g', t$statistic, t$p.value))"
                          % (xs, ys, k)], capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), float(out[1]), k


# spend -> leads, lag 1: leads[t] on spend[t - 1], t = 1 .. p
x1 = [None] + spend[:p]
s1, i1, r1, pairs1 = fit(x1, leads[:p + 1])
f1, pv1, k1 = chow(pairs1)
# discount -> leads, no lag
s2, i2, r2, pairs2 = fit(discount[:p + 1], leads[:p + 1])
f2, pv2, k2 = chow(pairs2)
dl = leads[p] - leads[q]
e1 = s1 * (spend[p - 1] - spend[q - 1])
e2 = s2 * (discount[p] - discount[q])
inf = lambda frm, lag, s, i, r, e, f, pv, k, pairs, sign, agrees: {
    "from": frm, "to": "leads", "lag": lag, "n": len(pairs), "slope": s, "intercept": i, "r2": r, "explained": e,
    "value": e * conv, "sign": sign, "sign_agrees": agrees,
    "break": {"test": "chow", "at": months[[t for t in range(p + 1) if (x1 if lag else discount)[t] is not None][k]], "f": f, "p_value": pv}}
exp = {"$tolerance": 1e-6, "model": "influence", "results": [{
    "kind": "diagnose", "metric": "customers", "at": "2025-12", "base": "2025-11", "change": dl * conv,
    "factors": [{"factor": "component"}, {"factor": "temporal"},
                {"factor": "influence", "contributions": [
                    inf("spend", 1, s1, i1, r1, e1, f1, pv1, k1, pairs1, "positive", bool(s1 > 0)),
                    inf("discount", 0, s2, i2, r2, e2, f2, pv2, k2, pairs2, "negative", bool(s2 < 0))]},
                {"factor": "dimension"}, {"factor": "event"}]}]}
json.dump(exp, open("expected.json", "w"), indent=1)
print(s1, i1, e1, pv1, s2, pv2)
