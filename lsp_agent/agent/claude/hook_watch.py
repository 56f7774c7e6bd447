"""What FileChanged and ConfigChange hooks react to: files that changed on disk since the last
look. Claude Code uses a filesystem watcher; lsp-agent looks at its checkpoints instead, before
each prompt and after each batch of tool calls, so a change made by a tool (an Edit, a Bash
script) or by anything else fires the hooks before the model's next request. Nothing is looked
at unless hooks for the event are configured.

FileChanged watches the literal filenames its matchers name (split on `|`, in the project
directory; `*` and an empty matcher add none) plus the absolute paths the latest SessionStart or
FileChanged hook returned as `watchPaths`; the hook gets `file_path` and `event` (`change`,
`add`, `unlink`) and is matched on the file's name. ConfigChange watches the settings files
(matcher and `source`: `user_settings`, `project_settings`, `local_settings`,
`policy_settings`) and skill files under `.claude/skills/` (`skills`). lsp-agent does not apply
a settings change to a running session, so a ConfigChange block has nothing to stop."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from lsp_agent.agent.claude.files import MANAGED_DIR, user_claude_dir
from lsp_agent.agent.claude.hooks_config import HooksConfig

Stamp = tuple[int, int] | None  # (mtime_ns, size), None: absent
# (event, payload, matcher value) of one hook run to make.
Due = tuple[str, dict[str, Any], str]


class Watch:
    """Stamps of a set of files; `changes()` says which differ since the previous call."""

    def __init__(self, paths: Callable[[], Iterable[Path]]) -> None:
        self._paths = paths
        self._seen: dict[Path, Stamp] = {}

    def start(self) -> None:
        self._seen = _stamps(self._paths())

    def changes(self) -> list[tuple[Path, str]]:
        now = _stamps(self._paths())
        found = []
        for path in sorted(set(now) | set(self._seen)):
            before, after = self._seen.get(path), now.get(path)
            if before == after:
                continue
            found.append(
                (path, "add" if before is None else "unlink" if after is None else "change")
            )
        self._seen = now
        return found


class FileHooks:
    """The FileChanged and ConfigChange checkpoints of one session."""

    def __init__(self, config: HooksConfig, project: Path) -> None:
        self.project = project
        self.dynamic: list[Path] = []  # `watchPaths` from the hooks
        names = {
            name.strip()
            for group in config.events.get("FileChanged", [])
            for name in group.matcher.split("|")
            if name.strip() not in ("", "*")
        }
        self._names = sorted(names)
        self.files = Watch(self._file_paths) if "FileChanged" in config.events else None
        self.configs = Watch(self._config_paths) if "ConfigChange" in config.events else None
        self._sources: dict[Path, str] = {}

    def start(self) -> None:
        for watch in (self.files, self.configs):
            if watch is not None:
                watch.start()

    def watch_paths(self, paths: list[str]) -> None:
        """A hook's `watchPaths`: the new dynamic list (absolute paths only)."""
        self.dynamic = [Path(p) for p in paths if Path(p).is_absolute()]
        if self.files is not None:
            self.files.start()

    def due(self) -> list[Due]:
        runs: list[Due] = []
        for path, event in self.files.changes() if self.files is not None else []:
            payload = {"file_path": str(path), "event": event}
            runs.append(("FileChanged", payload, path.name))
        for path, _ in self.configs.changes() if self.configs is not None else []:
            source = self._sources.get(path, "skills")
            runs.append(("ConfigChange", {"source": source, "file_path": str(path)}, source))
        return runs

    def _file_paths(self) -> list[Path]:
        return [*(self.project / name for name in self._names), *self.dynamic]

    def _config_paths(self) -> list[Path]:
        self._sources = {
            MANAGED_DIR / "managed-settings.json": "policy_settings",
            self.project / ".claude" / "settings.local.json": "local_settings",
            self.project / ".claude" / "settings.json": "project_settings",
            user_claude_dir() / "settings.json": "user_settings",
        }
        skills = self.project / ".claude" / "skills"
        found = [p for p in skills.rglob("*") if p.is_file()] if skills.is_dir() else []
        return [*self._sources, *found]


def _stamps(paths: Iterable[Path]) -> dict[Path, Stamp]:
    stamps: dict[Path, Stamp] = {}
    for path in paths:
        try:
            info = path.stat()
        except OSError:
            stamps[path] = None
            continue
        stamps[path] = (info.st_mtime_ns, info.st_size)
    return stamps
