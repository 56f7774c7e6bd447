"""`lsp-agent acp` end to end: a scripted client on its stdio, the fake model API on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from lsp_agent.testing.fake_anthropic import FakeAnthropic
from tests.acp.client import AcpClient
from tests.agent.conftest import API_KEY, SCENARIOS
from tests.conftest import isolated_env

Start = Callable[..., Awaitable[AcpClient]]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "hello.py").write_text("print('hello')\n")
    return root.resolve()


def answers(*texts: str) -> dict[str, Any]:
    """A scenario of plain text answers, one per model request."""
    usage = {"input_tokens": 9, "output_tokens": 3}
    return {
        "responses": [{"content": [{"type": "text", "text": t}], "usage": usage} for t in texts]
    }


def fake(name: str, workspace: Path) -> FakeAnthropic:
    return FakeAnthropic(
        SCENARIOS / f"{name}.json", variables={"cwd": str(workspace), "key": API_KEY}
    )


@pytest.fixture
def acp_env(tmp_path: Path) -> dict[str, str]:
    env = isolated_env(tmp_path / "env")
    env.update(ANTHROPIC_API_KEY=API_KEY, LSP_AGENT_RETRY_BASE_DELAY="0.001")
    return env


@pytest.fixture
async def start(acp_env: dict[str, str]) -> AsyncIterator[Start]:
    """Starts `lsp-agent acp` against a fake API; every agent started is closed at the end."""
    clients: list[AcpClient] = []

    async def start_agent(
        server: FakeAnthropic,
        *args: str,
        fs: bool = False,
        terminal: bool = False,
        **extra_env: str,
    ) -> AcpClient:
        env = {**acp_env, "ANTHROPIC_BASE_URL": server.base_url, **extra_env}
        client = await AcpClient.start(env, *args)
        clients.append(client)
        await client.initialize(fs=fs, terminal=terminal)
        return client

    yield start_agent
    for client in clients:
        if client.process.returncode is None:
            await client.close()
