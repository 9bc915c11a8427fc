"""The long-running path: start() ticks with APScheduler, workers drain lanes, stop() ends
them (real time, a fraction of a second)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event

from bot.bootstrap import make_bot
from bot.delivery import metrics_text
from bot.kernel.app import Bot
from bot.kernel.clock import FakeClock, SystemClock
from bot.kernel.settings import Settings
from bot.kernel.storage.db import Database
from bot.scheduling import Once, set_schedule
from bot.scheduling.engine import SchedulingEngine
from tests.scheduling.jobs import test_flow
from tests.scheduling.support import RecordingNotifier, bot_with, member_context


async def test_start_ticks_delivers_and_stops(db: Database) -> None:
    settings = Settings(DATABASE_URL="x", _env_file=None)  # type: ignore[call-arg]
    clock = SystemClock()
    bot = bot_with(make_bot(db=db, settings=settings, clock=clock), test_flow)
    notifier = RecordingNotifier(clock)  # type: ignore[arg-type]
    engine = SchedulingEngine(bot, instance_id="loop", tick_seconds=0.05)
    engine.add_notifier(notifier)
    for user in ("a", "b", "c"):
        async with member_context(bot, user) as ctx:
            ctx.member.quiet_start = ctx.member.quiet_end = None  # real time: any hour
            ctx.member.work_start, ctx.member.work_end = "00:00", "23:59"  # … and any day
            ctx.member.workdays = 0b1111111
            await set_schedule(ctx, kind="test.ping", rule=Once(clock.now()), ref=user)
    await engine.start()
    try:
        for _ in range(400):  # the tick runs every 50 ms
            if len(notifier.delivered) == 3:
                break
            await asyncio.sleep(0.05)
    finally:
        await engine.stop()
    assert sorted(d.user for d in notifier.delivered) == ["a", "b", "c"]
    assert await engine.next_due_at() is None
    text = metrics_text().decode()
    assert 'crossfade_deliveries_sent_total{kind="test.ping",platform="console"}' in text
    assert "crossfade_delivery_lag_seconds_bucket" in text


async def test_an_idle_tick_is_one_query_and_a_busy_one_still_works(
    tbot: Bot, tengine: SchedulingEngine, clock: FakeClock, notifier: RecordingNotifier
) -> None:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.startswith("BEGIN"):  # SQLite's own BEGIN IMMEDIATE is local
            statements.append(statement)

    sync_engine = tbot.db.engine.sync_engine
    await tengine.tick()  # the first tick also purges old outbox rows (hourly)
    event.listen(sync_engine, "before_cursor_execute", count)
    try:
        await tengine.tick()
        assert len(statements) == 1, statements  # "anything due or waiting?" and nothing else
        statements.clear()
        async with member_context(tbot, "ana") as ctx:
            await set_schedule(ctx, kind="test.ping", rule=Once(clock.now()), ref="ana")
        statements.clear()
        await tengine.tick()  # due: dispatched, and its lane gets a worker
        assert len(statements) > 1
    finally:
        event.remove(sync_engine, "before_cursor_execute", count)
    for _ in range(100):
        if notifier.delivered:
            break
        await asyncio.sleep(0.01)
    assert [d.effect.user.user_id for d in notifier.delivered] == ["ana"]
    await tengine.stop()


async def test_the_idle_probe_survives_a_broken_connection_on_postgres(
    postgres_db: Database,
) -> None:
    """PostgreSQL keeps one connection for the idle probe between ticks: when it breaks (a
    database restart), one tick fails and the next opens another and finds the work."""
    settings = Settings(DATABASE_URL="x", _env_file=None)  # type: ignore[call-arg]
    clock = FakeClock(datetime(2026, 11, 30, 12, 0, tzinfo=UTC))
    bot = bot_with(make_bot(db=postgres_db, settings=settings, clock=clock), test_flow)
    engine = SchedulingEngine(bot, instance_id="probe")
    notifier = RecordingNotifier(clock)
    engine.add_notifier(notifier)
    try:
        await engine.tick()
        probe = engine._probe
        assert probe is not None
        await probe.invalidate()  # the server side is gone
        await engine.tick()  # fails (logged), drops the connection
        async with member_context(bot, "ana") as ctx:
            await set_schedule(ctx, kind="test.ping", rule=Once(clock.now()), ref="ana")
        await engine.tick()
        assert engine._probe is not None and engine._probe is not probe
        for _ in range(200):
            if notifier.delivered:
                break
            await asyncio.sleep(0.01)
        assert [d.effect.user.user_id for d in notifier.delivered] == ["ana"]
    finally:
        await engine.stop()
    assert engine._probe is None
