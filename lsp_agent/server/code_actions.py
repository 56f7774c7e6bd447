"""Code actions: answered from what the server already knows, without calling the model.

Every action carries a command a plain client can execute as it is (docs/protocol.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lsprotocol import types

if TYPE_CHECKING:
    from lsp_agent.server.app import AgentServer

ASK, FIX = "lspAgent.ask", "lspAgent.fixDiagnostics"
MAX_TITLE_MESSAGE = 80

# (title, kind, action) for the actions offered wherever the cursor is.
GENERAL: list[tuple[str, types.CodeActionKind, str]] = [
    ("Ask Claude...", types.CodeActionKind.Refactor, "ask"),
    ("Explain with Claude", types.CodeActionKind.Refactor, "explain"),
    ("Document with Claude", types.CodeActionKind.RefactorRewrite, "document"),
    ("Write tests with Claude", types.CodeActionKind.Refactor, "tests"),
    ("Refactor with Claude", types.CodeActionKind.RefactorRewrite, "refactor"),
    ("Review this file with Claude", types.CodeActionKind.Source, "review"),
]
KINDS = [
    types.CodeActionKind.QuickFix,
    types.CodeActionKind.Refactor,
    types.CodeActionKind.RefactorRewrite,
    types.CodeActionKind.Source,
]


def _wanted(kind: str, only: Any) -> bool:
    """LSP's `only` filter: a requested kind matches itself and its sub-kinds."""
    return not only or any(kind == o or kind.startswith(f"{o}.") for o in only)


def _fix_title(message: str) -> str:
    first = message.strip().splitlines()[0] if message.strip() else "diagnostic"
    if len(first) > MAX_TITLE_MESSAGE:
        first = first[: MAX_TITLE_MESSAGE - 1] + "…"
    return f"Fix with Claude: {first}"


def actions(ls: AgentServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri, only = params.text_document.uri, params.context.only
    span = ls.protocol._converter.unstructure(params.range)
    result: list[types.CodeAction] = []
    if _wanted(types.CodeActionKind.QuickFix, only):
        for diagnostic in params.context.diagnostics:
            plain = ls.protocol._converter.unstructure(diagnostic)
            argument = {"uri": uri, "range": plain["range"], "diagnostics": [plain]}
            title = _fix_title(diagnostic.message)
            result.append(
                types.CodeAction(
                    title=title,
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    command=types.Command(title=title, command=FIX, arguments=[argument]),
                )
            )
    for title, kind, action in GENERAL:
        if _wanted(kind, only):
            argument = {"uri": uri, "range": span, "action": action}
            result.append(
                types.CodeAction(
                    title=title,
                    kind=kind,
                    command=types.Command(title=title, command=ASK, arguments=[argument]),
                )
            )
    return result


def register(server: AgentServer) -> None:
    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=KINDS, resolve_provider=False),
    )
    def on_code_action(ls: AgentServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return actions(ls, params)
