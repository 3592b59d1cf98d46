"""The analysis cache: SQLite under the user cache dir, keyed by content hashes and engine version.

Three layers, each keyed so that a stale result is never served:

* whole analyses, keyed by sha256 of (path, digest) of every input plus ``ENGINE_VERSION``; a second
  key of (path, size, mtime_ns) lets a reopen skip reading the files when none changed on disk (a
  touched file falls back to reading and hashing, which still hits);
* per-article preparation, keyed by the article's digest plus ``ENGINE_VERSION``;
* per-story results, keyed by the story's article digests (in order) and repeated lines plus
  ``ENGINE_VERSION`` (see ``tui.core.memo.Memo``): adding articles redoes only the stories they touch.

Analyses are stored as columns (flat int arrays, one list of strings per field) rather than pickled
objects, so reopening 10k articles builds the sentences from arrays.  A cache that cannot be opened or
read is a miss, never an error.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sqlite3
import time
import zlib
from array import array
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, repeat
from pathlib import Path

from .core import ENGINE_VERSION
from .core.ingest import Source
from .core.memo import FileStat, Memo
from .core.model import (
    Analysis,
    Article,
    Family,
    Member,
    MemberColumns,
    MemberRows,
    SentenceRows,
    Skipped,
    Story,
    StorySummary,
    summarize,
)

SCHEMA_VERSION = 5
KEEP = 8  # analyses kept; older ones are pruned
MMAP_BYTES = 1 << 30  # of the cache file read through a memory map (SQLite's mmap_size)
KEEP_PARTS = 200_000  # per-article / per-story entries kept (least recently used pruned)
_READ_ERRORS = (sqlite3.DatabaseError, zlib.error, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError, IndexError, KeyError)


def cache_key(sources: Sequence[Source], *, one_story: bool) -> str:
    h = hashlib.sha256(f"wirediff/{ENGINE_VERSION}/{SCHEMA_VERSION}/{int(one_story)}\n".encode())
    for s in sources:
        h.update(f"{s.path}\0{s.digest}\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def stat_key(files: Sequence[Path], *, one_story: bool, stats: Sequence[FileStat] | None = None) -> str | None:
    """Key of the files as the OS describes them (path, size, mtime_ns, inode, ctime_ns); None
    if one can't be stat'ed.  ``stats``: the files' ``file_stats``, when the caller has them."""
    if stats is None:
        stats = file_stats(files)
        if stats is None:
            return None
    h = hashlib.sha256(f"wirediff-stat/{ENGINE_VERSION}/{SCHEMA_VERSION}/{int(one_story)}\n".encode())
    h.update("".join([f"{f}\0{a}\0{b}\0{c}\0{d}\n" for f, (a, b, c, d) in zip(files, stats)]).encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def file_stats(files: Sequence[os.PathLike[str]]) -> list[FileStat] | None:
    """Each file's (size, mtime_ns, inode, ctime_ns); None if one can't be stat'ed."""
    out = []
    stat = os.stat
    try:
        for f in files:
            st = stat(f)
            out.append((st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns))
    except OSError:
        return None
    return out


# ------------------------------------------------------------------ columnar form
_ROLES = ("title", "meta", "body", "boilerplate")


def pack(analysis: Analysis) -> bytes:
    """An analysis as plain columns (a pickle of lists, tuples, arrays and strings: see ``_blob``).

    Sentence ids are not stored: they are "{article}.s{index}" (an analysis whose ids are not is
    not cached: ``ValueError``)."""
    arts = []
    starts, ends, lines, fam = array("q"), array("q"), array("q"), array("q")
    roles = bytearray()
    kinds: dict[str | None, int] = {None: 0}
    kind_col = array("q")
    fam_ids: dict[str | None, int] = {None: -1}
    for f in analysis.families:
        fam_ids.setdefault(f.id, len(fam_ids) - 1)
    role_of = {r: i for i, r in enumerate(_ROLES)}
    for a in analysis.articles:
        ss = a.sentences
        raw, aid = a.raw, a.id
        if isinstance(ss, SentenceRows) and ss.article == aid and ss.raw is raw:
            s0, s1, ln = ss.starts, ss.ends, ss.lines
            r_col, k_col, f_col = ss.roles, ss.kinds, ss.families
        else:
            s0 = [s.start for s in ss]
            s1 = [s.end for s in ss]
            if (
                any(s.article != aid or s.id != f"{aid}.s{j}" or s.index != j for j, s in enumerate(ss))
                or [s.text for s in ss] != [raw[i:j] for i, j in zip(s0, s1)]
            ):
                raise ValueError("sentence out of step with its article")
            ln = [s.line for s in ss]
            r_col, k_col, f_col = [s.role for s in ss], [s.kind for s in ss], [s.family for s in ss]
        arts.append((aid, a.path, raw, a.digest, a.encoding, a.outlet, a.outlet_cue, a.title, a.published, a.url, len(ss)))
        starts.extend(s0)
        ends.extend(s1)
        lines.extend(ln)
        roles.extend(map(role_of.__getitem__, r_col))
        kind_col.extend([kinds.setdefault(k, len(kinds)) for k in k_col])
        fam.extend(map(fam_ids.__getitem__, f_col))
    data = {
        "engine": analysis.engine,
        "articles": arts,
        "cols": [c.tobytes() for c in (starts, ends, lines, kind_col, fam)],
        "roles": bytes(roles),
        "kinds": list(kinds),
        **_pack_families(analysis.families),
        "stories": [(st.id, st.title, st.articles) for st in analysis.stories],
        "skipped": [(s.path, s.reason) for s in analysis.skipped],
    }
    return _blob(data)


def _pack_families(families: Sequence[Family]) -> dict:
    """The families: when they read one ``MemberColumns`` end to end (as the pipeline makes
    them), those columns and per family its size; else every member as a tuple."""
    cols = None
    lo = 0
    for f in families:
        m = f.members
        if not isinstance(m, MemberRows) or (cols is not None and m.cols is not cols) or m.lo != lo:
            break
        cols, lo = m.cols, m.hi
    else:
        if cols is not None and lo == len(cols.doc):
            c = cols
            return {
                "member_cols": (list(c.articles), c.doc, c.sent, c.shared_at, c.shared, c.differs_at, c.differs),
                "family_rows": [(f.id, f.kind, f.first, f.score, len(f.members)) for f in families],
            }
    return {"families": [(f.id, f.kind, f.first, f.score, [(m.sentence, m.shared, m.differs) for m in f.members]) for f in families]}


def _unpack_families(data: dict) -> tuple[Family, ...]:
    if "member_cols" not in data:
        return tuple(
            Family(fid, kind, tuple(map(tuple.__new__, repeat(Member), ((sid, tuple(sh), tuple(df)) for sid, sh, df in members))), first, score)
            for fid, kind, first, score, members in data["families"]
        )
    cols = MemberColumns(*data["member_cols"])
    out = []
    lo = 0
    for fid, kind, first, score, n in data["family_rows"]:
        out.append(Family(fid, kind, MemberRows(cols, lo, lo + n), first, score))
        lo += n
    if lo != len(cols.doc):
        raise ValueError("family rows out of step with their members")
    return tuple(out)


def unpack(blob: bytes) -> Analysis:
    """The analysis ``pack`` stored.  The cyclic GC is paused meanwhile (``quiet_gc``): building
    ~300k acyclic objects otherwise triggers full collections that cost more than the building."""
    from .core.gcquiet import quiet_gc

    with quiet_gc():
        return _unpack(blob)


def _unpack(blob: bytes) -> Analysis:
    data = _unblob(blob)
    cols = []
    for b in data["cols"]:
        c = array("q")
        c.frombytes(b)
        cols.append(c)
    starts, ends, lines, kind_col, fam = cols
    roles = list(map(_ROLES.__getitem__, data["roles"]))
    kinds = data["kinds"]
    families = _unpack_families(data)
    names = [f.id for f in families] + [None]  # index -1 is "no family"
    kind_of = list(map(kinds.__getitem__, kind_col))
    fam_of = list(map(names.__getitem__, fam))
    articles = []
    k = 0
    for aid, path, raw, digest, encoding, outlet, cue, title, published, url, n in data["articles"]:
        e = k + n
        sents = SentenceRows(aid, raw, starts[k:e], ends[k:e], lines[k:e], roles[k:e], kind_of[k:e], fam_of[k:e])
        k = e
        articles.append(Article(aid, path, raw, digest, encoding, outlet, cue, title, published, url, sents))
    if k != len(starts):
        raise ValueError("sentence columns out of step")
    stories = tuple(Story(sid, title, tuple(arts)) for sid, title, arts in data["stories"])
    skipped = tuple(Skipped(p, r) for p, r in data["skipped"])
    return Analysis(tuple(articles), stories, families, skipped, data["engine"])


def pack_summaries(summaries: Sequence[StorySummary], skipped: Sequence[Skipped] = ()) -> bytes:
    """The stories list of an analysis (plus the files it could not read), a few hundred bytes a story."""
    rows = [
        (s.story.id, s.story.title, s.story.articles, s.outlets, s.n_articles, s.first_date, s.last_date, s.copied, s.digests, s.key)
        for s in summaries
    ]
    return _blob({"engine": ENGINE_VERSION, "rows": rows, "skipped": [(k.path, k.reason) for k in skipped]})


def unpack_summaries(blob: bytes) -> tuple[list[StorySummary], list[Skipped]]:
    data = _unblob(blob)
    if data["engine"] != ENGINE_VERSION:
        raise ValueError("summaries of another engine")
    rows = [
        StorySummary(Story(sid, title, tuple(arts)), tuple(outlets), n, first, last, copied, tuple(digests), key)
        for sid, title, arts, outlets, n, first, last, copied, digests, key in data["rows"]
    ]
    return rows, [Skipped(p, r) for p, r in data["skipped"]]


def _blob(obj) -> bytes:
    """``obj`` pickled, stored plain after ``_PLAIN`` and the pickle's CRC-32 (4 bytes, little
    endian), which ``_unblob`` checks: a damaged blob is a miss, never a wrong analysis.  Plain,
    because reading is what matters: on this kind of machine zlib inflated a 10k analysis (47.5 MB
    from 15.7 MB) in 0.30 s, where reading it plain through the memory map took 0.10-0.12 s and
    its CRC 0.02 s (the stories' results of a +100 reopen: 60 ms of inflating for 16.5 MB); the
    price is a cache about three times larger."""
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return _PLAIN + zlib.crc32(data).to_bytes(4, "little") + data


_PLAIN = b"P"


def _unblob(b: bytes):
    """What ``_blob`` stored (ValueError if damaged); also a plain or a zlib'd pickle, as
    earlier versions stored them (zlib streams start with 0x78, pickles with 0x80)."""
    if b[:1] == _PLAIN:
        view = memoryview(b)[5:]  # (no copy of a large blob)
        if len(b) < 5 or zlib.crc32(view) != int.from_bytes(b[1:5], "little"):
            raise ValueError("cache entry damaged")
        return pickle.loads(view)
    return pickle.loads(b if b[:1] == b"\x80" else zlib.decompress(b))


# ------------------------------------------------------------------ a folder's files
#: Folders whose files the ``files`` table remembers (least recently written pruned).
KEEP_FILES = 4
_FILES_VERSION = 2
FILES_PART = 500  # texts a blob of the ``files`` table holds
FEATURES_AT = 1_000_000  # part k's features' keys and counts are part FEATURES_AT + k
#: Files read (not taken from the record) that a run may leave out of a folder's record rather
#: than write it again: at least this many, or a twentieth of the folder.
FILES_SLACK = 64


def files_scope(paths) -> str:
    """Names the inputs as given: the ``files`` row of their files."""
    return "files/" + scope_key(paths)


def pack_files(
    rows: Sequence[tuple[Source, FileStat | None]],
    prepared: Mapping[str, object],
    outlet_of,
) -> list[bytes] | None:
    """A folder's files as blobs (None: none to keep): first an index of (path, ``FileStat``,
    digest, outlet) that tells which files are unchanged, then their texts and preparations
    (``Prepared``) as columns, ``FILES_PART`` texts a blob: they unpack several times faster than
    one pickle per article, and a blob at a time keeps the memory they pass through small.
    Files without a trusted status or a preparation are left out.  Every blob carries the same
    random token (a reader takes them in several queries).  ``outlet_of(source, preparation)``
    gives a file's (outlet, cue)."""
    paths: list[str] = []
    stats = array("q")
    text_of = array("q")
    outlets: list[str] = []
    cues: list[str] = []
    at: dict[str, int] = {}
    texts: list[Source] = []
    preps: list = []
    for src, st in rows:
        if st is None:
            continue
        prep = prepared.get(src.digest)
        if prep is None:
            continue
        t = at.get(src.digest)
        if t is None:
            t = at[src.digest] = len(texts)
            texts.append(src)
            preps.append(prep)
        paths.append(src.path)
        stats.extend(st)
        text_of.append(t)
        outlet, cue = outlet_of(src, prep)
        outlets.append(outlet)
        cues.append(cue)
    if not paths:
        return None
    token = os.urandom(8)
    dump = pickle.dumps
    index = (_FILES_VERSION, token, paths, stats.tobytes(), text_of.tobytes(), [s.digest for s in texts], outlets, cues)
    out = [(0, dump(index, protocol=pickle.HIGHEST_PROTOCOL))]
    for k, lo in enumerate(range(0, len(texts), FILES_PART), start=1):
        part = preps[lo : lo + FILES_PART]
        out.append((k, dump(_files_part(token, lo, texts[lo : lo + FILES_PART], part), protocol=pickle.HIGHEST_PROTOCOL)))
        keys = {"version": _FILES_VERSION, "token": token, "lo": lo, "keys": [p[4][1] for p in part], "counts": [p[4][2] for p in part]}
        out.append((FEATURES_AT + k, dump(keys, protocol=pickle.HIGHEST_PROTOCOL)))
    return out


def _files_part(token: bytes, lo: int, texts: Sequence[Source], preps: Sequence) -> dict:
    encoded = [s.raw.encode("utf-8", "surrogatepass") for s in texts]
    raw = b"".join(encoded)
    heads = [p[0] for p in preps]
    flat = array("q")
    counts = array("q")  # per text: segments, labels, norms
    codes = array("H")
    label_ids: dict[tuple[str, str | None], int] = {}
    norms: list[str] = []
    for p in preps:
        f, labels, ns = p[1], p[2], p[3]
        flat.extend(f)
        counts.extend((len(f) // 3, len(labels), len(ns)))
        codes.extend([label_ids.setdefault((lab.role, lab.kind), len(label_ids)) for lab in labels])
        norms.extend(ns)
    joined: str | None = "\n".join(norms)
    if norms and joined.count("\n") != len(norms) - 1:  # a norm holding a line break: kept as a list
        joined = None
    return {
        "version": _FILES_VERSION,
        "token": token,
        "lo": lo,
        "encoding": [s.encoding for s in texts],
        "raw": raw,
        "raw_n": array("q", map(len, encoded)).tobytes(),
        "crc": zlib.crc32(raw),
        "header": (
            [h.title for h in heads],
            [h.title_line for h in heads],
            [h.published for h in heads],
            [h.date_line for h in heads],
            [h.url for h in heads],
            [h.url_line for h in heads],
        ),
        "flat": flat.tobytes(),
        "counts": counts.tobytes(),
        "labels": list(label_ids),
        "codes": codes.tobytes(),
        "norms": joined if joined is not None else norms,
        "words": [p[4][0] for p in preps],  # (the features' keys and counts: a part of their own)
        "n_body": [p[5] for p in preps],
    }


def _ints(b: bytes) -> array:
    a = array("q")
    a.frombytes(b)
    return a


@dataclass
class FilesIndex:
    """The index blob of ``pack_files``."""

    token: bytes
    paths: list[str]
    stats: list[FileStat]
    text_of: array
    digests: list[str]
    outlets: list[tuple[str, str]]

    @classmethod
    def from_blob(cls, blob: bytes) -> FilesIndex:
        version, token, paths, stats, text_of, digests, outlets, cues = pickle.loads(blob)
        if version != _FILES_VERSION:
            raise ValueError("files index of another version")
        flat = _ints(stats)
        it = iter(flat)
        out = cls(token, paths, list(zip(it, it, it, it)), _ints(text_of), digests, list(zip(outlets, cues)))
        n = len(paths)
        if not (len(out.stats) * 4 == len(flat) and len(out.stats) == len(out.text_of) == len(out.outlets) == n == len(cues)):
            raise ValueError("files index out of step")
        if n and not (0 <= min(out.text_of) and max(out.text_of) < len(digests)):
            raise ValueError("files index out of step")
        return out


def unpack_files_part(
    index: FilesIndex, blob: bytes, label, features: FeatureParts
) -> tuple[int, list[str], list[str], list[tuple]]:
    """One part of ``pack_files`` whose index is ``index``: the number of its first text, and
    its texts, encodings and preparations; ``label(role, kind)`` gives the shared ``Label``,
    ``features`` the keys and counts of the texts' features (on first use).  Raises ValueError
    (or another of ``_READ_ERRORS``) on a damaged blob."""
    from .core.ingest import Header

    data = pickle.loads(blob)
    if data["version"] != _FILES_VERSION or data["token"] != index.token:
        raise ValueError("files data of another index")
    raw = data["raw"]
    if zlib.crc32(raw) != data["crc"]:
        raise ValueError("files data damaged")
    lo = data["lo"]
    encodings = data["encoding"]
    n = len(encodings)
    raw_at = list(accumulate(_ints(data["raw_n"]), initial=0))
    counts = _ints(data["counts"])
    if not 0 <= lo <= lo + n <= len(index.digests) or len(raw_at) != n + 1 or raw_at[-1] != len(raw) or len(counts) != 3 * n:
        raise ValueError("files data out of step")
    view = memoryview(raw)
    texts = [str(view[a:b], "utf-8", "surrogatepass") for a, b in zip(raw_at, raw_at[1:])]
    view.release()
    titles, title_lines, published, date_lines, urls, url_lines = data["header"]
    heads = list(map(Header, titles, title_lines, published, date_lines, urls, url_lines))
    flat = _ints(data["flat"])
    codes = array("H")
    codes.frombytes(data["codes"])
    labels = [label(role, kind) for role, kind in data["labels"]]
    seg_at = list(accumulate(counts[0::3], initial=0))
    lab_at = list(accumulate(counts[1::3], initial=0))
    norm_at = list(accumulate(counts[2::3], initial=0))
    norms = data["norms"]
    if isinstance(norms, str):
        norms = norms.split("\n") if norm_at[-1] else []
    if seg_at[-1] * 3 != len(flat) or lab_at[-1] != len(codes) or norm_at[-1] != len(norms):
        raise ValueError("files data out of step")
    f0 = data["words"]
    n_body = data["n_body"]
    if not (len(heads) == len(f0) == len(n_body) == n):
        raise ValueError("files data out of step")
    every = tuple(map(labels.__getitem__, codes))  # the part's labels end to end (sliced: no map per text)
    prepared = [
        (
            heads[t],
            flat[3 * seg_at[t] : 3 * seg_at[t + 1]],
            every[lab_at[t] : lab_at[t + 1]],
            norms[norm_at[t] : norm_at[t + 1]],
            _Features(f0[t], features, lo + t),
            n_body[t],
        )
        for t in range(n)
    ]
    return lo, texts, encodings, prepared


class _Features(Sequence):
    """A text's ``DocFeatures`` from a files record: its words at once, its words' keys and
    counts (which only clustering afresh reads) from the record's ``FeatureParts`` on first use.
    Equal to, and pickled as, the plain tuple."""

    __slots__ = ("_parts", "_t", "_words")

    def __init__(self, words, parts: FeatureParts, t: int) -> None:
        self._words = words
        self._parts = parts
        self._t = t

    def __getitem__(self, i):
        if i == 0 or i == -3:
            return self._words
        return (self._words, *self._parts.keys_counts(self._t))[i]

    def __len__(self) -> int:
        return 3

    def __iter__(self):
        yield self._words
        yield from self._parts.keys_counts(self._t)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (tuple, _Features)):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __reduce__(self):
        return (tuple, (tuple(self),))


class FeatureParts:
    """The keys and counts of a files record's texts (``pack_files``), read a part at a time
    when first asked for, on a connection of their own (the memo's may be closed by then, or
    belong to the process this one was forked from).  A part that cannot be read (the record
    replaced or damaged meanwhile) is made again from the texts (``prepare_text``)."""

    def __init__(self, path: Path, scope: str, index: FilesIndex, texts: Sequence[str]) -> None:
        self.path, self.scope, self.token, self.texts = path, scope, index.token, texts
        self.spans: list[tuple[int, int, int]] = []  # (lo, hi, part) of the record's parts
        self.got: dict[int, tuple[int, list[bytes], list[bytes]]] = {}  # part -> (lo, keys, counts)

    def keys_counts(self, t: int) -> tuple[bytes, bytes]:
        for lo, hi, part in self.spans:
            if lo <= t < hi:
                break
        else:
            raise IndexError("text outside the record")
        got = self.got.get(part)
        if got is None:
            got = self.got[part] = self._read(part, lo, hi)
        lo, keys, counts = got
        k = t - lo
        if keys[k] is None:  # made again
            from .core.pipeline import prepare_text

            features = prepare_text(self.texts[t])[4]
            keys[k], counts[k] = features[1], features[2]
        return keys[k], counts[k]

    def _read(self, part: int, lo: int, hi: int) -> tuple[int, list, list]:
        n = hi - lo
        try:
            db = sqlite3.connect(self.path, timeout=10)
            try:
                row = db.execute(
                    "SELECT data FROM files WHERE scope=? AND engine=? AND part=?", (self.scope, ENGINE_VERSION, FEATURES_AT + part)
                ).fetchone()
            finally:
                db.close()
            data = pickle.loads(row[0])
            if data["version"] != _FILES_VERSION or data["token"] != self.token or data["lo"] != lo:
                raise ValueError("features of another record")
            keys, counts = data["keys"], data["counts"]
            if len(keys) != n or len(counts) != n:
                raise ValueError("features out of step")
            return lo, keys, counts
        except (*_READ_ERRORS, OSError):
            return lo, [None] * n, [None] * n


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
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        # blobs read through a memory map, not a read call per 4 kB page of their overflow
        # chains: the +100 reopen's ~73 MB of files record came in 0.08 s instead of 0.11 s
        db.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version != SCHEMA_VERSION:
            for table in ("analyses", "stat_keys", "prepared", "stories", "summaries", "clusterings", "files"):
                db.execute(f"DROP TABLE IF EXISTS {table}")
            db.execute(
                "CREATE TABLE analyses (key TEXT PRIMARY KEY, engine TEXT NOT NULL, used REAL NOT NULL, data BLOB NOT NULL)"
            )
            db.execute("CREATE TABLE stat_keys (stat TEXT PRIMARY KEY, key TEXT NOT NULL)")
            # The stories list of each analysis, apart from its (large) blob: a reopen lists the
            # stories from this small row while the analysis is unpacked.
            db.execute("CREATE TABLE summaries (key TEXT PRIMARY KEY, data BLOB NOT NULL)")
            db.execute("CREATE TABLE prepared (digest TEXT NOT NULL, engine TEXT NOT NULL, used REAL NOT NULL, data BLOB NOT NULL, PRIMARY KEY (digest, engine))")
            db.execute("CREATE TABLE stories (key TEXT PRIMARY KEY, engine TEXT NOT NULL, used REAL NOT NULL, data BLOB NOT NULL)")
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        # A folder's last clustering (``Memo.get_clustering``): new articles join its stories.
        db.execute(
            "CREATE TABLE IF NOT EXISTS clusterings (scope TEXT NOT NULL, engine TEXT NOT NULL, used REAL NOT NULL,"
            " data BLOB NOT NULL, PRIMARY KEY (scope, engine))"
        )
        # A folder's files as last read (``pack_files``): an unchanged file need not be read again.
        db.execute(
            "CREATE TABLE IF NOT EXISTS files (scope TEXT NOT NULL, engine TEXT NOT NULL, part INTEGER NOT NULL,"
            " used REAL NOT NULL, data BLOB NOT NULL, PRIMARY KEY (scope, engine, part))"
        )
        # When an analysis or a folder's record was last served (name -> time): its row holds tens
        # of MB, and SQLite rewrites a whole row to update one column of it.
        db.execute("CREATE TABLE IF NOT EXISTS last_used (name TEXT PRIMARY KEY, used REAL NOT NULL)")
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

    # ------------------------------------------------------------ whole analyses
    def get(self, key: str) -> Analysis | None:
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT data FROM analyses WHERE key=? AND engine=?", (key, ENGINE_VERSION)).fetchone()
            if row is None:
                return None
            analysis = unpack(row[0])
            self._used(f"analysis/{key}")
        except _READ_ERRORS as e:
            self.problem = f"analysis cache entry unreadable, re-analysing ({e})"
            return None
        return analysis if isinstance(analysis, Analysis) and analysis.engine == ENGINE_VERSION else None

    def key_for_stat(self, stat: str) -> str | None:
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT key FROM stat_keys WHERE stat=?", (stat,)).fetchone()
        except sqlite3.DatabaseError:
            return None
        return row[0] if row else None

    def link_stat(self, stat: str, key: str) -> None:
        if self._db is None:
            return
        try:
            self._db.execute("INSERT OR REPLACE INTO stat_keys (stat, key) VALUES (?,?)", (stat, key))
        except sqlite3.DatabaseError as e:
            self.problem = f"analysis cache not written ({e})"

    def get_summaries(self, key: str) -> tuple[list[StorySummary], list[Skipped]] | None:
        """The stories list stored with the analysis ``key`` (None: not stored, or unreadable)."""
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT data FROM summaries WHERE key=?", (key,)).fetchone()
            return unpack_summaries(row[0]) if row else None
        except _READ_ERRORS as e:
            self.problem = f"analysis cache entry unreadable, re-analysing ({e})"
            return None

    def put_summaries(self, key: str, summaries: Sequence[StorySummary], skipped: Sequence[Skipped] = ()) -> None:
        if self._db is None:
            return
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                if self._db.execute("SELECT 1 FROM analyses WHERE key=?", (key,)).fetchone():
                    self._db.execute(
                        "INSERT OR REPLACE INTO summaries (key, data) VALUES (?,?)", (key, pack_summaries(summaries, skipped))
                    )
        except sqlite3.DatabaseError as e:
            self.problem = f"analysis cache not written ({e})"

    def put(
        self, key: str, analysis: Analysis, *, stat: str | None = None, summaries: Sequence[StorySummary] | None = None
    ) -> None:
        if self._db is None:
            return
        try:
            data = pack(analysis)
        except ValueError:
            return  # not in the shape the columns assume: not cached
        summary = pack_summaries(summarize(analysis) if summaries is None else summaries, analysis.skipped)
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute(
                    "INSERT OR REPLACE INTO analyses (key, engine, used, data) VALUES (?,?,?,?)",
                    (key, ENGINE_VERSION, time.time(), data),
                )
                self._db.execute("INSERT OR REPLACE INTO summaries (key, data) VALUES (?,?)", (key, summary))
                if stat:
                    self._db.execute("INSERT OR REPLACE INTO stat_keys (stat, key) VALUES (?,?)", (stat, key))
                self._db.execute(
                    "DELETE FROM analyses WHERE key NOT IN (SELECT key FROM analyses ORDER BY max(used, coalesce("
                    "(SELECT used FROM last_used WHERE name='analysis/' || key), 0)) DESC LIMIT ?)",
                    (KEEP,),
                )
                self._db.execute(
                    "DELETE FROM last_used WHERE name LIKE 'analysis/%' AND substr(name, 10) NOT IN (SELECT key FROM analyses)"
                )
                self._db.execute("DELETE FROM stat_keys WHERE key NOT IN (SELECT key FROM analyses)")
                self._db.execute("DELETE FROM summaries WHERE key NOT IN (SELECT key FROM analyses)")
        except sqlite3.DatabaseError as e:
            self.problem = f"analysis cache not written ({e})"

    # ------------------------------------------------------------ parts (Memo)
    def _select(self, table: str, column: str, keys: Sequence[str], what: str):
        """Rows of ``what`` for the entries of ``keys`` that this engine stored (500 keys a query)."""
        assert self._db is not None
        wanted = list(dict.fromkeys(keys))
        for lo in range(0, len(wanted), 500):
            part = wanted[lo : lo + 500]
            q = f"SELECT {what} FROM {table} WHERE engine=? AND {column} IN ({','.join('?' * len(part))})"
            yield from self._db.execute(q, (ENGINE_VERSION, *part))

    def _get_parts(self, table: str, column: str, keys: Sequence[str]) -> dict:
        out: dict = {}
        if self._db is None or not keys:
            return out
        try:
            for k, data in self._select(table, column, keys, f"{column}, data"):
                try:
                    out[k] = _unblob(data)
                except _READ_ERRORS:
                    continue  # a damaged entry is a miss
        except sqlite3.DatabaseError as e:
            self.problem = f"analysis cache unreadable, re-analysing ({e})"
        return out

    def _known_parts(self, table: str, column: str, keys: Sequence[str]) -> set[str]:
        """Which of ``keys`` the table holds (for this engine), without reading their data."""
        out: set[str] = set()
        if self._db is None or not keys:
            return out
        try:
            out.update(k for (k,) in self._select(table, column, keys, column))
        except sqlite3.DatabaseError as e:
            self.problem = f"analysis cache unreadable, re-analysing ({e})"
        return out

    def _put_parts(self, table: str, column: str, items: Mapping[str, object]) -> None:
        if self._db is None or not items:
            return
        now = time.time()
        rows = [(k, ENGINE_VERSION, now, _blob(v)) for k, v in items.items()]
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.executemany(f"INSERT OR REPLACE INTO {table} ({column}, engine, used, data) VALUES (?,?,?,?)", rows)
                n = self._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                if n > KEEP_PARTS:
                    self._db.execute(
                        f"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} ORDER BY used LIMIT ?)", (n - KEEP_PARTS,)
                    )
        except sqlite3.DatabaseError as e:
            self.problem = f"analysis cache not written ({e})"

    def _get_files_index(self, scope: str) -> FilesIndex | None:
        if self._db is None:
            return None
        try:
            row = self._db.execute(
                "SELECT data FROM files WHERE scope=? AND engine=? AND part=0", (scope, ENGINE_VERSION)
            ).fetchone()
            return FilesIndex.from_blob(row[0]) if row else None
        except _READ_ERRORS as e:
            self.problem = f"analysis cache entry unreadable, re-reading ({e})"
            return None

    def _files_parts(self, scope: str):
        """The (part, data blob) of the ``files`` row (``pack_files``: not its features'
        parts), one at a time (raises ``sqlite3.DatabaseError``)."""
        if self._db is None:
            return
        for _part, blob in self._db.execute(
            "SELECT part, data FROM files WHERE scope=? AND engine=? AND part>0 AND part<? ORDER BY part",
            (scope, ENGINE_VERSION, FEATURES_AT),
        ):
            yield _part, blob

    def _touch_files(self, scope: str) -> None:
        self._used(f"files/{ENGINE_VERSION}/{scope}")

    def _used(self, name: str) -> None:
        """Stamp ``name`` (an analysis, a folder's record) as used now (``last_used``)."""
        if self._db is None:
            return
        try:
            self._db.execute("INSERT OR REPLACE INTO last_used (name, used) VALUES (?,?)", (name, time.time()))
        except sqlite3.DatabaseError as e:
            self.problem = f"analysis cache not written ({e})"

    def _put_files(self, scope: str, blobs: Sequence[tuple[int, bytes]]) -> None:
        if self._db is None:
            return
        now = time.time()
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute("DELETE FROM files WHERE scope=? AND engine=?", (scope, ENGINE_VERSION))
                self._db.executemany(
                    "INSERT INTO files (scope, engine, part, used, data) VALUES (?,?,?,?,?)",
                    [(scope, ENGINE_VERSION, k, now, b) for k, b in blobs],
                )
                self._db.execute(  # the records of KEEP_FILES (folder, engine) pairs, the last used
                    "DELETE FROM files WHERE (scope, engine) NOT IN"
                    " (SELECT scope, engine FROM files WHERE part=0 ORDER BY max(used, coalesce("
                    "(SELECT used FROM last_used WHERE name='files/' || engine || '/' || scope), 0)) DESC LIMIT ?)",
                    (KEEP_FILES,),
                )
                self._db.execute(
                    "DELETE FROM last_used WHERE name LIKE 'files/%' AND name NOT IN"
                    " (SELECT 'files/' || engine || '/' || scope FROM files WHERE part=0)"
                )
        except sqlite3.DatabaseError as e:
            self.problem = f"analysis cache not written ({e})"

    def memo(self, defer: bool = False, *, files: str | None = None, stats: Sequence[FileStat] | None = None) -> _SqliteMemo:
        """The cache's parts as a ``Memo``; with ``files`` (a ``files_scope``), it knows that
        folder's files as last read (``stats``: the files' ``file_stats`` just taken, if at hand)."""
        return _SqliteMemo(self, defer, files, stats)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


class _SqliteMemo(Memo):
    """The cache's parts as a ``Memo``.  With ``defer``, what the run makes is kept in memory
    (``pending``) and written by ``flush`` at the end (by the write-behind child, off the path
    to the first screen: pickling and compressing 10k articles' preparation takes seconds)."""

    def __init__(
        self, cache: AnalysisCache, defer: bool = False, files: str | None = None, stats: Sequence[FileStat] | None = None
    ) -> None:
        self.cache = cache
        self.defer = defer
        self.pending: dict[tuple[str, str], dict[str, object]] = {}
        self.files = files  # the files_scope of the folder, if its files are remembered
        self._stats = stats
        self._index: FilesIndex | None = None
        self._unchanged: dict[int, int] = {}  # position in the files asked about -> row of the index
        self._from_files: dict[str, object] = {}  # preparations from the files row, by digest
        self._outlets: dict[tuple[str, str], tuple[str, str]] = {}
        self._seen: dict[str, object] = {}  # every preparation handed out or put (for the files row)
        self._rows: Sequence[tuple[Source, FileStat | None]] | None = None
        self._index_digests: set[str] = set()
        self._clusterings: dict[str, Callable[[], object]] = {}  # deferred: scope -> its maker

    def _put(self, table: str, column: str, items: Mapping[str, object]) -> None:
        if self.defer:
            self.pending.setdefault((table, column), {}).update(items)
        else:
            self.cache._put_parts(table, column, items)

    def flush(self, cache: AnalysisCache | None = None) -> None:
        """Write what was deferred (through ``cache``, e.g. one opened in another process), and
        the folder's files as read by this run (``put_sources``)."""
        target = cache or self.cache
        for (table, column), items in self.pending.items():
            target._put_parts(table, column, items)
        self.pending = {}
        if self._clusterings:
            target._put_parts("clusterings", "scope", {scope: make() for scope, make in self._clusterings.items()})
            self._clusterings = {}
        if self.files is not None and self._rows is not None:
            from .core.ingest import infer_outlet

            outlets = self._outlets

            def outlet_of(src: Source, prep) -> tuple[str, str]:
                got = outlets.get((src.digest, src.path))
                return got if got is not None else infer_outlet(src.raw, prep[0].url, src.path)

            trusted = sum(1 for _s, st in self._rows if st is not None)
            if self._from_files and trusted - len(self._outlets) <= max(FILES_SLACK, trusted // 20):
                # the record still holds nearly every file: kept (the few others are read again
                # next time) rather than rewritten whole, ~110 MB at 10k articles
                target._touch_files(self.files)
            else:
                blobs = pack_files(self._rows, self._seen, outlet_of)
                if blobs is not None:
                    target._put_files(self.files, blobs)
            self._rows = None

    def unchanged(self, files):
        self._unchanged = {}
        if self.files is None or not files:
            return {}
        index = self._index = self.cache._get_files_index(self.files)
        if index is None:
            return {}
        self._index_digests = set(index.digests)
        stats = self._stats if self._stats is not None and len(self._stats) == len(files) else None
        row_of = {p: j for j, p in enumerate(index.paths)}
        known = index.stats
        out: dict[int, FileStat] = {}
        for i, f in enumerate(files):
            j = row_of.get(str(f))
            if j is None:
                continue
            if stats is not None:
                st = stats[i]
            else:
                try:
                    r = os.stat(f)
                except OSError:
                    continue
                st = (r.st_size, r.st_mtime_ns, r.st_ino, r.st_ctime_ns)
            if st == known[j]:
                out[i] = st
                self._unchanged[i] = j
        return out

    def get_sources(self, files):
        index = self._index
        if index is None or not self._unchanged:
            return {}
        from .core.pipeline import _label

        was = gc.isenabled()
        gc.disable()  # ~10k tuples and lists made at once: see ``unpack``
        try:
            return self._sources(index, _label)
        except (*_READ_ERRORS, StopIteration) as e:
            self.cache.problem = f"analysis cache entry unreadable, re-reading ({e})"
            return {}
        finally:
            if was:
                gc.enable()

    def _sources(self, index: FilesIndex, label) -> dict[int, Source]:
        n = len(index.digests)
        texts: list[str | None] = [None] * n
        encodings: list[str | None] = [None] * n
        prepared: dict[str, object] = {}
        digests = index.digests
        features = FeatureParts(self.cache.path, self.files, index, texts)  # type: ignore[arg-type]
        for part, blob in self.cache._files_parts(self.files):
            lo, part_texts, part_encodings, preps = unpack_files_part(index, blob, label, features)
            del blob
            hi = lo + len(part_texts)
            features.spans.append((lo, hi, part))
            texts[lo:hi] = part_texts
            encodings[lo:hi] = part_encodings
            prepared.update(zip(digests[lo:hi], preps))
        if len(prepared) != n or None in texts:
            raise ValueError("files data incomplete")
        self._from_files = prepared
        out: dict[int, Source] = {}
        paths, text_of, outlets = index.paths, index.text_of, index.outlets
        for i, j in self._unchanged.items():
            t = text_of[j]
            path, digest = paths[j], digests[t]
            out[i] = Source(path, texts[t], digest, encodings[t])  # type: ignore[arg-type]
            self._outlets[(digest, path)] = outlets[j]
        return out

    def known_outlets(self):
        return self._outlets

    def put_sources(self, rows):
        self._rows = rows

    def get_prepared(self, digests):
        mine = self._from_files
        out = {d: mine[d] for d in digests if d in mine}
        rest = [d for d in digests if d not in out] if out else digests
        if rest:
            out.update(self.cache._get_parts("prepared", "digest", rest))
        self._seen.update(out)
        return out

    def put_prepared(self, items):
        self._seen.update(items)
        self._put("prepared", "digest", items)

    def known_prepared(self, digests):
        mine = self._index_digests
        got = {d for d in digests if d in mine}
        rest = [d for d in digests if d not in got]
        return got | self.cache._known_parts("prepared", "digest", rest)

    def get_stories(self, keys):
        return self.cache._get_parts("stories", "key", keys)

    def put_stories(self, items):
        self._put("stories", "key", items)

    def get_clustering(self, scope):
        return self.cache._get_parts("clusterings", "scope", [scope]).get(scope)

    def put_clustering(self, scope, make):
        if self.defer:  # made when written (by the write-behind child: not on the way to the screen)
            self._clusterings[scope] = make
        else:
            self._put("clusterings", "scope", {scope: make()})


# ------------------------------------------------------------------ write-behind
_WRITERS: list[int] = []  # forked children still writing an analysis (``_write_behind``)
#: Seconds a write-behind child may take before it is given up (killed: the cache is left as it
#: was, a WAL transaction never half-applied).  A 20k-article analysis writes in ~10 s.  The bound
#: matters if a child ever hangs: it was forked from a process whose other threads may have held
#: a lock (e.g. SQLite's allocator mutex, used by the triage store) at the moment of the fork.
WRITE_LIMIT = 120.0


def _write_behind(
    path: Path,
    key: str,
    analysis: Analysis,
    stat: str | None,
    summaries: Sequence[StorySummary] | None,
    memo: _SqliteMemo | None = None,
) -> bool:
    """Write an analysis to the cache at ``path`` from a forked child, so that the caller can show
    it at once (packing and writing 10k articles takes about a second).  The child opens its own
    connection and leaves with ``os._exit``.  The caller must have closed its connections to that
    file first: SQLite keeps POSIX locks per process, and a child that inherits an open connection's
    lock records believes it holds locks it does not (the parent's checkpoint then loses its write).
    ``summaries`` None: the child makes them.  Returns False when this platform cannot fork (the
    caller writes it itself)."""
    if not hasattr(os, "fork"):
        return False
    _reap(block=False)
    try:
        pid = os.fork()
    except OSError:
        return False
    if pid == 0:  # the child: write, and leave without running the parent's exit handlers
        code = 1
        try:
            import signal

            for sig in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", signal.SIGTERM)):
                signal.signal(sig, signal.SIG_DFL)  # not the parent's handlers: a signal ends the write
            if hasattr(signal, "SIGALRM"):  # never outlive WRITE_LIMIT, even if nobody waits
                signal.signal(signal.SIGALRM, signal.SIG_DFL)
                signal.alarm(int(WRITE_LIMIT) + 1)
            gc.disable()
            cache = AnalysisCache(path)
            if memo is not None:
                memo.flush(cache)  # the parts first: the analysis row is what a reopen looks for
            cache.put(key, analysis, stat=stat, summaries=summaries)
            cache.close()
            code = 0
        finally:
            os._exit(code)
    if not _WRITERS:
        import atexit

        atexit.register(wait_for_writes)
    _WRITERS.append(pid)
    return True


def _reap(block: bool, limit: float = WRITE_LIMIT) -> None:
    deadline = time.monotonic() + limit
    for pid in list(_WRITERS):
        while True:
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done = pid
            if done or not block:
                break
            if time.monotonic() > deadline:  # a hung writer: give the write up
                try:
                    os.kill(pid, 9)
                    os.waitpid(pid, 0)
                except (ChildProcessError, ProcessLookupError):
                    pass
                done = pid
                break
            time.sleep(0.01)
        if done:
            _WRITERS.remove(pid)


def wait_for_writes(limit: float = WRITE_LIMIT) -> None:
    """Wait for this process's analysis writes (a reopen from the same process then sees them;
    run at exit, so that the next process does); a writer still busy after ``limit`` seconds is
    killed (the cache keeps what it had)."""
    _reap(block=True, limit=limit)


@dataclass
class Listing:
    """The inputs of one open, as found on disk, and what the cache already knows of them.

    ``open_listing`` costs a directory walk, one ``stat`` per file and one small query: with
    ``summaries`` set, the stories list can be shown before ``load_analysis`` has built the
    analysis (pass it the listing so the files are not walked again)."""

    files: list[Path]
    skipped: list[Skipped]  # inputs that are not articles (discover)
    one_story: bool = False
    stat: str | None = None  # stat key of ``files``, None when the cache is off or a file vanished
    key: str | None = None  # content key the cache has for ``stat``
    summaries: list[StorySummary] | None = None  # the stories list of the analysis ``key``
    unread: list[Skipped] = field(default_factory=list)  # listed files that could not be read then
    notes: list[str] = field(default_factory=list)

    @property
    def all_skipped(self) -> tuple[Skipped, ...]:
        return tuple(self.skipped) + tuple(self.unread)


def listing_bytes(listing: Listing) -> bytes:
    """``listing`` for another process (``listing_from_bytes``): its files as strings, which
    unpickle several times faster than paths."""
    return pickle.dumps(
        (
            [str(f) for f in listing.files],
            listing.skipped,
            listing.one_story,
            listing.stat,
            listing.key,
            listing.summaries,
            listing.unread,
            listing.notes,
        ),
        protocol=pickle.HIGHEST_PROTOCOL,
    )


def listing_from_bytes(data: bytes) -> Listing:
    files, skipped, one_story, stat, key, summaries, unread, notes = pickle.loads(data)
    return Listing(list(map(Path, files)), skipped, one_story, stat, key, summaries, unread, notes)


def open_listing(paths, *, one_story: bool = False, use_cache: bool = True) -> Listing:
    """Walk the inputs and look up the stories list cached for them exactly as they are on disk."""
    from . import paths as wpaths
    from .core.ingest import discover

    files, skipped = discover(paths)
    listing = Listing(files, skipped, one_story)
    if not use_cache or not files:
        return listing
    wait_for_writes()  # an analysis this process is still writing
    cache = AnalysisCache(wpaths.cache_db())
    try:
        if not cache.enabled:
            return listing
        listing.stat = stat_key(files, one_story=one_story)
        listing.key = cache.key_for_stat(listing.stat) if listing.stat else None
        got = cache.get_summaries(listing.key) if listing.key else None
        if got is not None:
            listed = {str(f) for f in files}
            listing.summaries = got[0]
            listing.unread = [s for s in got[1] if s.path in listed]
        _notes(cache, listing.notes)
    finally:
        cache.close()
    return listing


def scope_key(paths, *, one_story: bool = False) -> str:
    """Names the inputs as given (not their contents): the scope of their last clustering."""
    h = hashlib.sha256(f"wirediff-scope/{int(one_story)}\n".encode())
    for p in paths:
        h.update(f"{os.path.abspath(p)}\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def load_analysis(
    paths,
    *,
    one_story: bool = False,
    progress=None,
    use_cache: bool = True,
    listing: Listing | None = None,
    incremental: bool = True,
    write_behind: bool = False,
):
    """Serve the cached analysis of exactly these inputs, or analyse anew (reusing what is cached
    of unchanged articles and stories).

    Returns ``(analysis, notes)`` where notes are one-line messages about the cache for the user.
    With ``listing`` (from ``open_listing`` of the same paths) the inputs are not walked again, and
    ``listing.summaries`` is set to the stories list of the analysis returned.  With
    ``incremental``, articles added since the inputs' last clustering join its stories
    (``analyze_sources(scope=...)``) instead of everything being clustered again.  With
    ``write_behind``, a new analysis is written to the cache by a forked child while it is
    returned (``wait_for_writes`` waits for it; it is also waited for at exit).  The cyclic
    garbage collector is paused meanwhile (``tui.core.gcquiet``)."""
    from .core.gcquiet import quiet_gc

    with quiet_gc():
        return _load_analysis(paths, one_story, progress, use_cache, listing, incremental, write_behind)


def _load_analysis(paths, one_story, progress, use_cache, listing, incremental, write_behind):
    import dataclasses

    from . import paths as wpaths
    from .core.gcquiet import release_later
    from .core.ingest import discover

    notes: list[str] = []
    wait_for_writes()  # an analysis this process is still writing
    if listing is not None and listing.one_story != one_story:
        listing = None
    cache = AnalysisCache(wpaths.cache_db()) if use_cache else None
    summaries: list[StorySummary] | None = None
    stats: list[FileStat] | None = None  # taken here (not a listing's, which may be older)
    try:
        if listing is not None:
            files, skipped = listing.files, list(listing.skipped)
            notes.extend(listing.notes)
            stat = listing.stat if cache and cache.enabled else None
            if stat is None and cache and cache.enabled and use_cache and files:
                stat = stat_key(files, one_story=one_story)
        else:
            files, skipped = discover(paths)
            stat = None
            if cache and cache.enabled:
                stats = file_stats(files)
                stat = stat_key(files, one_story=one_story, stats=stats) if stats is not None else None
        if cache and stat:
            key = listing.key if listing is not None and listing.stat == stat else cache.key_for_stat(stat)
            hit = cache.get(key) if key else None
            if hit is not None:
                listed = {str(f) for f in files}
                unread = [s for s in hit.skipped if s.path in listed]  # files that could not be read then
                if progress:
                    progress("read", len(files), len(files))
                if listing is not None:
                    if listing.key != key or listing.summaries is None:
                        listing.summaries = summarize(hit)
                        cache.put_summaries(key, listing.summaries, hit.skipped)
                    listing.unread = unread
                return dataclasses.replace(hit, skipped=tuple(skipped) + tuple(unread)), _notes(cache, notes)
        # (the engine is imported only now: a cached analysis is served without it, ~0.2 s sooner)
        from .core.pipeline import analyze_sources, read_and_prepare

        # (texts the cache has not prepared are prepared while the rest is read: wasted only if
        # the whole analysis turns out to be cached, which needs them all to be prepared already)
        memo = cache.memo(defer=write_behind, files=files_scope(paths), stats=stats) if cache and cache.enabled else None
        sources, unread, made = read_and_prepare(files, memo, progress=progress)
        skipped = skipped + unread
        key = cache_key(sources, one_story=one_story)
        hit = cache.get(key) if cache else None
        if hit is not None:
            analysis = dataclasses.replace(hit, skipped=tuple(skipped))
            if listing is not None:
                summaries = summarize(analysis)
                cache.put_summaries(key, summaries, hit.skipped)
        else:
            scope = scope_key(paths, one_story=one_story) if incremental and memo is not None else None
            analysis = analyze_sources(
                sources, skipped=skipped, one_story=one_story, progress=progress, memo=memo, scope=scope, made=made
            )
            if cache and sources:
                # (without a listing to fill, a write-behind child makes the stories list)
                summaries = summarize(analysis) if listing is not None or not (write_behind and cache.enabled) else None
                stored = dataclasses.replace(analysis, skipped=tuple(unread))
                if write_behind and cache.enabled:
                    # (SQLite's locks are per process: no connection of ours may be open across the fork)
                    cache.close()
                    if not _write_behind(cache.path, key, stored, stat, summaries, memo):
                        cache = AnalysisCache(cache.path)
                        if memo is not None:
                            memo.flush(cache)
                        cache.put(key, stored, stat=stat, summaries=summaries)
                else:
                    if memo is not None:
                        memo.flush()
                    cache.put(key, stored, stat=stat, summaries=summaries)
        if cache and stat and hit is not None:
            cache.link_stat(stat, key)  # same contents, new stat (a touched file): next open skips reading
        if listing is not None:
            listing.summaries = summaries if summaries is not None else summarize(analysis)
            listing.unread = list(unread)
            listing.key = key if cache else None
        # what was read and remembered, freed meanwhile (tui.core.gcquiet); the files are the
        # listing's when there is one
        release_later(sources, made, memo, *([files] if listing is None else []))
        return analysis, _notes(cache, notes)
    finally:
        if cache:
            cache.close()


def _notes(cache: AnalysisCache | None, notes: list[str]) -> list[str]:
    if cache and cache.problem:
        notes.append(cache.problem)
    return notes
