"""Where Claude Code's settings and memory files live, so users' existing `.claude/` just works.

Only discovery lives here (used by `lsp-agent doctor` and the engine); parsing and merging the
files belongs to the engine's permissions and memory modules.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MANAGED_DIR = Path("/etc/claude-code")
# Files the opened folder itself supplies: what an untrusted folder may use only to restrict.
PROJECT_SCOPES = ("local", "project")


@dataclass(frozen=True)
class SettingsFile:
    scope: str  # managed | local | project | user
    path: Path

    @property
    def from_project(self) -> bool:
        return self.scope in PROJECT_SCOPES


def user_claude_dir() -> Path:
    return Path.home() / ".claude"


def settings_files(project: Path) -> list[SettingsFile]:
    """Existing settings files, highest precedence first (managed, local, project, user)."""
    candidates = [
        SettingsFile("managed", MANAGED_DIR / "managed-settings.json"),
        SettingsFile("local", project / ".claude" / "settings.local.json"),
        SettingsFile("project", project / ".claude" / "settings.json"),
        SettingsFile("user", user_claude_dir() / "settings.json"),
    ]
    return [c for c in candidates if c.path.is_file()]


def memory_files(project: Path) -> list[Path]:
    """Existing CLAUDE.md files, broadest first: managed, user, then each directory from the
    filesystem root down to `project` (CLAUDE.md, .claude/CLAUDE.md, CLAUDE.local.md)."""
    found = [MANAGED_DIR / "CLAUDE.md", user_claude_dir() / "CLAUDE.md"]
    project = project.resolve()
    for directory in [*reversed(project.parents), project]:
        found += [
            directory / "CLAUDE.md",
            directory / ".claude" / "CLAUDE.md",
            directory / "CLAUDE.local.md",
        ]
    seen: set[Path] = set()
    result = []
    for path in found:
        if path.is_file() and path not in seen:
            seen.add(path)
            result.append(path)
    return result
