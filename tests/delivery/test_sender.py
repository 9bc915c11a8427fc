"""The sender with a fake clock: Retry-After, backoff, giving up, permanent errors, expiry,
leases and the token bucket — no sleeping."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.delivery import metrics_text
from bot.delivery.lease import acquire_lease, release_lease
from bot.delivery.notifier import DeliveryResult, lane_for
from bot.delivery.sender import SenderConfig
from bot.kernel.app import Bot
from bot.kernel.clock import FakeClock
from bot.kernel.events import TeamKey
from bot.kernel.storage.models import Member, Team
from bot.kernel.storage.models.scheduling import OutboxRow
from bot.kernel.storage.repositories import PostedMessages, Teams
from bot.scheduling import DailyLocal, Once, get_schedule, set_schedule
from bot.scheduling.engine import SchedulingEngine
from tests.scheduling.support import RecordingNotifier, member_context, play_until


async def once(bot: Bot, user: str = "ana", *, kind: str = "test.ping", **kwargs: Any) -> None:
    async with member_context(bot, user) as ctx:
        await set_schedule(ctx, kind=kind, rule=Once(bot.clock.now()), ref=user, **kwargs)


async def rows(bot: Bot) -> list[OutboxRow]:
    async with bot.db.uow() as uow:
        found = list(await uow.session.scalars(select(OutboxRow).order_by(OutboxRow.id)))
        await uow.commit()  # keeps the loaded values (a rollback would expire them)
        return found


async def test_retry_after_is_honoured(
    tbot: Bot, tengine: SchedulingEngine, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    notifier.results = [DeliveryResult.rate_limited(30)]
    start = clock.now()
    await once(tbot)
    await tengine.run_due()
    assert notifier.delivered == [] and notifier.calls == 1
    assert await tengine.next_due_at() == start + timedelta(seconds=30)
    await play_until(tengine, clock, start + timedelta(minutes=5))
    assert [d.at for d in notifier.delivered] == [start + timedelta(seconds=30)]
    (row,) = await rows(tbot)
    assert row.status == "sent" and row.attempts == 1  # a 429 is not a failed attempt
    assert b"crossfade_deliveries_retried_total" in metrics_text()


async def test_transient_errors_back_off_then_succeed(
    tbot: Bot, tengine: SchedulingEngine, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    notifier.results = [DeliveryResult.transient("502"), DeliveryResult.transient("503")]
    start = clock.now()
    await once(tbot)
    await play_until(tengine, clock, start + timedelta(minutes=5))
    assert notifier.calls == 3 and len(notifier.delivered) == 1
    delay = notifier.delivered[0].at - start
    # two backoffs: 2 s and 4 s, each with jitter between half and all of it
    assert timedelta(seconds=3) <= delay <= timedelta(seconds=6)
    (row,) = await rows(tbot)
    assert row.status == "sent" and row.attempts == 3


async def test_gives_up_after_max_attempts(
    tbot: Bot, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    engine = SchedulingEngine(tbot, instance_id="t", sender_config=SenderConfig(max_attempts=3))
    engine.add_notifier(notifier)
    notifier.results = [DeliveryResult.transient("500")] * 10
    await once(tbot)
    await play_until(engine, clock, clock.now() + timedelta(hours=1))
    assert notifier.calls == 3
    (row,) = await rows(tbot)
    assert row.status == "failed" and row.error == "500"


async def test_blocked_member_stops_their_schedules(
    tbot: Bot, tengine: SchedulingEngine, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    async with member_context(tbot) as ctx:
        await set_schedule(
            ctx, kind="test.ping", rule=DailyLocal(clock.now().time().replace(second=0)), ref="d"
        )
    clock.advance(timedelta(days=1))
    notifier.results = [DeliveryResult.blocked("cannot_dm_bot")]
    await tengine.run_due()
    await play_until(tengine, clock, clock.now() + timedelta(days=5))
    assert notifier.calls == 1  # never tried again
    async with member_context(tbot) as ctx:
        assert ctx.member.dm_blocked is True
        row = await get_schedule(ctx, kind="test.ping", ref="d")
        assert row is not None and row.next_due_at is None and row.stopped == "dm_blocked"
    assert [r.status for r in await rows(tbot)] == ["failed"]


async def test_uninstalled_team_fails_the_lane_without_calls(
    tbot: Bot, tengine: SchedulingEngine, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    for user in ("a", "b", "c"):
        await once(tbot, user)
    notifier.results = [DeliveryResult.uninstalled("invalid_auth")]
    await tengine.run_due()
    assert notifier.calls == 1
    assert [r.status for r in await rows(tbot)] == ["failed"] * 3
    async with tbot.db.uow() as uow:
        team = await uow.session.scalar(select(Team))
        assert team is not None and team.active is False
    # the next firing of the team's schedules is skipped, not attempted
    await once(tbot, "d")
    await tengine.run_due()
    assert notifier.calls == 1
    # reinstalled: the same engine delivers again
    async with tbot.db.uow() as uow:
        team = await uow.session.scalar(select(Team))
        assert team is not None
        team.active = True
        await uow.commit()
    await once(tbot, "e")
    await tengine.run_due()
    assert notifier.calls == 2 and [d.user for d in notifier.delivered] == ["e"]


async def test_permanent_error_fails_one_row_only(
    tbot: Bot, tengine: SchedulingEngine, notifier: RecordingNotifier
) -> None:
    await once(tbot, "a")
    await once(tbot, "b")
    notifier.results = [DeliveryResult.permanent("invalid_blocks")]
    await tengine.run_due()
    assert [r.status for r in await rows(tbot)] == ["failed", "sent"]
    async with tbot.db.uow() as uow:
        assert not any(m.dm_blocked for m in await uow.session.scalars(select(Member)))


async def test_never_sent_after_the_delivery_deadline(
    tbot: Bot, tengine: SchedulingEngine, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    notifier.results = [DeliveryResult.rate_limited(2 * 3600)]
    await once(tbot)
    await play_until(tengine, clock, clock.now() + timedelta(hours=3))
    assert notifier.delivered == [] and notifier.calls == 1
    assert [r.status for r in await rows(tbot)] == ["expired"]


async def test_posts_remember_their_message_id(
    tbot: Bot, tengine: SchedulingEngine, notifier: RecordingNotifier
) -> None:
    await once(tbot, kind="test.post")
    await tengine.run_due()
    async with tbot.db.uow() as uow:
        team = await Teams(uow.session).get(TeamKey("console", "T1"))
        assert team is not None
        ref = await PostedMessages(uow.session, team).get("post:ana")
    assert ref is not None and ref.id == "m1" and ref.place.id == "C1"


async def test_a_lane_held_by_another_instance_waits_for_the_lease(
    tbot: Bot, tengine: SchedulingEngine, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    await acquire_lease(
        tbot.db, lane="console", holder="other", now=clock.now(), ttl=timedelta(seconds=20)
    )
    start = clock.now()
    await once(tbot)
    await tengine.run_due()
    assert notifier.calls == 0
    assert await tengine.next_due_at() == start + timedelta(seconds=20)
    await play_until(tengine, clock, start + timedelta(minutes=1))
    assert [d.at for d in notifier.delivered] == [start + timedelta(seconds=20)]


async def test_token_bucket_spaces_requests_in_fake_time(
    tbot: Bot, tengine: SchedulingEngine, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    notifier.rate_per_second = 2.0
    tengine.add_notifier(notifier)  # re-register: the lane's bucket follows the new rate
    start = clock.now()
    for i in range(6):
        await once(tbot, f"u{i}")
    await play_until(tengine, clock, start + timedelta(minutes=1))
    times = [(d.at - start).total_seconds() for d in notifier.delivered]
    assert len(times) == 6 and times[0] == 0
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(g >= 0.5 for g in gaps), gaps  # never faster than 2/s


def test_lane_names() -> None:
    assert lane_for("slack", "T123") == "slack:T123"
    assert lane_for("discord", "G1") == "discord"
    assert lane_for("console", "console") == "console"


async def test_a_retried_row_keeps_its_place_ahead_of_rows_due_later(
    tbot: Bot, tengine: SchedulingEngine, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    notifier.results = [DeliveryResult.transient("502")]
    start = clock.now()
    await once(tbot, "a")
    await tengine.run_due()  # a fails; its retry is ready 1–2 s later
    clock.set(start + timedelta(milliseconds=500))
    await once(tbot, "c")  # due later than a, but ready (not_before) before a's retry
    await tengine.dispatch()
    clock.set(start + timedelta(seconds=3))
    await tengine.run_due()
    assert [d.user for d in notifier.delivered] == ["a", "c"]


async def test_a_new_holder_waits_out_the_previous_holders_window(
    tbot: Bot, tengine: SchedulingEngine, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    # Another instance drained the lane at its full rate and released it at `released`: its
    # last second of requests still counts at the platform, so ours start a window later.
    notifier.rate_per_second = 5.0
    tengine.add_notifier(notifier)
    released = clock.now()
    lease = await acquire_lease(
        tbot.db, lane="console", holder="other", now=released, ttl=timedelta(seconds=20)
    )
    assert lease is not None
    await release_lease(tbot.db, lane="console", holder="other", now=released, token=lease.token)
    clock.advance(timedelta(milliseconds=200))
    for i in range(3):
        await once(tbot, f"u{i}")
    await play_until(tengine, clock, released + timedelta(minutes=1))
    times = [(d.at - released).total_seconds() for d in notifier.delivered]
    assert len(times) == 3 and times[0] == pytest.approx(1.0), times
