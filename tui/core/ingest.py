"""Files → decoded text, header (title, date, URL) and outlet, or a one-line reason to skip."""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from operator import attrgetter
from pathlib import Path
from urllib.parse import urlsplit

from .model import Skipped

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
MAX_BYTES = 16 * 1024 * 1024  # no news article is this long; a larger file is a dump, not an article


@dataclass(frozen=True, slots=True)
class Source:
    """A decoded input file, before segmentation."""

    path: str
    raw: str
    digest: str
    encoding: str


@dataclass(frozen=True, slots=True)
class Header:
    title: str | None
    title_line: int | None  # 1-based
    published: str | None  # ISO date
    date_line: int | None
    url: str | None
    url_line: int | None


class InputError(Exception):
    """A problem with an input the user can act on; the message is one line."""


# --------------------------------------------------------------------------- files
def discover(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[Skipped]]:
    """Expand folders (recursively, sorted, symlink loops safe) into text files."""
    files: list[Path] = []
    skipped: list[Skipped] = []
    seen_dirs: set[tuple[int, int]] = set()
    seen_files: set[tuple[int, int]] = set()

    def add_file(p: Path, key: tuple[int, int] | None = None) -> None:
        """Each file once, even when reached by two paths (a symlink, an input given twice)."""
        if key is None:
            try:
                st = os.stat(p)
                key = (st.st_dev, st.st_ino)
            except OSError:  # broken or looping: reading it gives the reason
                files.append(p)
                return
        if key not in seen_files:
            seen_files.add(key)
            files.append(p)

    def walk(d: Path) -> Iterator[tuple[Path, tuple[int, int] | None]]:
        try:
            st = d.stat()
        except OSError as e:
            skipped.append(Skipped(str(d), _os_reason(e)))
            return
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:
            return
        seen_dirs.add(key)
        try:
            entries = sorted(os.scandir(d), key=_NAME)
        except OSError as e:
            skipped.append(Skipped(str(d), _os_reason(e)))
            return
        # a child's path from its name alone (``Path(e.path)`` parses the whole path again)
        child = getattr(d, "_make_child_relpath", None) or (lambda name: Path(os.path.join(d, name)))
        dev = st.st_dev
        for e in entries:
            name = e.name
            if name.startswith("."):
                continue
            try:
                if e.is_dir():
                    yield from walk(child(name))
                elif name.lower().endswith(TEXT_SUFFIXES):  # (the suffix of a name not starting with ".")
                    # scandir knows a plain file's inode without another system call
                    yield child(name), (None if e.is_symlink() else (dev, e.inode()))
            except OSError as err:
                skipped.append(Skipped(str(child(name)), _os_reason(err)))

    for raw in paths:
        p = Path(raw)
        if p.is_symlink() and not p.exists():
            skipped.append(Skipped(str(p), "broken or looping symbolic link"))
        elif not p.exists():
            skipped.append(Skipped(str(p), "no such file or directory"))
        elif p.is_dir():
            for f, key in walk(p):
                add_file(f, key)
        else:
            add_file(p)
    return files, skipped


_NAME = attrgetter("name")


def _os_reason(e: OSError) -> str:
    return (e.strerror or type(e).__name__).lower()


def read_source(path: Path) -> Source:
    """Read and decode one file; raises InputError with a one-line reason."""
    return read_source_stat(path)[0]


def read_source_stat(path: Path) -> tuple[Source, os.stat_result]:
    """``read_source``, and the file's status as it was when it was read (its ``fstat`` just
    before reading: a cache may recognise the unchanged file by it)."""
    try:
        # one open and an fstat of it (no stat of the path first): non-blocking, so that a FIFO
        # found among the files is refused by the fstat instead of waiting for a writer
        fd = os.open(path, os.O_RDONLY | _OPEN_FLAGS)
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise InputError("not a regular file")
            if st.st_size > MAX_BYTES:
                raise InputError(
                    f"file too large for an article ({_megabytes(st.st_size)}, limit {_megabytes(MAX_BYTES)})"
                )
            data = _read_to_end(fd, st.st_size)
        finally:
            os.close(fd)
        if len(data) > MAX_BYTES:
            raise InputError(f"file too large for an article (over {_megabytes(MAX_BYTES)})")
    except OSError as e:
        raise InputError(_os_reason(e)) from None
    raw, encoding = decode(data)
    if not raw or raw.isspace():
        raise InputError("empty file")
    return Source(str(path), raw, hashlib.sha256(data).hexdigest(), encoding), st


_OPEN_FLAGS = getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def _read_to_end(fd: int, size: int) -> bytes:
    """The file's bytes to its end, at most the limit plus one (even if it grows meanwhile): the
    size fstat gave plus one byte in one read, then 64 kB at a time only if there was more
    (asking for the limit itself would allocate 16 MB for every file)."""
    parts = []
    total = 0
    want = size + 1
    while total <= MAX_BYTES:
        chunk = os.read(fd, min(want, MAX_BYTES + 1 - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
        want = 1 << 16
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB"


_DECLARED_RE = re.compile(rb"(?:charset|encoding|coding)[\s:=\"']+([A-Za-z0-9_.:-]+)", re.I)


def decode(data: bytes) -> tuple[str, str]:
    """Bytes → text: BOM, then UTF-8, then a declared encoding, then a detected one."""
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                break
    if _looks_binary(data):
        raise InputError("binary file, not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    mixed = _mixed_utf8(data)
    if mixed is not None:
        return mixed, "utf-8+cp1252"
    m = _DECLARED_RE.search(data[:2048])
    if m:
        name = m.group(1).decode("ascii", "replace")
        try:
            codecs.lookup(name)
            return data.decode(name), name.lower()
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000]).best()
        guess = best.encoding if best is not None else None
    except ImportError:  # pragma: no cover - a declared dependency
        guess = None
    # Western single-byte guesses are unreliable on short texts; cp1252 (a superset of Latin-1's
    # printable range) is by far the most common legacy encoding of news text.
    if guess is None or guess.replace("_", "").lower() in _WESTERN:
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            pass
    if guess:
        return data.decode(guess, errors="replace"), guess
    return data.decode("cp1252", errors="replace"), "cp1252"


_WESTERN = {"cp1252", "windows1252", "latin1", "iso88591", "cp1250", "windows1250", "iso88592",
            "iso885915", "cp850", "cp437", "maccyrillic", "macroman", "ascii"}


def _cp1252_bytes(err: UnicodeError) -> tuple[str, int]:
    assert isinstance(err, UnicodeDecodeError)
    bad = err.object[err.start : err.end]
    return bad.decode("cp1252", errors="replace"), err.end


codecs.register_error("wirediff-cp1252", _cp1252_bytes)
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")


def _mixed_utf8(data: bytes) -> str | None:
    """Text that is UTF-8 with a few stray legacy (cp1252) bytes, as concatenated scrapes are:
    decode each stray byte as cp1252, keep the UTF-8.  None when it is not mostly UTF-8."""
    text = data.decode("utf-8", errors="wirediff-cp1252")
    strays = len(data.decode("utf-8", errors="ignore"))
    stray_count = len(text) - strays  # characters that came from stray bytes
    utf8_multibyte = len(_NON_ASCII_RE.findall(text)) - stray_count
    return text if utf8_multibyte > stray_count else None


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    magic = (b"%PDF", b"PK\x03\x04", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"\x7fELF")
    if head.startswith(magic):
        return True
    control = len(head.translate(None, _NOT_CONTROL))
    return bool(head) and control / len(head) > 0.1


# every byte but the C0 controls that never appear in text (all but \t \n \v \f \r)
_NOT_CONTROL = bytes(b for b in range(256) if not (b < 9 or 13 < b < 32))


# -------------------------------------------------------------------------- header
_URL_LINE_RE = re.compile(r"^\s*(?:url:\s*)?(https?://[^\s<>\"]+)\s*$", re.I)
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY_RE = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?"
_DATE_PATTERNS = [
    re.compile(r"(?<!\d)(?P<year>(?:19|20)\d{2})(?P<mon>[01]\d)(?P<day>[0-3]\d)(?!\d)"),
    re.compile(r"(?<!\d)(?P<year>\d{4})[-/.](?P<mon>\d{1,2})[-/.](?P<day>\d{1,2})(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?(?!\d)"),
    re.compile(r"(?<![\w])" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})(?!\d)", re.I),
    re.compile(r"(?<![\w])(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(?P<year>\d{4})(?!\d)", re.I),
    re.compile(r"(?<![\d/])(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<year>\d{4})(?!\d)"),
]
# Everything else a date line may hold: times, zones, weekdays and a few words.
_DATE_NOISE_RE = re.compile(
    r"\d{1,2}(?:[:.]\s?\d{1,2}){1,2}\s*(?:[ap]\.?m\.?)?|\b[ap]\.?m\b\.?|"
    r"\b(?:published|posted|updated|last|on|at|date|dated|modified|created|time|gmt|utc|"
    r"[A-Z]{1,3}[SD]T|" + _WEEKDAY_RE + r")\b|[(){}\[\],:;|@+\-–—/.\d]",
    re.I,
)


_DIGIT_SEARCH = re.compile(r"\d").search


# Header lines repeat across articles (dates, wire titles): stripped line -> parse_date's
# answer, emptied when it reaches _DATE_MEMO_MAX entries (keys are at most 90 characters).
_DATE_MEMO: dict[str, str | None] = {}
_DATE_MEMO_MAX = 20_000


def parse_date(text: str) -> str | None:
    """An ISO date if ``text`` is a date line: a date plus at most a time, a zone and a few words
    ("Published on: Fri, 11 Nov 2011 at 09:56 IST")."""
    t = text.strip()
    if len(t) > 90 or _DIGIT_SEARCH(t) is None:  # every date pattern holds digits
        return None
    try:
        return _DATE_MEMO[t]
    except KeyError:
        pass
    if len(_DATE_MEMO) >= _DATE_MEMO_MAX:
        _DATE_MEMO.clear()
    found = _DATE_MEMO[t] = _parse_date(t)
    return found


def _parse_date(t: str) -> str | None:
    for rx in _DATE_PATTERNS:
        m = rx.search(t)
        if not m:
            continue
        rest = _DATE_NOISE_RE.sub(" ", t[: m.start()] + " " + t[m.end() :]).split()
        if len(rest) > 2:
            return None
        g = m.groupdict()
        if g.get("a"):
            a, b = int(g["a"]), int(g["b"])
            day, month = (a, b) if a > 12 else (b, a)
        else:
            day = int(g["day"])
            month = int(g["mon"]) if g.get("mon") else _MONTHS[g["month"].lower().rstrip(".")]
        try:
            return date(int(g["year"]), month, day).isoformat()
        except ValueError:
            return None
    return None


_LINE_SPLIT_RE = re.compile(r"\r\n|\r|\n")


def _split_lines(text: str, maxsplit: int = -1) -> list[str]:
    """``_LINE_SPLIT_RE.split(text, maxsplit)`` (lines end at CR LF, CR or LF), by str methods."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n", maxsplit)


def parse_header(raw: str) -> Header:
    """Title, date and URL lines among the first non-empty lines of the article."""
    title = published = url = None
    title_line = date_line = url_line = None
    lines = _split_lines(raw[:20000], 12)  # only the first 12 lines are read
    seen = 0
    for no, line in enumerate(lines[:12], start=1):
        text = line.strip()
        if not text:
            continue
        seen += 1
        if seen > 4:
            break
        if url is None and "://" in text and (m := _URL_LINE_RE.match(text)):  # the URL holds "://"
            url, url_line = m.group(1), no
            continue
        if published is None and (d := parse_date(text)):
            published, date_line = d, no
            continue
        if title is None and seen <= 2 and _looks_like_title(text) and no < len(lines):
            title, title_line = text, no
            continue
        break
    return Header(title, title_line, published, date_line, url, url_line)


def _looks_like_title(text: str) -> bool:
    if len(text) > 200:
        return False
    n = len(text.split())
    if n > 30 or n < 2:
        return False
    return not text.rstrip("\"'”’ ").endswith((".", "!", ":", ";", ","))


# -------------------------------------------------------------------------- outlet
_COPYRIGHT_RE = re.compile(
    r"(?:©|\(c\)|copyright)\s*(?:©\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*,?\s*)?(?P<name>[A-Z][\w&.'’ -]{1,60}?)"
    r"(?:,?\s+(?:inc|llc|ltd|plc|limited|corp)\.?)?\s*(?:[.|,]|all rights|$)",
    re.I,
)
_SIGNATURE_RE = re.compile(
    r"^(?:more (?:must-see )?stories from|(?:this (?:article|story) )?(?:originally )?(?:appeared|published) (?:first )?(?:on|in)|"
    r"subscribe to|follow)\s+(?P<name>[A-Z][\w&.'’ -]{1,40}?)\s*[.!]?$",
    re.I,
)


_SECOND_LEVEL = {"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or", "go", "gob", "nic", "info"}
_HOSTED = {"blogspot", "wordpress", "substack", "medium", "tumblr", "github", "typepad", "livejournal"}


def site_of(host: str) -> str:
    """The registrable part of a host name: ``edition.cnn.com`` → ``cnn.com``,
    ``news.bbc.co.uk`` → ``bbc.co.uk``; blogs on a shared host keep their own name."""
    labels = [x for x in host.lower().strip(".").split(".") if x]
    if len(labels) <= 2:
        return ".".join(labels)
    keep = 3 if len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 2
    if labels[-keep] in _HOSTED and len(labels) > keep:
        keep += 1
    return ".".join(labels[-keep:])


# A URL whose host part is plain letters, digits, dots and hyphens (no user, port or
# brackets, nothing urlsplit would strip): its host name is that part, lowercased.
_PLAIN_HOST_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://([A-Za-z0-9.-]+)(?=[/?#]|\Z)")


@lru_cache(maxsize=4096)
def _host_site(host: str) -> str:
    return site_of(host)


def _url_site(url: str) -> str:
    """``site_of(urlsplit(url).hostname or "")``."""
    m = _PLAIN_HOST_RE.match(url)
    if m is not None and "\t" not in url and "\r" not in url and "\n" not in url:
        return _host_site(m.group(1).lower())
    return _host_site(urlsplit(url).hostname or "")


def _last_lines(raw: str, k: int) -> list[str]:
    """The last ``k`` non-blank lines (stripped) of the last 20,000 characters of ``raw``."""
    window = 2000
    while True:
        tail = raw[-window:]
        lines = [t for ln in _split_lines(tail) if (t := ln.strip())]
        # enough lines that the first one, maybe cut by the window, is not among the last k
        if len(lines) > k or window >= 20000 or len(tail) < window:
            return lines[-k:]
        window = min(20000, window * 4)


def infer_outlet(raw: str, url: str | None, path: str) -> tuple[str, str]:
    """The outlet's name and the cue it came from: "url", "copyright", "signature", "filename"."""
    if url:
        host = _url_site(url)
        if host:
            return host, "url"
    lines = _last_lines(raw, 15)
    # every copyright line holds one of these (case aside: "copyr" has no letter that a
    # case-blind regex matches other than by lower())
    block = "\n".join(lines)
    low = block.lower()
    hinted = "\u00a9" in block or "(c)" in low or "copyr" in low
    for ln in reversed(lines) if hinted else ():
        if len(ln) < 200 and (m := _COPYRIGHT_RE.search(ln)) and m.group("name").strip(" .").lower() not in {"the", "all"}:
            return m.group("name").strip(" .-"), "copyright"
    for ln in reversed(lines):
        if len(ln) < 120 and (m := _SIGNATURE_RE.match(ln)):
            return m.group("name").strip(" .-"), "signature"
    return Path(path).stem, "filename"
