"""Which provider serves the model, from the settings and Claude Code's variables.

Every provider gives the loop the same thing: a `ModelClient` whose `stream()` folds one model
turn into a `MessageSnapshot` through Anthropic-shaped events. Anthropic, Foundry, Vertex and
Bedrock speak the Messages API (they differ in URL, credentials and, for Bedrock, framing); the
OpenAI-compatible provider translates chat-completions chunks into the same events.

`choose` is pure and cheap (the doctor uses it); `make_client` imports a provider's module, and
an optional extra such as google-auth, only when that provider is chosen.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lsp_agent.agent.model.client import ClientConfig, ModelClient
from lsp_agent.agent.model.errors import APIError
from lsp_agent.settings import Settings

ANTHROPIC_URL = "https://api.anthropic.com"
OPENAI_URL = "https://api.openai.com/v1"


class ProviderError(ValueError):
    """The provider cannot be used as configured; the message says what to set."""


@dataclass(frozen=True)
class Provider:
    name: str  # anthropic, bedrock, vertex, foundry or openai
    chosen_by: str  # the setting or variable that chose it
    endpoint: str
    credentials: tuple[str, ...]  # names of the variables that carry credentials: never values
    problem: str | None = None  # what is missing before a request can succeed


def _flag(environ: Mapping[str, str], name: str) -> bool:
    return environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _found(environ: Mapping[str, str], *names: str) -> tuple[str, ...]:
    return tuple(name for name in names if environ.get(name))


def choose(settings: Settings, environ: Mapping[str, str]) -> Provider:
    """The provider for these settings. Raises ProviderError for one lsp-agent cannot serve."""
    name, chosen_by = settings.provider, "setting provider"
    if name == "auto":
        for candidate in ("bedrock", "vertex", "foundry"):
            variable = f"CLAUDE_CODE_USE_{candidate.upper()}"
            if _flag(environ, variable):
                name, chosen_by = candidate, variable
                break
        else:
            name, chosen_by = "anthropic", "default"
    if name == "bedrock":
        return _bedrock(environ, chosen_by)
    if name == "vertex":
        return _vertex(environ, chosen_by)
    if name == "foundry":
        return _foundry(environ, chosen_by)
    if name == "openai":
        return _openai(settings, environ, chosen_by)
    endpoint = (settings.apiBaseUrl or environ.get("ANTHROPIC_BASE_URL") or ANTHROPIC_URL).rstrip(
        "/"
    )
    found = _found(environ, "ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN")
    problem = None if found else "set ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN)"
    return Provider("anthropic", chosen_by, endpoint, found, problem)


def bedrock_region(environ: Mapping[str, str]) -> str:
    return environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def _bedrock(environ: Mapping[str, str], chosen_by: str) -> Provider:
    region = bedrock_region(environ)
    base = environ.get("ANTHROPIC_BEDROCK_BASE_URL") or (
        f"https://bedrock-runtime.{region}.amazonaws.com"
    )
    if _flag(environ, "CLAUDE_CODE_SKIP_BEDROCK_AUTH"):
        found = _found(environ, "ANTHROPIC_AUTH_TOKEN")
    else:
        found = _found(environ, "AWS_BEARER_TOKEN_BEDROCK") or (
            _found(environ, "AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN", "AWS_PROFILE")
            or ("AWS credential chain",)
        )
    return Provider("bedrock", chosen_by, base.rstrip("/"), found)


def vertex_region(environ: Mapping[str, str]) -> str:
    return environ.get("CLOUD_ML_REGION") or "us-east5"


def _vertex(environ: Mapping[str, str], chosen_by: str) -> Provider:
    region = vertex_region(environ)
    project = environ.get("ANTHROPIC_VERTEX_PROJECT_ID", "")
    host = (
        "aiplatform.googleapis.com" if region == "global" else f"{region}-aiplatform.googleapis.com"
    )
    base = (environ.get("ANTHROPIC_VERTEX_BASE_URL") or f"https://{host}/v1").rstrip("/")
    endpoint = f"{base}/projects/{project or '<project>'}/locations/{region}"
    problem = None if project else "set ANTHROPIC_VERTEX_PROJECT_ID"
    if _flag(environ, "CLAUDE_CODE_SKIP_VERTEX_AUTH"):
        found = _found(environ, "ANTHROPIC_AUTH_TOKEN")
        return Provider("vertex", chosen_by, endpoint, found, problem)
    found = _found(environ, "GOOGLE_APPLICATION_CREDENTIALS") or ("google default credentials",)
    return Provider("vertex", chosen_by, endpoint, found, problem)


def _foundry(environ: Mapping[str, str], chosen_by: str) -> Provider:
    resource = environ.get("ANTHROPIC_FOUNDRY_RESOURCE", "")
    base = environ.get("ANTHROPIC_FOUNDRY_BASE_URL") or (
        f"https://{resource}.services.ai.azure.com/anthropic" if resource else ""
    )
    problem = None if base else "set ANTHROPIC_FOUNDRY_RESOURCE or ANTHROPIC_FOUNDRY_BASE_URL"
    if _flag(environ, "CLAUDE_CODE_SKIP_FOUNDRY_AUTH"):
        found = _found(environ, "ANTHROPIC_AUTH_TOKEN")
    else:
        found = _found(environ, "ANTHROPIC_FOUNDRY_API_KEY")
        if not found:  # Claude Code then uses Azure's default credential chain (Entra ID)
            found = ("Azure credential chain",)
            if problem is None and not _installed("azure.identity"):
                problem = (
                    "set ANTHROPIC_FOUNDRY_API_KEY, or pip install 'lsp-agent[foundry]' for "
                    "Azure's credential chain"
                )
    return Provider("foundry", chosen_by, base.rstrip("/"), found, problem)


def _installed(module: str) -> bool:
    """Whether an optional extra is importable, without importing it (the doctor asks)."""
    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:  # its parent package is there but broken
        return False


def _openai(settings: Settings, environ: Mapping[str, str], chosen_by: str) -> Provider:
    base = settings.openaiBaseUrl or environ.get("OPENAI_BASE_URL") or OPENAI_URL
    found = _found(environ, settings.openaiApiKeyEnv) if settings.openaiApiKeyEnv else ()
    return Provider("openai", chosen_by, base.rstrip("/"), found)


def make_client(settings: Settings, environ: Mapping[str, str]) -> ModelClient:
    """The client for the chosen provider. One that cannot be used as configured still gives
    a client: its first request fails with the reason, so every front end reports it as a run
    error, as it does a missing API key."""
    try:
        provider = choose(settings, environ)
        if provider.problem and provider.name not in ("anthropic", "openai"):
            raise ProviderError(f"{provider.name}: {provider.problem}")
    except ProviderError as exc:
        return UnusableClient(str(exc))
    if provider.name == "openai":
        from lsp_agent.agent.model.providers.openai_chat import OpenAIClient, openai_config

        return OpenAIClient(openai_config(settings, environ, provider.endpoint), settings.model)
    from lsp_agent.agent.model.providers.anthropic_family import config_for

    config = config_for(provider, settings, environ)
    if provider.name == "bedrock":
        from lsp_agent.agent.model.providers.bedrock import BedrockClient

        sign = config.auth_token is None and not _flag(environ, "CLAUDE_CODE_SKIP_BEDROCK_AUTH")
        return BedrockClient(config, bedrock_region(environ), sign=sign, environ=environ)
    if provider.name == "vertex":
        from lsp_agent.agent.model.providers.vertex import VertexClient

        return VertexClient(config, environ)
    if provider.name == "foundry":
        from lsp_agent.agent.model.providers.foundry import FoundryClient

        skip = _flag(environ, "CLAUDE_CODE_SKIP_FOUNDRY_AUTH")
        return FoundryClient(config, entra=config.api_key is None and not skip, environ=environ)
    return ModelClient(config)


class UnusableClient(ModelClient):
    """Stands in for a provider that cannot be used as configured: every request fails at once
    with the reason (what to set), and nothing is sent anywhere."""

    def __init__(self, reason: str) -> None:
        super().__init__(ClientConfig())
        self.reason = reason

    async def prepare(self, body: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, str]]:
        raise APIError(self.reason, error_type="invalid_request_error")
