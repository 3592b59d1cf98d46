"""The seeds' expectations, one by one: five real articles of one story, with real debris."""

from pathlib import Path

import pytest

from tui.core.pipeline import analyze
from tui.core.text import words

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
A0, A1, A2, A3, A4 = (f"{n:03d}" for n in range(5))


@pytest.fixture(scope="module")
def analysis():
    return analyze([SEEDS])


def art(analysis, prefix):
    return next(a for a in analysis.articles if Path(a.path).name.startswith(prefix))


def find(analysis, prefix, snippet):
    """The sentence of the article that contains ``snippet``."""
    a = art(analysis, prefix)
    hits = [s for s in a.sentences if snippet in s.text]
    assert hits, f"{snippet!r} not found as a sentence of {prefix}"
    return hits[0]


def test_offsets_are_exact(analysis):
    for a in analysis.articles:
        for s in a.sentences:
            assert a.raw[s.start : s.end] == s.text
            assert a.raw.count("\n", 0, s.start) + 1 == s.line


def test_one_story_of_five(analysis):
    assert len(analysis.articles) == 5
    assert [len(st.articles) for st in analysis.stories] == [5]


def test_titles(analysis):
    for prefix, title in [
        (A1, "North Koreans could rebuild Donbas Russian envoy"),
        (A3, "Russia Says It May Use North Koreans To Rebuild The Donbass After The War Ends"),
        (A4, "Donetsk leader calls for ties with North Korea"),
    ]:
        s = find(analysis, prefix, title)
        assert (s.role, s.text) == ("title", title)
    for prefix in (A0, A2):
        assert not [s for s in art(analysis, prefix).sentences if s.role == "title"]


BOILERPLATE = [
    (A0, "© 2024 Latin Times", "copyright"),
    (A0, "All rights reserved", "copyright"),
    (A0, "Do not reproduce without permission", "copyright"),
    (A2, "Photo: Reuters", "credit"),
    (A2, "SUPPORT: Elon Musk", "trailing"),
    (A2, "German Chancellor Olaf Scholz took a swipe", "trailing"),
    (A2, "FREEDOM NO MORE", "trailing"),
    (A2, "Macau’s civil society is relatively docile", "trailing"),
    (A2, "Two US Navy pilots were shot down", "trailing"),
    (A2, "MILITANTS TARGETED", "trailing"),
    (A2, "Barbara Leaf, Washington’s top diplomat", "trailing"),
    (A3, "[Based on reporting by: The Guardian]", "attribution"),
    (A4, "Read more: Where are Donetsk and Lugansk", "related"),
    (A4, "Read more: How North Korea built a nuclear arsenal", "related"),
    (A4, "This undated photo released by North Korea’s official", "caption"),
    (A4, "STR/KCNA VIA KNS/AFP via Getty Images", "credit"),
    (A4, "More must-see stories from TIME", None),
    (A4, "Contact us at", "contact"),
    (A4, "Source link", "related"),
    (A4, "Leave a Reply", "comments"),
    (A4, "Your email address will not be published", "comments"),
]


@pytest.mark.parametrize("prefix, snippet, kind", BOILERPLATE, ids=[b[1][:30] for b in BOILERPLATE])
def test_boilerplate_is_labelled(analysis, prefix, snippet, kind):
    s = find(analysis, prefix, snippet)
    assert s.role == "boilerplate"
    if kind:
        assert s.kind == kind
    assert s.family is None


def test_trailing_stories_are_all_boilerplate(analysis):
    a = art(analysis, A2)
    start = a.raw.index("SUPPORT: Elon Musk")
    tail = [s for s in a.sentences if s.start >= start]
    assert len(tail) >= 8
    assert all(s.role == "boilerplate" and s.kind == "trailing" for s in tail)


def test_no_body_line_is_boilerplate(analysis):
    flagged = {(p, snip) for p, snip, _ in BOILERPLATE}
    for a in analysis.articles:
        prefix = Path(a.path).name[:3]
        for s in a.sentences:
            if s.role != "boilerplate":
                continue
            line = a.raw.splitlines()[s.line - 1]
            ok = any(p == prefix and snip in line for p, snip in flagged)
            ok = ok or (prefix == A2 and s.start >= a.raw.index("SUPPORT: Elon Musk"))
            ok = ok or (prefix == A4 and "SEOUL, South Korea" in s.text and s.kind == "dateline")
            assert ok, f"body line labelled boilerplate in {prefix}: {s.text!r} ({s.kind})"


# Every copied or quoted sentence shared between outlets: (article, snippet) groups that must share a family.
SHARED = [
    [(A1, "In response, a furious Ukraine cut diplomatic ties"), (A2, "In response, a furious Ukraine cut diplomatic ties")],
    [(A1, "Ukraine had already suspended"), (A2, "Ukraine had already suspended")],
    [(A1, "Matsegora said that sanctions could frustrate"), (A2, "Matsegora said that sanctions could frustrate")],
    [(A1, "North Korea has traditionally earned"), (A2, "North Korea has traditionally earned")],
    [(A1, "Under UN-sanctions they were supposed"), (A2, "Under UN-sanctions they were supposed")],
    [(A1, "This would contravene a UN ban"), (A2, "This would contravene a UN ban")],
    [(A1, "Ukrainian Minister of Foreign Affairs Dmytro Kuleba"), (A2, "Ukrainian Minister of Foreign Affairs Dmytro Kuleba")],
    [(A1, "Ukraine has no the right"), (A2, "Ukraine has no the right"), (A3, "Ukraine has no the right")],
    [(A1, "North Korea could send workers to two"), (A2, "North Korea could send workers to two")],
    [(A1, "Matsegora said there were potentially"), (A2, "Matsegora said there were potentially")],
    [
        (A0, "highly qualified and hardworking Korean builders"),
        (A1, "highly qualified and hard-working Korean builders"),
        (A2, "highly qualified and hard-working Korean builders"),
        (A3, "Highly qualified and hard-working Korean builders"),
    ],
    [(A1, "His comments come days after"), (A2, "His comments come days after")],
    [(A0, "Once Russia violates"), (A1, "Once Russia violates"), (A2, "Once Russia violates")],
    [(A1, "Go Myong-hyun, a research fellow"), (A2, "Go Myong-hyun, a research fellow")],
    [(A1, "Matsegora left open the possibility"), (A2, "Matsegora left open the possibility")],
    [(A1, "NK News, a Seoul-based Web site"), (A2, "NK News, a Seoul-based Web site")],
    [(A2, "no more allies in the world"), (A3, "No more allies in the world")],
]


@pytest.mark.parametrize("group", SHARED, ids=[g[0][1][:30] for g in SHARED])
def test_shared_sentences_share_a_family(analysis, group):
    sents = [find(analysis, p, snip) for p, snip in group]
    fams = {s.family for s in sents}
    assert None not in fams and len(fams) == 1, [(s.text[:40], s.family) for s in sents]


def test_kinds(analysis):
    verbatim = find(analysis, A1, "In response, a furious Ukraine")
    assert analysis.family_of(verbatim).kind == "verbatim"  # quotes and apostrophes dropped by a scraper
    builders = find(analysis, A3, "Highly qualified and hard-working Korean builders")
    assert analysis.family_of(builders).kind == "quote"


def test_no_family_joins_different_statements(analysis):
    for fam in analysis.families:
        texts = [analysis.sentence(m.sentence).text for m in fam.members]
        sets = [set(words(t)) for t in texts]
        for i in range(len(sets)):
            for j in range(i + 1, len(sets)):
                small = min(len(sets[i]), len(sets[j]))
                assert len(sets[i] & sets[j]) >= 0.6 * small, (fam.kind, texts[i], texts[j])
        arts = [analysis.sentence(m.sentence).article for m in fam.members]
        assert len(set(arts)) >= 2


def test_short_generic_sentence_stays_unique(analysis):
    s = find(analysis, A4, "North Korea on Wednesday.")
    assert s.family is None


def test_seed_four_is_mostly_its_own(analysis):
    a4 = art(analysis, A4)
    assert analysis.originality(a4) > 0.9


def test_first_carrier_unknown_without_dates(analysis):
    # only one seed carries a date: no family's first carrier can be known
    assert all(f.first is None for f in analysis.families)
