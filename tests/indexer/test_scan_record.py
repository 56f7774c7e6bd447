"""The scan record (`indexer.scan_cache`): a warm scan lists only changed directories, and
gives what a full scan gives."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from indexer.scan import scan

HOUR_NS = 3600 * 10**9


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def age(root: Path) -> None:
    """Date every directory and file an hour back: older than the racy window of a scan."""
    for path in [root, *root.rglob("*")]:
        st = path.stat()
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - HOUR_NS))


def listed(root: Path, record: Path | None) -> list[tuple[str, str, int, int]]:
    found = scan(root, ("skip/",), record=record).files
    return [(os.path.relpath(f.path, root), f.language, f.size, f.mtime_ns) for f in found]


TREE = {
    "a.py": "x = 1\n",
    "lib/b.c": "int b;\n",
    "lib/deep/c.go": "package c\n",
    "lib/deep/notes.txt": "",
    "skip/d.py": "d = 1\n",
    "gen/e.py": "e = 1\n",
    "gen/keep.py": "k = 1\n",
    "gen/.ignore": "e.py\n",
    ".ignore": "*.tmp\n",
}


def tree(tmp_path: Path) -> Path:
    write(tmp_path / "ws", TREE)
    age(tmp_path / "ws")
    return tmp_path / "ws"


def test_a_recorded_scan_gives_what_a_full_scan_gives(tmp_path: Path) -> None:
    root = tree(tmp_path)
    record = tmp_path / "scan.dirs"
    full = listed(root, None)
    assert [f[0] for f in full] == ["a.py", "gen/keep.py", "lib/b.c", "lib/deep/c.go"]
    assert listed(root, record) == full and record.exists()
    assert listed(root, record) == full  # now from the record


def test_an_unchanged_directory_is_not_listed_again(tmp_path: Path) -> None:
    root = tree(tmp_path)
    record = tmp_path / "scan.dirs"
    listed(root, record)
    # A file appears but the directory's mtime is put back: only a listing would see it, so
    # not seeing it shows the record was used.
    st = (root / "lib").stat()
    write(root, {"lib/hidden.py": "h = 1\n"})
    os.utime(root / "lib", ns=(st.st_atime_ns, st.st_mtime_ns))
    assert "lib/hidden.py" not in [f[0] for f in listed(root, record)]
    assert "lib/hidden.py" in [f[0] for f in listed(root, None)]


def test_the_record_of_another_process_is_used(tmp_path: Path) -> None:
    """A record counts in the next process too (whose string hashing differs)."""
    root = tree(tmp_path)
    record = tmp_path / "scan.dirs"
    code = (
        "import sys, pathlib; from indexer.scan import scan;"
        "print(len(scan(sys.argv[1], ('skip/',), record=pathlib.Path(sys.argv[2])).files))"
    )

    def in_process(seed: str) -> int:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", code, str(root), str(record)],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        return int(run.stdout)

    assert in_process("1") == 4
    st = (root / "lib").stat()
    write(root, {"lib/hidden.py": "h = 1\n"})  # only a listing would see it
    os.utime(root / "lib", ns=(st.st_atime_ns, st.st_mtime_ns))
    assert in_process("2") == 4


def test_changes_are_seen_through_the_record(tmp_path: Path) -> None:
    root = tree(tmp_path)
    record = tmp_path / "scan.dirs"
    listed(root, record)
    write(root, {"lib/deep/new.py": "n = 1\n", "a.py": "x = 22\n"})  # mtimes change
    (root / "lib" / "b.c").unlink()
    assert listed(root, record) == listed(root, None)
    found = [f[0] for f in listed(root, record)]
    assert "lib/deep/new.py" in found and "lib/b.c" not in found


def test_an_ignore_file_edited_in_place_relists_the_tree_below(tmp_path: Path) -> None:
    root = tree(tmp_path)
    record = tmp_path / "scan.dirs"
    listed(root, record)
    gen = (root / "gen").stat()
    (root / "gen" / ".ignore").write_text("keep.py\n")  # the directory's mtime stays
    os.utime(root / "gen", ns=(gen.st_atime_ns, gen.st_mtime_ns))
    st = root.stat()
    (root / ".ignore").write_text("deep/\n")
    os.utime(root, ns=(st.st_atime_ns, st.st_mtime_ns))
    found = [f[0] for f in listed(root, record)]
    assert found == [f[0] for f in listed(root, None)] == ["a.py", "gen/e.py", "lib/b.c"]


def test_becoming_a_git_work_tree_applies_gitignore_below(tmp_path: Path) -> None:
    root = tree(tmp_path)
    write(root, {"lib/deep/.gitignore": "c.go\n"})
    age(root)
    record = tmp_path / "scan.dirs"
    assert "lib/deep/c.go" in [f[0] for f in listed(root, record)]
    # Only lib changes (it gains .git); lib/deep is as recorded, but its rules are not.
    subprocess.run(["git", "init", "-q", str(root / "lib")], check=True)
    assert "lib/deep/c.go" not in [f[0] for f in listed(root, record)]


def test_an_unreadable_record_is_ignored(tmp_path: Path) -> None:
    root = tree(tmp_path)
    record = tmp_path / "scan.dirs"
    record.write_bytes(b"not a record")
    assert listed(root, record) == listed(root, None)
