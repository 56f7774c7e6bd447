"""Which plugins a session loads, and from where. Nothing is ever downloaded.

Sources, in this order (a later plugin with a name already loaded is reported, not loaded):
1. Explicit directories: `--plugin-dir PATH` on `lsp-agent ask`, `plugins.dirs` in the server.
2. `enabledPlugins` (`{"name@marketplace": true}`) from the settings files, highest precedence
   first (managed, local, project, user; the first file that names a plugin decides). Each is
   found in Claude Code's own record of installed plugins
   (`~/.claude/plugins/installed_plugins.json`, version 1 or 2, pointing into its cache), else in
   a marketplace with a local source: `extraKnownMarketplaces` (`directory` or `file` sources)
   or a marketplace Claude Code has already cloned (`known_marketplaces.json`'s
   `installLocation`). A plugin found nowhere local is reported as not installed.

An untrusted folder's own settings files enable nothing and declare no marketplace: Claude
Code, too, waits for trust before it uses `extraKnownMarketplaces` from a repository file.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsp_agent.agent.claude.files import settings_files, user_claude_dir
from lsp_agent.agent.claude.plugins import user_config
from lsp_agent.agent.claude.plugins.manifest import PluginError, read_plugin
from lsp_agent.agent.claude.plugins.model import PluginSet

MARKETPLACE = Path(".claude-plugin") / "marketplace.json"
LOCAL_SOURCES = ("directory", "file")


@dataclass(frozen=True)
class Enabled:
    plugin_id: str  # name@marketplace
    setting_file: Path
    project_supplied: bool

    @property
    def name(self) -> str:
        return self.plugin_id.partition("@")[0]

    @property
    def marketplace(self) -> str:
        return self.plugin_id.partition("@")[2]


def discover(
    project: Path,
    *,
    trusted: bool,
    dirs: Sequence[Path] = (),
    origin: str = "--plugin-dir",
    user_dir: Path | None = None,
) -> PluginSet:
    found = PluginSet()
    user_dir = user_dir or user_claude_dir()
    configs = _config_settings(project)
    for path in dirs:
        _load(found, Path(path), origin, configs)
    settings = _settings(project, trusted, found)
    enabled = _enabled(settings)
    if not enabled:
        return found
    installed = _installed(user_dir / "plugins", project, found)
    markets = _marketplaces(project, settings, user_dir / "plugins", found)
    for entry in enabled:
        root = installed.get(entry.plugin_id)
        where = "installed (~/.claude/plugins)"
        # An installed copy still takes the parts its marketplace entry declares, when the
        # marketplace is here to read.
        listed = _listing(entry, markets, PluginSet()) if root is not None else None
        if root is None:
            listed = _listing(entry, markets, found)
            root = _plugin_source(*listed, entry, found) if listed is not None else None
            where = f"marketplace {entry.marketplace}"
        if root is None:
            continue
        _load(
            found,
            root,
            where,
            configs,
            plugin_id=entry.plugin_id,
            project=entry.project_supplied,
            entry=(listed[0], listed[2]) if listed is not None else None,
        )
    return found


def _config_settings(project: Path) -> list[tuple[Path, dict[str, Any]]]:
    """The settings `pluginConfigs` is read from: managed and the user's, never the
    project's (see user_config.py)."""
    found = []
    for settings in settings_files(project):
        data = None if settings.from_project else _read_json(settings.path, PluginSet())
        if data is not None:
            found.append((settings.path, data))
    return found


def _load(
    found: PluginSet,
    root: Path,
    origin: str,
    configs: list[tuple[Path, dict[str, Any]]],
    *,
    plugin_id: str = "",
    project: bool = False,
    entry: tuple[Path, dict[str, Any]] | None = None,
) -> None:
    try:
        plugin = read_plugin(
            root, origin, plugin_id=plugin_id, project_supplied=project, entry=entry
        )
    except PluginError as exc:
        found.fail(exc.where, exc.reason, plugin_id)
        return
    if plugin.declared("userConfig"):
        plugin = dataclasses.replace(plugin, config=user_config.configure(plugin, configs))
        found.problems += plugin.config.problems if plugin.config is not None else ()
    clash = next((p for p in found.plugins if p.name == plugin.name), None)
    if clash is not None:
        if clash.root == plugin.root:
            return  # the same directory named twice
        found.fail(
            plugin.root,
            f"a plugin named {plugin.name!r} is already loaded from {clash.root} "
            f"({clash.origin}); this one is skipped",
            plugin_id,
        )
        return
    found.plugins.append(plugin)


@dataclass(frozen=True)
class _SettingsData:
    path: Path
    data: dict[str, Any]
    from_project: bool


def _settings(project: Path, trusted: bool, found: PluginSet) -> list[_SettingsData]:
    result = []
    for settings in settings_files(project):
        if settings.from_project and not trusted:
            continue
        # A malformed settings file is reported by the settings and hooks readers already.
        data = _read_json(settings.path, PluginSet())
        if data is not None:
            result.append(_SettingsData(settings.path, data, settings.from_project))
    return result


def _enabled(settings: list[_SettingsData]) -> list[Enabled]:
    decided: dict[str, Enabled | None] = {}
    for entry in settings:
        value = entry.data.get("enabledPlugins")
        if isinstance(value, list):  # an early form: a list of enabled ids
            value = {str(v): True for v in value}
        if not isinstance(value, dict):
            continue
        for plugin_id, on in value.items():
            if plugin_id in decided or "@" not in plugin_id:
                continue
            decided[plugin_id] = (
                Enabled(plugin_id, entry.path, entry.from_project) if on is True else None
            )
    return [e for e in decided.values() if e is not None]


def _installed(plugins_dir: Path, project: Path, found: PluginSet) -> dict[str, Path]:
    """Claude Code's installed-plugins record: id -> the cached copy to use here."""
    data = _read_json(plugins_dir / "installed_plugins.json", found) or {}
    records = data.get("plugins")
    if not isinstance(records, dict):
        return {}
    result = {}
    for plugin_id, value in records.items():
        # Version 2 keeps a list of installs (one per scope); version 1 a single object.
        installs = [v for v in (value if isinstance(value, list) else [value]) if _usable(v)]
        here = [i for i in installs if _applies(i, project)]
        if here:
            result[str(plugin_id)] = Path(here[0]["installPath"])
    return result


def _usable(install: Any) -> bool:
    return isinstance(install, dict) and isinstance(install.get("installPath"), str)


def _applies(install: dict[str, Any], project: Path) -> bool:
    """A user-wide install applies everywhere; a project or local one to its own project."""
    where = install.get("projectPath")
    if install.get("scope") in ("project", "local") and isinstance(where, str):
        return Path(where).expanduser().resolve() == project.resolve()
    return True


def _marketplaces(
    project: Path, settings: list[_SettingsData], plugins_dir: Path, found: PluginSet
) -> dict[str, Path | str]:
    """Marketplace name -> its local marketplace.json, or why it has none here."""
    result: dict[str, Path | str] = {}
    for entry in settings:
        declared = entry.data.get("extraKnownMarketplaces")
        if not isinstance(declared, dict):
            continue
        for name, spec in declared.items():
            result.setdefault(str(name), _declared(spec, project, entry.path))
    known = _read_json(plugins_dir / "known_marketplaces.json", found) or {}
    for name, spec in known.items():
        location = spec.get("installLocation") if isinstance(spec, dict) else None
        if isinstance(location, str) and not isinstance(result.get(name), Path):
            result[str(name)] = Path(location) / MARKETPLACE
    return result


def _declared(spec: Any, project: Path, setting_file: Path) -> Path | str:
    source = spec.get("source") if isinstance(spec, dict) else None
    if isinstance(source, str):  # a bare path
        source = {"source": "directory", "path": source}
    if not isinstance(source, dict):
        return f"{setting_file}: extraKnownMarketplaces entry has no 'source' object"
    kind = source.get("source")
    if kind not in LOCAL_SOURCES:
        return (
            f"its marketplace is a {kind!r} source ({setting_file}); lsp-agent never downloads "
            "plugins: install it with Claude Code (`claude plugin install`) or use a local "
            "directory source"
        )
    path = source.get("path")
    if not isinstance(path, str):
        return f"{setting_file}: a {kind} marketplace source needs a 'path'"
    # Relative paths resolve against the project, as Claude Code resolves them against the
    # repository's checkout.
    resolved = (project / Path(path).expanduser()).resolve()
    return resolved if kind == "file" else resolved / MARKETPLACE


def _listing(
    entry: Enabled, markets: dict[str, Path | str], found: PluginSet
) -> tuple[Path, dict[str, Any], dict[str, Any]] | None:
    """The marketplace file, its data and the plugin's entry in it."""
    where = entry.setting_file
    market = markets.get(entry.marketplace)
    if market is None:
        found.fail(
            where,
            f"enabled, but not installed and marketplace {entry.marketplace!r} is not declared "
            "with a local source (lsp-agent reads Claude Code's installed plugins and local "
            "marketplaces, and never downloads)",
            entry.plugin_id,
        )
        return None
    if isinstance(market, str):
        found.fail(where, market, entry.plugin_id)
        return None
    data = _read_json(market, found, required=True, plugin_id=entry.plugin_id)
    if data is None:
        return None
    plugins = data.get("plugins")
    if not isinstance(plugins, list):
        found.fail(market, "a marketplace needs a 'plugins' list", entry.plugin_id)
        return None
    listed = next((p for p in plugins if isinstance(p, dict) and p.get("name") == entry.name), None)
    if listed is None:
        found.fail(market, f"lists no plugin named {entry.name!r}", entry.plugin_id)
        return None
    return market, data, listed


def _plugin_source(
    market: Path, data: dict[str, Any], listed: dict[str, Any], entry: Enabled, found: PluginSet
) -> Path | None:
    source = listed.get("source")
    root = market.parent.parent  # relative sources resolve against the marketplace root
    if isinstance(source, str) and "/" not in source and not source.startswith("."):
        metadata = data.get("metadata")
        plugin_root = metadata.get("pluginRoot") if isinstance(metadata, dict) else None
        source = f"{plugin_root or '.'}/{source}"
    if not isinstance(source, str):
        kind = source.get("source") if isinstance(source, dict) else source
        found.fail(
            market,
            f"plugin {entry.name!r} comes from a {kind!r} source and is not installed; lsp-agent "
            "never downloads: install it with Claude Code first",
            entry.plugin_id,
        )
        return None
    path = (root / source).resolve()
    if not path.is_relative_to(root.resolve()):
        found.fail(market, f"plugin source {source!r} leaves the marketplace", entry.plugin_id)
        return None
    return path


def _read_json(
    path: Path, found: PluginSet, *, required: bool = False, plugin_id: str = ""
) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if required:
            found.fail(path, "no marketplace file here", plugin_id)
        return None
    except (OSError, ValueError) as exc:
        found.fail(path, f"unreadable or malformed JSON ({exc})", plugin_id)
        return None
    if not isinstance(data, dict):
        found.fail(path, "must be a JSON object", plugin_id)
        return None
    return data
