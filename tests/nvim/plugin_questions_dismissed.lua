-- AskUserQuestion dismissed in the plugin: an empty answer to Neovim's picker (Enter without a
-- number) closes it, and the model hears that the user did not answer.
local T = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, "S").source:sub(2)), "plugin_lib.lua"))

T.start("calc.py")
vim.api.nvim_feedkeys("\r", "t", false)
vim.cmd("LspAgentAsk Set up the tests")
local done = T.wait_event("done")
T.check(done.subtype == "success", "run ended with " .. vim.inspect(done))
local result = T.event("tool_result")
T.check(result ~= nil and result.content:find("The user did not answer", 1, true) ~= nil,
  "tool result " .. vim.inspect(result))
T.finish()
