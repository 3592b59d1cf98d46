"""What earlier runs can lend an analysis (``Memo``), kept apart from the pipeline so that the cache
and the stories list can be opened without importing the matching engine (numpy, rapidfuzz)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .ingest import Source
    from .pipeline import Clustering, Prepared, StoryResult

#: What tells an unchanged file: (size, mtime_ns, inode, ctime_ns).  Any write to a file sets
#: its ctime to the current time (a program cannot set it back), so a file whose status is the
#: one it had when it was read still holds what was read, provided that it had not changed
#: within ``RACY_NS`` before it was read (two writes within a file system's timestamp
#: granularity may leave the same times: such a file's status is not trusted, ``file_stat``).
FileStat = tuple[int, int, int, int]
RACY_NS = 2_000_000_000


def file_stat(st: os.stat_result, read_ns: int) -> FileStat | None:
    """The ``FileStat`` of a file whose status was ``st`` when it was read (``read_ns``: a
    ``time.time_ns()`` taken before the read), or None if it changed too shortly before."""
    if max(st.st_mtime_ns, st.st_ctime_ns) >= read_ns - RACY_NS:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


class Memo:
    """Results of earlier runs, looked up in batches; this default remembers nothing.

    ``tui.cache`` implements it over SQLite.  Keys include ``ENGINE_VERSION``."""

    def get_prepared(self, digests: Sequence[str]) -> dict[str, Prepared]:
        return {}

    def put_prepared(self, items: Mapping[str, Prepared]) -> None:
        pass

    def known_prepared(self, digests: Sequence[str]) -> set[str]:
        """Which of ``digests`` ``get_prepared`` would find (without reading them)."""
        return set(self.get_prepared(digests))

    def get_stories(self, keys: Sequence[str]) -> dict[str, StoryResult]:
        return {}

    def put_stories(self, items: Mapping[str, StoryResult]) -> None:
        pass

    def unchanged(self, files: Sequence[os.PathLike[str]]) -> dict[int, FileStat]:
        """Which of ``files`` (by position) the memo holds as they are on disk now (same path
        and ``FileStat`` as when they were read), with that status: ``get_sources`` gives their
        texts and ``get_prepared`` their preparation without reading them."""
        return {}

    def get_sources(self, files: Sequence[os.PathLike[str]]) -> dict[int, Source]:
        """The sources of the ``unchanged`` files, by position (a file missing here, e.g. from
        a damaged entry, must be read)."""
        return {}

    def known_outlets(self) -> Mapping[tuple[str, str], tuple[str, str]]:
        """(outlet, cue) of the sources ``get_sources`` gave, by (digest, path)."""
        return {}

    def put_sources(self, rows: Sequence[tuple[Source, FileStat | None]]) -> None:
        """A run's sources in order, each with the status it was read with (None: not to be
        trusted next time): ``unchanged`` recognises them in the next run."""

    def get_clustering(self, scope: str) -> Clustering | None:
        return None

    def put_clustering(self, scope: str, make: Callable[[], Clustering]) -> None:
        """Remember the clustering ``make()`` gives (called when it is written: maybe later, by
        another process forked meanwhile; what it reads must not change)."""
