-- The fix-diagnostic flow in real Neovim 0.11 with plain vim.lsp (no plugin): a diagnostic,
-- the "Fix with Claude" code action, the server's Apply/Reject prompt, and the buffer after.
-- Environment: LSP_AGENT_CMD (JSON list), WORKSPACE (holds hello.py), ANSWER (Apply|Reject).
local function fail(msg)
  io.stderr:write("FAIL: " .. msg .. "\n")
  vim.cmd("cquit 1")
end

local root = os.getenv("WORKSPACE")
local prompts, done = {}, nil

-- Neovim declares no changeAnnotationSupport, so the server asks before sending the edit.
vim.lsp.handlers["window/showMessageRequest"] = function(_, params)
  table.insert(prompts, params.message)
  return { title = os.getenv("ANSWER") }
end
vim.lsp.handlers["lspAgent/stream"] = function(_, params)
  if params.kind == "done" then done = params end
end

vim.lsp.config("lsp_agent", {
  cmd = vim.json.decode(os.getenv("LSP_AGENT_CMD")),
  filetypes = { "python" },
  root_dir = root,
})
vim.lsp.enable("lsp_agent")
vim.cmd("edit " .. root .. "/hello.py")
local buf = vim.api.nvim_get_current_buf()

local client
if not vim.wait(20000, function()
  client = vim.lsp.get_clients({ name = "lsp_agent" })[1]
  return client ~= nil and client.initialized
end, 20) then fail("client did not initialize") end

local ns = vim.api.nvim_create_namespace("testlint")
vim.diagnostic.set(ns, buf, { { lnum = 1, col = 4, end_col = 9, message = "greeting too short",
  severity = vim.diagnostic.severity.WARN, source = "testlint" } })
local lsp_diagnostic = {
  range = { start = { line = 1, character = 4 }, ["end"] = { line = 1, character = 9 } },
  message = "greeting too short", severity = 2, source = "testlint",
}
local response = client:request_sync("textDocument/codeAction", {
  textDocument = { uri = vim.uri_from_bufnr(buf) },
  range = lsp_diagnostic.range,
  context = { diagnostics = { lsp_diagnostic } },
}, 10000, buf)
if not response or response.err then fail("codeAction: " .. vim.inspect(response)) end
local fix
for _, action in ipairs(response.result) do
  if action.title == "Fix with Claude: greeting too short" then fix = action end
end
if not fix then fail("no fix action in " .. vim.inspect(response.result)) end

client:exec_cmd(fix.command, { bufnr = buf })
if not vim.wait(60000, function() return done ~= nil end, 20) then fail("the run did not finish") end

io.stdout:write(vim.json.encode({
  lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false),
  prompts = prompts,
  done = done,
  modified = vim.bo[buf].modified,
}) .. "\n")
client:stop()
vim.wait(10000, function() return client:is_stopped() end, 20)
vim.cmd("qall!")
