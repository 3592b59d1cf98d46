"""One tool on one corpus folder, in a fresh process: ``python -m bench.run TOOL FOLDER``.

Prints one JSON line: time (cold: reading the files included), peak RSS
(``ru_maxrss``, taken before the answer is scored) and the scores.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

from .measure import Prediction


def run_wirediff(folder: Path) -> tuple[dict[str, Prediction], float, str]:
    from tui.core.pipeline import analyze

    t0 = time.perf_counter()
    analysis = analyze([folder])
    seconds = time.perf_counter() - t0
    story_of = analysis.story_of_article
    preds = {}
    for a in analysis.articles:
        preds[os.path.basename(a.path)] = Prediction(
            story_of.get(a.id),
            [(s.start, s.end, s.family, s.role == "boilerplate") for s in a.sentences],
        )
    note = f"{len(analysis.stories)} stories, {len(analysis.families)} families"
    return preds, seconds, note


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.run")
    ap.add_argument("tool", choices=("wirediff", "difflib", "minhash"))
    ap.add_argument("folder", type=Path)
    ap.add_argument(
        "--budget", type=float, default=60.0, help="difflib: seconds before extrapolating"
    )
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    folder: Path = args.folder
    extrapolated = False
    if args.tool == "wirediff":
        preds, seconds, note = run_wirediff(folder)
    else:
        from . import peers

        stories = json.loads(
            (folder.parent / f"{folder.name}.stories.json").read_text(encoding="utf-8")
        )
        if args.tool == "difflib":
            res = peers.run_difflib(folder, stories, budget=args.budget, seed=args.seed)
        else:
            res = peers.run_minhash(folder, stories)
        preds, seconds, note, extrapolated = (
            res.predictions,
            res.seconds,
            res.note,
            res.extrapolated,
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    from .corpus import read_truth
    from .measure import score

    truth = read_truth(folder.parent / f"{folder.name}.truth.json")
    scores = score(truth, preds)
    print(
        json.dumps(
            {
                "tool": args.tool,
                "seconds": seconds,
                "peak_mb": peak_mb,
                "extrapolated": extrapolated,
                "note": note,
                "scores": scores.as_dict(),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
