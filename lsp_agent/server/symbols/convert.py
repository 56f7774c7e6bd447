"""LSP <-> index conversions: URIs, symbol kinds, and byte columns <-> client positions.

Byte columns go to code points by decoding the line prefix, then to the client's units with
pygls's position codec; an ASCII prefix, where every encoding agrees, skips both.

workspace/symbol's answers are written as JSON text (`symbol_json`), in the shape and key
order cattrs gives `SymbolInformation`: building 100 lsprotocol objects (validators on every
field) and unstructuring them again cost more than the rest of the conversion, and building
dicts for `json.dumps` still cost the event loop about 2 ms an answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from json.encoder import encode_basestring_ascii as _string
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls import uris
from pygls.workspace.position_codec import ServerTextPosition

if TYPE_CHECKING:
    from indexer.model import Point, Span, Symbol

KINDS = {
    "class": types.SymbolKind.Class,
    "struct": types.SymbolKind.Struct,
    "interface": types.SymbolKind.Interface,
    "enum": types.SymbolKind.Enum,
    "enummember": types.SymbolKind.EnumMember,
    "type": types.SymbolKind.TypeParameter,
    "function": types.SymbolKind.Function,
    "method": types.SymbolKind.Method,
    "constructor": types.SymbolKind.Constructor,
    "field": types.SymbolKind.Field,
    "variable": types.SymbolKind.Variable,
    "constant": types.SymbolKind.Constant,
    "module": types.SymbolKind.Module,
    "namespace": types.SymbolKind.Namespace,
    "impl": types.SymbolKind.Object,
    "macro": types.SymbolKind.Function,
}
KIND_NUMBERS = {name: kind.value for name, kind in KINDS.items()}
VARIABLE = types.SymbolKind.Variable.value


def to_path(uri: str) -> str | None:
    return uris.to_fs_path(uri)


@lru_cache(maxsize=1 << 14)
def to_uri(path: str) -> str:
    # Cached: quoting a path costs ~10 us, paid for each of a search's 100 results (the
    # same few thousand files come back again and again).
    return uris.from_fs_path(path) or f"file://{path}"


class Lines:
    """Source lines by number, for position conversion: open buffers first, then the disk."""

    def __init__(self, source: Callable[[str], bytes]) -> None:
        self.source = source
        self.cache: dict[str, list[bytes]] = {}

    def line(self, path: str, number: int) -> bytes:
        lines = self.cache.get(path)
        if lines is None:
            lines = self.cache[path] = self.source(path).split(b"\n")
        return lines[number] if number < len(lines) else b""


def byte_offset(source: bytes, position: types.Position, codec: Any) -> int:
    """Client position -> byte offset in `source` (via code points, with pygls's codec)."""
    start = 0
    for _ in range(position.line):
        nxt = source.find(b"\n", start)
        if nxt < 0:
            return len(source)
        start = nxt + 1
        end = source.find(b"\n", start)
    end = source.find(b"\n", start)
    line = source[start : end if end >= 0 else len(source)]
    if line.isascii():
        return start + min(position.character, len(line))
    text = line.decode("utf-8", "surrogateescape")
    point = codec.position_from_client_units([text], types.Position(0, position.character))
    return start + len(text[: point.character].encode("utf-8", "surrogateescape"))


class Converter:
    def __init__(self, codec: Any, source: Callable[[str], bytes]) -> None:
        self.codec = codec
        self.lines = Lines(source)

    def position(self, path: str, point: Point) -> types.Position:
        line, col = point
        raw = self.lines.line(path, line)[:col]
        if raw.isascii():  # every encoding counts ASCII the same
            return types.Position(line, col)
        text = raw.decode("utf-8", "replace")
        client = self.codec.position_to_client_units([text], ServerTextPosition(0, len(text)))
        return types.Position(line, client.character)

    def range(self, path: str, span: Span) -> types.Range:
        return types.Range(self.position(path, span.start), self.position(path, span.end))

    def location(self, path: str, span: Span) -> types.Location:
        return types.Location(to_uri(path), self.range(path, span))


def document_symbols(symbols: Sequence[Symbol], conv: Converter) -> list[types.DocumentSymbol]:
    """Nest by range: each symbol goes under the innermost earlier symbol that contains it."""
    roots: list[types.DocumentSymbol] = []
    stack: list[tuple[int, types.DocumentSymbol]] = []
    for s in sorted(symbols, key=lambda s: (s.range.start_byte, -s.range.end_byte)):
        node = types.DocumentSymbol(
            name=s.name,
            kind=KINDS.get(s.kind, types.SymbolKind.Variable),
            range=conv.range(s.path, s.range),
            selection_range=conv.range(s.path, s.selection),
            detail=s.signature,
            children=[],
        )
        while stack and stack[-1][0] <= s.range.start_byte:
            stack.pop()
        (stack[-1][1].children if stack else roots).append(node)  # type: ignore[union-attr]
        stack.append((s.range.end_byte, node))
    return roots


def flat_symbols(roots: Sequence[types.DocumentSymbol], uri: str) -> list[types.SymbolInformation]:
    """The same symbols for a client without hierarchical support: a flat list in document
    order, each naming the symbol it is nested in as its container."""
    flat: list[types.SymbolInformation] = []

    def walk(symbols: Sequence[types.DocumentSymbol], container: str | None) -> None:
        for s in symbols:
            location = types.Location(uri, s.range)
            flat.append(
                types.SymbolInformation(
                    name=s.name, kind=s.kind, location=location, container_name=container
                )
            )
            walk(s.children or [], s.name)

    walk(roots, None)
    return flat


def symbol_json(symbol: Symbol, conv: Converter) -> str:
    """The `SymbolInformation` for `symbol`, as the JSON text pygls would send for it (the
    same keys in the same order and spacing, `containerName` left out when empty, ASCII)."""
    span = symbol.selection
    (start_line, start), (end_line, end) = span.start, span.end
    if not symbol.selection_ascii:  # else the byte columns are every encoding's columns
        start = conv.position(symbol.path, span.start).character
        end = conv.position(symbol.path, span.end).character
    container = f', "containerName": {_string(symbol.container)}' if symbol.container else ""
    return (  # byte for byte what `json.dumps` made of the dict (`bench/symbol_answers.py`)
        f'{{"location": {{"uri": {_uri_json(symbol.path)}, "range": {{'
        f'"start": {{"line": {start_line}, "character": {start}}}, '
        f'"end": {{"line": {end_line}, "character": {end}}}}}}}, '
        f'"name": {_string(symbol.name)}, "kind": {KIND_NUMBERS.get(symbol.kind, VARIABLE)}'
        f"{container}}}"
    )


class SymbolTexts:
    """`symbol_json` for a search's results, reusing the text of symbols answered recently:
    the read cache hands out the same `Symbol` objects again (a name typed a letter at a time
    answers much the same definitions each time). Kept by identity, with the symbol itself, so
    an id is never taken for another object's; only symbols whose text depends on nothing else
    (an ASCII selection: no source read, no client encoding). A few answers' worth: what it
    keeps alive, the garbage collector walks on every full collection."""

    def __init__(self, size: int = 2_048) -> None:
        self.size = size
        self._texts: dict[int, tuple[Symbol, str]] = {}

    def answer(self, symbols: Sequence[Symbol], conv: Converter) -> str:
        texts = self._texts
        out = []
        for symbol in symbols:
            kept = texts.get(id(symbol))
            if kept is not None and kept[0] is symbol:
                out.append(kept[1])
                continue
            text = symbol_json(symbol, conv)
            if symbol.selection_ascii:
                if len(texts) >= self.size:
                    texts.clear()
                texts[id(symbol)] = (symbol, text)
            out.append(text)
        return f"[{', '.join(out)}]"


@lru_cache(maxsize=1 << 14)
def _uri_json(path: str) -> str:
    return _string(to_uri(path))
