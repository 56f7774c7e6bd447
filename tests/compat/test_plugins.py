"""Claude Code plugins, from fixtures in the layouts of Anthropic's published plugins
(tests/compat/plugin_fixtures/): `lsp-agent ask --plugin-dir` against the scripted fake API,
`enabledPlugins` through a local marketplace and Claude Code's installed-plugins record, trust,
and plugins that fail to load."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from lsp_agent.testing.fake_anthropic import FakeAnthropic
from tests.agent.test_cli_ask import COMMAND, ask, cli_env
from tests.compat.conftest import write_json, write_tree

FIXTURES = Path(__file__).parent / "plugin_fixtures"
MARKET = FIXTURES / "team-marketplace"
PLUGINS = MARKET / "plugins"
BROKEN = FIXTURES / "broken"


def tool(name: str, tool_input: dict[str, Any]) -> dict[str, Any]:
    return {"content": [{"type": "tool_use", "name": name, "input": tool_input}]}


def text(words: str) -> dict[str, Any]:
    return {"content": [{"type": "text", "text": words}]}


def tool_results(fake: FakeAnthropic) -> list[dict[str, Any]]:
    found = []
    for request in fake.requests:
        last = request.body["messages"][-1]
        if last["role"] == "user" and isinstance(last["content"], list):
            found += [b for b in last["content"] if b.get("type") == "tool_result"]
    return found


def content(block: dict[str, Any]) -> str:
    value = block["content"]
    if isinstance(value, str):
        return value
    return "".join(part.get("text", "") for part in value)


def plugins_cli(env: dict[str, str], *args: str) -> tuple[int, dict[str, Any], str]:
    done = subprocess.run(
        [*COMMAND, "plugins", "--json", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.returncode, json.loads(done.stdout), done.stderr


async def test_plugin_dirs_bring_commands_skills_hooks_servers_and_bin(
    tmp_path: Path,
) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "hello.py").write_text("print('hello')\n")
    responses = [
        tool("Bash", {"command": "guard-status"}),
        tool("Edit", {"file_path": "{cwd}/hello.py", "old_string": "hello", "new_string": "x"}),
        tool("mcp__plugin_guard_calc__add", {"a": 40, "b": 2}),
        tool("mcp__plugin_guard_calc__root", {}),
        text("Checked."),
    ]
    async with FakeAnthropic({"responses": responses}, variables={"cwd": str(workspace)}) as fake:
        env = {**cli_env(tmp_path, fake), "LSP_AGENT_TEST_PYTHON": sys.executable}
        done = await ask(
            env,
            "--cwd",
            str(workspace),
            "--permission-mode",
            "bypassPermissions",
            *("--plugin-dir", str(PLUGINS / "review-kit")),
            *("--plugin-dir", str(PLUGINS / "guard")),
            *("--plugin-dir", str(BROKEN / "bad-manifest")),
            *("--plugin-dir", str(BROKEN / "bad-hooks")),
            "/review-kit:check hello.py",
        )
    assert done.code == 0, done.stderr
    first = fake.requests[0].body
    assert "Check hello.py against the review-kit style guide" in json.dumps(first["messages"])
    assert "review-kit:style-guide" in json.dumps(first["system"])  # the plugin's skill
    results = [content(r) for r in tool_results(fake)]
    guard = (PLUGINS / "guard").resolve()
    assert results[0].strip() == "guard status: on"  # the plugin's bin/ is on Bash's PATH
    assert f"guard ({guard}) blocks edits to hello.py" in results[1]  # CLAUDE_PLUGIN_ROOT
    data = Path(env["HOME"]) / ".claude" / "plugins" / "data" / "guard-inline"
    assert f"; data in {data}" in results[1] and data.is_dir()  # CLAUDE_PLUGIN_DATA, created
    assert results[2:] == ["42", str(guard)]
    assert (workspace / "hello.py").read_text() == "print('hello')\n"
    # The two broken plugins are named on stderr with the file and what is wrong; the rest ran.
    manifest = BROKEN / "bad-manifest" / ".claude-plugin" / "plugin.json"
    assert f"{manifest.resolve()}: malformed JSON" in done.stderr
    hooks = (BROKEN / "bad-hooks" / "hooks" / "hooks.json").resolve()
    assert f"{hooks}: unreadable settings" in done.stderr
    nodesc = (BROKEN / "bad-hooks" / "skills" / "nodesc" / "SKILL.md").resolve()
    assert f"{nodesc}: a skill needs a description" in done.stderr


def _enable_through_settings(workspace: Path, home: Path) -> Path:
    """Project settings enable plugins of a local marketplace; the user's settings enable one
    Claude Code installed into its cache (copied there as `claude plugin install` does)."""
    write_json(
        workspace / ".claude" / "settings.json",
        {
            "extraKnownMarketplaces": {
                "team-tools": {"source": {"source": "directory", "path": str(MARKET)}}
            },
            "enabledPlugins": {
                "commit-tools@team-tools": True,
                "review-kit@team-tools": True,
                "guard@team-tools": False,
                "remote-only@team-tools": True,
                "ghost@nowhere": True,
            },
        },
    )
    cache = home / ".claude" / "plugins" / "cache" / "claude-plugins-official" / "guard" / "0.2.0"
    shutil.copytree(PLUGINS / "guard", cache)
    record = {
        "version": 2,
        "plugins": {
            "guard@claude-plugins-official": [
                {
                    "scope": "user",
                    "installPath": str(cache),
                    "version": "0.2.0",
                    "installedAt": "2026-11-30T10:00:00.000Z",
                    "lastUpdated": "2026-11-30T10:00:00.000Z",
                    "gitCommitSha": "0123456789abcdef0123456789abcdef01234567",
                }
            ]
        },
    }
    write_json(home / ".claude" / "plugins" / "installed_plugins.json", record)
    write_json(
        home / ".claude" / "settings.json",
        {"enabledPlugins": {"guard@claude-plugins-official": True}},
    )
    return cache


def test_enabled_plugins_resolve_locally_and_trust_gates_the_projects(
    tmp_path: Path, env: dict[str, str]
) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    home = Path(env["HOME"])
    cache = _enable_through_settings(workspace, home)

    code, listing, _ = plugins_cli(env, "--cwd", str(workspace))
    assert code == 1  # something failed to load
    loaded = {row["name"]: row for row in listing["loaded"]}
    assert set(loaded) == {"commit-tools", "review-kit", "guard"}
    assert loaded["commit-tools"]["origin"] == "marketplace team-tools"
    assert loaded["commit-tools"]["commands"] == ["/commit-tools:commit", "/commit-tools:explain"]
    kit = loaded["review-kit"]
    assert kit["agents"] == ["review-kit:auditor", "review-kit:reviewer"]  # subfolders too
    assert kit["skills"] == ["review-kit:style-guide"]
    assert loaded["guard"]["origin"] == "installed (~/.claude/plugins)"
    assert loaded["guard"]["root"] == str(cache.resolve())
    assert loaded["guard"]["hooks"] == ["PreToolUse"]
    assert loaded["guard"]["mcpServers"] == ["plugin_guard_calc"]
    failed = {row["id"]: row["reason"] for row in listing["failed"]}
    assert set(failed) == {"remote-only@team-tools", "ghost@nowhere"}
    assert "'github' source" in failed["remote-only@team-tools"]
    assert "never downloads" in failed["ghost@nowhere"]

    # Refused trust: the folder's own settings enable nothing; the user's still do.
    subprocess.run([*COMMAND, "trust", "--no", "--cwd", str(workspace)], env=env, check=True)
    code, listing, _ = plugins_cli(env, "--cwd", str(workspace))
    assert code == 0 and listing["trusted"] is False
    assert [row["name"] for row in listing["loaded"]] == ["guard"]


def test_clashes_loops_and_missing_directories_are_reported(
    tmp_path: Path, env: dict[str, str]
) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    twin = tmp_path / "twin"
    write_tree(twin, {".claude-plugin/plugin.json": '{"name": "review-kit"}'})
    args = [str(PLUGINS / "review-kit"), str(twin), str(loop), str(tmp_path / "missing")]
    code, listing, _ = plugins_cli(
        env, "--cwd", str(tmp_path), *[a for path in args for a in ("--plugin-dir", path)]
    )
    assert code == 1
    assert [row["name"] for row in listing["loaded"]] == ["review-kit"]
    reasons = {row["where"]: row["reason"] for row in listing["failed"]}
    assert "already loaded from" in reasons[str(twin.resolve())]
    assert "symlink loop" in reasons[str(loop)]
    assert reasons[str(tmp_path / "missing")] == "no such directory"


def test_plain_text_listing(tmp_path: Path, env: dict[str, str]) -> None:
    done = subprocess.run(
        [*COMMAND, "plugins", "--cwd", str(tmp_path), "--plugin-dir", str(PLUGINS / "guard")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    guard = (PLUGINS / "guard").resolve()
    assert done.stdout.splitlines()[0] == f"guard 0.2.0  [--plugin-dir]  {guard}"
    assert "  hooks: PreToolUse" in done.stdout
    assert f"  bin: {guard / 'bin'} (on the Bash PATH)" in done.stdout


async def test_a_plugin_subagent_from_a_subfolder_with_its_frontmatter(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    call = {"subagent_type": "review-kit:auditor", "description": "audit", "prompt": "Audit."}
    responses = [tool("Agent", call), text("No issues found."), text("The auditor found none.")]
    async with FakeAnthropic({"responses": responses}, variables={"cwd": str(workspace)}) as fake:
        env = cli_env(tmp_path, fake)
        kit = str(PLUGINS / "review-kit")
        done = await ask(env, "--cwd", str(workspace), "--plugin-dir", kit, "audit it")
    assert done.code == 0, done.stderr
    child = fake.requests[1].body
    assert [t["name"] for t in child["tools"]] == ["Read"]  # tools minus disallowedTools
    system = json.dumps(child["system"])
    assert "You audit code for injection" in system
    assert "Names are snake_case." in system  # `skills: style-guide` preloaded, unprefixed
    assert content(tool_results(fake)[0]) == "No issues found."


def test_subagent_frontmatter_keys_and_a_bad_max_turns(tmp_path: Path) -> None:
    from lsp_agent.agent.claude import frontmatter
    from lsp_agent.agent.claude.subagents import parse_agent

    path = PLUGINS / "review-kit" / "agents" / "security" / "auditor.md"
    fields, body = frontmatter.read(path)
    found = parse_agent(path, fields, body, "plugin:review-kit", "review-kit:")
    assert not isinstance(found, str)
    assert (found.name, found.max_turns, found.skills) == (
        "review-kit:auditor",
        3,
        ("style-guide",),
    )
    assert found.tool_names(["Read", "Grep", "Bash", "Agent"]) == ["Read"]
    bad = tmp_path / "bad.md"
    bad.write_text("---\nname: bad\ndescription: d\nmaxTurns: lots\n---\nx\n")
    problem = parse_agent(bad, *frontmatter.read(bad), "project")
    assert problem == f"{bad}: maxTurns must be a whole number >= 1, got 'lots'; ignored"


async def test_output_styles_change_the_system_prompt(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    write_tree(
        workspace,
        {
            ".claude/output-styles/tutor.md": (
                "---\ndescription: Teaches\n---\nTeach the user as you go, step by step.\n"
            ),
        },
    )

    async def system_for(style: str, *args: str) -> tuple[str, str]:
        write_json(workspace / ".claude" / "settings.local.json", {"outputStyle": style})
        scenario = {"responses": [text("ok")]}
        async with FakeAnthropic(scenario, variables={"cwd": str(workspace)}) as fake:
            done = await ask(cli_env(tmp_path, fake), "--cwd", str(workspace), *args, "hi")
        assert done.code == 0, done.stderr
        return json.dumps(fake.requests[0].body["system"]), done.stderr

    coding = "How to work:"
    system, _ = await system_for("tutor")  # a project style without keep-coding-instructions
    assert "Output style: tutor" in system and "Teach the user as you go" in system
    assert coding not in system
    system, _ = await system_for("guard:terse", "--plugin-dir", str(PLUGINS / "guard"))
    assert "Answer in one line." in system and coding in system  # keep-coding-instructions
    system, _ = await system_for("Explanatory")
    assert "Insight:" in system
    system, stderr = await system_for("nonexistent")
    assert coding in system and "Output style" not in system
    assert "outputStyle 'nonexistent' not found" in stderr and "settings.local.json" in stderr


def test_malformed_marketplace_and_settings_are_named(tmp_path: Path, env: dict[str, str]) -> None:
    workspace = tmp_path / "workspace"
    market = tmp_path / "market"
    write_tree(market, {".claude-plugin/marketplace.json": '{"name": "m", "plugins": [\n'})
    write_json(
        workspace / ".claude" / "settings.json",
        {
            "extraKnownMarketplaces": {
                "m": {"source": {"source": "directory", "path": str(market)}},
                "gone": {"source": {"source": "directory", "path": "../nowhere"}},
            },
            "enabledPlugins": {"a@m": True, "b@gone": True},
        },
    )
    code, listing, _ = plugins_cli(env, "--cwd", str(workspace))
    assert code == 1 and listing["loaded"] == []
    reasons = {row["id"]: (row["where"], row["reason"]) for row in listing["failed"]}
    where, reason = reasons["a@m"]
    assert where == str(market / ".claude-plugin" / "marketplace.json")
    assert reason.startswith("unreadable or malformed JSON")
    where, reason = reasons["b@gone"]
    assert where.endswith("nowhere/.claude-plugin/marketplace.json")
    assert reason == "no marketplace file here"


async def test_plugins_dirs_from_the_environment_in_ask(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    async with FakeAnthropic(
        {"responses": [text("ok")]}, variables={"cwd": str(workspace)}
    ) as fake:
        env = {**cli_env(tmp_path, fake), "LSP_AGENT_PLUGINS_DIRS": str(PLUGINS / "review-kit")}
        done = await ask(env, "--cwd", str(workspace), "/review-kit:check a.py")
    assert done.code == 0, done.stderr
    assert "Check a.py against the review-kit style guide" in json.dumps(fake.requests[0].body)
