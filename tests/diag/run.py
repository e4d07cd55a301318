#!/usr/bin/env python3
"""Diagnostics as files: tests/diag/<code>/<case>.mtree.

A case file is a model, then its expected output in comments:

    // RUN: check                    (optional first line: the mtc command; default `check`)
    unit item
    metric revenue: USD = units * prise
    // EXPECT exit 1:
    // model.mtree:2:31: error: unknown name 'prise' [unknown-name]
    // ...

The case runs as `mtc <command> model.mtree` in a temporary folder holding a copy of its
<code>/ folder (so data files next to it are found) and the model as model.mtree.
Standard error and standard output are compared with the EXPECT lines; the source folder's
absolute path is written as in an installed mtc (/usr/local/share/mtc/stdlib).

docs/diagnostics.md shows cases: a line `<!-- diag: <code>/<case> -->` is followed by the
case's model (```mtree) and its output (```text); the test fails when they differ from the
files, so the docs cannot drift.

    run.py MTC ROOT            check every case and the docs
    run.py MTC ROOT --update   rewrite the EXPECT blocks and the docs' examples
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

MARK = re.compile(r"^// EXPECT exit (\d+):$")


def parse(path):
    lines = open(path, encoding="utf-8").read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    command = "check"
    if lines and lines[0].startswith("// RUN:"):
        command = lines[0][len("// RUN:"):].strip()
        lines = lines[1:]
    model, expected, exit_code = [], [], None
    i = 0
    while i < len(lines):
        m = MARK.match(lines[i])
        if m:
            exit_code = int(m.group(1))
            expected = [l[3:] if l.startswith("// ") else l[2:] for l in lines[i + 1:]]
            break
        model.append(lines[i])
        i += 1
    return command, "\n".join(model) + "\n", exit_code, expected


def run_case(mtc, root, path):
    command, model, _, _ = parse(path)
    with tempfile.TemporaryDirectory() as tmp:
        folder = os.path.dirname(path)
        for name in os.listdir(folder):
            if not name.endswith(".mtree"):
                src = os.path.join(folder, name)
                (shutil.copytree if os.path.isdir(src) else shutil.copy)(src, os.path.join(tmp, name))
        with open(os.path.join(tmp, "model.mtree"), "w", encoding="utf-8") as f:
            f.write(model)
        args = command.split()
        env = dict(os.environ, NO_COLOR="1", MTC_JIT_CACHE="off")
        env.pop("DW_URL", None)  # the postgres cases' env("DW_URL") is unset (env-unset, data-file)
        p = subprocess.run([mtc] + args + ["model.mtree"], cwd=tmp, capture_output=True, text=True, env=env, timeout=120)
    out = (p.stderr + p.stdout).replace(os.path.join(root, "stdlib"), "/usr/local/share/mtc/stdlib")
    # the temporary folder is the case's project root: shown as /work/shop
    for t in sorted({os.path.realpath(tmp), tmp}, key=len, reverse=True):
        out = out.replace(t, "/work/shop")
    lines = out.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return command, model, p.returncode, lines


def write_case(path, command, model, code, lines):
    text = ("// RUN: " + command + "\n" if command != "check" else "") + model
    text += "// EXPECT exit %d:\n" % code
    text += "".join(("// " + l if l else "//") + "\n" for l in lines)
    open(path, "w", encoding="utf-8").write(text)


def docs_block(pre, mid, command, model, lines):
    return pre + "```mtree\n" + model + "```\n" + mid + "```text\n$ mtc " + command + " model.mtree\n" + "\n".join(lines) + "\n```\n"


def sync_docs(root, results, update):
    path = os.path.join(root, "docs", "diagnostics.md")
    text = open(path, encoding="utf-8").read()
    pat = re.compile(r"<!-- diag: ([\w\-/]+) -->\n((?:(?!```).)*?)```mtree\n(.*?)```\n((?:(?!```).)*?)```text\n(.*?)```\n", re.S)
    problems = []

    def repl(m):
        key = m.group(1)
        if key not in results:
            problems.append("docs name a case that does not exist: " + key)
            return m.group(0)
        # the prose before and between the blocks is kept
        want = docs_block(m.group(2), m.group(4), *results[key])
        have = m.group(0)[m.group(0).index("\n") + 1:]
        if want != have:
            problems.append("docs/diagnostics.md is out of date for " + key)
        return "<!-- diag: " + key + " -->\n" + want

    new = pat.sub(repl, text)
    if update and new != text:
        open(path, "w", encoding="utf-8").write(new)
        return []
    return problems


def main():
    mtc, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    update = "--update" in sys.argv
    base = os.path.join(root, "tests", "diag")
    failures, results, count = [], {}, 0
    for code in sorted(os.listdir(base)):
        folder = os.path.join(base, code)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".mtree"):
                continue
            path = os.path.join(folder, name)
            count += 1
            _, _, want_code, want = parse(path)
            command, model, got_code, got = run_case(mtc, root, path)
            results[code + "/" + name[:-len(".mtree")]] = (command, model, got)
            if update:
                write_case(path, command, model, got_code, got)
                continue
            if want_code != got_code or want != got:
                failures.append("%s: exit %s (expected %s)\n--- expected\n%s\n--- got\n%s" % (
                    path, got_code, want_code, "\n".join(want), "\n".join(got)))
            # the case must show its own code
            if got_code != 0 and "[" + code + "]" not in "\n".join(got):
                failures.append("%s: the output never names [%s]" % (path, code))
    failures += sync_docs(root, results, update)
    for f in failures:
        print("FAIL " + f + "\n")
    print("%d diagnostic cases, %d failures%s" % (count, len(failures), " (updated)" if update else ""))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
