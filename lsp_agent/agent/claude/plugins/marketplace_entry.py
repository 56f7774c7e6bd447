"""A plugin's entry in a marketplace.json, read as Claude Code reads it.

An entry may carry any `plugin.json` field besides its own (`source`, `category`, `tags`,
`strict`, `relevance`). With `strict` true (the default) the plugin's `plugin.json` is the
authority and the entry's parts (`commands`, `hooks`, `mcpServers`, ...) are added to the
plugin's; for metadata (`version`, `description`) `plugin.json` wins. With `strict: false` the
entry is the whole definition: the plugin needs no `plugin.json`, and one that declares parts
conflicts with the entry, so the plugin does not load (the official marketplace's language
server plugins are entries like this over a folder holding only a README).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsp_agent.agent.claude.plugins.model import Declared

MARKETPLACE_ONLY = ("source", "category", "tags", "strict", "relevance")
# The parts `strict: false` leaves to the entry alone.
PARTS = ("commands", "agents", "skills", "hooks", "mcpServers", "outputStyles", "lspServers")


class EntryConflict(Exception):
    """The entry cannot be used with this plugin; the message names the file and the fault."""

    def __init__(self, where: Path, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason


def declaration(market: Path, entry: dict[str, Any]) -> Declared:
    data = {k: v for k, v in entry.items() if k not in MARKETPLACE_ONLY}
    return Declared(market, data, from_marketplace=True)


def check(
    market: Path, entry: dict[str, Any], manifest: dict[str, Any], manifest_file: Path
) -> None:
    """Raises EntryConflict for a bad `strict`, or `strict: false` over a plugin.json that
    declares parts of its own."""
    strict = entry.get("strict", True)
    name = entry.get("name")
    if not isinstance(strict, bool):
        raise EntryConflict(market, f"plugin {name!r}: 'strict' must be true or false")
    declared = [key for key in PARTS if key in manifest]
    if not strict and declared:
        raise EntryConflict(
            manifest_file,
            f'declares {", ".join(declared)}, but its entry in {market} has "strict": false '
            "(the marketplace entry is the whole definition): remove one of them",
        )


def merged(manifest: dict[str, Any], entry: Declared | None) -> dict[str, Any]:
    """Metadata: the entry's, under plugin.json's."""
    return {**(entry.data if entry is not None else {}), **manifest}
