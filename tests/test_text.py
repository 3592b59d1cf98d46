"""Sentence segmentation and normalization (tui/core/text.py)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.text import (
    Segment,
    Token,
    norm_word,
    normalize,
    normalize_many,
    segment,
    tokens,
    words,
)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
LINE_ENDS = "\r\n", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"


def sents(raw: str) -> list[str]:
    return [raw[s.start : s.end] for s in segment(raw)]


def seed(prefix: str) -> str:
    (path,) = SEEDS.glob(prefix + "_*.txt")
    return path.read_text(encoding="utf-8")


def check_invariants(raw: str) -> None:
    segs = segment(raw)
    prev_end = 0
    for s in segs:
        assert prev_end <= s.start < s.end <= len(raw)
        text = raw[s.start : s.end]
        assert text == text.strip() and text
        assert not text[0].isspace() and not text[-1].isspace()
        assert s.line == _line_of(raw, s.start)
        prev_end = s.end


def _line_of(raw: str, pos: int) -> int:
    """1-based line of ``pos``, counted independently with str.splitlines."""
    parts = raw[:pos].splitlines(True)
    breaks = sum(1 for p in parts if p.splitlines()[0] != p)
    return breaks + 1


# ------------------------------------------------------------------ hard cases


@pytest.mark.parametrize(
    "text",
    [
        "It would violate U.N. sanctions against North Korea.",
        "The U.S. government said it would respond.",
        "The message was timed for the Aug. 15 anniversary of the liberation.",
        "Mr. Kim met Dr. Lee and Gen. Park before Sen. Warren arrived.",
        "Prices rose in Jan. 2022 and again in Sept. 2023.",
        "The novel by J. K. Rowling was praised by George W. Bush.",
        "The song reached No. 5 on the chart.",
        "Growth was 3.5 percent, worth $1.2 billion in total.",
        "The meeting ended at 10 a.m. and resumed at 2 p.m. after lunch.",
        "He waited... and waited some more.",
        "“Why now?” he asked reporters.",
        "“We won!” she shouted as the crowd cheered.",
        "The film “Who Framed Roger Rabbit?” was released in 1988.",
        "“Our partners are interested in the plan,” he said.",
        "North Korea could send workers — a move that would pose a challenge – to the region.",
        "Contact us at [email\xa0protected].",
        "Contact us at [email protected] for details.",
        "Write to jane.doe@example.com or visit https://www.example.com/news/a.b.html for more.",
        "SUPPORT: Elon Musk’s backing for the AfD is a rebuke of Friedrich Merz, who is leading polls",
        "The rally was held in St. Louis on Tuesday.",
        "Shares of Apple Inc. rose on Monday.",
        "The plan, e.g. the one from March, failed.",
        "It opened at 9 a.m. Monday in the capital.",
    ],
)
def test_one_sentence(text: str) -> None:
    assert sents(text) == [text]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "“This would mark the first step,” analyst Go Myong-hyun said. “Once Russia violates the sanctions, "
            "the council would be undermined.”",
            [
                "“This would mark the first step,” analyst Go Myong-hyun said.",
                "“Once Russia violates the sanctions, the council would be undermined.”",
            ],
        ),
        (
            "They could help us restore industrial facilities.” North Korea is one of the few countries.",
            ["They could help us restore industrial facilities.”", "North Korea is one of the few countries."],
        ),
        ("He lives in the U.S. The rest of his family stays home.", ["He lives in the U.S.", "The rest of his family stays home."]),
        ("The vote ended at 5 p.m. Officials counted overnight.", ["The vote ended at 5 p.m.", "Officials counted overnight."]),
        ("Is it over? Nobody knows. It is! Really.", ["Is it over?", "Nobody knows.", "It is!", "Really."]),
        ("He paused… Then he left.", ["He paused…", "Then he left."]),
        ("He paused... Then he left.", ["He paused...", "Then he left."]),
        ("“Is this the end?” The question hung in the air.", ["“Is this the end?”", "The question hung in the air."]),
        ("Sales fell in 2019. 300 people lost their jobs.", ["Sales fell in 2019.", "300 people lost their jobs."]),
        ("The answer was No. The committee refused.", ["The answer was No.", "The committee refused."]),
        ("It rose 3.5 percent. Analysts expected 3.2.", ["It rose 3.5 percent.", "Analysts expected 3.2."]),
        ("See www.example.com. It has details.", ["See www.example.com.", "It has details."]),
    ],
)
def test_sentence_breaks(text: str, expected: list[str]) -> None:
    assert sents(text) == expected


@pytest.mark.parametrize(
    "para, dateline",
    [
        ("SEOUL, South Korea – The head of Russia’s proxy forces sent a message.", "SEOUL, South Korea –"),
        ("WASHINGTON (AP) — The Senate voted on Tuesday.", "WASHINGTON (AP) —"),
        ("LONDON, July 19 (Reuters) - British inflation rose.", "LONDON, July 19 (Reuters) -"),
        ("NEW YORK, Jan. 5, 2024 /PRNewswire/ -- Acme Corp. announced results.", "NEW YORK, Jan. 5, 2024 /PRNewswire/ --"),
        ("KYIV, Ukraine (AP) — Russian forces shelled the city.", "KYIV, Ukraine (AP) —"),
        ("Seoul, July 20 (Yonhap) -- North Korea fired a missile.", "Seoul, July 20 (Yonhap) --"),
    ],
)
def test_dateline_is_its_own_segment(para: str, dateline: str) -> None:
    raw = "A title line\n\n" + para + "\n"
    got = sents(raw)
    assert got[1] == dateline
    assert got[2] == para[len(dateline) :].strip()


@pytest.mark.parametrize(
    "para",
    [
        "Biden — who spoke on Tuesday — said the talks would go on.",
        "NATO — the alliance — met on Tuesday.",
        "I – and many others – think so.",
        "The head of the agency said — in a statement — that it was over.",
    ],
)
def test_no_false_datelines(para: str) -> None:
    assert sents(para) == [para]


def test_dateline_only_at_paragraph_start() -> None:
    raw = "The talks went on. WASHINGTON (AP) — is what the wire said."
    assert sents(raw) == ["The talks went on.", "WASHINGTON (AP) — is what the wire said."]


# ------------------------------------------------------------------ lines and wrapping


def test_header_lines_are_their_own_segments() -> None:
    raw = (
        "North Koreans could rebuild Donbas Russian envoy\n20220719\n"
        "https://www.taipeitimes.com/News/world/archives/2022/07/20/2003782097\n"
        "Photo: Reuters\nIn response, a furious Ukraine cut ties.\n"
        "Read more: Where are Donetsk and Lugansk\nNorth Korea is one of few.\n"
    )
    assert sents(raw) == [
        "North Koreans could rebuild Donbas Russian envoy",
        "20220719",
        "https://www.taipeitimes.com/News/world/archives/2022/07/20/2003782097",
        "Photo: Reuters",
        "In response, a furious Ukraine cut ties.",
        "Read more: Where are Donetsk and Lugansk",
        "North Korea is one of few.",
    ]


@pytest.mark.parametrize("eol", LINE_ENDS)
def test_line_numbers_for_every_line_end(eol: str) -> None:
    raw = eol.join(["Title here", "", "First sentence. Second one.", "Third line."]) + eol
    segs = segment(raw)
    assert [raw[s.start : s.end] for s in segs] == ["Title here", "First sentence.", "Second one.", "Third line."]
    assert [s.line for s in segs] == [1, 3, 3, 4]
    # the same numbering as str.splitlines, which ingest uses for header lines
    lines = raw.splitlines()
    for s in segs:
        assert raw[s.start : s.end] in lines[s.line - 1]


PARAGRAPHS = [
    "Russia’s ambassador to North Korea said on Monday that North Korean laborers could "
    "help rebuild the Donbas region, a move that would violate U.N. sanctions imposed on "
    "Pyongyang over its nuclear program. The envoy, Alexander Matsegora, told the Izvestia "
    "newspaper that highly qualified and hardworking Korean builders could help restore "
    "infrastructure destroyed by the retreating Ukrainian army.",
    "Ukraine cut diplomatic ties with North Korea after it recognised the two breakaway "
    "republics, and the foreign minister said the move showed that Moscow had no more "
    "allies in the world except for countries that depend on it financially and politically. "
    "Analysts said the plan would test the Security Council, which has imposed sanctions "
    "that require member states to repatriate North Korean workers.",
]


@pytest.mark.parametrize("width", [60, 72, 80])
@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
def test_hard_wrapped_paragraphs_are_segmented_across_lines(width: int, eol: str) -> None:
    flat = "\n\n".join(PARAGRAPHS)
    wrapped = "\n\n".join(textwrap.fill(p, width) for p in PARAGRAPHS)
    raw = "Subject: Donbas workers" + eol + eol + wrapped.replace("\n", eol)
    got = [" ".join(t.split()) for t in sents(raw)]
    assert got[0] == "Subject: Donbas workers"
    assert got[1:] == sents(flat)
    assert len(got) == 5
    segs = segment(raw)
    assert segs[1].line == 3


def test_short_unpunctuated_lines_stay_apart_in_wrapped_text() -> None:
    body = textwrap.fill(PARAGRAPHS[0], 72)
    raw = "Donbas workers\nBy Jane Doe\n\n" + body + "\n\nPhoto: Reuters\nRead more: The war in Ukraine\n"
    got = sents(raw)
    assert got[:2] == ["Donbas workers", "By Jane Doe"]
    assert got[-2:] == ["Photo: Reuters", "Read more: The war in Ukraine"]
    assert len(got) == 6


def test_lowercase_line_continues_the_sentence() -> None:
    raw = "Alameda County DA\nis coddling criminals, critics say.\nhttps://example.com/a\n"
    assert sents(raw) == ["Alameda County DA\nis coddling criminals, critics say.", "https://example.com/a"]


def test_paragraph_per_line_keeps_captions_and_menus_apart() -> None:
    raw = (
        "Photo by Dan Seifert / The Verge\niOS 13’s third developer beta includes a new feature.\n"
        "Follow Us\ntwitter\ninstagram\n"
        "The generation we love to dump on\n(via Geeks Are Sexy)\n"
    )
    assert sents(raw) == [
        "Photo by Dan Seifert / The Verge",
        "iOS 13’s third developer beta includes a new feature.",
        "Follow Us",
        "twitter",
        "instagram",
        "The generation we love to dump on",
        "(via Geeks Are Sexy)",
    ]


def test_wrapped_dash_or_number_at_line_start_continues() -> None:
    text = (
        "The navy said on Thursday that it had thwarted an attack by a multi - boat group of\n"
        "pirates and seized weapons, including ladders and rope used to board the ships of the\n"
        "- and the crews were later handed to the coast guard in the port of Aden for trial. It\n"
        "also said the attack was the third this month on ships that use Internet Explorer\n"
        "9. The report was published later in the week."
    )
    got = sents(text)
    assert len(got) == 3
    assert got[1].startswith("It\nalso said") and got[1].endswith("Explorer\n9.")


def test_markdown_list_items_stay_apart() -> None:
    text = "\n".join(textwrap.fill(p, 72) for p in PARAGRAPHS)
    raw = text + "\n\n- first item of the list\n- second item of the list\n- third item\n"
    got = sents(raw)
    assert got[-3:] == ["- first item of the list", "- second item of the list", "- third item"]


def test_paragraph_per_line_never_joins_lines() -> None:
    # lines that end mid-sentence but start with a capital stay apart when not wrapped
    raw = "\n".join(["An item without a full stop", "Another line that is a header", "Body text here."] * 3)
    assert len(sents(raw)) == 9


# ------------------------------------------------------------------ the seeds


def test_seed_quote_then_new_quote_is_two_sentences() -> None:
    raw = seed("000")
    line = next(ln for ln in raw.splitlines() if "analyst Go Myong-hyun said. “Once Russia" in ln)
    start = raw.index(line)
    got = [raw[s.start : s.end] for s in segment(raw) if start <= s.start < start + len(line)]
    assert len(got) == 2
    assert got[0].endswith("analyst Go Myong-hyun said.") and got[1].startswith("“Once Russia violates")
    assert got[1].endswith("undermined.”")


def test_seed_abbreviations_not_cut() -> None:
    assert any("U.N. sanctions against North Korea" in s for s in sents(seed("000")))
    s4 = sents(seed("004"))
    assert any("the Aug. 15 anniversary of the Korean Peninsula" in s for s in s4)
    assert "Contact us at [email\xa0protected]." in s4
    assert s4[1] == "SEOUL, South Korea –"
    assert s4[2].startswith("The head of Russia’s proxy forces")


def test_seed_kickers_and_captions() -> None:
    s2 = sents(seed("002"))
    assert "Photo: Reuters" in s2
    assert any(s.startswith("SUPPORT: Elon Musk’s backing") for s in s2)
    assert not any(s in ("SUPPORT:", "FREEDOM NO MORE:") for s in s2)


def test_seed_segments_and_lines() -> None:
    for path in sorted(SEEDS.glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        check_invariants(raw)
        lines = raw.splitlines()
        for s in segment(raw):
            # seeds are a paragraph per line: no segment spans a line end
            assert raw[s.start : s.end] in lines[s.line - 1]


# ------------------------------------------------------------------ properties

PIECES = [
    "U.S. ", "Mr. ", "a.m. ", "said. “", ".” ", "\r\n", "\n\n", "\r", "WASHINGTON (AP) — ", "A", "the ",
    "Once", ". ", "? ", "…", "—", "\u2028", "\x85", "\x0b", "\x0c", "\x1c", "\u200b", "\u200e", "\u202e",
    "\ufeff", "\x00", "\xa0", "\t", " ", "’s", "-", "\r\n\r\n",
]
TEXT = st.lists(
    st.one_of(st.text(st.characters(codec="utf-8"), max_size=4), st.sampled_from(PIECES)), max_size=80
).map("".join)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_segment_invariants_on_any_text(raw: str) -> None:
    segs = segment(raw)
    prev_end = 0
    for s in segs:
        assert prev_end <= s.start < s.end <= len(raw)
        text = raw[s.start : s.end]
        assert text and not text[0].isspace() and not text[-1].isspace()
        assert s.line == _line_of(raw, s.start)
        prev_end = s.end


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PARAGRAPHS + ["Short title", "Photo: Reuters", "U.S. officials said so."]), max_size=6), st.sampled_from([40, 60, 72, 100]))
def test_wrapped_text_invariants(paras: list[str], width: int) -> None:
    raw = "\n\n".join(textwrap.fill(p, width) for p in paras)
    check_invariants(raw)
    for s in segment(raw):
        assert s.line == _line_of(raw, s.start)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_tokens_offsets_and_norms_agree(text: str) -> None:
    toks = tokens(text, offset=7)
    for t in toks:
        assert t.norm == norm_word(text[t.start - 7 : t.end - 7])
    assert words(text) == [t.norm for t in toks]
    assert normalize(text) == " ".join(t.norm for t in toks)


# ------------------------------------------------------------------ normalization


@pytest.mark.parametrize(
    "a, b",
    [
        ("Ukraine’s sovereignty", "Ukraines sovereignty"),
        ("Ukraine's sovereignty", "Ukraine’s sovereignty"),
        ("“a lot of opportunities”", '"a lot of opportunities"'),
        ("hardworking Korean builders", "hard-working Korean builders"),
        ("hard\u2011working", "hardworking"),
        ("North   Korea\n said", "north korea said"),
        ("NORTH KOREA", "north korea"),
        ("ﬁnance ministry", "finance ministry"),  # NFKC ligature
        ("Ｋｏｒｅａ １２", "Korea 12"),  # NFKC full width
        ("cafe\u0301", "café"),  # combining accent vs precomposed
        ("Straße", "STRASSE"),  # casefold
        ("peace\u00adful", "peaceful"),  # soft hyphen
    ],
)
def test_normalize_equates(a: str, b: str) -> None:
    assert normalize(a) == normalize(b)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Russia — a permanent member", "russia a permanent member"),
        ("2014–2022", "2014 2022"),
        ("said—a move", "said a move"),
        ("well--known", "well known"),
        ("U.N. sanctions", "u n sanctions"),
    ],
)
def test_dashes_separate(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_normalize_keeps_different_words_apart() -> None:
    assert normalize("North Korea") != normalize("South Korea")
    assert normalize("it's") != normalize("its it")


def test_tokens_offsets() -> None:
    text = "“Ukraine’s hard-working builders,” he said — in 2022."
    toks = tokens(text, offset=100)
    assert [t.norm for t in toks] == ["ukraines", "hardworking", "builders", "he", "said", "in", "2022"]
    for t in toks:
        assert isinstance(t, Token)
        assert norm_word(text[t.start - 100 : t.end - 100]) == t.norm
    assert text[toks[0].start - 100 : toks[0].end - 100] == "Ukraine’s"


def test_norm_word_ascii_fast_path() -> None:
    assert norm_word("Korea") == "korea"
    assert norm_word("hard-working") == "hardworking"
    assert norm_word("Ukraine's") == "ukraines"
    assert norm_word("ÉCOLE") == "école"


# Mostly ASCII with joiners in every position, the common curly quotes and dashes, and a
# few characters the ASCII view cannot map (accents, ligatures, a modifier apostrophe).
VIEW_PIECES = st.sampled_from(
    ["a", "Bc", "_", "9", "-", "--", "'", "`", "’", "‘", "“", "”", "—", "–", " ", "\n", "\x01", "\x02",
     ".", "é", "e\u0301", "ﬁ", "\u02bc", "\u00ad", "\u200b", "\xa0", "©", "Straße"]
)
VIEW_TEXT = st.lists(VIEW_PIECES, max_size=60).map("".join)


@settings(max_examples=400, deadline=None)
@given(VIEW_TEXT)
def test_ascii_view_agrees_with_tokens(text: str) -> None:
    toks = tokens(text)
    joined = " ".join(t.norm for t in toks)
    assert normalize(text) == joined
    # a lone word of joiners only ("ʼ") normalizes to nothing: no words at all
    assert words(text) == ([t.norm for t in toks] if joined else [])


@settings(max_examples=400, deadline=None)
@given(st.one_of(VIEW_TEXT, TEXT), st.lists(st.integers(0, 200), max_size=8))
def test_normalize_many_is_normalize_of_each_slice(raw: str, cuts: list[int]) -> None:
    cuts = sorted(min(c, len(raw)) for c in cuts)
    spans = [Segment(a, b, 1) for a, b in zip(cuts, cuts[1:])] + list(segment(raw))
    assert normalize_many(raw, spans) == [" ".join(t.norm for t in tokens(raw[s.start : s.end])) for s in spans]


def test_normalize_many_of_segments() -> None:
    raw = "Ukraine’s hard-working builders — “well--known” — said so.\nCAFÉ ﬁnance rose 5%.\n"
    segs = segment(raw)
    assert normalize_many(raw, segs) == ["ukraines hardworking builders well known said so", "café finance rose 5"]
    assert normalize_many(raw, []) == []
