"""Measure the analysis cache and check that faster paths give identical results.

    python scripts/bench_cache.py                    # cold / warm / +100 incremental at 1k, 5k, 10k
    python scripts/bench_cache.py --sizes 1000
    python scripts/bench_cache.py --corpus /tmp/w/c10000/articles   # an existing corpus (read only:
                                                          # copied once for the +100 and touch runs)
    python scripts/bench_cache.py list PATH [--home H]    # the app on PATH (Pilot): start to stories
                                                          # list with rows, and to the full analysis
    python scripts/bench_cache.py dump OUT.json PATH...   # canonical dump of an analysis
    python scripts/bench_cache.py check [--ref REV]       # seeds, ECB+, a 2k bench corpus: today's
                                                          # pipeline.py vs the one at REV, same stages

Corpora come from ``bench.corpus`` (written once under --work, default /tmp/wirediff-bench-cache).
Times are wall-clock seconds in a fresh process per measurement (Python's bytecode cache allowed
even where PYTHONDONTWRITEBYTECODE is set: an installed app has its modules compiled), with a
private WIREDIFF_HOME:
cold/warm/+100/touch from the process's start to the analysis returned (imports included), the
way the app and the CLI load (``write_behind``: a forked child writes the cache meanwhile; the
"(written)" columns are when it was done).
"list" columns: the real app under the Pilot (``App.run_test``) in a fresh process; "import" is
the process start to ``tui.app`` imported, "list" from the app's start to the stories table
holding its rows and the Pilot's next idle pause (the worker building the analysis competes for
that pause, so this overstates), "painted" (warm cache only) to the refresh after the listed rows
were set, "full" to the whole analysis built (what opening a story needs).  CPU is the process's
CPU time (import included) at those points.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tui.core.memo import RACY_NS  # noqa: E402
ECB = REPO.parent / "shared" / "data" / "ecbplus-dev" / "articles"


def canonical(analysis) -> dict:
    """Everything a view can show, in plain lists: sentences, families, stories."""
    return {
        "articles": [
            [
                a.id,
                a.path,
                a.digest,
                a.outlet,
                a.outlet_cue,
                a.title,
                a.published,
                a.url,
                [[s.id, s.start, s.end, s.line, s.role, s.kind, s.family] for s in a.sentences],
            ]
            for a in analysis.articles
        ],
        "families": [
            [f.id, f.kind, f.first, f.score, [[m.sentence, list(map(list, m.shared)), list(map(list, m.differs))] for m in f.members]]
            for f in analysis.families
        ],
        "stories": [[st.id, st.title, list(st.articles)] for st in analysis.stories],
        "skipped": [[s.path, s.reason] for s in analysis.skipped],
    }


def reference_pipeline(ref: str):
    """The pipeline module as it was at git ``ref``, run against today's stages."""
    import importlib.util
    import tempfile

    src = subprocess.run(["git", "-C", str(REPO), "show", f"{ref}:tui/core/pipeline.py"], capture_output=True, text=True, check=True).stdout
    tmp = Path(tempfile.mkdtemp()) / "pipeline_ref.py"
    tmp.write_text(src, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("tui.core._pipeline_ref", tmp)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def dump(out: Path, paths: list[str], ref: str | None = None) -> str:
    if ref:
        analyze = reference_pipeline(ref).analyze
    else:
        from tui.core.pipeline import analyze

    data = json.dumps(canonical(analyze(paths)), sort_keys=True)
    out.write_text(data, encoding="utf-8")
    return hashlib.sha256(data.encode()).hexdigest()[:16]


def corpus_dir(work: Path, n: int) -> Path:
    d = work / f"c{n}"
    if not (d / ".done").exists():
        from bench import corpus

        shutil.rmtree(d, ignore_errors=True)
        corpus.write(corpus.generate(n, seed=0), d)
        (d / ".done").write_text("ok")
    return d


def check(work: Path, rev: str) -> int:
    sets = {"seeds": [str(REPO / "seeds")], "bench2k": [str(corpus_dir(work, 2000))]}
    if ECB.is_dir():
        sets["ecbplus"] = [str(ECB)]
    bad = 0
    for name, paths in sets.items():
        new = work / f"dump-{name}.new.json"
        ref, ref_rev = work / f"dump-{name}.ref.json", rev
        digest = dump(new, paths)
        dump(ref, paths, ref_rev)
        if ref.read_bytes() == new.read_bytes():
            print(f"{name:8} {digest} identical")
        else:
            bad += 1
            a, b = json.loads(ref.read_text()), json.loads(new.read_text())
            for part in a:
                if a[part] != b[part]:
                    diffs = [i for i, (x, y) in enumerate(zip(a[part], b[part])) if x != y]
                    print(f"{name:8} DIFFERENT {part}: {len(a[part])} vs {len(b[part])}, first differing {diffs[:5]}")
    return 1 if bad else 0


# ---------------------------------------------------------------------------- timing
_CHILD = r"""
import sys, time, json
t0 = time.perf_counter()
from tui.cache import load_analysis, wait_for_writes
a, notes = load_analysis(sys.argv[1:], write_behind=True)  # as the app and the CLI do
t1 = time.perf_counter()
n = len(a.stories)  # what the stories list needs
wait_for_writes()  # the child writing the cache (the next measurement must find it)
t2 = time.perf_counter()
print(json.dumps({"load": t1 - t0, "written": t2 - t0, "stories": n, "articles": len(a.articles), "notes": notes}))
"""


_LIST_CHILD = r"""
import asyncio, json, os, sys, time
t0 = time.perf_counter()
os.environ["TEXTUAL_ANIMATIONS"] = "none"
from tui.app import WirediffApp
from tui.config import Config
from tui.widgets.line_table import LineTable
t_import = time.perf_counter() - t0
cpu_import = time.process_time()

async def main():
    app = WirediffApp(sys.argv[1:], config=Config())
    painted = {}
    event = app._list_painted  # set after the refresh that painted the listed rows
    set_event = event.set

    def mark():
        painted.setdefault("t", time.perf_counter())
        painted.setdefault("cpu", time.process_time())
        set_event()

    event.set = mark
    t = time.perf_counter()
    out = {"import": t_import, "cpu_import": cpu_import}
    async with app.run_test(size=(120, 40)) as pilot:
        while True:
            try:
                table = app.stories_screen.query_one("#stories", LineTable)
            except Exception:
                table = None
            if table is not None and table.row_count and table.display:
                break
            await asyncio.sleep(0.002)
        await pilot.pause()  # the frame with the rows
        out["list"] = time.perf_counter() - t
        out["cpu_list"] = time.process_time()
        out["rows"] = table.row_count
        out["analysis_at_list"] = app.analysis is not None
        out["painted"] = painted["t"] - t if painted else None  # the frame after the rows were set
        out["cpu_painted"] = painted.get("cpu")
        await app.workers.wait_for_complete()
        await pilot.pause()
        out["full"] = time.perf_counter() - t
    print(json.dumps(out))

asyncio.run(main())
"""


def timed_open(home: Path, paths: list[str], child: str = _CHILD) -> dict:
    env = dict(os.environ, WIREDIFF_HOME=str(home), PYTHONPATH=str(REPO))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # (compiled once and cached, as an installed app is)
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", child, *paths], env=env, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t
    info = json.loads(out.stdout.strip().splitlines()[-1])
    info["wall"] = wall
    return info


def timed_list(home: Path, paths: list[str]) -> dict:
    return timed_open(home, paths, _LIST_CHILD)


def bench(work: Path, sizes: list[int], corpus: Path | None = None) -> None:
    print(
        f"{'size':>6} {'cold':>7} {'(written)':>8} {'warm':>7} {'list':>7} {'(import':>7} {'cpu':>5} {'full)':>6}"
        f" {'+100':>7} {'(written)':>8} {'touch':>7}   (seconds, wall, fresh process each)"
    )
    extra = corpus_dir(work, 20000 if max(sizes) > 10000 else 10100)
    for n in sizes:
        home = work / f"home-{n}"
        shutil.rmtree(home, ignore_errors=True)
        src = corpus if corpus is not None else corpus_dir(work, n)
        d = work / f"live-{n}"
        shutil.rmtree(d, ignore_errors=True)
        shutil.copytree(src, d, ignore=shutil.ignore_patterns("*.json"))
        # a folder analysed the instant it was written: the cache would not trust its files (one
        # changed within RACY_NS of being read may change again unseen) and every reopen would
        # read them all again; a folder is analysed after it was written
        time.sleep(RACY_NS / 1e9 + 0.1)
        cold = timed_open(home, [str(d)])
        warm = timed_open(home, [str(d)])
        lst = timed_list(home, [str(d)])
        # +100 new articles (from a different corpus, so they are new stories and additions to old ones)
        names = sorted(p.name for p in extra.iterdir() if p.suffix == ".txt")[-100:]
        for nm in names:
            shutil.copy(extra / nm, d / f"new_{nm}")
        inc = timed_open(home, [str(d)])
        # a touched file (same content, new mtime): must still be served without re-analysis
        f = next(p for p in sorted(d.iterdir()) if p.suffix == ".txt")
        os.utime(f)
        touch = timed_open(home, [str(d)])
        print(
            f"{cold['articles']:>6} {cold['load']:7.2f} {cold['written']:8.2f} {warm['load']:7.2f} {lst['list']:7.2f}"
            f" {lst['import']:7.2f} {lst['cpu_list']:5.2f} {lst['full']:6.2f} {inc['load']:7.2f} {inc['written']:8.2f}"
            f" {touch['load']:7.2f}   stories {cold['stories']} -> {inc['stories']}",
            flush=True,
        )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("command", nargs="?", default="bench", choices=("bench", "dump", "check", "list"))
    ap.add_argument("rest", nargs="*")
    ap.add_argument("--sizes", default="1000,5000,10000")
    ap.add_argument("--work", default="/tmp/wirediff-bench-cache")
    ap.add_argument("--corpus", type=Path, help="bench: this folder of articles instead of generated ones (copied)")
    ap.add_argument("--home", type=Path, help="list: the WIREDIFF_HOME to use (default: under --work)")
    ap.add_argument("--repeat", type=int, default=1, help="list: runs")
    ap.add_argument("--ref", default="d8672f2", help="check: git revision of the reference pipeline.py")
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    if args.command == "dump":
        print(dump(Path(args.rest[0]), args.rest[1:]))
        return 0
    if args.command == "check":
        return check(work, args.ref)
    if args.command == "list":
        home = args.home or work / "home-list"
        for _ in range(args.repeat):
            info = timed_list(home, args.rest)
            if info["painted"] is not None:
                print(f"painted {info['painted']:.2f}s (process CPU {info['cpu_painted']:.2f}s)", end=", ")
            print(
                f"list {info['list']:.2f}s (rows {info['rows']}, analysis ready: {info['analysis_at_list']}), "
                f"full {info['full']:.2f}s, import {info['import']:.2f}s, process CPU at import {info['cpu_import']:.2f}s, "
                f"at list {info['cpu_list']:.2f}s, "
                f"process wall {info['wall']:.2f}s",
                flush=True,
            )
        return 0
    bench(work, [int(x) for x in args.sizes.split(",")], args.corpus)
    return 0


if __name__ == "__main__":
    sys.exit(main())
