"""Scale-out on the real PostgreSQL: two instances (each a dispatcher and a sender, in their
own processes) over 10,000 due reminders. One is killed with SIGKILL mid-batch and a third
takes over. Every reminder is enqueued once and delivered; a duplicate is possible only for
a request in flight at the kill, and they are counted (never more than the concurrency)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time as _time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.kernel.storage.db import Database
from bot.kernel.storage.models.scheduling import OutboxRow, Schedule
from bot.scheduling.rules import DailyLocal
from tests.delivery.fake_platform import FakePlatform
from tests.delivery.report import report
from tests.scheduling.bulk import seed_due

pytestmark = pytest.mark.postgres

COUNT = int(__import__("os").environ.get("EXACTLY_ONCE_COUNT", "10000"))
TEAMS = 8  # eight Slack workspaces = eight lanes, shared out by leases
CONCURRENCY = 8
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def fake() -> AsyncIterator[FakePlatform]:
    platform = FakePlatform(limit=1_000_000, latency=0.005)
    await platform.start()
    yield platform
    await platform.stop()


def start_worker(url: str, fake_url: str, name: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.delivery.worker",
            url,
            fake_url,
            "--instance",
            name,
            "--concurrency",
            str(CONCURRENCY),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return process


async def wait_ready(process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None
    line = await asyncio.to_thread(process.stdout.readline)
    assert line.strip() == "ready", f"worker did not start: {line!r}"


async def count(db: Database, query: object) -> int:
    async with db.uow() as uow:
        return int(await uow.session.scalar(query) or 0)  # type: ignore[arg-type]


async def wait_for(condition: object, *, limit: float, what: str) -> None:
    deadline = _time.monotonic() + limit
    while _time.monotonic() < deadline:
        if await condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


async def test_two_instances_exactly_once_with_a_kill(
    postgres_db: Database, postgres_url: str, fake: FakePlatform, request: pytest.FixtureRequest
) -> None:
    db = postgres_db
    now = datetime.now(UTC).replace(microsecond=0)
    # real log-off reminders, due now, for 10,000 people in 8 workspaces
    await seed_due(
        db,
        count=COUNT,
        due=now,
        kind="logoff.remind",
        teams=TEAMS,
        platform="slack",
        rule=DailyLocal(time(now.hour, now.minute), workdays_only=False),
        data={"mode": "fixed"},
    )
    a = start_worker(postgres_url, fake.url, "a")
    b = start_worker(postgres_url, fake.url, "b")
    c: subprocess.Popen[str] | None = None
    try:
        await asyncio.gather(wait_ready(a), wait_ready(b))

        async def enough() -> bool:
            # kill while 'a' is sending (among the newest requests the fake saw)
            delivered = sum(fake.delivered.values())
            busy = any(r.sender == "a" for r in fake.requests[-20:])
            return delivered >= COUNT * 0.3 and (busy or delivered >= COUNT * 0.7)

        await wait_for(enough, limit=240, what="30 % of the deliveries")
        os.kill(a.pid, signal.SIGKILL)  # mid-batch: requests are in flight
        a.wait()
        delivered_at_kill = sum(fake.delivered.values())
        async with db.uow() as uow:
            # rows the dead sender had claimed and not marked sent: the only candidates for
            # a duplicate (its requests in flight are among them)
            in_flight = set(
                (
                    await uow.session.execute(
                        select(OutboxRow.id).where(
                            OutboxRow.claimed_by == "a", OutboxRow.status == "sending"
                        )
                    )
                ).scalars()
            )
        c = start_worker(postgres_url, fake.url, "c")
        await wait_ready(c)

        async def finished() -> bool:
            due = await count(
                db,
                select(func.count())
                .select_from(Schedule)
                .where(Schedule.next_due_at <= datetime.now(UTC)),
            )
            pending = await count(
                db,
                select(func.count())
                .select_from(OutboxRow)
                .where(OutboxRow.status.in_(("pending", "retry", "claimed", "sending"))),
            )
            return due == 0 and pending == 0

        await wait_for(finished, limit=300, what="every reminder to be delivered")
    finally:
        for process in (a, b, c):
            if process is not None and process.poll() is None:
                process.terminate()
        for process in (a, b, c):
            if process is not None:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()

    # enqueued exactly once: one outbox row per schedule, all sent
    async with db.uow() as uow:
        per_schedule = (
            await uow.session.execute(
                select(OutboxRow.schedule_id, func.count()).group_by(OutboxRow.schedule_id)
            )
        ).all()
        statuses = dict(
            (
                await uow.session.execute(
                    select(OutboxRow.status, func.count()).group_by(OutboxRow.status)
                )
            ).all()
        )
        # which outbox row each user's reminder is (to check duplicates against in-flight rows)
        from bot.kernel.storage.models import Member

        row_of_user = dict(
            (
                await uow.session.execute(
                    select(Member.platform_user_id, OutboxRow.id).join(
                        OutboxRow, OutboxRow.member_id == Member.id
                    )
                )
            ).all()
        )
    assert len(per_schedule) == COUNT and {n for _, n in per_schedule} == {1}
    assert statuses == {"sent": COUNT}

    # delivered: none lost; duplicates only for requests in flight at the kill
    per_user: dict[str, int] = {}
    for key, n in fake.delivered.items():
        user = key.split("|", 1)[0]
        per_user[user] = per_user.get(user, 0) + n
    assert set(per_user) == {f"u{i}" for i in range(COUNT)}, "a reminder was lost"
    duplicates = {user: n for user, n in per_user.items() if n > 1}
    report(
        request,
        f"exactly-once: {COUNT:,} reminders, 2 dispatchers + 2 senders, sender 'a' killed "
        f"(SIGKILL) after {delivered_at_kill:,} deliveries with {len(in_flight)} rows claimed "
        f"and unsent; duplicates after takeover: {len(duplicates)} (limit {CONCURRENCY})",
    )
    if len(duplicates) > CONCURRENCY:
        for user in list(duplicates)[:10]:
            hits = [
                (round(r.at, 3), r.sender, r.lane)
                for r in fake.requests
                if r.key.startswith(user + "|")
            ]
            report(request, f"  duplicate {user}: {hits}")
    assert len(duplicates) <= CONCURRENCY
    assert all(n == 2 for n in duplicates.values())
    assert {row_of_user[user] for user in duplicates} <= in_flight
