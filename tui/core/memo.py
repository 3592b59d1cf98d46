"""What earlier runs can lend an analysis (``Memo``), kept apart from the pipeline so that the cache
and the stories list can be opened without importing the matching engine (numpy, rapidfuzz)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .pipeline import Clustering, Prepared, StoryResult


class Memo:
    """Results of earlier runs, looked up in batches; this default remembers nothing.

    ``tui.cache`` implements it over SQLite.  Keys include ``ENGINE_VERSION``."""

    def get_prepared(self, digests: Sequence[str]) -> dict[str, Prepared]:
        return {}

    def put_prepared(self, items: Mapping[str, Prepared]) -> None:
        pass

    def known_prepared(self, digests: Sequence[str]) -> set[str]:
        """Which of ``digests`` ``get_prepared`` would find (without reading them)."""
        return set(self.get_prepared(digests))

    def get_stories(self, keys: Sequence[str]) -> dict[str, StoryResult]:
        return {}

    def put_stories(self, items: Mapping[str, StoryResult]) -> None:
        pass

    def get_clustering(self, scope: str) -> Clustering | None:
        return None

    def put_clustering(self, scope: str, value: Clustering) -> None:
        pass
