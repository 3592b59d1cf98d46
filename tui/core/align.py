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

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from .text import _WORD_RE, words  # the word pattern of text.tokens, to stay in step

Span = tuple[int, int]

#: Work done by :func:`align` since the last ``COUNTERS.clear()``: ``decisions`` (pairwise
#: decisions computed), ``candidates`` (bucket pairs sharing enough shingles or close by
#: fuzz.ratio), ``flag_compares`` (variant-against-variant word alignments for the spans).
#: Tests use them to check that the work grows linearly on hostile input.
COUNTERS: Counter[str] = Counter()


@dataclass(frozen=True, slots=True)
class AlignInput:
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


# --- thresholds (tuned on msrp-train even lines; see scripts/measure_matching.py) ---------
MIN_WORDS = 4  # shorter sentences never join a family
EDITED_MIN_WORDS = 5  # both sides of an edited pair have at least this many words
EDITED_MIN = 80.0  # minimum edited score (0..100)
EDITED_MAX_EXTRA = 5  # at most this many unmatched content words on either side
SWAP_MAX = 3  # a changed name or figure: a substitution of at most this many words a side
QUOTE_MIN_RUN = 8  # a shared quotation is at least this many words in one run
QUOTE_COVER = 0.6  # ... and covers this share of each side's quoted words
QUOTE_BARE_COVER = 0.5  # ... or of the whole sentence on a side without quotation marks
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
    if _SPECIAL.isdisjoint(norms):
        if not _DIGIT_RE.search(text):  # nothing to merge or rewrite
            caps = [text[a].isupper() for a in starts]
        elif not _COMMA_WORD_RE.search(text):  # figures, but no "1,000" to join
            caps = [text[a].isupper() or text[a].isdigit() for a in starts]
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
@dataclass(slots=True)
class _Prep:
    text: str
    norms: list[str]
    caps: list[bool]
    quoted: list[bool]
    negations: int = -1  # count of negating words, computed on first use


def _prep(text: str, norms: list[str] | None = None) -> _Prep:
    ws = _words(text, norms)
    return _Prep(text, ws.norms, ws.caps, _quoted(text, ws.starts))


def match(a: str, b: str) -> str | None:
    """Pairwise decision: "verbatim", "edited", "quote" or None."""
    r = _decide(_prep(a), _prep(b))
    return r[0] if r else None


def match_score(a: str, b: str) -> tuple[str, float] | None:
    """Pairwise decision with its score (0..100)."""
    return _decide(_prep(a), _prep(b))


def _decide(a: _Prep, b: _Prep) -> tuple[str, float] | None:
    na, nb = a.norms, b.norms
    la, lb = len(na), len(nb)
    if la < MIN_WORDS or lb < MIN_WORDS:
        return None
    if na == nb:
        return ("verbatim", 100.0)
    ops = Indel.opcodes(na, nb).as_list()  # (tag, src_start, src_end, dest_start, dest_end)
    conflict = False
    lcs = 0
    extra_a: list[str] = []  # words of each side outside the equal blocks
    extra_b: list[str] = []
    pa = pb = 0  # ends of the last equal block
    for tag, s1, e1, s2, e2 in ops:
        if tag == "equal":
            # between two equal blocks: does the same place hold a different name or
            # figure on each side?
            if not conflict and _names_differ(na, a.caps, pa, s1, nb, b.caps, pb, s2):
                conflict = True
            lcs += e1 - s1
            pa, pb = e1, e2
        else:
            extra_a += na[s1:e1]
            extra_b += nb[s2:e2]
    if not conflict and _names_differ(na, a.caps, pa, la, nb, b.caps, pb, lb):
        conflict = True
    edited = None
    if not conflict and min(la, lb) >= EDITED_MIN_WORDS:
        edited = _edited_score(a, b, lcs, extra_a, extra_b)
    if edited is not None and edited >= EDITED_MIN:
        return ("edited", edited)
    quote = _quote_score(a, b, ops)
    if quote is not None:
        return ("quote", quote)
    return None


def _names_differ(
    xn: list[str], xc: list[bool], xs: int, xe: int, yn: list[str], yc: list[bool], ys: int, ye: int
) -> bool:
    """A short substitution (at most ``SWAP_MAX`` words a side: words ``xs:xe`` of one
    sentence against ``ys:ye`` of the other) that puts a different name or figure at the same
    place ("Paris" / "Berlin"), unless one abbreviates the other ("US" / "United States",
    "Sen." / "Senator")."""
    if xe <= xs or ye <= ys or xe - xs > SWAP_MAX or ye - ys > SWAP_MAX:
        return False
    cx = [xn[k] for k in range(xs, xe) if xc[k]]
    cy = [yn[k] for k in range(ys, ye) if yc[k]]
    if not cx or not cy:
        return False
    jx, jy = "".join(cx), "".join(cy)
    if jx == "".join(w[0] for w in cy) or jy == "".join(w[0] for w in cx):
        return False
    return not (jx.startswith(jy) or jy.startswith(jx))


def _edited_score(a: _Prep, b: _Prep, lcs: int, extra_a: list[str], extra_b: list[str]) -> float | None:
    na, nb = a.norms, b.norms
    # a number or a negation that only one side has changes the fact
    nums_a = {w for w in extra_a if w[:1].isdigit()}
    nums_b = {w for w in extra_b if w[:1].isdigit()}
    if nums_a and nums_b:
        return None
    if _negations(a) != _negations(b):
        return None
    content_a = sum(w not in _STOP for w in extra_a)
    content_b = sum(w not in _STOP for w in extra_b)
    if max(content_a, content_b) > EDITED_MAX_EXTRA:
        return None
    sim = 2 * lcs / (len(na) + len(nb))
    ratio = fuzz.ratio(" ".join(na), " ".join(nb)) / 100
    return 100 * (0.5 * sim + 0.5 * ratio)


def _negations(p: _Prep) -> int:
    if p.negations < 0:
        p.negations = sum(w in _NEGATORS for w in p.norms)
    return p.negations


def _quote_score(a: _Prep, b: _Prep, ops: list[tuple[str, int, int, int, int]]) -> float | None:
    if not any(a.quoted) and not any(b.quoted):
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
        inside = sum(p.quoted)
        if inside:
            # the run must lie in the quotation and cover most of it
            in_run = sum(p.quoted[s:e])
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
    items = list(sentences)
    # 1. buckets of identical word lists
    bucket_of: dict[tuple[str, ...], int] = {}
    bucket_items: list[list[int]] = []
    bucket_norms: list[tuple[str, ...]] = []
    word_lists: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, s in enumerate(items):
        norms = _word_tuple(s)
        if len(norms) >= MIN_WORDS:
            word_lists[norms].append(i)
    # bucket ids in content order, so that results never depend on the input order
    for norms in sorted(word_lists):
        bucket_of[norms] = len(bucket_norms)
        bucket_norms.append(norms)
        bucket_items.append(
            sorted(word_lists[norms], key=lambda i: (items[i].doc, items[i].offset, i))
        )
    nb = len(bucket_norms)
    bucket_docs = [{items[i].doc for i in its} for its in bucket_items]

    # 2. candidates: buckets sharing a rare shingle, verified pairwise
    postings: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for b, norms in enumerate(bucket_norms):
        for sh in {norms[k : k + SHINGLE] for k in range(len(norms) - SHINGLE + 1)}:
            postings[sh].append(b)
    shared_shingles: Counter[tuple[int, int]] = Counter()
    for bs in postings.values():
        if 1 < len(bs) <= SHINGLE_MAX_POSTINGS:
            for x in range(len(bs)):
                for y in range(x + 1, len(bs)):
                    shared_shingles[(bs[x], bs[y])] += 1
    # A cheap necessary condition before the full decision: a quote needs a run of
    # QUOTE_MIN_RUN words (with at most one slip: >= 4 shared shingles); an edited pair
    # scores half fuzz.ratio, so it needs fuzz.ratio >= 2 * EDITED_MIN - 100.
    joined = [" ".join(n) for n in bucket_norms]
    ratio_floor = 2 * EDITED_MIN - 100
    pairs = [
        (x, y)
        for (x, y), n in shared_shingles.items()
        if n >= QUOTE_MIN_SHINGLES or fuzz.ratio(joined[x], joined[y], score_cutoff=ratio_floor)
    ]
    COUNTERS["candidates"] += len(pairs)
    preps: dict[int, _Prep] = {}
    word_cache: dict[str, _Words] = {}

    def prep(b: int) -> _Prep:
        p = preps.get(b)
        if p is None:
            # the copy that kept its quotation marks says the most about what is quoted
            its = bucket_items[b]
            text = items[its[0]].text
            if len(its) > 1:
                texts = {items[i].text for i in its}
                if len(texts) > 1:  # (max keeps the first of equals: the first copy's text)
                    text = max((items[i].text for i in its), key=_quote_marks)
            ws = word_cache[text] = _words(text, list(bucket_norms[b]))
            p = preps[b] = _Prep(text, ws.norms, ws.caps, _quoted(text, ws.starts))
        return p

    links: dict[tuple[int, int], tuple[str, float] | None] = {}

    def link(x: int, y: int) -> tuple[str, float] | None:
        if x == y:
            return ("verbatim", 100.0)
        k = (x, y) if x < y else (y, x)
        if k not in links:
            COUNTERS["decisions"] += 1
            links[k] = _decide(prep(k[0]), prep(k[1]))
        return links[k]

    edges = []
    for x, y in sorted(pairs):
        if len(bucket_docs[x] | bucket_docs[y]) < 2:
            continue
        r = link(x, y)
        if r is not None:
            edges.append((r[1], x, y))
    edges.sort(key=lambda e: (-e[0], e[1], e[2]))

    # 3. merge along links, strongest first, guarded against chaining
    group = list(range(nb))
    members: dict[int, list[int]] = {b: [b] for b in range(nb)}

    def weight(b: int) -> tuple[int, int, int]:  # a group's core is its heaviest variant
        return (len(bucket_docs[b]), len(bucket_norms[b]), -b)

    cores = list(range(nb))  # group -> its core, kept up to date on every merge
    heaviest: dict[int, list[int]] = {}  # group of > GUARD_MAX variants -> its GUARD_MAX heaviest

    def guard(g: int) -> list[int]:
        ms = members[g]
        return ms if len(ms) <= GUARD_MAX else heaviest[g]

    for score, x, y in edges:
        gx, gy = group[x], group[y]
        if gx == gy:
            continue
        cx, cy = cores[gx], cores[gy]
        tx, ty = guard(gx), guard(gy)
        if not all(link(b, cx) for b in ty) or not all(link(b, cy) for b in tx):
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

    def core(g: int) -> int:
        return cores[g]

    # 4. one member per doc, spans, drafts
    out: list[FamilyDraft] = []
    for g, bs in members.items():
        c = core(g)
        chosen: dict[int, tuple[tuple, int, int]] = {}  # doc -> (rank, item, bucket)
        for b in bs:
            r = link(b, c)
            strength = r[1] if r else 0.0
            for i in bucket_items[b]:
                rank = (b != c, -strength, items[i].offset, b)
                d = items[i].doc
                if d not in chosen or rank < chosen[d][0]:
                    chosen[d] = (rank, i, b)
        if len(chosen) < 2:
            continue
        picked = sorted(chosen.values(), key=lambda v: (items[v[1]].doc, v[1]))
        used_buckets = sorted({b for _, _, b in picked})
        kind, score = _family_kind(used_buckets, c, link)
        matched = _matched_flags(
            used_buckets, [tuple(prep(b).norms) for b in used_buckets], picked, items
        )
        shared, differs = [], []
        peers = None
        for _, i, b in picked:
            s = items[i]
            ws = word_cache.get(s.text)
            if ws is None:
                ws = word_cache[s.text] = _words(s.text, list(bucket_norms[b]))
            flags = matched[i]
            own = tuple(ws.norms)
            if len(own) != len(flags):  # a copy that tokenizes apart from its variant
                if peers is None:
                    docs_of: dict[int, set[int]] = defaultdict(set)
                    for _, j, o in picked:
                        docs_of[o].add(items[j].doc)
                    peers = _flag_peers(used_buckets, docs_of)
                others = [tuple(prep(o).norms) for o in peers(b)]
                flags = _flags(
                    own,
                    others,
                    any(items[j].doc != s.doc for _, j, o in picked if o == b and j != i),
                )
            sh, df = _runs(ws, flags, s.offset)
            shared.append(sh)
            differs.append(df)
        out.append(
            FamilyDraft(
                kind,
                tuple(items[i].key for _, i, _ in picked),
                tuple(shared),
                tuple(differs),
                round(float(score), 1),
            )
        )
    out.sort(key=lambda f: (-len(f.members), f.members))
    return out


def _word_tuple(s: AlignInput) -> tuple[str, ...]:
    """``words(s.text)``, from the caller's ``normalize`` string when that is safe: an ASCII
    one cannot hold a space inside a word (only NFKC of some non-ASCII letters can)."""
    n = s.norm
    if n and n.isascii():
        return tuple(n.split(" "))
    return tuple(words(s.text))


_QUOTE_CHARS = frozenset("\"“”«»„‟‘’'")


def _quote_marks(text: str) -> int:
    return sum(text.count(c) for c in _QUOTE_CHARS)


def _family_kind(buckets: list[int], core: int, link) -> tuple[str, float]:
    """Kind and weakest accepted link among the variants a family keeps.  Quote wins over
    edited: one framed quotation makes the family a quote family."""
    if len(buckets) == 1:
        return "verbatim", 100.0
    if len(buckets) <= 30:
        pairs = [(p, q) for k, p in enumerate(buckets) for q in buckets[k + 1 :]]
    else:  # many variants: their links to the core
        pairs = [(p, core) for p in buckets if p != core]
    found = [r for p, q in pairs if (r := link(p, q)) is not None]
    kinds = {k for k, _ in found}
    kind = "quote" if "quote" in kinds else "edited" if "edited" in kinds else "verbatim"
    return kind, min((s for _, s in found), default=100.0)


def _matched_flags(
    buckets: list[int], norms: list[tuple[str, ...]], picked: list, items: list[AlignInput]
) -> dict[int, list[bool]]:
    """Per picked item: which of its words another member (of another doc) has at that place.
    Computed once per distinct variant, then shared by its copies."""
    docs_of: dict[int, set[int]] = defaultdict(set)
    for _, i, b in picked:
        docs_of[b].add(items[i].doc)
    idx = {b: k for k, b in enumerate(buckets)}
    peers = _flag_peers(buckets, docs_of)
    flags: dict[int, list[bool]] = {}
    for b in buckets:
        others = [norms[idx[o]] for o in peers(b)]
        flags[b] = _flags(norms[idx[b]], others, len(docs_of[b]) > 1)
    return {i: flags[b] for _, i, b in picked}


def _flag_peers(buckets: list[int], docs_of: dict[int, set[int]]):
    """The variants a variant's words are compared with: all the others, or on hostile input
    (more than ``FLAGS_MAX`` of them) the ``FLAGS_MAX`` most carried."""
    if len(buckets) <= FLAGS_MAX + 1:
        return lambda b: [o for o in buckets if o != b]
    ranked = sorted(buckets, key=lambda o: (-len(docs_of.get(o, ())), o))[: FLAGS_MAX + 1]
    return lambda b: [o for o in ranked if o != b][:FLAGS_MAX]


def _flags(own: tuple[str, ...], others: list[tuple[str, ...]], copied: bool) -> list[bool]:
    """Which words of ``own`` some other variant has at that place (all of them when an
    exact copy sits in another doc)."""
    f = [copied] * len(own)
    if copied:
        return f
    COUNTERS["flag_compares"] += len(others)
    for other in others:
        for op in Indel.opcodes(own, other):
            if op.tag == "equal":
                for p in range(op.src_start, op.src_end):
                    f[p] = True
    return f


def _runs(toks: _Words, flags: Sequence[bool], offset: int = 0) -> tuple[tuple[Span, ...], tuple[Span, ...]]:
    """Spans (shifted by ``offset``) of the runs of words whose flag is set, and of the runs
    whose flag is not; a run spans the punctuation between its words."""
    starts, ends = toks.starts, toks.ends
    if not starts or not flags:
        return (), ()
    if all(flags):
        return ((starts[0] + offset, ends[min(len(flags), len(ends)) - 1] + offset),), ()
    yes: list[Span] = []
    no: list[Span] = []
    prev = None
    for a, b, f in zip(starts, ends, flags):
        out = yes if f else no
        if f == prev:
            out[-1] = (out[-1][0], b + offset)
        else:
            out.append((a + offset, b + offset))
        prev = f
    return tuple(yes), tuple(no)
