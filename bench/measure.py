"""Accuracy against the corpus's ground truth, the same way for every tool.

A tool's answer is a ``Prediction`` per article: its story label and its sentences as
``(start, end, family key or None, is boilerplate)``.  Tools segment differently, so
everything is scored on the ground truth's *lines*: a tool sentence belongs to the truth
line holding its start offset; a line's family is that of its longest sentence in a
family; a line is boilerplate when most of its characters are.

- stories: B-cubed precision/recall/F1 over articles;
- families: pairwise precision/recall over pairs of body lines in *different* articles
  (gold: same origin; predicted: same family).  Lines that are boilerplate in the truth
  are left out of this measure (they are scored by the next one);
- boilerplate: precision/recall over lines.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

from .corpus import CorpusArticle


@dataclass
class Prediction:
    story: Hashable | None
    sentences: Sequence[tuple[int, int, Hashable | None, bool]]


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def bcubed(
    gold: Mapping[str, Hashable], pred: Mapping[str, Hashable]
) -> tuple[float, float, float]:
    """B-cubed precision, recall, F1 of ``pred`` clusters against ``gold`` (item → label)."""
    items = list(gold)
    if not items:
        return 1.0, 1.0, 1.0
    plabel = {i: pred.get(i, ("singleton", i)) for i in items}
    cell = Counter((gold[i], plabel[i]) for i in items)
    gsize = Counter(gold[i] for i in items)
    psize = Counter(plabel[i] for i in items)
    p = sum(cell[(gold[i], plabel[i])] / psize[plabel[i]] for i in items) / len(items)
    r = sum(cell[(gold[i], plabel[i])] / gsize[gold[i]] for i in items) / len(items)
    return p, r, _f1(p, r)


def _cross_pairs(per_article: Counter) -> int:
    """Pairs of members in different articles, given members per article."""
    n = sum(per_article.values())
    return (n * (n - 1) - sum(c * (c - 1) for c in per_article.values())) // 2


@dataclass
class Scores:
    articles: int
    cluster_p: float
    cluster_r: float
    cluster_f1: float
    family_p: float
    family_r: float
    gold_pairs: int
    pred_pairs: int
    boiler_p: float
    boiler_r: float

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def score(truth: Mapping[str, CorpusArticle], predictions: Mapping[str, Prediction]) -> Scores:
    """Scores over the articles of ``truth`` that have a prediction (a tool that ran on a
    sample is scored on that sample)."""
    names = [n for n in truth if n in predictions]
    gold_story = {n: truth[n].story for n in names}
    pred_story = {n: predictions[n].story for n in names if predictions[n].story is not None}
    cp, cr, cf = bcubed(gold_story, pred_story)

    gold_groups: dict[str, Counter] = defaultdict(Counter)
    pred_groups: dict[Hashable, Counter] = defaultdict(Counter)
    cells: dict[tuple[str, Hashable], Counter] = defaultdict(Counter)
    b_tp = b_pred = b_gold = 0
    for n in names:
        lines = truth[n].lines
        starts = [ln.start for ln in lines]
        fam_len: list[int] = [0] * len(lines)
        fam: list[Hashable | None] = [None] * len(lines)
        bchars = [0] * len(lines)
        chars = [0] * len(lines)
        for start, end, family, boiler in predictions[n].sentences:
            k = bisect.bisect_right(starts, start) - 1
            if k < 0 or start >= lines[k].end:
                continue  # a header line or blank space: not scored
            size = min(end, lines[k].end) - start
            chars[k] += size
            if boiler:
                bchars[k] += size
            if family is not None and size > fam_len[k]:
                fam_len[k], fam[k] = size, family
        for k, ln in enumerate(lines):
            is_b = chars[k] > 0 and 2 * bchars[k] > chars[k]
            b_pred += is_b
            b_gold += ln.boilerplate is not None
            b_tp += is_b and ln.boilerplate is not None
            if ln.boilerplate is not None or ln.origin is None:
                continue
            gold_groups[ln.origin][n] += 1
            if fam[k] is not None:
                pred_groups[fam[k]][n] += 1
                cells[(ln.origin, fam[k])][n] += 1
    gold_pairs = sum(_cross_pairs(c) for c in gold_groups.values())
    pred_pairs = sum(_cross_pairs(c) for c in pred_groups.values())
    tp = sum(_cross_pairs(c) for c in cells.values())
    return Scores(
        articles=len(names),
        cluster_p=cp,
        cluster_r=cr,
        cluster_f1=cf,
        family_p=tp / pred_pairs if pred_pairs else 0.0,
        family_r=tp / gold_pairs if gold_pairs else 0.0,
        gold_pairs=gold_pairs,
        pred_pairs=pred_pairs,
        boiler_p=b_tp / b_pred if b_pred else 0.0,
        boiler_r=b_tp / b_gold if b_gold else 0.0,
    )
