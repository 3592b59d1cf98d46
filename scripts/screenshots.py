"""Screenshots of the real app on the bundled seeds, for the README.

    python scripts/screenshots.py [--out screenshots] [--size 120x40]

Runs ``WirediffApp`` headless (``App.run_test``), walks to each screen with the keys a user
would press, and writes ``stories.svg``, ``reader.svg``, ``compare.svg``, ``family.svg`` and
``help.svg``. State (triage marks, cache) goes to a throw-away WIREDIFF_HOME.

    python scripts/screenshots.py --freeze tests/fixtures/snapshots/seeds_analysis.json

writes the seeds' current analysis (with raw texts) as the fixture the snapshot tests read,
so that UI snapshots change when the UI changes, not whenever the engine improves.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
os.environ.pop("NO_COLOR", None)

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ("stories", "reader", "compare", "family", "help")


async def goto(app, pilot, target: str) -> None:
    """Drive the app from its first screen to ``target`` with a user's keys."""
    from textual.widgets import Input, OptionList

    from tui.screens.compare import CompareScreen
    from tui.screens.family import FamilyScreen
    from tui.screens.help import HelpScreen
    from tui.screens.reader import OutletPicker, ReaderScreen

    await app.workers.wait_for_complete()
    await pilot.pause()
    if target != "stories":
        await pilot.press("enter")  # open the first story
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen), app.screen
    if target == "compare":
        reader = app.screen
        await pilot.press("c")
        await pilot.pause()
        if isinstance(app.screen, OutletPicker):
            # Choose the outlet sharing the most sentences with the article on show.
            picker = app.screen
            current = reader.current
            mine = {s.family for s in current.sentences if s.family}
            shares = [
                len(mine & {s.family for s in app.analysis.article(aid).sentences if s.family})
                for aid, _label in picker.choices
            ]
            picker.query_one(OptionList).highlighted = shares.index(max(shares))
            await pilot.press("enter")
            await pilot.pause()
        assert isinstance(app.screen, CompareScreen), app.screen
    elif target == "family":
        await pilot.press("n", "enter")  # the next shared sentence, then its family
        await pilot.pause()
        assert isinstance(app.screen, FamilyScreen), app.screen
    elif target == "help":
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen), app.screen
    for field in app.screen.query(Input):
        field.cursor_blink = False  # repeatable pictures
    await pilot.pause()


async def shoot(target: str, out: Path, size: tuple[int, int], seeds: str) -> Path:
    from tui.app import WirediffApp
    from tui.config import Config

    app = WirediffApp([seeds], config=Config())
    async with app.run_test(size=size) as pilot:
        await goto(app, pilot, target)
        path = out / f"{target}.svg"
        path.write_text(app.export_screenshot(title=f"wirediff — {target}"), encoding="utf-8")
    return path


def freeze(dest: Path, seeds: str) -> None:
    from tui.core.export import to_dict
    from tui.core.pipeline import analyze

    analysis = analyze([seeds])
    data = {"analysis": to_dict(analysis), "raw": {a.id: a.raw for a in analysis.articles}}
    for a in data["analysis"]["articles"]:
        a["path"] = os.path.relpath(a["path"], ROOT) if os.path.isabs(a["path"]) else a["path"]
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {dest}: {len(analysis.articles)} articles, {len(analysis.families)} families")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default=str(ROOT / "screenshots"))
    p.add_argument("--size", default="120x40", help="COLSxROWS")
    p.add_argument("--seeds", default=None, help="articles to show (default: the bundled seeds)")
    p.add_argument("--only", choices=SHOTS, action="append", help="just these screens")
    p.add_argument("--freeze", metavar="JSON", help="write the seeds' analysis fixture and stop")
    args = p.parse_args(argv)

    from tui.paths import seeds_dir

    seeds = args.seeds or os.path.relpath(seeds_dir(), Path.cwd())
    if args.freeze:
        freeze(Path(args.freeze), seeds)
        return 0
    cols, rows = (int(x) for x in args.size.lower().split("x"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as home:
        os.environ["WIREDIFF_HOME"] = home
        for target in args.only or SHOTS:
            path = asyncio.run(shoot(target, out, (cols, rows), seeds))
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
