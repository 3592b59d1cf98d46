"""The shortcuts of align's pairwise decision give what the plain path gives.

A story's sentences are prepared from counts made once per distinct word (``_word_counts``,
``_prep_plain``) and decided with scores computed for all pairs at once; each sentence alone
(``_prep``) and each pair alone (``_decide`` computing its own scores) must decide the same.
"""

from __future__ import annotations

import random
from pathlib import Path

from rapidfuzz import fuzz
from rapidfuzz.distance import LCSseq

from tui.core import align as A
from tui.core.text import segment, words

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _sentences(limit: int = 60) -> list[str]:
    out: list[str] = []
    for f in sorted(SEEDS.iterdir())[:12]:
        raw = f.read_text(encoding="utf-8", errors="replace")
        for s in segment(raw):
            t = raw[s.start : s.end]
            if len(words(t)) >= 8 and len(t.split()) >= 8:
                out.append(t)
    return out[:limit]


def _variants(text: str, rng: random.Random) -> list[str]:
    """Edits a copy desk makes: trims, a swapped word, a figure, a negation, quotation marks."""
    ws = text.split()
    n = len(ws)
    k = rng.randrange(1, n - 1)
    return [
        " ".join(ws[: n - 3]),  # trimmed end
        " ".join(ws[2:]),  # trimmed start
        " ".join(ws[:k] + ["Berlin"] + ws[k + 1 :]),  # a name in place of a word
        " ".join(ws[:k] + ["17"] + ws[k + 1 :]),  # a figure in place of a word
        " ".join(ws[:k] + ["not"] + ws[k:]),  # a negation added
        " ".join(ws[:k] + ["eight", "per", "cent"] + ws[k:]),  # number words
        '"' + " ".join(ws[: n // 2]) + '," he said, ' + " ".join(ws[n // 2 :]),  # quoted
        " ".join(ws[:k] + ws[k + 1 :] + ["in", "Paris", "on", "Monday"]),  # dropped + added
        text.upper(),
    ]


def _story(rng: random.Random) -> list[str]:
    texts = []
    for t in _sentences():
        texts.append(t)
        texts.extend(rng.sample(_variants(t, rng), 4))
    return list(dict.fromkeys(texts))


def _counted(texts):
    """A story's texts as align prepares them in bulk: codes, norms, coded words, per-word
    counts with each text's offset, and the word batch."""
    codes = A._Codes()
    norms = [tuple(words(t)) for t in texts]
    coded = codes.code_many(norms)
    counted = A._word_counts(codes, coded)
    assert counted is not None
    counts, offs = counted
    return codes, norms, coded, counts, offs, A._WordBatch(texts, norms)


def test_counted_preparations_equal_the_plain_ones():
    rng = random.Random(11)
    texts = _story(rng)
    assert len(texts) > 100
    codes, norms, coded, counts, offs, batch = _counted(texts)
    plain_seen = 0
    for k, t in enumerate(texts):
        alone = A._prep(t, norms[k], codes=A._Codes())
        plain = batch.plain(k)
        if plain is not None:
            plain_seen += 1
            got = A._prep_plain(t, norms[k], *plain, coded[k], " ".join(norms[k]), counts, offs[k])
        else:
            ws = batch.words(k)
            if tuple(ws.norms) != norms[k]:
                continue  # (a rewritten number: prepared alone in align too)
            got = A._prep(t, codes=codes, ws=ws, coded=coded[k], joined=" ".join(norms[k]), counts=counts, off=offs[k])
        n = len(got.codes)
        assert n == len(alone.codes)
        assert (got.negations, got.n_stops, got.n_digits) == (alone.negations, alone.n_stops, alone.n_digits), t
        assert [got.stops[got.off + i] - got.stops[got.off] for i in range(n + 1)] == alone.stops, t
        if alone.digits is None:
            assert got.digits is None, t
        else:
            assert got.digits is not None
            assert [got.digits[got.off + i] - got.digits[got.off] for i in range(n + 1)] == alone.digits, t
        assert (got.quoted, got.any_quoted, list(got.caps), list(got.norms)) == (
            alone.quoted,
            alone.any_quoted,
            list(alone.caps),
            list(alone.norms),
        ), t
    assert plain_seen > len(texts) // 2


def test_decisions_on_counted_preparations_with_given_scores_equal_the_plain_ones():
    rng = random.Random(12)
    texts = _story(rng)
    _codes, norms, coded, counts, offs, batch = _counted(texts)
    fast, alone = [], []
    shared_codes = A._Codes()
    for k, t in enumerate(texts):
        plain = batch.plain(k)
        if plain is None:
            continue
        fast.append(A._prep_plain(t, norms[k], *plain, coded[k], " ".join(norms[k]), counts, offs[k]))
        alone.append(A._prep(t, norms[k], codes=shared_codes))
    kinds = set()
    for i in range(len(fast)):
        for j in range(i + 1, min(len(fast), i + 12)):  # (a sentence and its neighbours: its variants)
            a, b = fast[i], fast[j]
            given = A._decide(a, b, fuzz.ratio(a.joined, b.joined), LCSseq.similarity(a.codes, b.codes))
            plain = A._decide(alone[i], alone[j])
            assert given == A._decide(a, b) == plain, (a.text, b.text)
            kinds.add(plain[0] if plain else None)
    assert {"edited", None} <= kinds  # (both outcomes exercised)


def test_align_families_do_not_depend_on_the_story_size_path():
    """Below 16 decided pairs align decides pair by pair; above, with scores computed for all
    pairs at once: a story and the same story padded with unrelated sentences share their
    families."""
    rng = random.Random(13)
    base = _sentences(6)
    texts = []
    for t in base:
        texts.append(t)
        texts.extend(_variants(t, rng)[:2])
    small = [A.AlignInput(k, k % 5, t, 0) for k, t in enumerate(texts)]
    filler = [f"Unrelated sentence number {k} about topic {k * 7} has its own words {k * 13}." for k in range(400)]
    big = small + [A.AlignInput(len(small) + k, 5 + k % 7, t, 0) for k, t in enumerate(filler)]
    fam_small = A.align(small)
    fam_big = [f for f in A.align(big) if max(f.members) < len(small)]
    assert fam_small and fam_small == fam_big
