"""One bot instance for the scale-out tests: the real engine (dispatcher + senders) against a
database, delivering to the fake platform. Run as a subprocess::

    python -m tests.delivery.worker DATABASE_URL FAKE_URL --instance a

It prints ``ready`` once ticking and stops cleanly on SIGTERM (the test kills one with -9).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from datetime import timedelta

from bot.bootstrap import make_bot
from bot.delivery.sender import SenderConfig
from bot.kernel.clock import SystemClock
from bot.kernel.settings import Settings
from bot.kernel.storage.db import Database
from bot.scheduling.engine import SchedulingEngine
from tests.delivery.http_notifier import HttpNotifiers


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("database")
    parser.add_argument("fake")
    parser.add_argument("--instance", required=True)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--lease-ttl", type=float, default=3.0)
    parser.add_argument("--tick", type=float, default=0.2)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    settings = Settings(DATABASE_URL=args.database, _env_file=None)  # type: ignore[call-arg]
    db = Database(settings.database_url, pool_size=args.concurrency + 4)
    bot = make_bot(db=db, settings=settings, clock=SystemClock())
    config = SenderConfig(
        lease_ttl=timedelta(seconds=args.lease_ttl),
        batch_size=100,
        max_in_flight=args.concurrency,
    )
    engine = SchedulingEngine(
        bot, instance_id=args.instance, sender_config=config, tick_seconds=args.tick
    )
    notifiers = HttpNotifiers(
        args.fake,
        "slack",
        rate_per_second=100_000,
        concurrency=args.concurrency,
        sender=args.instance,
    )
    engine.add_notifier(notifiers)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await engine.start()
    print("ready", flush=True)
    await stop.wait()
    await engine.stop()
    with contextlib.suppress(Exception):
        await notifiers.close()
    await db.dispose()


if __name__ == "__main__":
    asyncio.run(main())
