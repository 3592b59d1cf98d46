"""The analysis cache: SQLite under the user cache dir, keyed by content hashes and engine version.

A changed file changes its digest, a new engine changes ENGINE_VERSION: either way the key changes and a
stale analysis is never served.  A cache that cannot be opened or read is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import pickle
import sqlite3
import time
import zlib
from collections.abc import Sequence
from pathlib import Path

from .core import ENGINE_VERSION
from .core.ingest import Source
from .core.model import Analysis

SCHEMA_VERSION = 1
KEEP = 8  # analyses kept; older ones are pruned


def cache_key(sources: Sequence[Source], *, one_story: bool) -> str:
    h = hashlib.sha256(f"wirediff/{ENGINE_VERSION}/{SCHEMA_VERSION}/{int(one_story)}\n".encode())
    for s in sources:
        h.update(f"{s.path}\0{s.digest}\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


class AnalysisCache:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.problem: str | None = None
        self._db: sqlite3.Connection | None = None
        try:
            self._db = self._open()
        except (sqlite3.DatabaseError, OSError) as e:
            if isinstance(e, sqlite3.DatabaseError) and path.exists():
                self._move_aside()
                try:
                    self._db = self._open()
                    self.problem = f"analysis cache was corrupt and was reset ({path})"
                    return
                except (sqlite3.DatabaseError, OSError) as e2:
                    e = e2
            self.problem = f"analysis cache disabled: {e}"
            self._db = None

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version != SCHEMA_VERSION:
            db.execute("DROP TABLE IF EXISTS analyses")
            db.execute(
                "CREATE TABLE analyses (key TEXT PRIMARY KEY, engine TEXT NOT NULL, used REAL NOT NULL, data BLOB NOT NULL)"
            )
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        db.execute("SELECT count(*) FROM analyses").fetchone()
        return db

    def _move_aside(self) -> None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for suffix in ("", "-wal", "-shm"):
            p = Path(str(self.path) + suffix)
            if p.exists():
                p.rename(p.with_name(p.name + f".corrupt-{stamp}"))

    @property
    def enabled(self) -> bool:
        return self._db is not None

    def get(self, key: str) -> Analysis | None:
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT data FROM analyses WHERE key=? AND engine=?", (key, ENGINE_VERSION)).fetchone()
            if row is None:
                return None
            analysis = pickle.loads(zlib.decompress(row[0]))
            self._db.execute("UPDATE analyses SET used=? WHERE key=?", (time.time(), key))
        except (sqlite3.DatabaseError, zlib.error, pickle.UnpicklingError, EOFError, AttributeError, TypeError) as e:
            self.problem = f"analysis cache entry unreadable, re-analysing ({e})"
            return None
        return analysis if isinstance(analysis, Analysis) else None

    def put(self, key: str, analysis: Analysis) -> None:
        if self._db is None:
            return
        data = zlib.compress(pickle.dumps(analysis, protocol=pickle.HIGHEST_PROTOCOL), 1)
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute(
                    "INSERT OR REPLACE INTO analyses (key, engine, used, data) VALUES (?,?,?,?)",
                    (key, ENGINE_VERSION, time.time(), data),
                )
                self._db.execute(
                    "DELETE FROM analyses WHERE key NOT IN (SELECT key FROM analyses ORDER BY used DESC LIMIT ?)",
                    (KEEP,),
                )
        except sqlite3.DatabaseError as e:
            self.problem = f"analysis cache not written ({e})"

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def load_analysis(paths, *, one_story: bool = False, progress=None, use_cache: bool = True):
    """Read the inputs, then serve the cached analysis of exactly these contents or analyse anew.

    Returns ``(analysis, notes)`` where notes are one-line messages about the cache for the user."""
    import dataclasses

    from . import paths as wpaths
    from .core.pipeline import analyze_sources, read_inputs

    sources, skipped = read_inputs(paths, progress=progress)
    notes: list[str] = []
    cache = AnalysisCache(wpaths.cache_db()) if use_cache else None
    try:
        key = cache_key(sources, one_story=one_story)
        hit = cache.get(key) if cache else None
        if hit is not None:
            analysis = dataclasses.replace(hit, skipped=tuple(skipped))
        else:
            analysis = analyze_sources(sources, skipped=skipped, one_story=one_story, progress=progress)
            if cache and sources:
                cache.put(key, analysis)
        if cache and cache.problem:
            notes.append(cache.problem)
    finally:
        if cache:
            cache.close()
    return analysis, notes
