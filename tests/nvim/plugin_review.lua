-- Ask -> streamed transcript -> a two-hunk proposal shown inline -> accept the first hunk,
-- reject the second (each with the cursor on it) -> the buffer holds exactly the accepted change.
local T = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, "S").source:sub(2)), "plugin_lib.lua"))

T.start("calc.py")
local buf = vim.api.nvim_get_current_buf()
local before = T.lines(buf)

-- :LspAgentAsk without arguments prompts through vim.ui.input.
local asked
vim.ui.input = function(opts, on_confirm)
  asked = opts.prompt
  on_confirm("Add type hints to add and sub")
end
vim.cmd("LspAgentAsk")
T.check(asked ~= nil, "vim.ui.input was not used for the prompt")

local proposal = T.wait_event("proposal", function(e) return e.status == "pending" end)
T.check(#proposal.hunks == 2, "expected two hunks, got " .. vim.inspect(proposal.hunks))
T.check(vim.deep_equal(T.lines(buf), before), "the buffer changed before the review")

-- The transcript streamed the model's text before the proposal came.
T.check(require("lsp_agent.transcript").text():find("I will add type hints", 1, true),
  "transcript lacks the streamed text")

local review = require("lsp_agent.review")
local pending = review.pending()
T.check(#pending == 1 and pending[1].bufnr == buf, "review not shown in the buffer: " .. vim.inspect(pending))
local marks = vim.api.nvim_buf_get_extmarks(buf, vim.api.nvim_get_namespaces().lsp_agent_review, 0, -1,
  { details = true })
local virtual = 0
for _, m in ipairs(marks) do
  if m[4].virt_lines then virtual = virtual + 1 end
end
T.check(virtual == 2, "expected virtual lines for both hunks, got " .. virtual)

local hunks = pending[1].hunks
vim.api.nvim_win_set_cursor(0, { hunks[2].first + 1, 0 })
vim.cmd("LspAgentReject")
vim.api.nvim_win_set_cursor(0, { hunks[1].first + 1, 0 })
vim.cmd("LspAgentAccept")
T.check(#review.pending() == 0, "review still pending after deciding both hunks")

local expected = vim.deepcopy(before)
expected[1] = "def add(a: int, b: int) -> int:"
T.wait("the accepted hunk to land", function() return vim.deep_equal(T.lines(buf), expected) end)
T.wait_event("done")
T.check(vim.deep_equal(T.lines(buf), expected), "buffer changed after the accepted hunk: "
  .. vim.inspect(T.lines(buf)))
local done = T.event("done")
T.check(done.subtype == "success", "run ended with " .. vim.inspect(done))
T.check(require("lsp_agent.transcript").text():find("Typed add only", 1, true), "transcript lacks the final text")
T.finish()
