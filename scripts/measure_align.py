"""CPU of the per-story stage and of ``tui.core.align.align`` on a corpus' real stories (issue 4).

The corpus is read, prepared and clustered once with the pipeline's own functions (not timed;
``--capture FILE`` keeps that work in a pickle for the next run), then, single-process:

* ``story``  ``pipeline._story(docs, group, rep_of)`` for every story (align + in-context labels);
* ``align``  ``align.align(inputs)`` alone, on the inputs ``pipeline._align_story`` builds.

Each is run ``--repeat`` times, interleaved; the best and the median CPU seconds
(``time.process_time``) are printed, with a digest of align's output so that two versions of the
code can be checked for identical families on the same stories.

    /work/venv/bin/python scripts/measure_align.py /tmp/w/c10000/articles [--limit 2000]
        [--capture /tmp/me/c10k.pickle] [--repeat 3] [--only align|story]
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import pickle
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("WIREDIFF_WORKERS", "1")  # single process: CPU is measured here, not in workers

from tui.core import pipeline
from tui.core.align import AlignInput, align


def capture(corpus: Path, limit: int | None):
    files = sorted(p for p in corpus.iterdir() if p.is_file())
    if limit:
        files = files[:limit]
    sources, _ = pipeline.read_files(files)
    memo = pipeline.Memo()
    docs = pipeline._prepare_all(sources, memo)
    groups, _ = pipeline._stories_of(docs, memo, None)
    story_of = {i: si for si, g in enumerate(groups) for i in g}
    rep_of: dict[int, list[int]] = defaultdict(list)
    for di, j in sorted(pipeline._repeated_lines(docs, story_of)):
        rep_of[di].append(j)
    return docs, groups, dict(rep_of)


def align_inputs(docs, group) -> list[AlignInput]:
    """The inputs ``pipeline._align_story`` gives ``align`` for one story (caught on the way)."""
    got: list[list[AlignInput]] = []
    real = pipeline.align
    pipeline.align = lambda inputs: got.append(list(inputs)) or []
    try:
        pipeline._align_story(docs, group)
    finally:
        pipeline.align = real
    return got[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--limit", type=int, default=None, help="first N files only")
    ap.add_argument("--capture", type=Path, default=None, help="pickle of the prepared, clustered corpus")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", choices=["align", "story"], default=None)
    args = ap.parse_args()
    sys.setrecursionlimit(10000)
    if args.capture and args.capture.exists():
        docs, groups, rep_of = pickle.loads(args.capture.read_bytes())
    else:
        docs, groups, rep_of = capture(args.corpus, args.limit)
        if args.capture:
            args.capture.write_bytes(pickle.dumps((docs, groups, rep_of), protocol=pickle.HIGHEST_PROTOCOL))
    inputs = [align_inputs(docs, g) for g in groups]
    print(
        f"{len(docs)} articles, {len(groups)} stories ({sum(len(g) > 1 for g in groups)} with > 1 article), "
        f"{sum(map(len, inputs))} body sentences aligned"
    )
    gc.disable()  # as in the pipeline
    times: dict[str, list[float]] = {"align": [], "story": []}
    digest = ""
    for _ in range(args.repeat):
        if args.only != "story":
            t = time.process_time()
            outs = [align(x) for x in inputs]
            times["align"].append(time.process_time() - t)
            h = hashlib.sha256(repr(outs).encode()).hexdigest()[:16]
            if digest and h != digest:
                raise SystemExit("align output changed between runs")
            digest = h
            del outs
        if args.only != "align":
            t = time.process_time()
            for g in groups:
                pipeline._story(docs, g, rep_of)
            times["story"].append(time.process_time() - t)
    for name, ts in times.items():
        if ts:
            print(f"{name:6s} CPU s: best {min(ts):.3f}  median {statistics.median(ts):.3f}  runs {' '.join(f'{t:.3f}' for t in ts)}")
    if digest:
        print(f"align output digest {digest}")


if __name__ == "__main__":
    main()
