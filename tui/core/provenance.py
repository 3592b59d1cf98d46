"""Who carried a family first, when the publication dates allow saying so."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def first_carrier(members: Sequence[str], published: Mapping[str, str | None]) -> str | None:
    """The member whose article was published strictly before every other carrier's.

    ``published`` maps member ids to ISO dates.  When any carrier lacks a date, or the
    earliest date is shared by two articles, the order is unknown and None is returned:
    saying "unknown" is better than guessing.
    """
    return first_of(members, [published.get(m) for m in members])


def first_of(members: Sequence[str], dates: Sequence[str | None]) -> str | None:
    """``first_carrier`` with the members' dates given in member order."""
    k = first_index(dates)
    return None if k is None else members[k]


def first_index(dates: Sequence[str | None]) -> int | None:
    """Where the one earliest of ``dates`` is; None when a date is missing or the earliest is
    shared (or there are none)."""
    if not dates or None in dates:
        return None
    first = min(dates)  # (ISO dates order as text)
    if dates.count(first) > 1:
        return None
    return dates.index(first)
