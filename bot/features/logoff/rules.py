"""Log-off rules as pure functions: parsing hours, the day's target, on time or late."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from bot.domain.parsing import InputError

__all__ = [
    "DEFAULT_HARD_STOP",
    "DEFAULT_HEADS_UP",
    "MAX_HOURS",
    "MAX_SNOOZES",
    "MIN_HOURS",
    "ON_TIME_GRACE",
    "SNOOZE",
    "USUAL_HOURS",
    "farewell",
    "format_hours",
    "heads_up_time",
    "hours_target",
    "next_workday_name",
    "outcome_for",
    "parse_heads_up",
    "parse_hours",
    "working_day",
]

ON_TIME_GRACE = timedelta(minutes=15)  # logged off within this after the target = on time
SNOOZE = timedelta(minutes=15)
MAX_SNOOZES = 4
DEFAULT_HEADS_UP = 10  # minutes
MAX_HEADS_UP = 120
DEFAULT_HARD_STOP = time(19, 0)
MIN_HOURS = 1.0
MAX_HOURS = 16.0

_HOURS = re.compile(
    r"^(?:(?P<h>\d{1,2})(?:[.,](?P<frac>\d{1,2}))?\s*(?:h|hr|hrs|hours?)?"
    r"(?:\s*(?P<m>\d{1,2})\s*(?:m|min|mins|minutes?)?)?)$",
    re.IGNORECASE,
)


def parse_hours(text: str) -> float:
    """``8``, ``7.5``, ``7,5``, ``8h``, ``7h30``, ``7h30m`` → hours (1–16, quarter hours)."""
    cleaned = text.strip().replace(" ", "")
    if re.fullmatch(r"\d{1,3}[.,]\d+", cleaned):
        # A plain decimal (0.0001, 7.25) is one number: judge it by its size alone.
        cleaned = cleaned.replace(",", ".")
        if not MIN_HOURS <= float(cleaned) <= MAX_HOURS:
            raise InputError(
                f"Pick between {MIN_HOURS:g} and {MAX_HOURS:g} hours — e.g. `hours 8`. "
                "(Know your limits: long days add up fast.)"
            )
        return round(float(cleaned) * 4) / 4
    match = _HOURS.match(cleaned)
    if not cleaned or not match:
        raise InputError(
            f"“{cleaned[:20]}” isn't a number of hours. Use e.g. `hours 8` or `hours 7.5`."
        )
    hours = int(match.group("h"))
    if match.group("frac"):
        if match.group("m"):
            raise InputError("Give hours as 7.5 or as 7h30, not both.")
        hours_f = float(f"{hours}.{match.group('frac')}")
    else:
        hours_f = hours + int(match.group("m") or 0) / 60
    if not MIN_HOURS <= hours_f <= MAX_HOURS:
        raise InputError(
            f"Pick between {MIN_HOURS:g} and {MAX_HOURS:g} hours — e.g. `hours 8`. "
            "(Know your limits: long days add up fast.)"
        )
    return round(hours_f * 4) / 4  # quarter hours keep reminders on sensible times


def format_hours(hours: float) -> str:
    whole = int(hours)
    minutes = round((hours - whole) * 60)
    return f"{whole} h" + (f" {minutes} min" if minutes else "")


def parse_heads_up(text: str) -> int:
    """``10`` / ``10m`` / ``0`` → minutes before the reminder (0 = none; ``off`` and its
    synonyms are words of the command itself)."""
    cleaned = text.strip().lower().removesuffix("min").removesuffix("m").strip()
    if cleaned == "0":
        return 0
    if not (cleaned.isascii() and cleaned.isdigit()) or not 1 <= int(cleaned) <= MAX_HEADS_UP:
        raise InputError(
            f"The heads-up is a number of minutes from 1 to {MAX_HEADS_UP} (or `off`), "
            "e.g. `logoff headsup 10`."
        )
    return int(cleaned)


def heads_up_time(at: time, minutes: int) -> time | None:
    """The wall-clock time ``minutes`` before ``at`` on the same day (``None`` if it would
    fall on the day before, or when there is no heads-up)."""
    if minutes <= 0:
        return None
    total = at.hour * 60 + at.minute - minutes
    if total < 0:
        return None
    return time(total // 60, total % 60)


def hours_target(start: datetime, hours: float, hard_stop: time) -> datetime:
    """When to remind in integration mode: ``hours`` after ``start`` (member-local, aware),
    but never later than the hard stop that day (when the hard stop is already past at
    ``start``, that is ``start`` itself)."""
    by_hours = start + timedelta(hours=hours)
    stop = datetime.combine(start.date(), hard_stop, start.tzinfo)
    return max(start, min(by_hours, stop))


def outcome_for(logged_off: datetime, target: datetime | None) -> str:
    """``on_time`` if logged off by the target + 15 minutes (or with no target), else
    ``late``."""
    if target is None or logged_off <= target + ON_TIME_GRACE:
        return "on_time"
    return "late"


USUAL_HOURS = 8.0


def working_day(
    local_now: datetime, end: time | None, hours: float | None = None
) -> tuple[date, bool]:
    """Which local day's work ``local_now`` closes, and whether that is the day before.

    A working day runs up to ``end`` (the log-off time) and began ``hours`` before it
    (:data:`USUAL_HOURS` when unknown). Before it begins, someone logging off is ending the
    previous day's work — a ``done`` at 03:00 after a night of work is late for yesterday, not
    on time for today. (The start is ``end - hours``, not the working window's start: the
    rule depends on the log-off time alone.)"""
    today = local_now.date()
    if end is None:
        return today, False
    start = datetime.combine(today, end, local_now.tzinfo) - timedelta(hours=hours or USUAL_HOURS)
    if local_now < start:
        return today - timedelta(days=1), True
    return today, False


def farewell(local_now: datetime) -> str:
    """A goodbye that fits the hour it is said at."""
    hour = local_now.hour
    if 5 <= hour < 17:
        return "Enjoy the rest of your day!"
    if 17 <= hour < 22:
        return "Enjoy your evening!"
    return "Sleep well!"


def next_workday_name(today: date, workdays: int) -> str:
    """``tomorrow``, or the weekday name of the next workday after ``today`` (``Monday``)."""
    for ahead in range(1, 8):
        day = today + timedelta(days=ahead)
        if workdays & (1 << day.weekday()):
            return "tomorrow" if ahead == 1 else f"{day:%A}"
    return "tomorrow"
