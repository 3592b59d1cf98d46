"""Rich renderables shared by the TUI and the plain report (imports rich, never textual)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.rule import Rule
from rich.text import Text

from .core.model import Analysis, Article, Sentence, Story

# Article text must never drive the terminal: C0/C1 controls, DEL and bidi overrides are shown as
# visible symbols, one character for one, so that offsets into the text stay valid.
_INERT = {c: 0x2400 + c for c in range(0x20) if c not in (0x09, 0x0A)}
_INERT[0x7F] = 0x2421
_INERT.update({c: 0xFFFD for c in range(0x80, 0xA0)})
_INERT.update({c: 0xFFFD for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))})


def inert(text: str) -> str:
    """``text`` with every terminal-control character replaced by a visible symbol (same length)."""
    return text.translate(_INERT)


#: One glyph per match kind, so provenance stays legible without colour.
KIND_GLYPH = {"verbatim": "=", "edited": "≈", "quote": "❝"}
KIND_GLYPH_ASCII = {"verbatim": "=", "edited": "~", "quote": '"'}

#: A colour-blind-safe cycle (Okabe–Ito) for families.
FAMILY_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")


def family_colour(analysis: Analysis, family_id: str) -> str:
    return FAMILY_COLOURS[int(family_id.lstrip("f")) % len(FAMILY_COLOURS)]


def gutter(analysis: Analysis, article: Article, sentence: Sentence, *, ascii_only: bool = False) -> Text:
    """A fixed-width marker column: kind glyph, count of other outlets, first-carrier star."""
    glyphs = KIND_GLYPH_ASCII if ascii_only else KIND_GLYPH
    if sentence.role == "boilerplate":
        return Text(" ·    ", style="dim")
    if sentence.role in ("title", "meta"):
        return Text(" T    " if sentence.role == "title" else " M    ", style="dim")
    fam = analysis.family_of(sentence)
    if fam is None:
        return Text("      ")
    others = len({c.outlet for c in analysis.carriers(fam) if c.id != article.id})
    first = "*" if fam.first == sentence.id else (" " if fam.first else "?")
    return Text(f" {glyphs[fam.kind]}{others:>2}{first} ", style="bold")


def sentence_text(analysis: Analysis, sentence: Sentence) -> Text:
    t = Text(inert(sentence.text))
    if sentence.role == "boilerplate":
        t.stylize("dim italic")
        if sentence.kind:
            t.append(f"  [{sentence.kind}]", style="dim")
        return t
    if sentence.role == "title":
        t.stylize("bold")
        return t
    if sentence.role == "meta":
        t.stylize("dim")
        return t
    fam = analysis.family_of(sentence)
    member = analysis.member(sentence)
    if fam is None or member is None:
        return t
    colour = family_colour(analysis, fam.id)
    for a, b in member.shared:
        t.stylize(f"underline {colour}", a - sentence.start, b - sentence.start)
    for a, b in member.differs:
        t.stylize("bold reverse", a - sentence.start, b - sentence.start)
    return t


def article_report(analysis: Analysis, article: Article, *, ascii_only: bool = False) -> RenderableType:
    head = Text()
    head.append(inert(article.title or "(no title)"), style="bold")
    head.append(f"\n{inert(article.outlet)}", style="cyan")
    head.append(f" (outlet from {article.outlet_cue})", style="dim")
    if article.published:
        head.append(f" · {article.published}")
    if article.url:
        head.append(f"\n{inert(article.url)}", style="dim")
    head.append(f"\n{inert(article.path)} · originality {analysis.originality(article):.0%}", style="dim")
    rows: list[RenderableType] = [head]
    for s in article.sentences:
        line = gutter(analysis, article, s, ascii_only=ascii_only)
        line.append_text(sentence_text(analysis, s))
        fam = analysis.family_of(s)
        if fam is not None:
            outlets = sorted({c.outlet for c in analysis.carriers(fam) if c.id != article.id})
            line.append(inert(f"  [{fam.id} {fam.kind}: {', '.join(outlets)}]"), style="dim")
        rows.append(line)
    return Group(*rows)


def story_report(analysis: Analysis, story: Story, *, ascii_only: bool = False) -> RenderableType:
    arts = analysis.story_articles(story)
    fams = analysis.story_families(story)
    parts: list[RenderableType] = [
        Rule(Text(f"{inert(story.title)} — {len(arts)} articles, {len({a.outlet for a in arts})} outlets, {len(fams)} shared families", style="bold"))
    ]
    for a in arts:
        parts.append(article_report(analysis, a, ascii_only=ascii_only))
        parts.append(Text(""))
    return Group(*parts)


LEGEND = (
    "gutter: = verbatim  ≈ edited  ❝ quote  N other outlets  * first carrier  ? order unknown  "
    "· boilerplate  T title  M meta; shared words underlined, differing words reversed"
)
