-- Neovim client for the mtree language server (`mtc lsp`, over stdio).
-- Works with Neovim 0.7.2 (vim.lsp.start_client) and newer (vim.lsp.start).
--
--   require('mtree.lsp').setup()                       -- `mtc lsp` from PATH
--   require('mtree.lsp').setup({ cmd = { '/opt/mtc/bin/mtc', 'lsp' } })
--
-- Options: cmd, root_markers (default { '.git' }), on_attach, capabilities,
-- settings; g:mtree_server_path overrides the executable as well.
local M = {}

local clients = {} -- root_dir -> client id (Neovim 0.7, which has no vim.lsp.start)

local function root_dir(bufnr, markers)
  local name = vim.api.nvim_buf_get_name(bufnr)
  local dir = name ~= '' and vim.fn.fnamemodify(name, ':p:h') or vim.fn.getcwd()
  local d = dir
  while d and d ~= '' do
    for _, m in ipairs(markers) do
      if vim.loop.fs_stat(d .. '/' .. m) then
        return d
      end
    end
    local parent = vim.fn.fnamemodify(d, ':h')
    if parent == d then
      break
    end
    d = parent
  end
  return dir
end

local function config(bufnr, opts)
  local exe = vim.g.mtree_server_path or 'mtc'
  return {
    name = 'mtc',
    cmd = opts.cmd or { exe, 'lsp' },
    root_dir = root_dir(bufnr, opts.root_markers or { '.git' }),
    on_attach = opts.on_attach,
    capabilities = opts.capabilities or vim.lsp.protocol.make_client_capabilities(),
    settings = opts.settings,
  }
end

-- Starts (or reuses) the server for one buffer and attaches it.
function M.attach(bufnr, opts)
  opts = opts or {}
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local cfg = config(bufnr, opts)
  if vim.lsp.start then -- Neovim 0.8+
    return vim.lsp.start(cfg, { bufnr = bufnr })
  end
  local id = clients[cfg.root_dir]
  local client = id and vim.lsp.get_client_by_id(id)
  if not client or client.is_stopped() then
    id = vim.lsp.start_client(cfg)
    if not id then
      vim.notify('mtree: could not start ' .. table.concat(cfg.cmd, ' '), vim.log.levels.ERROR)
      return nil
    end
    clients[cfg.root_dir] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
  return id
end

-- Attaches every mtree buffer, now and later.
function M.setup(opts)
  opts = opts or {}
  local group = vim.api.nvim_create_augroup('mtree_lsp', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = 'mtree',
    callback = function(args)
      M.attach(args.buf, opts)
    end,
  })
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.bo[buf].filetype == 'mtree' then
      M.attach(buf, opts)
    end
  end
end

return M
