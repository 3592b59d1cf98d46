"""analyze(paths) -> Analysis: the one-way flow, stage by stage.

files → ingest → segment → boilerplate (own cues) → cluster → align (per story)
      → boilerplate (story evidence) → provenance → Analysis
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain

from . import ENGINE_VERSION
from .align import AlignInput, align
from .boilerplate import Label, label_in_context, label_own
from .cluster import ClusterDoc, cluster, salient_words
from .ingest import Header, InputError, Source, discover, infer_outlet, parse_header, read_source
from .model import Analysis, Article, Family, Member, Sentence, Skipped, Story
from .provenance import first_carrier
from .text import Segment, normalize, segment, words

Progress = Callable[[str, int, int], None]


@dataclass(slots=True)
class _Doc:
    """Working state of one article while the pipeline runs."""

    source: Source
    header: Header
    outlet: str
    outlet_cue: str
    segments: list[Segment]
    labels: list[Label]
    norms: list[str]


def analyze(
    paths: Iterable[str | os.PathLike[str]],
    *,
    one_story: bool = False,
    progress: Progress | None = None,
) -> Analysis:
    """Analyse the text files under ``paths`` (files or folders)."""
    sources, skipped = read_inputs(paths, progress=progress)
    return analyze_sources(sources, skipped=skipped, one_story=one_story, progress=progress)


def read_inputs(
    paths: Iterable[str | os.PathLike[str]], *, progress: Progress | None = None
) -> tuple[list[Source], list[Skipped]]:
    """Find and decode the input files; unreadable ones become ``Skipped`` with a one-line reason."""
    files, skipped = discover(paths)
    sources: list[Source] = []
    for i, f in enumerate(files):
        try:
            sources.append(read_source(f))
        except InputError as e:
            skipped.append(Skipped(str(f), str(e)))
        if progress and (i % 200 == 0 or i == len(files) - 1):
            progress("read", i + 1, len(files))
    return sources, skipped


def analyze_texts(texts: Sequence[tuple[str, str]], *, one_story: bool = False) -> Analysis:
    """Analyse in-memory ``(name, text)`` pairs (tests, fuzzing, the benchmark)."""
    import hashlib

    sources = [
        Source(name, text, hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(), "utf-8")
        for name, text in texts
    ]
    return analyze_sources(sources, one_story=one_story)


def analyze_sources(
    sources: Sequence[Source],
    *,
    skipped: Sequence[Skipped] = (),
    one_story: bool = False,
    progress: Progress | None = None,
) -> Analysis:
    docs = [_prepare(s) for s in sources]
    if progress:
        progress("segment", len(docs), len(docs))

    # Stories, from the body text each article's own cues leave.
    if one_story or len(docs) <= 1:
        groups = [list(range(len(docs)))] if docs else []
    else:
        groups = cluster(
            [
                ClusterDoc(
                    d.header.title,
                    [w for lab, seg_norm in zip(d.labels, d.norms) if lab.role == "body" for w in seg_norm.split()],
                    d.header.published,
                    [
                        w
                        for lab, seg in zip(d.labels, d.segments)
                        if lab.role == "body"
                        for w in salient_words(d.source.raw[seg.start : seg.end])
                    ],
                )
                for d in docs
            ]
        )
    if progress:
        progress("cluster", len(docs), len(docs))

    story_of = {i: si for si, g in enumerate(groups) for i in g}
    repeated = _repeated_lines(docs, story_of)

    drafts: list[tuple[int, list[tuple[int, int]], str, list, list, float]] = []
    for si, group in enumerate(groups):
        fams = _align_story(docs, group)
        linked: dict[int, set[int]] = defaultdict(set)
        for kind, members, shared, differs, score in fams:
            for di, sj in members:
                linked[di].add(sj)
        story_counts: Counter[str] | None = Counter() if len(group) > 1 else None
        per_doc_words: dict[int, Counter[str]] = {}
        if story_counts is not None:
            for di in group:
                per_doc_words[di] = Counter(
                    chain.from_iterable(
                        set(n.split()) for lab, n in zip(docs[di].labels, docs[di].norms) if lab.role == "body"
                    )
                )
                story_counts.update(per_doc_words[di])
        for di in group:
            d = docs[di]
            others = None
            if story_counts is not None:
                # the story's counts less this article's own, looked up lazily (no copy per article)
                others = _Without(story_counts, per_doc_words[di])
            d.labels = label_in_context(
                d.source.raw,
                d.segments,
                d.labels,
                linked=[j in linked[di] for j in range(len(d.segments))],
                repeated=[(di, j) in repeated for j in range(len(d.segments))],
                story_words=others,
            )
        for kind, members, shared, differs, score in fams:
            keep = [k for k, (di, sj) in enumerate(members) if docs[di].labels[sj].role == "body"]
            if len({members[k][0] for k in keep}) < 2:
                continue
            drafts.append(
                (si, [members[k] for k in keep], kind, [shared[k] for k in keep], [differs[k] for k in keep], score)
            )
        if progress:
            progress("align", si + 1, len(groups))

    # Sentence ids and families.
    fam_of: dict[tuple[int, int], str] = {}
    families: list[Family] = []
    for fi, (_si, members, kind, shared, differs, score) in enumerate(drafts):
        fid = f"f{fi}"
        ids = [f"a{di}.s{sj}" for di, sj in members]
        for m in members:
            fam_of[m] = fid
        published = {sid: docs[di].header.published for sid, (di, _) in zip(ids, members)}
        families.append(
            Family(
                fid,
                kind,  # type: ignore[arg-type]
                tuple(Member(sid, tuple(sh), tuple(df)) for sid, sh, df in zip(ids, shared, differs)),
                first_carrier(ids, published),
                score,
            )
        )

    articles = []
    for di, d in enumerate(docs):
        aid = f"a{di}"
        raw = d.source.raw
        sents = tuple(
            Sentence(
                f"{aid}.s{j}",
                aid,
                j,
                seg.start,
                seg.end,
                seg.line,
                raw[seg.start : seg.end],
                lab.role,  # type: ignore[arg-type]
                lab.kind,
                fam_of.get((di, j)),
            )
            for j, (seg, lab) in enumerate(zip(d.segments, d.labels))
        )
        articles.append(
            Article(
                aid,
                d.source.path,
                raw,
                d.source.digest,
                d.source.encoding,
                d.outlet,
                d.outlet_cue,
                d.header.title,
                d.header.published,
                d.header.url,
                sents,
            )
        )

    stories = [
        Story(f"c{si}", _story_title(articles, g), tuple(f"a{di}" for di in g)) for si, g in enumerate(groups)
    ]
    return Analysis(tuple(articles), tuple(stories), tuple(families), tuple(skipped), ENGINE_VERSION)


class _Without(Mapping[str, int]):
    """``total - own`` as a read-only mapping, computed per lookup: the words of a story's
    other articles without copying the story's counts for every article.  Like a Counter after
    ``subtract``, every word of ``total`` is a key (possibly with count 0)."""

    __slots__ = ("_own", "_total")

    def __init__(self, total: Mapping[str, int], own: Mapping[str, int]):
        self._total = total
        self._own = own

    def __getitem__(self, w: str) -> int:  # 0 for a missing word, as a Counter
        return self._total.get(w, 0) - self._own.get(w, 0)

    def get(self, w, default=None):
        t = self._total.get(w)
        if t is None:
            return default
        return t - self._own.get(w, 0)

    def __contains__(self, w: object) -> bool:
        return w in self._total

    def __iter__(self):
        return iter(self._total)

    def __len__(self) -> int:
        return len(self._total)


def _prepare(source: Source) -> _Doc:
    raw = source.raw
    header = parse_header(raw)
    outlet, cue = infer_outlet(raw, header.url, source.path)
    segments = segment(raw)
    head: dict[int, Label] = {}
    if header.title_line:
        head[header.title_line] = Label("title")
    if header.date_line:
        head[header.date_line] = Label("meta", "date")
    if header.url_line:
        head[header.url_line] = Label("meta", "url")
    labels = label_own(raw, segments, head)
    norms = [normalize(raw[s.start : s.end]) for s in segments]
    return _Doc(source, header, outlet, cue, segments, labels, norms)


def _repeated_lines(docs: Sequence[_Doc], story_of: dict[int, int]) -> set[tuple[int, int]]:
    """Sentences an outlet repeats under different stories (its template, not its reporting)."""
    where: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for di, d in enumerate(docs):
        for j, n in enumerate(d.norms):
            if n and d.labels[j].role == "body":
                where[(d.outlet, n)].append((di, j))
    out: set[tuple[int, int]] = set()
    for places in where.values():
        if len(places) > 1 and len({story_of[di] for di, _ in places}) > 1:
            out.update(places)
    return out


def _align_story(docs: Sequence[_Doc], group: Sequence[int]):
    inputs: list[AlignInput] = []
    where: list[tuple[int, int]] = []
    for di in group:
        d = docs[di]
        for j, (seg, lab) in enumerate(zip(d.segments, d.labels)):
            if lab.role != "body":
                continue
            where.append((di, j))
            inputs.append(AlignInput(len(inputs), di, d.source.raw[seg.start : seg.end], seg.start, d.norms[j]))
    out = []
    for fam in align(inputs):
        members = [where[k] for k in fam.members]
        out.append((fam.kind, members, list(fam.shared), list(fam.differs), fam.score))
    return out


def _story_title(articles: Sequence[Article], group: Sequence[int]) -> str:
    titles = [articles[di].title for di in group if articles[di].title]
    if titles:
        return Counter(titles).most_common(1)[0][0]
    for di in group:
        for s in articles[di].sentences:
            if s.role == "body":
                w = s.text.split()
                return " ".join(w[:12]) + (" …" if len(w) > 12 else "")
    return "(untitled)"


__all__ = ["analyze", "analyze_sources", "analyze_texts", "words"]
