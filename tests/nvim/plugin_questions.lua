-- AskUserQuestion in the plugin, answered at the keyboard through Neovim's own pickers (the
-- default vim.ui.select and vim.ui.input read the keys a user types): the first question gets
-- an answer in the user's own words ("Other..."), the second, a multi-select, two ticked
-- options. The pickers are watched (not replaced) to check what they showed.
local T = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, "S").source:sub(2)), "plugin_lib.lua"))

T.start("calc.py")
local shown = {}
local real_select = vim.ui.select
vim.ui.select = function(items, opts, on_choice)
  local lines = {}
  for _, item in ipairs(items) do
    table.insert(lines, opts.format_item(item))
  end
  table.insert(shown, { prompt = opts.prompt, kind = opts.kind, lines = lines })
  return real_select(items, opts, on_choice)
end

-- What the user types: "3" (Other...) and their words; then "1" and "2" to tick ruff and mypy,
-- and "4" for Done. Typed ahead: the pickers read the keys as they open.
vim.api.nvim_feedkeys("3\rhypothesis, on top of pytest\r1\r2\r4\r", "t", false)
vim.cmd("LspAgentAsk Set up the tests")
local done = T.wait_event("done")
T.check(done.subtype == "success", "run ended with " .. vim.inspect(done))

T.check(#shown == 4, "pickers shown: " .. vim.inspect(shown))
T.check(shown[1].kind == "lsp_agent_question", "picker kind " .. vim.inspect(shown[1].kind))
T.check(shown[1].prompt == "Claude asks: Tests: Which test framework should I use?", shown[1].prompt)
T.check(vim.deep_equal(shown[1].lines, {
  "pytest - fixtures, plain asserts",
  "unittest - the standard library's",
  "Other... - answer in your own words",
}), "first picker: " .. vim.inspect(shown[1].lines))
T.check(shown[2].lines[1] == "[ ] ruff - lint" and shown[2].lines[4] == "Done - send the ticked choices",
  "multi-select picker: " .. vim.inspect(shown[2].lines))
T.check(shown[4].lines[1] == "[x] ruff - lint" and shown[4].lines[2] == "[x] mypy - types",
  "ticked choices: " .. vim.inspect(shown[4].lines))

local result = T.event("tool_result")
T.check(result ~= nil and not result.isError, "tool result " .. vim.inspect(result))
T.check(result.content:find('"Which test framework should I use?"="hypothesis, on top of pytest"', 1, true) ~= nil,
  "the typed answer: " .. result.content)
T.check(result.content:find('"Which checks should run?"="ruff, mypy"', 1, true) ~= nil,
  "the ticked answers: " .. result.content)
T.finish()
