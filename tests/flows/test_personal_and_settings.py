"""The foundation's commands through the real core and SQLite."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.kernel.app import SORRY, Bot
from bot.kernel.effects import Reply
from bot.kernel.events import Action
from bot.kernel.storage.models import Member, Team
from tests.support.harness import Harness, button, text_of


@pytest.fixture
def h(bot: Bot) -> Harness:
    return Harness(bot)


async def member(bot: Bot, user: str) -> Member:
    async with bot.db.uow() as uow:
        row = await uow.session.scalar(select(Member).where(Member.platform_user_id == user))
        assert row is not None
        await uow.commit()  # keeps the loaded values readable after the session closes
        return row


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("timezone Mars/Olympus", "I don't know the time zone “Mars/Olympus”"),
        ("workdays funday", "I don't know the day “funday”"),
        ("quiet 25:00-08:00", "“25:00” isn't a time of day"),
        ("away 2026-12-31..2026-01-01", "is before the start"),
        ("away 2026-03-10..2027-06-01", "at most a year"),
        ("x" * 10_000, "10,000 characters"),
        ("tmiezone", "Did you mean `/crossfade timezone`?"),
        ('pulse ask "unclosed', "quote is not closed"),
    ],
)
async def test_bad_input_gets_a_clear_answer(h: Harness, command: str, expected: str) -> None:
    effects = await h.command("you", command)
    assert len(effects) == 1 and isinstance(effects[0], Reply) and effects[0].private
    assert expected in text_of(effects)
    assert SORRY not in text_of(effects)


async def test_empty_command_shows_help_with_every_command(h: Harness, bot: Bot) -> None:
    text = text_of(await h.command("you", ""))
    for name in bot.router.commands:
        assert f"/crossfade {name}" in text


async def test_bad_input_changes_nothing(h: Harness, bot: Bot) -> None:
    await h.command("you", "quiet 21:00-07:00")
    await h.command("you", "quiet 25:00-08:00")
    row = await member(bot, "you")
    assert (row.quiet_start, row.quiet_end) == ("21:00", "07:00")


async def test_timezone_suggestion_button_pressed_twice(h: Harness, bot: Bot) -> None:
    effects = await h.command("you", "timezone Europe/Berln")
    berlin = button(effects, "Europe/Berlin")
    first = await h.press("you", berlin)
    assert "Time zone set: Europe/Berlin" in text_of(first)
    second = await h.press("you", berlin)
    assert "already Europe/Berlin" in text_of(second)
    assert (await member(bot, "you")).timezone == "Europe/Berlin"


async def test_settings_are_saved_per_person(h: Harness, bot: Bot) -> None:
    await h.command("alice", "timezone Asia/Kathmandu")
    await h.command("alice", "workdays sun-thu")
    await h.command("alice", "away 2026-03-10..2026-03-12")
    await h.command("bob", "quiet off")
    alice, bob = await member(bot, "alice"), await member(bot, "bob")
    assert alice.timezone == "Asia/Kathmandu" and alice.timezone_source == "user"
    assert alice.workdays == 0b1001111
    assert (alice.away_start, alice.away_end) == (date(2026, 3, 10), date(2026, 3, 12))
    assert bob.quiet_start is None and bob.timezone is None
    view = text_of(await h.command("alice", "settings"))
    assert "Asia/Kathmandu" in view and "Sun–Thu" in view and "Tue 10 Mar" in view


async def test_team_settings_are_admin_only_and_validated(h: Harness, bot: Bot) -> None:
    refused = await h.command("alice", "settings k 7")
    assert "Only team admins" in text_of(refused)
    assert "can't be below 3" in text_of(await h.command("you", "settings k 2"))
    assert "at least 7 answers" in text_of(await h.command("you", "settings k 7"))
    assert "#general" in text_of(await h.command("you", "settings channel here"))
    assert "Unknown time zone" in text_of(await h.command("you", "settings timezone Nowhere/X"))
    async with bot.db.uow() as uow:
        team = await uow.session.scalar(select(Team))
        assert team is not None
        assert team.k_threshold == 7 and team.pulse_channel_name == "general"


async def test_teams_never_see_each_other(bot: Bot) -> None:
    one, two = Harness(bot, team="T1"), Harness(bot, team="T2")
    await one.command("you", "settings k 9")
    assert "results show: 5" in text_of(await two.command("you", "settings"))
    assert "results show: 9" in text_of(await one.command("you", "settings"))


async def test_unknown_button_is_answered_not_crashed(h: Harness, bot: Bot) -> None:
    effects = await bot.handle(Action(h.actor("you"), "nothing:here", "x"))
    assert "moved on" in text_of(effects)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=200))
async def test_no_command_text_crashes_the_bot(h: Harness, text: str) -> None:
    effects = await h.command("fuzzer", text)
    assert effects and SORRY not in text_of(effects)
