"""The anonymity floor every aggregated view shares (team views, pulse results)."""

from __future__ import annotations

__all__ = ["MIN_K", "effective_k"]

# Below three people, a group's aggregate can be reverse-engineered by its members.
MIN_K = 3


def effective_k(*thresholds: int) -> int:
    """The threshold that applies: the highest of those given, never below :data:`MIN_K`
    (a poll passes its own k and the team's, so lowering the team's k later reveals no
    poll whose voters were promised more company)."""
    return max(MIN_K, *thresholds)
