"""Log-off's queries: a member's settings and the outcome of each of their local days."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.features.logoff.models import LogoffDay, LogoffSettings
from bot.features.logoff.rules import DEFAULT_HEADS_UP
from bot.kernel.storage.models import Member
from bot.kernel.storage.store import Store

__all__ = ["Logoffs"]


class Logoffs(Store):
    """Every query is scoped by the team."""

    async def settings(self, member: Member) -> LogoffSettings | None:
        """The member's log-off preferences, ``None`` while they never set any."""
        row: LogoffSettings | None = await self.session.scalar(
            select(LogoffSettings).where(
                LogoffSettings.team_id == self.team.id, LogoffSettings.member_id == member.id
            )
        )
        return row

    async def settings_to_change(self, member: Member) -> LogoffSettings:
        """The member's preferences, made (reminders off, the default heads-up) if new."""
        row = await self.settings(member)
        if row is None:
            row = LogoffSettings(
                team_id=self.team.id,
                member_id=member.id,
                mode="off",
                heads_up_minutes=DEFAULT_HEADS_UP,
            )
            self.session.add(row)
        return row

    async def day(self, member: Member, day: date) -> LogoffDay | None:
        """What happened on the member's local ``day``, if anything was recorded."""
        row: LogoffDay | None = await self.session.scalar(
            select(LogoffDay).where(
                LogoffDay.team_id == self.team.id,
                LogoffDay.member_id == member.id,
                LogoffDay.local_date == day,
            )
        )
        return row

    async def day_to_change(self, member: Member, day: date) -> LogoffDay:
        """The record of ``day``, made (open, no snoozes) if there is none yet."""
        row = await self.day(member, day)
        if row is None:
            row = LogoffDay(
                team_id=self.team.id, member_id=member.id, local_date=day, outcome="open", snoozes=0
            )
            self.session.add(row)
        return row

    async def days_since(self, member: Member, since: date) -> list[LogoffDay]:
        """The member's recorded days from ``since`` on, in no particular order."""
        rows = await self.session.scalars(
            select(LogoffDay).where(
                LogoffDay.team_id == self.team.id,
                LogoffDay.member_id == member.id,
                LogoffDay.local_date >= since,
            )
        )
        return list(rows)
