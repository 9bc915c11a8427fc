"""Pulse figures: answers per second when many people press at once on one poll (every
answer takes the poll's row lock, so this is the poll's ceiling), the latency of one press,
the close of a poll with a chart, and the results chart alone.

    .venv/bin/python benchmarks/pulse.py [--people 500] [--concurrency 50] [--database URL]

Prints numbers; asserts nothing. The database defaults to a fresh temporary SQLite file; pass
a PostgreSQL URL (an empty database; it is migrated) for the figures that matter when
several instances share one database.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bot.bootstrap import make_bot
from bot.features.pulse.chart import render_results_chart
from bot.features.pulse.tally import Tally
from bot.kernel.clock import FakeClock
from bot.kernel.effects import Post
from bot.kernel.events import Action, Actor, Command, Place
from bot.kernel.settings import Settings
from bot.kernel.storage.db import Database

CHANNEL = Place.channel("C1", "general")


def actor(user: str, *, admin: bool = False) -> Actor:
    return Actor("console", "bench", user, user, is_admin=admin)


def bench_chart() -> None:
    tally = Tally(tuple(f"Option {i}" for i in range(10)), tuple(range(3, 13)))
    runs = []
    for _ in range(10):
        started = time.perf_counter()
        png = render_results_chart(tally, question="How sustainable is your workload?")
        runs.append(time.perf_counter() - started)
    print(
        f"results chart (10 answers): median {statistics.median(runs) * 1000:.0f} ms, "
        f"{len(png):,} bytes"
    )


async def bench_answers(db: Database, *, people: int, concurrency: int) -> None:
    settings = Settings(DATABASE_URL=db.url, _env_file=None)  # type: ignore[call-arg]
    bot = make_bot(db=db, clock=FakeClock(), settings=settings)
    effects = await bot.handle(
        Command(actor("you", admin=True), '/crossfade pulse ask "Bench?" scale closes 2d', CHANNEL)
    )
    post = next(e for e in effects if isinstance(e, Post))
    buttons = post.message.buttons
    users = [f"u{i:05d}" for i in range(people)]
    # People meet the bot first, so the figure is about answers, not first contacts.
    for user in users:
        await bot.handle(Command(actor(user), "/crossfade help", CHANNEL))

    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def press(i: int, user: str) -> None:
        button = buttons[i % len(buttons)]
        async with gate:
            started = time.perf_counter()
            await bot.handle(Action(actor(user), button.action, button.value, None, CHANNEL))
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(press(i, u) for i, u in enumerate(users)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    print(
        f"{people} answers, {concurrency} at a time on {db.engine.dialect.name}: "
        f"{people / elapsed:,.0f} answers/s; one press median "
        f"{statistics.median(latencies) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"
    )

    started = time.perf_counter()
    await bot.handle(Command(actor("you", admin=True), "/crossfade pulse close 1", CHANNEL))
    print(f"closing it (tally, chart, messages): {(time.perf_counter() - started) * 1000:.0f} ms")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--database", default="")
    args = parser.parse_args()
    bench_chart()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        db = Database(url)
        try:
            await db.upgrade()
            # SQLite takes one writer at a time; more concurrency only queues on its lock.
            concurrency = 1 if db.is_sqlite else args.concurrency
            await bench_answers(db, people=args.people, concurrency=concurrency)
        finally:
            await db.dispose()


if __name__ == "__main__":
    asyncio.run(main())
