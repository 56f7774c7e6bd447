"""Which tools read, which edit files, which need no permission: the one place that says so.

The permission policy, the loop (read-only tools of a turn run in parallel) and the registry all
ask this module; a tool's own `read_only` flag is derived from it.
"""

from __future__ import annotations

# Tools that never change anything outside the session.
READ_ONLY_TOOLS = frozenset(
    {"Read", "Glob", "Grep", "LS", "SymbolSearch", "FindDefinition", "FileOutline"}
)
# Tools that change files; `Edit(...)` permission rules cover all of them.
EDIT_TOOLS = frozenset({"Write", "Edit", "MultiEdit", "NotebookEdit"})
# Tools that only touch session state and are never asked about (Claude Code never prompts for
# its todo list, even in plan mode).
SESSION_TOOLS = frozenset({"TodoWrite"})
# Tools whose inputs name a path that `Read(...)` rules cover, and the input field holding it.
READ_PATH_FIELD = {
    "Read": "file_path",
    "Glob": "path",
    "Grep": "path",
    "LS": "path",
    "FileOutline": "file_path",
}


def is_read_only(tool_name: str) -> bool:
    return tool_name in READ_ONLY_TOOLS


def is_edit(tool_name: str) -> bool:
    return tool_name in EDIT_TOOLS


def needs_permission(tool_name: str) -> bool:
    return tool_name not in READ_ONLY_TOOLS and tool_name not in SESSION_TOOLS
