-- docs/protocol.md has rich clients declare `clientReview: true` and `clientPrompt: true` in
-- initializationOptions: the server must take them without reporting them as unknown settings
-- (a warning at every start). The provider settings reach the server through init_options only
-- (the server refuses them from workspace/configuration, with a warning, as a cloned repository
-- could send them there).
local T = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, "S").source:sub(2)), "plugin_lib.lua"))

local settings = {
  maxTurns = 9,
  provider = "openai",
  openaiBaseUrl = "http://127.0.0.1:11434/v1",
  model = "qwen2.5-coder:7b",
  contextWindow = 8192,
}
-- The server reads workspace/configuration after starting: wait for that answer before asking.
local pulled = 0
local answer_configuration = vim.lsp.handlers["workspace/configuration"]
vim.lsp.handlers["workspace/configuration"] = function(...)
  pulled = pulled + 1
  return answer_configuration(...)
end
local client = T.start("calc.py", { settings = settings })
T.wait("the server to read workspace/configuration", function() return pulled > 0 end)
T.check(client.config.init_options.clientReview == true, "the plugin did not declare clientReview")
T.check(client.config.init_options.clientPrompt == true, "the plugin did not declare clientPrompt")
local answer = client:request_sync("workspace/executeCommand",
  { command = "lspAgent.settings", arguments = { vim.empty_dict() } }, 10000, 0)
T.check(answer and not answer.err, "lspAgent.settings: " .. vim.inspect(answer))
local got = answer.result.settings
T.check(got.maxTurns == 9, "plugin settings not applied: " .. vim.inspect(answer.result))
T.check(got.provider == "openai" and got.openaiBaseUrl == settings.openaiBaseUrl, "provider: " .. vim.inspect(got))
T.check(got.model == settings.model and got.contextWindow == 8192, "model: " .. vim.inspect(got))
T.check(#answer.result.problems == 0, "settings problems: " .. vim.inspect(answer.result.problems))
T.finish()
