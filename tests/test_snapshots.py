"""SVG snapshots of every screen on the seeds, at 80x24 and 120x40 (pytest-textual-snapshot).

The app is given a frozen analysis of the seeds (tests/fixtures/snapshots/seeds_analysis.json,
written by ``scripts/screenshots.py --freeze``) so that these pictures change when the UI changes,
not whenever the engine gets better. After a deliberate UI change:

    pytest tests/test_snapshots.py --snapshot-update

and look at the report before committing the new SVGs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList

import tui.app
from tui.app import AnalysisFinished, WirediffApp
from tui.config import Config
from tui.core.model import Analysis, Article, Family, Member, Sentence, Skipped, Story
from tui.screens.compare import CompareScreen
from tui.screens.family import FamilyScreen
from tui.screens.help import HelpScreen
from tui.screens.reader import OutletPicker, ReaderScreen
from tui.screens.stories import StoriesScreen

FIXTURE = Path(__file__).parent / "fixtures" / "snapshots" / "seeds_analysis.json"
SIZES = {"80x24": (80, 24), "120x40": (120, 40)}
SCREENS = ("stories", "reader", "compare", "family", "help")
EXPECTED = {
    "stories": StoriesScreen,
    "reader": ReaderScreen,
    "compare": CompareScreen,
    "family": FamilyScreen,
    "help": HelpScreen,
}


def frozen_analysis() -> Analysis:
    """The fixture back as an Analysis (the JSON export plus each article's raw text)."""
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    doc, raws = data["analysis"], data["raw"]
    articles = []
    for a in doc["articles"]:
        raw = raws[a["id"]]
        sentences = tuple(
            Sentence(
                s["id"],
                a["id"],
                i,
                s["start"],
                s["end"],
                s["line"],
                s["text"],
                s["role"],
                s["kind"],
                s["family"],
            )
            for i, s in enumerate(a["sentences"])
        )
        assert all(raw[s.start : s.end] == s.text for s in sentences)
        articles.append(
            Article(
                a["id"],
                a["path"],
                raw,
                a["digest"],
                a["encoding"],
                a["outlet"],
                a["outlet_cue"],
                a["title"],
                a["published"],
                a["url"],
                sentences,
            )
        )
    families = tuple(
        Family(
            f["id"],
            f["kind"],
            tuple(
                Member(
                    sid,
                    tuple(tuple(sp) for sp in f["shared"][sid]),
                    tuple(tuple(sp) for sp in f["differs"][sid]),
                )
                for sid in f["members"]
            ),
            f["first"],
            f["score"],
        )
        for f in doc["families"]
    )
    stories = tuple(Story(c["id"], c["title"], tuple(c["articles"])) for c in doc["clusters"])
    skipped = tuple(Skipped(s["path"], s["reason"]) for s in doc["skipped"])
    return Analysis(tuple(articles), stories, families, skipped, doc["engine"])


class FrozenApp(WirediffApp):
    """The real app, fed the frozen analysis through the same message a finished run posts."""

    CSS_PATH = str(Path(tui.app.__file__).parent / str(WirediffApp.CSS_PATH))

    def run_analysis(self) -> None:  # type: ignore[override]
        self.post_message(AnalysisFinished(frozen_analysis()))


def navigate(target: str):
    """A ``run_before`` that walks the app to ``target`` with a user's keys."""

    async def run_before(pilot) -> None:
        app = pilot.app
        await app.workers.wait_for_complete()
        await pilot.pause()
        if target != "stories":
            await pilot.press("enter")
            await pilot.pause()
        if target == "compare":
            reader = app.screen
            await pilot.press("c")
            await pilot.pause()
            if isinstance(app.screen, OutletPicker):
                # The outlet sharing the most sentences with the article on show.
                mine = {s.family for s in reader.current.sentences if s.family}
                shares = [
                    len(mine & {s.family for s in app.analysis.article(aid).sentences if s.family})
                    for aid, _ in app.screen.choices
                ]
                app.screen.query_one(OptionList).highlighted = shares.index(max(shares))
                await pilot.press("enter")
                await pilot.pause()
        elif target == "family":
            await pilot.press("n", "enter")
            await pilot.pause()
        elif target == "help":
            await pilot.press("question_mark")
            await pilot.pause()
        assert isinstance(app.screen, EXPECTED[target]), app.screen
        for field in app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    return run_before


def test_fixture_matches_the_model():
    an = frozen_analysis()
    assert len(an.articles) == 5
    for f in an.families:
        for m in f.members:
            s = an.sentence(m.sentence)
            assert s.family == f.id
            assert all(s.start <= a <= b <= s.end for a, b in m.shared + m.differs)


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
@pytest.mark.parametrize("screen", SCREENS)
def test_screen_snapshot(snap_compare, wd_home, screen, size):
    app = FrozenApp(["seeds"], config=Config())
    assert snap_compare(app, terminal_size=SIZES[size], run_before=navigate(screen))
