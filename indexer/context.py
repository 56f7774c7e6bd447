"""Context for the agent: what surrounds a position, what it refers to, and a repo map.

Plain values in, plain values out; positions are (line, byte column) like the rest of the
indexer. Callers with an open buffer pass its bytes so the answer reflects unsaved text.
"""

from __future__ import annotations

import math
import os
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from indexer.model import Point, Symbol
from indexer.navigate import enclosing, find_definitions
from indexer.workspace import WorkspaceIndex

MAP_KINDS = ("class", "struct", "interface", "enum", "type", "function", "method", "module")
MAP_SYMBOLS_PER_FILE = 12
MAX_DEFINING_FILES = 20  # names defined in more files than this are too generic to link them


@dataclass(frozen=True, slots=True)
class SymbolSource:
    symbol: Symbol
    source: str  # the symbol's full text


def _read(path: str, source: bytes | None) -> bytes:
    if source is not None:
        return source
    with open(path, "rb") as f:
        return f.read()


def _offset(source: bytes, point: Point) -> int:
    start = 0
    for _ in range(point[0]):
        start = source.find(b"\n", start) + 1
    return start + point[1]


def enclosing_symbols(
    index: WorkspaceIndex, path: str, point: Point, source: bytes | None = None
) -> list[SymbolSource]:
    """The chain of definitions around `point`, outermost first, each with its source text.

    With `source` (an open buffer), symbols come from that text, not from the stored index.
    """
    path = os.path.abspath(path)
    data = _read(path, source)
    symbols = _symbols(index, path, source)
    chain = enclosing(symbols, _offset(data, point))
    return [
        SymbolSource(s, data[s.range.start_byte : s.range.end_byte].decode("utf-8", "replace"))
        for s in chain
    ]


def _symbols(index: WorkspaceIndex, path: str, source: bytes | None) -> list[Symbol]:
    if source is None:
        return index.file_symbols(path)
    from indexer.extract import extract_file

    return list(extract_file(path, source).symbols)


def referenced_definitions(
    index: WorkspaceIndex, path: str, point: Point, source: bytes | None = None, limit: int = 40
) -> list[Symbol]:
    """Definitions of the names used inside the innermost symbol around `point` (best match
    per name, first use first); the symbols' `signature` is the line to show the model."""
    path = os.path.abspath(path)
    data = _read(path, source)
    offset = _offset(data, point)
    symbols = _symbols(index, path, source)
    chain = enclosing(symbols, offset)
    lo, hi = (chain[-1].range.start_byte, chain[-1].range.end_byte) if chain else (0, len(data))
    if source is None:
        refs = index.file_references(path)
    else:
        from indexer.extract import extract_file

        refs = list(extract_file(path, source).references)
    names = dict.fromkeys(r.name for r in refs if lo <= r.selection.start_byte < hi)
    own = {s.qualified_name for s in chain}
    found: list[Symbol] = []
    for name in names:
        best = find_definitions(index, path, name, offset, symbols if source is not None else None)
        best = [s for s in best if s.qualified_name not in own]
        if best:
            found.append(best[0])
        if len(found) >= limit:
            break
    return found


def repo_map(
    index: WorkspaceIndex,
    token_budget: int = 1024,
    focus: Sequence[str] = (),
    chars_per_token: float = 4.0,
) -> str:
    """The most referenced files and definitions, as an outline that fits in `token_budget`.

    Files are ranked by PageRank over the graph "file A uses a name defined in file B"
    (personalised towards `focus` files when given); definitions within a file by how often
    their name is used, divided by how many files define it.
    """
    files, edges, score = _graph(index)
    if not files:
        return ""
    rank = _pagerank(files, edges, {os.path.abspath(p) for p in focus})
    budget = int(token_budget * chars_per_token)
    lines: list[str] = []
    size = 0
    for path in sorted(files, key=lambda p: -rank[p]):
        block = _file_block(index, path, score)
        cost = sum(len(line) + 1 for line in block)
        if size + cost > budget:
            if lines:
                break
            continue
        lines += block
        size += cost
    return "\n".join(lines)


def _file_block(index: WorkspaceIndex, path: str, score: dict[str, float]) -> list[str]:
    symbols = [s for s in index.file_symbols(path) if s.kind in MAP_KINDS]
    best = sorted(symbols, key=lambda s: -score.get(s.name, 0.0))[:MAP_SYMBOLS_PER_FILE]
    block = [f"{os.path.relpath(path, index.root)}:"]
    return block + [f"  {s.signature}" for s in sorted(best, key=lambda s: s.range.start_byte)]


def _graph(
    index: WorkspaceIndex,
) -> tuple[list[str], dict[tuple[str, str], float], dict[str, float]]:
    defs: dict[str, list[str]] = defaultdict(list)
    for name, path in index.definition_sites(MAP_KINDS):
        if not (name.startswith("__") and name.endswith("__")):  # __init__ links everything
            defs[name].append(path)
    edges: dict[tuple[str, str], float] = defaultdict(float)
    score: dict[str, float] = defaultdict(float)
    for path, name, count in index.reference_counts():
        targets = defs.get(name)
        if not targets or len(targets) > MAX_DEFINING_FILES:
            continue
        # A name defined in many files says little about any one of them.
        weight = math.sqrt(count) / len(targets)
        score[name] += weight
        for target in targets:
            if target != path:
                edges[(path, target)] += weight
    return index.indexed_paths(), edges, score


def _pagerank(
    files: list[str],
    edges: dict[tuple[str, str], float],
    focus: set[str],
    damping: float = 0.85,
    rounds: int = 30,
) -> dict[str, float]:
    n = len(files)
    focus = focus & set(files)
    teleport = (
        {p: (1.0 / len(focus) if p in focus else 0.0) for p in files}
        if focus
        else dict.fromkeys(files, 1.0 / n)
    )
    out_weight: dict[str, float] = defaultdict(float)
    for (src, _), w in edges.items():
        out_weight[src] += w
    rank = dict.fromkeys(files, 1.0 / n)
    for _ in range(rounds):
        nxt = {p: (1 - damping) * teleport[p] for p in files}
        dangling = sum(rank[p] for p in files if out_weight[p] == 0)
        for p in files:
            nxt[p] += damping * dangling * teleport[p]
        for (src, dst), w in edges.items():
            nxt[dst] += damping * rank[src] * w / out_weight[src]
        rank = nxt
    return rank


def context_text(
    index: WorkspaceIndex,
    path: str,
    point: Point,
    source: bytes | None = None,
    max_chars: int = 6000,
) -> str:
    """Enclosing symbols (innermost with its source) and referenced definitions, as prompt text."""
    chain = enclosing_symbols(index, path, point, source)
    if not chain:
        return ""
    lines = [
        "Enclosing symbols: "
        + " > ".join(f"{c.symbol.kind} {c.symbol.qualified_name}" for c in chain)
    ]
    body = chain[-1].source
    if len(body) > max_chars:
        body = body[:max_chars] + "\n..."
    lines += [f"Source of {chain[-1].symbol.qualified_name}:", body]
    used = referenced_definitions(index, path, point, source)
    if used:
        lines.append("Definitions it uses:")
        lines += [
            f"- {os.path.relpath(s.path, index.root)}:{s.selection.start[0] + 1}: {s.signature}"
            for s in used
        ]
    return "\n".join(lines)
