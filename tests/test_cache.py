import pickle
import shutil
import sqlite3
import zlib
from pathlib import Path

import pytest

import tui.cache as cache_mod
from tui.cache import AnalysisCache, load_analysis

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture
def home(wd_home):
    return wd_home  # (conftest's private WIREDIFF_HOME)


@pytest.fixture
def corpus(tmp_path):
    d = tmp_path / "corpus"
    shutil.copytree(SEEDS, d)
    return d


def count_analyses(calls, monkeypatch):
    import tui.core.pipeline as pipeline

    real = pipeline.analyze_sources

    def counting(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(pipeline, "analyze_sources", counting)


def test_second_open_is_served_from_cache(home, corpus, monkeypatch):
    calls = []
    count_analyses(calls, monkeypatch)
    a, notes = load_analysis([corpus])
    b, _ = load_analysis([corpus])
    assert notes == [] and len(calls) == 1
    assert a == b
    assert (home / "cache" / "analysis.sqlite3").exists()
    assert not list(Path.cwd().glob("*.sqlite3"))


def test_changed_file_is_never_stale(home, corpus, monkeypatch):
    calls = []
    count_analyses(calls, monkeypatch)
    a, _ = load_analysis([corpus])
    f = corpus / "003_3ac222fe75dd92ff.txt"
    f.write_text(f.read_text(encoding="utf-8").replace("Donbass", "Donbas"), encoding="utf-8")
    b, _ = load_analysis([corpus])
    assert len(calls) == 2
    assert "Donbass" not in b.articles[3].raw and "Donbass" in a.articles[3].raw


def test_new_engine_version_is_a_miss(home, corpus, monkeypatch):
    calls = []
    count_analyses(calls, monkeypatch)
    load_analysis([corpus])
    monkeypatch.setattr(cache_mod, "ENGINE_VERSION", "test-next")
    load_analysis([corpus])
    assert len(calls) == 2


def test_corrupt_cache_is_moved_aside(home, corpus):
    db = home / "cache" / "analysis.sqlite3"
    db.parent.mkdir(parents=True)
    db.write_bytes(b"this is not a database" * 100)
    a, notes = load_analysis([corpus])
    assert len(a.articles) == 5
    assert notes and "corrupt" in notes[0]
    assert list(db.parent.glob("analysis.sqlite3.corrupt-*"))
    sqlite3.connect(db).execute("SELECT count(*) FROM analyses").fetchone()


def test_unwritable_cache_dir_still_analyses(tmp_path, corpus, monkeypatch):
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    monkeypatch.setenv("WIREDIFF_HOME", str(blocker))
    a, notes = load_analysis([corpus])
    assert len(a.articles) == 5
    assert notes and "disabled" in notes[0]


def test_cache_object_roundtrip(tmp_path, corpus):
    c = AnalysisCache(tmp_path / "c.sqlite3")
    a, _ = load_analysis([corpus], use_cache=False)
    c.put("k", a)
    assert c.get("k") == a
    assert c.get("other") is None
    c.close()


ECB = Path(__file__).resolve().parent / "fixtures" / "app"


@pytest.fixture
def bigger(tmp_path):
    d = tmp_path / "bigger"
    shutil.copytree(SEEDS, d)
    for f in sorted(ECB.glob("*.txt")):
        shutil.copy(f, d / f.name)
    return d


def test_pack_roundtrip_is_exact(corpus):
    import dataclasses

    from tui.core.model import MemberRows

    a, _ = load_analysis([corpus], use_cache=False)
    assert a.families
    back = cache_mod.unpack(cache_mod.pack(a))
    assert back == a
    assert all(isinstance(f.members, MemberRows) for f in back.families)  # stored as the columns
    # families whose members are plain tuples (not the pipeline's columns) round-trip too
    plain = dataclasses.replace(a, families=tuple(dataclasses.replace(f, members=tuple(f.members)) for f in a.families))
    again = cache_mod.unpack(cache_mod.pack(plain))
    assert again == a and all(isinstance(f.members, tuple) for f in again.families)


def test_unchanged_files_are_not_read_again(home, corpus, monkeypatch):
    import tui.core.ingest as ingest
    import tui.core.memo as memo

    monkeypatch.setattr(memo, "RACY_NS", 0)  # the files were just written: trust their status at once
    a, _ = load_analysis([corpus])
    reads = []
    real = ingest.read_source_stat
    monkeypatch.setattr(ingest, "read_source_stat", lambda p: reads.append(p) or real(p))
    b, _ = load_analysis([corpus])
    assert b == a and reads == []
    # a touched file (same bytes, new mtime) is read (the others are known by their status),
    # and the contents still hit
    f = corpus / "003_3ac222fe75dd92ff.txt"
    f.write_bytes(f.read_bytes())
    calls = []
    count_analyses(calls, monkeypatch)
    c, _ = load_analysis([corpus])
    assert c == a and list(map(str, reads)) == [str(f)] and calls == []


def test_incremental_reopen_equals_full_analysis(home, bigger, tmp_path):
    held = tmp_path / "held"
    held.mkdir()
    for name in ("24_11ecb.txt", "13_12ecb.txt"):
        shutil.move(bigger / name, held / name)
    load_analysis([bigger])
    for f in held.iterdir():  # added
        shutil.copy(f, bigger / f.name)
    (bigger / "4_11ecb.txt").unlink()  # removed
    f = bigger / "003_3ac222fe75dd92ff.txt"  # changed
    f.write_text(f.read_text(encoding="utf-8").replace("Donbass", "Donbas"), encoding="utf-8")
    db = sqlite3.connect(home / "cache" / "analysis.sqlite3")
    stories_before = db.execute("SELECT count(*) FROM stories").fetchone()[0]
    inc, notes = load_analysis([bigger])
    full, _ = load_analysis([bigger], use_cache=False)
    assert inc == full and notes == []
    changed = next(a for a in inc.articles if a.path.endswith("003_3ac222fe75dd92ff.txt"))
    assert "Donbass" not in changed.raw and "Donbas" in changed.raw
    added = db.execute("SELECT count(*) FROM stories").fetchone()[0] - stories_before
    assert 0 < added < len(full.stories)  # some stories reused, not all


def test_corrupt_entries_are_misses(home, bigger):
    first, _ = load_analysis([bigger])
    db = sqlite3.connect(home / "cache" / "analysis.sqlite3")
    with db:
        db.execute("UPDATE prepared SET data=?", (b"junk",))
        db.execute("UPDATE stories SET data=?", (b"\x78\x01junk",))
        db.execute("UPDATE analyses SET data=?", (b"junk",))
    db.close()
    again, notes = load_analysis([bigger])
    assert again == first
    assert notes and "unreadable" in notes[0]


def test_a_byte_changed_inside_a_stored_entry_is_a_miss(home, bigger):
    """Entries are stored plain with a checksum: one byte changed in the middle of any of them
    (where a pickle would still load, with a wrong figure) is found, and the result is the
    same analysis, made again."""
    first, _ = load_analysis([bigger])
    db = sqlite3.connect(home / "cache" / "analysis.sqlite3")
    with db:
        for table, key in (("analyses", "key"), ("stories", "key"), ("prepared", "digest"), ("summaries", "key"), ("clusterings", "scope")):
            rows = db.execute(f"SELECT {key}, data FROM {table}").fetchall()
            assert rows, table
            for k, data in rows:
                assert data[:1] == cache_mod._PLAIN
                i = 5 + (len(data) - 5) // 2
                db.execute(f"UPDATE {table} SET data=? WHERE {key}=?", (data[:i] + bytes([data[i] ^ 1]) + data[i + 1 :], k))
    db.close()
    assert cache_mod.open_listing([bigger]).summaries is None
    again, notes = load_analysis([bigger])
    assert again == first
    assert notes and "unreadable" in notes[0]


def test_serving_an_analysis_stamps_it_used_without_rewriting_its_row(home, corpus):
    """A served analysis is stamped in the small last_used table: updating a column of its own
    row would make SQLite write the whole row (tens of MB at 10k articles) again."""
    first, _ = load_analysis([corpus])
    db = sqlite3.connect(home / "cache" / "analysis.sqlite3")
    ((key, used),) = db.execute("SELECT key, used FROM analyses").fetchall()
    again, _ = load_analysis([corpus])  # served from the cache
    assert again == first
    assert db.execute("SELECT used FROM analyses WHERE key=?", (key,)).fetchone()[0] == used
    (stamp,) = db.execute("SELECT used FROM last_used WHERE name=?", (f"analysis/{key}",)).fetchone()
    assert stamp >= used
    db.close()


def test_the_analyses_used_longest_ago_are_pruned(home, tmp_path, monkeypatch):
    monkeypatch.setattr(cache_mod, "KEEP", 2)
    folders = []
    for name in "abc":
        d = tmp_path / name
        shutil.copytree(SEEDS, d)
        f = d / "003_3ac222fe75dd92ff.txt"
        f.write_text(f.read_text(encoding="utf-8") + f"\nNote {name}.\n", encoding="utf-8")
        folders.append(d)
    a, b, c = folders
    load_analysis([a])
    load_analysis([b])
    load_analysis([a])  # a served again: now b is the one used longest ago
    load_analysis([c])
    db = sqlite3.connect(home / "cache" / "analysis.sqlite3")
    assert db.execute("SELECT count(*) FROM analyses").fetchone()[0] == 2
    assert db.execute("SELECT count(*) FROM last_used WHERE name LIKE 'analysis/%'").fetchone()[0] <= 2
    db.close()
    calls = []
    count_analyses(calls, monkeypatch)
    load_analysis([a])
    load_analysis([c])
    assert calls == []  # both kept
    load_analysis([b])
    assert len(calls) == 1  # pruned: analysed again


def test_entries_stored_by_earlier_versions_still_load():
    obj = {"a": [1, 2, 3], "b": "text"}
    assert cache_mod._unblob(zlib.compress(pickle.dumps(obj), 1)) == obj  # zlib'd
    assert cache_mod._unblob(pickle.dumps(obj, protocol=5)) == obj  # plain
    assert cache_mod._unblob(cache_mod._blob(obj)) == obj
    with pytest.raises(ValueError):
        cache_mod._unblob(cache_mod._blob(obj)[:-1])


# ----------------------------------------------------------------------------- the stories list first
def test_listing_serves_the_stories_list_of_the_analysis(home, bigger):
    from tui.core.model import summarize

    cold = cache_mod.open_listing([bigger])
    assert cold.summaries is None and cold.files  # nothing cached yet
    a, _ = load_analysis([bigger], listing=cold)
    assert cold.summaries == summarize(a)  # the analysis' list, computed once
    warm = cache_mod.open_listing([bigger])
    assert warm.summaries == summarize(a) and len(warm.summaries) == len(a.stories) > 1
    b, notes = load_analysis([bigger], listing=warm)
    assert b == a and notes == [] and warm.summaries == summarize(b)


def test_listing_is_never_stale(home, bigger, tmp_path):
    """A changed, an added and a removed file each make the cached stories list a miss."""
    load_analysis([bigger])
    assert cache_mod.open_listing([bigger]).summaries is not None
    f = bigger / "003_3ac222fe75dd92ff.txt"
    f.write_text(f.read_text(encoding="utf-8").replace("Donbass", "Donbas"), encoding="utf-8")
    assert cache_mod.open_listing([bigger]).summaries is None
    load_analysis([bigger])
    assert cache_mod.open_listing([bigger]).summaries is not None
    shutil.copy(SEEDS / "003_3ac222fe75dd92ff.txt", bigger / "extra.txt")
    assert cache_mod.open_listing([bigger]).summaries is None
    load_analysis([bigger])
    (bigger / "4_11ecb.txt").unlink()
    listing = cache_mod.open_listing([bigger])
    assert listing.summaries is None
    a, _ = load_analysis([bigger], listing=listing)
    assert sum(s.n_articles for s in listing.summaries) == len(a.articles)
    assert all(x.path != str(bigger / "4_11ecb.txt") for x in a.articles)


def test_damaged_summaries_are_a_miss(home, bigger):
    first, _ = load_analysis([bigger])
    db = sqlite3.connect(home / "cache" / "analysis.sqlite3")
    with db:
        db.execute("UPDATE summaries SET data=?", (b"junk",))
    db.close()
    listing = cache_mod.open_listing([bigger])
    assert listing.summaries is None and listing.notes and "unreadable" in listing.notes[0]
    again, _ = load_analysis([bigger], listing=listing)
    assert again == first
    from tui.core.model import summarize

    assert listing.summaries == summarize(first)
    # the list is stored again: the next open has it
    assert cache_mod.open_listing([bigger]).summaries == summarize(first)


def test_listing_of_unreadable_files_keeps_them_skipped(home, bigger):
    bad = bigger / "binary.txt"
    bad.write_bytes(b"\x00\x01\x02" * 100)
    a, _ = load_analysis([bigger])
    assert any(s.path == str(bad) for s in a.skipped)
    listing = cache_mod.open_listing([bigger])
    assert listing.summaries is not None
    assert [s.path for s in listing.all_skipped] == [s.path for s in a.skipped]


def test_summaries_roundtrip_exactly(corpus):
    from tui.core.model import summarize

    a, _ = load_analysis([corpus], use_cache=False)
    rows = summarize(a)
    back, skipped = cache_mod.unpack_summaries(cache_mod.pack_summaries(rows, a.skipped))
    assert back == rows and skipped == list(a.skipped)


async def test_app_lists_stories_before_the_analysis_and_opens_one_when_ready(home, bigger, monkeypatch):
    """Warm reopen: the rows come from the cached list while the analysis is still being built;
    a story chosen meanwhile opens once it is there; triage works on the list alone."""
    import threading

    from tui.app import WirediffApp
    from tui.config import Config
    from tui.screens.reader import ReaderScreen
    from tui.widgets.line_table import LineTable

    full, _ = load_analysis([bigger])
    gate = threading.Event()
    real = cache_mod.load_analysis

    def held(*a, **k):
        assert gate.wait(30)
        return real(*a, **k)

    monkeypatch.setattr(cache_mod, "load_analysis", held)
    app = WirediffApp([str(bigger)], config=Config())
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.stories_screen.query_one("#stories", LineTable)
        for _ in range(500):
            await pilot.pause(0.01)
            if table.row_count:
                break
        assert app.analysis is None and table.row_count == len(full.stories)
        await pilot.press("j")
        sid = app.stories_screen.current_story_id()
        await pilot.press("s")  # a mark on the story's articles, before the analysis
        assert app.stories_screen.states[sid] == "starred"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is app.stories_screen  # waits for the analysis
        assert app.stories_screen.query_one("#loading").display
        gate.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        assert app.analysis == full
        assert isinstance(app.screen, ReaderScreen) and app.screen.story.id == sid
        await pilot.press("q")
        await pilot.pause()
        assert app.stories_screen.states[sid] == "starred"
        assert not app.stories_screen.query_one("#loading").display


def test_incremental_open_keeps_the_folders_clustering(home, bigger, tmp_path, monkeypatch):
    """With incremental=True the folder's clustering is stored and read back on the next
    analysis of the same inputs (the pipeline decides whether new articles can join it); the
    result has the articles of a fresh analysis, each in one story."""
    held = tmp_path / "held"
    held.mkdir()
    shutil.move(bigger / "24_11ecb.txt", held / "24_11ecb.txt")
    first, _ = load_analysis([bigger], incremental=True)
    db = sqlite3.connect(home / "cache" / "analysis.sqlite3")
    assert db.execute("SELECT count(*) FROM clusterings").fetchone()[0] == 1
    db.close()
    got = []
    real = cache_mod._SqliteMemo.get_clustering
    monkeypatch.setattr(cache_mod._SqliteMemo, "get_clustering", lambda self, scope: got.append(real(self, scope)) or got[-1])
    shutil.copy(held / "24_11ecb.txt", bigger / "24_11ecb.txt")
    inc, notes = load_analysis([bigger], incremental=True)
    assert notes == [] and len(got) == 1
    keys, groups, _index = got[0]
    assert len(keys) == len(first.articles) and sorted(i for g in groups for i in g) == list(range(len(keys)))
    full, _ = load_analysis([bigger], use_cache=False)
    assert [a.raw for a in inc.articles] == [a.raw for a in full.articles]
    assert sorted(a for st in inc.stories for a in st.articles) == sorted(a.id for a in inc.articles)
    assert cache_mod.scope_key([bigger]) != cache_mod.scope_key([held])
    assert cache_mod.scope_key([bigger]) != cache_mod.scope_key([bigger], one_story=True)


def test_write_behind_stores_the_analysis_from_a_child(home, corpus, monkeypatch):
    calls = []
    count_analyses(calls, monkeypatch)
    a, _ = load_analysis([corpus], write_behind=True)
    assert cache_mod._WRITERS, "the analysis was not handed to a writer process"
    cache_mod.wait_for_writes()
    assert not cache_mod._WRITERS
    db = sqlite3.connect(home / "cache" / "analysis.sqlite3")
    assert db.execute("SELECT count(*) FROM analyses").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM summaries").fetchone()[0] == 1
    # the per-article and per-story parts the run made were deferred to the child too
    assert db.execute("SELECT count(*) FROM prepared").fetchone()[0] == len(a.articles)
    assert db.execute("SELECT count(*) FROM stories").fetchone()[0] == len(a.stories)
    # and the folder's clustering, its index made there (the index a full build gives)
    (blob,) = db.execute("SELECT data FROM clusterings").fetchone()
    keys, groups, index = cache_mod._unblob(blob)
    assert len(keys) == len(a.articles) and len(groups) == len(a.stories) and index.n_docs == len(a.articles)
    from tui.core.increment import build_index
    from tui.core.pipeline import _cluster_doc, _prepare_all, read_inputs

    docs = _prepare_all(read_inputs([corpus])[0], cache_mod.Memo(), {})
    assert pickle.dumps(index) == pickle.dumps(build_index([_cluster_doc(d) for d in docs], groups))
    db.close()
    b, _ = load_analysis([corpus], write_behind=True)  # served by what the child wrote
    assert len(calls) == 1 and a == b


def test_write_behind_without_fork_writes_everything_itself(home, corpus, monkeypatch):
    import os

    monkeypatch.delattr(os, "fork")
    a, _ = load_analysis([corpus], write_behind=True)
    assert not cache_mod._WRITERS
    db = sqlite3.connect(home / "cache" / "analysis.sqlite3")
    assert db.execute("SELECT count(*) FROM analyses").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM prepared").fetchone()[0] == len(a.articles)
    db.close()


def test_a_reopen_waits_for_the_write_behind(home, corpus, monkeypatch):
    calls = []
    count_analyses(calls, monkeypatch)
    load_analysis([corpus], write_behind=True)
    b, _ = load_analysis([corpus])  # no explicit wait: the reopen waits for this process's writer
    assert len(calls) == 1 and b.articles


def test_a_hung_writer_is_given_up_and_the_cache_stays_usable(home, corpus, monkeypatch):
    import time

    real_put = cache_mod.AnalysisCache.put
    monkeypatch.setattr(cache_mod.AnalysisCache, "put", lambda self, *a, **k: time.sleep(600))  # (in the child)
    load_analysis([corpus], write_behind=True)
    (pid,) = cache_mod._WRITERS
    t = time.monotonic()
    cache_mod.wait_for_writes(limit=0.5)
    assert time.monotonic() - t < 5 and not cache_mod._WRITERS
    import os

    try:
        os.kill(pid, 0)
        alive = True
    except ProcessLookupError:
        alive = False
    assert not alive  # killed and reaped
    monkeypatch.setattr(cache_mod.AnalysisCache, "put", real_put)
    calls = []
    count_analyses(calls, monkeypatch)
    a, notes = load_analysis([corpus])  # nothing was stored: analysed again, and cached this time
    b, _ = load_analysis([corpus])
    assert len(calls) == 1 and a == b and notes == []
