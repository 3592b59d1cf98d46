"""Story clustering: articles → groups of articles that report the same event.

Method (all sparse, no n×n matrix):

1. **Document vectors.**  Sublinear tf × idf over the body words, function words dropped (a
   short built-in list for common languages, plus idf), words seen capitalised inside a
   sentence (names: ``salient``) boosted, title words added.  The idf carries a small prior of
   virtual unrelated documents so that a folder of 2–5 articles of one story does not lose all
   its shared words to idf.  Each vector keeps its ``_MAX_TERMS`` heaviest terms, L2-normalised.
2. **Candidate neighbours.**  An inverted index over each document's ``_INDEX_TERMS``
   heaviest terms gives the pairs worth scoring (a posting too full to pair all its documents
   pairs each with its neighbours in a MinHash order: bounded work at any scale); each
   document's best candidates get their exact cosine, a sparse dot product over all terms.  Publication dates far apart
   damp the score (two earthquakes a year apart are two stories).
3. **Shared-neighbour similarity.**  Each document's ``_K`` nearest neighbours (above a floor)
   form a weighted vector; two documents are as similar as those vectors are.  Two articles of
   one event share their neighbours; two events of the same kind (a near miss) share their
   topic words but mostly not their neighbours.  Measured on ECB+ this separates near-miss
   pairs far better than the raw cosine.
4. **Average linkage** over that sparse graph (a missing edge counts as 0), stopping at
   ``_THRESHOLD``; near-copies (raw cosine ≥ ``_SAME_STORY``, or content-word sets of
   MinHash Jaccard ≥ ``_NEAR_COPY``, which idf cannot hide) always join.

Output is deterministic: ties are broken by document content, not input position, as far as
possible, and groups are returned sorted.
"""

from __future__ import annotations

import hashlib
import heapq
import re
import struct
import zlib
from array import array
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from itertools import chain, repeat
from itertools import count as counter
from operator import itemgetter
from typing import Any

import numpy as np

from .text import _fast_join, norm_word

try:  # Counter's counting loop, in C
    from collections import _count_elements  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover

    def _count_elements(mapping, iterable):  # type: ignore[no-redef]
        get = mapping.get
        for x in iterable:
            mapping[x] = get(x, 0) + 1


# ------------------------------------------------------------------------- tunables
_K = 10  # neighbours per document in the shared-neighbour vectors
_FLOOR = 0.08  # raw cosine below which a document is nobody's neighbour
_THRESHOLD = 0.22  # average-linkage stop on the shared-neighbour similarity
_SAME_STORY = 0.6  # raw cosine at which two articles join whatever their neighbours say
_SALIENT_BOOST = 1.0  # extra weight of words seen capitalised inside sentences (names)
_IDF_PRIOR = 8.0  # virtual unrelated documents in the idf (small folders keep shared words)
_MAX_TERMS = 150  # terms kept per document vector
_INDEX_TERMS = 30  # terms per document in the inverted index
_PAIR_CAP = 30  # index postings up to this size pair all their documents
_WINDOW = 4  # fuller postings pair each document with the next _WINDOW in MinHash order
_SKETCH_TERMS = 8  # heaviest terms of a document in its MinHash sort keys
_KEEP = 30  # best candidate partners per document whose exact cosine is computed
_SKETCH_SIZE = 48  # bottom-k MinHash sketch of a document's content words (near copies)
_NEAR_COPY = 0.8  # sketch Jaccard at which two documents are copies and always join
_NEAR_COPY_MIN_WORDS = 8  # documents with fewer content words are nobody's copy
_NEAR_COPY_ORDERS = 4  # MinHash orders in which near-copies are looked for
_SPAN = 30  # group size beyond which average linkage stops counting every pair (see _pairs_counted)
_MIN_EDGE = 0.05  # shared-neighbour similarities below this are dropped before linkage
_DOT_PAIRS = 2048  # pairs per block of exact dot products (memory: block × _MAX_TERMS × 3 words)
_THREAD_MIN = 2000  # documents from which cluster() puts independent parts on a second thread


#: What ``cluster`` reads of one document, made by ``doc_features`` from it alone (small and
#: picklable: it can be made where the article is prepared and travel back from a worker):
#: ``(words, keys, counts)``, one entry per distinct word of the document (body words then
#: title words) in order of first appearance.  ``words``: those words joined by single spaces
#: (a tuple of them in the rare case a word is empty or holds a space); ``keys``: each word's
#: 64-bit key (``_word_key``), native uint64 bytes; ``counts``: how often the word occurs, plus
#: 2^32 × how often among the salient words, native uint64 bytes.
DocFeatures = tuple[str | tuple[str, ...], bytes, bytes]


@dataclass(frozen=True, slots=True)
class ClusterDoc:
    title: str | None
    words: Sequence[str]  # matching forms of the article's body words (boilerplate excluded)
    published: str | None = None  # ISO date when known
    # Matching forms of body words written with a capital inside a sentence (names); see
    # ``salient_words``.  Optional: without them every word weighs by idf alone.
    salient: Sequence[str] = ()
    # The body words as one string, separated by whitespace (e.g. the body sentences' norms
    # joined by spaces): used instead of ``words`` when set; cheaper to build and to read than
    # a list of words.
    text: str | None = None
    # ``doc_features(doc)`` made beforehand (e.g. where the article was prepared, on a worker):
    # when set, ``cluster`` and ``tui.core.increment`` read the document from it alone.
    features: DocFeatures | None = None

    def body_words(self) -> Sequence[str]:
        """The body words, from ``text`` when set, else ``words``."""
        return self.words if self.text is None else self.text.split()


# ------------------------------------------------------------------- salient words
_TOKEN_RE = re.compile(r"\w+(?:['\u2019\u2010\u2011-]\w+)*")
_OPENERS = ".!?:;\"“”‘’«»([—–-•*#|"


# A token of _TOKEN_RE starts at a word character that neither follows a word character nor
# a joiner glued to one (the greedy pattern would have carried the earlier token through it).
# Only letters that can be capitals are looked at: digits, "_" and ASCII lowercase never are.
_CAP_START_RE = re.compile(r"\b[^\W\d_a-z](?<!\w['\u2019\u2010\u2011-]\w)")


def _after_word(ns: str) -> str:
    """Lookbehinds, placed just after a token's first letter: the last non-space character
    before the token is one of ``ns``, zero to two spaces back."""
    return rf"(?:(?<={ns}.)|(?<={ns} .)|(?<={ns}  .))"


# One scan for texts whose only whitespace is single or double spaces (printable, no "   "):
# capitalised token starts (as _CAP_START_RE) whose previous non-space character exists and
# is no opener, matched through to the token's end (as _TOKEN_RE).  ASCII texts need only A-Z.
_SALIENT_ASCII_RE = re.compile(
    r"[A-Z](?<!\w\w)(?<!\w['\-]\w)"
    + _after_word("[^ " + re.escape("".join(c for c in _OPENERS if c.isascii())) + "]")
    + r"\w*(?:['\-]\w+)*"
)
_SALIENT_RE = re.compile(
    r"[^\W\d_a-z](?<!\w\w)(?<!\w['\u2019\u2010\u2011-]\w)"
    + _after_word("[^ " + re.escape(_OPENERS) + "]")
    + r"\w*(?:['\u2019\u2010\u2011-]\w+)*"
)


def salient_words(text: str) -> list[str]:
    """Matching forms of the words of ``text`` (one sentence or line) that start with a capital
    letter and do not open a sentence: names of people, places, organisations."""
    if text.isprintable() and "   " not in text:  # whitespace: runs of at most two spaces
        if text.isascii():
            found = _SALIENT_ASCII_RE.findall(text)
        else:
            found = [w for w in _SALIENT_RE.findall(text) if w[0].isupper()]
    else:
        found = _salient_tokens(text)
    if not found:
        return found
    fast = _fast_join(found)  # all words at once (same forms as norm_word, word by word)
    return fast.split(" ") if fast is not None else [norm_word(w) for w in found]


def _salient_tokens(text: str) -> list[str]:
    """The capitalised tokens of ``salient_words`` in any text (whitespace of any kind and length)."""
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
    return found


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
    return _cluster_entries(docs)[0]


def _cluster_entries(docs: Sequence[ClusterDoc]) -> tuple[list[list[int]], _Entries]:
    """``cluster`` of at least two documents, and their entries (``_entries``).  From
    ``_THREAD_MIN`` documents the helper thread (see ``_cluster``) starts on the near-copy
    sketches while the entries are made."""
    if len(docs) < _THREAD_MIN:
        e = _entries(docs)
        return _cluster_on(docs, e, None), e
    with ThreadPoolExecutor(1) as helper:
        e = _entries(docs, helper)
        return _cluster_on(docs, e, helper), e


def _cluster(docs: Sequence[ClusterDoc], e: _Entries) -> list[list[int]]:
    """``cluster`` of at least two documents whose entries are ``e``.  From ``_THREAD_MIN``
    documents the independent parts run on a second thread (NumPy releases the GIL in its
    sorts and loops): the near-copy sketches beside the weighting, the near-copy search
    beside the candidate edges, and the exact dot products shared, chunk by chunk."""
    n = len(docs)
    if n < _THREAD_MIN:
        return _cluster_on(docs, e, None)
    with ThreadPoolExecutor(1) as helper:
        return _cluster_on(docs, e, helper)


def _cluster_on(docs: Sequence[ClusterDoc], e: _Entries, helper: Executor | None) -> list[list[int]]:
    n = len(docs)
    sketch_job = e.sketches if e.sketches is not None else _run(helper, _entry_sketches, n, e)
    doc, term, weight, term_key = _weighted(n, e, helper)
    days = np.array([_day(d.published) for d in docs], dtype=np.int64)
    ckey = _content_keys(n, doc, term, term_key)
    near_job = _run(helper, lambda: _near_copies(sketch_job(), ckey))
    ei, ej, es = _candidate_edges(n, doc, term, weight, days, term_key, ckey, helper)
    ci, cj = near_job()
    si, sj, ss = _shared_neighbour_edges(n, ei, ej, es, helper)
    keep = ss >= _MIN_EDGE
    forced = es >= _SAME_STORY
    fi, fj = np.concatenate((ei[forced], ci)), np.concatenate((ej[forced], cj))
    groups = _link_groups(n, si[keep], sj[keep], ss[keep], fi, fj)
    return sorted(sorted(g) for g in groups)


def _run(helper: Executor | None, fn: Callable, *args) -> Callable[[], Any]:
    """``fn(*args)`` on the helper thread when there is one, else now; call the result for
    its value."""
    if helper is None:
        value = fn(*args)
        return lambda: value
    return helper.submit(fn, *args).result


# ---------------------------------------------------------------- document features
# word -> _word_key as 8 native bytes, per process (a worker's memo serves all its articles);
# emptied past _KEY_MEMO_MAX words.
_KEY_MEMO: dict[str, bytes] = {}
_KEY_MEMO_MAX = 1 << 18


def _word_key(w: str) -> int:
    """A word's 64-bit key: its CRC-32 (the content key ties are broken by) in the high half;
    in the low half 31 bits of its BLAKE2b digest and, as the lowest bit, whether it is a
    content word (``_useful``).  Two words share a key only if both their CRC-32 and 31 bits
    of their BLAKE2b collide."""
    b = w.encode("utf-8", "surrogatepass")
    low = int.from_bytes(hashlib.blake2b(b, digest_size=4).digest(), "little") & 0xFFFFFFFE
    return (zlib.crc32(b) << 32) | low | _useful(w)


def _useful(w: str) -> bool:
    """A content word: no function word, and more than one character unless a number."""
    return w not in _STOP and (len(w) > 1 or w.isdigit())


def _keys_of(words: Collection[str]) -> bytes:
    """The keys of ``words`` as native uint64 bytes (through the per-process memo: one
    ``itemgetter`` call looks them all up in C)."""
    memo = _KEY_MEMO
    if len(words) < 2:
        if not words:
            return b""
        (w,) = words
        got = memo.get(w)
        if got is None:
            if len(memo) > _KEY_MEMO_MAX:
                memo.clear()
            got = memo[w] = array("Q", [_word_key(w)]).tobytes()
        return got
    get = itemgetter(*words)
    try:
        return b"".join(get(memo))
    except KeyError:
        if len(memo) > _KEY_MEMO_MAX:
            memo.clear()
        for w in words:
            if w not in memo:
                memo[w] = array("Q", [_word_key(w)]).tobytes()
        return b"".join(get(memo))


def doc_features(doc: ClusterDoc) -> DocFeatures:
    """Everything ``cluster`` reads of one document that depends on it alone (``DocFeatures``):
    its distinct words in order of first appearance, their keys, counts and salient counts."""
    if doc.features is not None:
        return doc.features
    titles = _title_words(doc.title) if doc.title else []
    count: dict[str, int] = {}
    _count_elements(count, doc.words if doc.text is None else doc.text.split())
    if titles:  # (a text's title words as its words would be: split at whitespace)
        _count_elements(count, titles if doc.text is None else " ".join(titles).split())
    for w in doc.salient:  # salient counts ride in the high half of the counts
        if w in count:
            count[w] += 1 << 32
    return _packed(count)


# Sentence (a body sentence's matching forms, words apart by single spaces) -> its words, per
# process: news copy repeats sentences, so most are split once.  The words are one object per
# distinct word (_WORD_OBJECTS): counting them finds each by identity, with its hash kept.
# Emptied when full: _SENTENCE_MEMO_MAX sentences (about 50 MB at most with typical sentences
# of 20 words and 120 characters), _KEY_MEMO_MAX words.
_SENTENCE_WORDS: dict[str, tuple[str, ...]] = {}
_WORD_OBJECTS: dict[str, str] = {}
_SENTENCE_MEMO_MAX = 100_000


def body_features(
    title: str | None, sentences: Iterable[str], salient: Iterable[str] = ()
) -> tuple[DocFeatures, int]:
    """``doc_features`` of a document whose body words are those of ``sentences`` (each
    split at whitespace, in order) and how many distinct body words it has:
    ``doc_features(ClusterDoc(title, " ".join(sentences).split(), salient=salient))`` and
    ``len(set(" ".join(sentences).split()))``, with each sentence's words remembered."""
    memo = _SENTENCE_WORDS
    count: dict[str, int] = {}
    for sentence in sentences:
        got = memo.get(sentence)
        if got is None:
            if len(memo) >= _SENTENCE_MEMO_MAX:
                memo.clear()
            objects = _WORD_OBJECTS
            if len(objects) >= _KEY_MEMO_MAX:
                objects.clear()
            words = sentence.split()
            got = memo[sentence] = tuple(map(objects.setdefault, words, words))
        _count_elements(count, got)
    n_body = len(count)
    if title:
        titles = _title_words(title)
        if titles:
            _count_elements(count, titles)
    for w in salient:  # salient counts ride in the high half of the counts
        if w in count:
            count[w] += 1 << 32
    return _packed(count), n_body


def _packed(count: dict[str, int]) -> DocFeatures:
    """``DocFeatures`` of a document's words and their (packed) counts, in order."""
    words = [*count]
    joined = " ".join(words)
    plain = joined != "" and joined.count(" ") == len(words) - 1  # no word is empty or holds a space
    text: str | tuple[str, ...] = joined if plain else tuple(words)
    return text, _keys_of(words), struct.pack(f"{len(words)}Q", *count.values())


def _words_of(f: DocFeatures) -> list[str]:
    """The distinct words of one document's features, in their order."""
    w = f[0]
    if isinstance(w, str):
        return w.split(" ") if w else []
    return list(w)


@dataclass(slots=True)
class _Entries:
    """The (document, term) entries of a folder: ``doc``, ``term`` (ids numbered by first
    appearance over the documents' words in order), ``count`` and ``sal`` (float64), each
    document's entries contiguous, in document order; per term whether it is a content word
    (``useful``) and its CRC-32 (``term_key``); its word from ``words()``."""

    doc: np.ndarray
    term: np.ndarray
    count: np.ndarray
    sal: np.ndarray
    useful: np.ndarray
    term_key: np.ndarray
    _words: list[str] | None = None
    _feats: list[DocFeatures] | None = None
    _first: np.ndarray | None = None
    # the near-copy sketches (``_entry_sketches``) when a helper thread was given them to make
    sketches: Callable[[], np.ndarray] | None = None

    @property
    def n_terms(self) -> int:
        return len(self.useful)

    def words(self) -> list[str]:
        """Each term's word, by term id."""
        if self._words is None:
            feats = self._feats or []
            first = self._first if self._first is not None else np.zeros(0, dtype=np.int64)
            # terms are numbered by first appearance, so their first entries rise: the documents
            # where some word first appears are read once each, in order
            lens = np.fromiter((len(f[1]) >> 3 for f in feats), dtype=np.int64, count=len(feats))
            ends = np.cumsum(lens)
            at = np.searchsorted(ends, first, side="right")
            local = first - (ends - lens)[at]
            words: list[str] = []
            cur, got = -1, []
            for k, i in zip(at.tolist(), local.tolist()):
                if k != cur:
                    cur, got = k, _words_of(feats[k])
                words.append(got[i])
            self._words = words
        return self._words


def _entries(docs: Sequence[ClusterDoc], helper: Executor | None = None) -> _Entries:
    """The entries of ``docs``: read from their features when they have them (those that lack
    them get theirs made here), else from their words all at once.  With a ``helper`` thread,
    the features' near-copy sketches are made there (from the words' keys) meanwhile."""
    if all(d.features is None for d in docs):
        return _entries_of_words(docs)
    feats = [d.features if d.features is not None else doc_features(d) for d in docs]
    n = len(feats)
    lens = np.fromiter((len(f[1]) >> 3 for f in feats), dtype=np.int64, count=n)
    keys = np.frombuffer(b"".join([f[1] for f in feats]), dtype=np.uint64)
    doc = np.repeat(np.arange(n, dtype=np.int32), lens)
    sketches = None if helper is None else helper.submit(_key_sketches, n, doc, keys).result
    packed = np.frombuffer(b"".join([f[2] for f in feats]), dtype=np.uint64)
    count = (packed & np.uint64(0xFFFFFFFF)).astype(np.float64)
    sal = (packed >> np.uint64(32)).astype(np.float64)
    term, first = _term_ids(keys)
    tkeys = keys[first]
    useful = (tkeys & np.uint64(1)).astype(bool)
    term_key = (tkeys >> np.uint64(32)).astype(np.int64)
    return _Entries(doc, term, count, sal, useful, term_key, None, feats, first, sketches)


def _key_sketches(n: int, doc: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """``_entry_sketches`` from each entry's word key (its content bit and CRC-32 are those of
    its term), before the terms are numbered."""
    content = (keys & np.uint64(1)).astype(bool)
    return _sketches(n, doc[content], (keys[content] >> np.uint64(32)).astype(np.int64))


def _entries_of_words(docs: Sequence[ClusterDoc]) -> _Entries:
    """``_entries`` from the documents' words (and titles, and salient words), all at once:
    one dict operation per word."""
    n = len(docs)
    titles = [_title_words(d.title) if d.title else [] for d in docs]
    flat, lens = _flat_words(docs, titles)
    # term ids in order of first appearance, one dict operation per word: each word maps to
    # the position of its first occurrence, renumbered densely
    index: dict[str, int] = {}
    first = np.fromiter(map(index.setdefault, flat, counter()), dtype=np.int64, count=len(flat))
    if lens is None:  # documents apart by separators: drop them, count the words between
        sep = first == index.pop(_SEP, -1)
        lens = np.diff(np.concatenate(([-1], np.flatnonzero(sep), [len(flat)]))) - 1
        first = first[~sep]
    n_words = len(index)
    if n_words == 0:
        z = np.zeros(0)
        return _Entries(z.astype(np.int32), z.astype(np.int32), z, z, z.astype(bool), z.astype(np.int64), [])
    dense = np.empty(len(flat), dtype=np.int64)
    dense[np.fromiter(index.values(), dtype=np.int64, count=n_words)] = np.arange(n_words)
    ids = dense[first]
    del flat, first
    keys, count = np.unique(np.repeat(np.arange(n, dtype=np.int64), lens) * n_words + ids, return_counts=True)
    doc = (keys // n_words).astype(np.int32)
    term = (keys % n_words).astype(np.int32)
    # salient counts of the same (doc, term) entries
    sal = np.zeros(len(keys))
    slens = np.fromiter((len(d.salient) for d in docs), dtype=np.int64, count=n)
    if slens.sum():
        sids = np.fromiter(
            map(index.get, chain.from_iterable(d.salient for d in docs), repeat(-1)), dtype=np.int64, count=int(slens.sum())
        )
        sids[sids >= 0] = dense[sids[sids >= 0]]
        sdoc = np.repeat(np.arange(n, dtype=np.int64), slens)
        skeys, scount = np.unique(sdoc[sids >= 0] * n_words + sids[sids >= 0], return_counts=True)
        pos = np.minimum(np.searchsorted(keys, skeys), len(keys) - 1)
        hit = keys[pos] == skeys  # a salient word the document's words lack counts nothing
        sal[pos[hit]] = scount[hit]
    words = list(index)
    useful = np.fromiter((_useful(w) for w in words), dtype=bool, count=n_words)
    term_key = np.fromiter((zlib.crc32(x.encode("utf-8", "surrogatepass")) for x in words), dtype=np.int64, count=n_words)
    return _Entries(doc, term, count.astype(np.float64), sal, useful, term_key, words)


_SEP = "\x00"  # between documents in one string of texts (never inside a word)


def _flat_words(docs: Sequence[ClusterDoc], titles: list[list[str]]) -> tuple[list[str], np.ndarray | None]:
    """Every document's body words then title words, document after document, and each
    document's number of them.  When every document is given as ``text`` they are split all
    at once, from one string with the documents apart by _SEP; the counts are then None (the
    caller finds the separators among the words)."""
    n = len(docs)
    if all(d.text is not None for d in docs):
        parts = [f"{d.text} {' '.join(t)}" if t else d.text for d, t in zip(docs, titles)]
        big = f" {_SEP} ".join(parts)  # type: ignore[arg-type]
        if big.count(_SEP) == n - 1:  # no separator inside a text
            return big.split(), None
    bodies = [d.body_words() for d in docs]
    lens = np.fromiter((len(b) + len(t) for b, t in zip(bodies, titles)), dtype=np.int64, count=n)
    return list(chain.from_iterable(chain.from_iterable(zip(bodies, titles)))), lens


def _term_ids(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each entry's term id, the distinct keys numbered in order of first appearance, and each
    term's first entry.  One sort of (CRC half of the key, position) packed into 63 bits; the
    runs of one CRC holding different keys (distinct words whose CRCs collide) are re-sorted
    by (key, position)."""
    m = len(keys)
    pbits = max(1, m.bit_length())
    if m == 0:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64)
    if 32 + pbits > 63:  # beyond 2^31 entries: the plain way
        _u, first, inv = np.unique(keys, return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")
        tid = np.empty(len(first), dtype=np.int64)
        tid[order] = np.arange(len(first))
        return tid[inv.ravel()].astype(np.int32), first[order]
    mask = (1 << pbits) - 1
    packed = np.sort(((keys >> np.uint64(32)).astype(np.int64) << pbits) | np.arange(m, dtype=np.int64))
    pos = packed & mask
    sk = keys[pos]
    diff = sk[1:] != sk[:-1]
    hi = packed >> pbits
    clash = diff & (hi[1:] == hi[:-1])
    if clash.any():
        bad = np.unique(hi[1:][clash])
        at = np.flatnonzero(np.isin(hi, bad))  # slots of those CRC runs (contiguous per run)
        sub = np.lexsort((pos[at], sk[at], hi[at]))
        pos[at] = pos[at][sub]
        sk = keys[pos]
        diff = sk[1:] != sk[:-1]
    new = np.empty(m, dtype=bool)
    new[0] = True
    new[1:] = diff
    first = pos[new]  # each key's first position (positions rise within a key's run)
    v = len(first)
    vbits = max(1, v.bit_length())
    order = (np.sort((first << vbits) | np.arange(v, dtype=np.int64)) & ((1 << vbits) - 1))
    tid = np.empty(v, dtype=np.int32)
    tid[order] = np.arange(v, dtype=np.int32)
    term = np.empty(m, dtype=np.int32)
    term[pos] = tid[np.cumsum(new) - 1]
    return term, first[order]


# ----------------------------------------------------------------------- vectors
def _vectors(docs: Sequence[ClusterDoc]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sparse L2-normalised tf-idf vectors as parallel arrays (doc, term id, weight), each
    document's entries contiguous and sorted by decreasing weight, then term; each term id's
    content key (a CRC of the word); and each document's near-copy sketch (``_sketches``)."""
    e = _entries(docs)
    return (*_weighted(len(docs), e), _entry_sketches(len(docs), e))


def _entry_sketches(n: int, e: _Entries) -> np.ndarray:
    """The near-copy sketches (``_sketches``) of the documents of the entries ``e``."""
    if e.n_terms == 0:
        return np.full((n, _SKETCH_SIZE), _NONE, dtype=np.uint64)
    content = e.useful[e.term]
    return _sketches(n, e.doc[content], e.term_key[e.term[content]])


def _weighted(n: int, e: _Entries, helper: Executor | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``_vectors`` of the entries ``e`` of ``n`` documents, but the sketches.  With a
    ``helper`` thread, it orders the later half of the documents' entries."""
    n_words = e.n_terms
    if n_words == 0:
        empty = np.zeros(0)
        return empty.astype(np.int32), empty.astype(np.int32), empty, empty.astype(np.int64)
    doc, term, count, sal, useful, term_key = e.doc, e.term, e.count, e.sal, e.useful, e.term_key
    df = np.bincount(term, minlength=n_words).astype(np.float64)
    idf = np.log((n + _IDF_PRIOR) / (df + 0.5))
    idf[~useful] = 0.0
    np.maximum(idf, 0.0, out=idf)
    w = (1.0 + np.log(count)) * idf[term]
    w *= 1.0 + _SALIENT_BOOST * np.minimum(1.0, sal / count)
    # Each document's heaviest terms; ties broken by the term itself, not by input order.
    # (one sort of a packed key: document, weight falling to 2^-qbits of the largest, word)
    dbits, tbits = max(1, int(n).bit_length()), max(1, n_words.bit_length())
    qbits = 63 - dbits - tbits
    q = np.rint((1.0 - w / max(float(w.max()), 1e-300)) * float((1 << qbits) - 1)).astype(np.int64)
    trank = np.empty(n_words, dtype=np.int64)
    trank[np.argsort(term_key, kind="stable")] = np.arange(n_words)
    # Weightless entries (function words) sort last in their document and are dropped: when
    # every weighted entry's q is below theirs, only the weighted ones need sorting.
    live = np.flatnonzero(w > 0)
    if len(live) and int(q[live].max()) == (1 << qbits) - 1:
        live = np.arange(len(w))
    key = (doc[live].astype(np.int64) << (qbits + tbits)) | (q[live] << tbits) | trank[term[live]]
    if helper is None or len(key) < _SPLIT_PAIRS:
        order = live[np.argsort(key)]
    else:  # the key leads with the document: each half of the documents sorts apart
        cut = int(np.searchsorted(doc[live], n // 2))
        later = helper.submit(np.argsort, key[cut:])
        order = live[np.concatenate((np.argsort(key[:cut]), later.result() + cut))]
    sdoc = doc[order]
    rank = np.arange(len(sdoc)) - np.searchsorted(sdoc, np.arange(n))[sdoc]
    order = order[rank < _MAX_TERMS]
    doc, term, w = doc[order], term[order], w[order]
    keep = w > 0
    doc, term, w = doc[keep], term[keep], w[keep]
    norm = np.sqrt(np.bincount(doc, weights=w * w, minlength=n))
    w = w / norm[doc]
    return doc, term, w, term_key


# ------------------------------------------------------------------- near copies
_NONE = np.uint64(np.iinfo(np.uint64).max)


def _sketches(n: int, doc: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Bottom-k MinHash sketch of each document's set of content words (``doc`` increasing):
    its ``_SKETCH_SIZE`` smallest word hashes, sorted, padded with ``_NONE``.  Unlike the
    tf-idf vectors it does not depend on the rest of the folder: a folder of near-copies,
    whose shared words idf wipes out, still has near-identical sketches."""
    sketch = np.full((n, _SKETCH_SIZE), _NONE, dtype=np.uint64)
    if len(doc) == 0:
        return sketch
    bits = max(1, int(n).bit_length())
    h = (_mix(key.astype(np.uint64)) >> np.uint64(bits + 1)).astype(np.int64)  # 63 - bits bits
    packed = np.sort((doc.astype(np.int64) << (63 - bits)) | h)  # both read back from the key
    doc, h = packed >> (63 - bits), (packed & ((1 << (63 - bits)) - 1)).astype(np.uint64)
    rank = np.arange(len(doc)) - np.searchsorted(doc, np.arange(n))[doc]
    k = rank < _SKETCH_SIZE
    sketch[doc[k], rank[k]] = h[k]
    return sketch


def _near_copies(sketch: np.ndarray, ckey: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of documents whose content-word sets are near-identical (sketch Jaccard at least
    ``_NEAR_COPY``).  Documents are sorted by a few MinHashes of their sketches (near-copies
    share each with probability ≈ their Jaccard) and each is checked against its next few in
    each order: O(n), however many copies there are; the pairs chain copies together."""
    n = len(sketch)
    size = (sketch != _NONE).sum(axis=1)
    ok = np.flatnonzero(size >= _NEAR_COPY_MIN_WORDS)
    z = np.zeros(0, dtype=np.int64)
    if len(ok) < 2:
        return z, z
    sk = sketch[ok]
    pa, pb = [], []
    for r in range(_NEAR_COPY_ORDERS):
        salt = _mix(np.array([r + 1], dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))
        h = _mix(sk ^ salt)
        h[sk == _NONE] = _NONE
        order = np.lexsort((ok, ckey[ok], h.min(axis=1)))
        for step in (1, 2):
            pa.append(order[:-step])
            pb.append(order[step:])
    a, b = np.concatenate(pa), np.concatenate(pb)
    pairs = np.sort(np.minimum(a, b) * n + np.maximum(a, b))
    new = np.empty(len(pairs), dtype=bool)
    new[:1] = True
    np.not_equal(pairs[1:], pairs[:-1], out=new[1:])
    pairs = pairs[new]
    a, b = pairs // n, pairs % n
    sa, sb = size[ok][a], size[ok][b]
    # Screen: a hash of one sketch whose bucket (of 256) no hash of the other falls in is not
    # shared, so the shared count is at most the size less those; the Jaccard rises with the
    # shared count, so pairs whose bound falls short are no copies.
    buckets = _buckets(sk)
    ub = np.minimum(sa - _popcount(buckets[a] & ~buckets[b]), sb - _popcount(buckets[b] & ~buckets[a]))
    maybe = ub / (sa + sb - ub) >= _NEAR_COPY
    a, b, sa, sb = a[maybe], b[maybe], sa[maybe], sb[maybe]
    both = np.sort(np.concatenate((sk[a], sk[b]), axis=1), axis=1)
    shared = ((both[:, 1:] == both[:, :-1]) & (both[:, 1:] != _NONE)).sum(axis=1)
    jac = shared / (sa + sb - shared)
    keep = jac >= _NEAR_COPY
    return ok[a[keep]].astype(np.int64), ok[b[keep]].astype(np.int64)


def _buckets(sketch: np.ndarray) -> np.ndarray:
    """Per sketch row, the 256-bit set (4 words) of the buckets ``hash & 255`` of its hashes."""
    bucket = sketch & np.uint64(255)
    bit = np.left_shift(np.uint64(1), bucket & np.uint64(63))
    bit[sketch == _NONE] = 0
    word = bucket >> np.uint64(6)
    out = np.zeros((len(sketch), 4), dtype=np.uint64)
    for w in range(4):
        out[:, w] = np.bitwise_or.reduce(np.where(word == w, bit, np.uint64(0)), axis=1)
    return out


_POP8 = np.array([i.bit_count() for i in range(256)], dtype=np.int64)


def _popcount(words: np.ndarray) -> np.ndarray:
    """Set bits per row of a 2-D uint64 array."""
    return _POP8[np.ascontiguousarray(words).view(np.uint8)].reshape(len(words), -1).sum(axis=1)


def _title_words(title: str) -> list[str]:
    found = _TOKEN_RE.findall(title)
    if not found:
        return found
    fast = _fast_join(found)  # all words at once (same forms as norm_word, word by word)
    return fast.split(" ") if fast is not None else [norm_word(w) for w in found]


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
    if items_sorted:
        order = _stable_order(key)
    elif len(key) and int(item.min()) >= 0 and int(key.min()) >= 0:
        order = _stable_order(key.astype(np.int64) * (int(item.max()) + 1) + item)
    else:
        order = np.lexsort((item, key))
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


def _stable_order(key: np.ndarray) -> np.ndarray:
    """``np.argsort(key, kind="stable")`` for non-negative integer keys, by one sort of
    (key, position) packed into 63 bits when they fit (a plain sort is several times faster
    than an argsort)."""
    pbits = max(1, len(key).bit_length())
    if len(key) == 0 or int(key.max()).bit_length() + pbits > 63:
        return np.argsort(key, kind="stable")
    return np.sort((key.astype(np.int64) << pbits) | np.arange(len(key))) & ((1 << pbits) - 1)


_SPLIT_PAIRS = 200_000  # pairs from which _sum_by_pair gives a helper thread part of them


def _sum_by_pair(n: int, i: np.ndarray, j: np.ndarray, v: np.ndarray, helper: Executor | None = None):
    """Unique pairs (lo, hi) of the pairs (i, j), increasing, and the sums of their values,
    each added up in input order.  With a ``helper`` thread and many pairs, it sums the pairs
    whose lower document is past a cut (about half of them when the documents are paired
    evenly) while this thread sums the others: the same sums, in the same order."""
    if helper is None or len(i) < _SPLIT_PAIRS or n < 4:
        return _sum_pairs(n, i, j, v)
    first = np.minimum(i, j) < int(n * 0.2929)  # 1 - 1/sqrt(2): P(min of two < cut) = 1/2
    rest = helper.submit(_sum_pairs, n, i[~first], j[~first], v[~first])
    a, b, s = _sum_pairs(n, i[first], j[first], v[first])
    ra, rb, rs = rest.result()
    return np.concatenate((a, ra)), np.concatenate((b, rb)), np.concatenate((s, rs))


def _sum_pairs(n: int, i: np.ndarray, j: np.ndarray, v: np.ndarray):
    """``_sum_by_pair`` on this thread."""
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    keys = lo * n + hi
    pbits = max(1, len(keys).bit_length())
    if len(keys) == 0 or int(keys.max()).bit_length() + pbits > 63:
        uniq, inv = np.unique(keys, return_inverse=True)
        return uniq // n, uniq % n, np.bincount(inv.ravel(), weights=v, minlength=len(uniq))
    # one sort of (pair, position): equal pairs stay in input order, so the sums do too
    packed = np.sort((keys << pbits) | np.arange(len(keys)))
    keys, pos = packed >> pbits, packed & ((1 << pbits) - 1)
    new = np.empty(len(keys), dtype=bool)
    new[0] = True
    np.not_equal(keys[1:], keys[:-1], out=new[1:])
    uniq = keys[new]
    sums = np.bincount(np.cumsum(new) - 1, weights=v[pos], minlength=len(uniq))
    return uniq // n, uniq % n, sums


def _mix(x: np.ndarray) -> np.ndarray:
    """A 64-bit integer hash (splitmix64's finaliser), elementwise, wrapping."""
    x = np.atleast_1d(x).astype(np.uint64)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _content_keys(n: int, doc: np.ndarray, term: np.ndarray, term_key: np.ndarray) -> np.ndarray:
    """A key of each document from its vector (ties between documents are broken by content,
    not by input position)."""
    if len(doc) == 0:
        return np.zeros(n)
    starts = np.searchsorted(doc, np.arange(n))
    rank = np.arange(len(doc)) - starts[doc]
    h = _mix(_mix(term_key[term].astype(np.uint64)) ^ rank.astype(np.uint64))
    return np.bincount(doc, weights=(h >> np.uint64(11)).astype(np.float64), minlength=n)


def _candidate_edges(
    n: int, doc: np.ndarray, term: np.ndarray, weight: np.ndarray, days: np.ndarray, term_key: np.ndarray,
    ckey: np.ndarray, helper: Executor | None = None,
):
    """Cosine (date-damped, over all shared terms) of each document's most promising partners,
    when at least _FLOOR.

    Candidates come from an inverted index over each document's ``_INDEX_TERMS`` heaviest
    terms.  A posting of at most ``_PAIR_CAP`` documents pairs them all; a fuller one (a big
    story's own words, or a word common to many stories) is sorted by a MinHash of each
    document's heaviest other terms, so that documents of one story sit side by side, and
    each document pairs with the next ``_WINDOW`` in that order: O(df · window), not df².
    The summed products over the shared index terms rank each document's partners; the
    ``_KEEP`` best of each (either end) get their exact cosine."""
    z = np.zeros(0, dtype=np.int64)
    if len(doc) == 0:
        return z, z, np.zeros(0)
    post = _postings(n, doc, term, weight)
    starts, _rank, it, idoc, iw, small = post
    a, b, v = _pairs_within_groups(it[small], idoc[small], iw[small], items_sorted=True)
    wi, wj, wv = _window_pairs(n, doc, term, term_key, ckey, post, helper)
    parts_i, parts_j, parts_v = [a, *wi], [b, *wj], [v, *wv]
    ci, cj, cv = np.concatenate(parts_i), np.concatenate(parts_j), np.concatenate(parts_v)
    ci, cj, cv = ci[ci != cj], cj[ci != cj], cv[ci != cj]
    if len(ci) == 0:
        return z, z, np.zeros(0)
    ci, cj, cv = _sum_by_pair(n, ci, cj, cv, helper)
    # each document's _KEEP best partners by the partial dot product
    # one sort of a packed key (document, partial dot falling, partner by content)
    # (the keys are distinct, so document and partner are read back from the sorted keys)
    src = np.concatenate((ci, cj))
    dst = np.concatenate((cj, ci))
    val = np.concatenate((cv, cv))
    bits = max(1, int(n).bit_length())
    qbits = 63 - 2 * bits
    q = np.rint((1.0 - np.clip(val, 0.0, 1.0)) * float((1 << qbits) - 1)).astype(np.int64)
    by_content = np.argsort(ckey, kind="stable")
    crank = np.empty(n, dtype=np.int64)
    crank[by_content] = np.arange(n)
    packed = np.sort((src << (qbits + bits)) | (q << bits) | crank[dst])
    src = packed >> (qbits + bits)
    top = (np.arange(len(src)) - np.searchsorted(src, np.arange(n))[src]) < _KEEP
    src, dst = src[top], by_content[packed[top] & ((1 << bits) - 1)]
    # the chosen pairs, in the order of (ci, cj): by (lower, higher) document
    chosen = np.sort(np.minimum(src, dst) * n + np.maximum(src, dst))
    first = np.empty(len(chosen), dtype=bool)
    first[:1] = True
    np.not_equal(chosen[1:], chosen[:-1], out=first[1:])
    chosen = chosen[first]
    i, j = chosen // n, chosen % n
    s = _exact_dots(n, doc, term, weight, starts, i, j, helper)
    s = s * _date_factor(days[i], days[j])
    ok = s >= _FLOOR
    return i[ok], j[ok], s[ok]


#: Each document's first entry (and one past the last), each entry's rank in its document, and
#: the index entries (rank below _INDEX_TERMS, a term in more than one document): their term,
#: document, weight and whether their posting is small enough to pair all its documents.
_Postings = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
_Parts = tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]


def _postings(n: int, doc: np.ndarray, term: np.ndarray, weight: np.ndarray) -> _Postings:
    """The inverted index of ``_candidate_edges`` (``_Postings``)."""
    starts = np.searchsorted(doc, np.arange(n + 1))
    rank = np.arange(len(doc)) - starts[doc]
    df = np.bincount(term)
    idx = (rank < _INDEX_TERMS) & (df[term] > 1)
    it, idoc, iw = term[idx], doc[idx], weight[idx]
    post = np.bincount(it, minlength=len(df))
    return starts, rank, it, idoc, iw, post[it] <= _PAIR_CAP


def _posting_minhash(sketch: np.ndarray, tkey: np.ndarray, bt: np.ndarray, bd: np.ndarray) -> np.ndarray:
    """For each entry (term bt, document bd) of a fuller posting, the MinHash (salted by the
    term) of the document's sketch terms other than bt."""
    rows = sketch[bd]
    salt = _mix(tkey[bt] + np.uint64(0x9E3779B97F4A7C15))
    hashed = _mix(rows ^ salt[:, None])
    hashed[(rows == tkey[bt][:, None]) | (rows == np.iinfo(np.uint64).max)] = np.iinfo(np.uint64).max
    return hashed.min(axis=1)


def _window_pairs(
    n: int, doc: np.ndarray, term: np.ndarray, term_key: np.ndarray, ckey: np.ndarray, post: _Postings,
    helper: Executor | None = None,
) -> _Parts:
    """The candidate pairs of the fuller postings (see ``_candidate_edges``): for each step
    1.._WINDOW, (lower document, higher document, product of weights) of the entries that far
    apart in one posting sorted by MinHash.  With a ``helper`` thread, it hashes half the
    entries."""
    _starts, rank, it, idoc, iw, small = post
    big = ~small
    if not big.any():
        return [], [], []
    parts_i, parts_j, parts_v = [], [], []
    tkey = _mix(term_key.astype(np.uint64))
    bt, bd, bw = it[big], idoc[big], iw[big]
    # MinHash of the document's sketch terms other than the posting's own, one hash per term
    sk = rank < _SKETCH_TERMS
    sketch = np.full((n, _SKETCH_TERMS), np.iinfo(np.uint64).max, dtype=np.uint64)
    sketch[doc[sk], rank[sk]] = tkey[term[sk]]
    if helper is None or len(bt) < _SPLIT_PAIRS:
        mh = _posting_minhash(sketch, tkey, bt, bd)
    else:  # the helper hashes the first half of the entries
        half = len(bt) // 2
        first = helper.submit(_posting_minhash, sketch, tkey, bt[:half], bd[:half])
        rest = _posting_minhash(sketch, tkey, bt[half:], bd[half:])
        mh = np.concatenate((first.result(), rest))
    crank = np.empty(n, dtype=np.int64)  # rank by (content key, document)
    crank[np.argsort(ckey, kind="stable")] = np.arange(n)
    order = np.lexsort((crank[bd], mh, bt))
    bt, bd, bw = bt[order], bd[order], bw[order]
    for step in range(1, _WINDOW + 1):
        same = bt[step:] == bt[:-step]
        x, y = bd[:-step][same], bd[step:][same]
        parts_i.append(np.minimum(x, y).astype(np.int64))
        parts_j.append(np.maximum(x, y).astype(np.int64))
        parts_v.append(bw[:-step][same] * bw[step:][same])
    return parts_i, parts_j, parts_v


def _exact_dots(
    n: int, doc: np.ndarray, term: np.ndarray, weight: np.ndarray, starts: np.ndarray, i: np.ndarray, j: np.ndarray,
    helper: Executor | None = None,
) -> np.ndarray:
    """Dot products of the pairs (i, j) over all their shared terms: the pairs go by chunks of
    first documents, whose vectors are laid out densely, and each second document's entries
    (a row of a padded document × rank table) are looked up in them; the products are added
    in entry order, as a running sum over the second document's entries would add them.
    With a ``helper`` thread, the two threads take chunks in turn, whichever is free first
    (each chunk's sums are the same whoever makes them)."""
    out = np.zeros(len(i))
    if len(i) == 0:
        return out
    n_terms = int(term.max()) + 1
    width = n_terms + 1  # the last column of the dense table stays 0: padding looks it up
    lens = starts[1:] - starts[:-1]
    rank = np.arange(len(doc)) - starts[doc]
    tpad = np.full((n, max(1, int(lens.max()))), n_terms, dtype=np.intp)
    wpad = np.zeros(tpad.shape)
    tpad[doc, rank] = term
    wpad[doc, rank] = weight
    rows_per_chunk = max(1, (1 << 21) // width)
    order = _stable_order(i)
    i_s, j_s = i[order], j[order]
    bounds = np.searchsorted(i_s, np.arange(0, n + rows_per_chunk, rows_per_chunk)).tolist()
    res = np.zeros(len(i))

    n_chunks = len(bounds) - 1
    next_chunk = counter().__next__  # shared by the threads (one C call: atomic under the GIL)

    def chunks() -> None:
        table = np.zeros(rows_per_chunk * width)
        while (c := next_chunk()) < n_chunks:
            lo, hi = bounds[c], bounds[c + 1]
            if lo == hi:
                continue
            d0 = c * rows_per_chunk
            e0, e1 = starts[d0], starts[min(n, d0 + rows_per_chunk)]
            cells = (doc[e0:e1] - d0) * width + term[e0:e1]
            table[cells] = weight[e0:e1]
            for plo in range(lo, hi, _DOT_PAIRS):
                phi = min(hi, plo + _DOT_PAIRS)
                pj = j_s[plo:phi]
                idx = tpad[pj]
                idx += ((i_s[plo:phi] - d0) * width)[:, None]
                prod = np.take(table, idx)
                prod *= wpad[pj]
                acc = np.zeros(phi - plo)
                for column in np.ascontiguousarray(prod.T):  # entry by entry: the same sums as a loop
                    acc += column
                res[plo:phi] = acc
            table[cells] = 0.0

    if helper is None or n_chunks < 2:
        chunks()
    else:  # both threads take the next chunk while there is one
        done = helper.submit(chunks)
        chunks()
        done.result()
    out[order] = res
    return out


def _shared_neighbour_edges(n: int, ei: np.ndarray, ej: np.ndarray, es: np.ndarray, helper: Executor | None = None):
    """Cosine of the documents' weighted nearest-neighbour vectors (self included with 1)."""
    src, dst, val = _by_value_falling(n, np.concatenate((ei, ej)), np.concatenate((ej, ei)), np.concatenate((es, es)))
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
    return _sum_by_pair(n, a, b, v, helper)


def _by_value_falling(n: int, src: np.ndarray, dst: np.ndarray, val: np.ndarray):
    """``(src, dst, val)`` ordered by source, value falling, then destination (as
    ``np.lexsort((dst, -val, src))``) for distinct (src, dst) pairs of documents below ``n``.
    One sort of packed (source, rank of the value among the distinct values, destination):
    the three are read back from the sorted keys (a plain sort is several times faster than
    a lexsort)."""
    m = len(src)
    bits = max(1, int(n).bit_length())
    if m == 0 or 2 * bits + m.bit_length() > 63:
        order = np.lexsort((dst, -val, src))
        return src[order], dst[order], val[order]
    o = np.argsort(val)
    sv = val[o]
    new = np.empty(m, dtype=bool)
    new[0] = True
    np.not_equal(sv[1:], sv[:-1], out=new[1:])
    distinct = sv[new]  # rising
    nv = len(distinct)
    falling = np.empty(m, dtype=np.int64)
    falling[o] = (nv - 1) - (np.cumsum(new) - 1)  # 0 for the largest value
    vbits = max(1, nv.bit_length())
    k = np.sort((src.astype(np.int64) << (vbits + bits)) | (falling << bits) | dst)
    return k >> (vbits + bits), k & ((1 << bits) - 1), distinct[(nv - 1) - ((k >> bits) & ((1 << vbits) - 1))]


# --------------------------------------------------------------------- linkage
def _pairs_counted(a: int, b: int) -> int:
    """The number of pairs a link between groups of sizes a and b is averaged over: every
    pair while the bigger group is small; beyond _SPAN members, a document has similarities to
    only about _SPAN of them (its neighbours' neighbours), so each document of the smaller
    group is held to _SPAN partners, not to all of the bigger group."""
    lo, hi = (a, b) if a <= b else (b, a)
    return lo * min(hi, _SPAN)


def _components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Each node's root: the smallest node of its connected component under the edges (a, b).
    Roots hook onto smaller roots across edges, then labels jump to their roots, until every
    edge has one label at both ends."""
    lab = np.arange(n)
    while len(a):
        la, lb = lab[a], lab[b]
        differ = la != lb
        if not differ.any():
            break
        a, b, la, lb = a[differ], b[differ], la[differ], lb[differ]
        np.minimum.at(lab, np.maximum(la, lb), np.minimum(la, lb))
        while True:
            up = lab[lab]
            if np.array_equal(up, lab):
                break
            lab = up
    return lab


def _average_linkage(
    n: int, sims: dict[tuple[int, int], float], forced: Iterable[tuple[int, int]]
) -> list[list[int]]:
    """``_link_groups`` over a similarity dict and an iterable of forced pairs."""
    fp = np.array(list(forced), dtype=np.int64).reshape(-1, 2)
    si = np.fromiter((i for i, _ in sims), dtype=np.int64, count=len(sims))
    sj = np.fromiter((j for _, j in sims), dtype=np.int64, count=len(sims))
    ss = np.fromiter(sims.values(), dtype=np.float64, count=len(sims))
    return _link_groups(n, si, sj, ss, fp[:, 0], fp[:, 1])


def _link_groups(
    n: int, si: np.ndarray, sj: np.ndarray, ss: np.ndarray, fi: np.ndarray, fj: np.ndarray
) -> list[list[int]]:
    """Sparse average linkage: repeatedly merge the two groups with the highest mean pairwise
    similarity (pairs (si, sj) of similarity ss; missing pairs count 0) while it is
    ≥ _THRESHOLD.  The forced pairs (fi, fj) join first."""
    root = _components(n, fi, fj)  # each forced group is named by its smallest document
    size = np.bincount(root, minlength=n)
    a, b = root[si], root[sj]
    apart = a != b
    ga, gb, gs = _sum_by_pair(n, a[apart], b[apart], ss[apart])  # sums in input order
    counted = np.minimum(size[ga], size[gb]) * np.minimum(np.maximum(size[ga], size[gb]), _SPAN)
    avg = gs / np.maximum(counted, 1)
    ok = avg >= _THRESHOLD
    heap: list[tuple[float, int, int, int, int]] = list(
        zip((-avg[ok]).tolist(), ga[ok].tolist(), gb[ok].tolist(), repeat(0), repeat(0))
    )
    heapq.heapify(heap)
    # group → neighbour group → sum of similarities
    src, dst, val = np.concatenate((ga, gb)), np.concatenate((gb, ga)), np.concatenate((gs, gs))
    order = _stable_order(src)
    src, dst_l, val_l = src[order], dst[order].tolist(), val[order].tolist()
    cuts = np.flatnonzero(np.diff(src)) + 1
    heads = src[np.concatenate(([0], cuts))].tolist() if len(src) else []
    bounds = np.concatenate(([0], cuts, [len(src)])).tolist()
    link: dict[int, dict[int, float]] = defaultdict(dict)
    for g, lo, hi in zip(heads, bounds, bounds[1:]):
        link[g] = dict(zip(dst_l[lo:hi], val_l[lo:hi]))
    parent = root.tolist()
    sizes = size.tolist()
    alive = (root == np.arange(n)).tolist()
    version = [0] * n
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
        sizes[a] += sizes[b]
        version[a] += 1
        link[a] = row_a
        for c, s in row_a.items():
            rc = link[c]
            rc.pop(b, None)
            rc[a] = s
            avg_ac = s / _pairs_counted(sizes[a], sizes[c])
            if avg_ac >= _THRESHOLD:
                x, y = (a, c) if a < c else (c, a)
                heapq.heappush(heap, (-avg_ac, x, y, version[x], version[y]))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        groups[find(i)].append(i)
    return list(groups.values())
