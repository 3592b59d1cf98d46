"""Boilerplate labeller: own cues, line-level cues, story evidence, real lines."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from tui.core.boilerplate import Label, label_in_context, label_own
from tui.core.text import Segment, segment, words

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).parent / "fixtures" / "boilerplate"


def _seed(prefix: str) -> str:
    (path,) = SEEDS.glob(prefix + "_*.txt")
    return path.read_text(encoding="utf-8")


def _by_line(raw: str, labels: list[Label], segs: list[Segment]) -> dict[int, set[Label]]:
    out: dict[int, set[Label]] = {}
    for s, lab in zip(segs, labels):
        out.setdefault(s.line, set()).add(lab)
    return out


def _own(raw: str, header: dict[int, Label] | None = None) -> tuple[list[Segment], list[Label]]:
    segs = segment(raw)
    return segs, label_own(raw, segs, header or {})


def _alone(raw: str) -> tuple[list[Segment], list[Label]]:
    segs, labels = _own(raw)
    n = len(segs)
    return segs, label_in_context(raw, segs, labels, linked=[False] * n, repeated=[False] * n, story_words=None)


def _boiler_lines(raw: str, segs: list[Segment], labels: list[Label]) -> dict[int, str]:
    """Line number -> kind, for lines whose every segment is boilerplate of one kind."""
    out = {}
    for line, labs in _by_line(raw, labels, segs).items():
        if all(lab.role == "boilerplate" for lab in labs):
            (kind,) = {lab.kind for lab in labs}
            out[line] = kind
    return out


def _doc(*paras: str) -> str:
    """Paragraphs separated by blank lines (so segmentation never joins them)."""
    return "\n\n".join(paras)


def _labels_in(raw: str, segs, labels, para: str) -> list[Label]:
    """Labels of the segments inside the first occurrence of paragraph ``para``."""
    start = raw.index(para)
    end = start + len(para)
    return [lab for s, lab in zip(segs, labels) if start <= s.start < end]


def _no_partial_lines(raw, segs, labels):
    for line, labs in _by_line(raw, labels, segs).items():
        roles = {lab.role for lab in labs}
        assert not ("boilerplate" in roles and "body" in roles), f"line {line} is half boilerplate: {labs}"


# ------------------------------------------------------------------------ seeds
def test_seed_000_copyright_line_all_segments():
    raw = _seed("000")
    segs, labels = _alone(raw)
    last = max(s.line for s in segs)
    assert _boiler_lines(raw, segs, labels) == {last: "copyright"}
    assert sum(1 for s in segs if s.line == last) >= 2  # a multi-sentence line, every part labelled
    _no_partial_lines(raw, segs, labels)


def test_seed_002_credit_and_four_trailing_stories_from_own_cues():
    raw = _seed("002")
    segs, labels = _alone(raw)
    lines = raw.split("\n")
    photo = lines.index("Photo: Reuters") + 1
    trailing = [i + 1 for i, ln in enumerate(lines) if ln.startswith(("SUPPORT:", "FREEDOM NO MORE:", "Two US Navy", "MILITANTS"))]
    assert len(trailing) == 4
    expected = {photo: "credit", **{ln: "trailing" for ln in trailing}}
    assert _boiler_lines(raw, segs, labels) == expected
    _no_partial_lines(raw, segs, labels)


def test_seed_003_attribution():
    raw = _seed("003")
    segs, labels = _alone(raw)
    line = raw.split("\n").index("[Based on reporting by: The Guardian]") + 1
    assert _boiler_lines(raw, segs, labels) == {line: "attribution"}


def test_seed_004_links_caption_credit_prompt_contact_comments():
    raw = _seed("004")
    segs, labels = _alone(raw)
    lines = raw.split("\n")

    def no(prefix: str) -> int:
        return next(i + 1 for i, ln in enumerate(lines) if ln.startswith(prefix))

    read_more = [i + 1 for i, ln in enumerate(lines) if ln.startswith("Read more:")]
    assert len(read_more) == 2
    expected = {
        **{ln: "related" for ln in read_more},
        no("This undated photo released by"): "caption",
        no("STR/KCNA VIA KNS/AFP"): "credit",
        no("More must-see stories from TIME"): "prompt",
        no("Contact us at"): "contact",
        no("Source link"): "related",
        no("Leave a Reply"): "comments",
        no("Your email address will not be published"): "comments",
    }
    assert _boiler_lines(raw, segs, labels) == expected
    _no_partial_lines(raw, segs, labels)


def test_seed_001_header_labels_pass_through():
    raw = _seed("001")
    header = {1: Label("title"), 2: Label("meta", "date"), 3: Label("meta", "url")}
    segs, labels = _own(raw, header)
    by_line = _by_line(raw, labels, segs)
    assert by_line[1] == {Label("title")} and by_line[2] == {Label("meta", "date")}
    assert all(lab == Label("body") for s, lab in zip(segs, labels) if s.line > 3)


# ------------------------------------------------------------------ body stays body
BODY_SENTENCES = [
    "NK News, a Seoul-based Web site, reported that Matsegora said North Korean workers could help rebuild.",
    "The photo, released by the agency on Monday, shows the leader at a missile test, officials said.",
    "Photos of the rally were shared widely on social media, the newspaper reported.",
    "He told Reuters the company would read more of the documents before deciding.",
    "Contacts between the two sides were limited, said a spokesman for the ministry.",
    "The court heard that the man entered the house without permission on December 27.",
    "Subscribers to the service rose 8 percent, the company said in its quarterly report.",
    "Follow-up tests showed high levels of carbon monoxide in her blood.",
    "Comments by the minister drew criticism from opposition lawmakers on Tuesday.",
    "“Copyright law was never meant for this,” said the author, who sued the publisher.",
    "The Guardian reported that the ambassador had been summoned by the foreign ministry.",
    "By the end of the day, it was over.",
    "By Monday, the two sides had agreed to talk.",
    "Source: the figures come from the national statistics office, which publishes them monthly.",
]


@pytest.mark.parametrize("sentence", BODY_SENTENCES)
def test_body_sentences_that_mention_cue_words_stay_body(sentence):
    raw = _doc("A first paragraph of the article, which is plainly news.", sentence, "A last paragraph ends here.")
    _, labels = _alone(raw)
    assert all(lab.role == "body" for lab in labels), labels


def test_real_lines_fixture():
    data = json.loads((FIXTURES / "real_lines.json").read_text(encoding="utf-8"))
    for text, kind in data["boilerplate"]:
        raw = _doc("The article starts here with a real sentence.", text, "And it goes on after it.")
        segs, labels = _alone(raw)
        got = set(_labels_in(raw, segs, labels, text))
        assert got == {Label("boilerplate", kind)}, (text, got)
    for text in data["body"]:
        segs, labels = _alone(text)
        assert all(lab.role in ("body", "meta") for lab in labels), (text, labels)


# ----------------------------------------------------------------- line-level cues
def test_caption_glued_to_credit_on_one_line():
    caption = "The epidemiologist at one of the agency's daily briefings. Photo: Jonathan Nackstrand/AFP"
    raw = _doc("The agency said the tests went well.", caption, "A growing number of supporters put his face on t-shirts.")
    segs, labels = _alone(raw)
    assert {lab.kind for lab in _labels_in(raw, segs, labels, caption)} == {"caption", "credit"}
    assert sum(lab.role == "body" for lab in labels) == 2


def test_lookalike_letters_do_not_hide_a_contact_line():
    line = "Соntасt uѕ аt news@example.com оr саll uѕ."
    raw = _doc("Body sentence one is here.", line, "Body two.")
    segs, labels = _alone(raw)
    assert [lab.kind for lab in _labels_in(raw, segs, labels, line)] == ["contact"]


def test_comment_section_tail():
    body = [f"Paragraph {i} of the story says something about the council vote." for i in range(6)]
    raw = _doc(*body, "Comments", "This is a disgrace and the council should resign now", "I agree with the decision.")
    segs, labels = _alone(raw)
    tail = raw.index("Comments")
    assert [lab.kind for s, lab in zip(segs, labels) if s.start >= tail] == ["comments"] * 3
    assert all(lab.role == "body" for s, lab in zip(segs, labels) if s.start < tail)


def test_dateline_segment_is_meta_not_boilerplate():
    raw = "SEOUL, South Korea – The head of the region sent a message."
    cut = raw.index("The")
    segs = [Segment(0, cut - 1, 1), Segment(cut, len(raw), 1)]
    labels = label_own(raw, segs, {})
    assert labels == [Label("meta", "dateline"), Label("body")]


def test_date_stamp_lines_are_meta():
    for line in ("Posted on", "Release Date:", "May 06, 2022 News", "November 08, 2023"):
        raw = _doc("A body sentence comes first.", line, "Another body sentence.")
        segs, labels = _alone(raw)
        assert _labels_in(raw, segs, labels, line) == [Label("meta", "date")], line


# ------------------------------------------------------------------- trailing
_STORY = [
    "North Korea could send workers to Russian-held Donbas, the ambassador said on Monday.",
    "The plan would breach United Nations sanctions on Pyongyang, analysts in Seoul warned.",
    "Ukraine cut diplomatic ties with North Korea after it recognised the separatist republics.",
    "Matsegora said Korean builders could help restore infrastructure destroyed in the war.",
]
_TEASERS = [
    "Two US Navy pilots were shot down over the Red Sea in an apparent friendly fire incident, the military "
    "said, marking the most serious incident to threaten troops in over a year of operations against rebels. "
    "Both pilots were recovered alive after ejecting from their stricken aircraft with minor injuries.",
    "Washington is scrapping a long-standing reward for the arrest of the new leader in Damascus, a senior "
    "diplomat said on Friday following positive messages from a first meeting that included a promise to fight "
    "terrorism. The lightning offensive toppled the former president within twelve days of fighting.",
]


def _story_words(sentences):
    return Counter(w for s in sentences for w in set(words(s)))


def test_trailing_from_story_evidence_needs_a_linked_anchor():
    raw = _doc(*_STORY, "WASHINGTON SCRAPS BOUNTY ON NEW LEADER", *_TEASERS)  # complete sentences: no own cue
    segs, labels = _own(raw)
    assert all(lab.role == "body" for lab in labels)
    n = len(segs)
    linked = [s.start < raw.index(_STORY[2]) for s in segs]
    others = _story_words(_STORY)
    out = label_in_context(raw, segs, labels, linked=linked, repeated=[False] * n, story_words=others)
    first_teaser = raw.index("WASHINGTON SCRAPS")
    assert [lab.kind for s, lab in zip(segs, out) if lab.role == "boilerplate"] == ["trailing"] * sum(
        s.start >= first_teaser for s in segs
    )
    assert all(lab.role == "body" for s, lab in zip(segs, out) if s.start < first_teaser)
    # no shared sentence at all (seed 004's case): no anchor, no trailing
    out = label_in_context(raw, segs, labels, linked=[False] * n, repeated=[False] * n, story_words=others)
    assert all(lab.role == "body" for lab in out)
    # alone: no story evidence
    out = label_in_context(raw, segs, labels, linked=linked, repeated=[False] * n, story_words=None)
    assert all(lab.role == "body" for lab in out)


def test_on_topic_tail_is_not_trailing():
    tail = (
        "North Korea has launched more than thirty missiles this year, and the ambassador said the sanctions "
        "on Pyongyang had failed, while Ukraine accused Russia of using the Donbas workers plan as propaganda."
    )
    raw = _doc(*_STORY, tail)
    segs, labels = _own(raw)
    n = len(segs)
    linked = [s.start < raw.index(_STORY[2]) for s in segs]
    out = label_in_context(raw, segs, labels, linked=linked, repeated=[False] * n, story_words=_story_words(_STORY))
    assert all(lab.role == "body" for lab in out)


def test_single_truncated_paragraph_at_the_end_is_not_enough_alone():
    para = "The committee met on Tuesday to discuss the budget and the new school, which opened last year."
    last = (
        "Residents who spoke at the meeting said the plan would change the character of the town, and several "
        "asked the council to delay the vote until an independent study of traffic and water use was finished and"
    )
    raw = _doc(*[para] * 4, last)
    _, labels = _alone(raw)
    assert all(lab.role == "body" for lab in labels)


def test_repeated_line_is_boilerplate_repeated():
    line = "The Tuesday edition of the Morning Ledger, Springfield"
    raw = _doc("Story text is here.", line)
    segs, labels = _own(raw)
    rep = [s.start >= raw.index(line) for s in segs]
    out = label_in_context(raw, segs, labels, linked=[False] * len(segs), repeated=rep, story_words=None)
    assert _labels_in(raw, segs, out, line) == [Label("boilerplate", "repeated")]
    assert out[0] == Label("body")


def test_one_label_per_segment_on_empty_and_odd_input():
    for raw in ("", "\n\n", "***", "—", "a"):
        segs, labels = _alone(raw)
        assert len(labels) == len(segs)


def test_story_evidence_from_the_callers_norms_agrees_with_tokenizing():
    """``norms`` (the pipeline's per-sentence normalize strings) spare re-tokenizing; the
    labels must be the same as from the raw text, trailing run or not, non-ASCII included."""
    from tui.core.text import normalize

    cases = [
        (_doc(*_STORY, "WASHINGTON SCRAPS BOUNTY ON NEW LEADER", *_TEASERS), True),
        (_doc(*_STORY, "Ｆｕｌｌ-width “quotes” and Ukraine’s ﬁnal café words, which NFKC changes.", *_TEASERS), True),
        (
            _doc(
                *_STORY,
                "North Korea has launched more than thirty missiles this year, and the ambassador said the sanctions "
                "on Pyongyang had failed, while Ukraine accused Russia of using the Donbas workers plan as propaganda.",
            ),
            False,
        ),
    ]
    for raw, expect_trailing in cases:
        segs, labels = _own(raw)
        n = len(segs)
        linked = [s.start < raw.index(_STORY[2]) for s in segs]
        norms = [normalize(raw[s.start : s.end]) for s in segs]
        kw = dict(linked=linked, repeated=[False] * n, story_words=_story_words(_STORY))
        plain = label_in_context(raw, segs, labels, **kw)
        fast = label_in_context(raw, segs, labels, **kw, norms=norms)
        assert fast == plain
        assert any(lab.kind == "trailing" for lab in fast) == expect_trailing


def test_a_lines_label_does_not_depend_on_lookalike_letters_elsewhere():
    # "ո" (Armenian) is mapped only in a segment that also holds Cyrillic lookalikes, so this
    # comment-form line reads "will ոot be published" and stays body, with or without an
    # obfuscated contact line elsewhere in the article.
    odd = "Your email address will \u0578ot be published."
    plain = _doc("The council met on Tuesday to discuss the budget.", odd, "The vote was close.")
    mixed = _doc("The council met on Tuesday to discuss the budget.", odd, "Соntасt uѕ аt news@example.com оr саll uѕ.")
    segs, labels = _alone(plain)
    alone = _labels_in(plain, segs, labels, odd)
    segs, labels = _alone(mixed)
    assert _labels_in(mixed, segs, labels, odd) == alone == [Label("body")]
    assert _boiler_lines(mixed, segs, labels) == {5: "contact"}
    # the same line with a Latin "n" is the comment-form notice
    segs, labels = _alone(plain.replace("\u0578", "n"))
    assert [lab.kind for lab in _labels_in(plain.replace("\u0578", "n"), segs, labels, odd.replace("\u0578", "n"))] == ["comments"]


def test_anywhere_cues_found_in_non_ascii_article():
    # curly quotes and a no-break space make the article non-ASCII: it is normalised whole
    notice = "\u00a9 2024 Example\u00a0News. All rights reserved."
    raw = _doc("\u201cWe will rebuild,\u201d the mayor said on Monday.", "Officials expect the work to take a year.", notice)
    segs, labels = _alone(raw)
    assert _boiler_lines(raw, segs, labels) == {5: "copyright"}
    assert all(lab.role == "body" for s, lab in zip(segs, labels) if s.line < 5)
