-- A folder added with vim.lsp.buf.add_workspace_folder() is indexed (workspace/symbol finds its
-- definitions) and the agent may read it (it is one of the run's working directories).
local T = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, "S").source:sub(2)), "plugin_lib.lua"))

local other = os.getenv("OTHER_FOLDER")
local client = T.start("calc.py")
vim.lsp.buf.add_workspace_folder(other)
T.check(vim.tbl_contains(vim.lsp.buf.list_workspace_folders(), other), "the folder was not added")

local found
T.wait("workspace/symbol to find slugify in the added folder", function()
  local reply = client:request_sync("workspace/symbol", { query = "slugify" }, 5000)
  for _, symbol in ipairs(reply and reply.result or {}) do
    if symbol.location.uri == vim.uri_from_fname(other .. "/util.py") then found = symbol end
  end
  return found ~= nil
end)

vim.cmd("LspAgentAsk What does slugify do?")
local read = T.wait_event("tool_result")
T.check(not read.isError, "reading the added folder failed: " .. vim.inspect(read))
T.check(vim.inspect(read.content):find("text.lower()", 1, true), "unexpected content: " .. vim.inspect(read))
T.wait_event("done")
T.finish()
