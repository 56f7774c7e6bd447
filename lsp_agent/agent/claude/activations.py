"""What invoking skills and commands leaves behind in one session (extensions.py keeps one):

- their frontmatter hooks, added to the session's hooks at the first invocation and kept for the
  rest of the session (frontmatter_hooks.py),
- their `allowed-tools`, allow rules for the rest of the prompt's run that invoked them (the next
  prompt clears them), which the permission prompt consults before asking anyone,
- the path-limited skills a file has matched so far, offered to the model from then on
  (skill_paths.py).

Methods return the messages meant for the user instead of showing them.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lsp_agent.agent.claude import frontmatter_hooks, skill_paths
from lsp_agent.agent.claude.hooks import HookRunner
from lsp_agent.agent.claude.skills import Skill
from lsp_agent.agent.permissions.rules import PermissionPolicy, Rule


class Activations:
    def __init__(self, project: Path, hooks: HookRunner, *, trusted: bool) -> None:
        self.project = project
        self.hooks = hooks
        self.trusted = trusted
        self.settings_hooks = hooks.config  # before any skill or command added its own
        self.offered: set[str] = set()  # path-limited skills a file has matched
        self.registered: set[Path] = set()  # skills and commands whose hooks were added
        self.rules: PermissionPolicy | None = None  # this prompt's granted allow rules

    def new_session(self) -> None:
        self.hooks.config = self.settings_hooks
        self.hooks.forget_once()
        self.registered.clear()
        self.offered.clear()
        self.rules = None

    def new_prompt(self) -> None:
        self.rules = None

    def invoked(
        self,
        label: str,
        path: Path | None,
        source: str,
        grants: tuple[str, ...],
        env: tuple[tuple[str, str], ...] = (),
    ) -> list[str]:
        """A skill or command ran: its hooks join the session's (once, with `env`), its grants
        apply."""
        messages = []
        if path is not None and path not in self.registered:
            self.registered.add(path)
            problem = frontmatter_hooks.register(
                self.hooks,
                path,
                supplied_by_folder=source == "project",
                trusted=self.trusted,
                env=env,
            )
            messages += [f"{label}: {problem}"] if problem else []
        return messages + self.grant(label, grants)

    def grant(self, label: str, texts: Iterable[str]) -> list[str]:
        """Allow rules (a command's or skill's `allowed-tools`) until the next prompt."""
        rules, messages = [], []
        for text in texts:
            try:
                rules.append(Rule.parse(text, "allow", label, self.project))
            except ValueError as exc:
                messages.append(f"{label}: {exc}")
        if rules and self.rules is None:
            self.rules = PermissionPolicy(rules=rules, cwd=self.project)
        elif rules and self.rules is not None:
            self.rules.rules += rules
        return messages

    def allows(self, name: str, tool_input: dict[str, Any]) -> bool:
        return self.rules is not None and self.rules(name, tool_input)[0] == "allow"

    def offer(self, skills: Iterable[Skill], tool_input: dict[str, Any]) -> list[str]:
        """Notes for the model on the skills whose `paths` match a file this call worked with;
        they are offered from now on."""
        files = skill_paths.touched_files(self.project, tool_input)
        if not files:
            return []
        waiting = [s for s in skills if s.paths and s.name not in self.offered]
        found = [s for s in waiting if any(skill_paths.matches(s.paths, f) for f in files)]
        self.offered.update(s.name for s in found)
        return [
            f"[skills] The skill {s.name!r} applies to the files you are working with: "
            f"{s.description} Load it with the Skill tool when it helps."
            for s in found
        ]
