"""One tool on one corpus folder, in a fresh process: ``python -m bench.run TOOL FOLDER``.

Prints one JSON line: time (cold: reading the files included), peak RSS
(``ru_maxrss``, taken before the answer is scored) and the scores.  With ``--memory`` (wirediff),
the peak memory of the process and its workers together is sampled meanwhile (``TreeMemory``),
which slows the run: its time is not the one to report (``python -m bench`` times another run).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import sys
import time
from pathlib import Path

from .measure import Prediction


class TreeMemory:
    """Peak memory of this process and its worker processes together, sampled ten times a second.

    ``ru_maxrss`` sees one process; wirediff forks workers, whose pages are partly shared with the
    parent (copy-on-write), so the sum of their RSS would count shared pages twice.  PSS (proportional
    set size, /proc/PID/smaps_rollup) splits shared pages among their sharers: the sum over the
    process tree is the memory the run really holds.  Not available: ``peak_mb`` is 0.

    Reading smaps_rollup makes the kernel walk each process's page tables: at 10k articles a sample
    of the three processes took ~34 ms, and sampling ten times a second added 1-2 s to a 9 s run.
    So a run that samples is not a run that is timed."""

    def __init__(self) -> None:
        import threading

        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "TreeMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.sample()

    def sample(self) -> None:
        total = 0
        todo = [os.getpid()]
        while todo:
            pid = todo.pop()
            try:
                with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
                    for line in f:
                        if line.startswith("Pss:"):
                            total += int(line.split()[1])
                            break
                with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as f:
                    todo.extend(int(c) for c in f.read().split())
            except (OSError, ValueError):
                continue  # a worker that just exited, or no /proc
        self.peak_kb = max(self.peak_kb, total)

    @property
    def peak_mb(self) -> float:
        return self.peak_kb / 1024


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
    ap.add_argument(
        "--memory",
        action="store_true",
        help="wirediff: sample the peak memory of its process tree (slows the run)",
    )
    args = ap.parse_args(argv)
    folder: Path = args.folder
    extrapolated = False
    tree = TreeMemory()
    if args.tool == "wirediff":
        with tree if args.memory else contextlib.nullcontext():
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
    if tree.peak_kb:  # wirediff's workers included (the peers run in one process)
        peak_mb = max(peak_mb, tree.peak_mb)

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
