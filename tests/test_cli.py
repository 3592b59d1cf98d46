import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(args, tmp_path, **env):
    e = {**os.environ, "WIREDIFF_HOME": str(tmp_path / "home"), **env}
    e.pop("NO_COLOR", None) if "NO_COLOR" not in env else None
    return subprocess.run([sys.executable, "-m", "tui", *args], capture_output=True, text=True, env=e, cwd=ROOT, timeout=120)


def test_analyze_json_schema(tmp_path):
    p = run(["analyze", "--json", "seeds"], tmp_path)
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc["schema"] == "wirediff.analysis/1"
    assert len(doc["articles"]) == 5
    ids = {s["id"] for a in doc["articles"] for s in a["sentences"]}
    fam_ids = {f["id"] for f in doc["families"]}
    for a in doc["articles"]:
        assert {"id", "path", "outlet", "outlet_cue", "title", "published", "url", "sentences"} <= a.keys()
        raw = Path(ROOT / a["path"]).read_text(encoding="utf-8") if not Path(a["path"]).is_absolute() else Path(a["path"]).read_text(encoding="utf-8")
        for s in a["sentences"]:
            assert {"id", "line", "start", "end", "text", "role", "kind", "family"} <= s.keys()
            assert raw[s["start"] : s["end"]] == s["text"]
            assert s["family"] is None or s["family"] in fam_ids
    for f in doc["families"]:
        assert f["kind"] in {"verbatim", "edited", "quote"}
        assert set(f["members"]) <= ids and len(f["members"]) >= 2
        assert f["first"] is None or f["first"] in f["members"]
    assert sorted(a for c in doc["clusters"] for a in c["articles"]) == sorted(a["id"] for a in doc["articles"])
    assert doc["skipped"] == []


def test_analyze_reports_skipped_files_and_exit_status(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.txt").write_text("A headline\n\nOne sentence here. Another one there.\n")
    (d / "b.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    p = run(["analyze", "--json", str(d), str(tmp_path / "nope")], tmp_path)
    assert p.returncode == 1
    doc = json.loads(p.stdout)
    reasons = {Path(s["path"]).name: s["reason"] for s in doc["skipped"]}
    assert reasons == {"b.txt": "binary file, not text", "nope": "no such file or directory"}
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 2 and all(ln.startswith("wirediff: skipped ") for ln in lines)
    assert "Traceback" not in p.stderr


def test_nothing_readable_is_one_line_and_status_2(tmp_path):
    p = run(["show", str(tmp_path / "nope")], tmp_path)
    assert p.returncode == 2
    assert "Traceback" not in p.stderr
    assert "no readable articles" in p.stderr


@pytest.mark.parametrize("env", [{"NO_COLOR": "1"}, {}])
def test_show_is_legible_without_colour(tmp_path, env):
    p = run(["show", "--one-story", "seeds"], tmp_path, **env)
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert "\x1b[" not in out  # piped: no escape codes
    assert "Latin Times (outlet from copyright)" in out
    assert "TIME (outlet from signature)" in out
    # shared sentences carry a kind glyph and a family tag; boilerplate a dot and its kind
    assert " = " in out or " =1" in out
    assert "verbatim:" in out
    assert "[copyright]" in out


def test_paths_command_uses_override(tmp_path):
    p = run(["paths"], tmp_path)
    assert p.returncode == 0
    assert str(tmp_path / "home") in p.stdout


def test_listing_walked_aside_is_the_listing(wd_home, tmp_path, monkeypatch):
    """``wirediff DIR`` walks the inputs in a forked child while Textual is imported: what comes
    back through the pipe is the listing the process would have made itself."""
    import shutil

    from tui import cache, cli

    d = tmp_path / "corpus"
    shutil.copytree(ROOT / "seeds", d)
    (d / "empty.txt").write_text("")  # unreadable: listed now, skipped when read
    cold = cli._listing_aside([str(d)], one_story=False, use_cache=True)()
    assert cold == cache.open_listing([str(d)]) and cold.summaries is None
    cache.load_analysis([str(d)])
    warm = cli._listing_aside([str(d)], one_story=False, use_cache=True)()
    assert warm == cache.open_listing([str(d)])
    assert warm.summaries and warm.key and [s.story.id for s in warm.summaries]
    assert all(isinstance(f, Path) for f in warm.files) and len(warm.files) == 6

    def broken(*_a, **_k):
        raise OSError("disk gone")

    monkeypatch.setattr(cache, "open_listing", broken)  # the child fails: the caller lists itself
    assert cli._listing_aside([str(d)], one_story=False, use_cache=True)() is None
