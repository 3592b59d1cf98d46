"""Measure the boilerplate labeller on real pages (not a test: reads /work/shared/data).

Each page's lines are joined with "\\n" into one article, segmented, labelled with
``label_own`` then ``label_in_context`` (no story: story_words=None, linked all False,
repeated all False, or with --repeated: lines repeated verbatim on another page of the
same site count as repeated).  Each human-marked snippet (``keep`` = article text,
``drop`` = boilerplate) found in the text is "dimmed" when most of its characters lie
in segments labelled boilerplate (with --meta: boilerplate or meta).  Prints precision
and recall of "dimmed" against ``drop``, for all pages and for the even/odd split.

    python scripts/measure_boilerplate.py [--pages FILE] [--input extracted|page]
                                          [--repeated] [--meta] [--show]
"""

from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict
from pathlib import Path

from tui.core.boilerplate import label_in_context, label_own
from tui.core.text import segment

DEFAULT = Path("/work/shared/data/boilerplate-dev/pages.jsonl")


def site_of(url: str) -> str:
    if url.startswith("hard::"):
        return url[6:].split("-", 1)[0]
    m = re.match(r"https?://(?:www\.)?([^/]+)", url)
    return m.group(1) if m else url


def label_page(text: str, repeated_lines: set[str] | None):
    segs = segment(text)
    labels = label_own(text, segs, {})
    if repeated_lines:
        line_of = text.split("\n")
        rep = [line_of[s.line - 1].strip() in repeated_lines for s in segs]
    else:
        rep = [False] * len(segs)
    labels = label_in_context(text, segs, labels, linked=[False] * len(segs), repeated=rep, story_words=None)
    return segs, labels


def dimmed(text: str, segs, labels, pos: int, length: int, roles: set[str]) -> bool:
    end = pos + length
    covered = 0
    for s, lab in zip(segs, labels):
        if s.end <= pos or s.start >= end:
            continue
        if lab.role in roles:
            covered += min(end, s.end) - max(pos, s.start)
    return covered * 2 > length


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=Path, default=DEFAULT)
    ap.add_argument("--input", choices=["extracted", "page"], default="extracted")
    ap.add_argument("--repeated", action="store_true", help="count lines repeated across pages of one site")
    ap.add_argument("--meta", action="store_true", help="count meta (dates, datelines) as dimmed too")
    ap.add_argument("--show", action="store_true", help="print every error")
    args = ap.parse_args()

    pages = [json.loads(line) for line in args.pages.open(encoding="utf-8")]
    field = "extracted_lines" if args.input == "extracted" else "page_lines"

    repeated_by_page: list[set[str] | None] = [None] * len(pages)
    if args.repeated:
        by_site: dict[str, list[int]] = defaultdict(list)
        for i, p in enumerate(pages):
            by_site[site_of(p["url"])].append(i)
        for idx in by_site.values():
            count: dict[str, int] = defaultdict(int)
            for i in idx:
                for line in {ln.strip() for ln in pages[i][field] if ln.strip()}:
                    count[line] += 1
            rep = {ln for ln, c in count.items() if c > 1}
            for i in idx:
                repeated_by_page[i] = rep

    roles = {"boilerplate", "meta"} if args.meta else {"boilerplate"}
    stats = {name: defaultdict(int) for name in ("all", "even", "odd")}
    kinds: dict[str, int] = defaultdict(int)
    for i, p in enumerate(pages):
        text = "\n".join(p[field])
        segs, labels = label_page(text, repeated_by_page[i])
        for lab in labels:
            if lab.role == "boilerplate":
                kinds[lab.kind or "?"] += 1
        for truth in ("keep", "drop"):
            for snip in p[truth]:
                pos = text.find(snip)
                for name in ("all", "even" if i % 2 == 0 else "odd"):
                    st = stats[name]
                    if pos < 0:
                        st["missing"] += 1
                        continue
                    d = dimmed(text, segs, labels, pos, len(snip), roles)
                    st[(truth, d)] += 1
                if pos >= 0 and args.show and (d != (truth == "drop")):
                    where = next((lab for s, lab in zip(segs, labels) if s.start <= pos < s.end), None)
                    tag = "FALSE DIM " if truth == "keep" else "MISSED    "
                    print(f"{tag} page {i:2d} {where}: {snip[:100]!r}")

    print(f"input={args.input} repeated={args.repeated} dimmed roles={sorted(roles)}")
    for name, st in stats.items():
        tp, fp = st[("drop", True)], st[("keep", True)]
        fn, tn = st[("drop", False)], st[("keep", False)]
        prec = tp / (tp + fp) if tp + fp else float("nan")
        rec = tp / (tp + fn) if tp + fn else float("nan")
        print(
            f"  {name:4s} precision {prec:.3f} ({tp}/{tp + fp})  recall {rec:.3f} ({tp}/{tp + fn})  "
            f"keep kept {tn}/{tn + fp}  snippets not in text: {st['missing']}"
        )
    print("  boilerplate segments by kind:", dict(sorted(kinds.items(), key=lambda kv: -kv[1])))


if __name__ == "__main__":
    main()
