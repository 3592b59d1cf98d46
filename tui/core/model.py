"""Plain data of an analysis: articles, sentences, families, stories.

Everything here is a frozen dataclass; the pipeline builds them once and every view
(TUI, JSON export, plain report) reads the same objects.  Offsets are character offsets
into ``Article.raw`` so that ``article.raw[s.start:s.end] == s.text`` always holds.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import repeat
from operator import attrgetter
from typing import Literal, NamedTuple, TypeVar, overload

Role = Literal["title", "meta", "body", "boilerplate"]
FamilyKind = Literal["verbatim", "edited", "quote"]

#: Boilerplate kinds, in the order the documentation lists them.
BOILERPLATE_KINDS: tuple[str, ...] = (
    "byline",
    "dateline",
    "copyright",
    "caption",
    "credit",
    "related",
    "prompt",
    "comments",
    "contact",
    "attribution",
    "disclaimer",
    "separator",
    "trailing",
    "repeated",
)

Span = tuple[int, int]
_ROLE_OF = attrgetter("role")
_KIND_OF = attrgetter("kind")
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence (or header line) of an article, with exact offsets."""

    id: str  # "a3.s17"
    article: str  # article id, "a3"
    index: int  # position in the article, 0-based
    start: int  # offset into Article.raw
    end: int
    line: int  # 1-based line number of ``start``
    text: str  # == raw[start:end]
    role: Role = "body"
    kind: str | None = None  # boilerplate kind (or meta kind: "date", "url"), else None
    family: str | None = None  # family id, or None if the sentence is unique


class _Built(Sequence[_T]):
    """A sequence kept in a compact form and made into a tuple of its items on first index or
    iteration (``built``); equal, and hash-equal, to that tuple."""

    __slots__ = ()

    def built(self) -> tuple[_T, ...]:
        raise NotImplementedError

    @overload
    def __getitem__(self, i: int) -> _T: ...
    @overload
    def __getitem__(self, i: slice) -> tuple[_T, ...]: ...
    def __getitem__(self, i):
        return self.built()[i]

    def __iter__(self) -> Iterator[_T]:
        return iter(self.built())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (type(self), tuple)):
            return self.built() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.built())


class SentenceRows(_Built[Sentence]):
    """An article's sentences kept as columns, made into ``Sentence`` objects on first use.

    An analysis of 10k articles holds ~250k sentences; most views read a few articles, so the
    pipeline and the cache hand articles their sentences in this form: a sequence of
    ``Sentence`` (ids ``"{article}.s{index}"``) that builds them all at the first index or
    iteration, while lengths, per-role character counts (``body_chars``) and the columns
    themselves (for the cache) are read without building anything.  Equal to the tuple of
    its sentences."""

    __slots__ = ("_built", "_ends", "_flat", "_kinds", "_labels", "_lines", "_roles", "_starts", "article", "families", "raw")

    def __init__(
        self,
        article: str,
        raw: str,
        starts: Sequence[int],
        ends: Sequence[int],
        lines: Sequence[int],
        roles: Sequence[str],
        kinds: Sequence[str | None],
        families: Sequence[str | None],
    ) -> None:
        n = len(starts)
        if not (len(ends) == len(lines) == len(roles) == len(kinds) == len(families) == n):
            raise ValueError("sentence columns of different lengths")
        self.article = article
        self.raw = raw
        self._starts = starts if isinstance(starts, array) else array("q", starts)
        self._ends = ends if isinstance(ends, array) else array("q", ends)
        self._lines = lines if isinstance(lines, array) else array("q", lines)
        self._roles = roles
        self._kinds = kinds
        self.families = families
        self._flat = self._labels = None
        self._built: tuple[Sentence, ...] | None = None

    @classmethod
    def from_flat(cls, article: str, raw: str, flat: array, labels: Sequence, families: Sequence[str | None]) -> SentenceRows:
        """The sentences of (start, end, line) triples end to end in ``flat`` and ``labels``
        (objects with a ``role`` and a ``kind``, one a sentence): the start, end, line, role and
        kind columns are made on first use (a folder's analysis is often shown, or written by
        another process, before most of them are asked for)."""
        n = len(families)
        if len(flat) != 3 * n or len(labels) != n:
            raise ValueError("sentence columns of different lengths")
        self = cls.__new__(cls)
        self.article = article
        self.raw = raw
        self.families = families
        self._flat = flat
        self._labels = labels
        self._starts = self._ends = self._lines = self._roles = self._kinds = None
        self._built = None
        return self

    @property
    def starts(self) -> array:
        got = self._starts
        if got is None:
            got = self._starts = self._flat[0::3]
        return got

    @property
    def ends(self) -> array:
        got = self._ends
        if got is None:
            got = self._ends = self._flat[1::3]
        return got

    @property
    def lines(self) -> array:
        got = self._lines
        if got is None:
            got = self._lines = self._flat[2::3]
        return got

    @property
    def roles(self) -> Sequence[str]:
        got = self._roles
        if got is None:
            got = self._roles = list(map(_ROLE_OF, self._labels))
        return got

    @property
    def kinds(self) -> Sequence[str | None]:
        got = self._kinds
        if got is None:
            got = self._kinds = list(map(_KIND_OF, self._labels))
        return got

    def built(self) -> tuple[Sentence, ...]:
        b = self._built
        if b is None:
            aid, raw, n = self.article, self.raw, len(self.starts)
            starts, ends = self.starts.tolist(), self.ends.tolist()  # type: ignore[attr-defined]
            b = self._built = tuple(
                map(
                    Sentence,
                    [f"{aid}.s{j}" for j in range(n)],
                    repeat(aid, n),
                    range(n),
                    starts,
                    ends,
                    self.lines.tolist(),  # type: ignore[attr-defined]
                    list(map(raw.__getitem__, map(slice, starts, ends))),
                    self.roles,
                    self.kinds,
                    self.families,
                )
            )
        return b

    def body_chars(self) -> tuple[int, int]:
        """(characters of body sentences, of those in a family), from the columns."""
        total = shared = 0
        for a, e, role, fam in zip(self.starts, self.ends, self.roles, self.families):
            if role == "body":
                total += e - a
                if fam is not None:
                    shared += e - a
        return total, shared

    def __len__(self) -> int:
        return len(self.families)

    def __repr__(self) -> str:
        return f"SentenceRows({self.article!r}, {len(self)} sentences)"

    def __reduce__(self):
        return (
            SentenceRows,
            (self.article, self.raw, self.starts, self.ends, self.lines, self.roles, self.kinds, self.families),
        )


def body_chars(sentences: Sequence[Sentence]) -> tuple[int, int]:
    """(characters of body sentences, of those in a family)."""
    if isinstance(sentences, SentenceRows):
        return sentences.body_chars()
    total = shared = 0
    for s in sentences:
        if s.role == "body":
            total += s.end - s.start
            if s.family is not None:
                shared += s.end - s.start
    return total, shared


@dataclass(frozen=True, slots=True)
class Article:
    id: str  # "a0", "a1", ... in input order
    path: str
    raw: str
    digest: str  # sha256 of the raw bytes: triage marks and caches key on it
    encoding: str
    outlet: str
    outlet_cue: str  # "url" | "copyright" | "signature" | "filename"
    title: str | None
    published: str | None  # ISO date "YYYY-MM-DD" when a date line was found
    url: str | None
    sentences: Sequence[Sentence] = ()  # a tuple, or ``SentenceRows`` (built on first use)

    @property
    def body(self) -> tuple[Sentence, ...]:
        return tuple(s for s in self.sentences if s.role == "body")


class Member(NamedTuple):
    """A sentence's place in a family (a named tuple: an analysis of 10k articles holds ~180k)."""

    sentence: str  # sentence id
    shared: tuple[Span, ...]  # absolute spans of raw text shared with other members
    differs: tuple[Span, ...]  # absolute spans of words found in no other member


class MemberColumns:
    """The members of all of an analysis' families as columns: per member its article (an
    index into ``articles``, the article ids), sentence index, and shared and differing spans
    (flat start, end pairs; member k's are ``shared[shared_at[k]:shared_at[k + 1]]``).

    A 10k-article analysis has ~180k members: the pipeline and the cache keep them in this
    form and each family reads its stretch (``MemberRows``)."""

    __slots__ = ("articles", "doc", "sent", "shared", "shared_at", "differs", "differs_at")

    def __init__(
        self,
        articles: Sequence[str],
        doc: array,
        sent: array,
        shared_at: array,
        shared: array,
        differs_at: array,
        differs: array,
    ) -> None:
        n = len(doc)
        if not (len(sent) == n and len(shared_at) == len(differs_at) == n + 1):
            raise ValueError("member columns of different lengths")
        if shared_at[n] != len(shared) or differs_at[n] != len(differs):
            raise ValueError("member spans out of step")
        self.articles = articles
        self.doc, self.sent = doc, sent
        self.shared_at, self.shared = shared_at, shared
        self.differs_at, self.differs = differs_at, differs

    def sentence(self, k: int) -> str:
        """Member ``k``'s sentence id."""
        return f"{self.articles[self.doc[k]]}.s{self.sent[k]}"

    def members(self, lo: int, hi: int) -> tuple[Member, ...]:
        aids = self.articles
        ids = [f"{aids[d]}.s{j}" for d, j in zip(self.doc[lo:hi], self.sent[lo:hi])]
        return tuple(
            map(tuple.__new__, repeat(Member), zip(ids, _spans(self.shared, self.shared_at, lo, hi), _spans(self.differs, self.differs_at, lo, hi)))
        )

    def __reduce__(self):
        return (MemberColumns, (self.articles, self.doc, self.sent, self.shared_at, self.shared, self.differs_at, self.differs))


def _spans(flat: array, at: array, lo: int, hi: int) -> list[tuple[Span, ...]]:
    """Per member in lo..hi its spans, from the flat (start, end) pairs."""
    out = []
    for a, b in zip(at[lo:hi], at[lo + 1 : hi + 1]):
        it = iter(flat[a:b])
        out.append(tuple(zip(it, it)))
    return out


class MemberRows(_Built[Member]):
    """One family's members: members ``lo``..``hi`` of a ``MemberColumns``, made into ``Member``
    tuples on first use (their sentence ids and count are read without).  Equal to the tuple
    of its members."""

    __slots__ = ("_built", "cols", "hi", "lo")

    def __init__(self, cols: MemberColumns, lo: int, hi: int) -> None:
        if not 0 <= lo <= hi <= len(cols.doc):
            raise ValueError("member range outside the columns")
        self.cols, self.lo, self.hi = cols, lo, hi
        self._built: tuple[Member, ...] | None = None

    def built(self) -> tuple[Member, ...]:
        b = self._built
        if b is None:
            b = self._built = self.cols.members(self.lo, self.hi)
        return b

    def sentence(self, i: int) -> str:
        """The ``i``-th member's sentence id."""
        n = self.hi - self.lo
        if not -n <= i < n:
            raise IndexError("member index out of range")
        return self.cols.sentence(self.lo + i % n)

    def __len__(self) -> int:
        return self.hi - self.lo

    def __repr__(self) -> str:
        return f"MemberRows({len(self)} members)"

    def __reduce__(self):
        return (MemberRows, (self.cols, self.lo, self.hi))


def member_sentence(members: Sequence[Member], i: int) -> str:
    """The ``i``-th member's sentence id, without building a ``MemberRows``' members."""
    return members.sentence(i) if isinstance(members, MemberRows) else members[i].sentence


@dataclass(frozen=True, slots=True)
class Family:
    """Sentences of different articles that say the same thing in (nearly) the same words."""

    id: str  # "f12"
    kind: FamilyKind
    members: Sequence[Member]  # a tuple, or the same as a ``MemberRows``
    first: str | None = None  # sentence id of the first carrier, None when unknown
    score: float = 100.0  # weakest link's similarity, 0..100

    @property
    def sentence_ids(self) -> tuple[str, ...]:
        m = self.members
        if isinstance(m, MemberRows):
            return tuple(map(m.sentence, range(len(m))))
        return tuple(x.sentence for x in m)


@dataclass(frozen=True, slots=True)
class Story:
    id: str  # "c0"
    title: str
    articles: tuple[str, ...]  # article ids


@dataclass(frozen=True, slots=True)
class Skipped:
    path: str
    reason: str


@dataclass(frozen=True)
class Analysis:
    articles: tuple[Article, ...]
    stories: tuple[Story, ...]
    families: tuple[Family, ...]
    skipped: tuple[Skipped, ...] = ()
    engine: str = ""

    # Pickled without the lookup tables (they are rebuilt on first use).
    def __getstate__(self) -> dict:
        return {k: self.__dict__[k] for k in ("articles", "stories", "families", "skipped", "engine")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    # --- lookups -----------------------------------------------------------------
    @cached_property
    def article_by_id(self) -> dict[str, Article]:
        return {a.id: a for a in self.articles}

    @cached_property
    def sentence_by_id(self) -> dict[str, Sentence]:
        return {s.id: s for a in self.articles for s in a.sentences}

    @cached_property
    def family_by_id(self) -> dict[str, Family]:
        return {f.id: f for f in self.families}

    @cached_property
    def story_of_article(self) -> dict[str, str]:
        return {aid: st.id for st in self.stories for aid in st.articles}

    def article(self, article_id: str) -> Article:
        return self.article_by_id[article_id]

    def sentence(self, sentence_id: str) -> Sentence:
        """The sentence of that id, found through its article (ids are "{article}.s{index}")
        without building every article's sentences; other ids through ``sentence_by_id``."""
        aid, _, j = sentence_id.rpartition(".s")
        a = self.article_by_id.get(aid)
        if a is not None and j.isdigit() and int(j) < len(a.sentences):
            s = a.sentences[int(j)]
            if s.id == sentence_id:
                return s
        return self.sentence_by_id[sentence_id]

    def article_of(self, sentence_id: str) -> str:
        """The id of the article carrying that sentence."""
        aid, _, j = sentence_id.rpartition(".s")
        if aid in self.article_by_id and j.isdigit():
            return aid
        return self.sentence_by_id[sentence_id].article

    def family(self, family_id: str) -> Family:
        return self.family_by_id[family_id]

    def family_of(self, sentence: Sentence) -> Family | None:
        return self.family_by_id.get(sentence.family) if sentence.family else None

    def member(self, sentence: Sentence) -> Member | None:
        fam = self.family_of(sentence)
        if fam is None:
            return None
        for m in fam.members:
            if m.sentence == sentence.id:
                return m
        return None

    def story_articles(self, story: Story) -> list[Article]:
        return [self.article_by_id[a] for a in story.articles]

    @cached_property
    def families_by_story(self) -> dict[str, list[Family]]:
        """Each story's families, in analysis order (a family is its first member's story)."""
        out: dict[str, list[Family]] = {st.id: [] for st in self.stories}
        story_of = self.story_of_article
        for f in self.families:
            st = story_of.get(self.article_of(member_sentence(f.members, 0))) if f.members else None
            if st is not None:
                out[st].append(f)
        return out

    def story_families(self, story: Story) -> list[Family]:
        return list(self.families_by_story.get(story.id, ()))

    def carriers(self, family: Family) -> list[Article]:
        """Articles carrying the family, in member order."""
        seen: dict[str, Article] = {}
        for sid in family.sentence_ids:
            a = self.article_of(sid)
            seen.setdefault(a, self.article_by_id[a])
        return list(seen.values())

    def originality(self, article: Article) -> float:
        """Share of the article's body characters that are in no family (0..1)."""
        total, shared = body_chars(article.sentences)
        return (total - shared) / total if total else 1.0


@dataclass(frozen=True, slots=True)
class StorySummary:
    """What the stories list shows of one story; computed from an ``Analysis`` (``summarize``)
    and cached with it, so a reopen can list the stories before the full analysis is built."""

    story: Story
    outlets: tuple[str, ...]
    n_articles: int
    first_date: str | None
    last_date: str | None
    copied: float  # body chars in families / body chars, 0..1
    digests: tuple[str, ...]
    key: str = ""  # lowercase headline and outlets: what the filter searches

    @property
    def date_span(self) -> str:
        if not self.first_date:
            return "—"
        if self.first_date == self.last_date or not self.last_date:
            return self.first_date
        a, b = self.first_date, self.last_date
        return f"{a}→{b[5:] if a[:4] == b[:4] else b}"


def summarize(analysis: Analysis) -> list[StorySummary]:
    """One summary per story, in the analysis' story order."""
    out = []
    by_id = analysis.article_by_id
    for st in analysis.stories:
        arts = [by_id[a] for a in st.articles]
        total = shared = 0
        for a in arts:
            t, sh = body_chars(a.sentences)
            total += t
            shared += sh
        dates = sorted(a.published for a in arts if a.published)
        outlets = tuple(sorted({a.outlet for a in arts}))
        out.append(
            StorySummary(
                st,
                outlets,
                len(arts),
                dates[0] if dates else None,
                dates[-1] if dates else None,
                shared / total if total else 0.0,
                tuple(a.digest for a in arts),
                (st.title + " " + " ".join(outlets)).lower(),
            )
        )
    return out
