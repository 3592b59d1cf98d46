"""Boilerplate roles and kinds: which sentences are the article, which are page debris.

Two passes, both pure functions over plain data:

* :func:`label_own` uses the article's own cues: the language of boilerplate
  (copyright notices, photo credits, subscribe prompts, comment-section furniture,
  contact lines, "Additional reporting by", separators ...), captions glued to a
  credit, date stamps and datelines, and a run of truncated teaser paragraphs at the
  tail of the page (other stories glued to the end of a scrape).
* :func:`label_in_context` adds evidence from the rest of the story: lines the
  outlet repeats under other stories, and a tail of paragraphs after the last shared
  sentence whose words barely overlap the other articles of the story.

Cues are patterns of the language of boilerplate, never site names.  A line-level
cue applies to every segment (sentence) of that line.  Boilerplate is labelled,
never deleted.

Speed: ``label_own`` is called on every segment of every article; all patterns are
compiled once and combined per family, and the per-segment work is a couple of
regex matches on short strings (long body sentences only meet the anchored ones).
What a segment's text says on its own is remembered by text (wire copy repeats:
most sentences of an intake were seen before), so most segments cost a dict lookup.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import compress
from operator import itemgetter, ne

from .text import Segment, words


@dataclass(frozen=True, slots=True)
class Label:
    role: str  # "title" | "meta" | "body" | "boilerplate"
    kind: str | None = None


BODY = Label("body")

# Kinds that describe a whole line: when a line starts with one of these, every
# segment of the line gets it ("© 2024 X. All rights reserved. Do not reproduce.").
_LINE_KINDS = frozenset(
    {"copyright", "related", "prompt", "comments", "contact", "attribution", "disclaimer", "separator"}
)

# --------------------------------------------------------------------------- cues
# Letters that look Latin but are not (spam-filter evasion: "Соntасt uѕ"), and
# typographic quotes, mapped for matching only.
_CONFUSABLES = str.maketrans(
    {
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "і": "i", "ѕ": "s",
        "ј": "j", "ԁ": "d", "һ": "h", "ո": "n", "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M",
        "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T", "Х": "X", "І": "I", "Ѕ": "S",
        "’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " ",
    }
)  # fmt: skip

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
# The agencies a credit line may end with (longer names before their prefixes).
_AGENCIES = (
    "getty images", "afp", "reuters", "associated press", "ap photo", "ap", "shutterstock", "istockphoto",
    "istock", "epa-efe", "epa", "xinhua", "kcna", "yonhap", "bloomberg", "anadolu agency", "anadolu", "alamy",
    "pa wire", "pa media", "pa", "sipa", "efe", "ansa", "tass", "rex features", "rex", "zuma press", "zuma",
    "imago", "dpa", "nurphoto", "sopa images", "lightrocket", "wireimage", "filmmagic", "handout", "pool",
    "files", "file", "agencies", "courtesy",
)  # fmt: skip
_AGENCY = "(?:" + "|".join(map(re.escape, _AGENCIES)) + ")"

# Anchored at the start of a segment (checked with .match): (kind, pattern).
_START_RULES: list[tuple[str, str]] = [
    # copyright
    ("copyright", r"(?:©|\(c\)\s|copyright\b|some rights reserved\b|all rights reserved\b)"),
    # photo credits: "Photo: Reuters", "Image credit: ...", "(Credit: X / Y)", "Photograph by X"
    (
        "credit",
        r"\(?(?:(?:file |main |top |header |featured |lead |cover )?(?:photo|photograph|picture|pic|image|"
        r"video|graphic|illustration|photo illustration|footage|map|chart)s?(?: credit)?|credits?|"
        r"photo courtesy|courtesy)\s*(?::|by\b|courtesy\b|via\b)",
    ),
    ("credit", r"\((?:file|file photo|photo|handout|ap|afp|reuters|getty images)\)\s*$"),
    # read-more and related links
    (
        "related",
        r"(?:read more|read next|read also|also read|see also|more reading|further reading|recommended reading|"
        r"related (?:article|story|stories|coverage|content|link|post|reading|news|topic|video)s?\b|"
        r"(?:related|read|watch|listen|more|see|also|recommended|trending|video)\s*:|"
        r"source link\s*$|you (?:may|might) (?:also )?(?:like|enjoy|be interested)|"
        r"watch this next|don't miss\b|click here to (?:read|see|watch|view|listen)|"
        r"(?:read|see|view) (?:the )?(?:full|original) (?:story|article|report|post) (?:here|at|on)\b|"
        r"(?:previous|next) (?:article|story|post)\b|tagged\s*:|filed under\b|topics?\s*:|tags?\s*:)",
    ),
    # prompts: newsletters, apps, social, subscriptions, memberships, cookies
    (
        "prompt",
        r"(?:(?:subscribe|sign up|signup|register|join)\b.{0,80}\b(?:newsletter|edition|briefing|updates|alerts|"
        r"inbox|membership|premium)|subscribe (?:now|today|here|for|to)\b|sign up (?:now|today|here|for)\b|"
        r"(?:download|get) (?:the|our)\b.{0,60}\bapps?\b|follow (?:us|@)|like us on\b|"
        r"(?:follow|find) (?:the )?\w+(?: \w+){0,3} on (?:twitter|facebook|instagram|linkedin|tiktok|youtube|"
        r"threads|telegram|whatsapp|google news)\b|join (?:now|today|us|our)\b|"
        r"(?:help |please )?support (?:our|independent|local|quality) (?:journalism|reporting|news)|"
        r"make a (?:contribution|donation)|become a (?:member|subscriber|patron|supporter)|"
        r"advertise with\b|this (?:web)?site uses cookies|we use cookies|by clicking\b|"
        r"if you(?:'re| are) (?:seeing this message|already a subscriber|on the\b.{0,40}\bapp)|"
        r"to (?:view|read|continue reading|access) (?:the|this) (?:full )?(?:story|article)|"
        r"already a (?:subscriber|member)|never miss\b|get (?:the latest|breaking|our)\b.{0,60}\b"
        r"(?:news|stories|updates|headlines|newsletter)\b.{0,40}\b(?:inbox|email|delivered|phone|app)|"
        r"(?:the )?(?:latest|top|breaking) (?:news|stories|headlines) (?:delivered|straight|direct) to|"
        r"more (?:must-see )?stories from\b|first-time subscribers\b|no spam\b|want more (?:stories|news)\b|"
        r"get (?:the|our)\b.{0,40}\b(?:newsletter|briefing|edition|alerts)\b|"
        r"click here\b|tap here\b|(?:enter|submit) your email)",
    ),
    # comment sections
    (
        "comments",
        r"(?:leave a (?:reply|comment)|(?:\d+\s+)?(?:user |reader |visitor )?comments?\s*(?:\(\d+\))?\s*:?\s*$|"
        r"(?:write|post|add|view|show|load|loading|hide|delete|report|read|see) (?:a |the |all |\d+ )?comments?\b|"
        r"notify me (?:of|when)\b|join the (?:conversation|discussion|debate)|be (?:part|the first) of the "
        r"conversation|be the first to comment|there are no comments|(?:please )?(?:log|sign) ?in (?:here )?to "
        r"(?:leave|post|add|write|join|comment)|(?:recent|latest|top) comments\s*$|house rules\s*$|"
        r"community (?:guidelines|standards)\s*$|(?:about )?(?:the )?(?:\w+ )?commenting\b|comments? (?:are|is) "
        r"(?:closed|moderated|welcome)|we welcome (?:reader |your )?comments|cancel reply\s*$|"
        r"share your (?:thoughts|views|comments|opinion)|(?:please )?(?:keep|be) (?:your )?(?:comments )?"
        r"(?:civil|respectful|on topic))",
    ),
    # contact lines
    (
        "contact",
        r"(?:contact us\b|(?:contact|e-?mail|tel|telephone|phone|fax|whatsapp|call us|write to us)\s*:|"
        r"or by e-?mail\b|to reach the (?:reporter|editor|author|writer|newsroom)|"
        r"(?:submit|send|write) (?:us )?(?:your |a )?letters? to the editor|mail the editor|"
        r"feedback to (?:the )?editors?|(?:got|have) a (?:news )?tip\b|send us (?:a |your )?(?:tip|news|message|story))",
    ),
    # attribution
    (
        "attribution",
        r"(?:\[|\()?(?:based on (?:reporting|reports|a report) (?:by|from)|additional reporting\b|"
        r"(?:reporting|writing|editing|edited|compiled|translated|research|graphics?) by\b.{0,200}?(?:;|$)|"
        r"with (?:reporting|files|material|contributions) from\b|"
        r"this (?:article|story|piece|post|report|interview|essay|column) (?:was )?(?:originally |first )?"
        r"(?:appeared|appears|published|ran|was published|was originally published)\b|"
        r"(?:originally|first) (?:published|appeared) (?:on|in|at|by)\b|"
        r"(?:excerpted|adapted|reprinted|taken) (?:with permission )?from\b|from the (?:new )?book\b|"
        r"this (?:project|story|report|article|coverage|reporting|series|content) (?:was|is) (?:produced|made "
        r"possible|supported|funded|published) (?:with|by|in|through|thanks)\b|"
        r"(?:the )?(?:associated press|ap|reuters|afp|bloomberg|cnn|bbc)(?: news)? contributed\b)",
    ),
    # disclaimers
    (
        "disclaimer",
        r"(?:(?:editorial |advertising |affiliate )?(?:disclaimer|disclosure)\s*(?:\(|:)|this (?:post|article|page|"
        r"story) (?:contains|may contain) (?:references|affiliate|links|sponsored)|the (?:views|opinions) expressed "
        r"(?:here|in this|are)|opinions expressed here|(?:editor's )?note: the (?:advertising )?disclaimer|"
        r"this site participates in)",
    ),
    # debris
    (
        "separator",
        r"(?:advertisement|advertisements|sponsored(?: content)?|promoted(?: content)?|share(?: this| on)?"
        r"(?: article| story| post| page)?|tweet|print|e-?mail|shares|close|menu|search|skip to content|"
        r"continue reading|scroll to continue(?: with content)?|listen to (?:this )?article|\d+ min(?:ute)? read|"
        r"see more|show more|more|back to top|our standards\b.*|for further details\b.*|story continues below"
        r"(?: advertisement)?)\s*[:>.!]*\s*$",
    ),
    ("separator", r"\d+\s*/\s*\d+\s*$"),
    ("separator", r"(?:share (?:on|via) [\w+]+\s*)+$"),
]

# Anywhere in a (short) segment (checked with .search).
_ANY_RULES: list[tuple[str, str]] = [
    (
        "copyright",
        r"(?:all rights reserved|©\s*\d{4}|\d{4}\s*©|copyright\s*(?:©|\(c\)|\d{4})|copyrighted (?:property|material)|"
        r"(?:may|must|should) not be (?:re)?(?:published|produced|printed|distributed|broadcast|copied)|"
        r"(?:do|may) not (?:re)?(?:produce|print|publish|distribute|copy)\b.{0,40}\bwithout|"
        r"written permission (?:must|is)|reproduction of (?:material|content|this)|reprinting content|"
        r"(?:reprinted|used|republished) (?:by|with) (?:the )?(?:kind )?permission)",
    ),
    (
        "comments",
        r"(?:required fields are marked|(?:your )?e-?mail address(?:es)? will not be (?:published|shared|displayed)|"
        r"comments (?:are|will be) (?:moderated|reviewed)|akismet|commenting (?:platform|policy|system|guidelines)|"
        r"community guidelines|it is not always possible to publish all|reserve the right (?:at all times )?to "
        r"(?:remove|delete|edit)|free of (?:libellous|libelous)|(?:use|write) (?:the |your )?comments? to advertise|"
        r"block capitals)",
    ),
    (
        "contact",
        r"(?:(?:e-?mail|write to|contact|reach|call) (?:us|the newsroom|the editor|our newsroom) (?:at|on|via)\b|"
        r"send us a message on|letters to the editor\b.{0,30}$|or (?:call|e-?mail) us\b)",
    ),
    ("attribution", r"(?:contributed (?:reporting|to this (?:report|story|article))|contributed additional reporting)"),
    (
        "prompt",
        r"(?:(?:sign|signing) up (?:to|for) (?:our|the)\b.{0,40}\bnewsletter|subscribe to (?:our|the)\b.{0,40}"
        r"\b(?:newsletter|channel|podcast)|delivered (?:straight |directly )?to your inbox|"
        r"already a subscriber|log in for (?:immediate )?access|for the full story\b|"
        r"download the\b.{0,40}\bapps? for (?:ios|android|iphone)|(?:ios|android) and (?:ios|android)\b.{0,20}$|"
        r"you can unsubscribe at any time|we may (?:receive|earn) (?:a )?(?:compensation|commission))",
    ),
    (
        "disclaimer",
        r"(?:may (?:receive|earn) (?:a |an )?(?:compensation|commission|affiliate)|affiliate (?:commission|links?)\b|"
        r"amazon associate|not provided or commissioned by|have not been reviewed, approved or otherwise endorsed)",
    ),
]


def _combine(rules: list[tuple[str, str]]) -> tuple[re.Pattern[str], dict[str, str]]:
    parts = []
    names: dict[str, str] = {}
    for i, (kind, pat) in enumerate(rules):
        name = f"r{i}"
        names[name] = kind
        parts.append(f"(?P<{name}>{pat})")
    return re.compile("|".join(parts), re.I), names


_START_RE, _START_KIND = _combine(_START_RULES)
_ANY_RE, _ANY_KIND = _combine(_ANY_RULES)
_ANY_MAX = 400
# Longest segment each kind of cue may open (a credit is short; a copyright notice may be long).
_MAX_LEN = {"credit": 120, "related": 250, "separator": 120, "comments": 400, "copyright": 2000, "disclaimer": 2000}  # "anywhere" cues are only looked for in segments up to this length

# A short credit line that ends with an agency ("STR/KCNA VIA KNS/AFP via Getty Images",
# "Mike Blake/Reuters files", "Jonathan Nackstrand/AFP").
_AGENCY_END_RE = re.compile(r"(?:/|\bvia\b|\bfor\b|\bby\b|^)\s*[\w .'&-]{0,40}?\b" + _AGENCY + r"\s*\)?$", re.I)
_CREDITISH_RE = re.compile(r"/|\bvia\b", re.I)
_AGENCY_TAIL = max(map(len, _AGENCIES))


def _ends_with_agency(t: str) -> bool:
    """``bool(_AGENCY_END_RE.search(t))``.  The pattern ends with an agency, then spaces, a ")"
    and the end: a text whose ASCII end (spaces and a ")" aside) is no agency name cannot match,
    and is told so without the search (which tries every "/", "via", "for" and "by")."""
    s = t.rstrip()
    if s[-1:] == ")":
        s = s[:-1].rstrip()
    tail = s[-_AGENCY_TAIL:]
    if tail.isascii() and not tail.lower().endswith(_AGENCIES):
        return False  # (an ASCII letter matches a pattern letter case-blind only as itself)
    return _AGENCY_END_RE.search(t) is not None

# "By Jane Doe", "By Evan Symon, August 14, 2020 2:30 pm", "By U.S. CUSTOMS AND BORDER PROTECTION"
_NAME = r"[A-Z][\w.'’-]*"
_BYLINE_RE = re.compile(
    r"^(?i:by|written by|words by|story by|posted by|reporting by)\s+" + _NAME + r"(?:\s+(?:" + _NAME +
    r"|de|da|del|van|von|der|la|le|bin|al|and|&|staff|reporters?|correspondents?|writers?)){0,6}\s*(?:(?:,|\||/|-|–|—|and)\s*(?:[\w.,'’@&:/ -]{0,60}))?$"
)  # fmt: skip
_NOT_A_NAME_RE = re.compile(r"^\S+\s+(?:" + _MONTH + r"|(?:mon|tues|wednes|thurs|fri|satur|sun)day|the|this|that|then|now|"
    r"noon|midnight|early|late|mid|contrast|comparison|far|then|law|design|default|way)\b", re.I)  # fmt: skip
_BYLINE_TAIL_RE = re.compile(r"[,|/–—]|\s-\s")


def _byline_ok(text: str) -> bool:
    """"By Jane Doe, Staff Writer" / "By Jane Doe, May 2, 2020" but not "By Monday, the talks ended"."""
    if _NOT_A_NAME_RE.match(text):
        return False
    m = _BYLINE_TAIL_RE.search(text)
    if not m:
        return True
    tail = text[m.end() :]
    return any(c.isdigit() or c == "@" for c in tail) or len(tail.split()) <= 4


_STAFF_RE = re.compile(
    r"^(?:[A-Z][A-Z.'’&-]*\s+){1,6}(?:STAFF(?: REPORTS?)?|REPORTERS?|CORRESPONDENTS?|WRITERS?|DESK|BUREAU|"
    r"NEWS SERVICES?(?: REPORTS?)?|WIRE SERVICES?)$"
)
_SIGNATURE_RE = re.compile(r"^[–—-]\s*" + _NAME + r"(?:\s+" + _NAME + r"){1,3}\s*$")
_BIO_RE = re.compile(
    r"^" + _NAME + r"(?:\s+" + _NAME + r"){1,3}\s+(?:is|was|has been)\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,4}?"
    r"(?:writer|reporter|editor|correspondent|columnist|journalist|contributor|freelancer|blogger|"
    r"author of|host of|producer)\b"
)

# Datelines and date stamps (meta, not boilerplate).
_DATELINE_RE = re.compile(
    r"^[A-Z][A-Za-z.'’ -]{1,40}(?:,\s*[A-Z][\w.'’ -]{1,30})?(?:\s*\([\w .&/-]{1,30}\))?\s*[-–—]{1,2}\s*$"
)
_DATE_TOKEN_RE = re.compile(
    r"\b" + _MONTH + r"\b|\b\d{1,4}(?:st|nd|rd|th)?\b|\b\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?|"
    r"\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\b|\b(?:[ap]\.?m\.?|gmt|utc|[ecmp][sd]?t|cst|est|bst|cet)\b",
    re.I,
)
_DATE_WORDS_RE = re.compile(
    r"^(?:posted|published|updated|last updated|release date|latest update|written|date|modified|created|"
    r"first published|last modified)\b(?:\s+on)?\s*[:|]?",
    re.I,
)
_DASHES = ("-", "\u2013", "\u2014")  # the dashes that may end a dateline
_HAS_MONTH_OR_NUM_RE = re.compile(r"\b" + _MONTH + r"\b|\d{4}|\d{1,2}[/.-]\d{1,2}", re.I)
# The two parts of _HAS_MONTH_OR_NUM_RE: the digits (no case: the engine skips to the digits),
# and in lower-case ASCII what a month name starts with (literals: the engine skips to their letters).
_NUM_DATE_RE = re.compile(r"\d(?:\d{3}|\d?[/.-]\d{1,2})")  # \d{4}|\d{1,2}[/.-]\d{1,2}, led by one \d
_MONTH3_RE = re.compile(r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec")


def _has_month_or_num(t: str) -> bool:
    """``bool(_HAS_MONTH_OR_NUM_RE.search(t))``, mostly without that search: a case-blind
    pattern starting with ``\\b`` is tried at every position of the text."""
    if t.isascii():
        if _NUM_DATE_RE.search(t) is not None:
            return True
        if _MONTH3_RE.search(t.lower()) is None:
            return False
    return _HAS_MONTH_OR_NUM_RE.search(t) is not None

_TERMINAL = ".!?\"”’)]»…'"


_NON_LATIN_LOOKALIKE_RE = re.compile("[\u0400-\u052f]")


# First bytes of the UTF-8 forms of U+0400-U+053F: a text whose UTF-8 form holds none of
# them holds no letter _NON_LATIN_LOOKALIKE_RE finds (a memchr per byte, not a regex scan).
_LOOKALIKE_UTF8_LEADS = (b"\xd0", b"\xd1", b"\xd2", b"\xd3", b"\xd4")


def _has_lookalike(t: str) -> bool:
    """``bool(_NON_LATIN_LOOKALIKE_RE.search(t))``."""
    b = t.encode("utf-8", "surrogatepass")
    for lead in _LOOKALIKE_UTF8_LEADS:
        if lead in b:
            return bool(_NON_LATIN_LOOKALIKE_RE.search(t))
    return False


def _quotes_norm(text: str) -> str:
    """Typographic quotes and no-break spaces made plain (the one-to-one part of ``_norm``)."""
    t = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    if "\u00a0" in t:
        t = t.replace("\u00a0", " ")
    return t


def _norm(text: str) -> str:
    if text.isascii():
        return text
    t = _quotes_norm(text)
    if t.isascii():
        return t
    return t.translate(_CONFUSABLES) if _has_lookalike(t) else t


# Characters _CONFUSABLES maps that neither the quote/space replacements nor the Cyrillic
# test cover: a text holding one of them normalises differently in pieces than whole
# (a piece without Cyrillic letters is not translated).
_NORM_PIECEWISE_UNSAFE = frozenset(
    chr(c) for c in _CONFUSABLES if not _NON_LATIN_LOOKALIKE_RE.match(chr(c)) and chr(c) not in "\u2019\u2018\u201c\u201d\u00a0"
)


def _normed(raw: str) -> str | None:
    """``_norm(raw)`` when every slice of it equals ``_norm`` of the same slice of ``raw``
    (``_norm`` maps characters one to one), else None."""
    if raw.isascii():
        return raw
    t = _quotes_norm(raw)
    if t.isascii() or not _has_lookalike(t):  # (the quotes are no lookalikes)
        return t
    if not _NORM_PIECEWISE_UNSAFE.isdisjoint(raw):
        return None
    return t.translate(_CONFUSABLES)


class _Norms:
    """``_norm`` of slices of one article's raw text, sliced from the article normalised once."""

    __slots__ = ("raw", "whole")

    def __init__(self, raw: str):
        self.raw = raw
        self.whole = _normed(raw)

    def __call__(self, start: int, end: int) -> str:
        whole = self.whole
        return whole[start:end] if whole is not None else _norm(self.raw[start:end])


# Cheap gates in front of the combined patterns: the first word (and for common openers
# the second) of a segment must be one that some anchored cue can start with, and a
# segment must hold one of a few literals before the "anywhere" cues are tried.  (Keep them in step with the rules above; the
# tests exercise every family of cue.)
_START_WORDS = frozenset(
    """about add additional adapted advertise advertisement advertisements advertising affiliate afp all already
    also ap associated back based bbc be become bloomberg breaking by call cancel chart charts click close cnn
    comment comments community compiled contact continue courtesy cover credit credits delete disclaimer
    disclosure don download e edited editing editor editorial email enter excerpted fax featured feedback file
    filed find first follow footage for from further get got graphic graphics have header help hide house
    if illustration illustrations image images join keep latest lead leave like listen load loading log login
    mail main make map maps menu more never next no note notify opinions or originally our phone photo
    photograph photographs photos pic pics picture pictures please post previous print promoted reader read
    recent recommended register related report reporting reprinted research reuters scroll search see send
    share shares show sign signin signup skip some source sponsored story submit subscribe support tag tagged
    tags taken tap tel telephone the there this to top topic topics translated trending tweet user video
    videos view visitor want watch we whatsapp with write writing you""".split()
)
# Common sentence openers that start a cue only before one of these second words.
_SECOND_WORDS: dict[str, frozenset[str]] = {
    k: frozenset(v.split())
    for k, v in {
        "the": "latest top breaking associated ap reuters afp bloomberg cnn bbc views opinions",
        "this": "site website article story piece post report interview essay column project coverage reporting "
        "series content page is",
        "we": "use welcome",
        "by": "clicking",
        "all": "rights",
        "for": "further",
        "if": "you",
        "to": "view read continue access reach",
        "with": "reporting files material contributions",
        "from": "the",
        "first": "time published appeared",
        "no": "spam",
        "there": "are",
        "make": "a",
        "about": "the commenting",
        "in": "this",
    }.items()
}
_OPENING_RE = re.compile(r"[^A-Za-z0-9©]*(?:([A-Za-z]+)[^A-Za-z0-9]+([A-Za-z]+)?|([0-9©]))")
# Literals one of which every "anywhere" cue contains (lower case).
_ANY_KEYS = (
    "reserved", "reserve the right", "\u00a9", "copyright", "not be publ", "not be re", "not be dis", "not be broad",
    "not be cop", "not be shared", "not reprod", "not reprint", "not republ", "not publish", "not distrib",
    "not redistrib", "not copy", "with permission", "by permission", "written permission", "reprinting",
    "reproduction of", "fields are marked", "comments are", "comments will", "commenting", "to advertise",
    "akismet", "guidelines", "to publish all", "libel", "block capitals", "us at", "us on", "us via", "call us",
    "mail us", "to the editor", "contributed reporting", "contributed to this", "contributed additional",
    "newsletter", "subscribe to", "a subscriber", "unsubscribe", "to your inbox", "log in for", "full story",
    "android", "compensation", "a commission", "earn commission", "commissioned by", "affiliate",
    "amazon associate", "otherwise endorsed",
)  # fmt: skip


def _may_open_cue(t: str) -> bool:
    m = _OPENING_RE.match(t)
    if m is None:
        return True
    if m.group(3):
        return len(t) <= 60 or m.group(3) == "\u00a9"
    first = m.group(1).lower()
    if first not in _START_WORDS:
        return False
    second = _SECOND_WORDS.get(first)
    return second is None or (m.group(2) or "").lower() in second


# English letters from the most to the least frequent (for the screen below).
_LETTER_ORDER = " etaoinshrdlcumwfgypbvkjxqz"


def _literal_screen(keys: Sequence[str]) -> re.Pattern[str]:
    """A pattern that finds whether a text holds one of the literals ``keys`` (it matches
    wherever one occurs, nowhere else).  Each literal is anchored on its rarest character but
    the last ("copyright" as ``y`` then ``right(?<=copyright)``) and the literals are grouped by
    that character, so the regex engine skips every position of the text that holds none of
    those few characters, instead of trying each literal at each position.  What follows the
    anchor is a trie of the literals' tails, each ending in a look-behind for its whole literal:
    every branch opens with a plain character, which the engine rejects at a glance."""
    order = {c: i for i, c in enumerate(_LETTER_ORDER)}
    by_char: dict[str, list[tuple[str, str]]] = {}
    for k in keys:
        i = max(range(max(1, len(k) - 1)), key=lambda j: (order.get(k[j], len(order)), -j))
        by_char.setdefault(k[i], []).append((k[i + 1 :], k))
    return re.compile("|".join(re.escape(c) + _trie(tails) for c, tails in sorted(by_char.items())))


def _trie(tails: list[tuple[str, str]]) -> str:
    """A pattern matching one of the ``(tail, literal)`` tails, then looking behind for its literal."""
    by_char: dict[str, list[tuple[str, str]]] = {}
    ends = set()
    for tail, k in tails:
        if tail:
            by_char.setdefault(tail[0], []).append((tail[1:], k))
        else:
            ends.add(k)
    parts = [re.escape(c) + _trie(sub) for c, sub in sorted(by_char.items())]
    parts += [f"(?<={re.escape(k)})" for k in sorted(ends)]
    return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"


# ``_ANY_KEYS`` in lower-cased text (the gate in front of ``_ANY_RE``).
_ANY_SCREEN = _literal_screen(_ANY_KEYS)


def _classify(text: str) -> str | None:
    """Boilerplate kind of one segment from its language alone, or None."""
    return _classify_norm(_norm(text))


def _classify_norm(t: str) -> str | None:
    """:func:`_classify` of the normalised text ``t``."""
    if _may_open_cue(t):
        m = _START_RE.match(t)
        if m:
            kind = _START_KIND[m.lastgroup]  # type: ignore[index]
            if len(t) <= _MAX_LEN.get(kind, _ANY_MAX):
                return kind
    if len(t) <= _ANY_MAX:
        if _ANY_SCREEN.search(t.lower()):
            m = _ANY_RE.search(t)
            if m:
                return _ANY_KIND[m.lastgroup]  # type: ignore[index]
    if len(t) <= 90:
        if _SIGNATURE_RE.match(t) or _STAFF_RE.match(t) or (_BYLINE_RE.match(t) and _byline_ok(t)):
            return "byline"
        if t[-1:] not in ".!?" and _CREDITISH_RE.search(t) and _ends_with_agency(t):
            return "credit"
        if not any(c.isalnum() for c in t):
            return "separator"
    return None


def _meta(text: str) -> Label | None:
    """Dateline ("SEOUL, South Korea –") or a date stamp line ("Posted on", "May 06, 2022 News")."""
    if len(text) > 80:
        return None
    return _meta_norm(_norm(text))


def _meta_norm(t: str) -> Label | None:
    """:func:`_meta` of a normalised text of at most 80 characters."""
    if t.rstrip().endswith(_DASHES) and _DATELINE_RE.match(t):  # a dateline ends with a dash
        return Label("meta", "dateline")
    m = _DATE_WORDS_RE.match(t)
    rest = t[m.end() :] if m else t
    if not m and not _has_month_or_num(t):
        return None
    left = _DATE_TOKEN_RE.sub(" ", rest)
    left_words = [w for w in re.findall(r"[A-Za-z]+", left)]
    if (m and len(left_words) <= 2) or (not m and len(left_words) <= 1 and len(t.split()) >= 2):
        return Label("meta", "date")
    return None


def _line_groups(segments: Sequence[Segment]) -> list[tuple[int, int]]:
    """(first, end) segment indices of each line, in order."""
    n = len(segments)
    if not n:
        return []
    lines = list(map(_LINE_OF, segments))
    starts = [0, *compress(range(1, n), map(ne, lines[1:], lines))]
    return list(zip(starts, [*starts[1:], n]))


_LINE_OF = itemgetter(2)  # Segment.line


def _truncated(text: str) -> bool:
    """A paragraph cut off mid-sentence (a teaser of another story)."""
    t = text.rstrip()
    if t.endswith(("...", "…", "... more", "…more", "… more", "...more")):
        return True
    return bool(t) and t[-1] not in _TERMINAL and t[-1] != ":"


_KICKER_RE = re.compile(r"^[A-Z][A-Z0-9'’&. -]{2,40}:\s+\S")


def _teaser(text: str) -> tuple[bool, bool]:
    """(is a long truncated paragraph, has an ALL-CAPS kicker)."""
    if len(text) < 200 or not _truncated(text):
        return False, False
    m = _KICKER_RE.match(text)
    kicker = bool(m) and sum(c.isalpha() for c in m.group()) >= 3  # type: ignore[union-attr]
    return True, kicker


_CAPTION_RE = re.compile(
    r"^(?:(?:in )?this(?: is an?)?\s+(?:(?:undated|handout|file|aerial|recent|satellite|screen\s?grab|video|"
    r"combination|composite|still|frame|\w+-provided|\w+-released)\s+)*|(?:an? |the )?(?:(?:undated|handout|file)\s+)+)"
    r"(?:photo|photograph|picture|image|pic|screenshot|screengrab|still|frame grab|video grab|handout photo|"
    r"file photo|photo illustration)s?\b"
    r"(?:,?\s+(?:provided|released|taken|made|distributed|obtained|posted|published|shared|supplied|issued|"
    r"courtesy)\b.{0,200}?)?,?\s+(?:shows|show|showing|depicts|captures|features)\b",
    re.I,
)


# What a segment's normalised text says on its own, remembered by text: wire copy repeats
# (on a 10k-article intake only about a fifth of the lines are distinct).  Every fact here
# depends on the text alone (``_classify_norm`` is exact whatever superset of the text's
# literals it is given); what depends on the segment's place (header lines, a bio near the
# end, the line rules, the neighbouring line) is decided in ``label_own``.
# A value: (kind, meta label, opens like a caption, reads like a comment-section header).
_Facts = tuple[str | None, Label | None, bool, bool]
_FACTS: dict[str, _Facts] = {}
# At most _FACTS_MAX entries (the dict is emptied when it is full) of keys of at most _FACTS_LEN
# characters: ~40 MB at worst, ~15 MB for 100k typical sentences.  Longer segments are classified
# afresh each time (only the anchored cues apply to them).
_FACTS_MAX = 100_000
_FACTS_LEN = _ANY_MAX
_NO_FACTS: _Facts = (None, None, False, False)


def _facts(t: str) -> _Facts:
    """The context-free facts of the normalised segment text ``t``."""
    kind = _classify_norm(t)
    meta = _meta_norm(t) if kind is None and len(t) <= 80 else None
    caption = bool(_CAPTION_RE.match(t))
    comment_head = len(t) <= 40 and bool(_COMMENT_HEAD_RE.match(t))
    if kind is None and meta is None and not caption and not comment_head:
        return _NO_FACTS
    return kind, meta, caption, comment_head


def _remembered(t: str) -> _Facts:
    """``_facts`` of ``t``, through the memo."""
    f = _FACTS.get(t)
    if f is None:
        f = _facts(t)
        if len(t) <= _FACTS_LEN:
            if len(_FACTS) >= _FACTS_MAX:
                _FACTS.clear()
            _FACTS[t] = f
    return f


def _clear_memo() -> None:
    """Forget the remembered segment facts (tests; memory)."""
    _FACTS.clear()


_CAPTION = Label("boilerplate", "caption")
_CAPTION_NEAR_CREDIT_RE = re.compile(
    r"\b(?:photo|pictured|seen|shows|looks on|left|right|l-r|file)\b", re.I
)


def label_own(raw: str, segments: Sequence[Segment], header: Mapping[int, Label]) -> list[Label]:
    """Labels from the article's own cues.  ``header`` maps 1-based line numbers that
    ingest recognised as header lines (title, date, URL) to their label.

    One pass over the lines does the per-segment cues, the line rules and the caption
    rules (a caption's decision reads only the first pass's labels of its own line and of
    the next); then the comment section and the trailing teasers."""
    n = len(segments)
    out: list[Label] = [BODY] * n
    groups = _line_groups(segments)
    norm = _Norms(raw)
    whole = norm.whole
    memo = _FACTS
    nothing = _NO_FACTS
    kinds: list[str | None] | None = None
    heads: list[int] = []  # lines that read like a comment-section header
    credits: list[int] = []  # one-segment credit lines (the line before may be their caption)
    bio_from = len(groups) - 3
    for gi, (a, b) in enumerate(groups):
        line_no = segments[a].line
        if line_no in header:
            lab = header[line_no]
            for k in range(a, b):
                out[k] = lab
            text = norm(segments[a].start, segments[b - 1].end)
            if b - a == 1:
                if lab.kind == "credit":
                    credits.append(gi)
                if len(text) <= 40 and _COMMENT_HEAD_RE.match(text):
                    heads.append(gi)
            if b - a <= 2 and lab.role == "body" and _CAPTION_RE.match(text):
                for k in range(a, b):
                    out[k] = _CAPTION
            continue
        if b - a == 1:
            seg = segments[a]
            t = whole[seg.start : seg.end] if whole is not None else _norm(raw[seg.start : seg.end])
            f = memo.get(t)
            if f is nothing and gi < bio_from:
                continue  # (the common case: a body sentence, known to say nothing)
            if f is None:
                f = _remembered(t)
            kind, meta, caption, comment_head = f
            if comment_head:
                heads.append(gi)
            if kind is None and gi >= bio_from and _BIO_RE.match(t):
                kind = "byline"  # "Jane Doe is a senior writer for X." at the end
            if kind is not None:
                out[a] = _boilerplate(kind)
                if kind == "credit":
                    credits.append(gi)
            elif meta is not None:
                out[a] = meta
            elif caption:
                out[a] = _CAPTION
            continue
        # a line of several segments
        if kinds is None:
            kinds = [None] * n
        flagged = False
        for k in range(a, b):
            seg = segments[k]
            t = whole[seg.start : seg.end] if whole is not None else _norm(raw[seg.start : seg.end])
            kind, meta = _remembered(t)[:2]
            if kind is None:
                if meta is not None and meta.kind == "dateline":
                    out[k] = meta
            else:
                kinds[k] = kind
                flagged = True
        if flagged:
            _line_rules(raw, segments, kinds, a, b)
            for k in range(a, b):
                if kinds[k] is not None:
                    out[k] = _boilerplate(kinds[k])  # type: ignore[arg-type]
        if b - a == 2 and out[a].role == "body":
            if _CAPTION_RE.match(norm(segments[a].start, segments[b - 1].end)):
                out[a] = out[a + 1] = _CAPTION
    for gi in credits:
        # "The minister at a briefing." right above "Photo: AP"
        if gi == 0:
            continue
        a, b = groups[gi - 1]
        if b - a > 2 or out[a].role != "body":
            continue
        text = norm(segments[a].start, segments[b - 1].end)
        if len(text) < 300 and _CAPTION_NEAR_CREDIT_RE.search(text):
            for k in range(a, b):
                out[k] = _CAPTION
    if heads:
        _comment_tail_at(heads, groups, out)
    _trailing_own(raw, segments, groups, out)
    return out


def _comment_tail_at(heads: Sequence[int], groups: list[tuple[int, int]], out: list[Label]) -> None:
    """:func:`_comment_tail` given the one-segment lines ``heads`` (in order) that read like a
    comment-section header."""
    half = len(groups) // 2
    for gi in heads:
        if gi < half:
            continue
        a = groups[gi][0]
        if out[a].role == "body":
            if gi + 1 >= len(groups) or out[groups[gi + 1][0]].kind != "comments":
                continue
        for ga, gb in groups[gi:]:
            for k in range(ga, gb):
                if out[k].role == "body":
                    out[k] = Label("boilerplate", "comments")
        return


_BOILERPLATE: dict[str, Label] = {}


def _boilerplate(kind: str) -> Label:
    """One shared (frozen) boilerplate label per kind."""
    lab = _BOILERPLATE.get(kind)
    if lab is None:
        lab = _BOILERPLATE[kind] = Label("boilerplate", kind)
    return lab


def _line_rules(raw: str, segments: Sequence[Segment], kinds: list[str | None], a: int, b: int) -> None:
    """Line-level cues: a line opened by boilerplate is boilerplate throughout; a short line
    ending in a photo credit is a caption."""
    first = kinds[a]
    if first in _LINE_KINDS:
        for k in range(a + 1, b):
            kinds[k] = first
        return
    if b - a == 1:
        return
    flagged = sum(1 for k in range(a, b) if kinds[k] is not None)
    if flagged * 2 > b - a:
        fill = next(k for k in (kinds[j] for j in range(a, b)) if k is not None)
        for k in range(a, b):
            kinds[k] = kinds[k] or fill
        return
    last = kinds[b - 1]
    if last in ("credit", "byline") and b - a <= 3 and all(kinds[k] is None for k in range(a, b - 1)):
        # "The minister at a briefing. Photo: AP" / "... in Las Croabas. By U.S. CUSTOMS AND BORDER PROTECTION"
        kinds[b - 1] = "credit"
        for k in range(a, b - 1):
            kinds[k] = "caption"


_COMMENT_HEAD_RE = re.compile(
    r"^(?:leave a (?:reply|comment)|(?:\d+\s+)?(?:user |reader )?comments?|join the (?:conversation|discussion)|"
    r"house rules|community guidelines|discussion|add a comment|post a comment|write a comment|"
    r"(?:recent|latest|top) comments)\b.{0,20}$",
    re.I,
)


def _trailing_own(raw: str, segments: Sequence[Segment], groups: list[tuple[int, int]], out: list[Label]) -> None:
    """Other stories glued to the end of the page: a tail run of long paragraphs cut off
    mid-sentence (teasers), at least two of them or one with an ALL-CAPS kicker, after a
    body that ends its paragraphs properly."""
    run: list[int] = []
    kickers = 0
    gi = len(groups) - 1
    while gi >= 0:
        a, b = groups[gi]
        if b - a == 1:
            role = out[a].role
            if role == "boilerplate":
                gi -= 1
                continue
            if role != "body":
                break
        else:
            if all(out[k].role == "boilerplate" for k in range(a, b)):
                gi -= 1
                continue
            if any(out[k].role != "body" for k in range(a, b)):
                break
        start, end = segments[a].start, segments[b - 1].end
        if end - start < 200:
            break  # too short for a teaser (``_teaser``)
        teaser, kicker = _teaser(raw[start:end])
        if not teaser:
            break
        run.append(gi)
        kickers += kicker
        gi -= 1
    if not run or (len(run) < 2 and not kickers):
        return
    before = [
        g for g in groups[: run[-1]] if all(out[k].role == "body" for k in range(g[0], g[1]))
    ]
    if len(before) < 3:
        return
    ended = sum(1 for a, b in before if not _truncated(raw[segments[a].start : segments[b - 1].end]))
    last_a, last_b = before[-1]
    if ended * 2 < len(before) or _truncated(raw[segments[last_a].start : segments[last_b - 1].end]):
        return
    for gi in run:
        a, b = groups[gi]
        for k in range(a, b):
            out[k] = _boilerplate("trailing")


def label_in_context(
    raw: str,
    segments: Sequence[Segment],
    labels: Sequence[Label],
    *,
    linked: Sequence[bool],
    repeated: Sequence[bool],
    story_words: Mapping[str, int] | None,
    norms: Sequence[str] | None = None,
) -> list[Label]:
    """Refine labels with evidence from other articles: ``linked[i]`` says sentence i is in
    a family; ``repeated[i]`` that the same outlet carries the same line under another story;
    ``story_words`` counts the words of the story's other articles (None when alone).
    ``norms``, when given, is ``tui.core.text.normalize`` of each segment (the pipeline has
    it already): paragraphs are then not tokenized again."""
    out = list(labels)
    if any(repeated):
        for i, lab in enumerate(out):
            if repeated[i] and lab.role == "body":
                out[i] = _boilerplate("repeated")
    if story_words is not None and sum(linked) >= 2:
        _trailing_story(raw, segments, out, linked, story_words, norms)
    return out


_STOPWORDS = frozenset(
    """the and for that with this from have has had was were are been being will would could should
    said says say also its his her hers their theirs they them there than then which who whom whose what
    when where while into onto over under about after before between against during without within other
    such only more most some any all not but can may might must our ours out off own per she him you your
    yes one two new just like even very much many well back still now how why because since until upon
    these those each both few here itself himself herself themselves year years time week day days
    told tell according including last first made make get got""".split()
)


def _content_words(text: str) -> set[str]:
    return _content_set(words(text))


def _content_set(ws) -> set[str]:
    return {w for w in ws if len(w) > 2 and w not in _STOPWORDS and not w.isdigit()}


class _Paragraphs:
    """Content words of a line's segments ``a:b``: from the caller's per-segment ``normalize``
    strings when they are safe to split (ASCII: no NFKC form with a space inside a word; and a
    word never spans two segments of a line, they part at whitespace), else by tokenizing the
    paragraph's raw text."""

    __slots__ = ("norms", "raw", "segments")

    def __init__(self, raw: str, segments: Sequence[Segment], norms: Sequence[str] | None):
        self.raw = raw
        self.segments = segments
        self.norms = norms if norms is not None and len(norms) == len(segments) else None

    def content(self, a: int, b: int) -> set[str]:
        norms = self.norms
        if norms is not None:
            parts = norms[a:b]
            if all(n.isascii() for n in parts):
                return _content_set(" ".join(parts).split())
        segs = self.segments
        return _content_words(self.raw[segs[a].start : segs[b - 1].end])

    def text(self, a: int, b: int) -> str:
        return self.raw[self.segments[a].start : self.segments[b - 1].end]


def _trailing_story(
    raw: str,
    segments: Sequence[Segment],
    out: list[Label],
    linked: Sequence[bool],
    story_words: Mapping[str, int],
    norms: Sequence[str] | None = None,
) -> None:
    """Trailing stories from story evidence: after the article's last sentence shared with
    the story, a tail run of long paragraphs whose words barely overlap the story's other
    articles (well below the article's own on-topic paragraphs)."""
    paras = _Paragraphs(raw, segments, norms)
    yes: set[str] = set()  # words another article of the story carries
    no: set[str] = set()  # words none does

    def carried(c: set[str], enough: float = float("inf")) -> int:
        """How many words of ``c`` another article carries (counting stops at ``enough``)."""
        h = 0
        for w in c:
            if w in yes:
                h += 1
            elif w in no:
                continue
            elif story_words.get(w, 0) > 0:
                yes.add(w)
                h += 1
            else:
                no.add(w)
                continue
            if h >= enough:
                break
        return h

    last = len(linked) - 1
    while not linked[last]:
        last -= 1
    # The lines after the line of the last shared sentence, from the end back to the first
    # that is neither all body nor all boilerplate (boilerplate ones skipped): (first, end).
    tail: list[tuple[int, int]] = []
    b = len(segments)
    while True:  # ends at the line of the last shared sentence (it holds segment ``last``)
        line = segments[b - 1].line
        a = b - 1
        while a > 0 and segments[a - 1].line == line:
            a -= 1
        if a <= last:
            break
        if b - a == 1:
            role = out[a].role
            if role == "body":
                tail.append((a, b))
            elif role != "boilerplate":
                break
        elif not all(out[k].role == "boilerplate" for k in range(a, b)):
            if any(out[k].role != "body" for k in range(a, b)):
                break
            tail.append((a, b))
        b = a
    contents: list[set[str]] = []  # content words of tail[i], made on first use

    def content(i: int) -> set[str]:
        while len(contents) <= i:
            a, b = tail[len(contents)]
            contents.append(paras.content(a, b))
        return contents[i]

    # The most the run below could pool.  Too few words to judge means no trailing story,
    # whatever the story's words are (most articles: only boilerplate or a line or two follow
    # their last shared sentence).
    room = i = 0
    while i < len(tail) and room < 20:
        room += len(content(i))
        i += 1
    if room < 20:
        return
    # The run below stops at a paragraph that overlaps the story by at least its limit (never
    # above 1/4), and needs 20 words pooled below the limit: when no stretch of the tail up to
    # a paragraph overlapping by 1/4 qualifies even at 1/4, nothing will (and the article's
    # other paragraphs need not be read).
    hits = total = 0
    for i in range(len(tail)):
        c = content(i)
        h = carried(c, 0.25 * len(c) if len(c) >= 5 else float("inf"))
        if len(c) >= 5 and h >= 0.25 * len(c):
            return
        hits += h
        total += len(c)
        if total >= 20 and hits < 0.25 * total:
            break
    else:
        return
    before = []
    for a, b in _line_groups(segments):
        if a > last:
            break
        if out[a].role == "body":
            c = paras.content(a, b)
            if len(c) >= 5:
                before.append(carried(c) / len(c))
    if not before:
        return
    before.sort()
    median = before[len(before) // 2]
    limit = min(0.25, 0.5 * median)
    # Walk back from the end: paragraphs that barely overlap the story join the run, short
    # ones (a kicker or headline of the glued story) ride along; the first on-topic
    # paragraph ends it.  The run must hold enough words to judge, all pooled off-topic.
    run: list[tuple[int, int]] = []
    hits = total = 0
    for i, ab in enumerate(tail):
        c = content(i)
        h = carried(c)
        if len(c) >= 5 and h >= limit * len(c):
            break
        run.append(ab)
        hits += h
        total += len(c)
    while run:
        a, b = run[-1]
        text = paras.text(a, b)
        if len(content(len(run) - 1)) >= 5 or (text.isupper() and len(text) > 12):
            break
        run.pop()  # a short line opening the run is no evidence, unless it is an ALL-CAPS headline
    if total < 20 or hits >= limit * total:
        return
    for a, b in run:
        for k in range(a, b):
            out[k] = _boilerplate("trailing")
