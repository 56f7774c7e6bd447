-- docs/protocol.md has rich clients declare `clientReview: true` and `clientPrompt: true` in
-- initializationOptions: the server must take them without reporting them as unknown settings
-- (a warning at every start).
local T = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, "S").source:sub(2)), "plugin_lib.lua"))

local client = T.start("calc.py", { settings = { maxTurns = 9 } })
T.check(client.config.init_options.clientReview == true, "the plugin did not declare clientReview")
T.check(client.config.init_options.clientPrompt == true, "the plugin did not declare clientPrompt")
local answer = client:request_sync("workspace/executeCommand",
  { command = "lspAgent.settings", arguments = { vim.empty_dict() } }, 10000, 0)
T.check(answer and not answer.err, "lspAgent.settings: " .. vim.inspect(answer))
T.check(answer.result.settings.maxTurns == 9, "plugin settings not applied: " .. vim.inspect(answer.result))
T.check(#answer.result.problems == 0, "settings problems: " .. vim.inspect(answer.result.problems))
T.finish()
