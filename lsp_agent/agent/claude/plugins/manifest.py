"""Reading one plugin directory: its optional `.claude-plugin/plugin.json` and where its parts are.

A plugin is a directory. The manifest, when present, must be a JSON object whose `name` is a
string; without one the name is the directory's. Parts live in default folders (`commands/`,
`agents/`, `skills/`, `hooks/hooks.json`, `.mcp.json`, `output-styles/`, `bin/`); the manifest's
`commands`, `agents` and `outputStyles` paths replace the default folder, `skills` paths add to
it, `hooks` and `mcpServers` (paths or inline objects) add to the default files, as in Claude
Code's plugins reference. Every path must stay inside the plugin.
"""

from __future__ import annotations

import errno
import json
import re
from pathlib import Path
from typing import Any

from lsp_agent.agent.claude.plugins import marketplace_entry
from lsp_agent.agent.claude.plugins.model import Declared, Plugin

MANIFEST = Path(".claude-plugin") / "plugin.json"
# Replace the default folder when given; `skills` adds to it.
REPLACING = {"commands": "commands", "agents": "agents", "outputStyles": "output-styles"}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class PluginError(Exception):
    """Why a plugin cannot load; `where` is the file (or directory) at fault."""

    def __init__(self, where: Path, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason


def read_plugin(
    root: Path,
    origin: str,
    *,
    plugin_id: str = "",
    project_supplied: bool = False,
    entry: tuple[Path, dict[str, Any]] | None = None,
) -> Plugin:
    """`entry`: the marketplace.json and the plugin's entry in it, when it came from one."""
    try:
        resolved = root.expanduser().resolve(strict=True)
    except FileNotFoundError:
        raise PluginError(root, "no such directory") from None
    except (OSError, RuntimeError) as exc:  # ELOOP: a symlink loop
        raise PluginError(root, f"cannot be resolved ({_why(exc)})") from None
    if not resolved.is_dir():
        raise PluginError(root, "not a directory")
    manifest = _manifest(resolved)
    declarations = [Declared(resolved / MANIFEST, manifest)] if manifest else []
    listed = None
    if entry is not None:
        try:
            marketplace_entry.check(*entry, manifest, resolved / MANIFEST)
        except marketplace_entry.EntryConflict as exc:
            raise PluginError(exc.where, exc.reason) from None
        listed = marketplace_entry.declaration(*entry)
        declarations.append(listed)
    name = manifest.get("name", resolved.name)
    if listed is not None:  # enabledPlugins and namespaces use the marketplace's name
        name = listed.data.get("name", name)
    if not isinstance(name, str) or not _NAME.match(name):
        raise PluginError(resolved / MANIFEST, f"'name' must be a plain name, got {name!r}")
    metadata = marketplace_entry.merged(manifest, listed)
    return Plugin(
        name, resolved, origin, metadata, plugin_id, project_supplied, tuple(declarations)
    )


def _why(exc: BaseException) -> str:
    # Python 3.11 raises RuntimeError("Symlink loop ..."), later ones OSError(ELOOP).
    if isinstance(exc, RuntimeError) or (isinstance(exc, OSError) and exc.errno == errno.ELOOP):
        return "a symlink loop"
    return str(exc) or type(exc).__name__


def _manifest(root: Path) -> dict[str, Any]:
    path = root / MANIFEST
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise PluginError(path, f"malformed JSON ({exc})") from None
    except OSError as exc:
        raise PluginError(path, f"unreadable ({exc})") from None
    if not isinstance(data, dict):
        raise PluginError(path, "must be a JSON object")
    return data


def part_paths(plugin: Plugin, key: str, problems: list[str]) -> list[Path]:
    """The directories or files holding one kind of part (`commands`, `agents`, `skills`,
    `outputStyles`), existing ones only."""
    default = plugin.root / REPLACING.get(key, key)
    declared = plugin.declared(key)
    paths = [] if declared and key in REPLACING else [default]
    listed = []
    for where, value in declared:
        listed += inside(plugin, key, value, problems, where)
    existing = [p for p in dict.fromkeys(listed) if p.exists()]
    # Entries sharing the marketplace root's skills/ list their own skills: those are the
    # whole set, unless the list names skills/ itself or the root.
    shared = key == "skills" and _shares_marketplace_root(plugin)
    if shared and existing and not {default, plugin.root} & set(existing):
        paths = []
    return [p for p in dict.fromkeys([*paths, *existing]) if p.exists()]


def _shares_marketplace_root(plugin: Plugin) -> bool:
    """The plugin's source is its marketplace's root (`"source": "./"`)."""
    return any(
        d.from_marketplace and d.file.parent.parent.resolve() == plugin.root
        for d in plugin.declarations
    )


def inside(
    plugin: Plugin, key: str, declared: Any, problems: list[str], where: Path | None = None
) -> list[Path]:
    """Relative paths for `key` from `where` (plugin.json, or the marketplace entry: both are
    relative to the plugin's root), each confined to the plugin's directory."""
    where = where or plugin.root / MANIFEST
    items = declared if isinstance(declared, list) else [declared]
    found = []
    for item in items:
        if not isinstance(item, str):
            problems.append(f"{where}: {plugin.name}: '{key}' entries must be paths")
            continue
        path = (plugin.root / item).resolve()
        if not path.is_relative_to(plugin.root):
            problems.append(f"{where}: {plugin.name}: '{key}' path {item!r} leaves the plugin")
            continue
        found.append(path)
    return found


def declared_json(
    plugin: Plugin, key: str, default: str, problems: list[str]
) -> list[tuple[Path, Any]]:
    """A part given as a default JSON file, inline objects or paths under `key` (plugin.json
    and the marketplace entry): each (file it came from, its JSON). A file that cannot be read
    or parsed is a problem naming it."""
    found: list[tuple[Path, Any]] = []
    paths = [plugin.root / default]
    for where, declared in plugin.declared(key):
        if isinstance(declared, dict):
            found.append((where, declared))
        else:
            paths += inside(plugin, key, declared, problems, where)
    for path in dict.fromkeys(paths):
        if not path.is_file():
            continue
        try:
            found.append((path, json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError) as exc:
            problems.append(f"{path}: unreadable or malformed JSON ({exc})")
    return found
