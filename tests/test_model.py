"""The model's lazy sentence columns behave as the tuple of sentences they stand for."""

from __future__ import annotations

import pickle
from pathlib import Path

from tui.core.model import Analysis, Article, Sentence, SentenceRows, Story, body_chars, summarize
from tui.core.pipeline import analyze

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _rows() -> SentenceRows:
    raw = "Title\nOne two three. Four five six.\nFooter"
    return SentenceRows("a0", raw, [0, 6, 21, 36], [5, 20, 35, 42], [1, 2, 2, 3], ["title", "body", "body", "boilerplate"], [None, None, None, "related"], [None, "f0", None, None])


def test_rows_equal_the_sentences_they_stand_for():
    rows = _rows()
    assert len(rows) == 4 and rows._built is None  # a length builds nothing
    want = (
        Sentence("a0.s0", "a0", 0, 0, 5, 1, "Title", "title"),
        Sentence("a0.s1", "a0", 1, 6, 20, 2, "One two three.", "body", None, "f0"),
        Sentence("a0.s2", "a0", 2, 21, 35, 2, "Four five six.", "body"),
        Sentence("a0.s3", "a0", 3, 36, 42, 3, "Footer", "boilerplate", "related"),
    )
    assert body_chars(rows) == (28, 14) == body_chars(want)
    assert rows._built is None
    assert rows == want and tuple(rows) == want and rows[1:3] == want[1:3] and rows[-1] == want[-1]
    assert hash(rows) == hash(want)
    assert pickle.loads(pickle.dumps(rows)) == want


def test_rows_refuse_columns_out_of_step():
    try:
        SentenceRows("a0", "x", [0], [1], [1, 2], ["body"], [None], [None])
    except ValueError:
        return
    raise AssertionError("columns of different lengths accepted")


def test_analysis_lists_stories_without_building_sentences():
    an = analyze([SEEDS])
    assert all(isinstance(a.sentences, SentenceRows) for a in an.articles)
    summaries = summarize(an)
    fam = an.families[0]
    an.story_families(an.stories[0])
    an.carriers(fam)
    assert all(a.sentences._built is None for a in an.articles)  # type: ignore[attr-defined]
    # summaries from the columns agree with the built sentences
    for sm in summaries:
        arts = an.story_articles(sm.story)
        total = sum(s.end - s.start for a in arts for s in a.sentences if s.role == "body")
        shared = sum(s.end - s.start for a in arts for s in a.sentences if s.role == "body" and s.family)
        assert abs(sm.copied - (shared / total if total else 0.0)) < 1e-12
    # a lookup by id builds only that article's sentences
    an2 = analyze([SEEDS])
    sid = an2.families[0].members[0].sentence
    s = an2.sentence(sid)
    assert s.id == sid and an2.article(s.article).raw[s.start : s.end] == s.text
    assert sum(a.sentences._built is not None for a in an2.articles) == 1  # type: ignore[attr-defined]


def test_sentence_lookup_of_ids_in_another_form():
    raw = "Hello there world."
    s = Sentence("x-1", "a0", 0, 0, len(raw), 1, raw)
    an = Analysis((Article("a0", "p", raw, "d", "utf-8", "o", "filename", None, None, None, (s,)),), (Story("c0", "t", ("a0",)),), ())
    assert an.sentence("x-1") is s and an.article_of("x-1") == "a0"


def _member_columns():
    from array import array

    from tui.core.model import MemberColumns

    # three members: a0.s1 (shared 0-4), a2.s0 (shared 5-9 and 10-12, differs 13-15), a1.s3 (none)
    return MemberColumns(
        ["a0", "a1", "a2"],
        array("q", [0, 2, 1]),
        array("q", [1, 0, 3]),
        array("q", [0, 2, 6, 6]),
        array("q", [0, 4, 5, 9, 10, 12]),
        array("q", [0, 0, 2, 2]),
        array("q", [13, 15]),
    )


def test_member_rows_read_their_stretch_of_the_columns():
    import pickle

    from tui.core.model import Member, MemberRows, member_sentence

    cols = _member_columns()
    rows = MemberRows(cols, 1, 3)
    want = (Member("a2.s0", ((5, 9), (10, 12)), ((13, 15),)), Member("a1.s3", (), ()))
    assert len(rows) == 2 and rows.sentence(0) == "a2.s0" and rows.sentence(-1) == "a1.s3"
    assert member_sentence(rows, 1) == "a1.s3" and rows._built is None  # ids without building
    assert rows == want and want == rows and tuple(rows) == want and rows[1] == want[1] and rows[:1] == want[:1]
    assert hash(rows) == hash(want)
    assert pickle.loads(pickle.dumps(rows)) == want
    assert MemberRows(cols, 0, 1) == (Member("a0.s1", ((0, 4),), ()),)
    assert MemberRows(cols, 3, 3) == ()
    for bad in ((2, 4), (-1, 2), (2, 1)):
        try:
            MemberRows(cols, *bad)
        except ValueError:
            continue
        raise AssertionError(f"range {bad} accepted")
    try:
        rows.sentence(2)
    except IndexError:
        pass
    else:
        raise AssertionError("member index past the end accepted")


def test_member_columns_refuse_spans_out_of_step():
    from array import array

    from tui.core.model import MemberColumns

    c = _member_columns()
    for args in (
        (c.articles, c.doc, array("q", [1, 0]), c.shared_at, c.shared, c.differs_at, c.differs),
        (c.articles, c.doc, c.sent, array("q", [0, 2, 6, 8]), c.shared, c.differs_at, c.differs),
    ):
        try:
            MemberColumns(*args)
        except ValueError:
            continue
        raise AssertionError("columns out of step accepted")


def test_pipeline_families_read_one_set_of_member_columns_and_agree_with_sentences():
    from tui.core.model import MemberRows

    an = analyze([SEEDS])
    assert an.families and all(isinstance(f.members, MemberRows) for f in an.families)
    assert len({id(f.members.cols) for f in an.families}) == 1  # type: ignore[attr-defined]
    for f in an.families:
        assert f.sentence_ids == tuple(m.sentence for m in f.members)
        for m in f.members:
            s = an.sentence(m.sentence)
            assert s.family == f.id and s.role == "body"
            assert all(s.start <= a < b <= s.end for a, b in m.shared + m.differs)
        if f.first is not None:
            assert f.first in f.sentence_ids
    for st in an.stories:
        ids = set(st.articles)
        assert an.story_families(st) == [f for f in an.families if an.article_of(f.members[0].sentence) in ids]
