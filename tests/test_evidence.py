"""Evidence across articles: repeated outlet lines, first carriers."""

from tui.core.pipeline import analyze_texts
from tui.core.provenance import first_carrier

WIRE = "The central bank raised its main interest rate by half a percentage point on Thursday, its third increase this year."
QUOTE = "Inflation remains far too high and we will do what is needed to bring it down, the governor told reporters in the capital."


def article(title, date, url, *body):
    return "\n".join([title, date, url, *body]) + "\n"


def test_first_carrier_from_dates():
    a = analyze_texts(
        [
            ("late.txt", article("Bank raises rates again", "2024-03-08", "https://late.example/a", WIRE, "Our own analysis of what it means for mortgages follows here.")),
            ("early.txt", article("Central bank lifts rates", "2024-03-07", "https://early.example/b", WIRE, QUOTE)),
            ("mid.txt", article("Rates up by half a point", "July 7, 2024", "https://mid.example/c", "Markets barely moved after the announcement in the morning session.", WIRE, QUOTE)),
        ],
        one_story=True,
    )
    fams = {a.sentence(f.members[0].sentence).text: f for f in a.families}
    wire = fams[WIRE]
    assert wire.kind == "verbatim" and len(wire.members) == 3
    first = a.sentence(wire.first)
    assert a.article(first.article).outlet == "early.example"


def test_first_carrier_unknown_when_dates_tie_or_miss():
    assert first_carrier(["x", "y"], {"x": "2024-01-01", "y": "2024-01-01"}) is None
    assert first_carrier(["x", "y"], {"x": "2024-01-01", "y": None}) is None
    assert first_carrier(["x", "y"], {"x": "2024-01-02", "y": "2024-01-01"}) == "y"


def test_line_an_outlet_repeats_under_different_stories_is_boilerplate():
    promo = "The Daily Example has served readers in the northern provinces and beyond since 1871."
    story_a = [
        "A powerful earthquake of magnitude 7.1 struck off the northern coast early on Monday, officials said.",
        "Rescue teams searched collapsed buildings in the port city through the night.",
        "The national seismology institute said aftershocks could continue for several days.",
    ]
    story_b = [
        "The football club sacked its head coach after a run of eight defeats in nine league matches.",
        "The board thanked the coach for his work and named his assistant as interim manager.",
        "Supporters had protested outside the stadium before the weekend game against the league leaders.",
    ]
    texts = [
        ("a1.txt", article("Quake hits north coast", "2024-05-06", "https://daily.example/quake", *story_a[:2], promo, story_a[2])),
        ("a2.txt", article("Earthquake strikes coast", "2024-05-06", "https://other.example/quake", *story_a)),
        ("b1.txt", article("Club sacks coach", "2024-05-07", "https://daily.example/coach", *story_b, promo)),
        ("b2.txt", article("Coach fired after losses", "2024-05-07", "https://third.example/coach", *story_b)),
    ]
    a = analyze_texts(texts)
    assert sorted(len(s.articles) for s in a.stories) == [2, 2]
    promos = [s for art in a.articles for s in art.sentences if s.text == promo]
    assert len(promos) == 2
    assert all(s.role == "boilerplate" and s.kind == "repeated" and s.family is None for s in promos)
    # the shared reporting itself stays body, and shared
    quake = [s for art in a.articles for s in art.sentences if s.text == story_a[0]]
    assert all(s.role == "body" and s.family for s in quake)
