#!/usr/bin/env python3
"""Writes fuzz/mtree.dict, the AFL++ dictionary (-x) for the parse and lsp targets:
the lexer's literal tokens (grammar/MTreeLexer.g4), the property names
(properties.def), the built-in functions (builtins.def) and the grains.
usage: python3 fuzz/make-dict.py > fuzz/mtree.dict"""
import pathlib
import re

root = pathlib.Path(__file__).resolve().parent.parent
words = set()
for lit in re.findall(r"'((?:[^'\\]|\\.)*)'", (root / "grammar/MTreeLexer.g4").read_text()):
    if lit and " " not in lit and "\\" not in lit:
        words.add(lit)
inc = root / "compiler/include/mtc"
words |= set(re.findall(r"^PROPERTY\(\w+,\s*(\w+),", (inc / "properties.def").read_text(), re.M))
words |= set(re.findall(r'^BUILTIN\(\w+,\s*"(\w+)"', (inc / "builtins.def").read_text(), re.M))
words |= {"day", "week", "month", "quarter", "year", "months", "2025-07", "2025-Q3", "2025-W31", "2025-07-30",
          "1e999", "\"", "\n", "\r\n", "///", "12%", "csv", "sqlite"}
for w in sorted(words):
    esc = "".join(c if 0x20 <= ord(c) < 0x7f and c not in '"\\' else "\\x%02x" % ord(c) for c in w)
    print(f'"{esc}"')
