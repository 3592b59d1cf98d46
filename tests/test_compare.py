"""Side-by-side alignment of two articles (tui.core.compare)."""

from __future__ import annotations

import pytest

from tui.core.compare import Row, hunks, side_by_side, summarize
from tui.core.pipeline import analyze, analyze_texts
from tui.paths import seeds_dir

BODY = [
    "The central bank raised interest rates by half a point on Tuesday to fight inflation.",
    "Officials said the decision was unanimous among the nine members of the committee.",
    "Markets in Asia fell sharply after the announcement was made public in the morning.",
    "The governor will hold a press conference on Thursday to explain the policy shift.",
    "Analysts expect at least two more increases before the end of the current year.",
]
UNRELATED = "A completely unrelated sentence about local football results appears here today."


def _article(title: str, lines: list[str]) -> str:
    return title + "\n\n" + "\n".join(lines) + "\n"


def _pair(left_lines: list[str], right_lines: list[str]):
    an = analyze_texts(
        [("left.txt", _article("Rates go up", left_lines)), ("right.txt", _article("Bank lifts rates", right_lines))],
        one_story=True,
    )
    return an, side_by_side(an, "a0", "a1")


def _texts(an, rows: list[Row]) -> list[tuple[str | None, str | None]]:
    def t(sid):
        return an.sentence(sid).text if sid else None

    return [(t(r.left), t(r.right)) for r in rows]


def _check_invariants(an, left_id: str, right_id: str, rows: list[Row]) -> None:
    left, right = an.article(left_id), an.article(right_id)
    # Every sentence of each article appears exactly once.
    lefts = [r.left for r in rows if r.left is not None]
    rights = [r.right for r in rows if r.right is not None]
    assert sorted(lefts) == sorted(s.id for s in left.sentences)
    assert sorted(rights) == sorted(s.id for s in right.sentences)
    # The left column reads in the left article's order (moved pairs sit at the left position).
    assert lefts == [s.id for s in left.sentences]
    # Without the moved rows, the right column reads in the right article's order.
    rights_in_place = [an.sentence(r.right).index for r in rows if r.right is not None and not r.moved]
    assert rights_in_place == sorted(rights_in_place)
    for r in rows:
        if r.matched:
            a, b = an.sentence(r.left), an.sentence(r.right)
            assert a.family == b.family == r.family is not None
            assert r.kind == an.family(r.family).kind
            # Ops tile both sentences' words with absolute spans inside each sentence.
            for _tag, (a0, a1), (b0, b1) in r.ops:
                assert a.start <= a0 <= a1 <= a.end
                assert b.start <= b0 <= b1 <= b.end
        else:
            assert not r.moved and r.kind is None and r.ops == ()
            sid = r.left or r.right
            s = an.sentence(sid)
            fam = an.family_of(s)
            # An unmatched sentence has no family member in the other article.
            other = right_id if r.left else left_id
            if fam is not None:
                carriers = {an.sentence(m.sentence).article for m in fam.members}
                assert other not in carriers or _family_crowded(an, fam, left_id, right_id)


def _family_crowded(an, fam, left_id, right_id) -> bool:
    n = [sum(an.sentence(m.sentence).article == a for m in fam.members) for a in (left_id, right_id)]
    return n[0] != n[1]


def _lis_length(values: list[int]) -> int:
    best: list[int] = []
    for i, v in enumerate(values):
        best.append(1 + max((best[j] for j in range(i) if values[j] < v), default=0))
    return max(best, default=0)


def test_reordered_sentence_is_moved_and_unmatched_faces_blank():
    right = [BODY[0], BODY[3], BODY[1], UNRELATED, BODY[2].replace("sharply", "steeply"), BODY[4]]
    an, rows = _pair(BODY, right)
    _check_invariants(an, "a0", "a1", rows)
    pairs = {(a, b) for a, b in _texts(an, rows) if a and b}
    assert pairs == {(BODY[0], BODY[0]), (BODY[1], BODY[1]), (BODY[2], right[4]), (BODY[3], BODY[3]), (BODY[4], BODY[4])}
    moved = [an.sentence(r.left).text for r in rows if r.moved]
    assert moved == [BODY[3]]  # the governor sentence jumped ahead in the right article
    only_right = [b for a, b in _texts(an, rows) if a is None]
    assert UNRELATED in only_right
    s = summarize(rows)
    assert (s.matched, s.moved, s.changed) == (5, 1, 1)
    assert s.left_only + s.matched == len(an.article("a0").sentences)
    assert s.right_only + s.matched == len(an.article("a1").sentences)


def test_word_ops_point_at_the_changed_words():
    right = [BODY[0], BODY[1], BODY[2].replace("sharply", "steeply"), BODY[3], BODY[4]]
    an, rows = _pair(BODY, right)
    row = next(r for r in rows if r.changed)
    assert row.kind == "edited" and not row.moved
    a, b = an.article("a0"), an.article("a1")
    left_words = [a.raw[x0:x1] for tag, (x0, x1), _ in row.ops if tag in ("delete", "replace") and x1 > x0]
    right_words = [b.raw[y0:y1] for tag, _, (y0, y1) in row.ops if tag in ("insert", "replace") and y1 > y0]
    assert left_words == ["sharply"]
    assert right_words == ["steeply"]
    unchanged = [r for r in rows if r.matched and r is not row]
    assert unchanged and not any(r.changed for r in unchanged)


def test_identical_articles_give_one_row_per_sentence_and_no_difference():
    an, rows = _pair(BODY, BODY)
    body_rows = [r for r in rows if r.matched]
    assert len(body_rows) == len(BODY)
    assert not any(r.is_difference for r in body_rows)
    assert all(r.kind == "verbatim" for r in body_rows)


def test_sentence_without_counterpart_on_the_left():
    an, rows = _pair(BODY + [UNRELATED], BODY)
    _check_invariants(an, "a0", "a1", rows)
    last_left = [r for r in rows if r.left is not None][-1]
    assert an.sentence(last_left.left).text == UNRELATED and last_left.right is None


def test_two_copies_in_one_article_pair_with_the_closer_one():
    near = BODY[1].replace("unanimous", "unanimous again")
    an, rows = _pair(BODY, [BODY[0], near, BODY[1], BODY[2]])
    _check_invariants(an, "a0", "a1", rows)
    fam = an.family_of(an.article("a0").sentences[2])
    assert fam is not None and len(fam.members) == 3  # both right copies joined one family
    row = next(r for r in rows if r.left == an.article("a0").sentences[2].id)
    assert an.sentence(row.right).text == BODY[1]  # the verbatim copy, not the edited one
    assert any(r.left is None and an.sentence(r.right).text == near for r in rows)


def test_boilerplate_is_kept_in_rows():
    credit = "Photo: Reuters"
    an, rows = _pair(BODY[:2] + [credit] + BODY[2:], BODY)
    labelled = [s for s in an.article("a0").sentences if s.text == credit]
    assert labelled and labelled[0].role == "boilerplate"
    assert any(r.left == labelled[0].id for r in rows)
    _check_invariants(an, "a0", "a1", rows)


def test_swapping_sides_keeps_the_same_pairs():
    right = [BODY[4], BODY[0], BODY[2], BODY[1], UNRELATED, BODY[3]]
    an, rows = _pair(BODY, right)
    back = side_by_side(an, "a1", "a0")
    _check_invariants(an, "a1", "a0", back)
    assert {(r.left, r.right) for r in rows if r.matched} == {(r.right, r.left) for r in back if r.matched}


def test_hunks_start_each_run_of_differences():
    right = [BODY[0], UNRELATED, UNRELATED.replace("football", "cricket"), BODY[1], BODY[3], BODY[2], BODY[4]]
    an, rows = _pair(BODY, right)
    starts = hunks(rows)
    assert starts == sorted(set(starts))
    for i in starts:
        assert rows[i].is_difference
    # Every difference row belongs to a hunk that starts at or before it.
    for i, r in enumerate(rows):
        if r.is_difference:
            assert any(s <= i for s in starts)
    # The two right-only sentences form one hunk, not two.
    gap = [i for i, r in enumerate(rows) if r.left is None and r.right and "unrelated" in an.sentence(r.right).text]
    assert len(gap) == 2 and gap[1] == gap[0] + 1
    assert (gap[0] in starts or rows[gap[0] - 1].is_difference) and gap[1] not in starts


@pytest.fixture(scope="module")
def seeds():
    return analyze([seeds_dir()], one_story=True)


def test_seed_001_against_002_is_mostly_matched_and_reordered(seeds):
    by_name = {a.path.rsplit("/", 1)[-1][:3]: a for a in seeds.articles}
    left, right = by_name["001"], by_name["002"]
    rows = side_by_side(seeds, left.id, right.id)
    _check_invariants(seeds, left.id, right.id, rows)
    s = summarize(rows)
    left_body = [x for x in left.sentences if x.role == "body"]
    # 001 is 002 reordered with quotations stripped: most of its body is matched, many rows moved.
    assert s.matched >= 0.7 * len(left_body)
    assert s.moved >= s.matched // 3
    # The in-order rows are a longest increasing run of the right article's positions.
    matched = [(seeds.sentence(r.left).index, seeds.sentence(r.right).index) for r in rows if r.matched]
    matched.sort()
    assert s.matched - s.moved == _lis_length([b for _, b in matched])


def test_every_seed_pair_keeps_the_invariants(seeds):
    ids = [a.id for a in seeds.articles]
    for a in ids:
        for b in ids:
            if a != b:
                _check_invariants(seeds, a, b, side_by_side(seeds, a, b))
