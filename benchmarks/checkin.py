"""Check-in figures: chart rendering, one answer press, `me`, `export` and `forget` for a
person with a year of check-ins, in a team of many, on SQLite (or PostgreSQL).

    .venv/bin/python benchmarks/checkin.py [--people 200] [--days 365] [--database URL]

Prints numbers; asserts nothing. The database defaults to a fresh temporary SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from bot.bootstrap import make_bot
from bot.features.checkin.chart import ChartDay, render_checkin_chart
from bot.features.checkin.models import CheckIn
from bot.kernel.app import Bot
from bot.kernel.clock import FakeClock
from bot.kernel.effects import Reply
from bot.kernel.events import Action, Actor, Command, Place
from bot.kernel.settings import Settings
from bot.kernel.storage.db import Database
from bot.kernel.storage.models import Member, Team

DM = Place.dm()
TODAY = date(2026, 3, 2)


def bench_charts() -> None:
    for count in (7, 30):
        days = [
            ChartDay(
                TODAY - timedelta(days=i),
                mood=1 + i % 5,
                energy=("low", "ok", "high")[i % 3],
                hours=("lt6", "6-8", "8-10", "10+")[i % 4],
            )
            for i in range(count)
        ]
        runs = []
        for _ in range(10):
            started = time.perf_counter()
            png = render_checkin_chart(days, title="bench")
            runs.append(time.perf_counter() - started)
        print(
            f"chart, {count:>2} days: {statistics.median(runs) * 1000:.0f} ms median "
            f"(in a worker thread), {len(png) / 1024:.0f} KiB PNG"
        )


async def seed(db: Database, *, people: int, days: int) -> None:
    """``people`` members of one team, each with a check-in on every workday of ``days``."""
    rng = random.Random(7)
    async with db.uow() as uow:
        team = Team(platform="console", workspace_id="bench")
        uow.session.add(team)
        await uow.session.flush()
        members = [
            Member(team_id=team.id, platform_user_id=f"u{i}", display_name=f"u{i}")
            for i in range(people)
        ]
        uow.session.add_all(members)
        await uow.session.flush()
        rows = []
        for member in members:
            for offset in range(1, days + 1):
                day = TODAY - timedelta(days=offset)
                if day.weekday() >= 5:
                    continue
                rows.append(
                    {
                        "team_id": team.id,
                        "member_id": member.id,
                        "local_date": day,
                        "mood": rng.randint(1, 5),
                        "energy": rng.choice(["low", "ok", "high"]),
                        "hours": rng.choice(["lt6", "6-8", "8-10", "10+"]),
                        "took_break": rng.random() < 0.7,
                        "downtime": rng.random() < 0.6,
                        "note": "a line of text" if rng.random() < 0.2 else None,
                        "zone": "UTC",
                        "created_at": datetime.now(UTC),
                        "updated_at": datetime.now(UTC),
                    }
                )
        for start in range(0, len(rows), 5000):
            await uow.session.execute(insert(CheckIn), rows[start : start + 5000])
        await uow.commit()
    print(f"seeded {people} people × {days} days: {len(rows):,} check-ins in total")


async def timed(label: str, bot: Bot, events: list[object], repeat: int = 1) -> list[object]:
    samples = []
    last: list[object] = []
    for _ in range(repeat):
        for event in events:
            started = time.perf_counter()
            last = list(await bot.handle(event))  # type: ignore[arg-type]
            samples.append(time.perf_counter() - started)
    print(
        f"{label}: {statistics.median(samples) * 1000:.0f} ms median, "
        f"{max(samples) * 1000:.0f} ms max over {len(samples)}"
    )
    return last


async def main(people: int, days: int, url: str | None) -> None:
    bench_charts()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        await db.upgrade()
        await seed(db, people=people, days=days)
        clock = FakeClock(datetime(2026, 3, 2, 17, 0, tzinfo=UTC))
        settings = Settings(DATABASE_URL=db.url, _env_file=None)  # type: ignore[call-arg]
        bot = make_bot(db=db, clock=clock, settings=settings)

        def actor(i: int) -> Actor:
            return Actor("console", "bench", f"u{i}", f"u{i}")

        presses = [
            Action(actor(i), "checkin:a", f"{TODAY:%Y%m%d}|{code}|{value}")
            for i in range(20)
            for code, value in (("m", "4"), ("e", "ok"), ("h", "6-8"), ("b", "y"), ("d", "y"))
        ]
        await timed("answer press (last one renders streak + nudges)", bot, presses)
        await timed("me (7 days, chart)", bot, [Command(actor(i), "me", DM) for i in range(10)])
        await timed("me 30 (chart)", bot, [Command(actor(i), "me 30", DM) for i in range(10)])
        effects = await timed(
            "export (a year of check-ins)", bot, [Command(actor(i), "export", DM) for i in range(5)]
        )
        files = [f for e in effects if isinstance(e, Reply) for f in e.message.files]
        size = sum(len(f.data) for f in files)
        print(f"export size for one person with {days} days: {size / 1024:.0f} KiB")
        forgets = []
        for i in range(30, 35):
            asked = await bot.handle(Command(actor(i), "forget", DM))
            button = asked[0].message.buttons[0]  # type: ignore[union-attr]
            forgets.append(Action(actor(i), button.action, button.value))
        await timed("forget (confirm press)", bot, forgets)
        async with db.uow() as uow:
            left = len(list(await uow.session.scalars(select(Member.id))))
        print(f"members left after 5 forgets: {left} of {people}")
        await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--database", default=None)
    args = parser.parse_args()
    asyncio.run(main(args.people, args.days, args.database))
