"""Incremental story assignment: copies join their story, unrelated articles and near misses
become new stories, the index pickles, and the work follows the stories, not the old articles."""

from __future__ import annotations

import dataclasses
import pickle
import re
from pathlib import Path

import numpy as np

from tui.core.cluster import ClusterDoc, cluster
from tui.core.increment import StoryIndex, build_index, extend, needs_full
from tui.core.pipeline import prepare_text

HERE = Path(__file__).parent
ECB = HERE / "fixtures" / "cluster" / "ecbplus"
SEEDS = HERE.parent / "seeds"


def _doc(raw: str) -> ClusterDoc:
    """A document as ``pipeline.analyze_sources`` builds it."""
    header, _flat, labels, norms, salient = prepare_text(raw)
    body = [w for (role, _kind), norm in zip(labels, norms) if role == "body" for w in norm.split()]
    return ClusterDoc(header.title, body, header.published, salient)


def _ecb() -> tuple[list[str], list[str]]:
    files = sorted(f for f in ECB.glob("*.txt") if re.match(r"\d+_\d+ecb(plus)?\.txt$", f.name))
    return [f.read_text(encoding="utf-8") for f in files], [
        re.sub(r"_\d+", "_", f.stem) for f in files
    ]


def _story_of(groups: list[list[int]]) -> dict[int, int]:
    out: dict[int, int] = {}
    for s, g in enumerate(groups):
        for i in g:
            assert i not in out, "a document is in two groups"
            out[i] = s
    return out


def _check_shape(groups: list[list[int]], old: list[list[int]], n_total: int) -> None:
    story = _story_of(groups)
    assert sorted(story) == list(range(n_total))
    for g_new, g_old in zip(groups, old):
        assert g_new[: len(g_old)] == list(g_old)  # old stories keep their members, in order
    assert all(min(g) >= sum(map(len, old)) for g in groups[len(old) :])
    assert [min(g) for g in groups] == sorted(min(g) for g in groups)


def _old_folder():
    texts, stories = _ecb()
    docs = [_doc(t) for t in texts]
    groups = cluster(docs)
    return texts, stories, docs, groups


def test_an_article_copying_a_story_s_sentences_joins_it():
    texts, stories, docs, groups = _old_folder()
    index = build_index(docs, groups)
    story = _story_of(groups)
    for topic in ("32_", "45_"):  # the longest article of each topic
        k = max(
            (i for i, s in enumerate(stories) if s.startswith(topic)), key=lambda i: len(texts[i])
        )
        lines = [ln for ln in texts[k].splitlines() if ln.strip()]
        # another outlet's rewrite: a new headline, half of the sentences, a closing line
        copy = "Reported by our correspondent\n" + "\n".join(lines[2 : 2 + max(3, len(lines) // 2)])
        copy += "\nMore updates will follow as the story develops."
        out = extend(index, groups, [_doc(copy)])
        _check_shape(out, groups, len(docs) + 1)
        assert len(out) == len(groups)
        assert len(docs) in out[story[k]]


def test_an_unrelated_article_becomes_a_new_story():
    _texts, _stories, docs, groups = _old_folder()
    index = build_index(docs, groups)
    seed = _doc(min(SEEDS.glob("*.txt")).read_text(encoding="utf-8"))
    out = extend(index, groups, [seed])
    _check_shape(out, groups, len(docs) + 1)
    assert out[-1] == [len(docs)]
    assert out[: len(groups)] == groups


def test_near_miss_articles_do_not_join_the_other_event():
    texts, stories = _ecb()
    old = [i for i, s in enumerate(stories) if s.endswith("ecb")]
    new = [i for i, s in enumerate(stories) if s.endswith("ecbplus")]
    old_docs = [_doc(texts[i]) for i in old]
    groups = cluster(old_docs)
    index = build_index(old_docs, groups)
    out = extend(index, groups, [_doc(texts[i]) for i in new])
    _check_shape(out, groups, len(old) + len(new))
    assert out[: len(groups)] == groups  # no article of another earthquake joined an old story
    # the new ones form their own stories, one per event
    labels = [stories[i] for i in old + new]
    for g in out[len(groups) :]:
        assert len({labels[i] for i in g}) == 1


def test_an_article_of_an_indexed_story_joins_it_not_its_near_miss():
    texts, stories = _ecb()
    for held in range(len(texts)):
        rest = [i for i in range(len(texts)) if i != held]
        docs = [_doc(texts[i]) for i in rest]
        groups = cluster(docs)
        mates = {k for k, i in enumerate(rest) if stories[i] == stories[held]}
        out = extend(build_index(docs, groups), groups, [_doc(texts[held])])
        joined = [g for g in out[: len(groups)] if len(docs) in g]
        if joined:  # if it joins, it joins its own event's story
            assert mates & set(joined[0]), texts[held][:80]


def test_index_round_trips_through_pickle():
    texts, _stories, docs, groups = _old_folder()
    index = build_index(docs, groups)
    blob = pickle.dumps(index)
    back = pickle.loads(blob)
    assert isinstance(back, StoryIndex)
    for f in dataclasses.fields(StoryIndex):
        if f.name.startswith("_"):
            continue
        a, b = getattr(index, f.name), getattr(back, f.name)
        if isinstance(a, np.ndarray):
            assert np.array_equal(a, b) and a.dtype == b.dtype
        else:
            assert a == b
    new = [_doc(texts[0]), _doc(sorted(SEEDS.glob("*.txt"))[1].read_text(encoding="utf-8"))]
    extend(index, groups, new)  # builds the postings on the original
    assert pickle.dumps(index) == blob  # lazily built lookups are not stored
    assert extend(back, groups, new) == extend(index, groups, new)


def test_work_does_not_grow_with_the_number_of_old_articles():
    texts, _stories, docs, groups = _old_folder()
    new = [_doc(sorted(SEEDS.glob("*.txt"))[2].read_text(encoding="utf-8")), _doc(texts[3])]
    small: dict = {}
    extend(build_index(docs, groups), groups, new, small)
    # the same stories, each holding eight times as many articles
    times = 8
    big_docs = [d for d in docs for _ in range(times)]
    big_groups = [[times * i + r for i in g for r in range(times)] for g in groups]
    big: dict = {}
    out = extend(build_index(big_docs, big_groups), big_groups, new, big)
    _check_shape(out, big_groups, len(big_docs) + len(new))
    assert big["stories_touched"] == small["stories_touched"] <= len(groups)
    assert small["products"] > 0
    assert big["products"] <= 1.2 * small["products"]


def test_full_reclustering_rule():
    _texts, _stories, docs, groups = _old_folder()
    index = build_index(docs, groups)
    assert needs_full(index, 1)  # a small folder is always re-clustered
    large = dataclasses.replace(index, n_docs=10_000)
    assert not needs_full(large, 100)
    assert needs_full(large, 2_500)
    assert needs_full(dataclasses.replace(large, added=1_950), 100)
