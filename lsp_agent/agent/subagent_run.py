"""Running a subagent for the Task tool: a child Agent with the definition's system prompt and
tools, an empty conversation kept in memory, and the parent's client, permissions, edit sink,
hooks and cancellation. Only its final text goes back to the parent; its usage and cost are
added to the parent's, and its events reach the parent's sink tagged with the Task call's id.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from lsp_agent.agent.pricing import add_usage
from lsp_agent.agent.session import Transcript
from lsp_agent.agent.subagents import SubagentRequest, SubagentResult

if TYPE_CHECKING:
    from lsp_agent.agent.loop import Agent
    from lsp_agent.agent.ports import AgentEvent

# The parent's own lifecycle events; a subagent's would confuse a host following the parent.
_NOT_FORWARDED = frozenset({"session", "done"})


async def run_subagent(parent: Agent, request: SubagentRequest) -> SubagentResult:
    from lsp_agent.agent.loop import Agent

    definition = request.definition
    options = dataclasses.replace(
        parent.options,
        model=definition.resolve_model(parent.options.model),
        system_prompt=definition.prompt,
        append_system_prompt=None,
        resume=None,
        continue_session=False,
        disallowed_tools=[],
    )

    def forward(event: AgentEvent) -> None:
        if event.kind not in _NOT_FORWARDED:
            parent.emit(event.kind, **event.data, parent_tool_use_id=request.tool_use_id)

    names = definition.tool_names(parent.tools)
    child = Agent(
        options,
        tools=[parent.tools[name] for name in names],
        documents=parent.ctx.documents,
        edits=parent.ctx.edits,
        on_event=forward,
        client=parent.client,
        gate=parent.gate,
        extensions=parent.ext,
        index=parent.ctx.index,
        transcript=Transcript(f"{parent.session_id}:{request.tool_use_id}", None),
    )
    result = await child.run(request.prompt, request.cancel)
    if parent.ext is not None:  # the child took over the extensions' event sink
        parent.ext.emit = lambda kind, data: parent.emit(kind, **data)  # type: ignore[arg-type]
    add_usage(parent.usage, child.usage)
    parent.cost_usd += child.cost_usd
    return SubagentResult(result.result, result.is_error)
