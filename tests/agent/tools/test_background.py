"""Background shells through the real loop and the fake API: a server-like command started with
run_in_background, polled, stopped, and never left running after the session."""

from __future__ import annotations

import os
import select
from pathlib import Path
from typing import Any

from tests.agent.conftest import run_scenario

SERVER = "echo pid=$$; echo ready; exec sleep 600"


def call(name: str, tool_input: dict[str, Any]) -> dict[str, Any]:
    return {"content": [{"type": "tool_use", "name": name, "input": tool_input}]}


def dead(pid: int) -> bool:
    """Whether `pid` has ended, waiting on a pidfd (an event, not a sleep)."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        return bool(select.select([fd], [], [], 30)[0])
    finally:
        os.close(fd)


def pid_in(text: str) -> int:
    return int(text.split("pid=", 1)[1].split()[0])


async def test_a_background_server_is_polled_stopped_and_ended(workspace: Path) -> None:
    responses = [
        call("Bash", {"command": SERVER, "run_in_background": True, "description": "dev server"}),
        call("TaskOutput", {"task_id": "bash_1", "block": True, "timeout": 1500}),
        call("TaskStop", {"task_id": "bash_1"}),
        call("BashOutput", {"bash_id": "bash_1"}),
        {"content": [{"type": "text", "text": "Done."}]},
    ]
    run = await run_scenario(
        {"responses": responses}, workspace, permission_mode="bypassPermissions"
    )
    started, polled, stopped, after = (r["content"] for r in run.tool_results())
    assert "running in background with ID: bash_1" in started
    assert "ready" in polled and "<status>running</status>" in polled
    assert "timeout" in polled  # block waited for the timeout: the server keeps running
    assert "Stopped task bash_1" in stopped
    assert "<status>killed</status>" in after
    assert dead(pid_in(polled))


async def test_the_session_end_stops_what_is_still_running(workspace: Path) -> None:
    responses = [
        call("Bash", {"command": SERVER, "run_in_background": True}),
        call("BashOutput", {"bash_id": "bash_1"}),  # the older names work too
        call("KillShell", {"shell_id": "bash_9"}),
        {"content": [{"type": "text", "text": "Left it running."}]},
    ]
    run = await run_scenario(
        {"responses": responses}, workspace, permission_mode="bypassPermissions"
    )
    _, polled, unknown = (r["content"] for r in run.tool_results())
    assert "<status>running</status>" in polled
    assert "No background task 'bash_9'" in unknown and "bash_1" in unknown
    # run_scenario closed the agent (the session ended): the server is gone.
    output = (run.agent.ctx.background.tasks["bash_1"].output_path).read_text()
    assert dead(pid_in(output))


async def test_starting_one_needs_bash_permission(workspace: Path) -> None:
    responses = [
        call("Bash", {"command": SERVER, "run_in_background": True}),
        {"content": [{"type": "text", "text": "Could not."}]},
    ]
    run = await run_scenario({"responses": responses}, workspace)  # default mode, headless
    [denied] = run.tool_results()
    assert denied["is_error"] and "not granted" in denied["content"]
    assert run.agent.ctx.background.tasks == {}


async def test_a_server_started_with_an_ampersand_is_ended_with_the_session(
    workspace: Path,
) -> None:
    # The shell exits at once and leaves the server in its group (r10's `npm run dev &`).
    command = "(echo pid=$BASHPID; exec sleep 600) > started.txt &"
    responses = [
        call("Bash", {"command": command, "run_in_background": True}),
        call("TaskOutput", {"task_id": "bash_1", "block": True, "timeout": 5000}),
        {"content": [{"type": "text", "text": "Started."}]},
    ]
    run = await run_scenario(
        {"responses": responses}, workspace, permission_mode="bypassPermissions"
    )
    assert "<status>completed</status>" in run.tool_results()[1]["content"]
    assert dead(pid_in((workspace / "started.txt").read_text()))
