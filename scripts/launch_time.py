"""Seconds from launching ``wirediff FOLDER`` in a pseudo-terminal to its stories list on screen.

    python scripts/launch_time.py FOLDER [--home DIR] [--repeat N]

Runs the installed ``wirediff`` (as a user would, 120x40, TERM=xterm-256color) and reads what it
writes until "of N stories" appears; then quits it with q.  With a warm cache (open FOLDER once
first, same --home) this is the "reopen shows the stories list" time, interpreter start included
(with Python's bytecode cache allowed even where PYTHONDONTWRITEBYTECODE is set, as an installed
app has its modules compiled).
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import shutil
import struct
import sys
import termios
import time

_ESC = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


def once(folder: str, home: str | None) -> dict[str, float]:
    env = dict(os.environ, TERM="xterm-256color", TEXTUAL_ANIMATIONS="none")
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # (compiled once and cached, as an installed app is)
    if home:
        env["WIREDIFF_HOME"] = home
    exe = shutil.which("wirediff") or sys.executable
    argv = ["wirediff", folder] if exe.endswith("wirediff") else [exe, "-m", "tui", folder]
    t0 = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(exe, argv, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    buf = b""
    marks: dict[str, float] = {}
    while time.perf_counter() - t0 < 60:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        buf += chunk
        marks.setdefault("first output", time.perf_counter() - t0)
        if re.search(rb"of \d+ stories", _ESC.sub(b"", buf)):
            marks["stories list"] = time.perf_counter() - t0
            break
    os.write(fd, b"q")
    os.waitpid(pid, 0)
    os.close(fd)
    return marks


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("--home", help="WIREDIFF_HOME (default: the user's)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    for _ in range(args.repeat):
        m = once(args.folder, args.home)
        print("  ".join(f"{k} {v:.2f}s" for k, v in m.items()) or "no stories list within 60 s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
