-- :LspAgentPlugins: the server's plugin listing in a scratch buffer: the plugin the settings'
-- `plugins.dirs` names, with its options (the sensitive one redacted), the plugin that failed
-- and the problems, each naming its file.
local T = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, "S").source:sub(2)), "plugin_lib.lua"))

local dirs = vim.split(os.getenv("PLUGIN_DIRS"), "\n")
T.start("calc.py", { settings = { plugins = { dirs = dirs } } })
vim.cmd("LspAgentPlugins")
local text
T.wait("the plugins buffer", function()
  local buf = vim.fn.bufnr(require("lsp_agent.plugins").bufname)
  if buf == -1 then return false end
  text = table.concat(T.lines(buf), "\n")
  return text:find("deploy-kit 1.2.0", 1, true) ~= nil
end)
io.stderr:write(text .. "\n")
for _, want in ipairs({
  "  commands: /deploy-kit:status",
  '  option api_token (API token): "(sensitive, set)"',
  "  option region (Region): not set",
  "FAILED ",
  "bad-manifest/.claude-plugin/plugin.json: malformed JSON",
  "problem: plugin deploy-kit: required option 'region' (Region) is not set",
}) do
  T.check(text:find(want, 1, true), "missing from the listing: " .. want)
end
T.check(not text:find(os.getenv("SECRET"), 1, true), "the sensitive value is shown")
T.finish()
