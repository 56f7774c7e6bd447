"""Which model an alias names, with Claude Code's model variables.

Claude Code lets `sonnet`, `opus`, `haiku` and `fable` (and `sonnet[1m]`) stand for a model,
`default` for the provider's recommended one, and lets a user repoint them:
`ANTHROPIC_DEFAULT_SONNET_MODEL`, `_OPUS_`, `_HAIKU_`, `_FABLE_` (on a cloud provider, a
deployment name, a Bedrock ARN, a Vertex version). What an alias names depends on the provider,
as in Claude Code's model configuration (on the Anthropic API `opus` is Opus 5 and `sonnet`
Sonnet 5; Bedrock and Vertex serve Sonnet 4.5 for `sonnet`; Foundry Opus 4.6 and Sonnet 4.5).
Background work (WebFetch reading a page) uses the Haiku-class model:
`ANTHROPIC_DEFAULT_HAIKU_MODEL`, else the older `ANTHROPIC_SMALL_FAST_MODEL`. `ANTHROPIC_MODEL`
(the main model) is a settings layer instead: see `settings.CLAUDE_CODE_ENV`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# The releases the aliases name on the Anthropic API when no variable repoints them.
DEFAULT_ALIASES: Mapping[str, str] = {
    "sonnet": "claude-sonnet-5",
    "opus": "claude-opus-5",
    "haiku": "claude-haiku-4-5",
    "fable": "claude-fable-5",
}
# Where another provider's aliases name other releases.
PROVIDER_ALIASES: Mapping[str, Mapping[str, str]] = {
    "bedrock": {"sonnet": "claude-sonnet-4-5"},
    "vertex": {"sonnet": "claude-sonnet-4-5"},
    "foundry": {
        "opus": "claude-opus-4-6",
        "sonnet": "claude-sonnet-4-5",
    },
}
# `default` (the model setting's default): the alias of the provider's recommended model.
DEFAULT_FAMILY: Mapping[str, str] = {"foundry": "sonnet"}
_VARIABLE_ALIASES = ("sonnet", "opus", "haiku", "fable")  # ANTHROPIC_DEFAULT_<ALIAS>_MODEL
DEFAULT_MODEL = "default"  # the `model` setting's default
_LONG_CONTEXT = "[1m]"
LONG_CONTEXT_BETA = "context-1m-2025-08-07"  # what `[1m]` asks for on older models
# Models whose window is 1M tokens without asking (Claude's model overview).
NATIVE_LONG_CONTEXT = ("claude-fable-5", "claude-mythos-5", "claude-opus-5", "claude-sonnet-5")


def native_long_context(model: str) -> bool:
    """Whether `model` (any provider's spelling) has a 1M-token window of its own."""
    at = model.find("claude-")
    return at >= 0 and model[at:].startswith(NATIVE_LONG_CONTEXT)


def long_context(body: dict[str, Any]) -> dict[str, Any]:
    """A request for `model[1m]`, as the API takes it: the model without the suffix (no
    provider knows that id), and the 1M-context beta in `anthropic_beta` when the model needs
    it (providers send it as a header or in the body, `ModelClient.betas_in_body`)."""
    model = str(body.get("model", ""))
    if not model.endswith(_LONG_CONTEXT):
        return body
    base = model.removesuffix(_LONG_CONTEXT)
    body = {**body, "model": base}
    if not native_long_context(base):
        body["anthropic_beta"] = [*body.get("anthropic_beta", ()), LONG_CONTEXT_BETA]
    return body


@dataclass(frozen=True)
class ModelNames:
    aliases: Mapping[str, str] = field(
        default_factory=lambda: {**DEFAULT_ALIASES, "default": DEFAULT_ALIASES["opus"]}
    )
    small_fast: str = DEFAULT_ALIASES["haiku"]

    def resolve(self, name: str) -> str:
        """The model `name` stands for: an alias's model (keeping a `[1m]` suffix), else `name`."""
        base = name.removesuffix(_LONG_CONTEXT)
        if base not in self.aliases:
            return name
        return self.aliases[base] + name[len(base) :]


def model_names(environ: Mapping[str, str], provider: str = "anthropic") -> ModelNames:
    releases = {**DEFAULT_ALIASES, **PROVIDER_ALIASES.get(provider, {})}
    aliases = {
        alias: (
            environ.get(f"ANTHROPIC_DEFAULT_{alias.upper()}_MODEL")
            if alias in _VARIABLE_ALIASES
            else None
        )
        or model
        for alias, model in releases.items()
    }
    aliases["default"] = aliases[DEFAULT_FAMILY.get(provider, "opus")]
    small_fast = (
        environ.get("ANTHROPIC_DEFAULT_HAIKU_MODEL")
        or environ.get("ANTHROPIC_SMALL_FAST_MODEL")
        or aliases["haiku"]
    )
    return ModelNames(aliases, small_fast)
