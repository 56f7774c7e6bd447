"""The agent's LSP tool on the standard library's index: how long each operation takes at a
call site of common and rare names, against the same run's FindDefinition tool for the same
name (the tool the model had before) and the bare index lookups the answer starts from.

    python bench/lsp_tool.py [--corpus medium] [--runs 7] [--cache DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))
from common import median, save, table
from index_common import CORPORA

from indexer.workspace import WorkspaceIndex
from lsp_agent.agent.disk import DiskDocumentSource, DiskEditSink
from lsp_agent.agent.ports import CancelToken
from lsp_agent.agent.tools.base import Tool, ToolContext
from lsp_agent.agent.tools.lsp import LSP
from lsp_agent.agent.tools.symbols import FindDefinition

NAMES = ["append", "join", "get", "_check_closed", "quote_from_bytes"]
OPERATIONS = ["goToDefinition", "findReferences", "hover", "incomingCalls", "outgoingCalls"]


async def timed(tool: Tool, tool_input: dict[str, object], ctx: ToolContext) -> tuple[float, str]:
    start = time.perf_counter()
    result = await tool.run(tool_input, ctx)
    return (time.perf_counter() - start) * 1000, str(result.content)


def call_site(index: WorkspaceIndex, name: str) -> tuple[str, int, int] | None:
    """(path, 1-based line, 1-based character) of the first call of `name`."""
    for ref in index.references(name):
        if ref.kind == "call":
            line, byte_col = ref.selection.start
            row = Path(ref.path).read_bytes().split(b"\n")[line]
            return ref.path, line + 1, len(row[:byte_col].decode("utf-8", "replace")) + 1
    return None


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", default="medium", choices=sorted(CORPORA))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--cache", type=Path, default=None)
    args = parser.parse_args()
    root, excludes = CORPORA[args.corpus]
    cache = args.cache or Path(tempfile.mkdtemp(prefix="lsp-tool-bench-"))
    index = WorkspaceIndex(root, cache, excludes=excludes, workers=1)
    stats = index.refresh()
    print(f"{stats.files} files, {stats.symbols} symbols, {stats.references} references")
    ctx = ToolContext(
        cwd=root,
        roots=[root],
        documents=DiskDocumentSource(),
        edits=DiskEditSink(),
        cancel=CancelToken(),
        index=index,
    )
    rows, data = [], {}
    for name in NAMES:
        site = call_site(index, name)
        if site is None:
            continue
        path, line, character = site
        refs = len(index.references(name))
        for operation in OPERATIONS:
            lsp_input = {"operation": operation, "filePath": path, "line": line}
            lsp_input["character"] = character
            baseline_input = {"name": name, "file_path": path}
            ours, base, bare = [], [], []
            for _ in range(args.runs):  # alternating, so drift hits both alike
                ours.append((await timed(LSP(), lsp_input, ctx))[0])
                base.append((await timed(FindDefinition(), baseline_input, ctx))[0])
                start = time.perf_counter()
                index.definitions(name), index.references(name)
                bare.append((time.perf_counter() - start) * 1000)
            _, answer = await timed(LSP(), lsp_input, ctx)
            key = f"{name} {operation}"
            data[key] = {
                "references": refs,
                "lsp_ms": median(ours),
                "find_definition_ms": median(base),
                "bare_lookup_ms": median(bare),
                "answer_chars": len(answer),
            }
            rows.append(
                (
                    name,
                    str(refs),
                    operation,
                    f"{median(ours):.1f}",
                    f"{median(base):.1f}",
                    f"{median(ours) / max(median(base), 1e-6):.1f}x",
                    f"{median(bare):.1f}",
                    str(len(answer)),
                )
            )
    headers = ("name", "refs", "operation", "LSP ms", "FindDef ms", "ratio", "bare ms", "chars")
    print(table(rows, headers))
    print(f"saved {save('lsp_tool', {'corpus': args.corpus, 'runs': args.runs, 'results': data})}")


if __name__ == "__main__":
    asyncio.run(main())
