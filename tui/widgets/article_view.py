"""ArticleView: one article, sentence by sentence, with a provenance gutter (Line API).

Layout is computed with a cheap cell-width word wrap over plain strings (no Rich work);
Rich styling and segment rendering happen only for lines that are actually painted, and the
resulting strips are cached until the width, the cursor, the mode or the theme changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.color import Color
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual._styles_cache import StylesCache
from textual.strip import Strip
from textual.timer import Timer

from ..core.model import Analysis, Article, Sentence
from ..render import KIND_GLYPH, KIND_GLYPH_ASCII, family_colour
from .line_scrollbar import LineScrollBar, install_line_scrollbar

BOILERPLATE_MODES = ("dim", "hidden", "shown")
GUTTER_WIDTH = 7
# Render-ahead: after a paint, when the app is idle, the lines a page away (below first, in the
# direction of the last move, then above) are finished in slices of ``_AHEAD_SLICE`` lines, so
# that a PageDown, a search jump or home/end usually finds its lines ready.
_AHEAD_DELAY = 0.012  # seconds after a paint before the first slice (a held key keeps it off)
_AHEAD_GAP = 0.001  # seconds between slices (lets a key in between)
_AHEAD_SLICE = 6  # lines per slice (about 1-2 ms)
_AHEAD_PAGES = 2  # pages rendered ahead on each side

_WORD = re.compile(r"\S+\s*|\s+")


def wrap_offsets(text: str, width: int) -> list[tuple[int, int]]:
    """Cut ``text`` into ``(start, end)`` ranges that fit ``width`` cells, breaking at spaces.

    Trailing spaces stay on the line they follow (they are cropped when painted); a word
    longer than the width is cut by characters.  Always returns at least one range.
    """
    width = max(1, width)
    out: list[tuple[int, int]] = []
    start = 0
    col = 0
    for m in _WORD.finditer(text):
        word = m.group()
        visible = cell_len(word.rstrip()) if not word.isspace() else 0
        if col and col + visible > width:
            out.append((start, m.start()))
            start, col = m.start(), 0
        if visible > width:  # hard-cut a long word
            pos = m.start()
            run = 0
            for i, ch in enumerate(word.rstrip()):
                w = cell_len(ch)
                if run + w > width:
                    out.append((start, m.start() + i))
                    start, run = m.start() + i, 0
                run += w
                pos = m.start() + i + 1
            col = run + (m.end() - pos)
            continue
        col += cell_len(word)
    out.append((start, len(text)))
    return out


@dataclass(slots=True)
class _Block:
    """One wrapped unit: a header line, a sentence, or a blank spacer."""

    kind: str  # "header" | "sentence" | "blank"
    text: str  # what is shown (newlines/tabs flattened)
    sentence: Sentence | None = None
    style_name: str = ""  # component class for header lines
    label: str = ""  # boilerplate label appended when labels are on


class ArticleView(ScrollView, can_focus=True):
    """The right pane of the reader."""

    COMPONENT_CLASSES = {
        "reader--header",
        "reader--title",
        "reader--meta",
        "reader--gutter",
        "reader--first",
        "reader--shared",
        "reader--differs",
        "reader--boilerplate",
        "reader--label",
        "reader--cursor",
    }

    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", show=False, id="cursor-down", tooltip="Next sentence"),
        Binding("k,up", "cursor_up", "Up", show=False, id="cursor-up", tooltip="Previous sentence"),
        Binding("pagedown,ctrl+d", "page_down", "Page down", show=False, id="page-down",
                tooltip="Scroll a page down"),
        Binding("pageup,ctrl+u", "page_up", "Page up", show=False, id="page-up", tooltip="Scroll a page up"),
        Binding("g,home", "cursor_first", "First", show=False, id="cursor-first", tooltip="First sentence"),
        Binding("G,end", "cursor_last", "Last", show=False, id="cursor-last", tooltip="Last sentence"),
    ]

    class CursorMoved(Message):
        """The cursor sentence changed (or the article did)."""

        def __init__(self, view: "ArticleView", sentence: Sentence | None) -> None:
            super().__init__()
            self.view = view
            self.sentence = sentence

        @property
        def control(self) -> "ArticleView":
            return self.view

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.analysis: Analysis | None = None
        self.article: Article | None = None
        self.boilerplate_mode = "dim"
        self.show_labels = False
        self.ascii = False
        # Called at once with the new cursor sentence (before CursorMoved is posted), so that a
        # status line changes in the same frame as the cursor instead of one frame later.
        self.cursor_listener: Callable[[Sentence | None], None] | None = None
        self._blocks: list[_Block] = []
        self._nav: list[int] = []  # block indices that carry a sentence, in order
        self._cursor = 0  # index into _nav
        self._lines: list[tuple[int, int, int]] = []  # (block, start, end)
        self._block_first_line: list[int] = []
        self._layout_width = -1
        self._strip_cache: dict[int, Strip] = {}
        # Painted lines (cropped to the view, widget style applied) by virtual y, with the
        # (scroll_x, width) they were painted for; dropped together with ``_strip_cache``.
        self._painted_cache: dict[int, tuple[tuple[int, int], Strip]] = {}
        # Finished lines (after Textual's styles pipeline, line filters applied) by virtual y,
        # valid for ``_final_key``; dropped with ``_painted_cache``.  A scroll then repaints only
        # the lines that came into view.
        self._final_cache: dict[int, Strip] = {}
        self._final_key: tuple | None = None
        self._text_cache: dict[int, Text] = {}
        self._style_cache: dict[str, Style] = {}
        # Render-ahead state: the pending slice timer, the virtual y that ``render_line`` reads
        # instead of the scroll offset while it runs, its private styles cache (the widget's own
        # one is keyed by screen row and must not see off-screen lines), the last move direction.
        self._ahead_timer: Timer | None = None
        self._ahead_origin: int | None = None
        self._ahead_styles = StylesCache()
        self._ahead_direction = 1
        self._last_jump: tuple[Callable[[Sentence], bool], bool] | None = None
        self._landing: tuple[tuple | None, range] = (None, range(0))

    @property
    def vertical_scrollbar(self) -> LineScrollBar:  # type: ignore[override]
        """A ``LineScrollBar`` (strips built directly and cached) instead of the stock one."""
        if self._vertical_scrollbar is None:
            install_line_scrollbar(self)
        return self._vertical_scrollbar  # type: ignore[return-value]

    # ------------------------------------------------------------------ public API
    def show(self, analysis: Analysis, article: Article, *, keep_cursor: bool = False) -> None:
        previous = self.cursor_sentence.id if keep_cursor and self.cursor_sentence else None
        self.analysis = analysis
        self.article = article
        self._build_blocks()
        self._cursor = 0
        if previous is not None:
            self._restore_cursor(previous)
        else:
            # Start on the first body sentence when there is one.
            for i, b in enumerate(self._nav):
                s = self._blocks[b].sentence
                if s is not None and s.role == "body":
                    self._cursor = i
                    break
        self._relayout(force=True)
        self.scroll_to(0, 0, animate=False)
        if previous is not None:
            self._scroll_cursor_visible()
        self._announce()

    def set_boilerplate_mode(self, mode: str) -> None:
        if mode not in BOILERPLATE_MODES:
            raise ValueError(mode)
        self.boilerplate_mode = mode
        self._rebuild_keep_cursor()

    def set_labels(self, on: bool) -> None:
        self.show_labels = on
        self._rebuild_keep_cursor()

    def set_ascii(self, on: bool) -> None:
        self.ascii = on
        self._invalidate()

    @property
    def cursor_sentence(self) -> Sentence | None:
        if not self._nav:
            return None
        return self._blocks[self._nav[self._cursor]].sentence

    @property
    def cursor_line(self) -> int:
        """First screen line (in virtual coordinates) of the cursor sentence."""
        if not self._nav:
            return 0
        return self._block_first_line[self._nav[self._cursor]] if self._block_first_line else 0

    @property
    def line_count(self) -> int:
        return len(self._lines)

    @property
    def shown_sentences(self) -> list[Sentence]:
        return [self._blocks[b].sentence for b in self._nav if self._blocks[b].sentence is not None]

    def move_cursor(self, delta: int) -> None:
        self._set_cursor(self._cursor + delta)

    def jump(self, predicate: Callable[[Sentence], bool], forward: bool = True) -> bool:
        """Move to the next (or previous) shown sentence matching ``predicate``; False if none."""
        order = range(self._cursor + 1, len(self._nav)) if forward else range(self._cursor - 1, -1, -1)
        for i in order:
            s = self._blocks[self._nav[i]].sentence
            if s is not None and predicate(s):
                self._set_cursor(i)
                self._last_jump = (predicate, forward)
                return True
        return False

    def _jump_landing(self) -> range:
        """The lines a repeat of the last ``jump`` would show (empty if it would not scroll)."""
        if self._last_jump is None:
            return range(0)
        key = (self._cursor, self.scroll_offset.y, len(self._lines))
        if self._landing[0] == key:
            return self._landing[1]
        landing = range(0)
        predicate, forward = self._last_jump
        order = range(self._cursor + 1, len(self._nav)) if forward else range(self._cursor - 1, -1, -1)
        for i in order:
            s = self._blocks[self._nav[i]].sentence
            if s is not None and predicate(s):
                b = self._nav[i]
                top = 0 if i == 0 else self._block_first_line[b]
                bottom = self._block_first_line[b + 1] if b + 1 < len(self._block_first_line) else len(self._lines)
                height = max(1, self.scrollable_content_region.height)
                y = self.scroll_offset.y  # where _scroll_cursor_visible would scroll to
                if top < y:
                    landing = range(top, min(len(self._lines), top + height))
                elif bottom > y + height:
                    y = min(top, bottom - height)
                    landing = range(y, min(len(self._lines), y + height))
                break
        self._landing = (key, landing)
        return landing

    def line_text(self, y: int) -> str:
        """Plain text of virtual line ``y`` including the gutter (tests, accessibility)."""
        return "".join(seg.text for seg in self._render_strip(y)).rstrip()

    # ------------------------------------------------------------------ actions
    def action_cursor_down(self) -> None:
        self.move_cursor(1)

    def action_cursor_up(self) -> None:
        self.move_cursor(-1)

    def action_cursor_first(self) -> None:
        self._set_cursor(0)

    def action_cursor_last(self) -> None:
        self._set_cursor(len(self._nav) - 1)

    def action_page_down(self) -> None:
        self._page(+1)

    def action_page_up(self) -> None:
        self._page(-1)

    def _page(self, direction: int) -> None:
        if not self._nav:
            return
        height = max(1, self.scrollable_content_region.height)
        target_line = self.cursor_line + direction * height
        target_line = max(0, min(target_line, len(self._lines) - 1))
        # The sentence showing on the target line (or the nearest navigable one).
        best = self._cursor
        for i, b in enumerate(self._nav):
            first = self._block_first_line[b]
            if direction > 0 and first <= target_line:
                best = i
            elif direction < 0 and first >= target_line:
                best = i
                break
        if best == self._cursor:
            best = self._cursor + direction
        y = self.scroll_offset.y + direction * height
        # The cursor first (it may scroll to stay visible), then the page: the page's offset
        # wins, as it did when the page scroll was deferred to after a refresh, but both land
        # in the same frame.
        self._set_cursor(best)
        self.scroll_to(y=y, animate=False, immediate=True)

    # ------------------------------------------------------------------ internals
    def _set_cursor(self, index: int) -> None:
        if not self._nav:
            return
        self._stop_ahead()
        index = max(0, min(index, len(self._nav) - 1))
        if index != self._cursor:
            self._ahead_direction = 1 if index > self._cursor else -1
        if index == self._cursor:
            self._scroll_cursor_visible()
            return
        old = self._nav[self._cursor]
        self._cursor = index
        y_before = self.scroll_offset.y
        self._drop_block_strips(old)
        self._drop_block_strips(self._nav[index])
        self._scroll_cursor_visible()
        if self.scroll_offset.y == y_before:
            # Only the two sentences whose cursor style changed are repainted (a scroll
            # repaints the whole view by itself).
            self._refresh_block(old)
            self._refresh_block(self._nav[index])
        self._announce()

    def _announce(self) -> None:
        sentence = self.cursor_sentence
        if self.cursor_listener is not None:
            self.cursor_listener(sentence)
        self.post_message(self.CursorMoved(self, sentence))

    def _restore_cursor(self, sentence_id: str) -> None:
        if self.article is None:
            return
        target = self.analysis.sentence(sentence_id) if self.analysis else None
        best = 0
        for i, b in enumerate(self._nav):
            s = self._blocks[b].sentence
            if s is not None and target is not None and s.index <= target.index:
                best = i
        self._cursor = best

    def _rebuild_keep_cursor(self) -> None:
        if self.analysis is None or self.article is None:
            return
        current = self.cursor_sentence
        self._build_blocks()
        self._cursor = 0
        if current is not None:
            self._restore_cursor(current.id)
        self._relayout(force=True)
        self._scroll_cursor_visible()
        self._announce()

    def _scroll_cursor_visible(self) -> None:
        if not self._nav or not self._block_first_line:
            return
        b = self._nav[self._cursor]
        top = 0 if self._cursor == 0 else self._block_first_line[b]  # the header too, at the top
        bottom = self._block_first_line[b + 1] if b + 1 < len(self._block_first_line) else len(self._lines)
        height = max(1, self.scrollable_content_region.height)
        y = self.scroll_offset.y
        if top < y:
            self.scroll_to(y=top, animate=False, immediate=True)
        elif bottom > y + height:
            self.scroll_to(y=min(top, bottom - height), animate=False, immediate=True)

    def _build_blocks(self) -> None:
        a = self.article
        assert a is not None and self.analysis is not None
        blocks: list[_Block] = []
        blocks.append(_Block("header", a.title or "(no title)", style_name="reader--title"))
        meta = f"{a.outlet} (outlet from {a.outlet_cue})"
        if a.published:
            meta += f" · {a.published}"
        blocks.append(_Block("header", meta, style_name="reader--header"))
        if a.url:
            blocks.append(_Block("header", a.url, style_name="reader--meta"))
        blocks.append(
            _Block(
                "header",
                f"{a.path} · originality {self.analysis.originality(a):.0%}",
                style_name="reader--meta",
            )
        )
        blocks.append(_Block("blank", ""))
        nav: list[int] = []
        prev: Sentence | None = None
        for s in a.sentences:
            if s.role == "title" and a.title and s.text.strip() == a.title.strip():
                continue  # already the header's first line
            if s.role == "meta" and (
                (s.kind == "url" and a.url) or (s.kind == "date" and a.published)
            ):
                continue  # shown in the header
            if s.role == "boilerplate" and self.boilerplate_mode == "hidden":
                continue
            if prev is not None and "\n" in a.raw[prev.end : s.start]:
                blocks.append(_Block("blank", ""))
            text = s.text.replace("\r", " ").replace("\n", " ").replace("\t", " ")
            label = ""
            if s.role == "boilerplate" and self.show_labels:
                label = f"  ⟨{s.kind or 'boilerplate'}⟩"
            nav.append(len(blocks))
            blocks.append(_Block("sentence", text + label, sentence=s, label=label))
            prev = s
        self._blocks = blocks
        self._nav = nav
        self._landing = (None, range(0))
        self._text_cache.clear()
        self._strip_cache.clear()
        self._painted_cache.clear()
        self._final_cache.clear()

    def _relayout(self, force: bool = False) -> None:
        width = max(1, self.scrollable_content_region.width - GUTTER_WIDTH)
        if not force and width == self._layout_width:
            return
        self._layout_width = width
        lines: list[tuple[int, int, int]] = []
        first: list[int] = []
        for bi, block in enumerate(self._blocks):
            first.append(len(lines))
            for a, b in wrap_offsets(block.text, width):
                lines.append((bi, a, b))
        self._lines = lines
        self._block_first_line = first
        self._landing = (None, range(0))
        self._strip_cache.clear()
        self._painted_cache.clear()
        self._final_cache.clear()
        self.virtual_size = Size(width + GUTTER_WIDTH, len(lines))
        self.refresh()

    def on_resize(self) -> None:
        self._relayout()
        self._scroll_cursor_visible()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._invalidate()

    def _invalidate(self) -> None:
        self._style_cache.clear()
        self._text_cache.clear()
        self._strip_cache.clear()
        self._painted_cache.clear()
        self._final_cache.clear()
        self.refresh()

    def _block_lines(self, block: int) -> range:
        if not self._block_first_line:
            return range(0)
        start = self._block_first_line[block]
        end = self._block_first_line[block + 1] if block + 1 < len(self._block_first_line) else len(self._lines)
        return range(start, end)

    def _drop_block_strips(self, block: int) -> None:
        for y in self._block_lines(block):
            self._strip_cache.pop(y, None)
            self._painted_cache.pop(y, None)
            self._final_cache.pop(y, None)

    def _refresh_block(self, block: int) -> None:
        lines = self._block_lines(block)
        top = self.scroll_offset.y
        first = max(lines.start, top)
        last = min(lines.stop, top + self.scrollable_content_region.height)
        if first < last:
            self.refresh_lines(first, last - first)

    def _style(self, name: str) -> Style:
        st = self._style_cache.get(name)
        if st is None:
            st = self.get_component_rich_style(name, partial=True)
            self._style_cache[name] = st
        return st

    def _family_styles(self, family_id: str) -> tuple[Style, Style]:
        """(tint for shared text, strong colour for the gutter bar) of a family."""
        key = "family:" + family_id
        st = self._style_cache.get(key)
        if st is None:
            colour = Color.parse(family_colour(self.analysis, family_id))  # type: ignore[arg-type]
            base = self.background_colors[1]
            tint = base.blend(colour, 0.28 if base.brightness < 0.5 else 0.35)
            st = Style(bgcolor=tint.rich_color)
            self._style_cache[key] = st
            self._style_cache[key + ":bar"] = Style(color=colour.rich_color)
        return st, self._style_cache[key + ":bar"]

    def _block_text(self, bi: int) -> Text:
        t = self._text_cache.get(bi)
        if t is not None:
            return t
        block = self._blocks[bi]
        t = Text(block.text, end="", no_wrap=True)
        s = block.sentence
        if block.kind == "header":
            t.stylize(self._style(block.style_name))
        elif s is not None:
            body_len = len(block.text) - len(block.label)
            if s.role == "boilerplate":
                if self.boilerplate_mode == "dim":
                    t.stylize(self._style("reader--boilerplate"), 0, body_len)
                if block.label:
                    t.stylize(self._style("reader--label"), body_len)
            elif s.role == "title":
                t.stylize(self._style("reader--title"))
            elif s.role == "meta":
                t.stylize(self._style("reader--meta"))
            elif s.family is not None and self.analysis is not None:
                member = self.analysis.member(s)
                tint, _bar = self._family_styles(s.family)
                shared_style = tint + self._style("reader--shared")
                if member is not None:
                    for a, b in member.shared:
                        t.stylize(shared_style, max(0, a - s.start), min(body_len, b - s.start))
                    for a, b in member.differs:
                        t.stylize(self._style("reader--differs"), max(0, a - s.start), min(body_len, b - s.start))
        self._text_cache[bi] = t
        return t

    def _gutter(self, block: _Block, first_line: bool) -> list[Segment]:
        gstyle = self._style("reader--gutter")
        s = block.sentence
        if s is None or self.analysis is None or self.article is None:
            return [Segment(" " * GUTTER_WIDTH, gstyle)]
        if s.role != "body" or s.family is None:
            mark = {"boilerplate": "·", "title": "T", "meta": "M"}.get(s.role, " ")
            return [Segment((f"  {mark}    " if first_line else " " * GUTTER_WIDTH)[:GUTTER_WIDTH], gstyle)]
        fam = self.analysis.family_of(s)
        assert fam is not None
        _tint, bar = self._family_styles(fam.id)
        if not first_line:
            return [Segment("▌", bar), Segment(" " * (GUTTER_WIDTH - 1), gstyle)]
        glyph = (KIND_GLYPH_ASCII if self.ascii else KIND_GLYPH)[fam.kind]
        others = len({c.outlet for c in self.analysis.carriers(fam) if c.id != self.article.id})
        count = f"{others:>2}" if others < 100 else "99"
        if fam.first == s.id:
            first, fstyle = "*", self._style("reader--first")
        elif fam.first is None:
            first, fstyle = "?", gstyle
        else:
            first, fstyle = " ", gstyle
        return [
            Segment("▌", bar),
            Segment(glyph, gstyle + bar),
            Segment(count, gstyle),
            Segment(first, fstyle),
            Segment("  ", gstyle),
        ]

    def _render_strip(self, y: int) -> Strip:
        cached = self._strip_cache.get(y)
        if cached is not None:
            return cached
        width = self._layout_width + GUTTER_WIDTH
        if y >= len(self._lines) or y < 0:
            return Strip.blank(width)
        bi, a, b = self._lines[y]
        block = self._blocks[bi]
        first_line = self._block_first_line[bi] == y
        segs = self._gutter(block, first_line)
        text = self._block_text(bi)
        piece = text[a:b]
        piece.rstrip_end(self._layout_width)
        segs.extend(piece.render(self.app.console, end=""))
        strip = Strip(segs).crop_extend(0, width, None)
        if self._nav and self._nav[self._cursor] == bi:
            strip = strip.apply_style(self._style("reader--cursor"))
        self._strip_cache[y] = strip
        return strip

    def _base_style(self) -> Style:
        """The widget's own style (``rich_style`` walks every ancestor: cached with the others)."""
        st = self._style_cache.get("")
        if st is None:
            st = self._style_cache[""] = self.rich_style
        return st

    def render_lines(self, crop: Region) -> list[Strip]:
        """Finished lines from ``_final_cache``; only the missing ones go through Textual's
        styles pipeline (about 0.1 ms a line), in runs of consecutive rows."""
        styles = self.styles
        if self.BLANK or styles.gutter:  # padding or a border: rows are not interchangeable
            self._final_cache.clear()
            return super().render_lines(crop)
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        key = (scroll_x, self.size, self.background_colors, self.opacity, tuple(self.get_line_filters()))
        final = self._final_cache
        if key != self._final_key:
            final.clear()
            self._final_key = key
        top = crop.y
        rows = [final.get(scroll_y + y) for y in crop.line_range]
        i, n = 0, len(rows)
        while i < n:
            if rows[i] is not None:
                i += 1
                continue
            j = i
            while j < n and rows[j] is None:
                j += 1
            fresh = super().render_lines(Region(0, top + i, width, j - i))
            for k, strip in enumerate(fresh, start=i):
                rows[k] = final[scroll_y + top + k] = strip
            i = j
        if self._ahead_timer is None and self._lines:
            self._ahead_timer = self.set_timer(_AHEAD_DELAY, self._render_ahead, name="render-ahead")
        if crop.x or crop.width != width:
            x1, x2 = crop.column_span
            return [strip.crop(x1, x2) for strip in rows]  # type: ignore[union-attr]
        return rows  # type: ignore[return-value]

    def _stop_ahead(self) -> None:
        if self._ahead_timer is not None:
            self._ahead_timer.stop()
            self._ahead_timer = None

    def _ahead_missing(self) -> list[int]:
        """Virtual lines not yet finished within ``_AHEAD_PAGES`` pages of the view (nearest
        first, the side of the last move before the other), then where a repeat of the last
        jump would land, then the first and the last page."""
        height = self.size.height
        top = self.scroll_offset.y
        final = self._final_cache
        n = len(self._lines)
        below = range(top + height, min(n, top + height * (1 + _AHEAD_PAGES)))
        above = range(top - 1, max(-1, top - height * _AHEAD_PAGES - 1), -1)
        first, second = (below, above) if self._ahead_direction > 0 else (above, below)
        ends = (range(0, min(n, height)), range(max(0, n - height), n))  # where g and G land
        parts = (first, second, self._jump_landing(), *ends)  # and a repeated n/N/u/U
        return list(dict.fromkeys(y for part in parts for y in part if y not in final))

    def _render_ahead(self) -> None:
        """One slice of render-ahead: finish up to ``_AHEAD_SLICE`` missing lines near the view
        through the same styles pipeline as painted ones, then schedule the next slice."""
        self._ahead_timer = None
        if not self.is_mounted or self.BLANK or self.styles.gutter or not self._lines:
            return
        height = self.size.height
        if height <= 0:
            return
        key = (self.scroll_offset.x, self.size, self.background_colors, self.opacity,
               tuple(self.get_line_filters()))
        if key != self._final_key:
            return  # the view has not been painted with these settings yet
        missing = self._ahead_missing()
        if not missing:
            return
        todo = sorted(missing[:_AHEAD_SLICE])
        width = self.size.width
        final = self._final_cache
        cache = self._ahead_styles
        i = 0
        while i < len(todo):  # runs of consecutive lines, each rendered as rows 0.. of the view
            j = i + 1
            while j < len(todo) and todo[j] == todo[j - 1] + 1 and j - i < height:
                j += 1
            cache.clear()
            self._ahead_origin = todo[i]
            try:
                strips = cache.render_widget(self, Region(0, 0, width, j - i))
            finally:
                self._ahead_origin = None
            for vy, strip in zip(todo[i:j], strips):
                final[vy] = strip
            i = j
        if len(missing) > len(todo):
            self._ahead_timer = self.set_timer(_AHEAD_GAP, self._render_ahead, name="render-ahead")

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        vy = scroll_y + y if self._ahead_origin is None else self._ahead_origin + y
        cached = self._painted_cache.get(vy)
        if cached is not None and cached[0] == (scroll_x, width):
            return cached[1]
        base = self._base_style()
        painted = self._render_strip(vy).crop_extend(scroll_x, scroll_x + width, base).apply_style(base)
        self._painted_cache[vy] = ((scroll_x, width), painted)
        return painted
