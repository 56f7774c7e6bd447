"""TodoWrite: the model's task list for this session (shown to the user, kept in ctx.todos)."""

from __future__ import annotations

from typing import Any

from lsp_agent.agent.tools.base import ToolContext, ToolError, ToolResult
from lsp_agent.agent.tools.common import BaseTool, arg

STATUSES = ("pending", "in_progress", "completed")


class TodoWrite(BaseTool):
    name = "TodoWrite"
    description = (
        "Creates and updates the task list for this session: pass the whole list each time. "
        "Use it for work with several steps; keep exactly one task in_progress while working "
        "and mark each completed as soon as it is done. content says what to do ('Run the "
        "tests'), activeForm what is happening ('Running the tests')."
    )
    input_schema = {
        "type": "object",
        "properties": {
            "todos": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "content": {"type": "string", "minLength": 1},
                        "status": {"type": "string", "enum": list(STATUSES)},
                        "activeForm": {"type": "string", "minLength": 1},
                    },
                    "required": ["content", "status", "activeForm"],
                },
            }
        },
        "required": ["todos"],
        "additionalProperties": False,
    }

    async def call(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        todos = [_todo(i, item) for i, item in enumerate(arg(tool_input, "todos", list), 1)]
        ctx.todos[:] = todos  # in place: the host may hold a reference to the list
        return ToolResult(
            "Todos have been modified successfully. Ensure that you continue to use the todo "
            "list to track your progress. Please proceed with the current tasks if applicable"
        )


def _todo(number: int, item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise ToolError(f"todo {number} must be an object")
    content = arg(item, "content", str)
    status = arg(item, "status", str)
    if not content.strip():
        raise ToolError(f"todo {number}: content is empty")
    if status not in STATUSES:
        raise ToolError(f"todo {number}: status must be one of {', '.join(STATUSES)}")
    active = arg(item, "activeForm", str, content)
    return {**item, "content": content, "status": status, "activeForm": active}
