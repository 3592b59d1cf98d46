"""The reader app driven through Textual's Pilot, on the bundled seed articles."""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, OptionList, Static

from tui import paths
from tui.app import WirediffApp, run_app
from tui.config import Config
from tui.screens.help import HelpScreen
from tui.screens.reader import OutletPicker, ReaderScreen
from tui.widgets.article_view import ArticleView, wrap_offsets
from tui.widgets.binding_commands import BindingCommands
from tui.widgets.line_table import LineTable

SEEDS = str(paths.seeds_dir())  # one real story with real debris: the reader tests
MANY = str(Path(__file__).parent / "fixtures" / "app")  # several real stories: the stories-list tests


@functools.lru_cache(maxsize=1)
def seed_story():
    from tui.core.pipeline import analyze

    return analyze([SEEDS], one_story=True)


def make_app(one_story=False, inputs=None, **kw) -> WirediffApp:
    """Stories-list tests run the real worker; reader tests reuse one analysis of the seeds."""
    kw.setdefault("config", Config())
    if one_story and inputs is None:
        kw.setdefault("analysis", seed_story())
    if inputs is None:
        inputs = [SEEDS] if one_story else [MANY]
    return WirediffApp(inputs, one_story=one_story, **kw)


async def ready(app, pilot):
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()
    assert app.analysis is not None


def stories_table(app) -> LineTable:
    return app.screen.query_one("#stories", LineTable)


def first_cells(table, col: int) -> list[str]:
    return [str(table.get_row_at(i)[col]) for i in range(table.row_count)]


async def open_reader(app, pilot):
    await ready(app, pilot)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, ReaderScreen)
    return app.screen, app.screen.query_one(ArticleView)


# ----------------------------------------------------------------------------- pure parts
def test_wrap_offsets_fit_and_cover():
    text = "The quick brown fox jumps over the lazy dog " * 3 + "x" * 25
    for width in (1, 7, 10, 30):
        cuts = wrap_offsets(text, width)
        assert cuts[0][0] == 0 and cuts[-1][1] == len(text)
        assert all(a == b for (_, a), (b, _) in zip(cuts, cuts[1:]))  # contiguous
        assert all(len(text[a:b].rstrip()) <= width for a, b in cuts)
    assert wrap_offsets("", 10) == [(0, 0)]


# ----------------------------------------------------------------------------- stories screen
async def test_stories_screen_lists_every_story(wd_home):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        table = stories_table(app)
        assert table.row_count == len(app.analysis.stories) > 1
        headlines = first_cells(table, 5)
        assert set(headlines) == {s.title for s in app.analysis.stories}
        status = str(app.screen.query_one("#stories-status", Static).render())
        assert f"{table.row_count} of {table.row_count} stories" in status


async def test_filter_as_you_type_and_escape_clears(wd_home):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        table = stories_table(app)
        total = table.row_count
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"pirat")
        await pilot.pause()
        assert table.row_count == 1
        assert "pirates" in first_cells(table, 5)[0]
        await pilot.press(*"e   navy")
        await pilot.pause()
        assert table.row_count == 1
        await pilot.press(*" zzz")
        await pilot.pause()
        assert table.row_count == 0
        await pilot.press("escape")
        await pilot.pause()
        assert table.row_count == total
        assert app.focused is table
        assert isinstance(app.screen, type(app.stories_screen))  # escape closed the filter, not the app


async def test_sort_cycles(wd_home):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        screen = app.screen
        table = stories_table(app)
        assert screen.sort == "newest"
        await pilot.press("o")
        assert screen.sort == "most outlets"
        outlets = [int(x) for x in first_cells(table, 1)]
        assert outlets == sorted(outlets, reverse=True)
        await pilot.press("o")
        assert screen.sort == "most copied"
        copied = [int(x.strip().rstrip("%")) for x in first_cells(table, 3)]
        assert copied == sorted(copied, reverse=True)
        await pilot.press("o")
        assert screen.sort == "newest"


async def test_triage_keys_archive_hide_and_undo(wd_home):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        table = stories_table(app)
        screen = app.screen
        sid = screen.current_story_id()
        assert screen.states[sid] == "new" and first_cells(table, 0)[0] == "●"
        await pilot.press("r")
        assert screen.states[sid] == "read"
        await pilot.press("s")
        assert screen.states[sid] == "starred" and first_cells(table, 0)[0] == "★"
        total = table.row_count
        await pilot.press("a")
        assert screen.states[sid] == "archived"
        assert table.row_count == total - 1  # hidden
        await pilot.press("H")
        assert table.row_count == total  # shown again
        await pilot.press("z")  # undo the archive
        assert screen.states[sid] == "starred"
        await pilot.press("H")
        assert table.row_count == total


async def test_open_story_and_back_keeps_cursor(wd_home):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        table = stories_table(app)
        await pilot.press("j", "j")
        assert table.cursor_row == 2
        sid = app.screen.current_story_id()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen) and app.screen.story.id == sid
        await pilot.press("q")
        await pilot.pause()
        assert app.screen is app.stories_screen
        assert table.cursor_row == 2
        await pilot.press("k")
        assert table.cursor_row == 1
        await pilot.press("G")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("g")
        assert table.cursor_row == 0


async def test_keys_during_analysis_do_not_reach_the_hidden_filter(wd_home):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("o", "x")
        await ready(app, pilot)
        assert app.screen.query_one("#filter", Input).value == ""
        assert app.focused is stories_table(app)


async def test_q_at_top_quits(wd_home):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


# ----------------------------------------------------------------------------- reader
async def test_reader_shows_header_gutter_and_status(wd_home):
    app = make_app(one_story=True)
    async with app.run_test(size=(100, 30)) as pilot:
        screen, view = await open_reader(app, pilot)
        art = screen.current
        text = "\n".join(view.line_text(y) for y in range(view.line_count))
        assert art.outlet in text and f"outlet from {art.outlet_cue}" in text
        if art.url:
            assert art.url[:30] in text.replace("\n", "").replace(" ", "")
        # Every shared sentence's first line carries its glyph and outlet count.
        s = view.cursor_sentence
        assert s is not None and s.role == "body"
        await pilot.press("n") if s.family is None else None
        s = view.cursor_sentence
        fam = app.analysis.family_of(s)
        assert fam is not None
        line = view.line_text(view.cursor_line)
        others = len({c.outlet for c in app.analysis.carriers(fam) if c.id != art.id})
        assert {"verbatim": "=", "edited": "≈", "quote": "❝"}[fam.kind] in line[:7]
        assert str(others) in line[:7]
        status = str(screen.query_one("#sentence-status", Static).render())
        for c in app.analysis.carriers(fam):
            if c.id != art.id:
                assert c.outlet in status


async def test_reader_cursor_keys(wd_home):
    app = make_app(one_story=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, view = await open_reader(app, pilot)
        shown = view.shown_sentences
        start = view.cursor_sentence
        await pilot.press("j")
        assert view.cursor_sentence == shown[shown.index(start) + 1]
        await pilot.press("down", "k")
        assert view.cursor_sentence == shown[shown.index(start) + 1]
        await pilot.press("up")
        assert view.cursor_sentence == start
        await pilot.press("G")
        assert view.cursor_sentence == shown[-1]
        assert view.scroll_offset.y > 0
        await pilot.press("g")
        assert view.cursor_sentence == shown[0]
        assert view.scroll_offset.y == 0
        await pilot.press("pagedown")
        after_page = shown.index(view.cursor_sentence)
        assert after_page > 1
        await pilot.press("ctrl+u")
        assert shown.index(view.cursor_sentence) < after_page
        await pilot.press("ctrl+d")
        assert shown.index(view.cursor_sentence) > 0
        await pilot.press("end")
        assert view.cursor_sentence == shown[-1]
        await pilot.press("home")
        assert view.cursor_sentence == shown[0]


async def test_next_previous_shared_and_unique(wd_home):
    app = make_app(one_story=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, view = await open_reader(app, pilot)
        # Pick the article with both shared and unique sentences.
        for _ in range(len(screen.articles)):
            body = [s for s in screen.current.sentences if s.role == "body"]
            if any(s.family for s in body) and any(s.family is None for s in body):
                break
            await pilot.press("right_square_bracket")
        await pilot.press("g")
        await pilot.press("n")
        s1 = view.cursor_sentence
        assert s1.role == "body" and s1.family is not None
        await pilot.press("u")
        s2 = view.cursor_sentence
        assert s2.role == "body" and s2.family is None and s2.index > s1.index
        await pilot.press("N")
        s3 = view.cursor_sentence
        assert s3.family is not None and s3.index < s2.index
        await pilot.press("U")
        s4 = view.cursor_sentence
        assert s4.family is None and s4.index < s3.index or s4 == s3  # no earlier unique → stays


async def test_article_switching_and_tab(wd_home):
    app = make_app(one_story=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, view = await open_reader(app, pilot)
        table = screen.query_one("#articles", DataTable)
        first = screen.current
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert screen.current is screen.articles[1] and view.article is screen.current
        assert table.cursor_row == 1
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert screen.current is first
        assert app.focused is view
        await pilot.press("tab")
        assert app.focused is table
        await pilot.press("j")
        await pilot.pause()
        assert screen.current is screen.articles[1]
        await pilot.press("tab")
        assert app.focused is view


async def test_boilerplate_cycle_and_labels(wd_home):
    app = make_app(one_story=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, view = await open_reader(app, pilot)
        # An article with boilerplate.
        for _ in range(len(screen.articles)):
            if any(s.role == "boilerplate" for s in screen.current.sentences):
                break
            await pilot.press("right_square_bracket")
            await pilot.pause()
        bp = [s for s in screen.current.sentences if s.role == "boilerplate"]
        assert bp, "seeds carry boilerplate"
        assert view.boilerplate_mode == "dim"
        assert all(s in view.shown_sentences for s in bp)
        await pilot.press("b")
        assert view.boilerplate_mode == "hidden"
        assert not any(s in view.shown_sentences for s in bp)
        await pilot.press("b")
        assert view.boilerplate_mode == "shown"
        assert all(s in view.shown_sentences for s in bp)
        await pilot.press("b")
        assert view.boilerplate_mode == "dim"
        text = "\n".join(view.line_text(y) for y in range(view.line_count))
        assert "⟨" not in text
        await pilot.press("K")
        text = "\n".join(view.line_text(y) for y in range(view.line_count))
        assert f"⟨{bp[0].kind or 'boilerplate'}⟩" in text


async def test_enter_opens_family_or_says_why(wd_home):
    app = make_app(one_story=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, view = await open_reader(app, pilot)
        await pilot.press("g", "n")
        assert view.cursor_sentence.family is not None
        await pilot.press("enter")
        await pilot.pause()
        if importlib.util.find_spec("tui.screens.family") is None:
            assert app.screen is screen
            assert any("family view" in n.message for n in app._notifications)
        else:
            assert type(app.screen).__name__ == "FamilyScreen"


async def test_compare_picks_an_outlet(wd_home):
    app = make_app(one_story=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, view = await open_reader(app, pilot)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, OutletPicker)
        options = app.screen.query_one(OptionList)
        assert options.option_count == len(screen.articles) - 1
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        if importlib.util.find_spec("tui.screens.compare") is None:
            assert app.screen is screen
            assert any("compare view" in n.message for n in app._notifications)
        else:
            assert type(app.screen).__name__ == "CompareScreen"


async def test_reader_triage_marks_the_article_and_undo(wd_home):
    app = make_app(one_story=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, view = await open_reader(app, pilot)
        table = screen.query_one("#articles", DataTable)
        digest = screen.current.digest
        await pilot.press("s")
        assert app.store.mark(digest).starred
        assert str(table.get_row_at(table.cursor_row)[0]) == "★"
        await pilot.press("r")
        assert app.store.mark(digest).read
        await pilot.press("a")
        assert app.store.mark(digest).archived
        await pilot.press("z")
        assert not app.store.mark(digest).archived and app.store.mark(digest).read
        await pilot.press("escape")
        await pilot.pause()
        # The stories list reflects the article's star.
        assert app.screen.states[app.analysis.stories[0].id] == "starred"


async def test_triage_survives_restart(wd_home):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        sid = app.screen.current_story_id()
        await pilot.press("s")
    app2 = make_app()
    async with app2.run_test(size=(80, 24)) as pilot:
        await ready(app2, pilot)
        assert app2.screen.states[sid] == "starred"
        await pilot.press("z")  # the undo log is persisted too
        assert app2.screen.states[sid] == "new"
    assert paths.state_db().exists()


async def test_help_lists_active_bindings_with_ids(wd_home):
    app = make_app(one_story=True)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_reader(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("#help-table", DataTable)
        ids = {str(table.get_row_at(i)[1]) for i in range(table.row_count)}
        assert {"next-shared", "prev-unique", "cycle-boilerplate", "cursor-down", "undo", "help"} <= ids
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)


async def test_keymap_from_config_file(wd_home):
    cfg = paths.config_file()
    cfg.parent.mkdir(parents=True)
    cfg.write_text('[keymap]\nnext-shared = "x"\ncycle-sort = "ctrl+o"\n', encoding="utf-8")
    app = WirediffApp([SEEDS], one_story=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("ctrl+o")
        assert app.screen.sort == "most outlets"
        await pilot.press("enter")
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        await pilot.press("g")
        await pilot.press("x")
        assert view.cursor_sentence.family is not None


async def test_theme_toggle(wd_home):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        assert app.current_theme.dark
        await pilot.press("t")
        assert not app.current_theme.dark
        await pilot.press("t")
        assert app.current_theme.dark


async def test_palette_offers_the_bindings(wd_home):
    app = make_app(one_story=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, view = await open_reader(app, pilot)
        provider = BindingCommands(screen)
        titles = [h.text async for h in provider.discover()]
        assert "Next shared sentence" in titles and "Compare with another outlet" in titles
        hits = [h async for h in provider.search("next shared")]
        assert hits and hits[0].text == "Next shared sentence"
        await pilot.press("g")
        await hits[0].command()
        assert view.cursor_sentence.family is not None


async def test_analysis_error_is_shown_in_words(wd_home, monkeypatch):
    import tui.cache as cache

    def broken(*a, **k):
        raise ValueError("the engine exploded")

    monkeypatch.setattr(cache, "load_analysis", broken)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        label = str(app.screen.query_one("#progress-label").render())
        assert "analysis failed" in label and "the engine exploded" in label


async def test_progress_reaches_the_bar(wd_home):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        label = str(app.screen.query_one("#progress-label").render())
        assert "/" in label  # the last stage reported as done/total


async def test_store_warning_is_notified(wd_home):
    wd_home.mkdir(parents=True)
    (wd_home / "data").write_text("in the way")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        assert any("will not be saved" in n.message for n in app._notifications)
        await pilot.press("s")  # still works, in memory
        assert app.screen.states[app.screen.current_story_id()] == "starred"


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_no_color_and_sizes_keep_provenance_legible(wd_home, monkeypatch, size):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(one_story=True)
    async with app.run_test(size=size) as pilot:
        assert app.no_color
        screen, view = await open_reader(app, pilot)
        await pilot.press("g", "n")
        line = view.line_text(view.cursor_line)
        assert line[1] in "=≈❝"
        strip = view._render_strip(view.cursor_line)
        assert any(seg.style and seg.style.underline for seg in strip)
        # Textual's Monochrome filter (NO_COLOR without native ANSI colours) reads every
        # segment's style: each line of the reader must give it one
        from textual.color import Color
        from textual.filter import Monochrome

        for y in range(view.scrollable_content_region.height):
            line = view.render_line(y)
            assert "".join(seg.text for seg in Monochrome().apply(list(line), Color(0, 0, 0))) == line.text


def test_run_app_without_readable_articles_exits_2(tmp_path, wd_home, capsys):
    (tmp_path / "empty").mkdir()
    assert run_app([str(tmp_path / "empty")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no readable articles" in err
