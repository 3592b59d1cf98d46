"""``python -m bench``: wirediff against the plain peers on generated corpora.

Each (size, tool) runs in a fresh subprocess (``bench.run``) so that time and peak memory
(``ru_maxrss``) belong to that tool alone; corpus generation is not timed.  wirediff runs twice:
once timed, once with its process tree's memory sampled (the sampling costs CPU: see
``bench.run.TreeMemory``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import corpus as corpus_mod

TOOLS = ("wirediff", "difflib", "minhash")
DEFAULT_SIZES = (1000, 5000, 10000, 20000)
REPO = corpus_mod.REPO


def _sizes(text: str) -> list[int]:
    return [int(x.replace("k", "000")) for x in text.split(",") if x.strip()]


def _prepare(n: int, seed: int, data: Path | None, root: Path) -> tuple[Path, corpus_mod.Corpus]:
    c = corpus_mod.generate(n, seed=seed, data_dir=data)
    folder = root / f"n{n}"
    corpus_mod.write(c, folder)
    stories = {a.name: a.story for a in c.articles}
    (root / f"n{n}.stories.json").write_text(json.dumps(stories), encoding="utf-8")
    return folder, c


def _run(
    tool: str, folder: Path, budget: float, seed: int, timeout: float, repeat: int = 1
) -> dict:
    """The tool's result on ``folder``; for wirediff, the time of a run that does not sample
    memory and the peak memory of one that does.  With ``repeat`` > 1 the timed run is made that
    many times (fresh processes): ``seconds`` is their median, ``runs`` every time."""
    runs = [_run_once(tool, folder, budget, seed, timeout) for _ in range(max(1, repeat))]
    failed = [r for r in runs if "error" in r]
    if failed:
        return failed[0]
    times = sorted(r["seconds"] for r in runs)
    timed = {
        **runs[0],
        "seconds": statistics.median(times),
        "runs": times,
        "peak_mb": max(r["peak_mb"] for r in runs),
    }
    if tool != "wirediff":
        return timed
    sampled = _run_once(tool, folder, budget, seed, timeout, memory=True)
    if "error" in sampled:
        return sampled
    return {**timed, "peak_mb": max(timed["peak_mb"], sampled["peak_mb"])}


def _run_once(
    tool: str, folder: Path, budget: float, seed: int, timeout: float, memory: bool = False
) -> dict:
    cmd = [
        sys.executable,
        "-m",
        "bench.run",
        tool,
        str(folder),
        "--budget",
        str(budget),
        "--seed",
        str(seed),
        *(["--memory"] if memory else []),
    ]
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, cwd=REPO, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        return {"tool": tool, "error": f"timeout after {timeout:.0f}s"}
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {"tool": tool, "error": f"failed: {last[:120]}"}
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["wall"] = time.perf_counter() - t0
    return out


def _fmt_row(cells: list[str], widths: list[int]) -> str:
    return "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))


HEADER = [
    "articles",
    "tool",
    "time s",
    "peak MB",
    "sent/s",
    "story F1",
    "fam P",
    "fam R",
    "boil P",
    "boil R",
]


def table(rows: list[tuple[int, int, dict]]) -> str:
    lines = []
    body = []
    for n, n_sent, r in rows:
        if "error" in r:
            body.append([f"{n:,}", r["tool"], r["error"], "", "", "", "", "", "", ""])
            continue
        s = r["scores"]
        star = "*" if r.get("extrapolated") else ""
        body.append(
            [
                f"{n:,}",
                r["tool"],
                f"{r['seconds']:.1f}{star}",
                f"{r['peak_mb']:.0f}",
                f"{n_sent / r['seconds']:,.0f}{star}" if r["seconds"] > 0 else "-",
                f"{s['cluster_f1']:.3f}" if r["tool"] == "wirediff" else "gold",
                f"{s['family_p']:.3f}",
                f"{s['family_r']:.3f}",
                f"{s['boiler_p']:.3f}",
                f"{s['boiler_r']:.3f}",
            ]
        )
    widths = [max(len(x[i]) for x in body + [HEADER]) for i in range(len(HEADER))]
    lines.append(_fmt_row(HEADER, widths))
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(_fmt_row(b, widths) for b in body)
    return "\n".join(lines)


def ratios(rows: list[tuple[int, int, dict]]) -> list[str]:
    out = []
    by_size: dict[int, dict[str, dict]] = {}
    for n, _, r in rows:
        if "error" not in r:
            by_size.setdefault(n, {})[r["tool"]] = r
    for n, tools in by_size.items():
        w = tools.get("wirediff")
        if not w:
            continue
        parts = []
        for peer in ("difflib", "minhash"):
            if peer in tools:
                p = tools[peer]
                parts.append(
                    f"{peer} time/wirediff {p['seconds'] / w['seconds']:.2f}x{'*' if p.get('extrapolated') else ''}, "
                    f"memory {p['peak_mb'] / w['peak_mb']:.2f}x"
                )
        if parts:
            out.append(f"{n:,} articles: " + "; ".join(parts))
    return out


def spreads(rows: list[tuple[int, int, dict]]) -> list[str]:
    """For tools timed more than once: every run's time, fastest to slowest."""
    out = []
    for n, _, r in rows:
        runs = r.get("runs", [])
        if len(runs) > 1:
            out.append(
                f"{n:,} articles: {r['tool']} {len(runs)} timed runs, {runs[0]:.2f}-{runs[-1]:.2f} s "
                f"(median {r['seconds']:.2f}): " + ", ".join(f"{t:.2f}" for t in runs)
            )
    return out


def profile(n: int, seed: int, data: Path | None, out_dir: Path) -> Path:
    from pyinstrument import Profiler

    from tui.core.pipeline import analyze

    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wirediff-bench-") as tmp:
        folder, c = _prepare(n, seed, data, Path(tmp))
        print(
            f"profiling wirediff on {n:,} articles ({c.n_stories} stories, {c.n_sentences:,} lines)"
        )
        prof = Profiler(interval=0.005)
        prof.start()
        analyze([folder])
        prof.stop()
    html = out_dir / f"profile-{n}.html"
    txt = out_dir / f"profile-{n}.txt"
    html.write_text(prof.output_html(), encoding="utf-8")
    text = prof.output_text(unicode=False, color=False, show_all=False)
    txt.write_text(text, encoding="utf-8")
    print("\n".join(text.splitlines()[:60]))
    print(f"\nwrote {html} and {txt}")
    return txt


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument(
        "--quick",
        action="store_true",
        help="one small corpus (200 articles, 30 on the fallback corpus), for CI",
    )
    ap.add_argument("--sizes", type=_sizes, help="comma-separated corpus sizes, e.g. 1000,5000")
    ap.add_argument(
        "--tools", default=",".join(TOOLS), help="comma-separated subset of " + ",".join(TOOLS)
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--data", type=Path, default=None, help="ECB+ folder (default ../shared/data/ecbplus-dev)"
    )
    ap.add_argument(
        "--budget", type=float, default=None, help="difflib seconds before extrapolating"
    )
    ap.add_argument("--timeout", type=float, default=None, help="seconds per tool run")
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="timed runs per tool and size (fresh processes); the table shows their median",
    )
    ap.add_argument(
        "--profile", action="store_true", help="profile wirediff with pyinstrument instead"
    )
    ap.add_argument("--profile-size", type=int, default=1000)
    ap.add_argument(
        "--out", type=Path, default=Path("bench-out"), help="where --profile and --json write"
    )
    ap.add_argument(
        "--json", action="store_true", help="also write the results to OUT/results.json"
    )
    args = ap.parse_args(argv)

    if args.profile:
        profile(args.profile_size, args.seed, args.data, args.out)
        return 0
    # --quick: 200 articles; 30 on the fallback corpus, whose few sentences make big stories.
    quick_size = 200 if corpus_mod.has_real_data(args.data) else 30
    sizes = args.sizes or ([quick_size] if args.quick else list(DEFAULT_SIZES))
    budget = args.budget if args.budget is not None else (5.0 if args.quick else 60.0)
    # (the quick run's limit only stops a hung tool: on a busy 2-core box a 5 s difflib budget
    # plus interpreter start and imports has taken over 40 s)
    timeout = args.timeout if args.timeout is not None else (150.0 if args.quick else 1800.0)
    tools = [t for t in args.tools.split(",") if t]
    unknown = set(tools) - set(TOOLS)
    if unknown:
        ap.error(f"unknown tools: {', '.join(sorted(unknown))}")

    rows: list[tuple[int, int, dict]] = []
    with tempfile.TemporaryDirectory(prefix="wirediff-bench-") as tmp:
        for n in sizes:
            t0 = time.perf_counter()
            folder, c = _prepare(n, args.seed, args.data, Path(tmp))
            story_sizes = sorted(
                len([1 for a in c.articles if a.story == s]) for s in {a.story for a in c.articles}
            )
            print(
                f"corpus {n:,}: {c.n_stories} stories (articles per story median {story_sizes[len(story_sizes) // 2]}, "
                f"max {story_sizes[-1]}), {c.n_sentences:,} lines, made in {time.perf_counter() - t0:.1f}s",
                flush=True,
            )
            if n == sizes[0]:
                print(f"source: {c.source}", flush=True)
            for tool in tools:
                r = _run(tool, folder, budget, args.seed, timeout, args.repeat)
                rows.append((n, c.n_sentences, r))
                note = r.get("error") or r.get("note", "")
                print(f"  {tool}: {note}", flush=True)
    print()
    print(table(rows))
    print()
    for line in ratios(rows):
        print(line)
    for line in spreads(rows):
        print(line)
    print(
        "\nstory F1: B-cubed vs the corpus's stories; the peers are GIVEN the gold stories ('gold').\n"
        "fam P/R: pairs of body lines in different articles, same origin vs same family.\n"
        "boil P/R: boilerplate lines; the peers label a sentence boilerplate when it recurs in 2+ stories.\n"
        "time: cold (reading files included); * = extrapolated from a sample of stories (accuracy on that sample);\n"
        "  with --repeat N, the median of N timed runs.\n"
        "peak MB: a fresh process per tool and size (interpreter and imports included): its ru_maxrss, or for\n"
        "  wirediff, if higher, the peak PSS of it and its worker processes together, sampled every 0.1 s\n"
        "  in a second run (sampling slows a run: wirediff's time is from a run that does not sample)."
    )
    if args.json:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "results.json").write_text(
            json.dumps([{"articles": n, **r} for n, _, r in rows], indent=1)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
