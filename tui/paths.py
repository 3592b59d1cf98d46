"""Where state lives: platformdirs, overridable with WIREDIFF_HOME (tests, portable use)."""

from __future__ import annotations

import os
from pathlib import Path

APP = "wirediff"


def _override() -> Path | None:
    home = os.environ.get("WIREDIFF_HOME")
    return Path(home) if home else None


def data_dir() -> Path:
    if (o := _override()) is not None:
        return o / "data"
    from platformdirs import user_data_path

    return user_data_path(APP, appauthor=False)


def cache_dir() -> Path:
    if (o := _override()) is not None:
        return o / "cache"
    from platformdirs import user_cache_path

    return user_cache_path(APP, appauthor=False)


def config_dir() -> Path:
    if (o := _override()) is not None:
        return o / "config"
    from platformdirs import user_config_path

    return user_config_path(APP, appauthor=False)


def config_file() -> Path:
    return config_dir() / "config.toml"


def state_db() -> Path:
    return data_dir() / "state.sqlite3"


def cache_db() -> Path:
    return cache_dir() / "analysis.sqlite3"


def seeds_dir() -> Path:
    """The bundled seed articles: the repo's seeds/ (editable install) or the packaged copy."""
    here = Path(__file__).resolve().parent
    for cand in (here.parent / "seeds", here / "seeds"):
        if cand.is_dir():
            return cand
    return here.parent / "seeds"
