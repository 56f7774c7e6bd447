"""Several roots answered as one index: merged ranking, nested roots, navigation across roots."""

from __future__ import annotations

from pathlib import Path

from indexer.multiroot import MultiRootIndex
from indexer.navigate import find_definitions
from indexer.workspace import WorkspaceIndex
from tests.indexer.test_workspace import write


def build(tmp_path: Path, files: dict[str, str], *roots: str) -> MultiRootIndex:
    write(tmp_path / "ws", files)
    indexes = [WorkspaceIndex(tmp_path / "ws" / r, tmp_path / "cache") for r in roots]
    for index in indexes:
        index.refresh()
    return MultiRootIndex(indexes)


def test_search_ranks_across_roots_as_one_index(tmp_path: Path) -> None:
    both = build(
        tmp_path,
        {
            "app/a.py": "def parse_config(): pass\ndef parser_for(): pass\n",
            "lib/b.py": "def parse(): pass\ndef p_a_r_s_e(): pass\n",
        },
        "app",
        "lib",
    )
    found = [(s.name, Path(s.path).parent.name) for s in both.search("parse", 10)]
    # The exact match lives in the second root and still comes first.
    assert found[0] == ("parse", "lib")
    assert {name for name, _ in found} >= {"parse", "parse_config", "parser_for"}
    assert [s.name for s in both.search("parse", 1)] == ["parse"]


def test_nested_root_answers_for_its_own_files_once(tmp_path: Path) -> None:
    nested = build(
        tmp_path,
        {"outer/top.py": "def shared(): pass\n", "outer/inner/deep.py": "def shared(): pass\n"},
        "outer",
        "outer/inner",
    )
    deep = str(tmp_path / "ws/outer/inner/deep.py")
    assert nested.index_for(deep) is nested.indexes[1]
    assert sorted(Path(s.path).name for s in nested.definitions("shared")) == ["deep.py", "top.py"]
    assert len(nested.search("shared")) == 2  # not three: deep.py is in both databases
    assert [s.name for s in nested.file_symbols(deep)] == ["shared"]
    assert nested.index_for(str(tmp_path / "elsewhere.py")) is None
    # While the nested root has not indexed a file yet, the outer root answers for it.
    (tmp_path / "ws/outer/inner/late.py").write_text("def late(): pass\n")
    nested.indexes[0].refresh()
    nested.indexes[0].rebuild_search()
    assert [s.path for s in nested.search("late")] == [str(tmp_path / "ws/outer/inner/late.py")]
    nested.indexes[1].refresh()
    nested.indexes[1].rebuild_search()
    assert len(nested.search("late")) == 1 and nested.index_for(deep) is nested.indexes[1]
    assert nested.file_symbols(str(tmp_path / "elsewhere.py")) == []


def test_definitions_and_references_span_roots_nearest_first(tmp_path: Path) -> None:
    roots = build(
        tmp_path,
        {
            "app/main.py": "from util import helper\n\nhelper()\n",
            "app/sub/helper_here.py": "def helper(): pass\n",
            "lib/util.py": "def helper(): pass\n",
            "other/x.py": "def helper(): pass\nhelper()\n",
        },
        "app",
        "lib",
        "other",
    )
    main = str(tmp_path / "ws/app/main.py")
    source = Path(main).read_bytes()
    ranked = find_definitions(roots, main, "helper", source.rindex(b"helper"))
    # The imported module first (another root), then the same root, then the rest.
    assert [Path(s.path).relative_to(tmp_path / "ws").as_posix() for s in ranked] == [
        "lib/util.py",
        "app/sub/helper_here.py",
        "other/x.py",
    ]
    uses = sorted((Path(r.path).name, r.kind) for r in roots.references("helper"))
    assert uses == [("main.py", "call"), ("main.py", "import"), ("x.py", "call")]


def test_a_live_list_follows_the_host(tmp_path: Path) -> None:
    write(tmp_path / "ws", {"a/one.py": "def one(): pass\n", "b/two.py": "def two(): pass\n"})
    current = [WorkspaceIndex(tmp_path / "ws/a", tmp_path / "cache")]
    current[0].refresh()
    live = MultiRootIndex(lambda: current)
    assert [s.name for s in live.search("two")] == []
    added = WorkspaceIndex(tmp_path / "ws/b", tmp_path / "cache")
    added.refresh()
    current.append(added)
    assert [s.name for s in live.search("two")] == ["two"]
    assert live.roots == [str(tmp_path / "ws/a"), str(tmp_path / "ws/b")]
