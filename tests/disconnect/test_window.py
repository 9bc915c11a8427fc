"""The pure rules: the working window, the strict-mode verdict, the next window start across
weekends, holidays, away days and DST, the versioned team share and the snooze maths."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.schedule import PersonalRules
from bot.domain.snooze import snooze_plan
from bot.domain.window import WorkWindow, decide, next_window_start, window_on
from bot.features.disconnect.report import Answer, versioned

BERLIN = ZoneInfo("Europe/Berlin")
WINDOW = WorkWindow(time(9), time(17, 30))
RULES = PersonalRules(zone=BERLIN, holidays="DE-BY")


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


def test_window_ends_are_inside_and_night_shifts_wrap() -> None:
    assert WINDOW.contains(time(9)) and WINDOW.contains(time(17, 30))
    assert not WINDOW.contains(time(8, 59)) and not WINDOW.contains(time(17, 31))
    night = WorkWindow(time(22), time(6))
    assert night.contains(time(23)) and night.contains(time(5)) and not night.contains(time(12))


def test_an_early_start_opens_only_that_day() -> None:
    early = at(3, 7, 40)
    assert window_on(WINDOW, date(2026, 3, 3), BERLIN, early).start == time(7, 40)
    assert window_on(WINDOW, date(2026, 3, 4), BERLIN, early) == WINDOW
    assert decide("test.ping", at(3, 8), WINDOW, RULES, strict=True, early_start=early).action == (
        "send"
    )


@pytest.mark.parametrize(
    ("kind", "strict", "action", "category"),
    [
        ("logoff.remind", True, "send", "asked"),
        ("logoff.snooze", True, "send", "asked"),
        ("checkin", True, "drop", "inside"),
        ("checkin-summary", True, "defer", "inside"),
        ("checkin-summary", False, "send", "unasked"),
    ],
)
def test_outside_the_window(kind: str, strict: bool, action: str, category: str) -> None:
    verdict = decide(kind, at(3, 19), WINDOW, RULES, strict=strict)
    assert (verdict.action, verdict.category) == (action, category)
    if action == "defer":
        assert verdict.until == at(4, 9)
    if action == "drop":
        assert "after your working day (09:00–17:30)" in verdict.reason


def test_a_confirmed_checkin_time_is_asked_for_and_only_that_time() -> None:
    assert decide("checkin", at(3, 19), WINDOW, RULES, strict=True, confirmed="19:00").category == (
        "asked"
    )
    assert decide("checkin", at(3, 20), WINDOW, RULES, strict=True, confirmed="19:00").action == (
        "drop"
    )


def test_next_window_start_skips_weekend_holiday_away_and_follows_dst() -> None:
    # Friday 27 March evening → Monday 30 March 09:00, after Europe's change to summer time
    start = next_window_start(at(27, 18), WINDOW, RULES)
    assert start == at(30, 9) and start.utcoffset() == timedelta(hours=2)
    # Maundy Thursday evening → Tuesday 7 April (Good Friday, weekend, Easter Monday)
    assert next_window_start(at(2, 18, month=4), WINDOW, RULES) == at(7, 9, month=4)
    away = PersonalRules(zone=BERLIN, away=(date(2026, 3, 30), date(2026, 3, 31)))
    assert next_window_start(at(27, 18), WINDOW, away) == at(1, 9, month=4)


def test_a_long_wait_drops_instead() -> None:
    away = PersonalRules(zone=BERLIN, away=(date(2026, 3, 4), date(2026, 3, 20)))
    verdict = decide("checkin-summary", at(3, 19), WINDOW, away, strict=True)
    assert verdict.action == "drop"


def test_team_share_versions_differ_by_k_people() -> None:
    t0 = datetime(2026, 3, 3, 18, tzinfo=UTC)
    answers = [Answer(m, m % 2 == 0, t0 + timedelta(minutes=m)) for m in range(1, 5)]
    assert versioned(answers[:2], 3) is None
    first = versioned(answers, 3)  # 4 people: still the version of the first 3
    assert first is not None and (first.people, first.answers) == (3, 3)
    # one more answer by a person already counted does not make a new version
    later = [*answers, Answer(1, True, t0 + timedelta(hours=1))]
    assert versioned(later, 3) == first
    more = later + [Answer(m, True, t0 + timedelta(hours=2, minutes=m)) for m in (5, 6)]
    second = versioned(more, 3)
    assert second is not None and second.people == 6 and second.answers == 7


def test_snooze_minutes_and_the_daily_cap() -> None:
    now = datetime(2026, 3, 27, 17, 30, tzinfo=BERLIN)
    monday = datetime(2026, 3, 30, 9, tzinfo=BERLIN)  # 63.5 h minus the lost DST hour
    minutes, renew = snooze_plan(now, monday)
    assert minutes == 24 * 60 and renew == now + timedelta(hours=24)
    evening = datetime(2026, 3, 26, 17, 30, tzinfo=BERLIN)
    assert snooze_plan(evening, datetime(2026, 3, 27, 9, tzinfo=BERLIN)) == (
        930,
        datetime(2026, 3, 27, 9, tzinfo=BERLIN),
    )
