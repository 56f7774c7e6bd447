"""What a search reads is kept for the next search (`indexer.read_cache`): the answers must be
the ones a search without it gives, whatever limits came before, and no older than the
database, whoever wrote to it."""

from __future__ import annotations

from pathlib import Path

from indexer.workspace import WorkspaceIndex


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


def _located(index: WorkspaceIndex, query: str, limit: int) -> list[tuple[str, str, int]]:
    return [(s.name, Path(s.path).name, s.selection.start[0]) for s in index.search(query, limit)]


def test_a_name_read_in_part_is_read_again_for_a_larger_limit(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    # `handler` defined 30 times, `handle` and `handlers` a few: a limit of 5 reads a part.
    _write(root, {f"m{i:02}.py": "def handler(): pass\n" for i in range(30)})
    _write(root, {"a.py": "def handle(): pass\n", "b.py": "handlers = 1\nhandle_all = 2\n"})
    index = WorkspaceIndex(root, tmp_path / "cache", workers=1)
    index.refresh()
    fresh = WorkspaceIndex(root, tmp_path / "cache", workers=1)  # nothing kept
    assert _located(index, "handler", 5) == _located(fresh, "handler", 5)
    fresh = WorkspaceIndex(root, tmp_path / "cache", workers=1)
    expected = _located(fresh, "handler", 100)
    assert len([r for r in expected if r[0] == "handler"]) == 30
    assert _located(index, "handler", 100) == expected  # the 5 kept were not all of them
    for query, limit in (("hand", 3), ("han", 40), ("handle", 31), ("h", 100), ("handler", 1)):
        fresh = WorkspaceIndex(root, tmp_path / "cache", workers=1)
        assert _located(index, query, limit) == _located(fresh, query, limit), (query, limit)


def test_a_write_from_another_connection_is_seen_at_once(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    _write(root, {"a.py": "def parse_args(): pass\n", "b.py": "def parse_line(): pass\n"})
    server = WorkspaceIndex(root, tmp_path / "cache", workers=1)
    server.refresh()
    assert [s.name for s in server.search("parse", 10)] == ["parse_args", "parse_line"]
    # Another process (the command line's index, say) stores a change to the same database.
    _write(root, {"a.py": "\n\ndef parse_args(argv): pass\n"})
    other = WorkspaceIndex(root, tmp_path / "cache", workers=1)
    other.update_file(str(root / "a.py"))
    found = server.search("parse", 10)
    assert [(s.name, s.selection.start[0]) for s in found] == [("parse_args", 2), ("parse_line", 0)]
