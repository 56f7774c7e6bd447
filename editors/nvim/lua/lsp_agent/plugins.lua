-- :LspAgentPlugins: the server's `lspAgent.plugins` listing (docs/plugins.md) in a scratch
-- buffer: each loaded plugin with its parts, then each failure and problem. Sensitive option
-- values arrive already redacted by the server.
local M = {}

M.bufname = "lsp-agent://plugins"

local PARTS = { "commands", "skills", "agents", "hooks", "mcpServers", "lspServers" }

--- The listing as text lines, as `lsp-agent plugins` prints it.
function M.lines(listing)
  local lines = {}
  for _, row in ipairs(listing.loaded or {}) do
    local version = (row.version or "") ~= "" and (" " .. row.version) or ""
    table.insert(lines, ("%s%s  [%s]  %s"):format(row.name, version, row.origin, row.root))
    for _, key in ipairs(PARTS) do
      if row[key] and #row[key] > 0 then
        table.insert(lines, ("  %s: %s"):format(key, table.concat(row[key], ", ")))
      end
    end
    if (row.agent or "") ~= "" then
      table.insert(lines, ("  agent: %s (the main-thread agent)"):format(row.agent))
    end
    for _, option in ipairs(row.userConfig or {}) do
      local value = option.set and vim.json.encode(option.value) or "not set"
      table.insert(lines, ("  option %s (%s): %s"):format(option.key, option.title, value))
    end
    for _, note in ipairs(row.notes or {}) do
      table.insert(lines, "  note: " .. note)
    end
  end
  if #(listing.loaded or {}) == 0 then
    table.insert(lines, "no plugins loaded")
  end
  for _, failure in ipairs(listing.failed or {}) do
    local id = (failure.id or "") ~= "" and (failure.id .. ": ") or ""
    table.insert(lines, ("FAILED %s%s: %s"):format(id, failure.where, failure.reason))
  end
  for _, problem in ipairs(listing.problems or {}) do
    table.insert(lines, "problem: " .. problem)
  end
  return lines
end

local function show(lines)
  local buf = vim.fn.bufnr(M.bufname)
  if buf == -1 then
    buf = vim.api.nvim_create_buf(false, true)
    vim.api.nvim_buf_set_name(buf, M.bufname)
    vim.bo[buf].bufhidden = "hide"
  end
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  if vim.fn.bufwinid(buf) == -1 then
    vim.cmd("split")
    vim.api.nvim_win_set_buf(0, buf)
  end
  return buf
end

function M.show()
  local agent = require("lsp_agent")
  agent.execute("lspAgent.plugins", vim.empty_dict(), function(listing)
    listing = listing or {}
    show(M.lines(listing))
    local failed = #(listing.failed or {}) + #(listing.problems or {})
    agent.notify(("%d plugin(s) loaded, %d failure(s) or problem(s)"):format(#(listing.loaded or {}), failed),
      failed > 0 and vim.log.levels.WARN or vim.log.levels.INFO)
  end)
end

return M
