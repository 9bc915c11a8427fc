"""The window's commands through the real core: bad input, what a change says at once,
strict mode off (counted as unasked), the admin-only report and the one-line answers."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.kernel.app import Bot
from bot.kernel.clock import FakeClock
from bot.scheduling import DailyLocal, set_schedule
from bot.scheduling.engine import SchedulingEngine
from tests.scheduling.jobs import test_flow
from tests.scheduling.support import RecordingNotifier, bot_with, member_context, play_until
from tests.support.harness import GENERAL, Harness, text_of


@pytest.fixture
def h(bot: Bot) -> Harness:
    return Harness(bot)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("workday 25:00-17:00", "isn't a time"),
        ("workday 09:00-09:00", "a start and an end that differ"),
        ("workday 9-5-3", "looks like `workday 09:00-17:30`"),
    ],
)
async def test_bad_windows_get_a_clear_answer(h: Harness, command: str, expected: str) -> None:
    assert expected in text_of(await h.command("you", command))


async def test_a_window_change_says_at_once_what_it_does_to_the_checkin(h: Harness) -> None:
    await h.command("you", "checkin at 17:00")
    text = text_of(await h.command("you", "workday 09:00-16:00"))
    assert "Your daily check-in at 17:00 is now outside your working window" in text
    assert "`checkin at 15:45` moves it" in text


async def test_team_settings(h: Harness) -> None:
    assert "Default start of day: 08:00" in text_of(await h.command("you", "settings workday 8:00"))
    assert "team default, 08:00" in text_of(await h.command("ana", "workday"))
    long = "x" * 201
    assert "200 characters" in text_of(await h.command("you", f'settings policy "{long}"'))
    await h.command("you", 'settings policy "No replies expected after 18:00"')
    assert "*Our team's norm:* No replies expected after 18:00" in text_of(
        await h.command("ana", "help")
    )
    assert "Only team admins" in text_of(await h.command("ana", "team disconnect"))
    assert "Only team admins" in text_of(await h.command("ana", "settings strict off"))


async def test_strict_off_sends_and_counts_unasked(bot: Bot, clock: FakeClock) -> None:
    tbot = bot_with(bot, test_flow)
    notifier = RecordingNotifier(clock)
    engine = SchedulingEngine(tbot, instance_id="t")
    engine.add_notifier(notifier)
    h = Harness(tbot)
    await h.command("you", "workday 09:00-17:00")
    async with member_context(tbot, "you", team="T1") as ctx:
        await set_schedule(ctx, kind="test.ping", rule=DailyLocal(time(19, 0)))
    await play_until(engine, clock, datetime(2026, 3, 3, 12, tzinfo=UTC))
    held = [d for d in notifier.delivered if d.text.startswith("ping")]
    assert [d.at for d in held] == [datetime(2026, 3, 3, 9, tzinfo=UTC)]  # waited
    await h.command("you", "settings strict off")
    await play_until(engine, clock, datetime(2026, 3, 4, 12, tzinfo=UTC))
    late = [d.at for d in notifier.delivered if d.text.startswith("ping")][1:]
    assert late == [datetime(2026, 3, 3, 19, tzinfo=UTC)]
    clock.set(clock.now() + timedelta(days=1))
    report = text_of(await h.command("you", "team disconnect"))
    assert "outside, unasked: 1" in report and "Strict mode is off" in report


async def test_connect_says_what_this_platform_cannot_do(bot: Bot) -> None:
    discord = Harness(bot, platform="discord", team="G1")
    text = text_of(await discord.command("you", "connect", GENERAL))
    assert "Discord has no API for a member's status or notifications" in text
    slack = Harness(bot, platform="slack", team="W1")
    text = text_of(await slack.command("you", "connect", GENERAL))
    assert "needs the app's OAuth client id and secret" in text


@pytest.mark.parametrize(("answer", "nagged"), [("My choice", False), ("Needed to", True)])
async def test_nudges_differ_for_chosen_late_evenings(
    bot: Bot, clock: FakeClock, answer: str, nagged: bool
) -> None:
    from bot.features.checkin.records import nudge_lines
    from tests.support.harness import button

    h = Harness(bot)
    await h.command("ana", "logoff 17:00")
    for day in (3, 4, 5):  # Tue–Thu, logged off an hour late each time
        clock.set(datetime(2026, 3, day, 18, 0, tzinfo=UTC))
        effects = await h.command("ana", "done")
        assert "later than your 17:00" in text_of(effects)
        await h.press("ana", button(effects, answer))
    async with member_context(bot, "ana", team="T1") as ctx:
        lines = await nudge_lines(ctx, today=ctx.local_today)
    assert any("logged off late three workdays running" in line for line in lines) is nagged
