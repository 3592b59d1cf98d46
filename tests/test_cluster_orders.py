"""The sort shortcuts of clustering order exactly as the plain sorts they replace."""

from __future__ import annotations

import numpy as np

from tui.core import cluster as cl


def _edges(rng: np.random.Generator, n: int, m: int):
    """Distinct (src, dst) pairs of documents below n, values with many ties."""
    keys = np.unique(rng.integers(0, n * n, size=m))
    src, dst = keys // n, keys % n
    keep = src != dst
    src, dst = src[keep], dst[keep]
    val = rng.integers(1, 40, size=len(src)) / 37.0  # few distinct values: ties everywhere
    perm = rng.permutation(len(src))
    return src[perm], dst[perm], val[perm]


def test_by_value_falling_orders_as_lexsort():
    rng = np.random.default_rng(7)
    for n, m in ((2, 3), (5, 20), (50, 400), (300, 20000)):
        src, dst, val = _edges(rng, n, m)
        order = np.lexsort((dst, -val, src))
        s, d, v = cl._by_value_falling(n, src, dst, val)
        assert np.array_equal(s, src[order])
        assert np.array_equal(d, dst[order])
        assert np.array_equal(v, val[order])


def test_by_value_falling_of_nothing():
    z = np.zeros(0, dtype=np.int64)
    s, d, v = cl._by_value_falling(4, z, z, np.zeros(0))
    assert len(s) == len(d) == len(v) == 0


def _weighted_reference(n: int, e) -> tuple:
    """``_weighted`` as first written: every entry sorted, then the heaviest kept."""
    df = np.bincount(e.term, minlength=e.n_terms).astype(np.float64)
    idf = np.log((n + cl._IDF_PRIOR) / (df + 0.5))
    idf[~e.useful] = 0.0
    np.maximum(idf, 0.0, out=idf)
    w = (1.0 + np.log(e.count)) * idf[e.term]
    w *= 1.0 + cl._SALIENT_BOOST * np.minimum(1.0, e.sal / e.count)
    dbits, tbits = max(1, int(n).bit_length()), max(1, e.n_terms.bit_length())
    qbits = 63 - dbits - tbits
    q = np.rint((1.0 - w / max(float(w.max()), 1e-300)) * float((1 << qbits) - 1)).astype(np.int64)
    trank = np.empty(e.n_terms, dtype=np.int64)
    trank[np.argsort(e.term_key, kind="stable")] = np.arange(e.n_terms)
    order = np.argsort((e.doc.astype(np.int64) << (qbits + tbits)) | (q << tbits) | trank[e.term])
    doc, term, w = e.doc[order], e.term[order], w[order]
    rank = np.arange(len(doc)) - np.searchsorted(doc, np.arange(n))[doc]
    keep = (rank < cl._MAX_TERMS) & (w > 0)
    doc, term, w = doc[keep], term[keep], w[keep]
    return doc, term, w / np.sqrt(np.bincount(doc, weights=w * w, minlength=n))[doc]


def test_weighted_keeps_the_heaviest_terms_in_order():
    rng = np.random.default_rng(3)
    vocab = [f"w{i}" for i in range(400)] + ["the", "of", "and", "a"]  # function words weigh 0
    docs = []
    for i in range(60):
        size = int(rng.integers(0, 400))  # some documents hold more than _MAX_TERMS distinct words
        ks = rng.zipf(1.3, size=size) if i % 2 else rng.integers(0, len(vocab), size=size)
        words = [vocab[k] for k in ks % len(vocab)]
        docs.append(cl.ClusterDoc(None, words, salient=words[:3]))
    docs.append(cl.ClusterDoc(None, ["the", "of"]))  # nothing but weightless words
    e = cl._entries(docs)
    doc, term, w, _key = cl._weighted(len(docs), e)
    rdoc, rterm, rw = _weighted_reference(len(docs), e)
    assert np.array_equal(doc, rdoc) and np.array_equal(term, rterm) and np.array_equal(w, rw)
    per_doc = np.bincount(doc, minlength=len(docs))
    assert (per_doc > 0).sum() > 40 and per_doc.max() == cl._MAX_TERMS


def _near_copies_unscreened(sketch: np.ndarray, ckey: np.ndarray):
    """``_near_copies`` with every neighbouring pair's Jaccard computed (no bucket screen)."""
    n = len(sketch)
    size = (sketch != cl._NONE).sum(axis=1)
    ok = np.flatnonzero(size >= cl._NEAR_COPY_MIN_WORDS)
    sk = sketch[ok]
    pa, pb = [], []
    for r in range(cl._NEAR_COPY_ORDERS):
        salt = cl._mix(np.array([r + 1], dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))
        h = cl._mix(sk ^ salt)
        h[sk == cl._NONE] = cl._NONE
        order = np.lexsort((ok, ckey[ok], h.min(axis=1)))
        for step in (1, 2):
            pa.append(order[:-step])
            pb.append(order[step:])
    a, b = np.concatenate(pa), np.concatenate(pb)
    pairs = np.unique(np.minimum(a, b) * n + np.maximum(a, b))
    a, b = pairs // n, pairs % n
    both = np.sort(np.concatenate((sk[a], sk[b]), axis=1), axis=1)
    shared = ((both[:, 1:] == both[:, :-1]) & (both[:, 1:] != cl._NONE)).sum(axis=1)
    keep = shared / (size[ok][a] + size[ok][b] - shared) >= cl._NEAR_COPY
    return ok[a[keep]], ok[b[keep]]


def test_near_copy_screen_drops_no_copy():
    rng = np.random.default_rng(11)
    n = 3000
    # documents drawn from a few vocabularies; many are copies with a few words changed, so
    # that Jaccards fall on both sides of _NEAR_COPY
    docs = []
    for _ in range(n):
        base = int(rng.integers(0, 40))
        words = set((base * 1000 + rng.permutation(60)[: int(rng.integers(20, 60))]).tolist())
        changed = int(rng.integers(0, 12))
        words |= set(rng.integers(10**6, 10**7, size=changed).tolist())
        docs.append(sorted(words))
    lens = np.array([len(d) for d in docs])
    doc = np.repeat(np.arange(n), lens)
    key = np.concatenate([np.array(d, dtype=np.int64) for d in docs])
    sketch = cl._sketches(n, doc, key)
    ckey = rng.random(n)
    a, b = cl._near_copies(sketch, ckey)
    ra, rb = _near_copies_unscreened(sketch, ckey)
    assert len(ra) > 30  # copies found: the comparison means something
    assert np.array_equal(a, ra) and np.array_equal(b, rb)


def test_sum_by_pair_split_with_a_helper_gives_the_same_sums(monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setattr(cl, "_SPLIT_PAIRS", 10)
    rng = np.random.default_rng(5)
    n = 500
    i = rng.integers(0, n, size=30000)
    j = rng.integers(0, n, size=30000)
    v = rng.random(30000) * 1e-3 + rng.integers(0, 3, size=30000)  # order of additions matters
    plain = cl._sum_by_pair(n, i, j, v)
    with ThreadPoolExecutor(1) as helper:
        split = cl._sum_by_pair(n, i, j, v, helper)
        lopsided = cl._sum_by_pair(n, i % 50, j % 50 + 50, v, helper)  # every lower document before the cut
    assert all(np.array_equal(a, b) and a.dtype == b.dtype for a, b in zip(plain, split))
    assert all(np.array_equal(a, b) for a, b in zip(cl._sum_by_pair(n, i % 50, j % 50 + 50, v), lopsided))
    assert len(plain[0]) > 20000


def _topic_docs(seed: int, n: int) -> list:
    """Documents of words drawn from a few topics (stories to find), with their features."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        topic = int(rng.integers(0, 12))
        words = [f"t{topic}w{k}" for k in rng.integers(0, 40, size=60)]
        words += [f"common{k}" for k in rng.integers(0, 300, size=40)] + ["the", "of"] * 5
        doc = cl.ClusterDoc(f"Story {topic}", words, "2024-05-01", salient=words[:4])
        out.append(cl.ClusterDoc(doc.title, (), doc.published, features=cl.doc_features(doc)))
    return out


def test_helper_thread_parts_give_the_same_results(monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    docs = _topic_docs(9, 400)
    monkeypatch.setattr(cl, "_THREAD_MIN", 10**9)
    serial = cl.cluster(docs)
    e = cl._entries(docs)
    plain = cl._weighted(len(docs), e)
    assert 5 <= len(serial) < 100  # stories found: the comparison means something
    monkeypatch.setattr(cl, "_THREAD_MIN", 2)
    monkeypatch.setattr(cl, "_SPLIT_PAIRS", 10)  # every part that can be split is
    assert cl.cluster(docs) == serial
    with ThreadPoolExecutor(1) as helper:
        e2 = cl._entries(docs, helper)
        assert e2.sketches is not None
        assert np.array_equal(e2.sketches(), cl._entry_sketches(len(docs), e))
        split = cl._weighted(len(docs), e2, helper)
    assert all(np.array_equal(a, b) and a.dtype == b.dtype for a, b in zip(plain, split))


def test_cluster_entries_are_the_entries_and_the_stories(monkeypatch):
    docs = _topic_docs(4, 300)
    for threads in (10**9, 2):
        monkeypatch.setattr(cl, "_THREAD_MIN", threads)
        groups, e = cl._cluster_entries(docs)
        plain = cl._entries(docs)
        assert groups == cl._cluster(docs, plain)
        assert np.array_equal(e.term, plain.term) and np.array_equal(e.count, plain.count)
        assert e.words() == plain.words()
