"""The cache's record of a folder's files (``files`` table): files unchanged on disk since they
were read are taken from it (text and preparation) instead of being read again; a changed file
never is, and a damaged record means reading the files again, never an error."""

import os
import pickle
import shutil
import sqlite3
from array import array
from pathlib import Path

import pytest

import tui.cache as cache_mod
import tui.core.ingest as ingest
import tui.core.memo as memo
from tui.cache import load_analysis
from tui.core.ingest import Header, Source
from tui.core.pipeline import _label, prepare_text

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
ECB = Path(__file__).resolve().parent / "fixtures" / "app"


@pytest.fixture
def home(wd_home):
    return wd_home  # (conftest's private WIREDIFF_HOME)


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "folder"
    shutil.copytree(SEEDS, d)
    for f in sorted(ECB.glob("*.txt"))[:12]:
        shutil.copy(f, d / f.name)
    return d


@pytest.fixture
def trusted(monkeypatch):
    """Files written by the test are trusted by their status at once (not RACY_NS later)."""
    monkeypatch.setattr(memo, "RACY_NS", 0)


@pytest.fixture
def reads(monkeypatch):
    got: list[str] = []
    real = ingest.read_source_stat
    monkeypatch.setattr(ingest, "read_source_stat", lambda p: got.append(str(p)) or real(p))
    return got


def _db(home: Path) -> sqlite3.Connection:
    return sqlite3.connect(home / "cache" / "analysis.sqlite3")


def _add(folder: Path, name: str, text: str) -> Path:
    f = folder / name
    f.write_text(text, encoding="utf-8")
    return f


NEW_TEXT = (
    "Harbour authority approves night ferry trial\n\nMarch 3, 2024\n\n"
    "The harbour authority approved a three-month trial of night ferries on Tuesday. "
    "Officials said the first boats would sail in April, and fares would match the day service.\n"
)


def test_added_file_is_the_only_one_read_and_equals_reading_all(home, folder, trusted, reads, monkeypatch):
    load_analysis([folder])
    f = _add(folder, "zz_new.txt", NEW_TEXT)
    # a second cache just like this one, but without its record of the folder's files
    other = home.parent / "other"
    shutil.copytree(home, other)
    with _db(other) as db:
        db.execute("DELETE FROM files")
    reads.clear()
    got, notes = load_analysis([folder])
    assert reads == [str(f)] and notes == []
    assert [a.raw for a in got.articles] == [ingest.read_source(Path(a.path)).raw for a in got.articles]
    monkeypatch.setenv("WIREDIFF_HOME", str(other))
    reads.clear()
    plain, _ = load_analysis([folder])
    assert len(reads) == len(plain.articles)  # nothing remembered: all read
    assert got == plain


def test_file_changed_in_place_is_read_again(home, folder, trusted, reads):
    """Same size and mtime put back: the change time still tells, the new text is analysed."""
    a, _ = load_analysis([folder])
    f = folder / "003_3ac222fe75dd92ff.txt"
    st = f.stat()
    text = f.read_text(encoding="utf-8")
    assert "Donbass" in text
    f.write_text(text.replace("Donbass", "Donbasx"), encoding="utf-8")
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert f.stat().st_size == st.st_size and f.stat().st_mtime_ns == st.st_mtime_ns
    reads.clear()
    b, _ = load_analysis([folder])
    assert reads == [str(f)]
    art = next(x for x in b.articles if x.path == str(f))
    assert "Donbasx" in art.raw and "Donbass" not in art.raw
    assert art.digest != next(x for x in a.articles if x.path == str(f)).digest


def test_files_just_written_are_not_trusted(home, folder, reads):
    """Within RACY_NS of their last change, files are read again next time."""
    load_analysis([folder])
    _add(folder, "zz_new.txt", NEW_TEXT)
    reads.clear()
    b, _ = load_analysis([folder])
    assert len(reads) == len(b.articles)


def test_renamed_file_is_read_but_not_prepared_again(home, folder, trusted, reads, monkeypatch):
    import tui.core.pipeline as pipeline

    load_analysis([folder])
    f = folder / "003_3ac222fe75dd92ff.txt"
    g = folder / "zz_renamed.txt"
    f.rename(g)
    prepared = []
    real = pipeline.prepare_text
    monkeypatch.setattr(pipeline, "prepare_text", lambda raw: prepared.append(raw) or real(raw))
    reads.clear()
    b, _ = load_analysis([folder])
    assert reads == [str(g)] and prepared == []
    assert any(a.path == str(g) for a in b.articles)


@pytest.mark.parametrize("damage", ["index", "part", "missing part", "raw"])
def test_damaged_record_reads_the_files_again(home, folder, trusted, reads, damage):
    a, _ = load_analysis([folder])
    f = _add(folder, "zz_new.txt", NEW_TEXT)
    db = _db(home)
    with db:
        if damage == "index":
            db.execute("UPDATE files SET data=? WHERE part=0", (b"\x80\x05garbage",))
        elif damage == "part":
            db.execute("UPDATE files SET data=substr(data, 1, length(data) / 2) WHERE part=1")
        elif damage == "missing part":
            db.execute("DELETE FROM files WHERE part=1")
        else:  # a byte of the texts changed, the blob's shape intact
            (blob,) = db.execute("SELECT data FROM files WHERE part=1").fetchone()
            k = blob.index(b"Donbass")
            db.execute("UPDATE files SET data=? WHERE part=1", (blob[:k] + b"Donbasx" + blob[k + 7 :],))
    reads.clear()
    b, notes = load_analysis([folder])
    assert len(reads) == len(b.articles) == len(a.articles) + 1
    assert notes and "re-reading" in notes[0]
    assert all("Donbasx" not in x.raw for x in b.articles)
    # and the record is written again whole: the next reopen reads only what changed
    f.write_text(NEW_TEXT + "More.\n", encoding="utf-8")
    reads.clear()
    load_analysis([folder])
    assert reads == [str(f)]


def _unpacked(tmp_path: Path, blobs) -> tuple[cache_mod.FilesIndex, dict, cache_mod.AnalysisCache]:
    """``pack_files`` blobs written to a cache and read back: the index and, by digest, each
    text's (text, encoding, preparation)."""
    c = cache_mod.AnalysisCache(tmp_path / "files.sqlite3")
    c._put_files("scope", blobs)
    index = cache_mod.FilesIndex.from_blob(blobs[0][1])
    texts: list = [None] * len(index.digests)
    parts = cache_mod.FeatureParts(c.path, "scope", index, texts)
    got = {}
    for part, blob in c._files_parts("scope"):
        lo, part_texts, encodings, preps = cache_mod.unpack_files_part(index, blob, _label, parts)
        texts[lo : lo + len(part_texts)] = part_texts
        parts.spans.append((lo, lo + len(part_texts), part))
        for k, item in enumerate(zip(part_texts, encodings, preps)):
            got[index.digests[lo + k]] = item
    return index, got, c


def test_pack_roundtrip_gives_back_each_preparation(tmp_path):
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    texts.append(texts[0])  # a text twice (two paths): kept once
    texts.append("x\n\n\ny")  # a text with empty segments or none
    sources = [Source(f"/d/{i}.txt", t, f"digest{i if i < len(texts) - 2 else 0}", "utf-8") for i, t in enumerate(texts)]
    sources[-1] = Source("/d/last.txt", texts[-1], "digest-last", "utf-8")
    prepared = {s.digest: prepare_text(s.raw) for s in sources}
    rows = [(s, (len(s.raw), 10 + i, 100 + i, 20 + i)) for i, s in enumerate(sources)]
    rows.append((Source("/d/racy.txt", "racy", "digest-racy", "utf-8"), None))  # not trusted: left out
    blobs = cache_mod.pack_files(rows, prepared, lambda s, p: (f"out-{s.path}", "filename"))
    index, got, c = _unpacked(tmp_path, blobs)
    assert index.paths == [s.path for s in sources]
    assert index.stats == [st for _, st in rows[:-1]]
    assert index.outlets == [(f"out-{s.path}", "filename") for s in sources]
    assert set(got) == set(prepared)
    for s in sources:
        t, encoding, prep = got[s.digest]
        assert t == s.raw and encoding == "utf-8" and prep == prepared[s.digest]
        assert isinstance(prep[1], array) and isinstance(prep[2], tuple) and isinstance(prep[3], list)
        assert all(lab is _label(lab.role, lab.kind) for lab in prep[2])  # the shared labels
        assert pickle.loads(pickle.dumps(prep)) == prepared[s.digest]  # the features pickle as a tuple
    # the features' keys and counts, when their part is gone, are made again from the text
    index, got, c = _unpacked(tmp_path, blobs)
    with c._db:
        c._db.execute("DELETE FROM files WHERE part>=?", (cache_mod.FEATURES_AT,))
    for s in sources:
        assert tuple(got[s.digest][2][4]) == prepared[s.digest][4]


def test_pack_keeps_norms_holding_line_breaks_and_many_parts(tmp_path, monkeypatch):
    monkeypatch.setattr(cache_mod, "FILES_PART", 2)
    flat = array("q", [0, 3, 1, 4, 8, 1])
    labels = (_label("title"), _label("body"))
    preps = {
        "a": (Header("t", 1, None, None, None, None), flat, labels, ["one\ntwo", "three"], ("w", b"", b""), 1),
        "b": (Header(None, None, "2024-01-02", 2, "http://x", 3), array("q"), (), [], ("", b"", b""), 0),
        "c": (Header(None, None, None, None, None, None), flat, labels, ["", ""], (("a b",), b"k" * 8, b"c" * 8), 2),
    }
    rows = [(Source(f"/p/{d}", "raw " + d, d, "cp1252"), (1, 2, 3, 4)) for d in "abc"]
    blobs = cache_mod.pack_files(rows, preps, lambda s, p: ("o", "url"))
    assert [k for k, _ in blobs] == [0, 1, cache_mod.FEATURES_AT + 1, 2, cache_mod.FEATURES_AT + 2]  # two parts
    index, got, _c = _unpacked(tmp_path, blobs)
    assert {d: item[2] for d, item in got.items()} == preps
    assert all(item[1] == "cp1252" for item in got.values())


def test_many_added_files_prepared_on_workers_equal_reading_all(home, folder, trusted, reads, monkeypatch):
    """From OVERLAP_MIN files to read beside remembered ones, workers prepare them meanwhile."""
    import tui.core.pipeline as pipeline

    monkeypatch.setattr(pipeline, "WORKERS", 2)
    monkeypatch.setattr(pipeline, "OVERLAP_MIN", 4)
    load_analysis([folder])
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
    added = [
        _add(folder, f"zz_{k:02d}.txt", f"Update {k}: " + texts[k % len(texts)].replace(" the ", " a ", 1))
        for k in range(pipeline.OVERLAP_MIN)
    ]
    other = home.parent / "other"
    shutil.copytree(home, other)
    with _db(other) as db:
        db.execute("DELETE FROM files")
    made = []
    real = pipeline.analyze_sources
    monkeypatch.setattr(pipeline, "analyze_sources", lambda *a, **k: made.append(len(k.get("made") or {})) or real(*a, **k))
    reads.clear()
    got, _ = load_analysis([folder])
    assert reads == [str(f) for f in added] and made == [len(added)]  # prepared while reading
    monkeypatch.setenv("WIREDIFF_HOME", str(other))
    plain, _ = load_analysis([folder])
    assert got == plain


def test_a_few_added_files_prepared_aside_equal_reading_all(home, folder, trusted, reads, monkeypatch):
    """From ASIDE_MIN texts to prepare beside remembered files (fewer than OVERLAP_MIN), one
    forked child prepares them while the remembered sources are taken."""
    from tui.core import pipeline

    monkeypatch.setattr(pipeline, "WORKERS", 2)
    monkeypatch.setattr(pipeline, "ASIDE_MIN", 3)
    load_analysis([folder])
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
    added = [_add(folder, f"zz_{k:02d}.txt", f"Aside {k}: " + texts[k % len(texts)].replace(" the ", " a ", 1)) for k in range(3)]
    other = home.parent / "other"
    shutil.copytree(home, other)
    with _db(other) as db:
        db.execute("DELETE FROM files")
    made, asides = [], []
    real, real_aside = pipeline.analyze_sources, pipeline._call_aside
    monkeypatch.setattr(pipeline, "analyze_sources", lambda *a, **k: made.append(len(k.get("made") or {})) or real(*a, **k))
    monkeypatch.setattr(pipeline, "_call_aside", lambda *a: asides.append(len(a[1])) or real_aside(*a))
    reads.clear()
    got, _ = load_analysis([folder])
    assert reads == [str(f) for f in added] and asides == [3] and made == [3]  # prepared aside
    monkeypatch.setenv("WIREDIFF_HOME", str(other))
    plain, _ = load_analysis([folder])
    assert got == plain


def _token(home: Path) -> bytes:
    (blob,) = _db(home).execute("SELECT data FROM files WHERE part=0").fetchone()
    return cache_mod.FilesIndex.from_blob(blob).token


def test_record_is_rewritten_only_when_many_files_are_not_in_it(home, folder, trusted, reads, monkeypatch):
    monkeypatch.setattr(cache_mod, "FILES_SLACK", 2)
    load_analysis([folder])
    first = _token(home)
    a = _add(folder, "zz_a.txt", NEW_TEXT)
    b = _add(folder, "zz_b.txt", NEW_TEXT.replace("three-month", "six-month"))
    load_analysis([folder])
    assert _token(home) == first  # two files outside the record: kept as it was
    a.write_text(NEW_TEXT + "Late line.\n", encoding="utf-8")
    c = _add(folder, "zz_c.txt", NEW_TEXT.replace("April", "May"))
    reads.clear()
    load_analysis([folder])
    assert sorted(reads) == [str(a), str(b), str(c)]  # what the record lacks is read again
    assert _token(home) != first  # three outside it now: written again, with them
    b.write_text(NEW_TEXT, encoding="utf-8")
    reads.clear()
    load_analysis([folder])
    assert reads == [str(b)]


def test_records_of_the_last_written_folders_are_kept(home, tmp_path, trusted, monkeypatch):
    monkeypatch.setattr(cache_mod, "KEEP_FILES", 1)
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(SEEDS, a)
    shutil.copytree(SEEDS, b)
    load_analysis([a])
    assert {s for (s,) in _db(home).execute("SELECT DISTINCT scope FROM files")} == {cache_mod.files_scope([a])}
    load_analysis([b])
    assert {s for (s,) in _db(home).execute("SELECT DISTINCT scope FROM files")} == {cache_mod.files_scope([b])}
