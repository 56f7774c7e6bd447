"""Running one subagent for the Task tool: a child Agent with its own in-memory conversation.

The child shares the parent's model client, permission gate (mode, rules, the user's "allow for
this session" answers and the host's prompt), document source, edit sink and index, and the
hooks around tool calls; it gets the definition's system prompt, model and tool subset, and
its own permission mode, hooks and MCP servers where the definition sets them
(subagent_scope.py). Its events reach the parent's sink tagged with `parent_tool_use_id`, and
its cost is added to the parent's. The loop passes its own class as `spawn`, so this module
never imports the loop.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from lsp_agent.agent.claude.subagent_scope import SubagentScope, subagent_scope
from lsp_agent.agent.claude.subagents import AgentDefinition, SubagentRequest, SubagentResult
from lsp_agent.agent.events import AgentEvent, RunDone, SessionStarted, UsageUpdated
from lsp_agent.agent.model.pricing import add_usage
from lsp_agent.agent.reporting import ReportingSink
from lsp_agent.agent.transcript import Transcript

if TYPE_CHECKING:
    from lsp_agent.agent.claude.extensions import Extensions
    from lsp_agent.agent.model.client import ModelClient
    from lsp_agent.agent.options import AgentOptions, AgentResult
    from lsp_agent.agent.permissions.gate import PermissionGate
    from lsp_agent.agent.ports import CancelToken
    from lsp_agent.agent.tools.base import Tool, ToolContext

# The child's session, usage and result are the parent's business (the Task tool's result, the
# parent's totals); its tool activity is shown as part of the parent's run.
NOT_FORWARDED = (SessionStarted, RunDone, UsageUpdated)


class Parent(Protocol):
    """The parts of the loop's Agent a subagent run uses."""

    options: AgentOptions
    tools: dict[str, Tool]
    ctx: ToolContext
    client: ModelClient
    gate: PermissionGate
    ext: Extensions
    usage: dict[str, int]
    cost_usd: float
    redact: Callable[[str], str]

    @property
    def session_id(self) -> str: ...

    def emit(self, event: AgentEvent) -> None: ...


class Child(Protocol):
    ctx: ToolContext

    async def run(self, prompt: str, cancel: CancelToken | None = None) -> AgentResult: ...


async def run_subagent(parent: Parent, request: SubagentRequest, *, spawn: Any) -> SubagentResult:
    """Under the definition's own mode, hooks and MCP servers (claude/subagent_scope.py)."""
    scoped = subagent_scope(request.definition, parent.gate, parent.ext, parent.tools)
    async with scoped as scope:
        return await _run(parent, request, scope, spawn)


async def _run(
    parent: Parent, request: SubagentRequest, scope: SubagentScope, spawn: Any
) -> SubagentResult:
    definition = request.definition
    options = dataclasses.replace(
        parent.options,
        permission_mode=scope.mode,
        model=definition.resolve_model(
            parent.options.model, request.model, parent.options.model_aliases
        ),
        system_prompt=_with_skills(definition, parent.ext) or None,
        max_turns=definition.max_turns or parent.options.max_turns,
        append_system_prompt=None,
        resume=None,
        continue_session=False,
    )

    def forward(event: AgentEvent) -> None:
        if not isinstance(event, NOT_FORWARDED) and not request.verifier:
            tagged = dataclasses.replace(
                event, session_id=parent.session_id, parent_tool_use_id=request.tool_use_id
            )
            parent.emit(tagged)

    edits = parent.ctx.edits
    tools = {name: parent.tools[name] for name in definition.tool_names(parent.tools)}
    tools |= {t.name: t for t in scope.tools if t.name not in definition.disallowed_tools}
    # A hook's verifier fires no hooks (a PreToolUse agent hook would run on its own Reads).
    extensions = parent.ext.without_hooks() if request.verifier else scope.extensions
    extensions.subagent_type, extensions.subagent_id = definition.name, request.tool_use_id
    child: Child = spawn(
        options,
        tools=list(tools.values()),
        documents=parent.ctx.documents,
        edits=edits.inner if isinstance(edits, ReportingSink) else edits,  # reports its own
        on_event=forward,
        client=parent.client,
        gate=scope.gate,
        extensions=extensions,
        index=parent.ctx.index,
        transcript=Transcript(str(uuid.uuid4()), None),
        redact=parent.redact,
    )
    # Background commands a subagent starts belong to the session, like the parent's.
    child.ctx.background = parent.ctx.background
    context = (
        await parent.ext.subagent_start(definition.name, request.tool_use_id)
        if not request.verifier
        else []
    )
    prompt = "\n\n".join([request.prompt, *context])
    # Not closed: the client is the parent's and the transcript lives in memory.
    result = await child.run(prompt, request.cancel)
    add_usage(parent.usage, result.usage)
    parent.cost_usd += result.cost_usd
    return SubagentResult(result.result, is_error=result.is_error)


def _with_skills(definition: AgentDefinition, ext: Extensions) -> str:
    """The definition's prompt with its `skills` preloaded: each skill's full content, as
    Claude Code injects them when the subagent starts (a plugin's agent names its plugin's
    skills without the prefix). An unknown name is said so in place."""
    sections = [definition.prompt] if definition.prompt else []
    plugin = definition.source.removeprefix("plugin:") if definition.source != "builtin" else ""
    for name in definition.skills:
        skill = ext.skills.skills.get(name) or ext.skills.skills.get(f"{plugin}:{name}")
        try:
            body = skill.body().strip() if skill is not None else ""
        except OSError:
            body = ""
        if skill is None or not body:
            sections.append(
                f"(The skill {name!r} named in this agent's definition is not available.)"
            )
            continue
        sections.append(
            f"<skill name={name!r} directory={str(skill.directory)!r}>\n{body}\n</skill>"
        )
    return "\n\n".join(sections)
