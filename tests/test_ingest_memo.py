"""The memo of ``ingest.parse_date`` (header lines repeat across articles): the same answers
with and without it, and bounded."""

from __future__ import annotations

import pytest

from tui.core import ingest
from tui.core.ingest import parse_date, parse_header

LINES = [
    "20240319",
    "2024-03-19",
    "March 19, 2024",
    "19 March 2024",
    "Published on: Fri, 11 Nov 2011 at 09:56 IST",
    "Updated 03/04/2021 10:00 GMT",
    "31/02/2020",
    "Rushed for 226 yards while Peyton Hillis added 101",
    "A title without digits",
    "  2024-03-19  ",
    "",
    "x" * 95 + " 2024-03-19",
]


@pytest.fixture(autouse=True)
def empty_memo():
    ingest._DATE_MEMO.clear()
    yield
    ingest._DATE_MEMO.clear()


def test_same_answers_with_and_without_the_memo() -> None:
    first = [parse_date(t) for t in LINES]  # filling the memo
    assert first[0] == first[1] == first[2] == first[3] == first[9] == "2024-03-19"
    assert first[4] == "2011-11-11" and first[6] is None and first[7] is None and first[10] is None
    assert [parse_date(t) for t in LINES] == first  # from the memo
    assert [ingest._parse_date(t.strip()) if t.strip() and len(t.strip()) <= 90 else None for t in LINES] == first


def test_headers_agree_across_repeats() -> None:
    raw = "Rushed for 226 yards while Peyton Hillis added 101\n20240319\nhttps://x.example/a\n\nBody text here.\n"
    h1 = parse_header(raw)
    h2 = parse_header(raw)
    assert h1 == h2
    assert (h1.title_line, h1.published, h1.date_line, h1.url, h1.url_line) == (1, "2024-03-19", 2, "https://x.example/a", 3)


def test_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "_DATE_MEMO_MAX", 30)
    for day in range(1, 29):
        for month in range(1, 13):
            assert parse_date(f"2020-{month:02d}-{day:02d}") == f"2020-{month:02d}-{day:02d}"
            assert len(ingest._DATE_MEMO) <= 30
    # lines too long for a date line are never kept
    parse_date("1" * 91)
    assert "1" * 91 not in ingest._DATE_MEMO
