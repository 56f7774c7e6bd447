"""Which model an alias names, with Claude Code's model variables.

Claude Code lets `sonnet`, `opus` and `haiku` (and `sonnet[1m]`) stand for a model, and lets a
user repoint them: `ANTHROPIC_DEFAULT_SONNET_MODEL`, `_OPUS_`, `_HAIKU_` (on a cloud provider, a
deployment name, a Bedrock ARN, a Vertex version). Background work (WebFetch reading a page)
uses the Haiku-class model: `ANTHROPIC_DEFAULT_HAIKU_MODEL`, else the older
`ANTHROPIC_SMALL_FAST_MODEL`. `ANTHROPIC_MODEL` (the main model) is a settings layer instead:
see `settings.CLAUDE_CODE_ENV`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# The releases the aliases name when no variable repoints them.
DEFAULT_ALIASES: Mapping[str, str] = {
    "sonnet": "claude-sonnet-4-5",
    "opus": "claude-opus-4-1",
    "haiku": "claude-haiku-4-5",
}
_LONG_CONTEXT = "[1m]"


@dataclass(frozen=True)
class ModelNames:
    aliases: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_ALIASES))
    small_fast: str = DEFAULT_ALIASES["haiku"]

    def resolve(self, name: str) -> str:
        """The model `name` stands for: an alias's model (keeping a `[1m]` suffix), else `name`."""
        base = name.removesuffix(_LONG_CONTEXT)
        if base not in self.aliases:
            return name
        return self.aliases[base] + name[len(base) :]


def model_names(environ: Mapping[str, str]) -> ModelNames:
    aliases = {
        alias: environ.get(f"ANTHROPIC_DEFAULT_{alias.upper()}_MODEL") or model
        for alias, model in DEFAULT_ALIASES.items()
    }
    small_fast = (
        environ.get("ANTHROPIC_DEFAULT_HAIKU_MODEL")
        or environ.get("ANTHROPIC_SMALL_FAST_MODEL")
        or aliases["haiku"]
    )
    return ModelNames(aliases, small_fast)
