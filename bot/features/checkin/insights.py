"""Insights from a person's check-ins and log-off records: pure values in, values out.

Everything here works on *local dates* (the date the person lived the day in their own zone),
never on hours elapsed, so DST weeks and zone changes cannot shift a day into the wrong
bucket. The flows read the rows and hand plain values in.

Definitions (also in docs/checkin.md):
- A *counted day* is a workday of the person that is not an away day or a public holiday.
- *Current streak*: counted days with a check-in, running back from today without a gap.
  Today only counts once it is checked in; before that the streak from yesterday stands.
  Days that are not counted days neither break nor extend a streak.
- *Best streak*: the longest such run in the history.
- *Averages* cover the last 7 / 30 local dates including today, over the days answered.
- *Nudges* fire on patterns (below), each tied to one tip, and not again for the same pattern
  within a week of the last time it was shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

__all__ = [
    "ENERGY_LABELS",
    "ENERGY_SCORE",
    "HOURS_LABELS",
    "HOURS_MIDPOINT",
    "NUDGE_REPEAT_DAYS",
    "PATTERNS",
    "TIPS",
    "DayEntry",
    "LogoffDay",
    "Nudge",
    "OnTime",
    "Streak",
    "Tip",
    "Trend",
    "WindowStats",
    "WorkCalendar",
    "detect_patterns",
    "due_nudges",
    "local_day",
    "mood_trend",
    "on_time",
    "streaks",
    "window",
]

ENERGY_SCORE = {"low": 1, "ok": 2, "high": 3}
ENERGY_LABELS = {"low": "low", "ok": "ok", "high": "high"}
HOURS_LABELS = {"lt6": "<6", "6-8": "6–8", "8-10": "8–10", "10+": "10+"}
# a rough figure per bucket, only for averages and the chart ("about 8.4 h a day")
HOURS_MIDPOINT = {"lt6": 5.0, "6-8": 7.0, "8-10": 9.0, "10+": 11.0}
NUDGE_REPEAT_DAYS = 7
RECENT_DAYS = 7  # patterns look at the last week of local dates


def local_day(instant: datetime, zone: ZoneInfo) -> date:
    """The local date ``instant`` falls on in ``zone`` (the day a check-in belongs to)."""
    if instant.tzinfo is None:
        raise ValueError("local_day needs a timezone-aware instant")
    return instant.astimezone(zone).date()


@dataclass(frozen=True, slots=True)
class DayEntry:
    """One day's check-in answers (any may be missing)."""

    day: date
    mood: int | None = None
    energy: str | None = None
    hours: str | None = None
    took_break: bool | None = None
    downtime: bool | None = None


@dataclass(frozen=True, slots=True)
class LogoffDay:
    """How one local day's log-off went: ``on_time`` (boundary kept), ``late`` (worked
    late or logged off well after the reminder) or ``missed`` (no answer). ``at`` is the
    local clock time of logging off when known, ``target`` the reminder time that day."""

    day: date
    outcome: Literal["on_time", "late", "missed"]
    at: time | None = None
    target: time | None = None


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """Which local dates count for streaks: workdays (Monday = 0) minus away ranges and
    holidays."""

    workdays: frozenset[int] = frozenset(range(5))
    away: tuple[tuple[date, date], ...] = ()
    holidays: frozenset[date] = field(default_factory=frozenset)

    def counts(self, day: date) -> bool:
        if day.weekday() not in self.workdays or day in self.holidays:
            return False
        return not any(first <= day <= last for first, last in self.away)


# --- streaks -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Streak:
    current: int
    best: int


def streaks(days: Iterable[date], *, calendar: WorkCalendar, today: date) -> Streak:
    """Current and best streak of checked-in counted days (see the module docstring).

    Check-ins dated after ``today`` (possible right after a zone change westwards) are
    treated as today's."""
    checked = {min(d, today) for d in days}
    if not checked:
        return Streak(0, 0)
    first = min(checked)

    best = run = 0
    day = first
    while day <= today:
        if calendar.counts(day):
            if day in checked:
                run += 1
                best = max(best, run)
            elif day != today:  # today is not over yet: it cannot break the run
                run = 0
        day += timedelta(days=1)
    return Streak(current=run, best=best)


# --- averages ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WindowStats:
    """Averages over ``days`` local dates ending today. ``None`` where nothing was answered."""

    days: int
    checkins: int
    mood: float | None
    energy: float | None  # 1 = low, 2 = ok, 3 = high
    hours: float | None  # rough hours a day, from the bucket midpoints
    long_days: int  # days answered 10+
    breaks: int
    break_answers: int
    downtime: int
    downtime_answers: int

    @property
    def energy_label(self) -> str | None:
        if self.energy is None:
            return None
        return "low" if self.energy < 1.5 else "ok" if self.energy < 2.5 else "high"


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def in_window(entries: Iterable[DayEntry], *, today: date, days: int) -> list[DayEntry]:
    """Entries dated within the ``days`` local dates ending ``today`` (inclusive), by date."""
    start = today - timedelta(days=days - 1)
    return sorted((e for e in entries if start <= e.day <= today), key=lambda e: e.day)


def window(entries: Iterable[DayEntry], *, today: date, days: int) -> WindowStats:
    """Averages over the last ``days`` local dates including ``today``."""
    if days < 1:
        raise ValueError("a window is at least one day")
    chosen = in_window(entries, today=today, days=days)
    moods = [float(e.mood) for e in chosen if e.mood is not None]
    energies = [float(ENERGY_SCORE[e.energy]) for e in chosen if e.energy in ENERGY_SCORE]
    hours = [HOURS_MIDPOINT[e.hours] for e in chosen if e.hours in HOURS_MIDPOINT]
    breaks = [e.took_break for e in chosen if e.took_break is not None]
    downtime = [e.downtime for e in chosen if e.downtime is not None]
    return WindowStats(
        days=days,
        checkins=len(chosen),
        mood=_mean(moods),
        energy=_mean(energies),
        hours=_mean(hours),
        long_days=sum(1 for e in chosen if e.hours == "10+"),
        breaks=sum(breaks),
        break_answers=len(breaks),
        downtime=sum(downtime),
        downtime_answers=len(downtime),
    )


@dataclass(frozen=True, slots=True)
class Trend:
    """Mood this week against the week before."""

    now: float | None
    before: float | None

    @property
    def direction(self) -> Literal["up", "down", "steady", "unknown"]:
        if self.now is None or self.before is None:
            return "unknown"
        # A change under half a point on a 1–5 scale is noise, not a trend.
        if self.now - self.before >= 0.5:
            return "up"
        if self.before - self.now >= 0.5:
            return "down"
        return "steady"


def mood_trend(entries: Iterable[DayEntry], *, today: date) -> Trend:
    listed = list(entries)
    this_week = window(listed, today=today, days=7).mood
    last_week = window(listed, today=today - timedelta(days=7), days=7).mood
    return Trend(this_week, last_week)


# --- log-off on time --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OnTime:
    on_time: int
    late: int
    missed: int

    @property
    def answered(self) -> int:
        return self.on_time + self.late

    @property
    def percent(self) -> int | None:
        """Share of answered log-off reminders where the boundary was kept, rounded."""
        if not self.answered:
            return None
        return round(100 * self.on_time / self.answered)


def on_time(logoffs: Iterable[LogoffDay], *, today: date, days: int = 30) -> OnTime:
    start = today - timedelta(days=days - 1)
    chosen = [r for r in logoffs if start <= r.day <= today]
    return OnTime(
        on_time=sum(1 for r in chosen if r.outcome == "on_time"),
        late=sum(1 for r in chosen if r.outcome == "late"),
        missed=sum(1 for r in chosen if r.outcome == "missed"),
    )


# --- nudges ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tip:
    key: str
    title: str
    text: str


# The source text's tips, retold in our own words.
TIPS = {
    "set_boundaries": Tip(
        "set_boundaries",
        "Set boundaries",
        "Decide when work stops and let your tools help: a phone focus mode that mutes work "
        "apps after hours, a cap on your hours, and a few minutes to wind down before and "
        "after work.",
    ),
    "prioritize_self_care": Tip(
        "prioritize_self_care",
        "Prioritize self-care",
        "Downtime is self-care too. Put something that recharges you — a walk, exercise, "
        "doing nothing at all — in the calendar as firmly as a meeting.",
    ),
    "communicate": Tip(
        "communicate",
        "Communicate",
        "Say it out loud: tell your lead, a coworker or the people at home what is draining "
        "you. Fewer commitments, shared or handed-off work are fair things to ask for.",
    ),
    "know_your_limits": Tip(
        "know_your_limits",
        "Know your limits",
        "Long days add up faster than they feel. Keep the pace one you could hold for months, "
        "not just this week.",
    ),
}


@dataclass(frozen=True, slots=True)
class Nudge:
    pattern: str
    tip: Tip
    text: str


# pattern → (tip, what we noticed)
PATTERNS: dict[str, tuple[str, str]] = {
    "long_hours": (
        "know_your_limits",
        "Three or more of your last five check-ins were 10+ hour days.",
    ),
    "no_downtime": (
        "prioritize_self_care",
        "You haven't had downtime or self-care on any day you checked in this week.",
    ),
    "late_logoffs": (
        "set_boundaries",
        "You logged off late three workdays running.",
    ),
    "low_energy": (
        "communicate",
        "Your energy has been low on every check-in this week.",
    ),
    "no_breaks": (
        "set_boundaries",
        "No real break on your last three check-ins.",
    ),
}


def detect_patterns(
    entries: Iterable[DayEntry], logoffs: Iterable[LogoffDay], *, today: date
) -> list[str]:
    """Which patterns show in the last week, in a stable order (the order of PATTERNS).

    - ``long_hours``: of the last five check-ins with hours, at least three were 10+.
    - ``no_downtime``: at least three downtime answers this week and none of them yes.
    - ``late_logoffs``: the last three log-off records (answered or not) are all late.
    - ``low_energy``: at least three energy answers this week and all of them low.
    - ``no_breaks``: the last three break answers were all no.
    All look only at the last seven local dates, so an old pattern never fires late.
    """
    recent = in_window(entries, today=today, days=RECENT_DAYS)
    found: set[str] = set()

    hours = [e.hours for e in recent if e.hours is not None][-5:]
    if sum(1 for h in hours if h == "10+") >= 3:
        found.add("long_hours")

    downtime = [e.downtime for e in recent if e.downtime is not None]
    if len(downtime) >= 3 and not any(downtime):
        found.add("no_downtime")

    start = today - timedelta(days=RECENT_DAYS - 1)
    recent_logoffs = sorted((r for r in logoffs if start <= r.day <= today), key=lambda r: r.day)
    last_three = recent_logoffs[-3:]
    if len(last_three) == 3 and all(r.outcome == "late" for r in last_three):
        found.add("late_logoffs")

    energy = [e.energy for e in recent if e.energy is not None]
    if len(energy) >= 3 and all(level == "low" for level in energy):
        found.add("low_energy")

    breaks = [e.took_break for e in recent if e.took_break is not None][-3:]
    if len(breaks) == 3 and not any(breaks):
        found.add("no_breaks")

    return [p for p in PATTERNS if p in found]


def due_nudges(
    entries: Iterable[DayEntry],
    logoffs: Iterable[LogoffDay],
    *,
    today: date,
    last_sent: Mapping[str, date],
) -> list[Nudge]:
    """Nudges for the patterns that show today, minus those shown for the same pattern in
    the last ``NUDGE_REPEAT_DAYS`` days."""
    nudges = []
    for pattern in detect_patterns(entries, logoffs, today=today):
        sent = last_sent.get(pattern)
        if sent is not None and (today - sent).days < NUDGE_REPEAT_DAYS:
            continue
        tip_key, noticed = PATTERNS[pattern]
        nudges.append(Nudge(pattern, TIPS[tip_key], noticed))
    return nudges
