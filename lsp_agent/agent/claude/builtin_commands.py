"""The built-in slash commands an agent session answers itself, without a model turn.

/help, /cost, /model [name], /permissions, /compact [instructions], /rename [name] and /clear act
on the Agent; /resume is the host's (it owns the session picker), so here it only says how.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from lsp_agent.agent.claude.commands import Builtin, help_text
from lsp_agent.agent.model.names import ModelNames

if TYPE_CHECKING:
    from lsp_agent.agent.claude.extensions import Extensions
    from lsp_agent.agent.model.reducer import MessageSnapshot
    from lsp_agent.agent.options import AgentOptions
    from lsp_agent.agent.permissions.gate import PermissionGate
    from lsp_agent.agent.tools.base import ToolContext


class Session(Protocol):
    """What the built-ins act on: the loop's Agent (named here by its parts, so this module
    does not import the loop that calls it)."""

    options: AgentOptions
    ext: Extensions
    gate: PermissionGate
    usage: dict[str, int]
    cost_usd: float
    messages: list[dict[str, Any]]
    ctx: ToolContext

    title: str

    @property
    def started(self) -> bool: ...
    async def start(self, source: str = ...) -> None: ...
    async def compact(self, trigger: str = ..., instructions: str = ...) -> bool: ...
    def clear(self) -> None: ...
    def rename(self, title: str) -> None: ...
    async def _side_query(
        self, request: dict[str, Any], *, fast: bool = ..., model: str | None = ...
    ) -> MessageSnapshot: ...


async def run_builtin(agent: Session, command: Builtin) -> tuple[str, bool]:
    """(text for the user, is_error)."""
    name, arguments = command.name, command.arguments
    if name == "help":
        commands = agent.ext.commands
        return help_text(commands), False
    if name == "cost":
        return cost_text(agent), False
    if name == "tasks":
        return tasks_text(agent), False
    if name == "model":
        if arguments:
            agent.options.model = ModelNames(agent.options.model_aliases).resolve(arguments)
            return f"Model set to {agent.options.model}.", False
        return f"Current model: {agent.options.model}", False
    if name == "permissions":
        return permissions_text(agent), False
    if name == "compact":
        if not agent.messages:
            return "Nothing to compact yet.", False
        if not await agent.compact("manual", arguments):
            return "Not compacted: a PreCompact hook blocked it.", False
        return "Compacted the conversation into a summary.", False
    if name == "rename":
        title = arguments.strip() or await generated_title(agent)
        if not title:
            return "Nothing to name the session after yet: give a name, `/rename NAME`.", True
        agent.rename(title)
        return f"Session renamed to {agent.title!r}.", False
    if name == "clear":
        if agent.started:  # the session ending: SessionEnd hooks with reason "clear"
            await agent.ext.session_end("clear")
        agent.clear()
        await agent.start()  # and the new one starting: SessionStart "clear", as in Claude Code
        return "Started a new conversation.", False
    return (
        "Resume a session from the editor's session list, or `lsp-agent ask --resume ID`.",
        False,
    )


TITLE_REQUEST = (
    "Write a title of 3 to 6 words for the coding session below: what it is about, no quotes,"
    " no punctuation at the end. Answer with the title only."
)
TITLE_SOURCE_CHARS = 4_000  # of the conversation's text, from its start


async def generated_title(agent: Session) -> str:
    """A name made from the conversation by the small fast model, as Claude Code's `/rename`
    without a name does ("" when there is no conversation or the request fails)."""
    texts = []
    for message in agent.messages:
        content = message.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
        texts += [
            f"{message.get('role')}: {b['text']}"
            for b in blocks or []
            if isinstance(b, dict) and b.get("type") == "text" and b.get("text")
        ]
    source = "\n".join(texts)[:TITLE_SOURCE_CHARS]
    if not source.strip():
        return ""
    request = {
        "max_tokens": 32,
        "messages": [{"role": "user", "content": f"{TITLE_REQUEST}\n\n{source}"}],
    }
    try:
        snapshot = await agent._side_query(request, fast=True)
    except Exception:  # an API failure: say so rather than end the session
        return ""
    return " ".join(snapshot.text.split()).strip("\"'. ")[:80]


def cost_text(agent: Session) -> str:
    usage = agent.usage
    return "\n".join(
        [
            f"Total cost: ${agent.cost_usd:.4f}",
            f"Input tokens: {usage.get('input_tokens', 0)}",
            f"Output tokens: {usage.get('output_tokens', 0)}",
            f"Cache reads: {usage.get('cache_read_input_tokens', 0)}",
            f"Cache writes: {usage.get('cache_creation_input_tokens', 0)}",
        ]
    )


def permissions_text(agent: Session) -> str:
    lines = [f"Permission mode: {agent.options.permission_mode}"]
    rules = getattr(agent.gate.policy, "rules", None)
    for rule in rules or []:
        lines.append(f"{rule.behavior}: {rule.text} ({rule.source})")
    lines += [f"allow: {rule} (options)" for rule in agent.options.allowed_tools]
    lines += [f"deny: {rule} (options)" for rule in agent.options.disallowed_tools]
    return "\n".join(lines)


def tasks_text(agent: Session) -> str:
    tasks = agent.ctx.background.listing() if agent.ctx.background is not None else []
    if not tasks:
        return "No background tasks in this session."
    return "\n".join(
        f"{t['id']} [{t['status']}] {t['command']}"
        + (f" ({t['description']})" if t["description"] else "")
        for t in tasks
    )
