"""Slash commands, skills and the frontmatter they share, from fixture files."""

from __future__ import annotations

from pathlib import Path

import pytest

from lsp_agent.agent.claude import frontmatter
from lsp_agent.agent.claude.commands import (
    Builtin,
    Expansion,
    Unknown,
    expand,
    help_text,
    load_commands,
    substitute,
)
from lsp_agent.agent.claude.skills import Skill, load_skills, skills_prompt
from lsp_agent.agent.tools.base import ToolContext
from lsp_agent.agent.tools.skill import SkillTool
from tests.compat.conftest import write_tree


def test_frontmatter_subset() -> None:
    fields, body = frontmatter.split(
        "---\n"
        "name: reviewer\n"
        'description: "Reviews code: carefully"\n'
        "tools: Read, Grep, Bash(git diff:*)\n"
        "allowed-tools: [Read, 'Bash(git add:*)']\n"
        "steps:\n  - one\n  - two\n"
        "long: >\n  first part\n  second part\n"
        "---\n\nThe body.\n"
    )
    assert fields["description"] == "Reviews code: carefully"
    assert frontmatter.as_list(fields["tools"]) == ["Read", "Grep", "Bash(git diff:*)"]
    assert fields["allowed-tools"] == ["Read", "Bash(git add:*)"]
    assert fields["steps"] == ["one", "two"]
    assert fields["long"] == "first part second part"
    assert body == "The body.\n"
    assert frontmatter.split("no frontmatter\n") == ({}, "no frontmatter\n")


COMMANDS = {
    ".claude/commands/fix-issue.md": (
        "---\ndescription: Fix a GitHub issue\nargument-hint: <number> <priority>\n"
        "allowed-tools: Bash(gh issue view:*), Read\nmodel: claude-haiku-4-5\n---\n"
        "Fix issue #$0 with priority $1. Everything: $ARGUMENTS\n"
    ),
    ".claude/commands/frontend/component.md": "Create a React component.\n",
    ".claude/commands/clear.md": "shadowing a built-in\n",
}


@pytest.mark.parametrize(
    ("body", "arguments", "expected"),
    [
        # 0-based since Claude Code 2.1.19: $0 (= $ARGUMENTS[0]) is the first argument.
        ("Fix #$0 ($1)", "123 high", "Fix #123 (high)"),
        ("Fix #$ARGUMENTS[0] ($ARGUMENTS[1])", "123 high", "Fix #123 (high)"),
        ("All: $ARGUMENTS", "a b", "All: a b"),
        # An index with no argument stays as written.
        ("One: $0, three: $2.", '"two words" x', "One: two words, three: $2."),
        ("Cost: \\$1.00 and $ARGUMENTS", "$0", "Cost: $1.00 and $0"),  # escaped; no re-expansion
        ("Kept: \\\\$0", "a", "Kept: \\\\a"),  # a doubled backslash does not escape
        ("No placeholders.", "extra", "No placeholders.\n\nARGUMENTS: extra"),
        ("No placeholders.", "", "No placeholders."),
        ("Unbalanced $0", "'oops", "Unbalanced 'oops"),
        ("In ${CLAUDE_PROJECT_DIR}", "", "In ${CLAUDE_PROJECT_DIR}"),  # needs a session
    ],
)
def test_substitute(body: str, arguments: str, expected: str) -> None:
    assert substitute(body, arguments) == expected


def test_custom_commands(project: Path, home: Path) -> None:
    write_tree(project, COMMANDS)
    write_tree(home, {".claude/commands/fix-issue.md": "user's\n", ".claude/commands/mine.md": "x"})
    commands = load_commands(project)
    assert len(commands.problems) == 1 and "built-in" in commands.problems[0]

    result = expand("/fix-issue 42 high", commands)
    assert isinstance(result, Expansion)
    assert result.prompt == "Fix issue #42 with priority high. Everything: 42 high\n"
    assert result.command.allowed_tools == ("Bash(gh issue view:*)", "Read")
    assert result.command.model == "claude-haiku-4-5"
    assert result.command.source == "project"

    names = {row["name"]: row for row in commands.listing()}
    assert names["component"]["description"] == "Create a React component. (project:frontend)"
    assert names["fix-issue"]["argumentHint"] == "<number> <priority>"
    assert names["mine"]["source"] == "user"
    assert names["compact"]["source"] == "builtin"
    assert "/fix-issue <number> <priority> - Fix a GitHub issue (project)" in help_text(commands)


def test_builtins_unknown_and_plain_prompts(project: Path) -> None:
    commands = load_commands(project)
    assert expand("/compact keep the API notes", commands) == Builtin(
        "compact", "keep the API notes"
    )
    assert expand("/model", commands) == Builtin("model", "")
    assert expand("/nope x", commands) == Unknown("nope")
    assert expand("/usr/bin/env is odd", commands) is None
    assert expand("fix the bug", commands) is None


SKILLS = {
    ".claude/skills/pdf/SKILL.md": (
        "---\nname: pdf-tools\ndescription: Fill and extract PDF forms\n"
        "allowed-tools: Read, Bash(python:*)\n---\n# PDF\nRun scripts/fill.py.\n"
    ),
    ".claude/skills/deploy/SKILL.md": (
        "---\ndescription: Deploy to production\ndisable-model-invocation: true\n---\nDeploy.\n"
    ),
    ".claude/skills/broken/SKILL.md": "no frontmatter, no description\n",
}


async def test_skills_and_skill_tool(project: Path, home: Path, ctx: ToolContext) -> None:
    write_tree(project, SKILLS)
    write_tree(home, {".claude/skills/notes/SKILL.md": "---\ndescription: Take notes\n---\nN.\n"})
    skills = load_skills(project)
    assert sorted(skills.skills) == ["deploy", "notes", "pdf-tools"]
    assert len(skills.problems) == 1
    prompt = skills_prompt(skills)
    assert "- pdf-tools: Fill and extract PDF forms" in prompt
    assert "- notes: Take notes" in prompt
    assert "deploy" not in prompt

    activated: list[Skill] = []
    tool = SkillTool(skills, activated.append)
    result = await tool.run({"skill": "pdf-tools"}, ctx)
    assert not result.is_error
    assert result.content == (
        f"Base directory for this skill: {project / '.claude/skills/pdf'}\n\n# PDF\n"
        "Run scripts/fill.py."
    )
    assert activated[0].allowed_tools == ("Read", "Bash(python:*)")
    hidden = await tool.run({"skill": "deploy"}, ctx)
    assert hidden.is_error and "Available skills: pdf-tools, notes" in str(hidden.content)
