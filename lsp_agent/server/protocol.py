"""pygls's protocol, made to answer malformed messages instead of dropping them.

pygls logs a request whose params do not decode and sends nothing back, so the client waits
forever; and it cannot answer invalid JSON at all. JSON-RPC says both get an error response.
A handler that rejects its params (InvalidParams) is the client's mistake, not a crash: it is
answered and logged in one line, where pygls would log a traceback.

A handler may return a `JsonText`: its result as JSON text, written into the response as it
is (workspace/symbol's 100 results cost more to unstructure through cattrs, or even to encode
as dicts, than to find).
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lsprotocol.types import EXIT
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInvalidParams,
    JsonRpcInvalidRequest,
    JsonRpcParseError,
)
from pygls.protocol import LanguageServerProtocol

from lsp_agent import credentials

logger = logging.getLogger(__name__)


class RedactingWriter:
    """Writes what pygls sends with known secrets' values redacted (credentials.py), fixing
    the message's Content-Length when its body changed."""

    def __init__(self, writer: Any) -> None:
        self.writer = writer

    def close(self) -> None:
        self.writer.close()

    def write(self, data: bytes) -> Any:
        redacted = credentials.redact_bytes(data)
        if redacted is not data and redacted != data:
            head, separator, body = redacted.partition(b"\r\n\r\n")
            if separator and head.lower().startswith(b"content-length:"):
                rest = head.split(b"\r\n", 1)[1:]
                head = b"\r\n".join([b"Content-Length: %d" % len(body), *rest])
                redacted = head + separator + body
        return self.writer.write(redacted)


class JsonText(str):
    """A request's result as the JSON text the client gets: put into the response as it is,
    without cattrs or `json.dumps` (ASCII only, as `json.dumps` writes it)."""


@dataclass
class _Undecodable:
    """A request whose envelope was readable but whose params were not."""

    id: int | str
    method: str
    error: JsonRpcException


class AgentProtocol(LanguageServerProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Request id -> what to call on `$/cancelRequest`. pygls cancels only the outer future
        # of an executeCommand, never the command's own coroutine.
        self.cancel_hooks: dict[int | str, Callable[[], None]] = {}
        self._writes: set[asyncio.Future[Any]] = set()

    def set_writer(self, writer: Any, include_headers: bool = True) -> None:
        # Every message to the client passes here: the last place a secret is caught.
        super().set_writer(RedactingWriter(writer), include_headers)

    def _handle_cancel_notification(self, msg_id: int | str) -> None:
        hook = self.cancel_hooks.pop(msg_id, None)
        if hook is not None:
            hook()
        super()._handle_cancel_notification(msg_id)

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            if isinstance(data.get("id"), (int, str)) and "method" in data:
                return _Undecodable(data["id"], str(data["method"]), error)
            raise

    def handle_message(self, message: Any) -> None:
        if isinstance(message, _Undecodable):
            logger.warning("invalid params for %s (request %s)", message.method, message.id)
            self._send_response(message.id, None, message.error.to_response_error())
            return
        if isinstance(message, dict):
            # Valid JSON but not a JSON-RPC message (no "jsonrpc" member), so pygls passed it
            # through undecoded; answer it if it looks like a request.
            if isinstance(message.get("id"), (int, str)):
                error = JsonRpcInvalidRequest("not a JSON-RPC 2.0 message")
                self._send_response(message["id"], None, error.to_response_error())
            else:
                logger.warning("ignored a message that is not JSON-RPC 2.0")
            return
        if message.jsonrpc != self.VERSION or (
            self._shutdown and getattr(message, "method", "") != EXIT
        ):
            super().handle_message(message)  # which logs and drops it
            return
        # pygls's own dispatch, without its `isinstance` checks against runtime-checkable
        # Protocols (28 us for a request, 56 for a notification, on every message): the same
        # attribute tests, in the same order (request, notification, response, error).
        ctx = contextvars.copy_context()
        if hasattr(message, "method") and hasattr(message, "params"):
            if hasattr(message, "id"):
                ctx.run(self._handle_request, message.id, message.method, message.params)
            else:
                ctx.run(self._handle_notification, message.method, message.params)
        elif hasattr(message, "id") and hasattr(message, "result"):
            ctx.run(self._handle_response, message.id, message.result)
        else:
            ctx.run(self._handle_response, message.id, None, message.error)

    def _send_handler_result(self, future: Any, *, msg_id: Any) -> None:
        if future.done() and not future.cancelled():
            error = future.exception()
            if isinstance(error, JsonRpcInvalidParams):
                self._request_futures.pop(msg_id, None)
                logger.warning("request %s: invalid params: %s", msg_id, error.message)
                self._send_response(msg_id, None, error.to_response_error())
                return
        super()._send_handler_result(future, msg_id=msg_id)

    def _send_response(self, msg_id: Any, result: Any = None, error: Any = None) -> None:
        if error is None and isinstance(result, JsonText):
            self._result_types.pop(msg_id, None)  # as pygls does
            # The keys in the order of pygls's JsonRPCResponseMessage, spaced as `json.dumps`.
            head = f'{{"id": {json.dumps(msg_id)}, "jsonrpc": "{self.VERSION}", "result": '
            self._write_body(f"{head}{result}}}")
            return
        super()._send_response(msg_id, result, error)

    def _write_body(self, body: str) -> None:
        """What pygls's `_send_data` does after `json.dumps`: the headers, then the body."""
        if self.writer is None:
            logger.error("Unable to send data, no available transport!")
            return
        header = (
            f"Content-Length: {len(body)}\r\n"
            f"Content-Type: {self.CONTENT_TYPE}; charset={self.CHARSET}\r\n\r\n"
        )
        res = self.writer.write((header + body if self._include_headers else body).encode())
        if inspect.isawaitable(res):  # an asynchronous transport's writer
            task = asyncio.ensure_future(res)
            self._writes.add(task)  # kept until done: the loop holds tasks weakly
            task.add_done_callback(self._writes.discard)

    def answer_parse_error(self, error: json.JSONDecodeError) -> None:
        """Invalid JSON has no readable id, so JSON-RPC answers with id null."""
        response = JsonRpcParseError(f"invalid JSON: {error}").to_response_error()
        self._send_response(None, None, response)
