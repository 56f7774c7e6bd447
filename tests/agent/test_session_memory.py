"""Transcripts (repair after a kill, resume, continue, fork), CLAUDE.md memory and the prompt."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from lsp_agent.agent.prompt.memory import imports_of, load_memory
from lsp_agent.agent.prompt.system import environment, system_blocks
from lsp_agent.agent.transcript import (
    SessionNotFound,
    complete_turns,
    fork_session,
    latest_session,
    new_session,
    resume_session,
)

TOOL_TURN = {
    "role": "assistant",
    "content": [{"type": "tool_use", "id": "t1", "name": "Bash", "input": {"command": "ls"}}],
}
RESULT = {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "a"}]}


def user(text: str) -> dict:
    return {"role": "user", "content": [{"type": "text", "text": text}]}


def assistant(text: str) -> dict:
    return {"role": "assistant", "content": [{"type": "text", "text": text}]}


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        ([user("a"), assistant("b")], [user("a"), assistant("b")]),
        ([user("a"), TOOL_TURN], [user("a")]),  # killed while the tool ran
        ([user("a"), TOOL_TURN, RESULT], [user("a"), TOOL_TURN, RESULT]),
        (
            [user("a"), TOOL_TURN, RESULT, user("b")],
            [
                user("a"),
                TOOL_TURN,
                {"role": "user", "content": RESULT["content"] + user("b")["content"]},
            ],
        ),
    ],
)
def test_complete_turns(messages: list[dict], expected: list[dict]) -> None:
    assert complete_turns(messages) == expected


def test_transcript_resume_ignores_a_torn_line(tmp_path: Path) -> None:
    transcript = new_session(tmp_path, "claude-sonnet-4-5")
    transcript.message(user("hello"))
    transcript.message(assistant("hi"))
    transcript.message(TOOL_TURN)
    transcript.close()
    with transcript.path.open("a") as file:
        file.write('{"type": "message", "mess')
    _, messages = resume_session(transcript.session_id)
    assert messages == [user("hello"), assistant("hi")]
    header = json.loads(transcript.path.read_text().splitlines()[0])
    assert header["cwd"] == str(tmp_path) and header["type"] == "session"


def test_continue_picks_the_latest_session_of_the_directory(tmp_path: Path) -> None:
    other = new_session(tmp_path / "elsewhere", "m")
    first = new_session(tmp_path, "m")
    first.close()
    second = new_session(tmp_path, "m")
    second.message(user("x"))
    second.close()
    other.close()
    assert latest_session(tmp_path) == second.session_id
    assert latest_session(tmp_path / "nowhere") is None


def test_fork_copies_under_a_new_id(tmp_path: Path) -> None:
    original = new_session(tmp_path, "m")
    original.message(user("x"))
    original.close()
    forked = fork_session(original.session_id)
    assert forked != original.session_id
    assert resume_session(forked)[1] == [user("x")]


@pytest.mark.parametrize(
    "bad", ["nope", "../../etc/passwd", "00000000-0000-0000-0000-000000000000"]
)
def test_unknown_or_malformed_session_ids(bad: str) -> None:
    with pytest.raises(SessionNotFound):
        resume_session(bad)


def test_imports_skip_code() -> None:
    text = (
        "See @docs/style.md and @~/prefs.md.\n`@not/this` here\n```\n@nor/this\n```\nmail a@b.c\n"
    )
    assert imports_of(text) == ["docs/style.md", "~/prefs.md."]


def test_memory_order_and_imports(tmp_path: Path) -> None:
    home = Path.home()  # the autouse fixture points HOME at a temp directory
    (home / ".claude").mkdir(parents=True)
    (home / ".claude" / "CLAUDE.md").write_text("user memory")
    project = tmp_path / "project"
    (project / "docs" / "deep").mkdir(parents=True)
    (project / "CLAUDE.md").write_text("project memory, see @docs/a.md")
    (project / "docs" / "a.md").write_text("a imports @deep/b.md")  # relative to docs/
    (project / "docs" / "deep" / "b.md").write_text("b imports @../a.md and @c.md")
    (project / "docs" / "deep" / "c.md").write_text("c imports @d.md")
    (project / "docs" / "deep" / "d.md").write_text("d imports @e.md")
    (project / "docs" / "deep" / "e.md").write_text("five hops: not loaded")
    (project / "CLAUDE.local.md").write_text("local memory")
    names = [m.path.name for m in load_memory(project)]
    assert names == ["CLAUDE.md", "CLAUDE.md", "a.md", "b.md", "c.md", "d.md", "CLAUDE.local.md"]


def test_system_prompt_has_environment_memory_and_append(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "CLAUDE.md").write_text("Always answer in French.")
    blocks = system_blocks(tmp_path, append="Extra rule.")
    text = "\n".join(b["text"] for b in blocks)
    assert "Is directory a git repo: Yes" in text
    assert "Always answer in French." in text
    assert blocks[-1]["text"] == "Extra rule."
    replaced = system_blocks(tmp_path, replace="Custom.", with_memory=False)
    assert replaced[0]["text"] == "Custom." and len(replaced) == 2


def test_environment_facts(tmp_path: Path) -> None:
    env = environment(tmp_path, [tmp_path / "extra"], datetime.date(2026, 1, 2))
    assert f"Working directory: {tmp_path}" in env
    assert "Today's date: 2026-01-02" in env
    assert f"Additional working directory: {tmp_path / 'extra'}" in env
