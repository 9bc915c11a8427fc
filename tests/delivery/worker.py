"""One bot instance for the scale-out tests: the real engine (dispatcher + senders) against a
database, delivering to the fake platform. Run as a subprocess::

    python -m tests.delivery.worker DATABASE_URL FAKE_URL --instance a

It prints ``ready`` once ticking and stops cleanly on SIGTERM (the test kills one with -9).
The chaos suite's worker (``tests.chaos.worker``) is built and served the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.bootstrap import make_bot
from bot.delivery.sender import SenderConfig
from bot.kernel.clock import Clock, SystemClock
from bot.kernel.settings import Settings
from bot.kernel.storage.db import Database
from bot.scheduling.engine import SchedulingEngine
from tests.delivery.http_notifier import HttpNotifiers


def worker_arguments(*, lease_ttl: float, tick: float) -> argparse.ArgumentParser:
    """What every worker is told: the database, the platform's URL, its instance name, its
    lease and its tick (in seconds)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("database")
    parser.add_argument("platform_url")
    parser.add_argument("--instance", required=True)
    parser.add_argument("--lease-ttl", type=float, default=lease_ttl)
    parser.add_argument("--tick", type=float, default=tick)
    return parser


def engine_on(
    url: str, *, instance: str, clock: Clock, pool_size: int, tick: float, config: SenderConfig
) -> SchedulingEngine:
    """The real engine of a bot on ``url`` (its database is ``engine.db``)."""
    settings = Settings(DATABASE_URL=url, _env_file=None)  # type: ignore[call-arg]
    db = Database(settings.database_url, pool_size=pool_size)
    bot = make_bot(db=db, settings=settings, clock=clock)
    return SchedulingEngine(bot, instance_id=instance, sender_config=config, tick_seconds=tick)


async def serve(engine: SchedulingEngine, close: Callable[[], Awaitable[None]]) -> None:
    """Tick until SIGTERM (``ready`` on stdout once ticking), then stop cleanly: the engine,
    the notifiers (``close``), the database."""
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await engine.start()
    print("ready", flush=True)
    await stop.wait()
    await engine.stop()
    with contextlib.suppress(Exception):
        await close()
    await engine.db.dispose()


async def main() -> None:
    parser = worker_arguments(lease_ttl=3.0, tick=0.2)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    config = SenderConfig(
        lease_ttl=timedelta(seconds=args.lease_ttl),
        batch_size=100,
        max_in_flight=args.concurrency,
    )
    engine = engine_on(
        args.database,
        instance=args.instance,
        clock=SystemClock(),
        pool_size=args.concurrency + 4,
        tick=args.tick,
        config=config,
    )
    notifiers = HttpNotifiers(
        args.platform_url,
        "slack",
        rate_per_second=100_000,
        concurrency=args.concurrency,
        sender=args.instance,
    )
    engine.add_notifier(notifiers)
    await serve(engine, notifiers.close)


if __name__ == "__main__":
    asyncio.run(main())
