-- A Bash call in default mode asks for permission; the plugin asks through vim.ui.select and
-- the answer "Allow once" lets the command run.
local T = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, "S").source:sub(2)), "plugin_lib.lua"))

T.start("calc.py")
local asked
vim.ui.select = function(items, opts, on_choice)
  asked = { items = items, opts = opts }
  for _, item in ipairs(items) do
    if item.title == "Allow once" then return on_choice(item) end
  end
  on_choice(nil)
end
vim.cmd("LspAgentAsk Make a marker file")
T.wait("the permission prompt", function() return asked ~= nil end)
T.check(asked.opts.kind == "lsp_agent_permission", "prompt kind " .. vim.inspect(asked.opts.kind))
local done = T.wait_event("done")
T.check(done.subtype == "success", "run ended with " .. vim.inspect(done))
T.check(vim.uv.fs_stat(T.root .. "/ran-bash") ~= nil, "the allowed command did not run")
T.finish()
