"""The server's stdio transport: requests read from the client's pipe by the event loop itself.

pygls's stdio reader hands every read to a thread pool (the header line, the blank line, then
the body): three thread hops per message, and each waits for the GIL behind whatever thread
holds it, the index's store during a cold build for one. Read by the event loop, a message is
handled as soon as it has arrived. On a warm index an unknown method's round trip went from
1.9 to 0.6-0.9 ms (p50), and a fresh workspace/symbol query's by about 1 ms
(`bench/busy_latency.py`; the lead's note on issue 17 has the runs).

Only a pipe or a socket (what editors start a server with) is read this way: the loop puts the
descriptor in non-blocking mode, which a terminal shared with a shell must not get. Nor may
stdout, which is written with blocking writes: a client that hands the server one socket for
both (a socketpair end as stdin and stdout) would see answers bigger than the socket's buffer
lost. Anything else keeps pygls's reader.
"""

from __future__ import annotations

import asyncio
import logging
import os
import stat
import threading
from typing import BinaryIO

from pygls.io_ import StdoutWriter, run_async
from pygls.server import JsonRPCServer

logger = logging.getLogger(__name__)
LINE_LIMIT = 1 << 16  # bytes in a header line; a longer one is skipped, never a header


def loop_can_read(stdin: BinaryIO, stdout: BinaryIO) -> bool:
    """Whether the event loop can read `stdin` itself: a pipe or a socket (on POSIX) that is
    not also `stdout` (the non-blocking mode the loop sets is shared by both)."""
    if os.name != "posix":
        return False
    try:
        read, written = os.fstat(stdin.fileno()), os.fstat(stdout.fileno())
    except (OSError, ValueError):
        return False
    if (read.st_dev, read.st_ino) == (written.st_dev, written.st_ino):
        return False
    return stat.S_ISFIFO(read.st_mode) or stat.S_ISSOCK(read.st_mode)


class PipeReader:
    """pygls's reader interface (`readline`, `readexactly`) over an asyncio stream, with its
    thread reader's behaviour at the edges: an over-long line is skipped instead of ending the
    server, and end of input in the middle of a body returns what was read."""

    def __init__(self, stream: asyncio.StreamReader) -> None:
        self.stream = stream

    async def readline(self) -> bytes:
        # A turn of the loop before each line, as pygls's thread hops gave: what the last
        # message's handler started (an async handler runs as a task) takes its first step
        # before the next message is handled. `didChange` publishes the edit in that step,
        # and a `documentSymbol` right behind it, read from the same chunk of input, must see
        # the new text.
        await asyncio.sleep(0)
        try:
            return await self.stream.readline()
        except ValueError:  # past LINE_LIMIT: the stream dropped it; it was no header
            logger.warning("skipped an input line of more than %d bytes", LINE_LIMIT)
            return b"-\r\n"

    async def readexactly(self, n: int) -> bytes:
        try:
            return await self.stream.readexactly(n)
        except asyncio.IncompleteReadError as error:  # the client went away mid-message
            return error.partial


async def _serve(server: JsonRPCServer, stdin: BinaryIO, stop: threading.Event) -> None:
    stream = asyncio.StreamReader(limit=LINE_LIMIT)
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stream), stdin)
    await run_async(
        stop_event=stop,
        reader=PipeReader(stream),
        protocol=server.protocol,
        logger=logging.getLogger("pygls.server"),
        error_handler=server.report_server_error,
    )


def serve(server: JsonRPCServer, stdin: BinaryIO, stdout: BinaryIO) -> None:
    """What pygls's `start_io` does, with the loop reading `stdin` (`loop_can_read`)."""
    # pygls's `shutdown()` (the `exit` notification) stops the read loop through this event.
    server._stop_event = stop = threading.Event()
    server.protocol.set_writer(StdoutWriter(stdout))
    try:
        asyncio.run(_serve(server, stdin, stop))
    except BrokenPipeError:
        logger.error("the connection to the client is lost: shutting down")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.shutdown()
