-- Three runs, each answered by the model with text only:
-- 1. "Fix with Claude" offered, and :LspAgentFix run, on a diagnostic the server knows only
--    because the plugin forwarded it;
-- 2. the "Ask Claude..." code action, whose prompt comes from vim.ui.input;
-- 3. :LspAgentSessions: pick the first session through vim.ui.select and continue it;
-- 4. :1,2LspAgentAsk with a prompt: a range-aware ask.
local T = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, "S").source:sub(2)), "plugin_lib.lua"))

T.start("calc.py")
local buf = vim.api.nvim_get_current_buf()
local function runs_done()
  local n = 0
  for _, e in ipairs(require("lsp_agent").events) do
    if e.kind == "done" then n = n + 1 end
  end
  return n
end

-- 1. A diagnostic from another source (not an LSP server at all).
local ns = vim.api.nvim_create_namespace("some_linter")
vim.diagnostic.set(ns, buf, { {
  lnum = 0, col = 4, end_col = 7, severity = vim.diagnostic.severity.WARN,
  message = "add has no type hints", source = "some_linter",
} })
-- Neovim sends a server only that server's own diagnostics with a code action request: the
-- fix for the forwarded one is offered all the same.
local titles
vim.api.nvim_win_set_cursor(0, { 1, 4 })
vim.lsp.buf.code_action({
  apply = true,
  filter = function(action)
    titles = titles or {}
    table.insert(titles, action.title)
    return false
  end,
})
T.wait("the code action titles", function() return titles ~= nil end)
T.check(vim.tbl_contains(titles, "Fix with Claude: add has no type hints"),
  "no fix for the forwarded diagnostic: " .. vim.inspect(titles))
vim.cmd("LspAgentFix")
local session = T.wait_event("session")
T.check(session.title:find("add has no type hints", 1, true), "fix run title: " .. vim.inspect(session))
T.wait("the fix run to end", function() return runs_done() == 1 end)

-- 2. The code action carries no prompt: the plugin asks for one.
local prompted
vim.ui.input = function(opts, on_confirm)
  prompted = opts.prompt
  on_confirm("What does add return?")
end
vim.lsp.buf.code_action({
  apply = true,
  filter = function(action) return action.title == "Ask Claude..." end,
})
T.wait("the code action's prompt", function() return prompted ~= nil end)
T.wait("the ask run to end", function() return runs_done() == 2 end)
T.check(T.event("session", function(e) return e.title:find("What does add return", 1, true) end),
  "no session for the code action's prompt")

-- 3. Continue the newest session.
local listed
vim.ui.select = function(items, opts, on_choice)
  listed = items
  on_choice(items[1])
end
vim.ui.input = function(_, on_confirm) on_confirm("And sub?") end
vim.cmd("LspAgentSessions")
T.wait("the session list", function() return listed ~= nil end)
T.check(#listed == 2, "expected two sessions, got " .. vim.inspect(listed))
T.wait("the resumed run to end", function() return runs_done() == 3 end)
local last = T.event("done", function(e) return e.result and e.result:find("Third answer", 1, true) end)
T.check(last ~= nil and last.subtype == "success", "resumed run: " .. vim.inspect(require("lsp_agent").events))

vim.api.nvim_set_current_buf(buf)
vim.cmd("1,2LspAgentAsk Explain these lines")
T.wait("the range run to end", function() return runs_done() == 4 end)
T.check(T.event("session", function(e) return e.title:find("Explain these lines", 1, true) end),
  "no session for the range ask")
T.finish()
