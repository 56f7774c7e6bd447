"""Fuzzy search ranking over a fixed list of names: query -> names, best first."""

from __future__ import annotations

import pytest

from indexer.search import SearchIndex

NAMES = [
    "getUserById", "get_user_by_id", "getUser", "user", "User", "HTTPServer",
    "BaseHTTPRequestHandler", "debug", "gub", "agubi", "userGet", "getuser", "x", "名前",
]  # fmt: skip
INDEX = SearchIndex.build(list(enumerate(NAMES)))

CASES = {
    "User": ["User", "user", "userGet", "getUser", "getUserById", "get_user_by_id", "getuser"],
    "gUBI": ["getUserById", "get_user_by_id", "agubi"],
    "gubi": ["getUserById", "get_user_by_id", "agubi"],
    "hs": ["HTTPServer", "BaseHTTPRequestHandler"],
    "byid": ["getUserById", "get_user_by_id"],
    "usrbid": ["getUserById", "get_user_by_id"],
    "rqhd": ["BaseHTTPRequestHandler"],
    "名": ["名前"],
    "zzz": [],
}


@pytest.mark.parametrize("query", CASES)
def test_ranking(query: str) -> None:
    assert [NAMES[i] for i in INDEX.search(query, 20)] == CASES[query]


def test_limit_and_empty_query() -> None:
    assert len(INDEX.search("u", 3)) == 3
    assert [NAMES[i] for i in INDEX.search("", 2)] == ["x", "名前"]  # shortest names first


def test_ids_are_the_given_ids() -> None:
    index = SearchIndex.build([(1001, "alpha"), (1002, "alphabet")])
    assert index.search("alp") == [1001, 1002]


def test_prefix_order_does_not_depend_on_the_limit() -> None:
    index = SearchIndex.build([(1, "FOOx"), (2, "fooyy"), (3, "foox")])
    full = index.search("foo", 10)
    assert full == [3, 1, 2]  # shorter first; the same case first among equal lengths
    assert [index.search("foo", n) for n in (1, 2)] == [full[:1], full[:2]]


def test_a_file_written_in_chunks_ranks_as_the_in_memory_index(tmp_path) -> None:
    rows = sorted(enumerate(NAMES), key=lambda r: (len(r[1]), r[1]))
    path = tmp_path / "names.search"
    SearchIndex.write_file(path, [rows[i : i + 3] for i in range(0, len(rows), 3)], "e1", 7)
    mapped = SearchIndex.open(path, lambda ids: {i: NAMES[i] for i in ids})
    assert mapped is not None and (mapped.epoch, mapped.last_symbol) == ("e1", 7)
    for query in [*CASES, "", "u", "Get", "ser"]:
        assert mapped.ranked_names(query, 20) == INDEX.ranked_names(query, 20), query
