"""Incremental story assignment: new articles joined to an analysed folder's stories without
re-clustering the whole folder.

``cluster()`` looks at every document: its cost grows with the folder.  When a few articles are
added to a folder already clustered, most of that work is redone for nothing.  Here a
``StoryIndex`` summarises a clustering result per *story*, and ``extend`` scores each new
article against the stories it shares words with, never against every old article:

* **Document vectors** are built as ``cluster`` builds them (sublinear tf × idf, function words
  dropped, names boosted, title words added, the ``_MAX_TERMS`` heaviest kept, L2-normalised),
  with the idf of the folder the index was built from plus the new articles.
* **Story centroids.**  Each story keeps the ``_CENTROID_TERMS`` heaviest terms of the sum of
  its members' vectors, normalised, and its span of publication dates.
* **Acceptance per story.**  How close a story's own members sit to it is measured when the index
  is built: each member's cosine to the centroid of the *other* members (leave-one-out, exact
  under the truncation).  A new article joins its best story only when its (date-damped) cosine
  to the centroid is at least ``_ALPHA`` × a low quantile of those cosines (never below
  ``_MIN_JOIN``), and clearly beats the runner-up story (``_MARGIN``).  A tight story of one
  earthquake accepts an article about that earthquake, whose names, places and numbers match,
  not one about another earthquake, which shares only the topic's words (ECB+'s near misses).
  A story of one article has no members to compare: it takes a new one at ``_SINGLE_JOIN``.
* **New articles together.**  The new articles are also clustered among themselves
  (``cluster()``).  Several of them (``_GROUP_MIN``) grouped together that would each join one
  old story join it only if their group's centroid matches the story's (``_GROUP_JOIN``): the
  articles of a second event of the same kind may each look close enough to the first, but two
  samples of one event's coverage have near-equal centroids and two events do not.  The
  articles that join no story keep their groups and are appended as new stories.
* ``update_index`` turns the index into that of the extended folder without a pass over the
  old articles, so additions can repeat until ``needs_full`` says otherwise.

Cost: the inverted index over centroid terms touches only stories that share a term with a new
article; the work is (new articles' terms) × (stories holding each term), independent of how many
articles the old stories hold.  ``StoryIndex`` is plain data (numpy arrays, a dict of document
frequencies) and pickles to a few MB for 10k articles.

When to re-cluster everything instead (``needs_full``): incremental assignment never merges or
splits old stories and weighs words by the old folder's idf, so it drifts as a folder grows.
Run a full ``cluster()`` when the articles added since the last full clustering exceed
``_FULL_FRACTION`` (20 %) of the folder the index was built from, when that folder is small
(fewer than ``_FULL_MIN`` articles: a full clustering is instant and small-folder idf unstable),
or when articles were removed or changed (the index knows only additions).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import repeat

import numpy as np

from . import cluster as _cl
from .cluster import ClusterDoc, cluster

# ------------------------------------------------------------------------- tunables
_CENTROID_TERMS = 200  # terms kept per story centroid
_ALPHA = 0.8  # a new article joins at ALPHA x the story's own low-quantile leave-one-out cosine
_QUANTILE = 0.1  # the low quantile of a story's members' leave-one-out cosines
_MIN_JOIN = 0.2  # never join a story below this cosine
_SINGLE_JOIN = 0.4  # cosine at which a new article joins a one-article story
_MARGIN = 1.15  # the best story's cosine must be this many times the runner-up's
_GROUP_MIN = 3  # new articles grouped at least this many are matched as a group
_GROUP_JOIN = 0.62  # centroid-to-centroid cosine at which a group of new articles joins a story
_FULL_FRACTION = 0.2  # added articles beyond this fraction of the indexed folder: re-cluster all
_FULL_MIN = 50  # folders smaller than this are always re-clustered in full

_NO_DAY = -(10**9)


@dataclass(slots=True)
class StoryIndex:
    """A compact summary of one clustering result (see the module docstring).

    ``n_docs`` articles in ``n_stories`` stories; ``df`` maps each word to the number of
    articles holding it; story ``s``'s centroid is ``cterm[ptr[s]:ptr[s+1]]`` (ids into
    ``cwords``) with weights ``cweight[ptr[s]:ptr[s+1]]``; ``accept[s]`` is the cosine a new
    article needs to join it; ``day_lo``/``day_hi`` its span of publication days (proleptic
    ordinals, ``_NO_DAY`` when none is known).  ``added`` counts the articles assigned
    incrementally since the last full clustering (``update_index`` keeps it)."""

    n_docs: int
    df: dict[str, int]
    cwords: list[str]
    ptr: np.ndarray  # int64, n_stories + 1
    cterm: np.ndarray  # int32
    cweight: np.ndarray  # float32, each centroid L2-normalised
    csum: np.ndarray  # float32, unnormalised summed weights of the same entries (for updates)
    accept: np.ndarray  # float32 per story
    size: np.ndarray  # int32 per story
    day_lo: np.ndarray  # int64 per story
    day_hi: np.ndarray  # int64 per story
    added: int = 0
    _post: tuple[np.ndarray, np.ndarray, np.ndarray] | None = field(
        default=None, repr=False, compare=False
    )
    _cid: dict[str, int] | None = field(default=None, repr=False, compare=False)

    @property
    def n_stories(self) -> int:
        return len(self.size)

    def __getstate__(self):
        return {k: getattr(self, k) for k in self.__slots__ if not k.startswith("_")}

    def __setstate__(self, state):
        for k, v in state.items():
            object.__setattr__(self, k, v)
        self._post = None
        self._cid = None

    def _postings(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """term → (stories, weights) as CSR arrays, built on first use (not stored)."""
        if self._post is None:
            story = np.repeat(np.arange(self.n_stories, dtype=np.int64), np.diff(self.ptr))
            order = np.argsort(self.cterm, kind="stable")
            tptr = np.zeros(len(self.cwords) + 1, dtype=np.int64)
            np.cumsum(np.bincount(self.cterm, minlength=len(self.cwords)), out=tptr[1:])
            self._post = (tptr, story[order], self.cweight[order].astype(np.float64))
        return self._post

    def _cword_ids(self) -> dict[str, int]:
        """word → centroid term id, built on first use (not stored)."""
        if self._cid is None:
            self._cid = {w: i for i, w in enumerate(self.cwords)}
        return self._cid


# ----------------------------------------------------------------------- vectors
def _entries(docs: Sequence[ClusterDoc], e=None):
    """Term counts of each document: parallel arrays (doc, word id, count, salient count), each
    document's entries contiguous, in document order, word ids numbered by first appearance
    (as ``cluster`` numbers its terms); the vocabulary; and whether each word is a content word.
    ``e``: the documents' ``cluster._entries`` when already made."""
    if e is None:
        e = _cl._entries(docs)
    return e.doc.astype(np.int64), e.term.astype(np.int64), e.count, e.sal, e.words(), e.useful


def _weigh(doc, term, count, sal, words: list[str], df: np.ndarray, n_total: int, n: int, useful=None):
    """``cluster``'s weighting of the entries with the given document frequencies; returns
    (doc, term, weight) with each document's ``_MAX_TERMS`` heaviest terms, L2-normalised,
    sorted by document then falling weight (ties by word).  ``useful``: which words are
    content words (found from ``words`` when not given)."""
    if useful is None:
        useful = np.fromiter(map(_cl._useful, words), dtype=bool, count=len(words))
    idf = np.log((n_total + _cl._IDF_PRIOR) / (df + 0.5))
    idf[~useful] = 0.0
    np.maximum(idf, 0.0, out=idf)
    w = (1.0 + np.log(np.maximum(count, 1.0))) * idf[term]
    w *= 1.0 + _cl._SALIENT_BOOST * np.minimum(1.0, sal / np.maximum(count, 1.0))
    keep = w > 0
    doc, term, w = _top_per_row(
        doc[keep], term[keep], w[keep], _word_rank(words), n, _cl._MAX_TERMS
    )
    norm = np.sqrt(np.bincount(doc, weights=w * w, minlength=n))
    return doc, term, w / np.maximum(norm[doc], 1e-300)


def _word_rank(words: list[str]) -> np.ndarray:
    """Each word's rank in sorted order (ties are broken by the word, not by input order)."""
    rank = np.empty(len(words), dtype=np.int64)
    rank[np.argsort(np.array(words, dtype=object), kind="stable")] = np.arange(len(words))
    return rank


def _top_per_row(row, col, val, col_rank, n_rows: int, k: int):
    """The ``k`` largest (positive) values of each row, sorted by row, then falling value, then
    column rank: one sort of a packed int64 key (row, value quantised to 2^-qbits of the
    largest, column rank)."""
    if len(row) == 0:
        return row, col, val
    rbits, cbits = max(1, int(n_rows).bit_length()), max(1, len(col_rank).bit_length())
    qbits = 63 - rbits - cbits
    q = np.rint((1.0 - val / max(float(val.max()), 1e-300)) * float((1 << qbits) - 1)).astype(
        np.int64
    )
    order = np.argsort((row.astype(np.int64) << (qbits + cbits)) | (q << cbits) | col_rank[col])
    row, col, val = row[order], col[order], val[order]
    rank = np.arange(len(row)) - np.searchsorted(row, np.arange(n_rows))[row]
    keep = rank < k
    return row[keep], col[keep], val[keep]


def _days(docs: Sequence[ClusterDoc]) -> np.ndarray:
    return np.fromiter((_cl._day(d.published) for d in docs), dtype=np.int64, count=len(docs))


def _date_factor_span(lo1, hi1, lo2, hi2) -> np.ndarray:
    """``cluster``'s date damping between two spans of days (an article's is one day)."""
    gap = np.maximum(0, np.maximum(lo2 - hi1, lo1 - hi2))
    known = (lo1 != _NO_DAY) & (lo2 != _NO_DAY)
    f = np.where(gap <= 14, 1.0, np.where(gap <= 90, 0.8, 0.6))
    return np.where(known, f, 1.0)


# ------------------------------------------------------------------------- build
def _summarise(doc, term, w, story_of: np.ndarray, s_count: int, word_rank: np.ndarray):
    """Story centroids of the document vectors (doc, term, w) given each document's story:
    (story, term, summed weight) entries, each story's ``_CENTROID_TERMS`` heaviest, sorted by
    story; and each story's acceptance cosine from its members' leave-one-out cosines."""
    n = len(story_of)
    nw = max(1, len(word_rank))
    story = story_of[doc]
    skeys, inv = np.unique(story * nw + term, return_inverse=True)
    ssum = np.bincount(inv, weights=w)
    st, tt, ssum = _top_per_row(skeys // nw, skeys % nw, ssum, word_rank, s_count, _CENTROID_TERMS)
    snorm2 = np.bincount(st, weights=ssum * ssum, minlength=s_count)

    # leave-one-out cosine of each member to the (truncated) centroid of the others:
    # v.(t - v|T) / |t - v|T|, with t the truncated sum and v|T the member's entries in it
    tkeys = st * nw + tt
    torder = np.argsort(tkeys)
    tk_sorted, tsum_sorted = tkeys[torder], ssum[torder]
    q = story * nw + term
    if len(tk_sorted):
        pos = np.minimum(np.searchsorted(tk_sorted, q), len(tk_sorted) - 1)
        hit = tk_sorted[pos] == q
        sval = np.where(hit, tsum_sorted[pos], 0.0)
    else:
        hit, sval = np.zeros(len(q), dtype=bool), np.zeros(len(q))
    dot_full = np.bincount(doc, weights=w * sval, minlength=n)
    self_in = np.bincount(doc, weights=np.where(hit, w * w, 0.0), minlength=n)
    norm2 = snorm2[story_of] - 2.0 * dot_full + self_in
    loo = np.where(norm2 > 1e-12, (dot_full - self_in) / np.sqrt(np.maximum(norm2, 1e-300)), 0.0)
    size = np.bincount(story_of, minlength=s_count).astype(np.int32)
    accept = np.full(s_count, _SINGLE_JOIN)
    order = np.lexsort((loo, story_of))
    starts = np.searchsorted(story_of[order], np.arange(s_count))
    for si in np.flatnonzero(size > 1).tolist():
        vals = loo[order[starts[si] : starts[si] + size[si]]]
        k = min(len(vals) - 1, math.floor(_QUANTILE * (len(vals) - 1) + 0.5))
        accept[si] = max(_MIN_JOIN, _ALPHA * float(vals[k]))
    return st, tt, ssum, accept, size


def _spans(days: np.ndarray, story_of: np.ndarray, s_count: int) -> tuple[np.ndarray, np.ndarray]:
    known = (days != _NO_DAY) & (story_of >= 0)
    lo = np.full(s_count, np.iinfo(np.int64).max, dtype=np.int64)
    hi = np.full(s_count, _NO_DAY, dtype=np.int64)
    np.minimum.at(lo, story_of[known], days[known])
    np.maximum.at(hi, story_of[known], days[known])
    lo[hi == _NO_DAY] = _NO_DAY
    return lo, hi


def _pack(st, ssum, s_count: int):
    """CSR pointers and L2-normalised weights of (story-sorted) centroid entries."""
    ptr = np.zeros(s_count + 1, dtype=np.int64)
    np.cumsum(np.bincount(st, minlength=s_count), out=ptr[1:])
    snorm2 = np.bincount(st, weights=ssum * ssum, minlength=s_count)
    return ptr, (ssum / np.sqrt(np.maximum(snorm2[st], 1e-300))).astype(np.float32)


def _story_of(groups: Sequence[Sequence[int]], n: int, first: int = 0) -> np.ndarray:
    story_of = np.full(n, -1, dtype=np.int64)
    for s, g in enumerate(groups):
        story_of[[i - first for i in g if i >= first]] = s
    return story_of


def cluster_and_index(docs: Sequence[ClusterDoc]) -> tuple[list[list[int]], StoryIndex]:
    """``groups = cluster(docs)`` and ``build_index(docs, groups)``, the documents' entries made
    once for both."""
    groups, make_index = cluster_then_index(docs)
    return groups, make_index()


def cluster_then_index(docs: Sequence[ClusterDoc]) -> tuple[list[list[int]], Callable[[], StoryIndex]]:
    """``groups = cluster(docs)``, and a function that makes ``build_index(docs, groups)`` when
    called (later, e.g. by the process that writes the cache: ~0.5 s at 10k), from the
    documents' entries the clustering made (kept for it meanwhile)."""
    if len(docs) < 2:
        groups = cluster(docs)
        return groups, lambda: build_index(docs, groups)
    groups, e = _cl._cluster_entries(docs)
    return groups, lambda: _build_index(docs, groups, e)


def build_index(docs: Sequence[ClusterDoc], groups: Sequence[Sequence[int]]) -> StoryIndex:
    """Summarise ``cluster(docs) == groups`` (any partition of ``range(len(docs))`` works).
    Cost: one pass over all the documents' words, about half of ``cluster``'s vector stage
    (a small part of it when the documents come with ``features``)."""
    return _build_index(docs, groups, None)


def _build_index(docs: Sequence[ClusterDoc], groups: Sequence[Sequence[int]], e) -> StoryIndex:
    n = len(docs)
    s_count = len(groups)
    story_of = _story_of(groups, n)
    if (story_of < 0).any():
        raise ValueError("groups must cover every document")
    doc, term, count, sal, words, useful = _entries(docs, e)
    df_arr = np.bincount(term, minlength=len(words)).astype(np.float64)
    df = dict(zip(words, df_arr.astype(np.int64).tolist()))
    doc, term, w = _weigh(doc, term, count, sal, words, df_arr, n, n, useful)
    st, tt, ssum, accept, size = _summarise(doc, term, w, story_of, s_count, _word_rank(words))
    ptr, cweight = _pack(st, ssum, s_count)
    lo, hi = _spans(_days(docs), story_of, s_count)
    # centroid vocabulary: only the words centroids use
    used = np.unique(tt)
    remap = np.full(len(words), -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    return StoryIndex(
        n_docs=n,
        df=df,
        cwords=[words[i] for i in used.tolist()],
        ptr=ptr,
        cterm=remap[tt].astype(np.int32),
        cweight=cweight,
        csum=ssum.astype(np.float32),
        accept=accept.astype(np.float32),
        size=size,
        day_lo=lo,
        day_hi=hi,
    )


def update_index(
    index: StoryIndex, new_docs: Sequence[ClusterDoc], groups: Sequence[Sequence[int]]
) -> StoryIndex:
    """The index of the folder after ``groups = extend(index, old_groups, new_docs)``, without
    a pass over the old documents: the stories new documents joined get their members' vectors
    added to their (truncated) sums and their date spans widened, keeping their acceptance;
    the new stories are summarised as ``build_index`` does; the document frequencies grow.
    ``index`` itself is left unchanged.  Cost: the new documents plus one pass over the
    centroid entries (stories x ``_CENTROID_TERMS``)."""
    n0, m, s0 = index.n_docs, len(new_docs), index.n_stories
    s_count = len(groups)
    story_of = _story_of(groups, m, first=n0)
    if (story_of < 0).any() or s_count < s0:
        raise ValueError("groups must be extend's result for these new documents")
    df = dict(index.df)
    doc, term, count, sal, words, useful = _entries(new_docs)
    for wd, c in zip(words, np.bincount(term, minlength=len(words)).tolist()):
        df[wd] = df.get(wd, 0) + c
    df_arr = np.fromiter(map(df.__getitem__, words), dtype=np.float64, count=len(words))
    doc, term, w = _weigh(doc, term, count, sal, words, df_arr, n0 + m, m, useful)
    # new stories: summarised from their (new) members alone, with local story numbers
    fresh = story_of >= s0
    renum = np.cumsum(fresh) - 1  # new documents of new stories, numbered among themselves
    keep = fresh[doc]
    fst, ftt, fsum, faccept, _fsize = _summarise(
        renum[doc[keep]], term[keep], w[keep], story_of[fresh] - s0, s_count - s0, _word_rank(words)
    )
    # the centroid vocabulary grows by the new words
    cwords = list(index.cwords)
    cid = dict(index._cword_ids())
    for wd in words:
        if wd not in cid:
            cid[wd] = len(cwords)
            cwords.append(wd)
    to_c = np.fromiter(map(cid.__getitem__, words), dtype=np.int64, count=len(words))
    # joined old stories: old truncated sums plus the new members' vectors, re-truncated
    old_st = np.repeat(np.arange(s0, dtype=np.int64), np.diff(index.ptr))
    joined = ~keep
    nv = len(cwords)
    keys = np.concatenate(
        (old_st * nv + index.cterm, story_of[doc[joined]] * nv + to_c[term[joined]])
    )
    vals = np.concatenate((index.csum.astype(np.float64), w[joined]))
    ukeys, inv = np.unique(keys, return_inverse=True)
    usum = np.bincount(inv, weights=vals)
    ost, ott, osum = _top_per_row(
        ukeys // nv, ukeys % nv, usum, np.arange(nv, dtype=np.int64), s0, _CENTROID_TERMS
    )
    st = np.concatenate((ost, fst + s0))
    tt = np.concatenate((ott, to_c[ftt])) if len(ftt) else ott
    ssum = np.concatenate((osum, fsum))
    ptr, cweight = _pack(st, ssum, s_count)
    size = np.concatenate((index.size, np.zeros(s_count - s0, dtype=np.int32)))
    size += np.bincount(story_of, minlength=s_count).astype(np.int32)
    accept = np.concatenate((index.accept, faccept.astype(np.float32)))
    lo = np.concatenate((index.day_lo, np.full(s_count - s0, _NO_DAY, dtype=np.int64)))
    hi = np.concatenate((index.day_hi, np.full(s_count - s0, _NO_DAY, dtype=np.int64)))
    nlo, nhi = _spans(_days(new_docs), story_of, s_count)
    has = nhi != _NO_DAY
    lo = np.where(has & ((lo == _NO_DAY) | (nlo < lo)), nlo, lo)
    hi = np.where(has & (nhi > hi), nhi, hi)
    return StoryIndex(
        n_docs=n0 + m,
        df=df,
        cwords=cwords,
        ptr=ptr,
        cterm=tt.astype(np.int32),
        cweight=cweight,
        csum=ssum.astype(np.float32),
        accept=accept,
        size=size,
        day_lo=lo,
        day_hi=hi,
        added=index.added + m,
    )


# ------------------------------------------------------------------------ extend
def needs_full(index: StoryIndex, n_new: int) -> bool:
    """Whether adding ``n_new`` articles should run a full ``cluster()`` rather than ``extend``
    (see the module docstring)."""
    base = index.n_docs - index.added  # the folder of the last full clustering
    return base < _FULL_MIN or (index.added + n_new) > _FULL_FRACTION * base


def _best_stories(index: StoryIndex, row, term, w, words: list[str], lo, hi, n_rows: int, stats):
    """Each row's (date-damped) best story, its cosine and the runner-up's cosine, by sparse
    products of the rows' entries with the centroids that share their terms; -1 / 0 when none."""
    best = np.full(n_rows, -1, dtype=np.int64)
    sim1, sim2 = np.zeros(n_rows), np.zeros(n_rows)
    if index.n_stories == 0 or len(row) == 0:
        return best, sim1, sim2
    cid = index._cword_ids()
    local_c = np.fromiter(map(cid.get, words, repeat(-1)), dtype=np.int64, count=len(words))
    ct = local_c[term]
    ok = ct >= 0
    row, ct, w = row[ok], ct[ok], w[ok]
    tptr, pstory, pweight = index._postings()
    plen = tptr[ct + 1] - tptr[ct]
    total = int(plen.sum())
    if stats is not None:
        stats["products"] = stats.get("products", 0) + total
    if total == 0:
        return best, sim1, sim2
    which = np.repeat(np.arange(len(ct)), plen)
    ent = np.arange(total) - np.repeat(np.cumsum(plen) - plen, plen) + np.repeat(tptr[ct], plen)
    s_count = index.n_stories
    keys, inv = np.unique(row[which] * s_count + pstory[ent], return_inverse=True)
    sims = np.bincount(inv, weights=w[which] * pweight[ent])
    d, s = keys // s_count, keys % s_count
    sims = sims * _date_factor_span(lo[d], hi[d], index.day_lo[s], index.day_hi[s])
    if stats is not None:
        stats["stories_touched"] = stats.get("stories_touched", 0) + len(np.unique(s))
    order = np.lexsort((s, -sims, d))  # ties: the lower story index
    d, s, sims = d[order], s[order], sims[order]
    first = np.flatnonzero(np.r_[True, d[1:] != d[:-1]])
    best[d[first]], sim1[d[first]] = s[first], sims[first]
    nxt = first + 1
    two = nxt < len(d)
    two[two] = d[nxt[two]] == d[first[two]]
    sim2[d[first[two]]] = sims[nxt[two]]
    return best, sim1, sim2


def _veto_groups(index: StoryIndex, story, local, doc, term, w, words: list[str], days) -> None:
    """New articles that would join one old story one by one and that ``cluster`` grouped
    together (at least ``_GROUP_MIN``) join it only if, as a group, their centroid matches the
    story's at ``_GROUP_JOIN``; otherwise they stay a new story (``story`` set to -1).  Two
    samples of one event's coverage have near-equal centroids; a second event of the same
    kind, whose articles each look close enough to the first, does not."""
    bucket = np.full(len(story), -1, dtype=np.int64)
    target: list[int] = []
    for g in local:
        by: dict[int, list[int]] = {}
        for i in g:
            if story[i] >= 0:
                by.setdefault(int(story[i]), []).append(i)
        for s, members in sorted(by.items()):
            if len(members) >= _GROUP_MIN:
                bucket[members] = len(target)
                target.append(s)
    if not target:
        return
    nb, nw = len(target), max(1, len(words))
    inside = bucket[doc] >= 0
    keys, inv = np.unique(bucket[doc[inside]] * nw + term[inside], return_inverse=True)
    bsum = np.bincount(inv, weights=w[inside])
    bst, btt, bsum = _top_per_row(
        keys // nw, keys % nw, bsum, _word_rank(words), nb, _CENTROID_TERMS
    )
    ptr, bw = _pack(bst, bsum, nb)
    lo, hi = _spans(days, bucket, nb)
    tgt = np.array(target, dtype=np.int64)
    damp = _date_factor_span(lo, hi, index.day_lo[tgt], index.day_hi[tgt])
    for b, s in enumerate(target):
        c = dict(
            zip(
                index.cterm[index.ptr[s] : index.ptr[s + 1]].tolist(),
                index.cweight[index.ptr[s] : index.ptr[s + 1]].tolist(),
            )
        )
        cid = index._cword_ids()
        dot = sum(
            c.get(cid.get(words[t], -1), 0.0) * x
            for t, x in zip(btt[ptr[b] : ptr[b + 1]].tolist(), bw[ptr[b] : ptr[b + 1]].tolist())
        )
        if dot * damp[b] < _GROUP_JOIN:
            story[bucket == b] = -1


def extend(
    index: StoryIndex,
    old_groups: Sequence[Sequence[int]],
    new_docs: Sequence[ClusterDoc],
    stats: dict | None = None,
) -> list[list[int]]:
    """The stories of the old documents plus ``new_docs`` (numbered ``index.n_docs`` onwards).

    Each new document is tested against its best story's acceptance (module docstring); the
    new documents are also clustered among themselves (``cluster``), and a group of them that
    would join one story must match it as a group (``_veto_groups``).  The documents that join
    no story keep the groups ``cluster`` gave them, as new stories.  Old stories keep their order and members; new stories follow, so the
    result is ordered by first index as ``cluster``'s is.  ``stats``, when given, receives
    counts of the work done (``products``, ``stories_touched``)."""
    if len(old_groups) != index.n_stories:
        raise ValueError(f"index holds {index.n_stories} stories, got {len(old_groups)} groups")
    n0, m = index.n_docs, len(new_docs)
    groups = [list(g) for g in old_groups]
    if m == 0:
        return groups
    local = cluster(new_docs)
    story = np.full(m, -1, dtype=np.int64)
    if index.n_stories:
        doc, term, count, sal, words, useful = _entries(new_docs)
        df = np.bincount(term, minlength=len(words)).astype(np.float64)
        df += np.fromiter(map(index.df.get, words, repeat(0)), dtype=np.float64, count=len(words))
        doc, term, w = _weigh(doc, term, count, sal, words, df, n0 + m, m, useful)
        days = _days(new_docs)
        best, sim, second = _best_stories(index, doc, term, w, words, days, days, m, stats)
        ok = best >= 0
        ok[ok] = (sim[ok] >= index.accept[best[ok]]) & (sim[ok] >= _MARGIN * second[ok])
        story[ok] = best[ok]
        _veto_groups(index, story, local, doc, term, w, words, days)
    for i, s in enumerate(story.tolist()):
        if s >= 0:
            groups[s].append(n0 + i)
    fresh = [[n0 + i for i in g if story[i] < 0] for g in local]
    groups.extend(sorted(g for g in fresh if g))
    return groups


__all__ = ["StoryIndex", "build_index", "cluster_and_index", "cluster_then_index", "extend", "needs_full", "update_index"]
