"""The garbage collector, and freeing, kept out of an analysis's way.

An analysis is millions of small acyclic objects (sentences as tuples and lists, family columns,
per-article records).  Left running, the collector walks the young ones each time a few hundred
thousand have been made, then walks them again as they age: at 10k articles that was 0.2-0.3 s of
a 2 s reopen.  And once it is turned back on, its next collection walks everything made meanwhile
(a pause in the reader's first frames).  ``quiet_gc`` pauses it while an analysis is built and
then freezes what exists (``gc.freeze``): the analysis lives as long as the process shows it, and
reference counting still frees it when it is dropped; only a reference cycle made meanwhile would
outlive it.

Freeing costs too: the pipeline's working state (per article its segments, normalized sentences,
features; 10k articles hold millions of objects) took 0.2 s to free when the analysis was returned,
before anyone could see it.  ``release_later`` hands such state to a daemon thread that frees it
a piece at a time, letting other threads run in between (the reader stays responsive meanwhile).
"""

from __future__ import annotations

import gc
import queue
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def quiet_gc() -> Iterator[None]:
    """Pause the cyclic collector; on leaving, freeze what was made and resume it.  Nested uses
    leave it to the outermost."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.freeze()
            gc.enable()


_LATER: queue.SimpleQueue = queue.SimpleQueue()
_FREER: list[threading.Thread] = []
_FREER_LOCK = threading.Lock()
_DRAINED = threading.Event()
_DRAINED.set()
#: Seconds the freeing thread waits before it starts on what it was given: the giver's next steps
#: (returning the analysis, showing it) go first.
RELEASE_DELAY = 0.3


def release_later(*objs: object) -> None:
    """Free ``objs`` on a daemon thread rather than when the caller lets go of them: a list is
    emptied an element at a time (each element freed alone, so that the thread lets others run
    between elements), a dict an item at a time, after ``RELEASE_DELAY``.  The caller must own
    the lists and dicts it gives (no one else may read them any more: they are emptied)."""
    _DRAINED.clear()
    for obj in objs:
        _LATER.put(obj)
    with _FREER_LOCK:
        if not _FREER or not _FREER[0].is_alive():
            t = threading.Thread(target=_free_forever, name="wirediff-release", daemon=True)
            _FREER[:] = [t]
            t.start()


def _free_forever() -> None:
    while True:
        obj = _LATER.get()
        time.sleep(RELEASE_DELAY)
        while True:
            if isinstance(obj, list):
                while obj:
                    obj.pop()
            elif isinstance(obj, dict):
                while obj:
                    obj.popitem()
            del obj
            try:
                obj = _LATER.get_nowait()
            except queue.Empty:
                break
        if _LATER.empty():
            _DRAINED.set()


def wait_released(timeout: float | None = None) -> bool:
    """Wait until everything given to ``release_later`` has been freed (tests, benchmarks)."""
    return _DRAINED.wait(timeout)
