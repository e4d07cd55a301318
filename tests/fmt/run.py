#!/usr/bin/env python3
"""mtc fmt tests (docs/fmt-diff.md).

usage: run.py path/to/mtc SOURCE_DIR

1. Round trip over every .mtree file of the repository (examples/, tests/,
   stdlib/, ...; build and bench output excluded): the formatted text is
   idempotent, keeps every comment (same texts, same order, found by an
   independent scanner below), and means the same: `mtc check --dump-ir` is
   identical before and after for files that check; for files that only parse,
   the text with whitespace outside strings and comments removed is identical;
   copies re-spaced and re-indented at random format exactly as the original;
   copies with random extra line breaks format idempotently.
2. The repository is formatted: `mtc fmt --check` lists nothing.
3. Golden cases: tests/fmt/cases/NAME.in formats to NAME.out.
4. The command line: --check lists files and exits 4 (0 when formatted) and
   changes nothing; `-` reads stdin and writes stdout; a file that does not
   parse is left untouched, with a located error and exit 1; files are
   rewritten in place, keeping their mode.
"""
import os
import re
import random
import stat
import subprocess
import sys
import tempfile

MTC, SRC = sys.argv[1], os.path.abspath(sys.argv[2])
fails = 0


def ok(name):
    print(f"ok   {name}")


def bad(name, detail=""):
    global fails
    fails += 1
    print(f"FAIL {name}")
    if detail:
        print("    " + detail.replace("\n", "\n    ")[:3000])


def run(args, stdin=None):
    return subprocess.run([MTC] + args, input=stdin, capture_output=True, text=True)


def scan(text):
    """Comments, and the code with whitespace outside strings and comments removed."""
    comments, code = [], []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            comments.append(text[i:j].rstrip().rstrip("\r").rstrip())
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            comments.append(text[i:j])
            i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] not in '"\n':
                j += 2 if text[j] == "\\" else 1
            code.append(text[i:j + 1])
            i = j + 1
        else:
            if not c.isspace() and c != "\ufeff":
                code.append(c)
            i += 1
    return comments, "".join(code)


def perturb(text, rng):
    """The same code with different horizontal whitespace and indentation (never
    inside strings or comments, never where there was none) and longer runs of
    blank lines: it must format exactly as the original does."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
        elif c == '"':
            j = i + 1
            while j < n and text[j] not in '"\n':
                j += 2 if text[j] == "\\" else 1
            j += 1
        elif c in " \t\r\n":
            j = i
            while j < n and text[j] in " \t\r\n":
                j += 1
            newlines = text.count("\n", i, j)
            if newlines == 0:
                out.append(rng.choice([" ", "  ", "\t", " \t "]))
            else:
                if newlines >= 2:
                    newlines = rng.randint(2, 4)
                out.append(rng.choice(["", " ", "\t"]) + "\n" * newlines + " " * rng.randint(0, 9))
            i = j
            continue
        else:
            j = i + 1
        out.append(text[i:j])
        i = j
    return "".join(out)


def break_lines(text, rng):
    """The same code with some spaces turned into line breaks (on lines without
    strings or comments): formatting it must succeed and be idempotent."""
    out = []
    for line in text.split("\n"):
        if '"' in line or "//" in line or "/*" in line:
            out.append(line)
            continue
        out.append("".join("\n" if c == " " and i > 0 and rng.random() < 0.15 else c for i, c in enumerate(line)))
    return "\n".join(out)


def repo_files():
    out = []
    for root, dirs, files in os.walk(SRC):
        rel = os.path.relpath(root, SRC)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not d.startswith("build")
                         and d not in ("node_modules",) and not (rel == "." and d == "bench"))
        out += [os.path.join(root, f) for f in sorted(files) if f.endswith(".mtree")]
    return out


def dump_ir(path):
    r = subprocess.run([MTC, "check", "--dump-ir", path], capture_output=True, text=True)
    # A file without a `model` header (a stdlib module) is named after the file;
    # the formatted copy has another file name, so leave the name out.
    stem = os.path.splitext(os.path.basename(path))[0]
    out = r.stdout
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        headed = re.search(r"^\s*model\s", f.read(), re.M) is not None
    if not headed and out.startswith(f"model {stem} "):
        out = "model <file name> " + out[len(f"model {stem} "):]
    return r.returncode, out


# The sanitizer run (MTC_RANDOM_MODELS in CMakePresets.json) re-spaces and
# re-breaks every fourth file only: the same code paths, a quarter of the processes.
SAMPLED = os.environ.get("MTC_RANDOM_MODELS", "").isdigit()


def roundtrip(path, index=0):
    name = os.path.relpath(path, SRC)
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        text = f.read()
    r = run(["fmt", "-"], text)
    if r.returncode != 0:
        # Only files the parser rejects may be refused.
        chk = subprocess.run([MTC, "check", path], capture_output=True, text=True)
        if "error" in chk.stderr and r.returncode == 1:
            ok(f"{name}: does not parse, refused")
        else:
            bad(f"{name}: fmt failed (exit {r.returncode})", r.stderr)
        return False
    out = r.stdout
    again = run(["fmt", "-"], out)
    if again.returncode != 0 or again.stdout != out:
        bad(f"{name}: not idempotent", again.stderr or diff_text(out, again.stdout))
    rng = random.Random(name)
    perturbed = not SAMPLED or index % 4 == 0
    for k in range(3 if perturbed else 0):
        p = run(["fmt", "-"], perturb(text, rng))
        if p.returncode != 0 or p.stdout != out:
            bad(f"{name}: a re-spaced copy ({k}) formats differently", p.stderr + diff_text(out, p.stdout))
            break
    for k in range(2 if perturbed else 0):
        broken = break_lines(text, rng)
        p = run(["fmt", "-"], broken)
        p2 = run(["fmt", "-"], p.stdout)
        if p.returncode != 0 or p2.stdout != p.stdout or scan(p.stdout)[1] != scan(text)[1]:
            bad(f"{name}: a copy with extra line breaks ({k}) fails, changes or is not idempotent",
                p.stderr + diff_text(p.stdout, p2.stdout))
            break
    c1, code1 = scan(text)
    c2, code2 = scan(out)
    if c1 != c2:
        bad(f"{name}: comments differ", f"{len(c1)} before, {len(c2)} after")
    # Meaning: the IR dump of a copy next to the original (imports and data paths resolve alike).
    rc1, ir1 = dump_ir(path)
    if rc1 == 0:
        fd, tmp = tempfile.mkstemp(suffix=".mtree", prefix=".fmt-test-", dir=os.path.dirname(path))
        try:
            with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape") as f:
                f.write(out)
            rc2, ir2 = dump_ir(tmp)
        finally:
            os.unlink(tmp)
        if rc2 != 0 or ir1 != ir2:
            bad(f"{name}: IR dump differs after formatting", diff_text(ir1, ir2))
        else:
            ok(f"{name}: idempotent, comments kept, same IR")
    elif code1 != code2:
        bad(f"{name}: code differs after formatting (whitespace aside)")
    else:
        ok(f"{name}: idempotent, comments kept, same code (does not check, parses)")
    return True


def diff_text(a, b):
    import difflib
    return "\n".join(list(difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm=""))[:40])


# Files kept unformatted on purpose (a test's input), relative to SOURCE_DIR.
UNFORMATTED = set()

files = repo_files()
if len(files) < 10:
    bad(f"found only {len(files)} .mtree files under {SRC}")
parsed = [p for i, p in enumerate(files) if roundtrip(p, i)]

# 2. the repository itself is formatted (the files that parse)
checked = [p for p in parsed if os.path.relpath(p, SRC) not in UNFORMATTED]
r = run(["fmt", "--check"] + checked)
if r.returncode == 0 and r.stdout == "":
    ok(f"the repository's {len(checked)} .mtree files are formatted (mtc fmt --check)")
else:
    bad(f"mtc fmt --check on the repository: exit {r.returncode}", r.stdout + r.stderr)

# 3. golden cases
cases = os.path.join(SRC, "tests", "fmt", "cases")
for f in sorted(os.listdir(cases)):
    if not f.endswith(".in"):
        continue
    with open(os.path.join(cases, f), encoding="utf-8") as fh:
        src = fh.read()
    with open(os.path.join(cases, f[:-3] + ".out"), encoding="utf-8") as fh:
        want = fh.read()
    r = run(["fmt", "-"], src)
    if r.returncode == 0 and r.stdout == want:
        ok(f"golden {f[:-3]}")
    else:
        bad(f"golden {f[:-3]} (exit {r.returncode})", r.stderr + diff_text(want, r.stdout))
    r = run(["fmt", "-"], want)
    if r.stdout != want:
        bad(f"golden {f[:-3]}.out is not canonical", diff_text(want, r.stdout))

# 4. the command line
with tempfile.TemporaryDirectory() as tmp:
    messy = os.path.join(tmp, "messy.mtree")
    clean = os.path.join(tmp, "clean.mtree")
    broken = os.path.join(tmp, "broken.mtree")
    sub = os.path.join(tmp, "sub")
    os.mkdir(sub)
    nested = os.path.join(sub, "nested.mtree")
    messy_text = "unit  patient\nmetric x:patient=1+2 // c\n"
    messy_want = "unit patient\nmetric x: patient = 1 + 2  // c\n"
    broken_text = "unit patient\nmetric x: patient = (1 +\n"
    for p, t in ((messy, messy_text), (clean, messy_want), (broken, broken_text), (nested, messy_text)):
        with open(p, "w") as f:
            f.write(t)
    os.chmod(messy, 0o640)

    r = run(["fmt", "--check", messy, clean])
    if r.returncode == 4 and r.stdout == messy + "\n" and open(messy).read() == messy_text:
        ok("--check lists the file to change, exit 4, changes nothing")
    else:
        bad(f"--check: exit {r.returncode}, stdout {r.stdout!r}")
    r = run(["fmt", "--check", clean])
    if r.returncode == 0 and r.stdout == "":
        ok("--check on a formatted file: exit 0, silent")
    else:
        bad(f"--check on a formatted file: exit {r.returncode}, stdout {r.stdout!r}")
    r = run(["fmt", "--check", tmp])
    want = "\n".join([messy, nested]) + "\n"
    if r.returncode == 1 and r.stdout == want and "broken.mtree:3:1: error" in r.stderr:
        ok("--check on a directory: lists its .mtree files, reports the broken one, exit 1")
    else:
        bad(f"--check on a directory: exit {r.returncode}", r.stdout + r.stderr)

    r = run(["fmt", "-"], messy_text)
    if r.returncode == 0 and r.stdout == messy_want:
        ok("- reads stdin, writes stdout")
    else:
        bad(f"stdin: exit {r.returncode}", r.stdout + r.stderr)
    r = run(["fmt", "--check", "-"], messy_text)
    if r.returncode == 4 and r.stdout == "<stdin>\n":
        ok("--check - lists <stdin>")
    else:
        bad(f"--check -: exit {r.returncode}, {r.stdout!r}")

    r = run(["fmt", broken])
    if r.returncode == 1 and open(broken).read() == broken_text and "broken.mtree:3:1: error:" in r.stderr:
        ok("an unparsable file is left untouched, located error, exit 1")
    else:
        bad(f"unparsable: exit {r.returncode}", r.stderr)
    r = run(["fmt", "-"], broken_text)
    if r.returncode == 1 and r.stdout == "" and "<stdin>:3:1: error:" in r.stderr:
        ok("unparsable stdin: nothing on stdout, located error, exit 1")
    else:
        bad(f"unparsable stdin: exit {r.returncode}", r.stdout + r.stderr)

    r = run(["fmt", messy, clean])
    mode = stat.S_IMODE(os.stat(messy).st_mode)
    leftovers = [f for f in os.listdir(tmp) if f.startswith(".")]
    if r.returncode == 0 and open(messy).read() == messy_want and mode == 0o640 and not leftovers:
        ok("rewrites in place, keeps the mode, leaves no temporary file")
    else:
        bad(f"in place: exit {r.returncode}, mode {oct(mode)}, leftovers {leftovers}", r.stderr)
    r = run(["fmt", os.path.join(tmp, "missing.mtree")])
    if r.returncode == 1 and "cannot read" in r.stderr:
        ok("a missing file: exit 1")
    else:
        bad(f"missing file: exit {r.returncode}", r.stderr)

print(f"{fails} failed")
sys.exit(1 if fails else 0)
