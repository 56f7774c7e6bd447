"""Server tools (the API's own web search) on providers that lack them: the OpenAI-compatible
endpoint and Bedrock. WebSearch's result says so plainly, and nothing is sent: an endpoint that
dropped the tool would let the model invent search results from memory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.agent.test_provider_openai import run_openai
from tests.agent.test_providers import run_cloud

SEARCH = {"query": "pygls 2.1 release notes"}


def scenario() -> dict[str, Any]:
    call = {"type": "tool_use", "name": "WebSearch", "input": SEARCH}
    done = {"type": "text", "text": "I could not search the web."}
    return {"responses": [{"content": [call]}, {"content": [done]}]}


def assert_says_unsupported(result: dict[str, Any], provider: str) -> None:
    assert result["is_error"]
    text = str(result["content"])
    assert "WebSearch is not available" in text, text
    assert provider in text
    assert "WebFetch" in text  # what to do instead


@pytest.mark.parametrize("dialect", ["openai", "ollama"])
async def test_web_search_on_an_openai_compatible_endpoint(workspace: Path, dialect: str) -> None:
    run = await run_openai(scenario(), workspace, dialect, allowed_tools=["WebSearch"])
    assert run.result.subtype == "success", run.result.result
    [result] = run.tool_results()
    assert_says_unsupported(result, "OpenAI-compatible endpoint")
    assert len(run.fake.requests) == 2  # the loop's two turns; no search request


async def test_web_search_on_bedrock(workspace: Path) -> None:
    run = await run_cloud("bedrock", scenario(), workspace, allowed_tools=["WebSearch"])
    assert run.result.subtype == "success", run.result.result
    [result] = run.tool_results()
    assert_says_unsupported(result, "Amazon Bedrock")
    assert len(run.fake.requests) == 2
