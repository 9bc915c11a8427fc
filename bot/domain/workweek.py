"""The shape of a person's working week, as pure functions of their workday mask."""

from __future__ import annotations

from bot.domain.parsing import workday_set

__all__ = ["last_workday"]


def last_workday(mask: int) -> int:
    """The weekday (Monday = 0) that ends the person's working week: the workday followed by
    the longest run of days off (Friday for Mon–Fri, Thursday for Sun–Thu)."""
    days = workday_set(mask)
    best, best_gap = 4, 0
    for day in sorted(days):
        gap = 0
        while gap < 7 and (day + gap + 1) % 7 not in days:
            gap += 1
        if gap > best_gap:
            best, best_gap = day, gap
    return best
