"""Pure helpers of the right to disconnect: the team's weekly "needed to" share, published
in versions that differ by at least k people, and the ``team disconnect`` report's words.

Versions: the week's answers are ordered by when they were given; version *j* holds every
answer given up to the moment the (j·k)-th distinct person first answered. Consecutive
versions therefore differ by at least k people, so comparing two of them never isolates one
person's answer (the same rule as the quiz's team view)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

__all__ = ["Answer", "Published", "disconnect_report", "share_text", "versioned", "week_start"]


@dataclass(frozen=True, slots=True)
class Answer:
    member: int
    needed: bool
    at: datetime


@dataclass(frozen=True, slots=True)
class Published:
    people: int  # distinct people in this version (a multiple of k)
    answers: int
    needed: int


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def versioned(answers: list[Answer], k: int) -> Published | None:
    """The newest publishable version, or ``None`` while fewer than k people answered."""
    ordered = sorted(answers, key=lambda a: (a.at, a.member))
    seen: list[int] = []
    cut: datetime | None = None
    for answer in ordered:
        if answer.member not in seen:
            seen.append(answer.member)
            if len(seen) % k == 0:
                cut = answer.at
    if cut is None:
        return None
    people = len(seen) - len(seen) % k
    included = [a for a in ordered if a.at <= cut]
    return Published(people, len(included), sum(1 for a in included if a.needed))


def share_text(published: Published) -> str:
    share = round(100 * published.needed / published.answers) if published.answers else 0
    return (
        f"This week: {share}% of late evenings were marked “needed to” "
        f"({published.answers} answers from {published.people} people; updated in steps of "
        "whole groups, never one person)."
    )


def disconnect_report(counts: dict[str, int], *, strict: bool, weeks: int = 4) -> str:
    """The works-council report: three counts, no person."""
    inside = counts.get("inside", 0)
    asked = counts.get("asked", 0)
    unasked = counts.get("unasked", 0)
    total = inside + asked + unasked
    mode = "on" if strict else "off"
    return (
        f"Crossfade's direct messages in the last {weeks} weeks: {total}.\n"
        f"• inside people's working windows: {inside}\n"
        f"• outside, as the person asked (their own log-off reminder, heads-up, snooze, a "
        f"check-in time they confirmed): {asked}\n"
        f"• outside, unasked: {unasked}\n"
        f"Strict mode is {mode}. Totals for the whole team only — no per-person data is kept "
        "for this report."
    )
