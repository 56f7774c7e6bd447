"""A fake Azure managed-identity token endpoint on 127.0.0.1, as App Service serves it.

azure-identity's `DefaultAzureCredential` asks it for a token when `IDENTITY_ENDPOINT` and
`IDENTITY_HEADER` point here (`environ()`): `GET ?api-version=2019-08-01&resource=...` with the
`X-IDENTITY-HEADER` secret. The fake answers with `token` and records each request, so a test
runs Azure's real credential chain end to end without Azure.

    with FakeAzureIdentity(token="entra-token") as azure:
        monkeypatch.setenv(...) for each of azure.environ().items()
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from lsp_agent.testing.json_endpoint import JSONEndpoint, Request


@dataclass(frozen=True)
class TokenRequest:
    resource: str
    api_version: str
    identity_header: str


class FakeAzureIdentity(JSONEndpoint):
    def __init__(self, *, token: str, secret: str = "identity-header-secret") -> None:
        super().__init__()
        self.token = token
        self.secret = secret
        self.requests: list[TokenRequest] = []
        self.refuse = False  # answer 400 as an endpoint with no identity assigned does

    def environ(self) -> dict[str, str]:
        """The App Service managed-identity variables that send azure-identity here."""
        return {"IDENTITY_ENDPOINT": self.url("/msi/token"), "IDENTITY_HEADER": self.secret}

    def answer(self, request: Request) -> tuple[int, dict[str, Any]]:
        query = {k: v[0] for k, v in parse_qs(urlsplit(request.path).query).items()}
        identity_header = request.headers.get("x-identity-header", "")
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
