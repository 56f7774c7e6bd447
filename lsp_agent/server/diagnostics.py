"""Diagnostics the server can see besides those a code action request carries: forwarded by
rich clients (`lspAgent/diagnostics`, other servers' findings).

Kept as plain JSON dicts: they go into prompts and command arguments, never back into LSP types.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lsp_agent.server.app import AgentServer

logger = logging.getLogger(__name__)

DIAGNOSTICS = "lspAgent/diagnostics"


class DiagnosticStore:
    def __init__(self) -> None:
        self.by_uri: dict[str, list[dict[str, Any]]] = {}
        self._waiters: set[asyncio.Future[None]] = set()

    def set(self, uri: str, diagnostics: list[dict[str, Any]]) -> None:
        self.by_uri[uri] = diagnostics
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)

    def get(self, uri: str, line_range: tuple[int, int] | None = None) -> list[dict[str, Any]]:
        found = self.by_uri.get(uri, [])
        if line_range is None:
            return list(found)
        first, last = line_range
        return [d for d in found if _overlaps(d, first, last)]

    async def wait_for_update(self, uri: str, timeout: float) -> list[dict[str, Any]]:
        """The diagnostics for `uri` after its next update (or as they are, at the timeout)."""
        before = self.by_uri.get(uri)
        try:
            async with asyncio.timeout(timeout):
                while self.by_uri.get(uri) is before:
                    waiter = asyncio.get_running_loop().create_future()
                    self._waiters.add(waiter)
                    try:
                        await waiter
                    finally:
                        self._waiters.discard(waiter)
        except TimeoutError:
            pass
        return self.get(uri)


def _overlaps(diagnostic: dict[str, Any], first: int, last: int) -> bool:
    span = diagnostic.get("range", {})
    start = span.get("start", {}).get("line", 0)
    end = span.get("end", {}).get("line", start)
    return start <= last and end >= first


def diagnostic_line(diagnostic: dict[str, Any]) -> str:
    start = diagnostic.get("range", {}).get("start", {})
    source = f" [{diagnostic['source']}]" if diagnostic.get("source") else ""
    code = f" ({diagnostic['code']})" if diagnostic.get("code") not in (None, "") else ""
    return f"line {start.get('line', 0) + 1}: {diagnostic.get('message', '')}{source}{code}"


def valid(diagnostic: Any) -> bool:
    """Enough of an LSP Diagnostic to show and place: a message and a range of positions."""
    if not isinstance(diagnostic, dict) or not isinstance(diagnostic.get("message"), str):
        return False
    span = diagnostic.get("range")
    return isinstance(span, dict) and all(
        isinstance(span.get(end), dict) and isinstance(span[end].get("line"), int)
        for end in ("start", "end")
    )


def register(server: AgentServer) -> None:
    # Synchronous, so the store holds the list before pygls reads the client's next message
    # (an async handler would run later, after a code action request sent right behind it).
    @server.feature(DIAGNOSTICS)
    def on_diagnostics(ls: AgentServer, params: Any) -> None:
        params = _plain(params)
        uri, diagnostics = params.get("uri"), params.get("diagnostics")
        if not isinstance(uri, str) or not isinstance(diagnostics, list):
            logger.warning("%s needs {uri, diagnostics}: ignored", DIAGNOSTICS)
            return
        ls.diagnostics.set(uri, [d for d in diagnostics if valid(d)])


def _plain(params: Any) -> dict[str, Any]:
    """pygls hands custom notifications' params over as attribute objects; we want dicts."""
    if isinstance(params, dict):
        return params
    if hasattr(params, "_asdict"):
        return {k: plain_value(v) for k, v in params._asdict().items()}
    return {}


def plain_value(value: Any) -> Any:
    if hasattr(value, "_asdict"):
        return _plain(value)
    if isinstance(value, (list, tuple)):
        return [plain_value(v) for v in value]
    return value
