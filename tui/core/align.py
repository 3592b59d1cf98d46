"""Sentence families across the articles of a story (first crude version; to be replaced
keeping the interface)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from .text import Token, tokens

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class AlignInput:
    key: int  # the caller's id for the sentence
    doc: int  # the article it belongs to; members of a family come from different docs
    text: str  # the sentence text as in the raw article
    offset: int  # absolute offset of ``text`` in the article's raw text


@dataclass(frozen=True, slots=True)
class FamilyDraft:
    kind: str  # "verbatim" | "edited" | "quote"
    members: tuple[int, ...]  # keys
    shared: tuple[tuple[Span, ...], ...]  # per member (same order): absolute shared spans
    differs: tuple[tuple[Span, ...], ...]  # per member: absolute spans of words in no other member
    score: float  # weakest accepted link, 0..100


EDITED_MIN = 85.0


def match(a: str, b: str) -> str | None:
    """Pairwise decision: "verbatim", "edited", "quote" or None."""
    ta, tb = [t.norm for t in tokens(a)], [t.norm for t in tokens(b)]
    if not ta or not tb:
        return None
    if ta == tb:
        return "verbatim"
    if fuzz.ratio(" ".join(ta), " ".join(tb)) >= EDITED_MIN and min(len(ta), len(tb)) >= 5:
        return "edited"
    return None


def word_diff(a: str, b: str) -> list[tuple[str, Span, Span]]:
    """Word-level opcodes between two texts, as character spans into each text."""
    ta, tb = tokens(a), tokens(b)
    ops = Indel.opcodes([t.norm for t in ta], [t.norm for t in tb])
    out = []
    for op in ops:
        sa = _span(ta, op.src_start, op.src_end, len(a))
        sb = _span(tb, op.dest_start, op.dest_end, len(b))
        out.append((op.tag, sa, sb))
    return out


def _span(toks: list[Token], i: int, j: int, n: int) -> Span:
    if i >= j:
        pos = toks[i].start if i < len(toks) else n
        return (pos, pos)
    return (toks[i].start, toks[j - 1].end)


def align(sentences: Sequence[AlignInput]) -> list[FamilyDraft]:
    items = list(sentences)
    parent = list(range(len(items)))
    kinds: dict[int, str] = {}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            if items[i].doc == items[j].doc:
                continue
            k = match(items[i].text, items[j].text)
            if k:
                ri, rj = find(i), find(j)
                parent[ri] = rj
                kinds[rj] = _merge_kind(kinds.get(ri), kinds.get(rj), k)
    groups: dict[int, list[int]] = {}
    for i in range(len(items)):
        groups.setdefault(find(i), []).append(i)
    out = []
    for root, idx in groups.items():
        if len(idx) < 2:
            continue
        shared, differs = [], []
        for i in idx:
            a = items[i]
            ta = tokens(a.text, a.offset)
            matched = [False] * len(ta)
            for j in idx:
                if items[j].doc == a.doc:
                    continue
                tb = [t.norm for t in tokens(items[j].text)]
                for op in Indel.opcodes([t.norm for t in ta], tb):
                    if op.tag == "equal":
                        for p in range(op.src_start, op.src_end):
                            matched[p] = True
            shared.append(_runs(ta, matched, True))
            differs.append(_runs(ta, matched, False))
        out.append(
            FamilyDraft(
                kinds.get(root, "edited"),
                tuple(items[i].key for i in idx),
                tuple(shared),
                tuple(differs),
                100.0,
            )
        )
    return out


def _merge_kind(a: str | None, b: str | None, new: str) -> str:
    order = {"verbatim": 0, "edited": 1, "quote": 2}
    return max((k for k in (a, b, new) if k), key=order.__getitem__)


def _runs(toks: list[Token], flags: list[bool], want: bool) -> tuple[Span, ...]:
    out: list[Span] = []
    prev = False
    for t, f in zip(toks, flags):
        if f == want and prev:
            out[-1] = (out[-1][0], t.end)  # a run swallows the punctuation between its words
        elif f == want:
            out.append((t.start, t.end))
        prev = f == want
    return tuple(out)
