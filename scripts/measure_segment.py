"""Measure sentence segmentation on real data (reads /work/shared/data; not a test).

ECB+ articles are one sentence per line (rebuilt from tokenised XML, so the gold itself
has a few errors).  Three views of the same gold:

* lines:   the file as it is (a paragraph per line); every line should be one segment.
* joined:  each article's sentences joined by spaces into one paragraph; boundaries
           should fall exactly where the lines met.
* wrapped: the joined paragraph hard-wrapped at 72 columns (blank line between
           articles' paragraphs of 5 sentences); boundaries should be the same.

Also the throughput of ``segment``, ``normalize`` and ``normalize_many`` on ~30 MB of text built from the
seeds, ECB+ and the trafilatura extractions.

    /work/venv/bin/python scripts/measure_segment.py [--show N]
"""

from __future__ import annotations

import argparse
import json
import re
import textwrap
import time
from pathlib import Path

from tui.core.text import normalize, normalize_many, segment

DATA = Path("/work/shared/data")
SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def ecb_articles() -> list[list[str]]:
    out = []
    for f in sorted((DATA / "ecbplus-dev" / "articles").iterdir()):
        lines = [ln.strip() for ln in f.read_text(encoding="utf-8").splitlines() if ln.strip()]
        # drop the URL, the title and date lines: keep lines that end like sentences
        sents = [ln for ln in lines if re.search(r"[.!?][\"'”’)]*$", ln) and len(ln.split()) > 3]
        if len(sents) >= 2:
            out.append(sents)
    return out


def score(texts_and_gold, show: int, label: str) -> None:
    tp = fp = fn = 0
    shown = 0
    for text, gold in texts_and_gold:
        got = {s.end for s in segment(text)}
        got.discard(len(text.rstrip()))
        tp += len(got & gold)
        fp += len(got - gold)
        fn += len(gold - got)
        if shown < show:
            for e in sorted(got - gold):
                print(f"  [{label} extra cut] …{text[max(0, e - 60):e]!r} | {text[e:e + 40]!r}")
                shown += 1
            for e in sorted(gold - got):
                print(f"  [{label} missed]    …{text[max(0, e - 60):e]!r} | {text[e:e + 40]!r}")
                shown += 1
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    print(f"{label:8s} boundaries: precision {p:.4f}  recall {r:.4f}  (tp {tp}, fp {fp}, fn {fn})")


def joined(sents: list[str]) -> tuple[str, set[int]]:
    text = ""
    gold = set()
    for s in sents:
        if text:
            text += " "
        text += s
        gold.add(len(text))
    gold.discard(len(text))
    return text, gold


def wrapped(sents: list[str]) -> tuple[str, set[int]]:
    paras = [sents[i : i + 5] for i in range(0, len(sents), 5)]
    text = ""
    gold: set[int] = set()
    for para in paras:
        if text:
            text += "\n\n"
        flat, g = joined(para)
        lines = textwrap.wrap(flat, 72, break_long_words=False, break_on_hyphens=False)
        wrapped_text = "\n".join(lines)
        # map offsets: wrapping replaced single spaces by newlines, length unchanged
        assert len(wrapped_text) == len(flat), "wrap changed length"
        gold |= {len(text) + e for e in g} | {len(text) + len(flat)}
        text += wrapped_text
    gold.discard(len(text))
    return text, gold


def per_line(arts: list[list[str]], show: int) -> None:
    lines = split = merged = 0
    shown = 0
    for sents in arts:
        text = "\n".join(sents)
        segs = segment(text)
        lines += len(sents)
        per = {}
        for s in segs:
            per.setdefault(s.line, []).append(s)
            if "\n" in text[s.start : s.end]:
                merged += 1
        for ln, ss in per.items():
            if len(ss) > 1:
                split += 1
                if shown < show:
                    print("  [lines split]", [text[s.start : s.end][-50:] for s in ss[:-1]])
                    shown += 1
    print(f"lines    {lines} gold sentences: {split} lines cut inside, {merged} segments spanning lines")


def throughput() -> None:
    parts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    parts += [f.read_text(encoding="utf-8") for f in sorted((DATA / "ecbplus-dev" / "articles").iterdir())]
    for line in (DATA / "boilerplate-dev" / "pages.jsonl").read_text(encoding="utf-8").splitlines():
        parts.append("\n".join(json.loads(line)["extracted_lines"]))
    docs = []
    size = 0
    while size < 30_000_000:
        for p in parts:
            docs.append(p)
            size += len(p.encode("utf-8"))
    mb = size / 1e6
    # a load-independent yardstick: re.findall(r"\w+") runs 22-25 MB/s on a quiet machine
    word = re.compile(r"\w+")
    t = time.perf_counter()
    for d in docs:
        word.findall(d)
    base = mb / (time.perf_counter() - t)
    print(f"baseline  re.findall(r'\\w+') {base:.1f} MB/s on the same text")
    t = time.perf_counter()
    nseg = 0
    for d in docs:
        nseg += len(segment(d))
    dt = time.perf_counter() - t
    print(f"segment   {mb:.1f} MB, {len(docs)} docs, {nseg} segments: {dt:.2f} s = {mb / dt:.1f} MB/s "
          f"({mb / dt / base:.2f}x the baseline)")
    t = time.perf_counter()
    for d in docs:
        for s in segment(d):
            normalize(d[s.start : s.end])
    dt2 = time.perf_counter() - t
    print(f"segment+normalize each segment: {dt2:.2f} s = {mb / dt2:.1f} MB/s ({mb / dt2 / base:.2f}x the baseline)")
    t = time.perf_counter()
    for d in docs:
        normalize_many(d, segment(d))
    dt3 = time.perf_counter() - t
    print(f"segment+normalize_many:        {dt3:.2f} s = {mb / dt3:.1f} MB/s ({mb / dt3 / base:.2f}x the baseline)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--show", type=int, default=0, help="print up to N errors per view")
    ap.add_argument("--no-speed", action="store_true")
    args = ap.parse_args()
    arts = ecb_articles()
    print(f"ECB+: {len(arts)} articles, {sum(map(len, arts))} sentences")
    per_line(arts, args.show)
    score([joined(a) for a in arts], args.show, "joined")
    score([wrapped(a) for a in arts], args.show, "wrapped")
    if not args.no_speed:
        throughput()


if __name__ == "__main__":
    main()
