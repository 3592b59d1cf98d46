"""Random key sequences on the seeds: whatever is pressed, the app never fails.

Keys are drawn from every binding of every screen and widget (read from the classes, so new
bindings are fuzzed without editing this file) plus random printable characters. The example
count is bounded so the whole test stays well under a minute on a 2-core CI machine.
"""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.app import WirediffApp
from tui.config import Config

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def binding_keys() -> list[str]:
    from textual.app import App
    from textual.binding import Binding

    from tui.screens import compare, family, help, problems, reader, stories
    from tui.widgets import article_view, nav_table

    classes: list[type] = [WirediffApp, App]
    for mod in (stories, reader, compare, family, help, problems, article_view, nav_table):
        classes += [
            obj
            for obj in vars(mod).values()
            if isinstance(obj, type) and obj.__module__ == mod.__name__ and getattr(obj, "BINDINGS", None)
        ]
    keys: set[str] = set()
    for cls in classes:
        for b in cls.BINDINGS:
            if isinstance(b, Binding):
                keys.update(k.strip() for k in b.key.split(","))
            elif isinstance(b, tuple):
                keys.update(k.strip() for k in b[0].split(","))
    return sorted(k for k in keys if k)


BINDING_KEYS = binding_keys()
PRINTABLE = st.characters(min_codepoint=0x20, max_codepoint=0x7E).map(
    lambda c: {" ": "space"}.get(c, c)
)
KEY = st.one_of(st.sampled_from(BINDING_KEYS + ["enter", "escape", "tab", "down", "up"]), PRINTABLE)


@functools.lru_cache(maxsize=1)
def seed_analysis():
    from tui.core.pipeline import analyze

    return analyze([str(SEEDS)], one_story=True)


def test_binding_keys_cover_every_screen():
    # The reader's, compare's, stories', help's and problems' keys are all in the pool.
    assert {"n", "c", "o", "b", "question_mark", "p", "slash", "z"} <= set(BINDING_KEYS)


async def drive(keys: list[str], size: tuple[int, int]) -> WirediffApp:
    app = WirediffApp([str(SEEDS)], one_story=True, config=Config(), analysis=seed_analysis())
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        for key in keys:
            if app.return_code is not None:  # a quit key ended the run: that is a fine ending
                break
            await pilot.press(key)
        await pilot.pause()
    return app


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,  # the same sequences on every run: a failure is reproducible in CI
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    keys=st.lists(KEY, min_size=1, max_size=30),
    size=st.sampled_from([(80, 24), (40, 10), (120, 40)]),
)
def test_random_keys_never_crash_the_app(wd_home, keys, size):
    app = asyncio.run(drive(keys, size))  # run_test re-raises anything the app raised
    assert app.return_code in (None, 0), f"exited with {app.return_code} after {keys}"
