"""A small JSON endpoint on 127.0.0.1 in a thread of its own, for the fakes of credential
services (Azure's managed identity, Google's token endpoint): their clients are synchronous
libraries that the providers call from worker threads, so the endpoint must not depend on the
test's event loop."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: bytes


class JSONEndpoint:
    """Subclasses answer each request with (status, JSON body) in `answer`."""

    def __init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{path}"

    def answer(self, request: Request) -> tuple[int, dict[str, Any]]:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._reply("GET")

            def do_POST(self) -> None:
                self._reply("POST")

            def _reply(self, method: str) -> None:
                length = int(self.headers.get("content-length", "0"))
                headers = {k.lower(): v for k, v in self.headers.items()}
                request = Request(method, self.path, headers, self.rfile.read(length))
                status, body = endpoint.answer(request)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass  # quiet: the fakes record what they were asked

        return Handler
