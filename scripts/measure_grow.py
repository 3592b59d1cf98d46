"""Measure grown stories (``tui.core.grow``) against stories aligned afresh.

    python scripts/measure_grow.py [--bench DIR] [--ecb DIR] [--add N] [--seed S] [--work DIR]

For each corpus (a bench corpus ``DIR/articles`` with ``DIR/articles.truth.json``, made by
``python -m bench``'s generator; ECB+ dev with its real articles) N articles are held out at
random; the rest are analysed through the cache (``load_analysis``, as the app does), then the N
are added and the folder is analysed again twice from that same cache: once with growing
(today's default) and once with every touched story aligned afresh (``GROW_FRACTION`` = -1).
Both runs share the incremental story assignment, so they differ only in alignment.

Printed per corpus:
- agreement: the cross-article sentence pairs the grown families link, against those the fresh
  alignment links (precision = grown pairs also fresh, recall = fresh pairs also grown), and the
  share of sentences whose role (body/boilerplate/...) differs;
- with a ground truth (bench corpora): family P/R and boilerplate P/R of each run
  (``bench.measure.score``);
- the stories grown, and the CPU seconds of each reopen (one process).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

ECB = REPO.parent / "shared" / "data" / "ecbplus-dev" / "articles"


def _families(analysis) -> dict[str, str]:
    """Each family member -> its family, members named apart from article numbering (file name
    and offset)."""
    names = {a.id: os.path.basename(a.path) for a in analysis.articles}
    out: dict[str, str] = {}
    for f in analysis.families:
        for m in f.members:
            aid, _, j = m.sentence.partition(".s")
            start = analysis.article(aid).sentences[int(j)].start
            out[f"{names[aid]}@{start}"] = f.id
    return out


def _cross(c: Counter) -> int:
    """Pairs of members in different articles, from members per article."""
    n = sum(c.values())
    return (n * n - sum(v * v for v in c.values())) // 2


def _agreement(g: dict[str, str], f: dict[str, str]) -> tuple[float, float, int, int]:
    """Cross-article pairs linked by ``g`` also linked by ``f`` (precision) and the converse."""
    gs: dict[str, Counter] = defaultdict(Counter)
    fs: dict[str, Counter] = defaultdict(Counter)
    cells: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for k, fam in g.items():
        art = k.partition("@")[0]
        gs[fam][art] += 1
        if k in f:
            cells[(fam, f[k])][art] += 1
    for k, fam in f.items():
        fs[fam][k.partition("@")[0]] += 1
    gp = sum(map(_cross, gs.values()))
    fp = sum(map(_cross, fs.values()))
    tp = sum(map(_cross, cells.values()))
    return (tp / gp if gp else 1.0), (tp / fp if fp else 1.0), gp, fp


def _roles(analysis) -> dict[str, str]:
    return {f"{os.path.basename(a.path)}@{s.start}": s.role for a in analysis.articles for s in a.sentences}


def _run(home: Path, live: Path, grow: bool):
    os.environ["WIREDIFF_HOME"] = str(home)
    from tui import cache
    from tui.core import pipeline

    keep = pipeline.GROW_FRACTION
    pipeline.GROW_FRACTION = keep if grow else -1.0
    grown: list[int] = []
    real = pipeline._grow_story

    def counting(docs, group, old, res, rep_of):
        grown.append(len(group) - len(old))
        return real(docs, group, old, res, rep_of)

    pipeline._grow_story = counting
    saved = pipeline.WORKERS
    pipeline.WORKERS = 1  # (in this process, so that the CPU time and the count are ours)
    try:
        t = time.process_time()
        analysis, _ = cache.load_analysis([str(live)])
        cpu = time.process_time() - t
    finally:
        pipeline.GROW_FRACTION = keep
        pipeline._grow_story = real
        pipeline.WORKERS = saved
    return analysis, cpu, grown


def measure(name: str, articles: Path, truth_path: Path | None, add: int, seed: int, work: Path) -> None:
    from bench.measure import Prediction, score

    files = sorted(p for p in articles.iterdir() if p.suffix == ".txt")
    rng = random.Random(seed)
    held = set(rng.sample(range(len(files)), min(add, len(files) // 5)))
    root = Path(tempfile.mkdtemp(prefix="grow-", dir=work))
    try:
        live = root / "live"
        live.mkdir()
        for i, f in enumerate(files):
            if i not in held:
                os.symlink(f, live / f.name)
        base_home = root / "home"
        _run(base_home, live, True)  # the folder before: analysed and cached
        for i in sorted(held):
            os.symlink(files[i], live / files[i].name)
        shutil.copytree(base_home, root / "home-warmup")
        _run(root / "home-warmup", live, True)  # (first-use costs in this process, not counted)
        results = {}
        for grow in (True, False):
            home = root / f"home-{grow}"
            shutil.copytree(base_home, home)
            results[grow] = _run(home, live, grow)
        (g, g_cpu, grown), (f, f_cpu, _) = results[True], results[False]
        ap, ar, gp, fp = _agreement(_families(g), _families(f))
        rg, rf = _roles(g), _roles(f)
        differ = sum(rg[k] != rf.get(k) for k in rg)
        print(f"{name}: {len(files)} articles, {len(held)} added; {len(grown)} stories grown (by {sum(grown)} articles)")
        print(
            f"  agreement with fresh alignment: pairs P {ap:.4f} R {ar:.4f}"
            f" ({gp} grown, {fp} fresh); roles differ on {differ} of {len(rg)} sentences"
        )
        print(f"  CPU of the whole reopen, one process: grown {g_cpu:.2f} s, fresh {f_cpu:.2f} s")
        if truth_path is not None:
            from bench.corpus import read_truth

            truth = read_truth(truth_path)
            for label, a in (("grown", g), ("fresh", f)):
                story_of = a.story_of_article
                preds = {
                    os.path.basename(x.path): Prediction(
                        story_of.get(x.id), [(s.start, s.end, s.family, s.role == "boilerplate") for s in x.sentences]
                    )
                    for x in a.articles
                }
                sc = score(truth, preds)
                print(
                    f"  {label}: family P {sc.family_p:.4f} R {sc.family_r:.4f}   boilerplate P {sc.boiler_p:.4f} R {sc.boiler_r:.4f}"
                    f"   story F1 {sc.cluster_f1:.4f}"
                )
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", type=Path, action="append", default=[], help="a bench corpus folder (holds articles/)")
    ap.add_argument("--ecb", type=Path, default=ECB if ECB.exists() else None)
    ap.add_argument("--no-ecb", action="store_true")
    ap.add_argument("--add", type=int, default=100, help="articles held out, then added")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()))
    args = ap.parse_args()
    if args.ecb is not None and not args.no_ecb:
        measure("ECB+ dev", args.ecb, None, max(10, args.add // 4), args.seed, args.work)
    for b in args.bench:
        t = b / "articles.truth.json"
        measure(f"bench {b}", b / "articles", t if t.exists() else None, args.add, args.seed, args.work)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
