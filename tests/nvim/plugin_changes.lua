-- After an acceptEdits run (nothing asked): :LspAgentChanges lists its two hunks in the quickfix
-- list, :LspAgentRevertHunk on the second undoes only it, then :LspAgentRewind 1 undoes the rest;
-- a line typed after the run stays through both.
local T = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, "S").source:sub(2)), "plugin_lib.lua"))

T.start("calc.py", { settings = { permissionMode = "acceptEdits" } })
local buf = vim.api.nvim_get_current_buf()
local before = T.lines(buf)

-- The Ask prompt completes `@` references to paths (relative to Neovim's directory).
vim.cmd.cd(T.root)
local completed = require("lsp_agent").complete_reference("", "explain @cal", 12)
T.check(vim.deep_equal(completed, { "explain @calc.py" }), "@ completion: " .. vim.inspect(completed))
vim.cmd("LspAgentAsk Add type hints to add and sub")
T.wait_event("done")
T.check(T.lines(buf)[1] == "def add(a: int, b: int) -> int:", "the run did not edit: " .. vim.inspect(T.lines(buf)))

vim.api.nvim_buf_set_lines(buf, 0, 0, false, { "# typed after the run" })

local listed = false
vim.cmd("LspAgentChanges")
T.wait("the quickfix list", function()
  return vim.fn.getqflist({ title = 1 }).title == "Claude changes" and #vim.fn.getqflist() == 2
end)
local qf = vim.fn.getqflist()
T.check(qf[1].lnum == 2 and qf[1].bufnr == buf, "first hunk entry: " .. vim.inspect(qf[1]))
T.check(vim.bo.buftype == "quickfix", "the quickfix window is not focused")

vim.api.nvim_win_set_cursor(0, { 2, 0 })
vim.cmd("LspAgentRevertHunk")
T.wait("the second hunk to be reverted", function()
  return T.lines(buf)[17] == "def sub(a, b):"
end)
T.check(T.lines(buf)[2] == "def add(a: int, b: int) -> int:", "the first hunk went too")
T.wait("the list to shrink", function() return #vim.fn.getqflist() == 1 end)

vim.cmd("LspAgentRewind 1")
local expected = vim.list_extend({ "# typed after the run" }, before)
T.wait("the rewind", function() return vim.deep_equal(T.lines(buf), expected) end)

-- The next run's end refreshes the shown list in place (the new session changed nothing).
vim.api.nvim_set_current_win(vim.fn.bufwinid(buf))
vim.cmd("LspAgentAsk Anything else?")
T.wait("the list to follow the new run", function() return #vim.fn.getqflist() == 0 end)
T.check(vim.fn.getqflist({ title = 1 }).title == "Claude changes", "the list was replaced")
T.finish()
