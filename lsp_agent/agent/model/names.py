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
