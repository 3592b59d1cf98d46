"""Wall and CPU time of each pipeline stage on a folder (cold, no cache).

    python scripts/phases.py FOLDER

Prints, per stage, the wall time, the main process's CPU and the worker processes' CPU (the
stages: read, segment = per-article preparation, cluster, align = the per-story stage, assemble).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tui.core import pipeline


def main() -> int:
    def cpu() -> tuple[float, float]:
        t = os.times()
        return t.user + t.system, t.children_user + t.children_system

    t0 = time.perf_counter()
    c0 = cpu()
    marks: dict[str, tuple[float, tuple[float, float]]] = {}

    def progress(stage: str, i: int, n: int) -> None:
        if i == n:
            marks[stage] = (time.perf_counter() - t0, cpu())

    analysis = pipeline.analyze([sys.argv[1]], progress=progress)
    marks["assemble"] = (time.perf_counter() - t0, cpu())
    prev_wall, prev_main, prev_child = 0.0, c0[0], c0[1]
    for stage, (wall, (main_cpu, child_cpu)) in marks.items():
        print(
            f"{stage:9} wall {wall - prev_wall:6.2f} s   main CPU {main_cpu - prev_main:6.2f} s"
            f"   workers' CPU {child_cpu - prev_child:6.2f} s"
        )
        prev_wall, prev_main, prev_child = wall, main_cpu, child_cpu
    print(f"total     wall {prev_wall:6.2f} s   {len(analysis.articles)} articles, {len(analysis.stories)} stories")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
