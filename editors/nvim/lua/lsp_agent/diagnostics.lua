-- Forward vim.diagnostic (every source but lsp-agent itself) to the server as
-- lspAgent/diagnostics, so "Fix with Claude" and the agent see what the editor sees.
local M = {}

local severity = { [vim.diagnostic.severity.ERROR] = 1, [vim.diagnostic.severity.WARN] = 2,
  [vim.diagnostic.severity.INFO] = 3, [vim.diagnostic.severity.HINT] = 4 }

local function position(buf, row, col, encoding)
  local text = vim.api.nvim_buf_get_lines(buf, row, row + 1, false)[1]
  if not text then
    return { line = row, character = 0 }
  end
  return { line = row, character = vim.str_utfindex(text, encoding, math.min(col, #text), false) }
end

local function to_lsp(buf, d, encoding)
  return {
    range = {
      start = position(buf, d.lnum, d.col, encoding),
      ["end"] = position(buf, d.end_lnum or d.lnum, d.end_col or d.col, encoding),
    },
    severity = severity[d.severity],
    message = d.message,
    source = d.source,
    code = d.code,
  }
end

function M.send(buf)
  if not vim.api.nvim_buf_is_loaded(buf) then
    return
  end
  for _, client in ipairs(vim.lsp.get_clients({ name = require("lsp_agent").name, bufnr = buf })) do
    local own = {
      [vim.lsp.diagnostic.get_namespace(client.id, false)] = true,
      [vim.lsp.diagnostic.get_namespace(client.id, true)] = true,
    }
    local diagnostics = {}
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if not own[d.namespace] then
        table.insert(diagnostics, to_lsp(buf, d, client.offset_encoding))
      end
    end
    client:notify("lspAgent/diagnostics", { uri = vim.uri_from_bufnr(buf), diagnostics = diagnostics })
  end
end

function M.setup()
  local group = vim.api.nvim_create_augroup("lsp_agent_diagnostics", { clear = true })
  vim.api.nvim_create_autocmd("DiagnosticChanged", {
    group = group,
    callback = function(args)
      M.send(args.buf)
    end,
  })
  vim.api.nvim_create_autocmd("LspAttach", {
    group = group,
    callback = function(args)
      local client = vim.lsp.get_client_by_id(args.data.client_id)
      if client and client.name == require("lsp_agent").name then
        M.send(args.buf)
      end
    end,
  })
end

return M
