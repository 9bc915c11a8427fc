"""Personal's queries: everything stored about a member (export, count, delete — by
reflection over every table, see :mod:`bot.features.personal.data`), and the member's
reminder schedules as the rules and the **Skip today** button read them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Table, delete, func, or_, select

from bot.features.personal.data import (
    EXPORT_FORMAT,
    NOT_INCLUDED,
    member_columns,
    personal_tables,
    plain_row,
)
from bot.kernel.storage.models import Base, Member
from bot.kernel.storage.models.scheduling import Schedule
from bot.kernel.storage.store import Store

__all__ = ["MySchedules", "PersonalData"]


class PersonalData(Store):
    """Every row about one member of the team, whichever feature's table holds it."""

    def _where(self, table: Table, member: Member) -> list[Any]:
        columns = member_columns(table)
        if columns:
            clauses: list[Any] = [or_(*(c == member.id for c in columns))]
        else:
            clauses = [table.columns["user_id"] == member.platform_user_id]
        if "team_id" in table.columns:
            clauses.append(table.columns["team_id"] == self.team.id)
        return clauses

    async def export(self, member: Member, *, now: datetime) -> dict[str, Any]:
        """A JSON-ready document of every row about ``member`` in the team and nothing else."""
        team = self.team
        members = Base.metadata.tables["members"]
        found = await self.session.execute(select(members).where(members.c.id == member.id))
        you = found.mappings().one()
        data: dict[str, list[dict[str, Any]]] = {}
        for table in sorted(personal_tables(), key=lambda t: t.name):
            if table.info.get("export") is False:
                continue
            order = [table.c[name] for name in ("id",) if name in table.c]
            result = await self.session.execute(
                select(table).where(*self._where(table, member)).order_by(*order)
            )
            rows = [plain_row(table, mapping) for mapping in result.mappings()]
            if rows:
                data[table.name] = rows
        return {
            "format": EXPORT_FORMAT,
            "exported_at": now.isoformat(),
            "team": {
                "platform": team.platform,
                "workspace_id": team.workspace_id,
                "name": team.name,
            },
            "you": plain_row(members, you),
            "data": data,
            "not_included": NOT_INCLUDED,
        }

    async def counts(self, member: Member) -> dict[str, int]:
        """How many rows each personal table holds about ``member`` (non-zero ones only)."""
        counts = {}
        for table in personal_tables():
            number = await self.session.scalar(
                select(func.count()).select_from(table).where(*self._where(table, member))
            )
            if number:
                counts[table.name] = int(number)
        return counts

    async def delete(self, member: Member) -> dict[str, int]:
        """Delete every row about ``member`` and the member row itself; returns the counts
        per table. Rows are deleted explicitly (dependants first) rather than trusting every
        table to cascade, so a table that forgot ``ondelete`` cannot keep data behind."""
        # Write pending changes first, so nothing about this member is flushed after the delete.
        await self.session.flush()
        counts: dict[str, int] = {}
        for table in personal_tables():
            result = cast(
                "CursorResult[Any]",
                await self.session.execute(delete(table).where(*self._where(table, member))),
            )
            if result.rowcount:
                counts[table.name] = int(result.rowcount)
        members = Base.metadata.tables["members"]
        await self.session.execute(
            delete(members).where(members.c.id == member.id, members.c.team_id == self.team.id)
        )
        self.session.expunge(member)
        return counts


class MySchedules(Store):
    """A member's reminder schedules, read (the engine changes them)."""

    async def any_due(self, member: Member) -> bool:
        """Whether something is scheduled for the member at all."""
        found = await self.session.scalar(
            select(Schedule.id)
            .where(
                Schedule.team_id == self.team.id,
                Schedule.member_id == member.id,
                Schedule.next_due_at.is_not(None),
            )
            .limit(1)
        )
        return found is not None

    async def running(self, member: Member, kinds: Iterable[str]) -> list[Schedule]:
        """The member's schedules of ``kinds`` that are not stopped."""
        rows = await self.session.scalars(
            select(Schedule).where(
                Schedule.team_id == self.team.id,
                Schedule.member_id == member.id,
                Schedule.kind.in_(tuple(kinds)),
                Schedule.stopped.is_(None),
            )
        )
        return list(rows)

    async def one(self, member: Member, schedule_id: int) -> Schedule | None:
        """The member's schedule ``schedule_id``, ``None`` if it is not theirs (or gone)."""
        schedule = await self.session.get(Schedule, schedule_id)
        if schedule is None or schedule.team_id != self.team.id or schedule.member_id != member.id:
            return None
        return schedule
