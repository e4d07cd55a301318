#!/usr/bin/env python3
"""Generates ../syntaxes/mtree.tmLanguage.json, the TextMate grammar of mtree.

The word lists (keywords, built-in functions, roles, classes...) live here once;
edit this file, then run `python3 editors/vscode/scripts/gen_grammar.py` (or with
`--check` to verify that the JSON is up to date; tests/editors/highlight_test.js
does that when python3 is on PATH). Sources: LANGUAGE.md sections 2-9 and
grammar/MTreeLexer.g4, grammar/MTreeParser.g4.
"""
import json, os, sys

ID = r"[A-Za-z_][A-Za-z0-9_]*"
DIGITS = r"[0-9]+(?:_[0-9]+)*"
EXP = r"[eE][+-]?[0-9]+"
# a number, period or year starts a token: not after a word character, nor after a
# single dot (`a.5`, `1.2025-07`), but after `..` (`2025-01..2025-06`)
NUMSTART = r"(?<![A-Za-z0-9_])(?<![^.]\.)"
PERIOD_BODY = (r"[0-9]{4}-(?:[Qq][1-4]|[Ww](?:0[1-9]|[1-4][0-9]|5[0-3])"
               r"|(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12][0-9]|3[01]))?)")
# the whole token: nothing word-like, no fraction, no further `-digit` after it
TOKEN_END = r"(?![A-Za-z0-9_%]|\.[0-9]|-[0-9A-Za-z])"
YEAR_END = r"(?![A-Za-z0-9_%]|\.[0-9]|-)"

DECL_KW = ["model", "import", "unit", "dimension", "chain", "stage", "source", "param",
           "metric", "relation", "constraint", "event", "goal", "benchmark", "function"]
STMT_KW = ["describe", "diagnose", "forecast", "seek", "simulate", "optimize", "recommend"]
SOFT_KW = ["by", "over", "from", "at", "vs", "to", "for", "varying", "vary", "maximize",
           "minimize", "integer", "subject", "previous", "external", "internal"]
BUILTINS = ["sum", "mean", "min", "max", "if", "abs", "log", "exp", "sqrt", "clamp", "lag",
            "delta", "pct_change", "cumsum", "rolling_mean", "rolling_sum", "ytd", "yoy",
            "share", "hill", "saturate", "adstock"]
SOURCES = ["csv", "sqlite", "postgres", "env"]
DISTS = ["normal", "lognormal", "uniform", "triangular", "beta"]
ROLES = ["input", "output", "leading", "lagging", "diagnostic", "north_star"]
CLASSES = ["qualitative", "quantitative", "vanity", "actionable", "efficiency",
           "effectiveness", "strategic", "tactical", "operational"]
REL_KINDS = ["deterministic", "probabilistic", "causal", "compositional"]
AGGS = ["sum", "mean", "last", "min", "max"]
GRAINS = ["day", "week", "month", "quarter", "year"]
TIME_UNITS = r"(?:days?|weeks?|months?|quarters?|years?)"

def alt(words):
    return "(?:" + "|".join(sorted(words, key=lambda w: (-len(w), w))) + ")"

S = ".mtree"
def sc(name):
    return " ".join(part + S for part in name.split(" "))

# declarations whose next word is the declared name
DECL_NAME_SCOPE = {
    "model": "entity.name.namespace.model",
    "unit": "entity.name.type.unit",
    "dimension": "entity.name.type.dimension",
    "chain": "entity.name.type.chain",
    "stage": "entity.name.type.stage",
    "source": "entity.name.variable.source",
    "constraint": "entity.name.variable.constraint",
    "event": "entity.name.variable.event",
    "goal": "entity.name.variable.goal",
    "benchmark": "entity.name.variable.benchmark",
}

def decl_rule(kw):
    return {
        "comment": f"`{kw} NAME`",
        "match": rf"\b({kw})\s+({ID})\b",
        "captures": {
            "1": {"name": sc(f"keyword.declaration.{kw}")},
            "2": {"name": sc(DECL_NAME_SCOPE[kw])},
        },
    }

repo = {}

repo["comments"] = {"patterns": [
    {"comment": "`///` doc comment (`////` is an ordinary comment, as in the lexer)",
     "match": r"(///)(?!/).*$",
     "name": sc("comment.line.documentation"),
     "captures": {"1": {"name": sc("punctuation.definition.comment")}}},
    {"match": r"(//).*$",
     "name": sc("comment.line.double-slash"),
     "captures": {"1": {"name": sc("punctuation.definition.comment")}}},
    {"begin": r"/\*", "end": r"\*/",
     "name": sc("comment.block"),
     "beginCaptures": {"0": {"name": sc("punctuation.definition.comment.begin")}},
     "endCaptures": {"0": {"name": sc("punctuation.definition.comment.end")}}},
]}

repo["strings"] = {"patterns": [{
    "begin": '"', "end": r'(")|(?=$)',
    "name": sc("string.quoted.double"),
    "beginCaptures": {"0": {"name": sc("punctuation.definition.string.begin")}},
    "endCaptures": {"1": {"name": sc("punctuation.definition.string.end")}},
    "patterns": [{"match": r"\\.", "name": sc("constant.character.escape")}],
}]}

repo["periods"] = {"patterns": [
    {"comment": "2025-07, 2025-Q3, 2025-W31, 2025-07-30: only when the whole token is a period",
     "match": NUMSTART + PERIOD_BODY + TOKEN_END,
     "name": sc("constant.other.period")},
    {"comment": "a bare year where a period is expected: after at/vs/from/to/by",
     "match": rf"\b(at|vs|from|to|by)\s+([0-9]{{4}}){YEAR_END}",
     "captures": {"1": {"name": sc("keyword.other")},
                  "2": {"name": sc("constant.other.period")}}},
    {"comment": "a bare year before `..`",
     "match": NUMSTART + r"[0-9]{4}(?=\s*\.\.(?!\.))",
     "name": sc("constant.other.period")},
    {"comment": "a bare year after `..`",
     "match": r"(\.\.)\s*([0-9]{4})" + YEAR_END,
     "captures": {"1": {"name": sc("keyword.operator.range")},
                  "2": {"name": sc("constant.other.period")}}},
]}

repo["durations"] = {"patterns": [{
    "comment": "3 months, 12 weeks, 1 year",
    "match": rf"\b({DIGITS})\s+({TIME_UNITS})\b",
    "name": sc("meta.duration"),
    "captures": {"1": {"name": sc("constant.numeric.integer.decimal")},
                 "2": {"name": sc("keyword.other.unit.time")}},
}]}

repo["numbers"] = {"patterns": [
    {"match": NUMSTART + rf"{DIGITS}(?:\.{DIGITS})?(?:{EXP})?%",
     "name": sc("constant.numeric.percent")},
    {"match": NUMSTART + rf"(?:{DIGITS}\.{DIGITS}(?:{EXP})?|{DIGITS}{EXP})(?![A-Za-z0-9_])",
     "name": sc("constant.numeric.float.decimal")},
    {"match": NUMSTART + rf"{DIGITS}(?![A-Za-z0-9_])",
     "name": sc("constant.numeric.integer.decimal")},
]}

repo["unit-expression"] = {"patterns": [
    {"include": "#comments"},
    {"match": ID, "name": sc("entity.name.type.unit")},
    {"match": r"[0-9]+", "name": sc("constant.numeric.integer.decimal")},
    {"match": r"[*/^]", "name": sc("keyword.operator.arithmetic")},
    {"match": r"-", "name": sc("keyword.operator.arithmetic")},
    {"match": r"\(", "name": sc("punctuation.section.parens.begin")},
    {"match": r"\)", "name": sc("punctuation.section.parens.end")},
]}

repo["quantity"] = {"patterns": [{
    "comment": "a quantity literal in a formula: (100 USD/patient), (20_000 item)",
    "match": (r"(\()\s*(-)?\s*(" + DIGITS + r"(?:\." + DIGITS + r")?(?:" + EXP + r")?)\s+("
              + ID + r"(?:\s*(?:[*/]\s*(?:" + ID + r"|[0-9]+)|\^\s*-?[0-9]+))*)\s*(\))"),
    "captures": {
        "1": {"name": sc("punctuation.section.parens.begin")},
        "2": {"name": sc("keyword.operator.arithmetic")},
        "3": {"patterns": [{"include": "#numbers"}]},
        "4": {"patterns": [{"include": "#unit-expression"}]},
        "5": {"name": sc("punctuation.section.parens.end")},
    },
}]}

def typed_declaration(kw, name_scope):
    return {
        "comment": f"{kw} NAME \"title\": UNIT by DIM, DIM  -- up to `=`, `~`, `{{` or the end of the line",
        "begin": rf"\b({kw})\s+({ID})\b",
        "beginCaptures": {
            "1": {"name": sc(f"keyword.declaration.{kw}")},
            "2": {"name": sc(name_scope)},
        },
        "end": r"(?=[={~}])|$",
        "name": sc(f"meta.declaration.{kw}"),
        "patterns": [
            {"include": "#comments"},
            {"include": "#strings"},
            {"begin": r"\b(by)\b", "end": r"(?=[={~}])|$",
             "beginCaptures": {"1": {"name": sc("keyword.other")}},
             "patterns": [
                 {"include": "#comments"},
                 {"match": ID, "name": sc("entity.name.type.dimension")},
                 {"match": ",", "name": sc("punctuation.separator.comma")},
             ]},
            {"match": ":", "name": sc("punctuation.separator.type")},
            {"include": "#unit-expression"},
        ],
    }

repo["typed-declaration"] = {"patterns": [
    typed_declaration("metric", "entity.name.function.metric"),
    typed_declaration("param", "entity.name.variable.param"),
]}

repo["relation"] = {"patterns": [{
    "comment": "relation A -> B: kind",
    "match": (rf"\b(relation)\s+({ID})\s*(<->|->)\s*({ID})\s*(?:(:)\s*(?:({alt(REL_KINDS)})\b)?)?"),
    "captures": {
        "1": {"name": sc("keyword.declaration.relation")},
        "2": {"name": sc("variable.other.metric")},
        "3": {"name": sc("keyword.operator.arrow")},
        "4": {"name": sc("variable.other.metric")},
        "5": {"name": sc("punctuation.separator.key-value")},
        "6": {"name": sc("constant.language.relation-kind")},
    },
}, {
    "match": rf"\b{alt(REL_KINDS)}\b(?!\s*:)",
    "name": sc("constant.language.relation-kind"),
}]}

repo["function-declaration"] = {
    "begin": rf"\b(function)\s+({ID})\s*(\()",
    "beginCaptures": {
        "1": {"name": sc("keyword.declaration.function")},
        "2": {"name": sc("entity.name.function")},
        "3": {"name": sc("punctuation.definition.parameters.begin")},
    },
    "end": r"\)",
    "endCaptures": {"0": {"name": sc("punctuation.definition.parameters.end")}},
    "name": sc("meta.function.parameters"),
    "patterns": [
        {"include": "#comments"},
        {"match": ID, "name": sc("variable.parameter")},
        {"match": ",", "name": sc("punctuation.separator.comma")},
    ],
}

repo["declarations"] = {"patterns": (
    [{"include": "#function-declaration"},
     {"include": "#typed-declaration"},
     {"include": "#relation"}]
    + [decl_rule(k) for k in ["model", "unit", "dimension", "chain", "stage", "source",
                              "constraint", "event", "goal", "benchmark"]]
    + [{"match": rf"\b{alt(DECL_KW)}\b", "name": sc("keyword.declaration")}]
)}

repo["statements"] = {"patterns": [
    {"match": rf"\b(optimize)\s+(?!{alt(SOFT_KW)}\b)({ID})",
     "captures": {"1": {"name": sc("keyword.control.statement.optimize")},
                  "2": {"name": sc("entity.name.section.optimize")}}},
    {"match": rf"\b{alt(STMT_KW)}\b", "name": sc("keyword.control.statement")},
]}

repo["keywords"] = {"patterns": [
    {"match": r"\b(same)\s+(period)\s+(last)\s+(year)\b",
     "name": sc("keyword.other.same-period-last-year")},
    {"match": rf"\b{alt(SOFT_KW)}\b", "name": sc("keyword.other")},
    {"match": r"\b(?:and|or|not)\b", "name": sc("keyword.operator.logical")},
]}

repo["functions"] = {"patterns": [
    {"match": rf"\b{alt(BUILTINS)}\b(?=\s*\()", "name": sc("support.function.builtin")},
    {"match": rf"\b{alt(SOURCES)}\b(?=\s*\()", "name": sc("support.function.source")},
    {"match": rf"\b{alt(DISTS)}\b(?=\s*\()", "name": sc("support.function.distribution")},
    {"match": rf"\b{ID}(?=\s*\()", "name": sc("entity.name.function.call")},
]}

repo["operators"] = {"patterns": [
    {"match": r"<->|->", "name": sc("keyword.operator.arrow")},
    {"match": r"\.\.", "name": sc("keyword.operator.range")},
    {"match": r"<=|>=|==|!=|<|>", "name": sc("keyword.operator.comparison")},
    {"match": r"=", "name": sc("keyword.operator.assignment")},
    {"match": r"~", "name": sc("keyword.operator.distribution")},
    {"match": r"[-+*/^]", "name": sc("keyword.operator.arithmetic")},
]}

repo["punctuation"] = {"patterns": [
    {"match": ",", "name": sc("punctuation.separator.comma")},
    {"match": ":", "name": sc("punctuation.separator.key-value")},
    {"match": r"\.", "name": sc("punctuation.accessor")},
    {"match": r"\(", "name": sc("punctuation.section.parens.begin")},
    {"match": r"\)", "name": sc("punctuation.section.parens.end")},
    {"match": r"\[", "name": sc("punctuation.section.brackets.begin")},
    {"match": r"\]", "name": sc("punctuation.section.brackets.end")},
    {"match": r"\}", "name": sc("invalid.illegal.stray-brace")},
]}

repo["block"] = {
    "begin": r"\{", "end": r"\}",
    "beginCaptures": {"0": {"name": sc("punctuation.section.block.begin")}},
    "endCaptures": {"0": {"name": sc("punctuation.section.block.end")}},
    "name": sc("meta.block"),
    "patterns": [
        {"include": "#comments"},
        {"include": "#property-values"},
        {"include": "#property-key"},
        {"include": "$self"},
    ],
}

NEXT_KEY = rf"(?=\}}|\b{ID}\s*:(?!:))|$"
def keyed_list(keys, values, value_scope, comment):
    return {
        "comment": comment,
        "begin": rf"\b({alt(keys)})\s*(:)",
        "beginCaptures": {
            "1": {"name": sc("variable.other.property support.type.property-name")},
            "2": {"name": sc("punctuation.separator.key-value")},
        },
        "end": NEXT_KEY,
        "patterns": [
            {"include": "#comments"},
            {"match": rf"\b{alt(values)}\b", "name": sc(value_scope)},
            {"match": ",", "name": sc("punctuation.separator.comma")},
            {"include": "$self"},
        ],
    }

repo["property-values"] = {"patterns": [
    keyed_list(["role"], ROLES, "constant.language.role", "role: input, leading"),
    keyed_list(["class"], CLASSES, "constant.language.class", "class: quantitative, actionable"),
    {"comment": "agg: sum | mean | last | min | max",
     "match": rf"\b(agg)\s*(:)\s*({alt(AGGS)})\b",
     "captures": {"1": {"name": sc("variable.other.property support.type.property-name")},
                  "2": {"name": sc("punctuation.separator.key-value")},
                  "3": {"name": sc("constant.language.aggregation")}}},
    {"comment": "grain: day | week | month | quarter | year",
     "match": rf"\b(grain)\s*(:)\s*({alt(GRAINS)})\b",
     "captures": {"1": {"name": sc("variable.other.property support.type.property-name")},
                  "2": {"name": sc("punctuation.separator.key-value")},
                  "3": {"name": sc("constant.language.grain")}}},
]}

repo["property-key"] = {"patterns": [{
    "comment": "`name:` starts an entry of a property block, a slice map or `subject to`",
    "match": rf"\b({ID})\s*(:)(?!:)",
    "captures": {
        "1": {"name": sc("variable.other.property support.type.property-name")},
        "2": {"name": sc("punctuation.separator.key-value")},
    },
}]}

grammar = {
    "$schema": "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
    "name": "mtree",
    "scopeName": "source.mtree",
    "fileTypes": ["mtree"],
    "comment": "TextMate grammar of the mtree language (LANGUAGE.md section 2; grammar/MTree*.g4).",
    "patterns": [
        {"include": "#comments"},
        {"include": "#strings"},
        {"include": "#block"},
        {"include": "#declarations"},
        {"include": "#statements"},
        {"include": "#periods"},
        {"include": "#durations"},
        {"include": "#quantity"},
        {"include": "#numbers"},
        {"include": "#keywords"},
        {"include": "#functions"},
        {"include": "#operators"},
        {"include": "#punctuation"},
    ],
    "repository": repo,
}

def main(argv):
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "syntaxes", "mtree.tmLanguage.json")
    text = json.dumps(grammar, indent=2) + "\n"
    if "--check" in argv:
        with open(out, encoding="utf-8") as f:
            if f.read() != text:
                sys.stderr.write(f"{os.path.normpath(out)} is out of date: run {argv[0]}\n")
                return 1
        return 0
    if "--stdout" in argv:
        sys.stdout.write(text)
        return 0
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
