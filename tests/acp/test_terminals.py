"""Bash in the client's terminal when it offers terminals, headless when it does not."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.acp.client import AcpClient, choose
from tests.acp.conftest import Start, fake


class Terminals:
    """The client side of terminal/*: each command runs as a real process here."""

    def __init__(self, client: AcpClient) -> None:
        self.processes: dict[str, asyncio.subprocess.Process] = {}
        self.released: list[str] = []
        for name in ("create", "wait_for_exit", "output", "kill", "release"):
            client.handlers[f"terminal/{name}"] = getattr(self, name)

    async def create(self, params: dict[str, Any]) -> Any:
        process = await asyncio.create_subprocess_exec(
            params["command"],
            *params.get("args", []),
            cwd=params.get("cwd"),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        terminal_id = f"term-{len(self.processes) + 1}"
        self.processes[terminal_id] = process
        return {"terminalId": terminal_id}

    async def wait_for_exit(self, params: dict[str, Any]) -> Any:
        return {"exitCode": await self.processes[params["terminalId"]].wait()}

    async def output(self, params: dict[str, Any]) -> Any:
        process = self.processes[params["terminalId"]]
        assert process.stdout is not None
        text = (await process.stdout.read()).decode()
        return {"output": text, "truncated": False, "exitStatus": {"exitCode": process.returncode}}

    async def kill(self, params: dict[str, Any]) -> Any:
        self.processes[params["terminalId"]].kill()
        return {}

    async def release(self, params: dict[str, Any]) -> Any:
        self.released.append(params["terminalId"])
        return {}


async def test_bash_runs_in_the_client_terminal(start: Start, workspace: Path) -> None:
    async with fake("bash_headless", workspace) as server:
        client = await start(server, terminal=True)
        terminals = Terminals(client)
        client.handlers["session/request_permission"] = choose("allow_once")
        session = await client.new_session(workspace)
        answer = await client.prompt(session, "make a marker")
    assert answer["stopReason"] == "end_turn"
    assert (workspace / "ran-bash").exists()
    methods = [m for m, _ in client.calls]
    assert methods == [
        "session/request_permission",
        "terminal/create",
        "terminal/wait_for_exit",
        "terminal/output",
        "terminal/release",
    ]
    create = client.calls[1][1]
    assert (create["command"], create["args"]) == ("bash", ["-c", f"touch {workspace}/ran-bash"])
    assert create["cwd"] == str(workspace)
    assert terminals.released == ["term-1"]
    final = client.kinds("tool_call_update")[-1]
    assert final["status"] == "completed"
    assert final["content"][0] == {"type": "terminal", "terminalId": "term-1"}


async def test_bash_runs_headless_without_client_terminals(start: Start, workspace: Path) -> None:
    async with fake("bash_headless", workspace) as server:
        client = await start(server)
        client.handlers["session/request_permission"] = choose("allow_once")
        session = await client.new_session(workspace)
        await client.prompt(session, "make a marker")
    assert (workspace / "ran-bash").exists()
    assert [m for m, _ in client.calls] == ["session/request_permission"]
