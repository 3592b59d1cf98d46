"""Per-document features (``doc_features``, made where an article is prepared) give the same
stories and story index as the documents' words, whatever mix of the two a folder holds."""

from __future__ import annotations

import dataclasses
import pickle
import random
import re
import zlib
from itertools import count
from pathlib import Path

import numpy as np

from tui.core import cluster as cl
from tui.core.cluster import ClusterDoc, cluster, doc_features
from tui.core.increment import build_index, extend, update_index
from tui.core.pipeline import prepare_text

HERE = Path(__file__).parent
ECB = HERE / "fixtures" / "cluster" / "ecbplus"
SEEDS = HERE.parent / "seeds"


def _doc(raw: str) -> ClusterDoc:
    """A document as the pipeline builds it: body norms as one text."""
    header, _flat, labels, norms, salient = prepare_text(raw)[:5]
    body = " ".join(n for lab, n in zip(labels, norms) if lab.role == "body")
    return ClusterDoc(header.title, (), header.published, salient, text=body)


def _folder() -> list[ClusterDoc]:
    files = sorted(f for f in ECB.glob("*.txt") if re.match(r"\d+_\d+ecb(plus)?\.txt$", f.name))
    files += sorted(SEEDS.glob("*.txt"))
    return [_doc(f.read_text(encoding="utf-8")) for f in files]


def _with_features(docs: list[ClusterDoc]) -> list[ClusterDoc]:
    """The documents as a worker would send them: features only (a pickle round trip)."""
    feats = pickle.loads(pickle.dumps([doc_features(d) for d in docs]))
    return [ClusterDoc(d.title, (), d.published, (), features=f) for d, f in zip(docs, feats)]


def _index_fields(index) -> dict:
    return {
        f.name: (getattr(index, f.name).tolist() if isinstance(getattr(index, f.name), np.ndarray) else getattr(index, f.name))
        for f in dataclasses.fields(index)
        if not f.name.startswith("_")
    }


def test_features_give_the_same_stories_as_words():
    docs = _folder()
    plain = cluster(docs)
    assert len(plain) > 3  # several stories: the comparison means something
    assert cluster(_with_features(docs)) == plain
    # a folder where only some documents come with features
    feat = _with_features(docs)
    mixed = [feat[i] if i % 3 else d for i, d in enumerate(docs)]
    assert cluster(mixed) == plain


def test_features_give_the_same_vectors_in_any_input_order():
    docs = _folder()
    rng = random.Random(5)
    order = list(range(len(docs)))
    rng.shuffle(order)
    docs = [docs[i] for i in order]
    a = cl._vectors(docs)
    b = cl._vectors(_with_features(docs))
    for x, y in zip(a, b):
        assert x.dtype == y.dtype
        assert np.array_equal(x, y)


def test_features_give_the_same_story_index_and_extension():
    docs = _folder()
    feat = _with_features(docs)
    k = len(docs) * 4 // 5
    groups = cluster(docs[:k])
    a, b = build_index(docs[:k], groups), build_index(feat[:k], groups)
    assert _index_fields(a) == _index_fields(b)
    ext = extend(a, groups, docs[k:])
    assert extend(b, groups, feat[k:]) == ext
    assert _index_fields(update_index(a, docs[k:], ext)) == _index_fields(update_index(b, feat[k:], ext))


def test_feature_words_survive_empty_words_and_spaces():
    docs = [
        ClusterDoc("A quake in Chile", ["quake", "", "new york", "quake", "chile"], "2020-01-02", ["chile"]),
        ClusterDoc(None, ["chile", "quake", "", "new york"], None),
        ClusterDoc(None, [""]),
        ClusterDoc(None, []),
    ]
    plain = cl._entries(docs)
    feat = cl._entries(_with_features(docs))
    assert feat.words() == plain.words()
    assert "new york" in feat.words() and "" in feat.words()
    assert _rows(feat) == _rows(plain)
    for name in ("useful", "term_key"):
        assert np.array_equal(getattr(feat, name), getattr(plain, name)), name


def _rows(e) -> list[tuple]:
    """The entries as (doc, term, count, salient count), in order (each path has its own)."""
    return sorted(zip(e.doc.tolist(), e.term.tolist(), e.count.tolist(), e.sal.tolist()))


def _crc_twins() -> tuple[str, str]:
    """Two different words with the same CRC-32."""
    seen: dict[int, str] = {}
    for i in count():
        w = f"q{i * 2654435761 % 4294967291:x}"  # spread out: CRC-32 is linear, "w1", "w2"... collide late
        c = zlib.crc32(w.encode())
        if c in seen:
            return seen[c], w
        seen[c] = w
    raise AssertionError


def test_words_sharing_a_crc_stay_two_terms():
    a, b = _crc_twins()
    assert cl._word_key(a) != cl._word_key(b)
    docs = [ClusterDoc(None, ["x1", b, "x2", a, b]), ClusterDoc(None, [a, "x3", b, "x1"])]
    plain = cl._entries(docs)
    feat = cl._entries(_with_features(docs))
    assert feat.words() == plain.words() == ["x1", b, "x2", a, "x3"]
    assert _rows(feat) == _rows(plain)


def test_term_ids_number_keys_by_first_appearance():
    rng = np.random.default_rng(2)
    # few high halves: many keys share one, as words whose CRCs collide do
    distinct = (rng.integers(0, 4, 300).astype(np.uint64) << np.uint64(32)) | rng.integers(0, 1 << 32, 300).astype(np.uint64)
    keys = distinct[rng.integers(0, 300, 5000)]
    term, first = cl._term_ids(keys)
    order = list(dict.fromkeys(keys.tolist()))
    want = {k: i for i, k in enumerate(order)}
    assert term.tolist() == [want[k] for k in keys.tolist()]
    assert keys[first].tolist() == order
    assert first.tolist() == [keys.tolist().index(k) for k in order]


def test_cluster_and_index_is_cluster_then_build_index():
    from tui.core.increment import cluster_and_index

    docs = _folder()
    for folder in (docs, _with_features(docs), docs[:1], []):
        groups, index = cluster_and_index(folder)
        assert groups == cluster(folder)
        assert _index_fields(index) == _index_fields(build_index(folder, groups))


def test_helper_thread_gives_the_same_stories(monkeypatch):
    docs = _with_features(_folder())
    serial = cluster(docs)
    monkeypatch.setattr(cl, "_THREAD_MIN", 2)
    calls = []
    real = cl._exact_dots

    def spy(*args):
        calls.append(args[-1] is not None)
        return real(*args)

    monkeypatch.setattr(cl, "_exact_dots", spy)
    assert cluster(docs) == serial
    assert calls == [True]
