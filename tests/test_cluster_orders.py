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
