"""Run the real loop with the compat extensions against the scripted fake API."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsp_agent.agent.claude.extensions import Extensions
from lsp_agent.agent.disk import DiskDocumentSource, DiskEditSink
from lsp_agent.agent.events import AgentEvent
from lsp_agent.agent.loop import Agent
from lsp_agent.agent.model.client import ClientConfig, ModelClient, RetryPolicy
from lsp_agent.agent.options import AgentOptions, AgentResult
from lsp_agent.agent.ports import CanUseTool
from lsp_agent.agent.tools.registry import default_tools as engine_tools
from lsp_agent.testing.fake_anthropic import FakeAnthropic, RecordedRequest


@dataclass
class Run:
    results: list[AgentResult]
    requests: list[RecordedRequest]
    session_id: str
    events: list[AgentEvent] = field(default_factory=list)

    @property
    def result(self) -> AgentResult:
        return self.results[-1]

    def kinds(self, kind: str) -> list[dict[str, Any]]:
        return [e.data for e in self.events if e.kind == kind]

    def tool_results(self) -> list[dict[str, Any]]:
        return self.kinds("tool_result")

    def sent(self, index: int) -> dict[str, Any]:
        body = self.requests[index].body
        assert isinstance(body, dict)
        return body


def text_response(text: str, **usage: int) -> dict[str, Any]:
    return {"content": [{"type": "text", "text": text}], "usage": usage}


def tool_response(name: str, tool_input: dict[str, Any], **usage: int) -> dict[str, Any]:
    return {"content": [{"type": "tool_use", "name": name, "input": tool_input}], "usage": usage}


async def run_agent(
    project: Path,
    responses: list[dict[str, Any]],
    *prompts: str,
    can_use_tool: CanUseTool | None = None,
    **options: Any,
) -> Run:
    """Each prompt in turn through one Agent with `Extensions.load(project)`."""
    scenario = {"responses": responses}
    async with FakeAnthropic(scenario, variables={"cwd": str(project)}) as fake:
        extensions = await Extensions.load(project, trusted=True)
        events: list[AgentEvent] = []
        config = ClientConfig(
            base_url=fake.base_url, api_key="sk-test", retry=RetryPolicy(base_delay=0.001)
        )
        agent = Agent(
            AgentOptions(cwd=project, **options),
            tools=engine_tools(),
            documents=DiskDocumentSource(),
            edits=DiskEditSink(),
            can_use_tool=can_use_tool,
            on_event=events.append,
            client=ModelClient(config),
            extensions=extensions,
        )
        try:
            results = [await agent.run(prompt) for prompt in prompts]
        finally:
            await agent.aclose()
            await extensions.aclose()
        assert fake.violations == [], fake.violations
        assert fake.remaining == 0, "the scenario has unused responses"
        return Run(results, fake.requests, agent.session_id, events)
