"""Send, move or drop: the one decision for every DM the bot wants to send a person.

:func:`decide` answers, for a DM due at some instant, under the person's rules, whether it is
**sent**, **moved** (and to when) or **dropped** (and why, in words the person can read).
The dispatcher asks it for every firing; ``logoff``, ``checkin`` and snoozes ask it before
they promise a time, so what a person is told and what the engine does cannot drift apart.

* A recurring DM (``DailyLocal``) is dropped on non-workdays, holidays, away days and in quiet
  hours: its next day comes soon enough.
* A one-off DM (a snooze, the hours-based reminder) that falls in quiet hours is **moved** to
  the end of those quiet hours when they end the same local day (lunch-time quiet hours, an
  early-morning block); when they last past midnight it is **dropped** — a log-off reminder
  the next morning would make no sense. On an away day it is dropped.
* Anything more than the grace window late (the bot was down) is dropped as a misfire unless
  it must run late (a poll's close).

Extending it (the right-to-disconnect work adds a working window and DMs the person asked
for): add a field to :class:`PersonalRules` or :class:`DmFiring` with a default that keeps
today's behaviour, a :class:`Reason` member with its words in :func:`explain`, and a check in
:func:`_checks` — each check returns a :class:`Decision` or ``None`` (no objection).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum

from bot.domain.schedule import PersonalRules, in_quiet_hours

__all__ = [
    "Decision",
    "DmFiring",
    "Reason",
    "Verdict",
    "daily_time_decision",
    "decide",
    "explain",
    "quiet_end_after",
]


class Verdict(StrEnum):
    SEND = "send"
    MOVE = "move"
    DROP = "drop"


class Reason(StrEnum):
    """Why a DM is not sent when it was due (also the metrics' ``reason`` label)."""

    MISFIRE = "misfire"  # the bot was down for longer than the grace window
    AWAY = "away"
    WORKDAY = "workday"
    HOLIDAY = "holiday"
    QUIET = "quiet"
    QUIET_REST_OF_DAY = "quiet_rest_of_day"  # a one-off whose quiet hours end only tomorrow
    # strict mode (bot.domain.window): outside the person's working window, not asked for
    OUTSIDE_WINDOW = "outside_window"


@dataclass(frozen=True, slots=True)
class DmFiring:
    """One DM due at ``due_at`` (UTC, aware)."""

    due_at: datetime
    one_off: bool = False  # a snooze, the hours-based reminder: moved rather than dropped
    workdays_only: bool = True  # a daily rule that fires on workdays only
    run_late: bool = False  # must still happen after an outage (never a misfire)
    ignore_rules: bool = False  # the person's rules do not apply (data["ignore_rules"])


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    reason: Reason | None = None
    at: datetime | None = None  # MOVE: the new due time (UTC)

    @property
    def sent(self) -> bool:
        return self.verdict is Verdict.SEND


SEND = Decision(Verdict.SEND)

Check = Callable[[DmFiring, PersonalRules, datetime], Decision | None]


def decide(
    firing: DmFiring,
    rules: PersonalRules | None,
    *,
    now: datetime,
    grace: timedelta = timedelta(minutes=15),
) -> Decision:
    """Send, move or drop ``firing`` at ``now`` under ``rules`` (``None``: a team-level post,
    no person's rules). Pure: the same values always give the same answer."""
    if not firing.run_late and now - firing.due_at > grace:
        return Decision(Verdict.DROP, Reason.MISFIRE)
    if rules is None or firing.ignore_rules:
        return SEND
    local = firing.due_at.astimezone(rules.zone)
    for check in _checks():
        decision = check(firing, rules, local)
        if decision is not None:
            return decision
    return SEND


def _checks() -> tuple[Check, ...]:
    # Order matters: the first objection is the reason a person reads.
    return (_away, _workday, _quiet)


def _away(firing: DmFiring, rules: PersonalRules, local: datetime) -> Decision | None:
    if rules.is_away(local.date()):
        return Decision(Verdict.DROP, Reason.AWAY)
    return None


def _workday(firing: DmFiring, rules: PersonalRules, local: datetime) -> Decision | None:
    if firing.one_off or not firing.workdays_only:
        return None
    day = local.date()
    if not rules.workdays & (1 << day.weekday()):
        return Decision(Verdict.DROP, Reason.WORKDAY)
    if rules.is_holiday(day):
        return Decision(Verdict.DROP, Reason.HOLIDAY)
    return None


def _quiet(firing: DmFiring, rules: PersonalRules, local: datetime) -> Decision | None:
    if not rules.in_quiet(local.time()):
        return None
    if firing.one_off:
        end = quiet_end_after(rules, local)
        if end is not None and end.date() == local.date():
            return Decision(Verdict.MOVE, Reason.QUIET, end.astimezone(UTC))
        return Decision(Verdict.DROP, Reason.QUIET_REST_OF_DAY)
    return Decision(Verdict.DROP, Reason.QUIET)


def quiet_end_after(rules: PersonalRules, local: datetime) -> datetime | None:
    """When the quiet hours around ``local`` (member-local, aware) end: the first wall-clock
    ``end`` after it (a DST gap resolves forwards, like every scheduled time)."""
    if rules.quiet is None:
        return None
    end = rules.quiet[1]
    for offset in (0, 1):
        day = local.date() + timedelta(days=offset)
        candidate = datetime.combine(day, end, rules.zone)
        if candidate > local:
            return candidate
    return None


def daily_time_decision(at: time, rules: PersonalRules) -> Decision:
    """Whether a daily DM at the wall-clock ``at`` can ever be sent (asked when a person sets
    a reminder or check-in time): a time inside quiet hours is dropped every day."""
    if rules.quiet is not None and in_quiet_hours(at, *rules.quiet):
        return Decision(Verdict.DROP, Reason.QUIET)
    return SEND


def explain(decision: Decision, rules: PersonalRules | None) -> str:
    """The decision in words a person can read (no trailing full stop)."""
    if decision.verdict is Verdict.SEND or decision.reason is None:
        return "it goes out on time"
    zone = rules.zone if rules is not None else UTC
    if decision.verdict is Verdict.MOVE and decision.at is not None:
        when = decision.at.astimezone(zone)
        if decision.reason is Reason.OUTSIDE_WINDOW:
            return f"it falls outside your working window, so it waits until {when:%a %H:%M}"
        return f"it falls in your quiet hours, so it waits until they end at {when:%H:%M}"
    reason = decision.reason
    quiet = rules.quiet if rules is not None else None
    span = f" ({_clock(quiet[0])}–{_clock(quiet[1])})" if quiet else ""
    if reason is Reason.QUIET:
        return f"it falls in your quiet hours{span}"
    if reason is Reason.QUIET_REST_OF_DAY:
        return f"it fell in your quiet hours{span}, and they last past the end of that day"
    return _DROPPED[reason]


_DROPPED = {
    Reason.MISFIRE: "I was offline when it was due, and I never send reminders late",
    Reason.AWAY: "you're away that day",
    Reason.WORKDAY: "it's not one of your workdays",
    Reason.HOLIDAY: "it's a public holiday in your calendar",
    Reason.OUTSIDE_WINDOW: "it falls outside your working window (strict mode)",
}


def _clock(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"
