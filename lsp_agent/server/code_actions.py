"""Code actions: answered from what the server already knows, without calling the model.

Every action offered carries a command the client can execute as it is (docs/protocol.md):
"Fix with Claude" for each diagnostic on the range (those the client sent and those it forwarded
earlier, since many clients send a server only its own diagnostics), and the general actions.
"Ask Claude..." needs a prompt that only a client declaring `clientPrompt` asks the user for.
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
# Actions whose command cannot run without something only the client can ask the user for.
NEEDS_PROMPT = frozenset({"ask"})
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


def client_prompts(ls: AgentServer) -> bool:
    """Whether the client asks the user for the prompt of an `lspAgent.ask` without one."""
    options = ls.initialization_options
    return isinstance(options, dict) and options.get("clientPrompt") is True


def _diagnostics(ls: AgentServer, params: types.CodeActionParams) -> list[dict[str, Any]]:
    """The client's diagnostics for the request, then the forwarded ones on its lines that
    the client did not send, as plain dicts."""
    unstructure = ls.protocol._converter.unstructure
    sent = [unstructure(d) for d in params.context.diagnostics]
    lines = (params.range.start.line, params.range.end.line)
    seen = {_identity(d) for d in sent}
    known = ls.diagnostics.get(params.text_document.uri, lines)
    return sent + [d for d in known if _identity(d) not in seen]


def _identity(diagnostic: dict[str, Any]) -> tuple[str, str]:
    return repr(diagnostic.get("range")), str(diagnostic.get("message"))


def _fix(ls: AgentServer, uri: str, plain: dict[str, Any]) -> types.CodeAction:
    try:
        attached = [ls.protocol._converter.structure(plain, types.Diagnostic)]
    except Exception:  # a forwarded diagnostic with fields LSP does not allow: fix it all the same
        attached = None
    argument = {"uri": uri, "range": plain["range"], "diagnostics": [plain]}
    title = _fix_title(plain["message"])
    return types.CodeAction(
        title=title,
        kind=types.CodeActionKind.QuickFix,
        diagnostics=attached,
        command=types.Command(title=title, command=FIX, arguments=[argument]),
    )


def actions(ls: AgentServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri, only = params.text_document.uri, params.context.only
    result: list[types.CodeAction] = []
    if _wanted(types.CodeActionKind.QuickFix, only):
        result += [_fix(ls, uri, d) for d in _diagnostics(ls, params)]
    span = ls.protocol._converter.unstructure(params.range)
    prompts = client_prompts(ls)
    for title, kind, action in GENERAL:
        if _wanted(kind, only) and (prompts or action not in NEEDS_PROMPT):
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
