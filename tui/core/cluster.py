"""Story clustering: articles → groups of articles that report the same event.

Method (all sparse, no n×n matrix):

1. **Document vectors.**  Sublinear tf × idf over the body words, function words dropped (a
   short built-in list for common languages, plus idf), words seen capitalised inside a
   sentence (names: ``salient``) boosted, title words added.  The idf carries a small prior of
   virtual unrelated documents so that a folder of 2–5 articles of one story does not lose all
   its shared words to idf.  Each vector keeps its ``_MAX_TERMS`` heaviest terms, L2-normalised.
2. **Candidate neighbours.**  An inverted index over each document's ``_INDEX_TERMS``
   heaviest terms (terms in more than ``_MAX_DF_SHARE`` of the documents are not indexed) gives
   the pairs worth scoring; their cosine is a sparse dot product.  Publication dates far apart
   damp the score (two earthquakes a year apart are two stories).
3. **Shared-neighbour similarity.**  Each document's ``_K`` nearest neighbours (above a floor)
   form a weighted vector; two documents are as similar as those vectors are.  Two articles of
   one event share their neighbours; two events of the same kind (a near miss) share their
   topic words but mostly not their neighbours.  Measured on ECB+ this separates near-miss
   pairs far better than the raw cosine.
4. **Average linkage** over that sparse graph (a missing edge counts as 0), stopping at
   ``_THRESHOLD``; near-copies (raw cosine ≥ ``_SAME_STORY``) always join.

Output is deterministic: ties are broken by document content, not input position, as far as
possible, and groups are returned sorted.
"""

from __future__ import annotations

import heapq
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import chain, repeat

import numpy as np

from .text import _fast_join, norm_word

# ------------------------------------------------------------------------- tunables
_K = 10  # neighbours per document in the shared-neighbour vectors
_FLOOR = 0.08  # raw cosine below which a document is nobody's neighbour
_THRESHOLD = 0.22  # average-linkage stop on the shared-neighbour similarity
_SAME_STORY = 0.6  # raw cosine at which two articles join whatever their neighbours say
_SALIENT_BOOST = 1.0  # extra weight of words seen capitalised inside sentences (names)
_IDF_PRIOR = 8.0  # virtual unrelated documents in the idf (small folders keep shared words)
_MAX_TERMS = 150  # terms kept per document vector
_INDEX_TERMS = 30  # terms per document in the inverted index
_MAX_DF_SHARE = 0.01  # terms in more documents than this share are not indexed (when n is large)
_MIN_CAP = 100  # ... unless in at most this many documents
_MIN_DOT_CAP = 100  # dot products run over terms in at most max(this, the index cap) documents
_MIN_EDGE = 0.05  # shared-neighbour similarities below this are dropped before linkage


@dataclass(frozen=True, slots=True)
class ClusterDoc:
    title: str | None
    words: Sequence[str]  # matching forms of the article's body words (boilerplate excluded)
    published: str | None = None  # ISO date when known
    # Matching forms of body words written with a capital inside a sentence (names); see
    # ``salient_words``.  Optional: without them every word weighs by idf alone.
    salient: Sequence[str] = ()


# ------------------------------------------------------------------- salient words
_TOKEN_RE = re.compile(r"\w+(?:['\u2019\u2010\u2011-]\w+)*")
_OPENERS = ".!?:;\"“”‘’«»([—–-•*#|"


# A token of _TOKEN_RE starts at a word character that neither follows a word character nor
# a joiner glued to one (the greedy pattern would have carried the earlier token through it).
# Only letters that can be capitals are looked at: digits, "_" and ASCII lowercase never are.
_CAP_START_RE = re.compile(r"\b[^\W\d_a-z](?<!\w['\u2019\u2010\u2011-]\w)")


def salient_words(text: str) -> list[str]:
    """Matching forms of the words of ``text`` (one sentence or line) that start with a capital
    letter and do not open a sentence: names of people, places, organisations."""
    found: list[str] = []
    token = _TOKEN_RE.match
    for m in _CAP_START_RE.finditer(text):
        p = m.start()
        if not text[p].isupper():
            continue
        j = p - 1
        while j >= 0 and text[j].isspace():
            j -= 1
        if j < 0 or text[j] in _OPENERS:
            continue
        found.append(token(text, p).group())  # type: ignore[union-attr]
    if not found:
        return found
    fast = _fast_join(found)  # all words at once (same forms as norm_word, word by word)
    return fast.split(" ") if fast is not None else [norm_word(w) for w in found]


# --------------------------------------------------------------------- stop words
# The commonest function words of a few languages.  Idf removes them in large folders; in a
# folder of two or three articles idf cannot tell them from the story's own words.
_STOP = frozenset(
    ["a", "about", "after", "against", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been", "before", "being", "but", "by", "can", "could", "did", "do", "does", "during", "for", "from", "had", "has", "have", "he", "her", "here", "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "just", "me", "more", "most", "my", "no", "not", "now", "of", "on", "one", "only", "or", "other", "our", "out", "over", "said", "says", "she", "so", "some", "such", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "through", "to", "too", "two", "under", "up", "us", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "according", "year", "years", "new", "first", "last", "told", "tuesday", "monday", "wednesday", "thursday", "friday", "saturday", "sunday", "percent", "mr", "mrs", "ms", "le", "la", "les", "un", "une", "des", "du", "de", "et", "est", "sont", "il", "elle", "ils", "elles", "en", "au", "aux", "dans", "par", "pour", "sur", "que", "qui", "ne", "pas", "plus", "ce", "cette", "ces", "son", "sa", "ses", "leur", "leurs", "avec", "été", "être", "avait", "ont", "mais", "ou", "où", "se", "der", "die", "das", "den", "dem", "des", "ein", "eine", "einer", "eines", "einem", "und", "ist", "sind", "war", "wurde", "werden", "nicht", "mit", "von", "zu", "im", "am", "auf", "für", "aus", "bei", "nach", "sich", "auch", "es", "er", "sie", "wir", "dass", "als", "wie", "noch", "nur", "oder", "aber", "el", "los", "las", "unos", "unas", "y", "es", "son", "fue", "con", "por", "para", "del", "al", "lo", "como", "más", "pero", "su", "sus", "ya", "o", "il", "lo", "gli", "le", "una", "uno", "di", "da", "che", "è", "sono", "non", "con", "per", "tra", "fra", "del", "della", "dei", "delle", "nel", "nella", "ha", "os", "as", "um", "uma", "e", "é", "são", "foi", "com", "por", "para", "do", "da", "dos", "das", "no", "na", "nos", "nas", "ao", "pelo", "pela", "mais", "het", "een", "en", "van", "is", "zijn", "was", "werd", "niet", "met", "op", "te", "voor", "aan", "bij", "als", "ook", "dat", "die", "er", "om"]
)


# ------------------------------------------------------------------------ the API
def cluster(docs: Sequence[ClusterDoc]) -> list[list[int]]:
    """Group documents into stories; returns lists of document indexes, each sorted, every
    document in exactly one group, groups ordered by their first index."""
    n = len(docs)
    if n == 0:
        return []
    if n == 1:
        return [[0]]
    doc, term, weight = _vectors(docs)
    days = np.array([_day(d.published) for d in docs], dtype=np.int64)
    ei, ej, es = _candidate_edges(n, doc, term, weight, days)
    si, sj, ss = _shared_neighbour_edges(n, ei, ej, es)
    keep = ss >= _MIN_EDGE
    sims = dict(zip(zip(si[keep].tolist(), sj[keep].tolist()), ss[keep].tolist()))
    forced = es >= _SAME_STORY
    groups = _average_linkage(n, sims, zip(ei[forced].tolist(), ej[forced].tolist()))
    return sorted(sorted(g) for g in groups)


# ----------------------------------------------------------------------- vectors
def _vectors(docs: Sequence[ClusterDoc]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sparse L2-normalised tf-idf vectors as parallel arrays (doc, term id, weight), each
    document's entries contiguous and sorted by decreasing weight, then term."""
    n = len(docs)
    vocab: dict[str, int] = {}
    setdefault = vocab.setdefault
    doc_parts: list[np.ndarray] = []
    term_parts: list[list[int]] = []
    count_parts: list[list[int]] = []
    sal_parts: list[list[int]] = []
    for di, d in enumerate(docs):
        bag = Counter(d.words)
        if d.title:
            bag.update(_title_words(d.title))
        sal = Counter(d.salient) if d.salient else None
        keys = list(bag)
        term_parts.append([setdefault(w, len(vocab)) for w in keys])
        count_parts.append(list(bag.values()))
        sal_parts.append(list(map(sal.get, keys, repeat(0))) if sal else [0] * len(keys))
        doc_parts.append(np.full(len(keys), di, dtype=np.int32))
    if not vocab:
        empty = np.zeros(0)
        return empty.astype(np.int32), empty.astype(np.int32), empty
    doc = np.concatenate(doc_parts)
    term = np.fromiter(chain.from_iterable(term_parts), dtype=np.int32, count=len(doc))
    count = np.fromiter(chain.from_iterable(count_parts), dtype=np.float64, count=len(doc))
    sal = np.fromiter(chain.from_iterable(sal_parts), dtype=np.float64, count=len(doc))
    words = list(vocab)
    useful = np.fromiter(
        (w not in _STOP and (len(w) > 1 or w.isdigit()) for w in words), dtype=bool, count=len(words)
    )
    df = np.bincount(term, minlength=len(words)).astype(np.float64)
    idf = np.log((n + _IDF_PRIOR) / (df + 0.5))
    idf[~useful] = 0.0
    np.maximum(idf, 0.0, out=idf)
    w = (1.0 + np.log(count)) * idf[term]
    w *= 1.0 + _SALIENT_BOOST * np.minimum(1.0, sal / count)
    # Each document's heaviest terms; ties broken by the term itself, not by input order.
    term_key = np.fromiter((zlib.crc32(x.encode("utf-8", "surrogatepass")) for x in words), dtype=np.int64, count=len(words))
    order = np.lexsort((term_key[term], -w, doc))
    doc, term, w = doc[order], term[order], w[order]
    starts = np.searchsorted(doc, np.arange(n))
    rank = np.arange(len(doc)) - starts[doc]
    keep = (rank < _MAX_TERMS) & (w > 0)
    doc, term, w = doc[keep], term[keep], w[keep]
    norm = np.sqrt(np.bincount(doc, weights=w * w, minlength=n))
    w = w / norm[doc]
    return doc, term, w


def _title_words(title: str) -> Iterable[str]:
    return (norm_word(m.group()) for m in _TOKEN_RE.finditer(title))


_NO_DAY = -(10**9)


def _day(published: str | None) -> int:
    if not published:
        return _NO_DAY
    try:
        return date.fromisoformat(published[:10]).toordinal()
    except ValueError:
        return _NO_DAY


def _date_factor(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Damping of the similarity of two articles published far apart."""
    gap = np.abs(a - b)
    known = (a != _NO_DAY) & (b != _NO_DAY)
    f = np.where(gap <= 14, 1.0, np.where(gap <= 90, 0.8, 0.6))
    return np.where(known, f, 1.0)


# ------------------------------------------------------------------ candidates
def _pairs_within_groups(key: np.ndarray, item: np.ndarray, value: np.ndarray, items_sorted: bool = False):
    """All (item_a, item_b, value_a * value_b) with item_a < item_b for entries sharing a key.
    ``items_sorted``: ``item`` is already increasing, so a stable sort by key alone orders
    the entries as sorting by (key, item) would."""
    order = np.argsort(key, kind="stable") if items_sorted else np.lexsort((item, key))
    key, item, value = key[order], item[order], value[order]
    bounds = np.flatnonzero(np.diff(key)) + 1
    gstart = np.concatenate(([0], bounds))
    gsize = np.diff(np.concatenate((gstart, [len(key)])))
    per_entry_start = np.repeat(gstart, gsize)
    per_entry_size = np.repeat(gsize, gsize)
    # for entry e at position p within its group, partners are the later entries of the group
    pos = np.arange(len(key)) - per_entry_start
    counts = per_entry_size - pos - 1
    total = int(counts.sum())
    if total == 0:
        z = np.zeros(0, dtype=np.int64)
        return z, z, np.zeros(0)
    a = np.repeat(np.arange(len(key)), counts)
    offs = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    b = a + 1 + offs
    return item[a].astype(np.int64), item[b].astype(np.int64), value[a] * value[b]


def _sum_by_pair(n: int, i: np.ndarray, j: np.ndarray, v: np.ndarray):
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    keys = lo * n + hi
    uniq, inv = np.unique(keys, return_inverse=True)
    sums = np.bincount(inv, weights=v, minlength=len(uniq))
    return uniq // n, uniq % n, sums


def _candidate_edges(n: int, doc: np.ndarray, term: np.ndarray, weight: np.ndarray, days: np.ndarray):
    """Cosine (date-damped) of the pairs of documents that share one of their heaviest terms,
    when at least _FLOOR.  The dot products run over every term in at most ``cap`` documents."""
    cap = max(_MIN_CAP, int(_MAX_DF_SHARE * n))
    df = np.bincount(term)
    starts = np.searchsorted(doc, np.arange(n))
    rank = np.arange(len(doc)) - starts[doc]
    idx = (rank < _INDEX_TERMS) & (df[term] <= cap) & (df[term] > 1)
    ci, cj, _ = _pairs_within_groups(term[idx], doc[idx], weight[idx], items_sorted=True)
    if len(ci) == 0:
        z = np.zeros(0, dtype=np.int64)
        return z, z, np.zeros(0)
    cand = np.unique(ci * n + cj)
    # Dot products over all shared terms with df <= dot cap, kept only for candidate pairs.
    dot_cap = max(cap, _MIN_DOT_CAP)
    use = (df[term] <= dot_cap) & (df[term] > 1)
    pi, pj, pv = _pairs_within_groups(term[use], doc[use], weight[use], items_sorted=True)
    keys = pi * n + pj  # pi < pj: items come sorted within each term's group
    pos = np.searchsorted(cand, keys)
    pos[pos == len(cand)] = 0
    inside = cand[pos] == keys
    # sum per candidate pair straight into its slot of ``cand`` (same order of addition as
    # summing per unique key: bincount adds in array order)
    pos = pos[inside]
    s = np.bincount(pos, weights=pv[inside], minlength=len(cand))
    hit = np.bincount(pos, minlength=len(cand)) > 0
    i, j, s = cand[hit] // n, cand[hit] % n, s[hit]
    s = s * _date_factor(days[i], days[j])
    ok = s >= _FLOOR
    return i[ok], j[ok], s[ok]


def _shared_neighbour_edges(n: int, ei: np.ndarray, ej: np.ndarray, es: np.ndarray):
    """Cosine of the documents' weighted nearest-neighbour vectors (self included with 1)."""
    src = np.concatenate((ei, ej))
    dst = np.concatenate((ej, ei))
    val = np.concatenate((es, es))
    order = np.lexsort((dst, -val, src))
    src, dst, val = src[order], dst[order], val[order]
    starts = np.searchsorted(src, np.arange(n))
    rank = np.arange(len(src)) - starts[src]
    keep = rank < _K
    rows = np.concatenate((src[keep], np.arange(n)))
    cols = np.concatenate((dst[keep], np.arange(n)))
    vals = np.concatenate((val[keep], np.ones(n)))
    norm = np.sqrt(np.bincount(rows, weights=vals * vals, minlength=n))
    vals = vals / norm[rows]
    a, b, v = _pairs_within_groups(cols, rows, vals)
    if len(a) == 0:
        return a, b, v
    return _sum_by_pair(n, a, b, v)


# --------------------------------------------------------------------- linkage
def _average_linkage(
    n: int, sims: dict[tuple[int, int], float], forced: Iterable[tuple[int, int]]
) -> list[list[int]]:
    """Sparse average linkage: repeatedly merge the two groups with the highest mean pairwise
    similarity (missing pairs count 0) while it is ≥ _THRESHOLD.  ``forced`` pairs join first."""
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in sorted(forced):
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    size = [0] * n
    for i in range(n):
        size[find(i)] += 1
    link: dict[int, dict[int, float]] = defaultdict(dict)  # group → neighbour group → sum of sims
    for (i, j), s in sims.items():
        a, b = find(i), find(j)
        if a == b:
            continue
        link[a][b] = link[a].get(b, 0.0) + s
        link[b][a] = link[b].get(a, 0.0) + s
    heap: list[tuple[float, int, int, int, int]] = []
    version = [0] * n
    for a, row in link.items():
        for b, s in row.items():
            if a < b:
                avg = s / (size[a] * size[b])
                if avg >= _THRESHOLD:
                    heap.append((-avg, a, b, 0, 0))
    heapq.heapify(heap)
    alive = [find(i) == i for i in range(n)]
    while heap:
        _neg, a, b, va, vb = heapq.heappop(heap)
        if not (alive[a] and alive[b]) or version[a] != va or version[b] != vb:
            continue
        # merge b into a (keep the smaller id as the group's id)
        if b < a:
            a, b = b, a
        alive[b] = False
        parent[b] = a
        row_a, row_b = link.pop(a, {}), link.pop(b, {})
        row_a.pop(b, None)
        row_b.pop(a, None)
        for c, s in row_b.items():
            row_a[c] = row_a.get(c, 0.0) + s
        size[a] += size[b]
        version[a] += 1
        link[a] = row_a
        for c, s in row_a.items():
            rc = link[c]
            rc.pop(b, None)
            rc[a] = s
            avg = s / (size[a] * size[c])
            if avg >= _THRESHOLD:
                x, y = (a, c) if a < c else (c, a)
                heapq.heappush(heap, (-avg, x, y, version[x], version[y]))
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        groups[find(i)].append(i)
    return list(groups.values())
