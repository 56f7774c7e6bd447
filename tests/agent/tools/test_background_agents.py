"""Agent with `run_in_background`: the call returns a task ID at once, the subagent runs beside
the conversation (the main conversation goes on while the subagent waits for it), its report
comes through TaskOutput, and TaskStop or the session's end stop it. Real loop, real processes;
the fake API routes each conversation by its first message (ReplayAnthropic), so the two run
concurrently without depending on which request arrives first."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from lsp_agent.agent.claude.extensions import Extensions
from lsp_agent.agent.loop import Agent
from lsp_agent.agent.ports import CancelToken
from lsp_agent.testing.fake_anthropic import FakeAnthropic
from lsp_agent.testing.replay import ReplayAnthropic
from tests.agent.conftest import Run, run_scenario
from tests.agent.tools.test_background import dead, pid_in

PROMPT = "Please do the task."
JOB = "SUBAGENT-JOB: report what arrives on signal.fifo"
LAUNCH = {
    "description": "wait for the signal",
    "prompt": JOB,
    "subagent_type": "general-purpose",
    "run_in_background": True,
}


def tool(name: str, tool_input: dict[str, Any], **checks: Any) -> dict[str, Any]:
    block = {"type": "tool_use", "name": name, "input": tool_input}
    return {"respond": [block], "stop_reason": "tool_use", **checks}


def text(answer: str, **checks: Any) -> dict[str, Any]:
    return {"respond": [{"type": "text", "text": answer}], "stop_reason": "end_turn", **checks}


async def run(
    workspace: Path, main: list[dict[str, Any]], sub: list[dict[str, Any]], **options: Any
) -> Run:
    for name in ("signal", "ready", "parent"):
        os.mkfifo(workspace / f"{name}.fifo")
    thread = {"name": "sub", "prompt_contains": "SUBAGENT-JOB", "turns": sub}
    fake = ReplayAnthropic({"prompt": PROMPT, "turns": main, "threads": [thread]})
    extensions = await Extensions.load(workspace, trusted=True)
    result = await run_scenario(
        fake,
        workspace,
        prompt=PROMPT,
        permission_mode="bypassPermissions",
        extensions=extensions,
        **options,
    )
    assert fake.failures == [] and fake.unserved() == [], (fake.failures, fake.unserved())
    return result


async def test_a_background_agent_runs_beside_the_conversation(workspace: Path) -> None:
    main = [
        tool("Agent", LAUNCH),
        # The subagent is blocked until this conversation sends the signal: it must be running.
        tool(
            "TaskOutput",
            {"task_id": "agent_1", "block": False},
            result_contains=["Agent running in background with ID: agent_1"],
        ),
        tool(
            "Bash",
            {"command": "echo go > signal.fifo"},
            result_contains=["<status>running</status>", "<task_type>local_agent</task_type>"],
        ),
        tool("TaskOutput", {"task_id": "agent_1", "block": True, "timeout": 120000}),
        text(
            "The agent heard go.",
            result_contains=["<status>completed</status>", "The signal was: go"],
        ),
    ]
    sub = [
        tool("Bash", {"command": "cat signal.fifo"}),
        text("The signal was: go", result_contains=["go"]),
    ]
    done = await run(workspace, main, sub)
    assert done.result.result == "The agent heard go."
    [listed] = done.agent.ctx.background.listing()
    assert listed["type"] == "local_agent" and listed["status"] == "completed"
    assert listed["command"] == "general-purpose: wait for the signal"
    # The subagent's tool calls were shown as part of the run, under the Agent call.
    nested = [e for e in done.events if e.kind == "tool_result" and e.parent_tool_use_id]
    assert [e.data["content"] for e in nested] == ["go"]


SUB_WAITS = [
    # Tells the main conversation its shell's pid, then waits for a signal that never comes.
    tool("Bash", {"command": "echo pid=$$ > ready.fifo; cat signal.fifo"}),
    text("(never reached)"),
]


async def test_task_stop_stops_a_background_agent_and_its_commands(workspace: Path) -> None:
    main = [
        tool("Agent", LAUNCH),
        tool("Bash", {"command": "cat ready.fifo"}),
        tool("TaskStop", {"task_id": "agent_1"}, result_contains=["pid="]),
        tool("TaskOutput", {"task_id": "agent_1"}, result_contains=["Stopped task agent_1"]),
        text("Stopped.", result_contains=["<status>killed</status>"]),
    ]
    done = await run(workspace, main, SUB_WAITS[:1])
    pid = pid_in(done.tool_results()[1]["content"])
    assert dead(pid)
    assert done.agent.ctx.background.tasks["agent_1"].status == "killed"


async def test_the_session_end_stops_a_background_agent(workspace: Path) -> None:
    main = [
        tool("Agent", LAUNCH),
        tool("Bash", {"command": "cat ready.fifo"}),
        text("Left it working.", result_contains=["pid="]),
    ]
    done = await run(workspace, main, SUB_WAITS[:1])
    assert done.result.result == "Left it working."
    assert done.agent.ctx.background.tasks["agent_1"].status == "killed"
    assert dead(pid_in(done.tool_results()[1]["content"]))


async def test_the_model_is_told_when_a_background_agent_ends(workspace: Path) -> None:
    # Waits (in the main conversation's own command) until the agent's report is written.
    wait = (
        'until grep -qs "The signal was" "$LSP_AGENT_DATA_DIR"/tasks/*/agent_1.output; '
        "do sleep 0.05; done"
    )
    main = [
        tool("Agent", LAUNCH),
        tool("Bash", {"command": f"echo go > signal.fifo; {wait}"}),
        text("The agent has finished."),
    ]
    sub = [
        tool("Bash", {"command": "cat signal.fifo"}),
        text("The signal was: go", result_contains=["go"]),
    ]
    done = await run(workspace, main, sub)
    # The notice follows the Bash result in the message that answers it.
    last = done.fake.requests[-1].body["messages"][-1]
    assert [b["type"] for b in last["content"]] == ["tool_result", "text"]
    notice = last["content"][1]["text"]
    assert "<task-notification>\n<task-id>agent_1</task-id>\n<status>completed</status>" in notice
    assert 'Agent "wait for the signal" completed' in notice
    assert done.agent.ctx.background.tasks["agent_1"].notified


async def test_cancelling_the_run_stops_a_background_agent(workspace: Path) -> None:
    main = [
        tool("Agent", LAUNCH),
        tool("Bash", {"command": "cat ready.fifo"}),
        # The conversation's own command tells the test it is running, then waits for good.
        tool("Bash", {"command": "echo waiting > parent.fifo; cat signal.fifo"}),
    ]
    cancel = CancelToken()

    async def cancel_while_both_wait(fake: FakeAnthropic, agent: Agent) -> None:
        await asyncio.to_thread((workspace / "parent.fifo").read_text)
        cancel.cancel("cancelled by the user")

    done = await run(workspace, main, SUB_WAITS[:1], cancel=cancel, during=cancel_while_both_wait)
    assert done.result.subtype == "error_during_execution"
    assert done.result.result.startswith("cancelled")
    assert done.agent.ctx.background.tasks["agent_1"].status == "killed"
    assert dead(pid_in(done.tool_results()[1]["content"]))
