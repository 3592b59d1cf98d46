"""LineTable: a row-cursor table over any number of rows, drawn with the Line API.

A DataTable measures and stores every cell up front (seconds for 10,000 rows) and a ListView
mounts a widget per row; this table asks for a row's cells only when the row is painted
(``cells(i)``), caches the painted line, and repaints only the two rows a cursor move changes.
Columns have fixed widths except the last, which takes the rest of the line (and is clipped).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.message import Message

from .nav_table import ROW_CURSOR_BINDINGS
from textual.scroll_view import ScrollView
from textual.strip import Strip

CELL_PAD = 1  # spaces either side of a cell, as DataTable draws them


@dataclass(frozen=True, slots=True)
class Column:
    label: str
    width: int | None = None  # None: the rest of the line (last column only)
    right: bool = False  # right-align the cell


def _no_cells(_i: int) -> tuple[str, ...]:
    return ()


class LineTable(ScrollView, can_focus=True):
    """Row-cursor table: j/k/↑/↓, pgup/pgdn and ctrl+u/ctrl+d, g/G/home/end, enter selects."""

    DEFAULT_CSS = """
    LineTable {
        background: $surface;
        color: $foreground;
    }
    LineTable > .line-table--header {
        text-style: bold;
        background: $panel;
        color: $foreground;
    }
    LineTable > .line-table--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
        text-style: $block-cursor-blurred-text-style;
    }
    LineTable:focus > .line-table--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    """

    COMPONENT_CLASSES = {"line-table--header", "line-table--cursor"}

    BINDINGS = list(ROW_CURSOR_BINDINGS)

    class Selected(Message):
        """Enter (or a click on the cursor row) chose a row."""

        def __init__(self, table: "LineTable", row: int) -> None:
            super().__init__()
            self.table = table
            self.row = row

        @property
        def control(self) -> "LineTable":
            return self.table

    class Highlighted(Message):
        """The cursor moved to another row."""

        def __init__(self, table: "LineTable", row: int) -> None:
            super().__init__()
            self.table = table
            self.row = row

        @property
        def control(self) -> "LineTable":
            return self.table

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, LineTable.Highlighted) and message.table is self.table

    def __init__(
        self,
        columns: Sequence[Column] = (),
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns: tuple[Column, ...] = tuple(columns)
        self._count = 0
        self._cells: Callable[[int], tuple[str, ...]] = _no_cells
        self._cursor = 0
        self._text_cache: dict[int, str] = {}  # row -> padded plain line (for one width)
        self._line_cache: dict[tuple[int, bool], Strip] = {}  # (row, is cursor) -> strip
        self._header: Strip | None = None
        self._styles: dict[str, Style] = {}
        self._width = -1

    # ------------------------------------------------------------------ data
    def set_rows(self, count: int, cells: Callable[[int], tuple[str, ...]], *, cursor: int | None = None) -> None:
        """Show ``count`` rows; ``cells(i)`` gives row ``i``'s cell texts when it is painted."""
        self._count = count
        self._cells = cells
        self._text_cache.clear()
        self._line_cache.clear()
        self._cursor = max(0, min(self._cursor if cursor is None else cursor, count - 1))
        self.virtual_size = Size(self.virtual_size.width, count + 1)  # + the header line
        self._scroll_cursor_visible()
        self.refresh()
        self.post_message(self.Highlighted(self, self._cursor))

    @property
    def row_count(self) -> int:
        return self._count

    @property
    def cursor_row(self) -> int:
        return self._cursor

    def get_row_at(self, row: int) -> tuple[str, ...]:
        if not 0 <= row < self._count:
            raise IndexError(row)
        return self._cells(row)

    def move_cursor(self, *, row: int, animate: bool = False) -> None:  # noqa: ARG002 (DataTable's signature)
        self._set_cursor(row)

    def refresh_row(self, row: int) -> None:
        """Forget row ``row``'s painted line (its cells changed) and repaint it."""
        self._text_cache.pop(row, None)
        self._line_cache.pop((row, True), None)
        self._line_cache.pop((row, False), None)
        self._refresh_row_line(row)

    # ------------------------------------------------------------------ actions
    def action_cursor_down(self) -> None:
        self._set_cursor(self._cursor + 1)

    def action_cursor_up(self) -> None:
        self._set_cursor(self._cursor - 1)

    def action_page_down(self) -> None:
        self._page(+1)

    def action_page_up(self) -> None:
        self._page(-1)

    def action_scroll_top(self) -> None:
        self._set_cursor(0)

    def action_scroll_bottom(self) -> None:
        self._set_cursor(self._count - 1)

    def action_select_cursor(self) -> None:
        if self._count:
            self.post_message(self.Selected(self, self._cursor))

    def _page(self, direction: int) -> None:
        if not self._count:
            return
        page = max(1, self._body_height())
        target = max(0, min(self._cursor + direction * page, self._count - 1))
        top = max(0, min(int(self.scroll_offset.y) + direction * page, max(0, self._count - page)))
        self.scroll_to(y=top, animate=False, immediate=True)
        self._set_cursor(target)

    def on_click(self, event: events.Click) -> None:
        if event.y < 1:
            return
        row = int(self.scroll_offset.y) + event.y - 1
        if 0 <= row < self._count:
            if row == self._cursor:
                self.post_message(self.Selected(self, row))
            else:
                self._set_cursor(row)

    # ------------------------------------------------------------------ cursor and scrolling
    def _body_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _set_cursor(self, row: int) -> None:
        if not self._count:
            return
        row = max(0, min(row, self._count - 1))
        if row == self._cursor:
            self._scroll_cursor_visible()
            return
        old = self._cursor
        self._cursor = row
        top = self.scroll_offset.y
        self._scroll_cursor_visible()
        if self.scroll_offset.y == top:  # a scroll repaints everything by itself
            self._refresh_row_line(old)
            self._refresh_row_line(row)
        self.post_message(self.Highlighted(self, row))

    def _scroll_cursor_visible(self) -> None:
        height = self._body_height()
        top = int(self.scroll_offset.y)
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, immediate=True)
        elif self._cursor >= top + height:
            self.scroll_to(y=self._cursor - height + 1, animate=False, immediate=True)

    def _refresh_row_line(self, row: int) -> None:
        y = row - int(self.scroll_offset.y) + 1  # window line of the row
        if 1 <= y < self.scrollable_content_region.height:
            self.refresh_lines(int(self.scroll_offset.y) + y, 1)

    # ------------------------------------------------------------------ painting
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._line_cache.clear()
        self._header = None
        self.refresh()

    def on_focus(self) -> None:
        self._line_cache.clear()  # the cursor's colour depends on focus

    def on_blur(self) -> None:
        self._line_cache.clear()

    def on_resize(self) -> None:
        self._scroll_cursor_visible()

    def _style(self, name: str) -> Style:
        st = self._styles.get(name)
        if st is None:
            if name:
                st = self.get_component_rich_style(name, partial=True)
            else:
                st = self.rich_style
            self._styles[name] = st
        return st

    def _layout(self, width: int) -> list[int]:
        """Cell widths (without padding) for a line ``width`` cells wide."""
        fixed = [c.width for c in self.columns if c.width is not None]
        rest = width - sum(fixed) - 2 * CELL_PAD * len(self.columns) + CELL_PAD  # no pad after the last
        return [c.width if c.width is not None else max(0, rest) for c in self.columns]

    def _line_text(self, cells: Sequence[str], width: int) -> str:
        pad = " " * CELL_PAD
        parts = []
        for col, w, cell in zip(self.columns, self._layout(width), cells):
            cell = cell.replace("\n", " ")
            if col.right and cell_len(cell) < w:
                cell = " " * (w - cell_len(cell)) + cell
            parts.append(pad + set_cell_size(cell, w) + (pad if col.width is not None else ""))
        return set_cell_size("".join(parts), width)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if width != self._width:
            self._width = width
            self._text_cache.clear()
            self._line_cache.clear()
            self._header = None
        base = self._style("")
        if y == 0:
            if self._header is None:
                text = self._line_text([c.label for c in self.columns], width)
                self._header = Strip([Segment(text, base + self._style("line-table--header"))], width)
            return self._header
        row = int(self.scroll_offset.y) + y - 1
        if not 0 <= row < self._count:
            return Strip.blank(width, base)
        is_cursor = row == self._cursor
        key = (row, is_cursor)
        strip = self._line_cache.get(key)
        if strip is None:
            text = self._text_cache.get(row)
            if text is None:
                text = self._text_cache[row] = self._line_text(self._cells(row), width)
            style = base + self._style("line-table--cursor") if is_cursor else base
            strip = Strip([Segment(text, style)], width)
            if len(self._line_cache) > 4 * max(64, self.size.height):
                self._line_cache.clear()
            if len(self._text_cache) > 8 * max(64, self.size.height):
                self._text_cache.clear()
                self._text_cache[row] = text
            self._line_cache[key] = strip
        return strip
