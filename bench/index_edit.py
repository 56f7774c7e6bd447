"""One-character edits in a 5,000-line file: incremental reparse plus symbol update.

Types one character at random spots of the first 5,000 lines of `_pydecimal.py` through
`OpenDocument.edit` + `reparse` (tree.edit, incremental parse, re-extraction of the changed
region only), then deletes it again. Baseline, same run: a full parse + extraction of the same
text. Target: median <= 5 ms.

    python bench/index_edit.py [--edits 300]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))
from common import median, percentile, save, table
from index_common import STDLIB

from indexer.documents import OpenDocument
from indexer.extract import extract_source


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--edits", type=int, default=300)
    args = parser.parse_args()
    source = b"\n".join((STDLIB / "_pydecimal.py").read_bytes().split(b"\n")[:5000])
    doc = OpenDocument.open("/bench/_pydecimal_5k.py", source)
    assert doc is not None
    rng = random.Random(7)
    edits, full = [], []
    for _ in range(args.edits):
        at = rng.randrange(len(doc.source))
        start = time.perf_counter()
        doc.edit(at, at, b"x")
        doc.reparse()
        edits.append(time.perf_counter() - start)
        doc.edit(at, at + 1, b"")
        doc.reparse()
        if len(full) < 20:
            start = time.perf_counter()
            extract_source(doc.source, "python")
            full.append(time.perf_counter() - start)
    med, p90 = median(edits) * 1000, percentile(edits, 90) * 1000
    base = median(full) * 1000
    rows = [
        ("full parse + extract (baseline)", f"{base:.2f}", "", ""),
        (
            "one-char edit: reparse + symbols, median",
            f"{med:.2f}",
            f"{med / base:.2f} x full",
            "<= 5 ms",
        ),
        ("one-char edit, p90", f"{p90:.2f}", "", ""),
    ]
    print(f"5,000 lines, {len(source) / 1000:.0f} kB, {len(doc.rows)} symbols, {args.edits} edits")
    print(table(rows, ("measurement", "ms", "ratio", "target")))
    save("index_edit", {"edits": args.edits, "median_ms": med, "p90_ms": p90, "full_ms": base})


if __name__ == "__main__":
    main()
