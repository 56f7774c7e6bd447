"""Output styles: the `outputStyle` setting picks one, and it changes the system prompt as in
Claude Code. Styles are markdown files with frontmatter (`name`, default the file's stem;
`description`; `keep-coding-instructions`, default false) in `~/.claude/output-styles/`,
`.claude/output-styles/` (the project's wins) and plugins' `output-styles/` (named
`plugin:name`), plus the built-ins `default`, `Explanatory` and `Learning`.

A style other than `default` adds its text to the system prompt; unless it keeps the coding
instructions, the built-in software-engineering guidance is replaced by a short note that the
tools are still there (the environment, CLAUDE.md and tool descriptions stay). An unknown style
name is reported and the default is used.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from lsp_agent.agent.claude import frontmatter
from lsp_agent.agent.claude.files import settings_files, user_claude_dir
from lsp_agent.agent.claude.plugins import PluginSet
from lsp_agent.agent.claude.plugins.manifest import part_paths

DEFAULT = "default"
# What stays of the instructions when a style replaces the coding guidance.
WITHOUT_CODING = (
    "You are an assistant working inside the user's editor through a language server, with "
    "tools to read and change the files of the user's workspace. Use them when the user's "
    "request needs them; file paths in tool inputs are absolute."
)
BUILT_IN = {
    "Explanatory": (
        "Explains its implementation choices and the codebase's patterns as it works.",
        "While you complete the user's software engineering task, explain why: before and "
        "after writing code, give short insights into the choices you make and the patterns of "
        "this codebase, marked with a line `Insight:`. Keep them specific to the code at hand.",
    ),
    "Learning": (
        "Works with the user: asks them to write small strategic pieces of code themselves.",
        "Help the user learn while completing the task. Explain your choices as you go, and "
        "for small, meaningful pieces (a function body of 2-10 lines, a decision between "
        "approaches) leave a `TODO(human)` in the code and ask the user to write it, saying "
        "what it should do and why it matters. Do the rest yourself.",
    ),
}


@dataclass(frozen=True)
class OutputStyle:
    name: str
    description: str
    prompt: str
    keep_coding_instructions: bool = False
    source: str = "builtin"


@dataclass
class OutputStyles:
    styles: dict[str, OutputStyle] = field(default_factory=dict)
    chosen: OutputStyle | None = None  # None: the default style
    problems: list[str] = field(default_factory=list)

    def instructions(self, built_in: str) -> str:
        """The base instructions under the chosen style."""
        style = self.chosen
        if style is None or style.keep_coding_instructions:
            return built_in
        return WITHOUT_CODING

    def system_prompt(self) -> str:
        style = self.chosen
        if style is None:
            return ""
        return f"# Output style: {style.name}\n\n{style.prompt.strip()}"


def load_output_styles(
    project: Path, plugins: PluginSet, *, user_dir: Path | None = None
) -> OutputStyles:
    found = OutputStyles()
    for name, (description, prompt) in BUILT_IN.items():
        found.styles[name] = OutputStyle(name, description, prompt)
    user_dir = user_dir or user_claude_dir()
    for source, root, prefix in (
        ("user", user_dir / "output-styles", ""),
        ("project", project / ".claude" / "output-styles", ""),
    ):
        _add_dir(found, source, root, prefix)
    for plugin in plugins.plugins:
        for root in part_paths(plugin, "outputStyles", plugins.problems):
            _add_dir(found, f"plugin:{plugin.name}", root, f"{plugin.name}:")
    wanted, where = _setting(project)
    if wanted and wanted != DEFAULT:
        found.chosen = found.styles.get(wanted)
        if found.chosen is None:
            known = ", ".join([DEFAULT, *sorted(found.styles)])
            found.problems.append(
                f"{where}: outputStyle {wanted!r} not found (available: {known}); using default"
            )
    return found


def _add_dir(found: OutputStyles, source: str, root: Path, prefix: str) -> None:
    files = sorted(root.glob("*.md")) if root.is_dir() else ([root] if root.is_file() else [])
    for path in files:
        try:
            fields, body = frontmatter.read(path)
        except OSError as exc:
            found.problems.append(f"{path}: unreadable ({exc})")
            continue
        name = prefix + (frontmatter.as_str(fields.get("name")) or path.stem)
        found.styles[name] = OutputStyle(  # later sources (the project's) win
            name,
            frontmatter.as_str(fields.get("description")),
            body,
            frontmatter.as_bool(fields.get("keep-coding-instructions")),
            source,
        )


def _setting(project: Path) -> tuple[str, str]:
    """`outputStyle` from the highest-precedence settings file that sets it (text only, so
    the folder's own files count before trust, as its CLAUDE.md does)."""
    for settings in settings_files(project):
        try:
            data = json.loads(settings.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # reported by the settings readers
        value = data.get("outputStyle") if isinstance(data, dict) else None
        if isinstance(value, str) and value.strip():
            return value.strip(), str(settings.path)
    return "", ""
