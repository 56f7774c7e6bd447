"""Parsing `@path` and `@path#L5-10` references in a prompt (agent/prompt/references.py)."""

from __future__ import annotations

import pytest

from lsp_agent.agent.prompt.references import Reference, parse


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("look at @src/a.py", [Reference("src/a.py", "src/a.py")]),
        ("@a.py#L5-10, please", [Reference("a.py#L5-10", "a.py", 5, 10)]),
        ("@a.py#L3", [Reference("a.py#L3", "a.py", 3, 3)]),
        ("@a.py#L3-L4", [Reference("a.py#L3-L4", "a.py", 3, 4)]),
        ("see (@docs/x.md).", [Reference("docs/x.md).", "docs/x.md")]),
        ("mail me@example.com", []),
        ("no refs", []),
    ],
)
def test_parse(prompt: str, expected: list[Reference]) -> None:
    assert parse(prompt) == expected
