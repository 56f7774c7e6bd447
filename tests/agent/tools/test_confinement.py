"""Confinement: every path a tool takes must resolve inside the workspace roots."""

from __future__ import annotations

from pathlib import Path

import pytest

from lsp_agent.agent.permissions import confinement
from lsp_agent.agent.tools.base import ToolContext
from lsp_agent.agent.tools.read import Read


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path, Path]:
    root, extra, outside = (tmp_path / n for n in ("root", "extra", "outside"))
    for d in (root / "sub", extra, outside):
        d.mkdir(parents=True)
    (outside / "secret.txt").write_text("secret\n")
    (extra / "e.txt").write_text("e\n")
    (root / "sub" / "a.txt").write_text("a\n")
    (root / "escape").symlink_to(outside)
    (root / "escape.txt").symlink_to(outside / "secret.txt")
    (root / "inner").symlink_to(root / "sub")
    return root.resolve(), extra.resolve(), outside.resolve()


CASES = {
    "relative": ("sub/a.txt", "sub/a.txt"),
    "dot-dot staying inside": ("sub/../sub/a.txt", "sub/a.txt"),
    "absolute inside": ("{root}/sub/a.txt", "sub/a.txt"),
    "symlink inside": ("inner/a.txt", "sub/a.txt"),
    "additional root": ("{extra}/e.txt", "{extra}/e.txt"),
    "dot-dot out": ("../outside/secret.txt", None),
    "absolute out": ("{outside}/secret.txt", None),
    "symlinked dir out": ("escape/secret.txt", "symlink"),
    "symlinked file out": ("escape.txt", "symlink"),
    "etc": ("/etc/passwd", None),
}


def check(layout: tuple[Path, Path, Path], raw: str, expected: str | None) -> None:
    root, extra, outside = layout
    fill = {"root": root, "extra": extra, "outside": outside}
    raw = raw.format(**fill)
    if expected is None or expected == "symlink":
        with pytest.raises(confinement.OutsideWorkspace) as info:
            confinement.resolve(raw, root, [root, extra])
        assert "outside the workspace" in str(info.value)
        if expected == "symlink":
            assert "through a symlink" in str(info.value)
    else:
        want = Path(expected.format(**fill))
        assert confinement.resolve(raw, root, [root, extra]) == root / want


@pytest.mark.parametrize(("raw", "expected"), CASES.values(), ids=CASES.keys())
def test_resolve(layout: tuple[Path, Path, Path], raw: str, expected: str | None) -> None:
    check(layout, raw, expected)


async def test_tool_refuses_escape_as_error_result(
    layout: tuple[Path, Path, Path], ctx: ToolContext
) -> None:
    root = layout[0]
    ctx.cwd, ctx.roots = root, [root]
    result = await Read().run({"file_path": "escape/secret.txt"}, ctx)
    assert result.is_error
    assert "outside the workspace" in str(result.content)
    assert "secret\n" not in str(result.content)
