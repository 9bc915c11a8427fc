"""Schedule maths: next fire times in a person's zone, and the rules that skip a day.

Pure functions over values (no I/O). Wall-clock arithmetic reuses APScheduler's ``CronTrigger``
with ``zoneinfo`` zones, so DST changes (including 30-minute ones such as Lord Howe's) and odd
offsets (Kathmandu's +05:45, Chatham's +12:45/+13:45) are handled by the same code that
APScheduler users rely on. On top of it we apply the person's rules: workdays, away days,
public holidays (the ``holidays`` library) and quiet hours.
"""

from __future__ import annotations

import difflib
import warnings
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.domain.parsing import InputError, workday_set
from bot.domain.schedule_rules import DailyLocal, Once, Rule, WeeklyLocal

__all__ = [
    "MAX_LOOKAHEAD_DAYS",
    "PersonalRules",
    "holiday_name",
    "in_quiet_hours",
    "next_fire",
    "parse_holidays",
    "skip_reason",
]

MON_TO_FRI = 0b0011111
# Away time is at most a year (see parsing.MAX_AWAY_DAYS); look a little further than that
# before deciding that a daily rule can never fire.
MAX_LOOKAHEAD_DAYS = 400


@dataclass(frozen=True, slots=True)
class PersonalRules:
    """A member's rules as plain values (see ``Member`` in storage)."""

    zone: ZoneInfo
    workdays: int = MON_TO_FRI  # bit 0 = Monday … bit 6 = Sunday
    quiet: tuple[time, time] | None = None
    away: tuple[date, date] | None = None
    holidays: str | None = None  # "DE-BY", "US", … (see parse_holidays)

    def is_workday(self, day: date) -> bool:
        return bool(self.workdays & (1 << day.weekday())) and not self.is_holiday(day)

    def is_away(self, day: date) -> bool:
        return self.away is not None and self.away[0] <= day <= self.away[1]

    def is_holiday(self, day: date) -> bool:
        return bool(self.holidays) and day in _holiday_dates(self.holidays or "", day.year)

    def in_quiet(self, clock: time) -> bool:
        return self.quiet is not None and in_quiet_hours(clock, *self.quiet)


def in_quiet_hours(clock: time, start: time, end: time) -> bool:
    """Whether ``clock`` is in [start, end); the range may cross midnight (20:00-08:00)."""
    clock = clock.replace(second=0, microsecond=0, tzinfo=None)
    if start == end:
        return False
    if start < end:
        return start <= clock < end
    return clock >= start or clock < end


def skip_reason(rule: Rule, rules: PersonalRules | None, local: datetime) -> str | None:
    """Why a firing at ``local`` (member-local, aware) must not be sent, or ``None``.

    Reasons: ``workday`` (not a workday), ``holiday``, ``away``, ``quiet``. Weekly rules and
    team-level schedules (``rules is None``) are never skipped by member rules."""
    if rules is None or isinstance(rule, WeeklyLocal):
        return None
    day = local.date()
    if rules.is_away(day):
        return "away"
    if isinstance(rule, DailyLocal) and rule.workdays_only:
        if not rules.workdays & (1 << day.weekday()):
            return "workday"
        if rules.is_holiday(day):
            return "holiday"
    if rules.in_quiet(local.time()):
        return "quiet"
    return None


def next_fire(
    rule: Rule,
    rules: PersonalRules | None,
    *,
    after: datetime,
    done_through: date | None = None,
) -> datetime | None:
    """The first instant strictly after ``after`` (UTC) at which ``rule`` fires and may be
    sent under ``rules``; ``None`` if it never will (a past ``Once``, a daily time inside
    quiet hours, no workday within a year).

    ``done_through`` is the last local day already handled (fired or skipped today): daily
    rules never fire twice on one local day, whatever changes in between."""
    after = after.astimezone(UTC)
    if isinstance(rule, Once):
        return rule.at if rule.at > after else None
    if isinstance(rule, WeeklyLocal):
        zone = ZoneInfo(rule.zone)
        return _cron_next(zone.key, rule.at.hour, rule.at.minute, str(rule.weekday), after)
    if rules is None:
        raise ValueError("a daily rule needs the member's rules (zone, workdays …)")
    if rules.quiet is not None and in_quiet_hours(rule.at, *rules.quiet):
        return None
    days = _cron_days(rules.workdays) if rule.workdays_only else None
    if days == "":
        return None
    zone_key = rules.zone.key
    cursor = after
    for _ in range(MAX_LOOKAHEAD_DAYS):
        candidate = _cron_next(zone_key, rule.at.hour, rule.at.minute, days, cursor)
        local = candidate.astimezone(rules.zone)
        if (done_through is None or local.date() > done_through) and skip_reason(
            rule, rules, local
        ) is None:
            return candidate
        cursor = candidate
    return None


def _cron_days(mask: int) -> str:
    return ",".join(str(d) for d in sorted(workday_set(mask)))


@lru_cache(maxsize=4096)
def _trigger(zone_key: str, hour: int, minute: int, days: str | None) -> CronTrigger:
    return CronTrigger(
        day_of_week=days if days is not None else "*",
        hour=hour,
        minute=minute,
        second=0,
        timezone=ZoneInfo(zone_key),
    )


@lru_cache(maxsize=65536)
def _cron_next(
    zone_key: str, hour: int, minute: int, days: str | None, after: datetime
) -> datetime:
    # Cached: a dispatcher batch advances thousands of schedules that share zone, time and
    # previous due instant, and the answer only depends on these values.
    zone = ZoneInfo(zone_key)
    trigger = _trigger(zone_key, hour, minute, days)
    # CronTrigger returns the first fire time >= now at whole seconds: step past `after`.
    start = after.replace(microsecond=0) + timedelta(seconds=1)
    fire = trigger.get_next_fire_time(None, start.astimezone(zone))
    assert fire is not None  # a daily/weekly cron always has a next time
    cron: datetime = fire.astimezone(UTC)
    # APScheduler 3.x skips a whole day for times in the first hour after midnight on the
    # day after a spring-forward change (00:30 New York on the Monday after DST starts), and
    # skips days whose time falls in a gap at midnight (Santiago). Plain wall-clock arithmetic
    # finds those days; the earlier of the two answers wins.
    wall = _wall_clock_next(zone, time(hour, minute), days, after)
    return min(cron, wall) if wall is not None else cron


def _wall_clock_next(
    zone: ZoneInfo, at: time, days: str | None, after: datetime
) -> datetime | None:
    allowed = None if days is None else {int(d) for d in days.split(",") if d}
    local_day = after.astimezone(zone).date()
    for offset in range(9):
        day = local_day + timedelta(days=offset)
        if allowed is not None and day.weekday() not in allowed:
            continue
        # A time inside a DST gap resolves to the same instant as the wall clock moved on
        # (02:30 → 03:30); an ambiguous one to its first occurrence.
        candidate = datetime.combine(day, at, zone).astimezone(UTC)
        if candidate > after:
            return candidate
    return None


# --- public holidays ---------------------------------------------------------------------


@lru_cache(maxsize=1)
def _supported() -> dict[str, tuple[str, ...]]:
    import holidays

    return {
        country: tuple(subdivs) for country, subdivs in holidays.list_supported_countries().items()
    }


def parse_holidays(text: str) -> str:
    """``de-by``, ``DE BY``, ``us`` → the canonical code (``DE-BY``, ``US``) of a public
    holiday calendar the ``holidays`` library knows; otherwise a friendly InputError with
    suggestions."""
    cleaned = text.strip().upper().replace("_", "-").replace(" ", "-")
    country, _, subdiv = cleaned.partition("-")
    supported = _supported()
    if country not in supported:
        named = _by_name().get(text.strip().lower().replace(" ", "").replace("_", ""))
        if named:
            close = [named]
        else:
            close = difflib.get_close_matches(country, list(supported), n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise InputError(
            f"I don't know the holiday calendar “{_clip(text.strip())}”.{hint} Use a country "
            "code, optionally with a region: `holidays US`, `holidays DE-BY`, `holidays GB-SCT`."
        )
    if subdiv and subdiv not in supported[country]:
        regions = supported[country]
        close = difflib.get_close_matches(subdiv, list(regions), n=3, cutoff=0.4)
        listing = ", ".join(close or regions[:12])
        more = "" if close or len(regions) <= 12 else ", …"
        raise InputError(
            f"{country} has no region “{_clip(subdiv)}” in the holiday calendar. "
            f"Try one of: {listing}{more or '.'}"
            if regions
            else f"{country}'s holiday calendar has no regions: use `holidays {country}`."
        )
    _holiday_dates(cleaned, 2000)  # fail here, not in the dispatcher, if the library refuses
    return f"{country}-{subdiv}" if subdiv else country


@lru_cache(maxsize=1)
def _by_name() -> dict[str, str]:
    """Country names (``germany``, ``unitedkingdom``) → their codes, for "did you mean"."""
    from holidays.registry import COUNTRIES

    found: dict[str, str] = {}
    for module, (class_name, code, *_rest) in COUNTRIES.items():
        found[module.replace("_", "")] = code
        found[class_name.lower()] = code
    return found


@lru_cache(maxsize=512)
def _holiday_dates(code: str, year: int) -> frozenset[date]:
    return frozenset(_calendar(code, year))


def _calendar(code: str, year: int) -> dict[date, str]:
    import holidays

    country, _, subdiv = code.partition("-")
    try:
        with warnings.catch_warnings():
            # Some calendars (IN, CN) warn about the years they cover: that is for the
            # library's users, not a line in the operator's terminal. Years outside simply
            # have fewer holidays.
            warnings.simplefilter("ignore")
            found = holidays.country_holidays(country, subdiv=subdiv or None, years=year)
    except NotImplementedError as error:
        raise InputError(f"No holiday calendar for “{code}”.") from error
    return dict(found.items())


def holiday_name(code: str, day: date) -> str | None:
    """The name of the public holiday on ``day`` in calendar ``code``, if any."""
    return _calendar(code, day.year).get(day) if day in _holiday_dates(code, day.year) else None


def _clip(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
