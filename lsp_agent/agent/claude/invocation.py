"""Rendering a slash command or skill for sending: substitutions, then its `!` shell lines,
then the files its `@path` references attach (claude/body.py has the syntax).

Who may run what: a `!` command is a Bash call made for the user, so it goes through the same
rules as the model's. The session's permission rules decide first (a deny rule refuses, an allow
rule or bypassPermissions runs it); otherwise the command's own `allowed-tools` must allow it,
or it must be one of the plainly read-only commands Claude Code runs without asking (`git
status`, `git diff`, `git log`, `git branch --show-current`, `ls`, `pwd`; no shell operators),
which Anthropic's published commands rely on. Nobody is asked. Commands the opened folder
supplies (its `.claude/commands`, `.claude/skills`, plugins its settings enable) run none until
the folder is trusted. A refusal or a failure stops the prompt with a message saying which
command and why.
"""

from __future__ import annotations

import dataclasses
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsp_agent.agent.claude import body as bodies
from lsp_agent.agent.claude.body import BodyVars, ShellRefused
from lsp_agent.agent.claude.plugins import Plugin, PluginSet
from lsp_agent.agent.permissions.rules import PermissionPolicy, Rule

Policy = Callable[[str, dict[str, Any]], tuple[str, str]]


@dataclass(frozen=True)
class Invocation:
    """One use of a command or skill: what it is and what the user typed after it."""

    label: str  # "/name", for messages
    text: str  # the body as written
    arguments: str
    source: str  # project | user | plugin:NAME | ...
    path: Path | None = None
    names: tuple[str, ...] = ()
    allowed_tools: tuple[str, ...] = ()
    skill_dir: Path | None = None


@dataclass
class Rendered:
    text: str
    attachments: list[str] = field(default_factory=list)  # text blocks for the model
    notes: list[str] = field(default_factory=list)  # for the user
    allowed_tools: tuple[str, ...] = ()  # with the variables filled in


class Renderer:
    def __init__(
        self,
        project: Path,
        plugins: PluginSet,
        *,
        trusted: bool,
        extra_env: dict[str, str] | None = None,
        shell_disabled: bool = False,
    ) -> None:
        self.project = project
        self.extra_env = extra_env or {}
        self.shell_disabled = shell_disabled  # `disableSkillShellExecution`
        self.plugins = plugins
        self.trusted = trusted
        self.policy: Policy | None = None  # the session's rules, bound by the loop
        self.session_id = ""

    def plugin(self, source: str) -> Plugin | None:
        name = source.removeprefix("plugin:") if source.startswith("plugin:") else None
        return next((p for p in self.plugins.plugins if p.name == name), None)

    def _from_folder(self, source: str) -> bool:
        if source == "project":
            return True
        name = source.removeprefix("plugin:")
        return any(p.name == name and p.project_supplied for p in self.plugins.plugins)

    async def render(self, use: Invocation) -> Rendered:
        """Raises ShellRefused when a `!` command may not run or fails."""
        plugin = self.plugin(use.source)
        variables = plugin.variables() if plugin is not None else {}
        plugin_root = plugin.root if plugin is not None else None
        data = Path(variables["CLAUDE_PLUGIN_DATA"]) if plugin is not None else None
        at = (self.project, self.session_id, use.names, use.skill_dir, plugin_root, data)
        given = BodyVars(use.arguments, *at)
        text = use.text
        if plugin is not None and plugin.config is not None:  # the model reads it: no secrets
            text = plugin.config.substitute(text, sensitive=False)
        text = bodies.substitute(text, given)
        # Claude Code fills the same variables in allowed-tools, so a rule can name a script.
        only_variables = dataclasses.replace(given, arguments="", names=())
        allowed = tuple(bodies.substitute(t, only_variables) for t in use.allowed_tools)
        if bodies.shell_commands(text) and self.shell_disabled:
            text = await bodies.run_shell(
                text, check=_never, cwd=self.project, env={}, disabled=True
            )
        elif bodies.shell_commands(text):
            if self._from_folder(use.source) and not self.trusted:
                raise ShellRefused(
                    f"{use.label} runs shell commands (`!`), and the folder is not trusted: "
                    "trust it first (`lsp-agent trust --yes`, or answer the editor's question)"
                )
            env = {**self._env(), **variables}
            check = self._checker(use, allowed)
            text = await bodies.run_shell(text, check=check, cwd=self.project, env=env)
        found, refused = bodies.attachments(text, self.project, [self.project])
        return Rendered(text, [a.block() for a in found], refused, allowed)

    def _env(self) -> dict[str, str]:
        from lsp_agent.agent.tools import proc

        bins = [str(p) for p in self.plugins.bin_dirs()]
        env = proc.tool_env(path_prefix=bins, extra=self.extra_env.items())
        env["CLAUDE_PROJECT_DIR"] = str(self.project)
        return env

    def _checker(self, use: Invocation, allowed: tuple[str, ...]) -> bodies.ShellCheck:
        rules = []
        for text in allowed:
            try:
                rules.append(Rule.parse(text, "allow", use.label, self.project))
            except ValueError:
                continue  # reported when the command's rules are applied to the run
        own = PermissionPolicy(rules=rules, cwd=self.project) if rules else None

        async def check(command: str) -> str:
            call = {"command": command}
            verdict, reason = self.policy("Bash", call) if self.policy else ("ask", "")
            if verdict == "deny":
                return reason
            if verdict == "allow" or (own is not None and own("Bash", call)[0] == "allow"):
                return ""
            if read_only(command):
                return ""
            where = f" in {use.path}" if use.path is not None else ""
            return (
                f"not allowed: add Bash({command}) (or a pattern covering it) to the "
                f"allowed-tools{where}, or allow it in your settings"
            )

        return check


_OPERATORS = re.compile(r"[;&|<>$`()\\\n]")
_GIT_READING = {"status", "diff", "log", "show", "rev-parse", "branch", "remote", "ls-files"}
_BRANCH_LISTING = {"--show-current", "-a", "-r", "--list", "-v", "-vv", "--all", "--remotes"}


def read_only(command: str) -> bool:
    """A command that only reads: no shell operators, and a known reading program whose
    arguments cannot make it write (`--output`, `git branch NAME`)."""
    if _OPERATORS.search(command):
        return False
    try:
        words = shlex.split(command)
    except ValueError:
        return False
    if not words or any(w.startswith("--output") or w.startswith("--ext-diff") for w in words):
        return False
    if words[0] in ("ls", "pwd"):
        return True
    if words[0] != "git" or len(words) < 2 or words[1] not in _GIT_READING:
        return False
    if words[1] == "branch":
        return set(words[2:]) <= _BRANCH_LISTING
    if words[1] == "remote":
        return set(words[2:]) <= {"-v"}
    return True


async def _never(command: str) -> str:
    return "shell execution is disabled"
