"""Glob, Grep (both backends, same expected output) and LS on one fixture workspace."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from lsp_agent.agent.tools.base import Tool, ToolContext
from lsp_agent.agent.tools.grep import Grep, ripgrep
from lsp_agent.agent.tools.listing import LS, Glob

from .conftest import write_tree

FILES: dict[str, str | bytes] = {
    ".git/HEAD": "ref: refs/heads/main\n",  # a git work tree: its .gitignore files count
    ".gitignore": "build/\n*.log\n!keep.log\n",
    "src/app.py": "import os\n\ndef main():\n    print('Hello')\n    return 0\n",
    "src/util.py": "def helper():\n    return 'hello world'\n",
    "src/web/index.ts": "const hello = 1;\n",
    "build/out.py": "hello\n",
    "debug.log": "hello\n",
    "keep.log": "hello log\n",
    "sub/.gitignore": "secret.txt\n",
    "sub/secret.txt": "hello\n",
    "sub/open.txt": "HELLO\nx\nx\nx\nhello again\n",
    ".hidden/h.txt": "hello hidden\n",
    "bin.dat": b"hello\0binary",
}

# CI sets LSP_AGENT_REQUIRE_RG=1 so a missing ripgrep fails there instead of skipping.
RG_MISSING = ripgrep() is None and not os.environ.get("LSP_AGENT_REQUIRE_RG")
BACKENDS = [
    "python",
    pytest.param("rg", marks=pytest.mark.skipif(RG_MISSING, reason="ripgrep not installed")),
]


@pytest.fixture
def tree(ctx: ToolContext, tmp_path: Path) -> ToolContext:
    write_tree(ctx.cwd, FILES)
    # Modification times in path order, so "newest first" has one right answer.
    for i, rel in enumerate(sorted(FILES)):
        os.utime(ctx.cwd / rel, ns=(1_000_000_000 * (i + 1),) * 2)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "o.txt").write_text("hello outside\n")
    (ctx.cwd / "linked").symlink_to(outside)
    return ctx


async def check(ctx: ToolContext, tool: Tool, tool_input: dict[str, Any], expected: str) -> None:
    result = await tool.run(tool_input, ctx)
    assert result.content == expected.replace("{ws}", str(ctx.cwd)), result.content
    assert not result.is_error


GREP_CASES = {
    "files newest first, gitignore honoured": (
        {"pattern": "hello"},
        "Found 5 files\n{ws}/sub/open.txt\n{ws}/src/web/index.ts\n{ws}/src/util.py\n"
        "{ws}/keep.log\n{ws}/.hidden/h.txt",
    ),
    "case insensitive": (
        {"pattern": "hello", "-i": True, "path": "src"},
        "Found 3 files\n{ws}/src/web/index.ts\n{ws}/src/util.py\n{ws}/src/app.py",
    ),
    "content with numbers": (
        {"pattern": "hel+o", "output_mode": "content", "path": "sub"},
        "{ws}/sub/open.txt:5:hello again",
    ),
    "content without numbers": (
        {"pattern": "return", "output_mode": "content", "-n": False, "path": "src"},
        "{ws}/src/app.py:    return 0\n{ws}/src/util.py:    return 'hello world'",
    ),
    "context lines and separators": (
        {"pattern": "^(def|import)", "output_mode": "content", "-A": 1, "path": "src"},
        "{ws}/src/app.py:1:import os\n{ws}/src/app.py-2-\n{ws}/src/app.py:3:def main():\n"
        "{ws}/src/app.py-4-    print('Hello')\n--\n{ws}/src/util.py:1:def helper():\n"
        "{ws}/src/util.py-2-    return 'hello world'",
    ),
    "before context with a gap": (
        {"pattern": "x|again", "output_mode": "content", "-B": 1, "path": "sub/open.txt"},
        "{ws}/sub/open.txt-1-HELLO\n{ws}/sub/open.txt:2:x\n{ws}/sub/open.txt:3:x\n"
        "{ws}/sub/open.txt:4:x\n{ws}/sub/open.txt:5:hello again",
    ),
    "count": (
        {"pattern": "x", "output_mode": "count", "path": "sub"},
        "{ws}/sub/.gitignore:1\n{ws}/sub/open.txt:3",
    ),
    # As in ripgrep, a --glob the caller names wins over .gitignore (not over ignored dirs).
    "glob filter with braces": (
        {"pattern": "hello", "glob": "*.{ts,txt}"},
        "Found 4 files\n{ws}/sub/secret.txt\n{ws}/sub/open.txt\n{ws}/src/web/index.ts\n"
        "{ws}/.hidden/h.txt",
    ),
    "glob overrides gitignore for files": (
        {"pattern": "hello", "glob": "*.log"},
        "Found 2 files\n{ws}/keep.log\n{ws}/debug.log",
    ),
    "negated glob": (
        {"pattern": "hello", "glob": "!src"},
        "Found 3 files\n{ws}/sub/open.txt\n{ws}/keep.log\n{ws}/.hidden/h.txt",
    ),
    "type filter": (
        {"pattern": "def", "type": "py"},
        "Found 2 files\n{ws}/src/util.py\n{ws}/src/app.py",
    ),
    "head_limit": (
        {"pattern": "o", "output_mode": "content", "path": "src/app.py", "head_limit": 1},
        "{ws}/src/app.py:1:import os\n... (1 more lines; raise head_limit to see them)",
    ),
    "multiline": (
        {
            "pattern": r"main\(\):\n\s+print",
            "multiline": True,
            "output_mode": "content",
            "path": "src",
        },
        "{ws}/src/app.py:3:def main():\n{ws}/src/app.py:4:    print('Hello')",
    ),
    "multiline dot spans lines": (
        {"pattern": "helper.*world", "multiline": True},
        "Found 1 file\n{ws}/src/util.py",
    ),
    "no match": ({"pattern": "zzz"}, "No files found"),
    "no match content": ({"pattern": "zzz", "output_mode": "content"}, "No matches found"),
}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("tool_input", "expected"), GREP_CASES.values(), ids=GREP_CASES.keys())
async def test_grep(
    tree: ToolContext, backend: Any, tool_input: dict[str, Any], expected: str
) -> None:
    await check(tree, Grep(backend=backend), tool_input, expected)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    ("tool_input", "error"),
    [
        ({"pattern": "("}, "("),
        ({"pattern": "x", "path": "/etc"}, "outside the workspace"),
        ({"pattern": "x", "path": "linked"}, "outside the workspace"),
        ({"pattern": "x", "output_mode": "lines"}, "output_mode must be"),
        ({"pattern": "x", "path": "missing"}, "does not exist"),
    ],
)
async def test_grep_errors(
    tree: ToolContext, backend: Any, tool_input: dict[str, Any], error: str
) -> None:
    result = await Grep(backend=backend).run(tool_input, tree)
    assert result.is_error
    assert error in str(result.content)


GLOB_CASES = {
    # As Claude Code's Glob: ignore files do not apply (build/ and debug.log are found).
    "recursive newest first": (
        "**/*.py",
        None,
        "{ws}/src/util.py\n{ws}/src/app.py\n{ws}/build/out.py",
    ),
    "no slash: a name at any depth": (
        "*.txt",
        None,
        "{ws}/sub/secret.txt\n{ws}/sub/open.txt\n{ws}/.hidden/h.txt",
    ),
    "ignored files too": ("*.log", None, "{ws}/keep.log\n{ws}/debug.log"),
    "braces": (
        "src/**/*.{ts,py}",
        None,
        "{ws}/src/web/index.ts\n{ws}/src/util.py\n{ws}/src/app.py",
    ),
    "under a path": ("*.ts", "src/web", "{ws}/src/web/index.ts"),
    "absolute pattern": ("{ws}/src/*.py", None, "{ws}/src/util.py\n{ws}/src/app.py"),
    "hidden included": (".hidden/*", None, "{ws}/.hidden/h.txt"),
    "none": ("**/*.rs", None, "No files found"),
}


@pytest.mark.parametrize(
    ("pattern", "path", "expected"), GLOB_CASES.values(), ids=GLOB_CASES.keys()
)
async def test_glob(tree: ToolContext, pattern: str, path: str | None, expected: str) -> None:
    tool_input = {"pattern": pattern.replace("{ws}", str(tree.cwd))}
    if path:
        tool_input["path"] = path
    await check(tree, Glob(), tool_input, expected)


async def test_glob_cap(ctx: ToolContext) -> None:
    write_tree(ctx.cwd, {f"f{i:03}.txt": "" for i in range(130)})
    result = await Glob().run({"pattern": "*.txt"}, ctx)
    lines = str(result.content).splitlines()
    assert len(lines) == 101
    assert lines[-1].startswith("(Results are truncated")


async def test_ls(tree: ToolContext) -> None:
    expected = (
        "- {ws}/\n  - bin.dat\n  - keep.log\n  - src/\n    - app.py\n    - util.py\n"
        "    - web/\n      - index.ts\n  - sub/\n    - open.txt"
    )
    await check(tree, LS(), {"path": str(tree.cwd)}, expected)
    await check(
        tree, LS(), {"path": "src", "ignore": ["web"]}, "- {ws}/src/\n  - app.py\n  - util.py"
    )


@pytest.mark.parametrize("backend", BACKENDS)
async def test_gitignore_counts_only_inside_a_git_work_tree(ctx: ToolContext, backend: Any) -> None:
    """As in git and ripgrep (and the index): outside a work tree a .gitignore hides nothing,
    while a nested repository's own .gitignore counts inside it."""
    write_tree(
        ctx.cwd,
        {
            ".gitignore": "*.log\n",
            "a.log": "hello\n",
            "repo/.git/HEAD": "ref: refs/heads/main\n",
            "repo/.gitignore": "*.log\n",
            "repo/b.log": "hello\n",
            "repo/c.txt": "hello\n",
        },
    )
    result = await Grep(backend=backend).run({"pattern": "hello", "output_mode": "count"}, ctx)
    assert sorted(str(result.content).splitlines()) == [
        f"{ctx.cwd}/a.log:1",
        f"{ctx.cwd}/repo/c.txt:1",
    ]
    listing = await LS().run({"path": str(ctx.cwd)}, ctx)
    assert "a.log" in str(listing.content) and "b.log" not in str(listing.content)


async def test_auto_backend_without_rg(
    tree: ToolContext, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    monkeypatch.setenv("LSP_AGENT_RIPGREP", "")  # and not the bundled one
    expected = GREP_CASES["count"][1]
    await check(tree, Grep(), {"pattern": "x", "output_mode": "count", "path": "sub"}, expected)
    result = await Grep(backend="rg").run({"pattern": "x"}, tree)
    assert result.is_error and "not installed" in str(result.content)
