-- lsp-agent for Neovim 0.11+: configures the server through vim.lsp.config/vim.lsp.enable and
-- adds a prompt, a streaming transcript and hunk-by-hunk review of proposals. The server does
-- the work (docs/protocol.md); this plugin only shows it and answers.
local M = {}

M.name = "lsp_agent"

local defaults = {
  cmd = { "lsp-agent", "serve" },
  filetypes = nil, -- nil: every filetype
  root_markers = { ".git", "pyproject.toml", "package.json", "go.mod", "Cargo.toml" },
  -- The server's settings (README, "Settings"): sent as init_options and workspace/configuration.
  settings = {},
  -- Extra fields for vim.lsp.config (root_dir, capabilities, on_attach, ...).
  lsp = {},
  transcript = { open = "split" }, -- "split", "vsplit", "float" or false
  -- focus = false: a proposal to a file not in a window is announced, not opened in a split
  -- (:LspAgentReview shows it).
  review = { focus = true },
  keymaps = {
    accept_hunk = "<leader>ay",
    reject_hunk = "<leader>an",
    accept_all = "<leader>aY",
    reject_all = "<leader>aN",
  },
}

M.config = vim.deepcopy(defaults)

--- Every lspAgent/stream event seen, in order (the transcript and tests read it).
M.events = {}

local function notify(message, level)
  vim.notify("lsp-agent: " .. message, level or vim.log.levels.INFO)
end
M.notify = notify

--- The lsp-agent client for `bufnr` (default: current buffer), else any running one.
function M.client(bufnr)
  local clients = vim.lsp.get_clients({ name = M.name, bufnr = bufnr or vim.api.nvim_get_current_buf() })
  return clients[1] or vim.lsp.get_clients({ name = M.name })[1]
end

--- Run a server command; `on_result(result)` gets its answer.
function M.execute(command, argument, on_result, bufnr)
  local client = M.client(bufnr)
  if not client then
    notify("the server is not running here (is the buffer's filetype enabled?)", vim.log.levels.ERROR)
    return
  end
  client:request("workspace/executeCommand", { command = command, arguments = { argument } }, function(err, result)
    if err then
      notify(command .. " failed: " .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
    elseif on_result then
      on_result(result)
    end
  end, bufnr)
end

local function on_stream(_, event, ctx)
  table.insert(M.events, event)
  require("lsp_agent.transcript").on_event(event)
  if event.kind == "done" then
    require("lsp_agent.changes").on_done(event.sessionId)
  end
  if event.kind == "proposal" then
    require("lsp_agent.review").on_proposal(event, ctx.client_id)
  elseif event.kind == "done" and event.subtype ~= "success" then
    notify(("run %s: %s"):format(event.subtype, event.result or ""), vim.log.levels.WARN)
  elseif event.kind == "error" then
    notify(event.message, vim.log.levels.ERROR)
  end
end

-- Permission prompts and "Ask first" edits: vim.ui.select, without blocking the editor (server
-- requests run in a coroutine in 0.11).
local function show_message_request(err, params, ctx)
  local co, is_main = coroutine.running()
  if not co or is_main then
    return vim.lsp.handlers["window/showMessageRequest"](err, params, ctx)
  end
  vim.ui.select(params.actions or {}, {
    prompt = "Claude: " .. params.message,
    kind = "lsp_agent_permission",
    format_item = function(action)
      return action.title
    end,
  }, function(choice)
    vim.schedule(function()
      coroutine.resume(co, choice or vim.NIL)
    end)
  end)
  return coroutine.yield()
end

-- The "Ask Claude..." code action carries no prompt: ask for one here.
local function ask_command(command, ctx)
  local argument = (command.arguments or {})[1] or {}
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  local send = function(arg)
    if client then
      client:request("workspace/executeCommand", { command = command.command, arguments = { arg } }, nil, ctx.bufnr)
    end
  end
  if argument.prompt or (argument.action and argument.action ~= "ask") then
    return send(argument)
  end
  vim.ui.input({ prompt = "Ask Claude: " }, function(prompt)
    if prompt and prompt ~= "" then
      send(vim.tbl_extend("force", argument, { prompt = prompt }))
    end
  end)
end

-- Settings the server takes only from init_options, since they decide where the code and the
-- keys go (server/config.py USER_ONLY): left out of workspace/configuration, where it refuses them.
local USER_ONLY = { "apiBaseUrl", "provider", "openaiBaseUrl", "openaiApiKeyEnv", "openaiHeaders", "toolEnvPassthrough", "plugins.dirs" }

local function workspace_settings(settings)
  local out = vim.deepcopy(settings)
  for _, key in ipairs(USER_ONLY) do
    out[key] = nil
    -- A dotted key may be written nested too: { plugins = { dirs = ... } }.
    local head, rest = key:match("^([^.]+)%.(.+)$")
    if head and type(out[head]) == "table" then
      out[head][rest] = nil
    end
  end
  return out
end

function M.setup(opts)
  M.config = vim.tbl_deep_extend("force", vim.deepcopy(defaults), opts or {})
  local c = M.config
  local lsp = vim.tbl_deep_extend("force", {
    cmd = c.cmd,
    filetypes = c.filetypes,
    root_markers = c.root_markers,
    init_options = vim.tbl_extend("force", vim.deepcopy(c.settings), { clientReview = true, clientPrompt = true, clientQuestions = true }),
    settings = { lspAgent = workspace_settings(c.settings) },
    handlers = {
      ["lspAgent/stream"] = on_stream,
      ["window/showMessageRequest"] = show_message_request,
      ["lspAgent/askQuestions"] = require("lsp_agent.questions").handler,
    },
    commands = { ["lspAgent.ask"] = ask_command },
  }, c.lsp)
  vim.lsp.config(M.name, lsp)
  vim.lsp.enable(M.name)
  require("lsp_agent.diagnostics").setup()
end

-- -- user-facing actions ------------------------------------------------------------------

local function range_of(bufnr, first, last)
  local client = M.client(bufnr)
  local text = vim.api.nvim_buf_get_lines(bufnr, last - 1, last, false)[1] or ""
  local params = vim.lsp.util.make_given_range_params(
    { first, 0 }, { last, #text }, bufnr, client and client.offset_encoding or "utf-16")
  return params.range
end

--- The current buffer and the command argument naming it (and `opts.range`, if given).
local function target(opts)
  local bufnr = vim.api.nvim_get_current_buf()
  local argument = { uri = vim.uri_from_bufnr(bufnr) }
  if opts.range then
    argument.range = range_of(bufnr, opts.range[1], opts.range[2])
  end
  return bufnr, argument
end

--- Ask Claude. `opts`: prompt (else vim.ui.input), range = {first, last} (1-based lines).
function M.ask(opts)
  opts = opts or {}
  local bufnr, argument = target(opts)
  local send = function(prompt)
    argument.prompt = prompt
    require("lsp_agent.transcript").open()
    M.execute("lspAgent.ask", argument, nil, bufnr)
  end
  if opts.prompt and opts.prompt ~= "" then
    return send(opts.prompt)
  end
  vim.ui.input({
    prompt = opts.range and "Ask Claude (selection): " or "Ask Claude: ",
    completion = "customlist,v:lua.require'lsp_agent'.complete_reference",
  }, function(prompt)
    if prompt and prompt ~= "" then
      send(prompt)
    end
  end)
end

--- Completion in the Ask prompt: after an `@`, file paths (the server attaches `@path` and
--- `@path#L5-10` to the prompt). Returns whole lines, as input() completion replaces the line.
function M.complete_reference(arg_lead, cmd_line, cursor_pos)
  local line = (cmd_line ~= "" and cmd_line or arg_lead):sub(1, cursor_pos > 0 and cursor_pos or -1)
  local before, partial = line:match("^(.-@)([^%s@#]*)$")
  if not before then
    return {}
  end
  return vim.tbl_map(function(match)
    return before .. match
  end, vim.fn.getcompletion(partial, "file"))
end

--- Fix the diagnostics of the file (or of `opts.range`).
function M.fix(opts)
  opts = opts or {}
  local bufnr, argument = target(opts)
  require("lsp_agent.transcript").open()
  M.execute("lspAgent.fixDiagnostics", argument, nil, bufnr)
end

function M.cancel()
  M.execute("lspAgent.cancel", vim.empty_dict(), function(result)
    notify(("cancelled %d run(s)"):format(#((result or {}).cancelled or {})))
  end)
end

--- Pick a session, then continue it with a new prompt.
function M.sessions()
  M.execute("lspAgent.sessions", vim.empty_dict(), function(sessions)
    if not sessions or #sessions == 0 then
      return notify("no sessions yet")
    end
    vim.ui.select(sessions, {
      prompt = "Claude sessions",
      kind = "lsp_agent_session",
      format_item = function(s)
        return ("%s%s  (%s)"):format(s.running and "[running] " or "", s.title, s.updated)
      end,
    }, function(session)
      if not session then
        return
      end
      vim.ui.input({ prompt = "Continue: " }, function(prompt)
        if prompt and prompt ~= "" then
          require("lsp_agent.transcript").open()
          M.execute("lspAgent.resume", {
            sessionId = session.sessionId,
            prompt = prompt,
            uri = vim.bo.buftype == "" and vim.uri_from_bufnr(0) or nil,
          })
        end
      end)
    end)
  end)
end

return M
