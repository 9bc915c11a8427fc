"""Log-off rules as pure functions: parsing hours, the day's target, on time or late."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from bot.domain.parsing import InputError

__all__ = [
    "DEFAULT_HARD_STOP",
    "DEFAULT_HEADS_UP",
    "MAX_HOURS",
    "MAX_SNOOZES",
    "MIN_HOURS",
    "ON_TIME_GRACE",
    "SNOOZE",
    "format_hours",
    "heads_up_time",
    "hours_target",
    "outcome_for",
    "parse_heads_up",
    "parse_hours",
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
    """``10`` / ``10m`` / ``off`` → minutes before the reminder (0 = none)."""
    cleaned = text.strip().lower().removesuffix("min").removesuffix("m").strip()
    if cleaned in ("off", "none", "no", "0"):
        return 0
    if not cleaned.isdigit() or not 1 <= int(cleaned) <= MAX_HEADS_UP:
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
