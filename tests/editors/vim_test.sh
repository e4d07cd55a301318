#!/usr/bin/env bash
# Checks editors/vim: filetype detection, the ftplugin's settings, syntax groups
# at chosen places of tests/editors/samples/*.mtree, and that the indent file
# reproduces the samples' indentation. Uses nvim, else vim; exits 0 with
# "skipped: ..." when neither is installed (CI machines may not have them).
set -uo pipefail
here="${BASH_SOURCE[0]%/*}"
[ "$here" = "${BASH_SOURCE[0]}" ] && here=.
cd "$here" || exit 2
HERE="$(pwd)"
ROOT="$(cd ../.. && pwd)"

# MTREE_TEST_VIM=vim picks vim when nvim is installed too.
if [ "${MTREE_TEST_VIM:-}" = vim ] && command -v vim >/dev/null 2>&1; then
  run_vim() { vim -N -u NONE -i NONE -n -es -S "$1" </dev/null; }
  EDITOR_NAME="$(vim --version | head -1)"
elif command -v nvim >/dev/null 2>&1; then
  run_vim() { nvim --headless -u NONE -i NONE -n -S "$1" </dev/null; }
  EDITOR_NAME="$(nvim --version | head -1)"
elif command -v vim >/dev/null 2>&1; then
  run_vim() { vim -N -u NONE -i NONE -n -es -S "$1" </dev/null; }
  EDITOR_NAME="$(vim --version | head -1)"
else
  echo "skipped: neither nvim nor vim installed"
  exit 77
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
out="$tmp/results.txt"

cat >"$tmp/test.vim" <<VIM
set nocompatible
set rtp^=$ROOT/editors/vim
filetype plugin indent on
syntax on
let g:out = []
let g:samples = '$HERE/samples'

function! Fail(msg) abort
  call add(g:out, 'FAIL ' . a:msg)
endfunction
function! Pass() abort
  call add(g:out, 'PASS')
endfunction

" Opens a sample once: reloading the current buffer over and over can leave
" synID() with stale syntax state.
function! Open(file) abort
  let path = g:samples . '/' . a:file
  if fnamemodify(bufname('%'), ':p') !=# fnamemodify(path, ':p')
    execute 'silent edit ' . fnameescape(path)
  endif
endfunction

" The column (1-based) of the nth occurrence of text on line lnum, as a whole
" word when text is one.
function! Col(lnum, text, nth) abort
  let line = getline(a:lnum)
  let word = a:text =~# '^\w\+$'
  let from = 0
  let n = 0
  while 1
    let c = stridx(line, a:text, from)
    if c < 0
      return 0
    endif
    let from = c + 1
    if word && ((c > 0 && line[c - 1] =~# '\w') || line[c + len(a:text)] =~# '\w')
      continue
    endif
    if n == a:nth
      return c + 1
    endif
    let n += 1
  endwhile
endfunction

" Every character of text has syntax group (after resolving transparency) group.
function! Check(file, linehas, text, group, ...) abort
  let nth = a:0 ? a:1 : 0
  call Open(a:file)
  let lnum = 0
  for i in range(1, line('$'))
    if stridx(getline(i), a:linehas) >= 0
      let lnum = i
      break
    endif
  endfor
  if lnum == 0
    return Fail(a:file . ': no line contains ' . string(a:linehas))
  endif
  let col = Col(lnum, a:text, nth)
  if col == 0
    return Fail(a:file . ':' . lnum . ': no ' . string(a:text))
  endif
  let got = []
  for c in range(col, col + len(a:text) - 1)
    let name = synIDattr(synID(lnum, c, 1), 'name')
    if index(got, name) < 0
      call add(got, name)
    endif
  endfor
  let ok = a:group =~# '^!' ? index(got, a:group[1:]) < 0 : got == [a:group]
  if ok
    call Pass()
  else
    call Fail(printf('%s:%d:%d %s -> %s: got %s', a:file, lnum, col, string(a:text), a:group, string(got)))
  endif
endfunction

" ---- filetype and ftplugin
call Open('overview.mtree')
call add(g:out, &filetype ==# 'mtree' ? 'PASS' : 'FAIL filetype is ' . string(&filetype))
call add(g:out, &commentstring ==# '// %s' ? 'PASS' : 'FAIL commentstring is ' . string(&commentstring))
call add(g:out, &l:makeprg =~# '^mtc check' ? 'PASS' : 'FAIL makeprg is ' . string(&l:makeprg))
call add(g:out, &l:comments =~# ':///' ? 'PASS' : 'FAIL comments is ' . string(&l:comments))
call add(g:out, exists('b:current_syntax') && b:current_syntax ==# 'mtree' ? 'PASS' : 'FAIL syntax not loaded')

" ---- syntax groups
call Check('overview.mtree', 'model chiro', 'model', 'mtreeDecl')
call Check('overview.mtree', 'model chiro', 'chiro', 'mtreeDeclName')
call Check('overview.mtree', 'model chiro', '"Chiro 1st clinic"', 'mtreeString')
call Check('overview.mtree', 'grain: month', 'grain', 'mtreeProperty')
call Check('overview.mtree', 'grain: month', 'month', 'mtreeGrainValue')
call Check('overview.mtree', 'grain: month', '// day', 'mtreeLineComment')
call Check('overview.mtree', 'start: 2024-01', '2024-01', 'mtreePeriod')
call Check('overview.mtree', 'unit patient', 'patient', 'mtreeTypeName')
call Check('overview.mtree', 'dimension channel', 'channel', 'mtreeTypeName')
call Check('overview.mtree', 'dimension region', 'from', 'mtreeKeyword')
call Check('overview.mtree', 'chain patient_journey', 'external', 'mtreeKeyword')
call Check('overview.mtree', 'stage awareness', 'stage', 'mtreeDecl')
call Check('overview.mtree', 'stage awareness', 'awareness', 'mtreeTypeName')
call Check('overview.mtree', 'source history', 'history', 'mtreeDeclName')
call Check('overview.mtree', 'source history', 'csv', 'mtreeBuiltin')
call Check('overview.mtree', 'param price', 'price', 'mtreeTypedName')
call Check('overview.mtree', 'param price', 'USD', 'mtreeUnitExpr')
call Check('overview.mtree', 'param price', '480', 'mtreeNumber')
call Check('overview.mtree', 'param conversion', 'channel', 'mtreeDimList')
call Check('overview.mtree', 'param conversion', 'ppc', 'mtreeProperty')
call Check('overview.mtree', 'param conversion', '4%', 'mtreePercent')
call Check('overview.mtree', 'param churn', '~', 'mtreeOperator')
call Check('overview.mtree', 'param churn', 'normal', 'mtreeBuiltin')
call Check('overview.mtree', 'metric spend', 'metric', 'mtreeDecl')
call Check('overview.mtree', 'metric spend', 'spend', 'mtreeTypedName')
call Check('overview.mtree', 'metric spend', '"Marketing spend"', 'mtreeTitle')
call Check('overview.mtree', 'metric spend', 'channel', 'mtreeDimList')
call Check('overview.mtree', '  stage: awareness', 'stage', 'mtreeProperty')
call Check('overview.mtree', 'role: input', 'role', 'mtreeProperty')
call Check('overview.mtree', 'role: input', 'input', 'mtreeRole')
call Check('overview.mtree', 'role: input', 'leading', 'mtreeRole')
call Check('overview.mtree', 'role: input', 'input', 'mtreeLineComment', 1)
call Check('overview.mtree', 'class: quantitative', 'tactical', 'mtreeClass')
call Check('overview.mtree', 'agg: sum', 'sum', 'mtreeAggValue')
call Check('overview.mtree', 'metric new_patients', 'sum', 'mtreeBuiltin')
call Check('overview.mtree', 'metric new_patients', 'over', 'mtreeKeyword')
call Check('overview.mtree', 'metric revenue', 'north_star', 'mtreeRole')
call Check('overview.mtree', 'metric revenue', 'class', 'mtreeProperty')
call Check('overview.mtree', 'metric revenue', 'strategic', 'mtreeClass')
call Check('relations.mtree', 'relation spend', 'relation', 'mtreeDecl')
call Check('relations.mtree', 'relation spend', '->', 'mtreeArrow')
call Check('relations.mtree', 'relation spend', 'causal', 'mtreeRelationKind')
call Check('relations.mtree', 'relation spend', 'lag', 'mtreeProperty')
call Check('relations.mtree', 'relation spend', '1', 'mtreeDuration')
call Check('relations.mtree', 'relation spend', 'month', 'mtreeTimeUnit')
call Check('relations.mtree', 'relation nps', '<->', 'mtreeArrow')
call Check('relations.mtree', 'constraint capacity', 'capacity', 'mtreeDeclName')
call Check('relations.mtree', 'constraint capacity', '<=', 'mtreeOperator')
call Check('relations.mtree', 'constraint capacity', '20_000', 'mtreeNumber')
call Check('relations.mtree', 'event lockdown', '2020-03', 'mtreePeriod')
call Check('relations.mtree', 'event lockdown', '..', 'mtreeRange')
call Check('relations.mtree', 'event lockdown', 'affects', 'mtreeProperty')
call Check('relations.mtree', 'goal profit_target', '1_000_000', 'mtreeNumber')
call Check('relations.mtree', 'goal profit_target', '2026-12', 'mtreePeriod')
call Check('relations.mtree', 'benchmark conversion', 'below_par', 'mtreeProperty')
call Check('predictive.mtree', 'forecast revenue', 'forecast', 'mtreeStatement')
call Check('predictive.mtree', 'forecast revenue', 'for', 'mtreeKeyword')
call Check('predictive.mtree', 'forecast revenue', 'months', 'mtreeTimeUnit')
call Check('predictive.mtree', 'forecast revenue', '90%', 'mtreePercent')
call Check('predictive.mtree', 'seek profit_target', 'varying', 'mtreeKeyword')
call Check('optimize.mtree', 'metric patients_ppc', 'USD', 'mtreeQuantityUnit')
call Check('optimize.mtree', 'metric patients_ppc', '/', 'mtreeUnitOp', 1)
call Check('optimize.mtree', 'metric patients_ppc', 'patient', 'mtreeQuantityUnit', 1)
call Check('optimize.mtree', 'metric patients_ppc', 'patient', 'mtreeUnitExpr', 0)
call Check('optimize.mtree', 'metric patients_ppc', '100', 'mtreeNumber')
call Check('optimize.mtree', 'optimize marketing_mix', 'optimize', 'mtreeStatement')
call Check('optimize.mtree', 'optimize marketing_mix', 'marketing_mix', 'mtreeDeclName')
call Check('optimize.mtree', 'maximize', 'maximize', 'mtreeKeyword')
call Check('optimize.mtree', 'subject to', 'to', 'mtreeKeyword')
call Check('optimize.mtree', 'budget:', 'budget', 'mtreeProperty')
call Check('statements.mtree', 'describe revenue', 'describe', 'mtreeStatement')
call Check('statements.mtree', 'describe revenue', '2025-01', 'mtreePeriod')
call Check('statements.mtree', 'vs previous', 'previous', 'mtreeKeyword')
call Check('statements.mtree', 'vs same period', 'same period last year', 'mtreeKeyword')
call Check('lexical.mtree', '/* a block', '/* a block comment', 'mtreeBlockComment')
call Check('lexical.mtree', 'over two lines', 'over two lines */', 'mtreeBlockComment')
call Check('lexical.mtree', '//// four', '//// four slashes', 'mtreeLineComment')
call Check('lexical.mtree', '/// Revenue', '/// Revenue booked', 'mtreeDocComment')
call Check('lexical.mtree', 'metric booked', '\"', 'mtreeEscape')
call Check('lexical.mtree', 'param numbers', '42', 'mtreeNumber')
call Check('lexical.mtree', 'param numbers', '0.25', 'mtreeFloat')
call Check('lexical.mtree', 'param numbers', '1_000_000', 'mtreeNumber')
call Check('lexical.mtree', 'param numbers', '1.5e3', 'mtreeFloat')
call Check('lexical.mtree', 'param numbers', '20%', 'mtreePercent')
call Check('lexical.mtree', 'event q at', '2025-Q3', 'mtreePeriod')
call Check('lexical.mtree', 'event w at', '2025-W31', 'mtreePeriod')
call Check('lexical.mtree', 'event d at', '2025-07-30', 'mtreePeriod')
call Check('lexical.mtree', 'event y at', '2025', 'mtreePeriod')
call Check('lexical.mtree', 'describe booked from', '2024', 'mtreePeriod')
call Check('lexical.mtree', 'describe booked at', '2025', 'mtreePeriod')
call Check('lexical.mtree', 'metric diff', '2000', 'mtreeNumber')
call Check('lexical.mtree', 'metric not_periods', '2025-13', '!mtreePeriod')
call Check('lexical.mtree', 'metric not_periods', '12025-07', '!mtreePeriod')
call Check('lexical.mtree', 'metric not_periods', '2025-071', '!mtreePeriod')
call Check('lexical.mtree', 'metric rolled', 'rolling_mean', 'mtreeBuiltin')
call Check('lexical.mtree', 'metric logic', 'and', 'mtreeLogical')
call Check('lexical.mtree', 'metric comparisons', '!=', 'mtreeOperator')
call Check('lexical.mtree', 'function margin', 'function', 'mtreeDecl')
call Check('lexical.mtree', 'function margin', 'margin', 'mtreeDeclName')
call Check('lexical.mtree', 'relation spend -> booked', 'weeks', 'mtreeTimeUnit')
call Check('lexical.mtree', 'relation a <-> b', 'deterministic', 'mtreeRelationKind')
call Check('lexical.mtree', 'grain: week', 'week', 'mtreeGrainValue')
call Check('lexical.mtree', 'start: 2024-W01', '2024-W01', 'mtreePeriod')

" ---- indent: re-indenting each sample keeps its indentation
for f in glob(g:samples . '/*.mtree', 0, 1)
  execute 'silent edit! ' . fnameescape(f)
  let before = getline(1, '$')
  silent normal! gg=G
  let after = getline(1, '$')
  let bad = filter(range(len(before)), 'before[v:val] !=# after[v:val]')
  if empty(bad)
    call Pass()
  else
    call Fail(printf('indent: %s:%d: %s became %s', fnamemodify(f, ':t'), bad[0] + 1, string(before[bad[0]]), string(after[bad[0]])))
  endif
  silent edit!
endfor

" the examples and stdlib, when there are any: a difference is only a note
for f in glob('$ROOT/examples/**/*.mtree', 0, 1) + glob('$ROOT/stdlib/**/*.mtree', 0, 1)
  execute 'silent edit! ' . fnameescape(f)
  let before = getline(1, '$')
  silent normal! gg=G
  let after = getline(1, '$')
  let bad = filter(range(len(before)), 'before[v:val] !=# after[v:val]')
  if !empty(bad)
    call add(g:out, printf('NOTE indent: %s:%d: %s would become %s', f, bad[0] + 1, string(before[bad[0]]), string(after[bad[0]])))
  endif
  silent edit!
endfor

call writefile(g:out, '$out')
qa!
VIM

run_vim "$tmp/test.vim" >"$tmp/log.txt" 2>&1

# ---- Neovim LSP client (editors/vim/lua/mtree/lsp.lua) against a stand-in `mtc`
# that answers `initialize` and publishes one diagnostic for each opened file.
if [ -s "$out" ] && [ -z "${MTREE_TEST_VIM:-}" ] && command -v nvim >/dev/null 2>&1 && command -v python3 >/dev/null 2>&1; then
  mkdir -p "$tmp/bin"
  cat >"$tmp/bin/mtc" <<'PY'
#!/usr/bin/env python3
# A stand-in for `mtc lsp`, just enough LSP for tests/editors/vim_test.sh.
import json, sys
assert sys.argv[1:2] == ["lsp"], sys.argv
inp, outp = sys.stdin.buffer, sys.stdout.buffer
def send(msg):
    body = json.dumps(msg).encode()
    outp.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    outp.flush()
while True:
    length = None
    while True:
        line = inp.readline()
        if not line:
            sys.exit(0)
        line = line.strip()
        if not line:
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    msg = json.loads(inp.read(length))
    method = msg.get("method")
    if method == "initialize":
        send({"jsonrpc": "2.0", "id": msg["id"], "result": {
            "capabilities": {"textDocumentSync": 1}, "serverInfo": {"name": "fake-mtc"}}})
    elif method == "shutdown":
        send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
    elif method == "exit":
        sys.exit(0)
    elif method == "textDocument/didOpen":
        uri = msg["params"]["textDocument"]["uri"]
        send({"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics", "params": {"uri": uri, "diagnostics": [{
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 5}},
            "severity": 1, "source": "mtc", "message": "fake diagnostic"}]}})
    elif "id" in msg:
        send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
PY
  chmod +x "$tmp/bin/mtc"
  cat >"$tmp/lsp.vim" <<VIM
set nocompatible
set rtp^=$ROOT/editors/vim
filetype plugin indent on
lua require('mtree.lsp').setup()
edit $HERE/samples/overview.mtree
edit $HERE/samples/lexical.mtree
lua << LUA
local ok = vim.wait(10000, function() return #vim.diagnostic.get(0) > 0 end, 50)
local res = {}
local n = 0
for _, c in pairs(vim.lsp.buf_get_clients(0)) do n = n + 1 end
table.insert(res, n == 1 and 'PASS' or ('FAIL lsp: ' .. n .. ' client(s) attached to the mtree buffer'))
local total = #vim.lsp.get_active_clients()
table.insert(res, total == 1 and 'PASS' or ('FAIL lsp: two mtree buffers started ' .. total .. ' servers, expected 1'))
local d = vim.diagnostic.get(0)[1]
table.insert(res, (ok and d and d.message == 'fake diagnostic') and 'PASS' or 'FAIL lsp: no diagnostic came back from the server')
vim.fn.writefile(res, '$tmp/lsp.txt')
vim.lsp.stop_client(vim.lsp.get_active_clients(), true)
LUA
qa!
VIM
  PATH="$tmp/bin:$PATH" timeout 60 nvim --headless -u NONE -i NONE -n -S "$tmp/lsp.vim" </dev/null >>"$tmp/log.txt" 2>&1
  if [ -s "$tmp/lsp.txt" ]; then
    cat "$tmp/lsp.txt" >>"$out"
  else
    echo "FAIL lsp: the Neovim LSP check wrote no result" >>"$out"
  fi
fi
if [ ! -s "$out" ]; then
  echo "vim_test: $EDITOR_NAME wrote no results"
  cat "$tmp/log.txt"
  echo "0 passed, 1 failed"
  exit 1
fi
grep '^\(FAIL\|NOTE\)' "$out" || true
passed=$(grep -c '^PASS' "$out")
failed=$(grep -c '^FAIL' "$out")
echo "vim_test ($EDITOR_NAME):"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
