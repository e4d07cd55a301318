#!/usr/bin/env python3
"""A structural check of the Mermaid flowchart `mtc graph --format mermaid` writes.

Not a full Mermaid parser: it checks the subset mtc emits, line by line, against
Mermaid's flowchart grammar (header, subgraph/end nesting, node shapes, link
tokens with |labels|, linkStyle indices, classDef/class), and that every edge
joins declared nodes. usage: check_mermaid.py FILE  (exit 1 with the reason)
"""
import re
import sys

ID = r"[A-Za-z_][A-Za-z0-9_]*"
LABEL = r'"[^"]*"'   # mtc always quotes labels; quotes inside are #quot;
NODE = re.compile(rf"^({ID})(\[{LABEL}\]|\[/{LABEL}/\])(:::{ID})?$")
SUBGRAPH = re.compile(rf"^subgraph ({ID})\[{LABEL}\]$")
LINK = re.compile(rf"^({ID}) (-->|==>|-\.->|<-\.->|--o)(\|{LABEL}\|)? ({ID})$")
LINKSTYLE = re.compile(r"^linkStyle (\d+(?:,\d+)*) [a-z-]+:[^\s;]+(,[a-z-]+:[^\s;]+)*$")
CLASSDEF = re.compile(rf"^classDef {ID} [a-z-]+:[^\s;,]+(,[a-z-]+:[^;,]+)*$")


def check(text):
    lines = text.split("\n")
    if lines[0] != "flowchart TB":
        return "the first line is not 'flowchart TB'"
    depth, nodes, edges, styled, subgraphs = 0, set(), [], [], set()
    for n, raw in enumerate(lines[1:], 2):
        line = raw.strip()
        if not line or line.startswith("%%") or line == "direction TB":
            continue
        if m := SUBGRAPH.match(line):
            if m.group(1) in subgraphs or m.group(1) in nodes:
                return f"line {n}: subgraph id {m.group(1)} used twice"
            subgraphs.add(m.group(1))
            depth += 1
        elif line == "end":
            depth -= 1
            if depth < 0:
                return f"line {n}: 'end' without a subgraph"
        elif m := NODE.match(line):
            if m.group(1) in nodes or m.group(1) in subgraphs:
                return f"line {n}: node {m.group(1)} declared twice"
            if m.group(1) == "end":
                return f"line {n}: 'end' cannot be a node id"
            nodes.add(m.group(1))
        elif m := LINK.match(line):
            edges.append((m.group(1), m.group(4)))
        elif m := LINKSTYLE.match(line):
            styled += [int(i) for i in m.group(1).split(",")]
        elif CLASSDEF.match(line):
            pass
        else:
            return f"line {n}: not flowchart syntax mtc emits: {line!r}"
        if "<b>" in line or "<script" in line:
            return f"line {n}: raw markup in a label"
    if depth != 0:
        return f"{depth} subgraph(s) without 'end'"
    for a, b in edges:
        if a not in nodes or b not in nodes:
            return f"edge {a} -> {b} joins an undeclared node"
    if sorted(styled) != list(range(len(edges))):
        return f"linkStyle indices {sorted(styled)} do not cover the {len(edges)} edges once each"
    return None


if __name__ == "__main__":
    err = check(open(sys.argv[1], encoding="utf-8").read())
    if err:
        print(f"{sys.argv[1]}: {err}")
        sys.exit(1)
