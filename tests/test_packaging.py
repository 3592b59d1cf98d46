import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The five real seed articles, byte for byte as they were given.
SEED_SHA256 = {
    "000_2a02b51f223285e3.txt": "07dd4cb1c45568d4deb662b620c2c1c1a958a31ca0ba565d1b1079b5cf232455",
    "001_ac9ac268acd449d4.txt": "c0432578269c6528931a668fa9da605a6c959f4a8f2dbbf1555e284656826020",
    "002_28472d7fc796ce2d.txt": "d4f4f440a6fd07e463029c963c741ab805e326b0049e4f056ca1a598ff265ba0",
    "003_3ac222fe75dd92ff.txt": "8c7b2d76a47cefc73d919e78ee91f5eb15512fa444b1010af1604b8fa76907a2",
    "004_f651b293cecaea42.txt": "40bb07e83d294616bfdfdecb32ab6997efe67ce3d590d6bfd3f5a4fc36f93e10",
}


def test_seeds_are_byte_for_byte():
    got = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((ROOT / "seeds").iterdir())}
    assert got == SEED_SHA256


def test_wheel_carries_stylesheet_and_seeds(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    (wheel,) = tmp_path.glob("wirediff-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "tui/app.tcss" in names
    assert {f"tui/seeds/{n}" for n in SEED_SHA256} <= names
    assert not any(n.startswith(("tests/", "bench/", "scripts/")) for n in names)


def test_python_dash_m_tui_runs():
    p = subprocess.run([sys.executable, "-m", "tui", "--version"], capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 0 and p.stdout.startswith("wirediff ")
