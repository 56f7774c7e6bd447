-- A folder whose .claude/settings.json has a hook: the server asks whether to trust it, the
-- plugin asks through vim.ui.select (showing what would run), and the answer (TRUST_ANSWER)
-- decides whether the hook runs.
local T = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, "S").source:sub(2)), "plugin_lib.lua"))

local answer = os.getenv("TRUST_ANSWER")
T.start("calc.py")
local asked
vim.ui.select = function(items, opts, on_choice)
  if opts.prompt:find("Do you trust", 1, true) then
    asked = { items = items, opts = opts }
  end
  for _, item in ipairs(items) do
    if item.title == answer then return on_choice(item) end
  end
  on_choice(nil)
end
vim.cmd("LspAgentAsk Anything to fix?")
T.wait("the trust prompt", function() return asked ~= nil end)
local titles = vim.tbl_map(function(item) return item.title end, asked.items)
T.check(vim.deep_equal(titles, { "Trust", "Not now" }), "trust actions " .. vim.inspect(titles))
T.check(asked.opts.prompt:find("touch hook-ran", 1, true) ~= nil,
  "the prompt does not show the hook: " .. asked.opts.prompt)
local done = T.wait_event("done")
T.check(done.subtype == "success", "run ended with " .. vim.inspect(done))
T.finish()
