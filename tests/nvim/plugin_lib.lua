-- Shared by the plugin_*.lua scripts: load the real plugin from editors/nvim, start it against
-- the real server, wait on conditions, and end with an exit status (0: pass).
-- Environment: PLUGIN_DIR, LSP_AGENT_CMD (JSON list), WORKSPACE.
local T = {}

function T.fail(msg)
  io.stderr:write("FAIL: " .. msg .. "\n")
  local ok, transcript = pcall(function() return require("lsp_agent.transcript").text() end)
  if ok then io.stderr:write("--- transcript ---\n" .. transcript .. "\n") end
  local events = package.loaded["lsp_agent"] and require("lsp_agent").events or {}
  io.stderr:write("--- events ---\n" .. vim.inspect(events) .. "\n")
  vim.cmd("cquit 1")
end

function T.check(condition, msg)
  if not condition then T.fail(msg) end
end

--- Wait until `fn()` is true (an event has happened), or fail with `what`.
function T.wait(what, fn, timeout)
  local ok = vim.wait(timeout or 30000, fn, 20)
  if not ok then T.fail("timed out waiting for " .. what) end
end

T.root = os.getenv("WORKSPACE")

--- Set the plugin up as a user would, open `file`, and wait for the client.
function T.start(file, opts)
  vim.opt.rtp:prepend(os.getenv("PLUGIN_DIR"))
  vim.cmd("runtime! plugin/lsp_agent.lua")
  require("lsp_agent").setup(vim.tbl_deep_extend("force", {
    cmd = vim.json.decode(os.getenv("LSP_AGENT_CMD")),
    lsp = { root_dir = T.root },
  }, opts or {}))
  vim.cmd("edit " .. T.root .. "/" .. file)
  T.wait("the client to initialize", function()
    local client = require("lsp_agent").client()
    return client ~= nil and client.initialized
  end)
  return require("lsp_agent").client()
end

--- The first stream event of `kind` that matches `pred` (nil while there is none).
function T.event(kind, pred)
  for _, e in ipairs(require("lsp_agent").events) do
    if e.kind == kind and (not pred or pred(e)) then return e end
  end
end

function T.wait_event(kind, pred, timeout)
  T.wait("a '" .. kind .. "' stream event", function() return T.event(kind, pred) ~= nil end, timeout)
  return T.event(kind, pred)
end

function T.lines(buf)
  return vim.api.nvim_buf_get_lines(buf or 0, 0, -1, false)
end

--- Stop the client, wait for the server to exit (or it logs a broken pipe), and pass.
function T.finish()
  local client = require("lsp_agent").client()
  if client then
    client:stop()
    vim.wait(10000, function() return client:is_stopped() end, 20)
  end
  vim.cmd("qall!")
end

return T
