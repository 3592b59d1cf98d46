"""Boilerplate roles and kinds (first crude version; to be replaced keeping the interface)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .text import Segment


@dataclass(frozen=True, slots=True)
class Label:
    role: str  # "title" | "meta" | "body" | "boilerplate"
    kind: str | None = None


BODY = Label("body")

_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("copyright", re.compile(r"^(©|\(c\)|copyright\b)", re.I)),
    ("credit", re.compile(r"^(photo|image|picture)s?\s*:", re.I)),
    ("related", re.compile(r"^(read more|related|see also)\b", re.I)),
    ("attribution", re.compile(r"^\[?based on reporting by\b|contributed reporting\.?$", re.I)),
    ("comments", re.compile(r"^leave a (reply|comment)\b|required fields are marked", re.I)),
    ("contact", re.compile(r"^contact us\b", re.I)),
    ("related", re.compile(r"^source link$|^more must-see stories from\b", re.I)),
]


def label_own(
    raw: str, segments: Sequence[Segment], header: Mapping[int, Label]
) -> list[Label]:
    """Labels from the article's own cues.  ``header`` maps 1-based line numbers that
    ingest recognised as header lines (title, date, URL) to their label."""
    out: list[Label] = []
    for seg in segments:
        if seg.line in header:
            out.append(header[seg.line])
            continue
        text = raw[seg.start : seg.end]
        label = BODY
        for kind, rx in _RULES:
            if rx.search(text):
                label = Label("boilerplate", kind)
                break
        out.append(label)
    return out


def label_in_context(
    raw: str,
    segments: Sequence[Segment],
    labels: Sequence[Label],
    *,
    linked: Sequence[bool],
    repeated: Sequence[bool],
    story_words: Mapping[str, int] | None,
) -> list[Label]:
    """Refine labels with evidence from other articles: ``linked[i]`` says sentence i is in
    a family; ``repeated[i]`` that the same outlet carries the same line under another story;
    ``story_words`` counts the words of the story's other articles (None when alone)."""
    out = list(labels)
    for i, lab in enumerate(out):
        if lab.role == "body" and repeated[i]:
            out[i] = Label("boilerplate", "repeated")
    del story_words, linked
    return out
