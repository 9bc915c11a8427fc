"""PostgreSQL goes away and comes back (a TCP proxy the test cuts and restores): people get
a short "can't reach my database" answer meanwhile, the engine resumes by itself, and every
queued message is delivered once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from bot.bootstrap import make_bot
from bot.delivery.notifier import DeliveryResult
from bot.kernel.app import DATABASE_AWAY, Bot
from bot.kernel.clock import SystemClock
from bot.kernel.effects import Reply, SendDirect
from bot.kernel.events import Actor, Command, Place
from bot.kernel.settings import Settings
from bot.kernel.storage.db import Database
from bot.scheduling.engine import SchedulingEngine
from tests.ops.support import SERVER_KEY, outbox_counts, seed_direct_messages
from tests.ops.tcp_proxy import TcpProxy
from tests.support import pg

pytestmark = pytest.mark.postgres
OUTAGE_SECONDS = 4.0  # the minute, shortened: what matters is that it ends


class Recorder:
    lane = "console"
    rate_per_second = 1000.0
    burst = 100

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def deliver(self, effect: Any) -> DeliveryResult:
        assert isinstance(effect, SendDirect)
        self.sent.append(effect.user.user_id)
        return DeliveryResult.sent(f"m{len(self.sent)}")


def _help(bot: Bot) -> Command:
    actor = Actor("console", "console", "you", "you", is_admin=True)
    return Command(actor, "help", Place.channel("general", "general"))


async def test_the_bot_survives_a_database_outage(postgres_url: str) -> None:
    fresh = Database(postgres_url)
    await pg.truncate_all(fresh)
    await fresh.dispose()
    url = make_url(postgres_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    users = [f"u{i}" for i in range(20)]
    # Everything falls due during the outage.
    await seed_direct_messages(
        postgres_url,
        platform="console",
        workspace="console",
        users=users,
        due_in=timedelta(seconds=2),
    )

    settings = Settings(
        _env_file=None,
        DATABASE_URL=proxied,
        CROSSFADE_TICK_SECONDS=0.2,
        CROSSFADE_SECRET_KEY=SERVER_KEY,
    )  # type: ignore[call-arg]
    db = Database(settings.database_url)
    bot = make_bot(db=db, settings=settings, clock=SystemClock())
    engine = SchedulingEngine(bot, tick_seconds=0.2)
    recorder = Recorder()
    engine.add_notifier(recorder)
    try:
        assert "Commands" in str(await bot.handle(_help(bot)))  # the pool has connections
        await engine.start()
        await proxy.cut()
        effects = await asyncio.wait_for(bot.handle(_help(bot)), 15)
        assert [e.message.text for e in effects if isinstance(e, Reply)] == [DATABASE_AWAY]
        await asyncio.sleep(OUTAGE_SECONDS)
        assert recorder.sent == []
        await proxy.restore()
        for _ in range(150):
            if len(recorder.sent) == len(users):
                break
            await asyncio.sleep(0.1)
        assert sorted(recorder.sent) == sorted(users)  # each once, none lost
        effects = await bot.handle(_help(bot))
        assert DATABASE_AWAY not in str(effects) and "Commands" in str(effects)
    finally:
        await engine.stop()
        await db.dispose()
        await proxy.cut()
    assert await outbox_counts(postgres_url) == {"sent": len(users)}
