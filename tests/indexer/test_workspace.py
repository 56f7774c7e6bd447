"""The persistent index through `WorkspaceIndex`: refresh, warm start, damage, bad input."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from indexer.workspace import Cancelled, Progress, WorkspaceIndex


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")


def bump_mtime(path: Path) -> None:
    """Make the change visible to the size/mtime check without sleeping."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    write(
        root,
        {
            "app/models.py": "class User:\n    def get_user_by_id(self, uid): pass\n",
            "app/views.py": "from app.models import User\ndef show(): return User()\n",
            "web/main.js": "function getUserById(id) { return fetch(id); }\n",
            "cmd/main.go": "package main\nfunc main() {}\ntype Server struct{}\n",
        },
    )
    return root


def open_index(root: Path, tmp_path: Path, **kwargs) -> WorkspaceIndex:
    return WorkspaceIndex(root, tmp_path / "cache", **kwargs)


def names(index: WorkspaceIndex) -> set[str]:
    return {s.name for path in index.indexed_paths() for s in index.file_symbols(path)}


def test_cold_then_warm_start_reparses_nothing(root: Path, tmp_path: Path) -> None:
    stats = open_index(root, tmp_path).refresh()
    assert (stats.files, stats.parsed) == (4, 4)
    assert stats.languages == {"python": 2, "javascript": 1, "go": 1}
    warm = open_index(root, tmp_path).refresh()
    assert (warm.files, warm.parsed, warm.removed) == (4, 0, 0)


def test_touched_but_unchanged_file_is_not_reparsed(root: Path, tmp_path: Path) -> None:
    open_index(root, tmp_path).refresh()
    bump_mtime(root / "app/models.py")
    assert open_index(root, tmp_path).refresh().parsed == 0


def test_edit_updates_symbols(root: Path, tmp_path: Path) -> None:
    index = open_index(root, tmp_path)
    index.refresh()
    target = root / "app/models.py"
    target.write_text("class Account:\n    pass\n")
    bump_mtime(target)
    assert index.refresh().parsed == 1
    assert "Account" in names(index) and "User" not in names(index)
    assert [s.name for s in index.search("Account")] == ["Account"]


def test_deleted_file_is_dropped(root: Path, tmp_path: Path) -> None:
    index = open_index(root, tmp_path)
    index.refresh()
    (root / "web/main.js").unlink()
    assert index.refresh().removed == 1
    assert "getUserById" not in names(index)


def test_corrupt_database_is_rebuilt(root: Path, tmp_path: Path) -> None:
    index = open_index(root, tmp_path)
    index.refresh()
    index.close()
    index.db_path.write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        Path(f"{index.db_path}{suffix}").unlink(missing_ok=True)
    again = open_index(root, tmp_path)
    assert again.refresh().parsed == 4
    assert "User" in names(again)


def test_a_locked_database_is_waited_for_never_rebuilt(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = open_index(root, tmp_path)
    index.refresh()
    index.close()
    holder = sqlite3.connect(index.db_path, isolation_level=None, check_same_thread=False)
    holder.execute("DROP INDEX refs_name")  # so that opening has something to write
    holder.execute("BEGIN IMMEDIATE")  # another writer (a server, `lsp-agent ask`) holds it
    release = threading.Timer(1.0, holder.execute, ("COMMIT",))
    release.start()
    again = open_index(root, tmp_path)  # waits for the other writer
    release.join()
    assert again.refresh().parsed == 0  # the same database: nothing was rebuilt
    # A lock held past the (shortened) timeout is an error for this open, not damage.
    monkeypatch.setattr("indexer.store.BUSY_TIMEOUT_S", 0.2)
    holder.execute("DROP INDEX refs_file")
    holder.execute("BEGIN IMMEDIATE")
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        open_index(root, tmp_path)
    holder.execute("COMMIT")
    assert open_index(root, tmp_path).refresh().parsed == 0


def test_deleted_database_is_rebuilt(root: Path, tmp_path: Path) -> None:
    index = open_index(root, tmp_path)
    index.refresh()
    index.close()
    index.db_path.unlink()
    assert open_index(root, tmp_path).refresh().parsed == 4


def test_killed_indexer_leaves_a_usable_index(root: Path, tmp_path: Path) -> None:
    for i in range(30):
        write(root, {f"many/m{i}.py": f"def f{i}(): pass\n"})
    script = textwrap.dedent(
        f"""
        import os, signal
        from indexer.workspace import WorkspaceIndex
        def progress(p):
            if p.done == 5:
                os.kill(os.getpid(), signal.SIGKILL)
        WorkspaceIndex({str(root)!r}, {str(tmp_path / "cache")!r}, workers=1).refresh(progress)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], check=False)
    assert proc.returncode == -9
    stats = open_index(root, tmp_path).refresh()
    assert stats.files == 34
    assert stats.parsed < 34  # what was committed before the kill is kept


def test_killed_parallel_indexer_leaves_a_usable_index(root: Path, tmp_path: Path) -> None:
    # Pool workers write their own batches: killing the parent mid-load must leave an index
    # the next start completes, and no worker behind.
    for i in range(60):
        write(root, {f"many/m{i}.py": f"def f{i}(): pass\n" * 200})
    pids = tmp_path / "workers"
    script = textwrap.dedent(
        f"""
        import multiprocessing, os, pathlib, signal
        from indexer.workspace import WorkspaceIndex
        def progress(p):
            if p.done >= 10:
                children = [str(c.pid) for c in multiprocessing.active_children()]
                pathlib.Path({str(pids)!r}).write_text(" ".join(children))
                os.kill(os.getpid(), signal.SIGKILL)
        WorkspaceIndex({str(root)!r}, {str(tmp_path / "cache")!r}, workers=2).refresh(progress)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], check=False)
    assert proc.returncode == -9
    workers = [int(pid) for pid in pids.read_text().split()]
    assert len(workers) == 2
    deadline = time.monotonic() + 10
    while any(running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(running(pid) for pid in workers), "pool workers outlived their parent"
    index = open_index(root, tmp_path, workers=2)
    stats = index.refresh()
    assert stats.files == 64
    assert stats.parsed < 64
    assert len(index.definitions("f59")) == 200  # once each, not twice
    assert {"symbols_name", "refs_name", "symbols_file", "refs_file"} <= sqlite_indexes(index)


def running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's zombie stays until init reaps it)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_cold_parallel_load_ends_indexed_and_checkpointed(root: Path, tmp_path: Path) -> None:
    for i in range(40):
        write(root, {f"many/m{i}.py": f"class C{i}:\n    def m{i}(self): pass\n" * 50})
    index = open_index(root, tmp_path, workers=2)
    assert index.refresh().parsed == 44
    # The bulk load drops the secondary indexes and pauses checkpoints: both come back.
    assert {"symbols_name", "refs_name", "symbols_file", "refs_file"} <= sqlite_indexes(index)
    conn = index._store.conn
    assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
    # The load's frames went into the database and the WAL file was emptied.
    assert os.path.getsize(f"{index.db_path}-wal") == 0
    plan = conn.execute("EXPLAIN QUERY PLAN SELECT * FROM refs WHERE name_id = 1").fetchall()
    assert "refs_name" in str(plan)


def test_a_cancelled_cold_load_still_ends_checkpointed(root: Path, tmp_path: Path) -> None:
    # The load's last checkpoint runs in a thread next to the search file: a cancel (raised
    # before the search part) must still join it and truncate the WAL.
    for i in range(60):
        write(root, {f"many/m{i}.py": f"class C{i}:\n    def m{i}(self): pass\n" * 200})
    index = open_index(root, tmp_path, workers=2)
    cancel = threading.Event()
    with pytest.raises(Cancelled):
        index.refresh(progress=lambda p: cancel.set(), cancel=cancel)
    assert "index-checkpoint" not in {t.name for t in threading.enumerate()}
    assert os.path.getsize(f"{index.db_path}-wal") == 0
    assert {"symbols_name", "refs_name", "symbols_file", "refs_file"} <= sqlite_indexes(index)
    assert index.refresh().parsed + len(index.indexed_paths()) >= 64  # the rest comes next
    assert {"m0", "m59", "get_user_by_id"} <= names(index)


def sqlite_indexes(index: WorkspaceIndex) -> set[str]:
    rows = index._store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
    return {name for (name,) in rows}


def test_gitignore_nested_and_excludes(root: Path, tmp_path: Path) -> None:
    write(
        root,
        {
            ".git/HEAD": "ref: refs/heads/main\n",
            ".gitignore": "build/\n*.gen.py\n",
            "build/out.py": "def built(): pass\n",
            "app/x.gen.py": "def generated(): pass\n",
            "app/.gitignore": "local.py\n!keep.gen.py\n",
            "app/local.py": "def local(): pass\n",
            "app/keep.gen.py": "def kept(): pass\n",
            "vendor/lib.py": "def vendored(): pass\n",
            "node_modules/pkg/index.js": "function dep() {}\n",
        },
    )
    index = open_index(root, tmp_path, excludes=["vendor/"])
    index.refresh()
    found = names(index)
    assert "kept" in found
    assert not {"built", "generated", "local", "vendored", "dep"} & found


def test_gitignore_applies_only_inside_a_git_work_tree(root: Path, tmp_path: Path) -> None:
    # As in git and ripgrep: outside a repository `.gitignore` means nothing (here it would
    # hide the whole tree); `.ignore` and the configured excludes apply everywhere; a
    # repository nested in the tree has its own `.gitignore` honoured inside it.
    write(
        root,
        {
            ".gitignore": "/*\n",
            ".ignore": "scratch/\n",
            "scratch/tmp.py": "def scratch(): pass\n",
            "vendor/lib.py": "def vendored(): pass\n",
            "sub/.git/HEAD": "ref: refs/heads/main\n",
            "sub/.gitignore": "gen/\n",
            "sub/gen/out.py": "def generated(): pass\n",
            "sub/src/ok.py": "def nested_ok(): pass\n",
        },
    )
    index = open_index(root, tmp_path, excludes=["vendor/"])
    index.refresh()
    found = names(index)
    assert {"User", "show", "nested_ok"} <= found
    assert not {"scratch", "vendored", "generated"} & found
    assert index.includes(str(root / "app/models.py"))
    assert not index.includes(str(root / "sub/gen/out.py"))
    assert not index.includes(str(root / "scratch/tmp.py"))


def test_bad_input_is_skipped_or_indexed(root: Path, tmp_path: Path) -> None:
    write(
        root,
        {
            "bin/blob.py": b"\x00\x01\x02 def nope(): pass",
            "bad/latin1.py": b"s = '\xe9t\xe9'\ndef after_bad_bytes(): pass\n",
            "bad/broken.py": "def ok(): pass\ndef broken(:\n",
            "big/huge.py": "x = 1\n" * 100_000 + "def at_the_end(): pass\n",
            "big/minified.js": "var a=1;" * 50_000 + "function mini(){}\n",
        },
    )
    (root / "loop").symlink_to(root, target_is_directory=True)
    (root / "dangling.py").symlink_to(root / "missing.py")
    index = open_index(root, tmp_path)
    stats = index.refresh()
    found = names(index)
    assert {"after_bad_bytes", "ok", "at_the_end", "mini"} <= found
    assert "nope" not in found
    assert stats.skipped >= 1  # the binary


def test_oversize_files_are_skipped(root: Path, tmp_path: Path) -> None:
    write(root, {"big.py": "def too_big(): pass\n" + "#" * 5000})
    index = open_index(root, tmp_path, max_file_size=1000)
    assert index.refresh().skipped == 1
    assert "too_big" not in names(index)


def test_file_deleted_mid_index(root: Path, tmp_path: Path) -> None:
    victim = root / "web/main.js"

    def progress(p: Progress) -> None:
        victim.unlink(missing_ok=True)

    index = open_index(root, tmp_path, workers=1)
    index.refresh(progress)
    assert "getUserById" not in names(index)
    assert "User" in names(index)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_is_skipped(root: Path, tmp_path: Path) -> None:
    secret = root / "app/secret.py"
    secret.write_text("def hidden(): pass\n")
    secret.chmod(0)
    index = open_index(root, tmp_path)
    assert index.refresh().skipped == 1
    assert "hidden" not in names(index)


def test_a_warm_open_searches_the_file_the_last_refresh_wrote(root: Path, tmp_path: Path) -> None:
    first = open_index(root, tmp_path)
    first.refresh()
    first.close()
    warm = open_index(root, tmp_path)  # no refresh: answers come from disk at once
    assert os.path.exists(warm.db_path.with_suffix(".search"))
    assert [s.name for s in warm.search("gubi")] == ["getUserById", "get_user_by_id"]
    warm.update_file(str(root / "app/extra.py"), b"def get_user_bonus_info(): pass\n")
    assert "get_user_bonus_info" in [s.name for s in warm.search("gubi")]


def test_a_search_file_written_by_a_child_process_answers_the_same(
    root: Path, tmp_path: Path
) -> None:
    inline = WorkspaceIndex(root, tmp_path / "inline")
    inline.refresh()
    child = WorkspaceIndex(root, tmp_path / "child", offload=True)
    child.refresh()
    assert child.search_index() is not None  # the child's file, mapped
    assert child.db_path.with_suffix(".search").read_bytes()[16:] != b""
    for query in ("gubi", "User", "main", "S"):
        assert [(s.name, s.path) for s in child.search(query)] == [
            (s.name, s.path) for s in inline.search(query)
        ]


def test_a_refresh_scanned_in_a_child_process_finds_the_same_changes(
    root: Path, tmp_path: Path
) -> None:
    """The server scans in a child process (`refresh_plan`): new, changed, removed and
    skipped files come back from it as they do in-process."""
    inline = WorkspaceIndex(root, tmp_path / "inline")
    child = WorkspaceIndex(root, tmp_path / "child", offload=True)
    assert inline.refresh().parsed == child.refresh().parsed == 4
    write(
        root, {"app/models.py": "class Account:\n    pass\n", "lib/new.py": "def fresh(): pass\n"}
    )
    bump_mtime(root / "app/models.py")
    (root / "web/main.js").unlink()
    (root / "big.py").write_text("x = 1\n" * 1000)
    for index in (inline, child):
        index.max_file_size = 100  # big.py is skipped
    inline_stats, child_stats = inline.refresh(), child.refresh()
    assert (child_stats.parsed, child_stats.removed, child_stats.skipped) == (2, 1, 1)
    assert (inline_stats.parsed, inline_stats.removed, inline_stats.skipped) == (2, 1, 1)
    assert names(child) == names(inline) and "Account" in names(child)
    assert "User" not in names(child) and "getUserById" not in names(child)
    assert child.refresh().parsed == 0  # and the next one has nothing to do


def test_the_search_part_built_in_a_child_process_answers_the_same(
    root: Path, tmp_path: Path
) -> None:
    from indexer import reads
    from indexer.search import SearchIndex
    from indexer.search_build import delta_sections, in_child

    index = open_index(root, tmp_path)
    index.refresh()
    reader = index._store.reader()
    here = SearchIndex.build(reads.names_since(reader, 0))
    there = SearchIndex.from_sections(
        in_child(delta_sections, str(index.db_path), 0),
        lambda ids: reads.names_by_id(reader, ids),
    )
    for query in ("gubi", "User", "main", "S", ""):
        assert there.ranked_names(query) == here.ranked_names(query)
    assert there.ranked_names("gubi")  # not just two empty answers


def test_the_search_version_moves_with_every_write_and_only_then(
    root: Path, tmp_path: Path
) -> None:
    index = open_index(root, tmp_path)
    index.refresh()
    version = index.search_version()
    index.search("gubi")
    index.file_symbols(str(root / "app/models.py"))
    assert index.search_version() == version  # reads leave it
    index.update_file(str(root / "app/extra.py"), b"def get_user_bonus_info(): pass\n")
    assert index.search_version() != version
    version = index.search_version()
    index.remove_file(str(root / "app/extra.py"))
    assert index.search_version() != version


def test_a_rebuilt_database_ignores_the_old_search_file(root: Path, tmp_path: Path) -> None:
    first = open_index(root, tmp_path)
    first.refresh()
    first.close()
    os.unlink(first.db_path)
    write(root, {"app/models.py": "class Account: pass\n"})
    fresh = open_index(root, tmp_path)
    fresh.refresh()
    assert [s.name for s in fresh.search("User")] == ["getUserById"]  # no class User now
    assert [s.name for s in fresh.search("Account")] == ["Account"]


def test_search_ranks_initials(root: Path, tmp_path: Path) -> None:
    index = open_index(root, tmp_path)
    index.refresh()
    found = [s.name for s in index.search("gUBI")]
    assert set(found[:2]) == {"getUserById", "get_user_by_id"}
    assert index.search("User")[0].name == "User"


def test_parallel_refresh_matches_inline(root: Path, tmp_path: Path) -> None:
    for i in range(40):
        write(root, {f"many/m{i}.py": f"class C{i}:\n    def m{i}(self): pass\n"})
    parallel = WorkspaceIndex(root, tmp_path / "a", workers=2)
    inline = WorkspaceIndex(root, tmp_path / "b", workers=1)
    assert parallel.refresh().parsed == inline.refresh().parsed == 44
    assert names(parallel) == names(inline)


def test_parallel_refresh_of_many_changed_files(root: Path, tmp_path: Path) -> None:
    # Not a cold load: each worker's batch replaces rows (a read, then writes) while the other
    # worker commits. Deferred transactions failed here with "database is locked".
    for i in range(60):
        write(root, {f"many/m{i}.py": f"def old{i}(): pass\n"})
    index = open_index(root, tmp_path, workers=2)
    index.refresh()
    for i in range(60):
        write(root, {f"many/m{i}.py": f"def new{i}(): pass\n" * 20})
        bump_mtime(root / f"many/m{i}.py")
    assert index.refresh().parsed == 60
    assert "old7" not in names(index) and len(index.definitions("new7")) == 20


def test_single_file_updates_respect_ignore_rules(root: Path, tmp_path: Path) -> None:
    write(
        root,
        {
            ".git/HEAD": "ref: refs/heads/main\n",
            ".gitignore": "generated/\n",
            "generated/out.py": "def generated(): pass\n",
        },
    )
    index = open_index(root, tmp_path, excludes=["vendor/"])
    index.refresh()
    write(
        root, {"vendor/lib.py": "def vendored(): pass\n", "app/new.py": "def brand_new(): pass\n"}
    )
    for rel in ("generated/out.py", "vendor/lib.py", "app/new.py"):
        index.update_file(str(root / rel))
    index.store_extraction(str(root / "vendor/lib.py"), "python", b"", [], [], False)
    found = names(index)
    assert "brand_new" in found
    assert not {"generated", "vendored"} & found
    assert not index.includes(str(root / ".git/config.py"))


def test_buffer_stored_during_a_cold_load_is_replaced_not_duplicated(
    root: Path, tmp_path: Path
) -> None:
    for i in range(20):
        write(root, {f"many/m{i}.py": f"def f{i}(): pass\n"})
    index = open_index(root, tmp_path, workers=2)
    target = str(root / "many/m3.py")
    stored = []

    def progress(p: Progress) -> None:
        if not stored:  # the editor stores an edited buffer while the cold load runs
            index.update_file(target, b"def from_buffer(): pass\n")
            stored.append(True)

    stats = index.refresh(progress)
    assert stats.files == 24
    assert len(index.file_symbols(target)) == 1


def test_symlinks_out_of_the_root_are_not_followed(root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("def outside_secret(): pass\n")
    write(root, {"src/inner.py": "def inner(): pass\n"})
    (root / "linked_out").symlink_to(outside, target_is_directory=True)
    (root / "file_out.py").symlink_to(outside / "secret.py")
    (root / "linked_in").symlink_to(root / "src", target_is_directory=True)
    index = open_index(root, tmp_path)
    index.refresh()
    assert "inner" in names(index) and "outside_secret" not in names(index)


def test_the_scan_stops_at_its_limits_and_says_which(tmp_path: Path) -> None:
    from indexer.scan import ScanLimits, scan

    write(tmp_path, {f"m{i}.py": "x = 1\n" * 10 for i in range(5)})  # 60 bytes each
    by_count = scan(tmp_path, limits=ScanLimits(files=3))
    assert [Path(f.path).name for f in by_count.files] == ["m0.py", "m1.py", "m2.py"]
    assert "index.maxFiles" in by_count.capped
    by_size = scan(tmp_path, limits=ScanLimits(total_size=150))
    assert len(by_size.files) == 2 and "index.maxTotalSize" in by_size.capped
    whole = scan(tmp_path)
    assert len(whole.files) == 5 and not whole.capped
    index = WorkspaceIndex(tmp_path, tmp_path / "cache", limits=ScanLimits(files=3))
    try:
        stats = index.refresh()
    finally:
        index.close()
    assert stats.files == 3 and "index.maxFiles" in stats.capped


def test_search_during_a_bulk_load_gives_the_same_results(root: Path, tmp_path: Path) -> None:
    """While a cold load has dropped the name index, a search reads every ranked name's
    definitions in one statement (one scan, not one per name): the same symbols, same order."""
    source = "def main():\n    pass\nclass Mainframe: pass\n"
    write(root, {f"pkg/m{i}.py": source for i in range(7)})
    index = open_index(root, tmp_path)
    index.refresh()
    queries = ["main", "m", "User", "get", "Server", "zzz"]
    expected = {(q, n): index.ranked_search(q, n) for q in queries for n in (3, 100)}
    index._store.begin_bulk_load()
    assert index._store.bulk_loading
    during = {(q, n): index.ranked_search(q, n) for q in queries for n in (3, 100)}
    index._store.end_bulk_load()
    assert during == expected
    assert len(expected["main", 100]) > 7  # several names, several definitions each


def test_a_search_during_a_bulk_load_sees_every_symbol_committed_since_the_last(
    root: Path, tmp_path: Path
) -> None:
    """During a bulk load the definitions of ranked names come from a map of the symbols
    committed so far (`indexer.load_names`), caught up by each search: files stored between
    two searches, and a file stored again (its old symbols gone), give what the database
    gives another reader."""
    source = "def main():\n    pass\nclass Mainframe: pass\n"
    write(root, {f"pkg/m{i}.py": source for i in range(3)})
    index = open_index(root, tmp_path)
    index.refresh()
    queries = ["main", "m", "Mainframe", "zzz"]
    limits = (1, 5, 100, 200)
    index._store.begin_bulk_load()
    try:
        first = {s.path for s in index.search("main")}
        assert {str(root / f"pkg/m{i}.py") for i in range(3)} <= first
        write(root, {f"pkg/n{i}.py": source + "def main_loop(): pass\n" for i in range(4)})
        for i in range(4):
            index.update_file(str(root / f"pkg/n{i}.py"))
        other = open_index(root, tmp_path)  # not loading: reads through the name index
        try:
            during = {(q, n): index.ranked_search(q, n) for q in queries for n in limits}
            assert during == {(q, n): other.ranked_search(q, n) for q in queries for n in limits}
        finally:
            other.close()
        new = {s.path for _, s in during["main", 100]} - first
        assert new == {str(root / f"pkg/n{i}.py") for i in range(4)}
        index.update_file(str(root / "pkg/m0.py"), b"def main(): pass\n")  # stored again
        during = {(q, n): index.ranked_search(q, n) for q in queries for n in limits}
    finally:
        index._store.end_bulk_load()
    assert during == {(q, n): index.ranked_search(q, n) for q in queries for n in limits}


def test_search_threads_after_close_neither_run_nor_report_errors(
    root: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A folder removed from the editor closes its index while the search's background
    threads (the file's rewrite, the in-memory part's rebuild) may still start or run: they
    stop, and the database gone with the folder is no error in the log."""
    index = open_index(root, tmp_path)
    index.refresh()
    index.close()
    shutil.rmtree(tmp_path / "cache")
    before = set(threading.enumerate())
    index._start_rebuild()
    index._start_delta(None, 0, 1)
    for thread in set(threading.enumerate()) - before:
        thread.join(10)
    assert not [r for r in caplog.records if r.levelname == "ERROR"], caplog.text
