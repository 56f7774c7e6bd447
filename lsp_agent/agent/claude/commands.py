"""Slash commands: `/name args` prompts, from Claude Code's command files and the built-ins.

Custom commands are markdown files in `.claude/commands/` (project) and `~/.claude/commands/`
(user). The name is the file's stem; subdirectories only namespace the description, as in
Claude Code (`.claude/commands/frontend/component.md` is `/component`, "(project:frontend)").
On a clash the project command wins over the user's, and the first path in sorted order within
one directory tree.

Frontmatter: `description`, `argument-hint`, `allowed-tools`, `model`. In the body `$ARGUMENTS`
is the whole argument string and `$1`, `$2`, ... the positional arguments, numbered from 1 and
split like a shell does (quotes group words); a missing one expands to nothing. A body with
neither placeholder gets the arguments appended as `ARGUMENTS: ...`.

Built-ins are not expanded here: `expand` returns a `Builtin` the host acts on (/compact, /clear,
/model, /cost, /permissions, /resume, /help).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from lsp_agent.agent.claude import frontmatter
from lsp_agent.agent.claude.files import user_claude_dir

BUILTINS: dict[str, tuple[str, str]] = {
    "compact": ("Summarise the conversation to free context", "[instructions]"),
    "clear": ("Start a new conversation", ""),
    "model": ("Show or change the model", "[model]"),
    "cost": ("Show this session's token usage and cost", ""),
    "permissions": ("Show the permission mode and rules", ""),
    "resume": ("Resume an earlier session", "[session id]"),
    "tasks": ("List this session's background tasks", ""),
    "help": ("List the available commands", ""),
}

_PROMPT = re.compile(r"^/([A-Za-z0-9_][\w:.-]*)(?:\s+(.*))?$", re.DOTALL)
_PLACEHOLDER = re.compile(r"\$(ARGUMENTS|[1-9]\d*)")


@dataclass(frozen=True)
class SlashCommand:
    name: str
    description: str
    argument_hint: str = ""
    allowed_tools: tuple[str, ...] = ()
    model: str | None = None
    body: str = ""
    source: str = "project"  # project | user | builtin
    path: Path | None = None


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
    )


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
    return Expansion(command, arguments, substitute(command.body, arguments))


def substitute(body: str, arguments: str) -> str:
    """Fill `$ARGUMENTS` and `$1`.. `$N` (1-based) in a command body."""
    if not _PLACEHOLDER.search(body):
        return f"{body.rstrip()}\n\nARGUMENTS: {arguments}" if arguments else body
    positional = _split(arguments)

    def fill(match: re.Match[str]) -> str:
        if match.group(1) == "ARGUMENTS":
            return arguments
        index = int(match.group(1))
        return positional[index - 1] if index <= len(positional) else ""

    return _PLACEHOLDER.sub(fill, body)


def _split(arguments: str) -> list[str]:
    try:
        return shlex.split(arguments)
    except ValueError:  # an unbalanced quote: fall back to words
        return arguments.split()


def help_text(commands: CommandSet) -> str:
    lines = []
    for row in commands.listing():
        hint = f" {row['argumentHint']}" if row["argumentHint"] else ""
        lines.append(f"/{row['name']}{hint} - {row['description']}")
    return "\n".join(lines)
