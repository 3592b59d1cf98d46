"""Who carried a family first, when the publication dates allow saying so."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def first_carrier(members: Sequence[str], published: Mapping[str, str | None]) -> str | None:
    """The member whose article was published strictly before every other carrier's.

    ``published`` maps member ids to ISO dates.  When any carrier lacks a date, or the
    earliest date is shared by two articles, the order is unknown and None is returned:
    saying "unknown" is better than guessing.
    """
    dates = [(published.get(m), m) for m in members]
    if not dates or any(d is None for d, _ in dates):
        return None
    dates.sort()
    if len(dates) > 1 and dates[0][0] == dates[1][0]:
        return None
    return dates[0][1]
