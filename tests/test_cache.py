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
