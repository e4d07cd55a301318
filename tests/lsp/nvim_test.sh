#!/usr/bin/env bash
# A real client: headless Neovim (Debian's 0.7.2 uses vim.lsp.start_client,
# newer ones vim.lsp.start; editors/vim/lua/mtree/lsp.lua handles both) opens
# examples/saas/saas.mtree through the repository's client, an error is typed
# into the buffer (never saved), and the test waits for the server's diagnostic
# and checks it, then asks for a hover, a definition and completions.
#
#   nvim_test.sh MTC ROOT
# Prints "N passed, N failed"; exits 77 (skipped in CTest) without nvim.
set -uo pipefail
MTC="$1"
ROOT="$2"
if ! command -v nvim >/dev/null 2>&1; then
  echo "skipped: nvim is not installed"
  exit 77
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
out="$tmp/results.txt"

cat >"$tmp/test.lua" <<'LUA'
local root, mtc, out = os.getenv('ROOT'), os.getenv('MTC'), os.getenv('OUT')
local results = {}
local function check(cond, what)
  table.insert(results, (cond and 'PASS ' or 'FAIL ') .. what)
end

local function run()
  vim.opt.rtp:prepend(root .. '/editors/vim')
  vim.cmd('filetype plugin on')
  require('mtree.lsp').setup({ cmd = { mtc, 'lsp' } })
  vim.cmd('edit ' .. vim.fn.fnameescape(root .. '/examples/saas/saas.mtree'))
  local buf = vim.api.nvim_get_current_buf()
  check(vim.bo[buf].filetype == 'mtree', 'filetype is mtree')
  local attached = vim.wait(10000, function() return #vim.lsp.buf_get_clients(buf) > 0 end, 20)
  check(attached, 'the mtc client attached')

  -- The injected error: `visitors` becomes `visits` in signup_rate's formula.
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local lnum, text
  for i, l in ipairs(lines) do
    if l:find('= signups / visitors {', 1, true) then lnum, text = i - 1, l end
  end
  check(lnum ~= nil, 'found signup_rate in the example')
  local broken = text:gsub('signups / visitors', 'signups / visits')
  local col = broken:find('visits', 1, true) - 1 -- 0-based
  vim.api.nvim_buf_set_lines(buf, lnum, lnum + 1, false, { broken })

  local got = vim.wait(15000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
  check(got, 'diagnostics arrived')
  local ds = vim.diagnostic.get(buf)
  check(#ds == 1, 'one diagnostic (got ' .. #ds .. ')')
  local d = ds[1] or {}
  check(d.lnum == lnum and d.col == col and d.end_lnum == lnum and d.end_col == col + 6,
    string.format('range %s:%s-%s:%s, want %d:%d-%d:%d', tostring(d.lnum), tostring(d.col), tostring(d.end_lnum),
      tostring(d.end_col), lnum, col, lnum, col + 6))
  check(d.severity == vim.diagnostic.severity.ERROR, 'severity error')
  check(d.source == 'mtc', 'source mtc')
  local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
  check(code == 'unknown-name', 'code unknown-name (got ' .. tostring(code) .. ')')
  check((d.message or ''):find("unknown name 'visits'", 1, true) ~= nil, 'message: ' .. tostring(d.message))

  local uri = vim.uri_from_bufnr(buf)
  local function ask(method, params)
    local res = vim.lsp.buf_request_sync(buf, method, params, 5000) or {}
    for _, r in pairs(res) do
      if r.result then return r.result end
    end
    return nil
  end
  local at = { textDocument = { uri = uri }, position = { line = lnum, character = broken:find('signups /', 1, true) - 1 } }
  local hover = ask('textDocument/hover', at)
  local value = hover and hover.contents and hover.contents.value or ''
  check(value:find('metric signups: account by plan, region', 1, true) ~= nil, 'hover on signups')

  local def = ask('textDocument/definition', at)
  local declLine
  for i, l in ipairs(lines) do
    if l:find('^metric signups ') then declLine = i - 1 end
  end
  check(def and def.range and def.range.start.line == declLine and def.range.start.character == 7,
    'definition of signups is its declaration')

  -- Completion after `stage: ` in the next line of signup_rate's block.
  local stageLine = lnum + 1
  check(vim.api.nvim_buf_get_lines(buf, stageLine, stageLine + 1, false)[1] == '  stage: signup', 'stage line')
  local items = ask('textDocument/completion', { textDocument = { uri = uri }, position = { line = stageLine, character = 9 } })
  local labels = {}
  for _, it in ipairs(items or {}) do labels[it.label] = true end
  check(labels.awareness and labels.signup and labels.unit_economics and not labels.visitors, 'stage completions')
end

local ok, err = pcall(run)
if not ok then table.insert(results, 'FAIL error: ' .. tostring(err)) end
vim.fn.writefile(results, out)
vim.cmd('qa!')
LUA

ROOT="$ROOT" MTC="$MTC" OUT="$out" timeout 90 nvim --headless -u NONE -i NONE -n \
  -c "luafile $tmp/test.lua" </dev/null >"$tmp/nvim.log" 2>&1
if [ ! -s "$out" ]; then
  echo "FAIL: nvim wrote no results"
  cat "$tmp/nvim.log"
  exit 1
fi
grep '^FAIL' "$out"
pass=$(grep -c '^PASS' "$out")
fail=$(grep -c '^FAIL' "$out")
echo "$pass passed, $fail failed ($(nvim --version | head -1))"
[ "$fail" -eq 0 ]
