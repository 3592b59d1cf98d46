"""Compare two articles side by side: matched sentences on one row, moves marked, word diffs.

One Line-API ``ScrollView`` renders both columns of every row, so the columns can never scroll
apart. Rows come from :func:`tui.core.compare.side_by_side`; this module only draws them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Footer

from ..core.compare import Row, hunks, side_by_side, summarize
from ..core.model import Analysis, Article
from ..render import KIND_GLYPH, KIND_GLYPH_ASCII, family_colour
from ..widgets.line_scrollbar import LineScrollBar, install_line_scrollbar

_PLAIN = Style()


def _segments(text: Text, console) -> list[Segment]:
    """``text`` rendered, every segment with a style: Textual's Monochrome filter (NO_COLOR on a
    terminal without native ANSI colours) reads each segment's style, and Rich leaves plain
    stretches without one."""
    return [seg if seg.style is not None else Segment(seg.text, _PLAIN, seg.control) for seg in text.render(console)]

HEADER_LINES = 2  # outlets, then a rule carrying the summary
MIDDLE = 4  # "│≈↕│"
MIN_COLUMN = 10


@dataclass(frozen=True, slots=True)
class Columns:
    """Where things go on a line of ``width`` cells."""

    width: int
    left: int  # cells of the left text column
    right: int  # cells of the right text column

    @classmethod
    def fit(cls, width: int) -> Columns:
        # cursor mark (1) + left + space + middle + space + right
        usable = max(2 * MIN_COLUMN, width - 3 - MIDDLE)
        left = usable // 2
        return cls(width, left, usable - left)


class CompareView(ScrollView, can_focus=True):
    """Both articles, one row per sentence pair, with a row cursor."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "compare--cursor",
        "compare--header",
        "compare--rule",
        "compare--gutter",
        "compare--changed",
        "compare--moved",
        "compare--boilerplate",
        "compare--meta",
    }

    DEFAULT_CSS = """
    CompareView {
        height: 1fr;
        scrollbar-gutter: stable;
    }
    CompareView > .compare--cursor { background: $boost; text-style: bold; }
    CompareView > .compare--header { text-style: bold; color: $accent; }
    CompareView > .compare--rule { color: $foreground-muted; }
    CompareView > .compare--gutter { color: $foreground-muted; }
    CompareView > .compare--changed { text-style: reverse bold; }
    CompareView > .compare--moved { color: $warning; text-style: bold; }
    CompareView > .compare--boilerplate { color: $foreground-muted; text-style: italic; }
    CompareView > .compare--meta { color: $foreground-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "j,down",
            "cursor_down",
            "Down",
            id="cursor-down",
            show=False,
            tooltip="Next row",
        ),
        Binding("k,up", "cursor_up", "Up", id="cursor-up", show=False, tooltip="Previous row"),
        Binding(
            "pagedown,ctrl+d",
            "page_down",
            "Page down",
            id="page-down",
            show=False,
            tooltip="A page down",
        ),
        Binding(
            "pageup,ctrl+u", "page_up", "Page up", id="page-up", show=False, tooltip="A page up"
        ),
        Binding("g,home", "first_row", "First", id="cursor-first", show=False, tooltip="First row"),
        Binding("G,end", "last_row", "Last", id="cursor-last", show=False, tooltip="Last row"),
    ]

    class CursorMoved(Message):
        """The cursor landed on another row."""

        def __init__(self, view: CompareView, row: int) -> None:
            super().__init__()
            self.view = view
            self.row = row

    def __init__(self, analysis: Analysis, left_id: str, right_id: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.analysis = analysis
        self.left_id = left_id
        self.right_id = right_id
        self.rows: list[Row] = side_by_side(analysis, left_id, right_id)
        self.hunk_starts: list[int] = hunks(self.rows)
        self.cursor = 0
        self._layout_width = -1
        self._lines: list[tuple[int, list[Segment], list[Segment]]] = []  # (row, left, right)
        self._row_start: list[int] = []  # first content line of each row
        self._row_height: list[int] = []
        self._styles: dict[str, Style] = {}
        self._strips: LRUCache[tuple[int, int, bool], Strip] = LRUCache(1024)
        self._summary = summarize(self.rows)

    @property
    def vertical_scrollbar(self) -> LineScrollBar:  # type: ignore[override]
        """A ``LineScrollBar`` (strips built directly and cached) instead of the stock one."""
        if self._vertical_scrollbar is None:
            install_line_scrollbar(self)
        return self._vertical_scrollbar  # type: ignore[return-value]

    # --- data -----------------------------------------------------------------------
    @property
    def left(self) -> Article:
        return self.analysis.article(self.left_id)

    @property
    def right(self) -> Article:
        return self.analysis.article(self.right_id)

    @property
    def current(self) -> Row | None:
        return self.rows[self.cursor] if self.rows else None

    def swap(self) -> None:
        """Exchange the two sides, keeping the cursor on the same sentence."""
        keep = self.current
        self.left_id, self.right_id = self.right_id, self.left_id
        self.rows = side_by_side(self.analysis, self.left_id, self.right_id)
        self.hunk_starts = hunks(self.rows)
        self._summary = summarize(self.rows)
        self.cursor = 0
        if keep is not None:
            for i, r in enumerate(self.rows):
                if (keep.left and r.right == keep.left) or (keep.right and r.left == keep.right):
                    self.cursor = i
                    break
        self._layout_width = -1
        self._relayout()
        self.scroll_to_cursor(center=True)

    # --- styles ---------------------------------------------------------------------
    def _style(self, name: str) -> Style:
        """A component style, looked up once per theme (the lookup is costly per line)."""
        style = self._styles.get(name)
        if style is None:
            style = self.get_component_rich_style(f"compare--{name}", partial=name != "cursor")
            self._styles[name] = style
        return style

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._strips.clear()
        self._layout_width = -1  # cells embed styles: wrap again with the new theme

    # --- layout ---------------------------------------------------------------------
    def on_resize(self) -> None:
        self._relayout()

    def on_mount(self) -> None:
        self._relayout()

    def _relayout(self) -> None:
        width = self.scrollable_content_region.width
        if width <= 0 or width == self._layout_width:
            return
        self._layout_width = width
        cols = Columns.fit(width)
        console = self.app.console
        lines: list[tuple[int, list[Segment], list[Segment]]] = []
        starts: list[int] = []
        heights: list[int] = []
        for i, row in enumerate(self.rows):
            lcell = self._wrap(self._cell(row, "left"), cols.left, console)
            rcell = self._wrap(self._cell(row, "right"), cols.right, console)
            h = max(len(lcell), len(rcell), 1)
            starts.append(len(lines))
            heights.append(h)
            for k in range(h):
                lines.append(
                    (i, lcell[k] if k < len(lcell) else [], rcell[k] if k < len(rcell) else [])
                )
            lines.append((i, [], []))  # a blank line between rows, like paragraphs
        self._lines, self._row_start, self._row_height = lines, starts, heights
        self._strips.clear()
        self.virtual_size = Size(width, len(lines) + HEADER_LINES)
        self.refresh()

    @staticmethod
    def _wrap(text: Text | None, width: int, console) -> list[list[Segment]]:
        if text is None:
            return []
        out = []
        for line in text.wrap(console, width, overflow="fold"):
            line.rstrip_end(width)
            out.append(_segments(line, console))
        return out

    def _cell(self, row: Row, side: str) -> Text | None:
        sid = row.left if side == "left" else row.right
        if sid is None:
            return None
        s = self.analysis.sentence(sid)
        text = Text(s.text.replace("\n", " "))
        if s.role == "boilerplate":
            text.stylize(self._style("boilerplate"))
            text.append(f" [{s.kind or 'boilerplate'}]", style="dim")
            return text
        if s.role in ("title", "meta"):
            style = "bold" if s.role == "title" else self._style("meta")
            text.stylize(style)
            return text
        if row.matched:
            changed = self._style("changed")
            want = ("delete", "replace") if side == "left" else ("insert", "replace")
            for tag, a_span, b_span in row.ops:
                if tag not in want:
                    continue
                x0, x1 = a_span if side == "left" else b_span
                if x1 > x0:
                    text.stylize(changed, x0 - s.start, x1 - s.start)
            if row.moved and side == "right":
                text.append(
                    f"  ↕ moved from #{s.index + 1}",
                    style=self._style("moved"),
                )
        return text

    # --- rendering ------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if width != self._layout_width:
            self._relayout()
        cols = Columns.fit(width)
        base = self.rich_style
        if y < HEADER_LINES:
            return self._header_line(y, cols).adjust_cell_length(width, base)
        index = self.scroll_offset.y + y - HEADER_LINES
        if index >= len(self._lines):
            return Strip.blank(width, base)
        row_i = self._lines[index][0]
        on_cursor = (
            row_i == self.cursor and index < self._row_start[row_i] + self._row_height[row_i]
        )
        key = (index, width, on_cursor)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._content_line(index, cols, on_cursor).apply_style(base)
            self._strips[key] = strip
        return strip

    def _content_line(self, index: int, cols: Columns, on_cursor: bool) -> Strip:
        row_i, lseg, rseg = self._lines[index]
        row = self.rows[row_i]
        first = index == self._row_start[row_i]
        gutter = self._style("gutter")
        segs: list[Segment] = [Segment("▌" if on_cursor else " ", gutter)]
        segs += list(Strip(lseg).adjust_cell_length(cols.left))
        segs.append(Segment(" │", gutter))
        segs += self._middle(row, first)
        segs.append(Segment("│ ", gutter))
        segs += list(Strip(rseg).adjust_cell_length(cols.right))
        strip = Strip(segs).adjust_cell_length(cols.width)
        if on_cursor:
            strip = strip.apply_style(self._style("cursor"))
        return strip

    def _middle(self, row: Row, first: bool) -> list[Segment]:
        if not first or not row.matched:
            return [Segment("  ")]
        glyph = glyphs_for(self.app).get(row.kind or "", "?")
        colour = (
            Style(color=family_colour(self.analysis, row.family), bold=True)
            if row.family
            else Style(bold=True)
        )
        move = Segment("↕", self._style("moved")) if row.moved else Segment(" ")
        return [Segment(glyph, colour), move]

    def _header_line(self, y: int, cols: Columns) -> Strip:
        head = self._style("header")
        rule = self._style("rule")
        if y == 0:
            left = _outlet_line(self.left, "◀ ")
            right = _outlet_line(self.right, "▶ ")
            left.stylize(head)
            right.stylize(head)
            left.truncate(cols.left, overflow="ellipsis")
            right.truncate(cols.right, overflow="ellipsis")
            line = Text(" ")
            line.append_text(left)
            line.pad_right(cols.left - left.cell_len)
            line.append(" │  │ ", style=rule)
            line.append_text(right)
            return Strip(_segments(line, self.app.console))
        s = self._summary
        label = (
            f" {s.matched} matched · {s.moved} moved · {s.changed} reworded · "
            f"{s.left_only} only left · {s.right_only} only right "
        )
        total = cols.width
        label = label[: max(0, total - 4)]
        pad = max(0, total - len(label))
        text = Text("─" * (pad // 2) + label + "─" * (pad - pad // 2), style=rule)
        return Strip(_segments(text, self.app.console))

    # --- cursor and scrolling ---------------------------------------------------------
    @property
    def page_lines(self) -> int:
        return max(1, self.scrollable_content_region.height - HEADER_LINES)

    def move_to(self, row: int, *, center: bool = False) -> None:
        if not self.rows:
            return
        row = max(0, min(len(self.rows) - 1, row))
        if row != self.cursor:
            self.cursor = row
            self.post_message(self.CursorMoved(self, row))
        self.scroll_to_cursor(center=center)
        self.refresh()  # the cursor lines are cached per state: a repaint is cheap

    def scroll_to_cursor(self, *, center: bool = False) -> None:
        if not self._row_start:
            return
        top = self._row_start[self.cursor]
        bottom = top + self._row_height[self.cursor]
        page = self.page_lines
        y = self.scroll_offset.y
        if center:
            y = max(0, top - max(0, (page - (bottom - top)) // 2))
        elif top < y or bottom - top > page:
            y = top
        elif bottom > y + page:
            y = bottom - page
        self.scroll_to(y=y, animate=False, immediate=True)

    def row_at_line(self, line: int) -> int:
        if not self._lines:
            return 0
        line = max(0, min(len(self._lines) - 1, line))
        return self._lines[line][0]

    def page(self, direction: int) -> None:
        if not self._row_start:
            return
        target_line = self._row_start[self.cursor] + direction * self.page_lines
        target = self.row_at_line(target_line)
        if target == self.cursor:
            target += direction
        target = max(0, min(len(self.rows) - 1, target))
        # Scroll by a page, then make sure the new cursor row is in view, in one scroll.
        y = max(0, self.scroll_offset.y + direction * self.page_lines)
        top = self._row_start[target]
        bottom = top + self._row_height[target]
        if top < y or bottom - top > self.page_lines:
            y = top
        elif bottom > y + self.page_lines:
            y = bottom - self.page_lines
        if target != self.cursor:
            self.cursor = target
            self.post_message(self.CursorMoved(self, target))
        self.scroll_to(y=y, animate=False, immediate=True)
        self.refresh()

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_page_down(self) -> None:
        self.page(+1)

    def action_page_up(self) -> None:
        self.page(-1)

    def action_first_row(self) -> None:
        self.move_to(0)

    def action_last_row(self) -> None:
        self.move_to(len(self.rows) - 1)

    def next_difference(self, direction: int) -> bool:
        starts = self.hunk_starts
        if direction > 0:
            later = [i for i in starts if i > self.cursor]
            if not later:
                return False
            self.move_to(later[0], center=True)
        else:
            earlier = [i for i in starts if i < self.cursor]
            if not earlier:
                return False
            self.move_to(earlier[-1], center=True)
        return True

    def on_click(self, event: Click) -> None:
        if event.y < HEADER_LINES:
            return
        line = self.scroll_offset.y + event.y - HEADER_LINES
        if 0 <= line < len(self._lines):
            self.move_to(self._lines[line][0])

    # --- plain text, for tests and the pty check --------------------------------------
    def plain_rows(self) -> list[tuple[str, str, str]]:
        """(left text, middle marks, right text) per row, without styling."""
        out = []
        for r in self.rows:
            glyph = glyphs_for(self.app).get(r.kind or "", "")
            mid = (glyph + ("↕" if r.moved else "")) if r.matched else ""
            out.append(
                (
                    self.analysis.sentence(r.left).text if r.left else "",
                    mid,
                    self.analysis.sentence(r.right).text if r.right else "",
                )
            )
        return out


def glyphs_for(app: object) -> dict[str, str]:
    """The kind glyphs the user asked for (``ascii = true`` in the config gives ASCII ones)."""
    config = getattr(app, "config", None)
    return KIND_GLYPH_ASCII if getattr(config, "ascii", False) else KIND_GLYPH


def _outlet_line(article: Article, arrow: str) -> Text:
    t = Text(arrow)
    t.append(article.outlet or article.id)
    t.append(f" · {article.published}" if article.published else " · date unknown")
    return t


class CompareScreen(Screen):
    """Two articles side by side."""

    DEFAULT_CSS = """
    CompareScreen { layout: vertical; }
    """

    HELP = """
## Compare

Two articles side by side. A row holds the sentences the analysis puts in one family:
`=` verbatim, `≈` edited, `❝` the same quotation. `↕` marks a sentence the right
article carries elsewhere (shown here at the left article's position). Reversed words are
the words that differ. A sentence facing blank space has no counterpart.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "n",
            "next_difference",
            "Next diff",
            id="next-difference",
            tooltip="Next difference",
        ),
        Binding(
            "N",
            "previous_difference",
            "Prev diff",
            id="prev-difference",
            tooltip="Previous difference",
        ),
        Binding("s", "swap_sides", "Swap", id="swap-sides", tooltip="Exchange left and right"),
        Binding(
            "f,enter",
            "open_family",
            "Family",
            id="open-family",
            tooltip="All copies of this sentence",
        ),
        Binding("escape,q", "back", "Back", id="back", tooltip="Back to the previous screen"),
    ]

    def __init__(self, analysis: Analysis, left_article_id: str, right_article_id: str) -> None:
        super().__init__()
        self.analysis = analysis
        self.left_article_id = left_article_id
        self.right_article_id = right_article_id

    def compose(self) -> ComposeResult:
        yield CompareView(
            self.analysis, self.left_article_id, self.right_article_id, id="compare-view"
        )
        yield Footer()

    @property
    def view(self) -> CompareView:
        return self.query_one(CompareView)

    def on_mount(self) -> None:
        self.view.focus()
        self._title()

    def _title(self) -> None:
        v = self.view
        self.title = "Compare"
        self.sub_title = f"{v.left.outlet} ↔ {v.right.outlet}"

    def action_next_difference(self) -> None:
        if not self.view.next_difference(+1):
            self.notify("No more differences below.", timeout=2)

    def action_previous_difference(self) -> None:
        if not self.view.next_difference(-1):
            self.notify("No more differences above.", timeout=2)

    def action_swap_sides(self) -> None:
        self.view.swap()
        self.left_article_id, self.right_article_id = self.view.left_id, self.view.right_id
        self._title()

    def action_open_family(self) -> None:
        row = self.view.current
        if row is None or row.family is None:
            self.notify("This row is not shared between the two articles.", timeout=2)
            return
        from .family import FamilyScreen

        self.app.push_screen(FamilyScreen(self.analysis, row.left or row.right))

    def action_back(self) -> None:
        self.dismiss()


__all__ = ["Columns", "CompareScreen", "CompareView"]
