"""The story reader: outlets/articles on the left, the selected article on the right."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Label, OptionList, Static
from textual.widgets.option_list import Option

from ..core.model import Analysis, Article, Sentence, Story
from ..store import NO_MARK
from ..widgets.article_view import BOILERPLATE_MODES, ArticleView
from ..widgets.nav_table import NavTable


def mark_glyph(mark) -> str:
    if mark.archived:
        return "▣"
    if mark.starred:
        return "★"
    if mark.read:
        return " "
    return "●"


def sentence_status(analysis: Analysis, article: Article, s: Sentence | None) -> str:
    """One line about the cursor sentence: who else carries it, who had it first."""
    if s is None:
        return "no sentence"
    where = f"line {s.line}"
    if s.role == "boilerplate":
        return f"{where} · boilerplate ({s.kind or 'unlabelled'})"
    if s.role in ("title", "meta"):
        return f"{where} · {s.role}" + (f" ({s.kind})" if s.kind else "")
    fam = analysis.family_of(s)
    if fam is None:
        return f"{where} · unique to {article.outlet}"
    others = sorted({c.outlet for c in analysis.carriers(fam) if c.id != article.id})
    if fam.first is None:
        first = "order unknown"
    elif fam.first == s.id:
        first = "this outlet first"
    else:
        first = f"first: {analysis.article(analysis.sentence(fam.first).article).outlet}"
    return f"{where} · {fam.kind} ({fam.id}) · also in {len(others)}: {', '.join(others)} · {first}"


class PickerList(OptionList):
    """An OptionList that survives a terminal squeezed to (almost) no columns.

    With a zero content width Textual 8.2.8's OptionList raised inside Rich while measuring
    its height (``chop_cells``: range() step 0); one column is the floor.
    """

    def get_content_height(self, container, viewport, width: int) -> int:
        return super().get_content_height(container, viewport, max(width, 1))


class OutletPicker(ModalScreen[str | None]):
    """Pick the article to compare with."""

    BINDINGS = [Binding("escape,q", "dismiss(None)", "Cancel", id="cancel-pick", tooltip="Close without choosing")]

    def __init__(self, choices: list[tuple[str, str]]) -> None:
        super().__init__(id="outlet-picker")
        self.choices = choices

    def compose(self) -> ComposeResult:
        yield Label("Compare with…", id="picker-title")
        yield PickerList(*[Option(label, id=aid) for aid, label in self.choices], id="picker-list")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class ReaderScreen(Screen):
    """A story, diff-style."""

    HELP = """\
## Reader
Gutter: **=** verbatim, **≈** edited, **❝** quote; the number is how many *other* outlets carry
the sentence; **\\*** this outlet had it first, **?** order unknown; **·** boilerplate.
Shared text is tinted with its family's colour and underlined; words no other outlet has are reversed.
"""

    BINDINGS = [
        Binding("escape,q", "back", "Back", id="back", tooltip="Back to the stories"),
        Binding("tab", "switch_pane", "Pane", id="switch-pane", tooltip="Switch between articles and text"),
        Binding("n", "jump('shared', True)", "Next shared", id="next-shared", tooltip="Next shared sentence"),
        Binding("N", "jump('shared', False)", "Prev shared", show=False, id="prev-shared",
                tooltip="Previous shared sentence"),
        Binding("u", "jump('unique', True)", "Next unique", id="next-unique",
                tooltip="Next sentence unique to this outlet"),
        Binding("U", "jump('unique', False)", "Prev unique", show=False, id="prev-unique",
                tooltip="Previous sentence unique to this outlet"),
        Binding("right_square_bracket", "article(1)", "Next article", show=False, id="next-article",
                tooltip="Next article of the story"),
        Binding("left_square_bracket", "article(-1)", "Prev article", show=False, id="prev-article",
                tooltip="Previous article of the story"),
        Binding("enter", "open_family", "Family", id="open-family", tooltip="Show every outlet's version"),
        Binding("c", "compare", "Compare", id="compare", tooltip="Compare with another outlet"),
        Binding("b", "cycle_boilerplate", "Boilerplate", id="cycle-boilerplate",
                tooltip="Boilerplate: dim → hidden → shown"),
        Binding("K", "toggle_labels", "Labels", show=False, id="toggle-labels",
                tooltip="Show boilerplate kinds as labels"),
        Binding("r", "triage('read')", "Read", show=False, id="toggle-read", tooltip="Toggle read on this article"),
        Binding("s", "triage('starred')", "Star", show=False, id="toggle-star", tooltip="Toggle star on this article"),
        Binding("a", "triage('archived')", "Archive", show=False, id="toggle-archive",
                tooltip="Toggle archived on this article"),
        Binding("z", "undo", "Undo", show=False, id="undo", tooltip="Undo the last triage action"),
    ]

    def __init__(self, analysis: Analysis, story: Story) -> None:
        super().__init__(id="reader-screen")
        self.analysis = analysis
        self.story = story
        self.articles = sorted(
            analysis.story_articles(story), key=lambda a: (a.published or "9999", a.outlet.lower(), a.id)
        )
        self.current: Article = self.articles[0]
        self._status_text: str | None = None

    def compose(self) -> ComposeResult:
        arts = self.articles
        outlets = len({a.outlet for a in arts})
        fams = len(self.analysis.story_families(self.story))
        yield Static(
            f"{self.story.title}  ·  {len(arts)} articles, {outlets} outlets, {fams} shared families",
            id="story-title",
        )
        with Horizontal(id="reader-body"):
            yield NavTable(id="articles")
            yield ArticleView(id="article-view")
        yield Static("", id="sentence-status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#articles", NavTable)
        table.add_column("", key="mark", width=1)
        table.add_column("Orig", key="orig", width=4)
        table.add_column("Outlet", key="outlet")  # last: clipped by the pane on narrow screens
        self._fill_articles()
        view = self.query_one(ArticleView)
        view.cursor_listener = self._show_status
        cfg = getattr(self.app, "config", None)
        if cfg is not None:
            view.boilerplate_mode = cfg.boilerplate
            view.ascii = cfg.ascii
        view.show(self.analysis, self.current)
        view.focus()

    def _fill_articles(self) -> None:
        table = self.query_one("#articles", NavTable)
        row = table.cursor_row if table.row_count else 0
        marks = self.app.store.marks([a.digest for a in self.articles])  # type: ignore[attr-defined]
        table.clear()
        for a in self.articles:
            table.add_row(
                mark_glyph(marks.get(a.digest, NO_MARK)),
                f"{self.analysis.originality(a):>4.0%}",
                a.outlet,
                key=a.id,
            )
        table.move_cursor(row=row, animate=False)

    # ----------------------------------------------------------------- events
    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id != "articles":
            return
        event.stop()
        idx = event.cursor_row
        if 0 <= idx < len(self.articles) and self.articles[idx] is not self.current:
            self.current = self.articles[idx]
            self.query_one(ArticleView).show(self.analysis, self.current)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id != "articles":
            return
        event.stop()
        self.query_one(ArticleView).focus()

    def _show_status(self, sentence: Sentence | None) -> None:
        """The view's cursor listener: called as the cursor moves, so the status line is
        repainted in the same frame as the cursor (a CursorMoved handler runs after that frame
        and its repaint waits for the next one, ~17-25 ms later). Repainted only when the
        text changes; one fixed-height line: no layout pass."""
        text = sentence_status(self.analysis, self.current, sentence)
        if text != self._status_text:
            self._status_text = text
            self.query_one("#sentence-status", Static).update(text, layout=False)

    # ----------------------------------------------------------------- actions
    def action_back(self) -> None:
        self.dismiss(None)

    def action_switch_pane(self) -> None:
        table = self.query_one("#articles", NavTable)
        view = self.query_one(ArticleView)
        (view if table.has_focus else table).focus()

    def action_jump(self, what: str, forward: bool) -> None:
        view = self.query_one(ArticleView)
        if what == "shared":
            ok = view.jump(lambda s: s.role == "body" and s.family is not None, forward)
        else:
            ok = view.jump(lambda s: s.role == "body" and s.family is None, forward)
        if not ok:
            self.notify(f"no {'next' if forward else 'previous'} {what} sentence", timeout=2)

    def action_article(self, delta: int) -> None:
        table = self.query_one("#articles", NavTable)
        idx = table.cursor_row + delta  # the table moves at once; the highlight event comes later
        if 0 <= idx < len(self.articles):
            table.move_cursor(row=idx, animate=False)
        else:
            self.notify("no more articles", timeout=2)

    def action_cycle_boilerplate(self) -> None:
        view = self.query_one(ArticleView)
        mode = BOILERPLATE_MODES[(BOILERPLATE_MODES.index(view.boilerplate_mode) + 1) % len(BOILERPLATE_MODES)]
        view.set_boilerplate_mode(mode)
        self.notify(f"boilerplate: {mode}", timeout=2)

    def action_toggle_labels(self) -> None:
        view = self.query_one(ArticleView)
        view.set_labels(not view.show_labels)

    def action_open_family(self) -> None:
        s = self.query_one(ArticleView).cursor_sentence
        if s is None or s.family is None:
            self.notify("not a shared sentence", timeout=2)
            return
        try:
            from .family import FamilyScreen  # type: ignore[import-not-found]
        except ImportError:
            self.notify("family view is not available yet", severity="warning")
            return
        self.app.push_screen(FamilyScreen(self.analysis, s.id))

    def action_compare(self) -> None:
        others = [a for a in self.articles if a.id != self.current.id]
        if not others:
            self.notify("no other article in this story", timeout=2)
            return
        choices = [
            (a.id, f"{a.outlet}  ({self.analysis.originality(a):.0%} original{', ' + a.published if a.published else ''})")
            for a in others
        ]
        left = self.current.id

        def chosen(right: str | None) -> None:
            if right is None:
                return
            try:
                from .compare import CompareScreen  # type: ignore[import-not-found]
            except ImportError:
                self.notify("compare view is not available yet", severity="warning")
                return
            self.app.push_screen(CompareScreen(self.analysis, left, right))

        if len(others) == 1:
            chosen(others[0].id)
        else:
            self.app.push_screen(OutletPicker(choices), callback=chosen)

    def action_triage(self, field: str) -> None:
        value = self.app.store.toggle(  # type: ignore[attr-defined]
            [self.current.digest], field, label=f"{field} {self.current.outlet}"
        )
        self._fill_articles()
        self.notify(f"{'marked' if value else 'unmarked'} {field}: {self.current.outlet}", timeout=2)

    def action_undo(self) -> None:
        label = self.app.store.undo()  # type: ignore[attr-defined]
        self._fill_articles()
        self.notify(f"undid: {label}" if label else "nothing to undo", timeout=2)
