"""Which tools read, which edit files, which need no permission: the one place that says so.

The permission policy, the loop (read-only tools of a turn run in parallel) and the registry all
ask this module; a tool's own `read_only` flag is derived from it.
"""

from __future__ import annotations

# Tools that never change anything outside the session.
READ_ONLY_TOOLS = frozenset(
    {
        "Read",
        "Glob",
        "Grep",
        "LS",
        "SymbolSearch",
        "FindDefinition",
        "FileOutline",
        "LSP",
        "TaskOutput",
        "ToolSearch",
    }
)
# Tools that change files; `Edit(...)` permission rules cover all of them.
EDIT_TOOLS = frozenset({"Write", "Edit", "MultiEdit", "NotebookEdit"})
# Tools that only touch session state, or delegate to a subagent whose own calls are checked;
# never asked about (Claude Code runs its todo list and plan exit even in plan mode).
SESSION_TOOLS = frozenset(
    {
        "TodoWrite",
        "ExitPlanMode",
        "EnterPlanMode",
        "AskUserQuestion",
        "Task",
        "Agent",
        "Skill",
        "TaskStop",
        "TaskCreate",
        "TaskGet",
        "TaskList",
        "TaskUpdate",
    }
)
# The input field naming the path a file tool works on ("path" fields default to the cwd).
PATH_FIELD = {
    "Read": "file_path",
    "Write": "file_path",
    "Edit": "file_path",
    "MultiEdit": "file_path",
    "NotebookEdit": "notebook_path",
    "Glob": "path",
    "Grep": "path",
    "LS": "path",
    "FileOutline": "file_path",
    "LSP": "filePath",
}
# Tools that `Read(...)` rules cover.
READ_PATH_TOOLS = frozenset(name for name in PATH_FIELD if name not in EDIT_TOOLS)


# Older names real models still call (Claude Code renamed these tools): the alias runs the tool
# and permission rules written for either name match both.
ALIASES = {
    "Task": "Agent",
    "BashOutput": "TaskOutput",
    "KillShell": "TaskStop",
    "KillBash": "TaskStop",
}


def canonical(tool_name: str) -> str:
    return ALIASES.get(tool_name, tool_name)


def is_read_only(tool_name: str) -> bool:
    return tool_name in READ_ONLY_TOOLS


def is_edit(tool_name: str) -> bool:
    return tool_name in EDIT_TOOLS


def needs_permission(tool_name: str) -> bool:
    return tool_name not in READ_ONLY_TOOLS and tool_name not in SESSION_TOOLS
