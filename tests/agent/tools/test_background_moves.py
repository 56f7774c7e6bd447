"""A foreground Bash command that outlives its timeout moves to the background, as in Claude
Code: it keeps running, the model gets its task ID and output file, TaskOutput and TaskStop
reach it, and the session's end stops it. Real loop, fake API over HTTP, real processes."""

from __future__ import annotations

from pathlib import Path

from tests.agent.conftest import run_scenario
from tests.agent.tools.test_background import call, dead, pid_in
from tests.compat.agent_run import run_agent

# Writes before the timeout, then runs on past it.
SLOW = "echo pid=$$; echo building; exec sleep 600"


async def test_a_command_past_its_timeout_moves_to_the_background(workspace: Path) -> None:
    responses = [
        call("Bash", {"command": SLOW, "timeout": 3000, "description": "long build"}),
        call("TaskOutput", {"task_id": "bash_1", "block": False}),
        call("TaskStop", {"task_id": "bash_1"}),
        {"content": [{"type": "text", "text": "Stopped it."}]},
    ]
    run = await run_scenario(
        {"responses": responses}, workspace, permission_mode="bypassPermissions"
    )
    moved, polled, stopped = run.tool_results()
    text = moved["content"]
    assert not moved["is_error"]
    assert "did not complete within its 3s timeout and was moved to the background" in text
    assert "ID: bash_1" in text and "building" in text  # what it wrote so far is kept
    task = run.agent.ctx.background.tasks["bash_1"]
    assert str(task.output_path) in text and task.output_path.name == "bash_1.output"
    assert task.description == "long build"
    assert "<status>running</status>" in polled["content"]
    assert "building" in polled["content"]
    assert "Stopped task bash_1" in stopped["content"]
    assert dead(pid_in(text))


async def test_a_moved_command_ends_with_the_session(workspace: Path) -> None:
    responses = [
        call("Bash", {"command": SLOW, "timeout": 3000}),
        {"content": [{"type": "text", "text": "It is building."}]},
    ]
    run = await run_scenario(
        {"responses": responses}, workspace, permission_mode="bypassPermissions"
    )
    [moved] = run.tool_results()
    assert "moved to the background with ID: bash_1" in moved["content"]
    assert dead(pid_in(moved["content"]))  # run_scenario closed the session


async def test_sleep_and_git_are_killed_at_their_timeout(workspace: Path) -> None:
    responses = [
        call("Bash", {"command": "sleep 600", "timeout": 500}),
        call("Bash", {"command": "echo x; git --version && sleep 600", "timeout": 500}),
        {"content": [{"type": "text", "text": "Both timed out."}]},
    ]
    run = await run_scenario(
        {"responses": responses}, workspace, permission_mode="bypassPermissions"
    )
    for result in run.tool_results():
        assert result["is_error"] and "timed out after 0.5s and was killed" in result["content"]
    assert run.agent.ctx.background.tasks == {}


async def test_a_quick_command_leaves_no_task_and_no_file(workspace: Path) -> None:
    responses = [
        call("Bash", {"command": "echo hello; exit 3"}),
        call("Bash", {"command": "echo fine"}),
        {"content": [{"type": "text", "text": "Done."}]},
    ]
    run = await run_scenario(
        {"responses": responses}, workspace, permission_mode="bypassPermissions"
    )
    failed, fine = run.tool_results()
    assert failed["is_error"] and failed["content"] == "hello\nExit code 3"
    assert fine["content"] == "fine" and not fine["is_error"]
    background = run.agent.ctx.background
    assert background.tasks == {}
    assert not list(background.directory.glob("*.output"))


async def test_slash_tasks_lists_the_moved_command(workspace: Path) -> None:
    responses = [
        call("Bash", {"command": SLOW, "timeout": 2000, "description": "long build"}),
        {"content": [{"type": "text", "text": "Building."}]},
    ]
    run = await run_agent(
        workspace, responses, "Build it", "/tasks", permission_mode="bypassPermissions"
    )
    assert run.results[1].result == f"bash_1 [running] {SLOW} (long build)"
