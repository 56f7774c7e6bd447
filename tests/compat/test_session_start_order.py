"""SessionStart runs when the session starts, as in Claude Code: before the first prompt's slash
command and UserPromptSubmit hooks, which may rely on what it set up (a file, a skill or command
it installed with `reloadSkills`, the session's name). Its context still goes with the first
prompt the model gets. End to end with real hook scripts, through `lsp-agent ask` and through
`lsp-agent acp` (where session/new is the start), against the scripted fake API."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from lsp_agent.testing.fake_anthropic import FakeAnthropic
from tests.agent.test_cli_ask import ask, cli_env
from tests.compat.conftest import write_json


def script(code: str) -> dict[str, Any]:
    return {"type": "command", "command": sys.executable, "args": ["-c", code]}


def start_hook(
    log: Path, marker: Path, output: dict[str, Any], install: Path | None = None
) -> dict[str, Any]:
    """Appends its input to `log`, creates `marker` (and the command `install`, if given),
    prints `output` as SessionStart's."""
    printed = json.dumps({"hookSpecificOutput": {"hookEventName": "SessionStart", **output}})
    code = (
        "import pathlib, sys\n"
        f"open({str(log)!r}, 'a').write(sys.stdin.read().strip() + '\\n')\n"
        f"pathlib.Path({str(marker)!r}).write_text('set up')\n"
    )
    if install is not None:
        code += f"pathlib.Path({str(install)!r}).write_text('Fresh command for $ARGUMENTS.')\n"
    return script(code + f"print({printed!r})\n")


def prompt_hook(log: Path, marker: Path) -> dict[str, Any]:
    """Appends its input to `log`; tells the model whether `marker` was there."""
    return script(
        "import json, os, sys\n"
        f"open({str(log)!r}, 'a').write(sys.stdin.read().strip() + '\\n')\n"
        f"seen = os.path.exists({str(marker)!r})\n"
        "out = {'hookEventName': 'UserPromptSubmit'}\n"
        "out['additionalContext'] = f'set up before: {seen}'\n"
        "print(json.dumps({'hookSpecificOutput': out}))\n"
    )


def fired(log: Path) -> list[tuple[str, str]]:
    inputs = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    return [(i["hook_event_name"], i.get("source", i.get("prompt", ""))) for i in inputs]


def first_message(body: Any) -> str:
    return json.dumps(body["messages"][0])


async def test_session_start_runs_before_the_first_prompts_hook(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    log, marker = tmp_path / "hooks.jsonl", tmp_path / "started"
    context = {"additionalContext": "Branch: main"}
    hooks = {
        "SessionStart": [{"hooks": [start_hook(log, marker, context)]}],
        "UserPromptSubmit": [{"hooks": [prompt_hook(log, marker)]}],
    }
    write_json(workspace / ".claude" / "settings.json", {"hooks": hooks})
    reply = {"content": [{"type": "text", "text": "Hi."}]}
    async with FakeAnthropic({"responses": [reply]}, variables={"cwd": str(workspace)}) as fake:
        done = await ask(cli_env(tmp_path, fake), "--cwd", str(workspace), "hello")
    assert done.code == 0, done.stderr
    assert fired(log) == [("SessionStart", "startup"), ("UserPromptSubmit", "hello")]
    # Both hooks' context goes with the first prompt: the prompt's hook saw the set-up.
    sent = first_message(fake.requests[0].body)
    assert "set up before: True" in sent and "Branch: main" in sent


async def test_a_command_a_session_start_hook_installs_serves_the_first_prompt(
    tmp_path: Path,
) -> None:
    workspace = tmp_path / "workspace"
    command = workspace / ".claude" / "commands" / "fresh.md"
    install = script(
        "import json, os\n"
        f"os.makedirs({str(command.parent)!r}, exist_ok=True)\n"
        f"open({str(command)!r}, 'w').write('Fresh command for $ARGUMENTS.\\n')\n"
        "out = {'hookEventName': 'SessionStart', 'reloadSkills': True}\n"
        "print(json.dumps({'hookSpecificOutput': out}))\n"
    )
    write_json(
        workspace / ".claude" / "settings.json",
        {"hooks": {"SessionStart": [{"hooks": [install]}]}},
    )
    reply = {"content": [{"type": "text", "text": "Done."}]}
    async with FakeAnthropic({"responses": [reply]}, variables={"cwd": str(workspace)}) as fake:
        done = await ask(cli_env(tmp_path, fake), "--cwd", str(workspace), "/fresh the world")
    assert done.code == 0, done.stderr
    assert "Fresh command for the world." in first_message(fake.requests[0].body)


async def test_initial_user_message_is_the_first_turn_of_ask(tmp_path: Path) -> None:
    """SessionStart's `initialUserMessage` (Claude Code's -p): the session's first turn, with
    no prompt at all, or before the prompt given, which follows as the next turn."""
    workspace = tmp_path / "workspace"
    first = {"initialUserMessage": "Summarise what changed since yesterday."}
    write_json(
        workspace / ".claude" / "settings.json",
        {
            "hooks": {
                "SessionStart": [{"hooks": [start_hook(tmp_path / "log", tmp_path / "m", first)]}]
            }
        },
    )
    replies = [{"content": [{"type": "text", "text": t}]} for t in ("Two fixes.", "Ship it.")]
    where = ("--cwd", str(workspace), "--output-format", "json")
    async with FakeAnthropic({"responses": replies[:1]}, variables={"cwd": str(workspace)}) as fake:
        alone = await ask(cli_env(tmp_path, fake), *where)  # no prompt: stdin is empty
    assert alone.code == 0, alone.stderr
    assert json.loads(alone.stdout)["result"] == "Two fixes."
    assert "Summarise what changed" in first_message(fake.requests[0].body)
    async with FakeAnthropic({"responses": replies}, variables={"cwd": str(workspace)}) as fake:
        both = await ask(cli_env(tmp_path, fake), *where, "and should we ship?")
    assert both.code == 0, both.stderr
    assert json.loads(both.stdout)["result"] == "Ship it."  # the last turn's, as -p prints
    turns = fake.requests[1].body["messages"]
    assert "Summarise what changed" in json.dumps(turns[0])
    assert "and should we ship?" in json.dumps(turns[-1])


async def test_ask_without_a_prompt_still_fails_without_such_a_hook(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    async with FakeAnthropic({"responses": []}) as fake:
        done = await ask(cli_env(tmp_path, fake), "--cwd", str(workspace))
    assert done.code == 1 and not fake.requests
    assert "no prompt given" in done.stderr
