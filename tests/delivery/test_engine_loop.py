"""The long-running path: start() ticks with APScheduler, workers drain lanes, stop() ends
them (real time, a fraction of a second)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, select

from bot.bootstrap import make_bot
from bot.delivery import metrics_text
from bot.kernel.app import Bot
from bot.kernel.clock import FakeClock, SystemClock
from bot.kernel.context import Context
from bot.kernel.effects import Effect, SendDirect
from bot.kernel.registry import Flow
from bot.kernel.settings import Settings
from bot.kernel.storage.db import Database
from bot.kernel.storage.models.scheduling import OutboxRow, Schedule
from bot.kernel.ui import Message
from bot.scheduling import Due, Once, set_schedule
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
        probe = engine.probe.connection
        assert probe is not None
        await probe.invalidate()  # the server side is gone
        await engine.tick()  # fails (logged), drops the connection
        async with member_context(bot, "ana") as ctx:
            await set_schedule(ctx, kind="test.ping", rule=Once(clock.now()), ref="ana")
        await engine.tick()
        assert engine.probe.connection is not None and engine.probe.connection is not probe
        for _ in range(200):
            if notifier.delivered:
                break
            await asyncio.sleep(0.01)
        assert [d.effect.user.user_id for d in notifier.delivered] == ["ana"]
    finally:
        await engine.stop()
    assert engine.probe.connection is None


async def test_a_stop_during_the_first_tick_lets_it_finish_without_a_traceback(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """SIGTERM while the first tick is dispatching: ``stop()`` waits for the tick, whose
    batch commits (the firing is enqueued once, for the next start to send), instead of
    letting APScheduler's shutdown cancel it mid-transaction (a rolled-back batch and a
    SQLAlchemy traceback in the log)."""
    caplog.set_level(logging.INFO)
    entered, release = asyncio.Event(), asyncio.Event()
    gate = Flow("gate")

    @gate.job("test.gate")
    async def gated(ctx: Context, due: Due) -> list[Effect]:
        entered.set()
        await release.wait()  # the tick is inside its dispatch transaction
        return [SendDirect(ctx.user_ref, Message("after the gate"))]

    settings = Settings(DATABASE_URL="x", _env_file=None)  # type: ignore[call-arg]
    clock = SystemClock()
    bot = bot_with(make_bot(db=db, settings=settings, clock=clock), gate)
    async with member_context(bot, "ana") as ctx:
        await set_schedule(ctx, kind="test.gate", rule=Once(clock.now()), ref="ana")
    engine = SchedulingEngine(bot, instance_id="stop", tick_seconds=60)
    engine.add_notifier(RecordingNotifier(clock))  # type: ignore[arg-type]
    await engine.start()
    await asyncio.wait_for(entered.wait(), 10)
    stopping = asyncio.create_task(engine.stop())
    await asyncio.sleep(0.1)  # the scheduler has shut down meanwhile
    assert not stopping.done()
    release.set()
    await asyncio.wait_for(stopping, 10)

    async with db.uow() as uow:
        rows = (await uow.session.execute(select(OutboxRow.kind, OutboxRow.status))).all()
        due = await uow.session.scalar(
            select(Schedule.next_due_at).where(Schedule.kind == "test.gate")
        )
    assert [tuple(row) for row in rows] == [("test.gate", "pending")]
    assert due is None  # fired, once
    failures = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert failures == [], [r.getMessage() for r in failures]
