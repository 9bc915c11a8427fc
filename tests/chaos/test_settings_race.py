"""Two settings commands from one person, 10 ms apart, handled by two instances on the real
PostgreSQL (zone, then log-off time): the schedule always follows the final settings."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

import pytest
from sqlalchemy import select

from bot.bootstrap import make_bot
from bot.domain.schedule import next_fire
from bot.kernel.clock import FakeClock
from bot.kernel.settings import Settings
from bot.kernel.storage.db import Database
from bot.kernel.storage.models import Member, Team
from bot.kernel.storage.models.scheduling import Schedule
from bot.scheduling.api import compute_next, member_rules
from tests.support.harness import Harness

pytestmark = pytest.mark.postgres

ZONES = ("Asia/Tokyo", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu")


async def later(delay: float, work: Awaitable[Any]) -> Any:
    await asyncio.sleep(delay)
    return await work


@pytest.mark.parametrize("first", ["zone", "logoff"])
async def test_zone_then_logoff_time_on_two_instances(
    postgres_url: str, postgres_db: Database, clock: FakeClock, first: str
) -> None:
    settings = Settings(DATABASE_URL=postgres_url, _env_file=None)  # type: ignore[call-arg]
    one, two = Database(postgres_url), Database(postgres_url)  # two instances' pools
    try:
        a = Harness(make_bot(db=one, settings=settings, clock=clock))
        b = Harness(make_bot(db=two, settings=settings, clock=clock))
        for round_, zone in enumerate(ZONES):
            user = f"p{round_}"
            await a.command(user, "timezone Europe/Berlin")
            await a.command(user, "logoff 17:30")
            at = f"18:{10 + round_:02d}"
            zone_cmd = a.command(user, f"timezone {zone}")
            time_cmd = b.command(user, f"logoff {at}")
            if first == "zone":
                await asyncio.gather(zone_cmd, later(0.01, time_cmd))
            else:
                await asyncio.gather(time_cmd, later(0.01, zone_cmd))
            await check_consistent(postgres_db, user, zone, at, clock)
    finally:
        await one.dispose()
        await two.dispose()


async def check_consistent(db: Database, user: str, zone: str, at: str, clock: FakeClock) -> None:
    async with db.uow() as uow:
        member = await uow.session.scalar(select(Member).where(Member.platform_user_id == user))
        assert member is not None and member.timezone == zone
        team = await uow.session.get(Team, member.team_id)
        assert team is not None
        rules = member_rules(member, team)
        rows = list(
            await uow.session.scalars(select(Schedule).where(Schedule.member_id == member.id))
        )
        await uow.commit()  # keeps the loaded values (a rollback would expire them)
    kinds = {row.kind: row for row in rows}
    remind = kinds["logoff.remind"]
    assert remind.rule.at.strftime("%H:%M") == at  # type: ignore[union-attr]
    for row in rows:
        if row.next_due_at is None:
            continue
        expected = compute_next(row, rules, after=clock.now())
        assert row.next_due_at == expected, (row.kind, zone, row.next_due_at, expected)
    due = remind.next_due_at
    assert due is not None
    local = due.astimezone(rules.zone)
    assert local.strftime("%H:%M") == at
    assert due == next_fire(remind.rule, rules, after=clock.now(), done_through=remind.done_through)
