#!/usr/bin/env python3
"""Progress bars (docs/cli.md, "Progress"): drawn on stderr only when it is a
terminal, never with --quiet or TERM=dumb, erased when the work ends, and the
report the same with or without them. The bars wait a second before they show;
MTC_PROGRESS_AFTER=0 makes them show at once, so that the test does not depend
on how fast the machine is.

usage: progress.py path/to/mtc SOURCE_DIR
"""
import os
import pty
import re
import subprocess
import sys
import tempfile

MTC, SRC = sys.argv[1], sys.argv[2]
MODEL = os.path.join(SRC, "examples/chiro/chiro.mtree")
failures = 0


def check(name, cond, detail=""):
    global failures
    print(("ok   " if cond else "FAIL ") + name)
    if not cond:
        failures += 1
        if detail:
            print("     " + detail[:2000])


def have_pty():
    try:
        a, b = pty.openpty()
    except OSError:  # a chroot without /dev/pts (a fresh-machine run)
        return False
    os.close(a)
    os.close(b)
    return True


# Without a pseudo-terminal, MTC_PROGRESS=always makes mtc draw on a pipe: the bars'
# checks run that way, and those of the terminal itself are skipped (said below).
PTY = have_pty()
if not PTY:
    print("skip the terminal checks: no pseudo-terminal here; bars forced with MTC_PROGRESS=always on a pipe")


def run(args, tty, env_extra, report=True):
    """Runs mtc with stderr on a pseudo-terminal (tty) or a pipe; the report
    goes to a file. Returns (exit code, stderr bytes, report text). Without a
    pseudo-terminal, tty=True means a pipe with MTC_PROGRESS=always."""
    if tty and not PTY:
        return run(args, False, dict(env_extra, MTC_PROGRESS="always"), report)
    env = dict(os.environ)
    env.pop("MTC_PROGRESS_AFTER", None)
    env.pop("MTC_PROGRESS", None)
    env["TERM"] = "xterm"
    env.update(env_extra)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "report.txt")
        cmd = [MTC, "run", MODEL, "-o", out] + args
        if tty:
            master, slave = pty.openpty()
            p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave, env=env)
            os.close(slave)
            err = b""
            while True:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the last writer closed the terminal
                    break
                if not chunk:
                    break
                err += chunk
            os.close(master)
            rc = p.wait(timeout=300)
        else:
            p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, timeout=300)
            rc, err = p.returncode, p.stderr
        if not report:
            return rc, err, None
        with open(out, encoding="utf-8") as f:
            return rc, err, f.read()


BAR = re.compile(rb"\r(simulate profit) \[[= >]+\] +(\d+)%  ([\d,]+)/10,000 runs")
ERASE = b"\r\x1b[K"

for jit in (["--jit=always"], ["--no-jit"]):
    tag = jit[0]
    rc0, err0, report0 = run(jit, tty=False, env_extra={"MTC_PROGRESS_AFTER": "0"})
    check(f"{tag}: stderr a pipe: exit 0", rc0 == 0, err0.decode(errors="replace"))
    check(f"{tag}: stderr a pipe: no bar, no carriage return", b"\r" not in err0 and b"\x1b" not in err0, repr(err0[:300]))

    rc, err, report = run(jit, tty=True, env_extra={"MTC_PROGRESS_AFTER": "0"})
    check(f"{tag}: on a terminal: exit 0", rc == 0, repr(err[:300]))
    bars = BAR.findall(err)
    check(f"{tag}: on a terminal: the simulation's bar is drawn", len(bars) > 0, repr(err[:600]))
    if bars:
        done = [int(b[2].replace(b",", b"")) for b in bars]
        check(f"{tag}: its counts only grow and stay within the 10,000 runs", done == sorted(done) and done[-1] <= 10000, str(done))
        pct = [int(b[1]) for b in bars]
        check(f"{tag}: its percentages agree with its counts",
              all(p == (100 * d) // 10000 for p, d in zip(pct, done)), f"{pct} {done}")
    for label in (b"reading history.csv", b"loading the metrics' series", b"forecasting the inputs", b"diagnose: the slices' cuboids"):
        check(f"{tag}: on a terminal: a bar for '{label.decode()}'", b"\r" + label in err, repr(err[:600]))
    check(f"{tag}: every bar is erased at the end", err.endswith(ERASE) and err.count(ERASE) >= 1, repr(err[-200:]))
    lines = err.replace(b"\r\n", b"\n").split(b"\n")
    check(f"{tag}: the bars never end a line (nothing is left of them)",
          all(not re.search(rb"\] +\d+%", l.split(ERASE)[-1]) for l in lines), repr(err[-300:]))
    check(f"{tag}: the report is the same with the bars", report == report0)

    rc, err, report = run(jit + ["--quiet"], tty=True, env_extra={"MTC_PROGRESS_AFTER": "0"})
    check(f"{tag}: --quiet: no bar on a terminal", rc == 0 and b"\r" not in err and b"\x1b" not in err, repr(err[:300]))
    rc, err, report = run(jit + ["-q"], tty=True, env_extra={"MTC_PROGRESS_AFTER": "0"})
    check(f"{tag}: -q: no bar on a terminal", rc == 0 and b"\r" not in err, repr(err[:300]))
    if PTY:
        rc, err, report = run(jit, tty=True, env_extra={"MTC_PROGRESS_AFTER": "0", "TERM": "dumb"})
        check(f"{tag}: TERM=dumb: no bar", rc == 0 and b"\r" not in err, repr(err[:300]))

# the default: nothing for work under a second (a describe of the example takes milliseconds)
rc, err, report = run(["--only", "describe"], tty=True, env_extra={})
check("default delay: no bar for a run of milliseconds", rc == 0 and b"\r" not in err, repr(err[:300]))

# an error found while loading: the bar is gone before the message
with tempfile.TemporaryDirectory() as tmp:
    os.mkdir(os.path.join(tmp, "data"))
    with open(os.path.join(SRC, "examples/chiro/data/history.csv"), encoding="utf-8") as f:
        rows = f.read().splitlines()
    rows[5] = rows[5].rsplit(",", 1)[0] + ",12abc"
    with open(os.path.join(tmp, "data/history.csv"), "w", encoding="utf-8") as f:
        f.write("\n".join(rows) + "\n")
    model = os.path.join(tmp, "m.mtree")
    with open(MODEL, encoding="utf-8") as f, open(model, "w", encoding="utf-8") as g:
        g.write(f.read())
    MODEL = model
    rc, err, _ = run(["--no-jit"], tty=True, env_extra={"MTC_PROGRESS_AFTER": "0"}, report=False)
    line = next((l for l in err.split(b"\n") if b"error:" in l), b"")
    seg = re.sub(rb"\x1b\[[0-9;]*m", b"", line.split(ERASE)[-1])  # the message's colours off
    check("bad cell: exit 3 with the located error", rc == 3 and b"12abc" in err, repr(err[-600:]))
    check("bad cell: the message starts on a clean line", ERASE in line and seg.startswith(tmp.encode()),
          repr(line))

print(f"{failures} failed" if failures else "all passed")
sys.exit(1 if failures else 0)
