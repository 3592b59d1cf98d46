"""Measure the reader's key latency at scale (not a test; reads /work/shared/data when present).

Two inputs are built:

* a long story: three articles of ~300 body sentences each, made of real ECB+ sentences
  (``bench.corpus.load_sources``; the repo's seeds when ECB+ is absent), sharing about half of
  their sentences verbatim or lightly edited, analysed by the real pipeline (``one_story``);
* a 10,000-story ``Analysis`` built directly from ``tui.core.model`` dataclasses (the engine on
  10k small articles is too slow for a latency harness): two articles of three sentences per
  story, one verbatim family per story.

Latency: the Pilot (``App.run_test``); for each key, the time from ``pilot.press`` until
``pilot.pause()`` returns (the screen has been refreshed); the same for a no-op key (F12,
bound to nothing) is the harness overhead; medians are reported raw and net. The Pilot's idle
waits make that wall time coarse, so two more columns: the process CPU time per key (raw and
net of the no-op key), and "key sent→last frame", from the moment the Pilot hands the key to
the driver until the last frame the key caused was composed (what a person waits for, minus
the terminal's write), followed in brackets by the process CPU time over that same span (what
the app itself spent, whatever the load on the machine; the rest is waiting: for the CPU, and for
the screen's 60 Hz update timer, which alone adds 0-17 ms).  The reader's render-ahead works
when idle after a frame, so it shows in the CPU-per-key columns, not in the key-to-frame ones.

Bytes per scrolled line: the real ``wirediff`` in a pseudo-terminal (the harness of
tests/test_pty.py), on the long story, with j pressed many times; scrolled lines are counted by
matching the article pane's rows before and after each key.

Usage: python scripts/ui_latency.py [--keys 40] [--skip-pty] [--only reader|stories|pty]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.corpus import load_sources  # noqa: E402

NOOP = "f12"


# --------------------------------------------------------------------------- inputs
def write_long_story(folder: Path, n_sentences: int = 300, seed: int = 7) -> Path:
    """Three articles of ``n_sentences`` body sentences from real text; about half shared."""
    rng = random.Random(seed)
    sources, _where = load_sources()
    pool = [s for st in sources for s in st.sentences]
    rng.shuffle(pool)
    need = n_sentences * 3
    if len(pool) < need:  # the seeds fallback: reuse with a distinguishing suffix
        pool = [f"{s[:-1]} (part {k}){s[-1]}" for k in range(need // len(pool) + 1) for s in pool]
    base = pool[:n_sentences]
    fresh = iter(pool[n_sentences:])
    folder.mkdir(parents=True, exist_ok=True)
    outlets = ["alpha-news.com", "beta-daily.com", "gamma-post.com"]
    for k, outlet in enumerate(outlets):
        if k == 0:
            sents = list(base)
        else:
            sents = []
            for s in base:
                r = rng.random()
                if r < 0.45:
                    sents.append(s)
                elif r < 0.6:
                    words = s.split()
                    i = rng.randrange(len(words))
                    words[i] = words[i].upper() if len(words[i]) > 3 else words[i]
                    sents.append(" ".join(words[:-1]) + " today " + words[-1])
                else:
                    sents.append(next(fresh))
        paras = []
        for i in range(0, len(sents), 4):
            paras.append(" ".join(sents[i : i + 4]))
        day = 10 + k
        text = (
            f"Long story number {k}: a day of events\n"
            f"https://www.{outlet}/2024/05/{day}/long-story\n"
            f"May {day}, 2024\n\n" + "\n\n".join(paras) + f"\n\n© 2024 {outlet}. All rights reserved.\n"
        )
        (folder / f"{k}_{outlet}.txt").write_text(text, encoding="utf-8")
    return folder


def long_story_analysis(folder: Path):
    from tui.core.pipeline import analyze

    t = time.perf_counter()
    an = analyze([str(folder)], one_story=True)
    dt = time.perf_counter() - t
    sizes = [sum(1 for s in a.sentences if s.role == "body") for a in an.articles]
    print(f"long story: {len(an.articles)} articles, body sentences {sizes}, "
          f"{len(an.families)} families, analysed in {dt:.1f}s")
    return an


def big_analysis(n_stories: int = 10_000, seed: int = 3):
    """A 10k-story Analysis made straight from the model dataclasses."""
    import hashlib

    from tui.core.model import Analysis, Article, Family, Member, Sentence, Story

    rng = random.Random(seed)
    sources, _ = load_sources()
    pool = [s for st in sources for s in st.sentences]
    words = sorted({w for s in pool[:3000] for w in re.findall(r"[A-Za-z]{4,}", s)})
    outlets = [f"outlet{i}.com" for i in range(60)]
    articles, stories, families = [], [], []
    for k in range(n_stories):
        title = " ".join(rng.choice(words) for _ in range(rng.randint(5, 11))).capitalize()
        shared = rng.choice(pool)
        aids = []
        members = []
        for j in range(2):
            aid = f"a{len(articles)}"
            body = [shared, rng.choice(pool), rng.choice(pool)]
            raw = title + "\n\n" + " ".join(body) + "\n"
            sents = [Sentence(f"{aid}.s0", aid, 0, 0, len(title), 1, title, role="title")]
            pos = len(title) + 2
            for i, b in enumerate(body, start=1):
                fam = f"f{k}" if i == 1 else None
                sents.append(Sentence(f"{aid}.s{i}", aid, i, pos, pos + len(b), 3, b, family=fam))
                if fam:
                    members.append(Member(f"{aid}.s{i}", ((pos, pos + len(b)),), ()))
                pos += len(b) + 1
            day = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            articles.append(
                Article(aid, f"/tmp/{aid}.txt", raw, hashlib.sha256(raw.encode()).hexdigest(), "utf-8",
                        rng.choice(outlets), "url", title, day, None, tuple(sents))
            )
            aids.append(aid)
        families.append(Family(f"f{k}", "verbatim", tuple(members), first=members[0].sentence))
        stories.append(Story(f"c{k}", title, tuple(aids)))
    return Analysis(tuple(articles), tuple(stories), tuple(families))


# --------------------------------------------------------------------------- pilot timing
_FRAMES: list[float] = []
_LAST_FRAME: list[float] = []
_CPU: list[float] = []  # process CPU ms per key (idle waits of the harness cost none)


_SENT: list[float] = []


_FRAME_CPU: list[float] = []  # process CPU time at each frame
_SENT_CPU: list[float] = []  # process CPU time when each key was handed to the driver
_KEY_CPU: list[float] = []  # per key: CPU ms from the handoff to the last frame (load-proof)


def _hook_frames(app) -> None:
    """Record when each frame is composed (post_display_hook runs after every screen update,
    headless included: the compositor renders the changed regions, only the write is skipped)."""

    def hook() -> None:
        _FRAMES.append(time.perf_counter())
        _FRAME_CPU.append(time.process_time())

    app.post_display_hook = hook


def _hook_driver(app) -> None:
    """Record when the Pilot hands each key to the driver (inside ``run_test``): the in-app latency
    is from there to the last frame the key caused, without the Pilot's idle waits."""
    driver = app._driver
    send = driver.send_message

    def send_message(message) -> None:
        _SENT.append(time.perf_counter())
        _SENT_CPU.append(time.process_time())
        send(message)

    driver.send_message = send_message


async def _time_key(pilot, key: str) -> float:
    _FRAMES.clear()
    _SENT.clear()
    _FRAME_CPU.clear()
    _SENT_CPU.clear()
    c = time.process_time()
    t = time.perf_counter()
    await pilot.press(key)
    await pilot.pause()
    done = time.perf_counter()
    _CPU.append((time.process_time() - c) * 1000)
    t0 = _SENT[0] if _SENT else t
    _LAST_FRAME.append((_FRAMES[-1] - t0) * 1000 if _FRAMES else float("nan"))
    _KEY_CPU.append((_FRAME_CPU[-1] - _SENT_CPU[0]) * 1000 if _FRAME_CPU and _SENT_CPU else float("nan"))
    return (done - t) * 1000


async def _series(pilot, keys: list[str]) -> list[float]:
    _LAST_FRAME.clear()
    _KEY_CPU.clear()
    _CPU.clear()
    return [await _time_key(pilot, k) for k in keys]


_NOOP_CPU: list[float] = [0.0]


def _noop(times: list[float]) -> float:
    """Median wall time of the no-op series; remembers its CPU median for the net CPU column."""
    _NOOP_CPU[0] = statistics.median(_CPU)
    return statistics.median(times)


def _report(name: str, times: list[float], noop: float) -> None:
    med = statistics.median(times)
    frames = [f for f in _LAST_FRAME if f == f]
    frame = (f"{statistics.median(frames):6.2f} ms (p90 {sorted(frames)[int(len(frames) * 0.9)]:.1f})"
             if frames else "  none")
    cpu = statistics.median(_CPU)
    key_cpu = [c for c in _KEY_CPU if c == c]
    if key_cpu:
        frame += f" [CPU {statistics.median(key_cpu):.1f}]"
    print(f"  {name:<18} median {med:7.2f} ms raw {med - noop:7.2f} ms net | CPU {cpu:6.2f} raw "
          f"{cpu - _NOOP_CPU[0]:6.2f} net | key sent→last frame {frame}"
          f"  (raw p90 {sorted(times)[int(len(times) * 0.9)]:.1f}, max {max(times):.1f}, n={len(times)})")


def _app(analysis):
    from tui.app import WirediffApp
    from tui.config import Config

    return WirediffApp(["(synthetic)"], config=Config(), analysis=analysis)


async def measure_reader(analysis, n: int) -> None:
    from tui.screens.reader import ReaderScreen
    from tui.widgets.article_view import ArticleView

    app = _app(analysis)
    _hook_frames(app)
    async with app.run_test(size=(120, 40)) as pilot:
        _hook_driver(app)
        await pilot.pause()
        t = time.perf_counter()
        await pilot.press("enter")
        await pilot.pause()
        open_ms = (time.perf_counter() - t) * 1000
        assert isinstance(app.screen, ReaderScreen)
        view = app.screen.query_one(ArticleView)
        print(f"reader: article {view.article.id} with {len(view.shown_sentences)} shown sentences, "
              f"{view.line_count} lines; open {open_ms:.0f} ms")
        noop = _noop(await _series(pilot, [NOOP] * n))
        print(f"  {'no-op key (F12)':<22} median {noop:7.2f} ms, CPU {_NOOP_CPU[0]:.2f} ms (harness overhead)")
        _report("j", await _series(pilot, ["j"] * n), noop)
        _report("k", await _series(pilot, ["k"] * n), noop)
        await pilot.press("g")
        _report("n", await _series(pilot, ["n"] * n), noop)
        _report("N", await _series(pilot, ["N"] * n), noop)
        await pilot.press("g")
        _report("pagedown", await _series(pilot, ["pagedown"] * min(n, 12)), noop)
        _report("pageup", await _series(pilot, ["pageup"] * min(n, 12)), noop)
        await pilot.press("G")
        await pilot.pause()
        _report("pageup from end", await _series(pilot, ["pageup"] * min(n, 12)), noop)
        _report("G / g alternating", await _series(pilot, ["G", "g"] * (min(n, 20) // 2)), noop)
        await pilot.press("g")
        _report("u (next unique)", await _series(pilot, ["u"] * min(n, 20)), noop)
        await pilot.press("G")
        _report("U (prev unique)", await _series(pilot, ["U"] * min(n, 20)), noop)
        await pilot.press("c")  # compare: pick the first other outlet
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        print(f"compare: {type(app.screen).__name__}")
        _report("compare j", await _series(pilot, ["j"] * n), noop)
        _report("compare pagedown", await _series(pilot, ["pagedown"] * min(n, 12)), noop)


async def measure_stories(analysis, n: int) -> None:
    app = _app(analysis)
    _hook_frames(app)
    t = time.perf_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        _hook_driver(app)
        await pilot.pause()
        first_ms = (time.perf_counter() - t) * 1000
        screen = app.screen
        print(f"stories: {len(screen.shown)} rows; first frame {first_ms:.0f} ms")
        noop = _noop(await _series(pilot, [NOOP] * n))
        print(f"  {'no-op key (F12)':<22} median {noop:7.2f} ms, CPU {_NOOP_CPU[0]:.2f} ms (harness overhead)")
        _report("j", await _series(pilot, ["j"] * n), noop)
        _report("k", await _series(pilot, ["k"] * n), noop)
        _report("pagedown", await _series(pilot, ["pagedown"] * min(n, 20)), noop)
        _report("pageup", await _series(pilot, ["pageup"] * min(n, 20)), noop)
        await pilot.press("slash")
        await pilot.pause()
        typed = list("the market") + ["backspace"] * 10
        _report("filter typing", await _series(pilot, typed), noop)
        print(f"  (after typing and deleting: {len(screen.shown)} rows)")
        t = time.perf_counter()
        await pilot.press("o")
        await pilot.pause()
        print(f"  sort cycle (o) {1000 * (time.perf_counter() - t):.1f} ms raw")


# --------------------------------------------------------------------------- pty bytes
def measure_pty(folder: Path, presses: int) -> None:
    sys.path.insert(0, str(REPO / "tests"))
    from test_pty import Terminal, _command  # the tests' harness: VT screen model, bounded waits

    cols, rows = 100, 30
    with tempfile.TemporaryDirectory() as home:
        env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TEXTUAL", "TEXTUAL_DRIVER")}
        env.update(TERM="xterm-256color", COLUMNS=str(cols), LINES=str(rows), WIREDIFF_HOME=home,
                   TEXTUAL_ANIMATIONS="none", PYTHONUNBUFFERED="1")
        term = Terminal([*_command(), "--one-story", str(folder)], env, cols, rows)
        try:
            term.wait_for(lambda s: "sort:" in s.text() and "Long story" in s.text(), 180, "stories")

            def settle() -> None:  # read until the output has been quiet for 150 ms
                while True:
                    before = len(term.raw)
                    term._read(0.15)
                    if len(term.raw) == before:
                        return

            settle()
            n_open = len(term.raw)
            term.press("\r")
            term.wait_text("Next shared")
            settle()
            opened = len(term.raw) - n_open  # the reader's first paint: every row of the screen
            pane_x = next(i for i, ch in enumerate(term.screen.lines()[2]) if ch in "│▏▕┃▎▍▌▋▊▉█") + 1

            def pane() -> list[str]:
                return [line[pane_x:] for line in term.screen.lines()[1:-2]]

            total_bytes = scrolled = pressed = 0
            scroll_bytes: list[int] = []
            still_bytes: list[int] = []
            for _ in range(presses):
                before = pane()
                n0 = len(term.raw)
                term.press("j")
                term._read(2.0)
                settle()
                nbytes = len(term.raw) - n0
                after = pane()
                shift = _shift(before, after)
                total_bytes += nbytes
                pressed += 1
                if shift > 0:
                    scrolled += shift
                    scroll_bytes.append(nbytes / shift)
                else:
                    still_bytes.append(nbytes)
            print(f"pty {cols}x{rows}: {pressed} j presses wrote {total_bytes} bytes "
                  f"({total_bytes / pressed:.0f}/press); {scrolled} lines scrolled")
            if scroll_bytes:
                print(f"  bytes per scrolled line: median {statistics.median(scroll_bytes):.0f}, "
                      f"overall {sum(scroll_bytes) / len(scroll_bytes):.0f} (over {len(scroll_bytes)} scrolling presses)")
            print(f"  (opening the reader, which paints the whole screen, wrote {opened} bytes)")
            if still_bytes:
                print(f"  bytes per press that moved the cursor without scrolling: median "
                      f"{statistics.median(still_bytes):.0f} (n={len(still_bytes)})")
            term.press("q")
            term.press("q")
        finally:
            term.close()


def _shift(before: list[str], after: list[str]) -> int:
    """How many rows the pane's text moved up (0 when it did not scroll)."""
    h = len(before)
    best, best_score = 0, 0
    for d in range(1, h // 2):
        score = sum(1 for i in range(h - d) if after[i].strip() and after[i][8:] == before[i + d][8:])
        if score > best_score:
            best, best_score = d, score
    same = sum(1 for i in range(h) if after[i].strip() and after[i][8:] == before[i][8:])
    return best if best_score > same else 0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--keys", type=int, default=40)
    ap.add_argument("--presses", type=int, default=80)
    ap.add_argument("--only", choices=("reader", "stories", "pty"))
    args = ap.parse_args()
    os.environ["WIREDIFF_HOME"] = tempfile.mkdtemp(prefix="wd-latency-")
    folder = write_long_story(Path(tempfile.mkdtemp(prefix="wd-long-")) / "long")
    if args.only in (None, "reader"):
        asyncio.run(measure_reader(long_story_analysis(folder), args.keys))
    if args.only in (None, "stories"):
        t = time.perf_counter()
        big = big_analysis()
        print(f"10k Analysis built in {time.perf_counter() - t:.1f}s")
        asyncio.run(measure_stories(big, args.keys))
    if args.only in (None, "pty"):
        measure_pty(folder, args.presses)


if __name__ == "__main__":
    main()
