"""Hunks, partial application and rebasing onto text the user changed."""

from __future__ import annotations

import pytest

from lsp_agent.textdiff import Conflict, apply_hunks, compute_hunks, lines, rebase, summary

BASE = "a\nb\nc\nd\ne\nf\ng\nh\n"
TWO_HUNKS = "a\nB\nc\nd\ne\nf\nG\nh\n"


@pytest.mark.parametrize(
    ("old", "new", "selected", "expected"),
    [
        (BASE, TWO_HUNKS, None, TWO_HUNKS),
        (BASE, TWO_HUNKS, {0}, "a\nB\nc\nd\ne\nf\ng\nh\n"),
        (BASE, TWO_HUNKS, {1}, "a\nb\nc\nd\ne\nf\nG\nh\n"),
        (BASE, TWO_HUNKS, set(), BASE),
        ("", "new\n", None, "new\n"),
        ("x\n", "", None, ""),
        ("no newline", "no newline!", None, "no newline!"),
        ("r\r\nn\r\n", "r\r\nN\r\n", None, "r\r\nN\r\n"),
        ("a\nb\n", "a\ninserted\nb\n", None, "a\ninserted\nb\n"),
    ],
)
def test_apply_selected_hunks(old: str, new: str, selected: set[int] | None, expected: str) -> None:
    assert apply_hunks(old, compute_hunks(old, new), selected) == expected


def test_hunks_are_numbered_in_order() -> None:
    hunks = compute_hunks(BASE, TWO_HUNKS)
    assert [(h.id, h.start, h.end, h.old_text, h.new_text) for h in hunks] == [
        (0, 1, 2, "b\n", "B\n"),
        (1, 6, 7, "g\n", "G\n"),
    ]


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        # The user typed far from the change: the change moves with the text.
        ("typed\n" + BASE, "typed\n" + TWO_HUNKS),
        (BASE.replace("e\n", "e edited\n"), TWO_HUNKS.replace("e\n", "e edited\n")),
        (BASE + "appended\n", TWO_HUNKS + "appended\n"),
        (BASE, TWO_HUNKS),
    ],
)
def test_rebase_onto_user_changes(current: str, expected: str) -> None:
    assert rebase(BASE, TWO_HUNKS, current) == expected


@pytest.mark.parametrize(
    "current",
    [
        BASE.replace("b\n", "b typed\n"),  # the user changed the very line
        BASE.replace("a\n", ""),  # ...or its context
        "",
    ],
)
def test_rebase_refuses_overlapping_changes(current: str) -> None:
    with pytest.raises(Conflict):
        rebase(BASE, TWO_HUNKS, current)


def test_rebase_widens_ambiguous_context() -> None:
    base = "}\nx\n}\nfoo\n}\ny\n}\n"
    proposed = base.replace("foo", "FOO")
    assert rebase(base, proposed, "new\n" + base) == "new\n" + proposed


def test_summary_names_the_lines_and_shows_a_few() -> None:
    text = summary("m.py", compute_hunks(BASE, TWO_HUNKS), max_lines=3)
    assert text.splitlines() == ["m.py, lines 2-7", "- b", "+ B", "- g", "... (1 more lines)"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\x0cb\nc\n", ["a\x0cb\n", "c\n"]),  # LSP breaks lines only at \n, \r\n and \r
        ("a\u2028b\r\nc\rd", ["a\u2028b\r\n", "c\r", "d"]),
        ("", []),
        ("\n\n", ["\n", "\n"]),
    ],
)
def test_lines_split_where_lsp_does(text: str, expected: list[str]) -> None:
    assert lines(text) == expected


def test_hunk_line_numbers_ignore_form_feeds() -> None:
    [hunk] = compute_hunks("a\x0cpage\nb = 2\n", "a\x0cpage\nb = 3\n")
    assert (hunk.start, hunk.end) == (1, 2)
