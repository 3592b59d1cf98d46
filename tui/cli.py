"""Command line: wirediff [open] PATH... | analyze PATH... --json | show PATH... | paths."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from . import __version__

COMMANDS = ("open", "analyze", "show", "paths")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="wirediff", description="See where news copy comes from.")
    p.add_argument("--version", action="version", version=f"wirediff {__version__}")
    sub = p.add_subparsers(dest="command")

    def add_inputs(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("paths", nargs="*", help="files or folders of .txt/.md articles (default: the bundled seeds)")
        sp.add_argument("--one-story", action="store_true", help="treat all inputs as one story (no clustering)")
        sp.add_argument("--no-cache", action="store_true", help="ignore and do not write the analysis cache")

    op = sub.add_parser("open", help="open the reader (the default command)")
    add_inputs(op)
    an = sub.add_parser("analyze", help="analyse and print the result")
    add_inputs(an)
    an.add_argument("--json", action="store_true", help="print the analysis as JSON (schema wirediff.analysis/1)")
    sh = sub.add_parser("show", help="print a readable report of every story")
    add_inputs(sh)
    sh.add_argument("--ascii", action="store_true", help="ASCII gutter glyphs only")
    sub.add_parser("paths", help="print where wirediff keeps its state")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0] not in COMMANDS and args_list[0] not in ("-h", "--help", "--version")):
        args_list.insert(0, "open")
    args = _parser().parse_args(args_list)
    if args.command == "paths":
        from . import paths

        for name, p in (
            ("data", paths.data_dir()),
            ("state", paths.state_db()),
            ("cache", paths.cache_dir()),
            ("config", paths.config_file()),
            ("seeds", paths.seeds_dir()),
        ):
            print(f"{name:7} {p}")
        return 0

    from .paths import seeds_dir

    inputs = args.paths or [str(seeds_dir())]
    if args.command == "open":
        import threading

        from .cache import open_listing  # (light: the matching engine is imported later)

        # Walk the inputs and look up their cached stories list while Textual is imported.
        got: list = []
        walker = threading.Thread(
            target=lambda: got.append(open_listing(inputs, one_story=args.one_story, use_cache=not args.no_cache)),
            daemon=True,
        )
        walker.start()
        from .app import run_app

        walker.join()
        return run_app(inputs, one_story=args.one_story, use_cache=not args.no_cache, listing=got[0] if got else None)

    from .cache import load_analysis

    analysis, notes = load_analysis(inputs, one_story=args.one_story, use_cache=not args.no_cache, write_behind=True)
    for note in notes:
        print(f"wirediff: {note}", file=sys.stderr)
    for s in analysis.skipped:
        print(f"wirediff: skipped {s.path}: {s.reason}", file=sys.stderr)
    if args.command == "analyze":
        if args.json:
            from .core.export import to_json

            sys.stdout.write(to_json(analysis) + "\n")
        else:
            for st in analysis.stories:
                print(f"{st.id}\t{len(st.articles)} articles\t{st.title}")
    elif args.command == "show":
        from rich.console import Console

        from .render import LEGEND, story_report

        console = Console(no_color=bool(os.environ.get("NO_COLOR")) or None, highlight=False)
        for st in analysis.stories:
            console.print(story_report(analysis, st, ascii_only=args.ascii))
        console.print(LEGEND, style="dim")
    if not analysis.articles:
        print("wirediff: no readable articles", file=sys.stderr)
        return 2
    return 1 if analysis.skipped else 0
