"""Hostile corpora stay bounded (issue 5): the work align does grows linearly, never with the
square of the number of copies or variants.  Work is counted (``tui.core.align.COUNTERS``),
never timed; the full-size runs are in scripts/measure_bounds.py."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tui.core import align as align_mod
from tui.core.align import AlignInput, align
from tui.core.pipeline import analyze_texts

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SENTENCE = "The ministry said the talks would resume on Monday after a short pause in the capital."
BASE = (
    "Officials from both delegations met for several hours at the foreign ministry on Tuesday and agreed "
    "to continue the negotiations over the disputed border crossing next week"
)


def _work(fn) -> dict[str, int]:
    align_mod.COUNTERS.clear()
    fn()
    return dict(align_mod.COUNTERS)


def _chain(m: int) -> list[AlignInput]:
    """``m`` variants of one sentence, one per article, each sharing a rare run of words only
    with its neighbours in the chain, and close enough to every other variant to be edited
    copies of it: the merge would check every variant against every other."""
    tail = [f"w{k}" for k in range(m + 4)]
    out = []
    for i in range(m):
        text = f"{BASE} {' '.join(tail[i : i + 4])}."
        out.append(AlignInput(i, i, text, 0))
    return out


def _near(n: int, seed: int = 0) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    lines = [ln for ln in (SEEDS / "000_2a02b51f223285e3.txt").read_text(encoding="utf-8").splitlines() if ln.strip()]
    vocab = sorted({w for ln in lines for w in ln.split() if w.isalpha()})
    out = []
    for i in range(n):
        copy = list(lines)
        for _ in range(3):
            k = rng.randrange(1, len(copy))
            ws = copy[k].split()
            p = rng.randrange(len(ws))
            if rng.random() < 0.6:
                ws[p] = rng.choice(vocab)
            else:
                ws.insert(p, rng.choice(vocab))
            copy[k] = " ".join(ws)
        out.append((f"n{i:04d}.txt", "\n".join(copy) + "\n"))
    return out


def test_a_sentence_repeated_in_one_article_needs_no_decision():
    for n in (1000, 2000):
        text = "\n".join([SENTENCE] * n) + "\n"
        work = _work(lambda: analyze_texts([("a.txt", text)]))
        assert work.get("decisions", 0) == 0 and work.get("flag_compares", 0) == 0
    a = analyze_texts([("a.txt", text)])
    assert len(a.articles[0].sentences) == 2000 and a.families == ()


def test_a_sentence_repeated_across_two_articles_is_one_family_of_two():
    text = "\n".join([SENTENCE] * 1000) + "\n"
    box = {}
    work = _work(lambda: box.setdefault("a", analyze_texts([("a.txt", text), ("b.txt", text)])))
    a = box["a"]
    assert work.get("decisions", 0) == 0
    assert len(a.families) == 1
    (fam,) = a.families
    assert len(fam.members) == 2 and {a.sentence(m.sentence).article for m in fam.members} == {"a0", "a1"}


def test_a_chain_of_variants_costs_linear_work():
    small = _work(lambda: align(_chain(150)))
    large = _work(lambda: align(_chain(300)))
    assert small["decisions"] > 0
    # twice the variants, about twice the work (a quadratic guard would make it four times)
    assert large["decisions"] <= 2.4 * small["decisions"]
    assert large["flag_compares"] <= 2.4 * small["flag_compares"]
    fams = align(_chain(300))
    assert sum(len(f.members) for f in fams) <= 300
    for f in fams:
        assert len({m for m in f.members}) == len(f.members)


def test_a_short_chain_is_merged_as_before():
    """Below the bounds nothing changes: a chain of a few variants is one family."""
    fams = align(_chain(12))
    assert len(fams) == 1 and len(fams[0].members) == 12 and fams[0].kind == "edited"


@pytest.mark.parametrize("one_story", [False, True])
def test_near_identical_articles_cost_linear_work(one_story):
    small = _work(lambda: analyze_texts(_near(150), one_story=one_story))
    a = analyze_texts(_near(300), one_story=one_story)
    large = _work(lambda: analyze_texts(_near(300), one_story=one_story))
    for key in ("decisions", "flag_compares", "candidates"):
        # twice the articles, at most about twice the work (small counts: one per article)
        assert large.get(key, 0) <= 2.4 * max(small.get(key, 0), 150), key
    # one member per article in every family
    for f in a.families:
        arts = [a.sentence(m.sentence).article for m in f.members]
        assert len(arts) == len(set(arts))
