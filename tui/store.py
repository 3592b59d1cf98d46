"""Triage marks (read / starred / archived) in SQLite, keyed by article content digest.

Design:
- Marks belong to *articles* (``Article.digest``), so they survive renaming or moving files.
  A story's state is derived from its articles' marks (see :func:`story_state`).
- Every action runs in its own ``BEGIN IMMEDIATE`` transaction: it re-reads the current marks,
  writes the new ones and appends an undo record, then commits at once.  A kill -9 loses
  nothing that was acknowledged, and two app instances never overwrite each other's marks
  (the write lock serialises them; ``busy_timeout`` makes the other one wait).
- The undo log is persisted: ``undo()`` reverts the newest action in the log (whichever
  instance made it), restoring the exact previous values of the marks it touched.
- The schema is versioned with ``PRAGMA user_version`` and upgraded by ``_MIGRATIONS``.
- A file that is not a database is moved aside (``state.sqlite3.corrupt-<time>``) and a fresh
  one is created; a data directory that cannot be written makes the store run in memory.
  Both cases leave a human-readable ``warning``.
- A database that fails *while running* (disk full, file locked by another program for longer
  than ``busy_timeout``, I/O error) never crashes the caller: the store copies what it can read
  into memory, carries on there, sets ``warning`` and calls ``on_warning`` (the app notifies).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

FIELDS = ("read", "starred", "archived")
STATES = ("new", "read", "starred", "archived")

_MIGRATIONS: tuple[str, ...] = (
    # v1
    """
    CREATE TABLE marks (
        digest   TEXT PRIMARY KEY,
        read     INTEGER NOT NULL DEFAULT 0,
        starred  INTEGER NOT NULL DEFAULT 0,
        archived INTEGER NOT NULL DEFAULT 0,
        updated  REAL NOT NULL
    );
    CREATE TABLE undo_log (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        label   TEXT NOT NULL,
        changes TEXT NOT NULL,
        at      REAL NOT NULL
    );
    """,
)
SCHEMA_VERSION = len(_MIGRATIONS)
UNDO_KEEP = 500


@dataclass(frozen=True, slots=True)
class Mark:
    read: bool = False
    starred: bool = False
    archived: bool = False


NO_MARK = Mark()


def story_state(marks: Iterable[Mark]) -> str:
    """A story's state from its articles' marks.

    archived if every article is archived; else starred if any article is starred;
    else read if every article is read or archived; else new.
    """
    ms = list(marks)
    if not ms:
        return "new"
    if all(m.archived for m in ms):
        return "archived"
    if any(m.starred for m in ms):
        return "starred"
    if all(m.read or m.archived for m in ms):
        return "read"
    return "new"


class Store:
    """Triage marks with a persisted undo log.  Use one instance per app."""

    def __init__(self, path: Path | str | None, *, busy_timeout: float = 10.0) -> None:
        self.path = Path(path) if path is not None else None
        self.busy_timeout = busy_timeout
        self.warning: str | None = None
        self.persistent = False
        self.on_warning: Callable[[str], None] | None = None
        self._conn = self._open()
        self._migrate()

    # ------------------------------------------------------------------ opening
    def _open(self) -> sqlite3.Connection:
        if self.path is None:
            return self._memory("no state file configured")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                str(self.path), timeout=self.busy_timeout, isolation_level=None, check_same_thread=False
            )
        except (OSError, sqlite3.OperationalError) as e:
            return self._memory(f"cannot write {self.path.parent} ({_reason(e)})")
        try:
            self._configure(conn, self.busy_timeout)
            conn.execute("PRAGMA journal_mode=WAL")
            ok = conn.execute("PRAGMA quick_check").fetchone()
            if not ok or ok[0] != "ok":
                raise sqlite3.DatabaseError(str(ok[0]) if ok else "quick_check failed")
        except sqlite3.DatabaseError as e:
            if isinstance(e, sqlite3.OperationalError):
                # locked, read-only, I/O error: the file may be fine, so never move it aside
                conn.close()
                return self._memory(f"cannot use {self.path} ({_reason(e)})")
            conn.close()
            aside = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
            try:
                self.path.rename(aside)
                for suffix in ("-wal", "-shm"):
                    side = self.path.with_name(self.path.name + suffix)
                    if side.exists():
                        side.unlink()
                conn = self._connect(self.path, self.busy_timeout)
                conn.execute("PRAGMA journal_mode=WAL")
            except (OSError, sqlite3.Error) as e2:
                return self._memory(f"state file unreadable and cannot be replaced ({_reason(e2)})")
            self.warning = f"state file was damaged ({_reason(e)}); moved it to {aside.name} and started afresh"
        self.persistent = True
        return conn

    @classmethod
    def _connect(cls, path: Path | str, busy_timeout: float = 10.0) -> sqlite3.Connection:
        conn = sqlite3.connect(str(path), timeout=busy_timeout, isolation_level=None, check_same_thread=False)
        cls._configure(conn, busy_timeout)
        return conn

    @staticmethod
    def _configure(conn: sqlite3.Connection, busy_timeout: float = 10.0) -> None:
        conn.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        conn.execute("PRAGMA synchronous=FULL")

    def _memory(self, why: str) -> sqlite3.Connection:
        self.warning = f"triage marks will not be saved: {why}"
        self.persistent = False
        return self._connect(":memory:")

    def _migrate(self) -> None:
        try:
            self._migrate_in(self._conn, self.path)
        except sqlite3.Error as e:
            # Locked by another program for longer than busy_timeout, or a step failed (rolled
            # back, so the file is as it was): leave the file alone and keep marks in memory.
            self._conn.close()
            self._conn = self._memory(f"cannot use {self.path} ({_reason(e)})")
            self._migrate_in(self._conn, None)

    @staticmethod
    def _migrate_in(conn: sqlite3.Connection, path: Path | None) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise RuntimeError(
                    f"state file {path} has schema v{version}, newer than this wirediff (v{SCHEMA_VERSION})"
                )
            for v in range(version, SCHEMA_VERSION):
                for stmt in _MIGRATIONS[v].split(";"):
                    if stmt.strip():
                        conn.execute(stmt)
                conn.execute(f"PRAGMA user_version={v + 1}")
            conn.execute("COMMIT")
        except BaseException:
            _rollback(conn)
            raise

    def close(self) -> None:
        self._conn.close()

    # ------------------------------------------------------------------ failing at run time
    def _guarded(self, op: Callable[[sqlite3.Connection], object]) -> object:
        """Run ``op`` on the database; if the database fails, carry on in memory and say so."""
        try:
            return op(self._conn)
        except sqlite3.Error as e:
            if not self.persistent:
                raise  # already in memory: that is a bug, let it show
            self._fall_back_to_memory(e)
            return op(self._conn)

    def _fall_back_to_memory(self, error: sqlite3.Error) -> None:
        old = self._conn
        marks: list[tuple] = []
        undo: list[tuple] = []
        try:
            if old.in_transaction:
                old.execute("ROLLBACK")
            marks = old.execute("SELECT digest, read, starred, archived, updated FROM marks").fetchall()
            undo = old.execute("SELECT id, label, changes, at FROM undo_log").fetchall()
        except sqlite3.Error:
            pass  # unreadable as well: what is on disk stays there, the session starts from nothing
        try:
            old.close()
        except sqlite3.Error:
            pass
        conn = self._memory(f"the state file failed ({_reason(error)}); this session keeps them in memory")
        self._migrate_in(conn, None)
        conn.executemany("INSERT INTO marks(digest, read, starred, archived, updated) VALUES(?,?,?,?,?)", marks)
        conn.executemany("INSERT INTO undo_log(id, label, changes, at) VALUES(?,?,?,?)", undo)
        self._conn = conn
        if self.on_warning is not None:
            self.on_warning(self.warning or "")

    # ------------------------------------------------------------------ reading
    @property
    def schema_version(self) -> int:
        return self._conn.execute("PRAGMA user_version").fetchone()[0]

    @property
    def journal_mode(self) -> str:
        return self._conn.execute("PRAGMA journal_mode").fetchone()[0]

    def marks(self, digests: Iterable[str] | None = None) -> dict[str, Mark]:
        """Marks of the given digests (all when None); unmarked digests are absent."""
        rows = self._guarded(
            lambda c: c.execute("SELECT digest, read, starred, archived FROM marks").fetchall()
        )
        out = {d: Mark(bool(r), bool(s), bool(a)) for d, r, s, a in rows}
        if digests is None:
            return out
        want = set(digests)
        return {d: m for d, m in out.items() if d in want}

    def mark(self, digest: str) -> Mark:
        row = self._guarded(
            lambda c: c.execute("SELECT read, starred, archived FROM marks WHERE digest=?", (digest,)).fetchone()
        )
        return Mark(*map(bool, row)) if row else NO_MARK

    def undo_depth(self) -> int:
        return self._guarded(lambda c: c.execute("SELECT COUNT(*) FROM undo_log").fetchone()[0])

    def last_action(self) -> str | None:
        row = self._guarded(lambda c: c.execute("SELECT label FROM undo_log ORDER BY id DESC LIMIT 1").fetchone())
        return row[0] if row else None

    # ------------------------------------------------------------------ writing
    def set(self, digests: Sequence[str], field: str, value: bool, label: str = "") -> int:
        """Set ``field`` to ``value`` on every digest; returns how many changed."""
        return self._apply(digests, field, lambda _cur: value, label or f"{field}={int(value)}")

    def toggle(self, digests: Sequence[str], field: str, label: str = "") -> bool:
        """Toggle ``field`` over a group: if every digest has it, clear it; else set it on all.

        Decided on the marks as they are in the database at that moment.  Returns the new value.
        """
        result: list[bool] = []

        def decide(current: list[bool]) -> bool:
            new = not (current and all(current))
            result.append(new)
            return new

        self._apply(digests, field, decide, label or f"toggle {field}")
        return result[0] if result else False

    def _apply(self, digests: Sequence[str], field: str, decide, label: str) -> int:
        if field not in FIELDS:
            raise ValueError(f"unknown mark {field!r}")
        digests = list(dict.fromkeys(digests))
        return self._guarded(lambda conn: self._apply_in(conn, digests, field, decide, label))

    @staticmethod
    def _apply_in(conn: sqlite3.Connection, digests: list[str], field: str, decide, label: str) -> int:
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = {}
            for d in digests:
                row = conn.execute(f"SELECT {field} FROM marks WHERE digest=?", (d,)).fetchone()
                current[d] = bool(row[0]) if row else False
            value = bool(decide([current[d] for d in digests]))
            changes = [[d, field, int(current[d])] for d in digests if current[d] != value]
            now = time.time()
            for d, _f, _old in changes:
                conn.execute(
                    f"INSERT INTO marks(digest, {field}, updated) VALUES(?, ?, ?) "
                    f"ON CONFLICT(digest) DO UPDATE SET {field}=excluded.{field}, updated=excluded.updated",
                    (d, int(value), now),
                )
            if changes:
                conn.execute(
                    "INSERT INTO undo_log(label, changes, at) VALUES(?, ?, ?)",
                    (label, json.dumps(changes), now),
                )
                conn.execute(
                    "DELETE FROM undo_log WHERE id <= (SELECT MAX(id) FROM undo_log) - ?", (UNDO_KEEP,)
                )
            conn.execute("COMMIT")
        except BaseException:
            _rollback(conn)
            raise
        return len(changes)

    def undo(self) -> str | None:
        """Revert the newest logged action; returns its label, or None if nothing to undo."""
        return self._guarded(self._undo_in)

    @staticmethod
    def _undo_in(conn: sqlite3.Connection) -> str | None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            row = conn.execute("SELECT id, label, changes FROM undo_log ORDER BY id DESC LIMIT 1").fetchone()
            if row is None:
                conn.execute("COMMIT")
                return None
            uid, label, changes = row
            now = time.time()
            for d, field, old in json.loads(changes):
                if field not in FIELDS:
                    continue
                conn.execute(
                    f"INSERT INTO marks(digest, {field}, updated) VALUES(?, ?, ?) "
                    f"ON CONFLICT(digest) DO UPDATE SET {field}=excluded.{field}, updated=excluded.updated",
                    (d, int(old), now),
                )
            conn.execute("DELETE FROM undo_log WHERE id=?", (uid,))
            conn.execute("COMMIT")
        except BaseException:
            _rollback(conn)
            raise
        return label


def _rollback(conn: sqlite3.Connection) -> None:
    """Roll back if a transaction is still open (a failed COMMIT may already have ended it)."""
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # the connection is failing; the caller's error is the one that matters


def _reason(e: BaseException) -> str:
    if isinstance(e, OSError) and e.strerror:
        return e.strerror.lower()
    return str(e) or type(e).__name__
