"""Check indexer/preproc.py against the parser over a whole tree: every C file the line scan
takes must give exactly the rows tree-sitter and `c-tags.scm` give, and no error flag.

    python bench/preproc_check.py DIR

Prints how many files (and bytes) the scan took, and every mismatch (none expected).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indexer.extract import extract_rows, parse
from indexer.preproc import define_only


def main() -> int:
    root = Path(sys.argv[1])
    files = taken = taken_bytes = all_bytes = mismatches = 0
    scan_s = parse_s = 0.0
    for directory, _, names in os.walk(root):
        for name in names:
            if not name.endswith((".c", ".h")):
                continue
            path = Path(directory, name)
            if path.is_symlink():
                continue
            source = path.read_bytes()
            files += 1
            all_bytes += len(source)
            t0 = time.perf_counter()
            scanned = define_only(source)
            scan_s += time.perf_counter() - t0
            if scanned is None:
                continue
            taken += 1
            taken_bytes += len(source)
            t0 = time.perf_counter()
            tree = parse(source, "c")
            parsed = extract_rows(tree, source, "c")
            parse_s += time.perf_counter() - t0
            if (sorted(scanned[0]), sorted(scanned[1])) != (
                sorted(parsed[0]),
                sorted(parsed[1]),
            ) or tree.root_node.has_error:
                mismatches += 1
                print(f"MISMATCH {path}", flush=True)
    print(
        f"{files} C files, {all_bytes / 1e6:.0f} MB; the scan took {taken} "
        f"({taken_bytes / 1e6:.0f} MB) in {scan_s:.1f} s, the parse of those took {parse_s:.1f} s; "
        f"{mismatches} mismatches"
    )
    return 1 if mismatches else 0


if __name__ == "__main__":
    raise SystemExit(main())
