"""Check-in's queries: one member's check-ins and nudges, and the team's retention purge.

Every query is scoped by the team (and, but for the purge, by the member).
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select

from bot.features.checkin.models import CheckIn, NudgeSent
from bot.kernel.storage.models import Member
from bot.kernel.storage.store import Store

__all__ = ["CheckIns"]


class CheckIns(Store):
    """Check-ins are private: only the member's own ever leave this store."""

    async def on(self, member: Member, day: date) -> CheckIn | None:
        """The member's check-in for their local ``day``."""
        row: CheckIn | None = await self.session.scalar(
            select(CheckIn).where(
                CheckIn.team_id == self.team.id,
                CheckIn.member_id == member.id,
                CheckIn.local_date == day,
            )
        )
        return row

    async def to_answer(self, member: Member, day: date, *, zone: str) -> CheckIn:
        """The row for ``day`` (dated in ``zone``), made if new. Two presses racing to make
        it meet the unique constraint; the core then retries the loser's event, which finds
        the winner's row."""
        row = await self.on(member, day)
        if row is None:
            row = CheckIn(team_id=self.team.id, member_id=member.id, local_date=day, zone=zone)
            self.session.add(row)
            await self.session.flush()
        return row

    async def since(self, member: Member, since: date) -> list[CheckIn]:
        """The member's check-ins from ``since`` on, oldest first."""
        rows = await self.session.scalars(
            select(CheckIn)
            .where(
                CheckIn.team_id == self.team.id,
                CheckIn.member_id == member.id,
                CheckIn.local_date >= since,
            )
            .order_by(CheckIn.local_date)
        )
        return list(rows)

    async def dates(self, member: Member) -> list[date]:
        """Every date the member checked in, oldest first."""
        rows = await self.session.scalars(
            select(CheckIn.local_date)
            .where(CheckIn.team_id == self.team.id, CheckIn.member_id == member.id)
            .order_by(CheckIn.local_date)
        )
        return list(rows)

    async def last_nudges(self, member: Member) -> dict[str, date]:
        """When each pattern was last raised with the member."""
        rows = await self.session.execute(
            select(NudgeSent.pattern, func.max(NudgeSent.sent_on))
            .where(NudgeSent.team_id == self.team.id, NudgeSent.member_id == member.id)
            .group_by(NudgeSent.pattern)
        )
        return {pattern: sent for pattern, sent in rows.all()}

    def nudged(self, member: Member, pattern: str, day: date) -> None:
        """Remember that ``pattern`` was raised with the member on ``day``."""
        self.session.add(
            NudgeSent(team_id=self.team.id, member_id=member.id, pattern=pattern, sent_on=day)
        )

    async def forget_before(self, member: Member, cutoff: date) -> None:
        """Delete the member's check-ins dated before ``cutoff``."""
        await self.session.execute(
            delete(CheckIn).where(
                CheckIn.team_id == self.team.id,
                CheckIn.member_id == member.id,
                CheckIn.local_date < cutoff,
            )
        )

    async def purge_before(self, cutoff: date) -> int:
        """Delete the team's check-ins (and nudge records) dated before ``cutoff``; returns
        how many check-ins went."""
        result = cast(
            "CursorResult[Any]",
            await self.session.execute(
                delete(CheckIn).where(CheckIn.team_id == self.team.id, CheckIn.local_date < cutoff)
            ),
        )
        await self.session.execute(
            delete(NudgeSent).where(NudgeSent.team_id == self.team.id, NudgeSent.sent_on < cutoff)
        )
        return int(result.rowcount or 0)
