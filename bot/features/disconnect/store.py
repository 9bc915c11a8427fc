"""The right to disconnect's queries: late-evening answers, and a person's schedules as the
``next`` forecast reads them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from bot.features.disconnect.models import LateChoice
from bot.kernel.storage.models import Member
from bot.kernel.storage.models.scheduling import Schedule
from bot.kernel.storage.store import Store

__all__ = ["LateChoices", "Upcoming"]


class LateChoices(Store):
    """Answers to "was working late your choice, or did you need to?"."""

    async def on(self, member: Member, day: date) -> LateChoice | None:
        """The member's answer for their local ``day``."""
        row: LateChoice | None = await self.session.scalar(
            select(LateChoice).where(
                LateChoice.member_id == member.id, LateChoice.local_date == day
            )
        )
        return row

    async def answer(self, member: Member, day: date, choice: str) -> None:
        """Record ``choice`` (``choice`` or ``needed``) for ``day``; answering again changes it."""
        row = await self.on(member, day)
        if row is None:
            self.session.add(
                LateChoice(team_id=self.team.id, member_id=member.id, local_date=day, choice=choice)
            )
        else:
            row.choice = choice

    async def since(self, member: Member, since: date) -> list[LateChoice]:
        """The member's answers from ``since`` on."""
        rows = await self.session.scalars(
            select(LateChoice).where(
                LateChoice.member_id == member.id, LateChoice.local_date >= since
            )
        )
        return list(rows)

    async def chosen_days(self, member: Member, since: date) -> set[date]:
        """The member's late evenings from ``since`` on that they marked "my choice"."""
        rows = await self.session.scalars(
            select(LateChoice.local_date).where(
                LateChoice.member_id == member.id,
                LateChoice.local_date >= since,
                LateChoice.choice == "choice",
            )
        )
        return set(rows)

    async def week(self, first: date, until: date) -> list[tuple[int, str, datetime]]:
        """The team's answers for local days ``first`` up to (not including) ``until``:
        (member id, choice, when answered)."""
        rows = await self.session.execute(
            select(LateChoice.member_id, LateChoice.choice, LateChoice.created_at).where(
                LateChoice.team_id == self.team.id,
                LateChoice.local_date >= first,
                LateChoice.local_date < until,
            )
        )
        return [(member, choice, at) for member, choice, at in rows]


class Upcoming(Store):
    """What is scheduled for a person, for the ``next`` forecast."""

    async def active(self, member: Member) -> list[Schedule]:
        """The member's schedules that are not stopped."""
        rows = await self.session.scalars(
            select(Schedule).where(
                Schedule.team_id == self.team.id,
                Schedule.member_id == member.id,
                Schedule.stopped.is_(None),
            )
        )
        return list(rows)
