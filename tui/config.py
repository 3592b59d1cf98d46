"""User configuration: a TOML file at ``paths.config_file()``.

```toml
theme = "textual-light"          # any Textual theme name
boilerplate = "dim"              # dim | hidden | shown
ascii = false                    # ASCII gutter glyphs (= ~ ")

[keymap]                         # binding-id = "keys" (comma separated for several)
next-shared = "n,right_square_bracket"
toggle-star = "S"
```
Binding ids are listed by the help screen (``?``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

BOILERPLATE_MODES = ("dim", "hidden", "shown")
DEFAULT_THEME = "textual-dark"


@dataclass(frozen=True)
class Config:
    theme: str = DEFAULT_THEME
    boilerplate: str = "dim"
    ascii: bool = False
    keymap: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


def load_config(path: Path | None) -> tuple[Config, list[str]]:
    """Read the config; returns the config and a list of problems (never raises on bad input)."""
    problems: list[str] = []
    if path is None or not path.exists():
        return Config(), problems
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        return Config(), [f"cannot read {path}: {e}"]
    except tomllib.TOMLDecodeError as e:
        return Config(), [f"{path} is not valid TOML: {e}"]
    return parse_config(data, problems, str(path)), problems


def parse_config(data: Mapping[str, object], problems: list[str], where: str = "config") -> Config:
    kw: dict[str, object] = {}
    theme = data.get("theme")
    if theme is not None:
        if isinstance(theme, str) and theme:
            kw["theme"] = theme
        else:
            problems.append(f"{where}: theme must be a theme name")
    bp = data.get("boilerplate")
    if bp is not None:
        if bp in BOILERPLATE_MODES:
            kw["boilerplate"] = bp
        else:
            problems.append(f"{where}: boilerplate must be one of {', '.join(BOILERPLATE_MODES)}")
    asc = data.get("ascii")
    if asc is not None:
        if isinstance(asc, bool):
            kw["ascii"] = asc
        else:
            problems.append(f"{where}: ascii must be true or false")
    km = data.get("keymap", {})
    keymap: dict[str, str] = {}
    if isinstance(km, dict):
        for k, v in km.items():
            if isinstance(v, str) and v.strip():
                keymap[str(k)] = v.strip()
            elif isinstance(v, list) and v and all(isinstance(x, str) for x in v):
                keymap[str(k)] = ",".join(x.strip() for x in v)
            else:
                problems.append(f"{where}: keymap.{k} must be a key string such as \"ctrl+n\"")
    else:
        problems.append(f"{where}: [keymap] must be a table")
    kw["keymap"] = MappingProxyType(keymap)
    unknown = set(data) - {"theme", "boilerplate", "ascii", "keymap"}
    for k in sorted(unknown):
        problems.append(f"{where}: unknown setting {k!r}")
    return Config(**kw)  # type: ignore[arg-type]
