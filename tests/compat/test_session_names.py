"""Naming sessions as Claude Code does: `--name`/`-n`, `/rename [name]` (without a name, one the
small fast model makes from the conversation), hooks' `sessionTitle` (SessionStart,
UserPromptSubmit), `--resume <name>`; end to end through `lsp-agent ask` and the fake API."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from lsp_agent.testing.fake_anthropic import FakeAnthropic
from tests.agent.test_cli_ask import ask, cli_env, transcripts
from tests.compat.conftest import write_json


def text(words: str) -> dict[str, Any]:
    return {"content": [{"type": "text", "text": words}]}


def events(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def names(env: dict[str, str]) -> dict[str, str]:
    """Session id -> the name kept beside its transcript."""
    return {p.stem: p.with_suffix(".title").read_text() for p in transcripts(env)
            if p.with_suffix(".title").exists()}  # fmt: skip


def title_records(transcript: Path) -> list[str]:
    records = [json.loads(line) for line in transcript.read_text().splitlines()]
    return [r["customTitle"] for r in records if r["type"] == "custom-title"]


async def test_name_rename_and_resume_by_name(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    answers = [text("Hello."), text("Going on."), text("Login Flow Fix."), text("Again.")]
    async with FakeAnthropic({"responses": answers}, variables={"cwd": str(workspace)}) as fake:
        env = cli_env(tmp_path, fake)
        where = ("--cwd", str(workspace), "--output-format", "stream-json")
        first = await ask(env, *where, "-n", "auth refactor", "fix the login")
        assert first.code == 0, first.stderr
        [session] = names(env)
        assert names(env) == {session: "auth refactor"}
        # Resumed by its name, from another directory too.
        second = await ask(env, "--cwd", str(tmp_path), "--resume", "auth refactor", "go on")
        assert second.code == 0, second.stderr
        assert [m["role"] for m in fake.requests[1].body["messages"]] == [
            "user",
            "assistant",
            "user",
        ]
        # /rename NAME answers without the model and says so in the stream.
        renamed = await ask(env, *where, "--resume", session, "/rename  Login   flow ")
        assert renamed.code == 0, renamed.stderr
        assert len(fake.requests) == 2
        assert {"type": "session_title", "session_id": session, "title": "Login flow"} in events(
            renamed.stdout
        )
        # /rename alone: the small fast model names it from the conversation.
        made = await ask(env, *where, "--resume", "Login flow", "/rename")
        assert made.code == 0, made.stderr
        asked = fake.requests[2].body
        assert asked["model"].startswith("claude-3-5-haiku") or "haiku" in asked["model"]
        assert "fix the login" in json.dumps(asked["messages"])
        assert names(env) == {session: "Login Flow Fix"}
        missing = await ask(env, *where, "--resume", "no such name", "hi")
    assert missing.code == 1 and "no session 'no such name'" in missing.stderr
    [transcript] = transcripts(env)
    assert title_records(transcript) == ["auth refactor", "Login flow", "Login Flow Fix"]


def hook(output: dict[str, Any], seen: Path) -> dict[str, Any]:
    """A command hook that keeps its input in `seen` (appended) and prints `output`."""
    script = (
        f"import sys; open({str(seen)!r}, 'a').write(sys.stdin.read() + '\\n'); "
        f"print({json.dumps(json.dumps(output))})"
    )
    return {"type": "command", "command": sys.executable, "args": ["-c", script]}


async def test_hooks_name_the_session(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    starts, prompts = tmp_path / "starts.jsonl", tmp_path / "prompts.jsonl"
    start_title = {"hookEventName": "SessionStart", "sessionTitle": "from the branch"}
    prompt_title = {"hookEventName": "UserPromptSubmit", "sessionTitle": "from the prompt"}
    hooks = {
        "SessionStart": [{"hooks": [hook({"hookSpecificOutput": start_title}, starts)]}],
        "UserPromptSubmit": [{"hooks": [hook({"hookSpecificOutput": prompt_title}, prompts)]}],
    }
    write_json(workspace / ".claude" / "settings.json", {"hooks": hooks})
    answers = [text("One."), text("Two.")]
    async with FakeAnthropic({"responses": answers}, variables={"cwd": str(workspace)}) as fake:
        env = cli_env(tmp_path, fake)
        where = ("--cwd", str(workspace), "--output-format", "stream-json")
        first = await ask(env, *where, "hello")
        assert first.code == 0, first.stderr
        [session] = names(env)
        titles = [e["title"] for e in events(first.stdout) if e["type"] == "session_title"]
        assert titles == ["from the branch", "from the prompt"]  # SessionStart runs first
        assert names(env) == {session: "from the prompt"}  # the latest name wins
        second = await ask(env, *where, "--resume", session, "more")
        assert second.code == 0, second.stderr
    # SessionStart is told the name the session has (so a hook can keep one a user chose):
    # none at startup, the prompt's hook's on resume.
    inputs = [json.loads(line) for line in starts.read_text().splitlines() if line.strip()]
    assert [i["source"] for i in inputs] == ["startup", "resume"]
    assert [i.get("session_title") for i in inputs] == [None, "from the prompt"]
    assert len(fake.requests) == 2


async def test_a_name_never_carries_a_credential(tmp_path: Path) -> None:
    from tests.agent.conftest import API_KEY

    workspace = tmp_path / "workspace"
    workspace.mkdir()
    async with FakeAnthropic({"responses": []}, variables={"cwd": str(workspace)}) as fake:
        env = cli_env(tmp_path, fake)
        where = ("--cwd", str(workspace), "--output-format", "stream-json")
        done = await ask(env, *where, f"/rename deploy with {API_KEY}")
    assert done.code == 0, done.stderr
    assert API_KEY not in done.stdout
    [name] = names(env).values()
    assert name == "deploy with [redacted ANTHROPIC_API_KEY]"
    [transcript] = transcripts(env)
    assert API_KEY not in transcript.read_text()


async def test_a_fork_keeps_the_name_and_starts_as_a_fork(tmp_path: Path) -> None:
    """`--resume NAME --fork-session`: the copy goes on under a new id with the session's name
    (Claude Code names a fork after the session it came from); its SessionStart hooks get
    `source: "fork"`; the original is left as it was."""
    workspace = tmp_path / "workspace"
    starts = tmp_path / "starts.jsonl"
    hooks = {"SessionStart": [{"hooks": [hook({}, starts)]}]}
    write_json(workspace / ".claude" / "settings.json", {"hooks": hooks})
    answers = [text("Blue."), text("Green, in the fork.")]
    async with FakeAnthropic({"responses": answers}, variables={"cwd": str(workspace)}) as fake:
        env = cli_env(tmp_path, fake)
        where = ("--cwd", str(workspace), "--output-format", "stream-json")
        first = await ask(env, *where, "-n", "colours", "pick a colour")
        assert first.code == 0, first.stderr
        [original] = names(env)
        before = (transcripts(env)[0]).read_text()
        fork = await ask(env, *where, "--resume", "colours", "--fork-session", "another")
        assert fork.code == 0, fork.stderr
        alone = await ask(env, *where, "--fork-session", "no session named")
    assert alone.code == 1 and "--fork-session needs" in alone.stderr
    [copy] = set(names(env)) - {original}
    assert names(env) == {original: "colours", copy: "colours"}
    assert (transcripts(env)[0].parent / f"{original}.jsonl").read_text() == before
    inputs = [json.loads(line) for line in starts.read_text().splitlines() if line.strip()]
    assert [(i["source"], i["session_id"]) for i in inputs] == [
        ("startup", original),
        ("fork", copy),
    ]
    assert inputs[1]["session_title"] == "colours"
    said = [m["role"] for m in fake.requests[1].body["messages"]]
    assert said == ["user", "assistant", "user"]  # the fork went on from the conversation
