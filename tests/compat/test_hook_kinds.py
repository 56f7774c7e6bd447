"""Hooks as Claude Code runs them now, through `lsp-agent ask` and the scripted fake API: an
`http` hook with an `if` rule, `once`, PermissionRequest answering for the user (headless),
PostToolBatch context, SubagentStart context, and event names that never fire accepted."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from lsp_agent.agent.claude.hooks_config import parse_hooks
from lsp_agent.testing.fake_anthropic import FakeAnthropic
from tests.agent.test_cli_ask import ask, cli_env
from tests.compat.conftest import write_json


class HookServer:
    """A plain HTTP endpoint answering every POST with one JSON body, recording what came."""

    def __init__(self, answer: dict[str, Any]) -> None:
        self.answer = json.dumps(answer).encode()
        self.received: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        lines = head.split("\r\n")[1:]
        headers = {k.lower(): v.strip() for k, _, v in (x.partition(":") for x in lines if x)}
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        self.received.append(json.loads(body))
        self.headers.append(headers)
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
            + f"content-length: {len(self.answer)}\r\nconnection: close\r\n\r\n".encode()
            + self.answer
        )
        await writer.drain()
        writer.close()


@pytest.fixture
async def hook_server() -> AsyncIterator[tuple[HookServer, str]]:
    deny = {
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": "deny",
            "permissionDecisionReason": "no rm, says the http hook",
        }
    }
    server = HookServer(deny)
    listening = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    async with listening:
        yield server, f"http://127.0.0.1:{port}/hook"


def py(code: str) -> str:
    return f"{sys.executable} -c {json.dumps(code)}"


def tool(name: str, tool_input: dict[str, Any]) -> dict[str, Any]:
    return {"content": [{"type": "tool_use", "name": name, "input": tool_input}]}


async def test_http_if_once_permission_request_and_batch_hooks(
    tmp_path: Path, hook_server: tuple[HookServer, str]
) -> None:
    server, url = hook_server
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    once_log = tmp_path / "once.log"
    allow = {
        "hookSpecificOutput": {
            "hookEventName": "PermissionRequest",
            "decision": {"behavior": "allow"},
        }
    }
    batch = {
        "hookSpecificOutput": {
            "hookEventName": "PostToolBatch",
            "additionalContext": "batch checked",
        }
    }
    settings = {
        "hooks": {
            "PreToolUse": [
                {
                    "matcher": "Bash",
                    "hooks": [
                        {
                            "type": "http",
                            "url": url,
                            "if": "Bash(rm *)",
                            "headers": {"X-Team": "$TEAM_NAME", "X-Key": "$ANTHROPIC_API_KEY"},
                            "allowedEnvVars": ["TEAM_NAME", "ANTHROPIC_API_KEY"],
                            "statusMessage": "Asking the policy server",
                        }
                    ],
                },
                {
                    "matcher": "Bash",
                    "hooks": [
                        {"type": "command", "once": True, "command": f"echo ran >> {once_log}"}
                    ],
                },
            ],
            "PermissionRequest": [
                {
                    "matcher": "Bash",
                    "hooks": [
                        {
                            "type": "command",
                            "command": py(f"print({json.dumps(json.dumps(allow))})"),
                        }
                    ],
                }
            ],
            "PostToolBatch": [
                {
                    "hooks": [
                        {
                            "type": "command",
                            "command": py(f"print({json.dumps(json.dumps(batch))})"),
                        }
                    ]
                }
            ],
            "FileChanged": [{"hooks": [{"type": "command", "command": "true"}]}],
        }
    }
    write_json(workspace / ".claude" / "settings.json", settings)
    responses = [
        tool("Bash", {"command": "rm -rf build"}),
        tool("Bash", {"command": "echo hi"}),
        {"content": [{"type": "text", "text": "Done."}]},
    ]
    async with FakeAnthropic({"responses": responses}, variables={"cwd": str(workspace)}) as fake:
        env = {**cli_env(tmp_path, fake), "TEAM_NAME": "blue"}
        done = await ask(env, "--cwd", str(workspace), "--output-format", "stream-json", "go")
    assert done.code == 0, done.stderr
    assert "FileChanged" not in done.stderr  # accepted: it just never fires here
    # The http hook ran for `rm` only (its `if`), denied it, and got no credential.
    [posted] = server.received
    assert posted["tool_input"] == {"command": "rm -rf build"}
    assert server.headers[0]["x-team"] == "blue" and server.headers[0]["x-key"] == ""
    first = json.dumps(fake.requests[1].body["messages"][-1])
    assert "no rm, says the http hook" in first
    # `echo hi` needed permission (headless, default mode): the PermissionRequest hook gave it.
    second = fake.requests[2].body["messages"][-1]["content"]
    assert any(b.get("type") == "tool_result" and "hi" in json.dumps(b) for b in second)
    assert not any(b.get("is_error") for b in second if b.get("type") == "tool_result")
    assert any("batch checked" in b.get("text", "") for b in second)
    # `once` is for skill and command frontmatter only: in a settings file it is ignored.
    assert once_log.read_text() == "ran\nran\n"
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert any("Asking the policy server" in json.dumps(e) for e in events)


async def test_subagent_start_context(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    extra = {
        "hookSpecificOutput": {
            "hookEventName": "SubagentStart",
            "additionalContext": "Subagents follow the team rules.",
        }
    }
    write_json(
        workspace / ".claude" / "settings.json",
        {
            "hooks": {
                "SubagentStart": [
                    {
                        "matcher": "Explore",
                        "hooks": [
                            {
                                "type": "command",
                                "command": py(f"print({json.dumps(json.dumps(extra))})"),
                            }
                        ],
                    }
                ]
            }
        },
    )
    call = {"subagent_type": "Explore", "description": "look", "prompt": "Look around."}
    responses = [
        tool("Agent", call),
        {"content": [{"type": "text", "text": "Seen."}]},
        {"content": [{"type": "text", "text": "Done."}]},
    ]
    async with FakeAnthropic({"responses": responses}, variables={"cwd": str(workspace)}) as fake:
        done = await ask(cli_env(tmp_path, fake), "--cwd", str(workspace), "explore")
    assert done.code == 0, done.stderr
    child = json.dumps(fake.requests[1].body["messages"][0])
    assert "Look around." in child and "Subagents follow the team rules." in child


def test_unknown_events_types_and_per_event_limits_are_reported() -> None:
    config = parse_hooks(
        [
            (
                "s.json",
                {
                    "hooks": {
                        "Bogus": [],
                        "Stop": [{"hooks": [{"type": "script", "x": 1}, {"type": "http"}]}],
                        "CwdChanged": [{"hooks": [{"type": "command", "command": "true"}]}],
                        "SessionStart": [
                            {"hooks": [{"type": "http", "url": "http://x"}]},
                            {"hooks": [{"type": "agent", "prompt": "check"}]},
                        ],
                        "Notification": [{"hooks": [{"type": "prompt", "prompt": "check"}]}],
                        "PostToolUse": [
                            {"hooks": [{"type": "mcp_tool", "tool": "scan"}]},
                            {"hooks": [{"type": "command", "command": "node", "args": "a.js"}]},
                        ],
                    }
                },
            )
        ]
    )
    assert config.problems == [
        "s.json: hook event 'Bogus' is not supported; ignored",
        "s.json: Stop hook of type 'script' is not supported",
        "s.json: Stop http hook without a url",
        "s.json: SessionStart does not take http hooks (only command, mcp_tool); "
        "this one is ignored",
        "s.json: SessionStart does not take agent hooks (only command, mcp_tool); "
        "this one is ignored",
        "s.json: Notification does not take prompt hooks (only command, http, mcp_tool); "
        "this one is ignored",
        "s.json: PostToolUse mcp_tool hook without a server; ignored",
        "s.json: PostToolUse command hook: 'args' must be a list of strings; ignored",
    ]


async def test_stop_failure_and_post_compact(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    log = tmp_path / "events.log"
    record = f"cat >> {log}; echo >> {log}"
    write_json(
        workspace / ".claude" / "settings.json",
        {
            "hooks": {
                **{
                    event: [{"hooks": [{"type": "command", "command": record}]}]
                    for event in ("StopFailure", "PostCompact")
                },
                # Matchers: the error type and the end reason; neither fires here.
                "StopFailure": [
                    {"hooks": [{"type": "command", "command": record}]},
                    {
                        "matcher": "rate_limit",
                        "hooks": [{"type": "command", "command": f"{record}; true"}],
                    },
                ],
                "SessionEnd": [
                    {"matcher": "clear", "hooks": [{"type": "command", "command": record}]}
                ],
            }
        },
    )
    failing = {
        "responses": [
            {
                "status": 401,
                "error": {"type": "authentication_error", "message": "invalid x-api-key"},
            }
        ]
    }
    async with FakeAnthropic(failing, variables={"cwd": str(workspace)}) as fake:
        done = await ask(cli_env(tmp_path, fake), "--cwd", str(workspace), "hi")
    assert done.code == 1
    answers = ["Hello.", "Summary: said hi."]
    compacting = {"responses": [{"content": [{"type": "text", "text": t}]} for t in answers]}
    async with FakeAnthropic(compacting, variables={"cwd": str(workspace)}) as fake:
        env = cli_env(tmp_path, fake)
        done = await ask(env, "--cwd", str(workspace), "--output-format", "json", "hi")
        session = json.loads(done.stdout)["session_id"]
        done = await ask(env, "--cwd", str(workspace), "--resume", session, "/compact")
    assert done.code == 0, done.stderr
    assert fake.remaining == 0
    events = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    assert [e["hook_event_name"] for e in events] == ["StopFailure", "PostCompact"]
    # `error` is Claude Code's error type (the matcher); the text is in the details.
    assert events[0]["error"] == "authentication_failed"
    assert "invalid x-api-key" in events[0]["error_details"]
    assert events[1]["trigger"] == "manual" and "said hi" in events[1]["compact_summary"]


async def test_a_prompt_hook_continuing_on_block_denies_to_the_model(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    hook = {
        "type": "prompt",
        "prompt": "Refuse any Bash command deleting files: $ARGUMENTS",
        "continueOnBlock": True,
    }
    write_json(
        workspace / ".claude" / "settings.json",
        {"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [hook]}]}},
    )
    verdict = '{"ok": false, "reason": "deleting files is not allowed here"}'
    responses = [
        tool("Bash", {"command": "rm -rf build"}),
        {"content": [{"type": "text", "text": verdict}]},  # the hook's request
        {"content": [{"type": "text", "text": "I will not delete it."}]},
    ]
    async with FakeAnthropic({"responses": responses}, variables={"cwd": str(workspace)}) as fake:
        done = await ask(
            cli_env(tmp_path, fake),
            *("--cwd", str(workspace), "--permission-mode", "bypassPermissions", "clean"),
        )
    assert done.code == 0, done.stderr
    judged = fake.requests[1].body
    assert "You evaluate one event" in json.dumps(judged["system"])
    asked = judged["messages"][0]["content"][0]["text"]
    assert asked.startswith("Refuse any Bash command deleting files: {")
    assert '"rm -rf build"' in asked
    result = json.dumps(fake.requests[2].body["messages"][-1])
    assert "deleting files is not allowed here" in result and '"is_error": true' in result
    assert not (workspace / "build").exists()


def test_default_timeouts_follow_the_event_and_type() -> None:
    def hooks(event: str, *entries: dict[str, Any]) -> list[tuple[str, Any]]:
        return [("s.json", {"hooks": {event: [{"hooks": list(entries)}]}})]

    command = {"type": "command", "command": "true"}
    prompt = {"type": "prompt", "prompt": "ok?"}
    agent = {"type": "agent", "prompt": "ok?"}
    stop = parse_hooks(hooks("Stop", command, prompt, agent)).commands("Stop", None)
    assert [h.timeout for h in stop] == [600.0, 30.0, 60.0]
    submit = parse_hooks(hooks("UserPromptSubmit", command)).commands("UserPromptSubmit", None)
    assert [h.timeout for h in submit] == [30.0]
    ending = parse_hooks(hooks("SessionEnd", command, {**command, "command": "x", "timeout": 900}))
    assert [h.timeout for h in ending.commands("SessionEnd", None)] == [1.5, 60.0]
