-- The transcript buffer: lspAgent/stream events as readable text, shown in a split or a float.
local M = {}

local NAME = "lsp-agent://transcript"
local bufnr

function M.buffer()
  if bufnr and vim.api.nvim_buf_is_valid(bufnr) then
    return bufnr
  end
  bufnr = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_buf_set_name(bufnr, NAME)
  vim.bo[bufnr].filetype = "markdown"
  vim.bo[bufnr].modifiable = false
  return bufnr
end

--- Show the transcript (per the `transcript.open` option) without leaving the current window.
function M.open()
  local how = require("lsp_agent").config.transcript.open
  local buf = M.buffer()
  if not how or vim.fn.bufwinid(buf) ~= -1 then
    return
  end
  if how == "float" then
    local width = math.floor(vim.o.columns * 0.4)
    vim.api.nvim_open_win(buf, false, {
      relative = "editor", anchor = "NE", row = 1, col = vim.o.columns, width = width,
      height = math.floor(vim.o.lines * 0.6), border = "rounded", title = " Claude ",
    })
  else
    local win = vim.api.nvim_open_win(buf, false, { split = how == "vsplit" and "right" or "below" })
    vim.wo[win].wrap = true
  end
end

local function write(fn)
  local buf = M.buffer()
  vim.bo[buf].modifiable = true
  fn(buf)
  vim.bo[buf].modifiable = false
  for _, win in ipairs(vim.fn.win_findbuf(buf)) do
    vim.api.nvim_win_set_cursor(win, { vim.api.nvim_buf_line_count(buf), 0 })
  end
end

--- Append `text` to the last line (a streamed delta may hold several lines, or part of one).
local function append(text)
  write(function(buf)
    local last = vim.api.nvim_buf_line_count(buf)
    local tail = vim.api.nvim_buf_get_lines(buf, last - 1, last, false)[1] or ""
    local lines = vim.split(tail .. text, "\n", { plain = true })
    vim.api.nvim_buf_set_lines(buf, last - 1, last, false, lines)
  end)
end

local function line(text)
  write(function(buf)
    local last = vim.api.nvim_buf_line_count(buf)
    local tail = vim.api.nvim_buf_get_lines(buf, last - 1, last, false)[1] or ""
    local lines = vim.split(text, "\n", { plain = true })
    table.insert(lines, "")
    if tail ~= "" then
      table.insert(lines, 1, tail)
    end
    vim.api.nvim_buf_set_lines(buf, last - 1, last, false, lines)
  end)
end

local function first_line(content)
  local text = type(content) == "string" and content or vim.json.encode(content)
  local head = vim.split(text, "\n", { plain = true })[1] or ""
  return #head > 160 and head:sub(1, 157) .. "..." or head
end

local render = {
  session = function(e) line(("## %s (%s)"):format(e.title or "", e.sessionId)) end,
  text = function(e) append(e.text) end,
  tool_use = function(e) line("> " .. (e.title ~= "" and e.title or e.name)) end,
  tool_result = function(e) line((e.isError and "  x " or "  = ") .. first_line(e.content or "")) end,
  proposal = function(e)
    local n = #(e.hunks or {})
    local hunks = e.hunks and (" (%d %s)"):format(n, n == 1 and "hunk" or "hunks") or ""
    line(("* proposal %s [%s]: %s%s"):format(e.proposalId, e.status, e.description or "", hunks))
  end,
  permission = function(e)
    line(("? %s: %s%s"):format(e.tool, e.reason or "", e.decision and (" -> " .. e.decision) or ""))
  end,
  hook = function(e) line(("  hook %s: %s"):format(e.event, e.message)) end,
  error = function(e) line("! " .. e.message) end,
  done = function(e)
    line(("-- %s%s%s"):format(e.subtype, e.turns and (", " .. e.turns .. " turns") or "",
      e.costUsd and (", $%.4f"):format(e.costUsd) or ""))
  end,
}

function M.on_event(event)
  local handler = render[event.kind]
  if handler then
    handler(event)
  end
  if event.kind == "session" then
    M.open()
  end
end

--- The transcript's text (for tests and :checkhealth).
function M.text()
  return table.concat(vim.api.nvim_buf_get_lines(M.buffer(), 0, -1, false), "\n")
end

return M
