"""Subagents: definitions from `.claude/agents/**/*.md` (project) and `~/.claude/agents/**/*.md`
(user; subfolders too), plus Claude Code's built-in `general-purpose`, `Explore` and `Plan`
agents, run by the Agent tool (called Task by older models).

Frontmatter: `name` and `description` (both required), `tools` (comma-separated names; absent
means every tool of the parent), `disallowedTools` (taken away from those), `model` (an id, an
alias `sonnet`/`opus`/`haiku`, or `inherit`, the default), `maxTurns` (the run's turn limit),
`skills` (skills whose content is put into its system prompt at start; it cannot load others
itself), `permissionMode`, `hooks` and `mcpServers` (applied around its run by
subagent_scope.py; a plugin's agent ignores those three, as Claude Code's do). Read and kept, not
applied: `initialPrompt` (for an agent run as the main session). The body is the subagent's
system prompt. The project's definition wins over the user's of the same name, and both over the
built-in one.

A subagent never gets the Task tool itself (no nesting), starts with an empty conversation, and
returns only its final text to the parent. The loop runs it (`SubagentRunner`), so it shares the
parent's permission callback, edit sink and hooks, and fires SubagentStop where a top-level run
fires Stop.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsp_agent.agent.claude import frontmatter, frontmatter_hooks
from lsp_agent.agent.claude.files import user_claude_dir
from lsp_agent.agent.claude.frontmatter_yaml import structured
from lsp_agent.agent.claude.hooks_config import HooksConfig
from lsp_agent.agent.model.names import DEFAULT_ALIASES, ModelNames
from lsp_agent.agent.ports import CancelToken

TASK_TOOL_NAMES = ("Task", "Agent")
# What the read-only built-ins (Explore, Plan) may use: looking, never changing.
READ_ONLY_TOOLS = (
    "Read",
    "Glob",
    "Grep",
    "LS",
    "LSP",
    "SymbolSearch",
    "FindDefinition",
    "FileOutline",
)


@dataclass(frozen=True)
class AgentDefinition:
    name: str
    description: str
    prompt: str  # the subagent's system prompt
    tools: tuple[str, ...] | None = None  # None: all of the parent's tools
    model: str | None = None  # None: the parent's model
    source: str = "builtin"  # builtin | project | user | options | plugin:NAME
    path: Path | None = None
    disallowed_tools: tuple[str, ...] = ()
    max_turns: int | None = None
    skills: tuple[str, ...] = ()  # preloaded into the system prompt
    permission_mode: str = ""  # "": the parent's (subagent_scope.py decides what applies)
    initial_prompt: str = ""  # read, not applied (see the module's docstring)
    # Frontmatter hooks (Stop already SubagentStop) and `mcpServers` entries: a configured
    # server's name, or {name: inline definition}.
    hooks: HooksConfig = field(default_factory=HooksConfig, compare=False)
    mcp_servers: tuple[str | dict[str, Any], ...] = ()
    notes: tuple[str, ...] = ()  # what was wrong in the file, reported when loaded

    def tool_names(self, available: Iterable[str]) -> list[str]:
        """The parent's tools this subagent gets, in the parent's order, never Task."""
        wanted = None if self.tools is None else set(self.tools)
        refused = set(self.disallowed_tools)
        return [
            name
            for name in available
            if name not in TASK_TOOL_NAMES
            and (wanted is None or name in wanted)
            and name not in refused
        ]

    def resolve_model(
        self,
        parent_model: str,
        requested: str | None = None,
        aliases: Mapping[str, str] = DEFAULT_ALIASES,
    ) -> str:
        """The call's `model`, else the definition's, else the parent's."""
        chosen = requested or self.model
        if not chosen or chosen == "inherit":
            return parent_model
        return ModelNames(aliases).resolve(chosen)


GENERAL_PURPOSE = AgentDefinition(
    name="general-purpose",
    description=(
        "General-purpose agent for researching complex questions, searching for code, and "
        "executing multi-step tasks. Use it when a search may need several rounds of looking."
    ),
    prompt=(
        "You are an agent working on one task for a coding assistant inside the user's "
        "editor. Use the tools to complete the task fully, then reply with a concise report "
        "of what you found or did: your final message is all the assistant will see. Include "
        "absolute file paths and the relevant snippets."
    ),
)
EXPLORE = AgentDefinition(
    name="Explore",
    description=(
        "Fast agent specialized for exploring codebases: finding files by pattern, searching "
        "code for keywords, and answering questions about how the code works. It can only "
        "read; say how thorough to be (quick, medium or very thorough)."
    ),
    prompt=(
        "You are a read-only exploration agent for a coding assistant inside the user's "
        "editor. Search and read the code to answer the task; you cannot change any file. "
        "Be as thorough as the task asks, then reply with a concise report: your final message "
        "is all the assistant will see. Include absolute file paths and the relevant snippets."
    ),
    tools=READ_ONLY_TOOLS,
)
PLAN = AgentDefinition(
    name="Plan",
    description=(
        "Software architect agent for designing an implementation plan: it researches the "
        "code (read-only) and returns a step-by-step plan, the critical files and trade-offs."
    ),
    prompt=(
        "You are a planning agent for a coding assistant inside the user's editor. Research "
        "the code read-only, then reply with a concrete implementation plan: the steps, the "
        "files to change (absolute paths) and the risks. You cannot change any file."
    ),
    tools=READ_ONLY_TOOLS,
)
BUILT_IN = (GENERAL_PURPOSE, EXPLORE, PLAN)


@dataclass
class AgentSet:
    agents: dict[str, AgentDefinition] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def get(self, name: str) -> AgentDefinition | None:
        return self.agents.get(name)


def load_agents(
    project: Path,
    user_dir: Path | None = None,
    extra: Iterable[AgentDefinition] = (),
) -> AgentSet:
    """Definitions by precedence: `extra` (the SDK's `agents` option), project, user, built-in."""
    found = AgentSet()
    for definition in extra:
        found.agents.setdefault(definition.name, definition)
    user_dir = user_dir or user_claude_dir()
    for source, root in (
        ("project", project / ".claude" / "agents"),
        ("user", user_dir / "agents"),
    ):
        for path in sorted(root.rglob("*.md")) if root.is_dir() else []:
            _add(found, source, path)
    for definition in BUILT_IN:
        found.agents.setdefault(definition.name, definition)
    return found


def _add(found: AgentSet, source: str, path: Path) -> None:
    try:
        fields, body = frontmatter.read(path)
    except OSError as exc:
        found.problems.append(f"{path}: unreadable ({exc})")
        return
    definition = parse_agent(path, fields, body, source)
    if isinstance(definition, str):
        found.problems.append(definition)
    else:
        found.agents.setdefault(definition.name, definition)


def parse_agent(
    path: Path, fields: frontmatter.Frontmatter, body: str, source: str, prefix: str = ""
) -> AgentDefinition | str:
    """The subagent a file defines (its name after `prefix`), or why it cannot be used."""
    name = frontmatter.as_str(fields.get("name"))
    description = frontmatter.as_str(fields.get("description"))
    if not name or not description:
        return f"{path}: a subagent needs a name and a description; ignored"
    tools = fields.get("tools")
    turns = frontmatter.as_str(fields.get("maxTurns")).strip()
    if turns and (not turns.isdigit() or int(turns) < 1):
        return f"{path}: maxTurns must be a whole number >= 1, got {turns!r}; ignored"
    mode, hooks, servers, notes = _scoped_fields(path, fields, source)
    return AgentDefinition(
        name=prefix + name,
        description=description,
        prompt=body.strip(),
        tools=None if tools is None else tuple(frontmatter.as_list(tools)),
        model=frontmatter.as_str(fields.get("model")) or None,
        source=source,
        path=path,
        disallowed_tools=tuple(frontmatter.as_list(fields.get("disallowedTools"))),
        max_turns=int(turns) if turns else None,
        skills=tuple(frontmatter.as_list(fields.get("skills"))),
        permission_mode=mode,
        initial_prompt=frontmatter.as_str(fields.get("initialPrompt")),
        hooks=hooks,
        mcp_servers=servers,
        notes=(*notes, *hooks.problems),
    )


SCOPED_KEYS = ("permissionMode", "hooks", "mcpServers")
AGENT_MODES = ("default", "acceptEdits", "plan", "dontAsk", "bypassPermissions")


def _scoped_fields(
    path: Path, fields: frontmatter.Frontmatter, source: str
) -> tuple[str, HooksConfig, tuple[str | dict[str, Any], ...], tuple[str, ...]]:
    """`permissionMode`, `hooks` and `mcpServers`, checked, and what was wrong with them."""
    present = [key for key in SCOPED_KEYS if key in fields]
    if not present:
        return "", HooksConfig(), (), ()
    if source.startswith("plugin:"):
        keys = ", ".join(present)
        return (
            "",
            HooksConfig(),
            (),
            (f"{path}: {keys} ignored: a plugin's subagents cannot set them",),
        )
    notes: list[str] = []
    mode = frontmatter.as_str(fields.get("permissionMode")).strip()
    mode = "default" if mode == "manual" else mode
    if mode and mode not in AGENT_MODES:
        notes.append(
            f"{path}: unknown permissionMode {mode!r} (one of {', '.join(AGENT_MODES)}); "
            "the subagent runs in its parent's mode"
        )
        mode = ""
    if "hooks" not in fields and "mcpServers" not in fields:
        return mode, HooksConfig(), (), tuple(notes)
    try:
        data = structured(path)
    except (OSError, ValueError) as exc:  # the mode (read without YAML) still applies
        notes.append(f"{path}: {exc}; its hooks and mcpServers are ignored")
        return mode, HooksConfig(), (), tuple(notes)
    hooks = frontmatter_hooks.parse(data.get("hooks"), str(path), subagent=True)
    servers = _servers(path, data.get("mcpServers"), notes)
    return mode, hooks, servers, tuple(notes)


def _servers(path: Path, value: Any, notes: list[str]) -> tuple[str | dict[str, Any], ...]:
    if value is None:
        return ()
    if isinstance(value, dict):  # the .mcp.json shape, {name: definition}
        value = [{name: entry} for name, entry in value.items()]
    if not isinstance(value, list):
        notes.append(f"{path}: mcpServers must be a list of server names or definitions")
        return ()
    found: list[str | dict[str, Any]] = []
    for entry in value:
        if isinstance(entry, str) and entry.strip():
            found.append(entry.strip())
        elif isinstance(entry, dict) and entry and all(isinstance(k, str) for k in entry):
            found.append(entry)
        else:
            notes.append(f"{path}: mcpServers entry {entry!r} is neither a name nor a definition")
    return tuple(found)


@dataclass(frozen=True)
class SubagentRequest:
    definition: AgentDefinition
    prompt: str
    description: str
    tool_use_id: str
    cancel: CancelToken
    model: str | None = None  # the call's own model choice (an id or an alias)
    # An agent hook's verifier: fires no hooks (a PreToolUse agent hook must not run again for
    # its Read calls) and shows no events (it is not the conversation's work).
    verifier: bool = False


@dataclass(frozen=True)
class SubagentResult:
    text: str
    is_error: bool = False


SubagentRunner = Callable[[SubagentRequest], Awaitable[SubagentResult]]
"""Provided by the loop: runs one subagent to the end and returns its final text."""
