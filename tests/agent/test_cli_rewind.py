"""`/rewind` in `lsp-agent ask --resume`: files restored from the session's checkpoints, three-way
(text changed on disk since is kept, a touched hunk is a conflict), the conversation rewound."""

from __future__ import annotations

import json
from pathlib import Path

from tests.agent.test_cli_ask import ask, cli_env, fake, transcripts


async def _edit_run(workspace: Path, tmp_path: Path) -> tuple[dict[str, str], str]:
    """An acceptEdits run of read_then_edit: (env, session id)."""
    async with fake("read_then_edit", workspace) as server:
        env = cli_env(tmp_path, server)
        done = await ask(
            env,
            "--cwd",
            str(workspace),
            "--permission-mode",
            "acceptEdits",
            "--output-format",
            "json",
            "fix it",
        )
    assert done.code == 0, done.stderr
    assert (workspace / "hello.py").read_text() == "print('hello, world')\n"
    return env, json.loads(done.stdout)["session_id"]


async def test_rewind_restores_the_run_and_keeps_later_changes(
    workspace: Path, tmp_path: Path
) -> None:
    env, session_id = await _edit_run(workspace, tmp_path)
    (workspace / "hello.py").write_text("# mine\nprint('hello, world')\n")
    done = await ask(env, "--cwd", str(workspace), "--resume", session_id, "/rewind")
    assert done.code == 0, done.stderr
    assert (workspace / "hello.py").read_text() == "# mine\nprint('hello')\n"
    assert f"restored {workspace / 'hello.py'}" in done.stdout
    assert "conversation rewound to before prompt 1" in done.stdout
    [transcript] = transcripts(env)
    last = [json.loads(line) for line in transcript.read_text().splitlines()][-1]
    assert last == {"type": "compact_boundary", "trigger": "rewind", "run": 1}
    again = await ask(env, "--cwd", str(workspace), "--resume", session_id, "/rewind")
    assert again.code == 1 and "no checkpointed runs" in again.stderr


async def test_rewind_reports_a_conflict_and_overwrites_nothing(
    workspace: Path, tmp_path: Path
) -> None:
    env, session_id = await _edit_run(workspace, tmp_path)
    (workspace / "hello.py").write_text("print('hello, everyone')\n")
    done = await ask(env, "--cwd", str(workspace), "--resume", session_id, "/rewind 1")
    assert done.code == 1
    assert "hunk 1 changed since the run; left as it is" in done.stderr
    assert "the conversation was kept" in done.stderr
    assert (workspace / "hello.py").read_text() == "print('hello, everyone')\n"


async def test_rewind_needs_a_session(workspace: Path, tmp_path: Path) -> None:
    async with fake("read_then_edit", workspace) as server:
        done = await ask(cli_env(tmp_path, server), "--cwd", str(workspace), "/rewind")
    assert done.code == 1 and "--resume ID or --continue" in done.stderr
    assert server.requests == []


async def test_rewind_restores_only_inside_the_workspace(workspace: Path, tmp_path: Path) -> None:
    env, session_id = await _edit_run(workspace, tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = await ask(env, "--cwd", str(elsewhere), "--resume", session_id, "/rewind")
    assert done.code == 1 and "outside this workspace; not restored" in done.stderr
    assert (workspace / "hello.py").read_text() == "print('hello, world')\n"
