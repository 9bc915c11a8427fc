"""Tallies of closed pulse polls: counts per answer in button order, and the percentages
people read. Pure: values in, values out."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Tally", "percent_texts", "percentages"]


def _decimals(counts: list[int] | tuple[int, ...]) -> int:
    """0, or 1 when whole percentages would show two different counts as the same."""
    total = sum(counts)
    seen: dict[int, int] = {}
    for count in counts:
        whole = int(count * 100 / total + 0.5)
        if seen.setdefault(whole, count) != count:
            return 1
    return 0


def percentages(counts: list[int] | tuple[int, ...]) -> list[float]:
    """Each count's share, rounded on its own: equal counts always show equal percentages
    (1, 1, 1 → 33, 33, 33; the total need not be 100). One decimal when whole numbers would
    make different counts look equal (200 vs 201); all 0 when there are no answers."""
    total = sum(counts)
    if total == 0:
        return [0.0 for _ in counts]
    places = _decimals(counts)
    scale = 10**places
    return [int(c * 100 * scale / total + 0.5) / scale for c in counts]


def percent_texts(counts: list[int] | tuple[int, ...]) -> list[str]:
    """:func:`percentages` as people read them: ``33%`` or, when decimals are needed, ``49.9%``."""
    if not sum(counts):
        return ["0%" for _ in counts]
    places = _decimals(counts)
    return [f"{value:.{places}f}%" for value in percentages(counts)]


@dataclass(frozen=True, slots=True)
class Tally:
    """Counts per answer, in button order."""

    labels: tuple[str, ...]
    counts: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.labels) != len(self.counts):
            raise ValueError("a tally needs one count per label")
        if any(c < 0 for c in self.counts):
            raise ValueError("counts are never negative")

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def percentages(self) -> list[float]:
        return percentages(self.counts)

    @property
    def percent_texts(self) -> list[str]:
        return percent_texts(self.counts)

    def mean(self) -> float | None:
        """The average answer of a scale whose labels are numbers; ``None`` otherwise."""
        if not self.total or not all(label.isdigit() for label in self.labels):
            return None
        return sum(int(label) * c for label, c in zip(self.labels, self.counts, strict=True)) / (
            self.total
        )

    def lines(self) -> list[str]:
        """``Yes — 7 (58%)`` per answer."""
        return [
            f"{label} — {count} ({pct})"
            for label, count, pct in zip(self.labels, self.counts, self.percent_texts, strict=True)
        ]
