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
        [
            ("left.txt", _article("Rates go up", left_lines)),
            ("right.txt", _article("Bank lifts rates", right_lines)),
        ],
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
    rights_in_place = [
        an.sentence(r.right).index for r in rows if r.right is not None and not r.moved
    ]
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
    n = [
        sum(an.sentence(m.sentence).article == a for m in fam.members) for a in (left_id, right_id)
    ]
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
    assert pairs == {
        (BODY[0], BODY[0]),
        (BODY[1], BODY[1]),
        (BODY[2], right[4]),
        (BODY[3], BODY[3]),
        (BODY[4], BODY[4]),
    }
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
    left_words = [
        a.raw[x0:x1] for tag, (x0, x1), _ in row.ops if tag in ("delete", "replace") and x1 > x0
    ]
    right_words = [
        b.raw[y0:y1] for tag, _, (y0, y1) in row.ops if tag in ("insert", "replace") and y1 > y0
    ]
    assert left_words == ["sharply"]
    assert right_words == ["steeply"]
    unchanged = [r for r in rows if r.matched and r is not row]
    assert unchanged and not any(r.changed for r in unchanged)


def test_identical_articles_give_one_row_per_sentence_and_no_difference():
    _an, rows = _pair(BODY, BODY)
    body_rows = [r for r in rows if r.matched]
    assert len(body_rows) == len(BODY)
    assert not any(r.is_difference for r in body_rows)
    assert all(r.kind == "verbatim" for r in body_rows)


def test_sentence_without_counterpart_on_the_left():
    an, rows = _pair(BODY + [UNRELATED], BODY)
    _check_invariants(an, "a0", "a1", rows)
    last_left = [r for r in rows if r.left is not None][-1]
    assert an.sentence(last_left.left).text == UNRELATED and last_left.right is None


def _with_family(an, fid: str, kind: str, sentence_ids: list[str]):
    """The analysis with one family forced onto the given sentences (engine-independent)."""
    from dataclasses import replace

    from tui.core.model import Analysis, Family, Member

    chosen = set(sentence_ids)
    arts = tuple(
        replace(
            a, sentences=tuple(replace(x, family=fid) if x.id in chosen else x for x in a.sentences)
        )
        for a in an.articles
    )
    fams = tuple(f for f in an.families if not chosen & set(f.sentence_ids))
    fam = Family(fid, kind, tuple(Member(sid, (), ()) for sid in sentence_ids))
    return Analysis(arts, an.stories, fams + (fam,), an.skipped, an.engine)


def test_two_copies_in_one_article_pair_with_the_closer_one():
    near = BODY[1].replace("unanimous", "unanimous again")
    base = analyze_texts(
        [
            ("left.txt", _article("Rates", BODY)),
            ("right.txt", _article("Rates", [BODY[0], near, BODY[1], BODY[2]])),
        ],
        one_story=True,
    )
    l_sid = next(x.id for x in base.article("a0").sentences if x.text == BODY[1])
    r_near = next(x.id for x in base.article("a1").sentences if x.text == near)
    r_same = next(x.id for x in base.article("a1").sentences if x.text == BODY[1])
    an = _with_family(base, "fX", "edited", [l_sid, r_near, r_same])
    rows = side_by_side(an, "a0", "a1")
    _check_invariants(an, "a0", "a1", rows)
    row = next(r for r in rows if r.left == l_sid)
    assert row.right == r_same  # the verbatim copy, not the edited one, whatever their order
    assert any(r.left is None and r.right == r_near for r in rows)
    back = side_by_side(an, "a1", "a0")
    assert next(r for r in back if r.right == l_sid).left == r_same


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
    assert {(r.left, r.right) for r in rows if r.matched} == {
        (r.right, r.left) for r in back if r.matched
    }


def test_hunks_start_each_run_of_differences():
    right = [
        BODY[0],
        UNRELATED,
        UNRELATED.replace("football", "cricket"),
        BODY[1],
        BODY[3],
        BODY[2],
        BODY[4],
    ]
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
    gap = [
        i
        for i, r in enumerate(rows)
        if r.left is None and r.right and "unrelated" in an.sentence(r.right).text
    ]
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
    matched = [
        (seeds.sentence(r.left).index, seeds.sentence(r.right).index) for r in rows if r.matched
    ]
    matched.sort()
    assert s.matched - s.moved == _lis_length([b for _, b in matched])


def test_every_seed_pair_keeps_the_invariants(seeds):
    ids = [a.id for a in seeds.articles]
    for a in ids:
        for b in ids:
            if a != b:
                _check_invariants(seeds, a, b, side_by_side(seeds, a, b))


# --- the screen -------------------------------------------------------------------------


from textual.app import App
from textual.color import Color
from textual.filter import Monochrome, NoColor

from tui.screens.compare import HEADER_LINES, CompareScreen, CompareView


class _Host(App):
    def __init__(self, screen_factory):
        super().__init__()
        self._factory = screen_factory

    def on_mount(self) -> None:
        self.push_screen(self._factory())


def _screen_lines(view: CompareView) -> list[str]:
    return [view.render_line(y).text for y in range(view.scrollable_content_region.height)]


def _synthetic():
    right = [BODY[0], BODY[3], BODY[1], UNRELATED, BODY[2].replace("sharply", "steeply"), BODY[4]]
    return analyze_texts(
        [
            ("left.txt", _article("Rates go up", BODY)),
            ("right.txt", _article("Bank lifts rates", right)),
        ],
        one_story=True,
    )


async def test_compare_screen_keys_move_cursor_swap_and_go_back():
    an = _synthetic()
    app = _Host(lambda: CompareScreen(an, "a0", "a1"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        view = screen.query_one(CompareView)
        assert view.cursor == 0
        await pilot.press("j", "j")
        assert view.cursor == 2
        await pilot.press("k")
        assert view.cursor == 1
        await pilot.press("G")
        assert view.cursor == len(view.rows) - 1
        await pilot.press("g")
        assert view.cursor == 0
        # Arrows and paging move the row cursor too (not just the scroll position).
        await pilot.press("down", "down")
        assert view.cursor == 2
        await pilot.press("up")
        assert view.cursor == 1
        await pilot.press("end")
        assert view.cursor == len(view.rows) - 1
        await pilot.press("home", "pagedown")
        assert view.cursor > 0
        await pilot.press("pageup")
        assert view.cursor == 0
        # n walks through the starts of the runs of differences, N walks back.
        seen = []
        for _ in range(len(view.hunk_starts) + 1):
            await pilot.press("n")
            seen.append(view.cursor)
        starts = [i for i in view.hunk_starts if i > 0]
        assert seen[: len(starts)] == starts
        assert seen[-1] == starts[-1]  # stays on the last one
        await pilot.press("N")
        assert view.cursor == (starts[-2] if len(starts) > 1 else starts[-1])
        # The moved row: swap sides and the cursor stays on the same sentence.
        moved = next(i for i, r in enumerate(view.rows) if r.moved)
        view.move_to(moved)
        left_sid = view.rows[moved].left
        await pilot.press("s")
        assert (view.left_id, view.right_id) == ("a1", "a0")
        assert view.rows[view.cursor].right == left_sid
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, CompareScreen)


async def test_compare_rows_render_side_by_side_with_marks():
    an = _synthetic()
    app = _Host(lambda: CompareScreen(an, "a0", "a1"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(CompareView)
        lines = _screen_lines(view)
        outlets = lines[0]
        assert an.article("a0").outlet in outlets and an.article("a1").outlet in outlets
        assert "1 moved" in lines[1]
        width = view.scrollable_content_region.width
        assert all(len(line) == width for line in lines)
        # The first words of a matched pair share a screen line; the middle shows the glyph.
        row_line = next(line for line in lines if line.lstrip(" ▌").startswith("Markets in Asia"))
        assert row_line.count("Markets in Asia") == 2 and "│≈" in row_line
        moved_line = next(line for line in lines if "The governor" in line and "│=↕│" in line)
        assert moved_line.count("The governor") == 2
        moved_row = next(r for r in view.rows if r.moved)
        where = an.sentence(moved_row.right).index + 1
        assert any(f"↕ moved from #{where}" in line for line in lines)
        # The right-only sentence faces blank space on the left.
        solo = next(line for line in lines if "A completely unrelated" in line)
        left_half = solo[: solo.index("│")]
        assert left_half.strip(" ▌") == ""


async def test_compare_is_legible_without_colour():
    an = _synthetic()
    app = _Host(lambda: CompareScreen(an, "a0", "a1"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(CompareView)
        mono = [
            NoColor().apply(list(view.render_line(y)), Color(0, 0, 0))
            for y in range(view.scrollable_content_region.height)
        ]
        for segments in mono:
            for seg in segments:
                if seg.style is not None:
                    assert seg.style.color is None or seg.style.color.is_default
        # Differing words stay marked (reverse video), on both sides, with colours removed.
        marked = ["".join(s.text for s in segs if s.style and s.style.reverse) for segs in mono]
        assert any("sharply" in m for m in marked)
        assert any("steeply" in m for m in marked)
        # The cursor row is marked by a character, not only by a background.
        assert mono[HEADER_LINES][0].text == "▌"
        # NO_COLOR on a terminal without native ANSI colours: Textual's Monochrome filter reads
        # every segment's style (a segment without one crashed the screen)
        for y in range(view.scrollable_content_region.height):
            grey = Monochrome().apply(list(view.render_line(y)), Color(0, 0, 0))
            assert "".join(seg.text for seg in grey) == view.render_line(y).text


async def test_compare_opens_family_of_the_cursor_row():
    from tui.screens.family import FamilyScreen

    an = _synthetic()
    app = _Host(lambda: CompareScreen(an, "a0", "a1"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(CompareView)
        first_matched = next(i for i, r in enumerate(view.rows) if r.matched)
        view.move_to(first_matched)
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, FamilyScreen)
        assert app.screen.sentence_id == view.rows[first_matched].left
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, CompareScreen)


def test_in_order_is_the_heaviest_longest_increasing_run():
    """Checked against brute force over every subset of small random pairings."""
    import itertools
    import random

    from tui.core.compare import _in_order

    rng = random.Random(7)
    for _ in range(300):
        n = rng.randint(0, 8)
        rights = rng.sample(range(12), n)
        pairs = list(enumerate(rights))
        weights = [rng.randint(1, 5) for _ in range(n)]
        got = _in_order(pairs, weights)
        assert got == sorted(got)
        assert all(pairs[a][1] < pairs[b][1] for a, b in itertools.pairwise(got))
        best = (0, 0)
        for size in range(n + 1):
            for sub in itertools.combinations(range(n), size):
                if all(rights[a] < rights[b] for a, b in itertools.pairwise(sub)):
                    best = max(best, (size, sum(weights[k] for k in sub)))
        assert (len(got), sum(weights[k] for k in got)) == best
