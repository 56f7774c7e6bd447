"""A fake Azure managed-identity token endpoint on 127.0.0.1, as App Service serves it.

azure-identity's `DefaultAzureCredential` asks it for a token when `IDENTITY_ENDPOINT` and
`IDENTITY_HEADER` point here (`environ()`): `GET ?api-version=2019-08-01&resource=...` with the
`X-IDENTITY-HEADER` secret. The fake answers with `token` and records each request, so a test
runs Azure's real credential chain end to end without Azure.

    with FakeAzureIdentity(token="entra-token") as azure:
        monkeypatch.setenv(...) for each of azure.environ().items()
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class TokenRequest:
    resource: str
    api_version: str
    identity_header: str


class FakeAzureIdentity:
    def __init__(self, *, token: str, secret: str = "identity-header-secret") -> None:
        self.token = token
        self.secret = secret
        self.requests: list[TokenRequest] = []
        self.refuse = False  # answer 400 as an endpoint with no identity assigned does
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/msi/token"

    def environ(self) -> dict[str, str]:
        """The App Service managed-identity variables that send azure-identity here."""
        return {"IDENTITY_ENDPOINT": self.url, "IDENTITY_HEADER": self.secret}

    def __enter__(self) -> FakeAzureIdentity:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def _answer(self, path: str, identity_header: str) -> tuple[int, dict[str, str]]:
        query = {k: v[0] for k, v in parse_qs(urlsplit(path).query).items()}
        self.requests.append(
            TokenRequest(query.get("resource", ""), query.get("api-version", ""), identity_header)
        )
        if identity_header != self.secret:
            return 401, {"error": "invalid_request", "error_description": "bad identity header"}
        if self.refuse:
            return 400, {"error": "invalid_request", "error_description": "no identity found"}
        return 200, {
            "access_token": self.token,
            "expires_on": str(int(time.time()) + 3600),
            "resource": query.get("resource", ""),
            "token_type": "Bearer",
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, body = fake._answer(self.path, self.headers.get("X-IDENTITY-HEADER", ""))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass  # quiet: the test reads `requests`

        return Handler
