"""Client configuration for the providers that speak the Messages API: Anthropic, Foundry,
Vertex, Bedrock.

They share the wire format and the reducer; what differs is the endpoint, the credential and
what an authentication failure tells the user to set.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from lsp_agent.agent.model.client import ClientConfig
from lsp_agent.agent.model.pricing import Price
from lsp_agent.agent.model.providers import Provider
from lsp_agent.settings import Settings


def settings_price(settings: Settings, *, free: bool = False) -> Price | None:
    """The price the settings give; None leaves it to the Claude price table. `free`: a price
    left at 0 means 0 (local models), not the table."""
    given = settings.inputPricePerMtok or settings.outputPricePerMtok
    if not given and not free:
        return None
    cost_in = settings.inputPricePerMtok
    # Cache writes and reads at the Messages API's usual multiples of the input price.
    return Price(cost_in, settings.outputPricePerMtok, cost_in * 1.25, cost_in * 0.1)


def _flag(environ: Mapping[str, str], name: str) -> bool:
    return environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def config_for(provider: Provider, settings: Settings, environ: Mapping[str, str]) -> ClientConfig:
    base = ClientConfig.from_env({**environ, "ANTHROPIC_BASE_URL": provider.endpoint})
    base = dataclasses.replace(
        base,
        context_window=settings.contextWindow or None,
        price=settings_price(settings),
    )
    if provider.name == "foundry":
        skip = _flag(environ, "CLAUDE_CODE_SKIP_FOUNDRY_AUTH")
        key = None if skip else environ.get("ANTHROPIC_FOUNDRY_API_KEY") or None
        return dataclasses.replace(
            base,
            api_key=key,
            auth_token=environ.get("ANTHROPIC_AUTH_TOKEN") or None if skip else None,
            # Without a key the Foundry client adds an Entra ID token from Azure's chain.
            auth_required=key is not None,
            auth_hint=(
                "set ANTHROPIC_AUTH_TOKEN for the gateway"
                if skip
                else "set ANTHROPIC_FOUNDRY_API_KEY to the Foundry resource's key"
                if key
                else "set ANTHROPIC_FOUNDRY_API_KEY, or give the Azure identity access to "
                "the Foundry resource (the Azure credential chain's token was refused)"
            ),
            endpoint_hint="ANTHROPIC_FOUNDRY_RESOURCE (or ANTHROPIC_FOUNDRY_BASE_URL)",
        )
    if provider.name == "bedrock":
        skip = _flag(environ, "CLAUDE_CODE_SKIP_BEDROCK_AUTH")
        token_variable = "ANTHROPIC_AUTH_TOKEN" if skip else "AWS_BEARER_TOKEN_BEDROCK"
        return dataclasses.replace(
            base,
            api_key=None,
            auth_token=environ.get(token_variable) or None,
            auth_required=False,  # SigV4 signing is the Bedrock client's own
            auth_hint=(
                "set ANTHROPIC_AUTH_TOKEN for the gateway"
                if skip
                else "set AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) "
                "or AWS_BEARER_TOKEN_BEDROCK; check that the account can use the model"
            ),
            endpoint_hint="AWS_REGION (the model may not be enabled in that region)",
        )
    if provider.name == "vertex":
        skip = _flag(environ, "CLAUDE_CODE_SKIP_VERTEX_AUTH")
        return dataclasses.replace(
            base,
            api_key=None,
            auth_token=environ.get("ANTHROPIC_AUTH_TOKEN") or None if skip else None,
            auth_required=False,  # the Vertex client adds Google's token itself
            auth_hint=(
                "set ANTHROPIC_AUTH_TOKEN for the gateway"
                if skip
                else "run `gcloud auth application-default login` or set "
                "GOOGLE_APPLICATION_CREDENTIALS; check ANTHROPIC_VERTEX_PROJECT_ID"
            ),
            endpoint_hint="CLOUD_ML_REGION (the model may not be served in that region)",
        )
    return base
