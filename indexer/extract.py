"""Parse a file and pull out its definitions and references with the `<lang>-tags.scm` queries.

The queries run in C (`QueryCursor.matches`); Python only reads the captured nodes. Containers
come from nesting of definition ranges (one sort and a stack), not from walking the tree.

Rows are flat tuples rather than dataclasses because they cross a process boundary by pickle
and go straight into SQLite; `to_file_symbols` turns them into `model` records.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from indexer.languages import BY_NAME, load
from indexer.model import FileSymbols, Reference, Span, Symbol
from indexer.preproc import define_only

if TYPE_CHECKING:
    from tree_sitter import Node, Parser, Query, Tree

QUERIES_DIR = Path(__file__).parent / "queries"
SIGNATURE_MAX = 200  # characters; minified bundles have megabyte-long lines
CLASS_LIKE = frozenset({"class", "struct", "interface", "impl", "enum"})
INHERITS = re.compile(r"^;\s*inherits:\s*([\w,]+)", re.MULTILINE)

# (name, kind, container, start_line, start_col, end_line, end_col, start_byte, end_byte,
#  name_line, name_col, name_end_line, name_end_col, name_start_byte, name_end_byte, signature,
#  name_ascii)
SymbolRow = tuple[
    str, str, str, int, int, int, int, int, int, int, int, int, int, int, int, str, bool
]
# (name, kind, line, col, end_line, end_col, start_byte, end_byte)
RefRow = tuple[str, str, int, int, int, int, int, int]
# A definition before nesting: (pattern, kind, name, scope, start_byte, end_byte, start_line,
#  start_col, end_line, end_col, name_start_byte, name_end_byte, name_line, name_col,
#  name_end_line, name_end_col); `scope` is an explicit container (Go receiver, C++ `A::`).
RawDef = tuple[int, str, str, str, int, int, int, int, int, int, int, int, int, int, int, int]

_local = threading.local()


def query_source(language: str) -> str:
    """The query text for `language`, with `; inherits: a,b` files prepended."""
    text = (QUERIES_DIR / f"{language}-tags.scm").read_text(encoding="utf-8")
    parents = INHERITS.search(text)
    if not parents:
        return text
    return "\n".join(query_source(p) for p in parents.group(1).split(",")) + "\n" + text


@dataclass(frozen=True, slots=True)
class _Pass:
    """One query run over a tree: the language's query is split in two (see `_passes`)."""

    query: Query
    patterns: tuple[int, ...]  # pattern i of this query is pattern patterns[i] of the file
    top_level: bool  # its patterns start at the root node (matched with max_start_depth 0)


@cache
def _passes(language: str) -> tuple[tuple[_Pass, ...], dict[str, tuple[str, str]]]:
    """The tags query as two passes, and each capture's (role, kind).

    Patterns rooted at the tree's root node (`(program (lexical_declaration ...))`: top-level
    variables) keep a match in progress for the whole walk, and tree-sitter then tries each
    node against them: on TypeScript that made the query cost more than twice as much. They
    run as a second query whose matches may only start at depth 0, which skips that work;
    the rest run as before. Pattern numbers stay the file's (the lowest wins a name)."""
    from tree_sitter import Query

    source = query_source(language)
    whole = Query(load(language), source)
    root = f"({parser(language).parse(b'').root_node.type}"
    spans = [
        (whole.start_byte_for_pattern(i), whole.end_byte_for_pattern(i))
        for i in range(whole.pattern_count)
    ]
    data = source.encode("utf-8")  # the spans are byte offsets
    texts = [data[start:end].decode("utf-8") for start, end in spans]
    top = tuple(
        i
        for i, text in enumerate(texts)
        if text.lstrip().startswith(root) and "@name.reference" not in text
    )
    rest = tuple(i for i in range(len(texts)) if i not in top)
    passes = tuple(
        _Pass(Query(load(language), "\n".join(texts[i] for i in group)), group, top_level)
        for group, top_level in ((rest, False), (top, True))
        if group
    )
    # capture name -> (role, kind); role is "def", "ref", "node" (definition range) or extra
    roles: dict[str, tuple[str, str]] = {}
    for i in range(whole.capture_count):
        cap = whole.capture_name(i)
        parts = cap.split(".")
        if parts[:2] == ["name", "definition"]:
            roles[cap] = ("def", parts[2])
        elif parts[:2] == ["name", "reference"]:
            roles[cap] = ("ref", parts[2])
        elif parts[0] == "definition":
            roles[cap] = ("node", parts[1])
        else:
            roles[cap] = (cap, "")
    return passes, roles


def parser(language: str) -> Parser:
    """A parser for `language`, one per thread (tree-sitter parsers are not thread-safe)."""
    parsers: dict[str, Parser] = _local.__dict__.setdefault("parsers", {})
    if language not in parsers:
        from tree_sitter import Parser

        parsers[language] = Parser(load(language))
    return parsers[language]


def parse(source: bytes, language: str, old_tree: Tree | None = None) -> Tree:
    if old_tree is None:
        return parser(language).parse(source)
    return parser(language).parse(source, old_tree)


def extract_rows(tree: Tree, source: bytes, language: str) -> tuple[list[SymbolRow], list[RefRow]]:
    """Definitions (with containers) and references found by the language's tags query."""
    defs, refs = query_raw(tree, source, language)
    return nest(defs, source, language), refs


def query_raw(
    tree: Tree, source: bytes, language: str, byte_range: tuple[int, int] | None = None
) -> tuple[list[RawDef], list[RefRow]]:
    """Run the tags query (over `byte_range` only, if given): definitions before nesting."""
    from tree_sitter import QueryCursor

    passes, roles = _passes(language)
    found: dict[int, RawDef] = {}  # name start byte -> the match of the lowest pattern index
    refs: dict[int, RefRow] = {}
    for run in passes:
        cursor = QueryCursor(run.query)
        if byte_range is not None:
            cursor.set_byte_range(*byte_range)
        if run.top_level:
            cursor.set_max_start_depth(0)
        matches = cursor.matches(tree.root_node)
        _collect(matches, run.patterns, roles, source, found, refs)
    return list(found.values()), list(refs.values())


def _collect(
    matches: list[tuple[int, dict[str, list[Node]]]],
    patterns: tuple[int, ...],
    roles: dict[str, tuple[str, str]],
    source: bytes,
    found: dict[int, RawDef],
    refs: dict[int, RefRow],
) -> None:
    for index, captures in matches:
        pattern = patterns[index]
        name_node = def_node = None
        kind = scope = ""
        for cap, nodes in captures.items():
            role, cap_kind = roles[cap]
            if role == "ref":  # three matches in four: the row is built inline
                for node in nodes:
                    start, end = node.start_byte, node.end_byte
                    line, col = node.start_point
                    raw = source[start:end]
                    # Names sit on one line: the end point follows from the length (one
                    # Point object less per reference).
                    end_line, end_col = (
                        (line, col + end - start) if b"\n" not in raw else node.end_point
                    )
                    name = raw.decode("utf-8", "replace")
                    if cap_kind == "import":  # `"./mod"`, `<stdio.h>`: the path inside
                        name = name.strip("\"'<>")
                    refs[start] = (name, cap_kind, line, col, end_line, end_col, start, end)
            elif role == "def":
                name_node, kind = nodes[0], cap_kind
            elif role == "node":
                def_node = nodes[0]
            elif role in ("receiver", "scope"):
                scope = _scope_name(_text(source, nodes[0]))
        if name_node is not None:
            previous = found.get(name_node.start_byte)
            if previous is None or pattern < previous[0]:
                found[name_node.start_byte] = _raw_def(
                    pattern, kind, scope, name_node, def_node, source
                )


def _raw_def(
    pattern: int, kind: str, scope: str, name_node: Node, def_node: Node | None, source: bytes
) -> RawDef:
    node = def_node or name_node
    return (
        pattern, kind, _text(source, name_node), scope,
        node.start_byte, node.end_byte, *node.start_point, *node.end_point,
        name_node.start_byte, name_node.end_byte, *name_node.start_point, *name_node.end_point,
    )  # fmt: skip


def _text(source: bytes, node: Node) -> str:
    return source[node.start_byte : node.end_byte].decode("utf-8", "replace")


_SCOPE_WORD = re.compile(r"[A-Za-z_]\w*")


def _scope_name(text: str) -> str:
    """`(s *Stack[T])` -> `Stack`; `ns::Foo<T>` -> `ns.Foo` (receivers and C++ scopes)."""
    if text.startswith("("):
        words = _SCOPE_WORD.findall(text.split("[", 1)[0])
        return words[-1] if words else ""
    return text.split("<", 1)[0].replace("::", ".")


def nest(defs: list[RawDef], source: bytes, language: str) -> list[SymbolRow]:
    """Give each definition its qualified container by nesting of ranges."""
    stack: list[tuple[int, str, str]] = []  # (end byte, qualified name, kind)
    rows: list[SymbolRow] = []
    for d in sorted(defs, key=lambda d: (d[4], -d[5])):
        _, kind, name, scope, start, end, sl, sc, el, ec, nsb, neb, nl, nc, nel, nec = d
        while stack and stack[-1][0] <= start:
            stack.pop()
        outer = stack[-1][1] if stack else ""
        # An explicit scope (Go receiver, C++ `A::f`) is relative to the enclosing namespace.
        container = f"{outer}.{scope}" if scope and outer else scope or outer
        kind = _refine_kind(kind, "" if scope or not stack else stack[-1][2], name, language)
        sig = signature_line(source, start)
        ascii_ = source[source.rfind(b"\n", 0, nsb) + 1 : neb].isascii()
        rows.append(
            (
                name,
                kind,
                container,
                sl,
                sc,
                el,
                ec,
                start,
                end,
                nl,
                nc,
                nel,
                nec,
                nsb,
                neb,
                sig,
                ascii_,
            )
        )
        stack.append((end, f"{container}.{name}" if container else name, kind))
    return rows


def _refine_kind(kind: str, parent_kind: str, name: str, language: str) -> str:
    if kind == "function" and parent_kind in CLASS_LIKE:
        return "method"
    if kind == "variable" and name.isupper() and language != "bash":
        return "constant"
    return kind


def signature_line(source: bytes, offset: int) -> str:
    """The line holding `offset`, stripped and capped."""
    start = source.rfind(b"\n", 0, offset) + 1
    end = source.find(b"\n", offset, offset + SIGNATURE_MAX * 4)
    raw = source[start : end if end >= 0 else start + SIGNATURE_MAX * 4]
    return raw.decode("utf-8", "replace").strip()[:SIGNATURE_MAX]


def extract_source(source: bytes, language: str) -> tuple[list[SymbolRow], list[RefRow], bool]:
    """Parse and extract in one go, dropping the tree (rows plus whether it had syntax errors)."""
    if language == "c":  # a header of #defines only gives the same rows without a parse
        scanned = define_only(source)
        if scanned is not None:
            return scanned[0], scanned[1], False
    tree = parse(source, language)
    symbols, refs = extract_rows(tree, source, language)
    return symbols, refs, tree.root_node.has_error


def to_file_symbols(
    path: str, language: str, symbols: list[SymbolRow], refs: list[RefRow], has_errors: bool
) -> FileSymbols:
    return FileSymbols(
        path=path,
        language=language,
        symbols=tuple(symbol_from_row(path, language, row) for row in symbols),
        references=tuple(reference_from_row(path, row) for row in refs),
        has_errors=has_errors,
    )


def symbol_from_row(path: str, language: str, row: SymbolRow) -> Symbol:
    name, kind, container, sl, sc, el, ec, sb, eb, nl, nc, nel, nec, nsb, neb, sig, ascii_ = row
    # Positional, in the fields' order: keywords made a frozen dataclass a third slower to
    # build, and a search builds 100 of these, a file's symbols thousands.
    return Symbol(
        name,
        kind,
        path,
        Span((sl, sc), (el, ec), sb, eb),
        Span((nl, nc), (nel, nec), nsb, neb),
        container,
        language,
        sig,
        bool(ascii_),
    )


def reference_from_row(path: str, row: RefRow) -> Reference:
    name, kind, line, col, end_line, end_col, sb, eb = row
    return Reference(name, kind, path, Span((line, col), (end_line, end_col), sb, eb))


def extract_file(path: str, source: bytes, language: str | None = None) -> FileSymbols:
    """Symbols and references of one file's content (`language` defaults from the extension)."""
    from indexer.languages import spec_for_path

    if language is None:
        spec = spec_for_path(path)
        if spec is None:
            raise ValueError(f"no grammar for {path}")
        language = spec.name
    if language not in BY_NAME:
        raise ValueError(f"unknown language {language!r}")
    symbols, refs, has_errors = extract_source(source, language)
    return to_file_symbols(path, language, symbols, refs, has_errors)
