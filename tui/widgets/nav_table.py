"""A DataTable with vim keys as well as arrows (every binding has an id for the keymap)."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import DataTable


#: The row-cursor keys every list in the app shares (ids are the keymap's vocabulary).
ROW_CURSOR_BINDINGS = [
    Binding("j,down", "cursor_down", "Down", show=False, id="cursor-down", tooltip="Next row"),
    Binding("k,up", "cursor_up", "Up", show=False, id="cursor-up", tooltip="Previous row"),
    Binding("pagedown,ctrl+d", "page_down", "Page down", show=False, id="page-down",
            tooltip="A page down"),
    Binding("pageup,ctrl+u", "page_up", "Page up", show=False, id="page-up", tooltip="A page up"),
    Binding("g,home", "scroll_top", "First", show=False, id="cursor-first", tooltip="First row"),
    Binding("G,end", "scroll_bottom", "Last", show=False, id="cursor-last", tooltip="Last row"),
    Binding("enter", "select_cursor", "Open", id="open", tooltip="Open the row under the cursor"),
]


class NavTable(DataTable):
    """Row-cursor table: j/k/↑/↓, pgup/pgdn and ctrl+u/ctrl+d, g/G/home/end."""

    BINDINGS = list(ROW_CURSOR_BINDINGS)

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", False)
        super().__init__(**kwargs)
