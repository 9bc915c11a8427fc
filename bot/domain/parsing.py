"""Parsing what people type: clock times, durations, dates, workdays, quiet hours, away days.

Every parser returns a value or raises :class:`InputError` whose message is a friendly
sentence that can be shown as it is.
"""

from __future__ import annotations

import difflib
import re
from datetime import date, time, timedelta

__all__ = [
    "DAY_NAMES",
    "MAX_DURATION",
    "InputError",
    "TooLong",
    "format_clock",
    "format_day",
    "format_workdays",
    "parse_away",
    "parse_clock",
    "parse_date",
    "parse_duration",
    "parse_quiet",
    "parse_weekday",
    "parse_workdays",
    "workday_set",
]

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_ALIASES = {
    **{name: i for i, name in enumerate(DAY_NAMES)},
    **{
        full: i
        for i, full in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
    "tues": 1,
    "weds": 2,
    "thur": 3,
    "thurs": 3,
}
_DAY_GROUPS = {
    "weekdays": 0b0011111,
    "weekday": 0b0011111,
    "weekends": 0b1100000,
    "weekend": 0b1100000,
    "everyday": 0b1111111,
    "daily": 0b1111111,
    "all": 0b1111111,
}
MAX_AWAY_DAYS = 366


class InputError(ValueError):
    """Bad input, with a message meant for the person who typed it."""


_CLOCK = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$", re.IGNORECASE)


def parse_clock(text: str) -> time:
    """``17:30``, ``9:05``, ``5:30pm``, ``5pm``, ``17h30`` → a time of day."""
    cleaned = text.strip()
    if not cleaned:
        raise InputError("Which time? Write it as 24-hour HH:MM, e.g. 17:30.")
    match = _CLOCK.match(cleaned)
    if not match or (match.group(2) is None and match.group(3) is None):
        raise InputError(
            f"“{_clip(cleaned)}” isn't a time I understand. Use 24-hour HH:MM, e.g. 17:30."
        )
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = (match.group(3) or "").lower().replace(".", "")
    if suffix:
        if not 1 <= hour <= 12:
            raise InputError(f"“{_clip(cleaned)}” isn't a time: with am/pm the hour is 1–12.")
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour > 23 or minute > 59:
        raise InputError(
            f"“{_clip(cleaned)}” isn't a time of day: hours go 00–23 and minutes 00–59 "
            "(e.g. 17:30)."
        )
    return time(hour, minute)


def format_clock(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


_DURATION_PART = re.compile(r"(\d+)\s*(s|sec|secs|m|min|mins|h|hr|hrs|d|day|days|w|wk|weeks?)")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


# No duration a person types means more than a year (away time is at most one too); anything
# longer is refused here, before it can overflow date arithmetic anywhere downstream.
MAX_DURATION = timedelta(days=366)


class TooLong(InputError):
    """A well-formed duration over the allowed maximum (callers may say it their way)."""


def parse_duration(text: str, *, maximum: timedelta | None = None) -> timedelta:
    """``90m``, ``1h30m``, ``2d``, ``45s``, ``1w`` → a positive duration, at most ``maximum``
    (default and ceiling: :data:`MAX_DURATION`)."""
    limit = min(maximum, MAX_DURATION) if maximum is not None else MAX_DURATION
    cleaned = text.strip().lower().replace(" ", "")
    if not cleaned:
        raise InputError("A duration is missing: use e.g. 90m, 2h, 1h30m or 2d.")
    pos = 0
    seconds = 0
    units: set[str] = set()
    for match in _DURATION_PART.finditer(cleaned):
        if match.start() != pos:
            break
        unit = match.group(2)[0]
        if unit in units:
            raise InputError(
                f"“{_clip(text.strip())}” gives the same unit twice. Write one duration, "
                "e.g. 2d or 1h30m."
            )
        units.add(unit)
        # Digits beyond a dozen are over any limit already; int() of them stays cheap.
        seconds += int(match.group(1)[:13]) * _UNIT[unit]
        pos = match.end()
    if pos != len(cleaned) or seconds <= 0:
        raise InputError(
            f"“{_clip(text.strip())}” isn't a duration I understand: use e.g. 90m, 2h, 1h30m or 2d."
        )
    if seconds > limit.total_seconds():
        raise TooLong(f"“{_clip(text.strip())}” is too long: at most {_human(limit)}.")
    return timedelta(seconds=seconds)


def _human(delta: timedelta) -> str:
    days = delta.days
    if days and not delta.seconds:
        return f"{days} day{'s' if days != 1 else ''}"
    hours = delta.total_seconds() / 3600
    return f"{hours:g} hours"


def format_day(day: date, today: date | None = None) -> str:
    """The one way people see a date: ``Mon 2 Mar``, with the year when it is not this
    year (``Fri 1 Jan 2027``). ``today`` decides "this year" (the reader's local today)."""
    text = f"{day:%a} {day.day} {day:%b}"
    return text if today is not None and day.year == today.year else f"{text} {day.year}"


def parse_date(text: str, *, today: date | None = None) -> date:
    """``2026-12-24`` → a date; with ``today``, only within a year before or after it."""
    try:
        found = date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            f"“{_clip(text.strip())}” isn't a date I understand: use YYYY-MM-DD, e.g. 2026-12-24."
        ) from None
    if today is not None and abs((found - today).days) > MAX_AWAY_DAYS:
        first = today - timedelta(days=MAX_AWAY_DAYS)
        last = today + timedelta(days=MAX_AWAY_DAYS)
        raise InputError(
            f"{found.isoformat()} is too far away: use a date between {first.isoformat()} "
            f"and {last.isoformat()}."
        )
    return found


def _day(token: str) -> int:
    if token in _DAY_ALIASES:
        return _DAY_ALIASES[token]
    close = difflib.get_close_matches(token, list(_DAY_ALIASES) + list(_DAY_GROUPS), n=1)
    hint = f" Did you mean “{close[0]}”?" if close else ""
    raise InputError(
        f"I don't know the day “{_clip(token)}”.{hint} Use mon tue wed thu fri sat sun, "
        "e.g. `workdays mon-fri` or `workdays mon,wed,fri`."
    )


def parse_weekday(text: str) -> int:
    """One day of the week (``fri``, ``Friday``) → its number (Monday = 0)."""
    token = text.strip().lower()
    if token in _DAY_ALIASES:
        return _DAY_ALIASES[token]
    close = difflib.get_close_matches(token, list(_DAY_ALIASES), n=1)
    hint = f" Did you mean “{close[0]}”?" if close else ""
    raise InputError(
        f"I don't know the day “{_clip(token)}”.{hint} Use one of mon tue wed thu fri sat sun."
    )


def parse_workdays(text: str) -> int:
    """``mon-fri``, ``mon,wed,fri``, ``sun-thu``, ``weekdays``, ``mon-wed fri`` → a bitmask
    (bit 0 = Monday). Ranges may wrap around the week (``fri-mon``)."""
    # "Mon - Fri" is a range too: close the spaces around its dash.
    cleaned = re.sub(r"\s*([-–])\s*", r"\1", text.strip().lower())
    if not cleaned:
        raise InputError("Which days? E.g. `workdays mon-fri` or `workdays mon,wed,fri`.")
    mask = 0
    for part in re.split(r"[,\s]+", cleaned):
        if not part:
            continue
        if part in _DAY_GROUPS:
            mask |= _DAY_GROUPS[part]
            continue
        if "-" in part or "–" in part:
            first, _, last = part.replace("–", "-").partition("-")
            start, end = _day(first), _day(last)
            day = start
            while True:
                mask |= 1 << day
                if day == end:
                    break
                day = (day + 1) % 7
        else:
            mask |= 1 << _day(part)
    if mask == 0:
        raise InputError("Pick at least one workday, e.g. `workdays mon-fri`.")
    return mask


def workday_set(mask: int) -> frozenset[int]:
    """Weekday numbers (Monday = 0) in a workdays bitmask."""
    return frozenset(i for i in range(7) if mask & (1 << i))


def format_workdays(mask: int) -> str:
    """``Mon–Fri``, ``Sun–Thu``, ``Mon, Wed, Fri``, ``every day``."""
    days = sorted(workday_set(mask))
    if len(days) == 7:
        return "every day"
    if not days:
        return "no days"
    names = [DAY_NAMES[d].capitalize() for d in days]
    # Find one contiguous run, allowing wrap-around (e.g. Sun–Thu).
    for start in days:
        run = [(start + i) % 7 for i in range(len(days))]
        if set(run) == set(days) and len(days) >= 3:
            return f"{DAY_NAMES[run[0]].capitalize()}–{DAY_NAMES[run[-1]].capitalize()}"
    return ", ".join(names)


def parse_quiet(text: str) -> tuple[time, time]:
    """``20:00-08:00`` → (start, end); the range may cross midnight."""
    parts = re.split(r"\s*(?:-|–|\.\.|to)\s*", text.strip(), maxsplit=1)
    if len(parts) != 2 or not all(parts):
        raise InputError("Quiet hours look like `quiet 20:00-08:00` (or `quiet off`).")
    start, end = parse_clock(parts[0]), parse_clock(parts[1])
    if start == end:
        raise InputError("Quiet hours need a start and an end that differ, e.g. 20:00-08:00.")
    return start, end


def parse_away(text: str, *, today: date) -> tuple[date, date]:
    """``2026-12-20..2027-01-02`` (or a single day) → (first, last) day away, inclusive."""
    parts = re.split(r"\s*(?:\.\.|–|—|\bto\b|\s)\s*", text.strip(), maxsplit=1)
    parts = [p for p in parts if p]
    if not parts:
        raise InputError("Away days look like `away 2026-12-20..2027-01-02` (or `away off`).")
    if len(parts) > 1 and len(parts[1].split()) > 1:
        raise InputError(
            f"“{_clip(text.strip())}” has more than two dates. Away days look like "
            "`away 2026-12-20..2027-01-02` (or one day, `away 2026-12-24`)."
        )
    first = parse_date(parts[0])
    last = parse_date(parts[1]) if len(parts) > 1 else first
    if last < first:
        raise InputError(
            f"The end ({last.isoformat()}) is before the start ({first.isoformat()}). "
            "Write the earlier day first, e.g. `away 2026-12-20..2027-01-02`."
        )
    if (last - first).days + 1 > MAX_AWAY_DAYS:
        raise InputError(
            f"That's {(last - first).days + 1} days — away time can be at most a year "
            f"({MAX_AWAY_DAYS} days). Set a shorter range and extend it later."
        )
    if last < today:
        raise InputError(f"That time off ended on {last.isoformat()}, which is already past.")
    latest = today + timedelta(days=MAX_AWAY_DAYS)
    if first > latest:
        raise InputError(
            f"{first.isoformat()} is too far ahead: away days can start at most a year from "
            f"now. Pick a start between today and {latest.isoformat()}."
        )
    return first, last


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
