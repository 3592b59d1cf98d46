"""The approaches a user would write instead of wirediff, on the same files.

Both peers are *given the gold stories* (they do no clustering of their own), read the
files themselves (cold), split sentences with a regex keeping offsets, and label as
boilerplate any sentence whose normalised text occurs in articles of two or more stories
(the usual "repeated across documents" rule).

- ``difflib``: all pairs of sentences of different articles within each gold story,
  ``difflib.SequenceMatcher.ratio() >= 0.8`` links them; families are the connected
  components.  At large sizes it runs stories in a seeded random order until its time
  budget is spent and extrapolates the time to all pairs (it says so).
- ``minhash``: datasketch MinHash-LSH over word 3-shingles of every sentence of the corpus
  (no blocking by story needed), candidates verified with ``rapidfuzz.fuzz.ratio >= 80``
  on the normalised text; families are the connected components.
"""

from __future__ import annotations

import difflib
import random
import re
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .measure import Prediction

_LINE_RE = re.compile(r"[^\r\n]+")
_SPLIT_RE = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"“‘(]?[A-Z0-9])")
_WORD_RE = re.compile(r"\w+")

DIFFLIB_MIN = 0.8
MINHASH_THRESHOLD = 0.5
MINHASH_PERM = 128
VERIFY_MIN = 80.0


@dataclass
class Doc:
    name: str
    story: str
    spans: list[tuple[int, int]]
    texts: list[str]
    norms: list[str]


@dataclass
class PeerResult:
    predictions: dict[str, Prediction]
    seconds: float  # measured, or extrapolated when ``extrapolated``
    extrapolated: bool = False
    note: str = ""
    sampled: set[str] = field(default_factory=set)


def split_sentences(text: str) -> list[tuple[int, int]]:
    out = []
    for m in _LINE_RE.finditer(text):
        start = m.start()
        for cut in _SPLIT_RE.finditer(m.group()):
            out.append((start, m.start() + cut.start() + len(cut.group().rstrip())))
            start = m.start() + cut.end()
        out.append((start, m.end()))
    return [(a, b) for a, b in ((_strip(text, a, b)) for a, b in out) if b > a]


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def read_docs(folder: Path, stories: Mapping[str, str]) -> list[Doc]:
    docs = []
    for p in sorted(folder.glob("*.txt")):
        text = p.read_text(encoding="utf-8")
        spans = split_sentences(text)
        texts = [text[a:b] for a, b in spans]
        norms = [" ".join(_WORD_RE.findall(t.lower())) for t in texts]
        docs.append(Doc(p.name, stories[p.name], spans, texts, norms))
    return docs


def _repeated_across_stories(docs: Sequence[Doc]) -> set[str]:
    where: dict[str, set[str]] = defaultdict(set)
    for d in docs:
        for n in d.norms:
            where[n].add(d.story)
    return {n for n, s in where.items() if n and len(s) > 1}


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        p = self.parent
        while p[i] != i:
            p[i] = p[p[i]]
            i = p[i]
        return i

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            self.parent[ri] = rj


def _predictions(
    docs: Sequence[Doc], uf: _UnionFind, base: Sequence[int], only: set[str] | None
) -> dict[str, Prediction]:
    repeated = _repeated_across_stories(docs)
    size: dict[int, int] = defaultdict(int)
    for di, d in enumerate(docs):
        for j in range(len(d.spans)):
            size[uf.find(base[di] + j)] += 1
    out = {}
    for di, d in enumerate(docs):
        if only is not None and d.name not in only:
            continue
        sents = []
        for j, (a, b) in enumerate(d.spans):
            root = uf.find(base[di] + j)
            sents.append((a, b, root if size[root] > 1 else None, d.norms[j] in repeated))
        out[d.name] = Prediction(d.story, sents)
    return out


def _bases(docs: Sequence[Doc]) -> list[int]:
    base, n = [], 0
    for d in docs:
        base.append(n)
        n += len(d.spans)
    return base


def run_difflib(
    folder: Path, stories: Mapping[str, str], budget: float = 60.0, seed: int = 0
) -> PeerResult:
    t0 = time.perf_counter()
    docs = read_docs(folder, stories)
    base = _bases(docs)
    uf = _UnionFind(base[-1] + len(docs[-1].spans) if docs else 0)
    by_story: dict[str, list[int]] = defaultdict(list)
    for di, d in enumerate(docs):
        by_story[d.story].append(di)

    def story_pairs(members: list[int]) -> int:
        lens = [len(docs[di].spans) for di in members]
        total = sum(lens)
        return (total * total - sum(x * x for x in lens)) // 2

    order = sorted(by_story)
    random.Random(seed).shuffle(order)
    # The first story is always finished (accuracy needs one): make it the cheapest one
    # with two articles or more; the rest come in seeded random order, skipping those that
    # would not fit in the budget left (so the sample leans to smaller stories).
    multi = [s for s in order if len(by_story[s]) > 1]
    if multi:
        first = min(multi, key=lambda s: story_pairs(by_story[s]))
        order.remove(first)
        order.insert(0, first)
    total_pairs = sum(story_pairs(by_story[s]) for s in order)
    t_read = time.perf_counter() - t0
    done_pairs = 0
    done: set[str] = set()
    t1 = time.perf_counter()
    sm = difflib.SequenceMatcher()
    for s in order:
        members = by_story[s]
        spent = time.perf_counter() - t1
        if done and spent > budget:
            break
        if done and done_pairs and story_pairs(members) > (budget - spent) * done_pairs / spent:
            continue  # would not fit in what is left of the budget: sample another story
        stopped = False
        for x, di in enumerate(members):
            for dj in members[x + 1 :]:
                if done and time.perf_counter() - t1 > budget:
                    stopped = True  # the first story is always finished: accuracy needs one
                    break
                for j, b in enumerate(docs[dj].texts):
                    sm.set_seq2(b)
                    for i, a in enumerate(docs[di].texts):
                        sm.set_seq1(a)
                        if sm.ratio() >= DIFFLIB_MIN:
                            uf.union(base[di] + i, base[dj] + j)
                        done_pairs += 1
            if stopped:
                break
        if stopped:
            break
        done.add(s)
    compare = time.perf_counter() - t1
    names = {docs[di].name for s in done for di in by_story[s]}
    if len(done) < len(order):
        seconds = t_read + compare * total_pairs / max(1, done_pairs)
        note = (
            f"EXTRAPOLATED from {done_pairs:,} of {total_pairs:,} pairs ({compare:.1f}s); "
            f"accuracy on the {len(done)}/{len(order)} stories done ({len(names)} articles)"
        )
        return PeerResult(_predictions(docs, uf, base, names), seconds, True, note, names)
    return PeerResult(
        _predictions(docs, uf, base, None),
        time.perf_counter() - t0,
        False,
        f"{total_pairs:,} pairs",
    )


def run_minhash(folder: Path, stories: Mapping[str, str]) -> PeerResult:
    from datasketch import MinHash, MinHashLSH
    from rapidfuzz import fuzz

    t0 = time.perf_counter()
    docs = read_docs(folder, stories)
    base = _bases(docs)
    owner: list[int] = []
    norms: list[str] = []
    shingles: list[list[bytes]] = []
    for di, d in enumerate(docs):
        for n in d.norms:
            w = n.split()
            grams = {" ".join(w[k : k + 3]) for k in range(max(1, len(w) - 2))} if w else {""}
            shingles.append([g.encode("utf-8") for g in grams])
            owner.append(di)
            norms.append(n)
    hashes = MinHash.bulk(shingles, num_perm=MINHASH_PERM)
    lsh = MinHashLSH(threshold=MINHASH_THRESHOLD, num_perm=MINHASH_PERM)
    with lsh.insertion_session() as session:
        for k, m in enumerate(hashes):
            session.insert(k, m, check_duplication=False)
    uf = _UnionFind(len(norms))
    checked = 0
    for k, m in enumerate(hashes):
        for c in lsh.query(m):
            if c <= k or owner[c] == owner[k]:
                continue
            checked += 1
            if fuzz.ratio(norms[k], norms[c], score_cutoff=VERIFY_MIN):
                uf.union(k, c)
    preds = _predictions(docs, uf, base, None)
    return PeerResult(
        preds, time.perf_counter() - t0, False, f"{checked:,} candidate pairs verified"
    )
