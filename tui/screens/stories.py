"""The stories list: one row per story, filter as you type, sort cycling, triage marks.

Triage marks live on articles (by content digest); a story's state is derived from them
(``tui.store.story_state``).  ``r``/``s``/``a`` on a story toggle the mark on all its articles.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, ProgressBar, Static

from ..core.model import Analysis, Skipped, StorySummary, summarize
from ..store import NO_MARK, Mark, story_state
from ..widgets.line_table import Column, LineTable
from .problems import skipped_line

__all__ = ["StoriesScreen", "StorySummary", "filter_rows", "filter_sort", "sort_rows", "summarize"]

SORTS = ("newest", "most outlets", "most copied")
STATE_GLYPH = {"new": "●", "read": " ", "starred": "★", "archived": "▣"}


def sort_rows(rows: list[StorySummary], sort: str) -> list[StorySummary]:
    """``rows`` in the order of ``sort`` (stable: ties keep their order)."""
    if sort == "newest":
        return sorted(rows, key=lambda s: s.last_date or "", reverse=True)
    if sort == "most outlets":
        return sorted(rows, key=lambda s: (len(s.outlets), s.n_articles), reverse=True)
    if sort == "most copied":
        return sorted(rows, key=lambda s: s.copied, reverse=True)
    return list(rows)


def filter_rows(
    rows: list[StorySummary], states: dict[str, str], *, query: str = "", hide_archived: bool = True
) -> list[StorySummary]:
    """The rows (order kept) whose headline or outlets hold every query word, archived ones
    dropped when ``hide_archived``."""
    words = query.lower().split()
    if hide_archived and "archived" in states.values():
        rows = [s for s in rows if states.get(s.story.id) != "archived"]
    for w in words:  # one pass per word over precomputed lowercase keys
        rows = [s for s in rows if w in (s.key or (s.story.title + " " + " ".join(s.outlets)).lower())]
    return list(rows)


def filter_sort(
    summaries: list[StorySummary],
    states: dict[str, str],
    *,
    query: str = "",
    sort: str = "newest",
    hide_archived: bool = True,
) -> list[StorySummary]:
    """Rows to show: every query word must appear in the headline or an outlet name."""
    return filter_rows(sort_rows(summaries, sort), states, query=query, hide_archived=hide_archived)


class StoriesScreen(Screen):
    """Top screen: the list of stories."""

    # Nothing takes keys while the analysis runs (None would inherit the app's "*"); the table is
    # focused after.
    AUTO_FOCUS = ""

    HELP = """\
## Stories
One row per story. **State** comes from the articles' marks: ▣ archived (all archived),
★ starred (any starred), blank = read (all read), ● new.
"""

    BINDINGS = [
        Binding("slash", "filter", "Filter", id="filter", tooltip="Filter stories as you type"),
        Binding("o", "cycle_sort", "Sort", id="cycle-sort", tooltip="Sort: newest / most outlets / most copied"),
        Binding("H", "toggle_archived", "Archived", id="toggle-archived", tooltip="Show or hide archived stories"),
        Binding("r", "triage('read')", "Read", id="toggle-read", tooltip="Toggle read on the story's articles"),
        Binding("s", "triage('starred')", "Star", id="toggle-star", tooltip="Toggle star on the story's articles"),
        Binding("a", "triage('archived')", "Archive", id="toggle-archive",
                tooltip="Toggle archived on the story's articles"),
        Binding("z", "undo", "Undo", id="undo", tooltip="Undo the last triage action"),
        Binding("escape,q", "back", "Quit", id="back", tooltip="Close the filter, or quit"),
    ]

    def __init__(self) -> None:
        super().__init__(id="stories-screen")
        self.analysis: Analysis | None = None
        self.listed = False  # the rows are known (from the cache's stories list or the analysis)
        self.skipped: tuple[Skipped, ...] = ()
        self._pending: str | None = None  # story id chosen before the analysis was ready
        self.summaries: list[StorySummary] = []
        self.sort = SORTS[0]
        self.hide_archived = True
        self.query_text = ""
        self.states: dict[str, str] = {}
        self.shown: list[StorySummary] = []
        self._ordered: dict[str, list[StorySummary]] = {}  # summaries in each sort order
        self._last_filter: tuple[str, tuple[str, bool]] = ("", ("", False))
        self._columns_ready = False

    def compose(self) -> ComposeResult:
        yield Static("wirediff", id="stories-title")
        yield Input(placeholder="filter: words in headline or outlet", id="filter")
        with Vertical(id="loading"):
            yield Label("Reading articles…", id="progress-label")
            yield ProgressBar(id="progress", show_eta=False)
        # The headline goes last: on a narrow screen it is clipped, the numbers stay visible.
        yield LineTable(
            [
                Column("", 1),
                Column("Outl", 4, right=True),
                Column("Arts", 4, right=True),
                Column("Copied", 6, right=True),
                Column("Dates", 16),
                Column("Headline"),
            ],
            id="stories",
        )
        yield Static("", id="stories-status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#stories", LineTable)
        table.display = False
        self.query_one("#filter", Input).display = False
        self._columns_ready = True
        if self.listed:  # set before the screen was mounted
            self._show_rows()

    # ----------------------------------------------------------------- loading
    def show_progress(self, stage: str, done: int, total: int) -> None:
        self.query_one("#progress-label", Label).update(f"{stage}: {done}/{total}")
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=max(total, 1), progress=done)

    def show_error(self, text: str) -> None:
        self._pending = None
        self.query_one("#loading").display = True
        self.query_one("#progress-label", Label).update(text)
        self.query_one("#progress", ProgressBar).display = False

    def set_summaries(self, summaries: list[StorySummary], skipped: tuple[Skipped, ...] = ()) -> None:
        """Show the stories list before the analysis is built (from the cache's summaries); opening
        a story waits for ``set_analysis``."""
        self.summaries, self.skipped, self.listed = summaries, tuple(skipped), True
        if not self._columns_ready:
            return  # on_mount shows it
        self._show_rows()

    def set_analysis(self, analysis: Analysis, summaries: list[StorySummary] | None = None) -> None:
        """The analysis (and its stories list, computed here when not given)."""
        self.analysis = analysis
        self.skipped = tuple(analysis.skipped)
        same = summaries is not None and self.listed and (summaries is self.summaries or summaries == self.summaries)
        if not same:
            self.summaries = summarize(analysis) if summaries is None else summaries
        self.listed = True
        if not self._columns_ready:
            return  # on_mount shows it
        if same:
            self.query_one("#loading").display = False
            self._update_status()
        else:
            self._show_rows()
        if self._pending is not None:
            story_id, self._pending = self._pending, None
            if self.app.screen is self:
                self._open_story(story_id)

    def _show_rows(self) -> None:
        self._ordered = {}
        self.query_one("#loading").display = False
        table = self.query_one("#stories", LineTable)
        table.display = True
        self.refresh_rows()
        table.focus()

    # ----------------------------------------------------------------- rows
    def _marks(self) -> dict[str, Mark]:
        return self.app.store.marks()  # type: ignore[attr-defined]

    def refresh_rows(self, *, marks_changed: bool = True) -> None:
        """Recompute the shown rows (and the stories' states when marks may have changed).

        Rows are painted lazily by the table (``_cells``), so this costs a filter and a sort over
        precomputed keys, not a cell per story.
        """
        if not self.listed:
            return
        table = self.query_one("#stories", LineTable)
        keep = self.current_story_id()
        if marks_changed or len(self.states) != len(self.summaries):
            marks = self._marks()
            self.states = {
                s.story.id: story_state(marks.get(d, NO_MARK) for d in s.digests) for s in self.summaries
            }
        # Sorted once per sort order; a query that only extends the last one filters the rows
        # shown already (every word of the old query is part of a word of the new one).
        ordered = self._ordered.get(self.sort)
        if ordered is None:
            ordered = self._ordered[self.sort] = sort_rows(self.summaries, self.sort)
        shape = (self.sort, self.hide_archived)
        last_query, last_shape = self._last_filter
        if (
            not marks_changed
            and shape == last_shape
            and last_query.strip()
            and self.query_text.startswith(last_query)
        ):
            base = self.shown
        else:
            base = ordered
        self.shown = filter_rows(base, self.states, query=self.query_text, hide_archived=self.hide_archived)
        self._last_filter = (self.query_text, shape)
        cursor = 0
        if keep is not None:
            cursor = next((i for i, s in enumerate(self.shown) if s.story.id == keep), 0)
        table.set_rows(len(self.shown), self._cells, cursor=cursor)
        self._update_status()

    def _cells(self, row: int) -> tuple[str, ...]:
        s = self.shown[row]
        return (
            STATE_GLYPH[self.states[s.story.id]],
            str(len(s.outlets)),
            str(s.n_articles),
            f"{s.copied:.0%}",
            s.date_span,
            s.story.title,
        )

    def _update_status(self) -> None:
        hidden = sum(1 for v in self.states.values() if v == "archived") if self.hide_archived else 0
        parts = [f"{len(self.shown)} of {len(self.summaries)} stories", f"sort: {self.sort}"]
        if self.query_text:
            parts.append(f"filter: {self.query_text!r}")
        if hidden:
            parts.append(f"{hidden} archived hidden (H)")
        if self.skipped:
            parts.append(skipped_line(len(self.skipped)))
        # One fixed-height line: no layout pass (it would repaint the whole screen).
        self.query_one("#stories-status", Static).update(" · ".join(parts), layout=False)

    def current_story_id(self) -> str | None:
        table = self.query_one("#stories", LineTable)
        if not self.shown or table.row_count == 0:
            return None
        row = table.cursor_row
        if 0 <= row < len(self.shown):
            return self.shown[row].story.id
        return None

    def current_summary(self) -> StorySummary | None:
        table = self.query_one("#stories", LineTable)
        if 0 <= table.cursor_row < min(len(self.shown), table.row_count):
            return self.shown[table.cursor_row]
        return None

    # ----------------------------------------------------------------- events
    def on_line_table_selected(self, event: LineTable.Selected) -> None:
        event.stop()
        summary = self.current_summary()
        if summary is None:
            return
        if self.analysis is None:  # listed from the cache, still being unpacked: open it when ready
            self._pending = summary.story.id
            self.query_one("#progress-label", Label).update(f"Opening “{summary.story.title[:60]}”: loading the analysis…")
            self.query_one("#progress", ProgressBar).update(total=None)
            self.query_one("#loading").display = True
            return
        self._open_story(summary.story.id)

    def _open_story(self, story_id: str) -> None:
        from .reader import ReaderScreen

        assert self.analysis is not None
        story = next((s for s in self.analysis.stories if s.id == story_id), None)
        if story is None:
            return
        self.app.push_screen(ReaderScreen(self.analysis, story), callback=lambda _r: self.refresh_rows())

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter":
            self.query_text = event.value
            self.refresh_rows(marks_changed=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            self.query_one("#stories", LineTable).focus()

    # ----------------------------------------------------------------- actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("triage", "cycle_sort", "toggle_archived", "filter", "undo") and not self.listed:
            return None
        return True

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    def action_back(self) -> None:
        box = self.query_one("#filter", Input)
        if box.has_focus:
            box.value = ""
            box.display = False
            self.query_one("#stories", LineTable).focus()
            return
        self.app.exit(0)

    def action_cycle_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.refresh_rows(marks_changed=False)
        self.notify(f"sorted by {self.sort}", timeout=2)

    def action_toggle_archived(self) -> None:
        self.hide_archived = not self.hide_archived
        self.refresh_rows(marks_changed=False)

    def action_triage(self, field: str) -> None:
        summary = self.current_summary()
        if summary is None:
            return
        value = self.app.store.toggle(  # type: ignore[attr-defined]
            summary.digests, field, label=f"{field} story {summary.story.title[:40]}"
        )
        self._after_change(summary.story.id)
        word = {"read": "read", "starred": "starred", "archived": "archived"}[field]
        self.notify(f"{'marked' if value else 'unmarked'} {word}", timeout=2)

    def action_undo(self) -> None:
        label = self.app.store.undo()  # type: ignore[attr-defined]
        self.notify(f"undid: {label}" if label else "nothing to undo", timeout=2)
        self.refresh_rows()

    def _after_change(self, story_id: str) -> None:
        table = self.query_one("#stories", LineTable)
        row = table.cursor_row
        self.refresh_rows()
        # An archived story vanishes from the list: stay at the same row position.
        if self.current_story_id() != story_id and table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1), animate=False)
