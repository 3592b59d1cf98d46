"""label_own's memo of per-segment facts and its literal screen: same labels with and
without them, position-dependent cues never remembered, a bounded memo."""

from __future__ import annotations

import json
import random
from pathlib import Path

from tui.core import boilerplate as bp
from tui.core.boilerplate import Label, label_own
from tui.core.text import segment

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
REAL_LINES = json.loads(
    (Path(__file__).parent / "fixtures" / "boilerplate" / "real_lines.json").read_text("utf-8")
)

BIO = "Jane Doe is a senior writer for the Daily Planet."
CREDIT = "Photo: Jonathan Nackstrand/AFP"


def _body(i: int) -> str:
    return f"Paragraph {i} of the report says the council met on Tuesday and voted to approve the plan."


def _texts() -> list[str]:
    """Seeds, real boilerplate lines inside articles (one per line and several per line), and
    the position-dependent cues: a bio at the end and at the start, a caption above a credit,
    a comment section, a dateline, a two-sentence caption line."""
    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    lines = [text for text, _kind in REAL_LINES["boilerplate"]] + list(REAL_LINES["body"])
    texts.append("\n\n".join([_body(0), *lines, _body(1)]))
    texts.append("\n\n".join(" ".join(lines[i : i + 3]) for i in range(0, len(lines), 3)))
    texts.append("\n\n".join([_body(i) for i in range(6)] + [BIO]))
    texts.append("\n\n".join([BIO] + [_body(i) for i in range(6)]))
    texts.append(
        "\n\n".join(
            [_body(0), "The minister looks on at a briefing in the capital.", CREDIT, _body(1)]
        )
    )
    texts.append(
        "\n\n".join(
            [_body(i) for i in range(4)]
            + ["Comments", "Leave a comment below.", "Great article, thanks!"]
        )
    )
    texts.append("\n\n".join(["SEOUL, South Korea –", _body(0), "Posted on May 6, 2022", _body(1)]))
    texts.append(
        "\n\n".join(
            [
                _body(0),
                "This undated photo released by the agency shows the site. It was taken in 2019.",
                _body(1),
            ]
        )
    )
    return texts


def _label_all(texts: list[str]) -> list[list[Label]]:
    return [label_own(raw, segment(raw), {}) for raw in texts]


def test_memo_gives_the_labels_of_a_fresh_classification(monkeypatch):
    texts = _texts()
    bp._clear_memo()
    monkeypatch.setattr(bp, "_FACTS_LEN", -1)
    fresh = _label_all(texts)
    assert not bp._FACTS
    monkeypatch.undo()
    bp._clear_memo()
    cold = _label_all(texts)
    assert bp._FACTS  # the run remembered segments
    warm = _label_all(texts)  # every short segment now comes from the memo
    backwards = _label_all(texts[::-1])[::-1]
    bp._clear_memo()
    assert fresh == cold == warm == backwards
    # the cues under test did fire
    kinds = {lab.kind for labs in fresh for lab in labs}
    assert {"byline", "caption", "credit", "comments", "dateline", "date", "copyright"} <= kinds


def test_position_dependent_cues_are_not_remembered():
    bp._clear_memo()
    at_end = "\n\n".join([_body(i) for i in range(6)] + [BIO])
    at_start = "\n\n".join([BIO] + [_body(i) for i in range(6)])
    for raw in (at_end, at_start, at_end):
        segs = segment(raw)
        labels = label_own(raw, segs, {})
        (bio_label,) = [lab for s, lab in zip(segs, labels) if raw[s.start : s.end] == BIO]
        assert bio_label == (Label("boilerplate", "byline") if raw is at_end else Label("body"))
    # a line above a credit is its caption; the same line elsewhere is body
    line = "The minister looks on at a briefing in the capital."
    for raw, want in (
        ("\n\n".join([_body(0), line, CREDIT]), Label("boilerplate", "caption")),
        ("\n\n".join([_body(0), line, _body(1)]), Label("body")),
    ):
        segs = segment(raw)
        labels = label_own(raw, segs, {})
        assert [lab for s, lab in zip(segs, labels) if raw[s.start : s.end] == line] == [want]
    bp._clear_memo()


def test_memo_is_bounded(monkeypatch):
    bp._clear_memo()
    monkeypatch.setattr(bp, "_FACTS_MAX", 5)
    raw = (
        "\n\n".join(_body(i) for i in range(40))
        + "\n\n"
        + "A long sentence about the budget. " * 20
    )
    segs = segment(raw)
    labels = label_own(raw, segs, {})
    assert 0 < len(bp._FACTS) <= 5
    assert all(len(t) <= bp._FACTS_LEN for t in bp._FACTS)
    monkeypatch.setattr(bp, "_FACTS_LEN", -1)
    bp._clear_memo()
    assert label_own(raw, segs, {}) == labels
    bp._clear_memo()


def test_literal_screen_finds_exactly_the_literals():
    keys = bp._ANY_KEYS
    screen = bp._ANY_SCREEN
    for k in keys:
        for text in (k, "x" + k, k + "y", f"the {k} end", k[:-1] + " " + k):
            assert screen.search(text), (k, text)
        assert not screen.search(k[:-1]) or any(o in k[:-1] for o in keys), k
    rng = random.Random(4)
    pieces = [k[: rng.randrange(1, len(k) + 1)] for k in keys] + [
        "the ",
        "not ",
        "us ",
        " ",
        "e",
        "b",
    ]
    samples = [p.read_text(encoding="utf-8").lower() for p in SEEDS]
    samples += [text.lower() for text, _kind in REAL_LINES["boilerplate"]]
    samples += [
        "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 12))) for _ in range(3000)
    ]
    for text in samples:
        assert bool(screen.search(text)) == any(k in text for k in keys), text
    # the screen built for other literals behaves the same way
    other = bp._literal_screen(["zebra", "quiz", "a", "yy"])
    assert other.search("a quiz") and other.search("xyyx") and not other.search("bbb y")


def _plain_norm(text: str) -> str:
    t = (
        text.replace("\u2019", "'")
        .replace("\u2018", "'")
        .replace("\u201c", '"')
        .replace("\u201d", '"')
    )
    t = t.replace("\u00a0", " ")
    return t.translate(bp._CONFUSABLES) if bp._NON_LATIN_LOOKALIKE_RE.search(t) else t


def test_norm_and_the_lookalike_screen_agree_with_the_plain_definition():
    rng = random.Random(11)
    alphabet = list("abc XYZ.,©£–—\u00a0\u2019\u201c\u201dé\ud800ոѕоԁԯ԰Ѐӿ") + ["\U0001f600"]
    texts = [
        "",
        "plain",
        "Соntасt uѕ",
        "\u201cQuoted\u201d \u2013 ok",
        "© 2024 – £5",
        "Armenian ո only",
        "\u0530x",
    ]
    texts += [
        "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 30))) for _ in range(3000)
    ]
    for text in texts:
        assert bp._has_lookalike(text) == bool(bp._NON_LATIN_LOOKALIKE_RE.search(text)), repr(text)
        assert bp._norm(text) == _plain_norm(text), repr(text)
        whole = bp._normed(text)
        if whole is not None:  # sliced from the whole, as label_own does
            assert len(whole) == len(text)
            for a in range(0, len(text), 3):
                for b in range(a, len(text) + 1, 4):
                    assert whole[a:b] == bp._norm(text[a:b]), (repr(text), a, b)
