-- Reject a whole proposal with a reason typed into vim.ui.input: the buffer stays as it was and
-- the agent reads the reason in the edit's tool result.
local T = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, "S").source:sub(2)), "plugin_lib.lua"))

T.start("calc.py")
local buf = vim.api.nvim_get_current_buf()
local before = T.lines(buf)
vim.cmd("LspAgentAsk Add type hints to add and sub")
T.wait_event("proposal", function(e) return e.status == "pending" end)

local asked
vim.ui.input = function(opts, on_confirm)
  asked = opts.prompt
  on_confirm("use a Protocol instead")
end
vim.cmd("LspAgentRejectAll")
T.check(asked ~= nil and asked:find("Why", 1, true), "no reason asked: " .. vim.inspect(asked))
local result = T.wait_event("tool_result", function(e)
  return e.content:find("use a Protocol instead", 1, true) ~= nil
end)
T.check(result.content:find("rejected", 1, true), "tool result: " .. vim.inspect(result))
T.wait_event("done")
T.check(vim.deep_equal(T.lines(buf), before), "the buffer changed: " .. vim.inspect(T.lines(buf)))
T.finish()
