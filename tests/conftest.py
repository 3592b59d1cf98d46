import os

# Before textual is imported anywhere: no animations, deterministic runs.
os.environ["TEXTUAL_ANIMATIONS"] = "none"
os.environ.pop("NO_COLOR", None)

import pytest  # noqa: E402


@pytest.fixture
def wd_home(tmp_path, monkeypatch):
    """A private WIREDIFF_HOME: tests never touch the real state, config or cache."""
    home = tmp_path / "home"
    monkeypatch.setenv("WIREDIFF_HOME", str(home))
    return home


@pytest.fixture
def empty_line_memo():
    """Segmentation's line memo emptied before and after the test."""
    from tui.core import text

    text._LINE_MEMO.clear()
    text._line_memo_chars = 0
    yield
    text._LINE_MEMO.clear()
    text._line_memo_chars = 0


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Run ``async def`` tests with asyncio (no async plugin needed)."""
    import asyncio
    import inspect

    if inspect.iscoroutinefunction(pyfuncitem.obj):
        names = pyfuncitem._fixtureinfo.argnames
        kwargs = {n: pyfuncitem.funcargs[n] for n in names}
        asyncio.run(pyfuncitem.obj(**kwargs))
        return True
    return None
