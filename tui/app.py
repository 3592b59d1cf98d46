"""The wirediff Textual app: analysis in a worker, the stories screen, keymap, themes, palette."""

from __future__ import annotations

import os
import select
import sys
import threading
from collections.abc import Sequence

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.worker import Worker, WorkerState

from . import paths
from .config import Config, load_config
from .core.model import Analysis, Skipped, StorySummary
from .screens.problems import ProblemsScreen
from .screens.stories import StoriesScreen
from .store import Store
from .widgets.binding_commands import BindingCommands

HANGUP_STATUS = 129  # 128 + SIGHUP: the terminal went away
LIGHT_THEME = "textual-light"
DARK_THEME = "textual-dark"


class AnalysisProgressed(Message):
    """The worker reports a pipeline stage's progress."""

    def __init__(self, stage: str, done: int, total: int) -> None:
        super().__init__()
        self.stage, self.done, self.total = stage, done, total

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, AnalysisProgressed)


class StoriesListed(Message):
    """The worker found the stories list of these inputs in the cache (the analysis follows)."""

    def __init__(self, summaries: list[StorySummary], skipped: tuple[Skipped, ...]) -> None:
        super().__init__()
        self.summaries, self.skipped = summaries, skipped


class AnalysisFinished(Message):
    def __init__(self, analysis: Analysis, summaries: list[StorySummary] | None = None) -> None:
        super().__init__()
        self.analysis = analysis
        self.summaries = summaries


class WirediffApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "wirediff"
    COMMANDS = App.COMMANDS | {BindingCommands}

    BINDINGS = [
        Binding("question_mark", "help", "Help", id="help", tooltip="Keys of this screen"),
        Binding("t", "toggle_theme", "Theme", show=False, id="toggle-theme", tooltip="Switch dark / light theme"),
        Binding("p", "show_problems", "Problems", show=False, id="show-problems",
                tooltip="Skipped files and warnings, with reasons"),
    ]

    def __init__(
        self,
        inputs: Sequence[str],
        *,
        one_story: bool = False,
        config: Config | None = None,
        analysis: Analysis | None = None,
        use_cache: bool = True,
        listing=None,
    ) -> None:
        super().__init__()
        self.inputs = list(inputs)
        self.listing = listing  # tui.cache.Listing of the inputs, when the caller walked them already
        self.one_story = one_story
        self.use_cache = use_cache
        self.cache_notes: list[str] = []
        problems: list[str] = []
        if config is None:
            config, problems = load_config(paths.config_file())
        self.config = config
        self.startup_problems = problems
        self.store = open_store()
        self.store.on_warning = self._store_failed
        self.analysis: Analysis | None = analysis
        self.error_line: str | None = None
        self.stories_screen = StoriesScreen()
        # Set once the stories list from the cache has been painted: the worker holds the (long,
        # GIL-bound) building of the analysis back until then, so the list's first frame comes first.
        self._list_painted = threading.Event()

    # ----------------------------------------------------------------- start
    def on_mount(self) -> None:
        if self.config.keymap:
            self.set_keymap(dict(self.config.keymap))
        if self.config.theme in self.available_themes:
            self.theme = self.config.theme
        else:
            self.startup_problems.append(f"unknown theme {self.config.theme!r}")
        self.push_screen(self.stories_screen)
        for p in self.startup_problems:
            self.notify(p, severity="warning", timeout=8)
        if self.store.warning:
            self.notify(self.store.warning, severity="warning", timeout=10)
        if self.analysis is not None:
            self.stories_screen.set_analysis(self.analysis)
        else:
            if self.listing is not None and self.listing.summaries is not None:
                self._show_listed(self.listing.summaries, self.listing.all_skipped)
            self.run_analysis()
        self._watch_terminal()

    def _watch_terminal(self) -> None:
        """Exit when the terminal goes away without a SIGHUP (the pty closed under us).

        SIGHUP itself ends the process the default way: every mark is committed when it is made,
        so nothing is lost.  But a terminal can vanish silently (no controlling tty, so no signal):
        input then fails in Textual's input thread and the app would run on, unseen, forever.
        """
        if self.is_headless or not hasattr(select, "poll"):
            return
        try:
            fd = sys.__stdin__.fileno() if sys.__stdin__ is not None else -1
        except (OSError, ValueError):
            return
        if fd < 0 or not os.isatty(fd):
            return
        poller = select.poll()
        poller.register(fd, 0)  # only hang-up and error conditions, which poll always reports

        def check() -> None:
            if any(ev & (select.POLLHUP | select.POLLERR | select.POLLNVAL) for _fd, ev in poller.poll(0)):
                self.exit(HANGUP_STATUS)

        self.set_interval(0.5, check, name="terminal-watch")

    @work(thread=True, exclusive=True, group="analysis", exit_on_error=False)
    def run_analysis(self) -> Analysis | None:
        """List the stories (from the cache when it has them), then build the analysis.

        A failure is reported as it happens, through the same handler as any worker's: the
        worker ends quietly, so waiting for it does not depend on how fast it failed."""
        try:
            return self._analyse()
        except Exception as err:  # noqa: BLE001 -- shown in words, and logged with its traceback
            self.log.error(err)
            self.call_from_thread(self._worker_failed, err)
            return None

    def _analyse(self) -> Analysis:
        from .cache import load_analysis, open_listing

        def progress(stage: str, done: int, total: int) -> None:
            self.post_message(AnalysisProgressed(stage, done, total))

        listing = self.listing
        if listing is None:
            # The stories list first (a walk, a stat per file and one small query on a warm
            # cache), then the whole analysis, which the reader needs.
            listing = open_listing(self.inputs, one_story=self.one_story, use_cache=self.use_cache)
            if listing.summaries is not None and listing.files:
                self.post_message(StoriesListed(listing.summaries, listing.all_skipped))
        if listing.summaries is not None and listing.files:
            self._list_painted.wait(timeout=3.0)
        self.listing = None  # a rerun walks the inputs again
        analysis, notes = load_analysis(
            self.inputs,
            one_story=self.one_story,
            progress=progress,
            use_cache=self.use_cache,
            listing=listing,
            write_behind=True,
        )
        self.cache_notes = notes
        self.post_message(AnalysisFinished(analysis, listing.summaries))
        return analysis

    def on_stories_listed(self, message: StoriesListed) -> None:
        if self.analysis is None:
            self._show_listed(message.summaries, message.skipped)
        else:
            self._list_painted.set()

    def _show_listed(self, summaries: list[StorySummary], skipped: tuple[Skipped, ...]) -> None:
        self.stories_screen.set_summaries(summaries, skipped)
        self.call_after_refresh(self._list_painted.set)

    def on_analysis_progressed(self, message: AnalysisProgressed) -> None:
        self.stories_screen.show_progress(message.stage, message.done, message.total)

    def on_analysis_finished(self, message: AnalysisFinished) -> None:
        analysis = message.analysis
        if not analysis.articles:
            reasons = "; ".join(f"{s.path}: {s.reason}" for s in analysis.skipped[:3])
            self.error_line = "wirediff: no readable articles" + (f" ({reasons})" if reasons else "")
            self.exit(2)
            return
        self.analysis = analysis
        self.stories_screen.set_analysis(analysis, message.summaries)
        for note in self.cache_notes:
            self.notify(note, severity="warning", timeout=8)
        if analysis.skipped:
            self.notify(
                f"skipped {len(analysis.skipped)} file(s): "
                + "; ".join(f"{os.path.basename(s.path)}: {s.reason}" for s in analysis.skipped[:3]),
                severity="warning",
                timeout=8,
            )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """All worker failures end here, shown in words."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self._worker_failed(event.worker.error)

    def _worker_failed(self, err: BaseException) -> None:
        text = f"analysis failed: {type(err).__name__}: {err}"
        self.stories_screen.show_error(text)
        self.notify(text, severity="error", timeout=15)

    def _store_failed(self, warning: str) -> None:
        """The state file failed while running: the store carries on in memory; say so."""
        self.notify(warning, severity="error", timeout=15)

    def warnings(self) -> list[str]:
        """Everything the user should know about config and state, in words."""
        out = list(self.startup_problems) + list(self.cache_notes)
        if self.store.warning:
            out.append(self.store.warning)
        return out

    # ----------------------------------------------------------------- actions
    def action_show_problems(self) -> None:
        if isinstance(self.screen, ProblemsScreen):
            return
        skipped = self.analysis.skipped if self.analysis is not None else self.stories_screen.skipped
        self.push_screen(ProblemsScreen(skipped, self.warnings()))

    def action_help(self) -> None:
        # (imported here: Markdown's import is kept off the start-up)
        from .screens.help import HelpScreen, binding_rows

        if isinstance(self.screen, HelpScreen):
            return
        rows = binding_rows(self, self.screen.active_bindings)
        self.push_screen(HelpScreen(rows, getattr(self.screen, "HELP", "") or ""))

    def action_toggle_theme(self) -> None:
        dark = self.current_theme.dark
        configured = self.config.theme if self.config.theme in self.available_themes else None
        if configured and self.get_theme(configured).dark != dark:  # type: ignore[union-attr]
            self.theme = configured
        else:
            self.theme = LIGHT_THEME if dark else DARK_THEME
        self.notify(f"theme: {self.theme}", timeout=2)


def open_store() -> Store:
    """The state store; a state file this version cannot use never stops the reader."""
    try:
        return Store(paths.state_db())
    except RuntimeError as e:  # a newer schema: leave the file alone, keep marks in memory
        store = Store(None)
        store.warning = f"triage marks will not be saved: {e}"
        return store


def run_app(inputs: Sequence[str], *, one_story: bool = False, use_cache: bool = True, listing=None) -> int:
    """Open the reader; returns the exit status (2 when there is nothing readable).  ``listing``:
    ``tui.cache.open_listing`` of the same inputs, when the caller made it already."""
    from .cache import open_listing

    if listing is None:
        listing = open_listing(inputs, one_story=one_story, use_cache=use_cache)
    if not listing.files:
        why = "; ".join(f"{s.path}: {s.reason}" for s in listing.skipped[:3]) or "no .txt/.md files found"
        print(f"wirediff: no readable articles ({why})", file=sys.stderr)
        return 2
    app = WirediffApp(inputs, one_story=one_story, use_cache=use_cache, listing=listing)
    code = app.run()
    if app.error_line:
        print(app.error_line, file=sys.stderr)
    if app.return_code:
        return app.return_code
    return int(code or 0)
