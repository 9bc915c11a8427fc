"""The dispatcher's promises: never late, exactly once, rules applied, one bad job isolated,
Skip today on every scheduled DM, and schedules that follow rule changes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.bootstrap import make_bot
from bot.kernel.app import Bot
from bot.kernel.clock import FakeClock
from bot.kernel.effects import Effect, Post
from bot.kernel.storage.db import Database
from bot.kernel.storage.models import Member
from bot.kernel.storage.models.scheduling import OutboxRow, Schedule
from bot.scheduling import (
    DailyLocal,
    Once,
    WeeklyLocal,
    cancel_schedule,
    get_schedule,
    set_schedule,
)
from bot.scheduling.engine import SchedulingEngine
from tests.scheduling.jobs import seen, test_flow
from tests.scheduling.support import RecordingNotifier, bot_with, member_context, play_until
from tests.support.harness import Harness, button


async def schedule(bot: Bot, user: str = "ana", **kwargs: Any) -> int:
    async with member_context(bot, user) as ctx:
        row = await set_schedule(ctx, **kwargs)
        return row.id


async def test_once_fires_once_at_its_instant(
    tbot: Bot, tengine: SchedulingEngine, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    at = clock.now() + timedelta(minutes=30)
    await schedule(tbot, kind="test.ping", rule=Once(at), ref="a")
    assert await tengine.next_due_at() == at
    await play_until(tengine, clock, at + timedelta(days=2))
    assert [d.at for d in notifier.delivered] == [at]
    await tengine.run_due()
    assert len(notifier.delivered) == 1


async def test_misfire_is_skipped_not_sent_late(
    tbot: Bot, tengine: SchedulingEngine, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    # Daily 17:30 UTC; the bot is down from 17:00 until 20:00.
    await schedule(tbot, kind="test.ping", rule=DailyLocal(time(17, 30)), data={"no_skip": True})
    clock.set(datetime(2026, 3, 2, 20, 0, tzinfo=UTC))
    await tengine.run_due()
    assert notifier.delivered == []
    async with tbot.db.uow() as uow:
        row = await uow.session.scalar(select(Schedule))
        assert row is not None
        assert row.next_due_at == datetime(2026, 3, 3, 17, 30, tzinfo=UTC)
    await play_until(tengine, clock, datetime(2026, 3, 3, 18, tzinfo=UTC))
    assert [d.at for d in notifier.delivered] == [datetime(2026, 3, 3, 17, 30, tzinfo=UTC)]


async def test_a_short_outage_inside_the_grace_window_still_sends(
    tbot: Bot, tengine: SchedulingEngine, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    await schedule(tbot, kind="test.ping", rule=DailyLocal(time(17, 30)))
    clock.set(datetime(2026, 3, 2, 17, 40, tzinfo=UTC))  # 10 min late, grace is 15
    await tengine.run_due()
    assert len(notifier.delivered) == 1
    assert "17:30" in notifier.delivered[0].text


async def test_due_once_even_when_run_again_and_again(
    tbot: Bot, tengine: SchedulingEngine, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    for i in range(20):
        await schedule(tbot, f"u{i}", kind="test.ping", rule=Once(clock.now()), ref=str(i))
    for _ in range(3):
        await tengine.run_due()
    assert sorted(d.user for d in notifier.delivered) == sorted(f"u{i}" for i in range(20))
    async with tbot.db.uow() as uow:
        count = await uow.session.scalar(select(func.count()).select_from(OutboxRow))
    assert count == 20


async def test_one_failing_job_does_not_block_the_others(
    tbot: Bot, tengine: SchedulingEngine, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    for i in range(5):
        data = {"explode": True} if i == 2 else {}
        await schedule(tbot, f"u{i}", kind="test.ping", rule=Once(clock.now()), data=data)
    await tengine.run_due()
    assert sorted(d.user for d in notifier.delivered) == ["u0", "u1", "u3", "u4"]
    async with tbot.db.uow() as uow:
        due = await uow.session.scalar(
            select(func.count()).select_from(Schedule).where(Schedule.next_due_at.is_not(None))
        )
    assert due == 0  # the failing firing was skipped, not retried forever
    assert await tengine.next_due_at() is None


async def test_every_scheduled_dm_gets_skip_today_unless_no_skip(
    tbot: Bot, tengine: SchedulingEngine, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    await schedule(tbot, "a", kind="test.ping", rule=Once(clock.now()))
    await schedule(tbot, "b", kind="test.ping", rule=Once(clock.now()), data={"no_skip": True})
    await tengine.run_due()
    by_user = {d.user: d.effect for d in notifier.delivered}
    labels_a = [b.label for b in by_user["a"].message.buttons]  # type: ignore[union-attr]
    labels_b = [b.label for b in by_user["b"].message.buttons]  # type: ignore[union-attr]
    assert labels_a == ["Skip today"] and labels_b == []


async def test_skip_today_skips_the_family_for_the_local_day(
    tbot: Bot, tengine: SchedulingEngine, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    harness = Harness(tbot)
    clock.set(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    await harness.command("ana", "timezone Europe/Berlin")
    await harness.command("ana", "logoff 17:30")
    await play_until(tengine, clock, datetime(2026, 3, 2, 16, 21, tzinfo=UTC))
    heads_up = notifier.delivered[-1]
    assert "Wind-down" in heads_up.text
    skip = button([heads_up.effect], "Skip today")
    answer = await harness.press("ana", skip)
    assert "Skipped for today" in harness_text(answer)
    # no reminder at 17:30 Berlin today, but one tomorrow
    await play_until(tengine, clock, datetime(2026, 3, 3, 16, 35, tzinfo=UTC))
    texts = [(d.at, d.text) for d in notifier.delivered[1:]]
    assert [at for at, _ in texts if "time to log off" in _] == [
        datetime(2026, 3, 3, 16, 30, tzinfo=UTC)
    ]
    # pressing yesterday's Skip today now changes nothing
    stale = await harness.press("ana", skip)
    assert "today's reminders are unchanged" in harness_text(stale)
    # and someone else cannot press it
    other = await harness.press("bo", skip)
    assert "no longer exists" in harness_text(other)


def harness_text(effects: list[Effect]) -> str:
    from tests.support.harness import text_of

    return text_of(effects)


async def test_rules_change_recomputes_next_due(
    tbot: Bot, tengine: SchedulingEngine, clock: FakeClock
) -> None:
    harness = Harness(tbot)
    await harness.command("ana", "logoff 17:30")  # UTC (team default)
    async with member_context(tbot) as ctx:
        row = await get_schedule(ctx, kind="logoff.remind")
        assert row is not None and row.next_due_at == datetime(2026, 3, 2, 17, 30, tzinfo=UTC)
    await harness.command("ana", "timezone Asia/Kathmandu")
    async with member_context(tbot) as ctx:
        row = await get_schedule(ctx, kind="logoff.remind")
        # 17:30 in Kathmandu (+05:45) is 11:45 UTC, already past at 09:00 UTC? No: 09:00 UTC
        # is 14:45 there, so today 11:45 UTC.
        assert row is not None and row.next_due_at == datetime(2026, 3, 2, 11, 45, tzinfo=UTC)
    await harness.command("ana", "workdays tue-fri")
    await harness.command("ana", "away 2026-03-03..2026-03-04")
    async with member_context(tbot) as ctx:
        row = await get_schedule(ctx, kind="logoff.remind")
        assert row is not None and row.next_due_at == datetime(2026, 3, 5, 11, 45, tzinfo=UTC)
    await harness.command("ana", "holidays DE-BY")
    await harness.command("ana", "holidays off")


async def test_set_get_cancel(tbot: Bot, clock: FakeClock) -> None:
    async with member_context(tbot) as ctx:
        row = await set_schedule(ctx, kind="test.ping", rule=DailyLocal(time(9, 30)), data={"x": 1})
        assert row.next_due_at == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
        again = await set_schedule(ctx, kind="test.ping", rule=DailyLocal(time(10, 0)))
        assert again.id == row.id and again.data == {} and again.rule == DailyLocal(time(10, 0))
        assert await cancel_schedule(ctx, kind="test.ping") is True
        assert await cancel_schedule(ctx, kind="test.ping") is False
        assert await get_schedule(ctx, kind="test.ping") is None
        revived = await set_schedule(
            ctx, kind="test.ping", rule=Once(clock.now() + timedelta(hours=1))
        )
        assert revived.id == row.id and revived.next_due_at is not None
        with pytest.raises(ValueError):
            await set_schedule(ctx, kind="x" * 49, rule=Once(clock.now()))


async def test_team_level_weekly_post_ignores_member_rules(
    tbot: Bot, tengine: SchedulingEngine, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    async with member_context(tbot) as ctx:
        ctx.member.away_start = datetime(2026, 3, 1).date()
        ctx.member.away_end = datetime(2026, 3, 31).date()
        await set_schedule(
            ctx,
            kind="test.post",
            rule=WeeklyLocal(0, time(11, 0), "Europe/Berlin"),
            ref="w",
            team_level=True,
        )
        with pytest.raises(ValueError):
            await set_schedule(ctx, kind="test.post", rule=DailyLocal(time(9)), team_level=True)
    await play_until(tengine, clock, datetime(2026, 3, 17, tzinfo=UTC))
    posts = [d for d in notifier.delivered if isinstance(d.effect, Post)]
    assert [d.at for d in posts] == [
        datetime(2026, 3, 2, 10, 0, tzinfo=UTC),
        datetime(2026, 3, 9, 10, 0, tzinfo=UTC),
        datetime(2026, 3, 16, 10, 0, tzinfo=UTC),
    ]
    assert all(due.kind == "test.post" for due in seen)


async def test_dm_blocked_member_stops_and_resumes_when_they_ask_again(
    tbot: Bot, tengine: SchedulingEngine, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    await schedule(tbot, kind="test.ping", rule=DailyLocal(time(17, 0)))
    async with member_context(tbot) as ctx:
        ctx.member.dm_blocked = True
    await play_until(tengine, clock, clock.now() + timedelta(days=3))
    assert notifier.delivered == []
    async with member_context(tbot) as ctx:
        row = await get_schedule(ctx, kind="test.ping")
        assert row is not None and row.next_due_at is None and row.stopped == "dm_blocked"
        await set_schedule(ctx, kind="test.ping", rule=DailyLocal(time(17, 0)))
        assert ctx.member.dm_blocked is False
    await play_until(tengine, clock, clock.now() + timedelta(days=1))
    assert len(notifier.delivered) == 1


async def test_forget_cascades(tbot: Bot, clock: FakeClock, tengine: SchedulingEngine) -> None:
    await schedule(tbot, kind="test.ping", rule=Once(clock.now()))
    await tengine.run_due()
    async with tbot.db.uow() as uow:
        member = await uow.session.scalar(select(Member))
        await uow.session.delete(member)
        await uow.commit()
    async with tbot.db.uow() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Schedule)) == 0
        assert await uow.session.scalar(select(func.count()).select_from(OutboxRow)) == 0


@pytest.mark.postgres
async def test_two_dispatchers_on_postgres_claim_disjoint_batches(
    postgres_db: Database, clock: FakeClock
) -> None:
    """Two dispatchers race over 3,000 due schedules: each is enqueued exactly once."""
    import asyncio

    from bot.kernel.settings import Settings

    settings = Settings(DATABASE_URL="x", _env_file=None)  # type: ignore[call-arg]
    base = make_bot(db=postgres_db, clock=clock, settings=settings)
    bots = [bot_with(base, test_flow) for _ in range(2)]
    from tests.scheduling.bulk import seed_due

    await seed_due(postgres_db, count=3000, due=clock.now(), kind="test.ping")
    engines = [
        SchedulingEngine(b, instance_id=f"d{i}", batch_size=200, send=False)
        for i, b in enumerate(bots)
    ]
    stats = await asyncio.gather(*(e.dispatch() for e in engines))
    assert sum(s.fired for s in stats) == 3000
    assert all(s.fired > 0 for s in stats), [s.fired for s in stats]  # both did work
    async with postgres_db.uow() as uow:
        rows = (
            await uow.session.execute(
                select(OutboxRow.schedule_id, func.count()).group_by(OutboxRow.schedule_id)
            )
        ).all()
    assert len(rows) == 3000 and {count for _, count in rows} == {1}


async def test_a_job_may_reschedule_or_cancel_its_own_schedule(
    any_db: Database, clock: FakeClock
) -> None:
    from bot.kernel.settings import Settings

    settings = Settings(DATABASE_URL="x", _env_file=None)  # type: ignore[call-arg]
    tbot = bot_with(make_bot(db=any_db, clock=clock, settings=settings), test_flow)
    notifier = RecordingNotifier(clock)
    engine = SchedulingEngine(tbot, instance_id="t")
    engine.add_notifier(notifier)
    start = clock.now()
    await schedule(tbot, "a", kind="test.again", rule=Once(start))
    await schedule(tbot, "b", kind="test.stop", rule=DailyLocal(time(10, 0)))
    await play_until(engine, clock, start + timedelta(days=3))
    again = [d.at for d in notifier.delivered if d.user == "a"]
    assert again == [start, start + timedelta(hours=1), start + timedelta(hours=2)]
    stopped = [d.at for d in notifier.delivered if d.user == "b"]
    assert stopped == [start.replace(hour=10)]
    async with member_context(tbot, "b") as ctx:
        assert await get_schedule(ctx, kind="test.stop") is None


async def test_a_job_can_use_and_change_its_member(
    tbot: Bot, tengine: SchedulingEngine, clock: FakeClock
) -> None:
    async with member_context(tbot, "ana") as ctx:
        ctx.member.timezone = "Asia/Kathmandu"
        await set_schedule(ctx, kind="test.touch", rule=Once(clock.now()))
    await tengine.run_due()
    async with tbot.db.uow() as uow:
        names = list(await uow.session.scalars(select(Member.display_name)))
    assert names == ["touched at 14:45"]


async def test_run_late_jobs_fire_after_an_outage(
    tbot: Bot, tengine: SchedulingEngine, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    start = clock.now()
    await schedule(tbot, "a", kind="test.ping", rule=Once(start), data={"run_late": True})
    await schedule(tbot, "b", kind="test.ping", rule=Once(start))
    clock.set(start + timedelta(hours=3))  # the bot was down
    await tengine.run_due()
    assert [d.user for d in notifier.delivered] == ["a"]
    async with tbot.db.uow() as uow:
        row = await uow.session.scalar(select(OutboxRow))
        assert row is not None and row.expires_at == clock.now() + timedelta(hours=1)
