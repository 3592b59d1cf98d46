"""Incremental families: the sentences of articles added to an aligned story join its families
without the whole story being aligned again.

``align`` looks at every body sentence of a story: a story of 60 wire copies holds 1,500 of them,
and one article more costs all of that work again.  Here the families of the story as it was
(members, spans, kind and score, as ``align`` left them) are extended with the new articles'
sentences, and the work grows with the new sentences and the families they join:

* **Exact copies.**  A new sentence whose word list (its normalized form) is a member's joins
  that member's family.  When that member was wholly shared, the copy adds no word to the
  family: it is appended with its whole span and nothing else changes (no alignment at all).
  Most sentences of a wire copy are such copies.
* **Edited copies and quotes.**  Any other new sentence looks for the family whose members
  share the most runs of ``align.SHINGLE`` words with it (the candidate rule of ``align``, stock
  phrases left out).  It joins that family as ``align`` would let it join the family's variants
  once they are one group (``_join_directly``): it must link to a variant, fit the core (the
  variant most articles carry) and be fitted by every variant (the merge guard); the family's
  kind and score take in its links, its words are marked against every variant, and each variant
  that one article carries gains the words it shares with it.  In the rarer cases (two such
  sentences of one variant or article, more than 30 variants, words beyond ASCII) the family is
  aligned again on a sample of its members plus its joiners (``align`` on a few dozen
  sentences: each variant in fewer copies, the order of how many articles carry them kept); if
  the old members no longer form one family there, it is kept as it was.
* **New families.**  The new sentences that joined no family are aligned together with the old
  body sentences that were in no family: they may share a sentence with each other or with an
  old article's own sentence.
* An article contributes one member to a family: a later copy in an article that already has a
  member stays unlinked (as in ``align``).

What is approximate: old families are never merged or split, and an old sentence is never moved
from its family, where aligning everything again could (a new variant can bridge two families
or win a merge that went another way).  ``tui.core.pipeline`` therefore aligns a story afresh
once the articles added this way pass a share of the story it last aligned in full
(``GROW_FRACTION``), and below ``GROW_MIN`` articles, where aligning afresh costs no more than
growing (measured on the bench corpus: 7 ms a story grown against 28 ms afresh at 30-60 articles,
10 against 16 ms at 15-30, the two meeting near 12).
``scripts/measure_grow.py`` measures the families of grown stories against a full run.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from itertools import accumulate
from operator import itemgetter

from rapidfuzz.distance import Indel

from .align import (
    _WORD_RE,
    CONTAIN_MIN_WORDS,
    GUARD_MAX,
    MIN_WORDS,
    OVERLAP_SHARE,
    SHINGLE,
    SHINGLE_MAX_POSTINGS,
    AlignInput,
    FamilyDraft,
    Span,
    _Codes,
    _decide,
    _flags,
    _prep,
    _quote_marks,
    _runs,
    _words,
    align,
)

#: Grow a story incrementally only while the articles added since its last full alignment are
#: at most this share of the articles it had then ...
GROW_FRACTION = 0.25
#: ... and it had at least this many articles then.
GROW_MIN = 16

#: Work done since the last ``COUNTERS.clear()``: ``copied`` (new sentences appended to a family
#: with no alignment), ``joined`` (families that took other new sentences with no alignment: see
#: ``_join_directly``), ``realigned`` (families aligned again with sentences joining them),
#: ``pooled`` (alignments of the sentences that joined no family).  Tests read them.
COUNTERS: Counter[str] = Counter()

Where = tuple[int, int]  # (position of the article in the story, sentence index)

#: (text, offset of the text in its article, normalized form) of a sentence
Item = tuple[str, int, str]


class Fam:
    """One family while a story grows.  ``members`` are (position, sentence) pairs; ``rows[k]``
    is member k's row in the caller's record of the story's families when its spans are unchanged
    (then ``shared[k]`` and ``differs[k]`` are None), else -1 with its spans in ``shared[k]`` and
    ``differs[k]``.  ``whole[k]``: every word of member k is shared; ``norms[k]`` its
    normalized form (equal strings for the members of one variant)."""

    __slots__ = ("differs", "kind", "members", "norms", "rows", "score", "shared", "whole")

    def __init__(
        self,
        kind: str,
        score: float,
        members: list[Where],
        rows: list[int],
        shared: list,
        differs: list,
        whole: list[bool],
        norms: list[str],
    ):
        self.kind = kind
        self.score = score
        self.members = members
        self.rows = rows
        self.shared = shared
        self.differs = differs
        self.whole = whole
        self.norms = norms

    @classmethod
    def recorded(cls, kind: str, score: float, members: list[Where], rows: range, whole: list[bool], norms: list[str]) -> Fam:
        """A family as the caller recorded it (spans unchanged)."""
        none = [None] * len(members)
        return cls(kind, score, members, list(rows), none, list(none), whole, norms)

    @classmethod
    def drafted(cls, d: FamilyDraft, where: Sequence[Where], norms: Sequence[str]) -> Fam:
        """A family as ``align`` drafted it over sentences ``where`` (its keys index them, and
        ``norms``, their normalized forms)."""
        n = len(d.members)
        return cls(
            d.kind,
            d.score,
            [where[k] for k in d.members],
            [-1] * n,
            list(d.shared),
            list(d.differs),
            [not x for x in d.differs],
            [norms[k] for k in d.members],
        )


def extend_families(
    families: Sequence[Fam],
    item: Callable[[int, int], Item],
    norms_at: Sequence[Sequence[str]],
    singles: Callable[[], Sequence[Where]],
    new: Sequence[Where],
    recorded: Callable[[int], tuple[tuple[Span, ...], tuple[Span, ...]]] | None = None,
) -> tuple[list[Fam], set[int]]:
    """The story's families with the ``new`` sentences (body sentences of the added articles, in
    (position, sentence) order) joined, plus the families they start; ``singles()`` gives the
    old body sentences that are in no family (asked only when needed).  ``norms_at[p][j]`` is
    ``item(p, j)[2]``, cheaper; ``recorded(row)`` the (shared, differs) spans of a recorded member.
    Families come out in ``align``'s order (biggest first), with the indices (in that list) of
    those that changed.  ``families`` are modified in place."""
    fams = list(families)
    norm_at: dict[str, tuple[int, int]] = {}  # a member's normalized form -> (family, member)
    docs_in: list[set[int]] = []

    def norm(p: int, j: int) -> str:
        return norms_at[p][j]

    for fi, f in enumerate(fams):
        docs_in.append(set(map(itemgetter(0), f.members)))
        # (each variant's first member, found in C: a story holds thousands of members)
        for n, k in dict(zip(reversed(f.norms), reversed(range(len(f.norms))))).items():
            if n and n not in norm_at:
                norm_at[n] = (fi, k)
    changed: set[int] = set()
    joiners: dict[int, list[Where]] = defaultdict(list)
    unmatched: list[Where] = []
    for p, sj in new:
        n = norm(p, sj)
        hit = norm_at.get(n) if n else None
        if hit is None:
            unmatched.append((p, sj))
            continue
        fi, k = hit
        if p in docs_in[fi]:
            continue  # the article has a member already: this later copy stays unlinked
        docs_in[fi].add(p)
        f = fams[fi]
        span = _whole(item(p, sj))
        if span is not None and not f.whole[k]:
            # the member's variant was in one article, now in two: wholly shared in both (the
            # family's variants, and so its kind, score and other spans, stay the same)
            mine = _whole(item(*f.members[k]))
            if mine is not None:
                f.rows[k] = -1
                f.shared[k] = (mine,)
                f.differs[k] = ()
                f.whole[k] = True
        if span is not None and f.whole[k]:
            # a copy of a wholly shared member: wholly shared too, and it changes no other member
            COUNTERS["copied"] += 1
            f.members.append((p, sj))
            f.rows.append(-1)
            f.shared.append((span,))
            f.differs.append(())
            f.whole.append(True)
            f.norms.append(n)
            changed.add(fi)
        else:
            joiners[fi].append((p, sj))

    leftovers: list[Where] = []
    if unmatched:
        finder = _ShingleFinder(norm_at)
        for p, sj in unmatched:
            fi = finder.best(norm(p, sj))
            if fi < 0 or p in docs_in[fi]:
                leftovers.append((p, sj))
            else:
                joiners[fi].append((p, sj))

    for fi, js in sorted(joiners.items()):
        f = fams[fi]
        g = _join_directly(f, js, item, norm, leftovers, recorded) if recorded is not None else None
        if g is not None:
            COUNTERS["joined"] += 1
            fams[fi] = g
            changed.add(fi)
            continue
        pick = _sample(f, item)
        members = [f.members[k] for k in pick] + js
        forms = [f.norms[k] for k in pick] + [norm(*w) for w in js]
        COUNTERS["realigned"] += 1
        drafts = align([AlignInput(k, p, *item(p, sj)) for k, (p, sj) in enumerate(members)])
        d = next((d for d in drafts if set(range(len(pick))).issubset(d.members)), None)
        if d is None:  # the members do not form one family on their own: keep it as it was
            leftovers.extend(js)
            continue
        at = dict(zip(d.members, range(len(d.members))))
        linked_docs = docs_in[fi]
        g = Fam(d.kind, d.score, list(f.members), list(f.rows), list(f.shared), list(f.differs), list(f.whole), list(f.norms))
        for k, m in enumerate(pick):  # the sampled members, as the alignment marks them now
            x = at[k]
            g.rows[m], g.shared[m], g.differs[m], g.whole[m] = -1, d.shared[x], d.differs[x], not d.differs[x]
        for k in range(len(pick), len(members)):
            x = at.get(k)
            if x is not None:
                g.members.append(members[k])
                g.rows.append(-1)
                g.shared.append(d.shared[x])
                g.differs.append(d.differs[x])
                g.whole.append(not d.differs[x])
                g.norms.append(forms[k])
            elif members[k][0] not in linked_docs and not any(members[j][0] == members[k][0] for j in at if j >= len(pick)):
                leftovers.append(members[k])  # not linked to the family: it may start its own
        fams[fi] = g
        changed.add(fi)

    for fi in changed:  # members in article order, as align gives them
        f = fams[fi]
        if any(map(tuple.__gt__, f.members, f.members[1:])):
            order = sorted(range(len(f.members)), key=f.members.__getitem__)
            for name in ("members", "rows", "shared", "differs", "whole", "norms"):
                col = getattr(f, name)
                setattr(f, name, [col[k] for k in order])
    if leftovers:
        # with the old sentences in no family that share a run of words with one of them
        n_left = len(leftovers)
        olds = singles()
        finder = _ShingleFinder({norm(*w): (k, 0) for k, w in enumerate(olds)}, stock=False)
        near = {k for w in leftovers for k in finder.all(norm(*w))}
        pool = leftovers + [olds[k] for k in sorted(near)]
    if leftovers and len({p for p, _ in pool}) > 1:
        COUNTERS["pooled"] += 1
        for d in align([AlignInput(k, p, *item(p, sj)) for k, (p, sj) in enumerate(pool)]):
            if min(d.members) < n_left:  # (families of old sentences only were there before)
                changed.add(len(fams))
                fams.append(Fam.drafted(d, pool, [norm(*w) for w in pool]))
    order = sorted(range(len(fams)), key=lambda fi: (-len(fams[fi].members), fams[fi].members))
    at = {fi: k for k, fi in enumerate(order)}
    return [fams[fi] for fi in order], {at[fi] for fi in changed}


def _join_directly(
    f: Fam,
    js: list[Where],
    item: Callable[[int, int], Item],
    norm: Callable[[int, int], str],
    leftovers: list[Where],
    recorded: Callable[[int], tuple[tuple[Span, ...], tuple[Span, ...]]],
) -> Fam | None:
    """``f`` with the sentences ``js`` that join it, decided as ``align`` decides them once the
    family's variants are one group, without aligning the family again: a sentence joins when it
    links to one of the variants, fits the core (the variant most articles carry) and every
    variant fits it (the merge guard); the family's kind and score take in its links; its words
    are marked against every variant, and each variant carried by one article gains the words
    it shares with it.  The others go to ``leftovers``.  None (align the family again) when this
    is not that simple case: a sentence that is not a new variant of its own, two of them from
    one article, more variants than ``_family_kind`` compares pair by pair, or words that are
    not plain ASCII."""
    forms = f.norms
    counts = Counter(forms)
    new_forms = [norm(*w) for w in js]
    if (
        len(counts) + len(js) > 30
        or len(set(new_forms)) < len(js)
        or not counts.keys().isdisjoint(new_forms)
        or len({p for p, _ in js}) < len(js)
        or not all(n.isascii() for n in (*counts, *new_forms))
    ):
        return None
    firsts: dict[str, int] = {}  # a variant -> its member whose text align decides on
    marks: dict[str, int] = {}
    for k, n in enumerate(forms):
        if n not in firsts:
            firsts[n] = k
            if counts[n] > 1:
                marks[n] = _quote_marks(item(*f.members[k])[0])
        elif counts[n] > 1:
            m = _quote_marks(item(*f.members[k])[0])
            if m > marks[n]:
                marks[n], firsts[n] = m, k
    codes = _Codes()
    rank = {n: r for r, n in enumerate(sorted(set(forms) | set(new_forms), key=lambda n: tuple(n.split(" "))))}
    # (a member's normalized form is its words joined by spaces: no sentence is tokenized twice)
    preps = {n: _prep(item(*f.members[k])[0], n.split(" "), codes=codes) for n, k in firsts.items()}
    weight = {n: (counts[n], len(preps[n].norms), -rank[n]) for n in counts}
    core = max(counts, key=weight.__getitem__)

    def link(a: str, b: str):
        x, y = (a, b) if rank[a] < rank[b] else (b, a)
        return _decide(preps[x], preps[y])

    def fits(a: str, c: str) -> bool:
        if link(a, c):
            return True
        ca, cc = preps[a].codes, preps[c].codes
        short = min(len(ca), len(cc))
        return short >= CONTAIN_MIN_WORDS and Indel.similarity(ca, cc) >= 2 * OVERLAP_SHARE * short

    g = Fam(f.kind, f.score, list(f.members), list(f.rows), list(f.shared), list(f.differs), list(f.whole), list(f.norms))
    kinds = {"verbatim": 0, "edited": 1, "quote": 2}
    for (p, sj), n in zip(js, new_forms):
        text, off, _ = item(p, sj)
        preps[n] = _prep(text, n.split(" "), codes=codes)
        variants = list(weight)
        links = [r for v in variants if (r := link(n, v)) is not None]
        guard = sorted(variants, key=weight.__getitem__, reverse=True)[:GUARD_MAX]
        if not links or not fits(n, core) or not all(fits(v, n) for v in guard):
            leftovers.append((p, sj))
            continue
        g.kind = max([g.kind, *(k for k, _ in links)], key=kinds.__getitem__)
        g.score = round(float(min(g.score, *(sc for _, sc in links))), 1)  # (as align rounds it)
        # its words shared with the variants; and what each variant of one article shares with it
        mine = preps[n]
        ws = _words(text, n.split(" "))
        flags = _flags(mine.codes, [preps[v].codes for v in variants], False)
        if len(flags) != len(ws.starts):
            return None  # (a text that tokenizes apart from its words: align marks it otherwise)
        shared, differs = _runs(list(zip(ws.starts, ws.ends)), flags, off)
        for k, v in enumerate(g.norms):
            if counts.get(v) != 1 or g.whole[k]:
                continue
            gain = _flags(preps[v].codes, [mine.codes], False)
            if True not in gain:
                continue
            vtext, voff, _ = item(*g.members[k])
            vws = _words(vtext, v.split(" "))
            spans = [(a + voff, b + voff) for a, b in zip(vws.starts, vws.ends)]
            if len(spans) != len(gain):
                return None
            runs = g.shared[k] if g.rows[k] < 0 else recorded(g.rows[k])[0]
            had = [any(a <= x and y <= b for a, b in runs) for x, y in spans]
            now = [h or e for h, e in zip(had, gain)]
            g.rows[k] = -1
            g.shared[k], g.differs[k] = _runs(spans, now)
            g.whole[k] = False not in now
        g.members.append((p, sj))
        g.rows.append(-1)
        g.shared.append(shared)
        g.differs.append(differs)
        g.whole.append(not differs)
        g.norms.append(n)
        counts[n] = 1
        weight[n] = (1, len(mine.norms), -rank[n])
        core = max(counts, key=weight.__getitem__)
    return g


def _sample(f: Fam, item: Callable[[int, int], Item]) -> list[int]:
    """Members of ``f`` that stand for it in a new alignment with the sentences joining it: each
    variant (normalized form) in fewer copies, the order of the variants by how many articles
    carry them kept (``align`` takes the most carried one as the family's core) and a variant
    carried twice still carried twice (then wholly shared).  Each variant's copies are its
    first ones, and its copy with the most quotation marks (the copy ``align`` decides on)."""
    copies: dict[str, list[int]] = {}
    for k, n in enumerate(f.norms):
        copies.setdefault(n, []).append(k)
    counts = sorted({len(ks) for ks in copies.values()})
    cap: dict[int, int] = {}
    prev = 0
    for c in counts:
        cap[c] = prev = min(c, max(prev + 1, 2)) if prev else min(c, 2)
    pick: list[int] = []
    for ks in copies.values():
        take = ks[: cap[len(ks)]]
        if len(ks) > len(take):
            first: dict[str, int] = {}  # each distinct text -> its first copy
            for k in ks:
                first.setdefault(item(*f.members[k])[0], k)
            if len(first) > 1:
                best = first[max(first, key=_quote_marks)]  # (max keeps the first of equals)
                if best not in take:
                    take[-1] = best
        pick.extend(take)
    return sorted(pick)


class _ShingleFinder:
    """The family whose members share the most runs of ``SHINGLE`` words with a sentence (the
    candidate rule of ``align``; with ``stock``, runs found in more than ``SHINGLE_MAX_POSTINGS``
    of the members' distinct sentences are stock phrases and do not count)."""

    def __init__(self, norm_at: dict[str, tuple[int, int]], stock: bool = True):
        self.fam = [fi for fi, _ in norm_at.values()]
        self.cap = SHINGLE_MAX_POSTINGS if stock else len(norm_at)
        # every distinct member sentence, space-framed, in one string: a run is found by str.find
        parts = [f" {n} " for n in norm_at]
        self.starts = list(accumulate(map(len, parts), initial=0))
        self.text = "".join(parts)

    def _votes(self, n: str) -> Counter[int]:
        votes: Counter[int] = Counter()
        ws = n.split(" ")
        if len(ws) < MIN_WORDS:
            return votes  # too short to join a family (align's rule)
        text, starts, fam, cap = self.text, self.starts, self.fam, self.cap
        for g in {" ".join(ws[i : i + SHINGLE]) for i in range(len(ws) - SHINGLE + 1)}:
            g = f" {g} "
            # its sentences, in one pass: found more than ``cap`` times (``str.count``'s
            # occurrences, which do not overlap), it is a stock phrase and does not count
            hits: set[int] = set()
            found = 0
            step = len(g)
            at = text.find(g)
            while at >= 0:
                found += 1
                if found > cap:
                    break
                hits.add(bisect_right(starts, at) - 1)
                at = text.find(g, at + step)
            if hits and found <= cap:
                votes.update({fam[s] for s in hits})
        return votes

    def best(self, n: str) -> int:
        """The family sharing the most runs with ``n`` (the first of equals), or -1."""
        return min(self._votes(n).items(), key=lambda kv: (-kv[1], kv[0]), default=(-1, 0))[0]

    def all(self, n: str) -> list[int]:
        """Every family sharing a run with ``n``."""
        return list(self._votes(n))


def _whole(it: Item) -> Span | None:
    """The span of a sentence's words, first to last, when they are its normalized form's
    words one for one (else None: ``align`` marks such a copy word by word)."""
    text, off, n = it
    ms = list(_WORD_RE.finditer(text))
    if not ms or len(ms) != n.count(" ") + 1:
        return None
    return (ms[0].start() + off, ms[-1].end() + off)


__all__ = ["COUNTERS", "GROW_FRACTION", "GROW_MIN", "Fam", "Span", "extend_families"]
