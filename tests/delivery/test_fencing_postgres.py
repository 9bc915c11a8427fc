"""Fenced leases on the real PostgreSQL: the database's clock judges leases, tokens only
grow, and a holder that lost its lease changes nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from bot.bootstrap import make_bot as build_bot
from bot.delivery.lease import acquire_lease, release_lease
from bot.delivery.notifier import DeliveryResult
from bot.kernel.app import Bot
from bot.kernel.clock import FakeClock, SystemClock
from bot.kernel.effects import Effect, SendDirect
from bot.kernel.settings import Settings
from bot.kernel.storage.db import Database
from bot.kernel.storage.models.scheduling import LaneLease, OutboxRow
from bot.scheduling.engine import SchedulingEngine
from tests.scheduling.bulk import seed_due
from tests.scheduling.jobs import test_flow
from tests.scheduling.support import bot_with

pytestmark = pytest.mark.postgres

LANE = "console"


def make_bot(db: Database, clock: object) -> Bot:
    settings = Settings(DATABASE_URL="x", _env_file=None)  # type: ignore[call-arg]
    return bot_with(build_bot(db=db, settings=settings, clock=clock), test_flow)  # type: ignore[arg-type]


class SkewedClock(SystemClock):
    """The real clock, ``offset`` off (an instance on a badly set host)."""

    def __init__(self, offset: timedelta) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


class Gate:
    """A notifier whose calls wait until released (a stalled holder), recording each."""

    lane = LANE
    rate_per_second = float("inf")
    concurrency = 20

    def __init__(self, *, hold: bool) -> None:
        self.hold = hold
        self.release = asyncio.Event()
        self.started = asyncio.Event()
        self.calls: list[str] = []

    async def deliver(self, effect: Effect) -> DeliveryResult:
        assert isinstance(effect, SendDirect)
        self.calls.append(effect.user.user_id)
        self.started.set()
        if self.hold:
            await self.release.wait()
        return DeliveryResult.sent("m")


async def statuses(db: Database) -> dict[str, int]:
    async with db.uow() as uow:
        rows = (await uow.session.execute(select(OutboxRow.status))).scalars().all()
    found: dict[str, int] = {}
    for status in rows:
        found[status] = found.get(status, 0) + 1
    return found


async def test_tokens_only_grow_and_release_keeps_the_row(postgres_db: Database) -> None:
    db, now = postgres_db, datetime.now(UTC)
    ttl = timedelta(seconds=30)
    first = await acquire_lease(db, lane="L", holder="a", now=now, ttl=ttl)
    assert first is not None and first.token == 1
    renewed = await acquire_lease(db, lane="L", holder="a", now=now, ttl=ttl, token=1)
    assert renewed is not None and renewed.token == 1
    assert await acquire_lease(db, lane="L", holder="b", now=now, ttl=ttl) is None
    await release_lease(db, lane="L", holder="a", now=now, token=1)
    async with db.uow() as uow:
        row = await uow.session.get(LaneLease, "L")
        assert row is not None and row.token == 1  # released: row and token kept
    second = await acquire_lease(db, lane="L", holder="b", now=now, ttl=ttl)
    assert second is not None and second.token == 2
    # a's renewal with its old token is refused, and so is a's fresh grab
    assert await acquire_lease(db, lane="L", holder="a", now=now, ttl=ttl, token=1) is None
    assert await acquire_lease(db, lane="L", holder="a", now=now, ttl=ttl) is None


async def test_a_stalled_holders_late_sent_is_refused(postgres_db: Database) -> None:
    """Holder A hangs inside its platform calls; its lease runs out (by the database's
    clock) and B takes the lane over and delivers. A's late "sent" answers are refused by
    the database, and A sends nothing more."""
    db = postgres_db
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    await seed_due(db, count=20, due=clock.now(), kind="test.ping")
    a_bot, b_bot = make_bot(db, clock), make_bot(db, clock)
    a = SchedulingEngine(a_bot, instance_id="a")
    b = SchedulingEngine(b_bot, instance_id="b")
    stalled, healthy = Gate(hold=True), Gate(hold=False)
    stalled.concurrency = 4
    a.add_notifier(stalled)
    b.add_notifier(healthy)
    await a.dispatch()
    a_sender, b_sender = a.sender(LANE), b.sender(LANE)
    assert a_sender is not None and b_sender is not None
    a_task = asyncio.create_task(a_sender.drain(wait=True))
    await asyncio.wait_for(stalled.started.wait(), 10)
    await asyncio.sleep(0.2)
    in_flight = list(stalled.calls)
    # A's lease ends by the database's clock (as after a long pause); A's own clock has not
    # noticed yet
    async with db.uow() as uow:
        await uow.session.execute(text("UPDATE lane_leases SET expires_at = clock_timestamp()"))
        await uow.commit()
    await b_sender.drain(wait=True)
    assert sorted(healthy.calls) == sorted(f"u{i}" for i in range(20))
    stalled.release.set()  # A's calls answer "sent" now: too late
    await a_task
    assert a_sender.stale
    assert stalled.calls == in_flight  # nothing more was sent after the takeover
    assert await statuses(db) == {"sent": 20}
    async with db.uow() as uow:
        owners = set((await uow.session.execute(select(OutboxRow.claimed_by))).scalars())
        token = await uow.session.scalar(select(LaneLease.token).where(LaneLease.lane == LANE))
    assert owners == {"b"} and token == 2


async def test_a_skewed_clock_neither_steals_nor_expires_a_lane(postgres_db: Database) -> None:
    db = postgres_db
    real = make_bot(db, SystemClock())
    ahead = make_bot(db, SkewedClock(timedelta(minutes=61)))
    now = datetime.now(UTC)
    await seed_due(db, count=20, due=now, kind="test.ping")
    holder = SchedulingEngine(real, instance_id="real")
    thief = SchedulingEngine(ahead, instance_id="ahead")
    gate, other = Gate(hold=True), Gate(hold=False)
    holder.add_notifier(gate)
    thief.add_notifier(other)
    await holder.dispatch()
    held = asyncio.create_task(holder.sender(LANE).drain(wait=True))  # type: ignore[union-attr]
    await asyncio.wait_for(gate.started.wait(), 10)
    # the instance 61 minutes ahead: by its own clock the lease is long over and every row
    # is past its delivery deadline — the database's clock says otherwise
    await thief.run_due()
    assert other.calls == []
    assert "expired" not in await statuses(db)
    gate.release.set()
    await held
    assert await statuses(db) == {"sent": 20}
    # the skewed instance's engine follows the database's clock, not its own
    async with db.uow() as uow:
        skew = (await uow.session.execute(text("SELECT clock_timestamp()"))).scalar_one()
    assert abs(thief.clock.now() - skew) < timedelta(seconds=5)
