"""Writes to cases (filled in with the cases app)."""

from collections.abc import Iterable


def entries_liquidation_changed(entry_ids: Iterable[int]) -> int:
    """Recompute the deadlines of open cases on entries whose liquidation facts changed."""
    return 0
