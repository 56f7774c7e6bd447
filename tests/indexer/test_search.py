"""Fuzzy search ranking over a fixed list of names: query -> names, best first."""

from __future__ import annotations

import dataclasses
import random

import pytest

from indexer.search import SearchIndex, Text
from indexer.search_narrow import Narrowing

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


def _many_names() -> list[str]:
    """A few thousand names in the shapes code has (snake, camel, caps, dotted, non-ASCII)."""
    rng = random.Random(18)
    words = ["get", "user", "by", "id", "http", "server", "kmalloc", "init", "dev", "名前", "x"]
    names = set(NAMES)
    while len(names) < 3000:
        parts = rng.sample(words, rng.randint(1, 4))
        shape = rng.randrange(4)
        if shape == 0:
            names.add("_".join(parts))
        elif shape == 1:
            names.add(parts[0] + "".join(p.capitalize() for p in parts[1:]))
        elif shape == 2:
            names.add("_".join(parts).upper())
        else:
            names.add("".join(parts) + str(rng.randrange(100)))
    return sorted(names)


def _queries(names: list[str]) -> list[str]:
    rng = random.Random(7)
    out = ["", "u", "_", "Get", "ser", "gubi", "zzz", "名", "\n", "kmallocinit", "server_by_"]
    for name in rng.sample(names, 150):
        start = rng.randrange(len(name))
        out += [name, name[: rng.randint(1, 4)], name[start : start + rng.randint(2, 6)]]
        picked = sorted(rng.sample(range(len(name)), min(len(name), rng.randint(2, 5))))
        out.append("".join(name[i] for i in picked))  # a subsequence: the fuzzy tiers
    return out


@pytest.mark.parametrize("block_lines", [1, 7, 64])
def test_the_block_maps_give_the_results_of_a_full_scan(tmp_path, block_lines: int) -> None:
    names = _many_names()
    rows = list(enumerate(names))
    # The plain scan, and the inner subsequence tier tried at every position (as before the
    # capitalised word starts of `fuzzy_marks`). Without block maps the prefix, word-start and
    # substring tiers share one pass over the text; with them each tier has its own.
    plain = dataclasses.replace(SearchIndex.build(rows), fuzzy_marks=Text.of(b""))
    blocked = SearchIndex.build(rows, block_lines=block_lines)
    assert blocked.lower_grams is not None and blocked.lower_grams.blocks > 1
    path = tmp_path / "names.search"
    ordered = sorted(rows, key=lambda r: (len(r[1]), r[1]))
    chunks = [ordered[i : i + 500] for i in range(0, len(ordered), 500)]
    SearchIndex.write_file(path, chunks, "e1", 1, block_lines=block_lines)
    mapped = SearchIndex.open(path, lambda ids: {i: names[i] for i in ids})
    assert mapped is not None
    for query in _queries(names):
        for limit in (5, 100):
            expected = plain.ranked_names(query, limit)
            assert blocked.ranked_names(query, limit) == expected, (query, limit)
            assert mapped.ranked_names(query, limit) == expected, (query, limit)


def test_a_block_map_rules_out_blocks_without_the_needle() -> None:
    index = SearchIndex.build(list(enumerate(["alpha", "beta", "gamma", "delta"])), block_lines=1)
    grams = index.lower_grams
    assert grams is not None
    # lines are ordered by length, then name: beta, alpha, delta, gamma
    assert grams.mask(b"lta") == 0b0100 and grams.mask(b"\nbe") == 0b0001
    assert grams.mask(b"qqq") == 0 and grams.mask(b"ta") is None


def test_a_file_written_without_block_maps_scans_everything(tmp_path) -> None:
    rows = sorted(enumerate(NAMES), key=lambda r: (len(r[1]), r[1]))
    path = tmp_path / "names.search"
    SearchIndex.write_file(path, [rows], "e1", 7, block_lines=None)  # a small index
    mapped = SearchIndex.open(path, lambda ids: {i: NAMES[i] for i in ids})
    assert mapped is not None and mapped.lower_grams is None and mapped.initial_grams is None
    for query in [*CASES, "", "u", "Get", "ser"]:
        assert mapped.ranked_names(query, 20) == INDEX.ranked_names(query, 20), query


class _KeepsNothing(Narrowing):
    def keep(self, tier: str, query: str, lines: list[int]) -> None:
        pass


def test_typing_a_letter_at_a_time_ranks_as_each_query_alone(tmp_path) -> None:
    """A query that extends a recent one tries only the lines the subsequence tiers found for
    that one (`indexer.search_narrow`): the answers are those of an index that never saw the
    earlier queries, and the narrowed path gives hits of both subsequence tiers."""
    rng = random.Random(11)
    syllables = ["ka", "lo", "mir", "te", "su", "van", "dre", "po", "qui", "zel", "ny", "ra"]
    words = ["".join(rng.sample(syllables, rng.randint(1, 3))) for _ in range(300)]
    names = set()
    while len(names) < 3000:
        parts = rng.sample(words, rng.randint(2, 4))
        if rng.random() < 0.5:
            names.add(parts[0] + "".join(p.capitalize() for p in parts[1:]))
        else:
            names.add("_".join(parts))
    ordered_names = sorted(names)
    typed: list[str] = []
    for name in rng.sample(ordered_names, 80):
        # A subsequence from a word start inside the name: the inner subsequence tier's own.
        word_start = name.find("_") + 1 or next(i for i, c in enumerate(name) if c.isupper())
        rest = range(word_start + 1, len(name))
        picked = sorted(rng.sample(rest, min(len(rest), 3)))
        for word in (name, "".join(name[i] for i in [word_start, *picked])):
            typed += [word[:n] for n in range(1, len(word) + 1)]
    path = tmp_path / "names.search"
    ordered = sorted(enumerate(ordered_names), key=lambda r: (len(r[1]), r[1]))
    SearchIndex.write_file(path, [ordered], "e1", 1, block_lines=None)
    mapped = SearchIndex.open(path, lambda ids: {i: ordered_names[i] for i in ids})
    assert mapped is not None
    for index in (SearchIndex.build(list(enumerate(ordered_names))), mapped):
        narrowed = dict.fromkeys(range(6), 0)  # hits answered from kept lines, by tier
        for query in typed:
            lowered = query.lower()
            plain = index.narrowing.lines("substring", query.encode().lower()) is not None
            kept = dict.fromkeys(range(4), plain)
            kept[4] = index.narrowing.lines("whole", lowered) is not None
            kept[5] = any(index.narrowing.lines(t, lowered) for t in ("marks", "inner"))
            got = index.ranked_names(query, 100)
            alone = dataclasses.replace(index, narrowing=_KeepsNothing())  # full scans only
            assert got == alone.ranked_names(query, 100), query
            for tier in narrowed:
                narrowed[tier] += kept[tier] and any(key[0] == tier for key, _, _ in got)
        assert all(narrowed[tier] > 20 for tier in (0, 1, 3, 4, 5)), narrowed
