"""The data-driven helper: source in, expected symbols out, one line per symbol."""

from __future__ import annotations

from indexer.extract import extract_file
from indexer.model import Symbol


def render(symbols: list[Symbol]) -> list[str]:
    """`kind qualified.name line` (1-based), in source order: the fixtures' .expected format."""
    return [f"{s.kind} {s.qualified_name} {s.selection.start[0] + 1}" for s in symbols]


def check(source: bytes | str, expected: str | list[str], path: str = "/fixture.py") -> None:
    data = source.encode() if isinstance(source, str) else source
    if isinstance(expected, str):
        expected = [line.strip() for line in expected.strip().splitlines() if line.strip()]
    actual = render(list(extract_file(path, data).symbols))
    assert actual == expected, "\n".join(["actual:", *actual])
