"""The cyclic garbage collector stays out of an analysis's way (``tui.core.gcquiet``)."""

import gc
from pathlib import Path

from tui.core.gcquiet import quiet_gc
from tui.core.pipeline import analyze

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _collections_during(fn):
    seen = []

    def cb(phase, info):
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(cb)
    try:
        out = fn()
    finally:
        gc.callbacks.remove(cb)
    return out, seen


def test_an_analysis_runs_without_collections_and_is_frozen_after():
    assert gc.isenabled()
    analyze([SEEDS])  # (imports and first-use caches)
    gc.unfreeze()
    threshold = gc.get_threshold()
    # enough young objects that a collection would have run during the analysis
    gc.set_threshold(100, 10, 10)
    try:
        analysis, seen = _collections_during(lambda: analyze([SEEDS]))
        assert seen == []
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
        young = set(map(id, gc.get_objects()))  # (frozen objects are in no generation)
        for obj in (analysis.articles, analysis.articles[0], analysis.families):
            assert gc.is_tracked(obj) and id(obj) not in young
        # without it, the same work collects many times
        _, seen_plain = _collections_during(lambda: [list(range(3)) for _ in range(5000)])
        assert seen_plain
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def test_nested_pauses_leave_it_to_the_outermost():
    gc.unfreeze()
    with quiet_gc():
        with quiet_gc():
            pass
        assert not gc.isenabled() and gc.get_freeze_count() == 0
    assert gc.isenabled() and gc.get_freeze_count() > 0
    gc.unfreeze()


def test_released_state_is_freed_off_the_callers_path_and_the_analysis_stays_whole():
    import weakref

    from tui.core.gcquiet import release_later, wait_released

    class Thing:
        pass

    things = [Thing() for _ in range(1000)]
    watch = weakref.ref(things[-1])
    state = {"docs": things, "more": [Thing()]}
    del things
    release_later(state)
    del state
    assert wait_released(10)
    assert watch() is None  # freed by the thread, though nobody dropped it here
    first = analyze([SEEDS])
    assert wait_released(10)  # the pipeline's working state, freed meanwhile
    again = analyze([SEEDS])
    assert first == again and len(first.articles) == 5
    assert [s.text for s in first.articles[0].sentences] == [s.text for s in again.articles[0].sentences]
