"""The reader's paint caches never show stale lines.

ArticleView keeps finished lines by virtual y and its LineScrollBar builds and caches its strips
without Textual's generic path; after every key of a long walk through a real article (the
seeds) at a small size, what they hand the compositor must equal what Textual's own rendering
produces with every cache emptied.
"""

from __future__ import annotations

import functools

from textual.geometry import Region
from textual.scrollbar import ScrollBar
from textual.widget import Widget

from tui import paths
from tui.app import WirediffApp
from tui.config import Config
from tui.screens.reader import ReaderScreen
from tui.widgets.article_view import ArticleView
from tui.widgets.line_scrollbar import LineScrollBar

SEEDS = str(paths.seeds_dir())

KEYS = (
    ["j"] * 14 + ["k"] * 5 + ["n", "n", "N", "u", "pagedown", "pagedown", "pageup", "G", "k", "g"]
    + ["b", "j", "j", "b", "b", "K", "j", "tab", "tab", "right_square_bracket", "j", "j", "pagedown"]
)


@functools.lru_cache(maxsize=1)
def seed_story():
    from tui.core.pipeline import analyze

    return analyze([SEEDS], one_story=True)


def _cells(strips) -> list[list[tuple[str, object]]]:
    """Text and style cell by cell, whatever the segment boundaries."""
    out = []
    for strip in strips:
        row = []
        for seg in strip:
            row.extend((ch, seg.style) for ch in seg.text)
        out.append(row)
    return out


def _fresh_view_lines(view: ArticleView, region: Region):
    view._final_cache.clear()
    view._painted_cache.clear()
    view._strip_cache.clear()
    view._text_cache.clear()
    view._style_cache.clear()
    view._styles_cache.clear()
    return Widget.render_lines(view, region)


async def test_cached_paint_equals_a_fresh_render_after_every_key(wd_home):
    app = WirediffApp([SEEDS], one_story=True, config=Config(), analysis=seed_story())
    async with app.run_test(size=(70, 16)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        view = app.screen.query_one(ArticleView)
        assert view.line_count > view.size.height  # the walk scrolls
        bar = view.vertical_scrollbar
        assert isinstance(bar, LineScrollBar)
        scrolled = set()
        for key in KEYS:
            await pilot.press(key)
            await pilot.pause()
            scrolled.add(view.scroll_offset.y)
            region = Region(0, 0, *view.size)
            shown = _cells(view.render_lines(region))
            assert shown == _cells(_fresh_view_lines(view, region)), f"stale article lines after {key!r}"
            # A partial crop (as the compositor asks after refresh_lines) agrees too.
            part = Region(0, 2, view.size.width, 3)
            assert _cells(view.render_lines(part)) == shown[2:5]
            if bar.display and bar.size.height:
                bar_region = Region(0, 0, *bar.size)
                mine = _cells(bar.render_lines(bar_region))
                bar._styles_cache.clear()
                assert mine == _cells(ScrollBar.render_lines(bar, bar_region)), f"scrollbar differs after {key!r}"
        assert len(scrolled) > 3


async def test_compare_scrollbar_equals_the_stock_one(wd_home):
    from tui.screens.compare import CompareScreen, CompareView

    an = seed_story()
    story = an.stories[0]
    left, right = story.articles[0], story.articles[1]
    app = WirediffApp([SEEDS], one_story=True, config=Config(), analysis=an)
    async with app.run_test(size=(70, 14)) as pilot:
        await pilot.pause()
        app.push_screen(CompareScreen(an, left, right))
        await pilot.pause()
        view = app.screen.query_one(CompareView)
        bar = view.vertical_scrollbar
        assert isinstance(bar, LineScrollBar)
        positions = set()
        for key in ["j"] * 10 + ["pagedown", "pagedown", "G", "pageup", "k", "g"]:
            await pilot.press(key)
            await pilot.pause()
            if not (bar.display and bar.size.height):
                continue
            positions.add(bar.position)
            region = Region(0, 0, *bar.size)
            mine = _cells(bar.render_lines(region))
            bar._styles_cache.clear()
            assert mine == _cells(ScrollBar.render_lines(bar, region)), f"scrollbar differs after {key!r}"
        assert len(positions) > 2


async def _settle(pilot, view: ArticleView) -> None:
    """Wait until the render-ahead slices have run out (a loaded machine may need several
    idle waits)."""
    await pilot.pause()
    for _ in range(200):
        if view._ahead_timer is None:
            return
        await pilot.pause(0.02)
    raise AssertionError("render-ahead never finished")


async def _open_reader(app, pilot) -> ArticleView:
    """Once the analysis is in, open the first story's reader; its article view."""
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, ReaderScreen)
    return app.screen.query_one(ArticleView)


async def test_render_ahead_fills_the_next_pages_and_pagedown_uses_them(wd_home):
    app = WirediffApp([SEEDS], one_story=True, config=Config(), analysis=seed_story())
    async with app.run_test(size=(70, 16)) as pilot:
        view = await _open_reader(app, pilot)
        height = view.size.height
        assert view.line_count > 3 * height
        await _settle(pilot, view)  # idle: the render-ahead slices run
        top = view.scroll_offset.y
        below = range(top + height, min(view.line_count, top + 2 * height))
        assert all(y in view._final_cache for y in below)
        last_page = range(view.line_count - height, view.line_count)
        assert all(y in view._final_cache for y in last_page)  # where G lands
        ahead = {y: view._final_cache[y] for y in below}
        old_cursor = set(view._block_lines(view._nav[view._cursor]))
        await pilot.press("pagedown")
        new_top = view.scroll_offset.y
        assert new_top > top
        region = Region(0, 0, *view.size)
        shown = view.render_lines(region)
        # Lines rendered ahead were painted as they were (the cursor's old and new sentence
        # aside) ...
        cursor_lines = old_cursor | set(view._block_lines(view._nav[view._cursor]))
        reused = [y for y in range(new_top, new_top + height) if y in ahead and y not in cursor_lines]
        assert reused
        for y in reused:
            assert shown[y - new_top] is ahead[y]
        # ... and equal what Textual renders with every cache emptied.
        assert _cells(shown) == _cells(_fresh_view_lines(view, region))
        await pilot.press("G")
        await pilot.pause()
        assert _cells(view.render_lines(region)) == _cells(_fresh_view_lines(view, region))


async def test_render_ahead_prepares_where_a_repeated_jump_lands(wd_home):
    app = WirediffApp([SEEDS], one_story=True, config=Config(), analysis=seed_story())
    async with app.run_test(size=(70, 10)) as pilot:
        view = await _open_reader(app, pilot)
        region = Region(0, 0, *view.size)
        landed_far = 0
        for article in range(len(app.screen.articles)):
            await pilot.press("g", "u")  # jump to unique sentences, repeatedly, in each article
            for _ in range(12):
                await _settle(pilot, view)
                landing = view._jump_landing()
                height = view.size.height
                near = range(view.scroll_offset.y - 2 * height, view.scroll_offset.y + 3 * height)
                if landing and not (landing.start in near and landing.stop - 1 in near):
                    landed_far += 1
                assert all(y in view._final_cache for y in landing)
                before = view.cursor_sentence
                await pilot.press("u")
                if view.cursor_sentence == before:
                    break  # no more unique sentences (a notification says so)
                if landing:
                    assert view.scroll_offset.y == landing.start
                assert _cells(view.render_lines(region)) == _cells(_fresh_view_lines(view, region))
            await pilot.press("right_square_bracket")
        assert landed_far  # some jump landed beyond the pages rendered around the view
