-- AskUserQuestion: the server's lspAgent/askQuestions request (docs/protocol.md), answered with
-- vim.ui.select (each option with its description, "Other..." for the user's own words, several
-- choices for a multi-select question) and vim.ui.input. Server requests run in a coroutine in
-- Neovim 0.11, so the pickers wait without blocking the editor.
local M = {}

local OTHER = { label = "Other...", description = "answer in your own words", other = true }
local DONE = { label = "Done", description = "send the ticked choices", done = true }

-- Call `open(callback)` and wait in the coroutine for the value it passes to callback.
local function await(co, open)
  open(function(value)
    vim.schedule(function()
      coroutine.resume(co, value)
    end)
  end)
  return coroutine.yield()
end

local function prompt_of(question)
  local header = (question.header or "") ~= "" and (question.header .. ": ") or ""
  return "Claude asks: " .. header .. question.question
end

local function own_words(co, question)
  local text = await(co, function(done)
    vim.ui.input({ prompt = question.question .. " " }, done)
  end)
  if text and vim.trim(text) ~= "" then
    return vim.trim(text)
  end
end

local function describe(option)
  if (option.description or "") == "" then
    return option.label
  end
  return option.label .. " - " .. option.description
end

local function pick_one(co, question)
  local items = vim.list_extend(vim.deepcopy(question.options or {}), { OTHER })
  local choice = await(co, function(done)
    vim.ui.select(items, { prompt = prompt_of(question), kind = "lsp_agent_question", format_item = describe }, done)
  end)
  if not choice then
    return nil
  end
  return choice.other and own_words(co, question) or choice.label
end

-- A multi-select question: the picker comes back after each choice with it ticked, until Done.
local function pick_many(co, question)
  local ticked, words = {}, nil
  while true do
    local items = {}
    for _, option in ipairs(question.options or {}) do
      table.insert(items, vim.tbl_extend("force", option, { ticked = ticked[option.label] }))
    end
    vim.list_extend(items, { vim.tbl_extend("force", OTHER, { ticked = words ~= nil }), DONE })
    local choice = await(co, function(done)
      vim.ui.select(items, {
        prompt = prompt_of(question) .. " (choose several, then Done)",
        kind = "lsp_agent_question",
        format_item = function(item)
          local box = item.done and "" or (item.ticked and "[x] " or "[ ] ")
          return box .. describe(item)
        end,
      }, done)
    end)
    if not choice then
      return nil
    elseif choice.done then
      break
    elseif choice.other then
      words = own_words(co, question)
    else
      ticked[choice.label] = not ticked[choice.label] or nil
    end
  end
  local chosen = {}
  for _, option in ipairs(question.options or {}) do
    if ticked[option.label] then
      table.insert(chosen, option.label)
    end
  end
  if words then
    table.insert(chosen, words)
  end
  if #chosen > 0 then
    return table.concat(chosen, ", ")
  end
end

--- The lspAgent/askQuestions handler: {answers = {...}} in question order, or nil (dismissed).
function M.handler(_, params, _)
  local co, is_main = coroutine.running()
  if not co or is_main then
    return vim.NIL -- no coroutine to wait in (Neovim before 0.11): the model hears no answer
  end
  local answers = {}
  for _, question in ipairs(params.questions or {}) do
    local answer = question.multiSelect and pick_many(co, question) or pick_one(co, question)
    if not answer then
      return vim.NIL
    end
    table.insert(answers, answer)
  end
  return { answers = answers }
end

return M
