"""Measure the pairwise matcher (tui.core.align.match) on human-judged sentence pairs.

Reads /work/shared/data/msrp-train/pairs.jsonl (or the file given as the first argument):
one JSON object per line with s1, s2 and label (1 = same statement).  Prints precision and
recall of ``match(a, b) is not None`` against the label, per kind, on the even lines (used
for tuning) and the odd lines (held out), and optionally a sample of errors.

    python scripts/measure_matching.py [pairs.jsonl] [--errors N]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import Counter

from tui.core.align import match

DEFAULT = "/work/shared/data/msrp-train/pairs.jsonl"


def report(name: str, rows: list[tuple[int, str | None]]) -> None:
    pos = sum(1 for y, _ in rows if y == 1)
    pred = [(y, k) for y, k in rows if k is not None]
    tp = sum(1 for y, _ in pred if y == 1)
    p = tp / len(pred) if pred else 0.0
    r = tp / pos if pos else 0.0
    print(
        f"{name:6} pairs={len(rows):5d} predicted={len(pred):5d} precision={p:.3f} recall={r:.3f}"
    )
    per = Counter(k for _, k in pred)
    for kind in ("verbatim", "edited", "quote"):
        n = per.get(kind, 0)
        if n:
            ok = sum(1 for y, k in pred if k == kind and y == 1)
            print(f"         {kind:8} predicted={n:5d} precision={ok / n:.3f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("pairs", nargs="?", default=DEFAULT)
    ap.add_argument(
        "--errors", type=int, default=0, help="print this many false positives and negatives"
    )
    args = ap.parse_args()
    data = [json.loads(line) for line in open(args.pairs, encoding="utf-8") if line.strip()]
    t0 = time.perf_counter()
    kinds = [match(d["s1"], d["s2"]) for d in data]
    dt = time.perf_counter() - t0
    rows = [(d["label"], k) for d, k in zip(data, kinds)]
    report("even", rows[0::2])
    report("odd", rows[1::2])
    report("all", rows)
    print(f"{len(data) / dt:,.0f} pairs/s")
    if args.errors:
        rng = random.Random(0)
        fps = [(d, k) for d, k in zip(data, kinds) if k and d["label"] == 0]
        fns = [(d, k) for d, k in zip(data, kinds) if not k and d["label"] == 1]
        for title, errs in (("false positives", fps), ("false negatives", fns)):
            print(f"\n--- {title} ({len(errs)}) ---")
            for d, k in rng.sample(errs, min(args.errors, len(errs))):
                print(f"[{k}]\n  A {d['s1']}\n  B {d['s2']}")


if __name__ == "__main__":
    main()
