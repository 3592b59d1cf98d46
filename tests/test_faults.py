"""Faults of state and terminal: kill -9, damaged or unusable state files, concurrent instances,
old schemas, stale caches, tiny and resizing terminals, dumb terminals, hang-ups.

Processes are real (subprocess, pseudo-terminal); every wait is bounded, nothing sleeps.
"""

from __future__ import annotations

import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tui.store import SCHEMA_VERSION, Mark, Store

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals")
WAIT = 60.0  # generous bound for a slow CI machine; never reached when things work

# A process that writes marks in a loop and prints each one after its commit returned.
WRITER = r"""
import sys
from tui.store import Store
st = Store(sys.argv[1])
assert st.persistent, st.warning
prefix, n = sys.argv[2], int(sys.argv[3])
print("open", flush=True)
i = 0
while n < 0 or i < n:
    st.set([f"{prefix}{i}"], "read", True, label=f"{prefix}{i}")
    if i % 3 == 0:
        st.toggle(["shared-a", "shared-b"], "starred")
    print(i, flush=True)
    i += 1
"""


def start_writer(db: Path, prefix: str, n: int = -1) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), prefix, str(n)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        bufsize=1,
    )


def read_until(proc: subprocess.Popen, enough: int) -> int:
    """Read the writer's reports until it says it committed ``enough`` marks; returns the last index."""
    last = -1
    deadline = time.monotonic() + WAIT
    while last < enough:
        assert time.monotonic() < deadline, "the writer did not make progress"
        ready, _, _ = select.select([proc.stdout], [], [], 1.0)
        if not ready:
            continue
        line = proc.stdout.readline()
        assert line, f"the writer ended early: {proc.stderr.read()}"
        if line.strip().isdigit():
            last = int(line)
    return last


# ----------------------------------------------------------------------------- kill -9
@POSIX
def test_kill_9_while_writing_marks_loses_nothing_committed(tmp_path):
    db = tmp_path / "state.sqlite3"
    reported = -1
    for round_, enough in enumerate((40, 120, 200)):  # three kills at different moments
        proc = start_writer(db, f"r{round_}-")
        reported = read_until(proc, enough)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=WAIT)
        # Lines already written before the kill were printed after their commit: they count too.
        for line in proc.stdout.read().split():
            if line.isdigit():
                reported = max(reported, int(line))
        proc.stdout.close()
        proc.stderr.close()
        assert proc.returncode == -signal.SIGKILL
        st = Store(db)
        assert st.persistent and st.warning is None  # opens cleanly, nothing moved aside
        assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone() == ("ok",)
        marks = st.marks()
        mine = [d for d in marks if d.startswith(f"r{round_}-")]
        assert len(mine) >= reported + 1
        assert all(marks[f"r{round_}-{i}"].read for i in range(reported + 1))
        st.close()
    assert not [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]


# ----------------------------------------------------------------------------- two processes
@POSIX
def test_two_processes_at_once_keep_each_others_marks(tmp_path):
    db = tmp_path / "state.sqlite3"
    Store(db).close()  # created once, as the first app run would
    n = 150
    procs = [start_writer(db, p, n) for p in ("A", "B")]
    for p in procs:
        out, err = p.communicate(timeout=WAIT)
        assert p.returncode == 0, err
        assert out.split()[-1] == str(n - 1)
    st = Store(db)
    marks = st.marks()
    for prefix in ("A", "B"):
        assert all(marks[f"{prefix}{i}"] == Mark(read=True) for i in range(n))
    # Each toggle decided on the database's current state: 2 * 50 toggles, an even number,
    # so the shared pair ends where it started, and never half-set.
    assert marks.get("shared-a", Mark()) == marks.get("shared-b", Mark()) == Mark()
    assert st.undo_depth() == 2 * n + 2 * (n // 3)


# ----------------------------------------------------------------------------- damaged / unusable files
def test_truncated_database_is_moved_aside(tmp_path):
    db = tmp_path / "state.sqlite3"
    st = Store(db)
    st.set([f"d{i}" for i in range(2000)], "read", True)  # enough pages to truncate mid-tree
    st.close()
    for side in ("-wal", "-shm"):
        Path(str(db) + side).unlink(missing_ok=True)
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2 + 100])
    st = Store(db)
    assert st.persistent and st.warning and "damaged" in st.warning
    assert [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    assert st.marks() == {}
    st.set(["new"], "starred", True)
    st.close()
    assert Store(db).mark("new").starred


def test_state_path_taken_by_a_directory_runs_in_memory(tmp_path):
    db = tmp_path / "state.sqlite3"
    db.mkdir()  # something in the way that is neither a database nor replaceable
    st = Store(db)
    assert not st.persistent and st.warning and "will not be saved" in st.warning
    st.set(["d"], "read", True)
    assert st.mark("d").read
    assert db.is_dir() and not list(db.iterdir())  # left alone


def test_missing_data_dir_is_created(tmp_path):
    db = tmp_path / "not" / "yet" / "there" / "state.sqlite3"
    st = Store(db)
    assert st.persistent and st.warning is None
    st.set(["d"], "read", True)
    st.close()
    assert Store(db).mark("d").read


def test_locked_database_is_left_alone_and_the_store_runs_in_memory(tmp_path):
    db = tmp_path / "state.sqlite3"
    Store(db).set(["kept"], "starred", True)
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # another program holds the file
    try:
        st = Store(db, busy_timeout=0.2)
        assert not st.persistent and "will not be saved" in (st.warning or "")
        st.set(["d"], "read", True)
        assert st.mark("d").read
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    # Not mistaken for damage: nothing moved aside, the earlier mark is still there.
    assert not [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    assert Store(db).mark("kept").starred


def test_database_failing_while_running_falls_back_to_memory_and_says_so(tmp_path):
    db = tmp_path / "state.sqlite3"
    st = Store(db, busy_timeout=0.2)
    st.set(["before"], "starred", True, label="star before")
    told: list[str] = []
    st.on_warning = told.append
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        assert st.toggle(["after"], "read") is True  # no exception reaches the caller
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert not st.persistent and told and "in memory" in told[0]
    # What was read before the failure is carried over, undo log included.
    assert st.mark("before").starred and st.mark("after").read
    assert st.undo() == "toggle read" and st.undo() == "star before"
    # The file still holds what was committed before the failure.
    assert Store(db).mark("before").starred


# ----------------------------------------------------------------------------- schema versions
def test_unversioned_v0_database_is_migrated(tmp_path):
    db = tmp_path / "state.sqlite3"
    raw = sqlite3.connect(db)
    raw.execute("CREATE TABLE unrelated (x)")  # a v0 file: a database, no schema, user_version 0
    raw.execute("INSERT INTO unrelated VALUES (1)")
    raw.commit()
    raw.close()
    st = Store(db)
    assert st.persistent and st.warning is None and st.schema_version == SCHEMA_VERSION
    st.set(["d"], "read", True)
    assert st.mark("d").read
    st.close()
    assert sqlite3.connect(db).execute("SELECT x FROM unrelated").fetchall() == [(1,)]


def _write_v1_by_hand(db: Path) -> None:
    raw = sqlite3.connect(db)
    raw.executescript(
        """
        CREATE TABLE marks (digest TEXT PRIMARY KEY, read INTEGER NOT NULL DEFAULT 0,
            starred INTEGER NOT NULL DEFAULT 0, archived INTEGER NOT NULL DEFAULT 0, updated REAL NOT NULL);
        CREATE TABLE undo_log (id INTEGER PRIMARY KEY AUTOINCREMENT, label TEXT NOT NULL,
            changes TEXT NOT NULL, at REAL NOT NULL);
        INSERT INTO marks VALUES ('old-star', 0, 1, 0, 1.0), ('old-read', 1, 0, 0, 1.0);
        INSERT INTO undo_log(label, changes, at) VALUES ('star old', '[["old-star", "starred", 0]]', 1.0);
        PRAGMA user_version=1;
        """
    )
    raw.close()


def test_v1_database_made_by_hand_is_migrated_to_a_newer_schema(tmp_path, monkeypatch):
    import tui.store as store

    db = tmp_path / "state.sqlite3"
    _write_v1_by_hand(db)
    # A future v2 step (the mechanism under test: runs once, in one transaction, data kept).
    v2 = "CREATE TABLE notes (digest TEXT PRIMARY KEY, note TEXT NOT NULL)"
    monkeypatch.setattr(store, "_MIGRATIONS", store._MIGRATIONS[:1] + (v2,))
    monkeypatch.setattr(store, "SCHEMA_VERSION", 2)
    st = store.Store(db)
    assert st.persistent and st.warning is None and st.schema_version == 2
    assert st.mark("old-star") == Mark(starred=True) and st.mark("old-read") == Mark(read=True)
    assert st.undo() == "star old" and st.mark("old-star") == Mark()
    st.close()
    st = store.Store(db)  # reopening does not run the step again
    assert st.schema_version == 2
    assert sqlite3.connect(db).execute("SELECT count(*) FROM notes").fetchone() == (0,)


def test_failing_migration_leaves_the_file_untouched_and_runs_in_memory(tmp_path, monkeypatch):
    import tui.store as store

    db = tmp_path / "state.sqlite3"
    _write_v1_by_hand(db)
    raw = sqlite3.connect(db)
    raw.execute("ALTER TABLE marks ADD COLUMN note TEXT")  # touched by some other program
    raw.commit()
    raw.close()
    # The v2 step fails on this file only, after its first statement succeeded.
    v2 = "CREATE TABLE extra (x); ALTER TABLE marks ADD COLUMN note TEXT"
    monkeypatch.setattr(store, "_MIGRATIONS", store._MIGRATIONS[:1] + (v2,))
    monkeypatch.setattr(store, "SCHEMA_VERSION", 2)
    st = store.Store(db)
    assert not st.persistent and "will not be saved" in (st.warning or "")
    st.set(["d"], "read", True)
    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA user_version").fetchone() == (1,)  # rolled back as one
    tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "extra" not in tables
    assert raw.execute("SELECT starred FROM marks WHERE digest='old-star'").fetchone() == (1,)


# ----------------------------------------------------------------------------- the app
SEEDS = Path(__file__).resolve().parent.parent / "seeds"
MANY = Path(__file__).resolve().parent / "fixtures" / "app"


def _app(inputs, **kw):
    from tui.app import WirediffApp
    from tui.config import Config

    kw.setdefault("config", Config())
    return WirediffApp([str(i) for i in inputs], **kw)


async def _ready(app, pilot):
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()
    assert app.analysis is not None


def _status(app) -> str:
    from textual.widgets import Static

    return str(app.stories_screen.query_one("#stories-status", Static).render())


@pytest.fixture
def corpus_with_debris(tmp_path):
    d = tmp_path / "corpus"
    d.mkdir()
    for f in SEEDS.iterdir():
        (d / f.name).write_bytes(f.read_bytes())
    (d / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (d / "empty.txt").write_bytes(b"")
    if hasattr(os, "symlink"):
        os.symlink(tmp_path / "gone", d / "dangling.txt")
    return d


async def test_skipped_files_are_listed_in_the_problems_view(wd_home, corpus_with_debris):
    from tui.screens.problems import ProblemsScreen

    app = _app([corpus_with_debris])
    async with app.run_test(size=(100, 30)) as pilot:
        await _ready(app, pilot)
        skipped = app.analysis.skipped
        assert len(skipped) >= 2
        assert f"{len(skipped)} files skipped — p to see" in _status(app)
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        rows = app.screen.rows()
        assert rows == [(s.path, s.reason) for s in skipped]
        whys = {os.path.basename(p): why for p, why in rows}
        assert "binary" in whys["binary.txt"] and "empty" in whys["empty.txt"]
        assert "close-problems" in {ab.binding.id for ab in app.screen.active_bindings.values()}
        await pilot.press("p")  # p closes it too
        await pilot.pause()
        assert app.screen is app.stories_screen
        # The binding has an id and a description: help lists it, the keymap can move it.
        from textual.widgets import DataTable

        await pilot.press("question_mark")
        await pilot.pause()
        table = app.screen.query_one("#help-table", DataTable)
        rows = {str(table.get_row_at(i)[1]): str(table.get_row_at(i)[2]) for i in range(table.row_count)}
        assert "skipped" in rows["show-problems"].lower()


async def test_no_skipped_files_no_hint_and_the_view_says_so(wd_home):
    from tui.screens.problems import ProblemsScreen

    app = _app([SEEDS])
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(app, pilot)
        assert app.analysis.skipped == () and "skipped" not in _status(app)
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        assert "No files were skipped" in str(app.screen.query_one("#problems-title").render())


async def test_state_warnings_reach_the_problems_view(wd_home, tmp_path):
    wd_home.mkdir(parents=True)
    (wd_home / "data").write_text("a file where the data dir should be")
    app = _app([SEEDS])
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(app, pilot)
        await pilot.press("p")
        await pilot.pause()
        assert any(where == "warning" and "will not be saved" in why for where, why in app.screen.rows())


async def test_a_newer_state_file_does_not_stop_the_reader(wd_home):
    from tui import paths

    db = paths.state_db()
    db.parent.mkdir(parents=True)
    raw = sqlite3.connect(db)
    raw.execute(f"PRAGMA user_version={SCHEMA_VERSION + 3}")
    raw.close()
    app = _app([SEEDS])
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(app, pilot)
        assert any("newer" in n.message for n in app._notifications)
        await pilot.press("s")
        assert app.stories_screen.states[app.stories_screen.current_story_id()] == "starred"
    assert raw_user_version(db) == SCHEMA_VERSION + 3  # left alone


def raw_user_version(db: Path) -> int:
    return sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0]


async def test_state_file_failing_mid_session_is_notified_not_fatal(wd_home):
    from tui import paths

    app = _app([SEEDS])
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(app, pilot)
        app.store.busy_timeout = 0.2
        app.store._conn.execute("PRAGMA busy_timeout=200")
        blocker = sqlite3.connect(paths.state_db(), isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            await pilot.press("s")
            await pilot.pause()
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert app.return_code is None  # still running
        assert app.stories_screen.states[app.stories_screen.current_story_id()] == "starred"
        assert any("in memory" in n.message for n in app._notifications)


# ----------------------------------------------------------------------------- tiny and resizing terminals
_SEED_ANALYSIS = []


def seed_analysis():
    if not _SEED_ANALYSIS:
        from tui.core.pipeline import analyze

        _SEED_ANALYSIS.append(analyze([str(SEEDS)], one_story=True))
    return _SEED_ANALYSIS[0]


async def _visit_every_screen(app, pilot, on_screen) -> list[str]:
    """Stories → reader → outlet picker → compare → family → help → problems; ``on_screen`` on each."""
    from tui.screens.compare import CompareScreen
    from tui.screens.family import FamilyScreen
    from tui.screens.help import HelpScreen
    from tui.screens.problems import ProblemsScreen
    from tui.screens.reader import OutletPicker, ReaderScreen
    from tui.screens.stories import StoriesScreen

    seen = []

    async def visit(kind):
        await pilot.pause()
        assert isinstance(app.screen, kind), f"expected {kind.__name__}, got {app.screen!r}"
        seen.append(kind.__name__)
        await on_screen(app, pilot)
        assert isinstance(app.screen, kind)

    await visit(StoriesScreen)
    await pilot.press("enter")
    await visit(ReaderScreen)
    await pilot.press("c")
    await pilot.pause()
    if isinstance(app.screen, OutletPicker):
        await visit(OutletPicker)
        await pilot.press("down", "enter")
    await visit(CompareScreen)
    await pilot.press("q")
    await pilot.pause()
    await pilot.press("g", "n", "enter")
    await visit(FamilyScreen)
    await pilot.press("question_mark")
    await visit(HelpScreen)
    await pilot.press("escape")
    await pilot.press("p")
    await visit(ProblemsScreen)
    return seen


async def _keys(app, pilot):
    await pilot.press("j", "down", "pagedown", "G", "k", "pageup", "g", "tab", "tab")


async def test_tiny_terminal_every_screen(wd_home):
    app = _app([SEEDS], one_story=True, analysis=seed_analysis())
    async with app.run_test(size=(40, 10)) as pilot:
        seen = await _visit_every_screen(app, pilot, _keys)
        assert len(seen) >= 6
        assert app.size == (40, 10)
    assert app.return_code in (None, 0)


async def test_resize_storm_on_every_screen(wd_home):
    sizes = [(40, 10), (200, 60), (20, 5), (120, 40), (10, 3), (1, 1), (80, 24), (33, 7), (160, 12)]

    seen: list[str] = []

    async def storm(app, pilot):
        seen.append(type(app.screen).__name__)
        for i in range(12):  # no pause between: the resizes pile up
            await pilot.resize_terminal(*sizes[(i + len(seen)) % len(sizes)])
        await pilot.pause()
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await _keys(app, pilot)
        # Still drawn at the final size: the screen's widgets fit the terminal.
        assert app.screen.size == (80, 24)

    app = _app([SEEDS], one_story=True, analysis=seed_analysis())
    async with app.run_test(size=(80, 24)) as pilot:
        visited = await _visit_every_screen(app, pilot, storm)
        assert len(visited) >= 6 and visited == seen
    assert app.return_code in (None, 0)


# ----------------------------------------------------------------------------- the real command in a pty
def _pty_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TEXTUAL", "TEXTUAL_DRIVER")}
    env.update(
        TERM="xterm-256color",
        WIREDIFF_HOME=str(tmp_path / "home"),
        TEXTUAL_ANIMATIONS="none",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def _start_and_star(tmp_path, **extra):
    """The real wirediff on the seeds in a pty; stars the story; returns the terminal."""
    from test_pty import START_TIMEOUT, Terminal, _command

    term = Terminal([*_command(), str(SEEDS)], _pty_env(tmp_path, **extra))
    term.wait_for(
        lambda s: "sort:" in s.text() and "1 of 1 stories" in s.text(),
        START_TIMEOUT,
        "the stories list",
    )
    term.press("s")
    term.wait_text("marked starred")
    return term


def _starred_digests(tmp_path) -> int:
    st = Store(tmp_path / "home" / "data" / "state.sqlite3")
    assert st.persistent
    return sum(1 for m in st.marks().values() if m.starred)


N_SEEDS = len([p for p in SEEDS.iterdir() if p.suffix in (".txt", ".md")])


@POSIX
@pytest.mark.parametrize("extra", [{"TERM": "dumb"}, {"NO_COLOR": "1"}], ids=["term-dumb", "no-color"])
def test_dumb_or_colourless_terminal_works_and_quits_cleanly(tmp_path, extra):
    term = _start_and_star(tmp_path, **extra)
    try:
        term.press("q")
        assert term.wait_exit() == 0
        assert b"Traceback" not in term.raw
    finally:
        term.close()
    assert _starred_digests(tmp_path) == N_SEEDS


@POSIX
def test_sighup_ends_the_process_and_keeps_marks(tmp_path):
    term = _start_and_star(tmp_path)
    try:
        os.killpg(term.proc.pid, signal.SIGHUP)  # what a closed SSH connection sends
        status = term.wait_exit()
        assert status in (-signal.SIGHUP, 129, 0)
        assert b"Traceback" not in term.raw
    finally:
        term.close()
    assert _starred_digests(tmp_path) == N_SEEDS


@POSIX
def test_terminal_vanishing_without_a_signal_ends_the_process(tmp_path):
    from tui.app import HANGUP_STATUS

    term = _start_and_star(tmp_path)
    try:
        # The other end of the pty goes away; no SIGHUP (the pty is not the controlling tty).
        os.close(term.fd)
        term.fd = os.open(os.devnull, os.O_RDONLY)  # so close() has something to close
        term.closed = True
        assert term.proc.wait(timeout=WAIT) == HANGUP_STATUS
    finally:
        term.close()
    assert _starred_digests(tmp_path) == N_SEEDS


# ----------------------------------------------------------------------------- the analysis cache
def test_cache_is_not_fooled_by_same_size_same_mtime_edits_or_removed_files(wd_home, tmp_path):
    from tui.cache import load_analysis

    corpus = tmp_path / "cache-corpus"
    corpus.mkdir()
    for f in SEEDS.iterdir():
        (corpus / f.name).write_bytes(f.read_bytes())
    first, _ = load_analysis([corpus])
    victim = corpus / sorted(p.name for p in corpus.iterdir())[0]
    stat = victim.stat()
    raw = victim.read_bytes()
    i = raw.index(b"e")
    victim.write_bytes(raw[:i] + b"X" + raw[i + 1 :])  # same size
    os.utime(victim, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same mtime
    second, _ = load_analysis([corpus])
    art = next(a for a in second.articles if a.path.endswith(victim.name))
    assert art.raw != next(a for a in first.articles if a.path.endswith(victim.name)).raw
    assert "X" in art.raw
    (corpus / victim.name).unlink()
    third, _ = load_analysis([corpus])
    assert len(third.articles) == len(first.articles) - 1
    assert not any(a.path.endswith(victim.name) for a in third.articles)
