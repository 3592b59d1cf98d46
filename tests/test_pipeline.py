import shutil
import threading
from pathlib import Path

import pytest

import tui.core.pipeline as pipeline
from tui.core.pipeline import Memo, analyze, analyze_sources, read_inputs

HERE = Path(__file__).resolve().parent
SEEDS = HERE.parent / "seeds"
ECB = HERE / "fixtures" / "app"


@pytest.fixture
def corpus(tmp_path):
    d = tmp_path / "corpus"
    shutil.copytree(SEEDS, d)
    for f in sorted(ECB.glob("*.txt")):
        shutil.copy(f, d / f.name)
    return d


class DictMemo(Memo):
    """Remembers in dicts and counts what it was asked and what was computed anew."""

    def __init__(self):
        self.prepared, self.stories = {}, {}
        self.new_prepared, self.new_stories = [], []

    def get_prepared(self, digests):
        return {d: self.prepared[d] for d in digests if d in self.prepared}

    def put_prepared(self, items):
        self.new_prepared.extend(items)
        self.prepared.update(items)

    def get_stories(self, keys):
        return {k: self.stories[k] for k in keys if k in self.stories}

    def put_stories(self, items):
        self.new_stories.extend(items)
        self.stories.update(items)


def test_parallel_reading_preparation_and_stories_give_the_serial_result(corpus, monkeypatch):
    serial = analyze([corpus])
    monkeypatch.setattr(pipeline, "PARALLEL_MIN", 2)
    used = []
    real = pipeline._can_fork
    monkeypatch.setattr(pipeline, "_can_fork", lambda: used.append(real()) or real())
    parallel = analyze([corpus])
    assert used == [True, True]  # the pool paths ran: reading with preparation, the stories
    assert parallel == serial
    assert len(serial.articles) == 16


def test_reading_prepares_what_the_memo_lacks_once_per_text(corpus, monkeypatch):
    shutil.copy(corpus / sorted(p.name for p in corpus.iterdir())[0], corpus / "zz-copy.txt")
    files = sorted(corpus.iterdir())
    serial_sources, _ = pipeline.read_files(files)
    memo = DictMemo()
    memo.prepared = {s.digest: pipeline.prepare_text(s.raw) for s in serial_sources[:5]}
    monkeypatch.setattr(pipeline, "PARALLEL_MIN", 2)
    calls = []
    sources, skipped, made = pipeline.read_and_prepare(files, memo, progress=lambda *a: calls.append(a))
    assert sources == serial_sources and not skipped
    # progress: reading to the last file, then preparing to the last text sent
    read = [c for c in calls if c[0] == "read"]
    prep = [c for c in calls if c[0] == "segment"]
    assert read and read[-1] == ("read", len(files), len(files)) and calls.index(read[-1]) < calls.index(prep[0])
    assert prep[-1] == ("segment", len(made), len(made)) and [c[1] for c in prep] == sorted(c[1] for c in prep)
    wanted = {s.digest for s in sources} - set(memo.prepared)
    assert set(made) == wanted and len(wanted) == len(sources) - 6  # the memo's five, and the copy's text once
    for s in sources:
        if s.digest in made:
            prep, path, outlet = made[s.digest]
            assert prep == pipeline.prepare_text(s.raw)
            assert any(p == path for p in (x.path for x in sources if x.digest == s.digest))
    # what was made while reading is what analyze_sources would make, and is lent to the memo
    analysis = analyze_sources(sources, memo=memo, made=made)
    assert set(memo.new_prepared) == wanted
    assert analysis == analyze_sources(sources)


def test_analyze_from_a_thread_uses_the_pool(corpus, monkeypatch):
    """The reader analyses in a thread worker, with textual imported: the pool must still work."""
    import textual.app  # noqa: F401  (the parent has textual loaded, as in the reader)

    monkeypatch.setattr(pipeline, "PARALLEL_MIN", 2)
    out = {}

    def run():
        out["a"] = analyze([corpus])

    t = threading.Thread(target=run)
    t.start()
    t.join(120)
    assert not t.is_alive()
    monkeypatch.setattr(pipeline, "PARALLEL_MIN", 10**9)
    assert out["a"] == analyze([corpus])


def test_memo_second_run_computes_nothing_and_matches(corpus):
    sources, skipped = read_inputs([corpus])
    memo = DictMemo()
    first = analyze_sources(sources, memo=memo)
    assert len(memo.new_prepared) == len({s.digest for s in sources})
    assert len(memo.new_stories) == len(first.stories)
    memo.new_prepared.clear()
    memo.new_stories.clear()
    second = analyze_sources(sources, memo=memo)
    assert second == first == analyze_sources(sources)
    assert memo.new_prepared == [] and memo.new_stories == []


def test_incremental_equals_full_after_add_change_remove(corpus, tmp_path):
    held = tmp_path / "held"
    held.mkdir()
    for name in ("24_11ecb.txt", "24_12ecb.txt", "13_12ecb.txt"):  # added later
        shutil.move(corpus / name, held / name)
    memo = DictMemo()
    before = analyze_sources(read_inputs([corpus])[0], memo=memo)
    memo.new_prepared.clear()
    memo.new_stories.clear()

    for f in held.iterdir():  # added
        shutil.copy(f, corpus / f.name)
    (corpus / "4_11ecb.txt").unlink()  # removed
    f = corpus / "003_3ac222fe75dd92ff.txt"  # changed
    f.write_text(f.read_text(encoding="utf-8").replace("Donbass", "Donbas"), encoding="utf-8")

    sources = read_inputs([corpus])[0]
    incremental = analyze_sources(sources, memo=memo)
    full = analyze_sources(sources)
    assert incremental == full
    assert incremental != before
    # only the new and changed texts were prepared; not every story was redone
    assert len(memo.new_prepared) == 4
    assert 0 < len(memo.new_stories) < len(full.stories)


def test_damaged_memo_entries_are_recomputed(corpus):
    sources = read_inputs([corpus])[0]
    memo = DictMemo()
    good = analyze_sources(sources, memo=memo)
    kept = dict(memo.stories)
    for k in memo.stories:
        memo.stories[k] = ([], [()])  # wrong shape
    assert analyze_sources(sources, memo=memo) == good
    # well-shaped columns that do not fit the story: each damage is caught, never assembled
    key, (fams, labels) = next((k, v) for k, v in kept.items() if len(v[0][3]) > 0)
    kinds, scores, sizes, pos, sent, shared_n, shared, differs_n, differs, variants = fams

    def with_col(i, value):
        cols = list(fams)
        cols[i] = value
        return (tuple(cols), labels)

    far = type(sent)("q", [10**6] * len(sent))
    for bad in (
        with_col(4, far),  # a sentence past its article's end
        with_col(3, type(pos)("q", [len(labels)] * len(pos))),  # a position past the story
        with_col(2, type(sizes)("q", [s + 1 for s in sizes])),  # sizes not the members'
        with_col(5, type(shared_n)("q", [n + 2 for n in shared_n])),  # spans not the flat pairs'
        with_col(9, variants[:-1]),  # a member without its variant
    ):
        memo.stories = dict(kept)
        memo.stories[key] = bad
        assert analyze_sources(sources, memo=memo) == good


class ClusteringMemo(DictMemo):
    def __init__(self):
        super().__init__()
        self.clusterings = {}

    def get_clustering(self, scope):
        return self.clusterings.get(scope)

    def put_clustering(self, scope, make):
        self.clusterings[scope] = make()


def _partition(analysis):
    path = {a.id: Path(a.path).name for a in analysis.articles}
    return sorted(sorted(path[a] for a in s.articles) for s in analysis.stories)


def test_added_articles_join_the_folders_stories_without_reclustering(corpus, tmp_path, monkeypatch):
    import tui.core.increment as increment

    monkeypatch.setattr(increment, "_FULL_MIN", 2)  # the test folder is small
    monkeypatch.setattr(increment, "_FULL_FRACTION", 1.0)
    held = tmp_path / "held"
    held.mkdir()
    for name in ("24_12ecb.txt", "13_12ecb.txt"):  # each has siblings of its story in the folder
        shutil.move(corpus / name, held / name)
    calls = []
    real, real_indexed = pipeline.cluster, pipeline.cluster_then_index
    monkeypatch.setattr(pipeline, "cluster", lambda docs: calls.append(len(docs)) or real(docs))
    monkeypatch.setattr(pipeline, "cluster_then_index", lambda docs: calls.append(len(docs)) or real_indexed(docs))
    memo = ClusteringMemo()
    analyze_sources(read_inputs([corpus])[0], memo=memo, scope="folder")
    assert calls == [14]  # the first run clusters everything and remembers it
    for f in held.iterdir():
        shutil.copy(f, corpus / f.name)
    sources = read_inputs([corpus])[0]
    grown = analyze_sources(sources, memo=memo, scope="folder")
    assert calls == [14]  # no full clustering: the two articles joined through the index
    assert len(memo.clusterings["folder"][0]) == 16
    again = analyze_sources(sources, memo=memo, scope="folder")  # nothing new: the stored groups
    assert calls == [14] and again == grown
    full = analyze_sources(sources)  # no scope: a full clustering, the same stories here
    assert calls == [14, 16]
    assert _partition(grown) == _partition(full)
    (corpus / "4_11ecb.txt").unlink()  # a removal: the index knows only additions
    analyze_sources(read_inputs([corpus])[0], memo=memo, scope="folder")
    assert calls == [14, 16, 15]


def test_salient_memo_gives_the_same_preparation_and_stays_bounded(monkeypatch):
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.iterdir()) if p.suffix == ".txt"]
    class Forgetful(dict):
        def __setitem__(self, k, v):
            pass

    monkeypatch.setattr(pipeline, "_SALIENT", Forgetful())
    plain = [pipeline.prepare_text(t) for t in texts]  # salient_words of every sentence, afresh
    monkeypatch.setattr(pipeline, "_SALIENT", {})
    cold = [pipeline.prepare_text(t) for t in texts]
    assert pipeline._SALIENT  # remembered
    warm = [pipeline.prepare_text(t) for t in texts]
    assert warm == cold == plain
    monkeypatch.setattr(pipeline, "_SALIENT_MAX", 5)
    pipeline._SALIENT.clear()
    small = [pipeline.prepare_text(t) for t in texts]
    assert small == cold and len(pipeline._SALIENT) <= 5


def test_reading_batches_cover_the_files_in_order_small_at_both_ends():
    for n, workers in ((1, 2), (37, 2), (500, 2), (10_000, 2), (20_001, 2), (10_000, 8)):
        b = pipeline._batches(n, workers)
        assert b[0][0] == 0 and b[-1][1] == n
        assert all(lo < hi for lo, hi in b) and all(x[1] == y[0] for x, y in zip(b, b[1:]))
        sizes = [hi - lo for lo, hi in b]
        if n >= 10_000:
            big = max(sizes)
            assert all(s < big for s in sizes[:workers])  # every worker starts on a small batch
            assert all(s < big for (lo, _), s in zip(b, sizes) if lo >= n - n // 4)  # and ends on small ones
            assert len(b) <= workers * 16


def _docs_of(texts):
    """Prepared docs of (outlet, text) pairs, each outlet given as its URL."""
    import hashlib

    from tui.core.ingest import Source

    sources = []
    for k, (outlet, body) in enumerate(texts):
        raw = f"Title {k}\nhttps://{outlet}/a{k}\n\n{body}\n"
        sources.append(Source(f"/x/{k}.txt", raw, hashlib.sha256(raw.encode()).hexdigest(), "utf-8"))
    return pipeline._prepare_all(sources, Memo(), {})


def test_repeated_lines_are_an_outlets_body_lines_under_two_stories():
    promo = "Our reporters cover the whole county every single day of the week."
    a = "The river flooded the lower town after three days of heavy rain on Monday."
    b = "The council approved the new school budget after a long debate on Tuesday."
    docs = _docs_of(
        [
            ("one.example", f"{a}\n\n{promo}"),  # story 0
            ("one.example", f"{b}\n\n{promo}"),  # story 1: the same line, under another story
            ("two.example", f"{a}\n\n{promo}"),  # story 0: another outlet's copy of the line
            ("one.example", f"{b}\n\n{a}"),  # story 1: a line twice in the outlet, one story each...
        ]
    )
    assert len({d.outlet for d in docs}) == 2
    from tui.core.text import normalize

    j_promo = [d.norms.index(normalize(promo)) for d in docs[:3]]
    got = pipeline._repeated_lines(docs, {0: 0, 1: 1, 2: 0, 3: 1})
    assert (0, j_promo[0]) in got and (1, j_promo[1]) in got
    assert (2, j_promo[2]) not in got  # another outlet's
    # ...and line a: at 0 (story 0) and 3 (story 1) in outlet one
    assert (0, docs[0].norms.index(normalize(a))) in got and (3, docs[3].norms.index(normalize(a))) in got
    # under one story only: not repeated
    assert pipeline._repeated_lines(docs, {0: 0, 1: 0, 2: 0, 3: 0}) == set()
    # a line the outlet repeats only outside the body (made meta here) is not repeated
    for d in docs[:2]:
        d.labels[d.norms.index(normalize(promo))] = pipeline._label("meta", "byline")
    got = pipeline._repeated_lines(docs, {0: 0, 1: 1, 2: 0, 3: 1})
    assert got and all(docs[di].norms[j] != normalize(promo) for di, j in got)


def _boom(x):
    raise RuntimeError(x)


def _falling(xs):
    return sorted(xs, reverse=True)


def test_call_aside_returns_the_childs_result_or_none_when_it_failed():
    if not pipeline._can_fork():
        pytest.skip("no fork here")
    big = list(range(200_000))  # more than a pipe holds: the child waits for the parent to read
    got = pipeline._call_aside(_falling, big)
    assert got is not None
    assert got() == sorted(big, reverse=True)
    failed = pipeline._call_aside(_boom, "no")
    assert failed is not None and failed() is None


def test_beside_gives_the_value_from_its_thread_or_makes_it_when_asked():
    where = []

    def double(x):
        where.append(threading.current_thread())
        return 2 * x

    lazy = pipeline._Beside(double, 21)
    assert lazy.result() == 42 and where == [threading.current_thread()]
    started = pipeline._Beside(double, 4)
    started.start()
    assert started.result() == 8 and where[-1] is not threading.current_thread() and len(where) == 2
