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


def _listing_aside(inputs: Sequence[str], *, one_story: bool, use_cache: bool):
    """Start ``tui.cache.open_listing`` of the inputs beside this process's imports; returns a
    function that waits for it and returns the listing (None if it failed: the app then walks
    the inputs itself).

    Where it can, a forked child does it: walking and stat'ing 10k files is Python work, which a
    thread would do under the same interpreter lock as the import of Textual (one after the
    other, in effect); the child does it on the other core and sends the listing back through a
    pipe.  (This runs before any thread exists, which is what makes the fork safe.)"""
    import pickle

    from . import cache  # (light: the matching engine is imported later)

    def walk():
        return cache.open_listing(inputs, one_story=one_story, use_cache=use_cache)

    if not hasattr(os, "fork"):
        import threading

        got: list = []
        walker = threading.Thread(target=lambda: got.append(walk()), daemon=True)
        walker.start()
        return lambda: (walker.join(), got[0] if got else None)[1]
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: send the listing (or nothing) and leave without running any exit handler
        code = 1
        try:
            os.close(r)
            data = cache.listing_bytes(walk())
            with os.fdopen(w, "wb") as out:
                out.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(w)

    def listed():
        with os.fdopen(r, "rb") as pipe:
            data = pipe.read()
        os.waitpid(pid, 0)
        try:
            return cache.listing_from_bytes(data) if data else None
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
            return None

    return listed


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
        # Walk the inputs and look up their cached stories list while Textual is imported.
        listed = _listing_aside(inputs, one_story=args.one_story, use_cache=not args.no_cache)
        from .app import run_app

        return run_app(inputs, one_story=args.one_story, use_cache=not args.no_cache, listing=listed())

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
