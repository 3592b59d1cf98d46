import io

from rich.console import Console

from tui.core.pipeline import analyze_texts
from tui.render import inert, story_report


def test_inert_keeps_length_and_removes_controls():
    s = "a\x1b[31mred\x1b]0;title\x07 \x9b2J \u202etxet\u202c\tz\n"
    out = inert(s)
    assert len(out) == len(s)
    assert not any(ord(c) < 0x20 and c not in "\t\n" for c in out)
    assert not any(0x80 <= ord(c) < 0xA0 or 0x202A <= ord(c) <= 0x202E for c in out)
    assert out.endswith("\tz\n")


def test_ansi_in_articles_is_shown_as_text():
    evil = "Evil title\n\nThe \x1b[2J\x1b]0;pwned\x07 screen is cleared here. Another sentence \x1b[31mred\x1b[0m follows."
    a = analyze_texts([("evil.txt", evil), ("b.txt", "Something else entirely. Nothing shared at all.")], one_story=True)
    buf = io.StringIO()
    Console(file=buf, width=100, force_terminal=True, color_system="truecolor").print(story_report(a, a.stories[0]))
    out = buf.getvalue()
    assert "\x1b[2J" not in out and "\x1b]0;" not in out and "\x07" not in out
    assert "␛[2J" in out and "␛]0;pwned␇" in out
