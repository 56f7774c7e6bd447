"""The line scan of define-only C files gives exactly the parser's rows, and leaves every file
it cannot vouch for to the parser. The oracle is tree-sitter with `c-tags.scm` itself."""

from __future__ import annotations

import pytest

from indexer.extract import extract_rows, extract_source, parse
from indexer.preproc import define_only

TAKEN = {
    "register map": (
        b"/* SPDX-License-Identifier: MIT */\n#ifndef _REG_H_\n#define _REG_H_\n\n"
        b"#define mmREG_A 0x0000\n#define mmREG_A_BASE_IDX   0\n"
        b"// a line comment\n#define REG_B__FIELD_MASK 0x0000FFFFL\n#endif\n"
    ),
    "indented, spaced directives": b"  #  define X 1\n\t#define Y\n# define Z\t2\n",
    "function-like and continued": (
        b"#define F(a, b) ((a) + (b))\n#define G(...) g(__VA_ARGS__)\n"
        b"#define H(x) \\\n\tdo { h(x); } while (0)\n#define E()\n"
    ),
    "values with comments and division": (
        b"#define A (1 / 2) /* half */\n#define B 3 // three\n/* a\n   block */\n"
        b"#define C 4 /* one */ /* two */\n"
    ),
    "includes and guards": (
        b'#include <linux/types.h>\n#include "local.h"\n#if defined(A) && B > 1\n'
        b"#define C 1\n#elif C\n#define D 2\n#else\n#undef D\n#endif\n#pragma once\n"
    ),
    "unicode in a value": '#define NAME "héllo"\n#define MU 1 /* µs */\n'.encode(),
}

LEFT = {
    "code": b"#define A 1\nint x;\n",
    "no final newline": b"#define A 1",
    "CRLF": b"#define A 1\r\n",
    "unclosed comment": b"#define A 1\n/* open\n",
    "unbalanced endif": b"#define A 1\n#endif\n",
    "unclosed if": b"#ifdef A\n#define B 1\n",
    "comment running into the next line": b"#define A 1 /* runs\n on */\n",
    "continued line comment": b"// a comment \\\nint x;\n#define A 1\n",
    "GNU named variadic": b"#define P(fmt, args...) printk(fmt, ##args)\n",
    "unknown directive": b"#line 3\n#define A 1\n",
    "macro include": b"#include FOO\n",
    "dollar in a name": b"#define A$B 1\n",
    "a call in a condition": b"#if FEATURE(CHIP)\n#define A 1\n#endif\n",
    "a comment in a continued value": b"#define A (1 + \\\n  2 /* two */)\n",
    "a comment glued to a token": b"#define G(a,b) a/**/b\n",
    "nothing to define": b"/* only a comment */\n",
}


def parsed(source: bytes) -> tuple[list[object], list[object], bool]:
    tree = parse(source, "c")
    symbols, refs = extract_rows(tree, source, "c")
    return sorted(symbols), sorted(refs), tree.root_node.has_error


@pytest.mark.parametrize("source", TAKEN.values(), ids=TAKEN.keys())
def test_the_scan_gives_the_parsers_rows(source: bytes) -> None:
    scanned = define_only(source)
    assert scanned is not None
    symbols, refs = scanned
    assert (sorted(symbols), sorted(refs), False) == parsed(source)
    assert symbols  # something was found, so the comparison says something
    assert extract_source(source, "c") == (symbols, refs, False)


@pytest.mark.parametrize("source", LEFT.values(), ids=LEFT.keys())
def test_what_the_scan_cannot_vouch_for_is_parsed(source: bytes) -> None:
    assert define_only(source) is None
    symbols, refs, errors = extract_source(source, "c")
    assert (sorted(symbols), sorted(refs), errors) == parsed(source)
