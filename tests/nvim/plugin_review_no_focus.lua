-- review.focus = false: a proposal to a file that is not open stays out of sight (the cursor
-- stays in calc.py); :LspAgentReview shows it, and it is still pending there to accept.
local T = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, "S").source:sub(2)), "plugin_lib.lua"))

T.start("calc.py", { review = { focus = false } })
local calc = vim.api.nvim_get_current_buf()
vim.cmd("LspAgentAsk Type the helper")
T.wait("the review of helper.py", function()
  local pending = require("lsp_agent.review").pending()[1]
  return pending ~= nil and pending.uri:find("helper.py", 1, true) ~= nil
end)
local pending = require("lsp_agent.review").pending()[1]
T.check(vim.fn.bufwinid(pending.bufnr) == -1, "helper.py was opened in a window")
T.check(vim.api.nvim_get_current_buf() == calc, "the cursor left calc.py")
vim.cmd("LspAgentReview")
T.check(vim.api.nvim_get_current_buf() == pending.bufnr, ":LspAgentReview did not show helper.py")
vim.cmd("LspAgentAcceptAll")
T.wait("the change in helper.py", function()
  return T.lines(pending.bufnr)[1] == "def helper(x: int) -> int:"
end)
T.wait_event("done")
T.finish()
