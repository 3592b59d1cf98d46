import sqlite3

import pytest

from tui import paths
from tui.store import SCHEMA_VERSION, Mark, Store, story_state


def test_fresh_store_uses_wal_and_versioned_schema(wd_home):
    st = Store(paths.state_db())
    assert st.persistent and st.warning is None
    assert st.journal_mode.lower() == "wal"
    assert st.schema_version == SCHEMA_VERSION
    assert paths.state_db().exists()


def test_set_toggle_and_undo(wd_home):
    st = Store(paths.state_db())
    assert st.toggle(["d1", "d2"], "read") is True
    assert st.mark("d1").read and st.mark("d2").read
    # Toggle over a group where only some are set: sets all.
    st.set(["d2"], "read", False)
    assert st.toggle(["d1", "d2"], "read") is True
    assert st.mark("d2").read
    # All set: clears all.
    assert st.toggle(["d1", "d2"], "read") is False
    assert not st.mark("d1").read
    assert st.undo() is not None
    assert st.mark("d1").read and st.mark("d2").read
    # Unrelated fields are untouched by undo.
    st.set(["d1"], "starred", True)
    st.set(["d1"], "archived", True)
    st.undo()
    assert st.mark("d1") == Mark(read=True, starred=True, archived=False)


def test_undo_with_empty_log_returns_none(wd_home):
    st = Store(paths.state_db())
    assert st.undo() is None
    # A no-op action is not logged.
    assert st.set(["x"], "read", False) == 0
    assert st.undo_depth() == 0


def test_marks_and_undo_log_survive_reopen(wd_home):
    st = Store(paths.state_db())
    st.set(["abc"], "starred", True, label="star abc")
    st.close()
    st2 = Store(paths.state_db())
    assert st2.mark("abc").starred
    assert st2.last_action() == "star abc"
    assert st2.undo() == "star abc"
    st2.close()
    assert not Store(paths.state_db()).mark("abc").starred


def test_each_action_is_committed_immediately(wd_home):
    st = Store(paths.state_db())
    st.set(["d"], "archived", True)
    # A separate raw connection (another process, or after kill -9) sees it at once.
    raw = sqlite3.connect(str(paths.state_db()))
    assert raw.execute("SELECT archived FROM marks WHERE digest='d'").fetchone() == (1,)
    raw.close()


def test_corrupt_file_is_moved_aside(wd_home):
    db = paths.state_db()
    db.parent.mkdir(parents=True)
    db.write_bytes(b"this is not a database, just junk " * 200)
    st = Store(db)
    assert st.persistent
    assert st.warning and "damaged" in st.warning
    aside = [p for p in db.parent.iterdir() if ".corrupt-" in p.name]
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not")
    st.set(["d"], "read", True)
    assert Store(db).mark("d").read


def test_unwritable_data_dir_runs_in_memory(wd_home):
    # The data dir's place is taken by a file, so it cannot be created (works as root too).
    wd_home.mkdir(parents=True)
    (wd_home / "data").write_text("not a directory")
    st = Store(paths.state_db())
    assert not st.persistent
    assert st.warning and "will not be saved" in st.warning
    st.set(["d"], "read", True)
    assert st.mark("d").read
    assert st.undo() is not None


def test_newer_schema_is_refused(wd_home):
    db = paths.state_db()
    db.parent.mkdir(parents=True)
    raw = sqlite3.connect(str(db))
    raw.execute(f"PRAGMA user_version={SCHEMA_VERSION + 5}")
    raw.close()
    with pytest.raises(RuntimeError, match="newer"):
        Store(db)


def test_two_instances_interleave_without_losing_marks(wd_home):
    a = Store(paths.state_db())
    b = Store(paths.state_db())
    for i in range(20):
        (a if i % 2 else b).set([f"d{i}"], "read", True)
        (b if i % 2 else a).set([f"d{i}"], "starred", True)
    marks = Store(paths.state_db()).marks()
    assert len(marks) == 20
    assert all(m.read and m.starred for m in marks.values())
    # A toggle decides on the database's current state, not on a stale copy.
    a.set(["g1", "g2"], "archived", True)
    assert b.toggle(["g1", "g2"], "archived") is False
    assert not a.mark("g1").archived
    # Undo reverts the newest action, whoever made it.
    a.undo()
    assert b.mark("g1").archived


def test_story_state_rules():
    assert story_state([]) == "new"
    assert story_state([Mark(), Mark(read=True)]) == "new"
    assert story_state([Mark(read=True), Mark(read=True)]) == "read"
    assert story_state([Mark(starred=True), Mark()]) == "starred"
    assert story_state([Mark(archived=True, starred=True), Mark(archived=True)]) == "archived"
    assert story_state([Mark(archived=True), Mark(read=True)]) == "read"
