"""Claude on Google Vertex AI: the Messages API at `...:streamRawPredict`, with a Google token.

The body is the Messages API's without `model` (it is in the URL) and with Vertex's
`anthropic_version`. Tokens come from google-auth's default credentials (the optional extra
`lsp-agent[vertex]`, imported on the first request), or, with CLAUDE_CODE_SKIP_VERTEX_AUTH, a
gateway's token in ANTHROPIC_AUTH_TOKEN.
"""

from __future__ import annotations

import asyncio
import re
import warnings
from collections.abc import Mapping
from typing import Any

from lsp_agent.agent.model.client import ClientConfig, ModelClient
from lsp_agent.agent.model.errors import APIError

VERTEX_VERSION = "vertex-2023-10-16"
SCOPE = "https://www.googleapis.com/auth/cloud-platform"

# Vertex names Claude models `family@date`; a bare family name maps to its current release.
VERTEX_MODELS = {
    "claude-opus-4-5": "claude-opus-4-5@20251101",
    "claude-sonnet-4-5": "claude-sonnet-4-5@20250929",
    "claude-haiku-4-5": "claude-haiku-4-5@20251001",
    "claude-opus-4-1": "claude-opus-4-1@20250805",
    "claude-opus-4": "claude-opus-4@20250514",
    "claude-sonnet-4": "claude-sonnet-4@20250514",
}
_DATED = re.compile(r"^(claude-[a-z0-9-]+?)-(\d{8})$")


def vertex_model(model: str) -> str:
    """Anthropic's model id as Vertex names it (an id with '@' is taken as given)."""
    if "@" in model:
        return model
    dated = _DATED.match(model)
    if dated:
        return f"{dated.group(1)}@{dated.group(2)}"
    return VERTEX_MODELS.get(model, model)


class VertexClient(ModelClient):
    betas_in_body = True
    provider = "Vertex AI"
    server_tools: frozenset[str] = frozenset({"web_search"})

    def __init__(self, config: ClientConfig, environ: Mapping[str, str] | None = None) -> None:
        super().__init__(config)
        self._environ = dict(environ or {})
        self._credentials: Any = None

    async def prepare(self, body: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, str]]:
        body = dict(body)
        model = vertex_model(body.pop("model"))
        body["anthropic_version"] = VERTEX_VERSION
        url = f"{self.config.base_url}/publishers/anthropic/models/{model}:streamRawPredict"
        headers = self.config.headers()
        if "authorization" not in headers:
            token = await asyncio.to_thread(self._google_token)
            headers["authorization"] = f"Bearer {token}"
        return url, body, headers

    def _google_token(self) -> str:
        try:
            import google.auth
            import google.auth.exceptions
            import google.auth.transport.requests
        except ImportError:
            raise APIError(
                "Vertex AI needs google-auth: pip install 'lsp-agent[vertex]' "
                "(or set CLAUDE_CODE_SKIP_VERTEX_AUTH=1 and ANTHROPIC_AUTH_TOKEN for a gateway)",
                error_type="authentication_error",
            ) from None
        try:
            if self._credentials is None:
                self._credentials = self._default_credentials()
            if not self._credentials.valid:
                self._credentials.refresh(google.auth.transport.requests.Request())
        except google.auth.exceptions.GoogleAuthError as exc:
            raise APIError(
                f"no Google credentials for Vertex AI ({type(exc).__name__}): "
                f"{self.config.auth_hint}",
                error_type="authentication_error",
            ) from None
        return str(self._credentials.token)

    def _default_credentials(self) -> Any:
        import google.auth

        path = self._environ.get("GOOGLE_APPLICATION_CREDENTIALS")
        if path:
            # credentials.py keeps this variable out of the process environment, where
            # google.auth.default() would look for it: the host's value is read here.
            with warnings.catch_warnings():
                # The file default() would load from the same variable; the deprecation is
                # about configurations from sources the user does not control.
                warnings.simplefilter("ignore", DeprecationWarning)
                credentials, _ = google.auth.load_credentials_from_file(path, scopes=[SCOPE])
            return credentials
        credentials, _ = google.auth.default(scopes=[SCOPE])
        return credentials
