"""Tree-sitter workspace index (plain Python: imports neither pygls nor lsprotocol).

The public API (see docs/indexer.md) is re-exported here lazily, so `import indexer` stays cheap
for callers that only need `indexer.languages`.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "WorkspaceIndex": "indexer.workspace",
    "Progress": "indexer.workspace",
    "Cancelled": "indexer.workspace",
    "Symbol": "indexer.model",
    "Reference": "indexer.model",
    "Span": "indexer.model",
    "FileSymbols": "indexer.model",
    "IndexStats": "indexer.model",
    "OpenDocument": "indexer.documents",
    "extract_file": "indexer.extract",
    "find_definitions": "indexer.navigate",
    "find_references": "indexer.navigate",
    "word_at": "indexer.navigate",
    "enclosing_symbols": "indexer.context",
    "referenced_definitions": "indexer.context",
    "repo_map": "indexer.context",
    "context_text": "indexer.context",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'indexer' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
