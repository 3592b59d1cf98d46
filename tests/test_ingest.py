import os
from pathlib import Path

import pytest

from tui.core.ingest import (
    InputError,
    decode,
    discover,
    infer_outlet,
    parse_date,
    parse_header,
    read_source,
)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.mark.parametrize(
    "line, iso",
    [
        ("20220719", "2022-07-19"),
        ("2022-07-19", "2022-07-19"),
        ("2022-07-19T10:00:00Z", "2022-07-19"),
        ("July 19, 2022", "2022-07-19"),
        ("Aug. 5, 2021", "2021-08-05"),
        ("December 15th, 2008, 7:35 am", "2008-12-15"),
        ("19 July 2022 10:00 GMT", "2022-07-19"),
        ("Published on: Fri, 11 Nov 2011 at 09:56 IST", "2011-11-11"),
        ("Updated 09/14/2013 01:03 PM", "2013-09-14"),
        ("27/09/2013", "2013-09-27"),
    ],
)
def test_date_lines(line, iso):
    assert parse_date(line) == iso


@pytest.mark.parametrize(
    "line",
    ["North Korea 2022", "Teixeira will be 29 in April.", "20221399", "2022071999",
     "On July 19, 2022 the ambassador told a newspaper that workers could come"],
)
def test_not_date_lines(line):
    assert parse_date(line) is None


def test_seed_headers():
    h = parse_header((SEEDS / "001_ac9ac268acd449d4.txt").read_text(encoding="utf-8"))
    assert h.title == "North Koreans could rebuild Donbas Russian envoy" and h.title_line == 1
    assert h.published == "2022-07-19" and h.date_line == 2
    assert h.url.startswith("https://www.taipeitimes.com/") and h.url_line == 3
    h0 = parse_header((SEEDS / "000_2a02b51f223285e3.txt").read_text(encoding="utf-8"))
    assert h0.title is None and h0.published is None and h0.url is None
    h3 = parse_header((SEEDS / "003_3ac222fe75dd92ff.txt").read_text(encoding="utf-8"))
    assert h3.title == "Russia Says It May Use North Koreans To Rebuild The Donbass After The War Ends"


def test_header_line_numbers_follow_crlf_and_cr():
    for nl in ("\n", "\r\n", "\r"):
        raw = nl.join(["A headline here", "2022-07-19", "https://example.com/a", "Body sentence one. Two."])
        h = parse_header(raw)
        assert (h.title_line, h.date_line, h.url_line) == (1, 2, 3)


@pytest.mark.parametrize(
    "name, cue, outlet",
    [
        ("000_2a02b51f223285e3.txt", "copyright", "Latin Times"),
        ("001_ac9ac268acd449d4.txt", "url", "taipeitimes.com"),
        ("002_28472d7fc796ce2d.txt", "filename", "002_28472d7fc796ce2d"),
        ("004_f651b293cecaea42.txt", "signature", "TIME"),
    ],
)
def test_outlet_cues_on_seeds(name, cue, outlet):
    raw = (SEEDS / name).read_text(encoding="utf-8")
    h = parse_header(raw)
    assert infer_outlet(raw, h.url, str(SEEDS / name)) == (outlet, cue)


def test_outlet_host_drops_www_and_mobile():
    assert infer_outlet("x", "https://m.bbc.co.uk/news/1", "f.txt") == ("bbc.co.uk", "url")
    assert infer_outlet("Text.\nCopyright 2023 The Straits Times. All rights reserved.", None, "f.txt") == (
        "The Straits Times",
        "copyright",
    )


def test_decode_legacy_encodings():
    text = "Café au lait – “quoted” naïve"
    assert decode(text.encode("utf-8")) == (text, "utf-8")
    assert decode(codecs_bom("utf-16") + text.encode("utf-16-le"))[0] == text
    raw, enc = decode(text.encode("cp1252"))
    assert raw == text and enc.replace("_", "").lower() in {"cp1252", "windows1252"}
    declared = "<meta charset='iso-8859-1'> façade déjà".encode("latin-1")
    assert decode(declared) == ("<meta charset='iso-8859-1'> façade déjà", "iso-8859-1")


def codecs_bom(name):
    import codecs

    return {"utf-16": codecs.BOM_UTF16_LE}[name]


def test_read_source_reasons(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"  \n\n\t")
    (tmp_path / "nul.txt").write_bytes(b"abc\x00def" * 10)
    (tmp_path / "pdf.txt").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj")
    for name, reason in [("empty.txt", "empty"), ("blank.txt", "empty"), ("nul.txt", "binary"), ("pdf.txt", "binary")]:
        with pytest.raises(InputError, match=reason):
            read_source(tmp_path / name)


def test_discover_recursive_sorted_and_skips(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.md").write_text("x")
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    (tmp_path / ".hidden.txt").write_text("x")
    os.symlink(tmp_path, tmp_path / "b" / "loop")
    files, skipped = discover([tmp_path, tmp_path / "missing"])
    assert [f.relative_to(tmp_path).as_posix() for f in files] == ["a.txt", "b/z.md"]
    assert [(Path(s.path).name, s.reason) for s in skipped] == [("missing", "no such file or directory")]


@pytest.mark.parametrize(
    "host, site",
    [
        ("www.taipeitimes.com", "taipeitimes.com"),
        ("edition.cnn.com", "cnn.com"),
        ("news.bbc.co.uk", "bbc.co.uk"),
        ("www.abc.net.au", "abc.net.au"),
        ("the-palmerpost.blogspot.nl", "the-palmerpost.blogspot.nl"),
        ("localhost", "localhost"),
    ],
)
def test_site_of_host(host, site):
    from tui.core.ingest import site_of

    assert site_of(host) == site


def test_mixed_utf8_with_stray_cp1252_bytes():
    data = "Ukraine’s “sovereignty” – part one. ".encode() + "Café naïve 1€ price.".encode("cp1252")
    assert decode(data) == ("Ukraine’s “sovereignty” – part one. Café naïve 1€ price.", "utf-8+cp1252")
    # pure legacy text stays a legacy decode, not a mixed one
    assert decode("Café naïve – “x”".encode("cp1252"))[1] == "cp1252"


def test_discover_reads_each_file_once(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "sub").mkdir()
    os.symlink(tmp_path / "a.txt", tmp_path / "sub" / "link-to-a.txt")
    files, skipped = discover([tmp_path, tmp_path / "a.txt"])
    assert [f.relative_to(tmp_path).as_posix() for f in files] == ["a.txt"]
    assert skipped == []


def test_outlet_from_copyright_behind_long_tail_lines():
    # the copyright line is followed by 14 long lines (far more than 2,000 characters):
    # it is still among the last 15 non-blank lines
    tail = "\n\n".join("Related: " + "word " * 100 + str(i) for i in range(14))
    raw = "Body sentence one.\n\u00a9 2024 Riverton Register\n" + tail + "\n"
    assert infer_outlet(raw, None, "x/a.txt") == ("Riverton Register", "copyright")
    # a 16th line from the end is not read
    raw = "Body sentence one.\n\u00a9 2024 Riverton Register\n" + tail + "\nOne more line\n"
    assert infer_outlet(raw, None, "x/a.txt") == ("a", "filename")


@pytest.mark.parametrize("sign", ["COPYRIGHT 2020", "Copyright \u00a9 2020", "(C) 2020", "\u00a9"])
def test_outlet_copyright_case_blind(sign):
    raw = f"Body.\r\n{sign} Daily Planet Ltd.\r\n\r\n"
    assert infer_outlet(raw, None, "x/a.txt") == ("Daily Planet", "copyright")


@pytest.mark.parametrize(
    "url, site",
    [
        ("https://edition.CNN.com/2024/x.html", "cnn.com"),
        ("HTTP://User@News.BBC.co.uk:8080/x", "bbc.co.uk"),
        ("http://[::1]:80/", "::1"),
        ("http://ex\tample.com/a", "example.com"),  # urlsplit drops tabs
        ("https://foo.blogspot.com?x=1", "foo.blogspot.com"),
    ],
)
def test_outlet_from_url_host(url, site):
    assert infer_outlet("Body.\n", url, "x/a.txt") == (site, "url")


def test_header_lines_with_mixed_line_ends():
    raw = "Title of the story here\r\rMarch 3, 2021\n\r\nhttps://a.example/x\r\nBody."
    h = parse_header(raw)
    assert (h.title, h.title_line, h.published, h.date_line, h.url, h.url_line) == (
        "Title of the story here", 1, "2021-03-03", 3, "https://a.example/x", 5
    )


def test_read_source_reads_the_whole_file(tmp_path):
    text = "".join(f"Sentence {i} of a long article.\n" for i in range(20000))  # ~660 KB
    p = tmp_path / "long.txt"
    p.write_text(text, encoding="utf-8")
    src = read_source(p)
    assert src.raw == text and src.encoding == "utf-8"
    assert src.digest == __import__("hashlib").sha256(text.encode()).hexdigest()
    (tmp_path / "blank.txt").write_text(" \n\t\u2003\n", encoding="utf-8")
    with pytest.raises(InputError, match="empty file"):
        read_source(tmp_path / "blank.txt")


def test_read_to_end_reads_past_a_stale_size_up_to_the_limit(tmp_path, monkeypatch):
    import os

    from tui.core import ingest

    data = bytes(range(256)) * 1000  # 256 kB
    p = tmp_path / "grew.txt"
    p.write_bytes(data)
    fd = os.open(p, os.O_RDONLY)
    try:
        assert ingest._read_to_end(fd, 10) == data  # the file grew after its size was taken
    finally:
        os.close(fd)
    monkeypatch.setattr(ingest, "MAX_BYTES", 100_000)
    fd = os.open(p, os.O_RDONLY)
    try:
        assert ingest._read_to_end(fd, 10) == data[:100_001]  # never more than the limit plus one
    finally:
        os.close(fd)
    with pytest.raises(InputError, match="too large"):
        read_source(p)
