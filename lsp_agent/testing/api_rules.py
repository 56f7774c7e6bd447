"""The Messages API's request rules, checked by the fake server on every request it receives.

A real API answers a broken request with 400; the fake does the same and records why, so a test
fails on the first request our client would have had rejected in production.
"""

from __future__ import annotations

import re
from typing import Any

TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
MAX_CACHE_BREAKPOINTS = 4


def check_request(
    headers: dict[str, str],
    body: Any,
    issued_tool_ids: set[str],
    issued_thinking: dict[str, str],
) -> list[str]:
    """Every rule `body` (the decoded JSON) and `headers` (lower-case names) break."""
    problems = _check_headers(headers)
    if not isinstance(body, dict):
        return [*problems, "body is not a JSON object"]
    problems += _check_fields(body)
    messages = body.get("messages")
    if isinstance(messages, list) and messages:
        problems += _check_messages(messages, issued_tool_ids, issued_thinking)
    problems += _check_tools(body.get("tools"))
    problems += _check_thinking(body)
    breakpoints = _count_cache_control(body.get("tools")) + _count_cache_control(body.get("system"))
    breakpoints += sum(_count_cache_control(m.get("content")) for m in messages or [])
    if breakpoints > MAX_CACHE_BREAKPOINTS:
        problems.append(f"{breakpoints} cache_control breakpoints (at most 4)")
    return problems


def _check_headers(headers: dict[str, str]) -> list[str]:
    problems = []
    if headers.get("anthropic-version") != "2023-06-01":
        problems.append("anthropic-version header must be 2023-06-01")
    if not headers.get("content-type", "").startswith("application/json"):
        problems.append("content-type must be application/json")
    bearer = headers.get("authorization", "").startswith("Bearer ")
    if not headers.get("x-api-key") and not bearer:
        problems.append("no x-api-key or Authorization: Bearer header")
    return problems


def _check_fields(body: dict[str, Any]) -> list[str]:
    problems = []
    if not isinstance(body.get("model"), str) or not body["model"]:
        problems.append("model is required")
    max_tokens = body.get("max_tokens")
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
        problems.append("max_tokens must be a positive integer")
    if body.get("stream") is not True:
        problems.append("stream must be true (the fake only streams)")
    if not isinstance(body.get("messages"), list) or not body["messages"]:
        problems.append("messages must be a non-empty list")
    system = body.get("system")
    if system is not None and not isinstance(system, (str, list)):
        problems.append("system must be a string or a list of text blocks")
    return problems


def _check_messages(
    messages: list[Any], issued_tool_ids: set[str], issued_thinking: dict[str, str]
) -> list[str]:
    problems = []
    if messages[0].get("role") != "user":
        problems.append("the first message must have role user")
    for i, message in enumerate(messages):
        role = message.get("role")
        if role not in ("user", "assistant"):
            problems.append(f"messages[{i}].role must be user or assistant")
        if i and role == messages[i - 1].get("role"):
            problems.append(f"messages[{i}] has the same role as the one before")
        content = message.get("content")
        if not content:
            problems.append(f"messages[{i}].content is empty")
            continue
        blocks = content if isinstance(content, list) else []
        for block in blocks:
            if block.get("type") == "text" and not block.get("text"):
                problems.append(f"messages[{i}] has an empty text block")
        if role == "assistant":
            problems += _check_assistant(i, blocks, issued_tool_ids, issued_thinking)
            following = messages[i + 1] if i + 1 < len(messages) else None
            problems += _check_results_follow(i, blocks, following)
        elif role == "user":
            previous = messages[i - 1] if i else None
            problems += _check_results_answer(i, blocks, previous)
    return problems


def _check_assistant(
    i: int, blocks: list[Any], issued_tool_ids: set[str], issued_thinking: dict[str, str]
) -> list[str]:
    problems = []
    for block in blocks:
        kind = block.get("type")
        if kind == "tool_use" and block.get("id") not in issued_tool_ids:
            problems.append(f"messages[{i}] sends back a tool_use id the model never issued")
        if kind == "thinking":
            signature = block.get("signature", "")
            if issued_thinking.get(signature) != block.get("thinking"):
                problems.append(f"messages[{i}] thinking block was not sent back unchanged")
    return problems


def _tool_use_ids(blocks: list[Any]) -> list[str]:
    return [b.get("id", "") for b in blocks if b.get("type") == "tool_use"]


def _check_results_follow(i: int, blocks: list[Any], following: Any) -> list[str]:
    ids = _tool_use_ids(blocks)
    if not ids or following is None:
        return []
    content = following.get("content")
    results = content if isinstance(content, list) else []
    leading = []
    for block in results:
        if block.get("type") != "tool_result":
            break
        leading.append(block.get("tool_use_id"))
    if sorted(leading) != sorted(ids):
        return [
            f"messages[{i + 1}] must start with one tool_result for each tool_use of "
            f"messages[{i}] (expected {sorted(ids)}, got {sorted(str(x) for x in leading)})"
        ]
    return []


def _check_results_answer(i: int, blocks: list[Any], previous: Any) -> list[str]:
    result_ids = [b.get("tool_use_id") for b in blocks if b.get("type") == "tool_result"]
    if not result_ids:
        return []
    prior = previous.get("content") if previous else None
    issued = set(_tool_use_ids(prior if isinstance(prior, list) else []))
    stray = [x for x in result_ids if x not in issued]
    if stray:
        return [f"messages[{i}] has tool_result blocks for unknown tool_use ids {stray}"]
    return []


def _check_tools(tools: Any) -> list[str]:
    if tools is None:
        return []
    if not isinstance(tools, list):
        return ["tools must be a list"]
    problems = []
    names = [t.get("name", "") for t in tools]
    for name in names:
        if not TOOL_NAME.match(name):
            problems.append(f"tool name {name!r} does not match {TOOL_NAME.pattern}")
    if len(set(names)) != len(names):
        problems.append("tool names must be unique")
    for tool in tools:
        # A server tool (`{"type": "web_search_20250305", ...}`) is defined by its type.
        server_tool = tool.get("type") not in (None, "custom")
        if not server_tool and not isinstance(tool.get("input_schema"), dict):
            problems.append(f"tool {tool.get('name')!r} has no input_schema object")
    return problems


def _check_thinking(body: dict[str, Any]) -> list[str]:
    thinking = body.get("thinking")
    if not thinking or thinking.get("type") != "enabled":
        return []
    budget = thinking.get("budget_tokens", 0)
    if not isinstance(budget, int) or budget < 1024:
        return ["thinking.budget_tokens must be at least 1024"]
    if budget >= body.get("max_tokens", 0):
        return ["thinking.budget_tokens must be less than max_tokens"]
    return []


def _count_cache_control(value: Any) -> int:
    if isinstance(value, list):
        return sum(_count_cache_control(item) for item in value)
    if isinstance(value, dict):
        own = 1 if "cache_control" in value else 0
        return own + sum(_count_cache_control(v) for k, v in value.items() if k in ("content",))
    return 0
