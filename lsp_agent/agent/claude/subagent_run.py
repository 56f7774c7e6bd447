"""Running one subagent for the Task tool: a child Agent with its own in-memory conversation.

The child shares the parent's model client, permission gate (mode, rules, the user's "allow for
this session" answers and the host's prompt), document source, edit sink and index, and the
hooks around tool calls; it gets the definition's system prompt, model and tool subset. Its
events reach the parent's sink tagged with `parent_tool_use_id`, and its cost is added to the
parent's.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import TYPE_CHECKING

from lsp_agent.agent.claude.subagents import SubagentRequest, SubagentResult
from lsp_agent.agent.model.pricing import add_usage
from lsp_agent.agent.ports import AgentEvent
from lsp_agent.agent.transcript import Transcript

if TYPE_CHECKING:
    from lsp_agent.agent.loop import Agent

NOT_FORWARDED = frozenset({"session", "done", "usage"})


async def run_subagent(parent: Agent, request: SubagentRequest) -> SubagentResult:
    from lsp_agent.agent.loop import Agent

    definition = request.definition
    options = dataclasses.replace(
        parent.options,
        model=definition.resolve_model(parent.options.model),
        system_prompt=definition.prompt or None,
        append_system_prompt=None,
        resume=None,
        continue_session=False,
    )

    def forward(event: AgentEvent) -> None:
        if event.kind not in NOT_FORWARDED:
            parent.emit(event.kind, **event.data, parent_tool_use_id=request.tool_use_id)

    edits = parent.ctx.edits
    child = Agent(
        options,
        tools=[parent.tools[name] for name in definition.tool_names(parent.tools)],
        documents=parent.ctx.documents,
        edits=getattr(edits, "inner", edits),  # the child reports its own proposals
        on_event=forward,
        client=parent.client,
        gate=parent.gate,
        extensions=parent.ext.for_subagent() if parent.ext is not None else None,
        index=parent.ctx.index,
        transcript=Transcript(str(uuid.uuid4()), None),
    )
    # Not closed: the client is the parent's and the transcript lives in memory.
    result = await child.run(request.prompt, request.cancel)
    add_usage(parent.usage, result.usage)
    parent.cost_usd += result.cost_usd
    return SubagentResult(result.result, is_error=result.is_error)
