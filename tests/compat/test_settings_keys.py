"""Claude Code settings keys users rely on, through `lsp-agent ask` and the scripted fake API:
`env` for tools and hooks (never a credential, never where the model requests go), the `manual`
alias of the default mode, `claudeMdExcludes`, and an invalid `autoCompactEnabled` reported."""

from __future__ import annotations

import json
from pathlib import Path

from lsp_agent.testing.fake_anthropic import FakeAnthropic
from tests.agent.conftest import API_KEY
from tests.agent.test_cli_ask import ask, cli_env
from tests.compat.conftest import write_json, write_tree


async def test_env_manual_mode_excludes_and_bad_values(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    seen = tmp_path / "hook-saw"
    loaded = tmp_path / "instructions-loaded"
    write_json(
        workspace / ".claude" / "settings.json",
        {
            "env": {"TEAM_VAR": "teal", "ANTHROPIC_API_KEY": "sk-from-settings"},
            "permissions": {"defaultMode": "manual", "allow": ["Bash(echo *)"]},
            "claudeMdExcludes": ["**/CLAUDE.local.md"],
            "autoCompactEnabled": "yes",
            "model": "haiku",
            "someFutureKey": {"ignored": True},
            "hooks": {
                "PreToolUse": [
                    {"hooks": [{"type": "command", "command": f"echo $TEAM_VAR > {seen}"}]}
                ],
                "InstructionsLoaded": [
                    {
                        "hooks": [
                            {"type": "command", "command": f"cat >> {loaded}; echo >> {loaded}"}
                        ]
                    }
                ],
            },
        },
    )
    write_tree(
        workspace,
        {"CLAUDE.md": "Team rule: be brief.\n", "CLAUDE.local.md": "Private rule: be loud.\n"},
    )
    bash = {"command": "echo $TEAM_VAR-${ANTHROPIC_API_KEY:-none}"}
    responses = [
        {"content": [{"type": "tool_use", "name": "Bash", "input": bash}]},
        {"content": [{"type": "text", "text": "Done."}]},
    ]
    async with FakeAnthropic({"responses": responses}, variables={"cwd": str(workspace)}) as fake:
        env = cli_env(tmp_path, fake)
        done = await ask(env, "--cwd", str(workspace), "go")
    assert done.code == 0, done.stderr
    results = fake.requests[1].body["messages"][-1]["content"]
    assert "teal-none" in json.dumps(results)  # the settings' env, without the credential
    assert seen.read_text() == "teal\n"  # hooks get it too
    assert all(r.headers["x-api-key"] == API_KEY for r in fake.requests)  # not redirected
    assert "env ANTHROPIC_API_KEY is a provider credential" in done.stderr
    assert "autoCompactEnabled must be true or false" in done.stderr
    assert "defaultMode" not in done.stderr and "someFutureKey" not in done.stderr
    assert fake.requests[0].body["model"] == "claude-haiku-4-5"  # the settings' alias
    system = json.dumps(fake.requests[0].body["system"])
    assert "Team rule: be brief." in system and "Private rule" not in system
    # InstructionsLoaded: once per CLAUDE.md the session loaded (the excluded one is not).
    events = [json.loads(line) for line in loaded.read_text().splitlines() if line.strip()]
    assert [(e["file_path"], e["memory_type"], e["load_reason"]) for e in events] == [
        (str(workspace.resolve() / "CLAUDE.md"), "Project", "session_start")
    ]


async def test_a_chosen_model_beats_the_settings_files(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    write_json(workspace / ".claude" / "settings.json", {"model": "haiku"})
    responses = [{"content": [{"type": "text", "text": "Hi."}]}]
    async with FakeAnthropic({"responses": responses}, variables={"cwd": str(workspace)}) as fake:
        args = ("--cwd", str(workspace), "--model", "claude-opus-4-1", "hi")
        done = await ask(cli_env(tmp_path, fake), *args)
    assert done.code == 0, done.stderr
    assert fake.requests[0].body["model"] == "claude-opus-4-1"


def test_manual_is_the_default_mode(project: Path) -> None:
    from lsp_agent.agent.permissions.rules import load_settings

    write_json(project / ".claude" / "settings.json", {"permissions": {"defaultMode": "manual"}})
    merged = load_settings(project)
    assert (merged.default_mode, merged.warnings) == ("default", [])
