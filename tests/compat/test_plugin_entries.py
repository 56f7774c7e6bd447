"""Marketplace entries that declare parts (`strict` true and false), `userConfig`, `.lsp.json`
and the parts lsp-agent lists but does not use, from a fixture marketplace in the layout of
anthropics/claude-plugins-official (tests/compat/plugin_fixtures/curated-marketplace/), through
`lsp-agent ask` against the scripted fake API and `lsp-agent plugins`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from lsp_agent.testing.fake_anthropic import FakeAnthropic
from tests.agent.test_cli_ask import COMMAND, ask, cli_env
from tests.compat.conftest import write_json, write_tree
from tests.compat.test_plugins import content, plugins_cli, text, tool, tool_results
from tests.conftest import isolated_env

MARKET = Path(__file__).parent / "plugin_fixtures" / "curated-marketplace"
PLUGINS = (MARKET / "plugins").resolve()
MARKET_FILE = (MARKET / ".claude-plugin" / "marketplace.json").resolve()
SECRET = "s3cret-token-value"
ENABLED = ("pyright-lsp", "deploy-kit", "reviewer-mode", "rigid", "loose", "bad-lsp")


def _settings(workspace: Path, home: Path, enabled: tuple[str, ...] = ENABLED) -> None:
    """The project enables the curated marketplace's plugins; the user's settings hold the
    deploy-kit options (the project's own `pluginConfigs` must be ignored)."""
    write_json(
        workspace / ".claude" / "settings.json",
        {
            "extraKnownMarketplaces": {
                "curated": {"source": {"source": "directory", "path": str(MARKET)}}
            },
            "enabledPlugins": {f"{name}@curated": True for name in enabled},
            "pluginConfigs": {"deploy-kit@curated": {"options": {"region": "from-the-project"}}},
        },
    )
    options = {"region": "eu-west", "api_token": SECRET, "retries": "many"}
    write_json(
        home / ".claude" / "settings.json",
        {"pluginConfigs": {"deploy-kit@curated": {"options": options}}},
    )


async def test_entries_user_config_and_bad_parts_through_ask(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    release = {"subagent_type": "deploy-kit:release", "description": "plan", "prompt": "Plan."}
    responses = [
        tool("mcp__plugin_deploy-kit_deployer__target", {}),
        tool("mcp__plugin_deploy-kit_deployer__token_length", {}),
        tool("mcp__plugin_deploy-kit_deployer__credentials", {}),
        tool("Bash", {"command": "echo deploy"}),
        tool("Agent", release),
        text("Release planned."),
        text("Done."),
    ]
    async with FakeAnthropic({"responses": responses}, variables={"cwd": str(workspace)}) as fake:
        env = {**cli_env(tmp_path, fake), "LSP_AGENT_TEST_PYTHON": sys.executable}
        # reviewer-mode is left out: its main-thread agent would narrow the tools.
        enabled = tuple(name for name in ENABLED if name != "reviewer-mode")
        _settings(workspace, Path(env["HOME"]), enabled)
        done = await ask(
            env,
            *("--cwd", str(workspace), "--permission-mode", "bypassPermissions"),
            "/deploy-kit:status",
        )
    assert done.code == 0, done.stderr
    first = json.dumps(fake.requests[0].body["messages"])
    # Non-sensitive values fill the command's body; the sensitive one never reaches the model.
    assert "in region eu-west via https://deploy.example.invalid" in first
    assert "(token ${user_config.api_token})" in first
    results = [content(r) for r in tool_results(fake)]
    # The entry's MCP server: ${user_config.*} in args and env, the default for api_endpoint.
    assert results[0] == "https://deploy.example.invalid in eu-west"
    assert results[1] == str(len(SECRET))
    # A server echoing the sensitive value: redacted before the model sees it.
    assert results[2] == "using token [redacted deploy-kit option api_token]"
    # The entry's hook: CLAUDE_PLUGIN_OPTION_REGION in its environment; it blocks the command.
    assert "deploys to eu-west are frozen" in results[3]
    child = json.dumps(fake.requests[5].body["system"])  # the entry's agent, with the option
    assert "You plan releases for region eu-west" in child
    assert "Never reveal ${user_config.api_token}" in child
    assert SECRET not in json.dumps([r.body for r in fake.requests])
    assert SECRET not in done.stdout + done.stderr
    # Bad input is named with its file; the rest loaded.
    rigid = PLUGINS / "rigid" / ".claude-plugin" / "plugin.json"
    assert f'{rigid}: declares commands, but its entry in {MARKET_FILE} has "strict": false' in (
        done.stderr
    )
    assert f"{MARKET_FILE}: plugin 'loose': 'strict' must be true or false" in done.stderr
    assert f"{PLUGINS / 'bad-lsp' / '.lsp.json'}: unreadable or malformed JSON" in done.stderr
    assert "a shell hook command cannot use ${user_config.*}" in done.stderr
    assert "pluginConfigs['deploy-kit@curated'].options.retries: must be a number" in done.stderr


def test_listing_shows_entries_options_and_language_servers(
    tmp_path: Path, env: dict[str, str]
) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    home = Path(env["HOME"])
    _settings(workspace, home)
    code, listing, stderr = plugins_cli(env, "--cwd", str(workspace))
    assert code == 1
    loaded = {row["name"]: row for row in listing["loaded"]}
    assert set(loaded) == {"pyright-lsp", "deploy-kit", "reviewer-mode", "bad-lsp"}
    # strict: false over a folder with only a README: the entry is the whole plugin.
    pyright = loaded["pyright-lsp"]
    assert (pyright["version"], pyright["lspServers"]) == (
        "1.0.0",
        ["pyright (pyright-langserver: .py .pyi)"],
    )
    assert any("not started" in note for note in pyright["notes"])
    kit = loaded["deploy-kit"]
    assert kit["version"] == "1.2.0"  # plugin.json wins over the entry's 0.9.0
    assert kit["agents"] == ["deploy-kit:release"]  # declared by the entry only
    assert kit["commands"] == ["/deploy-kit:status"]  # the plugin's own default folder
    assert kit["mcpServers"] == ["plugin_deploy-kit_deployer"] and kit["hooks"] == ["PreToolUse"]
    options = {row["key"]: row for row in kit["userConfig"]}
    assert options["api_token"]["value"] == "(sensitive, set)"
    assert options["region"]["value"] == "eu-west"  # the user's, not the project's
    assert options["api_endpoint"]["value"] == "https://deploy.example.invalid"  # default
    assert options["retries"]["set"] is False
    assert SECRET not in json.dumps(listing) + stderr
    reviewer = loaded["reviewer-mode"]
    assert reviewer["agent"] == "lead"
    notes = " | ".join(reviewer["notes"])
    for part in ("monitors", "themes", "channels", "dependencies", "subagentStatusLine"):
        assert part in notes
    failed = {row["id"]: (row["where"], row["reason"]) for row in listing["failed"]}
    assert set(failed) == {"rigid@curated", "loose@curated"}
    problems = "\n".join(listing["problems"])
    plugin_json = PLUGINS / "deploy-kit" / ".claude-plugin" / "plugin.json"
    assert f"{plugin_json}: deploy-kit: userConfig option 'bad key': the key must be" in problems
    assert f"{plugin_json}: deploy-kit: userConfig option 'colour': 'type' must be" in problems
    assert (
        f"{MARKET_FILE}: bad-lsp: LSP server 'half': 'extensionToLanguage' (an object" in problems
    )
    assert f"{MARKET_FILE}: bad-lsp: 'agents' entries must be paths" in problems
    assert (
        f"{MARKET_FILE}: bad-lsp: 'hooks' path '../../outside.json' leaves the plugin" in problems
    )

    # Two entries over the marketplace's root share its skills/: each has the skills it lists.
    _settings(workspace, home, ("review-skills", "doc-skills"))
    _, shared, _ = plugins_cli(env, "--cwd", str(workspace))
    skills = {row["name"]: row["skills"] for row in shared["loaded"]}
    assert skills == {
        "review-skills": ["review-skills:code-review"],
        "doc-skills": ["doc-skills:docs"],
    }
    _settings(workspace, home)

    # Without the user's value, the required option is a problem naming the plugin.
    write_json(home / ".claude" / "settings.json", {})
    _, listing, _ = plugins_cli(env, "--cwd", str(workspace))
    assert (
        "plugin deploy-kit: required option 'region' (Region) is not set: set it in "
        '~/.claude/settings.json as pluginConfigs["deploy-kit@curated"].options.region'
    ) in listing["problems"]

    # An untrusted folder enables nothing, entries or not.
    subprocess.run([*COMMAND, "trust", "--no", "--cwd", str(workspace)], env=env, check=True)
    code, listing, _ = plugins_cli(env, "--cwd", str(workspace))
    assert code == 0 and listing["loaded"] == []


def test_plain_listing_redacts_sensitive_values(tmp_path: Path, env: dict[str, str]) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    _settings(workspace, Path(env["HOME"]), ("deploy-kit", "pyright-lsp"))
    done = subprocess.run(
        [*COMMAND, "plugins", "--cwd", str(workspace)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert '  option api_token (API token): "(sensitive, set)"' in done.stdout
    assert '  option region (Region): "eu-west"' in done.stdout
    assert "  lspServers: pyright (pyright-langserver: .py .pyi)" in done.stdout
    assert SECRET not in done.stdout + done.stderr


async def _first_request(tmp_path: Path, workspace: Path, *args: str) -> tuple[Any, str]:
    async with FakeAnthropic(
        {"responses": [text("Reviewed.")]}, variables={"cwd": str(workspace)}
    ) as fake:
        env = cli_env(tmp_path, fake)
        done = await ask(env, "--cwd", str(workspace), *args)
    assert done.code == 0, done.stderr
    return fake.requests[0].body, done.stderr


async def test_a_plugin_settings_agent_runs_the_main_thread(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    reviewer = ("--plugin-dir", str(PLUGINS / "reviewer-mode"))
    body, _ = await _first_request(tmp_path, workspace, *reviewer, "review hello.py")
    system = json.dumps(body["system"])
    assert "You are the lead reviewer" in system
    assert "How to work:" not in system  # the agent's prompt replaces the instructions
    assert {t["name"] for t in body["tools"]} - {"ToolSearch"} == {"Read", "Grep"}
    assert "haiku" in body["model"]
    first = body["messages"][0]["content"][0]["text"]
    assert first == "Start by listing what you will review.\n\nreview hello.py"
    # The run's own model beats the agent's.
    body, _ = await _first_request(
        tmp_path, workspace, *reviewer, "--model", "claude-opus-4-1", "review hello.py"
    )
    assert body["model"] == "claude-opus-4-1"
    # A command as the first prompt is expanded, with the initialPrompt before it.
    body, _ = await _first_request(
        tmp_path, workspace, *reviewer, "--plugin-dir", str(PLUGINS / "rigid"), "/rigid:hello"
    )
    first = body["messages"][0]["content"][0]["text"]
    assert first.startswith("Start by listing what you will review.\n\nSay hello.")

    # The project's `agent` setting wins over the plugin's, once the folder is trusted.
    solo = "---\nname: solo\ndescription: Works alone\n---\nYou work alone, quietly.\n"
    write_tree(workspace, {".claude/agents/solo.md": solo})
    write_json(workspace / ".claude" / "settings.json", {"agent": "solo"})
    body, _ = await _first_request(tmp_path, workspace, *reviewer, "hi")
    assert "You work alone, quietly." in json.dumps(body["system"])
    assert body["messages"][0]["content"][0]["text"] == "hi"  # solo has no initialPrompt

    # Untrusted, the folder's own `agent` setting is not used.
    env = isolated_env(tmp_path / "env")  # the same HOME and data directory as cli_env's
    subprocess.run([*COMMAND, "trust", "--no", "--cwd", str(workspace)], env=env, check=True)
    body, _ = await _first_request(tmp_path, workspace, *reviewer, "hi")
    assert "You are the lead reviewer" in json.dumps(body["system"])

    # An agent that does not exist is named with the file that asked for it.
    workspace2 = tmp_path / "other"
    settings = write_json(workspace2 / ".claude" / "settings.json", {"agent": "ghost"})
    body, stderr = await _first_request(tmp_path, workspace2, "hi")
    assert f"{settings}: agent 'ghost' not found" in stderr
    assert "How to work:" in json.dumps(body["system"])


def test_options_in_http_and_prompt_hooks(tmp_path: Path, home: Path) -> None:
    """No shell reads an http hook's URL or headers: options fill them. A prompt hook's text
    goes to the model: only non-sensitive values."""
    from lsp_agent.agent.claude.hooks_config import HooksConfig
    from lsp_agent.agent.claude.plugins import discover, parts

    hooks = {
        "hooks": {
            "PostToolUse": [
                {
                    "hooks": [
                        {
                            "type": "http",
                            "url": "${user_config.endpoint}/events",
                            "headers": {"Authorization": "Bearer ${user_config.token}"},
                        },
                        {
                            "type": "prompt",
                            "prompt": "Check ${user_config.endpoint} ${user_config.token}",
                        },
                    ]
                }
            ]
        }
    }
    options = {
        "endpoint": {"type": "string", "title": "Endpoint", "description": "Where events go"},
        "token": {
            "type": "string",
            "title": "Token",
            "description": "Its token",
            "sensitive": True,
        },
    }
    plugin = tmp_path / "notifier"
    write_json(
        plugin / ".claude-plugin" / "plugin.json", {"name": "notifier", "userConfig": options}
    )
    write_json(plugin / "hooks" / "hooks.json", hooks)
    values = {"endpoint": "https://events.example.invalid", "token": SECRET}
    write_json(
        home / ".claude" / "settings.json",
        {"pluginConfigs": {"notifier@inline": {"options": values}}},
    )
    found = discover(tmp_path, trusted=True, dirs=[plugin])
    config = HooksConfig()
    parts.add_hooks(found, config, create=False)
    http, prompt = config.events["PostToolUse"][0].hooks
    assert http.command == "https://events.example.invalid/events"
    assert dict(http.headers)["Authorization"] == f"Bearer {SECRET}"
    assert prompt.command == "Check https://events.example.invalid ${user_config.token}"
    assert ("CLAUDE_PLUGIN_OPTION_TOKEN", SECRET) in http.env
    assert found.problems == []
