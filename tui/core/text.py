"""Normalization for matching and sentence segmentation with exact offsets.

Normalization is for matching, never for display: the raw text is kept untouched and
every sentence and token points back into it by character offsets.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Apostrophes and hyphens inside a word are dropped when matching: scrapers lose
# apostrophes ("Ukraines" for "Ukraine’s") and outlets disagree on hyphens
# ("hardworking" / "hard-working").
_JOINERS = "'\u2019\u2018\u02bc\u00b4`\u2010\u2011-"
_WORD_RE = re.compile(r"\w+(?:[" + re.escape(_JOINERS) + r"]\w+)*")
_JOINER_RE = re.compile("[" + re.escape(_JOINERS) + "]")


@dataclass(frozen=True, slots=True)
class Token:
    start: int  # offset into the text the token came from
    end: int
    norm: str  # matching form: casefolded, NFKC, apostrophes and hyphens removed


def norm_word(word: str) -> str:
    """The matching form of one word."""
    w = _JOINER_RE.sub("", word)
    if not w.isascii():
        w = unicodedata.normalize("NFKC", w)
    return w.casefold()


def tokens(text: str, offset: int = 0) -> list[Token]:
    """Word tokens of ``text`` with offsets (shifted by ``offset``) and matching forms."""
    return [Token(m.start() + offset, m.end() + offset, norm_word(m.group())) for m in _WORD_RE.finditer(text)]


def words(text: str) -> list[str]:
    """Matching forms of the words of ``text``."""
    return [norm_word(w) for w in _WORD_RE.findall(text)]


def normalize(text: str) -> str:
    """One string per sentence for matching: words in matching form, single spaces."""
    return " ".join(words(text))


@dataclass(frozen=True, slots=True)
class Segment:
    start: int
    end: int
    line: int  # 1-based line of ``start``


_LINE_RE = re.compile(r"[^\r\n]+")
_SPLIT_RE = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")


def segment(raw: str) -> list[Segment]:
    """Sentences of ``raw`` with exact offsets: ``raw[s.start:s.end]`` is the sentence text,
    stripped of surrounding whitespace.  (First version: lines, then sentence punctuation.)"""
    out: list[Segment] = []
    line = 1
    pos = 0
    for m in _LINE_RE.finditer(raw):
        line += raw.count("\n", pos, m.start())
        pos = m.start()
        text = m.group()
        start = 0
        for cut in _SPLIT_RE.finditer(text):
            piece_end = cut.start() + len(cut.group().rstrip())
            _emit(out, raw, m.start() + start, m.start() + piece_end, line)
            start = cut.end()
        _emit(out, raw, m.start() + start, m.end(), line)
    return out


def _emit(out: list[Segment], raw: str, start: int, end: int, line: int) -> None:
    while start < end and raw[start].isspace():
        start += 1
    while end > start and raw[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Segment(start, end, line))
