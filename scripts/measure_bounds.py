"""Hostile corpora: time and peak memory of a full analysis (not a test; issue 5).

Cases (each run in a fresh subprocess so that peak RSS belongs to it alone):

* ``repeat1``  one article holding one sentence repeated N times;
* ``repeat2``  two articles, each holding the same sentence N/2 times;
* ``near``     N near-identical articles: one real article (a seed) copied N times, each copy
               with a few words substituted, inserted or dropped in a few sentences;
* ``near1``    the same, analysed as one story (``one_story=True``): one alignment of them all.

A case is linear when doubling N roughly doubles the time; the counters of ``tui.core.align``
(pairwise decisions, merge checks, flag comparisons) are printed too: they must grow linearly.

    /work/venv/bin/python scripts/measure_bounds.py [--cases repeat1,repeat2,near]
        [--sizes 12500,25000,50000,100000] [--near-sizes 1250,2500,5000,10000]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_2a02b51f223285e3.txt"
SENTENCE = "The ministry said the talks would resume on Monday after a short pause in the capital."


def repeat_texts(n: int, docs: int) -> list[tuple[str, str]]:
    per = n // docs
    return [(f"r{d}.txt", "\n".join([SENTENCE] * per) + "\n") for d in range(docs)]


def near_texts(n: int, seed: int = 0) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    lines = [ln for ln in SEED.read_text(encoding="utf-8").splitlines() if ln.strip()]
    vocab = sorted({w for ln in lines for w in ln.split() if w.isalpha()})
    out = []
    for i in range(n):
        copy = list(lines)
        for _ in range(3):
            k = rng.randrange(1, len(copy))
            ws = copy[k].split()
            p = rng.randrange(len(ws))
            op = rng.random()
            if op < 0.5:
                ws[p] = rng.choice(vocab)
            elif op < 0.8:
                ws.insert(p, rng.choice(vocab))
            elif len(ws) > 6:
                del ws[p]
            copy[k] = " ".join(ws)
        out.append((f"n{i:05d}.txt", "\n".join(copy) + "\n"))
    return out


def run_one(case: str, n: int) -> dict:
    from tui.core import align as align_mod
    from tui.core.pipeline import analyze_texts

    texts = (
        repeat_texts(n, 1) if case == "repeat1" else repeat_texts(n, 2) if case == "repeat2" else near_texts(n)
    )
    one_story = case == "near1"
    align_mod.COUNTERS.clear()
    t0 = time.perf_counter()
    c0 = time.process_time()
    a = analyze_texts(texts, one_story=one_story)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    return {
        "case": case,
        "n": n,
        "sentences": sum(len(x.sentences) for x in a.articles),
        "stories": len(a.stories),
        "families": len(a.families),
        "largest_family": max((len(f.members) for f in a.families), default=0),
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "counters": dict(align_mod.COUNTERS),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", default="repeat1,repeat2,near")
    ap.add_argument("--sizes", default="12500,25000,50000,100000")
    ap.add_argument("--near-sizes", default="1250,2500,5000,10000")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one[0], int(args.one[1]))))
        return
    for case in args.cases.split(","):
        sizes = args.near_sizes if case.startswith("near") else args.sizes
        for n in map(int, sizes.split(",")):
            try:
                p = subprocess.run(
                    [sys.executable, __file__, "--one", case, str(n)],
                    capture_output=True,
                    text=True,
                    timeout=args.timeout,
                    cwd=ROOT,
                )
            except subprocess.TimeoutExpired:
                print(json.dumps({"case": case, "n": n, "timeout_s": args.timeout}), flush=True)
                break
            print(p.stdout.strip() or p.stderr.strip()[-2000:], flush=True)


if __name__ == "__main__":
    main()
