"""Claude on Microsoft Foundry: the Messages API at the resource URL, with the resource's key or,
when ANTHROPIC_FOUNDRY_API_KEY is not set, a Microsoft Entra ID token from Azure's default
credential chain, as Claude Code does.

The chain is azure-identity's `DefaultAzureCredential` (the optional extra
`lsp-agent[foundry]`, imported on the first request): environment service principals, workload
and managed identity, the Azure CLI's `az login`, and so on. It reads the process environment,
as Claude Code's Azure SDK does, except AZURE_CLIENT_SECRET, which lsp-agent keeps out of it
(credentials.py): a service principal in the host's variables is tried first.
`get_bearer_token_provider` caches the token and refreshes it before it expires, so a long
session keeps working.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Mapping
from typing import Any

from lsp_agent.agent.model.client import ClientConfig, ModelClient
from lsp_agent.agent.model.errors import APIError

_TRIED = re.compile(r"^\t(\w+Credential):", re.M)
# The audience the Foundry SDKs ask Entra ID for (Anthropic's foundry-sdk README).
SCOPE = "https://ai.azure.com/.default"
ENTRA_HINT = (
    "no ANTHROPIC_FOUNDRY_API_KEY, so the Azure credential chain is used: run `az login`, or "
    "set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, or use a managed identity; the "
    "identity needs a role such as Cognitive Services User on the Foundry resource"
)


class FoundryClient(ModelClient):
    """The Messages API client, with an Entra ID Bearer token added to each request when
    `entra` is set (no key, no gateway token)."""

    provider = "Microsoft Foundry"

    def __init__(
        self, config: ClientConfig, *, entra: bool, environ: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(config)
        self.entra = entra
        self._environ = dict(environ or {})
        self._token_provider: Callable[[], str] | None = None

    async def prepare(self, body: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, str]]:
        headers = self.config.headers()
        if self.entra:
            token = await asyncio.to_thread(self._entra_token)
            headers["authorization"] = f"Bearer {token}"
        return f"{self.config.base_url}/v1/messages", body, headers

    def _entra_token(self) -> str:
        try:
            from azure.core.exceptions import ClientAuthenticationError
            from azure.identity import get_bearer_token_provider
        except ImportError:
            raise APIError(
                "Foundry without ANTHROPIC_FOUNDRY_API_KEY needs azure-identity for Azure's "
                "credential chain: pip install 'lsp-agent[foundry]' (or set "
                "ANTHROPIC_FOUNDRY_API_KEY)",
                error_type="authentication_error",
            ) from None
        try:
            if self._token_provider is None:
                self._token_provider = get_bearer_token_provider(self._credential(), SCOPE)
            return self._token_provider()
        except ClientAuthenticationError as exc:
            # The chain's message has a line per credential it tried; their names say enough
            # for the hint below (the lines' details run long, with links).
            tried = _TRIED.findall(str(exc.message or ""))
            detail = f"tried {', '.join(tried)}" if tried else type(exc).__name__
            raise APIError(
                f"no Azure credentials for Foundry ({detail}): {ENTRA_HINT}",
                error_type="authentication_error",
            ) from None

    def _credential(self) -> Any:
        """Azure's default chain, after the host's service principal when it has one:
        credentials.py took AZURE_CLIENT_SECRET out of this process's environment, where the
        chain's own EnvironmentCredential looks for it."""
        from azure.identity import (
            ChainedTokenCredential,
            ClientSecretCredential,
            DefaultAzureCredential,
        )

        tenant = self._environ.get("AZURE_TENANT_ID")
        client = self._environ.get("AZURE_CLIENT_ID")
        secret = self._environ.get("AZURE_CLIENT_SECRET")
        if not (tenant and client and secret):
            return DefaultAzureCredential()
        principal = ClientSecretCredential(tenant, client, secret)
        return ChainedTokenCredential(principal, DefaultAzureCredential())
