"""The cyclic garbage collector kept out of an analysis's way.

An analysis is millions of small acyclic objects (sentences as tuples and lists, family columns,
per-article records).  Left running, the collector walks the young ones each time a few hundred
thousand have been made, then walks them again as they age: at 10k articles that was 0.2-0.3 s of
a 2 s reopen.  And once it is turned back on, its next collection walks everything made meanwhile
(a pause in the reader's first frames).  ``quiet_gc`` pauses it while an analysis is built and
then freezes what exists (``gc.freeze``): the analysis lives as long as the process shows it, and
reference counting still frees it when it is dropped; only a reference cycle made meanwhile would
outlive it.
"""

from __future__ import annotations

import gc
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
