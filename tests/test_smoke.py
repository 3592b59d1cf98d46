import subprocess
import sys


def test_core_does_not_import_ui():
    code = "import sys, tui.core.pipeline, tui.core.export; print('textual' in sys.modules, 'rich' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
