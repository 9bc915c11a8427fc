"""The send / move / drop decision as a pure function."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.dm_decision import (
    DmFiring,
    Reason,
    Verdict,
    daily_time_decision,
    decide,
    explain,
)
from bot.domain.schedule import PersonalRules

BERLIN = ZoneInfo("Europe/Berlin")


def _utc(day: date, clock: str, zone: ZoneInfo = BERLIN) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock), zone).astimezone(UTC)


MONDAY = date(2026, 3, 2)


def test_one_off_in_quiet_hours_that_end_today_is_moved_to_their_end() -> None:
    rules = PersonalRules(zone=BERLIN, quiet=(time(12), time(13)))
    due = _utc(MONDAY, "12:10")
    decision = decide(DmFiring(due, one_off=True), rules, now=due)
    assert decision.verdict is Verdict.MOVE
    assert decision.at == _utc(MONDAY, "13:00")
    assert decision.reason is Reason.QUIET
    assert "until they end at 13:00" in explain(decision, rules)


def test_one_off_in_quiet_hours_lasting_past_midnight_is_dropped_with_a_reason() -> None:
    rules = PersonalRules(zone=BERLIN, quiet=(time(20), time(8)))
    due = _utc(MONDAY, "20:05")
    decision = decide(DmFiring(due, one_off=True), rules, now=due)
    assert decision.verdict is Verdict.DROP
    assert decision.reason is Reason.QUIET_REST_OF_DAY
    assert "(20:00–08:00)" in explain(decision, rules)


def test_early_morning_one_off_waits_for_the_morning_end_of_quiet_hours() -> None:
    rules = PersonalRules(zone=BERLIN, quiet=(time(20), time(8)))
    due = _utc(MONDAY, "06:30")
    decision = decide(DmFiring(due, one_off=True), rules, now=due)
    assert (decision.verdict, decision.at) == (Verdict.MOVE, _utc(MONDAY, "08:00"))


def test_daily_dm_in_quiet_hours_is_dropped_not_moved() -> None:
    rules = PersonalRules(zone=BERLIN, quiet=(time(12), time(13)))
    due = _utc(MONDAY, "12:10")
    decision = decide(DmFiring(due), rules, now=due)
    assert (decision.verdict, decision.reason) == (Verdict.DROP, Reason.QUIET)
    assert not daily_time_decision(time(12, 30), rules).sent
    assert daily_time_decision(time(13), rules).sent


def test_workdays_holidays_and_away_days() -> None:
    saturday = _utc(date(2026, 3, 7), "17:30")
    rules = PersonalRules(zone=BERLIN, away=(date(2026, 3, 3), date(2026, 3, 4)))
    assert decide(DmFiring(saturday), rules, now=saturday).reason is Reason.WORKDAY
    # a one-off is not bound to workdays (a snooze on a Saturday someone works)
    assert decide(DmFiring(saturday, one_off=True), rules, now=saturday).sent
    away = _utc(date(2026, 3, 3), "17:30")
    assert decide(DmFiring(away, one_off=True), rules, now=away).reason is Reason.AWAY
    may_day = _utc(date(2026, 5, 1), "17:30")
    german = PersonalRules(zone=BERLIN, holidays="DE-BY")
    assert decide(DmFiring(may_day), german, now=may_day).reason is Reason.HOLIDAY


def test_misfire_and_run_late_and_team_level() -> None:
    due = _utc(MONDAY, "17:30")
    late = due + timedelta(minutes=16)
    assert decide(DmFiring(due), None, now=late).reason is Reason.MISFIRE
    assert decide(DmFiring(due), None, now=due + timedelta(minutes=15)).sent
    assert decide(DmFiring(due, run_late=True), None, now=late + timedelta(hours=3)).sent
    quiet = PersonalRules(zone=BERLIN, quiet=(time(17), time(18)))
    assert decide(DmFiring(due, ignore_rules=True), quiet, now=due).sent


def test_quiet_hours_ending_in_a_dst_gap_move_to_the_first_instant_after_it() -> None:
    # Berlin springs forward on 29 March 2026 at 02:00 → 03:00; quiet hours end at 02:30.
    rules = PersonalRules(zone=BERLIN, quiet=(time(1), time(2, 30)), workdays=0b1111111)
    day = date(2026, 3, 29)
    due = _utc(day, "01:30")
    decision = decide(DmFiring(due, one_off=True), rules, now=due)
    assert decision.verdict is Verdict.MOVE
    assert decision.at is not None and decision.at > due
    assert decision.at.astimezone(BERLIN).date() == day
