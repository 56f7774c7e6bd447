-- Inline review of proposals (docs/protocol.md, "Client review"): the buffer stays as it is;
-- each hunk shows its old lines highlighted and its new lines as virtual lines below. Accept or
-- reject the hunk under the cursor, or all; once every hunk is decided the server hears which
-- to apply and sends the edit for exactly those.
local M = {}

local ns = vim.api.nvim_create_namespace("lsp_agent_review")
local proposals = {} -- proposalId -> review
local order = {} -- proposalIds, oldest first

local function plugin()
  return require("lsp_agent")
end

local function split_lines(text)
  local lines = vim.split(text, "\n", { plain = true })
  if lines[#lines] == "" then
    table.remove(lines)
  end
  return lines
end

--- The buffer rows holding a hunk's old text: first, last (last < first for a pure insertion).
local function old_rows(hunk)
  local s, e = hunk.range.start, hunk.range["end"]
  if s.line == e.line and s.character == e.character then
    return s.line, s.line - 1
  end
  return s.line, (e.character == 0 and e.line > s.line) and e.line - 1 or e.line
end

local function keymap_hint()
  local k = plugin().config.keymaps or {}
  local parts = {}
  for _, pair in ipairs({ { "accept_hunk", "accept" }, { "reject_hunk", "reject" },
    { "accept_all", "accept all" }, { "reject_all", "reject all" } }) do
    if k[pair[1]] then
      table.insert(parts, k[pair[1]] .. " " .. pair[2])
    end
  end
  return #parts > 0 and table.concat(parts, ", ") or ":LspAgentAccept / :LspAgentReject"
end

local function draw(review, index, hunk)
  local buf = review.bufnr
  local count = vim.api.nvim_buf_line_count(buf)
  local first, last = old_rows(hunk)
  local marks = {}
  for row = first, math.min(last, count - 1) do
    table.insert(marks, vim.api.nvim_buf_set_extmark(buf, ns, row, 0, { line_hl_group = "DiffDelete" }))
  end
  local header = { { ("Claude %d/%d: %s"):format(index, #review.event.hunks, keymap_hint()), "Comment" } }
  local virt = { header }
  for _, text in ipairs(split_lines(hunk.newText)) do
    table.insert(virt, { { text, "DiffAdd" } })
  end
  local anchor_row = math.min(first, count - 1)
  local opts = { virt_lines = virt, end_row = math.min(math.max(first, last), count - 1), right_gravity = false }
  if last >= first then
    opts.virt_lines = nil
    table.insert(marks, vim.api.nvim_buf_set_extmark(buf, ns, math.min(last, count - 1), 0, { virt_lines = virt }))
  elseif first < count then
    opts.virt_lines_above = true
  end
  -- The anchor tracks where the hunk is while the user moves around or types.
  local anchor = vim.api.nvim_buf_set_extmark(buf, ns, anchor_row, 0, opts)
  review.marks[hunk.id] = { anchor = anchor, all = vim.list_extend(marks, { anchor }) }
end

local function clear_hunk(review, hunk_id)
  for _, id in ipairs((review.marks[hunk_id] or {}).all or {}) do
    pcall(vim.api.nvim_buf_del_extmark, review.bufnr, ns, id)
  end
end

--- Where a hunk is now: first and last row.
local function rows(review, hunk)
  local mark = review.marks[hunk.id]
  local pos = mark and vim.api.nvim_buf_get_extmark_by_id(review.bufnr, ns, mark.anchor, { details = true })
  if not pos or not pos[1] then
    local first, last = old_rows(hunk)
    return first, math.max(first, last)
  end
  return pos[1], math.max(pos[1], pos[3].end_row or pos[1])
end

local function undecided(review)
  return vim.tbl_filter(function(h)
    return review.decisions[h.id] == nil
  end, review.event.hunks)
end

local function set_keymaps(buf, on)
  local k = plugin().config.keymaps or {}
  local actions = { accept_hunk = M.accept_hunk, reject_hunk = M.reject_hunk, accept_all = M.accept_all,
    reject_all = M.reject_all }
  for name, fn in pairs(actions) do
    if k[name] then
      if on then
        vim.keymap.set("n", k[name], fn, { buffer = buf, desc = "lsp-agent: " .. name:gsub("_", " ") })
      else
        pcall(vim.keymap.del, "n", k[name], { buffer = buf })
      end
    end
  end
end

local function close(review)
  proposals[review.event.proposalId] = nil
  order = vim.tbl_filter(function(id)
    return id ~= review.event.proposalId
  end, order)
  for id in pairs(review.marks) do
    clear_hunk(review, id)
  end
  local others = vim.tbl_filter(function(r)
    return r.bufnr == review.bufnr
  end, vim.tbl_values(proposals))
  if #others == 0 then
    set_keymaps(review.bufnr, false)
  end
end

local function answer(review, command, argument)
  local client = vim.lsp.get_client_by_id(review.client_id)
  if not client then
    return plugin().notify("the server has gone: the proposal stays unanswered", vim.log.levels.ERROR)
  end
  client:request("workspace/executeCommand", { command = command, arguments = { argument } }, function(err, result)
    if err then
      plugin().notify(command .. " failed: " .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
    elseif result and result.message then
      plugin().notify(result.message)
    end
  end, review.bufnr)
end

local function finish(review)
  local accepted = {}
  for _, hunk in ipairs(review.event.hunks) do
    if review.decisions[hunk.id] then
      table.insert(accepted, hunk.id)
    end
  end
  local id = review.event.proposalId
  close(review)
  if #accepted == 0 then
    -- The user may tell the agent why (optional: an empty answer rejects without a reason).
    return vim.ui.input({ prompt = "Reject Claude's change. Why? (optional) " }, function(reason)
      local argument = { proposalId = id }
      if reason and reason ~= "" then
        argument.reason = reason
      end
      answer(review, "lspAgent.rejectEdits", argument)
    end)
  elseif #accepted == #review.event.hunks then
    return answer(review, "lspAgent.acceptEdits", { proposalId = id })
  end
  answer(review, "lspAgent.acceptEdits", { proposalId = id, hunks = accepted })
end

local function decide(review, hunk, accept)
  review.decisions[hunk.id] = accept
  clear_hunk(review, hunk.id)
  if #undecided(review) == 0 then
    finish(review)
  end
end

function M.on_proposal(event, client_id)
  local known = proposals[event.proposalId]
  if event.status ~= "pending" then
    if known then
      close(known)
    end
    if event.status == "stale" then
      plugin().notify("a proposal went stale (the file changed under it): " .. (event.description or ""),
        vim.log.levels.WARN)
    end
    return
  end
  if known then
    return
  end
  local buf = vim.uri_to_bufnr(event.uri)
  local focus = (plugin().config.review or {}).focus ~= false
  if focus and vim.fn.bufwinid(buf) == -1 then
    -- A file the user has not open (or not in sight): show it, since the review happens there.
    vim.cmd("split " .. vim.fn.fnameescape(vim.uri_to_fname(event.uri)))
    buf = vim.api.nvim_get_current_buf()
  end
  vim.fn.bufload(buf)
  local review = { event = event, bufnr = buf, client_id = client_id, decisions = {}, marks = {} }
  proposals[event.proposalId] = review
  table.insert(order, event.proposalId)
  for index, hunk in ipairs(event.hunks) do
    draw(review, index, hunk)
  end
  set_keymaps(buf, true)
  local hidden = vim.fn.bufwinid(buf) == -1 and " (:LspAgentReview to show it)" or ""
  plugin().notify(("Claude proposes %d change(s) to %s: %s%s"):format(#event.hunks,
    vim.fn.fnamemodify(vim.uri_to_fname(event.uri), ":~:."), event.description or "", hidden))
end

--- Show the latest pending proposal's buffer (after `review.focus = false`, or once its window
--- was closed: closing decides nothing).
function M.show()
  local review = order[#order] and proposals[order[#order]]
  if not review then
    return plugin().notify("no Claude proposal is waiting for review")
  end
  local win = vim.fn.bufwinid(review.bufnr)
  if win ~= -1 then
    vim.api.nvim_set_current_win(win)
  else
    vim.cmd("sbuffer " .. review.bufnr)
  end
  local first = review.event.hunks[1]
  if first then
    vim.api.nvim_win_set_cursor(0, { math.min(first.range.start.line + 1, vim.api.nvim_buf_line_count(review.bufnr)), 0 })
  end
end

--- The review for the current buffer, else the latest one.
local function current_review()
  local buf = vim.api.nvim_get_current_buf()
  for i = #order, 1, -1 do
    if proposals[order[i]].bufnr == buf then
      return proposals[order[i]]
    end
  end
  return order[#order] and proposals[order[#order]]
end

--- The undecided hunk under the cursor, else the nearest one.
local function hunk_at_cursor()
  local review = current_review()
  if not review then
    return nil
  end
  local line = review.bufnr == vim.api.nvim_get_current_buf() and vim.api.nvim_win_get_cursor(0)[1] - 1 or 0
  local best, best_distance
  for _, hunk in ipairs(undecided(review)) do
    local first, last = rows(review, hunk)
    local distance = line < first and first - line or (line > last and line - last or 0)
    if not best or distance < best_distance then
      best, best_distance = hunk, distance
    end
  end
  return review, best
end

local function on_hunk(accept)
  local review, hunk = hunk_at_cursor()
  if not hunk then
    return plugin().notify("no Claude proposal to review here")
  end
  decide(review, hunk, accept)
end

local function on_all(accept)
  local review = current_review()
  if not review then
    return plugin().notify("no Claude proposal to review")
  end
  for _, hunk in ipairs(undecided(review)) do
    review.decisions[hunk.id] = accept
  end
  finish(review)
end

function M.accept_hunk() on_hunk(true) end
function M.reject_hunk() on_hunk(false) end
function M.accept_all() on_all(true) end
function M.reject_all() on_all(false) end

--- Pending proposals and where their hunks are now (rows are 0-based).
function M.pending()
  local result = {}
  for _, id in ipairs(order) do
    local review = proposals[id]
    local hunks = {}
    for _, hunk in ipairs(review.event.hunks) do
      local first, last = rows(review, hunk)
      table.insert(hunks, { id = hunk.id, first = first, last = last, decided = review.decisions[hunk.id] })
    end
    table.insert(result, { proposalId = id, uri = review.event.uri, bufnr = review.bufnr, hunks = hunks })
  end
  return result
end

return M
