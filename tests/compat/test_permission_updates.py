"""PermissionRequest hooks and permission update entries (hooks.md, "Permission update
entries"), end to end through `lsp-agent ask` and the scripted fake API: the hook receives
`permission_suggestions`; echoing one back as `updatedPermissions` works like the user's
"always allow" (the rule is in force for the rest of the session and written to
.claude/settings.local.json); `setMode` changes the session's mode; entries that cannot apply
are reported and the call still runs."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tests.compat.conftest import write_json
from tests.compat.test_hook_outputs import run, text, tool

# Logs its input, then allows with the first suggestion it was given (the documented pattern).
ECHO_SUGGESTION = """
import json, sys
data = json.load(sys.stdin)
with open(sys.argv[1], "a") as log:
    log.write(json.dumps(data) + "\\n")
decision = {"behavior": "allow", "updatedPermissions": data["permission_suggestions"][:1]}
print(json.dumps({"hookSpecificOutput": {"hookEventName": "PermissionRequest",
                                         "decision": decision}}))
"""


def hook(script: str, log: Path) -> dict[str, Any]:
    return {"type": "command", "command": sys.executable, "args": ["-c", script, str(log)]}


def allows_with(updates: list[Any]) -> str:
    decision = {"behavior": "allow", "updatedPermissions": updates}
    output = {"hookSpecificOutput": {"hookEventName": "PermissionRequest", "decision": decision}}
    return (
        "import sys; open(sys.argv[1], 'a').write(sys.stdin.read() + '\\n'); "
        f"print({json.dumps(json.dumps(output))})"
    )


def inputs(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def permission_hooks(workspace: Path, matcher: str, command: dict[str, Any]) -> None:
    settings = {"hooks": {"PermissionRequest": [{"matcher": matcher, "hooks": [command]}]}}
    write_json(workspace / ".claude" / "settings.json", settings)


async def test_echoing_a_suggestion_allows_the_command_from_then_on(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    log = tmp_path / "requests.jsonl"
    permission_hooks(workspace, "Bash", hook(ECHO_SUGGESTION, log))
    responses = [
        tool("Bash", {"command": "echo first"}),
        tool("Bash", {"command": "echo first"}),  # the same command: the new rule covers it
        text("Done."),
    ]
    done, fake = await run(tmp_path, workspace, responses, "say it twice")
    assert done.code == 0, done.stderr
    assert fake.remaining == 0  # every scripted turn was asked for
    [request] = inputs(log)  # asked once only
    assert request["permission_suggestions"] == [
        {
            "type": "addRules",
            "rules": [{"toolName": "Bash", "ruleContent": "echo first"}],
            "behavior": "allow",
            "destination": "localSettings",
        }
    ]
    local = json.loads((workspace / ".claude" / "settings.local.json").read_text())
    assert local == {"permissions": {"allow": ["Bash(echo first)"]}}
    results = [e for e in map(json.loads, done.stdout.splitlines()) if e["type"] == "tool_result"]
    assert [r["content"].strip() for r in results] == ["first", "first"]


async def test_set_mode_from_a_hook_changes_the_session_mode(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    log = tmp_path / "requests.jsonl"
    to_accept_edits = [{"type": "setMode", "mode": "acceptEdits", "destination": "session"}]
    permission_hooks(workspace, "Write", hook(allows_with(to_accept_edits), log))
    responses = [
        tool("Write", {"file_path": str(workspace / "a.txt"), "content": "a\n"}),
        tool("Write", {"file_path": str(workspace / "b.txt"), "content": "b\n"}),
        text("Both written."),
    ]
    done, fake = await run(tmp_path, workspace, responses, "write two files")
    assert done.code == 0, done.stderr
    assert fake.remaining == 0  # every scripted turn was asked for
    [request] = inputs(log)  # the second write needed no question in acceptEdits
    assert request["permission_mode"] == "default"
    assert request["permission_suggestions"][0]["type"] == "setMode"
    assert (workspace / "a.txt").read_text() == "a\n" and (workspace / "b.txt").read_text() == "b\n"
    assert not (workspace / ".claude" / "settings.local.json").exists()  # session only


async def test_entries_that_cannot_apply_are_reported_and_the_call_runs(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    log = tmp_path / "requests.jsonl"
    updates = [
        {"type": "setMode", "mode": "bypassPermissions", "destination": "session"},
        {"type": "addDirectories", "directories": ["/"], "destination": "session"},
        {"type": "addRules", "rules": [{"toolName": "Bash"}], "behavior": "sometimes"},
        {"type": "addRules", "rules": [{"toolName": "Bash", "ruleContent": "echo *"}],
         "behavior": "allow", "destination": "userSettings"},
    ]  # fmt: skip
    permission_hooks(workspace, "Bash", hook(allows_with(updates), log))
    home_settings = tmp_path / "env" / "home" / ".claude" / "settings.json"
    home_settings.parent.mkdir(parents=True)
    home_settings.write_text('{"model": "claude-sonnet-4-5"}')
    responses = [
        tool("Bash", {"command": "echo one"}),
        tool("Bash", {"command": "echo two"}),  # the user-settings rule allows it
        tool("Bash", {"command": "pwd"}),  # no rule: the hook is asked again
        text("Done."),
    ]
    done, fake = await run(tmp_path, workspace, responses, "run them")
    assert done.code == 0, done.stderr
    assert fake.remaining == 0  # every scripted turn was asked for
    assert len(inputs(log)) == 2  # `echo one` and `pwd`
    assert "bypassPermissions cannot be switched to by a hook" in done.stderr
    assert "addDirectories is not applied" in done.stderr
    assert "behavior must be one of" in done.stderr
    assert json.loads(home_settings.read_text()) == {
        "model": "claude-sonnet-4-5",
        "permissions": {"allow": ["Bash(echo *)"]},
    }
