"""Sentence families: pairwise decisions, family building, spans."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from tui.core.align import AlignInput, align, match, word_diff
from tui.core.text import segment, words

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "align"


def seed_inputs() -> tuple[list[AlignInput], list[str]]:
    """Every segmented sentence of every seed, with absolute offsets into its file."""
    raws = [p.read_text(encoding="utf-8") for p in SEEDS]
    inputs = []
    for doc, raw in enumerate(raws):
        for seg in segment(raw):
            inputs.append(AlignInput(len(inputs), doc, raw[seg.start : seg.end], seg.start))
    return inputs, raws


def family_with(fams, inputs, doc: int, phrase: str):
    for f in fams:
        for k in f.members:
            if inputs[k].doc == doc and phrase in inputs[k].text:
                return f
    return None


# --- seeds --------------------------------------------------------------------------------
def test_seed_builders_quote_forms_one_family():
    inputs, _ = seed_inputs()
    fams = align(inputs)
    fam = family_with(fams, inputs, 3, "Highly qualified and hard-working")
    assert fam is not None
    assert fam.kind == "quote"
    docs = sorted(inputs[k].doc for k in fam.members)
    assert docs == [0, 1, 2, 3]
    for k in fam.members:
        assert "qualified" in inputs[k].text
    # the same family is found from each of its members
    for doc in (0, 1, 2):
        assert family_with(fams, inputs, doc, "qualified and hard") is fam


def test_seed_001_002_builders_are_verbatim_to_each_other():
    inputs, _ = seed_inputs()
    a = next(s.text for s in inputs if s.doc == 1 and "Izvestia in an interview" in s.text)
    b = next(s.text for s in inputs if s.doc == 2 and "Izvestia in an interview" in s.text)
    assert a != b  # one has curly quotes, the other none
    assert match(a, b) == "verbatim"


def test_seed_security_council_quote_is_one_family():
    inputs, _ = seed_inputs()
    fams = align(inputs)
    fam = family_with(fams, inputs, 0, "critically undermined")
    assert fam is not None
    assert sorted(inputs[k].doc for k in fam.members) == [0, 1, 2]
    assert fam.kind in ("edited", "quote")


def test_seed_families_are_cross_doc_and_well_formed():
    inputs, raws = seed_inputs()
    fams = align(inputs)
    assert fams
    seen = set()
    for f in fams:
        docs = [inputs[k].doc for k in f.members]
        assert len(set(docs)) == len(docs) >= 2
        assert not seen & set(f.members)  # a sentence is in at most one family
        seen |= set(f.members)
        assert 0 <= f.score <= 100
        assert len(f.shared) == len(f.differs) == len(f.members)


def test_seed_short_generic_sentence_links_nothing():
    inputs, _ = seed_inputs()
    fams = align(inputs)
    short = [s for s in inputs if s.text == "North Korea on Wednesday."]
    assert short, "seed 004 holds the short sentence"
    members = {k for f in fams for k in f.members}
    assert all(s.key not in members for s in short)


def test_order_independent():
    inputs, _ = seed_inputs()
    rng = random.Random(3)
    shuffled = inputs[:]
    rng.shuffle(shuffled)

    def canon(fams):
        return sorted((f.kind, tuple(sorted(f.members))) for f in fams)

    assert canon(align(inputs)) == canon(align(shuffled))


# --- spans --------------------------------------------------------------------------------
def test_shared_and_differs_spans_are_whole_words_of_the_member():
    inputs, raws = seed_inputs()
    fams = align(inputs)
    for f in fams:
        for k, shared, differs in zip(f.members, f.shared, f.differs):
            s = inputs[k]
            raw = raws[s.doc]
            lo, hi = s.offset, s.offset + len(s.text)
            spans = sorted(shared + differs)
            for a, b in spans:
                assert lo <= a < b <= hi
                assert raw[a:b] == raw[a:b].strip()
                assert raw[a].isalnum() and raw[b - 1].isalnum()
                assert not (a > 0 and raw[a - 1].isalnum())
                assert not (b < len(raw) and raw[b].isalnum())
            for (a1, b1), (a2, b2) in zip(spans, spans[1:]):
                assert b1 <= a2  # shared and differs never overlap
            if f.kind == "verbatim":
                assert not differs
                assert len(shared) == 1


def test_quote_family_spans_mark_the_framing():
    inputs, raws = seed_inputs()
    fams = align(inputs)
    fam = family_with(fams, inputs, 0, "First of all")
    assert fam is not None
    i = [inputs[k].doc for k in fam.members].index(0)
    raw = raws[0]
    shared = " ".join(raw[a:b] for a, b in fam.shared[i])
    differs = " ".join(raw[a:b] for a, b in fam.differs[i])
    assert "highly qualified and hardworking Korean builders" in shared
    assert "reiterating a disproven claim" in differs
    assert "First of all" in differs


def test_edited_family_differs_mark_the_changed_word():
    a = "The company said on Tuesday it would cut 500 jobs at its plant in Ohio by next year."
    b = "The company said on Tuesday it would eliminate 500 jobs at its plant in Ohio by next year."
    fams = align([AlignInput(0, 0, a, 100), AlignInput(1, 1, b, 7)])
    assert len(fams) == 1
    f = fams[0]
    assert f.kind == "edited"
    spans = dict(zip(f.members, f.differs))
    assert [a[x - 100 : y - 100] for x, y in spans[0]] == ["cut"]
    assert [b[x - 7 : y - 7] for x, y in spans[1]] == ["eliminate"]
    shared0 = dict(zip(f.members, f.shared))[0]
    assert [a[x - 100 : y - 100] for x, y in shared0] == [
        "The company said on Tuesday it would",
        "500 jobs at its plant in Ohio by next year",
    ]
    assert 0 < f.score < 100


# --- pairwise decisions -------------------------------------------------------------------
def test_match_kinds():
    s = "The ministry said the talks would resume in Geneva next month after a long pause."
    assert match(s, s.upper()) == "verbatim"
    assert match(s, s.replace("resume", "restart")) == "edited"
    assert (
        match(
            s,
            "Officials said that the talks would resume in Geneva next month, the agency reported.",
        )
        is None
    )


def test_short_generic_sentence_never_matches_a_long_one():
    long = "Officials in Seoul said the launch was detected from North Korea on Wednesday morning."
    assert match("North Korea on Wednesday.", long) is None
    assert match("He said.", "He said.") is None  # too short to be evidence of shared copy


@pytest.mark.parametrize(
    "a, b",
    [
        (
            "The company said it would cut 500 jobs at its plant in Ohio by the end of next year.",
            "The company said it would cut 700 jobs at its plant in Ohio by the end of next year.",
        ),
        (
            "Prime Minister John Smith said the treaty would be signed in Paris on Monday afternoon.",
            "Prime Minister John Smith said the treaty would be signed in Berlin on Monday afternoon.",
        ),
        (
            "The minister said the government would raise taxes on fuel before the election.",
            "The minister said the government would not raise taxes on fuel before the election.",
        ),
    ],
)
def test_same_frame_different_fact_is_not_a_match(a, b):
    assert match(a, b) is None


def test_number_reformatted_still_matches():
    a = "About 1,000 people were evacuated and eight per cent of homes lost power overnight, police said."
    b = "About 1000 people were evacuated and 8 percent of homes lost power overnight, police said."
    assert match(a, b) in ("verbatim", "edited")


def test_msrp_fixture_pairs():
    pairs = [
        json.loads(line)
        for line in (FIXTURES / "msrp_pairs.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    negatives = [p for p in pairs if p["label"] == 0]
    positives = [p for p in pairs if p["label"] == 1]
    assert len(negatives) >= 10 and len(positives) >= 10
    # MSRP calls a clause-trimmed copy a different statement (information was cut); for
    # copy detection it is the same sentence lightly edited, and it is marked "edited"
    trimmed = ("The US responded coolly", '"But the First Amendment', "Andrew Sugden, an")
    for p in negatives:
        if p["s1"].startswith(trimmed):
            assert match(p["s1"], p["s2"]) == "edited"
    negatives = [p for p in negatives if not p["s1"].startswith(trimmed)]
    assert len(negatives) >= 10
    # near misses (high word overlap, not the same statement) are all rejected
    assert [p["s1"] for p in negatives if match(p["s1"], p["s2"])] == []
    # light edits of wire copy are found
    assert [p["s1"] for p in positives if not match(p["s1"], p["s2"])] == []


# --- chaining -------------------------------------------------------------------------------
def test_no_chaining_through_a_middle_member():
    a = "The central bank raised its key interest rate by half a point on Thursday to fight inflation."
    mid = (
        "The central bank raised its key interest rate by half a point on Thursday to fight inflation,"
        " while the finance ministry announced new spending cuts across all departments."
    )
    c = "The finance ministry announced new spending cuts across all departments, officials confirmed to reporters."
    # a ~ mid and mid ~ c are plausible links; a and c share nothing
    assert match(a, c) is None
    inputs = [AlignInput(0, 0, a, 0), AlignInput(1, 1, mid, 0), AlignInput(2, 2, c, 0)]
    for f in align(inputs):
        assert not {0, 2} <= set(f.members)


def test_chaining_guard_with_quotes():
    q1 = '"We will rebuild every school and every hospital destroyed in the fighting this year," the mayor said.'
    both = (
        '"We will rebuild every school and every hospital destroyed in the fighting this year, and we will'
        ' never forget the soldiers who defended the city through the long winter," the mayor said.'
    )
    q2 = '"We will never forget the soldiers who defended the city through the long winter," he told reporters.'
    assert match(q1, q2) is None
    fams = align([AlignInput(0, 0, q1, 0), AlignInput(1, 1, both, 0), AlignInput(2, 2, q2, 0)])
    for f in fams:
        assert not {0, 2} <= set(f.members)


# --- repeats in one doc ----------------------------------------------------------------------
def test_one_member_per_doc_and_same_doc_copies_alone_make_no_family():
    s = "The government announced on Monday a new plan to expand rural broadband access nationwide."
    fams = align([AlignInput(0, 0, s, 0), AlignInput(1, 0, s, 200)])
    assert fams == []
    fams = align([AlignInput(0, 0, s, 0), AlignInput(1, 0, s, 200), AlignInput(2, 1, s, 50)])
    assert len(fams) == 1
    assert sorted(fams[0].members) == [0, 2]  # the doc's first copy


# --- word_diff ----------------------------------------------------------------------------
def test_word_diff_ops_cover_both_texts():
    a = "Russia's envoy said on Monday that 1,000 workers could arrive soon."
    b = "Russia’s ambassador said Monday that 1000 North Korean workers could arrive."
    ops = word_diff(a, b)
    tags = [t for t, _, _ in ops]
    assert set(tags) <= {"equal", "replace", "insert", "delete"}
    for tag, (a0, a1), (b0, b1) in ops:
        if tag == "equal":
            assert words(a[a0:a1]) == words(b[b0:b1]) or "1,000" in a[a0:a1]
        if tag == "insert":
            assert a0 == a1 and b1 > b0
        if tag == "delete":
            assert b0 == b1 and a1 > a0
    changed_a = [a[x:y] for t, (x, y), _ in ops if t in ("replace", "delete")]
    changed_b = [b[x:y] for t, _, (x, y) in ops if t in ("replace", "insert")]
    assert "envoy" in changed_a and "ambassador" in changed_b
    assert "soon" in changed_a and "North Korean" in changed_b
    # spans go forward through both texts
    ends_a = [x for _, (x, _), _ in ops]
    assert ends_a == sorted(ends_a)


# --- fast paths agree with the exact ones -----------------------------------------------------
TRICKY = [
    "The company's so-called \u201cplan\u201d would cut 1,000 jobs \u2014 about eight per cent of staff.",
    "Rock 'n' roll isn''t dead, said O\u2019Brien--the band\u2019s manager -- in Z\u00fcrich.",
    "'Quoted from the start,' he said, adding that 2,50 and 3,000,000 are figures.",
    "Under_scores and __dunders__ stay words; one two three per cent.",
    "Caf\u00e9 owners met in S\u00e3o Paulo on Monday \u2013 the 3rd meeting in 12 months.",
    "  Leading and trailing spaces, a soft\u00adhyphen and a zero\u200bwidth space.  ",
    "Numbers like 1,000 and 7 and seven, and ten per cent or 10 percent.",
    "He said: \u201cWe will rebuild\u201d \u2026 and \u00abnever forget\u00bb the winter of 1944.",
    "Rock 'n' roll isn''t dead, said O\u2019Brien--the band\u2019s manager -- in the city.",
    "'Quoted from the start,' he said, and -dashes- or well- known `ticks` stay apart.",
    "Under_scores and __dunders__ stay words; one two three and 12 of 2024 in the U.S.",
    "The \u2018single quoted\u2019 word, a \u201cdouble\u201d one \u2014 and the end\u2026",
    "x - y -- z ' w '' v 'a' b' 'c d'e f''g h-'i j'-k",
]


def test_batch_words_match_the_exact_word_lists(monkeypatch):
    from tui.core import align as A

    exact_words = A._words
    texts = TRICKY * 3 + [t.upper() for t in TRICKY]
    calls = []
    monkeypatch.setattr(A, "_words", lambda *a: calls.append(1) or exact_words(*a))
    got = A._batch_words(texts, [words(t) for t in texts])
    assert 8 <= len(calls) <= len(texts) - 8  # both paths taken
    monkeypatch.undo()
    for t, ws in zip(texts, got):
        exact = A._words(t, words(t))
        assert (ws.starts, ws.ends, ws.norms, ws.caps) == (exact.starts, exact.ends, exact.norms, exact.caps), t


def test_numpy_shingles_agree_with_the_plain_count():
    from tui.core import align as A

    rng = random.Random(5)
    vocab = [f"w{k}" for k in range(40)]
    codes = A._Codes()
    lists = [codes.code([rng.choice(vocab) for _ in range(rng.randrange(4, 30))]) for _ in range(300)]
    fast = A._shared_shingles(lists, False)
    assert fast and fast == A._shared_shingles_py(lists)


def test_too_many_distinct_words_fall_back_to_the_same_families(monkeypatch):
    from tui.core import align as A

    inputs, _ = seed_inputs()
    want = align(inputs)
    monkeypatch.setattr(A, "_CODE_LIMIT", 50)  # the seeds hold far more distinct words
    with pytest.raises(A._Overflow):
        A._align(list(inputs), A._Codes())
    assert align(inputs) == want


def test_clause_trimmed_copies_share_a_family_but_disjoint_clauses_do_not():
    full = (
        "Speaking by phone from the relief agency in the city, the director struggled to contain his anger"
        " at the attack that left more than 50 people with serious injuries, 10 of whom remain critical."
    )
    tail_cut = full.split(", 10 of whom")[0] + "."
    head_cut = "The director struggled to contain his anger at the attack that left more than 50 people with serious injuries, 10 of whom remain critical."
    assert match(full, tail_cut) == "edited" and match(full, head_cut) == "edited"
    assert match(tail_cut, head_cut) is None  # neither holds the other
    fams = align([AlignInput(0, 0, full, 0), AlignInput(1, 1, tail_cut, 0), AlignInput(2, 2, head_cut, 0)])
    assert len(fams) == 1 and sorted(fams[0].members) == [0, 1, 2] and fams[0].kind == "edited"
    # a trimmed copy that changes a figure or a name is no copy
    assert match(full, tail_cut.replace("50", "70")) is None
    assert match(full, "Speaking by phone from the relief agency in Paris, the director struggled to contain his anger at the attack.") is None
    # too short to say it was copied
    assert match(full, "The director struggled to contain his anger.") is None
