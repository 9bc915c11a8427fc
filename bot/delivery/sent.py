"""What was sent to a person: the delivery engine's answer, so no feature reads the outbox.

A feature asks through the unit of work, like any store::

    sent = ctx.store(Sent)
    times = await sent.due_times(ctx.member, kinds=("logoff.remind",), since=start)

The outbox is the engine's log of every scheduled message; its rows, statuses and lanes stay
the engine's business. This port answers in the features' terms: which of a person's
messages of some kinds actually went out, and when they were due; and, for the whole team
only, how many scheduled DMs went out inside and outside people's working windows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import func, select

from bot.kernel.storage.models import Member
from bot.kernel.storage.models.scheduling import DmWindowCount, OutboxRow
from bot.kernel.storage.store import Store

__all__ = ["Sent"]


class Sent(Store):
    """Messages delivered to members of one team."""

    async def due_times(
        self, member: Member, *, kinds: Iterable[str], since: datetime
    ) -> list[datetime]:
        """When each message of ``kinds`` that reached ``member`` was due (UTC), for those
        due at or after ``since``; in no particular order."""
        rows = await self.session.scalars(
            select(OutboxRow.due_at).where(
                OutboxRow.team_id == self.team.id,
                OutboxRow.member_id == member.id,
                OutboxRow.kind.in_(tuple(kinds)),
                OutboxRow.status == "sent",
                OutboxRow.due_at >= since,
            )
        )
        return list(rows)

    async def window_counts(self, *, first: date, until: date) -> dict[str, int]:
        """The team's scheduled DMs due on UTC days ``first`` up to (not including) ``until``,
        counted by where they fell (``inside`` the person's working window, ``asked`` for
        outside it, ``unasked``) as they were queued; no person is in these counts."""
        rows = await self.session.execute(
            select(DmWindowCount.category, func.sum(DmWindowCount.count))
            .where(
                DmWindowCount.team_id == self.team.id,
                DmWindowCount.day >= first,
                DmWindowCount.day < until,
            )
            .group_by(DmWindowCount.category)
        )
        return {category: int(total or 0) for category, total in rows}
