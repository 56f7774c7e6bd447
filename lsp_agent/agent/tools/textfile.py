"""Text files as the tools see them: bytes decoded with their encoding remembered, line endings
detected, so an edit writes back the same encoding and the same line endings it read.

Tools match `old_string` against text with "\\n" line endings (the model never sees "\\r"), then
put the file's own line ending back before proposing the edit.
"""

from __future__ import annotations

import codecs
import hashlib

SNIFF_BYTES = 8192


class BinaryFile(ValueError):
    """The bytes look like a binary file, not text."""


def decode(data: bytes) -> tuple[str, str]:
    """(text, codec name). UTF-8 (with or without BOM) and UTF-16 with a BOM are recognised;
    anything else that is not binary decodes as latin-1, which round-trips every byte."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16"
    if b"\0" in data[:SNIFF_BYTES]:
        raise BinaryFile("binary file")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def encode(text: str, encoding: str) -> bytes:
    # utf-16 via Python's codec writes a BOM, as the file had one when we read it.
    return text.encode(encoding, errors="replace" if encoding == "latin-1" else "strict")


def newline_of(text: str) -> str:
    """The file's dominant line ending: "\\r\\n" when most line breaks are CRLF."""
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"


def to_lf(text: str) -> str:
    return text.replace("\r\n", "\n")


def with_newline(text: str, newline: str) -> str:
    """`text` with every line ending made `newline`."""
    text = to_lf(text)
    return text if newline == "\n" else text.replace("\n", newline)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()
