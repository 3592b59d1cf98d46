"""Story clustering (first crude version; to be replaced keeping the interface)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ClusterDoc:
    title: str | None
    words: Sequence[str]  # matching forms of the article's body words (boilerplate excluded)
    published: str | None = None  # ISO date when known


def cluster(docs: Sequence[ClusterDoc]) -> list[list[int]]:
    """Group documents into stories; returns lists of document indexes, each sorted."""
    n = len(docs)
    df: Counter[str] = Counter()
    for d in docs:
        df.update(set(d.words))
    vecs = []
    for d in docs:
        tf = Counter(d.words)
        v = {w: c * math.log((n + 1) / (df[w] + 0.5)) for w, c in tf.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vecs.append({w: x / norm for w, x in v.items()})
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(n):
        for j in range(i + 1, n):
            a, b = vecs[i], vecs[j]
            if len(a) > len(b):
                a, b = b, a
            if sum(x * b.get(w, 0.0) for w, x in a.items()) >= 0.3:
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values())
