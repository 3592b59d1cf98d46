"""The line memo of ``text.segment`` (paragraph-per-line texts, segmented line by line and
remembered by line text) gives what one scan over the whole text gives, in any context."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core import text
from tui.core.text import normalize, normalize_many, segment


def scanned(raw: str) -> list[tuple[int, int, int]]:
    """The segments of one scan over the whole text, without the memo."""
    lines = raw.splitlines(True)
    n = len(raw)
    width = text._wrap_width(lines) if len(lines) >= 3 and n < 160 * len(lines) else 0
    return [tuple(s) for s in text._segment_scan(raw, lines, width)] if raw else []


def check(raw: str) -> None:
    segs = segment(raw)
    assert [tuple(s) for s in segs] == scanned(raw)
    expected = [normalize(raw[s.start : s.end]) for s in segs]
    assert normalize_many(raw, segs) == expected
    assert normalize_many(raw, tuple(segs)) == expected


@pytest.fixture(autouse=True)
def empty_memo(empty_line_memo):
    """Each test starts and ends with segmentation's line memo empty (conftest)."""


# Lines whose segmentation could depend on what surrounds them, and news-like lines.
PIECES = [
    "WASHINGTON (AP) \u2014 The senator said on Monday. She left.",
    "LONDON, July 19 (Reuters) - Prices rose. Then fell.",
    "  SEOUL -- Officials met. \u201cWhy now?\u201d Biden",
    "\u201cWhy now?\u201d Biden",
    "asked the crowd. It was late.",
    "said. Then he went home.",
    "and then the lowercase line goes on.",
    "\u201cQuoted line opens here,\u201d he said.",
    "\u200bU.S. officials said. The end.",
    "\u200b\u200b",
    "Title Without Punctuation",
    "Mr. Smith met Dr. Jones at 5 p.m. Monday. No. 5 won.",
    "He said. \"",
    "- a list item",
    "1. first item",
    "http://example.com/a-b",
    "'Tis the --'season' of it\u2019s joy \u2026 really?! Yes.",
    "caf\u00e9 na\u00efve \u00a9 2024 Example News. All rights reserved.",
    "",
    "   ",
    "The end",
]
EOLS = ["\n", "\n", "\n\n", "\r\n", "\r", " \n", "\n  "]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from(EOLS)), min_size=1, max_size=12), st.booleans())
def test_memo_gives_the_whole_text_scan(parts: list[tuple[str, str]], last_eol: bool) -> None:
    raw = "".join(p + e for p, e in parts)
    if not last_eol:
        raw = raw.rstrip("\n\r ")
    check(raw)  # the lines met in earlier examples are in the memo now, from other contexts
    text._LINE_MEMO.clear()
    check(raw)  # and with an empty memo


def test_a_line_is_right_in_every_context() -> None:
    line = "\u201cWhy now?\u201d Biden\n"
    for raw in (
        "Head\n" + line + "asked the crowd.\n",  # the speaker goes on across the line end
        "Head\n" + line + "The end.\n",
        "Head\n" + line + "asked the crowd.\n",
        "Head\n" + line + "\nasked.\n",
    ):
        check(raw)
    soft = "The report\n"
    for raw in ("A\n" + soft + "went on to say it.\n", "A\n" + soft + "Next line.\n", "A\n" + soft + "went on to say it.\n"):
        check(raw)


def test_first_line_with_leading_space_is_not_stripped() -> None:
    for raw in ("  WASHINGTON (AP) \u2014 Foo bar.\nNext.\n", "x\n  WASHINGTON (AP) \u2014 Foo bar.\n", "  WASHINGTON (AP) \u2014 Foo bar.\n"):
        check(raw)


def test_other_line_ends_take_the_whole_text_scan() -> None:
    for eol in ("\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"):
        check(f"One.{eol}Two (c) /x\x0by/ \u2014 three{eol}four.\n")
        check(f"Title\nA line{eol}")


def test_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text, "_LINE_MEMO_MAX", 50)
    monkeypatch.setattr(text, "_LINE_MEMO_MAX_CHARS", 2_000)
    most = 0
    for k in range(200):
        raw = "".join(f"Sentence {k} number {i} of the text goes here.\n" for i in range(10))
        check(raw)
        most = max(most, len(text._LINE_MEMO))
        # emptied before a text when past a limit: over by at most one text's lines
        assert len(text._LINE_MEMO) <= 50 + 10
        assert text._line_memo_chars <= 2_000 + len(raw)
    assert most > 10  # it did remember


def test_long_lines_are_not_remembered() -> None:
    long_line = "word " * (text._LINE_MEMO_LONGEST // 5 + 1) + "end.\n"
    check("Title\n" + long_line)
    assert long_line not in text._LINE_MEMO
    assert "Title\n" in text._LINE_MEMO


def test_normalize_many_of_changed_segment_lists() -> None:
    raw = "Title\nOne \u201cquoted\u201d sentence here. Another one\u2019s there.\nLast line.\n"
    segs = segment(raw)
    assert len(segs) == 4
    expected = [normalize(raw[s.start : s.end]) for s in segs]
    fewer = segs[:-1]
    assert normalize_many(raw, fewer) == expected[:-1]
    segs.pop(0)  # the caller changes the list it was given
    assert normalize_many(raw, segs) == expected[1:]
    other = raw.replace("One", "Two")
    assert normalize_many(other, segment(raw)) == [normalize(other[s.start : s.end]) for s in segment(raw)]


def test_whitespace_characters_cover_the_regex_class() -> None:
    ws = re.compile(text._WS)
    assert {chr(i) for i in range(0x110000) if ws.fullmatch(chr(i))} == set(text._WS_CHARS)
