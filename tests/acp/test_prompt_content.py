"""What a prompt may carry over ACP: images (pasted, or embedded as blobs) reach the model as
image blocks and come back on session/load; resource links and embedded text reach it as
mentions and context; what the agent cannot take is refused and the session goes on."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from lsp_agent.testing.fake_anthropic import FakeAnthropic
from tests.acp.client import AcpClient, RpcError
from tests.acp.conftest import Start, answers

INVALID_PARAMS = -32602
# A 1x1 transparent PNG.
PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
).decode()


async def prompt(client: AcpClient, session: str, blocks: list[dict[str, Any]]) -> Any:
    return await client.request("session/prompt", {"sessionId": session, "prompt": blocks})


async def test_image_reaches_the_model_and_is_replayed(start: Start, workspace: Path) -> None:
    blocks = [
        {"type": "text", "text": "what is in this picture?"},
        {"type": "image", "mimeType": "image/png", "data": PNG},
    ]
    async with FakeAnthropic(answers("A transparent pixel.")) as server:
        client = await start(server)
        caps = (await client.initialize())["agentCapabilities"]["promptCapabilities"]
        assert caps["image"] is True
        session = await client.new_session(workspace)
        answer = await prompt(client, session, blocks)
        assert await client.close() == 0

        again = await start(server)
        load = {"sessionId": session, "cwd": str(workspace), "mcpServers": []}
        await again.request("session/load", load)
    assert answer["stopReason"] == "end_turn"
    user = server.requests[0].body["messages"][0]["content"]
    assert user[0] == {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": PNG},
    }
    assert user[1]["text"] == "what is in this picture?"
    assert server.violations == []
    replayed = [u["content"] for u in again.kinds("user_message_chunk")]
    assert {"type": "image", "mimeType": "image/png", "data": PNG} in replayed


async def test_links_and_embedded_resources(start: Start, workspace: Path) -> None:
    spaced = workspace / "my notes.md"
    blocks = [
        {"type": "text", "text": "compare "},
        {"type": "resource_link", "uri": spaced.as_uri(), "name": "my notes.md"},
        {"type": "text", "text": " with "},
        {
            "type": "resource",
            "resource": {"uri": (workspace / "a.py").as_uri(), "text": "x = 1"},
        },
        {
            "type": "resource",
            "resource": {"uri": "file:///tmp/shot.png", "mimeType": "image/png", "blob": PNG},
        },
    ]
    async with FakeAnthropic(answers("Done.")) as server:
        client = await start(server)
        session = await client.new_session(workspace)
        await prompt(client, session, blocks)
    user = server.requests[0].body["messages"][0]["content"]
    assert user[0]["source"]["data"] == PNG  # the embedded image, as an image
    assert user[1]["text"] == (
        f'compare @{spaced} with \n<context ref="{workspace}/a.py">\nx = 1\n</context>\n'
    )


@pytest.mark.parametrize(
    "block",
    [
        {"type": "audio", "mimeType": "audio/wav", "data": "AAAA"},
        {"type": "image", "mimeType": "image/tiff", "data": PNG},
        {"type": "image", "mimeType": "image/png", "data": "not base64!"},
        {"type": "image", "mimeType": "image/png", "data": "A" * (7 * 1024 * 1024)},
    ],
    ids=["audio", "tiff", "not-base64", "too-large"],
)
async def test_content_the_agent_cannot_take_is_refused(
    start: Start, workspace: Path, block: dict[str, Any]
) -> None:
    async with FakeAnthropic(answers("Still here.")) as server:
        client = await start(server)
        session = await client.new_session(workspace)
        with pytest.raises(RpcError) as refused:
            await prompt(client, session, [{"type": "text", "text": "look"}, block])
        answer = await client.prompt(session, "hello?")
    assert refused.value.code == INVALID_PARAMS
    assert "block 1" in str(refused.value.data)
    assert answer["stopReason"] == "end_turn"
    assert len(server.requests) == 1  # the refused prompt never reached the model
