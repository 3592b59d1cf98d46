"""The benchmark: corpus generator, scoring, and ``python -m bench --quick`` end to end.

Everything here uses the fallback corpus (the repo's seeds/), never ../shared."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # bench/ is a repo folder, not part of the installed package
    sys.path.insert(0, str(REPO))

from bench import corpus
from bench.measure import Prediction, bcubed, score


@pytest.fixture(scope="module")
def missing(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("nodata") / "ecbplus-dev"  # does not exist: forces the fallback


@pytest.fixture(scope="module")
def small(missing) -> corpus.Corpus:
    return corpus.generate(120, seed=3, data_dir=missing)


def test_fallback_is_announced(small):
    assert small.source.startswith("FALLBACK")
    assert len(small.articles) == 120


def test_deterministic(small, missing):
    again = corpus.generate(120, seed=3, data_dir=missing)
    assert [(a.name, a.text, a.story) for a in again.articles] == [
        (a.name, a.text, a.story) for a in small.articles
    ]
    other = corpus.generate(120, seed=4, data_dir=missing)
    assert [a.text for a in other.articles] != [a.text for a in small.articles]


def test_header_and_offsets(small):
    for a in small.articles:
        title, day, url = a.text.split("\n")[:3]
        assert title and len(day) == 8 and day.isdigit() and url.startswith("https://")
        for ln in a.lines:
            line = a.text[ln.start : ln.end]
            assert line and "\n" not in line and line == line.strip()
            assert (ln.origin is None) == (ln.boilerplate is not None)


def test_ground_truth_coherent(small):
    # An origin belongs to one story; within one article an origin appears once.
    story_of_origin: dict[str, set[str]] = defaultdict(set)
    for a in small.articles:
        origins = [ln.origin for ln in a.lines if ln.origin]
        assert len(origins) == len(set(origins))
        for o in origins:
            story_of_origin[o].add(a.story)
    assert all(len(s) == 1 for s in story_of_origin.values())
    # Unedited copies of one origin are the same text; different origins never are.
    text_of: dict[str, set[str]] = defaultdict(set)
    for a in small.articles:
        for ln in a.lines:
            if ln.origin and not ln.edits:
                text_of[ln.origin].add(a.text[ln.start : ln.end])
    assert all(len(t) == 1 for t in text_of.values())
    owner: dict[str, str] = {}
    for o, texts in text_of.items():
        (t,) = texts
        assert owner.setdefault(t, o) == o
    # Shared origins exist (that is the point), and own sentences are not shared.
    counts = Counter(ln.origin for a in small.articles for ln in a.lines if ln.origin)
    assert sum(1 for c in counts.values() if c > 1) > 20
    assert all(counts[o] == 1 for o in counts if ".own" in o)


def test_edits_and_boilerplate_present(small):
    edits = Counter(e for a in small.articles for ln in a.lines for e in ln.edits)
    for name in ("trim", "attribute", "substitute", "quote_style", "own"):
        assert edits[name] > 0, name
    kinds = Counter(ln.boilerplate for a in small.articles for ln in a.lines if ln.boilerplate)
    for kind in ("copyright", "prompt", "trailing"):
        assert kinds[kind] > 0, kind
    # An edited copy differs from an unedited copy of the same origin.
    plain: dict[str, str] = {}
    edited: dict[str, str] = {}
    for a in small.articles:
        for ln in a.lines:
            if ln.origin and not ln.edits:
                plain[ln.origin] = a.text[ln.start : ln.end]
            elif ln.origin and {"trim", "substitute", "attribute"} & set(ln.edits):
                edited[ln.origin] = a.text[ln.start : ln.end]
    both = [o for o in edited if o in plain]
    assert both and all(edited[o] != plain[o] for o in both)


def test_edit_functions():
    rng = random.Random(0)
    assert corpus.drop_apostrophes("Ukraine’s army and Russia's") == "Ukraines army and Russias"
    assert corpus.quote_style("“Yes,” he said.", straight=True) == '"Yes," he said.'
    out = corpus._edit_attribute('"We will rebuild the city," the mayor said.', rng)
    assert out == 'The mayor said: "We will rebuild the city."'
    trimmed = corpus._edit_trim(
        "The fire started on Monday night, officials believe, and spread fast.", rng
    )
    assert trimmed and len(trimmed) < 70 and trimmed.endswith(".")


def test_bcubed_and_pairs():
    assert bcubed({"a": 1, "b": 1, "c": 2}, {"a": "x", "b": "x", "c": "y"})[2] == 1.0
    p, r, _ = bcubed({"a": 1, "b": 1, "c": 2}, {"a": "x", "b": "x", "c": "x"})
    assert r == 1.0 and p < 1.0
    t = {
        "a": corpus.CorpusArticle(
            "a",
            "",
            "s",
            "o",
            [corpus.TruthLine(0, 5, "o1", None), corpus.TruthLine(6, 9, None, "copyright")],
        ),
        "b": corpus.CorpusArticle(
            "b",
            "",
            "s",
            "o",
            [corpus.TruthLine(0, 5, "o1", None), corpus.TruthLine(6, 9, "o2", None)],
        ),
    }
    perfect = {
        "a": Prediction("c", [(0, 5, "f", False), (6, 9, None, True)]),
        "b": Prediction("c", [(0, 5, "f", False), (6, 9, None, False)]),
    }
    s = score(t, perfect)
    assert (s.family_p, s.family_r, s.boiler_p, s.boiler_r, s.cluster_f1) == (
        1.0,
        1.0,
        1.0,
        1.0,
        1.0,
    )
    wrong = {
        "a": Prediction("c", [(0, 5, None, False), (6, 9, None, False)]),
        "b": Prediction("d", [(0, 5, "f", True), (6, 9, "f", False)]),
    }
    s = score(t, wrong)
    assert s.family_r == 0.0 and s.boiler_r == 0.0 and s.boiler_p == 0.0 and s.cluster_f1 < 1.0


def test_quick_run_prints_table(missing):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--data", str(missing)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        env=env,
        timeout=600,  # three tool runs, each stopped by the bench itself after 150 s
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "FALLBACK" in out
    header = next(line for line in out.splitlines() if line.startswith("articles"))
    for col in ("time s", "peak MB", "story F1", "fam P", "fam R", "boil P", "boil R"):
        assert col in header
    rows = [
        line.split()
        for line in out.splitlines()
        if line.startswith("30 ") and "articles:" not in line
    ]
    assert {r[1] for r in rows} == {"wirediff", "difflib", "minhash"}
    for r in rows:
        assert "timeout" not in r and "failed:" not in r, r


def test_memory_sampling_only_when_asked(missing, tmp_path, monkeypatch, capsys):
    """Sampling the process tree's memory costs CPU, so the timed run does not sample; the
    ``--memory`` run does (``python -m bench`` takes its time from the first, its peak from
    the second)."""
    import json

    from bench import run

    c = corpus.generate(30, seed=5, data_dir=missing)
    folder = tmp_path / "n30"
    corpus.write(c, folder)
    calls = []
    real = run.TreeMemory.sample
    monkeypatch.setattr(run.TreeMemory, "sample", lambda self: (calls.append(1), real(self)))
    assert run.main(["wirediff", str(folder)]) == 0
    timed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert calls == [] and timed["seconds"] > 0 and timed["peak_mb"] > 0
    assert run.main(["wirediff", str(folder), "--memory"]) == 0
    sampled = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert calls and sampled["peak_mb"] > 0
    assert sampled["scores"] == timed["scores"]


def test_repeat_reports_the_median_and_every_run(missing):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--quick",
            "--data",
            str(missing),
            "--tools",
            "wirediff",
            "--repeat",
            "3",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    (spread,) = [
        line
        for line in proc.stdout.splitlines()
        if line.startswith("30 articles:") and "timed runs" in line
    ]
    assert spread.startswith("30 articles: wirediff 3 timed runs")
    times = [float(t) for t in spread.split(": ")[-1].split(", ")]
    assert len(times) == 3 and times == sorted(times)
    (row,) = [
        line.split()
        for line in proc.stdout.splitlines()
        if line.startswith("30 ") and "wirediff" in line and "articles:" not in line
    ]
    assert abs(float(row[2]) - times[1]) < 0.051  # the table shows the median (to 0.1 s)
