"""A `BlockMapBuilder` in child processes: the search file's largest block map (the trigrams of
the lowercase names) builds on another core while this process makes the rest of the file.

On the kernel's 3.3 million names that map is more than half of the file's build. A child
gets each chunk of lines as two byte strings over a pipe and sends the map's three sections
back at the end. With four cores or more two children share the map, each keeping the keys
whose trigram starts with its own bytes (`split_tables`; both get every chunk and cut the same
blocks), and `merge_maps` puts their sections in key order. A daemonic process may not start
children (a server writes its search file in one), so there the map is built in-process as
before: `block_map_builder` picks.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from io import BytesIO
from multiprocessing.reduction import ForkingPickler
from typing import IO, Any

from indexer.search_blocks import BlockMapBuilder, merge_maps, split_tables

# The children's split: trigrams starting below "i" and the rest. On the kernel's lowercase
# names 54% of the trigrams start below "i" ("_" and digits included).
SPLIT_BYTE = ord("i")
# Two children cost more CPU than one (each half about 60% of the whole on the kernel): a gain
# only with a core for each beside the writer. On two cores, under load, the split build was
# slower (77 s against 69 s, 98 against 95, back to back), so there one child makes it all.
SPLIT_CORES = 4


def block_map_builder(lines: int, in_child: bool) -> BlockMapBuilder | BlockMapProcess:
    """A builder of blocks of `lines` names; in a child process if asked and allowed."""
    if in_child and not multiprocessing.current_process().daemon:
        return BlockMapProcess(lines)
    return BlockMapBuilder(lines)


class BlockMapProcess:
    """`BlockMapBuilder`'s `add`/`finish`/`blocks`, the work done by child processes, one per
    `parts` table (None: one child building the whole map)."""

    def __init__(self, lines: int, parts: Sequence[bytes | None] | None = None) -> None:
        from indexer.search_build import mp_context  # imports `indexer.search`, which imports us

        if parts is None:
            parts = split_tables(SPLIT_BYTE) if (os.cpu_count() or 1) >= SPLIT_CORES else (None,)
        context = mp_context()
        self._conns: list[Any] = []
        self._processes: list[Any] = []
        for part in parts:
            conn, child = context.Pipe()
            # The child closes its copies of this process's pipe ends, its own and the earlier
            # children's (a forked child holds them): each child must see end-of-file when
            # this process closes its end, or an abandoned build waits out `close`'s timeout.
            process = context.Process(
                target=_serve,
                args=(child, lines, part, [*self._conns, conn]),
                name="lsp-agent-block-map",
                daemon=True,
            )
            process.start()
            child.close()
            self._conns.append(conn)
            self._processes.append(process)
        self.blocks = 0

    def add(self, lines: Sequence[bytes], marks: Sequence[bytes] = ()) -> None:
        if lines:
            self.add_text(b"\n".join(lines), b"\n".join(marks) if marks else None)

    def add_text(self, text: bytes, marks: bytes | None = None) -> None:
        """`add` for lines (and marks) joined by newlines: sent as they are (pickled once)."""
        payload = ForkingPickler.dumps((text, marks))
        for conn in self._conns:
            conn.send_bytes(payload)

    def finish(self, keys_out: IO[bytes], ends_out: IO[bytes], data_out: IO[bytes]) -> None:
        for conn in self._conns:
            conn.send(None)
        results = []
        for conn, process in zip(self._conns, self._processes, strict=True):
            try:
                result = conn.recv()
            except EOFError:
                result = None
            if not isinstance(result, tuple):
                self.close()
                raise RuntimeError(f"the block map builder failed (exit code {process.exitcode})")
            results.append(result)
        self.close()
        self.blocks = results[0][0]
        parts = [result[1:] for result in results]
        keys, ends, data = parts[0] if len(parts) == 1 else merge_maps(parts)
        keys_out.write(keys)
        ends_out.write(ends)
        data_out.write(data)

    def close(self) -> None:
        """Stop the children (at once if the build was abandoned half-way)."""
        for conn in self._conns:
            conn.close()
        for process in self._processes:
            process.join(5)
            if process.is_alive():
                process.kill()
                process.join()


def _serve(conn: Any, lines: int, part: bytes | None, others: list[Any]) -> None:
    for other in others:
        other.close()
    builder = BlockMapBuilder(lines, part)
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
