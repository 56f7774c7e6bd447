"""Per-model prices (USD per million tokens) and the cost of a usage record.

Prices are the public list prices for the 5-minute cache. A model id matches the longest known
prefix, so dated ids (`claude-sonnet-4-5-20250929`, Vertex's `claude-sonnet-4-5@20250929`,
Bedrock's `us.anthropic.claude-sonnet-4-5-20250929-v1:0`) price like their family. An unknown
model is priced like the most expensive family, so a budget limit errs on the side of stopping
early.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Price:
    input: float
    output: float
    cache_write: float
    cache_read: float


PRICES: dict[str, Price] = {
    "claude-fable-5": Price(10.0, 50.0, 12.50, 1.0),
    "claude-mythos-5": Price(10.0, 50.0, 12.50, 1.0),
    "claude-opus-5": Price(5.0, 25.0, 6.25, 0.50),
    "claude-opus-4-8": Price(5.0, 25.0, 6.25, 0.50),
    "claude-opus-4-7": Price(5.0, 25.0, 6.25, 0.50),
    "claude-opus-4-6": Price(5.0, 25.0, 6.25, 0.50),
    "claude-opus-4-5": Price(5.0, 25.0, 6.25, 0.50),
    "claude-opus-4-1": Price(15.0, 75.0, 18.75, 1.50),
    "claude-opus-4": Price(15.0, 75.0, 18.75, 1.50),
    "claude-3-opus": Price(15.0, 75.0, 18.75, 1.50),
    "claude-sonnet-5": Price(2.0, 10.0, 2.50, 0.20),
    "claude-sonnet-4-6": Price(3.0, 15.0, 3.75, 0.30),
    "claude-sonnet-4-5": Price(3.0, 15.0, 3.75, 0.30),
    "claude-sonnet-4": Price(3.0, 15.0, 3.75, 0.30),
    "claude-3-7-sonnet": Price(3.0, 15.0, 3.75, 0.30),
    "claude-3-5-sonnet": Price(3.0, 15.0, 3.75, 0.30),
    "claude-haiku-4-5": Price(1.0, 5.0, 1.25, 0.10),
    "claude-3-5-haiku": Price(0.80, 4.0, 1.0, 0.08),
    "claude-3-haiku": Price(0.25, 1.25, 0.30, 0.03),
}
UNKNOWN_MODEL_PRICE = Price(15.0, 75.0, 18.75, 1.50)  # the dearest family listed


# Bedrock names models `anthropic.claude-...` or, as inference profiles, `us.anthropic.claude-...`.
_BEDROCK_PREFIX = re.compile(r"^(?:[a-z]+\.)?anthropic\.")


def price_of(model: str) -> Price:
    model = _BEDROCK_PREFIX.sub("", model)
    matches = [prefix for prefix in PRICES if model.startswith(prefix)]
    return PRICES[max(matches, key=len)] if matches else UNKNOWN_MODEL_PRICE


def cost_usd(model: str, usage: Mapping[str, int], price: Price | None = None) -> float:
    """The cost of `usage`, at `price` when given (a setting), else at the model's list price."""
    price = price or price_of(model)
    tokens = (
        usage.get("input_tokens", 0) * price.input
        + usage.get("output_tokens", 0) * price.output
        + usage.get("cache_creation_input_tokens", 0) * price.cache_write
        + usage.get("cache_read_input_tokens", 0) * price.cache_read
    )
    searches = usage.get("web_search_requests", 0) * WEB_SEARCH_PRICE
    return tokens / 1_000_000 + searches


# The API's server-side web search: US$10 per 1,000 searches, on top of the tokens.
WEB_SEARCH_PRICE = 0.01
USAGE_KEYS = (
    "input_tokens",
    "output_tokens",
    "cache_creation_input_tokens",
    "cache_read_input_tokens",
    "web_search_requests",
)


def add_usage(total: dict[str, int], turn: Mapping[str, int]) -> None:
    for key in USAGE_KEYS:
        total[key] = total.get(key, 0) + int(turn.get(key, 0) or 0)
