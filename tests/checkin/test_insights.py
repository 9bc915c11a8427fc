"""Insights over generated histories: streaks, averages and nudges (pure, hypothesis)."""

from __future__ import annotations

import itertools
import statistics
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.features.checkin.insights import (
    HOURS_MIDPOINT,
    NUDGE_REPEAT_DAYS,
    DayEntry,
    LogoffDay,
    Streak,
    WorkCalendar,
    detect_patterns,
    due_nudges,
    local_day,
    mood_trend,
    on_time,
    streaks,
    window,
)

# Zones with DST, odd offsets (+05:45, +12:45/+13:45, −03:30) and a half-hour DST shift.
ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "America/St_Johns",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "America/Santiago",
]
# Weeks that contain a DST change somewhere in ZONES.
DST_DAYS = [
    date(2026, 3, 8),  # US spring forward
    date(2026, 3, 29),  # EU spring forward
    date(2026, 4, 5),  # Lord Howe / Chatham / Santiago fall back
    date(2026, 10, 4),  # Lord Howe spring forward (+30 min)
    date(2026, 10, 25),  # EU fall back
    date(2026, 11, 1),  # US fall back
]


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def oracle_streaks(checked: set[date], calendar: WorkCalendar, today: date) -> tuple[int, int]:
    """A second, independent reading of the definition: list the counted days, drop today
    if it has no check-in yet, then count the trailing run and the longest run."""
    if not checked:
        return 0, 0
    counted = [d for d in days_between(min(checked), today) if calendar.counts(d)]
    flags = [d in checked for d in counted]
    if counted and counted[-1] == today and not flags[-1]:
        flags.pop()
    current = len(list(itertools.takewhile(bool, reversed(flags))))
    best = max((len(list(g)) for ok, g in itertools.groupby(flags) if ok), default=0)
    return current, best


# --- generated histories ---------------------------------------------------------------


@st.composite
def calendars(draw: st.DrawFn, start: date, span: int) -> WorkCalendar:
    workdays = draw(st.sets(st.integers(0, 6), min_size=1))
    away: list[tuple[date, date]] = []
    for _ in range(draw(st.integers(0, 2))):
        first = start + timedelta(days=draw(st.integers(0, span)))
        away.append((first, first + timedelta(days=draw(st.integers(0, 10)))))
    holidays = frozenset(
        start + timedelta(days=d) for d in draw(st.lists(st.integers(0, span), max_size=3))
    )
    return WorkCalendar(frozenset(workdays), tuple(away), holidays)


@st.composite
def lived_histories(draw: st.DrawFn) -> tuple[list[date], WorkCalendar, date, list[date]]:
    """A person living ``span`` days, moving between zones, checking in on some days at a
    local time of their choosing. Returns the dates the bot would store (from the instant
    and the zone of that moment), the calendar, today, and the days they meant."""
    start = draw(st.sampled_from(DST_DAYS)) - timedelta(days=draw(st.integers(0, 20)))
    span = draw(st.integers(1, 45))
    calendar = draw(calendars(start, span))
    zone_names = draw(st.lists(st.sampled_from(ZONES), min_size=1, max_size=4))
    changes = sorted(draw(st.lists(st.integers(0, span), max_size=len(zone_names) - 1)))
    meant: list[date] = []
    stored: list[date] = []
    for offset in range(span):
        day = start + timedelta(days=offset)
        zone = ZoneInfo(zone_names[sum(1 for c in changes if c <= offset)])
        if not draw(st.booleans()):
            continue
        at = draw(st.times(min_value=time(0, 0), max_value=time(23, 59)))
        local = datetime.combine(day, at, tzinfo=zone)
        # Skip wall times that do not exist (a DST gap): nobody's clock shows them.
        assume(
            local.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
            == local.replace(tzinfo=None)
        )
        instant = local.astimezone(UTC)
        meant.append(day)
        stored.append(local_day(instant, zone))
    last_zone = ZoneInfo(zone_names[sum(1 for c in changes if c <= span)])
    now = datetime.combine(start + timedelta(days=span), time(12), tzinfo=last_zone)
    today = local_day(now.astimezone(UTC), last_zone)
    return stored, calendar, today, meant


@settings(max_examples=300, deadline=None)
@given(lived_histories())
def test_streaks_match_the_definition_across_zone_changes_dst_and_away_days(
    history: tuple[list[date], WorkCalendar, date, list[date]],
) -> None:
    stored, calendar, today, meant = history
    # The stored local date is the day the person lived, whatever zone or DST shift.
    assert stored == meant
    result = streaks(stored, calendar=calendar, today=today)
    assert (result.current, result.best) == oracle_streaks(set(stored), calendar, today)
    assert 0 <= result.current <= result.best
    assert result.best <= sum(1 for d in set(stored) if calendar.counts(d))


@settings(max_examples=200, deadline=None)
@given(lived_histories(), st.data())
def test_days_off_neither_break_nor_extend_a_streak(
    history: tuple[list[date], WorkCalendar, date, list[date]], data: st.DataObject
) -> None:
    stored, calendar, today, _ = history
    assume(stored)
    before = streaks(stored, calendar=calendar, today=today)
    # Check-ins on days that don't count (weekends, away, holidays) change nothing.
    off_days = [d for d in days_between(min(stored), today) if not calendar.counts(d)]
    extra = data.draw(st.lists(st.sampled_from(off_days), max_size=5)) if off_days else []
    assert streaks([*stored, *extra], calendar=calendar, today=today) == before
    # Declaring every missed day an away day can only lengthen the current streak.
    missed = [d for d in days_between(min(stored), today) if d not in set(stored)]
    relaxed = WorkCalendar(
        calendar.workdays, calendar.away + tuple((d, d) for d in missed), calendar.holidays
    )
    after = streaks(stored, calendar=relaxed, today=today)
    assert after.current >= before.current


def test_streak_examples() -> None:
    mon_fri = WorkCalendar()
    # Mon 2 … Fri 6 March 2026 checked in, weekend off, Monday 9 not yet.
    week = [date(2026, 3, d) for d in range(2, 7)]
    assert streaks(week, calendar=mon_fri, today=date(2026, 3, 9)) == Streak(5, 5)
    # Tuesday 10 passes without a check-in: the streak is broken.
    assert streaks(week, calendar=mon_fri, today=date(2026, 3, 11)).current == 0
    # An away day on Wednesday 4 doesn't break Mon, Tue, Thu, Fri.
    away = WorkCalendar(away=((date(2026, 3, 4), date(2026, 3, 4)),))
    gap = [d for d in week if d.day != 4]
    assert streaks(gap, calendar=away, today=date(2026, 3, 6)).current == 4
    assert streaks(gap, calendar=mon_fri, today=date(2026, 3, 6)) == Streak(2, 2)
    assert streaks([], calendar=mon_fri, today=date(2026, 3, 6)) == Streak(0, 0)


# --- averages --------------------------------------------------------------------------

entries_strategy = st.lists(
    st.builds(
        DayEntry,
        day=st.dates(date(2026, 1, 1), date(2026, 12, 31)),
        mood=st.none() | st.integers(1, 5),
        energy=st.none() | st.sampled_from(["low", "ok", "high"]),
        hours=st.none() | st.sampled_from(list(HOURS_MIDPOINT)),
        took_break=st.none() | st.booleans(),
        downtime=st.none() | st.booleans(),
    ),
    max_size=80,
    unique_by=lambda e: e.day,
)


@settings(max_examples=300, deadline=None)
@given(entries_strategy, st.dates(date(2026, 1, 1), date(2026, 12, 31)), st.sampled_from([7, 30]))
def test_window_averages_are_over_local_dates(
    entries: list[DayEntry], today: date, days: int
) -> None:
    stats = window(entries, today=today, days=days)
    inside = [e for e in entries if today - timedelta(days=days - 1) <= e.day <= today]
    assert stats.checkins == len(inside)
    moods = [e.mood for e in inside if e.mood is not None]
    if moods:
        assert stats.mood == pytest.approx(statistics.mean(moods))
        assert 1 <= (stats.mood or 0) <= 5
    else:
        assert stats.mood is None
    assert stats.long_days == sum(1 for e in inside if e.hours == "10+")
    assert stats.break_answers == sum(1 for e in inside if e.took_break is not None)
    assert 0 <= stats.downtime <= stats.downtime_answers <= stats.checkins
    if stats.hours is not None:
        assert 5.0 <= stats.hours <= 11.0


@pytest.mark.parametrize("zone_name", ZONES)
@pytest.mark.parametrize("dst_day", DST_DAYS)
def test_a_dst_week_still_has_seven_days(zone_name: str, dst_day: date) -> None:
    """Check-ins just after midnight and just before the next one, every day of a week
    with a DST change: the 7-day window holds exactly seven days (a window counted in
    hours would hold six or eight)."""
    zone = ZoneInfo(zone_name)
    entries = []
    for offset in range(-3, 4):
        day = dst_day + timedelta(days=offset)
        for wall in (time(0, 5), time(23, 55)):
            instant = datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)
            entries.append(DayEntry(local_day(instant, zone), mood=3))
    unique = {e.day: e for e in entries}
    assert len(unique) == 7
    today = dst_day + timedelta(days=3)
    assert window(list(unique.values()), today=today, days=7).checkins == 7


def test_trend_and_on_time() -> None:
    today = date(2026, 3, 13)
    last_week = [DayEntry(today - timedelta(days=d), mood=2) for d in range(7, 12)]
    this_week = [DayEntry(today - timedelta(days=d), mood=4) for d in range(0, 5)]
    assert mood_trend(last_week + this_week, today=today).direction == "up"
    assert mood_trend(this_week, today=today).direction == "unknown"
    records = [
        LogoffDay(today - timedelta(days=1), "on_time"),
        LogoffDay(today - timedelta(days=2), "late"),
        LogoffDay(today - timedelta(days=3), "on_time"),
        LogoffDay(today - timedelta(days=4), "missed"),
        LogoffDay(today - timedelta(days=40), "late"),  # outside 30 days
    ]
    result = on_time(records, today=today)
    assert (result.on_time, result.late, result.missed, result.percent) == (2, 1, 1, 67)
    assert on_time([], today=today).percent is None


# --- nudges ----------------------------------------------------------------------------

TODAY = date(2026, 3, 13)  # a Friday


@st.composite
def healthy_weeks(draw: st.DrawFn) -> tuple[list[DayEntry], list[LogoffDay]]:
    """Two weeks in which no pattern shows: at most two 10+ days, the newest check-in had a
    break, downtime and ok/high energy, and the newest log-off was on time."""
    days = sorted(draw(st.sets(st.integers(0, 13), min_size=1, max_size=14)), reverse=True)
    long_days = set(draw(st.lists(st.sampled_from(days), max_size=2)))
    entries = []
    for offset in days:
        newest = offset == days[-1]
        entries.append(
            DayEntry(
                TODAY - timedelta(days=offset),
                mood=draw(st.integers(1, 5)),
                energy="ok" if newest else draw(st.sampled_from(["low", "ok", "high"])),
                hours="10+"
                if offset in long_days
                else draw(st.sampled_from(["lt6", "6-8", "8-10"])),
                took_break=True if newest else draw(st.booleans()),
                downtime=True if newest else draw(st.booleans()),
            )
        )
    logoff_days = sorted(draw(st.sets(st.integers(1, 13), max_size=10)), reverse=True)
    logoffs = [
        LogoffDay(
            TODAY - timedelta(days=offset),
            "on_time"
            if offset == logoff_days[-1]
            else draw(st.sampled_from(["on_time", "late", "missed"])),
        )
        for offset in logoff_days
    ]
    return entries, logoffs


@settings(max_examples=300, deadline=None)
@given(healthy_weeks())
def test_no_nudge_without_a_pattern(history: tuple[list[DayEntry], list[LogoffDay]]) -> None:
    entries, logoffs = history
    assert detect_patterns(entries, logoffs, today=TODAY) == []
    assert due_nudges(entries, logoffs, today=TODAY, last_sent={}) == []


def _replace_recent(entries: list[DayEntry], count: int, **changes: object) -> list[DayEntry]:
    """The newest ``count`` days of the last week set to ``changes`` (created if missing)."""
    by_day = {e.day: e for e in entries}
    for offset in range(count):
        day = TODAY - timedelta(days=offset)
        base = by_day.get(day, DayEntry(day))
        by_day[day] = DayEntry(
            day,
            mood=changes.get("mood", base.mood),  # type: ignore[arg-type]
            energy=changes.get("energy", base.energy),  # type: ignore[arg-type]
            hours=changes.get("hours", base.hours),  # type: ignore[arg-type]
            took_break=changes.get("took_break", base.took_break),  # type: ignore[arg-type]
            downtime=changes.get("downtime", base.downtime),  # type: ignore[arg-type]
        )
    return sorted(by_day.values(), key=lambda e: e.day)


PATTERN_CASES = {
    "long_hours": {"hours": "10+"},
    "no_downtime": {"downtime": False},
    "low_energy": {"energy": "low"},
    "no_breaks": {"took_break": False},
}


@settings(max_examples=200, deadline=None)
@given(healthy_weeks(), st.sampled_from(sorted(PATTERN_CASES)))
def test_each_pattern_fires_alone_and_names_its_tip(
    history: tuple[list[DayEntry], list[LogoffDay]], pattern: str
) -> None:
    entries, logoffs = history
    # Only the last week counts: make it a full week of check-ins with the pattern.
    week = [e for e in entries if e.day > TODAY - timedelta(days=7)]
    shaped = _replace_recent(week, 7, **PATTERN_CASES[pattern])
    # Keep the other signals healthy so that only this pattern shows.
    healthy = {"hours": "6-8", "downtime": True, "energy": "ok", "took_break": True}
    del healthy[next(iter(PATTERN_CASES[pattern]))]
    shaped = _replace_recent(shaped, 7, **healthy)
    assert detect_patterns(shaped, logoffs, today=TODAY) == [pattern]
    (nudge,) = due_nudges(shaped, logoffs, today=TODAY, last_sent={})
    expected_tip = {
        "long_hours": "know_your_limits",
        "no_downtime": "prioritize_self_care",
        "low_energy": "communicate",
        "no_breaks": "set_boundaries",
    }[pattern]
    assert nudge.tip.key == expected_tip


def test_pattern_thresholds() -> None:
    def days(*hours: str) -> list[DayEntry]:
        return [DayEntry(TODAY - timedelta(days=i), hours=h) for i, h in enumerate(hours)]

    # Three 10+ days in the last five check-ins → know your limits; two → nothing.
    assert detect_patterns(days("10+", "6-8", "10+", "8-10", "10+"), [], today=TODAY) == [
        "long_hours"
    ]
    assert detect_patterns(days("10+", "6-8", "10+", "8-10", "8-10"), [], today=TODAY) == []
    # Old 10+ days (more than a week ago) never fire.
    old = [DayEntry(TODAY - timedelta(days=8 + i), hours="10+") for i in range(5)]
    assert detect_patterns(old, [], today=TODAY) == []
    # No downtime needs at least three answers this week.
    two = [DayEntry(TODAY - timedelta(days=i), downtime=False) for i in range(2)]
    assert detect_patterns(two, [], today=TODAY) == []
    three = [DayEntry(TODAY - timedelta(days=i), downtime=False) for i in range(3)]
    assert detect_patterns(three, [], today=TODAY) == ["no_downtime"]


def test_late_logoffs_three_days_running() -> None:
    def logoffs(*outcomes: str) -> list[LogoffDay]:
        # newest first, one workday apart
        return [
            LogoffDay(TODAY - timedelta(days=i), o)  # type: ignore[arg-type]
            for i, o in enumerate(outcomes)
        ]

    assert detect_patterns([], logoffs("late", "late", "late"), today=TODAY) == ["late_logoffs"]
    assert detect_patterns([], logoffs("late", "on_time", "late", "late"), today=TODAY) == []
    assert detect_patterns([], logoffs("late", "late"), today=TODAY) == []
    (nudge,) = due_nudges([], logoffs("late", "late", "late"), today=TODAY, last_sent={})
    assert nudge.tip.key == "set_boundaries"


@given(st.integers(0, 20))
def test_a_nudge_is_not_repeated_within_a_week(days_ago: int) -> None:
    entries = [DayEntry(TODAY - timedelta(days=i), energy="low") for i in range(4)]
    sent = {"low_energy": TODAY - timedelta(days=days_ago)}
    nudges = due_nudges(entries, [], today=TODAY, last_sent=sent)
    assert bool(nudges) == (days_ago >= NUDGE_REPEAT_DAYS)
    # Another pattern's record does not hold this one back.
    assert due_nudges(entries, [], today=TODAY, last_sent={"long_hours": TODAY})
