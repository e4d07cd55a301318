#!/usr/bin/env node
// Highlighting test for editors/vscode/syntaxes/mtree.tmLanguage.json.
//
// Tokenizes the samples in tests/editors/samples (fragments of LANGUAGE.md) with
// the same engine as VS Code (vscode-textmate + vscode-oniguruma) and checks the
// scopes of chosen tokens; then tokenizes every .mtree file under examples/ and
// stdlib/ and checks that nothing throws or runs away. Also checks that the VS Code
// extension's manifest is consistent and that its client starts `mtc lsp`.
//
// Run: tests/editors/run.sh   (or: npm install && node highlight_test.js)
// Exit status 0 when every check passes; the last line reads "N passed, N failed".
'use strict';

const fs = require('fs');
const path = require('path');
const Module = require('module');
const { spawnSync } = require('child_process');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const HERE = __dirname;
const ROOT = path.resolve(HERE, '..', '..');
const EXT = path.join(ROOT, 'editors', 'vscode');
const GRAMMAR = path.join(EXT, 'syntaxes', 'mtree.tmLanguage.json');
const SAMPLES = path.join(HERE, 'samples');

let passed = 0;
let failed = 0;
const failures = [];
function pass() { passed++; }
function fail(msg) { failed++; failures.push(msg); console.log(`FAIL ${msg}`); }
function ok(cond, msg) { if (cond) pass(); else fail(msg); }

// ------------------------------------------------------------------ engine

async function loadGrammar() {
  const wasm = fs.readFileSync(path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) => {
      if (scopeName !== 'source.mtree') return null;
      return vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR, 'utf8'), GRAMMAR);
    },
  });
  const grammar = await registry.loadGrammar('source.mtree');
  if (!grammar) throw new Error('grammar source.mtree did not load');
  return grammar;
}

// Tokenizes a whole file; returns per-line tokens and the final state.
function tokenizeText(grammar, text, label) {
  const lines = text.split(/\r\n|\r|\n/);
  let state = vsctm.INITIAL;
  const out = [];
  let stoppedEarly = 0;
  const t0 = Date.now();
  for (const line of lines) {
    const r = grammar.tokenizeLine(line, state, 2000);
    if (r.stoppedEarly) stoppedEarly++;
    out.push({ line, tokens: r.tokens });
    state = r.ruleStack;
  }
  return { lines: out, state, stoppedEarly, ms: Date.now() - t0, label };
}

// ------------------------------------------------------------------ checks

const tokenized = new Map();
function sample(name) { return tokenized.get(name); }

const hasScope = (tok, scope) => tok.scopes.some((s) => s === scope || s.startsWith(scope + '.') || s.startsWith(scope + ' '));

function describeTokens(toks) {
  return toks.map((t) => `[${JSON.stringify(t.text)} ${t.scopes.slice(1).join(' ')}]`).join(' ');
}

// Finds `text` (its nth occurrence) on the first line of `file` containing
// `lineHas`, and returns the tokens overlapping it.
function locate(file, lineHas, text, nth) {
  const s = sample(file);
  if (!s) return { err: `no sample ${file}` };
  const li = s.lines.findIndex((l) => l.line.includes(lineHas));
  if (li < 0) return { err: `${file}: no line contains ${JSON.stringify(lineHas)}` };
  const { line, tokens } = s.lines[li];
  // a word is found only as a whole word (`at` not inside `update`)
  const isWord = /^\w+$/.test(text);
  const wordAt = (c) => !isWord || (!/\w/.test(line[c - 1] || '') && !/\w/.test(line[c + text.length] || ''));
  let col = -1;
  for (let i = 0, from = 0; i <= nth; i++) {
    do {
      col = line.indexOf(text, from);
      from = col + 1;
    } while (col >= 0 && !wordAt(col));
    if (col < 0) return { err: `${file}:${li + 1}: ${JSON.stringify(text)} occurs fewer than ${nth + 1} times` };
  }
  const end = col + text.length;
  const toks = tokens
    .filter((t) => t.startIndex < end && t.endIndex > col)
    .map((t) => ({ ...t, text: line.slice(t.startIndex, t.endIndex) }));
  return { li, col, end, toks, where: `${file}:${li + 1}:${col + 1}` };
}

// `text` has `scope` throughout; with whole (the default), token boundaries
// fall exactly at its start and end (the scope covers that token, no more, no less).
function expect(file, lineHas, text, scope, opts = {}) {
  const { nth = 0, whole = true } = opts;
  const r = locate(file, lineHas, text, nth);
  if (r.err) return fail(r.err);
  const label = `${r.where} ${JSON.stringify(text)} -> ${scope}`;
  if (!r.toks.every((t) => hasScope(t, scope))) return fail(`${label}: got ${describeTokens(r.toks)}`);
  if (whole && (r.toks[0].startIndex !== r.col || r.toks[r.toks.length - 1].endIndex !== r.end)) {
    return fail(`${label}: token boundaries differ: ${describeTokens(r.toks)}`);
  }
  if (whole) {
    // the scope must not run on into the neighbouring characters
    const s = sample(file).lines[r.li];
    const before = s.tokens.find((t) => t.endIndex === r.col);
    const after = s.tokens.find((t) => t.startIndex === r.end);
    const leaf = (t) => t.scopes[t.scopes.length - 1];
    const mine = leaf(r.toks[0]);
    if (r.toks.length === 1 && ((before && leaf(before) === mine && /^constant\.(numeric|other\.period)/.test(mine)) ||
        (after && leaf(after) === mine && /^constant\.(numeric|other\.period)/.test(mine)))) {
      return fail(`${label}: the scope runs on past the token: ${describeTokens(r.toks)}`);
    }
  }
  pass();
}

// No part of `text` has `scope`.
function expectNot(file, lineHas, text, scope, opts = {}) {
  const r = locate(file, lineHas, text, opts.nth || 0);
  if (r.err) return fail(r.err);
  if (r.toks.some((t) => hasScope(t, scope))) {
    return fail(`${r.where} ${JSON.stringify(text)} must not be ${scope}: got ${describeTokens(r.toks)}`);
  }
  pass();
}

function samplesChecks() {
  const KW_DECL = 'keyword.declaration';
  const KW_CTRL = 'keyword.control';
  const KW = 'keyword.other';
  const PERIOD = 'constant.other.period';
  const NUM = 'constant.numeric';
  const PROP = 'variable.other.property';
  const PROP2 = 'support.type.property-name';
  const STR = 'string.quoted.double';
  const FN = 'support.function';
  const CONST = 'constant.language';
  const OP = 'keyword.operator';
  const NAME = 'entity.name';
  const DOC = 'comment.line.documentation';

  // ---- overview.mtree: LANGUAGE.md section 3
  let f = 'overview.mtree';
  expect(f, 'model chiro', 'model', KW_DECL);
  expect(f, 'model chiro', 'chiro', NAME);
  expect(f, 'model chiro', '"Chiro 1st clinic"', STR);
  expect(f, 'grain: month', 'grain', PROP);
  expect(f, 'grain: month', 'grain', PROP2);
  expect(f, 'grain: month', 'month', 'constant.language.grain');
  expect(f, 'grain: month', '// day | week | month | quarter | year', 'comment.line.double-slash', { whole: false });
  expect(f, 'currency: USD', 'currency', PROP);
  expect(f, 'start: 2024-01', '2024-01', PERIOD);
  expect(f, 'unit patient', 'unit', KW_DECL);
  expect(f, 'unit patient', 'patient', 'entity.name.type.unit');
  expect(f, 'dimension channel', 'dimension', KW_DECL);
  expect(f, 'dimension channel', 'channel', 'entity.name.type.dimension');
  expect(f, 'dimension region', 'from', KW);
  expect(f, 'chain patient_journey', 'chain', KW_DECL);
  expect(f, 'chain patient_journey', 'patient_journey', NAME);
  expect(f, 'chain patient_journey', 'external', KW, { nth: 0 });
  expect(f, 'stage awareness', 'stage', KW_DECL);
  expect(f, 'stage awareness', 'awareness', NAME);
  expect(f, 'stage awareness', '"People hear about us"', STR);
  expect(f, 'source history', 'source', KW_DECL);
  expect(f, 'source history', 'history', NAME);
  expect(f, 'source history', 'csv', FN);
  expect(f, 'source history', '"data/chiro.csv"', STR);
  expect(f, 'time: month', 'time', PROP);
  expect(f, 'source crm', 'sqlite', FN);
  expect(f, 'source crm', 'dimensions', PROP);
  expect(f, 'source dw', 'postgres', FN);
  expect(f, 'source dw', 'env', FN);
  expect(f, 'source dw', '"DW_URL"', STR);
  expect(f, 'param price', 'param', KW_DECL);
  expect(f, 'param price', 'price', NAME);
  expect(f, 'param price', 'USD', 'entity.name.type.unit');
  expect(f, 'param price', '/', OP);
  expect(f, 'param price', '480', NUM);
  expect(f, 'param conversion', 'by', KW);
  expect(f, 'param conversion', 'channel', 'entity.name.type.dimension');
  expect(f, 'param conversion', 'ppc', PROP);
  expect(f, 'param conversion', '4%', 'constant.numeric.percent');
  expect(f, 'param conversion', '25%', NUM);
  expect(f, 'param churn', '~', OP);
  expect(f, 'param churn', 'normal', FN);
  expect(f, 'param churn', '0.5%', NUM);
  expect(f, 'metric spend', 'metric', KW_DECL);
  expect(f, 'metric spend', 'metric', 'keyword');
  expect(f, 'metric spend', 'spend', NAME);
  expect(f, 'metric spend', '"Marketing spend"', STR);
  expect(f, 'metric spend', 'by', KW);
  expect(f, '  stage: awareness', 'stage', PROP);
  expectNot(f, '  stage: awareness', 'stage', KW_DECL);
  expect(f, 'role: input, leading', 'role', PROP);
  expect(f, 'role: input, leading', 'input', CONST);
  expect(f, 'role: input, leading', 'leading', 'constant.language.role');
  expect(f, 'role: input, leading', '// input | output', 'comment.line', { whole: false });
  expectNot(f, 'role: input, leading', 'input', CONST, { nth: 1 });
  expect(f, 'class: quantitative', 'class', PROP);
  expect(f, 'class: quantitative', 'quantitative', CONST);
  expect(f, 'class: quantitative', 'tactical', 'constant.language.class');
  expect(f, 'data: history.spend', 'data', PROP);
  expect(f, 'agg: sum', 'sum', 'constant.language.aggregation');
  expect(f, 'owner: "marketing"', '"marketing"', STR);
  expect(f, 'metric leads', 'leads', NAME);
  expect(f, 'metric leads', 'stage', PROP);
  expect(f, 'metric leads', 'data', PROP);
  expect(f, 'metric new_patients', 'sum', FN);
  expect(f, 'metric new_patients', 'sum', 'support.function.builtin');
  expect(f, 'metric new_patients', '*', OP);
  expect(f, 'metric new_patients', '=', 'keyword.operator.assignment');
  expect(f, 'metric new_patients', 'over', KW);
  expect(f, 'role: output, lagging', 'lagging', CONST);
  expect(f, 'metric revenue', 'north_star', CONST);
  expect(f, 'metric revenue', 'class', PROP);
  expect(f, 'metric revenue', 'strategic', CONST);
  expectNot(f, 'metric revenue', 'new_patients', NAME);

  // ---- relations.mtree: relations, constraints, events, goals, benchmarks
  f = 'relations.mtree';
  expect(f, 'relation spend', 'relation', KW_DECL);
  expect(f, 'relation spend', '->', 'keyword.operator.arrow');
  expect(f, 'relation spend', 'causal', CONST);
  expect(f, 'relation spend', 'lag', PROP);
  expect(f, 'relation spend', '1', NUM);
  expect(f, 'relation spend', 'month', 'keyword.other.unit');
  expect(f, 'relation nps', '<->', 'keyword.operator.arrow');
  expect(f, 'relation nps', 'probabilistic', CONST);
  expect(f, 'relation ppc_leads', 'compositional', 'constant.language.relation-kind');
  expect(f, 'constraint capacity', 'constraint', KW_DECL);
  expect(f, 'constraint capacity', 'capacity', NAME);
  expect(f, 'constraint capacity', '<=', 'keyword.operator.comparison');
  expect(f, 'constraint capacity', '20_000', NUM);
  expect(f, 'event google_update', 'event', KW_DECL);
  expect(f, 'event google_update', 'google_update', NAME);
  expect(f, 'event google_update', 'at', KW);
  expect(f, 'event google_update', '2025-03', PERIOD);
  expect(f, 'event google_update', 'affects', PROP);
  expect(f, 'event lockdown', '2020-03', PERIOD);
  expect(f, 'event lockdown', '..', 'keyword.operator.range');
  expect(f, 'event lockdown', '2020-06', PERIOD);
  expect(f, 'goal profit_target', 'goal', KW_DECL);
  expect(f, 'goal profit_target', 'profit_target', NAME);
  expect(f, 'goal profit_target', '>=', OP);
  expect(f, 'goal profit_target', '1_000_000', 'constant.numeric.integer');
  expect(f, 'goal profit_target', 'by', KW);
  expect(f, 'goal profit_target', '2026-12', PERIOD);
  expect(f, 'benchmark conversion', 'benchmark', KW_DECL);
  expect(f, 'benchmark conversion', 'conversion', NAME);
  expect(f, 'benchmark conversion', 'below_par', PROP);
  expect(f, 'benchmark conversion', '15%', NUM);

  // ---- predictive.mtree: section 6
  f = 'predictive.mtree';
  expect(f, 'forecast revenue', 'forecast', KW_CTRL);
  expect(f, 'forecast revenue', 'for', KW);
  expect(f, 'forecast revenue', '12', NUM);
  expect(f, 'forecast revenue', 'months', 'keyword.other.unit.time');
  expect(f, 'forecast revenue', 'method', PROP);
  expect(f, 'forecast revenue', '90%', NUM);
  expect(f, 'seek profit_target', 'seek', KW_CTRL);
  expect(f, 'seek profit_target', 'varying', KW);
  expect(f, 'simulate profit', 'simulate', KW_CTRL);
  expect(f, 'simulate profit', 'runs', PROP);
  expect(f, 'simulate profit', '10000', NUM);
  expect(f, 'simulate profit', '// uncertainty from `~` params', 'comment.line', { whole: false });

  // ---- optimize.mtree: section 7
  f = 'optimize.mtree';
  expect(f, 'param b_ppc', 'b_ppc', NAME);
  expect(f, 'metric patients_ppc', '100', 'constant.numeric.integer');
  expect(f, 'metric patients_ppc', 'USD', 'entity.name.type.unit', { nth: 0 });
  expect(f, 'metric patients_ppc', 'patient', 'entity.name.type.unit', { nth: 1 });
  expect(f, 'metric total_new_patients', '+', OP);
  expect(f, 'optimize marketing_mix', 'optimize', KW_CTRL);
  expect(f, 'optimize marketing_mix', 'marketing_mix', NAME);
  expect(f, 'maximize total_new_patients', 'maximize', KW);
  expect(f, 'vary b_ppc', 'vary', KW);
  expect(f, 'vary b_ppc', '>=', OP);
  expect(f, 'subject to', 'subject', KW);
  expect(f, 'subject to', 'to', KW);
  expect(f, 'budget:', 'budget', PROP);
  expect(f, 'capacity:', 'capacity', PROP);
  expect(f, 'capacity:', '150', NUM);

  // ---- statements.mtree: statements quoted inline in sections 3-8
  f = 'statements.mtree';
  expect(f, 'import', 'import', KW_DECL);
  expect(f, 'import', '"stdlib/marketing.mtree"', STR);
  expect(f, 'describe revenue', 'describe', KW_CTRL);
  expect(f, 'describe revenue', 'from', KW);
  expect(f, 'describe revenue', '2025-01', PERIOD);
  expect(f, 'describe revenue', 'to', KW);
  expect(f, 'describe revenue', '2025-06', PERIOD);
  expect(f, 'vs 2025-06', 'diagnose', KW_CTRL);
  expect(f, 'vs 2025-06', 'at', KW);
  expect(f, 'vs 2025-06', 'vs', KW);
  expect(f, 'vs 2025-06', '2025-07', PERIOD);
  expect(f, 'vs previous', 'previous', KW);
  expect(f, 'vs same period last year', 'same period last year', KW);
  expect(f, 'vs same period last year', 'method', PROP);
  expect(f, 'recommend for', 'recommend', KW_CTRL);
  expect(f, 'recommend for', 'for', KW);
  expect(f, 'minimize cost', 'minimize', KW);
  expect(f, 'vary a, b', '<=', OP);
  expect(f, 'vary integer', 'integer', KW);

  // ---- lexical.mtree: section 2
  f = 'lexical.mtree';
  expect(f, '/* a block comment', '/* a block comment', 'comment.block', { whole: false });
  expect(f, 'over two lines */', 'over two lines */', 'comment.block', { whole: false });
  expect(f, '//// four slashes', '//// four slashes: an ordinary comment', 'comment.line.double-slash');
  expectNot(f, '//// four slashes', '////', DOC);
  expect(f, '/// Revenue booked', '/// Revenue booked in the month.', DOC, { whole: false });
  expect(f, '/// Second line', '///', 'punctuation.definition.comment');
  expect(f, 'metric booked', 'booked', NAME);
  expect(f, 'metric booked', '\\"', 'constant.character.escape');
  expect(f, 'metric booked', '\\\\', 'constant.character.escape');
  expect(f, 'metric booked', '"Booked \\"net\\" revenue\\\\n"', STR);
  expect(f, 'metric booked', 'region', 'entity.name.type.dimension');
  expect(f, 'role: output, lagging  class', 'class', PROP);
  expect(f, 'role: output, lagging  class', 'strategic', CONST);
  expect(f, 'param numbers', '42', 'constant.numeric.integer');
  expect(f, 'param numbers', '0.25', 'constant.numeric.float');
  expect(f, 'param numbers', '1_000_000', 'constant.numeric.integer');
  expect(f, 'param numbers', '1.5e3', 'constant.numeric.float');
  expect(f, 'param numbers', '20%', 'constant.numeric.percent');
  expect(f, 'param big_pct', '12.5%', 'constant.numeric.percent');
  expect(f, 'param big_pct', 'uniform', FN);
  expect(f, 'event q at', '2025-Q3', PERIOD);
  expect(f, 'event w at', '2025-W31', PERIOD);
  expect(f, 'event d at', '2025-07-30', PERIOD);
  expect(f, 'event d at', '2025-08-02', PERIOD);
  expect(f, 'event y at', '2025', PERIOD);
  expect(f, 'describe booked from', '2024', PERIOD);
  expect(f, 'describe booked from', '2025', PERIOD);
  expect(f, 'describe booked at', '2024', PERIOD);
  expect(f, 'describe booked at', '2025', PERIOD);
  expect(f, 'metric diff', '2000', 'constant.numeric.integer');
  expectNot(f, 'metric diff', '2000', PERIOD);
  expect(f, 'metric diff', '50', 'constant.numeric.integer');
  expectNot(f, 'metric diff', 'x2025', NUM);
  expectNot(f, 'metric not_periods', '2025-13', PERIOD);
  expectNot(f, 'metric not_periods', '12025-07', PERIOD);
  expectNot(f, 'metric not_periods', '2025-071', PERIOD);
  expect(f, 'metric rolled', 'rolling_mean', FN);
  expect(f, 'metric rolled', 'lag', FN);
  expect(f, 'metric rolled', 'delta', FN);
  expect(f, 'metric rolled', 'share', FN);
  expect(f, 'metric rolled', 'over', KW);
  expect(f, 'metric curve', 'hill', FN);
  expect(f, 'metric curve', 'adstock', FN);
  expect(f, 'metric curve', 'USD', 'entity.name.type.unit', { nth: 0 });
  expect(f, 'metric curve', 'patient', 'entity.name.type.unit', { nth: 1 });
  expect(f, 'metric logic', 'if', FN);
  expect(f, 'metric logic', 'and', 'keyword.operator.logical');
  expect(f, 'metric logic', 'not', 'keyword.operator.logical');
  expect(f, 'metric logic', 'clamp', FN);
  expect(f, 'metric logic', 'max', FN);
  expect(f, 'metric logic', '>', 'keyword.operator.comparison');
  expect(f, 'metric comparisons', '!=', 'keyword.operator.comparison');
  expect(f, 'metric comparisons', 'or', 'keyword.operator.logical');
  expect(f, 'metric comparisons', '^', 'keyword.operator.arithmetic');
  expect(f, 'function margin', 'function', KW_DECL);
  expect(f, 'function margin', 'margin', 'entity.name.function');
  expect(f, 'function margin', 'r', 'variable.parameter');
  expect(f, 'function margin', '-', 'keyword.operator.arithmetic');
  expect(f, 'relation spend -> booked', '3', NUM);
  expect(f, 'relation spend -> booked', 'months', 'keyword.other.unit.time');
  expect(f, 'relation spend -> booked', 'window', PROP);
  expect(f, 'relation spend -> booked', 'weeks', 'keyword.other.unit.time');
  expect(f, 'relation spend -> booked', 'year', 'keyword.other.unit.time');
  expect(f, 'relation a <-> b', 'deterministic', CONST);
  expect(f, 'chain journey', 'internal', KW);
  expect(f, 'stage awareness', 'stage', KW_DECL);
  expect(f, 'stage awareness', 'awareness', NAME);
  expect(f, 'grain: week', 'week', CONST);
  expect(f, 'start: 2024-W01', '2024-W01', PERIOD);
}

// Every sample ends at the top level: no begin/end rule left open.
function balanceChecks() {
  for (const [name, s] of tokenized) {
    ok(s.state.depth === 1, `${name}: tokenizing ends inside a rule (state depth ${s.state.depth})`);
    ok(s.stoppedEarly === 0, `${name}: tokenizing stopped early on ${s.stoppedEarly} line(s)`);
  }
}

// ------------------------------------------------------------------ corpus

function findMtree(dir) {
  const out = [];
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && !e.name.startsWith('.')) out.push(...findMtree(p));
    } else if (e.name.endsWith('.mtree')) {
      out.push(p);
    }
  }
  return out.sort();
}

function corpusChecks(grammar) {
  const files = [...findMtree(path.join(ROOT, 'examples')), ...findMtree(path.join(ROOT, 'stdlib'))];
  let lines = 0;
  let unbalanced = 0;
  for (const file of files) {
    const rel = path.relative(ROOT, file);
    try {
      const r = tokenizeText(grammar, fs.readFileSync(file, 'utf8'), rel);
      lines += r.lines.length;
      ok(r.stoppedEarly === 0, `${rel}: tokenizing stopped early on ${r.stoppedEarly} line(s) (a runaway rule?)`);
      ok(r.ms < 10000, `${rel}: tokenizing took ${r.ms} ms`);
      if (r.state.depth !== 1) {
        // not a failure: a file may be deliberately broken (an error example)
        unbalanced++;
        console.log(`note: ${rel} ends inside a rule (unbalanced braces or an unterminated comment?)`);
      }
    } catch (e) {
      fail(`${rel}: tokenizing threw: ${e && e.stack ? e.stack : e}`);
    }
  }
  console.log(`corpus: ${files.length} .mtree file(s) under examples/ and stdlib/, ${lines} lines` +
    (unbalanced ? `, ${unbalanced} ending inside a rule` : ''));
}

// ------------------------------------------------------------------ extension

function manifestChecks() {
  const pkg = JSON.parse(fs.readFileSync(path.join(EXT, 'package.json'), 'utf8'));
  const c = pkg.contributes || {};
  const lang = (c.languages || []).find((l) => l.id === 'mtree');
  ok(!!lang, 'package.json: contributes.languages has no id "mtree"');
  ok(lang && (lang.extensions || []).includes('.mtree'), 'package.json: language mtree lacks extension .mtree');
  ok(lang && fs.existsSync(path.join(EXT, lang.configuration || '')), 'package.json: language configuration file missing');
  const g = (c.grammars || []).find((x) => x.language === 'mtree');
  ok(g && g.scopeName === 'source.mtree', 'package.json: no grammar with scopeName source.mtree');
  ok(g && path.resolve(EXT, g.path) === GRAMMAR, 'package.json: grammar path is not syntaxes/mtree.tmLanguage.json');
  const raw = JSON.parse(fs.readFileSync(GRAMMAR, 'utf8'));
  // the JSON is generated from scripts/gen_grammar.py: both must agree
  const gen = spawnSync('python3', [path.join(EXT, 'scripts', 'gen_grammar.py'), '--check'], { encoding: 'utf8' });
  if (gen.error) console.log('note: python3 not found; not checking that the grammar JSON matches scripts/gen_grammar.py');
  else ok(gen.status === 0, `grammar: ${(gen.stderr || '').trim() || 'gen_grammar.py --check failed'}`);
  ok(raw.scopeName === 'source.mtree', 'grammar: scopeName is not source.mtree');
  const setting = ((c.configuration || {}).properties || {})['mtree.server.path'];
  ok(setting && setting.default === 'mtc', 'package.json: setting mtree.server.path must default to "mtc"');
  ok((pkg.activationEvents || []).includes('onLanguage:mtree'), 'package.json: no activation event onLanguage:mtree');
  ok(pkg.dependencies && pkg.dependencies['vscode-languageclient'], 'package.json: no dependency vscode-languageclient');
  ok(fs.existsSync(path.join(EXT, pkg.main || '')), 'package.json: main file missing');
  const lc = JSON.parse(fs.readFileSync(path.join(EXT, 'language-configuration.json'), 'utf8'));
  ok(lc.comments && lc.comments.lineComment === '//', 'language-configuration: lineComment is not //');
  ok(lc.comments && JSON.stringify(lc.comments.blockComment) === '["/*","*/"]', 'language-configuration: blockComment is not /* */');
  for (const key of ['wordPattern']) {
    try { new RegExp(lc[key]); pass(); } catch (e) { fail(`language-configuration: ${key} is not a valid RegExp: ${e.message}`); }
  }
  for (const key of ['increaseIndentPattern', 'decreaseIndentPattern']) {
    try { new RegExp(lc.indentationRules[key]); pass(); } catch (e) { fail(`language-configuration: ${key}: ${e.message}`); }
  }
  const declared = new Set((c.commands || []).map((x) => x.command));
  const src = fs.readFileSync(path.join(EXT, pkg.main), 'utf8');
  for (const m of src.matchAll(/registerCommand\('([^']+)'/g)) {
    ok(declared.has(m[1]), `package.json: command ${m[1]} is registered but not contributed`);
  }
}

// Loads src/extension.js against stand-ins for `vscode` and the language client,
// activates it, and checks that it would start `mtc lsp` over stdio.
async function extensionChecks() {
  const started = [];
  let configured = { 'server.path': 'mtc', 'server.extraArgs': [] };
  class FakeClient {
    constructor(id, name, serverOptions, clientOptions) {
      Object.assign(this, { id, name, serverOptions, clientOptions });
      this.running = false;
    }
    async start() { this.running = true; started.push(this); }
    async stop() { this.running = false; }
    async dispose() { this.running = false; }
  }
  const configListeners = [];
  const commands = new Map();
  const fakeVscode = {
    workspace: {
      getConfiguration: (section) => ({ get: (k) => (section === 'mtree' ? configured[k] : undefined) }),
      createFileSystemWatcher: (glob) => ({ glob, dispose() {} }),
      onDidChangeConfiguration: (fn) => { configListeners.push(fn); return { dispose() {} }; },
    },
    window: {
      createOutputChannel: (name) => ({ name, appendLine() {}, dispose() {} }),
      showErrorMessage: (msg) => { throw new Error(`unexpected error message: ${msg}`); },
    },
    commands: {
      registerCommand: (id, fn) => { commands.set(id, fn); return { dispose() {} }; },
    },
  };
  const fakeClientLib = { LanguageClient: FakeClient, TransportKind: { stdio: 0, ipc: 1, pipe: 2, socket: 3 } };
  const origLoad = Module._load;
  Module._load = function (request, parent, isMain) {
    if (request === 'vscode') return fakeVscode;
    if (request === 'vscode-languageclient/node') return fakeClientLib;
    return origLoad.apply(this, arguments);
  };
  try {
    const file = path.join(EXT, 'src', 'extension.js');
    delete require.cache[require.resolve(file)];
    const ext = require(file);
    const context = { subscriptions: [] };
    await ext.activate(context);
    const c = started[0];
    ok(started.length === 1, `extension: activate started ${started.length} client(s), expected 1`);
    if (c) {
      ok(c.id === 'mtree', `extension: client id ${c.id}, expected mtree (for mtree.trace.server)`);
      ok(c.serverOptions.run.command === 'mtc', `extension: server command ${c.serverOptions.run.command}, expected mtc`);
      ok(JSON.stringify(c.serverOptions.run.args) === '["lsp"]', `extension: server args ${JSON.stringify(c.serverOptions.run.args)}, expected ["lsp"]`);
      ok(c.serverOptions.run.transport === fakeClientLib.TransportKind.stdio, 'extension: transport is not stdio');
      ok(c.clientOptions.documentSelector.some((d) => d.language === 'mtree'), 'extension: document selector lacks mtree');
    }
    // a changed server path restarts the client with the new command
    configured = { 'server.path': '/opt/mtc/bin/mtc', 'server.extraArgs': ['--log', 'x'] };
    for (const fn of configListeners) await fn({ affectsConfiguration: (s) => s === 'mtree.server' });
    const c2 = started[1];
    ok(c && !c.running && c2 && c2.running, 'extension: a configuration change does not restart the client');
    ok(c2 && c2.serverOptions.run.command === '/opt/mtc/bin/mtc' &&
       JSON.stringify(c2.serverOptions.run.args) === '["lsp","--log","x"]',
       'extension: restarted client does not use mtree.server.path / extraArgs');
    ok(commands.has('mtree.restartServer'), 'extension: no mtree.restartServer command');
    await ext.deactivate();
    ok(c2 && !c2.running, 'extension: deactivate does not stop the client');
  } catch (e) {
    fail(`extension: ${e && e.stack ? e.stack : e}`);
  } finally {
    Module._load = origLoad;
  }
}

// ------------------------------------------------------------------ main

async function main() {
  const grammar = await loadGrammar();
  for (const name of fs.readdirSync(SAMPLES).filter((n) => n.endsWith('.mtree')).sort()) {
    tokenized.set(name, tokenizeText(grammar, fs.readFileSync(path.join(SAMPLES, name), 'utf8'), name));
  }
  if (process.argv.includes('--dump')) {
    // node highlight_test.js --dump [sample]: print every token with its scopes
    const only = process.argv[process.argv.indexOf('--dump') + 1];
    for (const [name, s] of tokenized) {
      if (only && only !== name) continue;
      s.lines.forEach((l, i) => {
        console.log(`${name}:${i + 1}: ${l.line}`);
        for (const t of l.tokens) console.log(`    ${JSON.stringify(l.line.slice(t.startIndex, t.endIndex))}  ${t.scopes.slice(1).join(' ')}`);
      });
    }
    return 0;
  }
  const before = () => passed + failed;
  let n = before();
  samplesChecks();
  balanceChecks();
  console.log(`samples: ${tokenized.size} file(s), ${before() - n} checks`);
  n = before();
  corpusChecks(grammar);
  n = before();
  manifestChecks();
  await extensionChecks();
  console.log(`extension: ${before() - n} checks`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => {
  console.error(e && e.stack ? e.stack : e);
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});
