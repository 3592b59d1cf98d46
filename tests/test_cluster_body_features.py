"""``body_features`` (a document's features from its body sentences, each split once per
process) gives what ``doc_features`` gives for the same words, and the distinct body words."""

from __future__ import annotations

import re
from pathlib import Path

from tui.core import cluster as cl
from tui.core.cluster import ClusterDoc, body_features, doc_features
from tui.core.pipeline import prepare_text

HERE = Path(__file__).parent
ECB = HERE / "fixtures" / "cluster" / "ecbplus"
SEEDS = HERE.parent / "seeds"


def _articles() -> list[tuple[str | None, list[str], list[str]]]:
    """(title, body sentences' norms, salient words) of the ECB+ fixtures and the seeds."""
    files = sorted(f for f in ECB.glob("*.txt") if re.match(r"\d+_\d+ecb(plus)?\.txt$", f.name))
    files += sorted(SEEDS.glob("*.txt"))
    out = []
    for f in files:
        raw = f.read_text(encoding="utf-8")
        header, _flat, labels, norms = prepare_text(raw)[:4]
        roles = [lab[0] if isinstance(lab, tuple) else lab.role for lab in labels]
        body = [n for r, n in zip(roles, norms) if r == "body"]
        salient = [w for s in body for w in s.split() if len(w) > 5][:40]  # any words will do
        out.append((header.title, body, salient))
    return out


def _expected(title, sentences, salient):
    words = " ".join(sentences).split()
    return doc_features(ClusterDoc(title, words, None, salient)), len(set(words))


def test_body_features_are_doc_features_of_the_joined_words():
    arts = _articles()
    assert len(arts) > 10
    for title, body, salient in arts:
        assert body_features(title, body, salient) == _expected(title, body, salient)
    # again, now that every sentence is remembered
    for title, body, salient in arts:
        assert body_features(title, body, salient) == _expected(title, body, salient)


def test_body_features_of_odd_sentences():
    cases = [
        (None, [], []),
        ("", ["", " ", "a"], ["a"]),
        ("Title Words Here", ["one  two\tthree", "two two", " lead and trail "], ["two", "absent"]),
        ("Solo", ["x"], ["x", "x", "x"]),  # salient counts may pass the body counts
        ("Über Straße", ["über straße naïve", "naïve"], ["über"]),
    ]
    for title, body, salient in cases:
        assert body_features(title, body, salient) == _expected(title, body, salient)


def test_sentence_memo_stays_bounded_and_gives_the_same(monkeypatch):
    monkeypatch.setattr(cl, "_SENTENCE_MEMO_MAX", 5)
    monkeypatch.setattr(cl, "_KEY_MEMO_MAX", 7)
    monkeypatch.setattr(cl, "_SENTENCE_WORDS", {})
    monkeypatch.setattr(cl, "_WORD_OBJECTS", {})
    monkeypatch.setattr(cl, "_KEY_MEMO", {})
    arts = _articles()[:12]
    for title, body, salient in arts + arts:
        assert body_features(title, body, salient) == _expected(title, body, salient)
        assert len(cl._SENTENCE_WORDS) <= 5
        assert len(cl._WORD_OBJECTS) <= 7 + max((len(s.split()) for s in body), default=0)
