"""Background tasks in the editor: `lspAgent.tasks` lists a session's tasks (here a command
that outlived its timeout and moved to the background), the server stops them when it shuts
down, and a background agent still working after its run has ended reports to the stream but
leaves the run's ended progress alone."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from lsprotocol import types

from lsp_agent.testing.replay import ReplayAnthropic
from tests.agent.tools.test_background import dead, pid_in
from tests.e2e.agent_harness import HELLO, StartAgent
from tests.e2e.conftest import StartServer, wait_for_message
from tests.e2e.editor import Editor, _plain

SLOW = "echo pid=$$; echo building; exec sleep 600"


def bash(tool_input: dict[str, Any]) -> dict[str, Any]:
    return {"content": [{"type": "tool_use", "name": "Bash", "input": tool_input}]}


async def test_tasks_lists_a_moved_command_and_shutdown_stops_it(start_agent: StartAgent) -> None:
    h = await start_agent(
        [
            bash({"command": SLOW, "timeout": 2000, "description": "long build"}),
            {"content": [{"type": "text", "text": "It builds on in the background."}]},
        ]
    )
    h.editor.answer = lambda params: "Allow once"
    (h.workspace / "hello.py").write_text(HELLO)
    uri = h.editor.open(h.workspace / "hello.py")
    started = await h.command("lspAgent.ask", {"uri": uri, "prompt": "build it"})
    session_id = started["sessionId"]
    done = await h.editor.done(session_id)
    assert done["subtype"] == "success"
    [moved] = h.tool_results()
    assert "moved to the background with ID: bash_1" in moved["content"]

    [task] = _plain(await h.command("lspAgent.tasks", {}))
    assert task["sessionId"] == session_id and task["id"] == "bash_1"
    assert (task["type"], task["status"], task["description"]) == (
        "local_bash",
        "running",
        "long build",
    )
    assert _plain(await h.command("lspAgent.tasks", {"sessionId": "no-such-session"})) == []

    await h.client.shutdown_session()
    assert dead(pid_in(moved["content"]))


async def test_a_background_agent_reports_after_the_run_without_touching_its_progress(
    start_server: StartServer, workspace: Path
) -> None:
    """The run ends while its background agent waits; the agent's later activity still reaches
    the stream, but the run's work-done progress, ended with the run, gets no more reports."""
    main = [
        {"respond": [agent_call()], "stop_reason": "tool_use"},
        {"respond": [{"type": "text", "text": "Started it."}], "stop_reason": "end_turn"},
    ]
    sub = [
        {"respond": [bash_block("cat signal.fifo")], "stop_reason": "tool_use"},
        {"respond": [bash_block("echo second")], "stop_reason": "tool_use"},
        {"respond": [{"type": "text", "text": "The signal was: go"}], "stop_reason": "end_turn"},
    ]
    thread = {"name": "sub", "prompt_contains": "SUBAGENT-JOB", "turns": sub}
    os.mkfifo(workspace / "signal.fifo")
    async with ReplayAnthropic({"prompt": "start it", "turns": main, "threads": [thread]}) as fake:
        env = {"ANTHROPIC_BASE_URL": fake.base_url, "ANTHROPIC_API_KEY": "sk-test-key"}
        client = await start_server(extra_env=env)
        editor = Editor(client)
        editor.answer = lambda params: "Allow once"
        (workspace / "hello.py").write_text(HELLO)
        uri = editor.open(workspace / "hello.py")
        params = types.ExecuteCommandParams(
            command="lspAgent.ask", arguments=[{"uri": uri, "prompt": "start it"}]
        )
        session_id = (await client.workspace_execute_command_async(params))["sessionId"]
        await editor.done(session_id)
        await wait_for_message(client, "Claude: Started it.")  # sent once progress has ended
        [token] = [t for t in client.progress_reports if "index" not in str(t)]
        ended = list(client.progress_reports[token])
        assert isinstance(ended[-1], types.WorkDoneProgressEnd)

        await asyncio.to_thread((workspace / "signal.fifo").write_text, "go\n")
        # The agent's second command starts after the run has ended.
        heard = await editor.wait_for(
            lambda e: e["kind"] == "tool_result" and e.get("content") == "second"
        )
        assert heard["sessionId"] == session_id and heard.get("parentToolUseId")
        assert client.progress_reports[token] == ended
        assert fake.failures == []


def agent_call() -> dict[str, Any]:
    launch = {"description": "wait", "prompt": "SUBAGENT-JOB: wait", "run_in_background": True}
    return {"type": "tool_use", "name": "Agent", "input": launch}


def bash_block(command: str) -> dict[str, Any]:
    return {"type": "tool_use", "name": "Bash", "input": {"command": command}}
