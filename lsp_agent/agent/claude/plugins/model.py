"""What a loaded plugin is, and the set of them a session uses (with what failed to load)."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lsp_agent.agent.claude.plugins.user_config import UserConfig


@dataclass(frozen=True)
class Declared:
    """One file's declarations for a plugin: its `plugin.json`, or its entry in a
    marketplace.json (which may declare parts too; see marketplace_entry.py)."""

    file: Path
    data: dict[str, Any] = field(hash=False, compare=False)
    from_marketplace: bool = False


@dataclass(frozen=True)
class Plugin:
    """A plugin directory, read. `origin` says how it came in, for listings and messages:
    `--plugin-dir`, `plugins.dirs`, `marketplace NAME`, `installed (~/.claude/plugins)`.
    `project_supplied`: enabled by the opened folder's own settings, so it obeys trust."""

    name: str
    root: Path
    origin: str
    manifest: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    plugin_id: str = ""  # name@marketplace when enabled through settings
    project_supplied: bool = False
    # Where parts are declared: plugin.json, then the marketplace entry (both add).
    declarations: tuple[Declared, ...] = field(default=(), hash=False, compare=False)
    # `userConfig` options and the values the user set (user_config.py); None: none declared.
    config: UserConfig | None = field(default=None, hash=False, compare=False)

    @property
    def config_id(self) -> str:
        """The key of `pluginConfigs` and of the data directory."""
        return self.plugin_id or f"{self.name}@inline"

    def declared(self, key: str) -> list[tuple[Path, Any]]:
        """Each declaration of `key`, with the file that makes it."""
        return [(d.file, d.data[key]) for d in self.declarations if key in d.data]

    @property
    def version(self) -> str:
        value = self.manifest.get("version")
        return value if isinstance(value, str) else ""

    @property
    def description(self) -> str:
        value = self.manifest.get("description")
        return value if isinstance(value, str) else ""

    @property
    def data_dir(self) -> Path:
        """`${CLAUDE_PLUGIN_DATA}`: `~/.claude/plugins/data/<id>/`, the id's characters outside
        `[A-Za-z0-9_-]` made `-` (a `--plugin-dir` plugin's id is `name@inline`)."""
        from lsp_agent.agent.claude.files import user_claude_dir

        safe = re.sub(r"[^A-Za-z0-9_-]", "-", self.config_id)
        return user_claude_dir() / "plugins" / "data" / safe

    def variables(self, *, create: bool = True) -> dict[str, str]:
        """CLAUDE_PLUGIN_ROOT and CLAUDE_PLUGIN_DATA (created when `create`: about to be used;
        a hook that needs it and cannot have it will say so)."""
        if create:
            with contextlib.suppress(OSError):
                self.data_dir.mkdir(parents=True, exist_ok=True)
        return {"CLAUDE_PLUGIN_ROOT": str(self.root), "CLAUDE_PLUGIN_DATA": str(self.data_dir)}

    @property
    def bin_dir(self) -> Path | None:
        path = self.root / "bin"
        return path if path.is_dir() else None


@dataclass(frozen=True)
class PluginFailure:
    where: str  # a path, or the settings file and key that named the plugin
    reason: str
    plugin_id: str = ""

    def message(self) -> str:
        name = f"plugin {self.plugin_id}: " if self.plugin_id else "plugin: "
        return f"{name}{self.where}: {self.reason}"


@dataclass
class PluginSet:
    plugins: list[Plugin] = field(default_factory=list)
    failures: list[PluginFailure] = field(default_factory=list)
    # Problems inside a loaded plugin (a bad command file, a malformed hooks.json): the plugin
    # loads, the part does not.
    problems: list[str] = field(default_factory=list)
    # Parts lsp-agent reads but does not use (language servers, monitors...): said, not failed.
    notes: list[str] = field(default_factory=list)

    def names(self) -> set[str]:
        return {p.name for p in self.plugins}

    def fail(self, where: Path | str, reason: str, plugin_id: str = "") -> None:
        self.failures.append(PluginFailure(str(where), reason, plugin_id))

    def messages(self) -> list[str]:
        return [f.message() for f in self.failures] + self.problems

    def bin_dirs(self) -> list[Path]:
        return [p.bin_dir for p in self.plugins if p.bin_dir is not None]

    def listing(self) -> dict[str, Any]:
        """For `lsp-agent plugins` and the server's `lspAgent.plugins`."""
        return {
            "loaded": [
                {
                    "name": p.name,
                    "id": p.plugin_id,
                    "version": p.version,
                    "description": p.description,
                    "root": str(p.root),
                    "origin": p.origin,
                }
                for p in self.plugins
            ],
            "failed": [
                {"id": f.plugin_id, "where": f.where, "reason": f.reason} for f in self.failures
            ],
            "problems": list(self.problems),
        }
