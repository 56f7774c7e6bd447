"""Real Neovim 0.11, plain vim.lsp, no plugin: the "Fix with Claude" flow against the fake
model, checked in the buffer."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest

from lsp_agent.testing.fake_anthropic import FakeAnthropic
from tests.e2e.agent_harness import HELLO, read_then_edit
from tests.nvim.headless import HERE, headless

SCENARIO = {"responses": read_then_edit("print('hello')", "print('hello, world')")}


@pytest.mark.parametrize(
    ("answer", "expected_line"),
    [("Apply", "    print('hello, world')"), ("Reject", "    print('hello')")],
)
async def test_fix_with_claude_in_plain_neovim(
    env: dict[str, str], tmp_path: Path, answer: str, expected_line: str
) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "hello.py").write_text(HELLO)
    async with FakeAnthropic(SCENARIO, variables={"cwd": str(workspace)}) as fake:
        process = await asyncio.create_subprocess_exec(
            *headless(HERE / "plain_fix.lua"),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={
                **env,
                "LSP_AGENT_CMD": json.dumps([sys.executable, "-m", "lsp_agent", "serve"]),
                "WORKSPACE": str(workspace),
                "ANSWER": answer,
                "ANTHROPIC_BASE_URL": fake.base_url,
                "ANTHROPIC_API_KEY": "sk-test",
            },
        )
        stdout, stderr = await asyncio.wait_for(process.communicate(), 120)
        assert process.returncode == 0, stderr.decode()
        assert fake.violations == []
    report = json.loads(stdout.decode().strip().splitlines()[-1])
    assert report["lines"] == ["def greet():", expected_line]
    [prompt] = report["prompts"]
    assert "hello.py" in prompt and "+     print('hello, world')" in prompt
    assert report["done"]["subtype"] == "success"
    assert (workspace / "hello.py").read_text() == HELLO  # the buffer changed, never the disk
