"""`lsp-agent ask` as a real subprocess against the fake API (ANTHROPIC_BASE_URL)."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from lsp_agent.testing.fake_anthropic import FakeAnthropic
from tests.agent.conftest import API_KEY, SCENARIOS
from tests.conftest import isolated_env

_SCRIPT = Path(sys.executable).parent / "lsp-agent"
COMMAND = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "lsp_agent"]


@dataclass
class Done:
    code: int
    stdout: str
    stderr: str


def cli_env(tmp_path: Path, fake: FakeAnthropic) -> dict[str, str]:
    env = isolated_env(tmp_path / "env")
    env.update(
        ANTHROPIC_BASE_URL=fake.base_url,
        ANTHROPIC_API_KEY=API_KEY,
        LSP_AGENT_RETRY_BASE_DELAY="0.001",
    )
    return env


async def start(env: dict[str, str], *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        *COMMAND,
        "ask",
        *args,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def ask(env: dict[str, str], *args: str, stdin: str = "") -> Done:
    process = await start(env, *args)
    out, err = await asyncio.wait_for(process.communicate(stdin.encode()), 60)
    assert process.returncode is not None
    return Done(process.returncode, out.decode(), err.decode())


def fake(name: str, workspace: Path) -> FakeAnthropic:
    return FakeAnthropic(
        SCENARIOS / f"{name}.json", variables={"cwd": str(workspace), "key": API_KEY}
    )


def run_without_package(
    package: str, tmp_path: Path, *args: str, **variables: str
) -> subprocess.CompletedProcess[str]:
    """`lsp-agent` with an empty `package` first on the path, as if an extra that provides
    `package.*` (google-auth, azure-identity) were not installed."""
    (tmp_path / "shadow" / package).mkdir(parents=True, exist_ok=True)
    (tmp_path / "shadow" / package / "__init__.py").write_text("")
    env = {**isolated_env(tmp_path / "env"), "PYTHONPATH": str(tmp_path / "shadow"), **variables}
    return subprocess.run(
        [*COMMAND, *args],
        env=env,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )


def transcripts(env: dict[str, str]) -> list[Path]:
    return sorted((Path(env["LSP_AGENT_DATA_DIR"]) / "sessions").glob("*.jsonl"))


async def test_text_output_edits_the_file(workspace: Path, tmp_path: Path) -> None:
    async with fake("read_then_edit", workspace) as server:
        env = cli_env(tmp_path, server)
        done = await ask(env, "--cwd", str(workspace), "--permission-mode", "acceptEdits", "fix it")
    assert done.code == 0, done.stderr
    assert done.stdout.endswith("I changed the greeting to 'hello, world'.\n")
    assert (workspace / "hello.py").read_text() == "print('hello, world')\n"
    assert server.violations == []
    assert server.requests[0].headers["x-api-key"] == API_KEY
    [transcript] = transcripts(env)
    assert API_KEY not in transcript.read_text() + done.stdout + done.stderr


async def test_json_output_and_prompt_from_stdin(workspace: Path, tmp_path: Path) -> None:
    async with fake("read_then_edit", workspace) as server:
        env = cli_env(tmp_path, server)
        done = await ask(env, "--cwd", str(workspace), "--output-format", "json", stdin="hi\n")
    assert done.code == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["subtype"] == "success" and result["turns"] == 3
    assert set(result) >= {"result", "session_id", "subtype", "turns", "usage", "cost_usd"}
    assert server.requests[0].body["messages"][0]["content"][0]["text"] == "hi\n"


async def test_stream_json_one_event_per_line(workspace: Path, tmp_path: Path) -> None:
    async with fake("retries", workspace) as server:
        env = cli_env(tmp_path, server)
        done = await ask(env, "--cwd", str(workspace), "--output-format", "stream-json", "go")
    assert done.code == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    kinds = [e["type"] for e in events]
    assert kinds[0] == "session" and kinds[-1] == "done"
    assert kinds.count("retry") == 4
    assert API_KEY not in done.stdout + done.stderr


async def test_auth_error_is_one_line_and_exit_1(workspace: Path, tmp_path: Path) -> None:
    async with fake("auth_error", workspace) as server:
        env = cli_env(tmp_path, server)
        done = await ask(env, "--cwd", str(workspace), "hello")
    assert done.code == 1
    assert len(done.stderr.strip().splitlines()) == 1
    assert "ANTHROPIC_API_KEY" in done.stderr
    assert API_KEY not in done.stderr + done.stdout
    assert all(API_KEY not in p.read_text() for p in transcripts(env))


async def test_unknown_session_fails_cleanly(workspace: Path, tmp_path: Path) -> None:
    async with fake("auth_error", workspace) as server:
        done = await ask(cli_env(tmp_path, server), "--resume", "nope", "hello")
    assert done.code == 1 and "no session" in done.stderr
    assert server.requests == []


async def test_killed_mid_turn_then_resumed(workspace: Path, tmp_path: Path) -> None:
    async with fake("hold_mid_stream", workspace) as server:
        env = cli_env(tmp_path, server)
        process = await start(env, "--cwd", str(workspace), "what does hello.py do?")
        await asyncio.wait_for(server.held.wait(), 60)
        process.send_signal(signal.SIGKILL)
        await process.wait()
        [transcript] = transcripts(env)
        session_id = transcript.stem
        # A torn last line, as a write cut short by the kill would leave.
        with transcript.open("a") as file:
            file.write('{"type": "message", "message": {"role": "assis')
        done = await ask(env, "--cwd", str(workspace), "--resume", session_id, "go on")
    assert done.code == 0, done.stderr
    assert done.stdout == "Resumed: the file prints hello.\n"
    assert server.violations == []
    resumed = server.requests[-1].body["messages"]
    assert [m["role"] for m in resumed] == ["user", "assistant", "user"]
    assert resumed[-1]["content"][0]["type"] == "tool_result"
    assert resumed[-1]["content"][-1]["text"] == "go on"


async def test_continue_resumes_latest_session_of_the_directory(
    workspace: Path, tmp_path: Path
) -> None:
    async with fake("pause_turn", workspace) as server:
        env = cli_env(tmp_path, server)
        server.responses = server.responses[1:] * 2  # two plain answers
        first = await ask(env, "--cwd", str(workspace), "one")
        second = await ask(env, "--cwd", str(workspace), "--continue", "two")
    assert first.code == 0 and second.code == 0, second.stderr
    assert len(transcripts(env)) == 1
    messages = server.requests[-1].body["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]


def test_cli_ask_imports_no_engine_at_start() -> None:
    code = (
        "import sys, lsp_agent.cli_ask; "
        "print([m for m in sys.modules if 'httpx' in m or m.startswith('lsp_agent.agent')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


async def test_project_slash_commands_work_headless(workspace: Path, tmp_path: Path) -> None:
    commands = workspace / ".claude" / "commands"
    commands.mkdir(parents=True)
    (commands / "greet.md").write_text("---\ndescription: Greet\n---\nSay hello to $0.")  # 0-based
    async with fake("pause_turn", workspace) as server:
        server.responses = server.responses[1:]
        done = await ask(cli_env(tmp_path, server), "--cwd", str(workspace), "/greet Ada")
    assert done.code == 0, done.stderr
    first = server.requests[0].body["messages"][0]["content"][0]["text"]
    assert first == "Say hello to Ada."


async def test_text_output_after_retries_ends_with_the_full_answer(
    workspace: Path, tmp_path: Path
) -> None:
    async with fake("retries", workspace) as server:
        done = await ask(cli_env(tmp_path, server), "--cwd", str(workspace), "go")
    assert done.code == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "Recovered after four failures."
    assert done.stderr.count("retrying") == 4


async def test_symbol_tools_read_the_workspace_and_added_dirs(
    workspace: Path, tmp_path: Path
) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "util.py").write_text("def slugify(text):\n    return text.lower()\n")
    (workspace / "app.py").write_text("class Application:\n    pass\n")
    scenario = {
        "responses": [
            {
                "content": [
                    {"type": "tool_use", "name": "SymbolSearch", "input": {"query": "slugify"}},
                    {"type": "tool_use", "name": "FileOutline", "input": {"file_path": "app.py"}},
                ]
            },
            {"content": [{"type": "text", "text": "found them"}]},
        ]
    }
    async with FakeAnthropic(scenario, variables={"cwd": str(workspace)}) as server:
        env = cli_env(tmp_path, server)
        done = await ask(env, "--cwd", str(workspace), "--add-dir", str(lib), "where?")
    assert done.code == 0, done.stderr
    results = server.requests[1].body["messages"][-1]["content"]
    search, outline = (json.dumps(r["content"]) for r in results)
    assert f"{lib / 'util.py'}:1" in search  # indexed on demand, in the added directory
    assert f"indexing {lib} for the symbol tools" in done.stderr  # a cold index says so
    assert "Application" in outline
    # The index is the persistent one: `lsp-agent index` finds it warm afterwards.
    index = subprocess.run(
        [*COMMAND, "index", str(lib), "--json"], env=env, capture_output=True, text=True
    )
    assert json.loads(index.stdout)["parsed"] == 0


async def test_running_in_a_folder_trusts_it_unless_the_user_said_otherwise(
    workspace: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "hook-ran"
    hook = {"hooks": [{"type": "command", "command": f"echo ran >> {marker}"}]}
    (workspace / ".claude").mkdir()
    (workspace / ".claude" / "settings.json").write_text(
        json.dumps({"hooks": {"SessionStart": [hook]}})
    )
    answer = {"content": [{"type": "text", "text": "ok"}]}
    async with FakeAnthropic({"responses": [answer] * 3}) as server:
        env = cli_env(tmp_path, server)
        where = ("--cwd", str(workspace))
        assert (await ask(env, *where, "--no-project-settings", "hi")).code == 0
        assert not marker.exists()
        assert (await ask(env, *where, "hi")).code == 0  # as Claude Code's -p: trusted
        assert marker.read_text() == "ran\n"
        subprocess.run([*COMMAND, "trust", "--no", *where], env=env, check=True)
        refused = await ask(env, *where, "hi")
    assert refused.code == 0 and "is not trusted" in refused.stderr
    assert marker.read_text() == "ran\n"
