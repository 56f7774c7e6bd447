"""Path resolution and confinement: tools stay inside the workspace roots.

A path the model names is resolved against the session's cwd, symlinks included, and must land
inside one of `ctx.roots` (workspace roots plus additional directories). Resolving first means
`..`, absolute paths and symlinks that point outside are all caught by the same check.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, TypeVar

from lsp_agent.agent.tools.base import ToolError


class _HasPath(Protocol):
    @property
    def path(self) -> str: ...


T = TypeVar("T", bound=_HasPath)


class OutsideWorkspace(ToolError):
    """The path resolves outside every allowed root."""


def resolve(raw: str, cwd: Path, roots: Sequence[Path]) -> Path:
    """The real path `raw` names, or OutsideWorkspace if it leaves the roots."""
    if not raw or "\0" in raw:
        raise ToolError(f"invalid path: {raw!r}")
    path = Path(os.path.expanduser(raw))
    if not path.is_absolute():
        path = cwd / path
    real = path.resolve()
    if not inside(real, roots):
        allowed = ", ".join(str(r) for r in roots) or "(none)"
        via = " (through a symlink)" if _lexically_inside(path, roots) else ""
        raise OutsideWorkspace(
            f"{raw} resolves to {real}{via}, outside the workspace; allowed directories: {allowed}"
        )
    return real


class HardLinked(ToolError):
    """The file has other names (hard links) that may lie outside the workspace."""


def refuse_hard_links(path: Path) -> None:
    """Raise HardLinked when the existing file `path` has more than one name. A hard link
    cannot be traced back to its other names, which may be outside the roots: writing in place
    (as editors save) would change the file there, and replacing it would silently split the
    two. Either way the user must know, so the edit is refused with the reason."""
    try:
        links = path.lstat().st_nlink
    except OSError:  # missing (a new file) or unreadable: nothing linked to write through
        return
    if links > 1 and path.is_file():
        raise HardLinked(
            f"{path} has {links} hard links: the same file has other names that may be outside "
            "the workspace, and editing it would change it there too (or split the names). "
            "Not edited. If the edit is meant, give the file a single name first (copy it and "
            "move the copy over it), then edit."
        )


def inside(path: Path, roots: Sequence[Path]) -> bool:
    """Whether the already-resolved `path` is one of the roots or below one."""
    return any(path.is_relative_to(root.resolve()) for root in roots)


def inside_roots(items: Sequence[T], roots: Sequence[Path]) -> list[T]:
    """The index results (anything with an absolute `path`) a session may read: an index may
    hold more than the confined roots (a shared cache). A string check first, since callers
    filter thousands of references; a path it does not place (a root reached through a
    symlink) is resolved and checked as a tool's path is."""
    resolved = [r.resolve() for r in roots]
    prefixes = tuple(os.path.join(os.fspath(r), "") for r in resolved)
    exact = {os.fspath(r) for r in resolved}
    return [
        item
        for item in items
        if item.path.startswith(prefixes)
        or item.path in exact
        or inside(Path(item.path).resolve(), resolved)
    ]


def _lexically_inside(path: Path, roots: Sequence[Path]) -> bool:
    normal = Path(os.path.normpath(path))
    return any(normal.is_relative_to(os.path.normpath(root)) for root in roots)


def root_of(path: Path, roots: Sequence[Path]) -> Path | None:
    """The deepest root containing `path` (resolved), if any."""
    found = [r.resolve() for r in roots if path.is_relative_to(r.resolve())]
    return max(found, key=lambda r: len(r.parts)) if found else None
