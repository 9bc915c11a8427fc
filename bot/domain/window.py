"""The working window and the rule that keeps the bot's hands off the rest of the day.

Pure functions over values (no I/O). The dispatcher asks :func:`decide` about every scheduled
DM before it is queued; ``next`` and the ``team disconnect`` report use the same answers, so
what is promised, what is sent and what is counted cannot drift apart.

A person's window is ``start``–``end`` local time on their workdays (not on away days or
public holidays). ``start`` is their own start of day, else the team's (default 09:00);
``end`` is their log-off time. Both ends are inside: the log-off reminder and the weekly
summary at log-off time belong to the day. Quiet hours stay the outer limit: the scheduling
engine never fires inside them, whatever this module says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot.domain.schedule import PersonalRules

__all__ = [
    "ASKED_KINDS",
    "CHECKIN_KIND",
    "DEFAULT_START",
    "Category",
    "Verdict",
    "WorkWindow",
    "decide",
    "next_window_start",
    "usual_window",
    "window_on",
]

DEFAULT_START = time(9, 0)
CHECKIN_KIND = "checkin"
# What a person asked for themselves: their own log-off reminder, its heads-up and snooze.
ASKED_KINDS = frozenset(
    {"logoff.heads_up", "logoff.remind", "logoff.hours_heads_up", "logoff.hours", "logoff.snooze"}
)
# Scheduled DMs that make sense a few hours later wait for the next window; the others (a
# check-in asks about *today*) are dropped with a reason the person can read in `next`.
DROP_KINDS = frozenset({CHECKIN_KIND})
# Wait at most this long for a window (a long leave drops the message instead).
MAX_WAIT = timedelta(days=4)

Category = Literal["inside", "asked", "unasked"]
Action = Literal["send", "defer", "drop"]


@dataclass(frozen=True, slots=True)
class WorkWindow:
    """Local start and end of the working day (``end`` may be after midnight: night shifts)."""

    start: time
    end: time

    def contains(self, clock: time) -> bool:
        clock = clock.replace(second=0, microsecond=0, tzinfo=None)
        if self.start <= self.end:
            return self.start <= clock <= self.end
        return clock >= self.start or clock <= self.end

    def label(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


@dataclass(frozen=True, slots=True)
class Verdict:
    """What to do with one scheduled DM: ``send`` it now, ``defer`` it to ``until`` (the next
    window start), or ``drop`` it; ``reason`` says why in words a person reads."""

    action: Action
    category: Category
    reason: str = ""
    until: datetime | None = None


def window_on(
    base: WorkWindow, day: date, zone: ZoneInfo, early_start: datetime | None = None
) -> WorkWindow:
    """The window on ``day``: an early start recorded that day (`start`) opens it earlier."""
    if early_start is None:
        return base
    local = early_start.astimezone(zone)
    if local.date() != day or local.time() >= base.start:
        return base
    return WorkWindow(local.time().replace(second=0, microsecond=0), base.end)


def is_working_day(rules: PersonalRules, day: date) -> bool:
    return rules.is_workday(day) and not rules.is_away(day)


def inside(
    local: datetime, base: WorkWindow, rules: PersonalRules, early_start: datetime | None = None
) -> bool:
    """Whether the local instant is inside the person's working window."""
    day = local.date()
    window = window_on(base, day, rules.zone, early_start)
    if base.start > base.end and local.time() <= base.end:
        day = day - timedelta(days=1)  # the small hours belong to the night shift's day
    return is_working_day(rules, day) and window.contains(local.time())


def next_window_start(
    after: datetime, base: WorkWindow, rules: PersonalRules, *, horizon: int = 400
) -> datetime | None:
    """The first window start strictly after ``after`` (aware): a workday, not away, not a
    holiday, with the start outside quiet hours. A start inside a DST gap resolves like the
    wall clock does (02:30 → 03:30)."""
    local = after.astimezone(rules.zone)
    for offset in range(horizon):
        day = local.date() + timedelta(days=offset)
        if not is_working_day(rules, day) or rules.in_quiet(base.start):
            continue
        start = datetime.combine(day, base.start, rules.zone)
        if start > after:
            return start
    return None


def decide(
    kind: str,
    local_due: datetime,
    base: WorkWindow,
    rules: PersonalRules,
    *,
    strict: bool,
    early_start: datetime | None = None,
    confirmed: str | None = None,
) -> Verdict:
    """The window rule for one scheduled DM of ``kind`` due at ``local_due`` (aware, local).

    ``confirmed`` is a check-in time (``HH:MM``) the person confirmed outside their window.
    Outside the window and not asked for: in strict mode a check-in is dropped and anything
    else waits for the next window start (or is dropped if that is more than 4 days away);
    without strict mode it is sent and counted as *unasked*."""
    if inside(local_due, base, rules, early_start):
        return Verdict("send", "inside")
    if kind in ASKED_KINDS:
        return Verdict("send", "asked", "your own log-off reminder")
    if kind == CHECKIN_KIND and confirmed == f"{local_due:%H:%M}":
        return Verdict("send", "asked", "a check-in time you confirmed")
    if not strict:
        return Verdict("send", "unasked")
    reason = outside_reason(local_due, base, rules)
    if kind in DROP_KINDS:
        return Verdict("drop", "inside", reason)
    until = next_window_start(local_due, base, rules)
    if until is None or until - local_due > MAX_WAIT:
        return Verdict("drop", "inside", reason)
    return Verdict("defer", "inside", reason, until)


def outside_reason(local: datetime, base: WorkWindow, rules: PersonalRules) -> str:
    day = local.date()
    if rules.is_away(day):
        return "you are away"
    if rules.is_holiday(day):
        return "a public holiday"
    if not rules.workdays & (1 << day.weekday()):
        return "not a workday"
    clock = local.time()
    if base.start <= base.end and clock < base.start:
        return f"before your working day ({base.label()})"
    return f"after your working day ({base.label()})"


def _clock(text: str | None, fallback: time) -> time:
    try:
        return time.fromisoformat(text) if text else fallback
    except ValueError:
        return fallback


def usual_window(
    work_start: str | None,
    work_end: str | None,
    team_start: str | None,
    team_logoff: str | None,
) -> WorkWindow:
    """A member's usual window: their own start and end (``HH:MM``), else the team's default
    start and log-off time, else 09:00-17:30. Unreadable values fall back the same way."""
    start = _clock(work_start, _clock(team_start, DEFAULT_START))
    end = _clock(work_end, _clock(team_logoff, time(17, 30)))
    return WorkWindow(start, end)
