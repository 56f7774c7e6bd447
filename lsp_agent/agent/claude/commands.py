"""Slash commands: `/name args` prompts, from Claude Code's command files and the built-ins.

Custom commands are markdown files in `.claude/commands/` (project) and `~/.claude/commands/`
(user). The name is the file's stem; subdirectories only namespace the description, as in
Claude Code (`.claude/commands/frontend/component.md` is `/component`, "(project:frontend)").
On a clash the project command wins over the user's, and the first path in sorted order within
one directory tree.

Frontmatter: `description`, `argument-hint`, `allowed-tools`, `model`, `arguments`. The body's
placeholders (`$ARGUMENTS`, `$ARGUMENTS[N]`, `$N` from 0, `$name`), `!` shell lines and `@path`
references follow Claude Code's current rules: see claude/body.py.

Built-ins are not expanded here: `expand` returns a `Builtin` the host acts on (/compact, /clear,
/model, /cost, /permissions, /resume, /help).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from lsp_agent.agent.claude import body as bodies
from lsp_agent.agent.claude import frontmatter
from lsp_agent.agent.claude.body import BodyVars
from lsp_agent.agent.claude.files import user_claude_dir

BUILTINS: dict[str, tuple[str, str]] = {
    "compact": ("Summarise the conversation to free context", "[instructions]"),
    "clear": ("Start a new conversation", ""),
    "model": ("Show or change the model", "[model]"),
    "cost": ("Show this session's token usage and cost", ""),
    "permissions": ("Show the permission mode and rules", ""),
    "rename": ("Name this session (without a name: one made from the conversation)", "[name]"),
    "resume": ("Resume an earlier session", "[session id or name]"),
    "tasks": ("List this session's background tasks", ""),
    "help": ("List the available commands", ""),
}

_PROMPT = re.compile(r"^/([A-Za-z0-9_][\w:.-]*)(?:\s+(.*))?$", re.DOTALL)


@dataclass(frozen=True)
class SlashCommand:
    name: str
    description: str
    argument_hint: str = ""
    allowed_tools: tuple[str, ...] = ()
    model: str | None = None
    body: str = ""
    source: str = "project"  # project | user | builtin | plugin:NAME
    path: Path | None = None
    argument_names: tuple[str, ...] = ()  # the `arguments` frontmatter, for `$name`


@dataclass(frozen=True)
class Expansion:
    """A custom command turned into the prompt to send. `allowed_tools` and `model` are the
    command's frontmatter: extra allow rules and a model for this prompt."""

    command: SlashCommand
    arguments: str
    prompt: str


@dataclass(frozen=True)
class Builtin:
    name: str
    arguments: str


@dataclass(frozen=True)
class Unknown:
    name: str

    @property
    def message(self) -> str:
        return f"Unknown slash command: /{self.name} (try /help)"


SlashResult = Expansion | Builtin | Unknown


@dataclass
class CommandSet:
    commands: dict[str, SlashCommand] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def listing(self) -> list[dict[str, str]]:
        """For editor pickers: built-ins first, then custom commands by name."""
        rows = [_row(c) for c in builtin_commands()]
        rows += [_row(self.commands[name]) for name in sorted(self.commands)]
        return rows


def _row(command: SlashCommand) -> dict[str, str]:
    return {
        "name": command.name,
        "description": command.description,
        "argumentHint": command.argument_hint,
        "source": command.source,
    }


def builtin_commands() -> list[SlashCommand]:
    return [
        SlashCommand(name, description, hint, source="builtin")
        for name, (description, hint) in BUILTINS.items()
    ]


def load_commands(project: Path, user_dir: Path | None = None) -> CommandSet:
    found = CommandSet()
    user_dir = user_dir or user_claude_dir()
    for source, root in (
        ("project", project / ".claude" / "commands"),
        ("user", user_dir / "commands"),
    ):
        for path in sorted(root.rglob("*.md")) if root.is_dir() else []:
            _add(found, source, root, path)
    return found


def _add(found: CommandSet, source: str, root: Path, path: Path) -> None:
    name = path.stem
    if name in BUILTINS:
        found.problems.append(f"{path}: /{name} is a built-in command; the file is ignored")
        return
    if name in found.commands:
        if found.commands[name].source == source:
            found.problems.append(f"{path}: /{name} is already defined; the file is ignored")
        return
    try:
        fields, body = frontmatter.read(path)
    except OSError as exc:
        found.problems.append(f"{path}: unreadable ({exc})")
        return
    namespace = ":".join([source, *path.relative_to(root).parent.parts])
    found.commands[name] = from_file(name, path, fields, body, source, namespace)


def from_file(
    name: str,
    path: Path,
    fields: frontmatter.Frontmatter,
    body: str,
    source: str,
    namespace: str,
) -> SlashCommand:
    """A command from its file's frontmatter and body; `namespace` ends its description."""
    description = frontmatter.as_str(fields.get("description")) or _first_line(body)
    return SlashCommand(
        name=name,
        description=f"{description} ({namespace})",
        argument_hint=frontmatter.as_str(fields.get("argument-hint")),
        allowed_tools=tuple(frontmatter.as_list(fields.get("allowed-tools"))),
        model=frontmatter.as_str(fields.get("model")) or None,
        body=body,
        source=source,
        path=path,
        argument_names=tuple(argument_names(fields.get("arguments"))),
    )


def argument_names(value: str | list[str] | None) -> list[str]:
    """`arguments:` is a YAML list or one space-separated string."""
    if isinstance(value, list):
        return [v.strip() for v in value if v.strip()]
    return (value or "").split()


def _first_line(body: str) -> str:
    for line in body.splitlines():
        if line.strip():
            return line.strip().lstrip("#").strip()[:80]
    return ""


def parse(prompt: str) -> tuple[str, str] | None:
    """(`name`, `arguments`) when `prompt` is a slash command, else None ("/usr/bin is..." is
    a plain prompt: a name never holds a slash)."""
    match = _PROMPT.match(prompt.strip())
    if match is None:
        return None
    return match.group(1), (match.group(2) or "").strip()


def expand(prompt: str, commands: CommandSet) -> SlashResult | None:
    parsed = parse(prompt)
    if parsed is None:
        return None
    name, arguments = parsed
    if name in BUILTINS:
        return Builtin(name, arguments)
    command = commands.commands.get(name)
    if command is None:
        return Unknown(name)
    given = BodyVars(arguments, names=command.argument_names)
    return Expansion(command, arguments, bodies.substitute(command.body, given))


def substitute(text: str, arguments: str) -> str:
    """`$ARGUMENTS`, `$ARGUMENTS[N]` and `$N` (0-based) filled in a command body (the rules
    are claude/body.py's; the `${CLAUDE_*}` variables need a session and stay as written)."""
    return bodies.substitute(text, BodyVars(arguments))


def help_text(commands: CommandSet) -> str:
    lines = []
    for row in commands.listing():
        hint = f" {row['argumentHint']}" if row["argumentHint"] else ""
        lines.append(f"/{row['name']}{hint} - {row['description']}")
    return "\n".join(lines)
