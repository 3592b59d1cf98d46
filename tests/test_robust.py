import codecs
"""Hostile input: analysis never raises, every file is either read or skipped with a reason."""

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.core.pipeline import analyze, analyze_texts

_CHARS = st.characters(exclude_categories=("Cs",)) | st.sampled_from(
    list("\x00\x1b\r\n\u2028\u0085\x0b\x0c\u200b\u200f\u202e\ufeff.!?“”’—– ")
)
_PIECES = st.sampled_from(
    ["U.S. ", "Mr. ", "\r\n", "...", "© 2024 X. ", "Read more: ", "“Quote,” he said. ", "The same sentence again. "]
)
HOSTILE_TEXT = st.lists(st.text(_CHARS, max_size=30) | _PIECES, max_size=40).map("".join)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(HOSTILE_TEXT, min_size=1, max_size=4))
def test_analysis_never_raises_on_arbitrary_unicode(texts):
    a = analyze_texts([(f"t{i}.txt", t) for i, t in enumerate(texts)])
    for art in a.articles:
        for s in art.sentences:
            assert art.raw[s.start : s.end] == s.text and s.text
    assert sorted(x for st_ in a.stories for x in st_.articles) == sorted(x.id for x in a.articles)


ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.one_of(
            st.binary(max_size=600),
            st.tuples(HOSTILE_TEXT, st.sampled_from(ENCODINGS)).map(
                lambda te: te[0].encode(te[1], errors="replace")
            ),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_hostile_files_are_read_or_skipped(tmp_path_factory, blobs):
    d = tmp_path_factory.mktemp("hostile")
    for i, b in enumerate(blobs):
        (d / f"f{i}.txt").write_bytes(b)
    a = analyze([d])
    names = sorted(os.path.basename(x.path) for x in a.articles) + sorted(os.path.basename(s.path) for s in a.skipped)
    assert sorted(names) == sorted(f"f{i}.txt" for i in range(len(blobs)))
    for s in a.skipped:
        assert s.reason and "\n" not in s.reason

def test_mixed_line_ends_and_encodings(tmp_path):
    text = "Headline of the day\r\n20220719\r\nFirst sentence here. Second one – with “quotes”.\rThird on a CR line.\n"
    (tmp_path / "crlf.txt").write_bytes(text.encode("utf-8"))
    (tmp_path / "bom16.txt").write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    (tmp_path / "win.txt").write_bytes(text.encode("cp1252"))
    a = analyze([tmp_path], one_story=True)
    assert not a.skipped
    for art in a.articles:
        assert art.title == "Headline of the day"
        assert art.published == "2022-07-19"
        assert any(s.text == "Third on a CR line." and s.line == 4 for s in art.sentences)


def test_awkward_files_are_skipped_with_reasons(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "ok.txt").write_text("A real headline\n\nA sentence of the article. Another sentence.\n")
    os.mkfifo(d / "pipe.txt")  # reading it would block forever
    os.symlink(d / "nowhere.txt", d / "dangling.txt")
    os.symlink(d / "loop-b.txt", d / "loop-a.txt")
    os.symlink(d / "loop-a.txt", d / "loop-b.txt")
    with open(d / "huge.txt", "wb") as fh:  # 50 MB, sparse: cheap to make
        fh.truncate(50 * 1024 * 1024)
    (d / "dir.txt").mkdir()  # a folder with a text suffix is walked, not read
    (d / "dir.txt" / "inner.md").write_text("Inner headline\n\nInner text here. More of it.\n")
    a = analyze([d, d / "loop-a.txt"])
    assert sorted(os.path.basename(x.path) for x in a.articles) == ["inner.md", "ok.txt"]
    reasons = {os.path.basename(s.path): s.reason for s in a.skipped}
    assert reasons["pipe.txt"] == "not a regular file"
    assert reasons["dangling.txt"] == "no such file or directory"
    assert reasons["loop-a.txt"] in {"too many levels of symbolic links", "broken or looping symbolic link"}
    assert reasons["huge.txt"].startswith("file too large for an article (50 MB")
    assert all("\n" not in r for r in reasons.values())


def test_twenty_thousand_files(tmp_path):
    d = tmp_path / "many"
    d.mkdir()
    for i in range(20_000):
        (d / f"{i:05d}.txt").write_bytes(b"")
    (d / "real.txt").write_text("Headline here\n\nThe only sentence with words. And one more.\n")
    a = analyze([d])
    assert [os.path.basename(x.path) for x in a.articles] == ["real.txt"]
    assert len(a.skipped) == 20_000 and {s.reason for s in a.skipped} == {"empty file"}


def test_single_long_line(tmp_path):
    line = " ".join(f"Sentence number {i} talks about item {i % 97} in the city." for i in range(20_000))
    (tmp_path / "long.txt").write_text(line)  # ~1.2 MB on one line
    a = analyze([tmp_path])
    (art,) = a.articles
    assert len(art.sentences) == 20_000
    assert all(s.line == 1 and art.raw[s.start : s.end] == s.text for s in art.sentences)
