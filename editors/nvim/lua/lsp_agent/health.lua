-- :checkhealth lsp_agent: the server command, `lsp-agent doctor --json` (API key, grammars,
-- directories) and, when a client runs, the effective settings including the index.
local M = {}

local function doctor_cmd(cmd)
  local doctor = vim.deepcopy(cmd)
  if doctor[#doctor] == "serve" then
    table.remove(doctor)
  end
  vim.list_extend(doctor, { "doctor", "--json" })
  return doctor
end

local function check_doctor(cmd)
  local ok, process = pcall(vim.system, doctor_cmd(cmd), { text = true })
  if not ok then
    return vim.health.error("cannot run `lsp-agent doctor`: " .. tostring(process))
  end
  local done = process:wait(30000)
  local parsed, report = pcall(vim.json.decode, done.stdout or "")
  if not parsed or type(report) ~= "table" then
    return vim.health.error("`lsp-agent doctor --json` failed: " .. (done.stderr or ""))
  end
  vim.health.ok(("lsp-agent %s on Python %s"):format(report.lsp_agent, report.python))
  if report.api_key then
    vim.health.ok("API key configured (" .. report.api_key .. ")")
  else
    vim.health.error("no API key", { "set ANTHROPIC_API_KEY or ANTHROPIC_AUTH_TOKEN before starting Neovim" })
  end
  vim.health.info("API base URL: " .. tostring(report.api_base_url))
  local failed = {}
  for name, err in pairs(report.grammars or {}) do
    if err ~= vim.NIL and err then
      table.insert(failed, name)
    end
  end
  if #failed == 0 then
    vim.health.ok("all tree-sitter grammars load")
  else
    vim.health.warn("grammars that fail to load: " .. table.concat(failed, ", "))
  end
  vim.health.info("index cache: " .. tostring(report.cache_dir))
end

local function check_client()
  local client = require("lsp_agent").client()
  if not client then
    return vim.health.info("no lsp-agent client running (open a file it is enabled for to start one)")
  end
  vim.health.ok(("client %d running (root %s)"):format(client.id, client.root_dir or "none"))
  local answer = client:request_sync("workspace/executeCommand",
    { command = "lspAgent.settings", arguments = { vim.empty_dict() } }, 10000)
  if not answer or answer.err then
    return vim.health.error("lspAgent.settings failed: " .. vim.inspect(answer and answer.err))
  end
  local settings = answer.result.settings or {}
  local index = settings.index or {}
  if index.enabled == false then
    vim.health.warn("the index is disabled (index.enabled = false)")
  else
    vim.health.ok("index enabled")
  end
  vim.health.info(("model %s, permission mode %s"):format(settings.model, settings.permissionMode))
  for _, problem in ipairs(answer.result.problems or {}) do
    vim.health.warn("settings: " .. tostring(problem))
  end
end

function M.check()
  vim.health.start("lsp_agent: server")
  local cmd = require("lsp_agent").config.cmd
  if type(cmd) ~= "table" or vim.fn.executable(cmd[1]) ~= 1 then
    vim.health.error("server command not found: " .. vim.inspect(cmd),
      { "install lsp-agent and put it on PATH, or pass cmd = {...} to require('lsp_agent').setup()" })
    return
  end
  vim.health.ok("server command: " .. table.concat(cmd, " "))
  check_doctor(cmd)
  vim.health.start("lsp_agent: client")
  check_client()
end

return M
