-- :checkhealth lsp_agent reports the server command, the API key (its variable's name) and the
-- running client's index setting.
local T = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, "S").source:sub(2)), "plugin_lib.lua"))

T.start("calc.py", { settings = { index = { enabled = false } } })
vim.cmd("checkhealth lsp_agent")
local report = table.concat(T.lines(0), "\n")
for _, want in ipairs({ "server command: ", "API key configured (ANTHROPIC_API_KEY)",
  "the index is disabled", "client " }) do
  T.check(report:find(want, 1, true), ("health report lacks %q:\n%s"):format(want, report))
end
T.check(not report:find("ERROR", 1, true), "health report has errors:\n" .. report)
T.finish()
