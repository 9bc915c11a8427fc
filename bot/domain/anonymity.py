"""The anonymity floor every aggregated view shares (team views, pulse results)."""

from __future__ import annotations

__all__ = ["MIN_K", "effective_k", "k_note"]

# Below three people, a group's aggregate can be reverse-engineered by its members.
MIN_K = 3


def effective_k(*thresholds: int) -> int:
    """The threshold that applies: the highest of those given, never below :data:`MIN_K`
    (a poll passes its own k and the team's, so lowering the team's k later reveals no
    poll whose voters were promised more company)."""
    return max(MIN_K, *thresholds)


def k_note(*, have: int, k: int, what: str) -> str:
    """“2 people have …; 3 more are needed” — the sentence for a group below k."""
    more = k - have
    people = "person has" if have == 1 else "people have"
    return (
        f"{have} {people} {what} so far. To keep everyone's answers private, results appear "
        f"once at least {k} have — {more} more needed."
    )
