"""End to end through the engine: reminders at 17:30 local in odd zones, across each zone's
DST changes, exactly once per workday; skipped on away days and inside quiet hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.kernel.clock import FakeClock
from bot.scheduling.engine import SchedulingEngine
from tests.scheduling.support import RecordingNotifier, play_until
from tests.scheduling.test_schedule_maths import ODD_ZONES, transitions
from tests.support.harness import Harness


def reminders(notifier: RecordingNotifier, zone: ZoneInfo, user: str = "ana") -> list[datetime]:
    return [
        d.at.astimezone(zone)
        for d in notifier.delivered
        if d.user == user and "time to log off" in d.text
    ]


@pytest.mark.parametrize("zone_name", ODD_ZONES)
async def test_1730_local_exactly_once_on_workdays_across_dst(
    zone_name: str,
    clock: FakeClock,
    engine: SchedulingEngine,
    notifier: RecordingNotifier,
    harness: Harness,
) -> None:
    zone = ZoneInfo(zone_name)
    changes = transitions(zone, 2026) or [datetime(2026, 6, 1, tzinfo=UTC)]
    clock.set(changes[0] - timedelta(days=9))
    await harness.command("ana", f"timezone {zone_name}")
    await harness.command("ana", "logoff 17:30")
    checked_days: set[date] = set()
    for change in changes:
        start = change - timedelta(days=9)
        if start > clock.now():
            clock.set(start)  # the bot was "down" in between: nothing is sent late
        notifier.delivered.clear()
        await play_until(engine, clock, change + timedelta(days=9))
        local = reminders(notifier, zone)
        assert local, "no reminder at all"
        assert all((t.hour, t.minute) == (17, 30) for t in local), local
        # delivered the moment they fell due (the fake clock was at the due instant)
        days = [t.date() for t in local]
        assert len(days) == len(set(days)), f"a day got two reminders: {days}"
        first = (start.astimezone(zone) + timedelta(days=1)).date()
        last = (change + timedelta(days=9)).astimezone(zone).date() - timedelta(days=1)
        expected = {
            first + timedelta(days=i)
            for i in range((last - first).days + 1)
            if (first + timedelta(days=i)).weekday() < 5
        }
        assert expected <= set(days), sorted(expected - set(days))
        assert all(d.weekday() < 5 for d in days)
        # the offset really changed in this window
        offsets = {t.utcoffset() for t in local}
        if zone_name != "Asia/Kathmandu":
            assert len(offsets) == 2, offsets
        checked_days |= set(days)
    assert len(checked_days) >= 10


@pytest.mark.parametrize("zone_name", ["Pacific/Chatham", "Australia/Lord_Howe"])
async def test_away_days_and_quiet_hours_skip(
    zone_name: str,
    clock: FakeClock,
    engine: SchedulingEngine,
    notifier: RecordingNotifier,
    harness: Harness,
) -> None:
    zone = ZoneInfo(zone_name)
    clock.set(datetime(2026, 3, 29, 20, tzinfo=UTC))  # Mon 30 Mar local morning
    await harness.command("ana", f"timezone {zone_name}")
    await harness.command("ana", "logoff 17:30")
    today = clock.now().astimezone(zone).date()
    away_from, away_to = today + timedelta(days=1), today + timedelta(days=2)
    await harness.command("ana", f"away {away_from}..{away_to}")
    await play_until(engine, clock, clock.now() + timedelta(days=5))
    days = {t.date() for t in reminders(notifier, zone)}
    assert away_from not in days and away_to not in days
    assert today in days and today + timedelta(days=3) in days

    # quiet hours that cover 17:30: nothing is sent, not even the heads-up
    notifier.delivered.clear()
    await harness.command("ana", "quiet 17:00-08:00")
    await play_until(engine, clock, clock.now() + timedelta(days=7))
    assert notifier.delivered == []
    # and back
    await harness.command("ana", "quiet 21:00-07:00")
    await play_until(engine, clock, clock.now() + timedelta(days=7))
    assert len(reminders(notifier, zone)) == 5
