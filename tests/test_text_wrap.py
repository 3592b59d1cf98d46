"""A hard-wrapped text is told from its lines' memo entries as from its lines: ``segment``
gives what one scan with ``_wrap_width`` of the lines gives, whatever the memo holds."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core import text
from tui.core.text import segment

SENTENCES = [
    "The senator said on Monday that the bill would pass before the recess",
    "Officials met in Seoul to discuss the talks, which had stalled for months.",
    "\u201cWhy now?\u201d Biden asked the crowd gathered outside the hall.",
    "Prices rose sharply in July and fell back in August, analysts said:",
    "It was late",
    "- a list item that is long enough to be wrapped onto the next line of text",
]


def scanned(raw: str) -> list[tuple[int, int, int]]:
    lines = raw.splitlines(True)
    width = text._wrap_width(lines) if len(lines) >= 3 and len(raw) < 160 * len(lines) else 0
    return [tuple(s) for s in text._segment_scan(raw, lines, width)]


@pytest.fixture(autouse=True)
def empty_memo(empty_line_memo):
    """Each test starts and ends with segmentation's line memo empty (conftest)."""


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=4), min_size=1, max_size=5),
    st.integers(min_value=25, max_value=120),
    st.sampled_from(["\n\n", "\n", "\n\u200b\n", "\n \n", "\r\n\r\n"]),
)
def test_wrapped_texts_segment_as_one_scan(paras: list[list[str]], width: int, gap: str) -> None:
    raw = gap.join(textwrap.fill(" ".join(p), width) for p in paras) + "\n"
    for _ in range(2):  # with an empty memo, then with the memo holding the text's lines
        assert [tuple(s) for s in segment(raw)] == scanned(raw)


def test_a_wrapped_text_is_found_wrapped() -> None:
    plain = [SENTENCES[0], SENTENCES[1], SENTENCES[3], SENTENCES[4]]  # none leans on the next line
    raw = textwrap.fill(" ".join(plain * 3), 60) + "\n"
    lines = raw.splitlines(True)
    assert text._wrap_width(lines) > 0
    segment(raw)  # the memo now holds every line
    entries = [text._LINE_MEMO[ln] for ln in lines]
    assert text._entries_wrap_width(entries) == text._wrap_width(lines)
    assert [tuple(s) for s in segment(raw)] == scanned(raw)
    # paragraphs one per line, with blank lines between, are not
    flat = "\n\n".join(plain) + "\n"
    segment(flat)
    lines = flat.splitlines(True)
    assert text._wrap_width(lines) == 0
    assert text._entries_wrap_width([text._LINE_MEMO[ln] for ln in lines]) == 0


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["a", "b ", "\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029", "\u201c"]), min_size=1, max_size=12))
def test_only_nl_cr_counts_the_line_ends(parts: list[str]) -> None:
    raw = "".join(parts)
    lines = raw.splitlines(True)
    # every line but an unterminated last one ends with \n or \r (\r\n ends with \n)
    terminated = lines if raw[-1] in text._LB else lines[:-1]
    assert text._only_nl_cr(raw, lines) == all(line[-1] in "\n\r" for line in terminated)
