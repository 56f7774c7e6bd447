"""C files made only of preprocessor lines, read without a parse.

Register maps and generated headers (`drivers/gpu/drm/amd/include/asic_reg/` alone is a tenth
of the Linux tree's bytes) hold nothing but `#define`s, comments and include guards. For those
the tags query finds macros and includes only, and the rows follow from the text: a line scan
gives exactly what tree-sitter and `c-tags.scm` give (checked against the parser by the tests
and, over a whole tree, by `bench/preproc_check.py`) at a fraction of the cost. Anything the
scan is not sure of (code, an unclosed comment, a `//` comment continued with `\\`, CRLF line
ends, an unbalanced `#if`, an unknown directive) answers None and the file is parsed as usual.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from indexer.extract import RefRow, SymbolRow

_DIRECTIVE = re.compile(rb"#[ \t]*([a-z]+)")
# The macro's name, then a parameter list right after it (a function-like macro) or not.
_NAME = re.compile(rb"[ \t]+([A-Za-z_][A-Za-z0-9_]*)(?![A-Za-z0-9_$\x80-\xff])")
_PARAMS = re.compile(rb"\([ \t]*(?:(?:[A-Za-z_]\w*[ \t]*,[ \t]*)*(?:[A-Za-z_]\w*|\.\.\.)[ \t]*)?\)")
_INCLUDE = re.compile(rb'[ \t]+("[^"\n]*"|<[^>\n]*>)[ \t]*$')
# The common line of a register map: `#define NAME value` on one line, with no comment, literal,
# continuation or parameter list to think about. Taken by one match, the row built at once.
_SIMPLE = re.compile(
    rb"([ \t]*)(#[ \t]*define[ \t]+)([A-Za-z_][A-Za-z0-9_]*)(?:[ \t][^\n\\/'\"]*)?\n"
)
_GLUED_COMMENT = re.compile(rb"[^ \t]/\*")
_CALLED = re.compile(rb"([A-Za-z_]\w*)[ \t]*\(")
_OPEN = frozenset({b"if", b"ifdef", b"ifndef"})
_QUIET = frozenset({b"undef", b"pragma", b"error", b"warning", b"else", b"elif", b"endif"})


def define_only(source: bytes) -> tuple[list[SymbolRow], list[RefRow]] | None:
    """The rows the tags query would give, or None when the file needs a real parse."""
    from indexer.extract import signature_line

    if not source.endswith(b"\n") or b"\r" in source or b"#" not in source:
        return None
    symbols: list[SymbolRow] = []
    refs: list[RefRow] = []
    depth = 0  # open #if groups: tree-sitter marks an unbalanced one as an error
    in_comment = False
    line_no, pos, size = 0, 0, len(source)
    simple = _SIMPLE.match
    while pos < size:
        if not in_comment and (m := simple(source, pos)) is not None:
            start, name_start, name_end = m.end(1), m.start(3), m.end(3)
            name_col = name_start - pos
            symbols.append(
                (m.group(3).decode(), "macro", "", line_no, start - pos, line_no + 1, 0, start,
                 m.end(), line_no, name_col, line_no, name_col + name_end - name_start,
                 name_start, name_end, signature_line(source, start), True)
            )  # fmt: skip
            line_no, pos = line_no + 1, m.end()
            continue
        end = source.index(b"\n", pos)
        line = source[pos:end]
        if in_comment:
            close = line.find(b"*/")
            if close < 0:
                line_no, pos = line_no + 1, end + 1
                continue
            in_comment = False
            rest, in_comment, ok = _after_comments(line[close + 2 :])
            if not ok or rest:
                return None
            line_no, pos = line_no + 1, end + 1
            continue
        stripped = line.lstrip(b" \t")
        if not stripped.startswith(b"#"):
            rest, in_comment, ok = _after_comments(stripped)
            if not ok or rest:
                return None
            line_no, pos = line_no + 1, end + 1
            continue
        # A directive: its logical line runs on while a line ends with a backslash.
        last_line, last_end = line_no, end
        while source[last_end - 1 : last_end] == b"\\":
            if last_end + 1 >= size:
                return None
            last_end = source.index(b"\n", last_end + 1)
            last_line += 1
        start = pos + len(line) - len(stripped)
        logical = source[start:last_end]
        directive = _DIRECTIVE.match(logical)
        if directive is None:
            return None
        word, tail = directive.group(1), logical[directive.end() :]
        if word == b"define":
            name = _NAME.match(tail)
            if name is None or not _comments_close(tail):
                return None
            # tree-sitter's recovery differs from a preprocessor's for a comment in a
            # continued value or glued to a token (`name/**/fn`): leave those to it.
            if b"/*" in tail and (last_line != line_no or _GLUED_COMMENT.search(tail)):
                return None
            after = tail[name.end() :]
            if after.startswith(b"(") and _PARAMS.match(after) is None:
                return None
            name_start = start + directive.end() + name.start(1)
            name_end = name_start + len(name.group(1))
            name_col = name_start - pos
            ascii_ = source[pos:name_end].isascii()
            symbols.append(
                (
                    name.group(1).decode(),
                    "macro",
                    "",
                    line_no,
                    start - pos,
                    last_line + 1,
                    0,
                    start,
                    last_end + 1,
                    line_no,
                    name_col,
                    line_no,
                    name_col + name_end - name_start,
                    name_start,
                    name_end,
                    signature_line(source, start),
                    ascii_,
                )
            )
        elif word == b"include":
            path = _INCLUDE.match(tail) if last_line == line_no else None
            if path is None:
                return None
            path_start = start + directive.end() + path.start(1)
            path_end = path_start + len(path.group(1))
            col = path_start - pos
            target = path.group(1).decode("utf-8", "replace").strip("\"'<>")
            refs.append(
                (target, "import", line_no, col, line_no, col + path_end - path_start,
                 path_start, path_end)
            )  # fmt: skip
        elif word in _OPEN:
            depth += 1
            # `#if FEATURE(x)`: the parser reads a call there, which the tags query reports.
            if word == b"if" and any(c != b"defined" for c in _CALLED.findall(tail)):
                return None
        elif word in _QUIET:
            if word in (b"else", b"elif", b"endif") and depth == 0:
                return None
            if word == b"endif":
                depth -= 1
            if word == b"elif" and any(c != b"defined" for c in _CALLED.findall(tail)):
                return None
            if not _comments_close(tail):
                return None
        else:
            return None
        if word in _OPEN and not _comments_close(tail):
            return None
        line_no, pos = last_line + 1, last_end + 1
    if depth or in_comment:
        return None
    return symbols, refs


def _after_comments(text: bytes) -> tuple[bytes, bool, bool]:
    """`text` with its comments taken out: (what is left, whether a block comment stays open,
    whether the scan can vouch for it). A `//` comment continued by a backslash cannot be."""
    rest = b""
    while text:
        text = text.lstrip(b" \t")
        if text.startswith(b"//"):
            return rest, False, not text.endswith(b"\\")
        if text.startswith(b"/*"):
            close = text.find(b"*/", 2)
            if close < 0:
                return rest, True, True
            text = text[close + 2 :]
            continue
        return text, False, True
    return rest, False, True


def _comments_close(text: bytes) -> bool:
    """Whether every block comment in a directive's text ends in it (one running on into the
    next lines would be part of the directive for tree-sitter: too subtle to copy here), and
    nothing in it is a string or character literal a comment opener could hide in."""
    if b"/*" not in text:
        return True
    if b'"' in text or b"'" in text:
        return False
    return text.rfind(b"/*") < text.rfind(b"*/")
