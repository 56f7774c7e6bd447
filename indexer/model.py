"""The indexer's records: plain frozen dataclasses, no tree-sitter or LSP types.

Positions are (line, column) with 0-based lines and UTF-8 *byte* columns, exactly as tree-sitter
reports them; the server converts them to the client's encoding. Byte offsets into the file are
kept as well so callers can slice source without re-reading lines.
"""

from __future__ import annotations

from dataclasses import dataclass

Point = tuple[int, int]  # (line, byte column), both 0-based


@dataclass(frozen=True, slots=True)
class Span:
    start: Point
    end: Point
    start_byte: int
    end_byte: int


@dataclass(frozen=True, slots=True)
class Symbol:
    name: str
    kind: str  # class, function, method, struct, interface, enum, type, variable, field, ...
    path: str  # absolute path
    range: Span  # the whole definition
    selection: Span  # just the name
    container: str  # qualified enclosing name ("Outer.Inner"), "" at top level
    language: str
    signature: str  # the definition's first line, stripped and capped
    # True when the selection's line is ASCII up to the name's end: its byte columns are then
    # the character columns of every encoding (lets a converter skip reading the file).
    selection_ascii: bool = False

    @property
    def qualified_name(self) -> str:
        return f"{self.container}.{self.name}" if self.container else self.name


@dataclass(frozen=True, slots=True)
class Reference:
    name: str
    kind: str  # call, class, type, import, implementation
    path: str
    selection: Span


@dataclass(frozen=True, slots=True)
class FileSymbols:
    """What one parse of one file yields."""

    path: str
    language: str
    symbols: tuple[Symbol, ...]
    references: tuple[Reference, ...]
    has_errors: bool = False


@dataclass(frozen=True, slots=True)
class IndexStats:
    files: int
    symbols: int
    references: int
    languages: dict[str, int]  # language -> files
    parsed: int  # files (re)parsed by the last refresh
    removed: int  # files dropped by the last refresh
    skipped: int  # files skipped by the last refresh (binary, too big, unreadable)
    seconds: float
    capped: str = ""  # set when the last refresh stopped at a limit: which one, and what to do
    # Where the last refresh's seconds went, in order: "scan", "parse and store", "indexes",
    # "search file", "rest of the checkpoint" (those it ran; an "of which..." row is part of
    # the one before it).
    phases: tuple[tuple[str, float], ...] = ()
