"""Skills' and commands' frontmatter as current Claude Code applies it, through `lsp-agent ask`
and the scripted fake API: `paths` (offered once a matching file is worked with), `hooks`
(registered on invocation, `once` honoured, not before the folder is trusted), `context: fork`
through the Skill tool, and `if` on a non-tool event."""

from __future__ import annotations

import json
from pathlib import Path

from tests.compat.agent_run import run_agent, text_response, tool_response
from tests.compat.conftest import write_json, write_tree
from tests.compat.test_frontmatter_scopes import (
    append,
    content,
    messages,
    run,
    text,
    tool,
    tool_results,
)


def system_text(fake_body: object) -> str:
    assert isinstance(fake_body, dict)
    return json.dumps(fake_body["system"])


async def test_a_skill_with_paths_is_offered_once_a_matching_file_is_read(
    tmp_path: Path,
) -> None:
    workspace = tmp_path / "workspace"
    write_tree(
        workspace,
        {
            ".claude/skills/py-style/SKILL.md": (
                "---\ndescription: Python style rules\npaths:\n  - src/**/*.py\n---\n"
                "Use f-strings.\n"
            ),
            ".claude/skills/docs/SKILL.md": (
                "---\ndescription: Docs rules\npaths: '*.{md,rst}'\n---\nShort lines.\n"
            ),
            ".claude/skills/always/SKILL.md": "---\ndescription: Always here\n---\nHi.\n",
            "src/pkg/app.py": "print('hi')\n",
            "src/notes.md": "notes\n",
        },
    )
    turns = [
        tool("Skill", {"skill": "py-style"}),
        tool("Read", {"file_path": "{cwd}/src/notes.md"}),  # `*.md` is the root's only
        tool("Read", {"file_path": "{cwd}/src/pkg/app.py"}),
        tool("Skill", {"skill": "py-style"}),
        text("done"),
    ]
    done, fake = await run(workspace, tmp_path, turns, "tidy app.py")
    assert done.code == 0, done.stderr
    early, notes, app, loaded = tool_results(fake)
    system = system_text(fake.requests[0].body)
    assert "always" in system and "py-style" not in system and "Docs rules" not in system
    assert early["is_error"] and "Unknown skill 'py-style'" in content(early)
    assert "[skills]" not in content(notes)
    assert "The skill 'py-style' applies to the files you are working with" in content(app)
    assert not loaded.get("is_error") and "Use f-strings." in content(loaded)


SKILL_HOOKS = """---
description: Watches globbing
hooks:
  PostToolUse:
    - matcher: Glob
      hooks:
        - type: command
          command: "{once}"
          once: true
        - type: command
          command: "{every}"
---
Watch.
"""


async def test_skill_hooks_register_on_invocation_and_honour_once(tmp_path: Path) -> None:
    workspace, log = tmp_path / "workspace", tmp_path / "hooks.log"
    skill = SKILL_HOOKS.format(once=append(log, "once"), every=append(log, "every"))
    write_tree(workspace, {".claude/skills/watch/SKILL.md": skill})
    turns = [
        tool("Glob", {"pattern": "*"}),  # before the skill: no hook of it runs
        tool("Skill", {"skill": "watch"}),
        tool("Glob", {"pattern": "*"}),
        tool("Glob", {"pattern": "*"}),
        text("done"),
    ]
    done, _ = await run(workspace, tmp_path, turns, "watch")
    assert done.code == 0, done.stderr
    assert log.read_text().split() == ["once", "every", "every"]


async def test_an_untrusted_folders_skill_and_command_hooks_do_not_run(tmp_path: Path) -> None:
    workspace, log = tmp_path / "workspace", tmp_path / "hooks.log"
    skill = SKILL_HOOKS.format(once=append(log, "once"), every=append(log, "every"))
    write_tree(workspace, {".claude/skills/watch/SKILL.md": skill})
    turns = [tool("Skill", {"skill": "watch"}), tool("Glob", {"pattern": "*"}), text("done")]
    done, _ = await run(workspace, tmp_path, turns, "--no-project-settings", "watch")
    assert done.code == 0, done.stderr
    assert not log.exists()
    assert "frontmatter hooks do not run until the folder is trusted" in messages(done)


async def test_a_commands_hooks_register_when_it_runs(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    write_tree(
        workspace,
        {
            ".claude/commands/ship.md": (
                "---\ndescription: Ships\nhooks:\n  PreToolUse:\n    - matcher: Bash\n"
                "      hooks:\n        - type: command\n"
                "          command: \"echo 'no shell while shipping' >&2; exit 2\"\n"
                "---\nShip $ARGUMENTS.\n"
            )
        },
    )
    turns = [tool("Bash", {"command": "echo hi"}), text("done")]
    done, fake = await run(workspace, tmp_path, turns, "/ship now")
    assert done.code == 0, done.stderr
    [bash] = tool_results(fake)
    assert bash["is_error"] and "no shell while shipping" in content(bash)
    # Without the command, the same call meets only the headless default.
    done, fake = await run(workspace, tmp_path, turns, "ship now")
    [bash] = tool_results(fake)
    assert "no shell while shipping" not in content(bash)


async def test_the_skill_tool_runs_a_forked_skill_in_its_subagent(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    write_tree(
        workspace,
        {
            ".claude/skills/survey/SKILL.md": (
                "---\ndescription: Surveys the code\ncontext: fork\nagent: Explore\n---\n"
                "Count the Python files and report.\n"
            )
        },
    )
    turns = [tool("Skill", {"skill": "survey"}), text("3 Python files"), text("done")]
    done, fake = await run(workspace, tmp_path, turns, "survey")
    assert done.code == 0, done.stderr
    [result] = tool_results(fake)
    assert not result.get("is_error")
    assert "The skill /survey ran in the Explore subagent" in content(result)
    assert "3 Python files" in content(result)
    child = fake.requests[1].body
    assert isinstance(child, dict)
    assert "read-only exploration agent" in system_text(child)
    assert "Count the Python files" in json.dumps(child["messages"][0])


async def test_if_on_a_non_tool_event_never_runs_the_hook(tmp_path: Path) -> None:
    workspace, log = tmp_path / "workspace", tmp_path / "hooks.log"
    hooks = [
        {"type": "command", "command": append(log, "guarded"), "if": "Bash(*)"},
        {"type": "command", "command": append(log, "plain")},
    ]
    write_json(
        workspace / ".claude/settings.json", {"hooks": {"UserPromptSubmit": [{"hooks": hooks}]}}
    )
    done, _ = await run(workspace, tmp_path, [text("done")], "hello")
    assert done.code == 0, done.stderr
    assert log.read_text().split() == ["plain"]


async def test_malformed_skill_hooks_are_reported_and_the_skill_still_loads(
    tmp_path: Path,
) -> None:
    workspace = tmp_path / "workspace"
    skill = workspace / ".claude/skills/odd/SKILL.md"
    write_tree(
        workspace,
        {
            ".claude/skills/odd/SKILL.md": (
                "---\ndescription: Odd\nhooks:\n  Stop: {oops\n---\nOdd body.\n"
            )
        },
    )
    done, fake = await run(workspace, tmp_path, [tool("Skill", {"skill": "odd"}), text("ok")], "go")
    assert done.code == 0, done.stderr
    [loaded] = tool_results(fake)
    assert not loaded.get("is_error") and "Odd body." in content(loaded)
    assert f"{skill}: the frontmatter is not valid YAML" in messages(done)


async def test_a_plugin_skills_hooks_get_the_plugins_root(tmp_path: Path) -> None:
    workspace, plugin, log = tmp_path / "workspace", tmp_path / "kit", tmp_path / "hooks.log"
    workspace.mkdir()
    write_json(plugin / ".claude-plugin/plugin.json", {"name": "kit"})
    hook = f"echo $CLAUDE_PLUGIN_ROOT >> {log}"
    write_tree(plugin, {"skills/fmt/SKILL.md": SKILL_HOOKS.format(once=hook, every="true")})
    turns = [tool("Skill", {"skill": "kit:fmt"}), tool("Glob", {"pattern": "*"}), text("done")]
    done, _ = await run(workspace, tmp_path, turns, "--plugin-dir", str(plugin), "fmt")
    assert done.code == 0, done.stderr
    assert log.read_text().split() == [str(plugin)]


async def test_skill_hooks_last_the_session_and_end_with_it(project: Path, tmp_path: Path) -> None:
    once, every = tmp_path / "once.log", tmp_path / "every.log"
    skill = SKILL_HOOKS.format(once=append(once, "x"), every=append(every, "x"))
    write_tree(project, {".claude/skills/watch/SKILL.md": skill})
    glob = tool_response("Glob", {"pattern": "*"})
    await run_agent(
        project,
        [
            *(tool_response("Skill", {"skill": "watch"}), glob, text_response("1")),
            *(glob, text_response("2")),  # a later prompt: still registered
            *(glob, text_response("3")),  # after /clear: a new session, none
            *(tool_response("Skill", {"skill": "watch"}), glob, text_response("4")),
        ],
        "watch",
        "again",
        "/clear",
        "after clear",
        "watch again",
    )
    assert len(every.read_text().split()) == 3  # prompts 1, 2 and 4
    assert len(once.read_text().split()) == 2  # once per session: the new one ran it again
