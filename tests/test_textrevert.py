"""Three-way revert: undo a run's hunks on text the user changed since (lsp_agent/textrevert.py)."""

from __future__ import annotations

import pytest

from lsp_agent.textrevert import revert, where

BEFORE = "a = 1\nb = 2\nc = 3\nd = 4\ne = 5\n"
AFTER = "a = 10\nb = 2\nc = 3\nd = 4\ne = 50\n"


@pytest.mark.parametrize(
    ("current", "selected", "text", "reverted", "conflicts"),
    [
        (AFTER, None, BEFORE, (0, 1), ()),
        ("# top\n" + AFTER, None, "# top\n" + BEFORE, (0, 1), ()),
        (AFTER.replace("e = 50", "e = 51"), None, BEFORE.replace("e = 5", "e = 51"), (0,), (1,)),
        ("# top\n" + AFTER, {1}, "# top\n" + AFTER.replace("e = 50", "e = 5"), (1,), ()),
        (
            AFTER.replace("b = 2\n", "b = 2\nmine\n"),
            None,
            BEFORE.replace("b = 2\n", "b = 2\nmine\n"),
            (0, 1),
            (),
        ),
    ],
)
def test_revert(
    current: str,
    selected: set[int] | None,
    text: str,
    reverted: tuple[int, ...],
    conflicts: tuple[int, ...],
) -> None:
    result = revert(BEFORE, AFTER, current, selected)
    assert (result.text, result.reverted, result.conflicts) == (text, reverted, conflicts)


def test_typing_where_the_run_deleted_lines_is_a_conflict() -> None:
    assert revert("x\ny\nz\n", "x\nz\n", "x\nmine\nz\n").conflicts == (0,)
    assert revert("x\ny\nz\n", "x\nz\n", "x\nz\nmine\n").text == "x\ny\nz\nmine\n"


def test_where_each_hunk_is_now() -> None:
    assert where(BEFORE, AFTER, "# top\n" + AFTER) == {0: 1, 1: 5}
    assert where(BEFORE, AFTER, AFTER.replace("e = 50", "e = 7")) == {0: 0, 1: None}
