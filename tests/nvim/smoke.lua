-- Real Neovim 0.11 starts lsp-agent through vim.lsp.config/vim.lsp.enable, the client
-- initializes, and we read the server's capabilities. Exit status is the verdict.
-- Environment: LSP_AGENT_CMD (JSON list), WORKSPACE (a folder holding main.py).
local function fail(msg)
  io.stderr:write("FAIL: " .. msg .. "\n")
  vim.cmd("cquit 1")
end

local cmd = vim.json.decode(os.getenv("LSP_AGENT_CMD"))
local root = os.getenv("WORKSPACE")

vim.lsp.config("lsp_agent", {
  cmd = cmd,
  filetypes = { "python" },
  root_markers = { ".git", "pyproject.toml" },
  root_dir = root,
  init_options = { maxTurns = 7 },
})
vim.lsp.enable("lsp_agent")
vim.cmd("edit " .. root .. "/main.py")

local client
local ok = vim.wait(20000, function()
  client = vim.lsp.get_clients({ name = "lsp_agent" })[1]
  return client ~= nil and client.initialized
end, 50)
if not ok then fail("client did not initialize") end

local caps = client.server_capabilities
-- Neovim 0.11 lists utf-8 first among its position encodings, so that is what we agree on.
if caps.positionEncoding ~= "utf-8" then fail("positionEncoding " .. tostring(caps.positionEncoding)) end
local commands = (caps.executeCommandProvider or {}).commands or {}
if not vim.tbl_contains(commands, "lspAgent.settings") then fail("lspAgent.settings not advertised") end

local result = client:request_sync("workspace/executeCommand",
  { command = "lspAgent.settings", arguments = {} }, 10000, 0)
if not result or result.err then fail("executeCommand: " .. vim.inspect(result)) end
if result.result.settings.maxTurns ~= 7 then fail("init_options not applied: " .. vim.inspect(result.result)) end

io.stdout:write(vim.json.encode({ name = client.name, capabilities = caps }) .. "\n")

-- Stop the client and wait for the server to exit, or it logs a broken pipe.
local exited = false
vim.api.nvim_create_autocmd("LspDetach", { callback = function() exited = true end })
client:stop()
vim.wait(10000, function() return client:is_stopped() end, 50)
vim.cmd("qall!")
