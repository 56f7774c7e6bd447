"""Run the real agent loop against the scripted fake Anthropic server over loopback HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from lsp_agent.agent.claude.extensions import Extensions
from lsp_agent.agent.disk import DiskDocumentSource, DiskEditSink
from lsp_agent.agent.events import AgentEvent
from lsp_agent.agent.loop import Agent
from lsp_agent.agent.model.client import ClientConfig, ModelClient, RetryPolicy
from lsp_agent.agent.options import AgentOptions, AgentResult
from lsp_agent.agent.ports import CancelToken, CanUseTool
from lsp_agent.agent.tools.registry import default_tools as engine_tools
from lsp_agent.testing.fake_anthropic import FakeAnthropic

SCENARIOS = Path(__file__).parent / "scenarios"
# Looks like a real key so a leak is easy to grep for.
API_KEY = "sk-ant-api03-TEST-KEY-must-never-leak-0123456789abcdef"


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data"
    monkeypatch.setenv("LSP_AGENT_DATA_DIR", str(path))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return path


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "hello.py").write_text("print('hello')\n")
    return root.resolve()


@dataclass
class Run:
    result: AgentResult
    fake: FakeAnthropic
    agent: Agent
    events: list[AgentEvent] = field(default_factory=list)

    def kinds(self, kind: str) -> list[dict[str, Any]]:
        return [e.data for e in self.events if e.kind == kind]

    def tool_results(self) -> list[dict[str, Any]]:
        return self.kinds("tool_result")


def client_for(fake: FakeAnthropic, **retry: Any) -> ModelClient:
    policy = RetryPolicy(base_delay=0.001, **retry)
    return ModelClient(ClientConfig(base_url=fake.base_url, api_key=API_KEY, retry=policy))


async def run_scenario(
    name: str | dict[str, Any] | FakeAnthropic,
    workspace: Path,
    *,
    prompt: str = "Please do the task.",
    can_use_tool: CanUseTool | None = None,
    cancel: CancelToken | None = None,
    retry: dict[str, Any] | None = None,
    during: Callable[[FakeAnthropic, Agent], Awaitable[None]] | None = None,
    extensions: Extensions | None = None,
    **options: Any,
) -> Run:
    """Run `prompt` through a fresh Agent against scenario `name` (a file in scenarios/, or
    the scenario itself, or a fake of its own); `during(fake, agent)` runs alongside (e.g. to
    cancel once the server holds a response)."""
    variables = {"cwd": str(workspace), "key": API_KEY}
    scenario = SCENARIOS / f"{name}.json" if isinstance(name, str) else name
    server = scenario if isinstance(scenario, FakeAnthropic) else None
    async with server or FakeAnthropic(scenario, variables=variables) as fake:
        events: list[AgentEvent] = []
        agent = Agent(
            AgentOptions(cwd=workspace, **options),
            tools=engine_tools(),
            documents=DiskDocumentSource(),
            edits=DiskEditSink(),
            can_use_tool=can_use_tool,
            on_event=events.append,
            client=client_for(fake, **(retry or {})),
            extensions=extensions,
        )
        side = asyncio.ensure_future(during(fake, agent)) if during else None
        try:
            result = await agent.run(prompt, cancel)
        finally:
            await agent.aclose()
            if side is not None:
                side.cancel()
        assert fake.violations == [], fake.violations
        return Run(result, fake, agent, events)
