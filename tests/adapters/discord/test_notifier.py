"""Scheduled DMs through the engine's sender and the Discord notifier: DM channels opened
once, 50007 stops a person's schedules after one attempt, a global 429 makes the notifier
wait, 40003 pauses the lane."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from adapters.discord.notifier import GLOBAL_RATE, DiscordNotifier, RequestPacer
from bot.kernel.clock import FakeClock
from bot.kernel.effects import Post, SendDirect, Update, UserRef
from bot.kernel.events import MessageRef, Place, TeamKey
from bot.kernel.storage.models import Member
from bot.kernel.storage.models.scheduling import Schedule
from bot.kernel.ui import Message, Text
from tests.adapters.discord.conftest import DiscordHarness, components_of, text_of

DM_OPEN = r"/users/@me/channels"
MESSAGES = r"/channels/\d+/messages"


def _at(clock: FakeClock, hh: int, mm: int, day: int = 0) -> None:
    start = clock.now()
    clock.set(
        datetime(start.year, start.month, start.day, hh, mm, tzinfo=UTC) + timedelta(days=day)
    )


def _notifier(dc: DiscordHarness) -> DiscordNotifier:
    assert dc.client is not None
    return DiscordNotifier(dc.client.crossfade.outbound)


def _hello(dc: DiscordHarness, name: str) -> SendDirect:
    text = "Time to wind down."
    return SendDirect(UserRef("discord", dc.guild, dc.people[name]), Message(text, (Text(text),)))


async def test_logoff_reminder_is_delivered_by_the_notifier(
    dc: DiscordHarness, clock: FakeClock
) -> None:
    dc.person("ana")
    await dc.run("ana", "logoff 17:30")
    _at(clock, 17, 30)
    await dc.services.engine.run_due()
    assert len(dc.fake.calls_to("POST", DM_OPEN)) == 1
    dm = dc.fake.dm_channels[dc.people["ana"]]
    sent = dc.fake.channel_messages(dm)
    assert sent, "no DM was sent"
    reminder = sent[-1]
    labels = [c.get("label") for c in components_of(reminder)]
    assert any("logging off" in (label or "").lower() for label in labels), labels

    # The reminder's button works from the DM: the DM belongs to the guild she set it up in.
    record = await dc.click("ana", reminder["id"], next(x for x in labels if "off" in x.lower()))
    assert record.callback_type in (4, 7)
    assert "went wrong" not in dc.said(record)

    # The next day: the DM channel is known, in memory and in the database.
    _at(clock, 17, 30, day=1)
    await dc.services.engine.run_due()
    assert len(dc.fake.calls_to("POST", DM_OPEN)) == 1
    assert len(dc.fake.channel_messages(dm)) > len(sent)


async def test_dms_closed_stop_the_persons_schedules_after_one_attempt(
    dc: DiscordHarness, clock: FakeClock
) -> None:
    dc.person("bo")
    dc.fake.dms_closed.add(dc.people["bo"])
    await dc.run("bo", "logoff 17:30")
    attempts_before = len(dc.fake.calls_to("POST", MESSAGES))
    for day in range(3):
        for hh, mm in ((17, 20), (17, 30), (17, 45)):
            _at(clock, hh, mm, day=day)
            await dc.services.engine.run_due()
    refused = [c for c in dc.fake.calls_to("POST", MESSAGES)[attempts_before:] if c.status == 403]
    assert len(refused) == 1  # tried once, never again
    async with dc.services.db.uow() as uow:
        member = await uow.session.scalar(
            select(Member).where(Member.platform_user_id == dc.people["bo"])
        )
        assert member is not None and member.dm_blocked
        schedules = list(
            await uow.session.scalars(select(Schedule).where(Schedule.member_id == member.id))
        )
        assert schedules and all(s.next_due_at is None for s in schedules)


async def test_a_global_429_makes_the_notifier_wait(dc: DiscordHarness) -> None:
    dc.person("ana")
    dc.person("bo")
    await dc.run("ana", "help")
    await dc.run("bo", "help")
    notifier = _notifier(dc)
    # open both DM channels first, so that only message sends remain
    for name in ("ana", "bo"):
        await notifier.outbound.dm_channel_id(TeamKey("discord", dc.guild), dc.people[name])
    dc.fake.global_limit_once = 0.6
    started = time.monotonic()
    first, second = await asyncio.gather(
        notifier.deliver(_hello(dc, "ana")), notifier.deliver(_hello(dc, "bo"))
    )
    assert first.ok and second.ok
    assert time.monotonic() - started >= 0.6
    posts = dc.fake.calls_to("POST", MESSAGES)
    limited = [c for c in posts if c.status == 429]
    assert len(limited) == 1
    after = [c for c in posts if c.at > limited[0].at]
    assert len(after) == 2  # both messages went out …
    assert all(c.at - limited[0].at >= 0.6 for c in after)  # … only after the global wait


async def test_a_long_global_wait_goes_back_to_the_sender(dc: DiscordHarness) -> None:
    dc.person("ana")
    await dc.run("ana", "help")
    dc.fake.global_limit_once = 45.0  # longer than the notifier waits in place (30 s)
    started = time.monotonic()
    result = await _notifier(dc).deliver(_hello(dc, "ana"))
    assert result.status == "rate_limited" and result.retry_after == 45.0
    assert time.monotonic() - started < 30  # the lane pauses; this call does not block


async def test_opening_dms_too_fast_backs_off(dc: DiscordHarness) -> None:
    dc.expected_warnings.append("opening DMs too fast")
    dc.person("ana")
    await dc.run("ana", "help")
    dc.fake.dm_open_failures = 2
    notifier = _notifier(dc)
    first = await notifier.deliver(_hello(dc, "ana"))
    second = await notifier.deliver(_hello(dc, "ana"))
    assert first.status == second.status == "rate_limited"
    assert first.retry_after is not None and second.retry_after is not None
    assert second.retry_after > first.retry_after  # longer each time
    third = await notifier.deliver(_hello(dc, "ana"))
    assert third.ok
    assert [c.status for c in dc.fake.calls_to("POST", DM_OPEN)] == [403, 403, 200]


async def test_posts_and_unknown_channels(dc: DiscordHarness) -> None:
    dc.expected_warnings.append("is not in guild")
    notifier = _notifier(dc)
    team = TeamKey("discord", dc.guild)
    text = "Pulse closed"
    posted = await notifier.deliver(
        Post(Place.channel(dc.channel, "general"), Message(text, (Text(text),)), team=team)
    )
    assert posted.ok and posted.message_id in dc.fake.messages
    assert text_of(dc.fake.messages[posted.message_id]) == text
    gone = await notifier.deliver(
        Post(Place.channel("123456789012345678"), Message("x"), team=team)
    )
    assert gone.status == "permanent"
    # a scheduled post that does not say whose channel it is goes nowhere
    before = len(dc.fake.messages)
    orphan = await notifier.deliver(Post(Place.channel(dc.channel), Message("x")))
    assert orphan.status == "permanent" and len(dc.fake.messages) == before


async def test_a_scheduled_post_or_edit_into_another_guild_is_refused(dc: DiscordHarness) -> None:
    dc.expected_warnings.append("is not in guild")
    other_guild, other_channel = dc.fake.add_guild("Elsewhere")
    notifier = _notifier(dc)
    mine = TeamKey("discord", dc.guild)
    sent = await notifier.deliver(Post(Place.channel(dc.channel), Message("hi"), team=mine))
    before = dict(dc.fake.messages)
    foreign = await notifier.deliver(
        Post(Place.channel(other_channel), Message("@everyone hi"), team=mine)
    )
    assert foreign.status == "permanent" and "not in this guild" in (foreign.error or "")
    # editing a message of the other guild's channel, claimed as ours, is refused too
    ref = MessageRef(Place.channel(other_channel), sent.message_id)
    edited = await notifier.deliver(Update(ref, Message("changed"), team=mine))
    assert edited.status == "permanent"
    assert dc.fake.messages == before
    assert not dc.fake.calls_to("POST", rf"/channels/{other_channel}/messages")
    assert not dc.fake.calls_to("PATCH", rf"/channels/{other_channel}/messages/\d+")


async def test_the_pacer_keeps_requests_under_the_global_limit() -> None:
    now = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pacer = RequestPacer(GLOBAL_RATE, monotonic=lambda: now[0], sleep=sleep)
    for _ in range(101):
        await pacer.wait()
    # 101 requests take at least two seconds: never more than 50 in any second
    assert now[0] >= 2.0 - 1e-9
    assert len(slept) == 100


def test_the_notifier_declares_the_global_limit_as_its_lane_rate() -> None:
    assert DiscordNotifier.lane == "discord"
    assert DiscordNotifier.rate_per_second == 50.0


async def test_a_lost_answer_does_not_make_a_second_dm(
    dc: DiscordHarness, clock: FakeClock
) -> None:
    """Discord keeps the message but the connection drops before the answer: the sender's
    retry of the uncertain row carries the same nonce with enforce_nonce, and Discord
    returns the first message."""
    dc.person("cy")
    await dc.run("cy", "logoff 17:30")
    dc.fake.lose_responses = 1
    _at(clock, 17, 30)
    await dc.services.engine.run_due()
    clock.advance(timedelta(seconds=30))  # the uncertain row's retry (a short backoff)
    await dc.services.engine.run_due()
    dm = dc.fake.dm_channels[dc.people["cy"]]
    posts = [c for c in dc.fake.calls_to("POST", MESSAGES) if c.path == f"/channels/{dm}/messages"]
    assert len(posts) >= 2, "the lost answer should have been retried"
    nonces = {c.body["nonce"] for c in posts if isinstance(c.body, dict)}
    assert len(nonces) == 1 and all(c.body["enforce_nonce"] for c in posts)  # type: ignore[index]
    (nonce,) = nonces
    assert len(nonce) <= 25
    reminders = [m for m in dc.fake.channel_messages(dm) if "17:30" in text_of(m)]
    assert len(reminders) == 1, [text_of(m) for m in reminders]


async def test_nonces_differ_per_row_and_per_deployment() -> None:
    from bot.delivery.keys import delivery_key

    assert delivery_key("a", 1) != delivery_key("a", 2)
    assert delivery_key("a", 1) != delivery_key("b", 1)
    assert delivery_key("a", 1) == delivery_key("a", 1)
    assert len(delivery_key("a", 10**12)) <= 25
