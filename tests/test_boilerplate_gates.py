"""The cheap gates in front of boilerplate patterns answer exactly what the patterns answer."""

from __future__ import annotations

import random
import re

from tui.core import boilerplate as bp

# The agency alternation as it was first written (the gate's list is derived from it).
_AGENCY_AS_WRITTEN = (
    r"(?:getty images|afp|reuters|associated press|ap photo|ap|shutterstock|istock(?:photo)?|epa(?:-efe)?|"
    r"xinhua|kcna|yonhap|bloomberg|anadolu(?: agency)?|alamy|pa(?: wire| media)?|sipa|efe|ansa|tass|"
    r"rex features|rex|zuma(?: press)?|imago|dpa|nurphoto|sopa images|lightrocket|wireimage|filmmagic|"
    r"handout|pool|file|files|agencies|courtesy)"
)

_LINES = [
    "Jonathan Nackstrand/AFP",
    "STR/KCNA VIA KNS/AFP via Getty Images",
    "Mike Blake/Reuters files",
    "Photo by Jane Doe for The Times",
    "A man walks past a shop in Seoul (AP Photo/Ahn Young-joon)",
    "The minister spoke on Tuesday.",
    "via the ministry's own channel",
    "He said the map was wrong / the gap is real",
    "Posted May 6, 2022",
    "Updated 10/3/2024 at 5pm",
    "March 2019",
    "Sept. 12",
    "The market closed higher",
    "No digits or months here at all",
    "Decided in 12/31",
    "Der Präsident sprach am 3. Mai",
    "ſep 5",
    "Ķelvin/ſipa",
    "",
]


def _variants(rng: random.Random) -> list[str]:
    out = list(_LINES)
    names = [*bp._AGENCIES, "AP", "Getty Images", "REUTERS", "Pa Media", "ſipa", "eſa", "ﬁle"]
    joins = ["/", " via ", " for ", " by ", " ", "", "-"]
    ends = ["", " ", ")", " )", ")\n", "\n", " \n)", "))", ".", "\u00a0", "\u2003)", " x"]
    for _ in range(3000):
        head = rng.choice(_LINES)[: rng.randint(0, 40)]
        t = head + rng.choice(joins) + rng.choice(names) + rng.choice(ends)
        out.append(t)
        out.append(t.upper())
        out.append(t.swapcase())
        out.append(rng.choice(["Jan", "SEPT", "mAy", "12/3", "2024", "Dec.", "décembre", "jun3", "x", "4-5"]) + " " + head)
    return out


def test_agency_gate_matches_the_pattern() -> None:
    rng = random.Random(11)
    hits = 0
    for t in _variants(rng):
        want = bp._AGENCY_END_RE.search(t) is not None
        assert bp._ends_with_agency(t) == want, t
        hits += want
    assert hits > 500  # the strings exercise both answers


def test_agency_list_is_the_written_alternation() -> None:
    written = re.compile(_AGENCY_AS_WRITTEN + r"\Z", re.I)
    derived = re.compile(bp._AGENCY + r"\Z", re.I)
    probes = {n + tail for n in bp._AGENCIES for tail in ("", "s", " wire", " agency", "photo", " press", "-efe")}
    probes |= {n[:-1] for n in bp._AGENCIES}
    for p in probes:
        assert (written.match(p) is None) == (derived.match(p) is None), p


def test_month_or_number_gate_matches_the_pattern() -> None:
    rng = random.Random(12)
    seen = {True: 0, False: 0}
    for t in _variants(rng):
        want = bp._HAS_MONTH_OR_NUM_RE.search(t) is not None
        assert bp._has_month_or_num(t) == want, t
        seen[want] += 1
    assert min(seen.values()) > 500


def test_gated_cues_still_label() -> None:
    assert bp._classify("Jonathan Nackstrand/AFP") == "credit"
    assert bp._classify("He walked away via the back door") is None
    assert bp._meta("Posted May 6, 2022") is not None
    assert bp._meta("The market closed higher") is None


def test_literal_screen_finds_exactly_the_literals() -> None:
    rng = random.Random(13)
    keys = bp._ANY_KEYS
    pieces = [*keys, *(k[: len(k) // 2] for k in keys), *(k[len(k) // 2 :] for k in keys), " ", "the ", "x", "\u00a9"]
    found = 0
    for _ in range(5000):
        t = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
        want = any(k in t for k in keys)
        assert (bp._ANY_SCREEN.search(t) is not None) == want, t
        found += want
    assert 500 < found < 4500
    small = bp._literal_screen(["ab", "b", "xyz", "zz"])
    for t, want in [("", False), ("a", False), ("ab", True), ("cb", True), ("xy", False), ("xyz", True), ("z", False), ("zz", True)]:
        assert (small.search(t) is not None) == want, t
