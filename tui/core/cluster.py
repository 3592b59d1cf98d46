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
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from .text import norm_word

# ------------------------------------------------------------------------- tunables
_K = 10  # neighbours per document in the shared-neighbour vectors
_FLOOR = 0.08  # raw cosine below which a document is nobody's neighbour
_THRESHOLD = 0.22  # average-linkage stop on the shared-neighbour similarity
_SAME_STORY = 0.6  # raw cosine at which two articles join whatever their neighbours say
_SALIENT_BOOST = 1.0  # extra weight of words seen capitalised inside sentences (names)
_IDF_PRIOR = 8.0  # virtual unrelated documents in the idf (small folders keep shared words)
_MAX_TERMS = 150  # terms kept per document vector
_INDEX_TERMS = 30  # terms per document in the inverted index
_MAX_DF_SHARE = 0.1  # terms in more documents than this share are not indexed (when n is large)
_MAX_POSTING = 1500  # and never index a posting list longer than this


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


def salient_words(text: str) -> list[str]:
    """Matching forms of the words of ``text`` (one sentence or line) that start with a capital
    letter and do not open a sentence: names of people, places, organisations."""
    out: list[str] = []
    for m in _TOKEN_RE.finditer(text):
        w = m.group()
        if not w[0].isupper():
            continue
        before = text[: m.start()].rstrip()
        if not before or before[-1] in _OPENERS:
            continue
        out.append(norm_word(w))
    return out


# --------------------------------------------------------------------- stop words
# The commonest function words of a few languages.  Idf removes them in large folders; in a
# folder of two or three articles idf cannot tell them from the story's own words.
_STOP = frozenset(
    """
    a about after against all also an and any are as at be been before being but by can could
    did do does during for from had has have he her here hers him his how i if in into is it its
    just me more most my no not now of on one only or other our out over said says she so some
    such than that the their them then there these they this those through to too two under up
    us very was we were what when where which while who whom why will with would you your
    according year years new first last told tuesday monday wednesday thursday friday saturday
    sunday percent mr mrs ms
    le la les un une des du de et est sont il elle ils elles en au aux dans par pour sur que qui
    ne pas plus ce cette ces son sa ses leur leurs avec été être avait ont mais ou où se
    der die das den dem des ein eine einer eines einem und ist sind war wurde werden nicht mit
    von zu im am auf für aus bei nach sich auch es er sie wir dass als wie noch nur oder aber
    el los las unos unas y es son fue con por para del al lo como más pero su sus ya o
    il lo gli le una uno di da che è sono non con per tra fra del della dei delle nel nella ha
    os as um uma e é são foi com por para do da dos das no na nos nas ao pelo pela mais
    het een en van is zijn was werd niet met op te voor aan bij als ook dat die er om
    """.split()
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
    vecs = _vectors(docs)
    days = [_day(d.published) for d in docs]
    edges = _candidate_edges(vecs, days)
    snn = _shared_neighbour_edges(n, edges)
    groups = _average_linkage(n, snn, [(i, j) for (i, j), s in edges.items() if s >= _SAME_STORY])
    return sorted(sorted(g) for g in groups)


# ----------------------------------------------------------------------- vectors
def _vectors(docs: Sequence[ClusterDoc]) -> list[dict[str, float]]:
    n = len(docs)
    bags: list[dict[str, int]] = []
    for d in docs:
        bag: dict[str, int] = defaultdict(int)
        for w in d.words:
            if w not in _STOP and (len(w) > 1 or w.isdigit()):
                bag[w] += 1
        if d.title:
            for w in _title_words(d.title):
                if w not in _STOP:
                    bag[w] += 1
        bags.append(bag)
    df: dict[str, int] = defaultdict(int)
    for bag in bags:
        for w in bag:
            df[w] += 1
    total = n + _IDF_PRIOR
    vecs: list[dict[str, float]] = []
    for d, bag in zip(docs, bags):
        sal: dict[str, int] = defaultdict(int)
        for w in d.salient:
            sal[w] += 1
        v: dict[str, float] = {}
        for w, c in bag.items():
            idf = math.log(total / (df[w] + 0.5))
            if idf <= 0:
                continue
            x = (1.0 + math.log(c)) * idf
            if sal:
                x *= 1.0 + _SALIENT_BOOST * min(1.0, sal.get(w, 0) / c)
            v[w] = x
        if len(v) > _MAX_TERMS:
            v = dict(sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))[:_MAX_TERMS])
        norm = math.sqrt(sum(x * x for x in v.values()))
        vecs.append({w: x / norm for w, x in v.items()} if norm else {})
    return vecs


def _title_words(title: str) -> Iterable[str]:
    return (norm_word(m.group()) for m in _TOKEN_RE.finditer(title))


def _day(published: str | None) -> int | None:
    if not published:
        return None
    try:
        return date.fromisoformat(published[:10]).toordinal()
    except ValueError:
        return None


def _date_factor(a: int | None, b: int | None) -> float:
    """Damping of the similarity of two articles published far apart."""
    if a is None or b is None:
        return 1.0
    gap = abs(a - b)
    if gap <= 14:
        return 1.0
    if gap <= 90:
        return 0.8
    return 0.6


# ------------------------------------------------------------------ candidates
def _candidate_edges(vecs: Sequence[dict[str, float]], days: Sequence[int | None]) -> dict[tuple[int, int], float]:
    """Raw cosine (date-damped) of every pair sharing an indexed term, when ≥ _FLOOR."""
    n = len(vecs)
    max_df = max(_MAX_DF_SHARE * n, 50)
    postings: dict[str, list[int]] = defaultdict(list)
    for i, v in enumerate(vecs):
        top = sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))[:_INDEX_TERMS]
        for w, _ in top:
            postings[w].append(i)
    edges: dict[tuple[int, int], float] = {}
    for i, v in enumerate(vecs):
        cands: set[int] = set()
        for w in v:
            p = postings.get(w)
            if p is None or len(p) > max_df or len(p) > _MAX_POSTING:
                continue
            cands.update(p)
        for j in cands:
            if j <= i:
                continue
            a, b = (v, vecs[j]) if len(v) <= len(vecs[j]) else (vecs[j], v)
            s = sum(x * b[w] for w, x in a.items() if w in b)
            s *= _date_factor(days[i], days[j])
            if s >= _FLOOR:
                edges[(i, j)] = s
    return edges


def _shared_neighbour_edges(n: int, edges: dict[tuple[int, int], float]) -> dict[tuple[int, int], float]:
    """Cosine of the documents' weighted nearest-neighbour vectors (self included with 1)."""
    nbrs: list[list[tuple[float, int]]] = [[] for _ in range(n)]
    for (i, j), s in edges.items():
        nbrs[i].append((s, j))
        nbrs[j].append((s, i))
    knn: list[dict[int, float]] = []
    for i in range(n):
        top = heapq.nlargest(_K, nbrs[i], key=lambda sj: (sj[0], -sj[1]))
        row = {j: s for s, j in top}
        row[i] = 1.0
        norm = math.sqrt(sum(x * x for x in row.values()))
        knn.append({j: x / norm for j, x in row.items()})
    # Pairs sharing a neighbour: through the inverted lists of the kNN rows.
    holders: dict[int, list[int]] = defaultdict(list)
    for i, row in enumerate(knn):
        for j in row:
            holders[j].append(i)
    out: dict[tuple[int, int], float] = {}
    for i, row in enumerate(knn):
        cands: set[int] = set()
        for j in row:
            cands.update(holders[j])
        for k in cands:
            if k <= i:
                continue
            other = knn[k]
            s = sum(x * other[j] for j, x in row.items() if j in other)
            if s > 0:
                out[(i, k)] = s
    return out


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
        neg, a, b, va, vb = heapq.heappop(heap)
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
