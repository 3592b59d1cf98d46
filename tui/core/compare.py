"""Side-by-side alignment of two articles, sentence by sentence (pure; no textual, no rich).

``side_by_side(analysis, left_id, right_id)`` lays the sentences of two articles out in rows,
the way a good side-by-side diff of prose would:

* two sentences of the same family sit on the same row (a *matched* row, with word-level
  diff operations between them);
* the matched pairs that keep their relative order are found with a longest increasing
  subsequence over the right article's positions (taken in the left article's order); every
  other matched pair is *moved*: it is shown at the left article's position and marked;
* a sentence with no counterpart faces blank space (``None`` on the other side);
* every sentence of both articles appears exactly once, boilerplate included (the view dims it).

Matches come from the analysis' families only: this module never decides that two sentences
match, it only arranges what the analysis already says.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from .align import word_diff
from .model import Analysis, Article, Sentence

Span = tuple[int, int]
#: One word-level operation: tag ("equal" | "replace" | "insert" | "delete"), then absolute
#: character spans into the left article's raw text and into the right article's raw text.
DiffOp = tuple[str, Span, Span]


@dataclass(frozen=True, slots=True)
class Row:
    """One row of the side-by-side view."""

    left: str | None  # sentence id in the left article, or None (blank space)
    right: str | None  # sentence id in the right article, or None
    moved: bool = False  # a matched pair out of the left article's order
    kind: str | None = None  # the family kind for matched rows ("verbatim" | "edited" | "quote")
    family: str | None = None  # the family id for matched rows
    ops: tuple[DiffOp, ...] = ()  # word-level diff of a matched row (absolute spans)

    @property
    def matched(self) -> bool:
        return self.left is not None and self.right is not None

    @property
    def changed(self) -> bool:
        """True when a matched row's words differ (beyond case and punctuation)."""
        return any(tag != "equal" for tag, _, _ in self.ops)

    @property
    def is_difference(self) -> bool:
        """Anything a reader comparing the two articles would stop at."""
        return not self.matched or self.moved or self.changed


@dataclass(frozen=True, slots=True)
class Summary:
    matched: int  # rows with both sides
    moved: int  # of which out of order
    changed: int  # of which with differing words
    left_only: int
    right_only: int


def side_by_side(analysis: Analysis, left_id: str, right_id: str) -> list[Row]:
    """Rows aligning article ``left_id`` with article ``right_id``."""
    left = analysis.article(left_id)
    right = analysis.article(right_id)
    pairs = _pairs(analysis, left, right)  # (left index, right index), sorted by left index
    keep = _in_order(pairs, [len(left.sentences[li].text) for li, _ in pairs])

    partner_of_left = {li: ri for li, ri in pairs}
    paired_right = {ri for _, ri in pairs}
    in_order_left = {pairs[k][0] for k in keep}

    rows: list[Row] = []
    ri = 0  # next right sentence not yet placed
    nr = len(right.sentences)

    def flush_right(until: int) -> None:
        """Place the right article's unpaired sentences before right index ``until``."""
        nonlocal ri
        while ri < until:
            if ri not in paired_right:
                rows.append(Row(None, right.sentences[ri].id))
            ri += 1

    pending_left: list[Row] = []  # left-side rows waiting for the next in-order anchor
    for li, s in enumerate(left.sentences):
        if li in in_order_left:
            # Rows between two anchors: the left side's first, then the right side's.
            rows.extend(pending_left)
            pending_left = []
            flush_right(partner_of_left[li])
            rows.append(_matched(analysis, s, right.sentences[partner_of_left[li]], moved=False))
            ri = partner_of_left[li] + 1
        elif li in partner_of_left:
            pending_left.append(
                _matched(analysis, s, right.sentences[partner_of_left[li]], moved=True)
            )
        else:
            pending_left.append(Row(s.id, None))
    rows.extend(pending_left)
    flush_right(nr)
    return rows


def summarize(rows: Sequence[Row]) -> Summary:
    return Summary(
        matched=sum(r.matched for r in rows),
        moved=sum(r.moved for r in rows),
        changed=sum(r.matched and r.changed for r in rows),
        left_only=sum(r.left is not None and r.right is None for r in rows),
        right_only=sum(r.left is None and r.right is not None for r in rows),
    )


def hunks(rows: Sequence[Row]) -> list[int]:
    """Indices of the rows that start a run of differences (targets for next/previous)."""
    out: list[int] = []
    prev: Row | None = None
    for i, r in enumerate(rows):
        if r.is_difference and not (prev is not None and prev.is_difference and _same_run(prev, r)):
            out.append(i)
        prev = r
    return out


def _same_run(a: Row, b: Row) -> bool:
    """Consecutive difference rows of one sort belong to the same hunk (a block of
    sentences only one side has, or a run of edits); a change of sort starts a new one."""
    return _sort(a) == _sort(b)


def _sort(r: Row) -> str:
    if not r.matched:
        return "gap"
    if r.moved:
        return "moved"
    return "changed"


def _matched(analysis: Analysis, a: Sentence, b: Sentence, *, moved: bool) -> Row:
    fam = analysis.family_of(a)
    ops = tuple(
        (tag, (a.start + sa[0], a.start + sa[1]), (b.start + sb[0], b.start + sb[1]))
        for tag, sa, sb in word_diff(a.text, b.text)
    )
    return Row(a.id, b.id, moved, fam.kind if fam else None, fam.id if fam else None, ops)


def _pairs(analysis: Analysis, left: Article, right: Article) -> list[tuple[int, int]]:
    """One-to-one pairs of sentences sharing a family, sorted by left index.

    A family normally holds one sentence per article, but it can hold several of one article
    (two near-copies of a sentence); then the most similar sentences are paired first, ties
    broken by position, and the rest stay unpaired.
    """
    known = analysis.family_by_id
    by_family_right: dict[str, list[Sentence]] = defaultdict(list)
    for s in right.sentences:
        if s.family is not None and s.family in known:
            by_family_right[s.family].append(s)
    by_family_left: dict[str, list[Sentence]] = defaultdict(list)
    for s in left.sentences:
        if s.family is not None and s.family in by_family_right:
            by_family_left[s.family].append(s)

    pairs: list[tuple[int, int]] = []
    for fid, lefts in by_family_left.items():
        rights = by_family_right[fid]
        if len(lefts) == 1 and len(rights) == 1:
            pairs.append((lefts[0].index, rights[0].index))
            continue
        cands = []
        for a in lefts:
            for b in rights:
                cands.append(
                    (-_similarity(a.text, b.text), abs(a.index - b.index), a.index, b.index)
                )
        cands.sort()
        used_l: set[int] = set()
        used_r: set[int] = set()
        for _, _, la, rb in cands:
            if la in used_l or rb in used_r:
                continue
            used_l.add(la)
            used_r.add(rb)
            pairs.append((la, rb))
    pairs.sort()
    return pairs


def _similarity(a: str, b: str) -> float:
    from rapidfuzz import fuzz

    return fuzz.ratio(a.casefold(), b.casefold())


def _in_order(pairs: Sequence[tuple[int, int]], weights: Sequence[int]) -> list[int]:
    """Indices into ``pairs`` (sorted by left index) of a longest run whose right indices
    increase: the most pairs kept in order, and among equally many, the most text.

    Right indices are distinct, so this is a longest strictly increasing subsequence, found
    in O(n log n) with a Fenwick tree of prefix maxima over right positions. The tie-break by
    weight keeps a long paragraph in place and calls the short one moved.
    """
    n = len(pairs)
    if n == 0:
        return []
    size = max(r for _, r in pairs) + 1
    tree: list[tuple[int, int, int]] = [(0, 0, -1)] * (size + 1)  # (count, weight, pair index)
    back = [-1] * n
    best: tuple[int, int, int] = (0, 0, -1)
    for k, (_, r) in enumerate(pairs):
        # Best chain ending at a right position < r.
        prev = (0, 0, -1)
        i = r  # Fenwick positions are 1-based: position r+1 holds right index r
        while i > 0:
            prev = max(prev, tree[i])
            i -= i & -i
        back[k] = prev[2]
        mine = (prev[0] + 1, prev[1] + weights[k], k)
        best = max(best, mine)
        i = r + 1
        while i <= size:
            tree[i] = max(tree[i], mine)
            i += i & -i
    out = []
    k = best[2]
    while k != -1:
        out.append(k)
        k = back[k]
    return out[::-1]


__all__ = ["DiffOp", "Row", "Summary", "hunks", "side_by_side", "summarize"]
