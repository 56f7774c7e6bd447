-- The model edits a file that is not open: the plugin opens it in a split for the review, and
-- accepting puts the change in that buffer (not on disk).
local T = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, "S").source:sub(2)), "plugin_lib.lua"))

T.start("calc.py")
vim.cmd("LspAgentAsk Type the helper")
T.wait("the review of helper.py", function()
  local pending = require("lsp_agent.review").pending()[1]
  return pending ~= nil and pending.uri:find("helper.py", 1, true) ~= nil
end)
local pending = require("lsp_agent.review").pending()[1]
T.check(vim.fn.bufwinid(pending.bufnr) ~= -1, "helper.py is not shown")
T.check(vim.api.nvim_get_current_buf() == pending.bufnr, "the cursor is not in helper.py")
vim.cmd("LspAgentAcceptAll")
T.wait("the change in helper.py", function()
  return T.lines(pending.bufnr)[1] == "def helper(x: int) -> int:"
end)
T.wait_event("done")
T.check(vim.bo[pending.bufnr].modified, "the change should wait in the buffer for the user to save")
T.finish()
