"""Normalization for matching and sentence segmentation with exact offsets.

Normalization is for matching, never for display: the raw text is kept untouched and
every sentence and token points back into it by character offsets.

Line ends
---------
A line end is whatever ``str.splitlines`` splits on: ``\\r\\n``, ``\\n``, a lone ``\\r``,
``\\v``, ``\\f``, ``\\x1c``-``\\x1e``, ``\\x85``, ``\\u2028`` and ``\\u2029``.  Ingest numbers
header lines with ``splitlines``, so ``Segment.line`` agrees with it, and every one of these
characters also ends a paragraph (or is a soft wrap) for segmentation.

Segments
--------
``raw[s.start:s.end]`` is the segment, stripped of surrounding whitespace and invisible
characters (C0/C1 controls, zero-width and bidi marks, BOM, soft hyphen); segments are
in order, never overlap and are never empty.

A paragraph per line is the common case.  A document is treated as hard-wrapped (an
.md file, an e-mail) when its lines that run on into a next line have a consistent width
and many of them end mid-sentence; then a line break inside a paragraph is a soft wrap
when the line was full.  In any document a line break followed by a lowercase word is a
continuation, and a blank line always ends a paragraph.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate, chain, compress, count, islice, repeat
from operator import itemgetter, mul
from typing import Any, NamedTuple

# --------------------------------------------------------------------------- words

# Apostrophes and hyphens inside a word are dropped when matching: scrapers lose
# apostrophes ("Ukraines" for "Ukraine’s") and outlets disagree on hyphens
# ("hardworking" / "hard-working").  Soft hyphens and zero-width characters inside a
# word are dropped too.  En and em dashes are separators.
_JOINERS = "'\u2019\u2018\u02bc\u00b4`\u2010\u2011-\u00ad\u200b\u200c\u200d\u2060"


def _mark_ranges() -> str:
    """Combining marks (BMP) as a regex class body: ``\\w`` leaves them out, so a
    decomposed "cafe" + U+0301 would otherwise lose its accent as a separate non-word."""
    out = []
    run: list[int] = []
    for i in range(0x300, 0x10000):
        c = chr(i)
        if unicodedata.category(c) in ("Mn", "Mc", "Me") and not c.isalnum():
            if run and run[-1] == i - 1:
                run[1] = i
            else:
                if run:
                    out.append(run)
                run = [i, i]
    if run:
        out.append(run)
    return "".join(f"\\u{a:04x}-\\u{b:04x}" if a != b else f"\\u{a:04x}" for a, b in out)


_WORDCHAR = "[\\w" + _mark_ranges() + "]"
_WORD_RE = re.compile(r"\w" + _WORDCHAR + "*(?:[" + re.escape(_JOINERS) + "]" + _WORDCHAR + "+)*")
_JOINER_RE = re.compile("[" + re.escape(_JOINERS) + "]")
_JOIN_DELETE = {ord(c): None for c in _JOINERS}


@dataclass(frozen=True, slots=True)
class Token:
    start: int  # offset into the text the token came from
    end: int
    norm: str  # matching form: casefolded, NFKC, apostrophes and hyphens removed


def norm_word(word: str) -> str:
    """The matching form of one word: joiners removed, NFKC, casefolded."""
    if word.isascii():
        if word.isalnum():
            return word.lower()
        return _JOINER_RE.sub("", word).lower()
    w = word.translate(_JOIN_DELETE)
    w = unicodedata.normalize("NFKC", w).casefold()
    return w if w.isascii() else unicodedata.normalize("NFKC", w)


def tokens(text: str, offset: int = 0) -> list[Token]:
    """Word tokens of ``text`` with offsets (shifted by ``offset``) and matching forms."""
    return [Token(m.start() + offset, m.end() + offset, norm_word(m.group())) for m in _WORD_RE.finditer(text)]


def _fast_join(found: list[str]) -> str | None:
    """The matching forms of ``found`` joined by spaces when that can be done on the whole
    string at once (ASCII once joiners are gone, the common case), else None."""
    joined = " ".join(found)
    if joined.isascii():
        if "'" in joined or "-" in joined or "`" in joined:
            joined = joined.replace("'", "").replace("-", "").replace("`", "")
        return joined.lower()
    # Joiners only ever sit inside words, so removing them from the joined string is
    # removing them word by word; curly apostrophes are the usual non-ASCII.
    joined = joined.replace("\u2019", "")
    if not joined.isascii():
        joined = joined.translate(_JOIN_DELETE)
        if not joined.isascii():
            return None
    if "'" in joined or "-" in joined or "`" in joined:
        joined = joined.replace("'", "").replace("-", "").replace("`", "")
    return joined.lower()


def words(text: str) -> list[str]:
    """Matching forms of the words of ``text`` (the norms of ``tokens(text)``)."""
    view = _view(text)
    if "\x02" not in view:
        return view.replace("\x01", "").split() if "\x01" in view else view.split()
    return _words_exact(text)


def _words_exact(text: str) -> list[str]:
    found = _WORD_RE.findall(text)
    fast = _fast_join(found)
    if fast is None:
        return [norm_word(w) for w in found]
    return fast.split(" ") if fast else []


def normalize(text: str) -> str:
    """One string per sentence for matching: words in matching form, single spaces."""
    view = _view(text)
    if "\x02" not in view:
        return " ".join(view.replace("\x01", "").split() if "\x01" in view else view.split())
    return _normalize_exact(text)


def _normalize_exact(text: str) -> str:
    found = _WORD_RE.findall(text)
    fast = _fast_join(found)
    return fast if fast is not None else " ".join([norm_word(w) for w in found])


# ------------------------------------------------------------- whole-article matching
# ``normalize`` on many slices of one article at C speed, without a regex match per word.
# The article is mapped character for character (offsets kept) onto an ASCII "view":
# word characters lowercased, joiners -> \x01, other separators -> space, and any other
# non-ASCII character -> \x02 (a slice holding one takes the exact per-word path).  In
# ASCII a word is ``\w+`` runs linked by single joiners: a joiner next to another joiner is
# a separator (runs of them become spaces pairwise; a lone leftover sits next to a space),
# and every remaining \x01 is deleted from a slice, which leaves a space where it
# separated and nothing where it linked two word characters - exactly ``_WORD_RE``.
_VIEW_SPACE = "\u201c\u201d\u2013\u2014\u2015\u2026\u00a0\u00a9\u00ae\u2022\u00a3\u20ac\u00b0\u00bb\u00ab\u2022\u2033\u00d7"
_VIEW_JOINER = "\u2019\u2018"
_VIEW_TABLE = bytes(
    (c + 32 if 65 <= c <= 90 else c)
    if (48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122 or c == 95)
    else (1 if chr(c) in _JOINERS else 2 if c == 2 else 32)
    for c in range(256)
)
_NON_ASCII_SUB = re.compile("[^\x00-\x7f]").sub
# a joiner next to a joiner never links words (see above)
_JJ = b"\x01\x01"


def _check_view_chars() -> None:
    for c in _VIEW_SPACE:
        assert not re.match(_WORDCHAR, c) and c not in _JOINERS and c not in _LB, c
    for c in _VIEW_JOINER:
        assert not re.match(_WORDCHAR, c) and c in _JOINERS, c


def _ascii_fold(t: str) -> str:
    """``t`` in ASCII, same length: spaces and word joiners of other scripts as " " and "'", any
    other non-ASCII character as \x02 (a mark the views treat as "take the exact path")."""
    if not t.isascii():
        for c in _VIEW_SPACE:
            if c in t:
                t = t.replace(c, " ")
        for c in _VIEW_JOINER:
            if c in t:
                t = t.replace(c, "'")
        if not t.isascii():
            t = _NON_ASCII_SUB("\x02", t)
    return t


def _view(raw: str) -> str:
    """The ASCII matching view of ``raw`` (same length, same offsets)."""
    b = _ascii_fold(raw).encode("ascii").translate(_VIEW_TABLE)
    if _JJ in b:
        b = b.replace(_JJ, b"  ")
    return b.decode("ascii")


def normalize_many(raw: str, spans: Sequence[Any]) -> list[str]:
    """``[normalize(raw[s.start:s.end]) for s in spans]``, in one pass over the article.

    ``spans`` are any objects with ``start`` and ``end`` (``Segment``s)."""
    if not spans:
        return []
    last = _LAST
    if last is not None and (raw is last[0] or raw == last[0]) and spans == last[1]:
        return list(last[2])  # ``segment`` made these spans of this text and their norms
    view = _view(raw)
    out = []
    if "\x02" not in view:
        if "\x01" not in view:
            return [" ".join(view[s.start : s.end].split()) for s in spans]
        return [" ".join(view[s.start : s.end].replace("\x01", "").split()) for s in spans]
    for s in spans:
        part = view[s.start : s.end]
        if "\x02" in part:
            out.append(_normalize_exact(raw[s.start : s.end]))
        else:
            out.append(" ".join(part.replace("\x01", "").split()))
    return out


# ------------------------------------------------------------------------ segments


class Segment(NamedTuple):
    """A span of the raw text: read-only, compared by value (a named tuple: the pipeline
    makes a few hundred thousand of them, and a tuple is built in C)."""

    start: int
    end: int
    line: int  # 1-based line of ``start``


# Line ends: exactly those of str.splitlines (see the module docstring).
_LB = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
# Whitespace between words also covers the zero-width characters scrapers leave.
_WS = r"[\s\u200b\u200c\u200d\u2060\ufeff]"
# What is stripped from the ends of a segment: whitespace, controls, invisible format marks.
_STRIP = "".join(
    chr(i)
    for i in range(0x3001)
    if chr(i).isspace() or unicodedata.category(chr(i)) == "Cc"
) + "\u00ad\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
_STRIP_SET = frozenset(_STRIP)

_TERM = ".!?\u2026\u203c\u2047\u2048\u2049"  # . ! ? … ‼ ⁇ ⁈ ⁉
_CLOSERS = "\"'\u201d\u2019\u00bb\u203a)]*"  # " ' ” ’ » › ) ] *
# A candidate boundary: a line end with the whitespace after it, or sentence punctuation
# and closing quotes followed by whitespace (group 1).  The pattern starts with a single
# character class so that the regex engine skips quickly between candidates.
_CAND_RE = re.compile(
    "[" + re.escape(_TERM) + _LB + "](?:(?<=[" + _LB + "])" + _WS + "*"
    "|[" + re.escape(_TERM) + "]*[" + re.escape(_CLOSERS) + "]*(" + _WS + "+))"
)
# A dateline needs one of these within its first 90 characters (see _dateline).
_DATELINE_DASHES = ("\u2014", "\u2013", " -", "\u2015")
_LB_SEARCH = re.compile("[" + _LB + "]").search
# The same candidates, told apart by their groups: sentence punctuation and closers then
# whitespace holding a line end (group 1) or not (group 2); neither group: a bare line end.
_HWS = "(?:[^\\S" + _LB + "]|[\u200b\u200c\u200d\u2060\ufeff])"
_CAND2_RE = re.compile(
    "[" + re.escape(_TERM) + _LB + "](?:(?<=[" + _LB + "])" + _WS + "*"
    "|[" + re.escape(_TERM) + "]*[" + re.escape(_CLOSERS) + "]*(?:(" + _HWS + "*[" + _LB + "]" + _WS + "*)|(" + _HWS + "+)))"
)
# The start of the text after a boundary: opening quotes/brackets, then a word or a char.
_NEXT_RE = re.compile("[\"'\u201c\u2018\u00ab\u2039(\\[{*_\u2014\u2013-]*(\\w+|.?)", re.S)
# Lines that start a new block even without a blank line: list items, headings, quotes,
# tables, URLs.
_BLOCK_START_RE = re.compile(r"[>#|]\s|#|\w+://|www\.|[\w.+-]+@\w")
_LIST_ITEM_RE = re.compile(r"(?:[-*+•]|\d{1,3}[.)])\s")

# A dateline opening a paragraph: "SEOUL, South Korea –", "WASHINGTON (AP) —",
# "LONDON, July 19 (Reuters) -", "NEW YORK, Jan. 5, 2024 /PRNewswire/ --".
_MONTH_RX = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
_DATELINE_RE = re.compile(
    r"(?P<city>[A-Z][\w'’.&-]*(?:[ \t]+[A-Z][\w'’.&-]*){0,3})"
    r"(?P<region>,[ \t]*[A-Z][\w'’.-]*(?:[ \t]+[A-Z][\w'’.-]*){0,2})?"
    r"(?P<date>,?[ \t]*" + _MONTH_RX + r"[ \t]+\d{1,2}(?:,[ \t]*\d{4})?)?"
    r"(?P<agency>[ \t]*(?:\([A-Za-z][\w .&'’/-]{0,30}\)|/[^/\r\n]{1,40}/))?"
    r"(?:[ \t]*(?:--|[\u2013\u2014\u2015])|[ \t]+-)"
    r"(?=[ \t\u00a0]*[A-Z0-9\"“‘'])"
)

# Abbreviations (lowercase, without the final dot).
_TITLES = frozenset(
    "mr mrs ms mx messrs mmes mme mlle dr prof gen lt col maj capt cmdr adm sgt cpl pvt "
    "sen sens rep reps gov pres rev fr hon rt st mt ft supt insp det brig atty amb sec".split()
)
_MONTHS = frozenset("jan feb mar apr jun jul aug sep sept oct nov dec".split())
# Before a number these never end a sentence ("No. 5", "Aug. 15", "pp. 12").
_BEFORE_NUMBER = _MONTHS | frozenset("no nos vol vols art arts fig figs p pp ch sec para op ca approx tel ext rm ste apt".split())
# Never end a sentence.
_NEVER_END = frozenset("e.g i.e vs cf viz al".split())
# End a sentence only before a typical sentence opener ("in the U.S. The ..." but
# "U.S. President ...", "Apple Inc. Chief ...").
_AMBIGUOUS = _MONTHS | frozenset(
    "inc corp co ltd bros jr sr plc llc etc dept univ assn ave blvd rd hwy est "
    "ala ariz ark calif colo conn del fla ga ill ind kan ky la md mass mich minn miss mo "
    "mont neb nev okla ore pa tenn tex va vt wash wis wyo".split()
)
_STARTERS = frozenset(
    "The A An He She It They We I You This That These Those There Their Its His Her Our My "
    "But And Or So Yet Nor If In On At As By For From To Of With Without After Before Since "
    "While When Where What Why How Who Which Although Though However Meanwhile Still Also "
    "Then Now Some Many Most Several Both Each All Any Other Another One Two Three No Not "
    "Last Earlier Later According Under Over Despite During Instead Such Even Only Just "
    "Yes Today Yesterday Tomorrow".split()
)
_WEEKDAYS_MONTHS = frozenset(
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday Mon Tue Tues Wed Thu Thur Thurs Fri Sat Sun "
    "January February March April May June July August September October November December "
    "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec".split()
)
_DOTTED_RE = re.compile(r"(?:[A-Za-z]{1,2}\.)+[A-Za-z]{1,2}")
_SPEECH_RE = re.compile(
    r"(?:[A-Z][\w.’'-]*\s+){1,3}(?:said|says|asked|asks|told|wrote|writes|added|adds|replied|"
    r"shouted|tweeted|posted|wondered|continued|explained|noted|recalled|exclaimed|cried)\b"
)
_OPENERS = "\"'“‘«‹([{"
# What _NEXT_RE skips before the next word ("" too: c in "" is True, the end of the text).
_NEXT_OPENERS = "\"'\u201c\u2018\u00ab\u2039([{*_\u2014\u2013-"


def segment(raw: str) -> list[Segment]:
    """Sentences (and header lines, datelines) of ``raw`` with exact offsets."""
    n = len(raw)
    if not n:
        return []
    lines = raw.splitlines(True)
    may_wrap = len(lines) >= 3 and n < 160 * len(lines)
    if _only_nl_cr(raw, lines):
        found = _segment_by_lines(raw, lines, may_wrap)
        if not isinstance(found, int):
            return found
        return _segment_scan(raw, lines, found)
    return _segment_scan(raw, lines, _wrap_width(lines) if may_wrap else 0)


def _segment_scan(raw: str, lines: list[str], width: int) -> list[Segment]:
    """``segment`` by one scan over the whole text (any document)."""
    n = len(raw)
    line_ends = list(accumulate(map(len, lines)))  # offset just after each line end
    dashes = [d for d in _DATELINE_DASHES if d in raw]
    if dashes:
        # where each dash (or " -") starts and ends: a paragraph at ``pos`` may open with a
        # dateline only when the first one from ``pos`` on ends within 90 characters (the
        # first to start is also the first to end: they are one or two characters long)
        found = []
        for d in dashes:
            i = raw.find(d)
            while i >= 0:
                found.append((i, i + len(d)))
                i = raw.find(d, i + 1)
        found.sort()
        dash_starts = [a for a, _ in found]
        dash_ends = [b for _, b in found]
        n_dashes = len(found)
    strip = _STRIP_SET
    next_openers = _NEXT_OPENERS

    bounds: list[tuple[int, int]] = []
    seg_start = _dateline(raw, 0, bounds) if dashes else 0
    for m in _CAND2_RE.finditer(raw):
        (ms, nxt), (cut, _), (cut2, _) = m.regs  # one call for every span
        if ms < seg_start:
            continue
        if cut >= 0:  # sentence punctuation, then a line end
            if width and not _gap_is_hard(raw, m.group(1), nxt) and not _ends_sentence(raw, ms, raw[ms:cut], nxt):
                continue
            newline = True
        elif cut2 < 0:  # a line end with no sentence punctuation before it
            if width:
                if _soft_wrap(raw, ms, nxt, m.group(), width, line_ends):
                    continue
            else:
                # A paragraph per line: only a line going on in lowercase (maybe after
                # opening quotes or dashes) can continue the sentence.
                c = raw[nxt : nxt + 1]
                if (c.islower() or c in next_openers) and _soft_wrap(raw, ms, nxt, m.group(), 0, line_ends):
                    continue
            cut = ms
            newline = True
        else:  # sentence punctuation, then spaces
            cut = cut2
            if not _ends_sentence(raw, ms, raw[ms:cut], nxt):
                continue
            newline = False
        if seg_start < cut:
            _bound(raw, seg_start, cut, bounds, strip)
        seg_start = nxt
        if newline and dashes:
            i = bisect_left(dash_starts, nxt)
            if i < n_dashes and dash_ends[i] <= nxt + 90 and raw[nxt : nxt + 1].isupper():
                seg_start = _dateline(raw, nxt, bounds)
    _emit(raw, seg_start, n, bounds)

    if not bounds:
        return []
    starts, ends = zip(*bounds)
    line_ends.insert(0, 0)  # bisect_right(line_ends, s) is then the 1-based line of s
    lines_of = map(bisect_right, repeat(line_ends), starts)
    return list(map(tuple.__new__, repeat(Segment), zip(starts, ends, lines_of)))


# ------------------------------------------------- paragraph-per-line documents, by lines
# In a document that is not hard-wrapped, with only \n and \r line ends, every line end is
# a boundary except where a line ending without sentence punctuation goes on in lowercase
# (``_soft_wrap``), and no other decision reads across a line end: the candidates, the
# dateline, the abbreviation look-back (a line end is whitespace) and the next word (which
# may read one character: the line's own line end) all stay within the line.  Lines after
# the first start where the whitespace after the previous line end stops.  So a line's
# segments, as offsets into the line, depend on the line's text alone (with its line end),
# and news copy repeats lines across articles: they are kept in ``_LINE_MEMO``, with their
# norms (``normalize_many`` of a line's view is that of the article's: the view is made
# character by character, and a run of joiners never spans a line end).  The exceptions
# are checked in context: a lowercase (or quoted...) line after a line without sentence
# punctuation (``_soft_wrap`` decides; if it joins, the article takes ``_segment_scan``),
# and the speaker after a quoted question (``_SPEECH_RE`` may read past the line end: the
# line is then segmented with the whole text at hand and not remembered).
_WS_CHARS = "".join(chr(i) for i in range(0x3001) if chr(i).isspace()) + "\u200b\u200c\u200d\u2060\ufeff"
_WS_RUN = re.compile(_WS + "*")
_DASH_CHARS = "\u2014\u2013\u2015"
# line (with its line end) -> its entry (see _BLANK below)
_LINE_MEMO: dict[str, tuple[Any, ...]] = {}
_LINE_MEMO_MAX = 100_000  # entries; the memo is emptied when full
_LINE_MEMO_MAX_CHARS = 8_000_000  # characters of lines held; emptied past this
_LINE_MEMO_LONGEST = 2_000  # longer lines are not remembered
_line_memo_chars = 0
# the last text ``segment`` read by lines: (raw, its segments, their norms) for ``normalize_many``
_LAST: tuple[str, list[Segment], list[str]] | None = None


def _only_nl_cr(raw: str, lines: list[str]) -> bool:
    """Does ``raw`` (split into ``lines``) end its lines with \\n, \\r and \\r\\n only?"""
    ends = raw.count("\n")
    if "\r" in raw:
        ends += raw.count("\r") - raw.count("\r\n")
    # every line but an unterminated last one ends with one of them
    return len(lines) == ends + (raw[-1] not in _LB)


def _segment_by_lines(raw: str, lines: list[str], may_wrap: bool = False) -> list[Segment] | int:
    """``_segment_scan(raw, lines, 0)`` line by line; or, for ``_segment_scan``, the wrap width
    when the text is hard-wrapped (only looked for when ``may_wrap``), 0 when a line end is a
    soft wrap."""
    global _LAST
    entries: list[Any] = list(map(_LINE_MEMO.get, lines))
    if lines[0][0] in _WS_CHARS:
        entries[0] = None  # the text's start: its first line is not stripped (as in _segment_scan)
    offs = list(accumulate(map(len, lines), initial=0))
    if not all(entries):
        _fill_entries(raw, lines, offs, entries)
    if may_wrap:
        width = _entries_wrap_width(entries)
        if width:
            return width
    # a line ending without sentence punctuation, then one that may go on: a soft wrap?
    for i in compress(count(), map(mul, map(_BARE, entries), islice(map(_GOES_ON, entries), 1, None))):
        ms = offs[i] + entries[i][2] - 1
        nxt = _WS_RUN.match(raw, ms + 1).end()
        c = raw[nxt : nxt + 1]
        if (c.islower() or c in _NEXT_OPENERS) and _soft_wrap(raw, ms, nxt, raw[ms:nxt], 0, offs[1:]):
            return 0
    new = tuple.__new__
    seg = Segment
    out = [new(seg, (off + a, off + b, no)) for e, off, no in zip(entries, offs, count(1)) for a, b in e[0]]
    _LAST = (raw, out.copy(), list(chain.from_iterable(map(_NORMS, entries))))
    return out


# A line's memo entry: (the (start, end) of its segments in the line, their norms,
# 1 + where the line ends without sentence punctuation or 0, whether the line may go on
# a sentence from the line before: it starts in lowercase, with an opening quote..., or
# indented; a blank line never does: a blank line ends a paragraph; for ``_wrap_width`` the
# length of the line without trailing whitespace, 1 if that ends in none of _CLOSED; 1 for a
# blank line: only whitespace, zero-width spaces included)
_NORMS = itemgetter(1)
_BARE = itemgetter(2)
_GOES_ON = itemgetter(3)
_RLEN = itemgetter(4)
_OPEN = itemgetter(5)
_BLANK: tuple[Any, ...] = ((), (), 0, 0, 0, 0, 1)


def _blank_entry(line: str) -> tuple[Any, ...]:
    """The entry of a blank line: _BLANK, unless ``str.rstrip`` keeps some of it (zero-width spaces)."""
    if line.isspace():
        return _BLANK
    r = line.rstrip()
    return ((), (), 0, 0, len(r), 0 if r[-1] in _CLOSED else 1, 1)


def _goes_on(line: str) -> int:
    c = line[0]
    return 1 if c.islower() or c in _NEXT_OPENERS or (c in _WS_CHARS and c not in _LB) else 0


def _fill_entries(raw: str, lines: list[str], offs: list[int], entries: list[Any]) -> None:
    """The entries of the lines not in the memo (``None`` in ``entries``), remembered when
    they depend on the line alone.  A run of such lines (blank lines between them
    included) is read by one scan, as ``_segment_scan`` reads it, a line's entry taken
    at each line end.  (The memo is emptied before it passes its limits: it may pass them
    by one text's lines.)"""
    global _line_memo_chars
    memo = _LINE_MEMO
    if len(memo) >= _LINE_MEMO_MAX or _line_memo_chars > _LINE_MEMO_MAX_CHARS:
        memo.clear()
        _line_memo_chars = 0
    added = 0
    strip = _STRIP_SET
    ws = _WS_CHARS
    longest = _LINE_MEMO_LONGEST
    n_lines = len(lines)
    ctx = [False]
    view = ""
    i = 0
    while i < n_lines:
        if entries[i] is not None:
            i += 1
            continue
        line = lines[i]
        seg_start = offs[i + 1] - len(line.lstrip(ws))
        if i and seg_start == offs[i + 1]:  # a blank line (not the first)
            entries[i] = memo[line] = _blank_entry(line)
            i += 1
            continue
        # a run of lines from ``i``: the lines that are not in the memo, and blank ones
        j = i
        while j + 1 < n_lines and ((e := entries[j + 1]) is None or e[6]):
            j += 1
        while (e := entries[j]) is not None and e[6]:
            j -= 1
        run_end = offs[j + 1]
        start = offs[i]
        if i == 0:
            seg_start = 0
        cur = i
        bounds: list[tuple[int, int]] = []
        bare = 0
        if seg_start < offs[i + 1] and ("-" in line or "\u2014" in line or "\u2013" in line or "\u2015" in line):
            seg_start = _dateline(raw, seg_start, bounds)
        for m in _CAND2_RE.finditer(raw, seg_start, run_end):
            (ms, nxt), (cut, _), (cut2, _) = m.regs
            if ms < seg_start:
                continue
            if cut < 0:
                if cut2 < 0:  # the line end, without sentence punctuation before it
                    cut = ms
                    bare = ms - start + 1
                else:  # sentence punctuation, then spaces: the line goes on
                    cut = cut2
                    if not _ends_sentence(raw, ms, raw[ms:cut], nxt, ctx):
                        continue
                    if seg_start < cut:
                        _bound(raw, seg_start, cut, bounds, strip)
                    seg_start = nxt
                    continue
            if seg_start < cut:
                _bound(raw, seg_start, cut, bounds, strip)
            seg_start = nxt
            # a line end: the line ``cur`` is done
            if bounds and not view:
                view = _view(raw)
            entry = entries[cur] = _entry(raw, view, line, start, bounds, bare)
            added += _remember(memo, line, entry, ctx, cur, longest, ws)
            # on to the line holding ``nxt`` (blank lines between are blank)
            cur += 1
            while cur <= j and offs[cur + 1] <= nxt:
                if entries[cur] is None:
                    entries[cur] = memo[lines[cur]] = _blank_entry(lines[cur])
                cur += 1
            if cur > j:
                break
            line = lines[cur]
            start = offs[cur]
            bounds = []
            bare = 0
            if "-" in line or "\u2014" in line or "\u2013" in line or "\u2015" in line:
                seg_start = _dateline(raw, nxt, bounds)
        else:
            # the text ends without a line end
            if seg_start < run_end:
                _emit(raw, seg_start, run_end, bounds)
            if bounds and not view:
                view = _view(raw)
            entry = entries[cur] = _entry(raw, view, line, start, bounds, bare)
            added += _remember(memo, line, entry, ctx, cur, longest, ws)
        i = j + 1
    _line_memo_chars += added


def _bound(raw: str, a: int, b: int, bounds: list[tuple[int, int]], strip: frozenset[str]) -> None:
    """Add the segment raw[a:b] to ``bounds``, trimmed (``_emit``) when an end is strippable."""
    if raw[a] in strip or raw[b - 1] in strip:
        _emit(raw, a, b, bounds)
    else:
        bounds.append((a, b))


def _remember(memo: dict, line: str, entry: tuple[Any, ...], ctx: list[bool], cur: int, longest: int, ws: str) -> int:
    """Store a scanned line's entry in the memo unless its segmentation leaned on the lines
    around it (``ctx[0]``, then cleared) or it may not be remembered (too long; a first line
    with leading space).  Returns the characters added to the memo."""
    if ctx[0]:
        ctx[0] = False
        return 0
    if len(line) <= longest and (cur or line[0] not in ws):
        memo[line] = entry
        return len(line)
    return 0


def _entry(raw: str, view: str, line: str, start: int, bounds: list[tuple[int, int]], bare: int) -> tuple[Any, ...]:
    """The memo entry of ``line`` (at ``start`` in ``raw``, ``view`` its view) from its
    segments' bounds in ``raw``."""
    r = line.rstrip()
    rlen = len(r)
    open_end = 1 if rlen and r[-1] not in _CLOSED else 0
    if len(bounds) == 1:
        a, b = bounds[0]
        part = view[a:b]
        norm = _normalize_exact(raw[a:b]) if "\x02" in part else " ".join(part.replace("\x01", "").split())
        return (((a - start, b - start),), (norm,), bare, _goes_on(line), rlen, open_end, 0)
    norms = []
    for a, b in bounds:
        part = view[a:b]
        norms.append(_normalize_exact(raw[a:b]) if "\x02" in part else " ".join(part.replace("\x01", "").split()))
    return (tuple([(a - start, b - start) for a, b in bounds]), tuple(norms), bare, _goes_on(line), rlen, open_end, 0)


def _line_ends(gap: str) -> int:
    """How many line ends the whitespace ``gap`` holds."""
    return len(gap.splitlines()) - (gap[0] in _LB) + (gap[-1] in _LB)


def _emit(raw: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    strip = _STRIP_SET
    while start < end and raw[start] in strip:
        start += 1
    while end > start and raw[end - 1] in strip:
        end -= 1
    if end > start:
        out.append((start, end))


def _dateline(raw: str, pos: int, out: list[tuple[int, int]]) -> int:
    """Emit a dateline opening the paragraph at ``pos``; return where the text goes on."""
    head = raw[pos : pos + 90]
    if not (head[:1].isupper() and ("\u2014" in head or "\u2013" in head or " -" in head or "\u2015" in head)):
        return pos
    m = _DATELINE_RE.match(raw, pos)
    if m is None:
        return pos
    city = m.group("city")
    if not (m.group("date") or m.group("agency")):
        letters = sum(c.isalpha() for c in city)
        if not city.isupper() or letters < 3:
            return pos
    _emit(raw, pos, m.end(), out)
    return m.end()


def _next_word(raw: str, pos: int) -> str:
    m = _NEXT_RE.match(raw, pos)
    return m.group(1) if m else ""


def _ends_sentence(raw: str, ps: int, punct: str, nxt: int, ctx: list[Any] | None = None) -> bool:
    """Does the sentence punctuation at ``ps`` (text going on at ``nxt``) end a sentence?

    ``ctx[0]`` is set when the one look-ahead that may read past a line end is taken
    (a speaker after a quoted question)."""
    word = _next_word(raw, nxt)
    if not word:
        return True
    c = word[0]
    if c.islower() or c in ",;:%)]}.?!\u2026":
        return False
    if punct[0] != "." or (len(punct) > 1 and punct[1] in _TERM):
        # ? ! … or an ellipsis: a capital goes on with a new sentence, unless a quoted
        # question is followed by its speaker ("“Why now?” Biden asked.").
        if punct[-1] in _CLOSERS and punct[0] in "?!":
            if ctx is not None:
                ctx[0] = True
            if _SPEECH_RE.match(raw, nxt):
                return False
        return True
    # A single full stop (maybe followed by closing quotes).
    if len(punct) > 1:
        return True  # 'said.”' - the abbreviations below never take a closing quote
    lo = max(0, ps - 24)
    if ps == 0 or raw[ps - 1] in _STRIP_SET:
        return True
    prev = raw[lo:ps].rsplit(None, 1)[-1].lstrip(_OPENERS)
    if not prev:
        return True
    key = prev.lower()
    if key in _TITLES or key in _NEVER_END:
        return False
    if c.isdigit():
        return key not in _BEFORE_NUMBER
    if key == "a.m" or key == "p.m":
        return c.isupper() and word not in _WEEKDAYS_MONTHS and not word.isupper()
    if key in _AMBIGUOUS or (len(prev) == 1 and prev.isupper()) or _DOTTED_RE.fullmatch(prev):
        return word in _STARTERS
    return True


def _gap_is_hard(raw: str, gap: str, nxt: int) -> bool:
    """In a hard-wrapped document: does this line end after sentence punctuation also
    end the paragraph (a blank line, or a list item / heading / URL next)?"""
    return _line_ends(gap) >= 2 or _BLOCK_START_RE.match(raw, nxt) is not None or _LIST_ITEM_RE.match(raw, nxt) is not None


def _soft_wrap(raw: str, ms: int, nxt: int, gap: str, width: int, line_ends: list[int]) -> bool:
    """Is the line end at ``ms`` (next line at ``nxt``) a wrap inside a sentence?"""
    if nxt >= len(raw) or _line_ends(gap) >= 2:
        return False
    word = _next_word(raw, nxt)
    if not word or _BLOCK_START_RE.match(raw, nxt):
        return False
    i = bisect_right(line_ends, ms)
    line_start = line_ends[i - 1] if i else 0
    if _LIST_ITEM_RE.match(raw, nxt):
        # "- item" after a list item, a colon or a short line starts a new item; after
        # a full line it is more likely a dash (or a number) that the wrap moved down.
        if (
            not width
            or _LIST_ITEM_RE.match(raw[line_start:ms].lstrip())
            or raw[ms - 1] == ":"
            or len(raw[line_start:ms].rstrip()) < width * 0.8
        ):
            return False
    if word[0].islower():
        if width:
            return True
        # A paragraph per line: only a plain lowercase word that goes on to finish a
        # sentence on that line continues it (not "iOS", "eNewspaper", menu items).
        if not (word.isalpha() and word.islower()):
            return False
        j = bisect_right(line_ends, nxt)
        tail = raw[nxt : line_ends[j] if j < len(line_ends) else len(raw)].rstrip().rstrip(_CLOSERS)
        return tail[-1:] in _TERM_SET
    if not width:
        return False
    used = len(raw[line_start:ms].rstrip())
    first = len(raw[nxt : nxt + 40].split(None, 1)[0])
    return used >= width // 2 and used + 1 + first > width * 0.8


def _wrap_width(lines: list[str]) -> int:
    """The wrap width of a hard-wrapped document, or 0 for a paragraph-per-line one.

    Hard-wrapped: the lines that run on into a next line have a consistent length
    (most within a quarter of the width) and many of them end mid-sentence."""
    stripped = list(map(str.rstrip, lines))
    # the lines that run on into a next (non-blank) line
    run_on = list(compress(stripped, map(all, zip(stripped, islice(stripped, 1, None)))))
    if len(run_on) < 2:
        return 0
    # those without sentence punctuation at the end
    open_ends = len(run_on) - sum(map(_CLOSED.__contains__, map(_LAST_CHAR, run_on)))
    if open_ends < 0.3 * len(run_on):
        return 0
    return _width_of(sorted(map(len, run_on), reverse=True))


def _entries_wrap_width(entries: list[tuple[Any, ...]]) -> int:
    """``_wrap_width`` of the lines whose memo entries are ``entries``."""
    rlens = list(map(_RLEN, entries))
    run_on = list(compress(entries, map(mul, rlens, islice(rlens, 1, None))))
    if len(run_on) < 2:
        return 0
    if sum(map(_OPEN, run_on)) < 0.3 * len(run_on):
        return 0
    return _width_of(sorted(map(_RLEN, run_on), reverse=True))


def _width_of(lengths: list[int]) -> int:
    """The wrap width from the lengths (in descending order) of the lines that run on."""
    width = lengths[len(lengths) // 10]
    if not 30 <= width <= 160:
        return 0
    full = sum(1 for x in lengths if x >= width - max(15, width // 4))
    if full < 0.6 * len(lengths):
        return 0
    return width


_CLOSED = frozenset(_TERM + _CLOSERS + ":")
_LAST_CHAR = itemgetter(-1)
_TERM_SET = frozenset(_TERM)
_check_view_chars()
