"""A vertical scrollbar that paints its strips straight from the thumb geometry.

Textual's stock ``ScrollBar`` goes through ``render()`` → a Rich renderable → the console →
the widget's styles cache on every repaint: about 0.15 ms per row, so 5 ms for a 37-row bar on
every scroll of a long article.  ``LineScrollBar`` computes the same segments with the stock
``ScrollBarRender.render_bar`` (same glyphs, styles and mouse metadata), makes one strip per
row, and keeps the strips of the last few thumb positions: a scroll that does not move the
thumb by a whole eighth of a cell repaints nothing new.

Only the vertical bar is replaced (``ArticleView`` never scrolls sideways).
"""

from __future__ import annotations

from math import ceil

from rich.segment import Segment
from textual.geometry import Region
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip
from textual.widget import Widget

_CACHE_SIZE = 16
_ROWS_SIZE = 64


def _thumb(size: int, virtual_size: int, window_size: int, position: float) -> tuple[int, int] | None:
    """The thumb's start and end in eighths of a cell, as ``ScrollBarRender.render_bar`` places it."""
    if not (window_size and size and virtual_size and size != virtual_size):
        return None
    len_bars = len(ScrollBarRender.VERTICAL_BARS)
    thumb_size = max(1, window_size / (virtual_size / size))
    pos = (size - thumb_size) * (position / (virtual_size - window_size))
    start = int(pos * len_bars)
    return start, start + ceil(thumb_size * len_bars)


class LineScrollBar(ScrollBar):
    """``ScrollBar`` with cached, directly built strips (vertical only)."""

    def __init__(self, vertical: bool = True, name: str | None = None, *, thickness: int = 1) -> None:
        super().__init__(vertical=vertical, name=name, thickness=thickness)
        self._strips_cache: dict[tuple, list[Strip]] = {}
        self._rows: dict[tuple, Strip] = {}
        self._rows_key: tuple | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        renderer = self.render()
        if not self.vertical or type(renderer) is not ScrollBarRender or type(self).renderer is not ScrollBarRender:
            return super().render_lines(crop)
        width, height = self.size
        style = renderer.style
        filters = tuple(self.get_line_filters())
        _base, background = self.background_colors
        thumb = _thumb(height, renderer.virtual_size, renderer.window_size, renderer.position)
        key = (width, height, thumb, style, filters, background, self.visual_style)
        strips = self._strips_cache.get(key)
        if strips is None:
            strips = self._build(renderer, width, height, filters, background)
            if len(self._strips_cache) >= _CACHE_SIZE:
                self._strips_cache.pop(next(iter(self._strips_cache)))
            self._strips_cache[key] = strips
        rows = strips[crop.y : crop.y + crop.height]
        if crop.x or crop.width != width:
            rows = [s.crop(crop.x, crop.x + crop.width) for s in rows]
        return rows

    def _build(self, renderer: ScrollBarRender, width: int, height: int, filters: tuple, background) -> list[Strip]:
        style = renderer.style
        bar = renderer.render_bar(
            size=height,
            window_size=renderer.window_size,
            virtual_size=renderer.virtual_size,
            position=renderer.position,
            vertical=True,
            thickness=width,
            back_color=style.bgcolor or ScrollBarRender.render_bar.__defaults__[6],  # type: ignore[union-attr,index]
            bar_color=style.color or ScrollBarRender.render_bar.__defaults__[7],  # type: ignore[union-attr,index]
        )
        base = self.visual_style.rich_style  # what the stock path paints beneath the bar
        # A bar has at most five distinct rows (track above, thumb, track below, two partial
        # ends): each distinct row is styled and filtered once, here and for later thumb
        # positions (rows cached while width, base style, filters and background stay put).
        rows_key = (width, base, filters, background)
        if rows_key != self._rows_key:
            self._rows_key = rows_key
            self._rows.clear()
        rows = self._rows
        strips: list[Strip] = []
        for seg in bar.segments:
            row_key = (seg.text, seg.style)
            strip = rows.get(row_key)
            if strip is None:
                strip = Strip([Segment(seg.text, base + seg.style)], width)
                for line_filter in filters:
                    strip = strip.apply_filter(line_filter, background)
                if len(rows) >= _ROWS_SIZE:
                    rows.clear()
                rows[row_key] = strip
            strips.append(strip)
        return strips


def install_line_scrollbar(widget: Widget) -> None:
    """Give ``widget`` a ``LineScrollBar`` as its vertical scrollbar (before it is first shown)."""
    if widget._vertical_scrollbar is None:
        bar = LineScrollBar(vertical=True, name="vertical", thickness=widget.scrollbar_size_vertical)
        bar.display = False
        widget._vertical_scrollbar = bar
        widget.app._start_widget(widget, bar)
