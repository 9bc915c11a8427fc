"""The log-off commands and buttons, through the core and the engine with a fake clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.features.logoff.days import logoff_days
from bot.features.logoff.setup import set_hours, set_logoff
from bot.kernel.app import Bot
from bot.kernel.clock import FakeClock
from bot.kernel.effects import SendDirect, Update
from bot.kernel.errors import UserError
from bot.scheduling import get_schedule
from bot.scheduling.engine import SchedulingEngine
from tests.scheduling.support import RecordingNotifier, member_context, play_until
from tests.support.harness import Harness, button, text_of

MON = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # 09:00 in Berlin


@pytest.fixture
async def ana(harness: Harness, clock: FakeClock) -> Harness:
    clock.set(MON)
    await harness.command("ana", "timezone Europe/Berlin")
    return harness


def last_dm(notifier: RecordingNotifier) -> SendDirect:
    effect = notifier.delivered[-1].effect
    assert isinstance(effect, SendDirect)
    return effect


async def test_logoff_set_show_off_with_validation(ana: Harness) -> None:
    text = text_of(await ana.command("ana", "logoff 17:30"))
    assert "17:30 on workdays (Mon–Fri) with a heads-up at 17:20" in text
    assert "Next: today 17:30" in text
    shown = text_of(await ana.command("ana", "logoff"))
    assert "Next reminder: today 17:30 (Europe/Berlin)" in shown
    for bad, hint in [
        ("logoff 25:00", "hours go 00–23"),
        ("logoff soon", "isn't a time"),
        ("logoff 21:00", "inside your quiet hours"),
        ("logoff headsup 500", "1 to 120"),
    ]:
        assert hint in text_of(await ana.command("ana", bad)), bad
    assert "off" in text_of(await ana.command("ana", "logoff off"))
    assert "no log-off reminder" in text_of(await ana.command("ana", "logoff"))
    assert "no log-off reminder" in text_of(await ana.command("ana", "logoff off"))
    assert "17:30" in text_of(await ana.command("ana", "logoff on"))  # the team default


async def test_reminder_day_heads_up_snooze_repeat_and_logging_off(
    ana: Harness, engine: SchedulingEngine, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    await ana.command("ana", "logoff 17:30")
    await play_until(engine, clock, MON.replace(hour=16, minute=30))
    heads_up, reminder = notifier.delivered
    assert heads_up.at == MON.replace(hour=16, minute=20) and "Wind-down" in heads_up.text
    assert reminder.at == MON.replace(hour=16, minute=30)
    labels = [b.label for b in last_dm(notifier).message.buttons]
    assert labels == ["I'm logging off", "Snooze 15 min", "Working late today", "Skip today"]
    snooze = button([reminder.effect], "Snooze 15 min")
    answer = await ana.press("ana", snooze)
    assert "Snoozed until 17:45" in text_of(answer)  # pressed at 17:30 Berlin
    await play_until(engine, clock, MON.replace(hour=16, minute=45))
    repeat = notifier.delivered[-1]
    assert repeat.at == MON.replace(hour=16, minute=45) and "snoozed reminder" in repeat.text
    done = await ana.press("ana", button([repeat.effect], "I'm logging off"))
    assert isinstance(done[0], Update) or "Logged off at 17:45" in text_of(done)
    assert "Logged off at 17:45 — boundary kept" in text_of(done)
    # pressing the first reminder's button again changes nothing
    again = await ana.press("ana", button([reminder.effect], "I'm logging off"))
    assert "Already noted: you logged off at 17:45" in text_of(again)
    async with member_context(ana.bot) as ctx:
        days = await logoff_days(ctx, date(2026, 3, 1))
    assert len(days) == 1
    day = days[0]
    assert (day.day, day.outcome, day.snoozes) == (date(2026, 3, 2), "on_time", 1)
    assert day.target == time(17, 30) and day.logged_off_at == time(17, 45)


async def test_late_working_late_stale_and_no_answer(
    ana: Harness, engine: SchedulingEngine, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    await ana.command("ana", "logoff 17:30")
    await play_until(engine, clock, MON.replace(hour=16, minute=31))
    monday = notifier.delivered[-1].effect
    late = await ana.press("ana", button([monday], "Working late today"))
    assert "working late" in text_of(late)
    assert "Already noted" in text_of(
        await ana.press("ana", button([monday], "Working late today"))
    )
    assert "nothing to snooze" in text_of(await ana.press("ana", button([monday], "Snooze 15 min")))
    # Tuesday: no answer at all. Wednesday: `done` at 19:00, late.
    await play_until(engine, clock, datetime(2026, 3, 4, 18, 0, tzinfo=UTC))
    assert "later than your 17:30" in text_of(await ana.command("ana", "done"))
    # Monday's buttons on Wednesday are stale
    stale = await ana.press("ana", button([monday], "I'm logging off"))
    assert "was for Mon 2 Mar, so nothing was changed" in text_of(stale)
    async with member_context(ana.bot) as ctx:
        days = {d.day: d for d in await logoff_days(ctx, date(2026, 3, 2))}
    assert days[date(2026, 3, 2)].outcome == "working_late"
    assert days[date(2026, 3, 3)].outcome == "no_answer"
    assert days[date(2026, 3, 3)].target == time(17, 30)
    assert days[date(2026, 3, 4)].outcome == "late"
    assert days[date(2026, 3, 4)].logged_off_at == time(19, 0)


async def test_done_before_the_reminder_skips_it(
    ana: Harness, engine: SchedulingEngine, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    await ana.command("ana", "logoff 17:30")
    clock.set(MON.replace(hour=15))
    assert "boundary kept" in text_of(await ana.command("ana", "done"))
    await play_until(engine, clock, MON + timedelta(hours=20))
    assert notifier.delivered == []
    await play_until(engine, clock, MON + timedelta(days=1, hours=9))
    assert len(notifier.delivered) == 2  # Tuesday's heads-up and reminder


async def test_snoozes_are_limited(
    ana: Harness, engine: SchedulingEngine, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    await ana.command("ana", "logoff 18:00")
    await play_until(engine, clock, MON.replace(hour=17))
    reminder = notifier.delivered[-1].effect
    texts = []
    for _ in range(5):
        texts.append(text_of(await ana.press("ana", button([reminder], "Snooze 15 min"))))
        clock.advance(timedelta(minutes=1))
    assert "Snoozed until 18:15" in texts[0] and "Snoozed until 18:18" in texts[3]
    assert "4 snoozes already" in texts[4]
    await play_until(engine, clock, MON + timedelta(hours=20))
    # each snooze replaced the previous one: a single repeat, at the last snooze's time
    repeats = [d.at for d in notifier.delivered if "snoozed reminder" in d.text]
    assert repeats == [MON.replace(hour=17, minute=18)]


async def test_a_snooze_into_quiet_hours_is_the_last_reminder(
    ana: Harness, engine: SchedulingEngine, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    await ana.command("ana", "logoff 19:50")
    await play_until(engine, clock, MON.replace(hour=18, minute=50))
    reminder = notifier.delivered[-1].effect
    text = text_of(await ana.press("ana", button([reminder], "Snooze 15 min")))
    assert "inside your quiet hours" in text
    count = len(notifier.delivered)
    await play_until(engine, clock, MON + timedelta(hours=20))
    assert len(notifier.delivered) == count


async def test_integration_mode_start_hours_and_hard_stop(
    ana: Harness, engine: SchedulingEngine, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    assert "`hours 8`" in text_of(await ana.command("ana", "start"))
    assert "between 1 and 16" in text_of(await ana.command("ana", "hours 30"))
    assert "isn't a number" in text_of(await ana.command("ana", "hours lots"))
    set_text = text_of(await ana.command("ana", "hours 7.5 until 18:30"))
    assert "7 h 30 min" in set_text and "18:30 at the latest" in set_text
    started = text_of(await ana.command("ana", "start"))  # 09:00 Berlin
    assert "started at 09:00" in started and "at 16:30" in started
    assert "running since 09:00" in text_of(await ana.command("ana", "start"))
    await play_until(engine, clock, MON.replace(hour=15, minute=35))
    texts = [(d.at.astimezone().isoformat(), d.text) for d in notifier.delivered]
    assert [d.at for d in notifier.delivered] == [
        MON.replace(hour=15, minute=20),
        MON.replace(hour=15, minute=30),
    ], texts
    assert "worked 7 h 30 min since 09:00" in notifier.delivered[-1].text
    # ignoring it: the hard stop reminds at 18:30
    await play_until(engine, clock, MON.replace(hour=17, minute=35))
    assert "18:30, your hard stop" in notifier.delivered[-1].text
    # Tuesday: started late, so the hard stop comes first
    clock.set(datetime(2026, 3, 3, 12, 0, tzinfo=UTC))  # 13:00 Berlin
    capped = text_of(await ana.command("ana", "start"))
    assert "at 18:30 — your hard stop comes first" in capped
    # past the hard stop
    clock.set(datetime(2026, 3, 4, 18, 0, tzinfo=UTC))
    assert "past your hard stop" in text_of(await ana.command("ana", "start"))
    assert "off" in text_of(await ana.command("ana", "hours off"))
    assert "already off" in text_of(await ana.command("ana", "hours off"))


async def test_public_api_for_the_quiz(bot: Bot, clock: FakeClock) -> None:
    clock.set(MON)
    async with member_context(bot) as ctx:
        effects = await set_logoff(ctx, time(17, 0))
        assert "17:00" in text_of(effects)
        remind = await get_schedule(ctx, kind="logoff.remind")
        assert remind is not None and remind.next_due_at == MON.replace(hour=17)
        effects = await set_hours(ctx, 8)
        assert "8 h" in text_of(effects)
        remind = await get_schedule(ctx, kind="logoff.remind")
        assert remind is not None and remind.next_due_at == MON.replace(hour=19)  # hard stop
        with pytest.raises(UserError):
            await set_logoff(ctx, time(22, 0))  # quiet hours


async def test_holidays_command(ana: Harness, engine: SchedulingEngine, clock: FakeClock) -> None:
    assert "not set" in text_of(await ana.command("ana", "holidays"))
    text = text_of(await ana.command("ana", "holidays de-by"))
    assert "DE-BY" in text and "Good Friday" in text
    assert "already DE-BY" in text_of(await ana.command("ana", "holidays DE-BY"))
    assert "Did you mean" in text_of(await ana.command("ana", "holidays DX"))
    assert "no region" in text_of(await ana.command("ana", "holidays DE-XX"))
    await ana.command("ana", "logoff 17:30")
    clock.set(datetime(2026, 4, 2, 17, 0, tzinfo=UTC))  # Thursday before Easter
    async with member_context(ana.bot) as ctx:
        remind = await get_schedule(ctx, kind="logoff.remind")
    assert "off" in text_of(await ana.command("ana", "holidays off"))
    assert "already off" in text_of(await ana.command("ana", "holidays off"))
    assert remind is not None


async def test_show_explains_why_nothing_is_scheduled(ana: Harness) -> None:
    await ana.command("ana", "logoff 17:30")
    await ana.command("ana", "quiet 17:00-08:00")
    shown = text_of(await ana.command("ana", "logoff"))
    assert "none scheduled — 17:30 is inside your quiet hours (17:00–08:00)" in shown
