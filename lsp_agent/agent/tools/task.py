"""Agent (called Task by older models): runs a subagent with its own context and returns its
final text.

Task counts as read-only for scheduling, so several Task calls in one turn run in parallel, as in
Claude Code. That is safe because a subagent's own tool calls go through the same permission
checks, edit sink and read-before-edit rules as the parent's: a write a subagent makes is still
approved (or refused) one call at a time.

With `run_in_background` the call returns at once with a task ID: the subagent runs beside the
conversation as one of the session's background tasks (tools/background.py), its final report
read with TaskOutput, stopped with TaskStop or when the session ends or is cancelled.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from lsp_agent.agent.claude.subagents import AgentSet, SubagentRequest, SubagentRunner
from lsp_agent.agent.tools.base import ToolContext, ToolResult
from lsp_agent.agent.tools.task_kinds import AgentTask

DEFAULT_TYPE = "general-purpose"


class TaskTool:
    input_schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            "description": {"type": "string", "description": "A short (3-5 word) task title"},
            "prompt": {"type": "string", "description": "The task for the agent to perform"},
            "subagent_type": {
                "type": "string",
                "description": "The type of agent to use (default: general-purpose)",
            },
            "model": {
                "type": "string",
                "description": "Model for this agent: sonnet, opus, haiku or an id (default: "
                "the agent definition's, else this conversation's)",
            },
            "run_in_background": {
                "type": "boolean",
                "description": "Run the agent in the background: the call returns its task "
                "ID at once; read its report with TaskOutput, stop it with TaskStop",
            },
        },
        "required": ["description", "prompt"],
        "additionalProperties": False,
    }
    read_only = True

    aliases = ("Task",)

    def __init__(self, agents: AgentSet, runner: SubagentRunner, name: str = "Agent") -> None:
        self.name = name
        self.agents = agents
        self.runner = runner
        kinds = "\n".join(f"- {a.name}: {a.description}" for a in agents.agents.values())
        self.description = (
            "Launch an agent that works on a task autonomously with its own context and "
            "returns one final report. Use it for open-ended searches and multi-step work "
            "whose details need not stay in this conversation. Give it a complete, "
            "self-contained prompt: it sees nothing of this conversation. Launch several in "
            "one turn to run them in parallel.\n\nAvailable agent types:\n" + kinds
        )

    async def run(self, tool_input: dict[str, Any], ctx: ToolContext) -> ToolResult:
        kind = str(tool_input.get("subagent_type") or DEFAULT_TYPE)
        definition = self.agents.get(kind)
        if definition is None:
            known = ", ".join(self.agents.agents)
            return ToolResult(f"Unknown subagent_type {kind!r}. Available: {known}", is_error=True)
        prompt = str(tool_input.get("prompt", "")).strip()
        if not prompt:
            return ToolResult("The Agent tool needs a non-empty prompt", is_error=True)
        model = tool_input.get("model")
        request = SubagentRequest(
            definition=definition,
            prompt=prompt,
            description=str(tool_input.get("description", "")),
            tool_use_id=ctx.tool_use_id,
            cancel=ctx.cancel,
            model=model if isinstance(model, str) and model else None,
        )
        if tool_input.get("run_in_background") is True and ctx.background is not None:
            task = ctx.background.start_agent(
                f"{definition.name}: {request.description or prompt[:60]}",
                request.description,
                lambda cancel: self._run_to_text(dataclasses.replace(request, cancel=cancel)),
            )
            return ToolResult(_started(task))
        text, failed = await self._run_to_text(request)
        return ToolResult(text, is_error=failed)

    async def _run_to_text(self, request: SubagentRequest) -> tuple[str, bool]:
        result = await self.runner(request)
        return result.text or "(the agent returned no text)", result.is_error


def _started(task: AgentTask) -> str:
    return (
        f"Agent running in background with ID: {task.id}. Its final report will be written "
        f"to: {task.output_path}. Go on with other work: a task notification tells you when it "
        "ends. Read the report with TaskOutput (block: true waits for it); stop the agent with "
        "TaskStop."
    )
