"""The rules behind the frontmatter scopes, data-driven: which files a skill's `paths` match,
and which mode a subagent's `permissionMode` gets."""

from __future__ import annotations

from pathlib import Path

import pytest

from lsp_agent.agent.claude import frontmatter
from lsp_agent.agent.claude.skill_paths import matches, parse, touched_files
from lsp_agent.agent.claude.subagent_scope import PARENT_WINS, subagent_mode
from lsp_agent.agent.claude.subagents import AgentDefinition


@pytest.mark.parametrize(
    ("patterns", "path", "expected"),
    [
        ("**/*.ts", "a.ts", True),
        ("**/*.ts", "src/deep/a.ts", True),
        ("**/*.ts", "src/a.tsx", False),
        ("src/**/*", "src/a/b.py", True),
        ("src/**/*", "lib/a.py", False),
        ("*.md", "README.md", True),
        ("*.md", "docs/README.md", False),  # the root's only, as path-specific rules say
        ("src/components/*.tsx", "src/components/Button.tsx", True),
        ("src/components/*.tsx", "src/components/ui/Button.tsx", False),
        ("src/**/*.{ts,tsx}", "src/x/a.tsx", True),
        ("src/**/*.{ts,tsx}", "src/x/a.js", False),
        ("a?.py, tests/**", "ab.py", True),  # a comma-separated string
        ("a?.py, tests/**", "tests/x/y.py", True),
    ],
)
def test_skill_paths(patterns: str, path: str, expected: bool) -> None:
    assert matches(parse(patterns), path) is expected


def test_touched_files_are_project_relative_and_never_outside(tmp_path: Path) -> None:
    project = tmp_path / "p"
    inside = {"file_path": str(project / "src/a.py"), "notebook_path": "nb/x.ipynb"}
    assert touched_files(project, inside) == ["src/a.py", "nb/x.ipynb"]
    assert touched_files(project, {"file_path": str(tmp_path / "other/a.py")}) == []
    assert touched_files(project, {"command": "cat src/a.py"}) == []


def agent(mode: str, source: str = "project") -> AgentDefinition:
    return AgentDefinition("a", "d", "p", source=source, permission_mode=mode)


@pytest.mark.parametrize(
    ("wanted", "source", "parent", "trusted", "bypass_off", "expected"),
    [
        ("", "project", "default", True, False, "default"),  # unset: the parent's
        ("acceptEdits", "project", "default", True, False, "acceptEdits"),
        ("bypassPermissions", "user", "default", False, False, "bypassPermissions"),  # yours
        ("acceptEdits", "project", "default", False, False, "default"),  # cannot widen
        ("bypassPermissions", "project", "dontAsk", False, False, "dontAsk"),
        ("plan", "project", "default", False, False, "plan"),  # may narrow
        ("dontAsk", "project", "default", False, False, "dontAsk"),
        ("plan", "user", "acceptEdits", True, False, "acceptEdits"),  # the parent's wins
        ("default", "user", "bypassPermissions", True, False, "bypassPermissions"),
        ("acceptEdits", "user", "plan", True, False, "plan"),  # planning stays planning
        ("bypassPermissions", "user", "default", True, True, "default"),  # disabled
    ],
)
def test_subagent_mode(
    wanted: str, source: str, parent: str, trusted: bool, bypass_off: bool, expected: str
) -> None:
    mode, why = subagent_mode(
        agent(wanted, source), parent, trusted=trusted, bypass_disabled=bypass_off
    )
    assert mode == expected
    assert bool(why) == (bool(wanted) and mode != wanted and parent not in PARENT_WINS)


def test_brace_patterns_survive_every_way_of_writing_paths() -> None:
    for written in ('paths: "*.{ts,tsx}, docs/*"', 'paths: ["*.{ts,tsx}", "docs/*"]'):
        fields, _ = frontmatter.split(f"---\n{written}\n---\nbody")
        assert parse(fields["paths"]) == ("*.{ts,tsx}", "docs/*")
