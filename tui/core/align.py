"""Sentence families across the articles of a story.

A *family* is a set of sentences from different articles that carry the same text:

``verbatim``  identical after normalization (case, quotes, apostrophes, hyphens dropped);
``edited``    the same sentence lightly edited (a word changed, a clause trimmed, a number
              reformatted) -- but never a different fact: a changed number, name or negation
              in the same place rejects the pair;
``quote``     the same quotation (at least ``QUOTE_MIN_RUN`` words in one run) embedded in
              differently framed sentences; at least one side must mark it with quotation marks.

How :func:`align` works, so that thousands of sentences align in well under a second:

1. Sentences are reduced to word lists (:func:`_words`) and grouped by their exact word list
   (*buckets*): members of one bucket are verbatim copies of each other, found by hashing.
2. Buckets become candidate pairs only when they share a rare run of ``SHINGLE`` words
   (an inverted index; shingles found in more than ``SHINGLE_MAX_POSTINGS`` buckets are
   skipped as stock phrases), and candidates are verified with the pairwise decision.
3. Buckets are merged into families along verified links, strongest first, with a guard
   against chaining: two groups merge only if every bucket of each matches the other's
   *core* (its most carried variant), so A~B and B~C never pull an unrelated C next to A.
4. Each article contributes at most one member to a family (members come from different
   docs).  When an article carries the family twice (a repeated pull quote, or both an exact
   and an edited copy), the copy closest to the family's core is kept -- the core variant
   first, then the stronger link, then the earlier one -- and the other copy stays unlinked.

Sentences shorter than ``MIN_WORDS`` words never join a family: "He said." is not evidence
that two articles share copy.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate, chain
from operator import itemgetter
from typing import NamedTuple

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel, LCSseq

from .text import _JOINERS as _TEXT_JOINERS
from .text import (  # text.tokens' words, to stay in step
    _WORD_RE,
    _ascii_fold,
    words,
)

Span = tuple[int, int]

#: Work done by :func:`align` since the last ``COUNTERS.clear()``: ``decisions`` (pairwise
#: decisions computed), ``candidates`` (bucket pairs sharing enough shingles or close by
#: fuzz.ratio), ``flag_compares`` (variant-against-variant word alignments for the spans).
#: Tests use them to check that the work grows linearly on hostile input.
COUNTERS: Counter[str] = Counter()


class AlignInput(NamedTuple):
    """One sentence to align (a named tuple: a story passes hundreds of thousands)."""

    key: int  # the caller's id for the sentence
    doc: int  # the article it belongs to; members of a family come from different docs
    text: str  # the sentence text as in the raw article
    offset: int  # absolute offset of ``text`` in the article's raw text
    # ``tui.core.text.normalize(text)`` when the caller has it already (saves re-tokenizing)
    norm: str | None = None


@dataclass(frozen=True, slots=True)
class FamilyDraft:
    kind: str  # "verbatim" | "edited" | "quote"
    members: tuple[int, ...]  # keys
    shared: tuple[tuple[Span, ...], ...]  # per member (same order): absolute shared spans
    differs: tuple[tuple[Span, ...], ...]  # per member: absolute spans of words in no other member
    score: float  # weakest accepted link, 0..100
    # per member: its variant, numbered in the family (members of one variant have the same
    # word list: copies of each other)
    variants: tuple[int, ...] = ()


# --- thresholds (tuned on msrp-train even lines; see scripts/measure_matching.py) ---------
MIN_WORDS = 4  # shorter sentences never join a family
EDITED_MIN_WORDS = 5  # both sides of an edited pair have at least this many words
EDITED_MIN = 80.0  # minimum edited score (0..100)
EDITED_MAX_EXTRA = 5  # at most this many unmatched content words on either side
SWAP_MAX = 3  # a changed name or figure: a substitution of at most this many words a side
QUOTE_MIN_RUN = 8  # a shared quotation is at least this many words in one run
QUOTE_COVER = 0.6  # ... and covers this share of each side's quoted words
QUOTE_BARE_COVER = 0.5  # ... or of the whole sentence on a side without quotation marks
# a clause-trimmed copy (see _contained): the shorter side has at least this many words ...
CONTAIN_MIN_WORDS = 10
CONTAIN_SHARE = 0.4  # ... and this share of the longer side's words
OVERLAP_SHARE = 0.5  # two trims of one sentence that share this much may share a family
CONTAIN_SLACK = 1  # words a side that may differ inside the shared stretch
SHINGLE = 3  # candidate generation: shared runs of this many words
SHINGLE_MAX_POSTINGS = 64  # shingles in more buckets than this are stock phrases
QUOTE_MIN_SHINGLES = 4  # shared shingles a QUOTE_MIN_RUN-word run with one slip still has
# Bounds on hostile input (thousands of variants of one sentence): the merge guard checks at
# most this many variants of a group against the other group's core (its most carried ones),
# and a variant's shared words are found against at most this many other variants.  Real
# families hold far fewer variants, so results only change where the work would be quadratic.
GUARD_MAX = 64
FLAGS_MAX = 64

_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "by",
        "with",
        "and",
        "or",
        "but",
        "as",
        "is",
        "was",
        "are",
        "were",
        "be",
        "been",
        "being",
        "has",
        "had",
        "have",
        "that",
        "this",
        "these",
        "those",
        "it",
        "its",
        "from",
        "said",
        "says",
        "say",
        "he",
        "she",
        "they",
        "we",
        "i",
        "you",
        "his",
        "her",
        "their",
        "our",
        "my",
        "who",
        "whom",
        "which",
        "what",
        "will",
        "would",
        "could",
        "should",
        "can",
        "may",
        "might",
        "also",
        "just",
        "than",
        "then",
        "there",
        "here",
        "into",
        "over",
        "after",
        "before",
        "about",
        "up",
        "out",
        "not",
    ]
)
_NEGATORS = frozenset(
    ["not", "no", "never", "nt", "nor", "without", "none", "nothing", "neither", "cannot"]
)
_NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
_SPECIAL = frozenset([*_NUMBER_WORDS, "per"])
_DIGIT_RE = re.compile(r"\d")
_COMMA_WORD_RE = re.compile(r",\w")  # a comma glued to the next word, as in "1,000"
_OPEN_QUOTES = '"“«„‟'
_CLOSE_QUOTES = '"”»'
_QUOTE_MARK_RE = re.compile("[" + re.escape(_OPEN_QUOTES + _CLOSE_QUOTES) + "]")


# --- words ------------------------------------------------------------------------------
class _Words:
    """Word list of a sentence as parallel lists (no object per word)."""

    __slots__ = ("caps", "ends", "norms", "starts")

    def __init__(self, starts: list[int], ends: list[int], norms: list[str], caps: list[bool]):
        self.starts = starts  # offsets into the sentence text
        self.ends = ends
        self.norms = norms  # matching forms
        self.caps = caps  # capitalised or numeric and not the first word: a name or a figure


def _words(text: str, norms: list[str] | None = None) -> _Words:
    """Word list of a sentence for matching: the words of :func:`tui.core.text.tokens`
    (same pattern, same matching forms), and on top of them
    thousands groups are joined ("1,000" = "1000"), small number words become digits
    ("eight" = "8") and "per cent" becomes "percent", so reformatted numbers still match.
    ``norms``, when given, must be ``words(text)`` (computed by the caller already)."""
    ms = list(_WORD_RE.finditer(text))
    starts = [m.start() for m in ms]
    ends = [m.end() for m in ms]
    if norms is None:
        norms = words(text)  # one matching form per word match, as tokens() gives them
    special = not _SPECIAL.isdisjoint(norms)
    if not special and not _DIGIT_RE.search(text):  # nothing to merge or rewrite
        caps = [text[a].isupper() for a in starts]
    elif not _COMMA_WORD_RE.search(text) and not (special and "cent" in norms and "per" in norms):
        # figures, but no "1,000" or "per cent" to join: words stay one for one
        caps = [text[a].isupper() or text[a].isdigit() for a in starts]
        if special:
            norms = [_NUMBER_WORDS.get(w, w) for w in norms]
    else:
        caps = None
    if caps is not None:
        if caps:
            caps[0] = False
        return _Words(starts, ends, list(norms), caps)
    o_starts: list[int] = []
    o_ends: list[int] = []
    o_norms: list[str] = []
    o_caps: list[bool] = []
    i = 0
    n = len(starts)
    while i < n:
        start, end, norm = starts[i], ends[i], norms[i]
        if norm.isdigit():
            # 1,000,000 -> one word
            while (
                i + 1 < n
                and starts[i + 1] == end + 1
                and text[end] == ","
                and len(norms[i + 1]) == 3
                and norms[i + 1].isdigit()
            ):
                i += 1
                end, norm = ends[i], norm + norms[i]
        elif norm in _NUMBER_WORDS:
            norm = _NUMBER_WORDS[norm]
        elif norm == "per" and i + 1 < n and norms[i + 1] == "cent":
            i += 1
            end, norm = ends[i], "percent"
        first = text[start]
        o_caps.append(bool(o_starts) and (first.isupper() or first.isdigit()))
        o_starts.append(start)
        o_ends.append(end)
        o_norms.append(norm)
        i += 1
    return _Words(o_starts, o_ends, o_norms, o_caps)


def _quoted(text: str, starts: Sequence[int]) -> list[bool]:
    """Per word (given by its start offset): inside quotation marks?  An unbalanced closing
    mark quotes from the start (the sentence continues a quotation), an unbalanced opening
    mark quotes to the end."""
    marks = [m.start() for m in _QUOTE_MARK_RE.finditer(text)]
    if not marks:
        return [False] * len(starts)
    regions: list[Span] = []
    opened: int | None = None
    for p in marks:
        c = text[p]
        if opened is None:
            if (
                c in _CLOSE_QUOTES
                and c not in _OPEN_QUOTES
                or c == '"'
                and not regions
                and _quote_closes(text, p)
            ):  # ” with nothing open
                regions.append((0, p))
            else:
                opened = p
        else:
            regions.append((opened, p))
            opened = None
    if opened is not None:
        regions.append((opened, len(text)))
    out = [False] * len(starts)
    for a, b in regions:
        for k in range(bisect_right(starts, a), bisect_left(starts, b)):
            out[k] = True
    return out


def _quote_closes(text: str, p: int) -> bool:
    """A straight quote that follows a word and punctuation, with no other straight quote
    before it, closes a quotation that began in an earlier sentence."""
    return (
        p > 0 and text[p - 1] in ",.!?" and text.count('"', 0, p) == 0 and text.count('"') % 2 == 1
    )


# --- pairwise decision ------------------------------------------------------------------
class _Overflow(Exception):
    """More distinct words than one character per word can code (see :class:`_Codes`)."""


# one character per distinct word: code points below this, the surrogates skipped
_CODE_LIMIT = 0x110000 - 0x800


class _CharMap(dict):
    """word -> its code: one character per distinct word, in order of first sight (code
    points below ``_CODE_LIMIT``, the surrogates skipped)."""

    def __missing__(self, word: str) -> str:
        n = len(self)
        if n >= _CODE_LIMIT:
            raise _Overflow
        c = self[word] = chr(n + 0x800 if n >= 0xD800 else n)
        return c


class _IntMap(dict):
    def __missing__(self, word: str) -> int:
        n = self[word] = len(self)
        return n


class _Codes:
    """Words as single characters, so that a word list becomes a string and rapidfuzz aligns
    it at string speed (the alignment depends only on which words are equal, so the result
    is the same as on the word lists).  When the words outnumber the characters
    (``_Overflow``), ``tuples`` mode codes each word list as a tuple of ints instead."""

    __slots__ = ("map", "tuples")

    def __init__(self, tuples: bool = False):
        self.map: dict = _IntMap() if tuples else _CharMap()
        self.tuples = tuples

    def code(self, norms: Sequence[str]) -> str | tuple[int, ...]:
        m = self.map
        if self.tuples:
            return tuple([m[w] for w in norms])
        return "".join([m[w] for w in norms])

    def code_many(self, lists: Sequence[Sequence[str]]) -> list:
        """``[self.code(ns) for ns in lists]``, with the new words coded in one go."""
        m = self.map
        if self.tuples:
            return [tuple([m[w] for w in ns]) for ns in lists]
        flat = list(chain.from_iterable(lists))
        new = [w for w in dict.fromkeys(flat) if w not in m]  # (in order of first sight)
        n0 = len(m)
        n1 = n0 + len(new)
        if n1 <= 0xD800 and n1 <= _CODE_LIMIT:
            m.update(zip(new, map(chr, range(n0, n1))))
        else:
            for w in new:
                m[w]  # (coded by _CharMap.__missing__, which knows the limits)
        joined = "".join(map(m.__getitem__, flat))
        ends = list(accumulate(map(len, lists)))
        return [joined[a:b] for a, b in zip([0, *ends], ends)]


@dataclass(slots=True)
class _Prep:
    """Everything the pairwise decision needs of one sentence (made by :func:`_prep`)."""

    text: str
    norms: Sequence[str]
    caps: Sequence[bool]
    quoted: list[bool] | None  # per word: inside quotation marks?  (None when no word is)
    negations: int  # count of negating words
    codes: str | tuple  # the norms coded by a _Codes (equal words, equal codes)
    joined: str  # " ".join(norms)
    any_quoted: bool  # quoted is not None
    # Prefix counts read from ``off`` on: ``stops[off + k] - stops[off]`` stop words among
    # norms[:k], ``digits`` the same for words starting with a digit (None when no word
    # does).  The lists may be shared by many sentences (a story's bucket words end to end).
    stops: list[int]
    digits: list[int] | None
    off: int
    n_stops: int  # stop words in all
    n_digits: int  # words starting with a digit in all


def _prep(
    text: str,
    norms: Sequence[str] | None = None,
    codes: _Codes | None = None,
    ws: _Words | None = None,
    coded: str | tuple | None = None,
    joined: str | None = None,
    counts: tuple[list[int], list[int] | None, list[int] | None] | None = None,
    off: int = 0,
) -> _Prep:
    """Everything the pairwise decision needs of one sentence.  ``norms``, when given, must
    be ``words(text)``, ``ws`` its ``_words(text, norms)``, ``coded`` the code of
    ``ws.norms`` and ``joined`` their ``" ".join``; ``codes`` is shared by the sentences that
    are compared.  ``counts``, when given, holds prefix counts of stop words, words starting
    with a digit and negating words (see :func:`_word_counts`) over a run of words that
    holds ``ws.norms`` from ``off`` on."""
    if ws is None:
        ws = _words(text, list(norms) if norms is not None else None)
    norms = ws.norms
    if codes is None:
        codes = _Codes()
    if coded is None:
        coded = codes.code(norms)
    if joined is None:
        joined = " ".join(norms)
    quoted = None
    # (the only ASCII quotation mark is the straight one)
    if '"' in text or not text.isascii() and _QUOTE_MARK_RE.search(text):
        q = _quoted(text, ws.starts)
        if True in q:
            quoted = q
    n = len(norms)
    digits: list[int] | None
    if counts is None:
        off = 0
        stops = list(accumulate(map(_STOP.__contains__, norms), initial=0))
        digits = None
        if not joined.isascii() or _DIGIT_RE.search(joined):
            starts_digit = [w[:1].isdigit() for w in norms]
            if True in starts_digit:
                digits = list(accumulate(starts_digit, initial=0))
        negations = sum(w in _NEGATORS for w in norms) if not _NEGATORS.isdisjoint(norms) else 0
    else:
        stops, digits, negs = counts
        if digits is not None and digits[off + n] == digits[off]:
            digits = None
        negations = negs[off + n] - negs[off] if negs is not None else 0
    return _Prep(
        text,
        norms,
        ws.caps,
        quoted,
        negations,
        coded,
        joined,
        quoted is not None,
        stops,
        digits,
        off,
        stops[off + n] - stops[off],
        digits[off + n] - digits[off] if digits is not None else 0,
    )


def _prep_plain(
    text: str,
    norms: Sequence[str],
    starts: list[int],
    caps: list[bool],
    coded: str | tuple,
    joined: str,
    counts: tuple[list[int], list[int] | None, list[int] | None],
    off: int,
) -> _Prep:
    """``_prep(text, codes=..., ws=ws, coded=coded, joined=joined, counts=counts, off=off)``
    for a sentence whose words (``ws``: ``starts``, ``caps``) need no rewriting: ``norms``
    are its matching forms."""
    quoted = None
    if '"' in text or not text.isascii() and _QUOTE_MARK_RE.search(text):
        q = _quoted(text, starts)
        if True in q:
            quoted = q
    n = len(norms)
    stops, digits, negs = counts
    end = off + n
    if digits is not None and digits[end] == digits[off]:
        digits = None
    return _Prep(
        text,
        norms,
        caps,
        quoted,
        negs[end] - negs[off] if negs is not None else 0,
        coded,
        joined,
        quoted is not None,
        stops,
        digits,
        off,
        stops[end] - stops[off],
        digits[end] - digits[off] if digits is not None else 0,
    )


def _word_counts(codes: _Codes, bucket_codes: Sequence[str]) -> tuple[tuple[list[int], list[int] | None, list[int] | None], list[int]] | None:
    """Prefix counts of stop words, of words starting with a digit and of negating words
    (None for a kind no word is of) in every bucket (given by its code), laid end to end:
    bucket ``b``'s counts start at ``offs[b]`` (the second list returned) with a 0.  Counted
    per distinct word, not per sentence (a story's sentences share most words).  None when the
    words are not coded as characters below the surrogates (then each sentence counts its
    own)."""
    m = codes.map
    n = len(m)
    nb = len(bucket_codes)
    if codes.tuples or not n or n > 0xD800 or not nb:
        return None
    w = np.frombuffer("".join(bucket_codes).encode("utf-32-le"), dtype=np.uint32)  # (code = rank in m)
    lens = np.fromiter(map(len, bucket_codes), np.int64, nb)
    starts = np.zeros(nb, dtype=np.int64)
    np.cumsum(lens[:-1] + 1, out=starts[1:])  # each bucket's first count (its 0)
    at = np.arange(len(w)) + np.repeat(np.arange(nb) + 1, lens)  # a word's count after it
    firsts = np.repeat(starts, lens + 1)
    # the first character of every distinct word (an empty word has the separator's)
    chars = np.frombuffer(("\x00".join(m) + "\x00").encode("utf-32-le"), dtype=np.uint32)
    initial = chars[np.concatenate(([0], np.flatnonzero(chars == 0)[:-1] + 1))]
    digit = (initial >= 48) & (initial <= 57)
    for k in np.flatnonzero(initial > 127).tolist():
        digit[k] = chr(initial[k]).isdigit()

    def prefix(flags: np.ndarray) -> list[int] | None:
        f = flags[w]
        if not f.any():
            return None
        c = np.zeros(len(w) + nb, dtype=np.int64)
        c[at] = f
        np.cumsum(c, out=c)
        c -= c[firsts]  # (small numbers: Python keeps one object per small int)
        return c.tolist()

    stops = prefix(np.fromiter(map(_STOP.__contains__, m), bool, n))
    if stops is None:
        stops = [0] * (len(w) + nb)
    negations = prefix(np.fromiter(map(_NEGATORS.__contains__, m), bool, n))
    return (stops, prefix(digit), negations), starts.tolist()


def match(a: str, b: str) -> str | None:
    """Pairwise decision: "verbatim", "edited", "quote" or None."""
    r = match_score(a, b)
    return r[0] if r else None


def match_score(a: str, b: str) -> tuple[str, float] | None:
    """Pairwise decision with its score (0..100)."""
    codes = _Codes()
    return _decide(_prep(a, codes=codes), _prep(b, codes=codes))


def _decide(a: _Prep, b: _Prep, ratio: float | None = None, lcs: int | None = None) -> tuple[str, float] | None:
    """Pairwise decision on two prepared sentences; ``ratio`` and ``lcs``, when given, must
    be ``fuzz.ratio(a.joined, b.joined)`` and ``LCSseq.similarity(a.codes, b.codes)``."""
    ca, cb = a.codes, b.codes
    la, lb = len(ca), len(cb)  # (a word a code)
    if la < MIN_WORDS or lb < MIN_WORDS:
        return None
    if ca == cb:
        return ("verbatim", 100.0)
    quoted = a.any_quoted or b.any_quoted
    # An edited pair scores half fuzz.ratio plus half the word overlap (at most 1): below a
    # ratio of 59 it cannot reach EDITED_MIN, and without quotation marks it is no quote.
    if not quoted and (la < EDITED_MIN_WORDS or lb < EDITED_MIN_WORDS):
        return None
    if ratio is None:
        ratio = fuzz.ratio(a.joined, b.joined)
    if not quoted and ratio < 2 * EDITED_MIN - 101 and not _may_contain(la, lb):
        return None
    if la >= EDITED_MIN_WORDS and lb >= EDITED_MIN_WORDS and a.negations == b.negations:
        if lcs is None:
            lcs = LCSseq.similarity(ca, cb)
        if lcs == la or lcs == lb:
            # One side's words all lie in the other in order (a trimmed copy): that side
            # has no word outside the equal blocks, so no name or figure of it is swapped
            # and its stop words all pair with the other side's; the edited test needs no
            # alignment.  (Otherwise the decision below aligns the words.)
            extra = lb - lcs - (b.n_stops - a.n_stops) if lcs == la else la - lcs - (a.n_stops - b.n_stops)
            if extra <= EDITED_MAX_EXTRA:
                edited = 100 * (0.5 * (2 * lcs / (la + lb)) + 0.5 * (ratio / 100))
                if edited >= EDITED_MIN:
                    return ("edited", edited)
    ops = Indel.opcodes(ca, cb).as_list()  # (tag, src_start, src_end, dest_start, dest_end)
    na, nb, xa, xb = a.norms, b.norms, a.caps, b.caps
    conflict = False
    lcs = 0
    pa = pb = 0  # ends of the last equal block
    for tag, s1, e1, s2, e2 in ops:
        if tag == "equal":
            # between two equal blocks: does the same place hold a different name or
            # figure on each side?  (_names_differ looks only at short substitutions)
            if (
                not conflict
                and pa < s1 <= pa + SWAP_MAX
                and pb < s2 <= pb + SWAP_MAX
                and _names_differ(na, xa, pa, s1, nb, xb, pb, s2)
            ):
                conflict = True
            lcs += e1 - s1
            pa, pb = e1, e2
    if (
        conflict
        or pa < la <= pa + SWAP_MAX
        and pb < lb <= pb + SWAP_MAX
        and _names_differ(na, xa, pa, la, nb, xb, pb, lb)
    ):
        # a different fact at the same place: no edited copy (a quotation may still be shared)
        if not quoted:
            return None
        quote = _quote_score(a, b, ops)
        return None if quote is None else ("quote", quote)
    # The equal blocks pair equal words, so both sides hold as many stop words and figures
    # there: counted on one side, and only when the answer depends on them.
    both_num = False  # a figure each side has outside the equal blocks changes the fact
    if a.n_digits and b.n_digits:
        d, o = a.digits, a.off
        inside = 0
        for tag, s1, e1, _, _ in ops:
            if tag == "equal":
                inside += d[o + e1] - d[o + s1]  # type: ignore[index]
        both_num = a.n_digits > inside and b.n_digits > inside
    if la >= EDITED_MIN_WORDS and lb >= EDITED_MIN_WORDS and not both_num and a.negations == b.negations:
        ua, ub = la - lcs, lb - lcs  # words of each side outside the equal blocks
        if ua > EDITED_MAX_EXTRA or ub > EDITED_MAX_EXTRA:  # then only content words count
            st, o = a.stops, a.off
            inside = 0
            for tag, s1, e1, _, _ in ops:
                if tag == "equal":
                    inside += st[o + e1] - st[o + s1]
            few = ua - (a.n_stops - inside) <= EDITED_MAX_EXTRA and ub - (b.n_stops - inside) <= EDITED_MAX_EXTRA
        else:
            few = True
        if few:
            sim = 2 * lcs / (la + lb)
            edited = 100 * (0.5 * sim + 0.5 * (ratio / 100))
            if edited >= EDITED_MIN:
                return ("edited", edited)
    if (
        not both_num
        and (la - lcs <= CONTAIN_SLACK or lb - lcs <= CONTAIN_SLACK)  # (_contained's first test)
        and _contained(a, b, lcs, ops)
    ):
        return ("edited", 100 * (0.5 * (2 * lcs / (la + lb)) + 0.5 * (ratio / 100)))
    if not quoted:
        return None
    quote = _quote_score(a, b, ops)
    if quote is not None:
        return ("quote", quote)
    return None


def _may_contain(la: int, lb: int) -> bool:
    short, long = min(la, lb), max(la, lb)
    return short >= CONTAIN_MIN_WORDS and short >= CONTAIN_SHARE * long and short < long


def _contained(a: _Prep, b: _Prep, lcs: int, ops: list[tuple[str, int, int, int, int]]) -> bool:
    """A clause-trimmed copy: the shorter sentence (at least ``CONTAIN_MIN_WORDS`` words, and
    ``CONTAIN_SHARE`` of the longer) is found in the longer one in order, but for at most
    ``CONTAIN_SLACK`` words a side inside the matched stretch; the longer one's other words
    (the trimmed clause) lie before or after that stretch, and the stretch holds the same
    negations as the shorter sentence."""
    la, lb = len(a.codes), len(b.codes)  # (a word a code)
    if not _may_contain(la, lb) or min(la, lb) - lcs > CONTAIN_SLACK:
        return False
    first = last = None  # equal blocks
    for op in ops:
        if op[0] == "equal":
            if first is None:
                first = op
            last = op
    if first is None or last is None:
        return False
    if la > lb:
        long, short, lo, hi, k1, k2 = a, b, first[1], last[2], 3, 4
    else:
        long, short, lo, hi, k1, k2 = b, a, first[3], last[4], 1, 2
    if hi - lo - lcs > CONTAIN_SLACK:
        return False
    if lcs < len(short.codes):
        # the shorter side's own word, if any, is no name or figure the longer one lacks
        caps = short.caps
        for op in ops:
            if op[0] != "equal" and True in caps[op[k1] : op[k2]]:
                return False
    span = long.norms[lo:hi]
    return short.negations == (sum(w in _NEGATORS for w in span) if not _NEGATORS.isdisjoint(span) else 0)


def _names_differ(
    xn: list[str], xc: list[bool], xs: int, xe: int, yn: list[str], yc: list[bool], ys: int, ye: int
) -> bool:
    """A short substitution (at most ``SWAP_MAX`` words a side: words ``xs:xe`` of one
    sentence against ``ys:ye`` of the other) that puts a different name or figure at the same
    place ("Paris" / "Berlin"), unless one abbreviates the other ("US" / "United States",
    "Sen." / "Senator")."""
    if xe <= xs or ye <= ys or xe - xs > SWAP_MAX or ye - ys > SWAP_MAX:
        return False
    if True not in xc[xs:xe] or True not in yc[ys:ye]:  # (no name or figure on a side)
        return False
    cx = [xn[k] for k in range(xs, xe) if xc[k]]
    cy = [yn[k] for k in range(ys, ye) if yc[k]]
    if not cx or not cy:
        return False
    jx, jy = "".join(cx), "".join(cy)
    if jx == "".join(w[0] for w in cy) or jy == "".join(w[0] for w in cx):
        return False
    return not (jx.startswith(jy) or jy.startswith(jx))


def _quote_score(a: _Prep, b: _Prep, ops: list[tuple[str, int, int, int, int]]) -> float | None:
    if not a.any_quoted and not b.any_quoted:
        return None
    # longest run of equal words, bridging single-word slips ("labourers" / "laborers")
    best = None
    run: list = []
    for op in ops:
        if op[0] == "equal":
            run.append(op)
            continue
        if run and op[2] - op[1] <= 1 and op[4] - op[3] <= 1:
            run.append(op)
            continue
        best = _better(best, run)
        run = []
    best = _better(best, run)
    if best is None:
        return None
    sa, ea, sb, eb, same = best
    if same < QUOTE_MIN_RUN:
        return None
    for p, s, e in ((a, sa, ea), (b, sb, eb)):
        inside = sum(p.quoted) if p.quoted is not None else 0
        if inside:
            # the run must lie in the quotation and cover most of it
            in_run = sum(p.quoted[s:e])  # type: ignore[index]
            if in_run < 0.8 * (e - s) or in_run < QUOTE_COVER * inside:
                return None
        elif (e - s) < QUOTE_BARE_COVER * len(p.norms):
            return None
    cover = same / min(len(a.norms), len(b.norms))
    return 100 * min(1.0, cover)


def _better(best, run):
    while run and run[-1][0] != "equal":
        run = run[:-1]
    if not run:
        return best
    same = sum(op[2] - op[1] for op in run if op[0] == "equal")
    cand = (run[0][1], run[-1][2], run[0][3], run[-1][4], same)
    if best is None or same > best[4]:
        return cand
    return best


# The word spans of many sentences at once, at C speed: the sentences are mapped character
# for character onto ASCII (the "view" of tui.core.text.normalize_many, case kept): word
# characters stay, the joiners become \x01, the separators text.py knows become spaces and
# any other non-ASCII character \x02 (such a sentence takes the exact path, _words).  A
# word is a run of word characters linked by single joiners, exactly ``_WORD_RE`` on ASCII.
_BATCH_TABLE = bytes(
    c
    if (48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122 or c == 95)
    else (1 if chr(c) in _TEXT_JOINERS else 2 if c == 2 else 32)
    for c in range(256)
)


def _batch_view(t: str) -> bytes:
    return _ascii_fold(t).encode("ascii").translate(_BATCH_TABLE)


def _batch_words(texts: Sequence[str], norms: Sequence[Sequence[str]]) -> list[_Words]:
    """``[_words(t, list(n)) for t, n in zip(texts, norms)]`` (``n`` = ``words(t)``), with the
    common sentences (no "1,000" or "per cent" to join, no character outside the view)
    tokenized together by numpy."""
    batch = _WordBatch(texts, norms)
    return [batch.words(k) for k in range(len(texts))]


class _WordBatch:
    """The word lists of many sentences (``norms[k]`` = ``words(texts[k])``), the common ones
    (no "1,000" or "per cent" to join, no character outside the view) tokenized together by
    numpy.  A sentence's :class:`_Words` is built on first use (``words``); its word count and
    the span from its first word to its last (``whole``) come without building it."""

    __slots__ = ("_caps", "_digit", "_ends", "_exact", "_hi", "_lo", "_made", "_starts", "_updig", "norms", "texts")

    def __init__(self, texts: Sequence[str], norms: Sequence[Sequence[str]]):
        self.texts = texts
        self.norms = norms
        n = len(texts)
        self._made: list[_Words | None] = [None] * n
        self._digit: list[bool] = []  # per batched sentence: holds a digit?
        self._exact: list[bool] = [True] * n  # take the exact path (_words)
        fast: list[int] = []
        for k, (t, ns) in enumerate(zip(texts, norms)):
            if not (_COMMA_WORD_RE.search(t) and _DIGIT_RE.search(t) or ("cent" in ns and "per" in ns)):
                fast.append(k)
        self._lo: list[int] = [0] * n
        self._hi: list[int] = [0] * n
        # word offsets in their sentence (arrays: a sentence's are made Python ints when used)
        self._starts: np.ndarray = np.zeros(0, dtype=np.int64)
        self._ends: np.ndarray = np.zeros(0, dtype=np.int64)
        self._caps: list[bool] = []
        self._updig: list[bool] = []
        if len(fast) < 8:
            return
        views = [_batch_view(texts[k]) for k in fast]
        b = np.frombuffer(b" ".join(views), dtype=np.uint8)
        word = b >= 48
        link = b == 1
        link[1:-1] &= word[:-2] & word[2:]
        link[0] = link[-1] = False
        inw = np.zeros(len(b) + 2, dtype=np.int8)
        inw[1:-1] = word | link
        edges = np.diff(inw)
        starts = np.flatnonzero(edges == 1)
        ends = np.flatnonzero(edges == -1)
        upper = (b[starts] >= 65) & (b[starts] <= 90)
        digit = b[starts] <= 57
        lens = np.fromiter(map(len, views), np.int64, len(views))
        offs = np.cumsum(lens + 1) - lens - 1
        lo = np.searchsorted(starts, offs)
        hi = np.searchsorted(starts, offs + lens)
        shift = np.repeat(offs, hi - lo)  # (every word lies inside its sentence)
        self._starts = starts - shift
        self._ends = ends - shift
        self._caps = upper.tolist()
        self._updig = (upper | digit).tolist()
        # (a sentence that takes the fast path is ASCII in the view but for separators)
        digits = np.concatenate(([0], np.cumsum((b >= 48) & (b <= 57))))
        where = np.fromiter(fast, np.int64, len(fast))
        has_digit = np.ones(n, dtype=bool)
        has_digit[where] = digits[offs + lens] > digits[offs]
        self._digit = has_digit.tolist()
        # batched for good: as many words as norms, and no character outside the view (\x02)
        ok = hi - lo == np.fromiter(map(len, map(norms.__getitem__, fast)), np.int64, len(fast))
        outside = np.flatnonzero(b == 2)
        if len(outside):
            ok[np.searchsorted(offs, outside, side="right") - 1] = False
        where, lo, hi = where[ok], lo[ok], hi[ok]
        fast_lo = np.zeros(n, dtype=np.int64)
        fast_hi = np.zeros(n, dtype=np.int64)
        fast_lo[where] = lo
        fast_hi[where] = hi
        self._lo = fast_lo.tolist()
        self._hi = fast_hi.tolist()
        is_exact = np.ones(n, dtype=bool)
        is_exact[where] = False
        self._exact = is_exact.tolist()

    def words(self, k: int) -> _Words:
        ws = self._made[k]
        if ws is None:
            t, n = self.texts[k], self.norms[k]
            if self._exact[k]:
                ws = _words(t, list(n))
            else:
                a, z = self._lo[k], self._hi[k]
                special = not _SPECIAL.isdisjoint(n)
                if not special and not self._digit[k]:
                    caps = self._caps[a:z]
                    nn = list(n)
                else:
                    caps = self._updig[a:z]
                    nn = [_NUMBER_WORDS.get(w, w) for w in n] if special else list(n)
                if caps:
                    caps[0] = False
                ws = _Words(self._starts[a:z].tolist(), self._ends[a:z].tolist(), nn, caps)
            self._made[k] = ws
        return ws

    def plain(self, k: int) -> tuple[list[int], list[bool]] | None:
        """(word starts, caps) of sentence ``k`` when it was tokenized in the batch and has no
        number word to rewrite (its matching forms are its norms); else None.  The starts are
        [] when the text can hold no quotation mark (then :func:`_prep_plain` needs none)."""
        if self._exact[k] or not _SPECIAL.isdisjoint(self.norms[k]):
            return None
        ws = self._made[k]
        if ws is not None:
            return ws.starts, ws.caps
        a, z = self._lo[k], self._hi[k]
        caps = self._updig[a:z] if self._digit[k] else self._caps[a:z]
        if caps:
            caps[0] = False
        t = self.texts[k]
        # (the word starts serve only to find quoted words: the text's ASCII quotation mark or
        # another script's)
        return self._starts[a:z].tolist() if '"' in t or not t.isascii() else [], caps

    def whole(self, k: int) -> tuple[int, int, int]:
        """(word count, start of the first word, end of the last) of sentence ``k`` (which has words)."""
        if self._exact[k] or self._made[k] is not None:
            ws = self.words(k)
            return len(ws.starts), ws.starts[0], ws.ends[-1]
        a, z = self._lo[k], self._hi[k]
        return z - a, int(self._starts[a]), int(self._ends[z - 1])


# --- word diff --------------------------------------------------------------------------
def word_diff(a: str, b: str) -> list[tuple[str, Span, Span]]:
    """Word-level opcodes between two texts, as character spans into each text.
    Tags are "equal", "replace", "delete" (words only in ``a``), "insert" (only in ``b``);
    an empty span marks the position where the other side's words would go."""
    ta, tb = _words(a), _words(b)
    ops = Indel.opcodes(ta.norms, tb.norms)
    out = []
    for op in ops:
        sa = _span(ta, op.src_start, op.src_end, len(a))
        sb = _span(tb, op.dest_start, op.dest_end, len(b))
        out.append((op.tag, sa, sb))
    return out


def _span(toks: _Words, i: int, j: int, n: int) -> Span:
    if i >= j:
        pos = toks.starts[i] if i < len(toks.starts) else n
        return (pos, pos)
    return (toks.starts[i], toks.ends[j - 1])


# --- families ---------------------------------------------------------------------------
def align(sentences: Sequence[AlignInput]) -> list[FamilyDraft]:
    """Families of the given sentences (one story's body sentences), strongest first."""
    try:
        return _align(list(sentences), _Codes())
    except _Overflow:  # more distinct words than characters: the same alignment, slower
        return _align(list(sentences), _Codes(tuples=True))


def _align(items: list[AlignInput], codes: _Codes) -> list[FamilyDraft]:
    if not items:
        return []
    # the columns, in one pass (an AlignInput is a tuple: key, doc, text, offset, norm)
    keys_l, docs_l, texts_l, offs_l, norm_l = zip(*items)
    # 1. buckets of identical word lists
    bucket_norms: list[tuple[str, ...]] = []
    bucket_items: list[list[int]] = []
    word_lists: dict[tuple[str, ...], list[int]] = {}
    by_norm: dict[str, list[int]] = defaultdict(list)  # the caller's ASCII norm strings
    odd: list[int] = []
    if None not in norm_l and "".join(norm_l).isascii():  # (the usual case: one check for all)
        if "" in norm_l:
            for i, n in enumerate(norm_l):
                if n:
                    by_norm[n].append(i)
                else:
                    odd.append(i)
        else:
            for i, n in enumerate(norm_l):
                by_norm[n].append(i)
    else:
        for i, n in enumerate(norm_l):
            if n and n.isascii():
                by_norm[n].append(i)
            else:
                odd.append(i)
    joined_of: dict[tuple[str, ...], str] = {}
    for n, its in by_norm.items():
        norms = tuple(n.split(" "))
        if len(norms) >= MIN_WORDS:
            word_lists[norms] = its
            joined_of[norms] = n
    for i in odd:
        norms = tuple(words(texts_l[i]))
        if len(norms) >= MIN_WORDS:
            its = word_lists.setdefault(norms, [])
            its.append(i)
            if len(its) > 1 and its[-2] > i:
                its.sort()
    # bucket ids in content order, so that results never depend on the input order
    # (the caller's usual order, (doc, offset) ascending, leaves a bucket's items in order)
    ordered = _ascending(docs_l, offs_l)
    bucket_joined: list[str] = []  # " ".join(norms)
    for norms in sorted(word_lists):
        bucket_norms.append(norms)
        bucket_joined.append(joined_of.get(norms) or " ".join(norms))
        its = word_lists[norms]
        if len(its) > 1 and not ordered:
            its.sort(key=lambda i: (docs_l[i], offs_l[i], i))
        bucket_items.append(its)
    nb = len(bucket_norms)
    # the one doc of a bucket carried by one doc (else -1); a bucket's items are in doc order
    single_doc = [docs_l[its[0]] if docs_l[its[0]] == docs_l[its[-1]] else -1 for its in bucket_items]
    bucket_codes = codes.code_many(bucket_norms)
    counted = _word_counts(codes, bucket_codes)
    counts, bucket_starts = counted if counted is not None else (None, [0] * nb)

    # 2. candidates: buckets sharing a rare shingle, verified pairwise
    shared = _shared_shingle_arrays(bucket_codes, codes.tuples)
    # A cheap necessary condition before the full decision: a quote needs a run of
    # QUOTE_MIN_RUN words (with at most one slip: >= 4 shared shingles); an edited pair
    # scores half fuzz.ratio, so it needs fuzz.ratio >= 2 * EDITED_MIN - 100.
    joined = bucket_joined
    ratio_floor = 2 * EDITED_MIN - 100
    pairs: list[tuple[int, int]]
    if isinstance(shared, list):
        ratio = fuzz.ratio
        pairs = [
            (x, y)
            for x, y, n in shared
            if n >= QUOTE_MIN_SHINGLES or ratio(joined[x], joined[y], score_cutoff=ratio_floor)
        ]
    else:  # (the same test, the scores computed in one call)
        xs, ys, ns = shared
        keep = ns >= QUOTE_MIN_SHINGLES
        few = np.flatnonzero(~keep)
        if len(few):
            scores = process.cpdist(
                [joined[x] for x in xs[few].tolist()],
                [joined[y] for y in ys[few].tolist()],
                scorer=fuzz.ratio,
                score_cutoff=ratio_floor,
                dtype=np.float64,
            )
            keep[few] = scores != 0  # (below the cutoff a score is 0)
        kx, ky = xs[keep].tolist(), ys[keep].tolist()
        pairs = list(zip(kx, ky))
    COUNTERS["candidates"] += len(pairs)
    preps: list[_Prep | None] = [None] * nb
    # the words of every text that may be compared or marked, tokenized together (each text
    # belongs to one bucket: its words are the bucket's)
    live = {b for b in range(nb) if single_doc[b] < 0}
    if isinstance(shared, list):
        live.update(x for x, _ in pairs)
        live.update(y for _, y in pairs)
    else:
        live.update(kx)
        live.update(ky)
    texts: dict[str, int] = {}  # text -> its place in the batch
    batch_norms: list[tuple[str, ...]] = []
    variants_of: dict[int, list[str]] = {}  # live bucket -> its texts in order, when they differ
    for b in sorted(live):
        its = bucket_items[b]
        if len(its) == 1:
            t = texts_l[its[0]]
            if t not in texts:
                texts[t] = len(texts)
                batch_norms.append(bucket_norms[b])
            continue
        ts = list(dict.fromkeys([texts_l[i] for i in its]))
        if len(ts) > 1:
            variants_of[b] = ts
        for t in ts:
            if t not in texts:
                texts[t] = len(texts)
                batch_norms.append(bucket_norms[b])
    batch = _WordBatch(list(texts), batch_norms)
    word_cache: dict[str, _Words] = {}  # words of texts outside the batch

    def words_of(text: str, b: int) -> _Words:
        k = texts.get(text)
        if k is not None:
            return batch.words(k)
        ws = word_cache.get(text)
        if ws is None:
            ws = word_cache[text] = _words(text, list(bucket_norms[b]))
        return ws

    def text_of(b: int) -> str:
        """The copy that kept its quotation marks says the most about what is quoted."""
        its = bucket_items[b]
        if len(its) == 1:
            return texts_l[its[0]]
        ts = variants_of.get(b) if b in live else list(dict.fromkeys([texts_l[i] for i in its]))
        # (max keeps the first of equals: the first copy's text)
        return max(ts, key=_quote_marks) if ts and len(ts) > 1 else texts_l[its[0]]

    def prep(b: int) -> _Prep:
        p = preps[b]
        if p is None:
            its = bucket_items[b]
            text = texts_l[its[0]] if len(its) == 1 else text_of(b)
            k = texts.get(text)
            if counts is not None and k is not None and (plain := batch.plain(k)) is not None:
                # (the usual case: the bucket's words, code and counts serve as they are)
                p = preps[b] = _prep_plain(
                    text, bucket_norms[b], *plain, bucket_codes[b], bucket_joined[b], counts, bucket_starts[b]
                )
                return p
            ws = words_of(text, b)
            # (the bucket's code serves when no number was rewritten)
            if tuple(ws.norms) == bucket_norms[b]:
                p = _prep(
                    text,
                    codes=codes,
                    ws=ws,
                    coded=bucket_codes[b],
                    joined=bucket_joined[b],
                    counts=counts,
                    off=bucket_starts[b],
                )
            else:
                p = _prep(text, codes=codes, ws=ws)
            preps[b] = p
        return p

    links: dict[tuple[int, int], tuple[str, float] | None] = {}

    def link(x: int, y: int) -> tuple[str, float] | None:
        if x == y:
            return ("verbatim", 100.0)
        k = (x, y) if x < y else (y, x)
        r = links.get(k, links)
        if r is links:
            COUNTERS["decisions"] += 1
            r = links[k] = _decide(prep(k[0]), prep(k[1]))
        return r

    # (pairs are unique, x < y and sorted: link(x, y) without the calls or the lookups)
    todo = [p for p in pairs if (d := single_doc[p[0]]) < 0 or d != single_doc[p[1]]]
    for b in sorted({b for p in todo for b in p}):
        prep(b)
    ps = preps
    if len(todo) >= 16:  # (the scores of every pair computed in two calls)
        xs_ = [ps[x] for x, _ in todo]
        ys_ = [ps[y] for _, y in todo]
        ratios = process.cpdist(
            [p.joined for p in xs_], [p.joined for p in ys_], scorer=fuzz.ratio, dtype=np.float64  # type: ignore[union-attr]
        ).tolist()
        common = process.cpdist([p.codes for p in xs_], [p.codes for p in ys_], scorer=LCSseq.similarity).tolist()  # type: ignore[union-attr]
        decided = list(map(_decide, xs_, ys_, ratios, common))
    else:
        decided = [_decide(ps[x], ps[y]) for x, y in todo]  # type: ignore[arg-type]
    links.update(zip(todo, decided))
    edges = [(r[1], x, y) for (x, y), r in zip(todo, decided) if r is not None]
    COUNTERS["decisions"] += len(todo)
    # strongest first, then by (x, y): the order they were made in (the sort is stable, also reversed)
    edges.sort(key=itemgetter(0), reverse=True)

    # 3. merge along links, strongest first, guarded against chaining
    group = list(range(nb))
    members: dict[int, list[int]] = {b: [b] for b in range(nb)}
    n_docs: dict[int, int] = {}  # bucket -> how many docs carry it (for the buckets weighed)

    def weight(b: int) -> tuple[int, int, int]:  # a group's core is its heaviest variant
        n = n_docs.get(b)
        if n is None:
            n = n_docs[b] = 1 if single_doc[b] >= 0 else len({docs_l[i] for i in bucket_items[b]})
        return (n, len(bucket_norms[b]), -b)

    cores = list(range(nb))  # group -> its core, kept up to date on every merge
    heaviest: dict[int, list[int]] = {}  # group of > GUARD_MAX variants -> its GUARD_MAX heaviest

    def guard(g: int) -> list[int]:
        ms = members[g]
        return ms if len(ms) <= GUARD_MAX else heaviest[g]

    def fits(b: int, c: int) -> bool:
        """``b`` may join the group of core ``c``: they match, or (two clause-trimmed copies of
        one sentence, trimmed at different ends) most of the shorter one's words are the
        other's, in order."""
        if link(b, c):
            return True
        cb, cc = prep(b).codes, prep(c).codes
        short = min(len(cb), len(cc))
        if short < CONTAIN_MIN_WORDS:
            return False
        return Indel.similarity(cb, cc) >= 2 * OVERLAP_SHARE * short

    for score, x, y in edges:
        gx, gy = group[x], group[y]
        if gx == gy:
            continue
        cx, cy = cores[gx], cores[gy]
        tx, ty = guard(gx), guard(gy)
        if not all(fits(b, cx) for b in ty) or not all(fits(b, cy) for b in tx):
            continue
        pool = tx + ty  # (a new list: taken before the members lists change)
        if len(members[gx]) < len(members[gy]):
            gx, gy = gy, gx
        for b in members[gy]:
            group[b] = gx
        members[gx].extend(members.pop(gy))
        cores[gx] = max(cx, cy, key=weight)
        heaviest.pop(gy, None)
        if len(members[gx]) > GUARD_MAX:
            heaviest[gx] = sorted(pool, key=weight, reverse=True)[:GUARD_MAX]

    # 4. one member per doc, spans, drafts
    out: list[FamilyDraft] = []
    spans_of: dict[str, list[Span]] = {}  # text -> its words' spans
    runs_of: dict[tuple[str, int], tuple] = {}  # (text, variant) -> its runs (relative)
    whole_of: dict[str, tuple[int, int, int]] = {}  # text -> (words, first word's start, last one's end)

    def whole(text: str, b: int) -> tuple[int, int, int]:
        k = texts.get(text)
        if k is not None:
            w = batch.whole(k)
        else:
            ws = words_of(text, b)
            w = (len(ws.starts), ws.starts[0], ws.ends[-1])
        whole_of[text] = w
        return w

    for g, bs in members.items():
        if len(bs) == 1 and single_doc[bs[0]] >= 0:
            continue  # one variant in one doc: no family
        c = cores[g]
        # (doc, item, bucket) of each variant's first copy in each doc: a bucket's items are
        # in (doc, offset) order, so its first item in a doc outranks its other items there
        firsts: list[tuple[int, int, int]] = []
        for b in bs:
            its = bucket_items[b]
            if single_doc[b] >= 0:
                firsts.append((single_doc[b], its[0], b))
                continue
            last = None
            for i in its:
                d = docs_l[i]
                if d != last:
                    firsts.append((d, i, b))
                    last = d
        docs_of: dict[int, list[int]] = {}  # variant -> the docs it is picked in
        picked: list[tuple] = []  # (_, item, bucket) in doc order
        if len({t[0] for t in firsts}) == len(firsts):  # no doc carries two variants
            if len(firsts) < 2:
                continue
            firsts.sort()
            picked = firsts
            for d, _, b in firsts:
                ds = docs_of.get(b)
                if ds is None:
                    docs_of[b] = [d]
                else:
                    ds.append(d)
        else:
            # doc -> (rank, item, bucket): the core variant first, then the stronger link,
            # then the earlier copy
            chosen: dict[int, tuple[tuple, int, int]] = {}
            for d, i, b in firsts:
                r = link(b, c)
                rank = (b != c, -(r[1] if r else 0.0), offs_l[i], b)
                was = chosen.get(d)
                if was is None or rank < was[0]:
                    chosen[d] = (rank, i, b)
            if len(chosen) < 2:
                continue
            for d in sorted(chosen):
                v = chosen[d]
                picked.append(v)
                ds = docs_of.get(v[2])
                if ds is None:
                    docs_of[v[2]] = [d]
                else:
                    ds.append(d)
        used_buckets = sorted(docs_of)
        kind, score = _family_kind(used_buckets, c, link, links)
        peers = _flag_peers(used_buckets, docs_of)
        # per variant: which of its words another member (of another doc) has at that place
        # (all of them when an exact copy sits in another doc), and whether that is all
        matched: dict[int, list[bool]] = {}
        full: dict[int, int] = {}  # variant -> its word count when every word is shared, else -1
        coded = None  # the used variants' codes (when every other one is a peer)
        for k, b in enumerate(used_buckets):
            if len(docs_of[b]) > 1:
                pv = preps[b]
                n = len(pv.norms) if pv is not None else len(words_of(text_of(b), b).norms)
                matched[b] = [True] * n
                full[b] = n
            else:
                if len(used_buckets) <= FLAGS_MAX + 1:
                    if coded is None:
                        coded = [prep(o).codes for o in used_buckets]
                    f = _flags(coded[k], coded[:k] + coded[k + 1 :], False)
                else:
                    f = _flags(prep(b).codes, [prep(o).codes for o in peers(b)], False)
                matched[b] = f
                full[b] = len(f) if False not in f else -1
        keys = tuple([keys_l[i] for _, i, _ in picked])
        variant = {b: k for k, b in enumerate(used_buckets)}
        variants = tuple([variant[b] for _, _, b in picked])
        if min(full.values()) >= 0:  # (the usual case: every member wholly shared)
            tw = [whole_of.get(texts_l[i]) or whole(texts_l[i], b) for _, i, b in picked]
            if all([w[0] == full[b] for w, (_, _, b) in zip(tw, picked)]):
                offs = [offs_l[i] for _, i, _ in picked]
                out.append(
                    FamilyDraft(
                        kind,
                        keys,
                        tuple([((w[1] + o, w[2] + o),) for w, o in zip(tw, offs)]),
                        ((),) * len(picked),
                        round(float(score), 1),
                        variants,
                    )
                )
                continue
        shared, differs = [], []
        for _, i, b in picked:
            text = texts_l[i]
            n = full[b]
            if n >= 0:
                w = whole_of.get(text) or whole(text, b)
                if w[0] == n:  # every word shared: one run
                    o = offs_l[i]
                    shared.append(((w[1] + o, w[2] + o),))
                    differs.append(())
                    continue
            o = offs_l[i]
            flags = matched[b]
            spans = spans_of.get(text)
            if spans is None:
                ws = words_of(text, b)
                spans = spans_of[text] = list(zip(ws.starts, ws.ends))
            if len(spans) != len(flags):  # a copy that tokenizes apart from its variant
                flags = _flags(
                    tuple(_words(text, list(bucket_norms[b])).norms),
                    [tuple(prep(o).norms) for o in peers(b)],
                    any(docs_l[j] != docs_l[i] for _, j, v in picked if v == b and j != i),
                )
            key = (text, b)
            rel = runs_of.get(key) if flags is matched[b] else None
            if rel is None:
                rel = _runs(spans, flags)
                if flags is matched[b]:
                    runs_of[key] = rel
            shared.append(tuple([(x + o, y + o) for x, y in rel[0]]))
            differs.append(tuple([(x + o, y + o) for x, y in rel[1]]))
        out.append(
            FamilyDraft(
                kind,
                keys,
                tuple(shared),
                tuple(differs),
                round(float(score), 1),
                variants,
            )
        )
    out.sort(key=lambda f: (-len(f.members), f.members))
    return out


def _ascending(docs: list[int], offsets: list[int]) -> bool:
    """Are the (doc, offset) pairs strictly ascending?"""
    n = len(docs)
    if n < 2:
        return True
    d = np.fromiter(docs, np.int64, n)
    o = np.fromiter(offsets, np.int64, n)
    return bool(np.all((d[:-1] < d[1:]) | ((d[:-1] == d[1:]) & (o[:-1] < o[1:]))))


def _shared_shingles(bucket_codes: list, tuples: bool) -> list[tuple[int, int, int]]:
    """``(x, y, n)`` for the bucket pairs ``x < y`` (sorted) that share ``n`` >= 1 shingles
    (runs of ``SHINGLE`` words), counting only shingles found in at most
    ``SHINGLE_MAX_POSTINGS`` buckets (the others are stock phrases)."""
    got = _shared_shingle_arrays(bucket_codes, tuples)
    if isinstance(got, list):
        return got
    xs, ys, ns = got
    return list(zip(xs.tolist(), ys.tolist(), ns.tolist()))


def _shared_shingle_arrays(bucket_codes: list, tuples: bool):
    """:func:`_shared_shingles` as three arrays (x, y, n) or, on the slow path, as its list."""
    nb = len(bucket_codes)
    if nb < 2:
        return []
    if tuples or SHINGLE != 3 or nb < 16:
        return _shared_shingles_py(bucket_codes)
    lens = np.fromiter(map(len, bucket_codes), np.int64, nb)
    w = np.frombuffer("".join(bucket_codes).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    ends = np.cumsum(lens)
    bucket = np.repeat(np.arange(nb, dtype=np.int64), lens)
    p = np.arange(len(w) - SHINGLE + 1)
    p = p[p + SHINGLE <= ends[bucket[p]]]  # shingles that stay inside their bucket
    base = 0x110000  # codes are characters: base**3 < 2**63
    sh = (w[p] * base + w[p + 1]) * base + w[p + 2]
    bk = bucket[p]
    order = np.argsort(sh, kind="stable")  # (bk ascends already: the same order as by (sh, bk))
    sh, bk = sh[order], bk[order]
    if len(sh) < 2:
        return []
    first = np.empty(len(sh), dtype=bool)  # first of its (shingle, bucket)
    first[0] = True
    first[1:] = (sh[1:] != sh[:-1]) | (bk[1:] != bk[:-1])
    sh, bk = sh[first], bk[first]
    new = np.empty(len(sh), dtype=bool)
    new[0] = True
    new[1:] = sh[1:] != sh[:-1]
    gstart = np.flatnonzero(new)
    gsize = np.diff(np.append(gstart, len(sh)))
    ok = (gsize > 1) & (gsize <= SHINGLE_MAX_POSTINGS)
    gs, gz = gstart[ok], gsize[ok]
    if not len(gs):
        return []
    # every member of a kept posting list, with the end of its list
    idx = np.repeat(gs - (np.cumsum(gz) - gz), gz) + np.arange(int(gz.sum()))
    gend = np.repeat(gs + gz, gz)
    if nb * nb < 2**32:  # (pair keys x * nb + y in 32 bits: they sort faster)
        bk = bk.astype(np.uint32)
    keys = []
    for d in range(1, int(gz.max())):
        keep = idx + d < gend
        idx, gend = idx[keep], gend[keep]
        keys.append(bk[idx] * nb + bk[idx + d])  # (buckets ascend within a list: x < y)
    uk, counts = np.unique(np.concatenate(keys), return_counts=True)
    uk = uk.astype(np.int64)
    return uk // nb, uk % nb, counts


def _shared_shingles_py(bucket_codes: list) -> list[tuple[int, int, int]]:
    postings: dict = defaultdict(list)
    for b, cs in enumerate(bucket_codes):
        for sh in {cs[k : k + SHINGLE] for k in range(len(cs) - SHINGLE + 1)}:
            postings[sh].append(b)
    shared: Counter[tuple[int, int]] = Counter()
    for bs in postings.values():
        if 1 < len(bs) <= SHINGLE_MAX_POSTINGS:
            for x in range(len(bs)):
                for y in range(x + 1, len(bs)):
                    shared[(bs[x], bs[y])] += 1
    return sorted((x, y, n) for (x, y), n in shared.items())


def _word_tuple(s: AlignInput) -> tuple[str, ...]:
    """``words(s.text)``, from the caller's ``normalize`` string when that is safe: an ASCII
    one cannot hold a space inside a word (only NFKC of some non-ASCII letters can)."""
    n = s.norm
    if n and n.isascii():
        return tuple(n.split(" "))
    return tuple(words(s.text))


_QUOTE_CHARS = frozenset("\"“”«»„‟‘’'")


_QUOTE_CHARS_RE = re.compile("[" + re.escape("".join(sorted(_QUOTE_CHARS))) + "]")


def _quote_marks(text: str) -> int:
    if text.isascii():  # (the ASCII quotation marks: the straight ones)
        return text.count('"') + text.count("'")
    return len(_QUOTE_CHARS_RE.findall(text))


def _family_kind(buckets: list[int], core: int, link, links: dict | None = None) -> tuple[str, float]:
    """Kind and weakest accepted link among the variants a family keeps (``buckets``, sorted).
    Quote wins over edited: one framed quotation makes the family a quote family.  ``links``,
    when given, holds links already decided, keyed ``(x, y)`` with ``x < y``."""
    if len(buckets) == 1:
        return "verbatim", 100.0
    found: list
    if links is not None and len(buckets) <= 30:  # (the usual case: every pair decided)
        get = links.get
        found = [get((p, q), links) for k, p in enumerate(buckets) for q in buckets[k + 1 :]]
        if links not in found:
            found = [r for r in found if r is not None]
            kinds = {k for k, _ in found}
            kind = "quote" if "quote" in kinds else "edited" if "edited" in kinds else "verbatim"
            return kind, min([s for _, s in found], default=100.0)
    if len(buckets) <= 30:
        pairs = [(p, q) for k, p in enumerate(buckets) for q in buckets[k + 1 :]]
    else:  # many variants: their links to the core
        pairs = [(p, core) if p < core else (core, p) for p in buckets if p != core]
    if links is None:
        found = [r for p, q in pairs if (r := link(p, q)) is not None]
    else:
        found = [r for k in pairs if (r := links.get(k, links)) is not None]
        if links in found:  # (not decided yet)
            found = [r for p, q in pairs if (r := link(p, q)) is not None]
    kinds = {k for k, _ in found}
    kind = "quote" if "quote" in kinds else "edited" if "edited" in kinds else "verbatim"
    return kind, min((s for _, s in found), default=100.0)


def _flag_peers(buckets: list[int], docs_of: dict[int, list[int]]):
    """The variants a variant's words are compared with: all the others, or on hostile input
    (more than ``FLAGS_MAX`` of them) the ``FLAGS_MAX`` most carried."""
    if len(buckets) <= FLAGS_MAX + 1:
        return lambda b: [o for o in buckets if o != b]
    ranked = sorted(buckets, key=lambda o: (-len(docs_of.get(o, ())), o))[: FLAGS_MAX + 1]
    return lambda b: [o for o in ranked if o != b][:FLAGS_MAX]


def _flags(own, others: list, copied: bool) -> list[bool]:
    """Which words of ``own`` some other variant has at that place (all of them when an
    exact copy sits in another doc).  Word lists as tuples, or as strings of word codes."""
    f = [copied] * len(own)
    if copied:
        return f
    COUNTERS["flag_compares"] += len(others)
    for other in others:
        for tag, s1, e1, _, _ in Indel.opcodes(own, other).as_list():
            if tag == "equal":
                f[s1:e1] = [True] * (e1 - s1)
        if False not in f:  # (no other variant can unset a flag)
            break
    return f


def _runs(spans: Sequence[Span], flags: Sequence[bool], offset: int = 0) -> tuple[tuple[Span, ...], tuple[Span, ...]]:
    """Spans (shifted by ``offset``) of the runs of words (given by their spans) whose flag
    is set, and of the runs whose flag is not; a run spans the punctuation between its words."""
    if not spans or not flags:
        return (), ()
    if all(flags):
        return ((spans[0][0] + offset, spans[min(len(flags), len(spans)) - 1][1] + offset),), ()
    yes: list[Span] = []
    no: list[Span] = []
    prev = None
    for (a, b), f in zip(spans, flags):
        out = yes if f else no
        if f == prev:
            out[-1] = (out[-1][0], b + offset)
        else:
            out.append((a + offset, b + offset))
        prev = f
    return tuple(yes), tuple(no)
