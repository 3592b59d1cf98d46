"""The analysis engine: pure functions over plain data.  Imports neither textual nor rich."""

ENGINE_VERSION = "8"  # bump whenever results can change: caches key on it
