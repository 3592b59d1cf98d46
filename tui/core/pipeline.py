"""analyze(paths) -> Analysis: the one-way flow, stage by stage.

files → ingest → segment → boilerplate (own cues) → cluster → align (per story)
      → boilerplate (story evidence) → provenance → Analysis

Per-article preparation (header, segments, own-cue labels, norms, clustering features) depends on the
text alone: for large inputs it runs on worker processes while the files are still being read
(``read_and_prepare``), and it can be remembered by content digest.
Each story's alignment and in-context labels depend only on its articles' texts (in order) and on
which of their lines repeat under other stories: a ``Memo`` can remember them by that key, so an
incremental re-analysis redoes only the stories whose articles changed.
"""

from __future__ import annotations

import copyreg
import gc
import hashlib
import os
import threading
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate, chain, compress, repeat
from operator import attrgetter, sub
from typing import Any

from . import ENGINE_VERSION
from .align import AlignInput, align
from .boilerplate import Label, label_in_context, label_own
from .cluster import ClusterDoc, DocFeatures, body_features, cluster, salient_words
from .gcquiet import quiet_gc, release_later
from .grow import GROW_FRACTION, GROW_MIN, Fam, extend_families
from .increment import StoryIndex, cluster_then_index, extend, needs_full, update_index
from .ingest import Header, InputError, Source, discover, infer_outlet, parse_header, read_source
from .memo import Memo
from .model import (
    Analysis,
    Article,
    Family,
    MemberColumns,
    MemberRows,
    SentenceRows,
    Skipped,
    Story,
)
from .text import Segment, normalize_many, segment, words

Progress = Callable[[str, int, int], None]

#: Path-independent preparation of one article, plain data (picklable, cacheable by digest):
#: (header, flat (start, end, line) triples as an int64 array, own-cue labels (shared objects: see
#: ``_label``), norms, the article's ``cluster.doc_features`` from its body text and salient words,
#: how many distinct words the body has: the features list them first, title-only words after)
Prepared = tuple[Header, array, tuple[Label, ...], list[str], DocFeatures, int]
#: A story's families as columns (after the in-context labels dropped non-body members): per
#: family its kind, score and number of members; per member its article's position in the story,
#: its sentence index, and how many ints of the flat (start, end) pairs its shared and differing
#: spans take, then those pairs: (kinds, scores, sizes, pos, sent, shared_n, shared, differs_n,
#: differs).  ``_assemble`` reads a whole folder's members in this form (``MemberColumns``).
StoryFamilies = tuple[list[str], list[float], array, array, array, array, array, array, array]


def _no_families() -> StoryFamilies:
    """Empty ``StoryFamilies`` columns, to be filled."""
    return ([], [], array("q"), array("q"), array("q"), array("q"), array("q"), array("q"), array("q"))


#: One story's result: its families, and per article the labels the story's evidence changed,
#: as (sentence, role, kind).
StoryResult = tuple[StoryFamilies, list[tuple[tuple[int, str, "str | None"], ...]]]

#: The last clustering of a folder (a ``scope``): its articles as "path\0digest" keys in index order,
#: the groups over those indices and the ``StoryIndex`` that lets new articles join them.
Clustering = tuple[list[str], list[list[int]], StoryIndex]

PARALLEL_MIN = 500  # articles below which a process pool costs more than it saves
GROW_COST = 8  # a new article joining a story costs about as much as this many aligned afresh

def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


#: Worker processes for the parallel stages: the CPUs this process may use (at most 8);
#: ``WIREDIFF_WORKERS`` overrides (1 = everything in this process).
WORKERS = int(_w) if (_w := os.environ.get("WIREDIFF_WORKERS", "").strip()).isdigit() and int(_w) > 0 else min(8, _cpus())


@dataclass(slots=True)
class _Doc:
    """Working state of one article while the pipeline runs."""

    source: Source
    header: Header
    outlet: str
    outlet_cue: str
    flat: array  # the segments' (start, end, line) triples, flat (``Prepared``)
    labels: list[Label]
    norms: list[str]
    features: DocFeatures
    n_body_words: int  # the first n distinct words of ``features`` are the body's
    _segments: list[Segment] | None = None

    @property
    def segments(self) -> list[Segment]:
        """The segments, made on first use (only the per-story stage needs them as objects)."""
        segs = self._segments
        if segs is None:
            f = self.flat
            segs = self._segments = list(map(tuple.__new__, repeat(Segment), zip(f[0::3], f[1::3], f[2::3])))
        return segs


def analyze(
    paths: Iterable[str | os.PathLike[str]],
    *,
    one_story: bool = False,
    progress: Progress | None = None,
) -> Analysis:
    """Analyse the text files under ``paths`` (files or folders)."""
    with quiet_gc():
        files, skipped = discover(paths)
        sources, unread, made = read_and_prepare(files, progress=progress)
        analysis = analyze_sources(sources, skipped=skipped + unread, one_story=one_story, progress=progress, made=made)
        release_later(files, sources, made)
        return analysis


def read_inputs(
    paths: Iterable[str | os.PathLike[str]], *, progress: Progress | None = None
) -> tuple[list[Source], list[Skipped]]:
    """Find and decode the input files; unreadable ones become ``Skipped`` with a one-line reason."""
    files, skipped = discover(paths)
    sources, unread = read_files(files, progress=progress)
    return sources, skipped + unread


def read_files(files: Sequence[os.PathLike[str]], *, progress: Progress | None = None) -> tuple[list[Source], list[Skipped]]:
    """Decode found files; unreadable ones become ``Skipped`` with a one-line reason."""
    skipped: list[Skipped] = []
    sources: list[Source] = []
    for i, got in enumerate(_read_many(files)):
        if isinstance(got, Skipped):
            skipped.append(got)
        else:
            sources.append(got)
        if progress and (i % 200 == 0 or i == len(files) - 1):
            progress("read", i + 1, len(files))
    return sources, skipped


#: Preparations made while the files were read (``read_and_prepare``): digest -> (the
#: preparation, the path it was read from, that path's (outlet, cue)).
Made = dict[str, tuple[Prepared, str, tuple[str, str]]]


#: Files to read beside those a ``Memo`` holds from which ``read_and_prepare`` prepares them on
#: a pool of forked workers while it takes the memo's sources.  With fewer files than that but
#: ``ASIDE_MIN`` texts or more to prepare, one forked child prepares them meanwhile
#: (``_call_aside``: no pool to start; at +100 on a 10k folder the 100 texts' 0.15 s came off the
#: wall time); with fewer texts still, ``analyze_sources`` prepares them.
OVERLAP_MIN = 200
ASIDE_MIN = 16


def read_and_prepare(
    files: Sequence[os.PathLike[str]], memo: Memo | None = None, *, progress: Progress | None = None
) -> tuple[list[Source], list[Skipped], Made]:
    """``read_files``, and meanwhile the preparation of each distinct text ``memo`` has not
    prepared (``analyze_sources(made=...)`` takes it).

    Files that ``memo`` holds as they are on disk (``Memo.unchanged``) are not read: their
    sources come from it (``Memo.get_sources``), and it is told what this run read and with which
    status (``Memo.put_sources``).  From ``PARALLEL_MIN`` files to read, ``WORKERS`` forked
    processes prepare one batch of texts while this process reads the next: reading overlaps
    preparing, instead of a pool of readers that every preparation waits for.  The texts reach
    the workers pickled, the pool being forked before they are read.  From ``OVERLAP_MIN`` files
    to read beside files the memo holds, ``WORKERS - 1`` processes prepare them while this one
    takes the memo's sources.  Fewer files, or no fork: only reads (``analyze_sources`` prepares)."""
    from time import time_ns

    from .ingest import read_source_stat
    from .memo import FileStat, file_stat

    memo = memo or Memo()
    n = len(files)
    held = memo.unchanged(files) if n else {}
    todo = [i for i in range(n) if i not in held] if held else range(n)
    got: list[Source | Skipped | None] = [None] * n
    stats: list[FileStat | None] = [None] * n

    def read(positions: Sequence[int]) -> None:
        now = time_ns()
        for i in positions:
            f = files[i]
            try:
                got[i], st = read_source_stat(f)  # type: ignore[arg-type]
            except InputError as e:
                got[i] = Skipped(str(f), str(e))
                continue
            stats[i] = file_stat(st, now)

    def take_held() -> list[int]:
        """The memo's sources of the files it holds; those it could not give after all, to read."""
        served = memo.get_sources(files) if held else {}
        for i, s in served.items():
            got[i] = s
            stats[i] = held[i]
        return [i for i in held if i not in served] if len(served) < len(held) else []

    workers = 0
    if WORKERS >= 2 and (len(todo) >= PARALLEL_MIN or (held and len(todo) >= OVERLAP_MIN)) and _can_fork():
        workers = WORKERS if len(todo) >= PARALLEL_MIN else WORKERS - 1
    made: Made = {}
    if not workers:
        for lo, hi in _batches(len(todo), 1):
            read(todo[lo:hi])
            if progress:
                progress("read", len(held) + hi, n)
        aside = None
        if held and WORKERS >= 2 and len(todo) >= ASIDE_MIN and _can_fork():
            batch = _unprepared([got[i] for i in todo], memo)
            if len(batch) >= ASIDE_MIN:
                aside = _call_aside(_prepare_batch, [(s.path, s.raw) for s in batch])
        try:
            read(take_held())  # (while the child prepares)
        finally:
            preps = aside() if aside is not None else None
        if preps is not None:
            for s, (prep, outlet) in zip(batch, preps):
                made[s.digest] = (prep, s.path, outlet)
        if progress and not todo:
            progress("read", n, n)
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        seen: set[str] = set()
        sent = []
        with _FORK_LOCK, ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:

            def send(positions: Sequence[int]) -> None:
                batch: list[Source] = []
                for i in positions:
                    s = got[i]
                    if isinstance(s, Source) and s.digest not in seen:
                        seen.add(s.digest)
                        batch.append(s)
                known = memo.known_prepared([s.digest for s in batch])
                batch = [s for s in batch if s.digest not in known]
                if batch:
                    sent.append((batch, pool.submit(_prepare_batch, [(s.path, s.raw) for s in batch])))

            for lo, hi in _batches(len(todo), workers):
                read(todo[lo:hi])
                send(todo[lo:hi])
                if progress:
                    progress("read", len(held) + hi, n)
            missing = take_held()  # while the workers prepare
            read(missing)
            send(missing)
            todo_n = sum(len(batch) for batch, _fut in sent)
            for batch, fut in sent:
                for s, (prep, outlet) in zip(batch, fut.result()):
                    made[s.digest] = (prep, s.path, outlet)
                if progress:
                    progress("segment", len(made), todo_n)
    sources: list[Source] = []
    skipped: list[Skipped] = []
    rows: list[tuple[Source, FileStat | None]] = []
    for s, st in zip(got, stats):
        if isinstance(s, Source):
            sources.append(s)
            rows.append((s, st))
        elif s is not None:
            skipped.append(s)
    memo.put_sources(rows)
    return sources, skipped, made


def _unprepared(got: Sequence[Source | Skipped | None], memo: Memo) -> list[Source]:
    """The sources among ``got`` with a text of their own (the first of each) that ``memo`` has
    not prepared."""
    seen: dict[str, Source] = {}
    for s in got:
        if isinstance(s, Source):
            seen.setdefault(s.digest, s)
    known = memo.known_prepared(list(seen))
    return [s for d, s in seen.items() if d not in known]


def _call_aside(fn: Callable, *args) -> Callable[[], Any] | None:
    """``fn(*args)`` in a forked child while this process goes on (no pool: a fork, a pipe):
    call what is returned for the result, which waits for the child, or None if the child
    failed (the caller then does the work itself, and a bug shows there).  None when it cannot
    fork.  The result must be called (it reaps the child)."""
    import pickle

    r, w = os.pipe()
    try:
        with _FORK_LOCK:
            pid = os.fork()
    except OSError:
        os.close(r)
        os.close(w)
        return None
    if pid == 0:  # the child: only computes and writes (nothing of the parent's is closed)
        code = 1
        try:
            os.close(r)
            gc.disable()
            view = memoryview(pickle.dumps(fn(*args), protocol=pickle.HIGHEST_PROTOCOL))
            while view:
                view = view[os.write(w, view) :]
            code = 0
        finally:
            os._exit(code)
    os.close(w)

    def result() -> Any:
        chunks = []
        try:
            while chunk := os.read(r, 1 << 20):
                chunks.append(chunk)
        finally:
            os.close(r)
            status = os.waitpid(pid, 0)[1]
        if status != 0 or not chunks:
            return None
        return pickle.loads(b"".join(chunks))

    return result


def _batches(n: int, workers: int) -> list[tuple[int, int]]:
    """Bounds of the batches ``read_and_prepare`` sends: about 8 per worker, but a quarter of
    that size for the first ``workers`` (every worker starts as soon as a few files are read)
    and for the last quarter of the files (the workers finish within a small batch of each
    other)."""
    big = max(50, -(-n // (workers * 8)))
    small = max(25, big // 4)
    out: list[tuple[int, int]] = []
    lo = 0
    while lo < n:
        hi = min(n, lo + (small if len(out) < workers or lo >= n - n // 4 else big))
        out.append((lo, hi))
        lo = hi
    return out


def _prepare_batch(items: Sequence[tuple[str, str]]) -> list[tuple[Prepared, tuple[str, str]]]:
    """``_prepare_one`` of (path, text) pairs, in a forked worker."""
    gc.disable()  # a forked worker: short-lived, and a collection would touch the parent's pages
    return [_prepare(raw, path) for path, raw in items]


def _read_one(f: os.PathLike[str]) -> Source | Skipped:
    try:
        return read_source(f)
    except InputError as e:
        return Skipped(str(f), str(e))


def _read_many(files: Sequence[os.PathLike[str]]) -> list[Source | Skipped]:
    """Read and decode ``files`` in order, on ``WORKERS`` forked processes when there are many."""
    return _forked_map(_read_one, files)


# The function and items a forked ``_forked_map`` worker reads (set before the pool forks; never pickled).
_FORK_JOB: tuple[Callable | None, Sequence] = (None, ())


def _run_chunk(lo: int, hi: int) -> list:
    gc.disable()  # a forked worker: short-lived, and a collection would touch the parent's pages
    fn, items = _FORK_JOB
    return [fn(x) for x in items[lo:hi]]  # type: ignore[misc]


def _forked_map(fn: Callable, items: Sequence) -> list:
    """``[fn(x) for x in items]``, in order, over ``WORKERS`` forked processes from ``PARALLEL_MIN``
    items (``fn`` a module-level function; the items reach the workers through the fork)."""
    global _FORK_JOB
    if len(items) < PARALLEL_MIN or WORKERS < 2 or not _can_fork():
        return [fn(x) for x in items]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    chunk = max(50, -(-len(items) // (WORKERS * 8)))
    with _FORK_LOCK:
        _FORK_JOB = (fn, items)
        try:
            with ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context("fork")) as pool:
                parts = [pool.submit(_run_chunk, lo, lo + chunk) for lo in range(0, len(items), chunk)]
                return [got for part in parts for got in part.result()]
        finally:
            _FORK_JOB = (None, ())


def analyze_texts(texts: Sequence[tuple[str, str]], *, one_story: bool = False) -> Analysis:
    """Analyse in-memory ``(name, text)`` pairs (tests, fuzzing, the benchmark)."""
    import hashlib

    sources = [
        Source(name, text, hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(), "utf-8")
        for name, text in texts
    ]
    return analyze_sources(sources, one_story=one_story)


def analyze_sources(
    sources: Sequence[Source],
    *,
    skipped: Sequence[Skipped] = (),
    one_story: bool = False,
    progress: Progress | None = None,
    memo: Memo | None = None,
    scope: str | None = None,
    made: Made | None = None,
) -> Analysis:
    """``made``: the preparations ``read_and_prepare`` made while reading ``sources``.

    ``scope`` names the folder being analysed (the caller's choice, e.g. a hash of its paths):
    with a ``memo`` that remembers the folder's last clustering, articles added since then join
    its stories incrementally (``tui.core.increment``) instead of re-clustering everything.

    The cyclic garbage collector is paused while it runs (``quiet_gc``)."""
    with quiet_gc():
        return _analyze_sources(sources, skipped, one_story, progress, memo, scope, made or {})


def _analyze_sources(
    sources: Sequence[Source],
    skipped: Sequence[Skipped],
    one_story: bool,
    progress: Progress | None,
    memo: Memo | None,
    scope: str | None,
    made: Made,
) -> Analysis:
    memo = memo or Memo()
    docs = _prepare_all(sources, memo, made)
    if progress:
        progress("segment", len(docs), len(docs))

    # Stories, from the body text each article's own cues leave.  The lines each outlet has in
    # two articles are found meanwhile, on a thread, when the articles are clustered afresh (the
    # clustering spends most of its time in numpy, which lets another thread run; joining a few
    # new articles to the stories does not, and there the thread would only slow it).
    added: set[int] = set()  # articles that joined the folder's last clustering
    lines = _Beside(_lines_in_two, docs)
    if one_story or len(docs) <= 1:
        groups = [list(range(len(docs)))] if docs else []
    else:
        groups, added = _stories_of(docs, memo, scope, lines.start)
    in_two = lines.result()
    if progress:
        progress("cluster", len(docs), len(docs))

    story_of = {i: si for si, g in enumerate(groups) for i in g}
    repeated = _repeated_lines(docs, story_of, in_two)
    rep_of: dict[int, list[int]] = defaultdict(list)
    for di, j in sorted(repeated):
        rep_of[di].append(j)
    keys = [_story_key(docs, g, rep_of) for g in groups]
    known = memo.get_stories(keys)
    fresh: dict[str, StoryResult] = {}

    todo = [si for si, group in enumerate(groups) if not _fits(known.get(keys[si]), docs, group)]
    grow = _growable(docs, groups, rep_of, todo, added, memo)
    done = _stories_many(docs, groups, rep_of, todo, progress, grow)
    # every story's families, end to end
    cols = _no_families()
    for si, group in enumerate(groups):
        res = done.get(si)
        if res is None:
            res = known[keys[si]]
        else:
            fresh[keys[si]] = res
        fams, labels = res[0], res[1]
        for p, di in enumerate(group):
            if labels[p]:
                d = docs[di]
                d.labels = list(d.labels)
                for j, role, kind in labels[p]:
                    d.labels[j] = _label(role, kind)
        for k, col in enumerate(fams[:9]):  # (not the members' variants)
            if k == 3:  # positions in the story -> articles
                cols[k].extend(map(group.__getitem__, col))
            else:
                cols[k].extend(col)  # type: ignore[attr-defined]
    if progress:
        progress("align", len(groups), len(groups))
    if fresh:
        memo.put_stories(fresh)
    analysis = _assemble(docs, groups, cols, skipped)
    release_later(docs, known, done)  # (the working state, freed meanwhile: see tui.core.gcquiet)
    return analysis


def _assemble(docs: Sequence[_Doc], groups: Sequence[Sequence[int]], fams: StoryFamilies, skipped: Sequence[Skipped]) -> Analysis:
    """The analysis of ``docs`` in ``groups`` with ``fams`` (positions in ``fams`` read as
    article indices)."""
    aids = [f"a{di}" for di in range(len(docs))]
    kinds, scores, sizes, doc, sent, shared_n, shared, differs_n, differs = fams
    cols = MemberColumns(aids, doc, sent, _offsets(shared_n), shared, _offsets(differs_n), differs)
    fids = [f"f{fi}" for fi in range(len(kinds))]
    fam_at, firsts = _family_places(docs, fids, sizes, doc, sent)
    families: list[Family] = []
    lo = 0
    for fid, kind, score, size, k in zip(fids, kinds, scores, sizes, firsts):
        hi = lo + size
        families.append(Family(fid, kind, MemberRows(cols, lo, hi), None if k < 0 else cols.sentence(lo + k), score))  # type: ignore[arg-type]
        lo = hi

    articles = []
    for di, d in enumerate(docs):
        aid = aids[di]
        # (the start, end, line, role and kind columns made when first asked for)
        sents = SentenceRows.from_flat(aid, d.source.raw, d.flat, d.labels, fam_at[di])
        articles.append(
            Article(
                aid,
                d.source.path,
                d.source.raw,
                d.source.digest,
                d.source.encoding,
                d.outlet,
                d.outlet_cue,
                d.header.title,
                d.header.published,
                d.header.url,
                sents,
            )
        )

    stories = [
        Story(f"c{si}", _story_title(articles, g), tuple(aids[di] for di in g)) for si, g in enumerate(groups)
    ]
    return Analysis(tuple(articles), tuple(stories), tuple(families), tuple(skipped), ENGINE_VERSION)


def _family_places(
    docs: Sequence[_Doc], fids: Sequence[str], sizes: Sequence[int], doc: array, sent: array
) -> tuple[list[list[str | None]], list[int]]:
    """Per article, the family of each of its sentences (None: in none); and per family where
    its first carrier is among its members (``provenance.first_index`` of their articles'
    publication dates: -1 when one is missing or the earliest is shared).  In numpy: a 10k
    folder's families hold ~180k members."""
    import numpy as np

    n = len(docs)
    counts = np.fromiter((len(d.labels) for d in docs), dtype=np.int64, count=n)
    starts = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    if not fids:
        return [[None] * int(c) for c in counts], []
    d_of = np.frombuffer(doc, dtype=np.int64) if isinstance(doc, array) and doc.typecode == "q" else np.asarray(doc, dtype=np.int64)
    s_of = np.frombuffer(sent, dtype=np.int64) if isinstance(sent, array) and sent.typecode == "q" else np.asarray(sent, dtype=np.int64)
    size = np.asarray(sizes, dtype=np.int64)
    fam_of = np.repeat(np.arange(len(fids)), size)
    flat = np.full(int(starts[-1]), None, dtype=object)
    flat[starts[d_of] + s_of] = np.array(fids, dtype=object)[fam_of]
    fam_at = [flat[starts[i] : starts[i + 1]].tolist() for i in range(n)]
    # first carriers: the dates as ranks (ISO dates order as text), -1 for none
    published = [d.header.published for d in docs]
    dated = sorted({p for p in published if p is not None})
    rank_of = {p: r for r, p in enumerate(dated)}
    rank = np.fromiter((rank_of.get(p, -1) if p is not None else -1 for p in published), dtype=np.int64, count=n)[d_of]
    lo = np.zeros(len(fids), dtype=np.int64)
    np.cumsum(size[:-1], out=lo[1:])
    earliest = np.minimum.reduceat(rank, lo)
    at_earliest = rank == np.repeat(earliest, size)
    ties = np.add.reduceat(at_earliest.astype(np.int64), lo)
    pos = np.where(at_earliest, np.arange(len(rank)), len(rank))
    first = np.minimum.reduceat(pos, lo) - lo
    first[(earliest < 0) | (ties != 1)] = -1
    return fam_at, first.tolist()


def _offsets(counts: Sequence[int]) -> array:
    """``array("q", accumulate(counts, initial=0))``: in numpy for an int64 array (the members'
    span counts, ~180k at 10k articles)."""
    if not isinstance(counts, array) or counts.typecode != "q" or len(counts) < 1000:
        return array("q", accumulate(counts, initial=0))
    import numpy as np

    out = array("q", [0])
    out.frombytes(np.cumsum(np.frombuffer(counts, dtype=np.int64)).tobytes())
    return out


def _cluster_doc(d: _Doc) -> ClusterDoc:
    return ClusterDoc(d.header.title, (), d.header.published, features=d.features)


class _Beside:
    """``fn(*args)``, on a thread once ``start`` is called, else by ``result``."""

    def __init__(self, fn: Callable, *args) -> None:
        self._call = (fn, args)
        self._thread: threading.Thread | None = None
        self._out: list = []

    def start(self) -> None:
        fn, args = self._call

        def run() -> None:
            self._out.append(fn(*args))

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    def result(self):
        """The thread's value; made now when it was not started (or raised: then it raises here)."""
        if self._thread is not None:
            self._thread.join()
            if self._out:
                return self._out[0]
        fn, args = self._call
        return fn(*args)


def _stories_of(
    docs: Sequence[_Doc], memo: Memo, scope: str | None, before_full: Callable[[], None] = lambda: None
) -> tuple[list[list[int]], set[int]]:
    """Story groups: the folder's last clustering extended by the articles added since, when
    that is sound (only additions, not too many: ``needs_full``), else a full clustering (just
    before which ``before_full()`` is called); and the articles added since the last clustering
    (empty when there was none)."""
    if scope is None:
        before_full()
        return cluster([_cluster_doc(d) for d in docs]), set()
    keys = [f"{d.source.path}\0{d.source.digest}" for d in docs]
    pos = {k: i for i, k in enumerate(keys)}
    added: set[int] = set()  # (when too many were added to extend the last clustering)
    prev = memo.get_clustering(scope)
    if prev is not None and len(pos) == len(keys):
        try:
            old_keys, old_groups, index = prev
            old = [pos.get(k, -1) for k in old_keys]
            if -1 not in old and len(set(old)) == len(old):
                known = set(old)
                new = [i for i in range(len(docs)) if i not in known]
                if not new:
                    return sorted(sorted(old[j] for j in g) for g in old_groups), set()
                if not needs_full(index, len(new)):
                    new_docs = [_cluster_doc(docs[i]) for i in new]
                    ext = extend(index, old_groups, new_docs)
                    at = old + new
                    all_keys = old_keys + [keys[i] for i in new]
                    # (the index is brought up to date when the clustering is written: off the path)
                    memo.put_clustering(scope, lambda: (all_keys, ext, update_index(index, new_docs, ext)))
                    return sorted(sorted(at[j] for j in g) for g in ext), set(new)
                added = set(new)
        except (ValueError, TypeError, IndexError, KeyError, AttributeError):
            pass  # a clustering that does not fit these articles (a damaged cache): cluster afresh
    # (its index for the next run is made when the clustering is written: off the path)
    before_full()
    groups, make_index = cluster_then_index([_cluster_doc(d) for d in docs])
    memo.put_clustering(scope, lambda: (keys, groups, make_index()))
    return groups, added


def _story_key(docs: Sequence[_Doc], group: Sequence[int], rep_of: Mapping[int, list[int]]) -> str:
    """What a story's result depends on: its articles' texts in order, and their repeated lines."""
    h = hashlib.sha256(f"story/{ENGINE_VERSION}/{len(group)}\n".encode())
    for di in group:
        h.update(f"{docs[di].source.digest}:{','.join(map(str, rep_of.get(di, ())))}\n".encode())
    return h.hexdigest()


def _fits(res: StoryResult | None, docs: Sequence[_Doc], group: Sequence[int]) -> bool:
    """A remembered result has the shape of this story (a defence against a damaged cache)."""
    if res is None:
        return False
    try:
        fams, labels = res[0], res[1]
        if len(res) > 3 or (len(res) == 3 and not isinstance(res[2], int)):
            return False
        if len(fams) not in (9, 10):
            return False
        kinds, scores, sizes, pos, sent, shared_n, shared, differs_n, differs = fams[:9]
        n = len(pos)
        lens = [len(docs[di].labels) for di in group]
        return (
            (len(fams) == 9 or len(fams[9]) == n)  # (each member's variant, when recorded)
            and len(labels) == len(group)
            and all(0 <= j < lens[p] for p in range(len(group)) for j, _role, _kind in labels[p])
            and len(kinds) == len(scores) == len(sizes)
            and sum(sizes) == n == len(sent) == len(shared_n) == len(differs_n)
            and sum(shared_n) == len(shared)
            and sum(differs_n) == len(differs)
            and (n == 0 or (min(pos) >= 0 and max(pos) < len(group) and min(sent) >= 0))
            and all(map(int.__lt__, sent, map(lens.__getitem__, pos)))  # each sentence in its article
        )
    except (TypeError, ValueError):
        return False


def _story(docs: Sequence[_Doc], group: Sequence[int], rep_of: Mapping[int, list[int]]) -> StoryResult:
    """Align one story and refine its labels with the story's evidence; positions, not doc ids."""
    fams = _align_story(docs, group)
    linked: dict[int, set[int]] = defaultdict(set)
    for _kind, members, _shared, _differs, _score, _variants in fams:
        for p, sj in members:
            linked[p].add(sj)
    counts = _StoryWords(docs, group) if len(group) > 1 else None
    final: list[list[Label]] = []
    for p, di in enumerate(group):
        d = docs[di]
        others = None
        if counts is not None:
            # the story's counts less this article's own, looked up lazily (no copy per article)
            others = _Without(counts, di)
        reps = set(rep_of.get(di, ()))
        final.append(
            label_in_context(
                d.source.raw,
                d.segments,
                d.labels,
                linked=[j in linked[p] for j in range(len(d.segments))],
                repeated=[j in reps for j in range(len(d.segments))],
                story_words=others,
                norms=d.norms,
            )
        )
    out = (*_no_families(), array("q"))  # (with each member's variant in its family: see _grow_story)
    kinds, scores, sizes, pos, sent, shared_n, shared_col, differs_n, differs_col, var = out
    for kind, members, shared, differs, score, variants in fams:
        keep = [k for k, (p, sj) in enumerate(members) if final[p][sj].role == "body"]
        if len({members[k][0] for k in keep}) < 2:
            continue
        kinds.append(kind)
        scores.append(score)
        sizes.append(len(keep))
        for k in keep:
            p, sj = members[k]
            pos.append(p)
            sent.append(sj)
            shared_n.append(2 * len(shared[k]))
            shared_col.extend(chain.from_iterable(shared[k]))
            differs_n.append(2 * len(differs[k]))
            differs_col.extend(chain.from_iterable(differs[k]))
            var.append(variants[k])
    changed = []
    for p, di in enumerate(group):
        own = docs[di].labels
        changed.append(tuple((j, lab.role, lab.kind) for j, lab in enumerate(final[p]) if lab is not own[j]))
    return out, changed


def _growable(
    docs: Sequence[_Doc],
    groups: Sequence[Sequence[int]],
    rep_of: Mapping[int, list[int]],
    todo: Sequence[int],
    added: set[int],
    memo: Memo,
) -> dict[int, tuple[list[int], StoryResult]]:
    """The stories of ``todo`` that may grow (``tui.core.grow``) instead of being aligned afresh:
    their articles other than those just ``added`` are a story the memo holds the result of
    (same texts, same repeated lines), and the articles added to it since its last full
    alignment stay within ``GROW_FRACTION`` of it.  Story index -> (that story's articles, its
    result)."""
    if not added:
        return {}
    olds: dict[int, list[int]] = {}
    for si in todo:
        group = groups[si]
        old = [di for di in group if di not in added]
        if old and len(old) < len(group):
            olds[si] = old
    if not olds:
        return {}
    old_keys = {si: _story_key(docs, old, rep_of) for si, old in olds.items()}
    known = memo.get_stories(list(old_keys.values()))
    out: dict[int, tuple[list[int], StoryResult]] = {}
    for si, old in olds.items():
        res = known.get(old_keys[si])
        if res is None or len(res[0]) < 10 or not _fits(res, docs, old):
            continue  # (a result made before members' variants were recorded is not grown)
        grown = res[2] if len(res) > 2 else 0  # type: ignore[misc]
        base = len(old) - grown  # the articles of its last full alignment
        if base >= GROW_MIN and grown + len(groups[si]) - len(old) <= GROW_FRACTION * base:
            out[si] = (old, res)
    return out


def _grow_story(
    docs: Sequence[_Doc], group: Sequence[int], old: Sequence[int], res: StoryResult, rep_of: Mapping[int, list[int]]
) -> StoryResult:
    """``_story`` of ``group`` from the result ``res`` of its articles ``old``: the other
    articles' sentences join its families (``tui.core.grow``) and only their labels are refined
    with the story's evidence.  The result counts the articles added since the last full
    alignment (its third part)."""
    pos = {di: p for p, di in enumerate(group)}
    old_p = [pos[di] for di in old]
    olds = set(old)
    new_p = [p for p, di in enumerate(group) if di not in olds]
    (kinds, scores, sizes, fpos, fsent, shared_n, shared_c, differs_n, differs_c, var_c), old_changes = res[0], res[1]
    grown = res[2] if len(res) > 2 else 0  # type: ignore[misc]
    norms_at = [docs[di].norms for di in group]

    # the old families (members as positions in ``group``), their spans left in the columns
    fams: list[Fam] = []
    lo = 0
    for kind, score, size in zip(kinds, scores, sizes):
        hi = lo + size
        members = list(zip(map(old_p.__getitem__, fpos[lo:hi]), fsent[lo:hi]))
        # each member's normalized form, read once a variant (the members' own are left alone:
        # in a forked worker, touching every one of them would copy their pages)
        vs = var_c[lo:hi]
        first = dict(zip(reversed(vs), reversed(members)))  # variant -> its first member
        form = {v: norms_at[p][j] for v, (p, j) in first.items()}
        fams.append(
            Fam.recorded(kind, score, members, range(lo, hi), list(map((0).__eq__, differs_n[lo:hi])), list(map(form.__getitem__, vs)))
        )
        lo = hi

    def singles() -> list[tuple[int, int]]:
        """The old body sentences in no family (the labels as the story left them)."""
        linked = set(zip(map(old_p.__getitem__, fpos), fsent))
        out = []
        for q, di in enumerate(old):
            rs = list(map(_ROLE, docs[di].labels))
            for j, role, _kind in old_changes[q]:
                rs[j] = role
            p = old_p[q]
            out.extend((p, j) for j, r in enumerate(rs) if r == "body" and (p, j) not in linked)
        return out
    new: list[tuple[int, int]] = []
    for p in new_p:
        labels = docs[group[p]].labels
        new.extend(zip(repeat(p), compress(range(len(labels)), map(_BODY_ROLE, map(_ROLE, labels)))))

    def item(p: int, j: int) -> tuple[str, int, str]:
        d = docs[group[p]]
        a = d.flat[3 * j]
        return d.source.raw[a : d.flat[3 * j + 1]], a, d.norms[j]

    s_at = array("q", accumulate(shared_n, initial=0))
    d_at = array("q", accumulate(differs_n, initial=0))

    def recorded(r: int) -> tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]:
        sc, dc = shared_c[s_at[r] : s_at[r + 1]], differs_c[d_at[r] : d_at[r + 1]]
        return tuple(zip(sc[0::2], sc[1::2])), tuple(zip(dc[0::2], dc[1::2]))

    grown_fams, changed_fams = extend_families(fams, item, norms_at, singles, new, recorded)

    # the new articles' labels, refined with the story's evidence
    new_linked: dict[int, set[int]] = {p: set() for p in new_p}
    for fi in changed_fams:
        for p, sj in grown_fams[fi].members:
            if p in new_linked:
                new_linked[p].add(sj)
    counts = _StoryWords(docs, group)
    final: dict[int, list[Label]] = {}
    roles: dict[int, list[str]] = {}  # the new articles' roles
    for p in new_p:
        di = group[p]
        d = docs[di]
        reps = set(rep_of.get(di, ()))
        final[p] = label_in_context(
            d.source.raw,
            d.segments,
            d.labels,
            linked=[j in new_linked[p] for j in range(len(d.segments))],
            repeated=[j in reps for j in range(len(d.segments))],
            story_words=_Without(counts, di),
            norms=d.norms,
        )
        roles[p] = [lab.role for lab in final[p]]

    out = (*_no_families(), array("q"))
    kinds_o, scores_o, sizes_o, pos_o, sent_o, shared_no, shared_o, differs_no, differs_o, var_o = out

    def copy_rows(lo: int, hi: int) -> None:
        """The recorded members of rows lo..hi, as they were."""
        pos_o.extend(map(old_p.__getitem__, fpos[lo:hi]))
        sent_o.extend(fsent[lo:hi])
        shared_no.extend(shared_n[lo:hi])
        shared_o.extend(shared_c[s_at[lo] : s_at[hi]])
        differs_no.extend(differs_n[lo:hi])
        differs_o.extend(differs_c[d_at[lo] : d_at[hi]])
        var_o.extend(var_c[lo:hi])

    for fi, f in enumerate(grown_fams):
        if fi not in changed_fams:  # (as it was: its columns copied)
            lo, hi = f.rows[0], f.rows[-1] + 1
            kinds_o.append(f.kind)
            scores_o.append(f.score)
            sizes_o.append(hi - lo)
            copy_rows(lo, hi)
            continue
        # the leading members as they were (spans unchanged: their columns are copied), then
        # members one by one (a new article's only while its sentence stays body)
        rows = f.rows
        r0 = rows[0]
        lead = 0
        if r0 >= 0:
            gaps = list(map(sub, rows, range(r0, r0 + len(rows))))
            gap = next(filter(None, gaps), None)
            lead = len(rows) if gap is None else gaps.index(gap)
        ms = f.members
        rest = [m for m in range(lead, len(rows)) if ms[m][0] not in roles or roles[ms[m][0]][ms[m][1]] == "body"]
        if lead < 2 and len({ms[m][0] for m in [*range(lead), *rest]}) < 2:
            continue
        kinds_o.append(f.kind)
        scores_o.append(f.score)
        sizes_o.append(lead + len(rest))
        # variants: the recorded ones keep their numbers, the others are numbered after them
        number: dict[str, int] = {}
        if lead:
            copy_rows(r0, r0 + lead)
            number = dict(zip(f.norms[:lead], var_c[r0 : r0 + lead]))
        free = max(number.values(), default=-1) + 1
        for m in rest:
            p, sj = ms[m]
            v = number.get(f.norms[m])
            if v is None:
                v = number[f.norms[m]] = free
                free += 1
            var_o.append(v)
            pos_o.append(p)
            sent_o.append(sj)
            r = rows[m]
            if r >= 0:
                shared_no.append(shared_n[r])
                shared_o.extend(shared_c[s_at[r] : s_at[r + 1]])
                differs_no.append(differs_n[r])
                differs_o.extend(differs_c[d_at[r] : d_at[r + 1]])
            else:
                shared_no.append(2 * len(f.shared[m]))
                shared_o.extend(chain.from_iterable(f.shared[m]))
                differs_no.append(2 * len(f.differs[m]))
                differs_o.extend(chain.from_iterable(f.differs[m]))
    changed: list[tuple[tuple[int, str, str | None], ...]] = []
    old_q = {p: q for q, p in enumerate(old_p)}
    for p, di in enumerate(group):
        q = old_q.get(p)
        if q is not None:
            changed.append(tuple(old_changes[q]))
        else:
            own = docs[di].labels
            changed.append(tuple((j, lab.role, lab.kind) for j, lab in enumerate(final[p]) if lab is not own[j]))
    return out, changed, grown + len(new_p)


# What forked story workers read (set before the pool forks; never pickled).
_FORK_STORIES: tuple = ()


def _story_task(docs, groups, rep_of, grow, si) -> StoryResult:
    g = grow.get(si)
    if g is not None:
        return _grow_story(docs, groups[si], g[0], g[1], rep_of)
    return _story(docs, groups[si], rep_of)


def _stories_range(batch: Sequence[int]) -> list[tuple[int, StoryResult]]:
    gc.disable()  # a forked worker: short-lived, and a collection would touch the parent's pages
    docs, groups, rep_of, grow = _FORK_STORIES
    return [(si, _story_task(docs, groups, rep_of, grow, si)) for si in batch]


def _stories_many(
    docs: Sequence[_Doc],
    groups: Sequence[Sequence[int]],
    rep_of: Mapping[int, list[int]],
    todo: Sequence[int],
    progress: Progress | None,
    grow: Mapping[int, tuple[list[int], StoryResult]] | None = None,
) -> dict[int, StoryResult]:
    """``_story`` for the stories in ``todo`` (``_grow_story`` for those in ``grow``), on
    ``WORKERS`` forked processes when there is enough work.

    Stories are independent; the biggest go first so that the two workers finish together.  Workers
    read the docs through fork (copy-on-write, with the parent's objects frozen out of the
    collector's reach so that a collection in a child does not copy every page)."""
    out: dict[int, StoryResult] = {}
    grow = grow or {}
    # (in articles: a growing story counts its new ones, GROW_COST times)
    n_articles = sum(len(groups[si]) if si not in grow else GROW_COST * (len(groups[si]) - len(grow[si][0])) for si in todo)
    if n_articles < PARALLEL_MIN or WORKERS < 2 or len(todo) < 2 or not _can_fork():
        for k, si in enumerate(todo):
            out[si] = _story_task(docs, groups, rep_of, grow, si)
            if progress:
                progress("align", k + 1, len(todo))
        return out
    # the work of each story, in segments (a growing story's is about its new articles')
    cost = {
        si: sum(len(docs[di].labels) for di in (groups[si] if si not in grow else set(groups[si]).difference(grow[si][0])))
        * (GROW_COST if si in grow else 1)
        for si in todo
    }
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    global _FORK_STORIES
    order = sorted(todo, key=lambda si: -cost[si])
    # batches of roughly equal cost, biggest stories first; small stories share a batch
    target = max(1, sum(cost.values()) // (WORKERS * 16))
    batches: list[list[int]] = []
    acc = 0
    for si in order:
        if not batches or acc >= target:
            batches.append([])
            acc = 0
        batches[-1].append(si)
        acc += cost[si]
    with _FORK_LOCK:
        _FORK_STORIES = (docs, groups, rep_of, grow)
        gc.freeze()
        try:
            with ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context("fork")) as pool:
                futures = [pool.submit(_stories_range, b) for b in batches]
                for k, fut in enumerate(as_completed(futures)):
                    out.update(fut.result())
                    if progress:
                        progress("align", k + 1, len(futures))
        finally:
            gc.unfreeze()
            _FORK_STORIES = ()
    return out


class _StoryWords:
    """In how many of a story's articles each body word occurs, and per article the set of its
    body words: made on first use (most articles never ask: see ``label_in_context``, which
    only asks whether another article of the story has a word).  An article's distinct body
    words are the first ``n_body_words`` of its clustering features (made in preparation)."""

    __slots__ = ("_docs", "_group", "per_doc", "total")

    def __init__(self, docs: Sequence[_Doc], group: Sequence[int]):
        self._docs = docs
        self._group = group
        self.total: Counter[str] | None = None
        self.per_doc: dict[int, set[str]] = {}

    def words(self, di: int) -> list[str]:
        d = self._docs[di]
        w = d.features[0]
        if isinstance(w, str):
            return w.split(" ", d.n_body_words)[: d.n_body_words] if d.n_body_words else []
        return list(w[: d.n_body_words])

    def count(self) -> Counter[str]:
        if self.total is None:
            self.total = Counter(chain.from_iterable(map(self.words, self._group)))
        return self.total

    def own(self, di: int) -> set[str]:
        got = self.per_doc.get(di)
        if got is None:
            got = self.per_doc[di] = set(self.words(di))
        return got


class _Without(Mapping[str, int]):
    """In how many of a story's *other* articles each word occurs, computed per lookup (no copy
    of the story's counts for every article).  Like a Counter after ``subtract``, every word of
    the story is a key (possibly with count 0).  The counts are made on the first lookup."""

    __slots__ = ("_counts", "_di", "_own", "_total")

    def __init__(self, counts: _StoryWords, di: int):
        self._counts = counts
        self._di = di
        self._total: Mapping[str, int] | None = None
        self._own: set[str] = set()

    def _resolve(self) -> Mapping[str, int]:
        total = self._total = self._counts.count()
        self._own = self._counts.own(self._di)
        return total

    def __getitem__(self, w: str) -> int:  # 0 for a missing word, as a Counter
        total = self._total if self._total is not None else self._resolve()
        return total.get(w, 0) - (w in self._own)

    def get(self, w, default=None):
        total = self._total if self._total is not None else self._resolve()
        t = total.get(w)
        if t is None:
            return default
        return t - (w in self._own)

    def __contains__(self, w: object) -> bool:
        total = self._total if self._total is not None else self._resolve()
        return w in total

    def __iter__(self):
        total = self._total if self._total is not None else self._resolve()
        return iter(total)

    def __len__(self) -> int:
        total = self._total if self._total is not None else self._resolve()
        return len(total)


#: ``salient_words`` of sentence texts seen in this process (news copy repeats: on a folder of
#: wire copies most body sentences were seen before).  Emptied when it holds _SALIENT_MAX texts
#: (~100 MB at most with sentences of typical length).
_SALIENT: dict[str, tuple[str, ...]] = {}
_SALIENT_MAX = 200_000


def prepare_text(raw: str) -> Prepared:
    """Everything about one article that depends on its text alone."""
    header = parse_header(raw)
    segments = segment(raw)
    head: dict[int, Label] = {}
    if header.title_line:
        head[header.title_line] = Label("title")
    if header.date_line:
        head[header.date_line] = Label("meta", "date")
    if header.url_line:
        head[header.url_line] = Label("meta", "url")
    labels = label_own(raw, segments, head)
    norms = normalize_many(raw, segments)
    salient: list[str] = []
    memo = _SALIENT
    for lab, seg in zip(labels, segments):
        if lab.role == "body":
            text = raw[seg.start : seg.end]
            got = memo.get(text)
            if got is None:
                if len(memo) >= _SALIENT_MAX:
                    memo.clear()
                got = memo[text] = tuple(salient_words(text))
            salient.extend(got)
    features, n_body = body_features(header.title, [n for lab, n in zip(labels, norms) if lab.role == "body"], salient)
    flat = array("q", chain.from_iterable(segments))  # a Segment is the tuple (start, end, line)
    return header, flat, tuple([_label(lab.role, lab.kind) for lab in labels]), norms, features, n_body


_LABELS: dict[tuple[str, str | None], Label] = {}


def _label(role: str, kind: str | None = None) -> Label:
    """The one shared ``Label`` of ``role`` and ``kind``."""
    lab = _LABELS.get((role, kind))
    if lab is None:
        lab = _LABELS[(role, kind)] = Label(role, kind)
    return lab


# How preparation pickles (worker results, the per-article cache): a label as its (role, kind),
# read back as the shared ``Label`` (a blob's 25-odd labels are a few objects, each written
# once); a header as its fields.  (A frozen dataclass otherwise pickles as a state dict.)
copyreg.pickle(Label, lambda lab: (_label, (lab.role, lab.kind)))
copyreg.pickle(Header, lambda h: (Header, (h.title, h.title_line, h.published, h.date_line, h.url, h.url_line)))


def _doc(source: Source, prep: Prepared, outlet: tuple[str, str] | None = None) -> _Doc:
    header, flat, labels, norms, features, n_body = prep
    if outlet is None:
        outlet = infer_outlet(source.raw, header.url, source.path)
    return _Doc(source, header, outlet[0], outlet[1], flat, list(labels), list(norms), features, n_body)


def _prepare_one(s: Source) -> tuple[Prepared, tuple[str, str]]:
    return _prepare(s.raw, s.path)


def _prepare(raw: str, path: str) -> tuple[Prepared, tuple[str, str]]:
    """``prepare_text`` of a text, and the (outlet, cue) of the file it was read from."""
    prep = prepare_text(raw)
    return prep, infer_outlet(raw, prep[0].url, path)


def _prepare_many(sources: Sequence[Source]) -> list[tuple[Prepared, tuple[str, str]]]:
    """``prepare_text`` (and the outlet) of every source, on ``WORKERS`` processes when there are enough."""
    return _forked_map(_prepare_one, sources)


_FORK_LOCK = threading.Lock()


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _prepare_all(sources: Sequence[Source], memo: Memo, made: Made) -> list[_Doc]:
    """Each source's preparation: from ``made``, from the memo, or made now (once per distinct
    text); what was made (here or while reading) is lent to the memo."""
    known = memo.get_prepared([s.digest for s in sources if s.digest not in made])
    fresh: dict[str, Prepared] = {}
    outlets: dict[tuple[str, str], tuple[str, str]] = {**memo.known_outlets()}
    for digest, (prep, path, outlet) in made.items():
        fresh[digest] = prep
        outlets[(digest, path)] = outlet
    todo = [s for s in sources if s.digest not in known and s.digest not in fresh]
    # one preparation per distinct text
    seen: dict[str, Source] = {}
    for s in todo:
        seen.setdefault(s.digest, s)
    uniq = list(seen.values())
    if uniq:
        for s, (prep, outlet) in zip(uniq, _prepare_many(uniq)):
            fresh[s.digest] = prep
            outlets[(s.digest, s.path)] = outlet
    if fresh:
        memo.put_prepared(fresh)
        known = {**known, **fresh}
    return [_doc(s, known[s.digest], outlets.get((s.digest, s.path))) for s in sources]


_ROLE = attrgetter("role")
_BODY_ROLE = "body".__eq__


def _repeated_lines(
    docs: Sequence[_Doc], story_of: dict[int, int], in_two: Mapping[str, tuple[list[int], set[str]]] | None = None
) -> set[tuple[int, int]]:
    """Sentences an outlet repeats under different stories (its template, not its reporting).
    ``in_two``: ``_lines_in_two(docs)``, when made already."""
    where: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for outlet, (dis, twice) in (in_two if in_two is not None else _lines_in_two(docs)).items():
        if not twice or len({story_of[di] for di in dis}) < 2:
            continue
        # only the lines in two articles (rare) are looked at one by one; their body places kept
        for di in dis:
            d = docs[di]
            if twice.isdisjoint(d.norms):
                continue
            for j, n in enumerate(d.norms):
                if n in twice and d.labels[j].role == "body":
                    where[(outlet, n)].append((di, j))
    out: set[tuple[int, int]] = set()
    for places in where.values():
        if len(places) > 1 and len({story_of[di] for di, _ in places}) > 1:
            out.update(places)
    return out


def _lines_in_two(docs: Sequence[_Doc]) -> dict[str, tuple[list[int], set[str]]]:
    """Per outlet, its articles and the lines two of them have, whatever their roles, found in
    bulk (C-level set operations).  (A line twice in one article and in no other cannot be
    under two stories: it need not be found.)  It reads only the articles' outlets and
    normalized forms: ``_analyze_sources`` makes it on a thread beside a full clustering."""
    by_outlet: dict[str, list[int]] = defaultdict(list)
    for di, d in enumerate(docs):
        by_outlet[d.outlet].append(di)
    out: dict[str, tuple[list[int], set[str]]] = {}
    for outlet, dis in by_outlet.items():
        seen: set[str] = set()
        twice: set[str] = set()
        if len(dis) > 1:
            for di in dis:
                norms = docs[di].norms
                twice.update(seen.intersection(norms))
                seen.update(norms)
            twice.discard("")
        out[outlet] = (dis, twice)
    return out


def _align_story(docs: Sequence[_Doc], group: Sequence[int]):
    inputs: list[AlignInput] = []
    where: list[tuple[int, int]] = []
    new = tuple.__new__
    for p, di in enumerate(group):
        d = docs[di]
        raw, flat, norms = d.source.raw, d.flat, d.norms
        for j in compress(range(len(norms)), map(_BODY_ROLE, map(_ROLE, d.labels))):
            where.append((p, j))
            a = flat[3 * j]
            inputs.append(new(AlignInput, (len(inputs), p, raw[a : flat[3 * j + 1]], a, norms[j])))
    out = []
    for fam in align(inputs):
        members = [where[k] for k in fam.members]
        out.append((fam.kind, members, list(fam.shared), list(fam.differs), fam.score, fam.variants))
    return out


def _story_title(articles: Sequence[Article], group: Sequence[int]) -> str:
    titles = [articles[di].title for di in group if articles[di].title]
    if titles:
        return Counter(titles).most_common(1)[0][0]
    for di in group:
        for s in articles[di].sentences:
            if s.role == "body":
                w = s.text.split()
                return " ".join(w[:12]) + (" …" if len(w) > 12 else "")
    return "(untitled)"


__all__ = ["Memo", "analyze", "analyze_sources", "analyze_texts", "prepare_text", "words"]
