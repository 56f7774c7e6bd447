"""The translator on event lists: every event kind -> the session/updates it becomes, each
checked against the published schema."""

from __future__ import annotations

import os
from typing import Any

import pytest

from lsp_agent.acp.translator import Translator
from lsp_agent.agent import events as ev
from tests.acp.client import check as check_schema

S = {"session_id": "s1"}
READ = {"file_path": "/w/a.py", "offset": 3}
TODOS = [{"content": "Run the tests", "status": "in_progress", "activeForm": "Running"}]


def check(events: list[ev.AgentEvent], expected: list[dict[str, Any]]) -> None:
    translator = Translator()
    updates = [
        u.model_dump(mode="json", by_alias=True, exclude_none=True)
        for e in events
        for u in translator(e)
    ]
    for update in updates:
        check_schema({"sessionId": "s1", "update": update}, "SessionNotification")
    assert updates == expected


def test_text_and_thinking_stream_as_chunks() -> None:
    check(
        [ev.ThinkingDelta(**S, text="hmm"), ev.TextDelta(**S, text="hi")],
        [
            {"sessionUpdate": "agent_thought_chunk", "content": {"type": "text", "text": "hmm"}},
            {"sessionUpdate": "agent_message_chunk", "content": {"type": "text", "text": "hi"}},
        ],
    )


def test_a_subagents_prose_stays_out_of_the_answer() -> None:
    check([ev.TextDelta(**S, text="inner", parent_tool_use_id="t0")], [])


@pytest.mark.parametrize(
    ("name", "tool_input", "kind", "title"),
    [
        ("Read", READ, "read", "Read /w/a.py"),
        ("Edit", {"file_path": "/w/a.py"}, "edit", "Edit /w/a.py"),
        ("Grep", {"pattern": "def x"}, "search", "Grep def x"),
        ("LSP", {"operation": "hover", "filePath": "/w/a.py"}, "search", "LSP /w/a.py"),
        ("Bash", {"command": "ls  -l"}, "execute", "Bash: ls -l"),
        ("WebFetch", {"url": "https://x"}, "fetch", "WebFetch: https://x"),
        ("Task", {"description": "look"}, "think", "Task: look"),
        ("mcp__demo__add", {}, "other", "mcp__demo__add"),
    ],
)
def test_tool_calls_have_kinds_and_titles(
    name: str, tool_input: dict[str, Any], kind: str, title: str
) -> None:
    translator = Translator()
    [start] = translator(ev.ToolStarted(**S, id="t1", name=name, input=tool_input))
    assert (start.kind, start.title) == (kind, title)


def test_a_read_locates_its_file_and_finishes_with_its_output() -> None:
    check(
        [
            ev.ToolStarted(**S, id="t1", name="Read", input=READ),
            ev.ToolFinished(**S, id="t1", content="1\tx = 1", is_error=False),
        ],
        [
            {
                "sessionUpdate": "tool_call",
                "toolCallId": "t1",
                "title": "Read /w/a.py",
                "kind": "read",
                "status": "in_progress",
                "locations": [{"path": "/w/a.py", "line": 3}],
                "rawInput": READ,
            },
            {
                "sessionUpdate": "tool_call_update",
                "toolCallId": "t1",
                "status": "completed",
                "content": [{"type": "content", "content": {"type": "text", "text": "1\tx = 1"}}],
            },
        ],
    )


def test_an_lsp_call_locates_its_position() -> None:
    lsp = {"operation": "hover", "filePath": "/w/a.py", "line": 3, "character": 5}
    [start] = Translator()(ev.ToolStarted(**S, id="t1", name="LSP", input=lsp))
    assert start.locations is not None
    assert [(loc.path, loc.line) for loc in start.locations] == [("/w/a.py", 3)]


def test_todo_write_is_a_plan() -> None:
    translator = Translator()
    started = ev.ToolStarted(**S, id="t2", name="TodoWrite", input={"todos": TODOS})
    _, plan = translator(started)
    assert plan.model_dump(mode="json", by_alias=True, exclude_none=True) == {
        "sessionUpdate": "plan",
        "entries": [{"content": "Run the tests", "status": "in_progress", "priority": "medium"}],
    }


def test_a_shown_diff_stays_in_the_final_update() -> None:
    translator = Translator()
    translator.diff("t3", "/w/a.py", "a\n", "b\n")
    [final] = translator(ev.ToolFinished(**S, id="t3", content="ok", is_error=False))
    assert final.content is not None
    assert [c.type for c in final.content] == ["diff", "content"]


def test_events_the_prompt_answer_carries_send_nothing() -> None:
    usage = ev.UsageUpdated(**S, usage={"input_tokens": 1}, cost_usd=0.0)
    check([ev.SessionStarted(**S, cwd="/w"), usage], [])


@pytest.mark.skipif(os.environ.get("CI") != "true", reason="CI lays shared/ beside the clone")
def test_ci_validates_every_message_against_the_published_schema() -> None:
    from tests.acp.client import schema_path

    assert schema_path() is not None  # else tests/acp would run without schema checks
