"""Background tasks in the editor: `lspAgent.tasks` lists a session's tasks (here a command
that outlived its timeout and moved to the background), and the server stops them when it
shuts down."""

from __future__ import annotations

from typing import Any

from tests.agent.tools.test_background import dead, pid_in
from tests.e2e.agent_harness import HELLO, StartAgent
from tests.e2e.editor import _plain

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
