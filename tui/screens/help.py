"""Help: generated from the bindings active where `?` was pressed (never a hand-kept list)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Markdown, Static


def binding_rows(app, active: dict[str, ActiveBinding]) -> list[tuple[str, str, str]]:
    """(keys, description, binding id) per binding, keys merged for the same binding."""
    merged: dict[tuple[int, str], list[str]] = {}
    info: dict[tuple[int, str], tuple[str, str]] = {}
    for _key, ab in active.items():
        b: Binding = ab.binding
        if b.system and not b.id:
            continue
        ident = (id(ab.node), b.id or b.action)
        merged.setdefault(ident, []).append(app.get_key_display(b))
        desc = b.tooltip or b.description or b.action
        info[ident] = (desc, b.id or "")
    rows = []
    for ident, keys in merged.items():
        desc, bid = info[ident]
        rows.append((" ".join(dict.fromkeys(keys)), desc, bid))
    return rows


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss(None)", "Close", id="close-help",
                        tooltip="Close help")]

    def __init__(self, rows: list[tuple[str, str, str]], markdown: str = "") -> None:
        super().__init__(id="help-screen")
        self.rows = rows
        self.markdown = markdown

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static("Keys (remap in config.toml: [keymap] binding-id = \"keys\")", id="help-title", markup=False)
            if self.markdown:
                yield Markdown(self.markdown, id="help-text")
            yield DataTable(id="help-table", cursor_type="none", show_cursor=False)

    def on_mount(self) -> None:
        table = self.query_one("#help-table", DataTable)
        table.add_columns("Keys", "Binding id", "Action")
        for keys, desc, bid in self.rows:
            table.add_row(keys, bid, desc)
        self.query_one("#help-box").focus()
