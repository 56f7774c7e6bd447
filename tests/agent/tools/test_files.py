"""Read, Write, Edit, MultiEdit against a real temp workspace and the disk sink."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

from lsp_agent.agent.ports import EditOutcome, EditProposal
from lsp_agent.agent.tools.base import ToolContext, ToolResult
from lsp_agent.agent.tools.read import Read
from lsp_agent.agent.tools.write import Edit, MultiEdit, Write

from .conftest import write_tree

TOOLS = {t.name: t for t in (Read(), Write(), Edit(), MultiEdit())}


async def call(ctx: ToolContext, tool: str, **tool_input: Any) -> ToolResult:
    if "file_path" in tool_input:
        tool_input["file_path"] = str(ctx.cwd / tool_input["file_path"])
    return await TOOLS[tool].run(tool_input, ctx)


async def check(
    ctx: ToolContext,
    files: dict[str, str | bytes],
    steps: list[tuple[str, dict[str, Any], str | None]],
    expected_files: dict[str, str | bytes],
) -> None:
    """Run `steps` (tool, input, expected error substring or None for success) in order, then
    compare file contents (str compares text with newline="", bytes compares raw bytes)."""
    write_tree(ctx.cwd, files)
    for tool, tool_input, error in steps:
        result = await call(ctx, tool, **dict(tool_input))
        if error is None:
            assert not result.is_error, result.content
        else:
            assert result.is_error, result.content
            assert error in str(result.content)
    for rel, want in expected_files.items():
        path = ctx.cwd / rel
        data = path.read_bytes()
        got: str | bytes = data if isinstance(want, bytes) else data.decode()
        assert got == want, rel


READ_A = ("Read", {"file_path": "a.py"}, None)

EDIT_CASES = {
    "edit after read": (
        {"a.py": "x = 1\ny = 2\n"},
        [
            READ_A,
            ("Edit", {"file_path": "a.py", "old_string": "y = 2", "new_string": "y = 3"}, None),
        ],
        {"a.py": "x = 1\ny = 3\n"},
    ),
    "edit without read refused": (
        {"a.py": "x = 1\n"},
        [
            (
                "Edit",
                {"file_path": "a.py", "old_string": "x", "new_string": "z"},
                "has not been read",
            )
        ],
        {"a.py": "x = 1\n"},
    ),
    "not unique": (
        {"a.py": "x\nx\n"},
        [
            READ_A,
            (
                "Edit",
                {"file_path": "a.py", "old_string": "x", "new_string": "z"},
                "Found 2 matches",
            ),
        ],
        {"a.py": "x\nx\n"},
    ),
    "replace_all": (
        {"a.py": "x\nx\n"},
        [
            READ_A,
            (
                "Edit",
                {"file_path": "a.py", "old_string": "x", "new_string": "z", "replace_all": True},
                None,
            ),
        ],
        {"a.py": "z\nz\n"},
    ),
    "not found": (
        {"a.py": "x\n"},
        [
            READ_A,
            ("Edit", {"file_path": "a.py", "old_string": "q", "new_string": "z"}, "not found"),
        ],
        {"a.py": "x\n"},
    ),
    "same strings": (
        {"a.py": "x\n"},
        [
            READ_A,
            ("Edit", {"file_path": "a.py", "old_string": "x", "new_string": "x"}, "No changes"),
        ],
        {"a.py": "x\n"},
    ),
    "two edits in a row keep the read fresh": (
        {"a.py": "a\nb\n"},
        [
            READ_A,
            ("Edit", {"file_path": "a.py", "old_string": "a", "new_string": "A"}, None),
            ("Edit", {"file_path": "a.py", "old_string": "b", "new_string": "B"}, None),
        ],
        {"a.py": "A\nB\n"},
    ),
    "crlf preserved": (
        {"a.py": b"one\r\ntwo\r\nthree\r\n"},
        [
            READ_A,
            (
                "Edit",
                {"file_path": "a.py", "old_string": "one\ntwo", "new_string": "1\n2\n2.5"},
                None,
            ),
        ],
        {"a.py": b"1\r\n2\r\n2.5\r\nthree\r\n"},
    ),
    "utf-8 bom and latin-1 kept": (
        {"a.py": b"\xef\xbb\xbfname = 'caf\xc3\xa9'\n", "b.txt": b"caf\xe9 ok\n"},
        [
            READ_A,
            ("Edit", {"file_path": "a.py", "old_string": "name", "new_string": "n"}, None),
            ("Read", {"file_path": "b.txt"}, None),
            ("Edit", {"file_path": "b.txt", "old_string": "ok", "new_string": "fine"}, None),
        ],
        {"a.py": b"\xef\xbb\xbfn = 'caf\xc3\xa9'\n", "b.txt": b"caf\xe9 fine\n"},
    ),
    "multiedit in order": (
        {"a.py": "a b c\n"},
        [
            READ_A,
            (
                "MultiEdit",
                {
                    "file_path": "a.py",
                    "edits": [
                        {"old_string": "a", "new_string": "b x"},
                        {"old_string": "b x", "new_string": "y"},
                    ],
                },
                None,
            ),
        ],
        {"a.py": "y b c\n"},
    ),
    "multiedit all or nothing": (
        {"a.py": "a b c\n"},
        [
            READ_A,
            (
                "MultiEdit",
                {
                    "file_path": "a.py",
                    "edits": [
                        {"old_string": "a", "new_string": "A"},
                        {"old_string": "nope", "new_string": "y"},
                    ],
                },
                "edit 2 of 2: String to replace",
            ),
        ],
        {"a.py": "a b c\n"},
    ),
    "write new file needs no read": (
        {},
        [("Write", {"file_path": "new/dir/n.py", "content": "hi\n"}, None)],
        {"new/dir/n.py": "hi\n"},
    ),
    "overwrite without read refused": (
        {"a.py": "old\n"},
        [("Write", {"file_path": "a.py", "content": "new\n"}, "has not been read")],
        {"a.py": "old\n"},
    ),
    "overwrite after read keeps crlf": (
        {"a.py": b"old\r\n"},
        [READ_A, ("Write", {"file_path": "a.py", "content": "new\nlines\n"}, None)],
        {"a.py": b"new\r\nlines\r\n"},
    ),
    "edit with empty old_string creates a file": (
        {},
        [("Edit", {"file_path": "c.py", "old_string": "", "new_string": "c\n"}, None)],
        {"c.py": "c\n"},
    ),
    "missing parameter": (
        {"a.py": "x\n"},
        [("Edit", {"file_path": "a.py", "old_string": "x"}, "missing required parameter")],
        {"a.py": "x\n"},
    ),
    "edit a directory": (
        {"d/x": ""},
        [("Read", {"file_path": "d"}, "is a directory")],
        {},
    ),
    "binary refused": (
        {"b.bin": b"\x00\x01\x02"},
        [("Read", {"file_path": "b.bin"}, "binary")],
        {},
    ),
}


@pytest.mark.parametrize("case", EDIT_CASES.values(), ids=EDIT_CASES.keys())
async def test_edits(ctx: ToolContext, case: Any) -> None:
    await check(ctx, *case)


async def test_edit_refused_after_external_change(ctx: ToolContext) -> None:
    await check(ctx, {"a.py": "x = 1\n"}, [READ_A], {})
    (ctx.cwd / "a.py").write_text("x = 2\n")
    edit = {"file_path": "a.py", "old_string": "x", "new_string": "z"}
    await check(ctx, {}, [("Edit", edit, "modified since it was read")], {"a.py": "x = 2\n"})
    await check(ctx, {}, [READ_A, ("Edit", edit, None)], {"a.py": "z = 2\n"})


async def test_file_mode_and_symlink_kept(ctx: ToolContext) -> None:
    write_tree(ctx.cwd, {"run.sh": "echo a\n", "real.txt": "r\n"})
    (ctx.cwd / "run.sh").chmod(0o754)
    (ctx.cwd / "link.txt").symlink_to("real.txt")
    steps = [
        ("Read", {"file_path": "run.sh"}, None),
        ("Edit", {"file_path": "run.sh", "old_string": "a", "new_string": "b"}, None),
        ("Read", {"file_path": "link.txt"}, None),
        ("Edit", {"file_path": "link.txt", "old_string": "r", "new_string": "s"}, None),
    ]
    await check(ctx, {}, steps, {"run.sh": "echo b\n", "real.txt": "s\n"})
    assert stat.S_IMODE((ctx.cwd / "run.sh").stat().st_mode) == 0o754
    assert (ctx.cwd / "link.txt").is_symlink()
    assert [p.name for p in ctx.cwd.iterdir() if p.name.endswith(".tmp")] == []


READ_CASES = {
    "numbers from 1": ("a\nb\n", {}, "     1\ta\n     2\tb"),
    "offset and limit": (
        "a\nb\nc\nd\n",
        {"offset": 2, "limit": 2},
        "     2\tb\n     3\tc\n\n(showing lines 2-3 of 4",
    ),
    "empty": ("", {}, "contents are empty"),
    "offset past end": (
        "a\n",
        {"offset": 5},
        "shorter than the provided offset (5). The file has 1 lines.",
    ),
    "long line cut": ("x" * 2500 + "\n", {}, "     1\t" + "x" * 2000 + "\n\n(lines longer"),
    "crlf shown as lines": ("a\r\nb\r\n", {}, "     1\ta\n     2\tb"),
}


@pytest.mark.parametrize(("text", "args", "expected"), READ_CASES.values(), ids=READ_CASES.keys())
async def test_read(ctx: ToolContext, text: str, args: dict[str, Any], expected: str) -> None:
    (ctx.cwd / "f.txt").write_bytes(text.encode())
    result = await call(ctx, "Read", file_path="f.txt", **args)
    assert not result.is_error
    assert isinstance(result.content, str)
    assert expected in result.content


async def test_read_default_limit(ctx: ToolContext) -> None:
    (ctx.cwd / "f.txt").write_text("".join(f"{i}\n" for i in range(1, 2501)))
    result = await call(ctx, "Read", file_path="f.txt")
    assert isinstance(result.content, str)
    assert "  2000\t2000\n\n(showing lines 1-2000 of 2500" in result.content
    assert "2001\t" not in result.content


async def test_read_caps_characters(ctx: ToolContext) -> None:
    (ctx.cwd / "f.txt").write_text(("y" * 1000 + "\n") * 500)
    result = await call(ctx, "Read", file_path="f.txt")
    assert isinstance(result.content, str)
    assert "(showing lines 1-99 of 500; use offset and limit" in result.content
    assert len(result.content) < 101_000


async def test_read_image(ctx: ToolContext) -> None:
    (ctx.cwd / "p.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    result = await call(ctx, "Read", file_path="p.png")
    assert isinstance(result.content, list)
    assert result.content[0]["source"]["media_type"] == "image/png"


class Buffers:
    """An editor host's ports: unsaved buffers, and a sink that records proposals and lands a
    user-modified text (as a user editing the proposal before accepting would)."""

    def __init__(self, texts: dict[Path, str], answer: EditOutcome) -> None:
        self.texts = texts
        self.answer = answer
        self.proposals: list[EditProposal] = []

    def read_text(self, path: Path) -> str | None:
        return self.texts.get(path)

    async def apply(self, proposal: EditProposal) -> EditOutcome:
        self.proposals.append(proposal)
        return self.answer


@pytest.mark.parametrize(
    ("answer", "expected", "is_error"),
    [
        (EditOutcome(applied=True), "has been updated", False),
        (EditOutcome(applied=True, note="1 new error: x is undefined"), "x is undefined", False),
        (EditOutcome(applied=True, final_text="user's version\n"), "user's version", False),
        (EditOutcome(applied=False, message="rejected by the user"), "rejected by the user", True),
    ],
)
async def test_buffer_first_and_sink_outcome(
    ctx: ToolContext, answer: EditOutcome, expected: str, is_error: bool
) -> None:
    path = ctx.cwd / "a.py"
    path.write_text("on disk\n")
    host = Buffers({path: "in buffer\n"}, answer)
    ctx.documents, ctx.edits = host, host
    read = await call(ctx, "Read", file_path="a.py")
    assert "in buffer" in str(read.content)
    result = await call(ctx, "Edit", file_path="a.py", old_string="buffer", new_string="edit")
    assert result.is_error is is_error
    assert expected in str(result.content)
    assert host.proposals[0].old_text == "in buffer\n"
    assert host.proposals[0].new_text == "in edit\n"
    assert path.read_text() == "on disk\n"  # only the sink writes


async def test_sink_refuses_stale_proposal(ctx: ToolContext) -> None:
    path = ctx.cwd / "a.py"
    path.write_text("now\n")
    outcome = await ctx.edits.apply(EditProposal(path, "before\n", "after\n", "Edit", ""))
    assert not outcome.applied
    assert "stale" in outcome.message
    assert os.path.exists(path) and path.read_text() == "now\n"
