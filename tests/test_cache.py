import shutil
import sqlite3
from pathlib import Path

import pytest

import tui.cache as cache_mod
from tui.cache import AnalysisCache, load_analysis

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("WIREDIFF_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


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
    a, _ = load_analysis([corpus], use_cache=False)
    assert cache_mod.unpack(cache_mod.pack(a)) == a


def test_unchanged_files_are_not_read_again(home, corpus, monkeypatch):
    import tui.core.ingest as ingest

    a, _ = load_analysis([corpus])
    reads = []
    real = ingest.read_source
    monkeypatch.setattr(ingest, "read_source", lambda p: reads.append(p) or real(p))
    import tui.core.pipeline as pipeline

    monkeypatch.setattr(pipeline, "read_source", lambda p: reads.append(p) or real(p))
    b, _ = load_analysis([corpus])
    assert b == a and reads == []
    # a touched file (same bytes, new mtime) is read, and the contents still hit
    f = corpus / "003_3ac222fe75dd92ff.txt"
    f.write_bytes(f.read_bytes())
    calls = []
    count_analyses(calls, monkeypatch)
    c, _ = load_analysis([corpus])
    assert c == a and len(reads) == 5 and calls == []


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
