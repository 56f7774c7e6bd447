"""A fake Google OAuth token endpoint on 127.0.0.1 for service-account credentials.

`service_account_file(folder)` writes a service-account key file (a fresh RSA key) whose
`token_uri` points here; google-auth signs a JWT with that key and posts it as
`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`. The fake checks the JWT's signature
with the public key and its claims (issuer, Google's audience, the cloud-platform scope), then
answers with `token`; each grant is recorded, so a test runs google-auth's real flow offline.

    with FakeGoogleToken(token="ya29.test") as google:
        path = google.service_account_file(tmp_path)
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from lsp_agent.testing.json_endpoint import JSONEndpoint, Request

EMAIL = "lsp-agent-test@project.iam.gserviceaccount.com"
SCOPE = "https://www.googleapis.com/auth/cloud-platform"
AUDIENCE = "https://oauth2.googleapis.com/token"  # google-auth's, whatever the token_uri


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


class FakeGoogleToken(JSONEndpoint):
    def __init__(self, *, token: str) -> None:
        super().__init__()
        self.token = token
        self.grants: list[dict[str, Any]] = []  # the JWT claims of each accepted grant
        self.problems: list[str] = []
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def service_account_file(self, folder: Path) -> Path:
        pem = self._key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        info = {
            "type": "service_account",
            "project_id": "project",
            "private_key_id": "key-1",
            "private_key": pem,
            "client_email": EMAIL,
            "client_id": "1",
            "token_uri": self.url("/token"),
        }
        path = folder / "service-account.json"
        path.write_text(json.dumps(info))
        return path

    def answer(self, request: Request) -> tuple[int, dict[str, Any]]:
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        problems = self._check(form)
        if problems:
            self.problems += problems
            return 400, {"error": "invalid_grant", "error_description": "; ".join(problems)}
        return 200, {"access_token": self.token, "expires_in": 3600, "token_type": "Bearer"}

    def _check(self, form: dict[str, str]) -> list[str]:
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return [f"unexpected grant_type {form.get('grant_type')!r}"]
        try:
            header, claims, signature = form.get("assertion", "").split(".")
            self._key.public_key().verify(
                _b64(signature),
                f"{header}.{claims}".encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
            payload = json.loads(_b64(claims))
        except (ValueError, InvalidSignature) as exc:
            return [f"the assertion is not a JWT signed with the key ({type(exc).__name__})"]
        problems = []
        if payload.get("iss") != EMAIL:
            problems.append("iss is not the service account")
        if payload.get("aud") != AUDIENCE:
            problems.append(f"aud is not {AUDIENCE}")
        if SCOPE not in str(payload.get("scope", "")).split():
            problems.append("the cloud-platform scope is missing")
        if not problems:
            self.grants.append(payload)
        return problems
