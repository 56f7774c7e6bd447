"""Recall of the index against universal-ctags: of ctags' class/function/method/type
definitions, how many (path, name) pairs does the index also have? Target >= 95% for Python,
JavaScript and Go.

    python bench/index_recall.py [--show-misses 10]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))
from common import save, table
from index_common import CORPORA, GO_CORPUS, JS_CORPUS, ctags_excludes

from indexer.workspace import WorkspaceIndex

ANONYMOUS = re.compile(r"^Anonymous(Function|Class|Object)[0-9a-f]+$")
# ctags language -> (corpus root, excludes, kinds counted as class/function/method/type)
TARGETS = {
    "Python": (CORPORA["medium"][0], CORPORA["medium"][1], {"class", "function", "member"}),
    # The index skips node_modules/ and *.min.js by default: ctags is told the same.
    "JavaScript": (
        JS_CORPUS,
        ["node_modules/", "*.min.js"],
        {"class", "function", "method", "generator", "getter", "setter"},
    ),
    "JavaScript deps": (
        JS_CORPUS / "node_modules",
        ["node_modules/", "*.min.js"],
        {"class", "function", "method", "generator", "getter", "setter"},
    ),
    "Go": (
        GO_CORPUS,
        ["testdata/"],
        {"func", "type", "struct", "interface", "talias", "methodSpec"},
    ),
}


def ctags_definitions(
    language: str, root: Path, excludes: list[str], kinds: set[str]
) -> set[tuple[str, str]]:
    command = [
        "ctags", "-R", f"--languages={language}", "--output-format=json", "--fields=+K", "-f", "-",
        *ctags_excludes(excludes), str(root),
    ]  # fmt: skip
    out = subprocess.run(command, check=True, capture_output=True).stdout
    found = set()
    for line in out.split(b"\n"):
        try:
            tag = json.loads(line)
        except ValueError:  # an empty line, or a tag whose pattern ctags could not escape
            continue
        if tag.get("_type") != "tag" or tag.get("kind") not in kinds:
            continue
        if not ANONYMOUS.match(tag["name"]):  # names ctags makes up for anonymous functions
            found.add((str(Path(tag["path"]).resolve()), tag["name"]))
    return found


def index_definitions(root: Path, excludes: list[str], cache: str) -> set[tuple[str, str]]:
    index = WorkspaceIndex(root, cache, excludes=excludes)
    index.refresh()
    # JavaScript private names: the index keeps the `#`, ctags drops it.
    return {(str(Path(s.path).resolve()), s.name.lstrip("#")) for s in index.all_symbols()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--show-misses", type=int, default=8)
    args = parser.parse_args()
    rows, results = [], {}
    for language, (root, excludes, kinds) in TARGETS.items():
        if not root.is_dir():
            print(f"{language}: corpus {root} missing, skipped")
            continue
        with tempfile.TemporaryDirectory() as cache:
            ours = index_definitions(root, excludes, cache)
        ctags_excludes_ = (
            [e for e in excludes if e != "node_modules/"]
            if root.name == "node_modules"
            else excludes
        )
        theirs = {
            (p, n)
            for p, n in ctags_definitions(language.split()[0], root, ctags_excludes_, kinds)
            if "node_modules"
            not in Path(p).relative_to(root.resolve()).parts  # skipped by the index
        }
        missed = theirs - ours
        recall = 1 - len(missed) / max(len(theirs), 1)
        rows.append(
            (language, str(root), str(len(theirs)), str(len(missed)), f"{recall:.1%}", ">= 95%")
        )
        results[language] = {
            "corpus": str(root),
            "ctags": len(theirs),
            "missed": len(missed),
            "recall": recall,
        }
        by_file = Counter(Path(p).name for p, _ in missed).most_common(3)
        sample = [f"{Path(p).name}:{n}" for p, n in sorted(missed)[: args.show_misses]]
        print(f"{language}: sample misses {sample}; most in {by_file}")
    print(table(rows, ("language", "corpus", "ctags defs", "missed", "recall", "target")))
    save("index_recall", results)


if __name__ == "__main__":
    main()
