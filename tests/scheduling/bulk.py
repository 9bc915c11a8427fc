"""Seed many due schedules fast (core INSERTs), for scale tests and the benchmark."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from bot.domain.schedule_rules import DailyLocal, Once, Rule, rule_to_json
from bot.kernel.storage.db import Database
from bot.kernel.storage.models import Member, Team
from bot.kernel.storage.models.scheduling import Schedule

CHUNK = 5000


async def seed_due(
    db: Database,
    *,
    count: int,
    due: datetime,
    kind: str,
    teams: int = 1,
    platform: str = "console",
    rule: Rule | None = None,
    data: dict[str, Any] | None = None,
    zone: str = "UTC",
    zones: list[str] | None = None,
) -> list[int]:
    """``count`` members spread over ``teams`` teams, each with one schedule of ``kind`` due
    at ``due`` (``rule`` defaults to ``Once(due)``; a daily rule keeps them recurring).
    With ``zones``, members are spread over those zones round-robin and ``rule`` must be a
    ``DailyLocal``: each member's copy is set to the local time of ``due`` in their zone, so
    all of them still fall due at ``due``. Returns the schedule ids."""
    rule = rule or Once(due)
    now = due
    async with db.uow() as uow:
        session = uow.session
        team_ids = []
        for index in range(teams):
            workspace = (
                f"W{index}"
                if platform != "console"
                else ("console" if teams == 1 else f"console{index}")
            )
            team_ids.append(
                await session.scalar(
                    insert(Team)
                    .values(
                        platform=platform,
                        workspace_id=workspace,
                        name=workspace,
                        default_timezone=zone,
                        default_logoff="17:30",
                        k_threshold=5,
                        pulse_creators="everyone",
                        retention_days=365,
                        active=True,
                        created_at=now,
                    )
                    .returning(Team.id)
                )
            )
        for start in range(0, count, CHUNK):
            # The table, not the class: ORM bulk inserts turn an explicit None into the
            # column's default (quiet hours 20:00-08:00), and these members have none.
            await session.execute(
                insert(Member.__table__),
                [
                    {
                        "team_id": team_ids[i % teams],
                        "platform_user_id": f"u{i}",
                        "display_name": f"user {i}",
                        "timezone": (zones[i % len(zones)] if zones else zone),
                        "timezone_source": "user",
                        "workdays": 0b1111111,
                        "quiet_start": None,
                        "quiet_end": None,
                        # a working window around the clock: these tests are about the
                        # engine, not about the right to disconnect
                        "work_start": "00:00",
                        "work_end": "23:59",
                        "is_admin": False,
                        "dm_blocked": False,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in range(start, min(count, start + CHUNK))
                ],
            )
        members = (
            await session.execute(
                select(Member.id, Member.team_id, Member.timezone).order_by(Member.id)
            )
        ).all()
        rule_json = rule_to_json(rule)
        local_rules: dict[str, dict[str, Any]] = {}
        if zones:
            assert isinstance(rule, DailyLocal), "zones need a daily rule"
            for name in zones:
                local = due.astimezone(ZoneInfo(name)).time().replace(second=0, microsecond=0)
                local_rules[name] = rule_to_json(DailyLocal(local, rule.workdays_only))
        for start in range(0, len(members), CHUNK):
            await session.execute(
                insert(Schedule),
                [
                    {
                        "team_id": team_id,
                        "member_id": member_id,
                        "owner": member_id,
                        "kind": kind,
                        "ref": "",
                        "rule_json": local_rules.get(member_zone or "", rule_json),
                        "data": dict(data or {}),
                        "next_due_at": due,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for member_id, team_id, member_zone in members[start : start + CHUNK]
                ],
            )
        ids = list(await session.scalars(select(Schedule.id).order_by(Schedule.id)))
        await uow.commit()
    return ids


def daily(at: time) -> DailyLocal:
    return DailyLocal(at, workdays_only=False)
