"""The LSP tool's operations, answered by name from the tree-sitter index.

No type inference: a name's definitions are ranked by `indexer.navigate` (same scope, same
file, imported files, nearer files); references are every recorded use of the name. Call
hierarchies group call references by the definition whose range holds them. Each answer is
compact text (paths relative to the cwd, 1-based line:col), or a ToolError saying why none.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from indexer.model import Reference, Symbol
from indexer.navigate import enclosing, find_definitions

from lsp_agent.agent.permissions.confinement import inside_roots
from lsp_agent.agent.tools.base import ToolError
from lsp_agent.agent.tools.lsp_where import Files, Position, capped

MAX_ITEMS = 100
MAX_DOC_LINES = 8
CALLABLE = frozenset({"function", "method", "constructor", "macro"})
CLASS_LIKE = frozenset({"class", "struct", "interface", "enum", "impl", "type"})
# What tags queries record as "this type implements/extends that one": Java and TypeScript
# `implements`, Rust `impl Trait for`, (`implementation`), and superclass lists (`class`).
INHERITANCE = frozenset({"implementation", "class"})


class Nav:
    """The index as navigation reads it. `references`/`file_references` are optional: an index
    without them answers with definitions only, and says so."""

    def __init__(self, index: Any) -> None:
        self.index = index
        self.has_references = callable(getattr(index, "references", None))
        # One Nav answers one call: ranking each callee's definitions re-reads the same file's
        # symbols and imports, so they are kept for the call.
        self._symbols: dict[str, list[Symbol]] = {}
        self._references: dict[str, list[Reference]] = {}

    def definitions(self, name: str) -> list[Symbol]:
        return list(self.index.definitions(name))

    def file_symbols(self, path: str) -> list[Symbol]:
        if path not in self._symbols:
            self._symbols[path] = list(self.index.file_symbols(path))
        return self._symbols[path]

    def references(self, name: str) -> list[Reference]:
        return list(self.index.references(name)) if self.has_references else []

    def file_references(self, path: str) -> list[Reference]:
        if path not in self._references:
            lookup = getattr(self.index, "file_references", None)
            self._references[path] = list(lookup(path)) if callable(lookup) else []
        return self._references[path]

    def search(self, query: str, limit: int) -> list[Symbol]:
        return list(self.index.search(query, limit))


def _n(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _need_references(nav: Nav, operation: str) -> None:
    if not nav.has_references:
        raise ToolError(f"{operation}: this session's index records no references; use Grep")


def _definitions(nav: Nav, files: Files, at: Position) -> list[Symbol]:
    found = find_definitions(nav, str(at.path), at.name, at.start_byte)
    return inside_roots(found, files.ctx.roots)


def _describe(files: Files, s: Symbol) -> str:
    return f"{s.kind} {s.qualified_name} {files.symbol(s)}"


def go_to_definition(nav: Nav, files: Files, at: Position) -> str:
    found = _definitions(nav, files, at)
    if not found:
        raise ToolError(f"No definition of `{at.name}` found in the index")
    lines = capped(found, MAX_ITEMS, lambda s: f"{_describe(files, s)}: {s.signature}")
    if len(found) > 1:
        lines.insert(0, f"Found {len(found)} definitions of `{at.name}` (best first):")
    return "\n".join(lines)


def find_references(nav: Nav, files: Files, at: Position) -> str:
    _need_references(nav, "findReferences")
    refs = inside_roots(nav.references(at.name), files.ctx.roots)
    defs = _definitions(nav, files, at)
    if not refs and not defs:
        raise ToolError(f"No references to `{at.name}` found in the index")
    here = str(at.path)
    items: list[Symbol | Reference] = [*defs, *refs]
    items.sort(key=lambda i: (i.path != here, files.rel(i.path), i.selection.start))
    count = len({i.path for i in items})
    head = (
        f"Found {_n(len(refs), 'reference')} to `{at.name}` and {_n(len(defs), 'definition')} "
        f"in {_n(count, 'file')} (by name: same-named symbols are included):"
    )
    return "\n".join([head, *capped(items, MAX_ITEMS, lambda i: _reference_row(files, i))])


def _reference_row(files: Files, item: Symbol | Reference) -> str:
    if isinstance(item, Symbol):
        return f"{files.symbol(item)} definition: {item.signature}"
    line = files.source_line(item.path, item.selection.start[0])
    return f"{files.reference(item)} {item.kind}: {line}"


def hover(nav: Nav, files: Files, at: Position) -> str:
    found = _definitions(nav, files, at)
    if not found:
        raise ToolError(f"No definition of `{at.name}` found in the index to describe")
    best = found[0]
    lines = [f"{best.kind} {best.qualified_name} ({best.language}) at {files.symbol(best)}"]
    lines += [f"    {row}" for row in _doc(files, best)]
    if len(found) > 1:
        others = _n(len(found) - 1, "other definition")
        lines.append(f"({others} of `{at.name}`: see goToDefinition)")
    return "\n".join(lines)


_HASH_COMMENTS = frozenset({"python", "bash"})  # the rest of the indexed languages use //, /*


def _doc(files: Files, s: Symbol) -> list[str]:
    """The definition's first line with its doc comment: the comment lines right above it
    (attributes and decorators in between are passed over), or a Python docstring right below.
    A few lines at most, as an editor's hover shows."""
    rows = files.lines(s.path)
    first = s.range.start[0]
    if rows is None or first >= len(rows):
        return [s.signature]
    text = [r.decode("utf-8", "replace").strip() for r in rows]
    comment = ("#",) if s.language in _HASH_COMMENTS else ("//", "/*", "*")
    above: list[str] = []
    for line in reversed(text[max(0, first - 20) : first]):
        if line.startswith(comment) and len(above) < MAX_DOC_LINES:
            above.insert(0, line)
        elif not line.startswith(("@", "#[")) or line.startswith(comment):
            break
    below: list[str] = []
    opening = text[first + 1].lstrip("rRbBuU") if first + 1 < len(text) else ""
    quote = next((q for q in ('"""', "'''") if opening.startswith(q)), None)
    if s.language == "python" and quote:
        for n, line in enumerate(text[first + 1 : first + 1 + MAX_DOC_LINES]):
            below.append(line)
            if quote in (opening[3:] if n == 0 else line):
                break
    return [*above, text[first][:200], *below]


def document_symbol(nav: Nav, files: Files, path: Path) -> str:
    symbols = sorted(nav.file_symbols(str(path)), key=lambda s: s.range.start_byte)
    if not symbols:
        raise ToolError(f"No symbols indexed for {files.rel(str(path))}")
    nested: list[tuple[int, Symbol]] = []
    open_ranges: list[int] = []  # end bytes of the definitions holding the current one
    for s in symbols:
        while open_ranges and s.range.start_byte >= open_ranges[-1]:
            open_ranges.pop()
        nested.append((len(open_ranges), s))
        open_ranges.append(s.range.end_byte)

    def show(item: tuple[int, Symbol]) -> str:
        depth, s = item
        end = f"-{s.range.end[0] + 1}" if s.range.end[0] != s.range.start[0] else ""
        return f"{'  ' * depth}{s.kind} {s.name} {_line_col(files, s)}{end}"

    head = f"{len(symbols)} symbols in {files.rel(str(path))} (kind name line:col-end line):"
    return "\n".join([head, *capped(nested, MAX_ITEMS, show, "symbols")])


def workspace_symbol(nav: Nav, files: Files, query: str) -> str:
    found = inside_roots(nav.search(query, MAX_ITEMS * 2), files.ctx.roots)
    if not found:
        raise ToolError(f"No symbols match {query!r} in the index")
    lines = capped(found, MAX_ITEMS, lambda s: f"{_describe(files, s)}: {s.signature}")
    return "\n".join([f"Symbols matching {query!r}, best first:", *lines])


def _function_at(nav: Nav, files: Files, at: Position) -> Symbol:
    """The callable the position names: its definition here, else the best elsewhere."""
    here = [
        s
        for s in nav.file_symbols(str(at.path))
        if s.name == at.name and s.selection.start_byte <= at.start_byte < s.selection.end_byte
    ]
    found = here or _definitions(nav, files, at)
    callables = [s for s in found if s.kind in CALLABLE]
    if callables:
        return callables[0]
    if found:
        raise ToolError(
            f"`{at.name}` is a {found[0].kind} ({files.symbol(found[0])}), not a function or "
            "method: call hierarchies start at one"
        )
    raise ToolError(f"No definition of `{at.name}` found in the index")


def prepare_call_hierarchy(nav: Nav, files: Files, at: Position) -> str:
    s = _function_at(nav, files, at)
    lines = f"lines {s.range.start[0] + 1}-{s.range.end[0] + 1}"
    return f"{_describe(files, s)} ({lines}): {s.signature}"


def _caller(nav: Nav, ref: Reference) -> Symbol | None:
    chain = enclosing(nav.file_symbols(ref.path), ref.selection.start_byte)
    callables = [s for s in chain if s.kind in CALLABLE]
    innermost = callables or chain
    return innermost[-1] if innermost else None


def incoming_calls(nav: Nav, files: Files, at: Position) -> str:
    _need_references(nav, "incomingCalls")
    target = _function_at(nav, files, at)
    calls = [
        r for r in inside_roots(nav.references(target.name), files.ctx.roots) if r.kind == "call"
    ]
    if not calls:
        raise ToolError(f"No calls to `{target.name}` found in the index")
    calls.sort(key=lambda r: (r.path != target.path, files.rel(r.path), r.selection.start))
    groups: dict[tuple[str, int], list[Reference]] = defaultdict(list)
    callers: dict[tuple[str, int], Symbol | None] = {}
    seen: set[str] = set()
    examined = 0
    for ref in calls:
        # Each file's definitions are read to find its callers: stop at a file boundary once
        # there are more callers than are shown (a name called from thousands of files).
        if len(groups) > MAX_ITEMS and ref.path not in seen:
            break
        seen.add(ref.path)
        caller = _caller(nav, ref)
        key = (ref.path, caller.range.start_byte if caller else -1)
        groups[key].append(ref)
        callers[key] = caller
        examined += 1

    def show(key: tuple[str, int]) -> str:
        caller = callers[key]
        who = _describe(files, caller) if caller else f"{files.rel(key[0])} (top level)"
        return f"{who} calls at {', '.join(_line_col(files, r) for r in groups[key])}"

    what = f"{target.kind} {target.qualified_name} ({_n(len(calls), 'call')})"
    lines = [show(key) for key in list(groups)[:MAX_ITEMS]]
    if examined == len(calls) and len(groups) <= MAX_ITEMS:
        return "\n".join([f"{_n(len(groups), 'caller')} of {what}:", *lines])
    rest = calls[examined:]
    note = f"... and {len(groups) - MAX_ITEMS} more callers not shown"
    if rest:
        note += f"; {len(rest)} more calls in {_n(len({r.path for r in rest}), 'more file')}"
        note += " not examined"
    return "\n".join([f"Callers of {what}, by file:", *lines, note])


def outgoing_calls(nav: Nav, files: Files, at: Position) -> str:
    source = _function_at(nav, files, at)
    inside = [
        r
        for r in _file_references(nav, files, source.path)
        if r.kind == "call"
        and source.range.start_byte <= r.selection.start_byte < source.range.end_byte
    ]
    if not inside:
        raise ToolError(f"No calls recorded inside {source.kind} {source.qualified_name}")
    by_name: dict[str, list[Reference]] = defaultdict(list)
    for ref in inside:
        by_name[ref.name].append(ref)

    def show(name: str) -> str:
        refs = by_name[name]
        found = find_definitions(nav, source.path, name, refs[0].selection.start_byte)
        defs = inside_roots(found, files.ctx.roots)
        target = _describe(files, defs[0]) if defs else f"{name} (not defined in the index)"
        return f"{target} called at {', '.join(_line_col(files, r) for r in refs)}"

    head = (
        f"{_n(len(by_name), 'function')} called from {source.kind} {source.qualified_name} "
        f"({files.symbol(source)}):"
    )
    return "\n".join([head, *capped(list(by_name), MAX_ITEMS, show, "callees")])


def _line_col(files: Files, item: Symbol | Reference) -> str:
    """`line:col` of a symbol's name or a reference, 1-based."""
    where = files.symbol(item) if isinstance(item, Symbol) else files.reference(item)
    return ":".join(where.rsplit(":", 2)[1:])


def _file_references(nav: Nav, files: Files, path: str) -> list[Reference]:
    """The file's references from the index, or from parsing its text when the index does not
    hand them out per file."""
    if callable(getattr(nav.index, "file_references", None)):
        return nav.file_references(path)
    from indexer.extract import extract_file

    rows = files.lines(path)
    try:
        return list(extract_file(path, b"\n".join(rows or [])).references)
    except ValueError:  # no grammar for it
        return []


def go_to_implementation(nav: Nav, files: Files, at: Position) -> str:
    """Best effort: types whose header names the type at the position (implements, extends,
    `impl Trait for`); for a method of such a type, the same-named methods in them."""
    _need_references(nav, "goToImplementation")
    defs = _definitions(nav, files, at)
    method = next((s for s in defs if s.kind in CALLABLE and s.container), None)
    base = method.container.rsplit(".", 1)[-1] if method else at.name
    types = _implementers(nav, files, base)
    found = _methods_in(nav, types, method.name) if method is not None else types
    if not found:
        raise ToolError(
            f"No implementations of `{method.name if method else base}` found. The tree-sitter "
            "index knows implementations only by name, from `implements`/`extends` clauses, "
            "superclass lists and Rust `impl Trait for`; it cannot resolve the rest (use "
            "findReferences or Grep)."
        )
    lines = capped(found, MAX_ITEMS, lambda s: f"{_describe(files, s)}: {s.signature}")
    what = f"{method.name} of {base}" if method else base
    return "\n".join([f"Implementations of `{what}` (by name):", *lines])


def _implementers(nav: Nav, files: Files, name: str) -> list[Symbol]:
    found: dict[tuple[str, int], Symbol] = {}
    for ref in inside_roots(nav.references(name), files.ctx.roots):
        if ref.kind not in INHERITANCE:
            continue
        holders = enclosing(nav.file_symbols(ref.path), ref.selection.start_byte)
        chain = [s for s in holders if s.kind in CLASS_LIKE]
        # A type's header names what it implements: skip uses inside a body.
        if chain and chain[-1].range.start[0] == ref.selection.start[0]:
            found[(chain[-1].path, chain[-1].range.start_byte)] = chain[-1]
    return list(found.values())


def _methods_in(nav: Nav, types: Sequence[Symbol], name: str) -> list[Symbol]:
    out = []
    for t in types:
        out += [
            s
            for s in nav.file_symbols(t.path)
            if s.name == name
            and s.kind in CALLABLE
            and t.range.start_byte <= s.range.start_byte < t.range.end_byte
        ]
    return out
