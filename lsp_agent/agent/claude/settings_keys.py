"""Claude Code settings keys outside `permissions` and `hooks` that users rely on, read from the
same settings files (managed, local, project, user; the first file setting a key wins):

- `env`: variables for the commands the agent runs (Bash, `!` lines) and for hooks. Never for
  the agent itself, so it cannot redirect where the API key goes; provider credentials in it
  are dropped with a message, and an untrusted folder's own `env` is left out.
- `autoCompactEnabled`: false turns automatic compaction off (`/compact` still works).
- `claudeMdExcludes`: glob patterns of CLAUDE.md paths not to load (memory.py applies them).
- `disableSkillShellExecution: true` (from any file; it only restricts): `!` lines in commands
  and skills are replaced by `[shell command execution disabled by policy]`, never run.
- `model`: the model when lsp-agent's own `model` setting is left at its default (an id or an
  alias `sonnet`/`opus`/`haiku`; `default` means no choice); the folder's own only once trusted.
Invalid values are reported with the file; unknown keys are ignored quietly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsp_agent import credentials
from lsp_agent.agent.claude.files import settings_files


@dataclass
class ClaudeSettings:
    env: dict[str, str] = field(default_factory=dict)
    auto_compact: bool = True
    claude_md_excludes: list[str] = field(default_factory=list)
    model: str = ""
    shell_disabled: bool = False  # `disableSkillShellExecution`
    problems: list[str] = field(default_factory=list)


def read_settings(project: Path, *, trusted: bool = True) -> ClaudeSettings:
    found = ClaudeSettings()
    compact_set = False
    # Lowest precedence first, so a higher file's variable overrides.
    for entry in reversed(settings_files(project)):
        data = _read(entry.path)
        if data is None:
            continue
        where = str(entry.path)
        if "env" in data and not (entry.from_project and not trusted):
            _env(found, data["env"], where)
        found.claude_md_excludes += _strings(found, data.get("claudeMdExcludes"), where)
        found.shell_disabled |= data.get("disableSkillShellExecution") is True
    for entry in settings_files(project):
        data = _read(entry.path) or {}
        model = data.get("model")
        if entry.from_project and not trusted:
            model = None  # a cloned folder does not pick (and bill) a model before trust
        if model is not None and not found.model:
            if isinstance(model, str) and model.strip():
                found.model = "" if model.strip() == "default" else model.strip()
            else:
                found.problems.append(f"{entry.path}: model must be a model id or alias")
        value = data.get("autoCompactEnabled")
        if value is None or compact_set:
            continue
        if isinstance(value, bool):
            found.auto_compact, compact_set = value, True
        else:
            found.problems.append(f"{entry.path}: autoCompactEnabled must be true or false")
    return found


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # the permission reader reports unreadable settings
    return data if isinstance(data, dict) else None


def _env(found: ClaudeSettings, value: Any, where: str) -> None:
    if not isinstance(value, dict):
        found.problems.append(f"{where}: env must be an object of strings")
        return
    allowed = credentials.scrubbed({str(k): str(v) for k, v in value.items()})
    for name in sorted(set(map(str, value)) - set(allowed)):
        found.problems.append(
            f"{where}: env {name} is a provider credential; not given to tools or hooks"
        )
    for name, text in value.items():
        if str(name) in allowed and not isinstance(text, str | int | float | bool):
            found.problems.append(f"{where}: env {name} must be a string")
            allowed.pop(str(name))
    found.env.update(allowed)


def _strings(found: ClaudeSettings, value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        found.problems.append(f"{where}: claudeMdExcludes must be a list of glob patterns")
        return []
    return list(value)
