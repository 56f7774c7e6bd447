"""Command and skill bodies as Claude Code renders them before sending: `!` shell lines (under
the command's allowed-tools and the permission rules, only in a trusted folder), `@path`
attachments confined to the workspace, 0-based `$N`, `${CLAUDE_*}` variables. Through
`lsp-agent ask` against the scripted fake API, with the fixture plugins' commands."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from lsp_agent.agent.claude.invocation import read_only
from lsp_agent.testing.fake_anthropic import FakeAnthropic
from tests.agent.test_cli_ask import COMMAND, ask, cli_env
from tests.compat.conftest import write_json, write_tree
from tests.conftest import isolated_env

PLUGINS = Path(__file__).parent / "plugin_fixtures" / "team-marketplace" / "plugins"
COMMIT_TOOLS = str(PLUGINS / "commit-tools")
DONE = {"content": [{"type": "text", "text": "Done."}]}


def git(workspace: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=workspace, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "hello.py").write_text("print('hello')\n")
    git(workspace, "init", "-q", "-b", "feature-x")
    git(workspace, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "add", ".")
    git(workspace, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "1")
    (workspace / "hello.py").write_text("print('changed')\n")
    return workspace


def user_text(fake: FakeAnthropic) -> str:
    first = fake.requests[0].body["messages"][0]["content"]
    return "\n".join(block["text"] for block in first if block.get("type") == "text")


async def run(
    tmp_path: Path, workspace: Path, prompt: str, *args: str, responses: Any = None
) -> tuple[Any, FakeAnthropic]:
    scenario = {"responses": [DONE] if responses is None else responses}
    async with FakeAnthropic(scenario, variables={"cwd": str(workspace)}) as fake:
        env = cli_env(tmp_path, fake)
        done = await ask(env, "--cwd", str(workspace), *args, prompt)
    return done, fake


async def test_bang_lines_run_before_sending(tmp_path: Path, repo: Path) -> None:
    # commit.md as Anthropic publishes it: `git status` under its allowed-tools, `git branch
    # --show-current` read-only.
    # `/commit` is `/commit-tools:commit`: no other command has the name.
    done, fake = await run(tmp_path, repo, "/commit", "--plugin-dir", COMMIT_TOOLS)
    assert done.code == 0, done.stderr
    text = user_text(fake)
    assert "- Current git status:  M hello.py" in text  # `git status --short` output
    assert "- Current branch: feature-x" in text
    assert "!`" not in text


async def test_arguments_attachments_and_session_variable(tmp_path: Path, repo: Path) -> None:
    done, fake = await run(
        tmp_path,
        repo,
        '/commit-tools:explain hello.py "new team"',
        *("--plugin-dir", COMMIT_TOOLS, "--output-format", "json"),
    )
    assert done.code == 0, done.stderr
    session = json.loads(done.stdout)["session_id"]
    blocks = fake.requests[0].body["messages"][0]["content"]
    assert blocks[0]["text"].startswith("Explain @hello.py to new team readers.")
    assert f"Session: {session}" in blocks[0]["text"]
    assert 'Everything typed: hello.py "new team"' in blocks[0]["text"]
    attached = [b["text"] for b in blocks[1:] if b.get("type") == "text"]
    assert any("print('changed')" in a and str(repo / "hello.py") in a for a in attached)


async def test_refused_failing_and_untrusted_bang_lines(tmp_path: Path, repo: Path) -> None:
    write_tree(
        repo,
        {
            ".claude/commands/wipe.md": "Clean up:\n!`rm -rf build`\n",
            ".claude/commands/broken.md": (
                "---\nallowed-tools: Bash(git show:*)\n---\nShow: !`git show no-such-ref`\n"
            ),
            ".claude/commands/peek.md": "Secret: @../secret.txt and @hello.py\n",
        },
    )
    (repo.parent / "secret.txt").write_text("TOP-SECRET\n")
    done, fake = await run(tmp_path, repo, "/wipe", responses=[])
    assert done.code == 1 and fake.requests == []  # nothing was sent
    assert "/wipe: `!` command `rm -rf build` was not run: not allowed" in done.stderr
    assert "Bash(rm -rf build)" in done.stderr and str(repo / ".claude/commands/wipe.md") in (
        done.stderr
    )

    done, fake = await run(tmp_path, repo, "/broken", responses=[])
    assert done.code == 1 and fake.requests == []
    assert "`git show no-such-ref` failed (exit 128)" in done.stderr

    done, fake = await run(tmp_path, repo, "/peek")
    assert done.code == 0, done.stderr
    assert "TOP-SECRET" not in json.dumps(fake.requests[0].body)  # outside the workspace
    assert "print('changed')" in json.dumps(fake.requests[0].body)

    env = isolated_env(tmp_path / "env")  # the same data directory as the runs'
    subprocess.run([*COMMAND, "trust", "--no", "--cwd", str(repo)], env=env, check=True)
    write_tree(repo, {".claude/commands/status.md": "Status: !`git status --short`\n"})
    done, fake = await run(tmp_path, repo, "/status", responses=[])
    assert done.code == 1 and fake.requests == []
    assert "the folder is not trusted" in done.stderr


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("git status --short", True),
        ("git branch --show-current", True),
        ("git log --oneline -10", True),
        ("git branch -D main", False),
        ("git diff --output=/tmp/x", False),
        ("git status; rm -rf /", False),
        ("ls $(whoami)", False),
        ("rm -rf build", False),
    ],
)
def test_read_only_commands(command: str, expected: bool) -> None:
    assert read_only(command) is expected


async def test_skill_frontmatter_keys(tmp_path: Path, repo: Path) -> None:
    write_tree(
        repo,
        {
            ".claude/skills/lint/SKILL.md": (
                "---\nname: lint\ndescription: Lints a file.\nwhen_to_use: After editing Python.\n"
                "argument-hint: [file]\narguments: [file]\nmodel: claude-haiku-4-5\n"
                "disallowed-tools: Bash\n---\nLint $file in ${CLAUDE_SKILL_DIR}.\n"
            ),
            ".claude/skills/hidden/SKILL.md": (
                "---\ndescription: Background rules.\nuser-invocable: false\n---\nRules.\n"
            ),
        },
    )
    bash = {"content": [{"type": "tool_use", "name": "Bash", "input": {"command": "ls"}}]}
    done, fake = await run(tmp_path, repo, "/lint hello.py", responses=[bash, DONE])
    assert done.code == 0, done.stderr
    request = fake.requests[0].body
    assert request["model"] == "claude-haiku-4-5"
    skill_dir = repo / ".claude" / "skills" / "lint"
    assert f"Lint hello.py in {skill_dir}." in user_text(fake)
    system = json.dumps(request["system"])
    assert "Lints a file. After editing Python." in system and "Background rules." in system
    [result] = [
        b for b in fake.requests[1].body["messages"][-1]["content"] if b["type"] == "tool_result"
    ]
    assert result["is_error"] and "not available while the skill 'lint'" in json.dumps(result)

    done, fake = await run(tmp_path, repo, "/hidden", responses=[])
    assert done.code == 1 and "Unknown slash command: /hidden" in done.stderr


async def test_a_forked_skill_runs_in_its_subagent(tmp_path: Path, repo: Path) -> None:
    write_tree(
        repo,
        {
            ".claude/skills/survey/SKILL.md": (
                "---\ndescription: Surveys TODOs.\ncontext: fork\nagent: Explore\n---\n"
                "Survey the repository for TODO comments about $ARGUMENTS.\n"
            )
        },
    )
    answers = ["Found 2 TODOs about auth.", "There are two."]
    responses = [{"content": [{"type": "text", "text": t}]} for t in answers]
    done, fake = await run(tmp_path, repo, "/survey auth", responses=responses)
    assert done.code == 0, done.stderr
    child, parent = (r.body for r in fake.requests)
    assert "read-only exploration agent" in json.dumps(child["system"])
    assert "Edit" not in [t["name"] for t in child["tools"]]
    assert "TODO comments about auth" in json.dumps(child["messages"][0])
    first = parent["messages"][0]["content"][0]["text"]
    assert first.startswith("The skill /survey ran in the Explore subagent.")
    assert first.endswith("Found 2 TODOs about auth.")
    assert "Survey the repository" not in json.dumps(parent["messages"])  # not inline


async def test_disable_skill_shell_execution(tmp_path: Path, repo: Path) -> None:
    marker = tmp_path / "ran"
    write_tree(repo, {".claude/commands/touch.md": f"Result: !`touch {marker}`\n"})
    write_json(repo / ".claude" / "settings.local.json", {"disableSkillShellExecution": True})
    done, fake = await run(tmp_path, repo, "/touch")
    assert done.code == 0, done.stderr
    assert user_text(fake) == "Result: [shell command execution disabled by policy]\n"
    assert not marker.exists()
