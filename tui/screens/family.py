"""Every copy of one sentence across outlets: who carried it, when, and which words differ."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from ..core.model import Analysis, Article, Family, Member, Sentence
from ..render import family_colour
from .compare import glyphs_for

UNKNOWN_ORDER = "order unknown: publication dates missing or tied"


def first_line(analysis: Analysis, family: Family) -> Text:
    """Who had the family first, in words."""
    if family.first is not None:
        s = analysis.sentence(family.first)
        a = analysis.article(s.article)
        t = Text("first: ", style="bold")
        t.append(a.outlet, style="bold")
        t.append(f" ({a.published})")
        return t
    carriers = analysis.carriers(family)
    undated = sum(1 for a in carriers if not a.published)
    t = Text(UNKNOWN_ORDER, style="italic")
    if undated:
        t.append(f" ({undated} of {len(carriers)} undated)", style="dim")
    else:
        t.append(" (earliest date shared)", style="dim")
    return t


def ordered_members(analysis: Analysis, family: Family) -> list[Member]:
    """First carrier first, then by publication date (undated last), then member order."""
    index = {m.sentence: i for i, m in enumerate(family.members)}

    def key(m: Member) -> tuple[int, str, int]:
        a = analysis.article(analysis.sentence(m.sentence).article)
        return (0 if m.sentence == family.first else 1, a.published or "9999", index[m.sentence])

    return sorted(family.members, key=key)


def member_header(analysis: Analysis, family: Family, member: Member, *, focus: bool) -> Text:
    """Outlet, date, first-carrier mark; then the article's title and where the sentence is."""
    s: Sentence = analysis.sentence(member.sentence)
    a: Article = analysis.article(s.article)
    t = Text()
    t.append("▶ " if focus else "  ", style="bold")
    t.append(a.outlet, style=f"bold {family_colour(analysis, family.id)}")
    t.append(f" · {a.published or 'date unknown'}")
    if family.first == s.id:
        t.append(" · * first", style="bold")
    if focus:
        t.append(" · this sentence", style="italic")
    where = f"line {s.line}"
    t.append(f"\n  {a.title} · {where}" if a.title else f"\n  {where}", style="dim")
    return t


def member_text(analysis: Analysis, family: Family, member: Member) -> Text:
    """The sentence, shared words underlined, words no other copy has reversed."""
    s: Sentence = analysis.sentence(member.sentence)
    colour = family_colour(analysis, family.id)
    body = Text(s.text.replace("\n", " "))
    for x0, x1 in member.shared:
        body.stylize(f"underline {colour}", x0 - s.start, x1 - s.start)
    for x0, x1 in member.differs:
        body.stylize("bold reverse", x0 - s.start, x1 - s.start)
    return body


class FamilyScreen(Screen):
    """All copies of the family a sentence belongs to."""

    DEFAULT_CSS = """
    FamilyScreen #family-head { padding: 0 1; height: auto; border-bottom: solid $foreground-muted; }
    FamilyScreen #family-members { height: 1fr; }
    FamilyScreen .family--member { padding: 0 1 1 1; height: auto; }
    FamilyScreen .family--member.-focus { background: $boost; }
    FamilyScreen .family--text { padding-left: 2; }
    """

    HELP = """
## Family

Every outlet's copy of one sentence. Reversed words appear in no other copy; underlined words
are shared. `*` marks the first carrier, when the publication dates allow saying so.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "j,down", "scroll_down", "Down", id="cursor-down", show=False, tooltip="Scroll down"
        ),
        Binding("k,up", "scroll_up", "Up", id="cursor-up", show=False, tooltip="Scroll up"),
        Binding("escape,q", "back", "Back", id="back", tooltip="Back to the previous screen"),
    ]

    def __init__(self, analysis: Analysis, sentence_id: str) -> None:
        super().__init__()
        self.analysis = analysis
        self.sentence_id = sentence_id
        sentence = analysis.sentence(sentence_id)
        self.family: Family | None = analysis.family_of(sentence)

    def compose(self) -> ComposeResult:
        an, fam = self.analysis, self.family
        if fam is None:
            s = an.sentence(self.sentence_id)
            yield Static(
                Text.assemble(
                    ("No other outlet carries this sentence.\n\n", "bold"),
                    (s.text, ""),
                ),
                id="family-head",
            )
        else:
            outlets = {a.outlet for a in an.carriers(fam)}
            head = Text()
            head.append(
                f"{glyphs_for(self.app)[fam.kind]} {fam.kind}",
                style=f"bold {family_colour(an, fam.id)}",
            )
            head.append(
                f" · {len(fam.members)} copies in {len(outlets)} outlet{'s' if len(outlets) != 1 else ''}"
            )
            head.append(f" · {fam.id}\n", style="dim")
            head.append_text(first_line(an, fam))
            yield Static(head, id="family-head")
            with VerticalScroll(id="family-members"):
                for m in ordered_members(an, fam):
                    focus = m.sentence == self.sentence_id
                    with Vertical(classes="family--member" + (" -focus" if focus else "")):
                        yield Static(member_header(an, fam, m, focus=focus), classes="family--who")
                        yield Static(member_text(an, fam, m), classes="family--text")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Family"
        self.sub_title = self.family.id if self.family else "unique sentence"

    def action_scroll_down(self) -> None:
        for scroller in self.query(VerticalScroll):
            scroller.scroll_down(animate=False)

    def action_scroll_up(self) -> None:
        for scroller in self.query(VerticalScroll):
            scroller.scroll_up(animate=False)

    def action_back(self) -> None:
        self.dismiss()


__all__ = [
    "UNKNOWN_ORDER",
    "FamilyScreen",
    "first_line",
    "member_header",
    "member_text",
    "ordered_members",
]
