"""The loop end to end against the fake API: real HTTP, real tools, a real workspace."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from lsp_agent.agent.loop import Agent
from lsp_agent.agent.ports import CancelToken, PermissionResult
from lsp_agent.agent.transcript import resume_session
from lsp_agent.testing.fake_anthropic import FakeAnthropic
from tests.agent.conftest import API_KEY, run_scenario


async def test_read_then_edit(workspace: Path) -> None:
    run = await run_scenario("read_then_edit", workspace, permission_mode="acceptEdits")
    assert run.result.subtype == "success"
    assert run.result.result == "I changed the greeting to 'hello, world'."
    assert (workspace / "hello.py").read_text() == "print('hello, world')\n"
    assert run.result.turns == 3
    assert [r["is_error"] for r in run.tool_results()] == [False, False]
    assert run.kinds("proposal")[0]["applied"] is True
    assert run.result.usage["cache_read_input_tokens"] == 2490
    assert run.result.cost_usd > 0
    # Text deltas were streamed as they arrived, not only as the final result.
    assert len(run.kinds("text")) > 3


async def test_edit_asks_in_default_mode_and_the_host_decides(workspace: Path) -> None:
    asked: list[tuple[str, str]] = []

    async def approve(name: str, tool_input: dict[str, Any], reason: str) -> PermissionResult:
        asked.append((name, reason))
        return PermissionResult("allow")

    run = await run_scenario("read_then_edit", workspace, can_use_tool=approve)
    assert [name for name, _ in asked] == ["Edit"]  # Read needs no approval
    assert (workspace / "hello.py").read_text() == "print('hello, world')\n"
    assert run.result.subtype == "success"


async def test_edit_denied_headless_in_default_mode(workspace: Path) -> None:
    run = await run_scenario("read_then_edit", workspace)
    edit_result = run.tool_results()[1]
    assert edit_result["is_error"] and "not granted" in edit_result["content"]
    assert (workspace / "hello.py").read_text() == "print('hello')\n"


async def test_several_read_only_tools_in_one_turn(workspace: Path) -> None:
    (workspace / "a.txt").write_text("alpha\n")
    (workspace / "b.txt").write_text("beta\n")
    run = await run_scenario("several_tools_one_turn", workspace, thinking_budget=2048)
    assert run.result.subtype == "success"
    second = run.fake.requests[1].body["messages"]
    results = second[2]["content"]
    calls = [b for b in second[1]["content"] if b["type"] == "tool_use"]
    # One tool_result per call, in call order, all in the message after the tool_use turn.
    assert [r["tool_use_id"] for r in results[:3]] == [c["id"] for c in calls]
    assert "alpha" in results[0]["content"] and "beta" in results[1]["content"]
    # The thinking block went back unchanged (the fake checks the signature and text).
    assert second[1]["content"][0]["type"] == "thinking"


async def test_write_refused_without_read(workspace: Path) -> None:
    run = await run_scenario("write_without_read", workspace, permission_mode="acceptEdits")
    [result] = run.tool_results()
    assert result["is_error"]
    assert "read" in result["content"].lower()
    assert (workspace / "hello.py").read_text() == "print('hello')\n"


async def test_path_escape_refused(workspace: Path) -> None:
    (workspace.parent / "outside.txt").write_text("secret\n")
    run = await run_scenario("path_escape", workspace)
    results = run.tool_results()
    assert [r["is_error"] for r in results] == [True, True]
    assert all("outside the workspace" in r["content"] for r in results)
    assert "secret" not in str(run.fake.requests[1].body)


async def test_bash_denied_headless_in_default_mode(workspace: Path) -> None:
    run = await run_scenario("bash_headless", workspace)
    [result] = run.tool_results()
    assert result["is_error"] and "not granted" in result["content"]
    assert not (workspace / "ran-bash").exists()
    assert run.result.subtype == "success"


async def test_api_failures_are_retried(workspace: Path) -> None:
    run = await run_scenario("retries", workspace)
    assert run.result.subtype == "success"
    assert run.result.result == "Recovered after four failures."
    retries = run.kinds("retry")
    assert len(retries) == 4
    assert retries[0]["delay"] == 0.05  # retry-after honoured
    assert "rate" in retries[0]["error"].lower()
    assert "overloaded" in retries[1]["error"].lower()
    assert "stream error overloaded_error" in retries[2]["error"]
    assert "connection" in retries[3]["error"] or "ended" in retries[3]["error"]


async def test_fallback_model_after_repeated_overload(workspace: Path) -> None:
    run = await run_scenario("fallback_model", workspace, fallback_model="claude-haiku-4-5")
    assert run.result.subtype == "success"
    models = [r.body["model"] for r in run.fake.requests]
    assert models == ["claude-opus-5", "claude-opus-5", "claude-haiku-4-5"]


async def test_auth_error_fails_at_once_without_the_key(
    workspace: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # httpx and the engine log at debug level
    run = await run_scenario("auth_error", workspace)
    assert caplog.records and API_KEY not in caplog.text
    assert API_KEY not in str([e.data for e in run.events])
    assert run.result.subtype == "error_during_execution"
    assert "ANTHROPIC_API_KEY" in run.result.result
    assert API_KEY not in run.result.result
    assert len(run.fake.requests) == 1


async def test_max_turns(workspace: Path) -> None:
    run = await run_scenario("max_turns", workspace, max_turns=2)
    assert run.result.subtype == "error_max_turns"
    assert run.result.turns == 2
    assert run.fake.remaining == 1


async def test_max_budget(workspace: Path) -> None:
    run = await run_scenario("max_turns", workspace, max_budget_usd=0.000001)
    assert run.result.subtype == "error_max_budget_usd"
    assert run.result.turns == 1


async def test_pause_turn_continues(workspace: Path) -> None:
    run = await run_scenario("pause_turn", workspace)
    assert run.result.subtype == "success"
    second = run.fake.requests[1].body["messages"]
    assert second[-1] == {
        "role": "assistant",
        "content": [{"type": "text", "text": "Working on it"}],
    }


async def test_max_tokens_inside_tool_input_re_asks(workspace: Path) -> None:
    run = await run_scenario("max_tokens_tool_input", workspace, permission_mode="acceptEdits")
    assert run.result.subtype == "success"
    assert (workspace / "new.py").read_text() == "def f():\n    return 1\n"
    retry_request = run.fake.requests[1].body["messages"]
    assert "max_tokens" in retry_request[-1]["content"][-1]["text"]


async def test_cancellation_mid_stream(workspace: Path) -> None:
    cancel = CancelToken()

    async def cancel_when_held(fake: FakeAnthropic, agent: Agent) -> None:
        await fake.held.wait()
        cancel.cancel("user pressed stop")

    run = await run_scenario("hold_mid_stream", workspace, cancel=cancel, during=cancel_when_held)
    assert run.result.subtype == "error_during_execution"
    assert run.result.result == "cancelled: user pressed stop"
    # The transcript holds only complete turns: the read and its result; no partial answer.
    _, messages = resume_session(run.result.session_id)
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]


async def test_cancellation_before_a_tool_call_applies_nothing(workspace: Path) -> None:
    cancel = CancelToken()

    async def cancel_on_edit(
        name: str, tool_input: dict[str, Any], reason: str
    ) -> PermissionResult:
        cancel.cancel("stopped while asking")
        return PermissionResult("allow")

    run = await run_scenario(
        "read_then_edit", workspace, cancel=cancel, can_use_tool=cancel_on_edit
    )
    assert run.result.result == "cancelled: stopped while asking"
    assert (workspace / "hello.py").read_text() == "print('hello')\n"
    assert run.kinds("tool_result")[-1]["id"] != run.kinds("tool_use")[-1]["id"]


async def test_wall_time_limit(workspace: Path) -> None:
    # The second answer never finishes (the fake holds it), so only the limit can end the run.
    run = await run_scenario("hold_mid_stream", workspace, max_wall_seconds=0.5)
    assert run.result.subtype == "error_during_execution"
    assert "wall time" in run.result.result


async def test_hooks_see_the_session_transcript_and_mode(workspace: Path) -> None:
    import shlex
    import sys

    from lsp_agent.agent.claude.extensions import Extensions

    seen = workspace.parent / "hook-input.json"
    script = workspace.parent / "hook.py"
    script.write_text(f"import sys\nopen({str(seen)!r}, 'w').write(sys.stdin.read())\n")
    command = f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"
    settings = {
        "hooks": {
            "PreToolUse": [{"matcher": "Read", "hooks": [{"type": "command", "command": command}]}]
        }
    }
    (workspace / ".claude").mkdir()
    (workspace / ".claude" / "settings.json").write_text(json.dumps(settings))
    extensions = await Extensions.load(workspace, trusted=True, mcp=False)
    run = await run_scenario(
        "read_then_edit", workspace, extensions=extensions, permission_mode="acceptEdits"
    )
    hook_input = json.loads(seen.read_text())
    assert hook_input["session_id"] == run.result.session_id
    assert hook_input["transcript_path"].endswith(f"{run.result.session_id}.jsonl")
    assert hook_input["permission_mode"] == "acceptEdits"
    assert hook_input["tool_name"] == "Read"


def _bash_twice(workspace: Path) -> dict[str, Any]:
    def call(name: str) -> dict[str, Any]:
        return {
            "type": "tool_use",
            "name": "Bash",
            "input": {"command": f"touch {workspace}/{name}"},
        }

    return {
        "responses": [
            {"content": [call("one")]},
            {"content": [call("two")]},
            {"content": [{"type": "text", "text": "Both done."}]},
        ]
    }


async def test_settings_allow_rule_lets_bash_run_headless(workspace: Path) -> None:
    (workspace / ".claude").mkdir()
    allow = {"permissions": {"allow": ["Bash(touch:*)"]}}
    (workspace / ".claude" / "settings.json").write_text(json.dumps(allow))
    run = await run_scenario(_bash_twice(workspace), workspace)
    assert [r["is_error"] for r in run.tool_results()] == [False, False]
    assert (workspace / "one").exists() and (workspace / "two").exists()


async def test_allow_for_the_session_is_remembered(workspace: Path) -> None:
    asked: list[str] = []

    async def host(name: str, tool_input: dict[str, Any], reason: str) -> PermissionResult:
        asked.append(tool_input["command"])
        return PermissionResult("allow", remember=True)

    scenario = _bash_twice(workspace)
    second = scenario["responses"][1]["content"][0]
    second["input"] = dict(scenario["responses"][0]["content"][0]["input"])  # same command
    run = await run_scenario(scenario, workspace, can_use_tool=host)
    assert len(asked) == 1 and run.result.subtype == "success"


async def test_a_session_takes_one_prompt_at_a_time(workspace: Path) -> None:
    cancel = CancelToken()

    async def second_prompt_while_held(fake: FakeAnthropic, agent: Agent) -> None:
        await fake.held.wait()
        with pytest.raises(RuntimeError, match="already running"):
            await agent.run("another")
        cancel.cancel("done")

    run = await run_scenario(
        "hold_mid_stream", workspace, cancel=cancel, during=second_prompt_while_held
    )
    assert run.result.result == "cancelled: done"


async def test_cancel_while_the_user_is_being_asked(workspace: Path) -> None:
    cancel = CancelToken()
    never = asyncio.Event()

    async def slow_user(name: str, tool_input: dict[str, Any], reason: str) -> PermissionResult:
        cancel.cancel("stopped from the editor")
        await never.wait()  # the user never answers
        return PermissionResult("allow")

    run = await run_scenario("read_then_edit", workspace, cancel=cancel, can_use_tool=slow_user)
    assert run.result.result == "cancelled: stopped from the editor"
    assert (workspace / "hello.py").read_text() == "print('hello')\n"


async def test_an_empty_prompt_is_answered_without_the_model(workspace: Path) -> None:
    run = await run_scenario({"responses": []}, workspace, prompt="  \n")
    assert run.result.is_error and run.result.result == "the prompt is empty"
    assert run.fake.requests == []


async def test_a_post_tool_hook_can_stop_the_run(workspace: Path) -> None:
    import shlex
    import sys

    from lsp_agent.agent.claude.extensions import Extensions

    script = workspace.parent / "stop.py"
    script.write_text('print(\'{"continue": false, "stopReason": "enough reading"}\')\n')
    command = f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"
    hook = {"matcher": "Read", "hooks": [{"type": "command", "command": command}]}
    (workspace / ".claude").mkdir()
    (workspace / ".claude" / "settings.json").write_text(
        json.dumps({"hooks": {"PostToolUse": [hook]}})
    )
    extensions = await Extensions.load(workspace, trusted=True, mcp=False)
    run = await run_scenario(
        "read_then_edit", workspace, extensions=extensions, permission_mode="acceptEdits"
    )
    assert run.result.result == "enough reading"
    assert (workspace / "hello.py").read_text() == "print('hello')\n"  # the Edit never ran
    assert len(run.fake.requests) == 1


async def test_refusal_ends_the_run_with_its_own_subtype(workspace: Path) -> None:
    refusal = {"content": [{"type": "text", "text": ""}], "stop_reason": "refusal"}
    run = await run_scenario({"responses": [refusal]}, workspace)
    assert run.result.subtype == "error_refusal" and run.result.is_error
    assert "declined" in run.result.result


async def test_context_window_exceeded_is_an_error(workspace: Path) -> None:
    full = {
        "content": [{"type": "text", "text": "..."}],
        "stop_reason": "model_context_window_exceeded",
    }
    run = await run_scenario({"responses": [full]}, workspace)
    assert run.result.subtype == "error_context_window"
    assert "/compact" in run.result.result


async def test_web_search_blocks_round_trip_through_pause_turn(workspace: Path) -> None:
    search = {"query": "weather NYC today"}
    paused = {
        "content": [
            {"type": "text", "text": "Let me search."},
            {"type": "server_tool_use", "id": "srvtoolu_01", "name": "web_search", "input": search},
            {
                "type": "web_search_tool_result",
                "tool_use_id": "srvtoolu_01",
                "content": [{"type": "web_search_result", "title": "NYC", "url": "https://x.test"}],
            },
        ],
        "stop_reason": "pause_turn",
        "usage": {"server_tool_use": {"web_search_requests": 2}},
    }
    done = {"content": [{"type": "text", "text": "Sunny."}]}
    run = await run_scenario({"responses": [paused, done]}, workspace)
    assert run.result.subtype == "success"
    continued = run.fake.requests[1].body["messages"][-1]["content"]
    used = next(b for b in continued if b["type"] == "server_tool_use")
    assert used["input"] == search  # sent back as streamed, not emptied
    assert run.result.usage["web_search_requests"] == 2
    tokens_only = run.result.cost_usd - 2 * 0.01
    assert 0 < tokens_only < 0.01  # the searches are billed on top of the tokens


async def test_a_malformed_call_is_refused_naming_the_field(workspace: Path) -> None:
    calls = [
        {"type": "tool_use", "name": "Read", "input": {"file_path": 7}},
        {"type": "tool_use", "name": "Grep", "input": {"pattern": "x", "output_mode": "lines"}},
        {"type": "tool_use", "name": "Bash", "input": {"description": "no command"}},
        {"type": "tool_use", "name": "LS", "input": {"path": ".", "colour": True}},
    ]
    scenario = {"responses": [{"content": calls}, {"content": [{"type": "text", "text": "ok"}]}]}
    run = await run_scenario(scenario, workspace, permission_mode="bypassPermissions")
    read, grep, bash, ls = (r["content"] for r in run.tool_results())
    assert read == "InputValidationError: Read: `file_path` must be a string, got a number"
    assert "`output_mode` must be one of files_with_matches, content, count" in grep
    assert "the required parameter `command` is missing" in bash
    assert "an unexpected parameter `colour` was given" in ls
    assert run.result.subtype == "success"
