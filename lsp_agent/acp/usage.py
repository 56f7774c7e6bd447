"""Token usage and cost as ACP carries them.

During a turn, `usage_update` tells the client how full the context window is (the tokens of
the latest model response's request and answer, against the model's window) and what the
session has cost so far; the prompt's answer carries the turn's own tokens (`usage`, unstable in
the SDK, absent from the stable schema, which lets extra fields through).
"""

from __future__ import annotations

from collections.abc import Mapping

from acp import schema

CACHE_READ, CACHE_WRITE = "cache_read_input_tokens", "cache_creation_input_tokens"


def context_update(used: int, size: int, cost_usd: float) -> schema.UsageUpdate:
    return schema.UsageUpdate(
        session_update="usage_update",
        used=used,
        size=size,
        cost=schema.Cost(amount=round(cost_usd, 6), currency="USD"),
    )


def turn_usage(before: Mapping[str, int], after: Mapping[str, int]) -> schema.Usage:
    """The tokens of one turn: the session's totals after it less those before it."""

    def spent(key: str) -> int:
        return max(after.get(key, 0) - before.get(key, 0), 0)

    read, write = spent(CACHE_READ), spent(CACHE_WRITE)
    inp, out = spent("input_tokens") + read + write, spent("output_tokens")
    return schema.Usage(
        input_tokens=inp,
        output_tokens=out,
        total_tokens=inp + out,
        cached_read_tokens=read,
        cached_write_tokens=write,
    )
