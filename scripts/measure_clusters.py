"""Measure story clustering on ECB+ (B-cubed precision, recall, F1, number of clusters).

    python scripts/measure_clusters.py [DATA_DIR] [--sweep] [--no-pipeline] [--subsets]
    python scripts/measure_clusters.py --bench 1000,5000,10000 [--near-copies N]

DATA_DIR defaults to /work/shared/data/ecbplus-dev (articles/ + gold.json).  Documents are built
the way the pipeline builds them (``parse_header`` drops the URL, title and date lines; body
words from ``text.words``); ``--sweep`` prints F1 across thresholds (look for a flat region),
``--subsets`` measures random small folders (2–40 articles) to check small-folder behaviour,
and unless ``--no-pipeline`` the whole ``pipeline.analyze`` is run too and its stories scored.

``--bench SIZES`` scores ``cluster`` alone on the benchmark corpus (``bench/corpus.py``, seed 0)
at each size: the documents are built the way the pipeline builds them and cached under
/tmp/wirediff-cluster-bench so that re-runs time only the clustering (CPU seconds, peak
traced memory).  ``--near-copies N`` clusters N copies of one article with a word changed in each.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

from tui.core import cluster as cl
from tui.core.ingest import parse_header
from tui.core.text import words

DEFAULT = Path("/work/shared/data/ecbplus-dev")


def bcubed(groups: list[list[int]], gold: list[str]) -> tuple[float, float, float]:
    label = {i: gi for gi, g in enumerate(groups) for i in g}
    by_gold: dict[str, int] = defaultdict(int)
    for g in gold:
        by_gold[g] += 1
    p = r = 0.0
    for g in groups:
        counts: dict[str, int] = defaultdict(int)
        for i in g:
            counts[gold[i]] += 1
        for i in g:
            c = counts[gold[i]]
            p += c / len(g)
            r += c / by_gold[gold[i]]
    n = len(gold)
    assert len(label) == n, "every document must be in exactly one group"
    p, r = p / n, r / n
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def load(folder: Path) -> tuple[list[Path], list[cl.ClusterDoc], list[str]]:
    gold_map = json.loads((folder / "gold.json").read_text())
    files = sorted((folder / "articles").glob("*.txt"))
    docs = []
    for f in files:
        raw = f.read_text(encoding="utf-8")
        h = parse_header(raw)
        skip = {h.title_line, h.date_line, h.url_line}
        body = [ln for no, ln in enumerate(raw.splitlines(), 1) if no not in skip and ln.strip()]
        docs.append(
            cl.ClusterDoc(
                h.title,
                [w for ln in body for w in words(ln)],
                h.published,
                [w for ln in body for w in cl.salient_words(ln)],
            )
        )
    return files, docs, [gold_map[f.name] for f in files]


def report(name: str, groups: list[list[int]], gold: list[str], seconds: float | None = None) -> float:
    p, r, f = bcubed(groups, gold)
    t = f"  {seconds:.2f}s" if seconds is not None else ""
    print(f"{name:34s} P={p:.3f} R={r:.3f} F1={f:.3f} clusters={len(groups)} (gold {len(set(gold))}){t}")
    return f


BENCH_CACHE = Path("/tmp/wirediff-cluster-bench")


def bench_docs(n: int) -> tuple[list[cl.ClusterDoc], list[str]]:
    """The benchmark corpus of ``n`` articles as the pipeline hands it to ``cluster``."""
    import pickle

    cache = BENCH_CACHE / f"docs-{n}.pickle"
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import hashlib

    from bench import corpus as corpus_mod
    from tui.core import pipeline as pl
    from tui.core.ingest import Source

    c = corpus_mod.generate(n, seed=0)
    sources = [
        Source(a.name, a.text, hashlib.sha256(a.text.encode("utf-8", "surrogatepass")).hexdigest(), "utf-8")
        for a in c.articles
    ]
    prepared = pl._prepare_all(sources, pl.Memo())
    docs = [
        cl.ClusterDoc(
            d.header.title,
            [w for lab, seg in zip(d.labels, d.norms) if lab.role == "body" for w in seg.split()],
            d.header.published,
            d.salient,
        )
        for d in prepared
    ]
    gold = [a.story for a in c.articles]
    BENCH_CACHE.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps((docs, gold)))
    return docs, gold


def bench(sizes: str | None, near_copies: int) -> int:
    import tracemalloc

    for n in [int(x.replace("k", "000")) for x in (sizes or "").split(",") if x.strip()]:
        docs, gold = bench_docs(n)
        t0 = time.process_time()
        groups = cl.cluster(docs)
        cpu = time.process_time() - t0
        tracemalloc.start()
        cl.cluster(docs)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        report(f"bench {n}", groups, gold, cpu)
        print(f"{'':34s} peak traced {peak:.0f} MB")
    if near_copies:
        docs, _ = bench_docs(1000)
        base = max(docs, key=lambda d: len(d.words))
        copies = []
        for k in range(near_copies):
            w = list(base.words)
            w[k % len(w)] = f"edit{k}"
            copies.append(cl.ClusterDoc(base.title, w, base.published, base.salient))
        t0 = time.process_time()
        groups = cl.cluster(copies)
        print(f"{near_copies} near-copies -> {len(groups)} groups ({time.process_time() - t0:.2f}s CPU)")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("data", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--sweep", action="store_true")
    ap.add_argument("--subsets", action="store_true")
    ap.add_argument("--no-pipeline", action="store_true")
    ap.add_argument("--bench", type=str, default=None, help="bench corpus sizes, e.g. 1000,5000")
    ap.add_argument("--near-copies", type=int, default=0)
    a = ap.parse_args()
    if a.bench or a.near_copies:
        return bench(a.bench, a.near_copies)
    files, docs, gold = load(a.data)

    t0 = time.perf_counter()
    groups = cl.cluster(docs)
    report("words + salient", groups, gold, time.perf_counter() - t0)
    plain = [cl.ClusterDoc(d.title, d.words, d.published) for d in docs]
    report("words only (no salient)", cl.cluster(plain), gold)
    undated = [cl.ClusterDoc(d.title, d.words, None, d.salient) for d in docs]
    report("words + salient, no dates", cl.cluster(undated), gold)
    rev = list(reversed(docs))
    g_rev = [sorted(len(docs) - 1 - i for i in g) for g in cl.cluster(rev)]
    print("order independent:", sorted(g_rev) == sorted(groups))

    if a.sweep:
        keep = cl._THRESHOLD
        for t in [0.12, 0.14, 0.16, 0.18, 0.20, 0.22, 0.24, 0.26, 0.28, 0.30, 0.33, 0.36, 0.40]:
            cl._THRESHOLD = t
            report(f"  threshold {t:.2f}", cl.cluster(docs), gold)
        cl._THRESHOLD = keep

    if a.subsets:
        rng = random.Random(7)
        for size in (2, 3, 5, 10, 20, 40):
            fs = []
            pair_ok = pair_n = 0
            for _ in range(200 if size <= 5 else 40):
                idx = sorted(rng.sample(range(len(docs)), size))
                if size == 2 and rng.random() < 0.5:  # half the pairs from one story
                    i = idx[0]
                    same = [j for j in range(len(docs)) if gold[j] == gold[i] and j != i]
                    idx = sorted([i, rng.choice(same)])
                sub_groups = cl.cluster([docs[i] for i in idx])
                sub_gold = [gold[i] for i in idx]
                fs.append(bcubed(sub_groups, sub_gold)[2])
                if size == 2:
                    pair_n += 1
                    pair_ok += (len(sub_groups) == 1) == (sub_gold[0] == sub_gold[1])
            extra = f" pairs decided right {pair_ok}/{pair_n}" if size == 2 else ""
            print(f"random folders of {size:2d}: mean F1={sum(fs) / len(fs):.3f}{extra}")

    if not a.no_pipeline:
        from tui.core.pipeline import analyze

        t0 = time.perf_counter()
        an = analyze([a.data / "articles"])
        secs = time.perf_counter() - t0
        pos = {str(f): i for i, f in enumerate(files)}
        pg = [sorted(pos[an.article(aid).path] for aid in st.articles) for st in an.stories]
        report("pipeline.analyze stories", pg, gold, secs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
