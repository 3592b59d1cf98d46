"""Stories that grow (``tui.core.grow``): articles added to an analysed folder join the families
of the stories they join without those stories being aligned again."""

import copy
import shutil
from pathlib import Path

import pytest

import tui.core.grow as grow
import tui.core.pipeline as pipeline
from tui.core.pipeline import Memo, analyze_sources, read_inputs

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


class FolderMemo(Memo):
    """Remembers in dicts: preparations, story results and the folder's clustering."""

    def __init__(self):
        self.prepared, self.stories, self.clusterings = {}, {}, {}

    def get_prepared(self, digests):
        return {d: self.prepared[d] for d in digests if d in self.prepared}

    def put_prepared(self, items):
        self.prepared.update(items)

    def get_stories(self, keys):
        return {k: self.stories[k] for k in keys if k in self.stories}

    def put_stories(self, items):
        self.put = dict(items)
        self.stories.update(items)

    def get_clustering(self, scope):
        return self.clusterings.get(scope)

    def put_clustering(self, scope, make):
        self.clusterings[scope] = make()

    def copy(self) -> "FolderMemo":
        other = FolderMemo()
        other.prepared, other.stories = dict(self.prepared), dict(self.stories)
        other.clusterings = copy.deepcopy(self.clusterings)
        return other


def _fresh(sources, memo: FolderMemo, monkeypatch) -> object:
    """The analysis with the same incremental story assignment, every story aligned afresh."""
    with monkeypatch.context() as m:
        m.setattr(pipeline, "GROW_FRACTION", -1.0)
        return analyze_sources(sources, memo=memo, scope="f")


def _paragraphs(name: str) -> list[str]:
    return [p for p in (SEEDS / name).read_text(encoding="utf-8").split("\n") if p.strip()]


SEED = sorted(p.name for p in SEEDS.glob("*.txt"))


def _copy(folder: Path, name: str, source: str, intro: str, edit: tuple[str, str] | None = None) -> None:
    """An outlet's copy of a seed article: its own first line, the wire text, maybe one edit."""
    body = _paragraphs(source)[:12]
    text = "\n".join([intro, *body]) + "\n"
    if edit:
        assert edit[0] in text
        text = text.replace(edit[0], edit[1], 1)
    (folder / name).write_text(text, encoding="utf-8")


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "folder"
    shutil.copytree(SEEDS, d)
    intros = [
        "Pyongyang's envoy spoke to reporters in Moscow as officials weighed the plan for the region.",
        "Officials in Seoul said they were watching the talks between the two governments closely.",
        "The proposal drew criticism from analysts who study labour exports from the North.",
        "Diplomats at the United Nations declined to comment on the reported proposal on Monday.",
        "The remarks came days after a delegation visited the region's largest industrial city.",
        "Ukrainian officials called the recognition a violation of international law, again.",
        "Satellite images published last month showed damage across the region's factories.",
    ]
    for k, intro in enumerate(intros):
        _copy(d, f"1{k:02d}_wire.txt", SEED[k % 2], intro)
    return d


def _members(analysis) -> set[frozenset[tuple[str, int]]]:
    """Families as sets of (file name, sentence start): comparable across runs."""
    out = set()
    for f in analysis.families:
        ms = set()
        for m in f.members:
            aid, _, j = m.sentence.partition(".s")
            a = analysis.article(aid)
            ms.add((Path(a.path).name, a.sentences[int(j)].start))
        out.add(frozenset(ms))
    return out


def _partition(analysis) -> list[list[str]]:
    return sorted(sorted(Path(analysis.article(a).path).name for a in st.articles) for st in analysis.stories)


def _roles(analysis) -> dict[tuple[str, int], str]:
    return {(Path(a.path).name, s.start): s.role for a in analysis.articles for s in a.sentences}


@pytest.fixture
def counted(monkeypatch):
    import tui.core.increment as increment

    monkeypatch.setattr(pipeline, "GROW_MIN", 4)  # the test story is small
    monkeypatch.setattr(increment, "_FULL_MIN", 2)  # (and so is the folder: articles join its stories)
    monkeypatch.setattr(increment, "_FULL_FRACTION", 1.0)
    calls = []
    real = pipeline._grow_story
    monkeypatch.setattr(
        pipeline, "_grow_story", lambda docs, group, old, res, rep_of: calls.append(len(group) - len(old)) or real(docs, group, old, res, rep_of)
    )
    grow.COUNTERS.clear()
    return calls


def _assert_spans(analysis):
    """Every member's shared and differing spans lie inside its sentence, in order."""
    for f in analysis.families:
        for m in f.members:
            s = analysis.sentence(m.sentence)
            spans = sorted(m.shared + m.differs)
            assert spans, m
            assert all(s.start <= a < b <= s.end for a, b in spans)
            assert all(b <= c for (_, b), (c, _) in zip(spans, spans[1:]))


def test_an_added_copy_joins_the_families_as_a_fresh_alignment_would(folder, counted, monkeypatch):
    memo = FolderMemo()
    before = analyze_sources(read_inputs([folder])[0], memo=memo, scope="f")
    assert max(len(st.articles) for st in before.stories) >= 11 and len(before.articles) == 12
    # a new outlet's copy: its own first line, one word of the wire copy edited, and a sentence
    # that only one old article had (a seed's own body sentence, in no family yet)
    seed3 = next(a for a in before.articles if a.path.endswith(SEED[3]))
    own = next(s.text for s in seed3.sentences if s.role == "body" and s.family is None and len(s.text.split()) >= 12)
    _copy(folder, "200_new.txt", SEED[0], "The agency's report was published on Tuesday.", ("hardworking", "hard-working"))
    with (folder / "200_new.txt").open("a", encoding="utf-8") as f:
        f.write(own + "\n")
    sources = read_inputs([folder])[0]
    was = memo.copy()
    grown = analyze_sources(sources, memo=memo, scope="f")
    assert counted == [1]  # the story grew by one article, with no fresh alignment
    assert grow.COUNTERS["copied"] >= 8  # the wire sentences, appended as they were
    fresh = _fresh(sources, was, monkeypatch)
    assert counted == [1] and _partition(fresh) == _partition(grown)
    assert _members(grown) == _members(fresh)
    assert _roles(grown) == _roles(fresh)
    assert {f.kind for f in grown.families} == {f.kind for f in fresh.families}
    new_aid = next(a.id for a in grown.articles if a.path.endswith("200_new.txt"))
    new_fams = [f for f in grown.families if any(m.sentence.startswith(new_aid + ".") for m in f.members)]
    assert len(new_fams) >= 9
    _assert_spans(grown)
    # the new article's last sentence is now shared with the old article that had it
    assert any({grown.sentence(m.sentence).text for m in f.members} == {own} and len(f.members) == 2 for f in new_fams)
    assert grow.COUNTERS["pooled"] == 1
    # the recorded variants: members of one variant share their word list, and only they do
    big = max(grown.stories, key=lambda st: len(st.articles))
    paths = {grown.article(a).path for a in big.articles}
    group = [i for i, src in enumerate(sources) if src.path in paths]
    docs = pipeline._prepare_all(sources, memo, {})
    (result,) = memo.put.values()
    assert len(result) == 3 and len(result[1]) == len(group)
    kinds, scores, sizes, pos, sent, *_spans, var = result[0]
    lo = 0
    for size in sizes:
        forms: dict[int, str] = {}
        for k in range(lo, lo + size):
            norm = docs[group[pos[k]]].norms[sent[k]]
            assert forms.setdefault(var[k], norm) == norm
        assert len(set(forms.values())) == len(forms)
        lo += size


def test_an_edited_copy_joins_its_family_without_aligning_it_again(folder, counted, monkeypatch):
    memo = FolderMemo()
    before = analyze_sources(read_inputs([folder])[0], memo=memo, scope="f")
    seed0 = next(a for a in before.articles if a.path.endswith(SEED[0]))
    shared = next(s.text for s in seed0.sentences if s.family is not None and " said " in s.text and len(s.text.split()) >= 12)
    edited = shared.replace(" said ", " reportedly said ", 1)  # one word more: the same sentence, edited
    _copy(folder, "200_new.txt", SEED[0], "The agency's report was published on Tuesday.", (shared, edited))
    sources = read_inputs([folder])[0]
    was = memo.copy()
    grown = analyze_sources(sources, memo=memo, scope="f")
    assert counted == [1] and grow.COUNTERS["joined"] >= 1 and grow.COUNTERS["realigned"] == 0
    fresh = _fresh(sources, was, monkeypatch)
    assert _members(grown) == _members(fresh)

    def family_of(analysis, text):
        s = next(s for a in analysis.articles if a.path.endswith("200_new.txt") for s in a.sentences if s.text == text)
        return next(f for f in analysis.families if f.id == s.family)

    g, f = family_of(grown, edited), family_of(fresh, edited)
    assert g.kind == f.kind == "edited" and g.score == f.score
    spans = {(m.sentence, m.shared, m.differs) for m in f.members}
    new_aid = next(a.id for a in grown.articles if a.path.endswith("200_new.txt"))
    mine = next(m for m in g.members if m.sentence.startswith(new_aid + "."))
    assert any(m.sentence.startswith(new_aid + ".") and (m.shared, m.differs) == (mine.shared, mine.differs) for m in f.members)
    assert mine.differs  # the word the copy added is its own
    assert len(spans) == len(g.members)
    _assert_spans(grown)


def test_a_grown_story_counts_its_additions_and_is_aligned_afresh_past_the_bound(folder, counted, monkeypatch):
    memo = FolderMemo()
    before = analyze_sources(read_inputs([folder])[0], memo=memo, scope="f")
    base = max(len(st.articles) for st in before.stories)  # the story's last full alignment
    since = 0  # articles it grew by since
    for added in range(1, 6):
        _copy(folder, f"3{added:02d}_late.txt", SEED[added % 2], f"Late report number {added} on the envoy's remarks about builders.")
        sources = read_inputs([folder])[0]
        was = memo.copy()
        calls = len(counted)
        grown = analyze_sources(sources, memo=memo, scope="f")
        (result,) = memo.put.values()  # the one story the article joined
        if since + 1 <= grow.GROW_FRACTION * base:
            since += 1
            assert counted[calls:] == [1]
            assert result[2] == since  # articles added since the last full alignment
        else:  # past the bound: aligned afresh, and it grows from there
            assert counted[calls:] == [] and len(result) == 2
            base, since = base + since + 1, 0
        assert _members(grown) == _members(_fresh(sources, was, monkeypatch))
    assert 0 < len(counted) < 5


def test_stories_do_not_grow_without_a_remembered_folder_or_after_a_change(folder, counted, monkeypatch):
    memo = FolderMemo()
    analyze_sources(read_inputs([folder])[0], memo=memo, scope="f")
    _copy(folder, "200_new.txt", SEED[1], "A new outlet's first line about the envoy and the builders.")
    sources = read_inputs([folder])[0]
    analyze_sources(sources, memo=FolderMemo())  # no folder remembered: nothing to grow from
    assert counted == []
    f = folder / SEED[2]  # an old article changed as well: its story is aligned afresh
    f.write_text(f.read_text(encoding="utf-8").replace("Donbas", "Donbass"), encoding="utf-8")
    sources = read_inputs([folder])[0]
    was = memo.copy()
    changed = analyze_sources(sources, memo=memo, scope="f")
    assert counted == []
    assert _members(changed) == _members(_fresh(sources, was, monkeypatch))


def test_extend_families_appends_exact_copies_and_starts_families_of_new_sentences():
    texts = {
        (0, 0): "The ambassador said builders from the North could help rebuild the region.",
        (0, 1): "Officials in Seoul did not respond to a request for comment on Monday.",
        (1, 0): "The ambassador said builders from the North could help rebuild the region.",
        (1, 1): "A spokesman for the ministry declined to discuss the labour plan in detail.",
        (2, 0): "The ambassador said builders from the North could help rebuild the region.",
        (2, 1): "A spokesman for the ministry declined to discuss the labour plan in detail.",
    }
    from tui.core.text import normalize

    norms_at = [[normalize(texts[(p, j)]) for j in range(2)] for p in range(3)]

    def item(p, j):
        return texts[(p, j)], 100 * j, norms_at[p][j]

    whole = ((0, texts[(0, 0)].rindex("region") + len("region")),)  # first word to last
    old = [grow.Fam.recorded("verbatim", 100.0, [(0, 0), (1, 0)], range(0, 2), [True, True], [norms_at[0][0]] * 2)]
    grow.COUNTERS.clear()
    fams, changed = grow.extend_families(old, item, norms_at, lambda: [(0, 1), (1, 1)], [(2, 0), (2, 1)])
    assert [f.members for f in fams] == [[(0, 0), (1, 0), (2, 0)], [(1, 1), (2, 1)]]
    assert changed == {0, 1}
    assert fams[0].rows == [0, 1, -1] and fams[0].shared[2] == whole  # the copy: its whole span
    assert fams[0].norms == [norms_at[0][0]] * 3 and fams[1].norms == [norms_at[1][1]] * 2
    assert fams[1].kind == "verbatim" and fams[1].rows == [-1, -1]
    assert grow.COUNTERS["copied"] == 1 and grow.COUNTERS["pooled"] == 1 and grow.COUNTERS["realigned"] == 0
