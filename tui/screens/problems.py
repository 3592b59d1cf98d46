"""Problems: the files the analysis skipped (with their one-line reasons) and state warnings.

Reached with ``p`` from any screen; the stories status line says "N files skipped — p to see".
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from ..core.model import Skipped


def skipped_line(n: int) -> str:
    """The status-line hint, or "" when nothing was skipped."""
    if n <= 0:
        return ""
    return f"{n} file{'s' if n != 1 else ''} skipped — p to see"


class ProblemsScreen(ModalScreen[None]):
    """Skipped files and other problems, one row each: where, and why in words."""

    HELP = """\
## Problems
Files that could not be read (not text, too large, unreadable encoding, a broken link…) and
warnings about the state file or the configuration. Each row says where and why.
"""

    DEFAULT_CSS = """
    ProblemsScreen {
        align: center middle;
    }
    #problems-box {
        width: 90%;
        max-width: 120;
        height: 90%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    #problems-title {
        text-style: bold;
        color: $text-accent;
    }
    #problems-table {
        height: auto;
    }
    """

    BINDINGS = [
        Binding("escape,q,p", "dismiss(None)", "Close", id="close-problems", tooltip="Close the problems list"),
    ]

    def __init__(self, skipped: Sequence[Skipped], warnings: Sequence[str] = ()) -> None:
        super().__init__(id="problems-screen")
        self.skipped = list(skipped)
        self.warnings = [w for w in warnings if w]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="problems-box"):
            n = len(self.skipped)
            if n:
                title = f"{n} file{'s' if n != 1 else ''} skipped"
            else:
                title = "No files were skipped"
            if self.warnings:
                title += f" · {len(self.warnings)} warning{'s' if len(self.warnings) != 1 else ''}"
            yield Static(title, id="problems-title", markup=False)
            yield DataTable(id="problems-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#problems-table", DataTable)
        table.add_columns("Where", "Why")
        for w in self.warnings:
            table.add_row("warning", w)
        for s in self.skipped:
            table.add_row(s.path, s.reason)
        table.focus()

    def rows(self) -> list[tuple[str, str]]:
        """What the table shows, in order (for tests and the palette)."""
        table = self.query_one("#problems-table", DataTable)
        return [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]  # type: ignore[misc]
