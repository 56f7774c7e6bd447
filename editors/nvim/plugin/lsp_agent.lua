-- User commands for lsp-agent; call require("lsp_agent").setup({...}) to start the server.
if vim.g.loaded_lsp_agent then
  return
end
vim.g.loaded_lsp_agent = true

local function agent()
  return require("lsp_agent")
end

local function range_of(opts)
  return opts.range > 0 and { opts.line1, opts.line2 } or nil
end

local command = vim.api.nvim_create_user_command

command("LspAgentAsk", function(opts)
  agent().ask({ prompt = opts.args ~= "" and opts.args or nil, range = range_of(opts) })
end, { nargs = "*", range = true, desc = "Ask Claude about the file or the selected lines" })

command("LspAgentFix", function(opts)
  agent().fix({ range = range_of(opts) })
end, { range = true, desc = "Fix the diagnostics of the file (or of the selected lines) with Claude" })

command("LspAgentCancel", function()
  agent().cancel()
end, { desc = "Cancel every running Claude session" })

command("LspAgentSessions", function()
  agent().sessions()
end, { desc = "Pick a Claude session and continue it" })

command("LspAgentTranscript", function()
  require("lsp_agent.transcript").open()
end, { desc = "Show the Claude transcript" })

local review = function(name)
  return function()
    require("lsp_agent.review")[name]()
  end
end
command("LspAgentAccept", review("accept_hunk"), { desc = "Accept the proposed hunk under the cursor" })
command("LspAgentReject", review("reject_hunk"), { desc = "Reject the proposed hunk under the cursor" })
command("LspAgentAcceptAll", review("accept_all"), { desc = "Accept every remaining hunk of the proposal" })
command("LspAgentRejectAll", review("reject_all"), { desc = "Reject every remaining hunk of the proposal" })
command("LspAgentReview", review("show"), { desc = "Show the latest proposal waiting for review" })

local changes = function(name)
  return function()
    require("lsp_agent.changes")[name]()
  end
end
command("LspAgentChanges", function()
  require("lsp_agent.changes").open()
end, { desc = "List what the latest Claude session changed (quickfix, one entry per hunk)" })
command("LspAgentRevertHunk", changes("revert_hunk"), { desc = "Revert the Claude change of the quickfix entry" })
command("LspAgentRevertFile", changes("revert_file"), { desc = "Revert the run's changes to the entry's file" })
command("LspAgentRewind", function(opts)
  require("lsp_agent.changes").rewind(tonumber(opts.args), opts.bang)
end, { nargs = "?", bang = true, desc = "Undo Claude's runs since a prompt (! also rewinds the conversation)" })

command("LspAgentPlugins", function()
  require("lsp_agent.plugins").show()
end, { desc = "List the Claude Code plugins loaded here, with failures and problems" })
