"""TaskCreate, TaskGet, TaskList and TaskUpdate: Claude Code's task list, one task per call,
kept beside TodoWrite's list in `ctx.todos` (each task has an `id`). The user sees each change
as the tool call in the transcript and progress, like TodoWrite's."""

from __future__ import annotations

import json
from typing import Any

from lsp_agent.agent.tools.base import ToolContext, ToolError, ToolResult
from lsp_agent.agent.tools.common import BaseTool, arg

STATUSES = ("pending", "in_progress", "completed", "deleted")


def _task(ctx: ToolContext, task_id: str) -> dict[str, Any]:
    for task in ctx.todos:
        if task.get("id") == task_id:
            return task
    known = ", ".join(str(t["id"]) for t in ctx.todos if "id" in t) or "none"
    raise ToolError(f"No task {task_id!r} (tasks: {known})")


def _line(task: dict[str, Any]) -> str:
    blocked = f" (blocked by {', '.join(task['blockedBy'])})" if task.get("blockedBy") else ""
    return f"#{task['id']} [{task['status']}] {task['subject']}{blocked}"


class TaskCreate(BaseTool):
    name = "TaskCreate"
    description = (
        "Adds a task to this session's task list (status pending). subject says what to do "
        "('Run the tests'), activeForm what is happening ('Running the tests')."
    )
    input_schema = {
        "type": "object",
        "properties": {
            "subject": {"type": "string", "minLength": 1},
            "description": {"type": "string"},
            "activeForm": {"type": "string"},
            "metadata": {"type": "object"},
        },
        "required": ["subject"],
        "additionalProperties": False,
    }

    async def call(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        subject = arg(tool_input, "subject", str).strip()
        if not subject:
            raise ToolError("subject is empty")
        task_id = str(1 + sum(1 for t in ctx.todos if "id" in t))
        task = {
            "id": task_id,
            "subject": subject,
            "content": subject,  # TodoWrite's field, so both lists render alike
            "description": arg(tool_input, "description", str, ""),
            "activeForm": arg(tool_input, "activeForm", str, subject),
            "status": "pending",
            "blocks": [],
            "blockedBy": [],
        }
        ctx.todos.append(task)
        return ToolResult(f"Task #{task_id} created successfully: {subject}")


class TaskGet(BaseTool):
    name = "TaskGet"
    description = "Shows one task of this session's task list, by id."
    input_schema = {
        "type": "object",
        "properties": {"taskId": {"type": "string"}},
        "required": ["taskId"],
        "additionalProperties": False,
    }

    async def call(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        task = _task(ctx, arg(tool_input, "taskId", str))
        return ToolResult(json.dumps(task, indent=2, ensure_ascii=False))


class TaskList(BaseTool):
    name = "TaskList"
    description = "Lists this session's tasks with their status."
    input_schema = {
        "type": "object",
        "properties": {},
        "required": [],
        "additionalProperties": False,
    }

    async def call(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        tasks = [t for t in ctx.todos if "id" in t and t.get("status") != "deleted"]
        return ToolResult("\n".join(_line(t) for t in tasks) or "No tasks found")


class TaskUpdate(BaseTool):
    name = "TaskUpdate"
    description = (
        "Updates a task: status (pending, in_progress, completed, or deleted to remove it), "
        "subject, description, activeForm, owner, and dependencies (addBlocks, addBlockedBy). "
        "Keep one task in_progress while working and complete each as soon as it is done."
    )
    input_schema = {
        "type": "object",
        "properties": {
            "taskId": {"type": "string"},
            "status": {"type": "string", "enum": list(STATUSES)},
            "subject": {"type": "string"},
            "description": {"type": "string"},
            "activeForm": {"type": "string"},
            "owner": {"type": "string"},
            "addBlocks": {"type": "array", "items": {"type": "string"}},
            "addBlockedBy": {"type": "array", "items": {"type": "string"}},
            "metadata": {"type": "object"},
        },
        "required": ["taskId"],
        "additionalProperties": False,
    }

    async def call(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        task = _task(ctx, arg(tool_input, "taskId", str))
        status = arg(tool_input, "status", str, task["status"])
        if status not in STATUSES:
            raise ToolError(f"status must be one of {', '.join(STATUSES)}")
        for key in ("subject", "description", "activeForm", "owner"):
            value = arg(tool_input, key, str, None)
            if value is not None:
                task[key] = value
        task["content"], task["status"] = task["subject"], status
        for key, field in (("addBlocks", "blocks"), ("addBlockedBy", "blockedBy")):
            for other in arg(tool_input, key, list, []):
                _task(ctx, str(other))  # an unknown id is an error, not a silent link
                if str(other) not in task[field]:
                    task[field].append(str(other))
        return ToolResult(f"Updated task #{task['id']} {status}")
