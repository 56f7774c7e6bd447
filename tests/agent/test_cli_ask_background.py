"""Background tasks when headless `lsp-agent ask` has its answer, as `claude -p` (headless.md,
"Background tasks at exit"): background agents are waited for and the model answers their
report (capped by CLAUDE_CODE_PRINT_BG_WAIT_CEILING_MS); background commands get five seconds
to end, then are stopped. A real `lsp-agent ask` process against the replaying fake API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsp_agent.testing.replay import ReplayAnthropic
from tests.agent.test_cli_ask import ask
from tests.agent.tools.test_background import dead
from tests.conftest import isolated_env

SUB_PROMPT = "SUBAGENT-JOB: measure the thing"


def env_for(tmp_path: Path, fake: ReplayAnthropic, **extra: str) -> dict[str, str]:
    env = isolated_env(tmp_path / "env")
    env.update(ANTHROPIC_BASE_URL=fake.base_url, ANTHROPIC_API_KEY="sk-test-key", **extra)
    return env


def turn(*blocks: dict[str, Any], stop: str = "end_turn") -> dict[str, Any]:
    return {"respond": list(blocks), "stop_reason": stop}


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def tool(name: str, tool_input: dict[str, Any]) -> dict[str, Any]:
    return {"type": "tool_use", "name": name, "input": tool_input}


def background_agent() -> dict[str, Any]:
    launch = {"description": "measure", "prompt": SUB_PROMPT, "run_in_background": True}
    return turn(tool("Agent", launch), stop="tool_use")


def scenario(main: list[dict[str, Any]], sub: list[dict[str, Any]]) -> dict[str, Any]:
    thread = {"name": "sub", "prompt_contains": SUB_PROMPT, "turns": sub}
    return {"prompt": "measure it", "turns": main, "threads": [thread]}


def user_text(message: dict[str, Any]) -> str:
    content = message["content"]
    if isinstance(content, str):
        return content
    return "\n".join(str(block.get("text", "")) for block in content)


async def test_ask_waits_for_a_background_agent_and_answers_its_report(
    workspace: Path, tmp_path: Path
) -> None:
    main = [
        background_agent(),
        turn(text("Started the measurement.")),
        turn(text("The measurement says 42.")),  # after hearing that the agent ended
    ]
    sub = [
        turn(tool("Bash", {"command": "sleep 2", "description": "wait"}), stop="tool_use"),
        turn(text("MEASURED: 42")),
    ]
    async with ReplayAnthropic(scenario(main, sub)) as fake:
        args = ("--cwd", str(workspace), "--allowedTools", "Bash(sleep *)", "measure it")
        done = await ask(env_for(tmp_path, fake), *args)
    assert done.code == 0, done.stderr
    assert done.stdout.endswith("The measurement says 42.\n")
    assert fake.failures == [] and fake.unserved() == []
    [last] = [r.body for r in fake.requests if len(r.body["messages"]) == 5]
    notice = user_text(last["messages"][-1])
    assert "<task-notification>" in notice and "<status>completed</status>" in notice


async def test_the_wait_for_background_agents_has_a_ceiling(
    workspace: Path, tmp_path: Path
) -> None:
    main = [background_agent(), turn(text("Started the measurement."))]
    sub = [
        turn(tool("Bash", {"command": "sleep 600"}), stop="tool_use"),
        turn(text("never reached")),
    ]
    async with ReplayAnthropic(scenario(main, sub)) as fake:
        env = env_for(tmp_path, fake, CLAUDE_CODE_PRINT_BG_WAIT_CEILING_MS="1500")
        args = ("--cwd", str(workspace), "--allowedTools", "Bash(sleep *)", "measure it")
        done = await ask(env, *args)  # within ask's 60 s limit, not the sleep's 600 s
    assert done.code == 0, done.stderr
    assert done.stdout.endswith("Started the measurement.\n")
    assert "stopping background agents still running after 1.5 s: agent_1" in done.stderr
    assert "CLAUDE_CODE_PRINT_BG_WAIT_CEILING_MS" in done.stderr


async def test_a_background_command_gets_a_grace_period_then_is_stopped(
    workspace: Path, tmp_path: Path
) -> None:
    quick = {"command": "sleep 1; echo built > built.txt", "run_in_background": True}
    forever = {"command": "echo $$ > server.pid; exec sleep 600", "run_in_background": True}
    main = [
        turn(tool("Bash", quick), tool("Bash", forever), stop="tool_use"),
        turn(text("Both are running.")),
    ]
    async with ReplayAnthropic(scenario(main, [])) as fake:
        args = ("--cwd", str(workspace), "--allowedTools", "Bash", "measure it")
        done = await ask(env_for(tmp_path, fake), *args)
    assert done.code == 0, done.stderr
    assert done.stdout.endswith("Both are running.\n")
    # The quick build finished within the grace period; the server was stopped after it.
    assert (workspace / "built.txt").read_text() == "built\n"
    assert dead(int((workspace / "server.pid").read_text()))
