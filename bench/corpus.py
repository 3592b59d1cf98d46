"""A seeded, deterministic corpus of synthetic-but-realistic articles built from real text.

Real sentences (ECB+ articles when ``../shared/data`` is there, else the repo's ``seeds/``)
are copied across invented outlets with the edits real outlets make, and every line of
every article carries its ground truth: the story of the article, the *origin* of each
body line (same origin = the same sentence, possibly edited = should be one family) and
whether the line is boilerplate (and which kind).

Ground truth is kept coherent when the corpus is larger than the data: story ``k`` is a
source story plus a variant id, and the variants of one source story are built from
*disjoint* samples of its sentences, so two variants never share a sentence; they are
different stories (a near-miss pair, like ECB+'s own topic pairs).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

from rapidfuzz import fuzz, process

REPO = Path(__file__).resolve().parent.parent
SHARED_ECB = REPO.parent / "shared" / "data" / "ecbplus-dev"
SEEDS = REPO / "seeds"

# --------------------------------------------------------------------------- sources


@dataclass(frozen=True)
class SourceStory:
    name: str
    sentences: tuple[str, ...]  # distinct (not near-duplicate) real sentences


_URL_RE = re.compile(r"^\s*https?://\S+\s*$")
_SENT_END_RE = re.compile(r"[.!?][\"'”’)]*$")
_SPLIT_RE = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"“‘(]?[A-Z])")
_DEBRIS_RE = re.compile(
    r"©|\bcopyright\b|all rights reserved|leave a (?:reply|comment)|required fields|"
    r"\bemail address\b|^\[|^[A-Z][A-Z ,'-]{6,}:",
    re.IGNORECASE,
)
_WORDS_RE = re.compile(r"\w+")


def _usable(sentence: str) -> bool:
    """A sentence worth copying: a real, complete sentence of some length, not page debris."""
    n = len(_WORDS_RE.findall(sentence))
    return 7 <= n <= 60 and bool(_SENT_END_RE.search(sentence)) and not _DEBRIS_RE.search(sentence)


def _distinct(sentences: Sequence[str]) -> list[str]:
    """Drop sentences that are near-duplicates of an earlier one (articles of one event
    often carry the same wire sentence: ground truth must not call them different)."""
    keys = [" ".join(_WORDS_RE.findall(s.lower())) for s in sentences]
    if not keys:
        return []
    close = process.cdist(keys, keys, scorer=fuzz.ratio, score_cutoff=70, dtype="uint8", workers=-1)
    kept: list[int] = []
    seen_grams: set[tuple[str, ...]] = set()  # word 6-grams of kept sentences: shared runs
    for i, key in enumerate(keys):
        w = key.split()
        grams = {tuple(w[k : k + 6]) for k in range(len(w) - 5)}
        if grams & seen_grams or any(close[i, j] for j in kept):
            continue
        kept.append(i)
        seen_grams |= grams
    return [sentences[i] for i in kept]


def _article_sentences(text: str, split: bool = True) -> list[str]:
    """Usable sentences of an article; ``split=False`` when the text has one sentence a line."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or _URL_RE.match(line):
            continue
        for piece in _SPLIT_RE.split(line) if split else [line]:
            piece = piece.strip()
            if _usable(piece):
                out.append(piece)
    return out


def load_ecbplus(folder: Path = SHARED_ECB) -> list[SourceStory]:
    gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
    by_story: dict[str, list[str]] = {}
    for fname in sorted(gold):
        p = folder / "articles" / fname
        if p.exists():
            by_story.setdefault(gold[fname], []).extend(
                _article_sentences(p.read_text(encoding="utf-8"), split=False)
            )
    return [
        SourceStory(name, tuple(_distinct(s)))
        for name, s in sorted(by_story.items())
        if len(s) >= 12
    ]


def load_seeds(folder: Path = SEEDS) -> list[SourceStory]:
    sents: list[str] = []
    for p in sorted(folder.glob("*.txt")):
        sents.extend(_article_sentences(p.read_text(encoding="utf-8")))
    return [SourceStory("seeds", tuple(_distinct(sents)))]


def has_real_data(data_dir: Path | None = None) -> bool:
    return ((data_dir if data_dir is not None else SHARED_ECB) / "gold.json").exists()


def load_sources(data_dir: Path | None = None) -> tuple[list[SourceStory], str]:
    """Source stories and a one-line description of where they came from."""
    folder = data_dir if data_dir is not None else SHARED_ECB
    if (folder / "gold.json").exists():
        stories = load_ecbplus(folder)
        n = sum(len(s.sentences) for s in stories)
        return (
            stories,
            f"ECB+ dev ({len(stories)} real stories, {n} distinct sentences) from {folder}",
        )
    stories = load_seeds()
    n = sum(len(s.sentences) for s in stories)
    return stories, (
        f"FALLBACK: {folder} not found; using the repo's seeds/ (ONE real story, {n} distinct "
        "sentences; its variant stories are disjoint samples of it, so story clustering "
        "scores are not meaningful)"
    )


# --------------------------------------------------------------------------- corpus


@dataclass(frozen=True)
class TruthLine:
    start: int  # offsets into the article text
    end: int
    origin: str | None  # same origin = same sentence (should share a family); None for boilerplate
    boilerplate: str | None  # boilerplate kind, None for body lines
    edits: tuple[str, ...] = ()  # edits applied to the copy (for tests and inspection)


@dataclass
class CorpusArticle:
    name: str  # file name
    text: str
    story: str
    outlet: str
    lines: list[TruthLine] = field(default_factory=list)  # body and boilerplate lines (not header)


@dataclass
class Corpus:
    articles: list[CorpusArticle]
    source: str  # where the real text came from
    seed: int

    @property
    def n_sentences(self) -> int:
        return sum(len(a.lines) for a in self.articles)

    @property
    def n_stories(self) -> int:
        return len({a.story for a in self.articles})

    def texts(self) -> list[tuple[str, str]]:
        return [(a.name, a.text) for a in self.articles]


@dataclass(frozen=True)
class _Outlet:
    host: str
    name: str
    drops_apostrophes: bool
    straight_quotes: bool
    byline: str | None
    copyright: str | None
    prompt: str | None
    comments: bool
    share: str | None


_OUTLET_WORDS = [
    "Daily",
    "Herald",
    "Courier",
    "Tribune",
    "Gazette",
    "Post",
    "Times",
    "Chronicle",
    "Observer",
    "Sentinel",
    "Ledger",
    "Record",
    "Examiner",
    "Monitor",
    "Journal",
    "Star",
    "Register",
    "Dispatch",
    "Bulletin",
    "Wire",
    "Express",
    "Mirror",
    "Globe",
    "Press",
]
_PLACES = [
    "Riverton",
    "Lakeside",
    "Northfield",
    "Eastport",
    "Westbrook",
    "Fairview",
    "Greenville",
    "Harbor",
    "Springfield",
    "Oakridge",
    "Milltown",
    "Brookside",
    "Highland",
    "Pinecrest",
    "Kingsport",
    "Bayview",
    "Clearwater",
    "Stonebridge",
]
_PROMPTS = (
    "Sign up for our daily newsletter to get the top stories delivered to your inbox.",
    "Subscribe to our newsletter for the latest news.",
    "Get the morning briefing: sign up now.",
    "Want more stories like this? Sign up for our free newsletter.",
)
_SHARES = (
    "Share this article",
    "Share on Facebook Share on Twitter",
    "Follow us on Twitter and Facebook.",
)
_CREDITS = (
    "Photo: Reuters",
    "Photo: AP",
    "Image: AFP/Getty Images",
    "Photo credit: EPA",
    "(Photo: Shutterstock)",
)
_SOURCES = (
    "officials said",
    "police said",
    "a spokesman said",
    "reports said",
    "the agency said",
    "sources said",
)
_ACCORDING = (
    "According to reports, ",
    "According to officials, ",
    "Officials said ",
    "Reports say ",
)
_SYNONYMS = {
    "said": "stated",
    "says": "states",
    "told": "informed",
    "people": "individuals",
    "about": "around",
    "after": "following",
    "before": "prior to",
    "big": "large",
    "large": "big",
    "also": "additionally",
    "announced": "said",
    "killed": "slain",
    "officials": "authorities",
    "police": "officers",
    "many": "numerous",
    "begin": "start",
    "start": "begin",
    "help": "assist",
    "show": "indicate",
    "buy": "purchase",
    "near": "close to",
    "but": "however",
}
_LOWER_FIRST = {
    "The",
    "A",
    "An",
    "It",
    "This",
    "That",
    "These",
    "He",
    "She",
    "They",
    "In",
    "On",
    "At",
}


def _make_outlet(rng: random.Random, i: int) -> _Outlet:
    place = rng.choice(_PLACES)
    word = rng.choice(_OUTLET_WORDS)
    name = f"The {place} {word}"
    host = f"{place.lower()}{word.lower()}{i}.example"
    year = rng.choice((2019, 2020, 2021, 2022, 2023, 2024))
    copyright = rng.choice(
        (
            f"© {year} {place} {word}. All rights reserved.",
            f"Copyright {year} {place} {word} Media, Inc.",
            f"© {place} {word} {year}. This material may not be published, broadcast, rewritten or redistributed.",
            None,
        )
    )
    byline = rng.choice(
        (None, None, f"By {place} {word} staff", f"{place.upper()} {word.upper()} REPORTERS")
    )
    return _Outlet(
        host=host,
        name=name,
        drops_apostrophes=rng.random() < 0.25,
        straight_quotes=rng.random() < 0.5,
        byline=byline,
        copyright=copyright,
        prompt=rng.choice((None, None) + _PROMPTS),
        comments=rng.random() < 0.2,
        share=rng.choice((None, None, None) + _SHARES),
    )


# --- edits ------------------------------------------------------------------------

_APOS_RE = re.compile(r"(?<=\w)['’](?=\w)")
_QUOTE_CHARS_RE = re.compile(r"[\"“”]")
_QUOTE_ATTR_RE = re.compile(
    r"^[\"“](?P<q>.+?)[,.]?[\"”],? (?P<who>[^\"“”]{2,40}?) (?P<verb>said|says|added|told [^\"“”]+?)\.$"
)


def drop_apostrophes(s: str) -> str:
    return _APOS_RE.sub("", s)


def quote_style(s: str, straight: bool) -> str:
    if straight:
        return s.replace("“", '"').replace("”", '"').replace("’", "'").replace("‘", "'")
    out, opened = [], False
    for ch in s:
        if ch == '"':
            out.append("”" if opened else "“")
            opened = not opened
        else:
            out.append(ch)
    return "".join(out).replace("'", "’")


def _finish(s: str) -> str:
    s = s.rstrip(" ,;:-")
    return s if _SENT_END_RE.search(s) else s + "."


def _edit_trim(s: str, rng: random.Random) -> str | None:
    """Drop a clause: the tail after a late comma, or a leading clause before an early one."""
    commas = [m.start() for m in re.finditer(r", ", s)]
    late = [c for c in commas if c > 0.45 * len(s)]
    early = [c for c in commas if 12 < c < 0.35 * len(s)]
    if late and (not early or rng.random() < 0.6):
        return _finish(s[: rng.choice(late)])
    if early:
        rest = s[rng.choice(early) + 2 :]
        return rest[:1].upper() + rest[1:] if rest else None
    return None


def _edit_attribute(s: str, rng: random.Random) -> str | None:
    """Re-frame: add an "X said" suffix or an "According to X," prefix, or turn
    '"Quote," he said.' into 'He said: "Quote."'."""
    m = _QUOTE_ATTR_RE.match(s)
    if m:
        who = m.group("who")
        who = who[:1].upper() + who[1:]
        return f'{who} {m.group("verb")}: "{m.group("q")}."'
    if re.search(r"\b(said|says|told)\b", s):
        return None
    if rng.random() < 0.5:
        return s[:-1] + f", {rng.choice(_SOURCES)}." if s.endswith(".") else None
    first, _, rest = s.partition(" ")
    if first in _LOWER_FIRST:
        first = first.lower()
    elif not (first[:1].isupper() and first[1:].islower()):
        return None  # "I", "US", a number: leave alone
    return rng.choice(_ACCORDING) + first + " " + rest


def _edit_substitute(s: str, rng: random.Random) -> str | None:
    """Substitute one word (a synonym) or drop a small word."""
    words = list(re.finditer(r"\b[a-z]+\b", s))
    candidates = [m for m in words if m.group() in _SYNONYMS]
    if candidates:
        m = rng.choice(candidates)
        return s[: m.start()] + _SYNONYMS[m.group()] + s[m.end() :]
    small = [
        m for m in words if m.group() in {"the", "also", "very", "just", "now", "still", "that"}
    ]
    if small:
        m = rng.choice(small)
        return (s[: m.start()] + s[m.end() :]).replace("  ", " ")
    return None


def _edit_drop_quotes(s: str, rng: random.Random) -> str | None:
    out = _QUOTE_CHARS_RE.sub("", s)
    return out if out != s else None


_EDITS = {
    "trim": _edit_trim,
    "attribute": _edit_attribute,
    "substitute": _edit_substitute,
    "drop_quotes": _edit_drop_quotes,
}


def edit_sentence(s: str, rng: random.Random, outlet: _Outlet) -> tuple[str, tuple[str, ...]]:
    """One outlet's copy of a sentence and the names of the edits made."""
    applied: list[str] = []
    original = s
    n = rng.choices((0, 1, 2), weights=(50, 35, 15))[0]
    names = rng.sample(sorted(_EDITS), k=n)
    for name in names:
        out = _EDITS[name](s, rng)
        if out and out != s and len(_WORDS_RE.findall(out)) >= 4:
            s = out
            applied.append(name)
    if s == original:
        applied = []  # the edits undid each other (a suffix added, then trimmed away)
    if outlet.drops_apostrophes:
        t = drop_apostrophes(s)
        if t != s:
            s = t
            applied.append("drop_apostrophes")
    t = quote_style(s, outlet.straight_quotes)
    if t != s:
        s = t
        applied.append("quote_style")
    return s, tuple(applied)


# --- stories ------------------------------------------------------------------------


@dataclass
class _Story:
    id: str
    source: str
    pool: list[tuple[str, str]]  # (origin id, sentence) in wire order
    own: list[str]  # sentences each used by at most one article
    day: date
    title_words: list[str]


def _story_sizes(rng: random.Random, n: int, n_stories: int) -> list[int]:
    """Articles per story: heavy-tailed (a few big stories, many small), summing to n."""
    weights = [rng.lognormvariate(0, 0.8) for _ in range(n_stories)]
    total = sum(weights)
    sizes = [max(1, int(n * w / total)) for w in weights]
    i = 0
    while sum(sizes) < n:
        sizes[i % n_stories] += 1
        i += 1
    while sum(sizes) > n:
        j = max(range(n_stories), key=sizes.__getitem__)
        sizes[j] -= 1
    return sizes


MEAN_STORY_SIZE = 10
MIN_CHUNK = 30  # sentences a variant story needs: a pool to copy and a few own sentences
MIN_POOL = 22  # wire sentences of a story, so that articles keep a realistic length (~30 lines)
MAX_POOL = 28


def _plan_stories(rng: random.Random, sources: Sequence[SourceStory], n: int) -> list[_Story]:
    wanted = max(1, round(n / MEAN_STORY_SIZE))
    capacity = {s.name: max(1, len(s.sentences) // MIN_CHUNK) for s in sources}
    total_cap = sum(capacity.values())
    n_stories = min(wanted, total_cap)
    # Variants per source story, in proportion to its sentences (at least one each while possible).
    per = {s.name: 0 for s in sources}
    order = sorted(sources, key=lambda s: (-len(s.sentences), s.name))
    k = 0
    while sum(per.values()) < n_stories:
        s = order[k % len(order)]
        if per[s.name] < capacity[s.name]:
            per[s.name] += 1
        k += 1
    stories: list[_Story] = []
    base = date(2024, 1, 1)
    for s in sources:
        v = per[s.name]
        if not v:
            continue
        sents = list(s.sentences)
        rng.shuffle(sents)
        chunk = len(sents) // v
        for j in range(v):
            part = sents[j * chunk : (j + 1) * chunk]
            n_pool = min(MAX_POOL, max(MIN_POOL, int(len(part) * 0.8)))
            pool = part[:n_pool]
            sid = f"{s.name}~v{j}"
            title_src = pool[0]
            stories.append(
                _Story(
                    sid,
                    s.name,
                    [(f"{sid}.o{i}", t) for i, t in enumerate(pool)],
                    part[n_pool:],
                    base + timedelta(days=rng.randrange(700)),
                    _WORDS_RE.findall(title_src),
                )
            )
    rng.shuffle(stories)
    return stories


def _title(story: _Story, rng: random.Random) -> str:
    w = story.title_words
    start = rng.randrange(0, max(1, min(4, len(w) - 6)))
    t = " ".join(w[start : start + rng.randint(6, 10)])
    return t[:1].upper() + t[1:]


def _slug(title: str) -> str:
    return "-".join(_WORDS_RE.findall(title.lower()))[:60]


def generate(n: int, seed: int = 0, data_dir: Path | None = None) -> Corpus:
    """``n`` articles, deterministic for a given ``seed`` and source data."""
    sources, where = load_sources(data_dir)
    rng = random.Random(seed)
    stories = _plan_stories(rng, sources, n)
    sizes = _story_sizes(rng, n, len(stories))
    # Enough outlets that no story has to take two articles from one outlet.
    outlets = [_make_outlet(rng, i) for i in range(max(25, n // 15, max(sizes)))]
    articles: list[CorpusArticle] = []
    specs: list[tuple[_Story, _Outlet]] = []
    for story, size in zip(stories, sizes):
        chosen = (
            rng.sample(outlets, k=size) if size <= len(outlets) else rng.choices(outlets, k=size)
        )
        specs.extend((story, o) for o in chosen)
    rng.shuffle(specs)
    width = len(str(len(specs)))
    own_used: dict[str, int] = {}
    for i, (story, outlet) in enumerate(specs):
        name = f"{i:0{width}d}_{outlet.host.split('.')[0]}.txt"
        articles.append(_article(rng, name, story, outlet, stories, own_used))
    return Corpus(articles, where, seed)


def _article(
    rng: random.Random,
    name: str,
    story: _Story,
    outlet: _Outlet,
    stories: Sequence[_Story],
    own_used: dict[str, int],
) -> CorpusArticle:
    # What the outlet copies: a share of the wire sentences, in wire order, in paragraphs.
    pool = story.pool
    k = rng.randint(max(3, int(0.4 * len(pool))), len(pool))
    picked = sorted(rng.sample(range(len(pool)), k))
    body: list[tuple[str | None, str, tuple[str, ...]]] = []
    for p in picked:
        origin, text = pool[p]
        copy, edits = edit_sentence(text, rng, outlet)
        body.append((origin, copy, edits))
    # Own sentences (from the source story's other articles, used once each).
    for _ in range(rng.choices((0, 1, 2, 3), weights=(30, 35, 20, 15))[0]):
        j = own_used.get(story.id, 0)
        if j >= len(story.own):
            break
        own_used[story.id] = j + 1
        text = quote_style(story.own[j], outlet.straight_quotes)
        body.insert(rng.randint(0, len(body)), (f"{name}.own{j}", text, ("own",)))
    # Paragraphs, some of them reordered.
    paras: list[list] = []
    i = 0
    while i < len(body):
        step = rng.randint(1, 4)
        paras.append(body[i : i + step])
        i += step
    if len(paras) > 2 and rng.random() < 0.35:
        for _ in range(rng.randint(1, 2)):
            a = rng.randrange(1, len(paras))
            b = rng.randrange(1, len(paras))
            paras[a], paras[b] = paras[b], paras[a]
    blocks: list[list[tuple[str | None, str, tuple[str, ...], str | None]]] = [
        [(o, t, e, None) for o, t, e in p] for p in paras
    ]

    def bp(kind: str, text: str) -> list:
        return [(None, text, (), kind)]

    # Boilerplate, where pages put it.
    if outlet.byline and rng.random() < 0.7:
        blocks.insert(0, bp("byline", outlet.byline))
    if rng.random() < 0.3 and len(blocks) > 1:
        blocks.insert(rng.randint(1, len(blocks)), bp("credit", rng.choice(_CREDITS)))
    if rng.random() < 0.25 and len(blocks) > 1:
        other = rng.choice(stories)
        blocks.insert(
            rng.randint(1, len(blocks)), bp("related", f"Read more: {_title(other, rng)}")
        )
    if rng.random() < 0.1 and len(blocks) > 1:
        blocks.insert(rng.randint(1, len(blocks)), bp("separator", "ADVERTISEMENT"))
    if outlet.share and rng.random() < 0.6:
        blocks.append(bp("prompt", outlet.share))
    if outlet.prompt and rng.random() < 0.6:
        blocks.append(bp("prompt", outlet.prompt))
    if outlet.copyright and rng.random() < 0.8:
        blocks.append(bp("copyright", outlet.copyright))
    if rng.random() < 0.12:
        other = rng.choice([s for s in stories if s.source != story.source] or list(stories))
        m = rng.randint(2, min(5, len(other.pool)))
        start = rng.randrange(0, len(other.pool) - m + 1)
        trail = [(None, t, (), "trailing") for _, t in other.pool[start : start + m]]
        if rng.random() < 0.5:
            trail.insert(0, (None, _title(other, rng).upper(), (), "trailing"))
        blocks.append(trail)
    if outlet.comments and rng.random() < 0.7:
        blocks.append(
            bp("comments", "Leave a Reply")
            + bp(
                "comments", "Your email address will not be published. Required fields are marked *"
            )
        )

    title = _title(story, rng)
    day = story.day + timedelta(days=rng.choice((0, 0, 0, 1, 1, 2)))
    url = f"https://{outlet.host}/{day:%Y/%m/%d}/{_slug(title)}"
    text = f"{title}\n{day:%Y%m%d}\n{url}\n"
    lines: list[TruthLine] = []
    for bi, block in enumerate(blocks):
        text += "\n"
        for origin, t, edits, kind in block:
            start = len(text)
            text += t
            lines.append(TruthLine(start, len(text), origin, kind, edits))
            text += "\n"
    return CorpusArticle(name, text, story.id, outlet.host, lines)


# --------------------------------------------------------------------------- files


def write(corpus: Corpus, folder: Path) -> Path:
    """Articles as files in ``folder`` and the ground truth in ``folder/../truth.json``."""
    folder.mkdir(parents=True, exist_ok=True)
    for a in corpus.articles:
        (folder / a.name).write_text(a.text, encoding="utf-8")
    truth = folder.parent / f"{folder.name}.truth.json"
    data = {
        "source": corpus.source,
        "seed": corpus.seed,
        "articles": [
            {
                "name": a.name,
                "story": a.story,
                "outlet": a.outlet,
                "lines": [asdict(ln) for ln in a.lines],
            }
            for a in corpus.articles
        ],
    }
    truth.write_text(json.dumps(data), encoding="utf-8")
    return truth


def read_truth(path: Path) -> dict[str, CorpusArticle]:
    data = json.loads(path.read_text(encoding="utf-8"))
    out = {}
    for a in data["articles"]:
        lines = [
            TruthLine(d["start"], d["end"], d["origin"], d["boilerplate"], tuple(d["edits"]))
            for d in a["lines"]
        ]
        out[a["name"]] = CorpusArticle(a["name"], "", a["story"], a["outlet"], lines)
    return out
