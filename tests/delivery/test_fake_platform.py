"""Against a local fake platform API (aiohttp, free port) that enforces a rate limit with 429
and Retry-After, fails with 5xx at random and refuses one blocked user: every delivery
arrives once, the blocked one is tried once, and after the first 429 episode the fake sees
nothing above its limit. Runs in real time (a few seconds); asserts no durations."""

from __future__ import annotations

import asyncio
import time as _time
from collections import Counter
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.bootstrap import make_bot
from bot.delivery.sender import SenderConfig
from bot.kernel.clock import SystemClock
from bot.kernel.settings import Settings
from bot.kernel.storage.db import Database
from bot.kernel.storage.models.scheduling import OutboxRow
from bot.scheduling.engine import SchedulingEngine
from tests.delivery.fake_platform import FakePlatform
from tests.delivery.http_notifier import HttpNotifier
from tests.delivery.report import report
from tests.scheduling.bulk import seed_due
from tests.scheduling.jobs import test_flow
from tests.scheduling.support import bot_with

COUNT = 150
LIMIT = 30  # per second, per lane
CONCURRENCY = 4


@pytest.fixture
async def fake() -> AsyncIterator[FakePlatform]:
    platform = FakePlatform(limit=LIMIT, window=1.0, error_rate=0.1, latency=0.002)
    platform.blocked_users = {"u7"}
    await platform.start()
    yield platform
    await platform.stop()


async def pending(db: Database) -> int:
    async with db.uow() as uow:
        return int(
            await uow.session.scalar(
                select(func.count()).select_from(OutboxRow).where(OutboxRow.status == "pending")
            )
            or 0
        )


async def test_rate_limits_and_faults(
    db: Database, fake: FakePlatform, request: pytest.FixtureRequest
) -> None:
    settings = Settings(DATABASE_URL="x", _env_file=None)  # type: ignore[call-arg]
    bot = bot_with(make_bot(db=db, settings=settings, clock=SystemClock()), test_flow)
    await seed_due(db, count=COUNT, due=bot.clock.now(), kind="test.ping", platform="slack")
    config = SenderConfig(backoff_base=0.2, backoff_max=2.0, max_attempts=20)
    engine = SchedulingEngine(bot, instance_id="fault-test", sender_config=config)
    # configured well above the platform's real limit: the sender must learn it from 429s
    notifier = HttpNotifier(fake.url, "slack:W0", rate_per_second=80, concurrency=CONCURRENCY)
    engine.add_notifier(notifier)
    try:
        stats = await engine.dispatch()
        assert stats.enqueued == COUNT
        sender = engine.sender("slack:W0")
        assert sender is not None
        deadline = _time.monotonic() + 120
        while await pending(db) and _time.monotonic() < deadline:
            await sender.drain(wait=True)
            await asyncio.sleep(0.05)  # rows waiting for their backoff
    finally:
        await notifier.close()

    delivered = Counter({key.split("|")[0]: n for key, n in fake.delivered.items()})
    assert set(delivered) == {f"u{i}" for i in range(COUNT)} - {"u7"}, "a delivery was lost"
    assert set(delivered.values()) == {1}, "a delivery arrived twice"
    attempts_u7 = sum(1 for r in fake.requests if r.key.startswith("u7|") and r.status != 429)
    assert attempts_u7 == 1, "the blocked user was retried"
    errors = [r for r in fake.requests if r.status >= 500]
    limited = fake.rate_limited
    first_limited = limited[0].at if limited else 0.0
    after_first = fake.over_limit_after(1.5)
    peak_after = fake.max_in_window(after=first_limited + 1.5)
    report(
        request,
        f"fake platform: {len(fake.requests)} requests, {sum(delivered.values())} delivered once, "
        f"{len(errors)} random 5xx retried, {len(limited)} × 429 (all in the first episode: "
        f"{after_first} later), peak after it {peak_after}/{LIMIT} per second",
    )
    assert errors, "the fake should have failed some requests"
    assert 1 <= len(limited) <= CONCURRENCY
    assert after_first == 0
    assert peak_after <= LIMIT
    async with db.uow() as uow:
        statuses = Counter((await uow.session.execute(select(OutboxRow.status))).scalars().all())
    assert statuses == {"sent": COUNT - 1, "failed": 1}
