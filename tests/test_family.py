"""The family detail screen: every copy of a sentence, its outlet, date, own words, first carrier."""

from __future__ import annotations

from dataclasses import replace

from textual.app import App
from textual.widgets import Static

from tui.core.model import Analysis
from tui.core.pipeline import analyze_texts
from tui.screens.family import UNKNOWN_ORDER, FamilyScreen

SHARED = "The central bank raised interest rates by half a point on Tuesday to fight inflation."
EDITED = "The central bank raised interest rates by half a point on Tuesday to curb inflation."
OTHER = "Officials said the decision was unanimous among the nine members of the committee."


class _Host(App):
    def __init__(self, screen: FamilyScreen):
        super().__init__()
        self._screen = screen

    def on_mount(self) -> None:
        self.push_screen(self._screen)


def _analysis(dates: list[str | None], outlets: list[str]) -> Analysis:
    texts = []
    for i, (date, outlet) in enumerate(zip(dates, outlets)):
        body = EDITED if i == 1 else SHARED
        head = f"Rates story {i}\n" + (f"{date}\n" if date else "") + "\n"
        texts.append(
            (f"{outlet}.txt", head + body + "\n" + OTHER.replace("nine", str(i + 3)) + "\n")
        )
    an = analyze_texts(texts, one_story=True)
    # Outlets as named (the engine infers them from cues these tiny texts may lack).
    arts = tuple(replace(a, outlet=o) for a, o in zip(an.articles, outlets))
    return Analysis(arts, an.stories, an.families, an.skipped, an.engine)


def _sentence(an: Analysis, article: str, text: str) -> str:
    return next(s.id for s in an.article(article).sentences if s.text == text)


def _texts(screen: FamilyScreen, cls: str) -> list[str]:
    return [w.content.plain for w in screen.query(f".{cls}").results(Static)]


async def test_family_screen_lists_every_copy_with_outlet_date_and_first():
    an = _analysis(
        ["2024-03-02", "2024-03-01", "2024-03-05"], ["Daily Planet", "Wire Service", "Gazette"]
    )
    sid = _sentence(an, "a0", SHARED)
    fam = an.family_of(an.sentence(sid))
    assert fam is not None and len(fam.members) == 3
    app = _Host(FamilyScreen(an, sid))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FamilyScreen)
        who = _texts(screen, "family--who")
        bodies = _texts(screen, "family--text")
        assert len(who) == len(bodies) == 3
        # The first carrier (earliest date) leads, then by date.
        assert who[0].split("\n")[0].split(" · ")[0].strip("▶ ") == "Wire Service"
        assert "* first" in who[0] and "2024-03-01" in who[0]
        assert [w.split(" · ")[0].strip("▶ ") for w in who] == [
            "Wire Service",
            "Daily Planet",
            "Gazette",
        ]
        head = screen.query_one("#family-head", Static).content.plain
        assert "first: Wire Service (2024-03-01)" in head
        assert fam.kind in head and "3 copies in 3 outlets" in head
        # The focused sentence is marked.
        focused = [w for w in who if w.startswith("▶")]
        assert len(focused) == 1 and "Daily Planet" in focused[0]
        assert set(bodies) == {SHARED, EDITED}
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, FamilyScreen)


async def test_differing_words_are_marked_against_the_others():
    an = _analysis(["2024-03-02", "2024-03-01"], ["Daily Planet", "Wire Service"])
    sid = _sentence(an, "a1", EDITED)
    app = _Host(FamilyScreen(an, sid))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        marked = []
        for w in app.screen.query(".family--text").results(Static):
            t = w.content
            marked.append(
                sorted(t.plain[sp.start : sp.end] for sp in t.spans if "reverse" in str(sp.style))
            )
        assert sorted(marked) == [["curb"], ["fight"]]


async def test_order_unknown_when_dates_missing_or_tied():
    for dates in (["2024-03-02", None], ["2024-03-01", "2024-03-01"]):
        an = _analysis(dates, ["Daily Planet", "Wire Service"])
        sid = _sentence(an, "a0", SHARED)
        assert an.family_of(an.sentence(sid)).first is None
        app = _Host(FamilyScreen(an, sid))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            head = app.screen.query_one("#family-head", Static).content.plain
            assert UNKNOWN_ORDER in head
            assert not any("* first" in w for w in _texts(app.screen, "family--who"))
            await pilot.press("q")
            await pilot.pause()
            assert not isinstance(app.screen, FamilyScreen)


async def test_unique_sentence_says_so():
    an = _analysis(["2024-03-02", "2024-03-01"], ["Daily Planet", "Wire Service"])
    title = an.article("a0").sentences[0]
    assert title.family is None
    app = _Host(FamilyScreen(an, title.id))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        head = app.screen.query_one("#family-head", Static).content.plain
        assert "No other outlet carries this sentence" in head and title.text in head
