-- A run whose model stream stops mid-answer: :LspAgentCancel ends it as cancelled.
local T = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, "S").source:sub(2)), "plugin_lib.lua"))

T.start("calc.py")
vim.cmd("LspAgentAsk Explain this file")
T.wait_event("text")
vim.cmd("LspAgentCancel")
local done = T.wait_event("done")
T.check(done.subtype == "cancelled", "expected a cancelled run, got " .. vim.inspect(done))
T.check(require("lsp_agent.transcript").text():find("-- cancelled", 1, true), "transcript does not say cancelled")
T.finish()
