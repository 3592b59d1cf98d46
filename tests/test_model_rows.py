"""SentenceRows made from an article's flat (start, end, line) triples and its labels: the same
sentences, columns, pickling and cache columns as rows made from the columns themselves."""

import pickle
from array import array
from itertools import chain
from pathlib import Path

import pytest

import tui.cache as cache_mod
from tui.core.boilerplate import Label
from tui.core.model import Analysis, Article, SentenceRows
from tui.core.pipeline import prepare_text

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _rows_both_ways(raw: str):
    _header, flat, labels, _norms, _features, _n = prepare_text(raw)
    n = len(labels)
    families = [f"f{j}" if j % 3 == 0 else None for j in range(n)]
    lazy = SentenceRows.from_flat("a0", raw, flat, list(labels), families)
    eager = SentenceRows(
        "a0", raw, flat[0::3], flat[1::3], flat[2::3], [lab.role for lab in labels], [lab.kind for lab in labels], families
    )
    return lazy, eager


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name)
def test_rows_from_flat_equal_rows_from_columns(path):
    raw = path.read_text(encoding="utf-8")
    lazy, eager = _rows_both_ways(raw)
    assert len(lazy) == len(eager) > 0 and lazy._built is None
    assert lazy.body_chars() == eager.body_chars()
    assert (lazy.starts, lazy.ends, lazy.lines) == (eager.starts, eager.ends, eager.lines)
    assert (lazy.roles, lazy.kinds, lazy.families) == (eager.roles, eager.kinds, eager.families)
    assert lazy == eager and tuple(lazy) == tuple(eager)
    assert all(s.text == raw[s.start : s.end] for s in lazy)
    back = pickle.loads(pickle.dumps(SentenceRows.from_flat("a0", raw, *_flat_labels(raw))))
    assert back == SentenceRows.from_flat("a0", raw, *_flat_labels(raw))


def _flat_labels(raw: str):
    _header, flat, labels, *_ = prepare_text(raw)
    return flat, list(labels), [None] * len(labels)


def test_rows_from_flat_check_their_lengths():
    flat = array("q", [0, 2, 1, 3, 5, 1])
    with pytest.raises(ValueError):
        SentenceRows.from_flat("a0", "ab cd", flat, [Label("body")], [None, None])
    with pytest.raises(ValueError):
        SentenceRows.from_flat("a0", "ab cd", flat[:4], [Label("body")] * 2, [None, None])


def test_cache_packs_rows_from_flat_as_their_columns():
    raws = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    arts = []
    for k, raw in enumerate(raws):
        flat, labels, fams = _flat_labels(raw)
        rows = SentenceRows.from_flat(f"a{k}", raw, flat, labels, fams)
        arts.append(Article(f"a{k}", f"/p/{k}.txt", raw, f"d{k}", "utf-8", "o", "filename", None, None, None, rows))
    a = Analysis(tuple(arts), (), (), (), "e")
    back = cache_mod.unpack(cache_mod.pack(a))
    assert back == a
    assert list(chain.from_iterable(x.sentences for x in back.articles)) == list(chain.from_iterable(x.sentences for x in a.articles))
