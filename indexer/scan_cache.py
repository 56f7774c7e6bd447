"""What the last scan saw in each directory, so a warm re-open lists only what changed.

A directory's mtime changes when an entry is added, removed or renamed in it, not when a file's
content changes. So a directory whose mtime is the one recorded keeps its recorded listing (the
indexable file names and the subdirectories to descend into, both already filtered by the
ignore rules): only its files are stat'ed (for size and mtime), and its ignore rules are never
read. What the listing does not show is checked apart: each recorded ignore file's size and
mtime (an edited `.gitignore`), and a directory listed anew whose ignore files or git status
differ from the record relists everything under it. A directory modified within
`RACY_NS` of the scan that recorded it is listed again (the mtime tick may hide a change made
in the same tick, as with git's racy index).

The record is one `marshal` file next to the database, tied to the scan's settings; anything
unreadable is ignored (the scan then lists everything).
"""

from __future__ import annotations

import logging
import marshal
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

VERSION = 1
RACY_NS = 2_000_000_000
Stamp = tuple[int, int]  # (size, mtime_ns)
# (directory mtime_ns, [(file name, language)], [subdirectory name], {rule file: stamp})
Listing = tuple[int, list[tuple[str, str]], list[str], dict[str, Stamp]]


@dataclass(slots=True)
class DirCache:
    settings: tuple[object, ...]
    listings: dict[str, Listing] = field(default_factory=dict)
    scanned_ns: int = 0  # when the scan that recorded `listings` started
    reused: int = 0  # listings taken over from the previous record unchanged

    def trusted(self, directory: str, mtime_ns: int) -> Listing | None:
        """The recorded listing of `directory` if its mtime says it did not change since."""
        listing = self.listings.get(directory)
        if listing is None or listing[0] != mtime_ns or mtime_ns > self.scanned_ns - RACY_NS:
            return None
        return listing

    @classmethod
    def load(cls, path: Path | None, settings: tuple[object, ...]) -> DirCache:
        empty = cls(settings)
        if path is None:
            return empty
        try:
            data = marshal.loads(path.read_bytes())
        except FileNotFoundError:
            return empty
        except (OSError, ValueError, EOFError, TypeError) as exc:
            log.info("ignoring the scan record %s: %s", path, exc)
            return empty
        if not isinstance(data, tuple) or len(data) != 4 or data[:2] != (VERSION, settings):
            return empty
        return cls(settings, data[3], data[2])

    def save(self, path: Path | None) -> None:
        if path is None:
            return
        tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
        try:
            data: Any = (VERSION, self.settings, self.scanned_ns, self.listings)
            tmp.write_bytes(marshal.dumps(data))
            os.replace(tmp, path)
        except OSError as exc:
            log.warning("cannot write the scan record %s: %s", path, exc)
            tmp.unlink(missing_ok=True)


def settings_key(
    excludes: Sequence[str], max_file_size: int, languages: Sequence[str], git: bool
) -> tuple[object, ...]:
    """What a recorded listing depends on besides the disk."""
    return (tuple(excludes), max_file_size, tuple(languages), git)


def stamp(path: str) -> Stamp | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns
