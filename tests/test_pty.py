"""The real ``wirediff`` command in a pseudo-terminal: start it, press keys, read the screen.

A small VT100 screen model (cursor addressing, text, erase; styles ignored) turns the
program's output into rows of text, so the checks are about what a user would see. Every
wait is bounded (select with a deadline); nothing sleeps for a fixed time.
"""

from __future__ import annotations

import codecs
import fcntl
import os
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.cells import get_character_cell_size

from tui.paths import seeds_dir

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")

COLS, ROWS = 100, 30
START_TIMEOUT = 90.0  # first screen: interpreter start, imports and analysis on a slow CI machine
STEP_TIMEOUT = 30.0

_CSI = re.compile(r"\x1b\[([0-9;?<>=!]*)([ -/]*)([@-~])")
_OSC = re.compile(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
_ESC2 = re.compile(r"\x1b[()][0-9A-Za-z]|\x1b[=>78DEHMNOPZc]")


class Screen:
    """Just enough of a terminal to read what is on it."""

    def __init__(self, cols: int, rows: int) -> None:
        self.cols, self.rows = cols, rows
        self.cells = [[" "] * cols for _ in range(rows)]
        self.x = self.y = 0
        self._pending = ""

    def feed(self, text: str) -> None:
        data = self._pending + text
        self._pending = ""
        i = 0
        n = len(data)
        while i < n:
            ch = data[i]
            if ch == "\x1b":
                m = _CSI.match(data, i) or _OSC.match(data, i) or _ESC2.match(data, i)
                if m is None:
                    if n - i < 64:  # an escape sequence cut by the read: wait for the rest
                        self._pending = data[i:]
                        return
                    i += 1
                    continue
                if m.re is _CSI:
                    self._csi(m.group(1), m.group(3))
                i = m.end()
                continue
            if ch == "\r":
                self.x = 0
            elif ch == "\n":
                self.y = min(self.rows - 1, self.y + 1)
            elif ch == "\b":
                self.x = max(0, self.x - 1)
            elif ch >= " ":
                self._put(ch)
            i += 1

    def _put(self, ch: str) -> None:
        width = get_character_cell_size(ch)
        if width == 0:
            return
        if self.x + width > self.cols:
            self.x = 0
            self.y = min(self.rows - 1, self.y + 1)
        self.cells[self.y][self.x] = ch
        if width == 2 and self.x + 1 < self.cols:
            self.cells[self.y][self.x + 1] = ""
        self.x += width

    def _csi(self, params: str, final: str) -> None:
        if params.startswith(("?", ">", "<")):
            return  # modes, queries: nothing to draw
        nums = [int(p) if p.isdigit() else 0 for p in params.split(";")] if params else []

        def arg(k: int, default: int = 1) -> int:
            return nums[k] if len(nums) > k and nums[k] else default

        if final in "Hf":
            self.y = min(self.rows - 1, arg(0) - 1)
            self.x = min(self.cols - 1, arg(1) - 1)
        elif final == "A":
            self.y = max(0, self.y - arg(0))
        elif final == "B":
            self.y = min(self.rows - 1, self.y + arg(0))
        elif final == "C":
            self.x = min(self.cols - 1, self.x + arg(0))
        elif final == "D":
            self.x = max(0, self.x - arg(0))
        elif final == "G":
            self.x = min(self.cols - 1, arg(0) - 1)
        elif final == "d":
            self.y = min(self.rows - 1, arg(0) - 1)
        elif final == "J":
            mode = arg(0, 0)
            if mode == 2 or mode == 3:
                self.cells = [[" "] * self.cols for _ in range(self.rows)]
            elif mode == 0:
                self.cells[self.y][self.x :] = [" "] * (self.cols - self.x)
                for r in range(self.y + 1, self.rows):
                    self.cells[r] = [" "] * self.cols
        elif final == "K":
            mode = arg(0, 0)
            row = self.cells[self.y]
            if mode == 0:
                row[self.x :] = [" "] * (self.cols - self.x)
            elif mode == 1:
                row[: self.x + 1] = [" "] * (self.x + 1)
            else:
                self.cells[self.y] = [" "] * self.cols

    def lines(self) -> list[str]:
        return ["".join(r) for r in self.cells]

    def text(self) -> str:
        return "\n".join(self.lines())


class Terminal:
    """A child process on a pseudo-terminal of a fixed size."""

    def __init__(
        self, argv: list[str], env: dict[str, str], cols: int = COLS, rows: int = ROWS
    ) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.proc = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.fd = master
        self.screen = Screen(cols, rows)
        self.raw = bytearray()
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.closed = False

    def _read(self, timeout: float) -> bool:
        """Read what is there (waiting at most ``timeout``); False once the child closed the pty."""
        if self.closed:
            return False
        ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # EIO: the child side is closed
            chunk = b""
        if not chunk:
            self.closed = True
            return False
        self.raw += chunk
        self.screen.feed(self._decoder.decode(chunk))
        return True

    def wait_for(
        self, check: Callable[[Screen], bool], timeout: float = STEP_TIMEOUT, what: str = ""
    ) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if check(self.screen):
                return
            left = deadline - time.monotonic()
            if left <= 0 or not self._read(min(left, 0.5)):
                if check(self.screen):
                    return
                raise AssertionError(
                    f"timed out waiting for {what or check}; screen was:\n{self.screen.text()}\n"
                    f"exit status: {self.proc.poll()}"
                )

    def wait_text(self, needle: str, timeout: float = STEP_TIMEOUT) -> None:
        self.wait_for(lambda s: needle in s.text(), timeout, repr(needle))

    def press(self, keys: str) -> None:
        os.write(self.fd, keys.encode("utf-8"))

    def wait_exit(self, timeout: float = STEP_TIMEOUT) -> int:
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            if not self._read(min(0.5, deadline - time.monotonic())):
                break
        try:
            return self.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"wirediff did not exit; screen was:\n{self.screen.text()}"
            ) from None

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        os.close(self.fd)


def _command() -> list[str]:
    script = Path(sys.executable).with_name("wirediff")
    if script.exists():
        return [str(script)]
    found = shutil.which("wirediff")
    return [found] if found else [sys.executable, "-m", "tui"]


@pytest.fixture
def terminal(tmp_path):
    env = {
        k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TEXTUAL", "TEXTUAL_DRIVER")
    }
    env.update(
        TERM="xterm-256color",
        COLUMNS=str(COLS),
        LINES=str(ROWS),
        WIREDIFF_HOME=str(tmp_path / "home"),
        TEXTUAL_ANIMATIONS="none",
        PYTHONUNBUFFERED="1",
    )
    term = Terminal([*_command(), str(seeds_dir())], env)
    yield term
    term.close()


def _row_with(screen: Screen, needle: str) -> str:
    return next((line for line in screen.lines() if needle in line), "")


def test_screen_model_reads_cursor_addressed_text():
    s = Screen(20, 3)
    s.feed("\x1b[?1049h\x1b[2;5Hhello\x1b[1m wo")  # a read can end inside a word...
    s.feed("rld\x1b[0m\x1b[3;1Hab\x1b[K\x1b]0;title\x07界x\x1b[")  # ...or inside a sequence
    s.feed("1;20HZ")
    assert s.lines()[0] == " " * 19 + "Z"
    assert s.lines()[1] == "    hello world     "
    assert s.lines()[2] == "ab界x" + " " * 15  # the wide character takes two cells
    s.feed("\x1b[2;1H\x1b[2K")
    assert s.lines()[1] == " " * 20


def test_wirediff_in_a_terminal_opens_a_story_compares_and_quits(terminal):
    t = terminal
    # The stories list, with the seeds' story headline.
    # (the status line can be painted a frame before the analysed rows: wait for both)
    t.wait_for(
        lambda s: "sort:" in s.text()
        and any("North Koreans" in line or "Donbas" in line for line in s.lines()),
        START_TIMEOUT,
        "the stories list with the seeds' story",
    )
    assert "1 of 1 stories" in t.screen.text()
    # enter opens the story in the reader.
    t.press("\r")
    t.wait_text("Next shared")
    assert "articles," in t.screen.text()
    # c compares with another outlet (through the picker when there are several).
    t.press("c")
    t.wait_for(
        lambda s: "Compare with" in s.text() or "matched ·" in s.text(),
        what="compare or its picker",
    )
    if "Compare with" in t.screen.text():
        t.press("\x1b[B")  # down: highlight an outlet
        t.press("\r")
    t.wait_text("matched ·")
    header = _row_with(t.screen, "◀")
    assert "▶" in header  # both outlets named on one line
    # j moves the row cursor: the cursor mark leaves the first row.
    first = [i for i, line in enumerate(t.screen.lines()) if line.startswith("▌")]
    t.press("j")
    t.wait_for(
        lambda s: (
            [i for i, line in enumerate(s.lines()) if line.startswith("▌")] not in ([], first)
        ),
        what="the cursor to move",
    )
    # q goes back to the reader, q again to the stories, q once more quits.
    t.press("q")
    t.wait_text("Next shared")
    t.press("q")
    t.wait_text("sort:")
    t.press("q")
    assert t.wait_exit() == 0
