-- A run's change set as a quickfix list (docs/protocol.md, "Reviewing a run's changes"): one
-- entry per hunk a run changed, also in acceptEdits mode where nothing was asked. Revert the
-- hunk or the file under the cursor, or rewind runs; the server computes each revert against
-- the buffers as they are now and sends it as one versioned edit, so text typed since stays.
local M = {}

local function plugin()
  return require("lsp_agent")
end

--- The session of the latest stream event (the run the user just watched).
function M.latest_session()
  local events = plugin().events
  for i = #events, 1, -1 do
    if events[i].sessionId then
      return events[i].sessionId
    end
  end
end

M.session = nil -- the session whose changes the list shows

local function first_line(text)
  return (text:gsub("\n.*", ""))
end

local function items(listing)
  local list = {}
  for _, run in ipairs(listing.runs or {}) do
    for _, file in ipairs(run.files) do
      for _, hunk in ipairs(file.hunks) do
        local moved = hunk.line == vim.NIL or hunk.line == nil
        local text = ("run %d: -%s +%s"):format(run.run, first_line(hunk.oldText), first_line(hunk.newText))
        table.insert(list, {
          filename = vim.uri_to_fname(file.uri),
          lnum = moved and 1 or hunk.line + 1,
          text = moved and (text .. "  [changed since the run]") or text,
          user_data = { run = run.run, uri = file.uri, hunk = hunk.id },
        })
      end
    end
    for _, command in ipairs(run.untracked or {}) do
      table.insert(list, { text = ("run %d: not tracked: %s"):format(run.run, command), valid = 0,
        user_data = { run = run.run } })
    end
  end
  return list
end

--- Fill the quickfix list with the change set of `session_id` (default: the latest session).
function M.open(session_id, on_done)
  M.session = session_id or M.latest_session()
  if not M.session then
    return plugin().notify("no Claude session yet")
  end
  plugin().execute("lspAgent.changes", { sessionId = M.session }, function(listing)
    M.listing = listing
    vim.fn.setqflist({}, " ", { title = "Claude changes", items = items(listing) })
    vim.cmd("copen")
    if on_done then
      on_done()
    end
  end)
end

--- A run ended: if the change list is the quickfix list, bring it up to date (without moving
--- the focus).
function M.on_done(session_id)
  if vim.fn.getqflist({ title = 1 }).title ~= "Claude changes" then
    return
  end
  M.session = session_id
  plugin().execute("lspAgent.changes", { sessionId = session_id }, function(listing)
    M.listing = listing
    vim.fn.setqflist({}, "r", { title = "Claude changes", items = items(listing) })
  end)
end

--- The quickfix entry under the cursor (in the quickfix window) or the current one.
local function current_entry()
  local info = vim.fn.getqflist({ idx = 0, items = 1, title = 1 })
  if info.title ~= "Claude changes" then
    return nil
  end
  local idx = vim.bo.buftype == "quickfix" and vim.fn.line(".") or info.idx
  local item = info.items[idx]
  return item and item.user_data ~= "" and item.user_data or nil
end

local function report(answer)
  for _, conflict in ipairs(answer.conflicts or {}) do
    local where = vim.fn.fnamemodify(vim.uri_to_fname(conflict.uri), ":~:.")
    plugin().notify(("%s: %s"):format(where, conflict.message), vim.log.levels.WARN)
  end
  if answer.applied == false then
    plugin().notify("revert not applied: " .. (answer.message or ""), vim.log.levels.ERROR)
  end
end

local function revert(argument, on_done)
  argument.sessionId = M.session
  plugin().execute("lspAgent.revertChanges", argument, function(answer)
    report(answer)
    M.open(M.session, on_done)
  end)
end

--- Revert the hunk of the quickfix entry under the cursor.
function M.revert_hunk(on_done)
  local entry = current_entry()
  if not entry or not entry.hunk then
    return plugin().notify("no Claude change here (:LspAgentChanges lists them)")
  end
  revert({ run = entry.run, uri = entry.uri, hunks = { entry.hunk } }, on_done)
end

--- Revert everything the entry's run changed in the entry's file.
function M.revert_file(on_done)
  local entry = current_entry()
  if not entry or not entry.uri then
    return plugin().notify("no Claude change here (:LspAgentChanges lists them)")
  end
  revert({ run = entry.run, uri = entry.uri }, on_done)
end

--- Undo runs `run`.. (picked from the session's prompts when nil) as one edit; with
--- `conversation`, the session also forgets those prompts.
function M.rewind(run, conversation, on_done)
  local session = M.session or M.latest_session()
  if not session then
    return plugin().notify("no Claude session yet")
  end
  local send = function(number)
    plugin().execute("lspAgent.rewind", { sessionId = session, run = number, conversation = conversation },
      function(answer)
        report(answer)
        if answer.applied ~= false and #(answer.conflicts or {}) == 0 then
          plugin().notify(("rewound to before prompt %d"):format(number))
        end
        if on_done then
          on_done(answer)
        end
      end)
  end
  if run then
    return send(run)
  end
  plugin().execute("lspAgent.changes", { sessionId = session }, function(listing)
    vim.ui.select(listing.runs or {}, {
      prompt = "Rewind to before which prompt?",
      kind = "lsp_agent_rewind",
      format_item = function(r)
        return ("%d. %s (%d file(s))"):format(r.run, r.prompt:gsub("\n", " "), #r.files)
      end,
    }, function(choice)
      if choice then
        send(choice.run)
      end
    end)
  end)
end

return M
