"""A `BlockMapBuilder` in a child process: the search file's largest block map (the trigrams of
the lowercase names) builds on another core while this process makes the rest of the file.

On the kernel's 3.3 million names that map is about half of the file's build. The child gets
each chunk of lines as two byte strings over a pipe and sends the map's three sections back at
the end. A daemonic process may not start children (a server writes its search file in one),
so there the map is built in-process as before: `block_map_builder` picks.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from io import BytesIO
from typing import IO, Any

from indexer.search_blocks import BlockMapBuilder


def block_map_builder(lines: int, in_child: bool) -> BlockMapBuilder | BlockMapProcess:
    """A builder of blocks of `lines` names; in a child process if asked and allowed."""
    if in_child and not multiprocessing.current_process().daemon:
        return BlockMapProcess(lines)
    return BlockMapBuilder(lines)


class BlockMapProcess:
    """`BlockMapBuilder`'s `add`/`finish`/`blocks`, the work done by a child process."""

    def __init__(self, lines: int) -> None:
        from indexer.search_build import mp_context  # imports `indexer.search`, which imports us

        context = mp_context()
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(child, lines), name="lsp-agent-block-map", daemon=True
        )
        self._process.start()
        child.close()
        self.blocks = 0

    def add(self, lines: Sequence[bytes], marks: Sequence[bytes] = ()) -> None:
        if lines:
            self.add_text(b"\n".join(lines), b"\n".join(marks) if marks else None)

    def add_text(self, text: bytes, marks: bytes | None = None) -> None:
        """`add` for lines (and marks) joined by newlines: sent as they are."""
        self._conn.send((text, marks))

    def finish(self, keys_out: IO[bytes], ends_out: IO[bytes], data_out: IO[bytes]) -> None:
        self._conn.send(None)
        try:
            result = self._conn.recv()
        except EOFError:
            result = None
        self.close()
        if not isinstance(result, tuple):
            raise RuntimeError(f"the block map builder failed (exit code {self._process.exitcode})")
        self.blocks, keys, ends, data = result
        keys_out.write(keys)
        ends_out.write(ends)
        data_out.write(data)

    def close(self) -> None:
        """Stop the child (at once if the build was abandoned half-way)."""
        self._conn.close()
        self._process.join(5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()


def _serve(conn: Any, lines: int) -> None:
    builder = BlockMapBuilder(lines)
    try:
        while (chunk := conn.recv()) is not None:
            builder.add_text(*chunk)
        sinks = (BytesIO(), BytesIO(), BytesIO())
        builder.finish(*sinks)
        conn.send((builder.blocks, *(sink.getvalue() for sink in sinks)))
    except EOFError:  # the parent gave up on the build
        pass
    finally:
        conn.close()
